"""Run one hospital end to end: validate, execute the notebooks, write and check the report.

:func:`run` is what ``casekit run`` calls. Its steps, in order:

1. check the options and the ``-p name=value`` parameters against the notebooks' parameters
   cells (an unknown name is an error, not papermill's warning; values are converted to the
   declared type and passed to papermill as data, never pasted into code);
2. load and validate the data (:func:`casekit.data.loader.validate`): on errors, stop before any
   kernel starts; otherwise save the validated data in the staging folder
   (:func:`casekit.report.narrative.write_prepared`), where the kernel's session finds it through the
   runner-owned ``output_dir`` parameter, so the data are read once per run;
3. diagnose in a thread of the runner (:func:`casekit.report.narrative.prepare`) while papermill
   starts the kernel and the kernel imports its libraries (two cores work at once); the
   kernel's session waits for that diagnosis and uses it when the data fingerprint,
   thresholds file, years and redaction match, else diagnoses itself;
4. build one combined notebook from ``notebooks/01..05`` (one kernel start per hospital) and
   execute it with papermill's Python API; ``findings.json`` and ``tables.xlsx`` come from the
   session's diagnosis (written by the runner's thread while the kernel draws, or by a hidden
   last cell when the kernel diagnosed itself), so the JSON, the workbook and the HTML cannot
   disagree and nothing is computed twice;
5. split the executed notebook back into ``executed_01_....ipynb`` ... for audit, write
   ``report.html``, ``report.pdf`` and ``run.log``;
6. check every output (the five problem codes are in the HTML; every cell tagged ``figure``
   drew its figures unless the hospital lacks their input tables, see :func:`check_figures`)
   and publish the folder atomically: an interrupted or failed run leaves the previous report
   intact. The saved data never reach the published folder.
"""
from __future__ import annotations

import ast
import copy
import json
import os
import platform
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from casekit.errors import ConfigError, NotebookExecutionError, OutputError
from casekit.paths import NOTEBOOKS_DIR, REPORTS_DIR
from casekit.fs.safe_paths import check_user_path, safe_join, slugify

LANGS = ("en", "zh")
PROBLEM_CODES = ("P1", "P2", "P3", "P4", "P5")
STRICT_CHECK_TAGS = ("strict-check", "parameters-check", "check-parameters")
STRICT_CHECK_CALL = "notebook_params.check("  # an untagged strict-check cell is recognised by this call
FIGURE_TAG = "figure"
# Parameters the runner sets from its own options; ``-p`` may not override them.
RUNNER_PARAMETERS = ("data_path", "lang", "config", "output_dir", "redact")
KERNEL = "python3"
ERROR_MARKER_TAG = "papermill-error-cell-tag"  # papermill's tag on the error cells it adds


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


# ------------------------------------------------------------------------- parameters
_UNKNOWN = object()
_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict}


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return _UNKNOWN


def declared_parameters(nb: Any) -> dict[str, tuple[Any, type | None]]:
    """Parameters declared in the cell tagged ``parameters``: name -> (default, type).

    The type is the annotation when it is a builtin (``n: int = 3``), else the type of the
    literal default; ``None`` when neither says (a ``None`` default without annotation).

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    dict
        Empty when the notebook has no parameters cell.
    """
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as exc:
        raise ConfigError(f"the parameters cell does not parse: {exc}", "Fix the notebook's parameters cell.") from None
    out: dict[str, tuple[Any, type | None]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, value, annotation = stmt.targets[0].id, stmt.value, None
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, value, annotation = stmt.target.id, stmt.value, stmt.annotation
        else:
            continue
        default = _literal(value)
        typ = _TYPES.get(annotation.id) if isinstance(annotation, ast.Name) else None
        if typ is None and default is not _UNKNOWN and default is not None:
            typ = type(default)
        out[name] = (None if default is _UNKNOWN else default, typ)
    return out


def _convert(name: str, text: str, typ: type | None) -> Any:
    import yaml

    def bad(kind: str) -> ConfigError:
        return ConfigError(f"parameter {name!r} must be {kind}, got {text!r}", f"Pass e.g. -p {name}=<{kind}>.")

    if typ is str:
        return text
    if typ is bool:
        low = text.strip().lower()
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        raise bad("true or false")
    if typ is int:
        try:
            return int(text.strip())
        except ValueError:
            raise bad("an integer") from None
    if typ is float:
        try:
            return float(text.strip())
        except ValueError:
            raise bad("a number") from None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise bad("a value in YAML syntax") from None
    if isinstance(value, str) and "," in value:
        value = [yaml.safe_load(v) for v in value.split(",") if v.strip()]
    if typ in (list, dict) and not isinstance(value, typ):
        raise bad("a list such as [2022, 2023]" if typ is list else "a mapping such as {a: 1}")
    if not isinstance(value, (str, int, float, bool, list, dict, type(None))):
        raise bad("a plain value")
    return value


def parse_params(pairs: Sequence[str], declared: dict[str, tuple[Any, type | None]]) -> dict[str, Any]:
    """Parse ``-p name=value`` options and check them against the notebooks' parameters.

    Parameters
    ----------
    pairs : sequence of str
        Raw ``name=value`` strings from the command line.
    declared : dict
        From :func:`declared_parameters` (merged over all notebooks).

    Returns
    -------
    dict
        name -> value converted to the declared type (int, float, bool, str; lists and
        ``None`` defaults accept YAML such as ``[2022, 2023]`` or ``2022,2023``).

    Raises
    ------
    ConfigError
        Malformed pair, unknown name (papermill would only warn), a name set by a runner
        option (``data_path``, ``lang`` ...), a repeated name, or a value of the wrong type.

    Examples
    --------
    >>> parse_params(["years=2022,2023"], {"years": (None, None)})
    {'years': [2022, 2023]}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = str(pair).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ConfigError(f"parameter {pair!r} is not of the form name=value", "Write e.g. -p years=2022,2023.")
        if name in RUNNER_PARAMETERS:
            option = {"data_path": "the DATA_PATH argument", "output_dir": "--out"}.get(name, f"--{name}")
            raise ConfigError(f"parameter {name!r} is set by casekit itself", f"Use {option} instead of -p {name}=...")
        if name not in declared:
            known = ", ".join(sorted(n for n in declared if n not in RUNNER_PARAMETERS)) or "none"
            raise ConfigError(f"unknown notebook parameter {name!r}", f"Parameters you can set with -p: {known}.")
        if name in out:
            raise ConfigError(f"parameter {name!r} is given twice", "Pass each -p name=value once.")
        out[name] = _convert(name, text, declared[name][1])
    return out


# -------------------------------------------------------------------- combine / split
def notebook_paths(folder: str | os.PathLike = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks ``01_*.ipynb`` ... of ``folder``, in order."""
    paths = sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("executed_"))
    if not paths:
        raise OutputError(f"no notebooks found in {folder}", "Reinstall casekit or restore the notebooks/ folder.")
    return paths


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _is_strict_check(cell: Any) -> bool:
    tags = _tags(cell)
    return cell.cell_type == "code" and (any(t in tags for t in STRICT_CHECK_TAGS) or STRICT_CHECK_CALL in cell.source)


def combine(paths: Sequence[str | os.PathLike]) -> Any:
    """Concatenate notebooks into one so a single kernel runs them all.

    The first notebook keeps its ``parameters`` cell (plus, appended to it, any parameter the
    later notebooks declare that the first does not) and its strict-check cell; the later
    notebooks' ``parameters`` and strict-check cells (tags ``strict-check``,
    ``parameters-check`` or ``check-parameters``) are dropped. Every cell records its origin
    in ``metadata.casekit = {"source": file name, "index": cell index in that file}``.

    Parameters
    ----------
    paths : sequence of path-like

    Returns
    -------
    nbformat.NotebookNode
    """
    import nbformat

    books = [nbformat.read(os.fspath(p), as_version=4) for p in paths]
    combined = nbformat.v4.new_notebook(metadata=copy.deepcopy(books[0].metadata))
    combined.metadata["casekit"] = {"sources": [Path(p).name for p in paths]}
    param_cell = None
    declared_first: set[str] = set()
    for i, (path, nb) in enumerate(zip(paths, books)):
        for j, cell in enumerate(nb.cells):
            tags = _tags(cell)
            if "parameters" in tags:
                if param_cell is None:
                    declared_first = set(declared_parameters(nb))
                else:
                    _merge_parameters(param_cell, cell, declared_first)
                    continue
            elif i > 0 and _is_strict_check(cell):
                continue
            new = copy.deepcopy(cell)
            new.metadata["casekit"] = {"source": Path(path).name, "index": j}
            new["id"] = f"n{i + 1}-{cell.get('id') or j}"[:64]
            combined.cells.append(new)
            if "parameters" in tags and param_cell is None:
                param_cell = new
    return combined


def _merge_parameters(target: Any, cell: Any, known: set[str]) -> None:
    """Append to ``target`` the assignments of ``cell`` whose names ``known`` lacks."""
    tree = ast.parse(cell.source)
    lines = []
    for stmt in tree.body:
        target_node = stmt.targets[0] if isinstance(stmt, ast.Assign) else getattr(stmt, "target", None)
        if isinstance(target_node, ast.Name) and target_node.id not in known:
            lines.append(ast.get_source_segment(cell.source, stmt))
            known.add(target_node.id)
    if lines:
        target.source = target.source.rstrip("\n") + "\n" + "\n".join(lines)


def source_of(combined: Any, index: int) -> tuple[str, int | None]:
    """Map a cell index of the combined notebook to (source notebook, cell index there).

    papermill's injected-parameters cell belongs to the first notebook, index ``None``.
    """
    sources = combined.metadata.get("casekit", {}).get("sources", ["notebook"])
    if not 0 <= index < len(combined.cells):
        return sources[0], None
    origin = combined.cells[index].metadata.get("casekit")
    if not origin:
        return sources[0], None
    return origin["source"], origin["index"]


def split(executed: Any) -> dict[str, Any]:
    """Split an executed combined notebook back into one notebook per source file.

    Parameters
    ----------
    executed : nbformat.NotebookNode
        Output of papermill on a notebook from :func:`combine`.

    Returns
    -------
    dict
        Source file name -> notebook holding its executed cells (outputs, execution counts);
        the injected-parameters cell goes to the first notebook.
    """
    import nbformat

    sources = executed.metadata.get("casekit", {}).get("sources", [])
    origins = [c.metadata.get("casekit", {}).get("source") for c in executed.cells]
    # Cells papermill added carry no origin: the injected parameters follow their predecessor,
    # an error anchor precedes the failing cell, so it follows its successor.
    for k, cell in enumerate(executed.cells):
        if origins[k] is None and k > 0 and ERROR_MARKER_TAG in _tags(cell):
            origins[k] = next((o for o in origins[k + 1:] if o), None)
    last = sources[0] if sources else "notebook"
    for k in range(len(origins)):
        origins[k] = last = origins[k] or last
    parts = {name: nbformat.v4.new_notebook(metadata=copy.deepcopy(executed.metadata)) for name in sources}
    for name, cell in zip(origins, executed.cells):
        parts.setdefault(name, nbformat.v4.new_notebook(metadata=copy.deepcopy(executed.metadata)))
        parts[name].cells.append(copy.deepcopy(cell))
    for name, nb in parts.items():
        nb.metadata["casekit"] = {"source": name, "combined_from": sources}
    return parts


def execute(combined_path: Path, output_path: Path, parameters: dict[str, Any], *, cwd: str | os.PathLike,
            progress: bool = True) -> Any:
    """Execute a (combined) notebook with papermill's Python API in one ``python3`` kernel.

    Parameters
    ----------
    combined_path, output_path : pathlib.Path
        Notebook to run, and where papermill writes the executed copy.
    parameters : dict
        Passed to papermill as data (papermill writes them as Python literals).
    cwd : path-like
        Working directory of the kernel.
    progress : bool
        Show papermill's progress bar.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Raises
    ------
    NotebookExecutionError
        A cell raised; names the source notebook, its cell index and the error.
    """
    import nbformat
    import papermill as pm

    try:
        return pm.execute_notebook(os.fspath(combined_path), os.fspath(output_path), parameters=parameters,
                                   kernel_name=KERNEL, progress_bar=progress, cwd=os.fspath(cwd),
                                   request_save_on_cell_execute=False, **_kernel_manager())
    except pm.PapermillExecutionError as exc:
        combined = nbformat.read(os.fspath(combined_path), as_version=4)
        name, index = _failed_cell(combined, output_path, exc.cell_index)
        raise NotebookExecutionError(name, index, exc.ename, exc.evalue, executed_path=str(output_path)) from None


def _kernel_manager() -> dict[str, Any]:
    """Local IPC sockets instead of TCP (no "running over TCP without encryption" warning).

    Each kernel gets its own socket prefix in the Jupyter runtime folder, so kernels of
    parallel runs never share sockets. Unix socket paths are limited to about 100 bytes, so
    TCP is kept when the runtime folder path is long.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    runtime = jupyter_runtime_dir()
    if os.name != "posix" or len(runtime) > 60:
        return {}

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            os.makedirs(runtime, exist_ok=True)
            return os.path.join(runtime, f"casekit-{uuid.uuid4().hex[:12]}-ipc")

    return {"kernel_manager_class": IPCKernelManager}


def _failed_cell(combined: Any, output_path: Path, index: int) -> tuple[str, int | None]:
    """Locate papermill's failing cell; the executed file has an injected cell the input lacks."""
    import nbformat

    nb = combined
    if Path(output_path).exists():
        nb = nbformat.read(os.fspath(output_path), as_version=4)
        nb.cells = [c for c in nb.cells if ERROR_MARKER_TAG not in _tags(c)]
    return source_of(nb, index)


# ---------------------------------------------------------------------------- the run
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


def expected_figures(books: Iterable[Any]) -> int:
    """Number of cells tagged ``figure`` in the source notebooks."""
    return sum(1 for nb in books for c in nb.cells if FIGURE_TAG in _tags(c))


def _figure_outputs(cell: Any) -> list[dict[str, Any]]:
    from casekit.report.narrative import FIGURE_METADATA

    return [dict(o["metadata"][FIGURE_METADATA]) for o in cell.get("outputs", [])
            if FIGURE_METADATA in o.get("metadata", {})]


def drawn_figures(executed: Any) -> int:
    """Number of figures the executed notebook drew (outputs marked ``drawn`` by casekit.report.narrative)."""
    return sum(1 for c in executed.cells if c.cell_type == "code"
               for f in _figure_outputs(c) if f.get("status") == "drawn")


def check_figures(executed: Any) -> list[str]:
    """Figures missing from cells tagged ``figure``, as ``"notebook cell i: figure name (...)"`` strings.

    A tagged cell must show, for each figure it asks for, either the image or a note that the
    hospital lacks the figure's input tables (``data_absent``). A figure not drawn although its
    tables are there (``missing``), or a tagged cell without any figure output, is listed.

    Parameters
    ----------
    executed : nbformat.NotebookNode
        The executed (combined) notebook.

    Returns
    -------
    list of str
        Empty when every expected figure is there.
    """
    missing = []
    for k, cell in enumerate(executed.cells):
        if cell.cell_type != "code" or FIGURE_TAG not in _tags(cell):
            continue
        name, idx = source_of(executed, k)
        marks = _figure_outputs(cell)
        has_png = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        if not marks and not has_png:
            missing.append(f"{name} cell {idx}: no figure output")
        for m in marks:
            if m.get("status") not in ("drawn", "data_absent"):
                missing.append(f"{name} cell {idx}: figure {m.get('name')} not drawn (needs {m.get('needs')})")
    return missing


def check_outputs(folder: Path, names: Iterable[str], *, figures: int) -> None:
    """Raise :class:`OutputError` unless each file exists and is non-empty and the HTML is complete.

    ``report.html`` must name every problem code P1-P5 and embed at least ``figures`` PNG images.
    """
    from casekit.report.html import count_images

    hint = "Open the executed notebooks to see which step produced nothing."
    for name in names:
        p = folder / name
        if not p.is_file() or p.stat().st_size == 0:
            raise OutputError(f"expected output {name} is missing or empty in {folder}", hint)
    page = (folder / "report.html").read_text(encoding="utf-8")
    absent = [c for c in PROBLEM_CODES if c not in page]
    if absent:
        raise OutputError(f"report.html lacks the problem section(s) {', '.join(absent)}", hint)
    n = count_images(page)
    if n < figures:
        raise OutputError(f"report.html embeds {n} figure(s) but the notebooks should produce {figures}", hint)


def _keep_failed(staging: Path, out_dir: Path) -> Path:
    """Move a failed run's staging folder to ``<out_dir>.failed`` (replacing an older one)."""
    failed = out_dir.with_name(out_dir.name + ".failed")
    if failed.exists():
        shutil.rmtree(failed)
    os.replace(staging, failed)
    return failed


def run(data_path: str | os.PathLike, out_dir: str | os.PathLike | None = None, lang: str = "en",
        config: str | os.PathLike | None = None, params: Sequence[str] = (), redact: bool = False,
        pdf: bool = True, progress: bool = True) -> RunResult:
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

    from casekit.errors import DataValidationError
    from casekit.data.loader import validate
    from casekit.monitor.period import require_complete_year
    from casekit.report.narrative import PREPARED_FILE, write_prepared
    from casekit.fs.atomic import make_staging_dir, publish_dir, write_text
    from casekit.report.pdf import notebook_pngs

    t_start = time.perf_counter()
    log = _Log()
    check_options(lang, config)
    data_path = Path(data_path).expanduser().resolve()
    out = check_user_path(out_dir) if out_dir is not None else default_out_dir(data_path)
    sources = notebook_paths()
    books = [nbformat.read(os.fspath(p), as_version=4) for p in sources]
    declared: dict[str, tuple[Any, type | None]] = {}
    for nb in books:
        for k, v in declared_parameters(nb).items():
            declared.setdefault(k, v)
    user = parse_params(params, declared)
    parameters = {"data_path": str(data_path), "lang": lang, "config": "" if config is None else str(Path(config).resolve()),
                  "redact": bool(redact), **user}

    t = time.perf_counter()
    report = validate(data_path, config=config)
    if report.has_errors or report.hospital is None:  # stop before any kernel starts
        raise DataValidationError(report.issues, source=str(data_path))
    hospital = report.hospital
    require_complete_year(hospital)  # a year in progress alone: point to `casekit monitor`
    log.step("validate", time.perf_counter() - t)

    staging = make_staging_dir(out)
    parameters["output_dir"] = str(staging)
    parameters = {k: v for k, v in parameters.items() if k in declared}
    preparing = None
    try:
        prepared = write_prepared(report, data_path, staging, pending=True)  # the kernel's session reuses it
        preparing = _Prepare(report, data_path, staging, parameters)
        preparing.start()
        combined = combine(sources)
        combined.cells.append(export_cell())
        combined_path = staging / ".combined.ipynb"
        nbformat.write(combined, os.fspath(combined_path))
        t = time.perf_counter()
        try:
            executed = execute(combined_path, staging / ".executed.ipynb", parameters,
                               cwd=NOTEBOOKS_DIR, progress=progress)
        finally:
            log.step("execute", time.perf_counter() - t)
            preparing.finish(log)
            _write_split(staging)
        prepared.unlink(missing_ok=True)
        _collect_exports(staging, preparing, log)
        findings = json.loads((staging / "findings.json").read_text(encoding="utf-8"))
        outputs = _render(executed, findings, hospital, staging, lang=lang, pdf=pdf, redact=redact, log=log)
        missing = check_figures(executed)
        if missing:
            raise OutputError(f"figure cell(s) produced no figure: {', '.join(missing)}",
                              "Open the executed notebooks to see why the plot was empty.")
        for tmp in (combined_path, staging / ".executed.ipynb"):
            tmp.unlink(missing_ok=True)
        log.add(f"parameters: {parameters | {'output_dir': str(out)}}")
        log.add(f"out_dir: {out}")
        log.add(f"figures: {len(notebook_pngs(executed))} in the executed notebooks")
        log.step("total", time.perf_counter() - t_start)
        write_text(staging / "run.log", _header(data_path, lang, redact, pdf) + log.text())
        names = [p.name for p in outputs] + ["run.log", "findings.json", "tables.xlsx"]
        figures = drawn_figures(executed)
        check_outputs(staging, names, figures=figures)
    except BaseException as exc:
        if preparing is not None:
            preparing.join()  # it writes into the staging folder
        if staging.exists():
            (staging / PREPARED_FILE).unlink(missing_ok=True)
            failed = _keep_failed(staging, out) if isinstance(exc, (NotebookExecutionError, OutputError)) else None
            if failed is None:
                shutil.rmtree(staging, ignore_errors=True)
            elif isinstance(exc, NotebookExecutionError):
                exc.executed_path = str(failed)
                exc.hint = f"Open the executed notebooks in {failed} to see the full cell output."
                exc.args = (f"{exc.message}\nHint: {exc.hint}",)
        raise
    publish_dir(staging, out)
    files = sorted(p for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
    check_outputs(out, [p.name for p in files], figures=figures)
    return RunResult(out, files, out / "findings.json", (out / "run.log").read_text(encoding="utf-8"))


class _Prepare(threading.Thread):
    """Diagnose for the kernel while it starts (:func:`casekit.report.narrative.prepare`), then write
    private copies of findings.json and tables.xlsx from that diagnosis while the kernel draws.

    A failure to diagnose is not the run's failure: the kernel then diagnoses itself and
    reports any error with the notebook cell that raised it. A failure to write the copies
    is raised by :func:`_collect_exports` when the kernel relied on them.
    """

    def __init__(self, report: Any, data_path: Path, staging: Path, parameters: dict[str, Any]) -> None:
        super().__init__(name="casekit-prepare", daemon=True)
        self.args_ = (report, data_path, staging)
        self.options = {"config": str(parameters.get("config") or ""), "years": str(parameters.get("years") or ""),
                        "redact": bool(parameters.get("redact"))}
        self.error: Exception | None = None
        self.seconds = 0.0
        self.export_timings: dict[str, float] = {}

    def run(self) -> None:
        from casekit.report.narrative import prepare

        report, _, staging = self.args_
        t = time.perf_counter()
        try:
            analysis = prepare(*self.args_, **self.options)
            self.seconds = time.perf_counter() - t
            self.export_timings = write_exports(analysis["diagnosis"], staging, redact=self.options["redact"],
                                                departments=report.hospital.departments,
                                                prefix=RUNNER_EXPORT_PREFIX)
        except Exception as exc:  # noqa: BLE001  (the kernel repeats the work and reports the error)
            self.error = exc
            self.seconds = time.perf_counter() - t

    def finish(self, log: _Log) -> None:
        """Wait for the thread and record what it did in ``log``."""
        self.join()
        log.step("diagnose (thread)", self.seconds)
        log.add("diagnosis: computed by the runner while the kernel started" if self.error is None
                else f"diagnosis: not handed to the kernel ({type(self.error).__name__}: {self.error})")


def _header(data_path: Path, lang: str, redact: bool, pdf: bool) -> str:
    lines = [f"casekit run {time.strftime('%Y-%m-%d %H:%M:%S')}", f"data: {data_path}",
             f"lang: {lang}  redact: {redact}  pdf: {pdf}", "versions:"]
    lines += [f"  {k}: {v}" for k, v in _versions().items()]
    return "\n".join(lines) + "\n"


def _write_split(staging: Path) -> None:
    """Write ``executed_NN_name.ipynb`` per source notebook (also after a failure, for audit)."""
    import nbformat

    path = staging / ".executed.ipynb"
    if not path.exists():
        return
    for name, nb in split(nbformat.read(os.fspath(path), as_version=4)).items():
        nbformat.write(nb, os.fspath(staging / f"executed_{name}"))


EXPORT_NAMES = ("findings.json", "tables.xlsx")
EXPORT_RECORD = ".casekit-export.json"
"""Written by the export cell: ``{"by": "runner" or "kernel", "timings": {...}}``."""
RUNNER_EXPORT_PREFIX = ".runner-"
EXPORT_CELL = ("# casekit run: write findings.json and tables.xlsx from this kernel's diagnosis (computed once)\n"
               "from casekit.pipeline.runner import export_outputs\n"
               "export_outputs(globals(), output_dir)")


def export_cell() -> Any:
    """The hidden cell the runner appends: the kernel writes findings.json and tables.xlsx.

    The diagnosis is computed once, by the runner's thread or else in the kernel, and the
    notebooks' session uses that same diagnosis (same years, thresholds and redaction as the
    HTML); the cell holds no user value, only names.
    """
    import nbformat

    cell = nbformat.v4.new_code_cell(EXPORT_CELL, metadata={"tags": ["remove-cell", "casekit-export"]})
    cell["id"] = "casekit-export"
    return cell


def write_exports(diagnosis: Any, out: Path, *, redact: bool, departments: Any, prefix: str = "") -> dict[str, float]:
    """Write ``findings.json`` and ``tables.xlsx`` of ``diagnosis`` into ``out``.

    Parameters
    ----------
    diagnosis : casekit.diagnosis.Diagnosis
    out : pathlib.Path
        Folder to write into.
    redact : bool
        Replace department names (from ``departments``) by their codes in both files.
    departments : pandas.DataFrame
        The hospital's original ``departments`` table (names to redact).
    prefix : str
        Prefix of the two file names (the runner's thread writes private copies first).

    Returns
    -------
    dict
        Seconds spent on ``json`` and ``excel``.
    """
    from casekit.fs.atomic import write_text
    from casekit.report.excel import write_tables

    t = time.perf_counter()
    text = diagnosis.to_json()
    tables = diagnosis.tables()
    if redact:
        from casekit.report.redact import redact_tables, redact_text

        text, _ = redact_text(text, departments)
        tables = redact_tables(tables, departments)
    write_text(out / f"{prefix}findings.json", text)
    t_json = time.perf_counter() - t
    t = time.perf_counter()
    write_tables(tables, out / f"{prefix}tables.xlsx")
    return {"json": t_json, "excel": time.perf_counter() - t}


def export_outputs(namespace: dict[str, Any], output_dir: str) -> list[Path]:
    """Write ``findings.json`` and ``tables.xlsx`` from the notebooks' session (runs in the kernel).

    When the session uses the diagnosis the runner handed over (``Session.handed_over``), the
    runner's thread has already written both files from that same diagnosis and the kernel
    writes nothing but the record.

    Parameters
    ----------
    namespace : dict
        The kernel's ``globals()``; the last :class:`casekit.report.narrative.Session` in it is used.
    output_dir : str
        The staging folder the runner passed as the ``output_dir`` parameter.

    Returns
    -------
    list of pathlib.Path
        The two files. Who wrote them, and the kernel's timings, go to :data:`EXPORT_RECORD`
        for run.log.

    Raises
    ------
    OutputError
        No session in the namespace, or no output folder.
    """
    from casekit.report.narrative import Session
    from casekit.fs.atomic import write_text

    sessions = [v for v in namespace.values() if isinstance(v, Session)]
    if not sessions or not output_dir:
        raise OutputError("the notebooks created no casekit session to export",
                          "Each notebook must call narrative.session(...) before the export cell.")
    s, out = sessions[-1], Path(output_dir)
    if s.handed_over:
        record = {"by": "runner", "timings": {}}
    else:
        record = {"by": "kernel", "timings": write_exports(s.diagnosis, out, redact=s.redact,
                                                           departments=s.validation.hospital.departments)}
    write_text(out / EXPORT_RECORD, json.dumps(record))
    return [out / name for name in EXPORT_NAMES]


def _collect_exports(staging: Path, preparing: "_Prepare", log: _Log) -> None:
    """Put the runner's copies of findings.json/tables.xlsx in place if the kernel used its diagnosis.

    Otherwise the kernel wrote both files and the runner's copies are dropped.
    """
    path = staging / EXPORT_RECORD
    record = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.unlink(missing_ok=True)
    private = [staging / f"{RUNNER_EXPORT_PREFIX}{name}" for name in EXPORT_NAMES]
    if record.get("by") == "runner":
        if preparing.error is not None:
            raise preparing.error
        for src, name in zip(private, EXPORT_NAMES):
            os.replace(src, staging / name)
        where = "thread"
        timings = preparing.export_timings
    else:
        for src in private:
            src.unlink(missing_ok=True)
        where = "in kernel"
        timings = record.get("timings", {})
    for name, seconds in timings.items():
        log.step(f"{name} ({where})", float(seconds))


def _banner(hospital: Any, lang: str) -> str | None:
    if not hospital.profile.synthetic:
        return None
    if lang == "zh":
        return "模拟数据：本报告使用 casekit 生成的合成数据，不描述任何真实医院。"
    return "Synthetic data: this report uses data generated by casekit and describes no real hospital."


def _render(executed: Any, findings: dict[str, Any], hospital: Any, staging: Path, *, lang: str, pdf: bool, redact: bool,
            log: _Log) -> list[Path]:
    """Write report.html (and report.pdf) into ``staging``; returns the paths written.

    With ``redact`` every department name left in the page's text is replaced by its code
    (a safety net over the notebooks' own redaction).
    """
    import casekit
    from casekit.fs.atomic import write_text
    from casekit.report.html import embed_fonts, render_html

    name = hospital.profile.name
    title = f"{name}: 全面预算管理诊断" if lang == "zh" else f"{name}: budget management diagnosis"
    banner = _banner(hospital, lang)
    t = time.perf_counter()
    # The notebooks render the synthetic-data banner and the caveats section themselves.
    page = render_html(executed, title=title, lang=lang, version=casekit.__version__)
    if redact:
        from casekit.report.redact import redact_text

        page, n = redact_text(page, hospital.departments)
        log.add(f"redact: {n} department name(s) replaced in report.html after rendering")
    page, font = embed_fonts(page)
    log.add(font.summary())
    for note in font.warnings:
        log.warn(note)
    html = write_text(staging / "report.html", page)
    log.add(f"html: report.html is {html.stat().st_size / 1024:.0f} KiB, one offline file")
    log.step("html", time.perf_counter() - t)
    written = [html]
    if not pdf:
        log.add("pdf: not requested (--no-pdf)")
        return written
    from casekit.report.pdf import notebook_pngs, write_pdf

    t = time.perf_counter()
    result = write_pdf(html, staging / "report.pdf", diagnosis=findings, figures=notebook_pngs(executed),
                       title=title, banner=banner, citation=_citation(), lang=lang)
    log.step("pdf", time.perf_counter() - t)
    log.add(f"pdf: route={result.route} ({result.detail})")
    for note in result.warnings:
        log.warn(note)
    written.append(result.path)
    return written


def _citation() -> str:
    from casekit.paths import PROJECT_DIR

    cff = PROJECT_DIR / "CITATION.cff"
    title = "casekit"
    if cff.is_file():
        for line in cff.read_text(encoding="utf-8").splitlines():
            if line.startswith("title:"):
                title = line.split(":", 1)[1].strip().strip('"')
                break
    import casekit

    return f"Cite as: {title}, version {casekit.__version__}. See CITATION.cff."
