"""The fast route: a CSV/TSV table file already in the canonical shape, read in one typed pass.

Most files casekit reads were written by casekit's template or by a careful analyst: UTF-8, a
header in the first line naming the table's columns, one value per cell. The general route
(:func:`casekit.data.io.grids.csv_grid` then :func:`casekit.data.io.frame.raw_from_grid`) pays
a fixed pandas cost per cell rule, per column and per table to understand files that are not
like that. :func:`read_plain` reads the file once with :func:`pyarrow.csv.read_csv` (every cell
as text, stripped as the general route strips it) and then checks, one Arrow or numpy pass per
column, that no rule of the general route applies: no title row or two-row header, no total,
subtotal or footnote row, no control character or over-long cell, no Excel error value, no cell
that needs more than a plain cast to become its number (``1,234``, ``12.5%``, a unit), no month
written as a period. Values are then typed with the same functions the general route uses
(:func:`~casekit.data.io.parse.number_values`, :func:`~casekit.data.io.parse.alias_mapping`, and
:func:`~casekit.data.io.parse.parse_column` itself for yes/no and date columns), and the
row-less messages (unknown columns, missing required columns) come from the same helpers of
:mod:`casekit.data.io.frame`.

The moment a check finds something, :func:`read_plain` returns ``None`` and the file takes the
general route, so every message about a cell (file, row, column, fix) still comes from there.
``tests/test_io_plain.py`` checks, on every table file of the samples and on perturbed copies,
that the fast route gives exactly the general route's :class:`~casekit.data.io.raw.RawTable`
or declines.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from casekit.data.io.frame import _LABEL_HEADER, header_at, missing_columns, stated_unit, totals_frame, unmapped_columns
from casekit.data.io.grids import _sniff_delimiter
from casekit.data.io.headers import header_lookup, map_headers, normalise_header
from casekit.data.io.limits import MAX_CELL_CHARS, MAX_NAME_CHARS
from casekit.data.io.parse import (CONTROL_CHARS, FREE_TEXT_COLUMNS, NA_TOKENS, YES_NO, alias_mapping, number_values, odd_numbers,
                                   parse_column)
from casekit.data.io.raw import RawTable
from casekit.data.schema.tables import VALUE_ALIASES, Column, Table

ArrayLike = "np.ndarray | pd.api.extensions.ExtensionArray"

_BOM = b"\xef\xbb\xbf"
_NA = pa.array(sorted(NA_TOKENS), pa.string())
_TOTAL_WORD = "计|total"
_FOUR_DIGITS = r"\d{4}"


class _Decline(Exception):
    """Something in the file needs the general route."""


def read_plain(path: Path, table: Table, label: str) -> RawTable | None:
    """Read a canonical CSV/TSV table file in one pass; ``None`` when it needs the general route.

    Parameters
    ----------
    path : pathlib.Path
        A ``.csv``/``.tsv``/``.txt`` file (not a large one: :mod:`casekit.data.io.chunked` reads those).
    table : Table
        The table the file holds.
    label : str
        File name used in messages.

    Returns
    -------
    RawTable or None
        Exactly what :func:`casekit.data.io.frame.raw_from_grid` gives for the file, or ``None``
        when the file is not UTF-8, its first line is not a one-row header of the table, or any
        cell, row or column needs a rule of the general route (see the module docstring).
    """
    try:
        return _read(path, table, label)
    except _Decline:
        return None
    except Exception:  # noqa: BLE001 - an optimisation only: whatever it trips on, the general route reads the
        return None    # file and gives its message (tests/test_io_plain.py keeps the samples on this route)


def _read(path: Path, table: Table, label: str) -> RawTable:
    columns = _string_columns(path.read_bytes(), path.suffix.lower())
    found = header_at([c[0].as_py() for c in columns], [c[1].as_py() for c in columns], header_lookup(table))
    if found is None or found[0] != 1:
        raise _Decline                       # a title row above the header, a two-row header
    header = found[1]
    mapping = map_headers([m for m, _ in header], table, label, [w for _, w in header])
    if mapping.issues or not mapping.columns:
        raise _Decline
    body = [c.slice(1) for c in columns]
    lengths = [pc.binary_length(c).to_numpy(zero_copy_only=False) for c in body]
    filled = np.count_nonzero(np.vstack(lengths), axis=0)
    if (filled == 1).any():
        raise _Decline                       # a footnote row, or one value alone on its row
    keep = filled > 0
    written = {pos: header[pos][1] for pos in range(len(header))}
    unknown, issues = unmapped_columns(mapping, written, [p for p in mapping.blank if lengths[p].any()], table, label)
    for pos, text in mapping.unknown:         # name columns outside the table are looked at for totals too
        if _LABEL_HEADER.search(normalise_header(text)) and _says_total(pc.unique(body[pos])):
            raise _Decline
    if not keep.any() or ("year" in table.column_names and "year" not in mapping.headers):
        raise _Decline                       # no data rows; a year that may come from the title or file name
    if not keep.all():
        mask = pa.array(keep)
        body = [c.filter(mask) for c in body]
        lengths = [n[keep] for n in lengths]
    order = sorted(mapping.columns, key=lambda p: table.column_names.index(mapping.columns[p]))
    values = {mapping.columns[p]: _values(body[p], lengths[p], table.column(mapping.columns[p])) for p in order}
    df = pd.DataFrame(values, index=pd.RangeIndex(int(keep.sum())), copy=False)
    rows = pd.Series(np.arange(2, len(keep) + 2, dtype=np.int64)[keep])
    headers = mapping.headers
    issues += missing_columns(table, headers, label)
    return RawTable(table.name, label, df, rows, headers, issues, unknown,
                    _no_totals(table, df, tuple((n, v.dtype) for n, v in values.items())),
                    unit=stated_unit(table, headers, []))


_NO_TOTALS: dict[tuple, pd.DataFrame] = {}


def _no_totals(table: Table, df: pd.DataFrame, key: tuple) -> pd.DataFrame:
    """:attr:`RawTable.totals` of a table without total rows, built once per table and set of columns (``key``)."""
    key = (table.name, key)
    if key not in _NO_TOTALS:
        _NO_TOTALS[key] = totals_frame(df.iloc[:0], pd.Series([], dtype="int64"), table, df)
    return _NO_TOTALS[key].copy(deep=False)   # copy-on-write: a change to one table's totals stays there


# ---------------------------------------------------------------------------- the file
_ALLOWED_BELOW_SPACE = (9, 10, 13)
_QUOTED_CELL = re.compile(r'"[^"]*(?:""[^"]*)*"')
"""A quoted cell, inner quotes doubled."""


def _string_columns(data: bytes, suffix: str) -> list[pa.Array]:
    """Every column of the file as Arrow text (the header first), stripped as the general route strips cells.

    Declines whatever the general route's pandas reader might read otherwise: another encoding, a
    BOM other than UTF-8's, lone carriage returns, a quote that is not around a whole cell, rows of
    different widths (a blank line is a row of blank cells in both); and control characters anywhere.
    """
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if data.startswith(b"PK\x03\x04"):
        raise _Decline                       # an xlsx workbook named .csv: the general route says so
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Decline from None             # GB18030, UTF-16 and others: the general route decodes them
    raw = np.frombuffer(data, np.uint8)
    if not text.strip() or ("\r" in text and _lone_carriage_returns(raw)):
        raise _Decline
    delim = _sniff_delimiter(text, suffix)
    quoted = '"' in text
    if quoted and not _well_quoted(text, delim):
        raise _Decline
    width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delim)))
    try:
        read = pcsv.read_csv(pa.py_buffer(data),
                             read_options=pcsv.ReadOptions(autogenerate_column_names=True, use_threads=False),
                             parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=quoted,
                                                             ignore_empty_lines=False),
                             convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(_NAMES[:width], pa.string()),
                                                                 strings_can_be_null=False,
                                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        raise _Decline from None
    if read.num_rows < 2 or read.num_columns != width or any(t != pa.string() for t in read.schema.types):
        raise _Decline
    columns = [c.combine_chunks() for c in read.columns]
    if any(_has_control_characters(c) for c in columns):
        raise _Decline                       # NUL and the other control characters, in any cell
    if quoted or not data.isascii() or _spaces_at_cell_ends(raw, delim):
        columns = [pc.utf8_trim_whitespace(c) for c in columns]   # what pandas' str.strip() does
    return columns


def _lone_carriage_returns(raw: np.ndarray) -> bool:
    at = np.flatnonzero(raw == 13)
    return bool(at.size) and (at[-1] == len(raw) - 1 or bool((raw[at + 1] != 10).any()))


def _has_control_characters(arr: pa.Array) -> bool:
    """Whether a cell holds a character of :data:`casekit.data.io.parse.CONTROL_CHARS` (one look at the UTF-8 bytes)."""
    offsets = np.frombuffer(arr.buffers()[1], np.int32)
    start, stop = offsets[arr.offset], offsets[arr.offset + len(arr)]
    if stop == start:
        return False
    text = np.frombuffer(arr.buffers()[2], np.uint8)[start:stop]
    if text.min() < 32 and not np.isin(text[text < 32], _ALLOWED_BELOW_SPACE).all():
        return True
    if text.max() < 127:
        return False
    lead = np.flatnonzero(text[:-1] == 0xC2) + 1          # U+0080-U+009F are C2 80 - C2 9F
    return bool((text == 127).any() or ((text[lead] >= 0x80) & (text[lead] <= 0x9F)).any())


_NAMES = [f"f{i}" for i in range(16384)]
"""Arrow's names for the columns of a file read without its header (Excel has 16,384 columns)."""


def _well_quoted(text: str, delim: str) -> bool:
    """Whether every quote of the text belongs to a cell quoted whole (``"a ""b"", c"``), as both readers read it."""
    quotes = 0
    end = len(text)
    for m in _QUOTED_CELL.finditer(text):
        a, b = m.span()
        if (a and text[a - 1] not in (delim, "\n")) or (b < end and text[b] not in (delim, "\r", "\n")):
            return False
        quotes += m.group().count('"')
    return quotes == text.count('"')


def _spaces_at_cell_ends(raw: np.ndarray, delim: str) -> bool:
    """Whether a space (or a tab in a comma file) of ASCII text is next to a delimiter, a line end or an end of the file.

    Only then can an unquoted cell of ASCII text start or end with white space (other white space
    characters are control characters, refused before, or not ASCII).
    """
    space = raw == 32
    if delim != "\t":
        space |= raw == 9
    at = np.flatnonzero(space)
    if not at.size:
        return False
    if at[0] == 0 or at[-1] == len(raw) - 1:
        return True
    ends = np.array([ord(delim), 10, 13], dtype=np.uint8)
    return bool(np.isin(raw[at - 1], ends).any() or np.isin(raw[at + 1], ends).any())


def _says_total(distinct: pa.Array) -> bool:
    """Whether a cell says 计 or total: the first look of :func:`casekit.data.io.frame.total_mask` (on distinct cells)."""
    return pc.any(pc.match_substring_regex(distinct, _TOTAL_WORD, ignore_case=True)).as_py()


# ---------------------------------------------------------------------------- the values
def _values(arr: pa.Array, lengths: np.ndarray, column: Column) -> ArrayLike:
    """The values :func:`~casekit.data.io.parse.parse_column` gives for the column, when it reports no problem.

    ``lengths`` are the cells' lengths in bytes (at least their lengths in characters).
    """
    limit = MAX_NAME_CHARS if column.dtype == "str" and column.name not in FREE_TEXT_COLUMNS else MAX_CELL_CHARS
    longest = int(lengths.max())
    if longest > limit and pc.max(pc.utf8_length(arr)).as_py() > limit:
        raise _Decline
    if column.dtype == "str":
        return _text(arr, column)
    if column.dtype in ("int", "float"):
        if column.name == "month" and longest >= 4 and pc.any(pc.match_substring_regex(arr, _FOUR_DIGITS)).as_py():
            raise _Decline                   # 2024.04, 202404: a period whose year is checked against the row's
        return _numbers(arr, lengths == 0, column)
    values = _yes_no(arr) if column.dtype == "bool" else _iso_dates(arr)
    if values is not None:
        return values
    out = parse_column(pd.Series(_str_array(arr)), column)   # other forms: the general rules themselves
    if not out.problems.empty:
        raise _Decline
    return out.values.array


_STR = pd.Series([], dtype="str").dtype


def _str_array(arr: pa.Array) -> pd.api.extensions.ExtensionArray:
    """The pandas ``str`` array of Arrow text (pandas holds it as large_string), without a copy of the characters."""
    return pd.arrays.ArrowStringArray(arr.cast(pa.large_string()), dtype=_STR)


def _yes_no(arr: pa.Array) -> ArrayLike | None:
    """:func:`~casekit.data.io.parse.parse_bool` when every cell is written as one of its words; else None."""
    uniques = pc.unique(arr).to_pylist()
    if not all(u in YES_NO for u in uniques):
        return None
    at = pc.index_in(arr, value_set=pa.array(uniques, pa.string()))
    truth = pc.take(pa.array([YES_NO[u] for u in uniques], pa.bool_()), at)
    return pd.arrays.BooleanArray(truth.to_numpy(zero_copy_only=False), np.zeros(len(truth), dtype=bool))


_ISO_DATE = r"^(?:19|2[01])[0-9]{2}-[01][0-9]-[0-3][0-9]$"


def _iso_dates(arr: pa.Array) -> ArrayLike | None:
    """:func:`~casekit.data.io.parse.parse_date` when every cell is a valid ``YYYY-MM-DD`` date or missing; else None."""
    missing = pc.is_in(pc.utf8_lower(arr), value_set=_NA)
    if not pc.all(pc.or_(missing, pc.match_substring_regex(arr, _ISO_DATE))).as_py():
        return None
    text = pc.if_else(missing, pa.scalar(None, pa.string()), arr)
    dates = pc.strptime(text, format="%Y-%m-%d", unit="ns", error_is_null=True)
    if pc.any(pc.not_equal(pc.strftime(dates, format="%Y-%m-%d"), text)).as_py() \
            or dates.null_count != text.null_count:
        return None                          # 2023-02-30: the general rules say "not a date"
    return dates.to_numpy(zero_copy_only=False).astype("datetime64[ns]")


def _text(arr: pa.Array, column: Column) -> ArrayLike:
    """:func:`~casekit.data.io.parse.parse_text` and the value aliases, for a column without Excel errors or totals."""
    distinct = pc.unique(arr)
    if column.name not in FREE_TEXT_COLUMNS and _says_total(distinct):
        raise _Decline
    uniques = distinct.to_pylist()
    if any(u.startswith("#") for u in uniques):
        raise _Decline
    if not all(u and not u[0].isspace() and not u[-1].isspace() and not (len(u) <= 4 and u.lower() in NA_TOKENS)
               for u in uniques):         # not clean: missing tokens become NA, as parse_text does
        arr = pc.if_else(pc.is_in(pc.utf8_lower(arr), value_set=_NA), pa.scalar(None, pa.string()), arr)
        uniques = [u for u in pc.unique(arr).to_pylist() if u is not None]
    if column.enum is not None or column.name in VALUE_ALIASES:
        mapping = alias_mapping(uniques, column.name, column.enum or ())
        if mapping:
            at = pc.index_in(arr, value_set=pa.array(list(mapping), pa.string()))
            arr = pc.if_else(pc.is_null(at), arr, pc.take(pa.array(list(mapping.values()), pa.string()), at))
    return _str_array(arr)


def _numbers(arr: pa.Array, blank: np.ndarray, column: Column) -> ArrayLike:
    """:func:`~casekit.data.io.parse.parse_number` for a column whose every cell is a number or missing."""
    integer, period = column.dtype == "int", column.name == "month"
    value = number_values(arr)
    odd = odd_numbers(value, integer=integer, period=period)
    if odd.any():
        missing = blank if not (odd & ~blank).any() else \
            pc.is_in(pc.utf8_lower(arr), value_set=_NA).to_numpy(zero_copy_only=False)
        if (odd & ~missing).any():
            raise _Decline                   # 1,234, 12.5%, a unit, a fraction of a whole number ...
        value[odd] = np.nan
    if integer:                              # as Series.round().astype("Int64")
        missing = np.isnan(value)
        return pd.arrays.IntegerArray(np.where(missing, 0, np.round(value)).astype(np.int64), missing)
    return value


# ---------------------------------------------------------------------------- one value
_PLAIN_WHOLE = re.compile(r"-?[0-9]{1,15}")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def plain_value(text: str, column: Column) -> object | None:
    """The value :func:`~casekit.data.io.parse.parse_column` gives one cell without a problem, when that is plain to see.

    Used for the profile's values (``beds: 500``), each a column of its own. Whole numbers and
    decimals of up to 15 digits, yes/no words, and clean text (with its value alias) are read
    here; ``None`` means: ask ``parse_column`` (a blank, a missing token, ``1,234``, a date ...).
    """
    if column.dtype == "int":
        return int(text) if _PLAIN_WHOLE.fullmatch(text) else None
    if column.dtype == "float":       # Python's float() and Arrow's cast both round correctly
        return float(text) + 0.0 if _PLAIN_DECIMAL.fullmatch(text) else None
    if column.dtype == "bool":
        return YES_NO.get(text)
    if column.dtype != "str" or not text or text[0] == "#" or text[0].isspace() or text[-1].isspace() \
            or len(text) > MAX_NAME_CHARS or text.lower() in NA_TOKENS or CONTROL_CHARS.search(text):
        return None
    if column.enum is not None or column.name in VALUE_ALIASES:
        return alias_mapping([text], column.name, column.enum or ()).get(text, text)
    return text
