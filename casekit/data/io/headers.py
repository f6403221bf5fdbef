"""Header matching: normalise a header (or file stem, sheet name) and map a file's headers to a table's columns.

Pure functions over text; the accepted headers of every column come from
:mod:`casekit.data.schema.tables` (its Chinese header and aliases).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from casekit.errors import Issue
from casekit.data.schema.tables import Column, Table

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>")
_HEADER_NOISE = re.compile(r"[\s_\-*·.:：'\"`\u200b\ufeff]+")


def normalise_header(text: object) -> str:
    """Normalise a header (or a file stem / sheet name) for matching.

    NFKC (full-width to half-width), lower case, bracketed unit suffixes removed
    (``预算数（元）`` -> ``预算数``), spaces, underscores, hyphens, dots, colons and ``*``
    removed. A header that is only a bracketed text keeps that text.

    Parameters
    ----------
    text : object
        Header cell (``None`` gives ``""``).

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_header(" 预算数（元）")
    '预算数'
    >>> normalise_header("Dept_ID")
    'deptid'
    """
    if text is None:
        return ""
    text = str(text)
    return _normalised(text) if len(text) <= 200 else _normalise(text)


def _normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip().lower()
    stripped = _BRACKETED.sub("", t)
    if not _HEADER_NOISE.sub("", stripped):
        stripped = re.sub(r"[()\[\]【】〔〕<>]", "", t)
    return _HEADER_NOISE.sub("", stripped)


_normalised = functools.lru_cache(maxsize=4096)(_normalise)
""":func:`_normalise` remembered for short texts: the same headers, table and sheet names recur in
every file and every hospital of a batch."""


@functools.lru_cache(maxsize=128)
def header_lookup(table: Table) -> dict[str, list[str]]:
    """Map each normalised accepted header of ``table`` to the column(s) it names (built once per table; do not change it).

    Parameters
    ----------
    table : Table

    Returns
    -------
    dict of str to list of str
        Normalised header -> canonical column names (more than one only if the schema itself
        is ambiguous).
    """
    out: dict[str, list[str]] = {}
    for col in table.columns:
        for h in (col.name, col.zh, *col.aliases):
            key = normalise_header(h)
            if key and col.name not in out.setdefault(key, []):
                out[key].append(col.name)
    return out


def accepted_headers(column: Column) -> str:
    """Comma-separated headers accepted for ``column`` (for messages)."""
    names = [column.name, column.zh, *column.aliases]
    return ", ".join(dict.fromkeys(n for n in names if n))


@dataclass
class HeaderMapping:
    """Result of :func:`map_headers`.

    Attributes
    ----------
    columns : dict of int to str
        Position of a used column in the file -> canonical column name.
    headers : dict of str to str
        Canonical column name -> header as written.
    unknown : list of tuple (int, str)
        Positions and headers that matched no column (blank headers excluded).
    blank : list of int
        Positions whose header is blank.
    issues : list of Issue
        Ambiguous and duplicate headers (errors).
    """

    columns: dict[int, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def map_headers(headers: Sequence[str], table: Table, file: str,
                as_written: Sequence[str] | None = None) -> HeaderMapping:
    """Match the headers of a file to the columns of ``table``.

    A header naming two columns, or two headers naming the same column, is an error that
    names both; the first header of a duplicate pair is used.

    Parameters
    ----------
    headers : sequence of str
        Header texts as written, in file order.
    table : Table
    file : str
        Label for messages.
    as_written : sequence of str, optional
        Headers as the user wrote them, when ``headers`` are derived texts (two-row headers);
        used in messages and in ``HeaderMapping.headers``.

    Returns
    -------
    HeaderMapping

    Examples
    --------
    >>> from casekit.data.schema.tables import TABLES
    >>> m = map_headers(["年度", "科室", "科目编码", "年初预算（元）"], TABLES["budget"], "b.csv")
    >>> m.columns
    {0: 'year', 1: 'dept_id', 2: 'account_id', 3: 'original'}
    """
    lookup = header_lookup(table)
    out = HeaderMapping()
    for pos, text in enumerate(headers):
        key = normalise_header(text)
        source = text if as_written is None else as_written[pos]
        written = "" if source is None else str(source).strip()
        if not key:
            out.blank.append(pos)
            continue
        targets = lookup.get(key, [])
        if not targets:
            out.unknown.append((pos, written))
            continue
        if len(targets) > 1:
            out.issues.append(Issue(
                file, None, written, None,
                f"header '{written}' could mean column {' or '.join(targets)}",
                f"rename it to one of: {', '.join(targets)}", "error", table.name))
            continue
        name = targets[0]
        if name in out.headers:
            out.issues.append(Issue(
                file, None, written, None,
                f"headers '{out.headers[name]}' and '{written}' both mean column {name}; "
                f"'{out.headers[name]}' was used",
                f"keep one of the two columns, or rename '{written}'", "error", table.name))
            continue
        out.columns[pos] = name
        out.headers[name] = written
    return out


def count_header_matches(cells: Iterable[object], lookup: dict[str, list[str]]) -> int:
    """Number of distinct columns named by ``cells`` (used to find the header row)."""
    found: set[str] = set()
    for c in cells:
        found.update(lookup.get(normalise_header(c), ()))
    return len(found)
