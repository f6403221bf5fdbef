"""The result of ``casekit validate``: every issue, printable as a table and writable as JSON."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from casekit.errors import InputFileError, Issue, OutputError
from casekit.data.hospital import OPTIONAL_TABLES, Hospital
from casekit.fs.overwrite import json_with_keys
from casekit.terminal import printable

COLUMNS = ["severity", "file", "row", "column", "value", "problem", "fix"]
_SHEET_LABEL = re.compile(r"^(.*)\[([^\[\]]*)\]$")


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

    def to_json(self) -> str:
        """The report as a JSON document: ``{"source", "errors", "warnings", "issues": [...]}``."""
        doc = {"source": self.source, "errors": len(self.errors), "warnings": len(self.warnings),
               "issues": [{**i.as_dict(), "table": i.table} for i in self._sorted()]}
        return json.dumps(doc, ensure_ascii=False, indent=2)

    def write_json(self, path: str | Path) -> Path:
        """Write :meth:`to_json` to ``path`` atomically (temporary file, then rename).

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Path
            The file written.
        """
        from casekit.fs.atomic import write_text

        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return write_text(path, self.to_json())
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}", "Check the folder exists and is writable.") from None

    def summary(self) -> str:
        """One sentence: how many errors and warnings, and what to do next.

        Examples
        --------
        >>> ValidationReport(source="h").summary()
        'No problems found in h, but no hospital was loaded.'
        """
        n_err, n_warn = len(self.errors), len(self.warnings)
        warn = f"{n_warn} warning{'s' if n_warn != 1 else ''}"
        if n_err:
            return (f"{n_err} error{'s' if n_err != 1 else ''} and {warn} in {self.source}: "
                    "fix the errors and run casekit validate again.")
        if self.hospital is None:
            return f"No problems found in {self.source}, but no hospital was loaded." if not n_warn else \
                f"{warn.capitalize()} in {self.source}."
        h = self.hospital
        years = h.years
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "no common year")
        optional = [n for n in OPTIONAL_TABLES if h.has(n)]
        return (f"OK: {h.name} loaded from {self.source}: {len(h.departments)} departments, "
                f"{len(h.accounts)} accounts, years {span}, {'monthly' if h.is_monthly else 'annual'} actuals, "
                f"optional tables: {', '.join(optional) if optional else 'none'}; {warn}.")

    def _sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: i.severity != "error")


is_report_json = json_with_keys({"source", "errors", "warnings", "issues"})
"""Whether a file is a JSON report written by :meth:`ValidationReport.write_json` (so it may be replaced)."""


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


def split_file(label: str) -> tuple[str, str]:
    """``("book.xlsx", "预算")`` from an issue's ``"book.xlsx[预算]"``; ``(label, "")`` for a plain file.

    Examples
    --------
    >>> split_file("j.xlsx[预算]"), split_file("budget.csv")
    (('j.xlsx', '预算'), ('budget.csv', ''))
    """
    match = _SHEET_LABEL.match(label or "")
    return (match.group(1), match.group(2)) if match else (label or "", "")


def issue_line(issue: Issue) -> str:
    """One issue as ``file:sheet:row:column: severity: problem — fix`` (empty fields stay empty).

    Examples
    --------
    >>> issue_line(Issue("j.xlsx[预算]", 3, "科室编码", "101", "unknown department '101'", "Add it."))
    "j.xlsx:预算:3:科室编码: error: unknown department '101' — Add it."
    """
    file, sheet = split_file(issue.file)
    value = issue.value if issue.value not in (None, "") and issue.value not in issue.problem else None
    problem = issue.problem + (f" (value {value!r})" if value is not None else "")
    row = "" if issue.row is None else str(issue.row)
    return f"{file}:{sheet}:{row}:{issue.column or ''}: {issue.severity}: {problem} — {issue.fix}"


def print_report(report: ValidationReport, console: Console, max_rows: int = 200) -> None:
    """Print the issues and a summary sentence.

    On a terminal the issues are a table (severity, file, row, column, value, problem, fix);
    otherwise (a pipe, a log file) every issue is one plain line (:func:`issue_line`), none
    left out, so that ``grep`` and editors can read them.

    Parameters
    ----------
    report : ValidationReport
    console : rich.console.Console
    max_rows : int
        Issues shown in the terminal table; the rest are counted (write ``--json`` for all of them).
    """
    issues = report._sorted()
    if not console.is_terminal:
        for i in issues:
            console.print(printable(issue_line(i)), markup=False, highlight=False, soft_wrap=True)
        console.print(printable(report.summary()), markup=False, highlight=False, soft_wrap=True)
        return
    if issues:
        table = RichTable(show_lines=False, header_style="bold")
        for name in COLUMNS:
            table.add_column(name, overflow="fold")
        for i in issues[:max_rows]:
            style = "red" if i.severity == "error" else "yellow"
            cells = [i.file, "" if i.row is None else str(i.row), i.column or "", i.value or "", i.problem, i.fix]
            table.add_row(Text(i.severity, style=style), *(Text(printable(c)) for c in cells))
        console.print(table)
        if len(issues) > max_rows:
            console.print(f"... {len(issues) - max_rows} more issue(s); use --json FILE to get all of them.",
                          markup=False)
    style = "red" if report.has_errors else "green" if report.hospital is not None else ""
    console.print(Text(printable(report.summary()), style=style))
