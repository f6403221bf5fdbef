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
