"""Console output that a hostile cell value cannot take over.

Values from client files reach the console (``casekit validate`` prints cell values and
headers; errors name files and sheets). Printed raw, ``ESC[2J`` clears the screen and
``ESC]0;...`` sets the window title; a carriage return or a bidirectional override hides
text. :func:`printable` shows every such character as an escape (``\\x1b``, ``\\u202e``);
:class:`SafeConsole` applies it to all text a rich console prints, leaving rich's own
colours and cursor control alone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console
from rich.segment import Segment

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 controls except tab and line feed, DEL, C1 controls, and the bidirectional marks and overrides."""


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Replace terminal control characters in ``text`` by visible escapes.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        ``text`` with C0/C1 controls (except tab and line feed), DEL and bidirectional
        overrides written as ``\\xNN`` / ``\\uNNNN``.

    Examples
    --------
    >>> printable("a\\x1b[2Jb")
    'a\\\\x1b[2Jb'
    >>> printable("内科\\t小计")
    '内科\\t小计'
    """
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


class SafeConsole(Console):
    """A :class:`rich.console.Console` that prints every text segment through :func:`printable`.

    Rich's own control segments (cursor moves, the styles' colour codes) are not text and
    pass unchanged, so tables and colours work as usual.
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style, segment.control)
            for segment in buffer)
