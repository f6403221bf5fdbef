"""Large CSV and Parquet tables read in chunks of rows, never as one grid of text.

The ordinary route (:func:`casekit.data.io.grids.csv_grid` then
:func:`casekit.data.io.frame.raw_from_grid`) holds every cell of a file as text at once: about
0.7 KB per row of monthly actuals at its peak, several GB for ten million rows. Above
:data:`LARGE_TABLE_ROWS` rows a file is instead read :data:`CHUNK_ROWS` rows at a time, with the
same pandas reader options (CSV) or from the file's row groups (Parquet), and each chunk goes
through the very same ``raw_from_grid`` with the file's title and header rows put back above
it. Every message is therefore the one the ordinary route gives, with the file's own row
numbers; the problems of one column are capped at
:data:`~casekit.data.io.frame.MAX_ISSUES_PER_COLUMN` over the whole file as before.

A file this route cannot follow exactly (not UTF-8, a record wider than the sampled first
64 KB, binary bytes, a header read differently in a later chunk) is read by the ordinary route,
which gives its usual message or warning.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data.io.frame import MAX_ISSUES_PER_COLUMN, _find_header, raw_from_grid
from casekit.data.io.grids import Grid, _series_text, _sniff_delimiter
from casekit.data.io.headers import header_lookup, map_headers
from casekit.data.io.parse import parse_column
from casekit.data.io.raw import RawTable
from casekit.data.schema.tables import Table

LARGE_TABLE_ROWS = 1_000_000
"""Files with more rows than this (estimated from the first 64 KB for text) are read in chunks."""
CHUNK_ROWS = 250_000
"""Rows of text held at once by the chunked route."""
HEAD_BYTES = 65536
_HEAD_ROWS = 100
_MORE = re.compile(r"^(\d+) more cells in this column could not be read$")


class _Fallback(Exception):
    """The chunked route cannot follow this file exactly; read it the ordinary way."""


def is_large(path: Path) -> bool:
    """Whether ``path`` (CSV/TSV or Parquet) has more than :data:`LARGE_TABLE_ROWS` rows.

    Text files: the size divided by the mean line length of the first 64 KB (no file is read
    whole); Parquet: the row count of its footer.
    """
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows > LARGE_TABLE_ROWS
        except Exception:  # not readable as Parquet: the ordinary route gives the message
            return False
    size = path.stat().st_size
    if size <= LARGE_TABLE_ROWS * 8:  # no table row is shorter than 8 bytes
        return False
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    lines = head.count(b"\n")
    return lines > 0 and size / (len(head) / lines) > LARGE_TABLE_ROWS


def read_chunked(path: Path, table: Table, label: str) -> RawTable | None:
    """Read a large CSV/TSV or Parquet table chunk by chunk; ``None`` when it must take the ordinary route.

    Parameters
    ----------
    path : pathlib.Path
        A ``.csv``/``.tsv``/``.txt`` or ``.parquet`` file.
    table : Table
        The table the file holds.
    label : str
        File name used in messages.

    Returns
    -------
    RawTable or None
        The same table, row numbers and issues as :func:`casekit.data.io.frame.raw_from_grid`
        on the whole file gives; ``None`` for files the chunked route cannot follow exactly
        (see the module docstring).
    """
    try:
        grids = _parquet_chunks(path) if path.suffix.lower() in (".parquet", ".pq") else _csv_chunks(path, label)
        parts, layout = [], None
        for grid, body in _with_header(grids, table):
            if layout is None:
                layout = _Layout.of(grid, table, label)
            plain = _plain_chunk(body, layout, table, label) if body is not None and layout.simple else None
            parts.append(plain if plain is not None else raw_from_grid(grid, table, label))
        return _merge(parts) if parts else None
    except _Fallback:
        return None


# ---------------------------------------------------------------------------- chunks
def _csv_chunks(path: Path, label: str) -> Iterator[Grid]:
    """The file's rows as grids of text, read with :func:`~casekit.data.io.grids.csv_grid`'s options."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        raise _Fallback
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # a character cut at the end of the sample is fine
        if exc.start < len(head) - 4:
            raise _Fallback from None
        text = head[:exc.start].decode("utf-8-sig")
    delim = _sniff_delimiter(text, path.suffix.lower())
    sample = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    if len(head) == HEAD_BYTES:
        sample = sample[:-1] or [[""]]  # the last sampled record may be cut off
    width = max(len(r) for r in sample)
    start = 1
    try:
        reader = pd.read_csv(path, sep=delim, header=None, names=range(width), dtype=str, keep_default_na=False,
                             na_filter=False, skip_blank_lines=False, index_col=False, engine="c",
                             encoding="utf-8-sig", chunksize=CHUNK_ROWS)
        with reader:
            for cells in reader:
                cells = cells.astype("str")
                if cells.apply(lambda c: c.str.contains("\x00", regex=False)).to_numpy().any():
                    raise _Fallback
                yield Grid(cells.reset_index(drop=True), np.arange(start, start + len(cells)))
                start += len(cells)
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, csv.Error):
        raise _Fallback from None


def _parquet_chunks(path: Path) -> Iterator[Grid]:
    """Row batches as grids of text, a header row of the column names first (as :func:`parquet_grid`)."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        names = [str(n) for n in pf.schema_arrow.names]
        yield Grid(pd.DataFrame([names], columns=range(len(names))), np.array([1]))
        start = 2
        for batch in pf.iter_batches(batch_size=CHUNK_ROWS):
            df = batch.to_pandas()
            body = pd.DataFrame({i: _series_text(df.iloc[:, i]) for i in range(df.shape[1])}, index=range(len(df)))
            yield Grid(body.astype("str").fillna(""), np.arange(start, start + len(df)))
            start += len(df)
    except Exception as exc:  # corrupt file: the ordinary route names it
        if isinstance(exc, _Fallback):
            raise
        raise _Fallback from None


def _with_header(grids: Iterator[Grid], table: Table) -> Iterator[tuple[Grid, Grid | None]]:
    """Each chunk with the file's title and header rows (found in the first rows) above it, and without them.

    The first item holds the header and the ``_HEAD_ROWS`` rows below it (read the ordinary way,
    with every header message), and no body.
    """
    first: list[Grid] = []
    for grid in grids:  # the header is looked for in the first rows, as raw_from_grid does
        first.append(grid)
        if sum(len(g.cells) for g in first) > _HEAD_ROWS:
            break
    if not first:
        return
    head = Grid(pd.concat([g.cells for g in first], ignore_index=True), np.concatenate([g.rownum for g in first]))
    stripped = head.cells.apply(lambda c: c.str.strip())
    if stripped.empty or not (stripped != "").to_numpy().any():
        yield head, None
        if next(grids, None) is not None:  # blank first rows of a long file: the ordinary route judges
            raise _Fallback
        return
    hpos, nrows, _ = _find_header(stripped, header_lookup(table))
    n = hpos + nrows + _HEAD_ROWS  # the first rows take the ordinary route with the header ...
    yield Grid(head.cells.iloc[:n], head.rownum[:n]), None
    prefix = Grid(head.cells.iloc[:hpos + nrows].reset_index(drop=True), head.rownum[:hpos + nrows])
    rest = Grid(head.cells.iloc[n:].reset_index(drop=True), head.rownum[n:])  # ... the rest as a body
    for grid in itertools.chain([rest] if len(rest.cells) else [], grids):
        yield Grid(pd.concat([prefix.cells, grid.cells], ignore_index=True),
                   np.concatenate([prefix.rownum, grid.rownum])), grid


# ---------------------------------------------------------------------------- plain chunks
_PLAIN = {"int": r"^-?(?:0|[1-9][0-9]{0,14})$", "month": r"^(?:[1-9]|1[0-2])$",
          "money": r"^-?(?:0|[1-9][0-9]{0,12})(?:\.[0-9]{1,2})?$", "float": r"^-?(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,6})?$"}
"""Cell texts whose value needs no rule of :mod:`casekit.data.io.parse` (same value by a plain cast)."""
_TOTAL_WORD = "计|(?i:total)"


class _Layout:
    """Where the table's columns are in the file (from the header row), and whether plain chunks may skip rules."""

    def __init__(self, columns: dict[int, str], blank: list[int], simple: bool):
        self.columns, self.blank, self.simple = columns, blank, simple

    @classmethod
    def of(cls, grid: Grid, table: Table, label: str) -> "_Layout":
        stripped = grid.cells.apply(lambda c: c.str.strip())
        _, nrows, header = _find_header(stripped, header_lookup(table))
        mapping = map_headers([m for m, _ in header], table, label, [w for _, w in header])
        simple = nrows == 1 and not mapping.issues and bool(mapping.columns)
        return cls(dict(mapping.columns), list(mapping.blank), simple)


def _plain_chunk(body: Grid, layout: _Layout, table: Table, label: str) -> RawTable | None:
    """A chunk without any cell that needs a rule, typed directly; ``None`` when some cell does.

    A chunk is plain when it has no footnote-like row (one filled cell), no cell saying 计 or
    total (total rows), no value under a blank header, and every number is a plain decimal
    (:data:`_PLAIN`). Text columns go through :func:`~casekit.data.io.parse.parse_column` as in
    :func:`~casekit.data.io.frame.raw_from_grid`, so a plain chunk gives what that function gives.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = body.cells.apply(lambda c: c.str.strip())
    filled = cells != ""
    count = filled.sum(axis=1)
    keep = count > 0
    if (count == 1).any() or any(filled[p].any() for p in layout.blank if p in filled):
        return None
    rows = pd.Series(body.rownum, index=cells.index)[keep]
    data = cells.loc[keep]
    numeric = {p for p, name in layout.columns.items() if table.column(name).dtype in ("int", "float")}
    for c in data.columns:  # a total row names 合计/小计/total in a text cell (numbers are checked below)
        if c not in numeric and pc.any(pc.match_substring_regex(pa.array(data[c], pa.large_string()),
                                                                _TOTAL_WORD)).as_py():
            return None
    order = sorted(layout.columns, key=lambda p: table.column_names.index(layout.columns[p]))
    out: dict[str, pd.Series] = {}
    for pos in order:
        name = layout.columns[pos]
        col = table.column(name)
        text = data[pos] if pos in data else pd.Series("", index=data.index, dtype="str")
        if pos in numeric:
            kind = "month" if name == "month" else "money" if col.money else col.dtype
            arr = pa.array(text, pa.large_string())
            blank = pc.equal(arr, "")
            if not pc.all(pc.or_(blank, pc.match_substring_regex(arr, _PLAIN[kind]))).as_py():
                return None
            values = pc.cast(pc.if_else(blank, pa.scalar(None, pa.large_string()), arr),
                             pa.int64() if col.dtype == "int" else pa.float64())
            out[name] = (pd.Series(pd.array(values.to_pandas(), dtype="Int64"), index=data.index)
                         if col.dtype == "int" else pd.Series(values.to_numpy(zero_copy_only=False), index=data.index))
        else:
            result = parse_column(text, col)
            if not result.problems.empty:
                return None
            out[name] = result.values
    df = pd.DataFrame(out, index=data.index).reset_index(drop=True)
    return RawTable(table.name, label, df, rows.reset_index(drop=True).astype("int64"), {}, [], [])


# ---------------------------------------------------------------------------- merge
def _key(i: Issue) -> tuple:
    return (i.file, i.row, i.column, i.value, i.problem, i.fix, i.severity)


def _merge(parts: list[RawTable]) -> RawTable:
    """One RawTable from the chunks' tables: issues without a row once, cell problems capped per column."""
    first = parts[0]
    if any(p.headers not in ({}, first.headers) for p in parts[1:]):  # {}: a plain chunk
        raise _Fallback
    general: dict[tuple, Issue] = {}
    cells: list[Issue] = []
    more: dict[str, list] = {}  # column -> [cells beyond the cap, fix of the first of them]
    empty = None
    for part in parts:
        for i in part.issues:
            m = _MORE.match(i.problem) if i.row is None else None
            if m:
                n, fix = more.setdefault(i.column, [0, i.fix])
                more[i.column][0] = n + int(m.group(1))
            elif i.row is None and i.problem == "file has no data rows":
                empty = i
            elif i.row is None:
                general.setdefault(_key(i), i)
            else:
                cells.append(i)
    columns = set(first.headers.values())
    kept: list[Issue] = []
    count: dict[str, int] = {}
    for i in cells:
        if i.severity == "error" and i.column in columns:
            count[i.column] = count.get(i.column, 0) + 1
            if count[i.column] > MAX_ISSUES_PER_COLUMN:
                more.setdefault(i.column, [0, i.fix])[0] += 1
                continue
        kept.append(i)
    summaries = [Issue(first.file, None, col, None, f"{n} more cells in this column could not be read", fix,
                       "error", first.name)
                 for col, (n, fix) in more.items() if n]
    df = pd.concat([p.df for p in parts], ignore_index=True)
    issues = list(general.values()) + summaries + ([empty] if empty is not None and len(df) == 0 else []) + kept
    issues.sort(key=lambda i: (i.row is not None, i.row or 0))
    totals = [p.totals for p in parts if len(p.totals)]
    return RawTable(first.name, first.file, df, pd.concat([p.rows for p in parts], ignore_index=True),
                    first.headers, issues, first.unknown_columns,
                    pd.concat(totals, ignore_index=True) if totals else first.totals, unit=first.unit)
