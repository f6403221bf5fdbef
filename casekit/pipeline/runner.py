"""Run one hospital end to end: validate, diagnose once, execute the notebooks, write and check the report.

:func:`run` is what ``casekit run`` calls. Its steps, in order:

1. check the options and the ``-p name=value`` parameters against the notebooks' parameters
   cells (:func:`casekit.pipeline.params.parse_params`: an unknown name is an error, not
   papermill's warning; values are converted to the declared type and passed to papermill as
   data, never pasted into code);
2. validate the data (:func:`casekit.data.loader.validate`): on errors, stop before any
   kernel starts;
3. start the kernel (it boots and imports the report modules on the other core meanwhile,
   :class:`~casekit.pipeline.notebooks.StartedKernel`), compute the run's one
   :class:`~casekit.pipeline.analysis.Analysis` (years, redaction, diagnosis) and save it in
   the staging folder; its path is the notebooks' ``analysis`` parameter, so the kernel only
   loads it and draws;
4. execute the five notebooks combined into one (:mod:`casekit.pipeline.notebooks`, one
   kernel start per hospital) while a thread writes ``findings.json`` from the same analysis
   (:func:`casekit.pipeline.outputs.write_findings`);
5. split the executed notebook back into ``executed_01_....ipynb`` ... for audit (each with its
   parameters cell and the values used, runner-only parameters emptied, so each re-runs on its
   own: :func:`~casekit.pipeline.notebooks.for_audit`), write
   ``report.html``, ``report.pdf`` and ``run.log``;
6. check every output (the five problem sections are in the HTML; every cell tagged ``figure``
   drew its figures unless the hospital lacks their input tables) and publish the folder
   atomically: an interrupted or failed run leaves the previous report intact. The saved
   analysis never reaches the published folder.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace as dataclass_replace
from pathlib import Path
from typing import Any, Sequence

from casekit.errors import ConfigError, NotebookExecutionError, OutputError
from casekit.fs.safe_paths import check_user_path, safe_join, slugify
from casekit.labels import LANGS
from casekit.paths import NOTEBOOKS_DIR, REPORTS_DIR
from casekit.pipeline.notebooks import (StartedKernel, check_figures, combine, drawn_figures, execute, for_audit,
                                        notebook_paths, split)
from casekit.pipeline.outputs import check_outputs, parse_formats, render, write_findings, write_workbook
from casekit.pipeline.params import AUDIT_RESET, Param, declared_parameters, parse_params, parse_years


@dataclass
class RunResult:
    """What :func:`run` produced.

    Attributes
    ----------
    out_dir : pathlib.Path
        The published report folder.
    outputs : list of pathlib.Path
        Every file written (report.html, report.pdf, findings.json, tables.xlsx, run.log,
        executed notebooks).
    diagnosis_json : pathlib.Path
        ``findings.json``.
    log : str
        Text of ``run.log`` (parameters, versions, timings, PDF route).
    """

    out_dir: Path
    outputs: list[Path]
    diagnosis_json: Path
    log: str



class _Log:
    """Collects ``run.log`` lines and step timings."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.timings: dict[str, float] = {}

    def add(self, text: str) -> None:
        self.lines.append(text)

    def warn(self, text: str) -> None:
        """Record a warning in ``run.log`` and say it on the console (stderr) at once."""
        self.lines.append(f"warning: {text}")
        print(f"casekit: warning: {text}", file=sys.stderr, flush=True)

    def step(self, name: str, seconds: float) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + seconds

    def text(self) -> str:
        timing = [f"  {k:<18} {v:7.2f} s" for k, v in self.timings.items()]
        return "\n".join(self.lines + ["timings:"] + timing) + "\n"


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in ("casekit", "pandas", "numpy", "matplotlib", "papermill", "nbconvert", "openpyxl"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def default_out_dir(data_path: str | os.PathLike) -> Path:
    """``reports/<slug of the data folder or workbook name>`` under :data:`casekit.paths.REPORTS_DIR`."""
    p = Path(data_path)
    name = p.stem if p.is_file() else p.name
    return safe_join(REPORTS_DIR, slugify(name or p.resolve().name))


def check_options(lang: str, config: str | os.PathLike | None) -> None:
    """Reject an unknown language or a bad thresholds file (missing, unknown key, wrong type) before anything runs."""
    if lang not in LANGS:
        raise ConfigError(f"unknown report language {lang!r}", "Use --lang en or --lang zh.")
    if config is not None:
        if not Path(config).is_file():
            raise ConfigError(f"thresholds file {config} does not exist", "Check the --config path.")
        from casekit.diagnosis.config import Thresholds

        Thresholds(config)  # every key and value checked here, not in the kernel



def _keep_failed(staging: Path, out_dir: Path) -> Path | None:
    """Move a failed run's staging folder to ``<out_dir>.failed`` (replacing an older one).

    Returns ``None`` (and leaves ``staging`` to be removed) when it cannot be moved, or when
    ``<out_dir>.failed`` exists but is not casekit's (it then stays untouched).
    """
    failed = _failed_dir(out_dir)
    try:
        if failed.exists():
            if not _is_ours(failed):
                return None
            shutil.rmtree(failed)
        os.replace(staging, failed)
    except OSError:
        return None
    return failed


def _failed_dir(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".failed")


def _is_ours(folder: Path) -> bool:
    """A failed run's folder: it holds the staging marker files casekit writes (run parameters, split notebooks)."""
    return folder.is_dir() and not folder.is_symlink() and any(folder.glob("executed_*.ipynb"))


def _remove_failed(out_dir: Path) -> None:
    """After a successful run, the ``.failed`` folder of an earlier failed run is stale: remove it."""
    failed = _failed_dir(out_dir)
    if _is_ours(failed):
        shutil.rmtree(failed, ignore_errors=True)


def release_memory() -> None:
    """Hand the memory of freed objects back to the operating system.

    Dropping the rows frees them inside the process, but neither pyarrow's memory pool nor
    glibc's ``malloc`` returns freed pages by itself, so the runner would keep its
    validation-and-diagnosis peak while the kernel and Chromium run beside it. At 200
    departments this takes the runner from 624 to 403 MB (benchmarks/NOTES.md). Where
    ``malloc_trim`` does not exist (not glibc), only the pool is released.
    """
    import ctypes
    import ctypes.util
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    if trim is not None:
        trim(0)


def _write_error(exc: OSError, out: Path) -> OutputError:
    """One clear message for an operating-system error while writing the report (nothing was published)."""
    reason = exc.strerror or str(exc)
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return OutputError(f"the report for {out} could not be written: {reason}{where}; the previous report, if any, "
                       "is unchanged and no partial folder was left",
                       "Free disk space or choose an --out folder you can write to, then run again.")



def run(data_path: str | os.PathLike, out_dir: str | os.PathLike | None = None, lang: str = "en",
        config: str | os.PathLike | None = None, params: Sequence[str] = (), redact: bool = False,
        pdf: bool = True, progress: bool = True, formats: str | Sequence[str] | None = None) -> RunResult:
    """Diagnose one hospital and write its report folder.

    Parameters
    ----------
    data_path : path-like
        Hospital data folder or workbook.
    out_dir : path-like, optional
        Report folder (default ``reports/<slug of the data folder name>``). It is replaced as
        a whole, atomically, and only if it is empty or a previous casekit report.
    lang : {"en", "zh"}
        Report language.
    config : path-like, optional
        YAML thresholds overriding the defaults.
    params : sequence of str
        ``name=value`` notebook parameters (``-p``); unknown names are errors.
    redact : bool
        Replace department names by codes in every output.
    pdf : bool
        Also write ``report.pdf`` (no browser is started when False).
    progress : bool
        Show papermill's progress bar.
    formats : str or sequence of str, optional
        Outputs to publish, a subset of ``html,pdf,docx,xlsx,json`` (default: all;
        ``pdf=False`` removes ``pdf``). run.log and the executed notebooks are always written.

    Returns
    -------
    RunResult
        ``out_dir``, ``outputs``, ``diagnosis_json`` and the ``run.log`` text.

    Raises
    ------
    ConfigError
        Bad option or parameter (nothing was run).
    DataValidationError
        The data have errors (no kernel was started).
    NotebookExecutionError
        A notebook cell failed; the executed notebooks are kept in ``<out_dir>.failed``.
    OutputError
        An expected output is missing or incomplete; the previous report is left intact.
    """
    import nbformat

    from casekit.data.loader import validate
    from casekit.errors import DataValidationError
    from casekit.fs.atomic import make_staging_dir, publish_dir, write_text
    from casekit.monitor.period import require_complete_year
    from casekit.pipeline.analysis import ANALYSIS_FILE, analyse, discard, save, without_monthly_rows
    from casekit.report.pdf import notebook_pngs

    t_start = time.perf_counter()
    log = _Log()
    check_options(lang, config)
    chosen = parse_formats(formats, pdf=pdf)
    pdf = "pdf" in chosen
    data_path = Path(data_path).expanduser().resolve()
    config_path = None if config is None else Path(config).resolve()
    out = check_user_path(out_dir) if out_dir is not None else default_out_dir(data_path)
    sources = notebook_paths()
    declared: dict[str, Param] = {}
    for nb in (nbformat.read(os.fspath(p), as_version=4) for p in sources):
        for k, v in declared_parameters(nb).items():
            declared.setdefault(k, v)
    user = parse_params(params, declared)
    span = parse_years(str(user.get("years") or ""))

    t = time.perf_counter()
    report = validate(data_path, config=config)
    if report.has_errors or report.hospital is None:  # stop before any kernel starts
        raise DataValidationError(report.issues, source=str(data_path))
    require_complete_year(report.hospital)  # a year in progress alone: point to `casekit monitor`
    release_memory()  # the text and codes of the reading, before the diagnosis adds its tables
    log.step("validate", time.perf_counter() - t)

    staging = make_staging_dir(out, inputs=[data_path] + ([config_path] if config_path is not None else []))
    kernel = None
    try:
        kernel = StartedKernel(NOTEBOOKS_DIR)  # boots and imports on the other core while we diagnose
        t = time.perf_counter()
        analysis = analyse(report, data_path, config=config_path, years=span, redact=redact)
        analysis_file = save(analysis, staging / ANALYSIS_FILE)
        log.step("diagnose", time.perf_counter() - t)
        # the kernel reads the data from the saved analysis; here only the diagnosis (exports) and
        # the profile (page title) are left to use, so a large hospital's rows are not held twice
        hospital = without_monthly_rows(analysis.hospital)
        # the memoised indicator tables are the notebooks' (saved above); the exports use the diagnosis's own tables
        analysis = dataclass_replace(analysis, hospital=hospital, diagnosis=dataclass_replace(analysis.diagnosis, memo={}))
        del report
        release_memory()  # while the kernel and later Chromium run, the runner holds only the diagnosis
        parameters = {"data_path": str(data_path), "lang": lang, "config": "" if config_path is None else str(config_path),
                      "redact": bool(redact), "output_dir": str(staging), "analysis": str(analysis_file), **user}
        parameters = {k: v for k, v in parameters.items() if k in declared}
        combined_path = staging / ".combined.ipynb"
        nbformat.write(combine(sources), os.fspath(combined_path))
        with ThreadPoolExecutor(1, thread_name_prefix="casekit-exports") as pool:
            findings_json = pool.submit(write_findings, analysis.diagnosis, staging)  # while the kernel draws
            t = time.perf_counter()
            try:
                executed = execute(combined_path, staging / ".executed.ipynb", parameters,
                                   cwd=NOTEBOOKS_DIR, progress=progress, kernel=kernel)
            finally:
                log.step("execute", time.perf_counter() - t)
                kernel.shutdown()
                kernel = None
                _write_split(staging, parameters, sources)
            log.step("json (thread)", findings_json.result())
            release_memory()  # what the kernel phase freed, before Chromium prints beside the runner
            # the workbook's frames are built while the report is printed, not while the kernel holds
            # the loaded analysis: at 1,000 departments the two together passed 2 GB
            workbook = pool.submit(write_workbook, analysis.diagnosis, staging, lang=lang) if "xlsx" in chosen else None
            discard(analysis_file)
            findings = json.loads((staging / "findings.json").read_text(encoding="utf-8"))
            outputs = render(executed, findings, hospital, staging, lang=lang, formats=chosen, log=log)
            if workbook is not None:
                log.step("excel (thread)", workbook.result())
        missing = check_figures(executed)
        if missing:
            raise OutputError(f"figure cell(s) produced no figure: {', '.join(missing)}",
                              "Open the executed notebooks to see why the plot was empty.")
        for tmp in (combined_path, staging / ".executed.ipynb"):
            tmp.unlink(missing_ok=True)
        log.add(f"parameters: {parameters | {'output_dir': str(out), 'analysis': '(computed by casekit run)'}}")
        log.add(f"out_dir: {out}")
        log.add(f"figures: {len(notebook_pngs(executed))} in the executed notebooks")
        log.step("total", time.perf_counter() - t_start)
        write_text(staging / "run.log", _header(data_path, lang, redact, pdf) + log.text())
        names = [p.name for p in outputs] + ["run.log", "findings.json"] + (["tables.xlsx"] if "xlsx" in chosen else [])
        figures = drawn_figures(executed)
        check_outputs(staging, names, figures=figures)
        for fmt, name in (("html", "report.html"), ("json", "findings.json")):  # made for the others, not chosen
            if fmt not in chosen:
                (staging / name).unlink()
    except BaseException as exc:
        if kernel is not None:
            kernel.shutdown()
        if staging.exists():
            discard(staging / ANALYSIS_FILE)
            failed = _keep_failed(staging, out) if isinstance(exc, (NotebookExecutionError, OutputError)) else None
            if failed is None:
                shutil.rmtree(staging, ignore_errors=True)
            elif isinstance(exc, NotebookExecutionError):
                exc.executed_path = str(failed)
                exc.hint = f"Open the executed notebooks in {failed} to see the full cell output."
                exc.args = (f"{exc.message}\nHint: {exc.hint}",)
        if isinstance(exc, OSError):  # a full disk, a folder made read-only during the run
            raise _write_error(exc, out) from None
        raise
    try:
        publish_dir(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _write_error(exc, out) from None
    _remove_failed(out)
    files = sorted(p for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
    check_outputs(out, [p.name for p in files], figures=figures)
    return RunResult(out, files, out / "findings.json", (out / "run.log").read_text(encoding="utf-8"))


def _header(data_path: Path, lang: str, redact: bool, pdf: bool) -> str:
    lines = [f"casekit run {time.strftime('%Y-%m-%d %H:%M:%S')}", f"data: {data_path}",
             f"lang: {lang}  redact: {redact}  pdf: {pdf}", "versions:"]
    lines += [f"  {k}: {v}" for k, v in _versions().items()]
    return "\n".join(lines) + "\n"


def _write_split(staging: Path, parameters: dict[str, Any], sources: list[Path]) -> None:
    """Write ``executed_NN_name.ipynb`` per source notebook (also after a failure, for audit)."""
    import nbformat

    path = staging / ".executed.ipynb"
    if not path.exists():
        return
    by_name = {p.name: p for p in sources}
    for name, nb in split(nbformat.read(os.fspath(path), as_version=4)).items():
        source = nbformat.read(os.fspath(by_name[name]), as_version=4)
        nbformat.write(for_audit(nb, source, parameters, AUDIT_RESET), os.fspath(staging / f"executed_{name}"))
