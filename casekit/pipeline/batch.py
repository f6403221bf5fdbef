"""Many hospitals at once: local worker processes or a dask.distributed cluster.

:func:`run_batch` finds the hospitals under a folder (:func:`discover`), runs each through
:func:`casekit.pipeline.runner.run` in parallel, and writes the cross-hospital benchmark
(:mod:`casekit.report.benchmark`). A hospital that fails does not stop the others: its error
is listed in the benchmark, and :func:`run_batch` raises :class:`BatchError` at the end so the
command exits non-zero.
"""
from __future__ import annotations

import gc
import os
import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from casekit.errors import CasekitError, ConfigError
from casekit.fs.safe_paths import check_user_path, safe_join, slugify

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class HospitalRun:
    """Outcome of one hospital in a batch.

    Attributes
    ----------
    name : str
        Folder or workbook name.
    data_path : str
    out_dir : str
        Its report folder (inside the batch output folder).
    ok : bool
    error : str
        One-paragraph message when ``ok`` is False.
    findings_json : str
        Path of ``findings.json`` when ``ok``.
    seconds : float
    """

    name: str
    data_path: str
    out_dir: str
    ok: bool = False
    error: str = ""
    findings_json: str = ""
    seconds: float = 0.0


@dataclass
class BatchResult:
    """What :func:`run_batch` produced: the benchmark report, the panel and each hospital's outcome."""

    report: Path
    results: list[HospitalRun] = field(default_factory=list)
    csv: Path | None = None
    panel: Path | None = None
    panel_csv: Path | None = None

    @property
    def failed(self) -> list[HospitalRun]:
        return [r for r in self.results if not r.ok]


class BatchError(CasekitError):
    """Some hospitals of a batch failed; ``result`` holds the benchmark and every outcome."""

    def __init__(self, result: BatchResult):
        self.result = result
        names = ", ".join(r.name for r in result.failed)
        super().__init__(f"{len(result.failed)} of {len(result.results)} hospital(s) failed: {names}. "
                         f"The benchmark report lists each error: {result.report}",
                         "Fix the data named in each error and run the batch again.")


def _table_stems() -> set[str]:
    from casekit.data.schema.tables import TABLES

    stems: set[str] = set()
    for name in ("departments", "budget", "actuals", "ledger"):
        t = TABLES[name]
        stems.update(_norm(x) for x in (t.name, t.zh, *t.aliases))
    return stems


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(text)).lower()


def discover(root: str | os.PathLike) -> list[Path]:
    """Hospitals under ``root``: sub-folders holding table files, or ``.xlsx`` workbooks.

    A sub-folder counts when it holds a ``departments``, ``budget``, ``actuals`` or ``ledger``
    file (any accepted name or alias, CSV/TSV/Parquet/xlsx); a sub-folder holding exactly one
    workbook and no such file stands for that workbook; workbooks directly under ``root``
    count too. Hidden entries are skipped.

    Parameters
    ----------
    root : str or path-like

    Returns
    -------
    list of pathlib.Path
        Sorted by name.

    Raises
    ------
    ConfigError
        ``root`` is not a folder, or holds no hospital.
    """
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"batch folder {root} does not exist or is not a folder",
                          "Give a folder whose sub-folders are hospitals.")
    stems = _table_stems()
    found: list[Path] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix.lower() in WORKBOOK_SUFFIXES:
            found.append(entry)
        elif entry.is_dir():
            files = [f for f in entry.iterdir() if f.is_file() and not f.name.startswith(".")]
            if any(f.suffix.lower() in TABLE_SUFFIXES
                   and (_norm(f.stem) in stems or f.stem.lower().startswith("ledger")) for f in files):
                found.append(entry)
            else:
                books = [f for f in files if f.suffix.lower() in WORKBOOK_SUFFIXES]
                if len(books) == 1:
                    found.append(books[0])
    if not found:
        raise ConfigError(f"no hospital found under {root}",
                          "Each hospital is a sub-folder with departments/budget/actuals files, or an .xlsx workbook.")
    return found


BATCH_FILES = frozenset({"benchmark", "benchmark.html", "benchmark.csv", "panel", "panel.parquet", "panel.csv"})
"""Names the batch writes beside the hospital folders: no hospital folder may take one (a hospital
folder called ``benchmark.html`` gets ``benchmark.html-2``)."""
WORKER_DIED = ("the worker process running this hospital ended abruptly (killed, or out of memory); the other "
               "hospitals were finished")


def _hospital_dirs(paths: list[Path], out_dir: Path) -> list[Path]:
    """One report folder per hospital, slugged from its name, unique, inside ``out_dir``."""
    used: set[str] = set()
    out = []
    for p in paths:
        base = slugify(p.stem if p.is_file() else p.name)
        slug, n = base, 2
        while slug in used or slug in BATCH_FILES:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        out.append(safe_join(out_dir, slug))
    return out


def _name(data_path: str) -> str:
    """A hospital's name in the batch: its folder name, or its workbook's name without the suffix."""
    path = Path(data_path)
    return path.stem if path.is_file() else path.name


def _run_one(data_path: str, out_dir: str, lang: str, pdf: bool) -> HospitalRun:
    """Run one hospital; never raises (the error goes into the result). Runs in a worker."""
    from casekit.pipeline.runner import run

    t = time.perf_counter()
    res = HospitalRun(_name(data_path), data_path, out_dir)
    try:
        result = run(data_path, out_dir=out_dir, lang=lang, pdf=pdf, progress=False)
        res.ok, res.findings_json = True, str(result.diagnosis_json)
    except CasekitError as exc:
        res.error = str(exc)
    except Exception as exc:  # a bug: keep the batch going, but say so plainly
        res.error = f"internal error {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    res.seconds = time.perf_counter() - t
    return res


def _diagnose_one(data_path: str, out_dir: str, lang: str, pdf: bool) -> HospitalRun:
    """Load and diagnose one hospital and write its ``findings.json``; never raises. Runs in a worker.

    ``lang`` and ``pdf`` are unused (no report is rendered); they keep the job tuple of
    :func:`_run_one`.
    """
    from casekit.data.loader import load
    from casekit.diagnosis import diagnose

    t = time.perf_counter()
    res = HospitalRun(_name(data_path), data_path, out_dir)
    try:
        target = Path(out_dir) / "findings.json"
        diagnose(load(data_path)).to_json(target)
        res.ok, res.findings_json = True, str(target)
    except CasekitError as exc:
        res.error = str(exc)
    except Exception as exc:  # a bug: keep the batch going, but say so plainly
        res.error = f"internal error {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    res.seconds = time.perf_counter() - t
    return res


def _announce(console: Any, paths: list[Path], where: str) -> None:
    """The first progress line, printed before any hospital runs: what was found and where it runs."""
    if console is None:
        return
    names = ", ".join(p.stem if p.is_file() else p.name for p in paths)
    console.print(f"running {len(paths)} hospital{'s' if len(paths) != 1 else ''} {where}: {names}",
                  markup=False, highlight=False)


class _Progress:
    """A progress bar on a terminal (failures printed above it); one plain line per finished hospital otherwise."""

    def __init__(self, console: Any, total: int):
        self.console, self.bar, self.task, self.total, self.count = console, None, None, total, 0
        if console is not None and console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=console, transient=False)
            self.task = self.bar.add_task("hospitals", total=total)

    def __enter__(self) -> "_Progress":
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()

    def done(self, r: HospitalRun) -> None:
        self.count += 1
        if self.console is None:
            return
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"{'ok' if r.ok else 'FAIL'} {r.name}")
            if r.ok:
                return
        mark = "ok  " if r.ok else "FAIL"
        first = r.error.splitlines()[0] if r.error else ""
        self.console.print(f"[{self.count}/{self.total}] {mark} {r.name} ({r.seconds:.1f} s)"
                           f"{': ' + first if first else ''}", markup=False, highlight=False)


def run_batch(root: str | os.PathLike, out_dir: str | os.PathLike, workers: int = 2, scheduler: str | None = None,
              lang: str = "en", pdf: bool = False, console: Any = None, findings_only: bool = False) -> BatchResult:
    """Run every hospital under ``root`` in parallel; write the panel and the cross-hospital benchmark.

    Parameters
    ----------
    root : path-like
        Folder whose sub-folders (or workbooks) are hospitals (see :func:`discover`).
    out_dir : path-like
        Batch output folder: one report folder per hospital (``<slug of its name>``) plus
        ``panel.parquet``, ``panel.csv`` (:mod:`casekit.report.panel`), ``benchmark.html`` and
        ``benchmark.csv``.
    workers : int
        Local worker processes (ignored with ``scheduler``).
    scheduler : str, optional
        Address of a dask.distributed scheduler (``tcp://host:8786``); its workers must have
        casekit installed and see the same file system. Their statistical profiler is paused
        while the batch runs (:class:`casekit.pipeline.dask_workers.BatchWorkerSettings`).
    lang : {"en", "zh"}
    pdf : bool
        Also print each hospital's report.pdf.
    console : rich.console.Console, optional
        Where the progress goes: one line before the first hospital starts, then a bar on a
        terminal, else one line per finished hospital.
    findings_only : bool
        Only load and diagnose each hospital and write its ``findings.json`` (no notebooks,
        no report); ``lang`` and ``pdf`` then only affect the benchmark page.

    Returns
    -------
    BatchResult
        When every hospital succeeded.

    Raises
    ------
    BatchError
        After writing the benchmark, when at least one hospital failed.
    ConfigError
        Bad options, or no hospital found.
    """
    from casekit.pipeline.runner import check_options
    from casekit.report.benchmark import write_benchmark
    from casekit.report.panel import build_panel, write_panel

    check_options(lang, None)
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}", "Pass --workers 2, for example.")
    paths = discover(root)
    out = check_user_path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dirs = _hospital_dirs(paths, out)
    jobs = [(str(p.resolve()), str(d), lang, pdf) for p, d in zip(paths, dirs)]
    task = _diagnose_one if findings_only else _run_one
    if scheduler:
        _announce(console, paths, f"on the dask scheduler {scheduler}")
    else:
        n = min(workers, len(jobs))
        _announce(console, paths, f"in {n} worker process{'es' if n != 1 else ''}")
    with _Progress(console, len(jobs)) as progress:
        if scheduler:
            results = _run_dask(task, jobs, scheduler, progress)
        else:
            results = _run_local(task, jobs, workers, progress)
    order = {d: i for i, (_, d, _, _) in enumerate(jobs)}
    results.sort(key=lambda r: order[r.out_dir])
    panel = build_panel(results)
    parquet, panel_csv = write_panel(panel, out)
    html, csv = write_benchmark(results, out, lang=lang, panel=panel)
    result = BatchResult(html, results, csv, parquet, panel_csv)
    if result.failed:
        raise BatchError(result)
    return result


def _run_local(task: Callable[..., HospitalRun], jobs: list[tuple], workers: int,
               progress: _Progress) -> list[HospitalRun]:
    if workers == 1 or len(jobs) == 1:
        results = []
        for job in jobs:
            results.append(task(*job))
            progress.done(results[-1])
        return results
    results = []
    unfinished = _pool_pass(task, jobs, workers, progress, results)
    # A worker died (kill -9, the out-of-memory killer) and broke the pool: every hospital it had
    # not finished is run again alone, so only the one that kills its worker fails.
    for job in unfinished:
        if _pool_pass(task, [job], 1, progress, results):
            results.append(HospitalRun(_name(job[0]), job[0], job[1], error=WORKER_DIED))
            progress.done(results[-1])
    return results


def _pool_pass(task: Callable[..., HospitalRun], jobs: list[tuple], workers: int, progress: _Progress,
               results: list[HospitalRun]) -> list[tuple]:
    """Run ``jobs`` on a process pool, appending to ``results``; return the jobs a broken pool left undone."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    # "spawn": a fresh interpreter per worker, safe whatever threads the parent runs.
    ctx = multiprocessing.get_context("spawn")
    undone = []
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        futures = {pool.submit(task, *job): job for job in jobs}
        for fut in as_completed(futures):
            try:
                results.append(fut.result())
            except BrokenProcessPool:
                undone.append(futures[fut])
                continue
            progress.done(results[-1])
    return sorted(undone, key=jobs.index)


def _run_dask(task: Callable[..., HospitalRun], jobs: list[tuple], scheduler: str,
              progress: _Progress) -> list[HospitalRun]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        from casekit.errors import MissingDependencyError

        raise MissingDependencyError("dask.distributed is not installed",
                                     "pip install 'dask[distributed]'") from None
    failure = None
    try:
        client = Client(scheduler, timeout="30s")
    except ValueError as exc:
        failure = ConfigError(f"--scheduler {scheduler!r} is not a dask scheduler address: {exc}",
                              "Give the address as tcp://host:8786 (the scheduler prints it when it starts).")
    except OSError as exc:
        failure = ConfigError(f"cannot reach the dask scheduler at {scheduler}: {exc}",
                              "Check the address (tcp://host:8786) and that the scheduler is running.")
    if failure is not None:
        # The half-built client sits in reference cycles, and its finaliser takes a lock that the next
        # Client holds while it starts its loop: collected then, it deadlocked that Client (seen in
        # the test suite). Collected here, outside the except clause, nothing holds the lock.
        gc.collect()
        raise failure
    from casekit.pipeline.dask_workers import BatchWorkerSettings

    results = []
    with client:
        # BatchWorkerSettings: the workers' profiler off and malloc thresholds for the batch. The
        # hospitals go in one graph of one task group ("casekit-<i>-<slug>" keys), which the scheduler
        # queues and hands out as threads free up, so a worker that dies takes only the hospital it
        # was running. Each future is released once its small result is here.
        client.register_plugin(BatchWorkerSettings(), name=BatchWorkerSettings.name)
        try:
            keys = [f"casekit-{i}-{Path(job[1]).name}" for i, job in enumerate(jobs)]
            jobs_of = dict(zip(keys, jobs))
            for fut in as_completed(client.map(task, *zip(*jobs), key=keys, pure=False) if jobs else []):
                try:
                    results.append(fut.result())
                except Exception as exc:  # KilledWorker, a lost worker: this hospital failed, the batch goes on
                    job = jobs_of[fut.key]
                    results.append(HospitalRun(_name(job[0]), job[0], job[1],
                                               error=f"{WORKER_DIED} ({type(exc).__name__})"))
                fut.release()
                progress.done(results[-1])
        finally:
            client.unregister_worker_plugin(BatchWorkerSettings.name)
    return results
