"""Batch faults: a killed worker (pool or dask) fails only its hospital, reserved names, a malformed scheduler
address, the settings a batch puts on dask workers."""
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


_REPEATED_BAD_ADDRESSES = """
import gc
from casekit.errors import ConfigError
from casekit.pipeline.batch import _run_dask
class Quiet:
    def done(self, result):
        pass
gc.set_threshold(5)  # a collection at almost every allocation: inside the next Client's start too
for _ in range(6):
    for address in ("foo", "tcp://host:notaport", "http://x y", "::::"):
        try:
            _run_dask(None, [], address, Quiet())
        except ConfigError:
            pass
"""


def test_repeated_bad_scheduler_addresses_do_not_deadlock():
    # a failed Client collected while the next one started took a lock that one held (the suite hung)
    pytest.importorskip("distributed")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _REPEATED_BAD_ADDRESSES], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_a_killed_dask_worker_fails_only_its_hospital_and_the_profiler_comes_back(tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    jobs = [(str(tmp_path / name), str(tmp_path / "out" / name), "en", False) for name in "abcdef"]
    profiling = {"profile": True, "profile-cycle": True}
    # one hospital per worker at a time (the queue hands out the next as a thread frees up), and the
    # first death of b's worker is final: only b can fail
    with dask.config.set({"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            results = _run_dask(_kill_for_b, jobs, cluster.scheduler_address, _Quiet())
            client.wait_for_workers(2)
            after = client.run(lambda dask_worker: {k: pc.is_running() for k, pc in dask_worker.periodic_callbacks.items()
                                                    if k in profiling})
            held = client.run(lambda dask_worker: len(dask_worker.data))
    by_name = {r.name: r for r in results}
    assert [n for n, r in sorted(by_name.items()) if r.ok] == ["a", "c", "d", "e", "f"]
    assert by_name["b"].error == f"{WORKER_DIED} (KilledWorker)"
    assert list(after.values()) == [profiling, profiling]  # started again once the batch ended
    assert list(held.values()) == [0, 0]  # every result was released once gathered


class _Callback:
    def __init__(self, running: bool):
        self.running = running

    def is_running(self) -> bool:
        return self.running

    def stop(self) -> None:
        self.running = False

    def start(self) -> None:
        self.running = True


def test_worker_settings_stop_only_running_profiler_callbacks_and_restart_them(monkeypatch):
    pytest.importorskip("distributed")
    from types import SimpleNamespace

    from casekit.pipeline import dask_workers

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.setattr(dask_workers, "_mallopt", lambda: pytest.fail("mallopt called without a fixed trim threshold"))
    worker = SimpleNamespace(periodic_callbacks={"profile": _Callback(True), "profile-cycle": _Callback(False),
                                                 "heartbeat": _Callback(True)})
    plugin = dask_workers.BatchWorkerSettings()
    plugin.setup(worker)
    assert {k: pc.running for k, pc in worker.periodic_callbacks.items()} == {
        "profile": False, "profile-cycle": False, "heartbeat": True}
    plugin.teardown(worker)
    # the cycle callback was stopped before the batch (the user's choice): it stays stopped
    assert {k: pc.running for k, pc in worker.periodic_callbacks.items()} == {
        "profile": True, "profile-cycle": False, "heartbeat": True}


def test_worker_settings_lift_a_fixed_trim_threshold_for_the_batch_and_set_it_back(monkeypatch):
    pytest.importorskip("distributed")
    from types import SimpleNamespace

    from casekit.pipeline import dask_workers

    calls = []
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # what dask's nanny sets by default
    monkeypatch.setattr(dask_workers, "_mallopt", lambda: lambda param, value: calls.append((param, value)))
    plugin = dask_workers.BatchWorkerSettings()
    plugin.setup(SimpleNamespace(periodic_callbacks={}))
    # M_MMAP_THRESHOLD is -3, M_TRIM_THRESHOLD -1 (malloc.h): 32 MiB and 64 MiB for the batch
    assert sorted(calls) == [(-3, 33_554_432), (-1, 67_108_864)]
    calls.clear()
    plugin.teardown(SimpleNamespace(periodic_callbacks={}))
    assert sorted(calls) == [(-3, 131_072), (-1, 65_536)]  # glibc's initial mmap threshold, dask's trim
