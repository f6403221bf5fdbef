"""What casekit sets on the workers of a dask.distributed cluster while its batch runs.

Imported only when ``casekit batch --scheduler`` is used (it needs ``distributed``).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

from distributed import WorkerPlugin

PROFILER_CALLBACKS = ("profile", "profile-cycle")
"""The worker's periodic callbacks of its statistical profiler (``distributed.worker.profile``)."""
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""glibc ``mallopt`` parameters (malloc.h)."""
BATCH_MALLOC = {M_MMAP_THRESHOLD: 32 * 2**20, M_TRIM_THRESHOLD: 64 * 2**20}
"""The thresholds glibc itself would reach with a workload of many table-sized arrays (its default
dynamic mmap threshold grows up to 32 MiB, the trim threshold being twice it), set while a batch
runs on a worker whose nanny fixed ``MALLOC_TRIM_THRESHOLD_``."""
GLIBC_MMAP_THRESHOLD = 128 * 2**10
"""glibc's initial mmap threshold, which a fixed ``MALLOC_TRIM_THRESHOLD_`` keeps for good."""


def _mallopt():
    """glibc's ``mallopt``, or None (another C library, or no shared libc)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return None


class BatchWorkerSettings(WorkerPlugin):
    """Settings for casekit's hospitals on each dask worker while a batch runs; undone after it.

    - The worker's statistical profiler is stopped. It samples the stack of the running task
      every 10 ms (``distributed.worker.profile.interval``) in the worker's event loop and keeps a
      profile tree per second for the last 1,000 seconds
      (``distributed.admin.low-level-log-length``); for casekit's pandas-heavy tasks that cost
      CPU time on every hospital and grew a worker's resident memory over a long batch.
    - Where the nanny set ``MALLOC_TRIM_THRESHOLD_`` (dask's default 64 KiB,
      ``distributed.nanny.pre-spawn-environ``, to hand freed memory back to the system at
      once), glibc's mmap threshold stays at 128 KiB, so every array above that size is mapped,
      zero-filled page by page and unmapped again; for the batch the thresholds are those of
      :data:`BATCH_MALLOC`, and dask's values are set back after it.

    Registered by :func:`casekit.pipeline.batch.run_batch` for the batch only (workers that join
    meanwhile get it too); unregistering it starts the profiler again. The dashboard's Profile
    page shows nothing for the batch's time.
    """

    name = "casekit-batch-worker-settings"

    def __init__(self) -> None:
        self.stopped: list[str] = []
        self.trim_threshold: int | None = None

    def setup(self, worker) -> None:
        for key in PROFILER_CALLBACKS:
            pc = worker.periodic_callbacks.get(key)
            if pc is not None and pc.is_running():
                pc.stop()
                self.stopped.append(key)
        fixed = os.environ.get("MALLOC_TRIM_THRESHOLD_", "")
        mallopt = _mallopt() if fixed.isdigit() else None
        if mallopt is not None:
            self.trim_threshold = int(fixed)
            for param, value in BATCH_MALLOC.items():
                mallopt(param, value)

    def teardown(self, worker) -> None:
        for key in self.stopped:
            worker.periodic_callbacks[key].start()
        self.stopped = []
        if self.trim_threshold is not None:
            mallopt = _mallopt()
            mallopt(M_MMAP_THRESHOLD, GLIBC_MMAP_THRESHOLD)
            mallopt(M_TRIM_THRESHOLD, self.trim_threshold)
            self.trim_threshold = None
