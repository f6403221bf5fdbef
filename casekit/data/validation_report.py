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

from casekit.labels import LABELS, issue_text, label
from casekit.errors import Issue, OutputError
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

    def summary(self, lang: str = "en") -> str:
        """One sentence: how many errors and warnings, and what to do next (in ``lang``).

        Examples
        --------
        >>> ValidationReport(source="h").summary()
        'No problems found in h, but no hospital was loaded.'
        >>> ValidationReport(source="h").summary("zh")
        '未发现问题（h），但没有载入医院数据。'
        """
        n_err, n_warn = len(self.errors), len(self.warnings)
        zh = lang == "zh"
        warn = f"{n_warn}个警告" if zh else f"{n_warn} warning{'s' if n_warn != 1 else ''}"
        if n_err:
            return (f"{self.source} 中有{n_err}个错误和{warn}：请修改错误后再次运行 casekit validate。" if zh else
                    f"{n_err} error{'s' if n_err != 1 else ''} and {warn} in {self.source}: "
                    "fix the errors and run casekit validate again.")
        if self.hospital is None:
            if zh:
                return f"未发现问题（{self.source}），但没有载入医院数据。" if not n_warn else f"{self.source} 中有{warn}。"
            return f"No problems found in {self.source}, but no hospital was loaded." if not n_warn else \
                f"{warn.capitalize()} in {self.source}."
        h = self.hospital
        years = h.years
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "no common year")
        optional = [n for n in OPTIONAL_TABLES if h.has(n)]
        if zh:
            from casekit.data.schema.tables import TABLES

            names = "、".join(TABLES[n].zh or n for n in optional) if optional else "无"
            return (f"通过：已从 {self.source} 载入 {h.name}：{len(h.departments)}个科室，{len(h.accounts)}个科目，"
                    f"年度 {span}，{'月度' if h.is_monthly else '年度'}执行数，选填表：{names}；{warn}。")
        return (f"OK: {h.name} loaded from {self.source}: {len(h.departments)} departments, "
                f"{len(h.accounts)} accounts, years {span}, {'monthly' if h.is_monthly else 'annual'} actuals, "
                f"optional tables: {', '.join(optional) if optional else 'none'}; {warn}.")

    def _sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: i.severity != "error")


is_report_json = json_with_keys({"source", "errors", "warnings", "issues"})
"""Whether a file is a JSON report written by :meth:`ValidationReport.write_json` (so it may be replaced)."""


def split_file(label: str) -> tuple[str, str]:
    """``("book.xlsx", "预算")`` from an issue's ``"book.xlsx[预算]"``; ``(label, "")`` for a plain file.

    Examples
    --------
    >>> split_file("j.xlsx[预算]"), split_file("budget.csv")
    (('j.xlsx', '预算'), ('budget.csv', ''))
    """
    match = _SHEET_LABEL.match(label or "")
    return (match.group(1), match.group(2)) if match else (label or "", "")


def issue_line(issue: Issue, lang: str = "en") -> str:
    """One issue as ``file:sheet:row:column: severity: problem — fix`` (empty fields stay empty).

    With ``lang="zh"`` the problem and fix are the Chinese ones where casekit has them
    (:func:`casekit.labels.issue_text`); the severity word stays English for ``grep``.

    Examples
    --------
    >>> issue_line(Issue("j.xlsx[预算]", 3, "科室编码", "101", "unknown department '101'", "Add it."))
    "j.xlsx:预算:3:科室编码: error: unknown department '101' — Add it."
    """
    file, sheet = split_file(issue.file)
    value = issue.value if issue.value not in (None, "") and issue.value not in issue.problem else None
    problem = issue_text(issue.problem, lang) + (f" (value {value!r})" if value is not None else "")
    row = "" if issue.row is None else str(issue.row)
    return f"{file}:{sheet}:{row}:{issue.column or ''}: {issue.severity}: {problem} — {issue_text(issue.fix, lang)}"


def print_report(report: ValidationReport, console: Console, max_rows: int = 200, lang: str = "en") -> None:
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
    lang : {"en", "zh"}
        Language of the headers, problems, fixes and the summary.
    """
    issues = report._sorted()
    if not console.is_terminal:
        for i in issues:
            console.print(printable(issue_line(i, lang)), markup=False, highlight=False, soft_wrap=True)
        console.print(printable(report.summary(lang)), markup=False, highlight=False, soft_wrap=True)
        return
    if issues:
        table = RichTable(show_lines=False, header_style="bold")
        for name in COLUMNS:
            table.add_column(label(f"col.{name}", lang) if f"col.{name}" in LABELS else name, overflow="fold")
        for i in issues[:max_rows]:
            style = "red" if i.severity == "error" else "yellow"
            cells = [i.file, "" if i.row is None else str(i.row), i.column or "", i.value or "",
                     issue_text(i.problem, lang), issue_text(i.fix, lang)]
            table.add_row(Text(label(f"severity.{i.severity}", lang), style=style), *(Text(printable(c)) for c in cells))
        console.print(table)
        if len(issues) > max_rows:
            more = len(issues) - max_rows
            console.print(f"……另有{more}个问题；使用 --json 文件 获取全部。" if lang == "zh" else
                          f"... {more} more issue(s); use --json FILE to get all of them.", markup=False)
    style = "red" if report.has_errors else "green" if report.hospital is not None else ""
    console.print(Text(printable(report.summary(lang)), style=style))
