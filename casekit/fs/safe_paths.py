"""Paths built from user data can never leave the output root.

A hospital's name, a data folder's name or a batch sub-folder name ends up in file names.
:func:`slugify` turns any such name into one safe path component; :func:`safe_join` joins
components under a root and refuses anything that would escape it (``..``, absolute paths,
NUL and control characters, symlinks pointing outside). :func:`check_user_path` accepts the
folder a user names on the command line (``--out``), which may be anywhere, but not a path
with NUL or control characters.
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from casekit.errors import ConfigError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_WORD = re.compile(r"[^\w.-]+", re.UNICODE)
_MAX_SLUG = 64
_RESERVED = {"", ".", ".."}


def slugify(name: str, fallback: str = "hospital") -> str:
    """Turn a name from data into one safe file-name component.

    Letters of any script (Chinese included) and digits are kept, lower-cased; every other
    run of characters becomes ``-``; leading dots and dashes are removed so the result is
    never hidden, never ``..`` and never an option-like ``-x``.

    Parameters
    ----------
    name : str
        Any text (hospital name, folder name).
    fallback : str
        Returned when nothing usable remains.

    Returns
    -------
    str
        At most 64 characters of ``[\\w.-]``, not starting with ``.`` or ``-``.

    Examples
    --------
    >>> slugify("J Hospital (2023)")
    'j-hospital-2023'
    >>> slugify("../../etc/passwd")
    'etc-passwd'
    >>> slugify("某区人民医院")
    '某区人民医院'
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = _CONTROL.sub("", text).lower()
    text = _NOT_WORD.sub("-", text)
    text = re.sub(r"\.{2,}", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip(".-_")
    text = text[:_MAX_SLUG].strip(".-_")
    return text if text not in _RESERVED else fallback


def check_user_path(path: str | os.PathLike) -> Path:
    """Accept a folder the user chose (``--out``) and return it absolute.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    pathlib.Path
        The absolute, normalised path (symlinks of existing parents resolved).

    Raises
    ------
    ConfigError
        The path is empty, contains NUL or control characters, or is a dangling symbolic link.
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise ConfigError("the output folder is empty", "Pass a folder name such as --out reports/my_hospital.")
    if _CONTROL.search(str(text)):
        raise ConfigError(f"the output folder {text!r} contains control characters",
                          "Choose a folder name made of ordinary characters.")
    path = Path(text).expanduser()
    if path.is_symlink() and not path.exists():
        raise ConfigError(f"the output folder {text} is a symbolic link to {os.readlink(path)}, which does not exist; "
                          "casekit will not write through it", "Give a real folder name as --out.")
    return path.resolve()


def safe_join(root: str | os.PathLike, *parts: str) -> Path:
    """Join ``parts`` under ``root`` and guarantee the result stays inside ``root``.

    Parameters
    ----------
    root : str or path-like
        The output root (already chosen by the user or by casekit).
    *parts : str
        Relative components, typically from :func:`slugify`.

    Returns
    -------
    pathlib.Path
        Absolute path inside ``root``.

    Raises
    ------
    ConfigError
        A part is empty, absolute, contains ``..``, NUL or control characters, or the resolved
        result (following existing symlinks) lies outside ``root``.

    Examples
    --------
    >>> safe_join("/tmp/out", "j_hospital").as_posix()
    '/tmp/out/j_hospital'
    """
    base = check_user_path(root)
    target = base
    for part in parts:
        text = str(part)
        if not text or _CONTROL.search(text):
            raise ConfigError(f"unsafe path component {text!r}", "Names may not be empty or contain control characters.")
        p = Path(text)
        if p.is_absolute() or text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", text):
            raise ConfigError(f"path component {text!r} is absolute", "Use a name relative to the output folder.")
        if any(seg in ("..",) for seg in re.split(r"[\\/]", text)):
            raise ConfigError(f"path component {text!r} contains '..'", "Names may not climb out of the output folder.")
        target = target / p
    resolved = target.resolve()
    if resolved != base and base not in resolved.parents:
        raise ConfigError(f"{target} would lie outside {base}", "Names may not point outside the output folder.")
    return resolved
