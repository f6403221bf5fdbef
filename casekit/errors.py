"""The one error hierarchy of casekit.

Every error a user can cause derives from :class:`CasekitError` and prints as a readable
message that says what to do. The command-line interface catches ``CasekitError`` and exits
with status 1 without a traceback; any other exception is a bug in casekit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in a user's input.

    Attributes
    ----------
    file : str
        File (or ``workbook.xlsx[sheet]``) the problem is in.
    row : int or None
        Row number as the user sees it in a spreadsheet (header is row 1, first data row is 2).
        ``None`` when the problem concerns a whole column or file.
    column : str or None
        Column header as written in the user's file (not the canonical name) where known.
    value : str or None
        The offending value, shortened.
    problem : str
        What is wrong.
    fix : str
        What the user should do.
    severity : {"error", "warning"}
        Errors stop the run; warnings are reported and travel with the results.
    table : str or None
        Canonical table name (``budget``, ``actuals`` ...).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    fix: str
    severity: Severity = "error"
    table: str | None = None

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "problem": self.problem,
            "fix": self.fix,
        }

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        val = f" (value: {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity}: {where}: {self.problem}{val}. Fix: {self.fix}"


class CasekitError(Exception):
    """Base class of every error casekit raises on purpose.

    Parameters
    ----------
    message : str
        What went wrong, in one sentence.
    hint : str, optional
        What the user should do about it.
    """

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\nHint: {hint}")


class DataValidationError(CasekitError):
    """The hospital's data has errors; ``issues`` lists every one found in a single pass."""

    def __init__(self, issues: list[Issue], source: str = ""):
        self.issues = list(issues)
        self.source = source
        errors = [i for i in self.issues if i.severity == "error"]
        head = f"{len(errors)} error(s) in the hospital data{' at ' + source if source else ''}"
        lines = [head + ":"] + [f"  - {i}" for i in errors[:50]]
        if len(errors) > 50:
            lines.append(f"  ... and {len(errors) - 50} more (run `casekit validate` for the full table)")
        super().__init__("\n".join(lines), hint="Correct the files named above and run `casekit validate` again.")


class InputFileError(CasekitError):
    """A file cannot be read at all (missing, empty, wrong format, too large, unsafe)."""


class CommentsFileError(InputFileError):
    """A returned variance-comments workbook (``comments.xlsx``) has wrong cells; ``issues`` lists every one."""

    def __init__(self, issues: list[Issue], source: str = ""):
        self.issues = list(issues)
        self.source = source
        lines = [f"{len(self.issues)} problem(s) in the comments file {source}:"] + [f"  - {i}" for i in self.issues[:50]]
        if len(self.issues) > 50:
            lines.append(f"  ... and {len(self.issues) - 50} more")
        super().__init__("\n".join(lines), hint="Correct the cells named above and run `casekit monitor` again.")


class ConfigError(CasekitError):
    """A thresholds file, a run parameter or a command-line option is invalid."""


class NotebookExecutionError(CasekitError):
    """A notebook failed while the runner executed it.

    Attributes
    ----------
    notebook : str
        Notebook file name.
    cell_index : int or None
        Index of the failing cell (0-based, as papermill counts).
    ename, evalue : str
        Exception name and value raised inside the kernel.
    """

    def __init__(self, notebook: str, cell_index: int | None, ename: str, evalue: str, executed_path: str = ""):
        self.notebook = notebook
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
        self.executed_path = executed_path
        where = f"notebook {notebook}" + (f", cell {cell_index}" if cell_index is not None else "")
        hint = "Open the executed notebook to see the full cell output"
        if executed_path:
            hint += f": {executed_path}"
        super().__init__(f"{where} failed: {ename}: {evalue}", hint=hint)


class OutputError(CasekitError):
    """An output could not be written, or an expected output is missing after a run."""


class MissingDependencyError(CasekitError):
    """An optional tool (for example Chromium) is not installed; the message names the install command."""


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (difflib ratio at least ``cutoff``), for "did you mean" fixes.

    Case, spaces, underscores and hyphens are ignored when comparing, so ``"Actual"`` finds
    ``"actuals"`` and ``"p3.line share"`` finds ``"p3.line_share_beyond"``.

    Parameters
    ----------
    word : str
    choices : iterable of str
    cutoff : float
        Smallest similarity (0-1) accepted.

    Returns
    -------
    str or None
        The closest choice as given, or ``None`` when none is close enough.

    Examples
    --------
    >>> closest("p3.line_share", ["p3.line_share_beyond", "p3.dept_share_beyond"])
    'p3.line_share_beyond'
    >>> closest("执行数据", ["科室", "执行"], cutoff=0.5)
    '执行'
    >>> closest("zzz", ["budget"]) is None
    True
    """
    import difflib

    def norm(text: str) -> str:
        return "".join(ch for ch in str(text).casefold() if ch not in " _-\u3000")

    options = {}
    for c in choices:
        options.setdefault(norm(c), c)
    found = difflib.get_close_matches(norm(word), list(options), n=1, cutoff=cutoff)
    return options[found[0]] if found else None


class warnings_as_issues:
    """Record the warnings raised inside the block as :class:`Issue` notes instead of printing them.

    Each distinct warning becomes one ``warning`` issue on file ``"(computation)"``, so it travels
    into the report (its validation-notes table) rather than into a notebook's stderr.

    Parameters
    ----------
    notes : list of Issue
        Appended to on exit; a warning whose text is already there is not repeated.

    Examples
    --------
    >>> import warnings
    >>> notes = []
    >>> with warnings_as_issues(notes):
    ...     warnings.warn("mean of empty slice", RuntimeWarning)
    >>> notes[0].problem
    'RuntimeWarning: mean of empty slice'
    """

    def __init__(self, notes: list[Issue]):
        import warnings

        self.notes = notes
        self._cm = warnings.catch_warnings(record=True)
        self._caught: list = []

    def __enter__(self) -> None:
        import warnings

        self._caught = self._cm.__enter__()
        warnings.simplefilter("always")

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)
        seen = {n.problem for n in self.notes}
        for w in self._caught:
            problem = f"{w.category.__name__}: {w.message}"
            if problem not in seen:
                seen.add(problem)
                self.notes.append(Issue("(computation)", None, None, None, problem,
                                        "Check the input values named in the message.", "warning"))
