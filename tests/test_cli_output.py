"""What the CLI prints for pipes and logs, and the options it checks before doing any work."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casekit.cli import app
from casekit.paths import PROJECT_DIR
from test_load import hospital_folder

J = PROJECT_DIR / "data" / "sample" / "j_hospital"


def _bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "budget.csv").write_text("year,dept_id\n2024,D1\n", encoding="utf-8")
    return folder


def test_validate_in_a_pipe_prints_one_plain_line_per_issue(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "casekit", "validate", str(_bad_folder(tmp_path))],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert not any(ch in proc.stdout for ch in "│┃━")                       # no box table in a pipe
    missing = next(line for line in lines if "required table 'actuals'" in line)
    file, sheet, row, column, rest = missing.split(":", 4)
    assert (sheet, row, column) == ("", "", "") and rest.startswith(" error: ") and " — " in rest
    budget = next(line for line in lines if line.startswith("budget.csv:") and "'account_id'" in line)
    assert budget.split(":")[4] == " error"
    assert lines[-1].endswith(f"in {tmp_path / 'bad'}: fix the errors and run casekit validate again.")


def test_validate_ok_line_is_a_sentence(tmp_path):
    result = CliRunner().invoke(app, ["validate", str(hospital_folder(tmp_path / "h"))])
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert last.startswith(f"OK: Folder hospital loaded from {tmp_path / 'h'}: 2 departments, 2 accounts, years 2024, "
                           "monthly actuals, optional tables: none; ")
    n = sum(1 for line in result.stdout.splitlines() if ": warning: " in line)
    assert last.endswith(f"; {n} warning{'s' if n != 1 else ''}.") and n >= 1


def test_validate_json_dash_writes_to_stdout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(_bad_folder(tmp_path)), "--json", "-"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["errors"] >= 1 and doc["issues"][0]["severity"] == "error"
    assert not (tmp_path / "-").exists()
    result = CliRunner().invoke(app, ["validate", str(hospital_folder(tmp_path / "h")), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 0 and json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["errors"] == 0


@pytest.mark.parametrize("command, flags", [("run", ["--redact", "--pdf / --no-pdf"]), ("sample", ["--all"])])
def test_help_shows_flags_as_flags(command, flags):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    for flag in flags:
        assert flag in result.output
    assert "--lang <str>" in result.output or command == "sample"


def test_redact_takes_no_value(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path), "--redact", "true"])
    assert result.exit_code == 2 and "unexpected extra argument" in result.output.lower()


@pytest.mark.parametrize("name", ["client.csv", "client", "client.xls"])
def test_template_refuses_a_name_that_is_not_xlsx(tmp_path, name):
    result = CliRunner().invoke(app, ["template", str(tmp_path / name), "--lang", "zh"])
    assert result.exit_code == 1
    assert "is not an .xlsx file name" in result.output and "client.xlsx" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("config, expected", [
    ("p3:\n  line_share: 0.3\n", ["unknown threshold 'p3.line_share'", "Did you mean 'p3.line_share_beyond'?"]),
    ("line_share_beyond: 0.3\n", ["unknown threshold 'line_share_beyond'", "Did you mean 'p3.line_share_beyond'?"]),
    ("p3:\n  line_share_beyond: '0.3'\n", ["must be a number, got the text '0.3'", "without quotes"]),
    ("p1:\n  min_triggered: 2.5\nbands:\n  gud: 0.1\n", ["must be a whole number, got 2.5",
                                                         "unknown threshold 'bands.gud'", "'bands.good'"]),
])
def test_config_mistakes_stop_before_any_kernel_starts(tmp_path, monkeypatch, config, expected):
    import jupyter_client.provisioning.local_provisioner as provisioner

    started = []
    monkeypatch.setattr(provisioner, "launch_kernel", lambda *a, **k: started.append(a))
    path = tmp_path / "thresholds.yaml"
    path.write_text(config, encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["run", str(J), "--config", str(path), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    for part in expected:
        assert part in text
    assert "line_share_beyond, " not in text                                  # no list of all 46 keys
    assert started == []                                                      # no kernel process
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thresholds.yaml"]  # no report, no .failed


def test_batch_says_what_it_runs_before_the_first_hospital_finishes(tmp_path):
    from rich.console import Console

    from casekit.pipeline.batch import BatchError, run_batch

    root = tmp_path / "hospitals"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        (root / name / "budget.csv").write_text("year,dept_id\n2024,D1\n")
    console = Console(record=True, width=200)
    with pytest.raises(BatchError):
        run_batch(root, tmp_path / "out", workers=1, pdf=False, console=console)
    lines = console.export_text().splitlines()
    assert lines[0] == "running 2 hospitals in 1 worker process: a, b"
    assert lines[1].startswith("[1/2] FAIL a") and lines[2].startswith("[2/2] FAIL b")
