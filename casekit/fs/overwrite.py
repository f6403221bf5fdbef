"""Commands never replace a file or folder of the user's, and never write onto their input.

``casekit template client.xlsx`` over a filled workbook, ``validate DIR --json DIR/budget.csv``,
``sample --out mydata`` over a folder of real data, ``docs --out`` over a hand-written file:
each would destroy work. :func:`check_output` is called by every writing command before it
writes: an existing target is replaced only when casekit recognises it as its own output (a
predicate the command gives) or the user passes ``--force``; a target that is, or lies inside,
an input is refused even with ``--force``; a symbolic link as the target is refused (it would
write somewhere else).
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from casekit.errors import OutputError


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (both resolved)."""
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def check_output(path: str | os.PathLike, *, force: bool = False, ours: Callable[[Path], bool] | None = None,
                 inputs: Iterable[str | os.PathLike] = (), what: str = "file") -> Path:
    """Refuse to write ``path`` when that could destroy something of the user's.

    Parameters
    ----------
    path : str or path-like
        The file or folder the command is about to write.
    force : bool
        The user's ``--force``: replace an existing target casekit does not recognise.
    ours : callable, optional
        ``ours(path) -> bool``: whether an existing target is casekit's own earlier output of
        this command (then it is replaced without ``--force``).
    inputs : iterable of path-like
        The command's inputs (a data folder or workbook): the target may be neither one of
        them nor inside one, whatever ``force`` says.
    what : str
        "file" or "folder", for the message.

    Returns
    -------
    pathlib.Path
        ``path``, absolute.

    Raises
    ------
    OutputError
        The target is a symbolic link, is or lies inside an input, or exists, is not casekit's
        own output, and ``force`` is false.
    """
    target = Path(path).expanduser().absolute()
    if target.is_symlink():
        where = os.readlink(target)
        raise OutputError(f"{target} is a symbolic link (to {where}); casekit will not write through it",
                          f"Give the real {what} name instead of the link.")
    for source in inputs:
        if inside(target, Path(source)):
            raise OutputError(f"{target} is inside the input {Path(source)}; casekit never writes onto its input",
                              f"Write the {what} somewhere outside the hospital's data.")
    if not target.exists() or force:
        return target
    if target.is_dir() and what == "folder" and not any(target.iterdir()):
        return target
    if ours is not None and ours(target):
        return target
    raise OutputError(f"{target} already exists and was not written by this casekit command; casekit will not "
                      "replace it", f"Choose another {what} name, or pass --force to replace it.")


def has_header(path: Path, header: bytes) -> bool:
    """Whether ``path`` is a regular file whose first bytes are ``header`` (a line casekit writes first)."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as fh:
        return fh.read(len(header)) == header


def json_with_keys(keys: set[str]) -> Callable[[Path], bool]:
    """A predicate for :func:`check_output`: the file is a JSON object holding at least ``keys`` (casekit's own report)."""
    def check(path: Path) -> bool:
        path = Path(path)
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 200_000_000:
            return False
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return False
        return isinstance(doc, dict) and keys <= doc.keys()
    return check
