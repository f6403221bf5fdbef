"""Years and months of the budget and the actuals: years without a counterpart, annual and monthly rows, partial years.

Checks of :func:`casekit.data.validation.validate_tables` on the conformed tables, each on the
distinct years and months as numpy arrays (no grouping of the rows unless a problem is found),
returning :class:`~casekit.errors.Issue` objects with the file, row and header.

References
----------
docs/data-format.md (annual-only data, a year in progress and ``casekit monitor``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data import fiscal
from casekit.data.io.raw import user_file, user_row


def _years(df: pd.DataFrame) -> np.ndarray:
    """The distinct non-blank years of a table, sorted (float)."""
    years = df["year"].to_numpy(dtype="float64", na_value=np.nan)
    return np.unique(years[~np.isnan(years)])


def year_issues(frames: dict[str, pd.DataFrame], raws: dict[str, Any]) -> list[Issue]:
    """Warnings for a year with a budget but no actuals, and for one with actuals but no budget.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Conformed tables (``budget`` and ``actuals`` used).
    raws : dict of str to RawTable
        For file names and headers.

    Returns
    -------
    list of Issue
    """
    if "budget" not in frames or "actuals" not in frames:
        return []
    b, a = set(_years(frames["budget"]).astype(int).tolist()), set(_years(frames["actuals"]).astype(int).tolist())
    issues = [Issue(raws["budget"].file, None, raws["budget"].headers.get("year", "year"), str(y),
                    f"year {y} has a budget but no actuals", "Add the actuals of that year, or ignore: it is "
                    "left out of budget-versus-actual indicators.", "warning", "budget") for y in sorted(b - a)]
    issues += [Issue(raws["actuals"].file, None, raws["actuals"].headers.get("year", "year"), str(y),
                     f"year {y} has actuals but no budget", "Add the budget of that year, or ignore: it is used "
                     "only as history (e.g. last year's actual for the naive forecast).", "warning", "actuals")
               for y in sorted(a - b)]
    return issues


def month_issues(frames: dict[str, pd.DataFrame], raws: dict[str, Any]) -> list[Issue]:
    """Annual-only actuals (a warning), or a year mixing monthly rows and rows without a month (an error).

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Conformed tables (``actuals`` used).
    raws : dict of str to RawTable
        For file names, rows and headers.

    Returns
    -------
    list of Issue
    """
    if "actuals" not in frames:
        return []
    df, raw = frames["actuals"], raws["actuals"]
    header = raw.headers.get("month", "month")
    blank = df["month"].isna().to_numpy()
    if blank.all():
        return [Issue(raw.file, None, header, None, "actuals are annual only (no months): accepted; monthly "
                      "indicators will be reported as not assessed",
                      "Supply monthly actuals (a month column, 1-12) for time-progress and year-end analysis.",
                      "warning", "actuals")]
    if not blank.any():
        return []
    issues = []
    for year, group in df.groupby("year", sort=True):
        blank = group["month"].isna()
        if blank.any() and not blank.all():
            issues.append(Issue(user_file(raw, group.index[blank][0]), user_row(raw, group.index[blank][0]), header, None,
                                f"actuals of {year} mix monthly rows and {int(blank.sum())} row(s) without a month",
                                "Give every row of a year a month (1-12), or none of them (annual figures).",
                                "error", "actuals"))
    return issues


def partial_year_issues(frames: dict[str, pd.DataFrame], raws: dict[str, Any], start: int = 1) -> list[Issue]:
    """A budget year whose monthly actuals stop before its last (fiscal) month: say what it allows.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Conformed tables (``budget`` and ``actuals``, months already fiscal months).
    raws : dict of str to RawTable
        For file names and headers.
    start : int
        First calendar month of the fiscal year (the ``--through`` hint is a calendar month).

    Returns
    -------
    list of Issue
        One warning per partial year, naming the complete years the annual rules use.
    """
    if "budget" not in frames or "actuals" not in frames:
        return []
    a = frames["actuals"]
    month = a["month"].to_numpy(dtype="float64", na_value=np.nan)
    year = a["year"].to_numpy(dtype="float64", na_value=np.nan)
    monthly = ~np.isnan(month) & ~np.isnan(year)
    if not (~np.isnan(month)).any():
        return []
    budget_years = set(_years(frames["budget"]).astype(int).tolist())
    actual_years, codes = np.unique(year[monthly], return_inverse=True)
    latest = np.full(len(actual_years), -np.inf)
    np.maximum.at(latest, codes, month[monthly])            # last month of each year (groupby max)
    last = dict(zip(actual_years.astype(int).tolist(), latest.astype(int).tolist()))
    annual = set(np.unique(year[np.isnan(month) & ~np.isnan(year)]).astype(int).tolist())
    present = set(_years(a).astype(int).tolist())
    years = sorted(y for y in budget_years if y in present)
    partial = [y for y in years if y in last and last[y] < 12 and y not in annual]
    complete = [y for y in years if y not in partial]
    raw = raws["actuals"]
    header = raw.headers.get("month", "month")
    issues = []
    for y in partial:
        through = "{:04d}-{:02d}".format(*fiscal.calendar_of(y, last[y], start))  # --through takes a calendar month
        if complete:
            problem = (f"actuals of {y} stop at month {last[y]} (a year in progress): annual rules (execution "
                       f"deviation, accuracy, forecast value added, year-end surge) leave {y} out and use "
                       f"{', '.join(map(str, complete))}; time-progress gaps still include it")
        else:
            problem = (f"actuals of {y} stop at month {last[y]} and no budget year is complete: the annual "
                       "diagnosis (`casekit run`) needs at least one complete year, so it will stop")
        issues.append(Issue(raw.file, None, header, str(y), problem,
                            f"For the year to date run `casekit monitor <data> --through {through}`; add the "
                            "remaining months when the year is closed.", "warning", "actuals"))
    return issues
