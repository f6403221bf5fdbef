"""Atomic writes: an interrupted run never leaves a half-written file or report folder.

Files are written to a temporary file in the same folder and moved into place with
:func:`os.replace` (atomic on POSIX and Windows within one file system). A report folder is
built in a hidden staging sibling (:func:`make_staging_dir`) and swapped into place by
:func:`publish_dir`: readers see either the complete previous report or the complete new one.

A folder is only ever replaced when it is empty or holds nothing but what casekit published
there (the names recorded in its marker file, :data:`MARKER`), so ``--out ~/Documents`` can
never wipe a user's own folder, and a folder holding the run's input is never replaced.
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Iterator

from casekit.errors import OutputError

MARKER = ".casekit-report"
_STAGING = ".staging-"
_OLD = ".old-"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it onto ``path`` atomically.

    Parameters
    ----------
    path : str or path-like
        Final file. Its folder must exist.

    Yields
    ------
    pathlib.Path
        Where the caller writes (any writer that takes a path: openpyxl, matplotlib ...).
        On an exception the temporary file is removed and ``path`` is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    final = Path(path)
    if not final.parent.is_dir():
        raise OutputError(f"cannot write {final}: folder {final.parent} does not exist",
                          "Create the folder first or choose another output folder.")
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if not tmp_path.exists():
            raise OutputError(f"the writer produced no file for {final}", "This is a bug in casekit; please report it.")
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default) and return the path."""
    return write_bytes(path, text.encode(encoding))


# ---------------------------------------------------------------------------- folders
def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (used to tell abandoned temporary folders from ones in use)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(target: str | os.PathLike) -> list[Path]:
    """Delete staging/old siblings of ``target`` left by runs whose process no longer exists.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    target = Path(target)
    removed = []
    if not target.parent.is_dir():
        return removed
    for prefix in (f".{target.name}{_STAGING}", f".{target.name}{_OLD}"):
        for p in target.parent.glob(prefix + "*"):
            pid_text = p.name[len(prefix):].split("-", 1)[0]
            if pid_text.isdigit() and not pid_alive(int(pid_text)):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def make_staging_dir(target: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Create the hidden staging sibling in which a report folder is built.

    The name holds the process id (``.NAME.staging-PID-xxxx``) so a later run can tell an
    abandoned staging folder from one that is still being written; abandoned ones (a run
    killed with ``kill -9``) are removed here.

    Parameters
    ----------
    target : str or path-like
        Final report folder (need not exist; its parent is created).
    inputs : iterable of path-like
        The run's inputs; ``target`` may neither be, contain nor lie inside one.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OutputError
        ``target`` may not be replaced (:func:`check_replaceable`), or its parent folder cannot
        be written (read-only, full disk).
    """
    target = Path(target)
    check_replaceable(target, inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}{_STAGING}{os.getpid()}-", dir=target.parent))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp creates 0700; the published folder gets the usual mode
    except OSError as exc:
        raise OutputError(f"cannot write the report folder {target}: {exc.strerror or exc} ({target.parent})",
                          "Choose an --out folder you can write to (is it read-only, or the disk full?).") from None
    return staging


def _recorded(target: Path) -> set[str] | None:
    """Names a casekit report folder's marker says casekit published there (``None``: no readable marker)."""
    try:
        doc = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = doc.get("files") if isinstance(doc, dict) else None
    return set(files) if isinstance(files, list) else None


def check_replaceable(target: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Raise :class:`OutputError` unless ``target`` may be replaced by a new report.

    A folder may be replaced when it is absent or empty, or when it holds nothing but what an
    earlier run published there (the names recorded in its :data:`MARKER` file); never when it
    is, contains or lies inside one of ``inputs``.
    """
    target = Path(target)
    where = target.resolve()
    for source in inputs:
        source = Path(source).resolve()
        holds_input = where == source or where in source.parents
        if holds_input or source in where.parents:
            raise OutputError(f"the report folder {target} would {'replace' if holds_input else 'lie inside'} the "
                              f"input {source}; casekit never writes over its input",
                              "Choose an --out folder outside the hospital's data.")
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder", "Choose another --out folder.")
    present = {p.name for p in target.iterdir()}
    if not present:
        return
    recorded = _recorded(target) if MARKER in present else None
    if recorded is None:
        raise OutputError(f"{target} exists and is not a casekit report folder; casekit will not replace it",
                          "Choose a new or empty --out folder (casekit replaces only folders it wrote).")
    foreign = sorted(present - recorded - {MARKER})
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(f"{target} is a casekit report folder but also holds {shown}, which casekit did not write; "
                          "casekit will not replace it", "Move those files out of the folder, or choose another --out.")


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux ``renameat2(RENAME_EXCHANGE)``; False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded in this process
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def publish_dir(staging: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Move a finished staging folder onto ``target``, replacing a previous report.

    On Linux the two folders are exchanged in one atomic system call; elsewhere the previous
    report is first renamed aside (readers may briefly see no folder, never a partial one).
    A marker file is written into the new folder so the next run may replace it.

    Parameters
    ----------
    staging : str or path-like
        Folder from :func:`make_staging_dir`, fully written.
    target : str or path-like
        Report folder.

    Returns
    -------
    pathlib.Path
        ``target``.
    """
    staging, target = Path(staging), Path(target)
    files = sorted(p.name for p in staging.iterdir() if p.name != MARKER)
    write_text(staging / MARKER, json.dumps({"written_by": "casekit", "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                             "pid": os.getpid(), "files": files}))
    check_replaceable(target)
    if not target.exists():
        os.replace(staging, target)
        return target
    if _renameat2_exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous report
        return target
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}{_OLD}{os.getpid()}-", dir=target.parent))
    os.rmdir(old)
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return target
