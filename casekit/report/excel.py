"""The indicator workbook ``tables.xlsx``: an index sheet, then one sheet per table, safe to open.

Sheets are named in the report language (``sheet.<table>`` labels in :mod:`casekit.labels`,
within Excel's 31 characters); the index sheet links every sheet to the table it holds and
the options it was computed with. In Chinese workbooks headers are Chinese (``col.<name>``),
enumerated values and booleans are words (``value.<word>``: 存在, 支出, 是/否 ...) and of a
column pair such as ``title_en``/``title_zh`` only the workbook's language is kept.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with a single quote, as OWASP recommends against
CSV/formula injection; numbers are left as numbers. The file is written atomically.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""
from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from casekit.money import MONEY_COLUMNS
from casekit.errors import OutputError
from casekit.fs.atomic import atomic_path
from casekit.labels import ENUM_COLUMNS, LABELS, check_lang, label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters an xlsx file cannot hold (openpyxl raises IllegalCharacterError); written as U+FFFD."""
PERCENT_COLUMN = re.compile(r"(^|_)(execution|deviation|adjustment)_rate($|_)")
PERCENT_FORMAT = "0.00%"  # rates shown with two decimals (96.38%), stored as fractions
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
MAX_SHEET = 31
ROWS_PER_SHEET = 1_048_575
"""Data rows on one sheet: Excel's 1,048,576 rows less the header. A longer table continues on
sheets ``title (2)``, ``title (3)`` ..., and the index gives each part's rows."""
_BOLD = Font(bold=True)


def escape_cell(value: Any) -> Any:
    """Neutralise a text value a spreadsheet would run as a formula.

    Parameters
    ----------
    value : Any
        A cell value. Only ``str`` values are changed.

    Returns
    -------
    Any
        ``"'" + value`` when ``value`` is text starting with ``= + - @``, tab or CR; control
        characters an xlsx cannot hold become U+FFFD; other values unchanged.

    Examples
    --------
    >>> escape_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> escape_cell(-5.0)
    -5.0
    >>> escape_cell("-5%")
    "'-5%"
    """
    if isinstance(value, str):
        value = _UNWRITABLE.sub("\ufffd", value)  # validation refuses them in data; notes may quote raw cells
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with :func:`escape_cell` applied to text cells and text headers.

    Numeric columns are untouched (a negative number stays a number).
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(escape_cell, na_action="ignore").astype(object)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    if not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.map(escape_cell)
    return out


def sheet_names(names: list[str]) -> list[str]:
    """Make Excel-valid, unique sheet names (at most 31 characters, no ``[]:*?/\\``).

    Parameters
    ----------
    names : list of str
        Table names, in order.

    Returns
    -------
    list of str
        Same length; a clash is resolved by a ``~2``, ``~3`` ... suffix (case-insensitively,
        as Excel compares names).

    Examples
    --------
    >>> sheet_names(["a" * 40, "a" * 35, "x/y"])
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa~2', 'x_y']
    """
    used: set[str] = set()
    out = []
    for raw in names:
        base = _BAD_SHEET_CHARS.sub("_", str(raw)).strip("'").strip() or "sheet"
        name = base[:MAX_SHEET]
        n = 2
        while name.lower() in used:
            suffix = f"~{n}"
            name = base[: MAX_SHEET - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        out.append(name)
    return out


def table_title(key: str, lang: str = "en") -> tuple[str, str]:
    """Sheet title and options of a table key of :meth:`casekit.diagnosis.Diagnosis.tables`.

    Parameters
    ----------
    key : str
        e.g. ``"accuracy_summary_basis-original_good-0.05_warning-0.1"``.
    lang : {"en", "zh"}

    Returns
    -------
    title : str
        The ``sheet.<table>`` label, with the budget basis when the options name one; the key
        itself for a table without a label.
    options : str
        The rest of the key after the table name (``"basis-original_good-0.05_warning-0.1"``).

    Examples
    --------
    >>> table_title("accuracy_summary_basis-original_good-0.05_warning-0.1", "zh")
    ('预算准确度（年初预算）', 'basis-original_good-0.05_warning-0.1')
    >>> table_title("findings", "en")
    ('Findings', '')
    """
    bases = sorted((k[len("sheet."):] for k in LABELS if k.startswith("sheet.") and "." not in k[6:]),
                   key=len, reverse=True)
    base = next((b for b in bases if key == b or key.startswith(b + "_")), None)
    if base is None:
        return key, ""
    options = key[len(base):].lstrip("_")
    title = label(f"sheet.{base}", lang)
    basis = re.search(r"basis-(original|adjusted)", options)
    if basis:
        title += f"（{label('sheet.basis.' + basis.group(1), lang)}）" if lang == "zh" \
            else f" ({label('sheet.basis.' + basis.group(1), lang)})"
    return title, options


def localise(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table as the workbook shows it in ``lang``.

    Of each ``<name>_en``/``<name>_zh`` column pair only the one in ``lang`` is kept, as
    ``<name>``. In Chinese, headers become their ``col.<name>`` labels, booleans 是/否 and
    the values of :data:`ENUM_COLUMNS` their ``value.<word>`` labels. Numbers are untouched.

    Parameters
    ----------
    df : pandas.DataFrame
    lang : {"en", "zh"}

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    other = "zh" if lang == "en" else "en"
    cols = [str(c) for c in df.columns]
    keep, names = [], []
    for c in cols:
        stem, _, suffix = c.rpartition("_")
        if suffix in ("en", "zh") and stem and f"{stem}_{lang if suffix == other else other}" in cols:
            if suffix == other:
                continue
            c_name = stem
        else:
            c_name = c
        keep.append(c)
        names.append(c_name)
    out = df[keep].copy() if list(df.columns) == cols else df.copy()
    if list(df.columns) == cols:
        out.columns = names
    if lang != "zh":
        return out
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s.map({True: label("value.True", lang), False: label("value.False", lang)}).astype(object)
        elif str(col) in ENUM_COLUMNS and (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
            out[col] = s.map(lambda v: label(f"value.{v}", lang) if f"value.{v}" in LABELS else v,
                             na_action="ignore").astype(object)
    out.columns = [label(f"col.{c}", lang) if f"col.{c}" in LABELS else c for c in out.columns]
    return out


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike, *, lang: str = "en",
                 unit: str = "") -> Path:
    """Write tables to an Excel workbook: an index sheet, then one sheet each, atomically.

    A table longer than a sheet holds (:data:`ROWS_PER_SHEET` rows) continues on as many sheets
    as it needs, each with the header; the index then has a *part* column (``2/3``) and gives
    every part's own row count.

    Execution, deviation and adjustment rates (columns matching :data:`PERCENT_COLUMN`) keep
    their full precision and are shown as percentages with two decimals (``0.00%``).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Typically ``Diagnosis.tables()``. Empty tables get a sheet with their headers.
    path : str or path-like
        The ``.xlsx`` file.
    lang : {"en", "zh"}
        Language of sheet names, the index and (in Chinese) headers and values; see :func:`localise`.
    unit : str
        The money unit (:func:`casekit.money.unit_of`), named in the index for every table with amounts.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        ``tables`` is empty or a value is not a DataFrame.
    """
    check_lang(lang)
    if not tables:
        raise OutputError("there are no indicator tables to write", "This is a bug in casekit; please report it.")
    for key, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise OutputError(f"table {key!r} is a {type(df).__name__}, not a DataFrame",
                              "This is a bug in casekit; please report it.")
    parts = [(str(k), df, part, count) for k, df in tables.items()
             for count in [max(1, -(-len(df) // ROWS_PER_SHEET))] for part in range(1, count + 1)]
    titles = {str(k): table_title(str(k), lang) for k in tables}
    split = any(count > 1 for *_, count in parts)
    index_name = label("sheet.index", lang)
    names = sheet_names([index_name] + [_part_title(titles[k][0], part, count) for k, _, part, count in parts])[1:]
    columns = {label("sheet.index.sheet", lang): names,
               label("sheet.index.table", lang): [k for k, *_ in parts],
               label("sheet.index.options", lang): [titles[k][1] for k, *_ in parts],
               label("sheet.index.rows", lang): [len(_rows(df, part)) for _, df, part, _ in parts],
               label("sheet.index.columns", lang): [df.shape[1] for _, df, *_ in parts],
               label("sheet.index.unit", lang): [unit if MONEY_COLUMNS & set(map(str, df.columns)) else ""
                                                 for _, df, *_ in parts]}
    if split:
        columns[label("sheet.index.part", lang)] = [f"{part}/{count}" if count > 1 else "" for *_, part, count in parts]
    index = pd.DataFrame(columns)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = Workbook(write_only=True)  # rows streamed to disk: memory does not grow with the tables
        links = [Hyperlink(ref="", location=f"'{name}'!A1") for name in names]
        _sheet(wb, index_name, escape_frame(index), links=links)
        for sheet, (_, df, part, _) in zip(names, parts):
            if part == 1:
                ready = localise(_excel_ready(df), "en")  # English names decide the percent columns
                percent = [bool(PERCENT_COLUMN.search(str(c))) and pd.api.types.is_numeric_dtype(ready[c].dtype)
                           for c in ready.columns]
                shown = escape_frame(ready if lang == "en" else localise(_excel_ready(df), lang))
            _sheet(wb, sheet, _rows(shown, part), percent)
        wb.save(tmp)
    return path


def _rows(df: pd.DataFrame, part: int) -> pd.DataFrame:
    """The rows of ``df`` on its ``part``-th sheet (1-based), :data:`ROWS_PER_SHEET` to a sheet."""
    return df.iloc[(part - 1) * ROWS_PER_SHEET: part * ROWS_PER_SHEET]


def _part_title(title: str, part: int, count: int) -> str:
    """The sheet title of one part of a table too long for one sheet: ``title (2)``, kept within 31 characters."""
    if count == 1:
        return title
    suffix = f" ({part})"
    return title[: MAX_SHEET - len(suffix)] + suffix


def _cell_value(v: Any) -> Any:
    """A value openpyxl writes: missing values blank, numpy scalars as Python numbers."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        return v.item()
    return v


def _sheet(wb: Workbook, sheet: str, frame: pd.DataFrame, percent: list[bool] | None = None,
           links: list[Hyperlink] | None = None) -> None:
    """Write one sheet with a frozen, bold header row; ``percent[i]`` formats column i as ``0.00%``.

    A frame with a named (not range) index gets its index levels as the first columns;
    ``links[r]`` makes the first cell of data row ``r`` a hyperlink.
    """
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = "A2"
    if not isinstance(frame.index, pd.RangeIndex):
        levels = frame.index.nlevels
        frame = frame.reset_index()
        percent = [False] * levels + list(percent or [False] * (frame.shape[1] - levels))
    for i, col in enumerate(frame.columns, start=1):
        text = str(col)
        wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters are double width
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, wide + 2))
    head = []
    for col in frame.columns:
        cell = WriteOnlyCell(ws, value=str(col))
        cell.font = _BOLD
        head.append(cell)
    ws.append(head)
    pct = [j for j, flag in enumerate(percent or []) if flag]
    for r, row in enumerate(frame.itertuples(index=False, name=None)):
        values = [_cell_value(v) for v in row]
        for j in pct:
            if values[j] is not None:
                cell = WriteOnlyCell(ws, value=values[j])
                cell.number_format = PERCENT_FORMAT
                values[j] = cell
        if links is not None and values:
            cell = WriteOnlyCell(ws, value=values[0])
            cell.hyperlink = links[r]
            cell.style = "Hyperlink"
            values[0] = cell
        ws.append(values)


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Drop time zones (Excel cannot store them) and flatten MultiIndex columns."""
    out = df.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" / ".join(str(x) for x in c if str(x)) for c in out.columns]
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out
