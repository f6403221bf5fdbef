"""Report folders and faults: never replace what casekit did not write or the input; one message per fault."""
from __future__ import annotations

import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from casekit.errors import ConfigError, OutputError
from casekit.fs.atomic import MARKER, check_replaceable, make_staging_dir, publish_dir, remove_stale
from casekit.fs.safe_paths import check_user_path


def _report(out: Path, *names: str) -> Path:
    staging = make_staging_dir(out)
    for name in names or ("report.html",):
        (staging / name).write_text("x")
    return publish_dir(staging, out)


def test_marker_records_what_was_published_and_a_foreign_file_blocks_replacement(tmp_path):
    out = _report(tmp_path / "report", "report.html", "findings.json")
    check_replaceable(out)                                       # only casekit's outputs: replaceable
    (out / "client_data").mkdir()                                # e.g. the client data kept in the report
    (out / "client_data" / "budget.csv").write_text("precious")
    with pytest.raises(OutputError, match="also holds client_data"):
        make_staging_dir(out)
    assert (out / "client_data" / "budget.csv").read_text() == "precious"


def test_report_folder_may_not_be_hold_or_lie_inside_the_input(tmp_path):
    data = tmp_path / "h"
    data.mkdir()
    (data / "budget.csv").write_text("x")
    (data / MARKER).write_text('{"files": ["budget.csv"]}')    # a marker copied along with a report
    with pytest.raises(OutputError, match="would replace the input"):
        check_replaceable(data, inputs=[data])                   # casekit run H --out H
    with pytest.raises(OutputError, match="would replace the input"):
        check_replaceable(tmp_path, inputs=[data])               # casekit run out/h --out out
    with pytest.raises(OutputError, match="would lie inside the input"):
        check_replaceable(data / "report", inputs=[data])
    check_replaceable(tmp_path / "elsewhere", inputs=[data])
    assert (data / "budget.csv").read_text() == "x"


def test_dangling_symlink_as_out_is_refused(tmp_path):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "somewhere" / "else")
    with pytest.raises(ConfigError, match="does not exist; casekit will not write through it"):
        check_user_path(link)
    assert not (tmp_path / "somewhere").exists()


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "report"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    stale = tmp_path / f".report.staging-{proc.pid}-abcd"
    stale.mkdir()
    (stale / "report.html").write_text("half")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    staging = make_staging_dir(out)
    assert not stale.exists() and staging.exists()
    assert remove_stale(out) == []                               # our own live staging folder stays


def test_unwritable_output_folder_is_one_clear_message(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(OutputError, match="cannot write the report folder .*Permission denied"):
        make_staging_dir(tmp_path / "report")
    assert list(tmp_path.iterdir()) == []


def test_full_disk_while_writing_leaves_no_partial_report(tmp_path, monkeypatch):
    """ENOSPC in the middle of a run: one OutputError, the previous report intact, no staging folder left."""
    from casekit.pipeline import runner

    out = _report(tmp_path / "report", "report.html")
    staging_seen = []

    def full_disk(staging, parameters, sources):
        staging_seen.append(staging)
        raise OSError(28, "No space left on device", str(staging / "executed_01.ipynb"))

    monkeypatch.setattr(runner, "_write_split", full_disk)
    monkeypatch.setattr(runner, "execute", lambda *a, **k: None)
    hospital = Path(__file__).resolve().parents[1] / "data" / "sample" / "well_run_hospital"
    with pytest.raises(OutputError, match="No space left on device"):
        runner.run(hospital, out_dir=out, pdf=False, progress=False)
    assert staging_seen and not staging_seen[0].exists()
    assert (out / "report.html").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_run_refuses_to_publish_over_its_input(tmp_path):
    from casekit.pipeline.runner import run
    from casekit.sample import generate, write_hospital

    data = write_hospital(generate("well_run", departments=4, years=2), tmp_path / "h")
    before = sorted(p.name for p in data.iterdir())
    with pytest.raises(OutputError, match="would replace the input"):
        run(data, out_dir=data, pdf=False, progress=False)
    with pytest.raises(OutputError, match="would replace the input"):
        run(data, out_dir=tmp_path, pdf=False, progress=False)
    assert sorted(p.name for p in data.iterdir()) == before


def test_hanging_chromium_is_stopped_with_its_children(tmp_path):
    from casekit.report.pdf import run_chromium

    pids = tmp_path / "pids"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pids}\nsleep 300\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    start = time.perf_counter()
    with pytest.raises(OutputError, match="did not finish within 2 s and was stopped"):
        run_chromium([], browser=str(fake), timeout=2)
    assert time.perf_counter() - start < 30
    child = int(pids.read_text())
    time.sleep(0.5)
    assert _gone(child), "a process Chromium started outlived it"


def _gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for a container's init to reap it counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status
