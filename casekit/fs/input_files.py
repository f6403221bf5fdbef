"""Which entries of a hospital folder casekit may read: no links out of it, no FIFOs or devices.

A hospital folder comes from a client. A symbolic link inside it may point at another
client's folder or files (or at ``/etc``); followed, another client's figures would appear in
this client's report. A FIFO or device file blocks or never ends when read. :func:`entry_problem`
says why an entry must not be read; links that stay inside the folder are fine, and links that
leave it are allowed only when the operator says so (``--allow-outside-links`` or the
environment variable :data:`ALLOW_LINKS_ENV`).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

ALLOW_LINKS_ENV = "CASEKIT_ALLOW_OUTSIDE_LINKS"
"""Set to ``1`` to follow symbolic links that leave the hospital folder (the operator's decision)."""


def outside_links_allowed() -> bool:
    """Whether :data:`ALLOW_LINKS_ENV` allows links out of the hospital folder (``1``, ``true``, ``yes``)."""
    return os.environ.get(ALLOW_LINKS_ENV, "").strip().lower() in ("1", "true", "yes")


def entry_problem(entry: Path, root: Path) -> tuple[str, str] | None:
    """Why ``entry`` (a file name found in the hospital folder ``root``) must not be read.

    Parameters
    ----------
    entry : pathlib.Path
        A path directly inside ``root``.
    root : pathlib.Path
        The hospital folder.

    Returns
    -------
    (problem, fix) or None
        ``None`` when the entry is a regular file or folder (directly, or through a link that
        stays inside ``root``, or any link when :func:`outside_links_allowed`), or a dangling link.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "budget.csv").symlink_to("/etc/hostname")
    >>> entry_problem(d / "budget.csv", d)[0]
    'is a symbolic link to /etc/hostname, outside the hospital folder'
    """
    if entry.is_symlink() and not outside_links_allowed():
        target = entry.resolve()
        base = root.resolve()
        if target != base and base not in target.parents:
            return (f"is a symbolic link to {target}, outside the hospital folder",
                    "copy the file into the hospital folder (a link could pull in another client's data), or pass "
                    f"--allow-outside-links (environment variable {ALLOW_LINKS_ENV}=1) if the link is intended")
    try:
        mode = entry.stat().st_mode
    except OSError:
        return None                      # dangling link or vanished: not a table file
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device file")
    return (f"is {kind}, not a regular file, and was not read",
            "replace it by the table file itself (casekit reads only regular files)")
