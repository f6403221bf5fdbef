"""Finance-system exports read as they come: HRP budget-execution workbooks and final-accounts tables.

:func:`read_exports` takes the files and sheets whose names match no casekit table, keeps those
that look like an export (an account name or code column and an amount column in the first rows),
reads each (:mod:`~casekit.data.exports.layout`, :mod:`~casekit.data.exports.lines`) and reshapes
them together into the canonical tables (:mod:`~casekit.data.exports.build`), using the mapping file
(:mod:`~casekit.data.exports.mapping`) for what an export cannot say.
"""
from __future__ import annotations

from pathlib import Path

from casekit.errors import Issue
from casekit.data.exports.build import ExportSheet, build_tables, read_export_sheet
from casekit.data.exports.layout import ExportLayoutError, looks_like_export
from casekit.data.exports.mapping import read_mapping
from casekit.data.io.grids import Books, csv_grid, sheet_grid
from casekit.data.io.raw import RawTable

UNREADABLE = "an export layout casekit cannot read"
"""Phrase in the message of an export whose layout cannot be read (validation then reports no missing tables)."""

Ref = tuple[Path, "str | None"]


def probe(refs: list[Ref], books: Books) -> tuple[list[ExportSheet], list[Ref], list[Issue]]:
    """Read the files/sheets that look like finance-system exports.

    Parameters
    ----------
    refs : list of (Path, sheet name or None)
        Candidate CSV files (sheet ``None``) and workbook sheets.
    books : Books
        Open workbooks of this read.

    Returns
    -------
    sheets : list of ExportSheet
        The exports read.
    others : list of (Path, sheet)
        Candidates that do not look like an export.
    issues : list of Issue
        One error per export sheet whose layout cannot be read, saying what to do.
    """
    sheets: list[ExportSheet] = []
    others: list[Ref] = []
    issues: list[Issue] = []
    per_book: dict[Path, int] = {}
    grids = []
    for path, sheet in refs:
        label = f"{path.name}[{sheet}]" if sheet else path.name
        grid = sheet_grid(books.get(path), sheet, label) if sheet else csv_grid(path, label)
        cells = grid.cells.apply(lambda c: c.str.strip()) if not grid.cells.empty else grid.cells
        if cells.empty or not looks_like_export(cells):
            others.append((path, sheet))
            continue
        grids.append((path, sheet, label, grid))
        per_book[path] = per_book.get(path, 0) + 1
    for path, sheet, label, grid in grids:
        try:
            sheets.append(read_export_sheet(grid, label, path.name, sheet, per_book[path] > 1))
        except ExportLayoutError as exc:
            issues.append(Issue(label, exc.row, None, None, f"{UNREADABLE}: {exc.problem}", exc.fix, "error"))
    return sheets, others, issues


def read_exports(sheets: list[ExportSheet], mapping_path: Path | None, profile_unit: str | None,
                 source: str) -> tuple[dict[str, RawTable], dict, list[Issue]]:
    """Reshape the export sheets of one hospital into canonical tables.

    Parameters
    ----------
    sheets : list of ExportSheet
        From :func:`probe`.
    mapping_path : Path or None
        The hospital's ``casekit-mapping.yaml``.
    profile_unit : str or None
        The profile's ``currency_unit`` when a profile was given.
    source : str
        Name of the input for messages.

    Returns
    -------
    tables, facts, issues
        See :func:`casekit.data.exports.build.build_tables`; the mapping file's own issues are
        included.
    """
    mapping, issues = read_mapping(mapping_path)
    tables, facts, found = build_tables(sheets, mapping, profile_unit, source)
    return tables, facts, issues + found
