"""The report notebooks as one kernel run: find, combine, execute (papermill), split, check figures.

:func:`combine` concatenates ``notebooks/01..05`` into one notebook so a single kernel runs
them all (one kernel start per hospital); :func:`execute` runs it with papermill's Python API;
:func:`split` cuts the executed notebook back into one notebook per source file for audit, and
:func:`for_audit` gives each its source's cells back (its ``parameters`` cell included) with the
values used, runner-only parameters emptied, so each re-runs on its own.
:func:`check_figures` says which cells tagged ``figure`` drew nothing.
"""
from __future__ import annotations

import ast
import copy
import os
import uuid
from pathlib import Path
from typing import Any, Iterable, Sequence

from casekit.errors import ConfigError, NotebookExecutionError, OutputError
from casekit.paths import NOTEBOOKS_DIR
from casekit.pipeline.params import declared_parameters
from casekit.report.blocks import FIGURE_METADATA

FIGURE_TAG = "figure"
KERNEL = "python3"
ERROR_MARKER_TAG = "papermill-error-cell-tag"  # papermill's tag on the error cells it adds


def notebook_paths(folder: str | os.PathLike = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks ``01_*.ipynb`` ... of ``folder``, in order."""
    paths = sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("executed_"))
    if not paths:
        raise OutputError(f"no notebooks found in {folder}", "Reinstall casekit or restore the notebooks/ folder.")
    return paths


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def combine(paths: Sequence[str | os.PathLike]) -> Any:
    """Concatenate notebooks into one so a single kernel runs them all.

    The first notebook keeps its ``parameters`` cell (plus, appended to it, any parameter the
    later notebooks declare that the first does not); the later notebooks' ``parameters``
    cells are dropped (papermill injects the values once, after the first; a later one would
    set the defaults back). Every other cell runs, each notebook's setup cell (imports, strict
    check, session) included: the check is cheap and the session is memoised per kernel. Every
    cell records its origin in ``metadata.casekit = {"source": file name, "index": cell index
    in that file}``.

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


def check_kernel(name: str = KERNEL) -> None:
    """Refuse a ``python3`` kernel that would run another Python than this casekit's.

    Jupyter finds the kernel by name; a spec a user installed earlier for another environment
    (``~/.local/share/jupyter/kernels/python3``) shadows ipykernel's own, and the notebooks would
    import that environment's casekit, or none. A spec whose command is ``python`` (Jupyter runs
    the current interpreter) or this interpreter passes; any other command must report this
    interpreter's ``sys.prefix``.

    Raises
    ------
    ConfigError
        The kernel spec is missing or runs another Python.
    """
    import subprocess
    import sys

    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise ConfigError(f"no Jupyter kernel named {name!r} is installed", "Install ipykernel: pip install ipykernel.") from None
    exe = spec.argv[0] if spec.argv else ""
    if exe in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}", sys.executable):
        return
    try:
        prefix = subprocess.run([exe, "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True,
                                timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        prefix = ""
    if prefix and os.path.realpath(prefix) == os.path.realpath(sys.prefix):
        return
    raise ConfigError(f"the Jupyter kernel {name!r} ({spec.resource_dir}) runs {exe}, not the Python of this casekit "
                      f"({sys.executable}): the notebooks would import another casekit, or none",
                      f"Remove that kernel spec (jupyter kernelspec remove {name}) or replace it with this Python's: "
                      f"{sys.executable} -m ipykernel install --user")


def execute(combined_path: Path, output_path: Path, parameters: dict[str, Any], *, cwd: str | os.PathLike,
            progress: bool = True, kernel: "StartedKernel | None" = None) -> Any:
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
    kernel : StartedKernel, optional
        A kernel :func:`start_kernel` started earlier (in ``cwd``); by default papermill starts one.

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

    from nbclient.exceptions import DeadKernelError

    if kernel is None:
        check_kernel()
    sockets = f"casekit-{uuid.uuid4().hex[:12]}-ipc"
    try:
        return pm.execute_notebook(os.fspath(combined_path), os.fspath(output_path), parameters=parameters,
                                   kernel_name=KERNEL, progress_bar=progress, cwd=os.fspath(cwd),
                                   request_save_on_cell_execute=False,
                                   **({"km": kernel.manager} if kernel is not None else _kernel_manager(sockets)))
    except pm.PapermillExecutionError as exc:
        combined = nbformat.read(os.fspath(combined_path), as_version=4)
        name, index = _failed_cell(combined, output_path, exc.cell_index)
        raise NotebookExecutionError(name, index, exc.ename, exc.evalue, executed_path=str(output_path)) from None
    except (DeadKernelError, RuntimeError) as exc:
        if not isinstance(exc, DeadKernelError) and "kernel" not in str(exc).lower():
            raise
        raise NotebookExecutionError(Path(combined_path).name, None, type(exc).__name__,
                                     "the notebook kernel died (killed, or out of memory) before the report was "
                                     f"complete: {exc}", executed_path=str(output_path)) from None
    finally:
        _remove_sockets(sockets)


def _remove_sockets(prefix: str) -> None:
    """Delete the IPC socket files of a kernel (a killed kernel leaves them in the Jupyter runtime folder)."""
    from jupyter_core.paths import jupyter_runtime_dir

    for p in Path(jupyter_runtime_dir()).glob(prefix + "*"):
        p.unlink(missing_ok=True)


def _kernel_manager(sockets: str) -> dict[str, Any]:
    """Local IPC sockets instead of TCP (no "running over TCP without encryption" warning).

    Each kernel gets its own socket prefix ``sockets`` in the Jupyter runtime folder, so kernels
    of parallel runs never share sockets (and :func:`execute` removes them afterwards). Unix socket paths are limited to about 100 bytes, so
    TCP is kept when the runtime folder path is long.
    """
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
            return os.path.join(runtime, sockets)

    return {"kernel_manager_class": IPCKernelManager}


WARM_UP = "import casekit.pipeline.analysis, casekit.report.narrative, casekit.report.plots.from_session"
"""What a kernel started by :func:`start_kernel` imports while the runner is still diagnosing."""


class StartedKernel:
    """A ``python3`` kernel started before its notebook is ready, importing the report modules meanwhile.

    The kernel process boots and imports :data:`WARM_UP` on its own core while the runner
    diagnoses; :func:`execute` then runs the notebook in it (papermill's ``km``). The warm-up is
    a silent request outside the notebook: it defines nothing the notebook uses and is not in
    the kernel's history.

    Parameters
    ----------
    cwd : path-like
        Working directory of the kernel.
    """

    def __init__(self, cwd: str | os.PathLike):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        check_kernel()
        self._sockets = f"casekit-{uuid.uuid4().hex[:12]}-ipc"
        manager_class = _kernel_manager(self._sockets).get("kernel_manager_class", AsyncKernelManager)
        self.manager = manager_class(kernel_name=KERNEL)
        run_sync(self.manager.start_kernel)(cwd=os.fspath(cwd))
        self._client = self.manager.blocking_client()
        self._client.start_channels(iopub=False, stdin=False, hb=False, control=False)
        self._client.execute(WARM_UP, silent=True, store_history=False)

    def shutdown(self) -> None:
        """Stop the kernel (papermill leaves a kernel it did not start running)."""
        from jupyter_core.utils import run_sync

        self._client.stop_channels()
        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)()
        _remove_sockets(self._sockets)

    def __enter__(self) -> "StartedKernel":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()


def _failed_cell(combined: Any, output_path: Path, index: int) -> tuple[str, int | None]:
    """Locate papermill's failing cell; the executed file has an injected cell the input lacks."""
    import nbformat

    nb = combined
    if Path(output_path).exists():
        nb = nbformat.read(os.fspath(output_path), as_version=4)
        nb.cells = [c for c in nb.cells if ERROR_MARKER_TAG not in _tags(c)]
    return source_of(nb, index)



def expected_figures(books: Iterable[Any]) -> int:
    """Number of cells tagged ``figure`` in the source notebooks."""
    return sum(1 for nb in books for c in nb.cells if FIGURE_TAG in _tags(c))


def _figure_outputs(cell: Any) -> list[dict[str, Any]]:
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




def for_audit(part: Any, source: Any, parameters: dict[str, Any], reset: Iterable[str]) -> Any:
    """The executed notebook kept for audit of one source notebook, re-runnable on its own.

    :func:`combine` leaves the later notebooks' ``parameters`` cells out of the one kernel run,
    and papermill injects the values once, into the first notebook. Here every notebook gets
    back the cells of its source in order: each executed cell with its outputs, a cell the run
    left out (its ``parameters`` cell) as in the source, and papermill's error anchor where
    the run put it; papermill's ``injected-parameters`` cell follows the ``parameters`` cell
    with the values of this run, except the runner-only ``reset`` names, set to ``""``: the
    staging folder and the runner's analysis file they name are gone once the report is
    published, and the notebook then loads and diagnoses the data itself (JupyterLab, papermill).

    Parameters
    ----------
    part : nbformat.NotebookNode
        One notebook of :func:`split`.
    source : nbformat.NotebookNode
        The source notebook it came from.
    parameters : dict
        The parameters the run passed to papermill.
    reset : iterable of str
        Names to set to ``""``.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook.
    """
    import nbformat

    executed: dict[int, Any] = {}
    pending: list[Any] = []  # cells papermill added (error anchor) go before the next executed cell
    before: dict[int, list[Any]] = {}
    for cell in part.cells:
        origin = cell.metadata.get("casekit")
        if origin is None:
            if "injected-parameters" not in _tags(cell):
                pending.append(copy.deepcopy(cell))
            continue
        executed[origin["index"]] = copy.deepcopy(cell)
        before[origin["index"]], pending = pending, []
    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(part.metadata))
    for j, cell in enumerate(source.cells):
        nb.cells.extend(before.get(j, []))
        if j in executed:
            nb.cells.append(executed[j])
        else:
            new = copy.deepcopy(cell)
            new.metadata["casekit"] = {"source": part.metadata.get("casekit", {}).get("source"), "index": j}
            nb.cells.append(new)
    nb.cells.extend(pending)
    return audit_parameters(nb, parameters, reset)


def audit_parameters(nb: Any, parameters: dict[str, Any], reset: Iterable[str]) -> Any:
    """Write the run's values, ``reset`` names emptied, into ``nb``'s ``injected-parameters`` cell.

    The cell is replaced where papermill put it, else inserted after the ``parameters`` cell
    (at the top without one), as papermill does.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Modified in place.
    parameters : dict
        The parameters the run passed to papermill.
    reset : iterable of str
        Runner-only names (staging folder, prepared analysis) set to ``""``.

    Returns
    -------
    nbformat.NotebookNode
        ``nb``.
    """
    import nbformat
    from papermill.translators import translate_parameters

    values = {k: ("" if k in set(reset) else v) for k, v in parameters.items()}
    injected = nbformat.v4.new_code_cell(translate_parameters(KERNEL, "python", values, "Parameters").strip("\n"))
    injected.metadata["tags"] = ["injected-parameters"]
    old = [k for k, c in enumerate(nb.cells) if "injected-parameters" in _tags(c)]
    if old:
        nb.cells[old[0]] = injected
    else:
        nb.cells.insert(next((k + 1 for k, c in enumerate(nb.cells) if "parameters" in _tags(c)), 0), injected)
    nb.metadata.setdefault("papermill", {})["parameters"] = values
    return nb
