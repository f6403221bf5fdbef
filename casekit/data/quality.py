"""Data-quality checks a careful analyst makes on budget and actuals, beyond types and references.

a budget column that equals the previous year's actual on most lines (a mislabelled column, or a
budget copied from last year's outturn).

Each check returns warnings (:class:`~casekit.errors.Issue`) that travel into the report. The
cell-level checks live where the cells are read: a month whose year disagrees with the row's
year (``casekit.data.io.frame``), a unit slip at the cell the clerk typed
(:func:`casekit.data.amounts.amount_issues`, value in the file's own unit).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data.lines import LineKeys

COPIED_SHARE = 0.8
"""Share of a year's budget lines equal to last year's actual that makes the budget column suspect."""
MIN_LINES = 5
KEY = ["year", "dept_id", "account_id"]


def copied_budget_issues(frames: dict[str, pd.DataFrame], raws: dict[str, Any],
                         lines: LineKeys | None = None) -> list[Issue]:
    """Warn when a year's original budget equals the previous year's actual on most lines.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Conformed ``budget`` and ``actuals`` (in the profile's unit).
    raws : dict of str to RawTable
        For the file name and headers.
    lines : casekit.data.lines.LineKeys, optional
        Line codes of the tables (built here when not given).

    Returns
    -------
    list of Issue
        One warning per year where at least :data:`COPIED_SHARE` of at least :data:`MIN_LINES`
        budget lines (with a prior actual) equal that actual to the cent.

    Examples
    --------
    >>> b = pd.DataFrame({"year": [2024] * 5, "dept_id": ["D"] * 5, "account_id": list("abcde"),
    ...                   "original": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> a = pd.DataFrame({"year": [2023] * 5, "dept_id": ["D"] * 5, "account_id": list("abcde"),
    ...                   "amount": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> from casekit.data.io.raw import RawTable
    >>> r = RawTable("budget", "budget.csv", b, pd.Series(range(2, 7)), {}, [], [])
    >>> [i.problem[:40] for i in copied_budget_issues({"budget": b, "actuals": a}, {"budget": r})]
    ['the original budget of 2024 equals the a']
    """
    if "budget" not in frames or "actuals" not in frames:
        return []
    lines = LineKeys(frames) if lines is None else lines
    year, original, b_key = _by_line(lines, "budget", frames["budget"], "original", 0)
    _, amount, a_key = _by_line(lines, "actuals", frames["actuals"], "amount", 1)
    match = pd.Index(a_key).get_indexer(b_key)
    both = match >= 0
    year, original, amount = year[both], original[both], amount[match[both]]
    kept = amount != 0
    year, original, amount = year[kept], original[kept], amount[kept]
    issues = []
    raw = raws["budget"]
    for y in np.unique(year):
        g = year == y
        if g.sum() < MIN_LINES:
            continue
        same = np.isclose(original[g], amount[g], rtol=0, atol=0.005)
        share = float(same.mean())
        if share >= COPIED_SHARE:
            issues.append(Issue(raw.file, None, raw.headers.get("original", "original"), f"{share:.0%}",
                                f"the original budget of {int(y)} equals the actual of {int(y) - 1} on {same.sum()} of "
                                f"{int(g.sum())} lines ({share:.0%}): is this column really the {int(y)} budget (年初预算), "
                                "or last year's actual (上年实际)?",
                                "Check the column's header in the export; if the budget really copies last year's "
                                "outturn, nothing to fix (the rigidity analysis will show it).", "warning", "budget"))
    return issues


def _by_line(lines: LineKeys, name: str, df: pd.DataFrame, column: str,
             shift: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, summed ``column`` and :meth:`~casekit.data.lines.LineKeys.year_key` of each line of ``df``."""
    codes = lines.code(name, df)
    present = codes >= 0
    used, first = np.unique(codes[present], return_index=True)
    sums = lines.sums(name, df, column)[used]
    years = df["year"].to_numpy(dtype="float64", na_value=np.nan)[present][first]
    return years, sums, lines.year_key(name, df, shift)[present][first]
