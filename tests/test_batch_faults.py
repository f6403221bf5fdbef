"""Batch faults: a killed worker fails only its hospital, reserved names, a malformed scheduler address."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from casekit.errors import ConfigError
from casekit.pipeline.batch import BATCH_FILES, WORKER_DIED, HospitalRun, _hospital_dirs, _run_dask, _run_local


class _Quiet:
    def done(self, result):
        pass


def _kill_for_b(data_path: str, out_dir: str, lang: str, pdf: bool) -> HospitalRun:
    """A task that kills its own worker process (kill -9) for hospital ``b``; runs in a spawned worker."""
    if Path(data_path).name == "b":
        os.kill(os.getpid(), signal.SIGKILL)
    return HospitalRun(Path(data_path).name, data_path, out_dir, ok=True)


def test_a_killed_worker_fails_only_its_hospital(tmp_path):
    jobs = [(str(tmp_path / name), str(tmp_path / "out" / name), "en", False) for name in ("a", "b", "c", "d")]
    results = _run_local(_kill_for_b, jobs, workers=2, progress=_Quiet())
    by_name = {r.name: r for r in results}
    assert sorted(by_name) == ["a", "b", "c", "d"]
    assert [n for n, r in sorted(by_name.items()) if r.ok] == ["a", "c", "d"]
    assert by_name["b"].error == WORKER_DIED


def test_hospital_folders_never_take_a_batch_file_name(tmp_path):
    names = ["benchmark.html", "Benchmark.CSV", "panel.parquet", "panel", "benchmark"]
    for name in names:
        (tmp_path / name).mkdir()
    dirs = _hospital_dirs([tmp_path / n for n in names], tmp_path / "out")
    assert not {d.name for d in dirs} & BATCH_FILES
    assert [d.name for d in dirs] == ["benchmark.html-2", "benchmark.csv-2", "panel.parquet-2", "panel-2",
                                      "benchmark-2"]


@pytest.mark.parametrize("address", ["foo", "tcp://host:notaport", "http://x y", "::::"])
def test_malformed_scheduler_address_is_a_clear_error(address):
    pytest.importorskip("distributed")
    with pytest.raises(ConfigError, match="is not a dask scheduler address"):
        _run_dask(_kill_for_b, [], address, _Quiet())
