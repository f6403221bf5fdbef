"""The raw table: one user file (or sheet) after header mapping and value parsing.

A :class:`RawTable` is what :mod:`casekit.data.io.readers` hands to :mod:`casekit.data.validation`.
Values are typed but not yet checked against enumerations, ranges or other tables.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from dataclasses import dataclass, field

import pandas as pd

from casekit.errors import Issue


@dataclass(frozen=True)
class SourceRows:
    """Where a value occurs in the files behind an aggregated table (a transaction ledger).

    Attributes
    ----------
    rows : tuple of (str, int, str)
        The first occurrences in file order: (file name, row as a spreadsheet shows it with the
        header as row 1, header of the column as written in that file).
    total : int
        Rows holding the value in all the files.
    """

    rows: tuple[tuple[str, int, str], ...]
    total: int


Locator = Callable[[Mapping[str, Sequence[str]], int], dict[tuple[str, str], SourceRows]]
"""``locate({column: values}, limit) -> {(column, value): SourceRows}`` (see :attr:`RawTable.locate`)."""


@dataclass
class RawTable:
    """One table as read from the user's file.

    Attributes
    ----------
    name : str
        Canonical table name (a key of :data:`casekit.data.schema.tables.TABLES`).
    file : str
        Label for messages: ``"budget.csv"`` or ``"j.xlsx[预算]"``.
    df : pandas.DataFrame
        The columns found in the file, under canonical names, in schema order. dtypes:
        text ``str`` (stripped), int ``Int64``, float ``float64``, bool ``boolean``, date
        ``datetime64[ns]``. Cells that could not be parsed are NA and reported in ``issues``.
        Enumerated columns have :data:`~casekit.data.schema.tables.VALUE_ALIASES` applied
        (``临床`` -> ``clinical``) but are not checked against the enumeration. Columns
        missing from the file are absent (see ``headers``). Blank rows, total/subtotal rows
        and footnote rows are not included.
    rows : pandas.Series
        Same index as ``df``: the 1-based row number the user sees in the file (header row
        1 gives a first data row 2; title rows and two-row headers are counted).
    headers : dict of str to str
        Canonical column -> header as written in the file (``"预算数 / 年初"`` for a
        two-row header).
    issues : list of Issue
        Problems (errors) and warnings found while reading.
    unknown_columns : list of str
        Headers that matched no column (also reported as warnings).
    totals : pandas.DataFrame
        The total/subtotal rows that were excluded from ``df``, parsed the same way, with an
        extra ``row`` column (file row number); kept so that subtotals can be checked
        against their parts.
    locate : callable, optional
        Only for tables aggregated from source files (``rows`` all NA, e.g. actuals summed from a
        ledger): ``locate({column: values}, limit)`` scans the source files again and returns,
        for each (column, value) found, its first ``limit`` source rows and its number of rows
        (:class:`SourceRows`), so that messages can name file, row and column.
    sources : pandas.Series, optional
        Same index as ``df``: the file (or ``book.xlsx[sheet]``) of each row, for tables combined
        from several files or sheets (``file`` then names them together).
    unit : (str, str), optional
        The scale the file itself states (``单位：万元`` above the header, a header
        ``预算数（万元）``): ``("ten_thousands", "the line '单位：万元'")``; validation checks it
        against the profile's ``currency_unit``.
    coverage : dict of int to int, optional
        Actuals only: year -> last month covered when the file says its figures are a year to
        date (``2023年1-6月``); the loaded :class:`~casekit.data.hospital.Hospital` keeps it.
    """

    name: str
    file: str
    df: pd.DataFrame
    rows: pd.Series
    headers: dict[str, str]
    issues: list[Issue]
    unknown_columns: list[str]
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    locate: Locator | None = None
    sources: pd.Series | None = None
    unit: tuple[str, str] | None = None
    coverage: dict[int, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        """The issues with severity ``"error"``."""
        return [i for i in self.issues if i.severity == "error"]



def user_row(raw: Any, index: Any) -> int | None:
    """The user's row number of a row label of ``raw.df`` (``None`` for aggregated rows, e.g. from a ledger)."""
    if index not in raw.rows.index:
        return None
    row = raw.rows.loc[index]
    return None if pd.isna(row) else int(row)


def user_file(raw: Any, index: Any) -> str:
    """The file (or ``book.xlsx[sheet]``) a row label of ``raw.df`` comes from."""
    sources = getattr(raw, "sources", None)
    if sources is not None and index in sources.index:
        return str(sources.loc[index])
    return raw.file


def combine(raws: Sequence[RawTable], key: Sequence[str]) -> RawTable:
    """One table from several files or sheets (per year, per department), duplicate keys reported.

    Parameters
    ----------
    raws : sequence of RawTable
        The same table read from each file, in file order.
    key : sequence of str
        Columns identifying a row (the table's key); a key found in two files is an error naming
        both files and rows, and only its first occurrence is kept (so it is reported once).

    Returns
    -------
    RawTable
        ``file`` names every file (``"budget_2022.csv + budget_2023.csv"``), ``sources`` gives the
        file of each row, ``rows`` its row in that file; issues and headers are merged. ``totals``
        is empty: check each table's total rows (:func:`casekit.data.accounts.subtotal_issues`)
        before combining.
    """
    frames, rows, sources, issues, unknown = [], [], [], [], []
    headers: dict[str, str] = {}
    for raw in raws:
        frames.append(raw.df)
        rows.append(raw.rows)
        src = raw.sources if raw.sources is not None else pd.Series([raw.file] * len(raw.df), index=raw.df.index)
        sources.append(src)
        issues += raw.issues
        unknown += [u for u in raw.unknown_columns if u not in unknown]
        for k, v in raw.headers.items():
            headers.setdefault(k, v)
    df = pd.concat(frames, ignore_index=True)
    row = pd.concat(rows, ignore_index=True)
    src = pd.concat(sources, ignore_index=True).astype(str)
    label = " + ".join(dict.fromkeys(r.file for r in raws))
    key = [k for k in key if k in df.columns]
    if key and len(df):
        dup = df.duplicated(key, keep=False) & df[key].notna().all(axis=1)
        keep = pd.Series(True, index=df.index)
        for _, group in df[dup].groupby(key, sort=False, dropna=False):
            files = src[group.index]
            if files.nunique() < 2:
                continue                     # duplicates within one file: the schema check reports them
            later = group.index[files != files.iloc[0]]
            keep[later] = False
            where = "; ".join(f"{src[i]} row {row[i]}" if pd.notna(row[i]) else src[i] for i in group.index)
            shown = "/".join(str(group.iloc[0][k]) for k in key)
            i = later[0]
            issues.append(Issue(src[i], None if pd.isna(row[i]) else int(row[i]), None, shown,
                                f"{raws[0].name} row {shown} appears in several files or sheets ({where}); the first "
                                "was kept", "Keep each row in one file only (one file per year or per department).",
                                "error", raws[0].name))
        df, row, src = df[keep].reset_index(drop=True), row[keep].reset_index(drop=True), src[keep].reset_index(drop=True)
    return RawTable(raws[0].name, label, df, row, headers, issues, unknown, pd.DataFrame(), None, src)
