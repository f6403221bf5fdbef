"""Load a hospital's data folder or workbook into a validated :class:`~casekit.data.hospital.Hospital`.

:func:`load` reads the files (:mod:`casekit.data.io.readers`), aggregates a transaction ledger to
monthly actuals when the folder holds one instead of ``actuals`` (:mod:`casekit.data.io.ledger`,
imported only then), and validates everything in one pass (:func:`casekit.data.validation.validate_tables`).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from casekit.errors import ConfigError, DataValidationError, InputFileError, Issue
from casekit.data.amounts import plausibility_limits
from casekit.data.hospital import OPTIONAL_TABLES, Hospital
from casekit.data.schema.tables import REQUIRED_TABLES
from casekit.data.validation import validate_tables
from casekit.data.validation_report import ValidationReport, split_file

LedgerAggregator = Callable[[list[Path]], tuple[Any, list[Issue]]]
MAX_EXCEL_BYTES_ENV = "CASEKIT_MAX_EXCEL_BYTES"
"""Environment variable overriding the largest Excel workbook read (bytes; default 50 MB)."""


def excel_size_limit() -> int:
    """Largest Excel workbook casekit reads: ``$CASEKIT_MAX_EXCEL_BYTES`` when set, else 50 MB.

    Returns
    -------
    int
        Bytes on disk (see :data:`casekit.data.io.readers.DEFAULT_MAX_BYTES`).

    Raises
    ------
    ConfigError
        The variable is set but is not a positive whole number.
    """
    from casekit.data.io.readers import DEFAULT_MAX_BYTES

    text = os.environ.get(MAX_EXCEL_BYTES_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    value = int(text) if text.isdigit() else 0
    if value <= 0:
        raise ConfigError(f"{MAX_EXCEL_BYTES_ENV}={text!r} is not a positive number of bytes",
                          hint=f"set e.g. {MAX_EXCEL_BYTES_ENV}=104857600 (100 MB), or unset it for the 50 MB default")
    return value


def load(path: str | Path, *, ledger_aggregator: LedgerAggregator | None = None,
         max_bytes: int | None = None, config: str | Path | Mapping[str, Any] | None = None) -> Hospital:
    """Read, validate and return one hospital.

    Parameters
    ----------
    path : str or Path
        Hospital data folder (CSV / Excel / Parquet files and ``hospital.yaml``) or one workbook.
    ledger_aggregator : callable, optional
        ``f(files) -> (RawTable, issues)`` turning ledger files into an ``actuals`` table; default
        :func:`casekit.data.io.ledger.aggregate_ledger`. Used only when the folder has ledger files and
        no actuals table.
    max_bytes : int, optional
        Largest Excel workbook read; default :func:`excel_size_limit`.
    config : path or mapping, optional
        Thresholds file (``--config``) whose ``data.*`` plausibility limits override the defaults.

    Returns
    -------
    Hospital
        Money in the profile's currency and scale (:mod:`casekit.money`); warnings found while loading
        in ``hospital.notes``.

    Raises
    ------
    DataValidationError
        With every issue found, when any is an error.
    InputFileError
        When the path cannot be read at all.

    Examples
    --------
    >>> from casekit.paths import J_HOSPITAL_DIR
    >>> h = load(J_HOSPITAL_DIR)
    >>> h.budget.columns.tolist()[:3], len(h.departments)
    (['year', 'dept_id', 'account_id'], 30)
    """
    hospital, issues = read_and_validate(path, ledger_aggregator=ledger_aggregator, max_bytes=max_bytes,
                                         config=config)
    if hospital is None:
        raise DataValidationError(issues, source=str(path))
    return hospital


def validate(path: str | Path, *, ledger_aggregator: LedgerAggregator | None = None,
             max_bytes: int | None = None, config: str | Path | Mapping[str, Any] | None = None) -> ValidationReport:
    """Validate one hospital and return the report instead of raising on data errors.

    Parameters
    ----------
    path : str or Path
    ledger_aggregator : callable, optional
        See :func:`load`.
    max_bytes : int, optional
        See :func:`load`.
    config : path or mapping, optional
        See :func:`load`.

    Returns
    -------
    ValidationReport
        Every issue; ``hospital`` is set when there are no errors.

    Raises
    ------
    InputFileError
        When the path cannot be read at all (:func:`validate_path`
        turns this into an issue instead).
    """
    hospital, issues = read_and_validate(path, ledger_aggregator=ledger_aggregator, max_bytes=max_bytes,
                                         config=config)
    return ValidationReport(issues=issues, hospital=hospital, source=str(path))


def read_and_validate(path: str | Path, *, ledger_aggregator: LedgerAggregator | None = None,
                      max_bytes: int | None = None,
                      config: str | Path | Mapping[str, Any] | None = None) -> tuple[Hospital | None, list[Issue]]:
    """Read the files under ``path`` and validate them (the shared core of :func:`load` and :func:`validate`).

    Parameters
    ----------
    path : str or Path
    ledger_aggregator : callable, optional
    max_bytes : int, optional
        Largest Excel workbook read; default :func:`excel_size_limit`.
    config : path or mapping, optional
        See :func:`load`.

    Returns
    -------
    hospital : Hospital or None
    issues : list of Issue
    """
    from casekit.data.io.readers import read_hospital_files

    path = Path(path)
    max_bytes = excel_size_limit() if max_bytes is None else max_bytes
    tables, raw_profile, file_issues = read_hospital_files(path, max_bytes=max_bytes)
    tables = {name: raw for name, raw in tables.items() if name != "ledger" and not untouched_sheet(raw)}
    file_issues = list(file_issues)
    if path.is_file():
        file_issues += missing_sheet_issues(path, tables, max_bytes=max_bytes)
    ledger = ledger_files(path, max_bytes=max_bytes)
    if ledger and "actuals" in tables:
        file_issues.append(Issue(ledger[0].name, None, None, None,
                                 "both an actuals table and ledger files were found; the ledger is ignored",
                                 "Remove one of them so it is clear which is the source of actuals.",
                                 "warning", "ledger"))
    elif ledger:
        if ledger_aggregator is None:
            from casekit.data.io.ledger import aggregate_ledger as ledger_aggregator
        actuals, ledger_issues = ledger_aggregator(ledger)
        tables["actuals"] = actuals
        file_issues += ledger_issues
    return validate_tables(tables, raw_profile, file_issues, source=path, limits=plausibility_limits(config))


def ledger_files(path: Path, *, max_bytes: int | None = None) -> list[Path]:
    """Ledger files of a hospital folder (``ledger*.csv`` / ``ledger*.parquet``, ``明细账*`` ...), sorted.

    Parameters
    ----------
    path : Path
        Hospital folder; a single workbook has no ledger files.
    max_bytes : int, optional
        Largest Excel workbook opened while listing the folder; default :func:`excel_size_limit`.

    Returns
    -------
    list of Path
        As found by :func:`casekit.data.io.readers.discover` (same file-name rules as every table).
    """
    if not path.is_dir():
        return []
    from casekit.data.io.readers import discover

    limit = excel_size_limit() if max_bytes is None else max_bytes
    return sorted(Path(p) for p in discover(path, max_bytes=limit).get("ledger", []))


def validate_path(path: str | Path, config: str | Path | None = None) -> ValidationReport:
    """Validate a hospital folder or workbook without raising for problems in the data.

    Parameters
    ----------
    path : str or Path
    config : str or Path, optional
        Thresholds file whose ``data.*`` plausibility limits override the defaults.

    Returns
    -------
    ValidationReport
        An unreadable path (:class:`~casekit.errors.InputFileError`) becomes one error issue.
    """
    try:
        return validate(path, config=config)
    except InputFileError as exc:
        issue = Issue(str(path), None, None, None, exc.message, exc.hint or "Check the path and the file format.")
        return ValidationReport(issues=[issue], hospital=None, source=str(path))


def untouched_sheet(raw: Any) -> bool:
    """Whether ``raw`` is an optional workbook sheet left as the template wrote it (headers, no rows).

    Such a sheet is simply absent: the template writes every optional table, and a client who
    has no workload or survey data leaves those sheets alone. A sheet with rows, with a problem
    (an error, an unknown column) or a separate file is kept and reported as usual.

    Parameters
    ----------
    raw : casekit.data.io.raw.RawTable

    Returns
    -------
    bool
    """
    return (raw.name in OPTIONAL_TABLES and len(raw.df) == 0 and bool(split_file(raw.file)[1])
            and not raw.unknown_columns and all(i.severity == "warning" for i in raw.issues))


def missing_sheet_issues(book: Path, tables: Mapping[str, Any], *, max_bytes: int) -> list[Issue]:
    """One error per required table a workbook has no sheet for, suggesting the closest sheet name.

    Parameters
    ----------
    book : Path
        The workbook (``casekit validate book.xlsx``).
    tables : mapping
        Tables read from it.
    max_bytes : int
        Largest workbook opened (it was opened already; this only lists its sheets).

    Returns
    -------
    list of Issue
        Named by the workbook and written in the language of its sheet names, e.g.
        ``book.xlsx has no sheet for the required table actuals`` with the fix ``Sheet 'Actual
        2024' looks like it: rename it to actuals.`` (:func:`casekit.data.io.hints.missing_sheet`).
    """
    from casekit.data.io.hints import missing_sheet
    from casekit.data.io.readers import IGNORED_SHEETS, discover
    from casekit.data.io.xlsx import Workbook
    from casekit.data.io.headers import normalise_header

    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if not missing:
        return []
    used = {ref[1] for ref in discover(book, max_bytes=max_bytes).values() if isinstance(ref, tuple)}
    with Workbook(book) as wb:
        sheets = list(wb.sheet_names)
    unmatched = [s for s in sheets if s not in used and normalise_header(s) not in IGNORED_SHEETS]
    return [missing_sheet(book.name, name, sheets, unmatched) for name in missing]
