"""Atomic writes: an interrupted run never leaves a half-written file or report folder.

Files are written to a temporary file in the same folder and moved into place with
:func:`os.replace` (atomic on POSIX and Windows within one file system). A report folder is
built in a hidden staging sibling (:func:`make_staging_dir`) and swapped into place by
:func:`publish_dir`: readers see either the complete previous report or the complete new one.

A folder is only ever replaced when it is empty or carries casekit's marker file
(:data:`MARKER`), so ``--out ~/Documents`` can never wipe a user's own folder.
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
from typing import Iterator

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
def _pid_alive(pid: int) -> bool:
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
            if pid_text.isdigit() and not _pid_alive(int(pid_text)):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def make_staging_dir(target: str | os.PathLike) -> Path:
    """Create the hidden staging sibling in which a report folder is built.

    The name holds the process id (``.NAME.staging-PID-xxxx``) so a later run can tell an
    abandoned staging folder from one that is still being written.

    Parameters
    ----------
    target : str or path-like
        Final report folder (need not exist; its parent is created).

    Returns
    -------
    pathlib.Path
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(target)
    remove_stale(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}{_STAGING}{os.getpid()}-", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp creates 0700; the published folder gets the usual mode
    return staging


def check_replaceable(target: str | os.PathLike) -> None:
    """Raise :class:`OutputError` unless ``target`` is absent, empty or a casekit report folder."""
    target = Path(target)
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder", "Choose another --out folder.")
    if (target / MARKER).exists() or not any(target.iterdir()):
        return
    raise OutputError(f"{target} exists and is not a casekit report folder; casekit will not replace it",
                      "Choose a new or empty --out folder (casekit replaces only folders it wrote).")


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
    write_text(staging / MARKER, json.dumps({"written_by": "casekit", "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                             "pid": os.getpid()}))
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
