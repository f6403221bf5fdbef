"""The indicator workbook ``tables.xlsx``: one sheet per indicator table, safe to open.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with a single quote, as OWASP recommends against
CSV/formula injection; numbers are left as numbers. The file is written atomically.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from casekit.errors import OutputError
from casekit.fs.atomic import atomic_path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
MAX_SHEET = 31


def escape_cell(value: Any) -> Any:
    """Neutralise a text value a spreadsheet would run as a formula.

    Parameters
    ----------
    value : Any
        A cell value. Only ``str`` values are changed.

    Returns
    -------
    Any
        ``"'" + value`` when ``value`` is text starting with ``= + - @``, tab or CR; else ``value``.

    Examples
    --------
    >>> escape_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> escape_cell(-5.0)
    -5.0
    >>> escape_cell("-5%")
    "'-5%"
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
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


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write indicator tables to an Excel workbook, one sheet each, atomically.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Typically ``Diagnosis.tables()``. Empty tables get a sheet with their headers.
    path : str or path-like
        The ``.xlsx`` file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        ``tables`` is empty or a value is not a DataFrame.
    """
    if not tables:
        raise OutputError("there are no indicator tables to write", "This is a bug in casekit; please report it.")
    names = sheet_names(list(tables))
    path = Path(path)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for sheet, (key, df) in zip(names, tables.items()):
                if not isinstance(df, pd.DataFrame):
                    raise OutputError(f"table {key!r} is a {type(df).__name__}, not a DataFrame",
                                      "This is a bug in casekit; please report it.")
                safe = escape_frame(_excel_ready(df))
                safe.to_excel(xw, sheet_name=sheet, index=not isinstance(safe.index, pd.RangeIndex))
                ws = xw.sheets[sheet]
                ws.freeze_panes = "A2"
                for i, col in enumerate(safe.columns, start=1):
                    width = min(60, max(8, len(str(col)) + 2))
                    ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    return path


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Drop time zones (Excel cannot store them) and flatten MultiIndex columns."""
    out = df.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" / ".join(str(x) for x in c if str(x)) for c in out.columns]
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out
