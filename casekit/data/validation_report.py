"""The result of ``casekit validate``: every issue, printable as a table and writable as JSON."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from casekit.errors import InputFileError, Issue, OutputError
from casekit.data.hospital import Hospital

COLUMNS = ["severity", "file", "row", "column", "value", "problem", "fix"]


@dataclass
class ValidationReport:
    """Issues found in one hospital's data.

    Attributes
    ----------
    issues : list of Issue
    hospital : Hospital or None
        The loaded hospital when there is no error.
    source : str
        Folder or workbook validated.
    """

    issues: list[Issue] = field(default_factory=list)
    hospital: Hospital | None = None
    source: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def to_frame(self) -> pd.DataFrame:
        """Issues as a table, errors first.

        Returns
        -------
        pandas.DataFrame
            Columns ``severity, file, row (Int64), column, value, problem, fix, table``.
        """
        rows = [{**i.as_dict(), "table": i.table} for i in self._sorted()]
        df = pd.DataFrame(rows, columns=[*COLUMNS, "table"])
        df["row"] = df["row"].astype("Int64")
        return df

    def write_json(self, path: str | Path) -> Path:
        """Write the report as JSON atomically (temporary file, then rename).

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Path
            The file written: ``{"source", "errors", "warnings", "issues": [...]}``.
        """
        path = Path(path)
        doc = {"source": self.source, "errors": len(self.errors), "warnings": len(self.warnings),
               "issues": [{**i.as_dict(), "table": i.table} for i in self._sorted()]}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, ensure_ascii=False, indent=2)
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}", "Check the folder exists and is writable.") from None
        return path

    def _sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: i.severity != "error")


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
    from casekit.data.loader import validate

    try:
        return validate(path, config=config)
    except InputFileError as exc:
        issue = Issue(str(path), None, None, None, exc.message, exc.hint or "Check the path and the file format.")
        return ValidationReport(issues=[issue], hospital=None, source=str(path))


def print_report(report: ValidationReport, console: Console, max_rows: int = 200) -> None:
    """Print the issues as a table (severity, file, row, column, value, problem, fix) and a summary line.

    Parameters
    ----------
    report : ValidationReport
    console : rich.console.Console
    max_rows : int
        Issues shown in the table; the rest are counted (write ``--json`` for all of them).
    """
    issues = report._sorted()
    if issues:
        table = RichTable(show_lines=False, header_style="bold")
        for name in COLUMNS:
            table.add_column(name, overflow="fold")
        for i in issues[:max_rows]:
            style = "red" if i.severity == "error" else "yellow"
            cells = [i.file, "" if i.row is None else str(i.row), i.column or "", i.value or "", i.problem, i.fix]
            table.add_row(Text(i.severity, style=style), *(Text(c) for c in cells))
        console.print(table)
        if len(issues) > max_rows:
            console.print(f"... {len(issues) - max_rows} more issue(s); use --json FILE to get all of them.",
                          markup=False)
    n_err, n_warn = len(report.errors), len(report.warnings)
    if n_err:
        summary = Text.assemble((f"{n_err} error(s)", "red"), f", {n_warn} warning(s) in {report.source}: "
                                "fix the errors and run casekit validate again.")
    elif report.hospital is not None:
        summary = Text.assemble(("OK", "green"), f": {report.hospital!r} loaded from {report.source} "
                                f"with {n_warn} warning(s).")
    else:
        summary = Text(f"{n_warn} warning(s) in {report.source}.")
    console.print(summary)
