"""The month a monitoring run looks at, and the hospital's data as known at its close.

A monthly execution analysis (月度预算执行分析) sees the actuals posted up to the month-end close
and the adjustments approved by then, nothing later. :func:`as_of` cuts a :class:`Hospital` to
that state, so the same code can monitor the current year and back-test earlier ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit.data.fiscal import DEFAULT_START, calendar_of, fiscal_of, of_dates, start_of
from casekit.data.hospital import Hospital
from casekit.errors import ConfigError
from casekit.indicators.execution import complete_years

_THROUGH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class Period:
    """Year and last month (1-12) of a monitoring run, in fiscal terms (:mod:`casekit.data.fiscal`).

    Attributes
    ----------
    year : int
        The fiscal year (the calendar year when the fiscal year starts in January).
    month : int
        The fiscal month, 1 = the first month of the fiscal year.
    start : int
        First calendar month of the fiscal year (profile ``fiscal_year_start``, default 1).

    Examples
    --------
    >>> Period(2024, 9).label, Period(2024, 9).elapsed
    ('2024-09', 0.75)
    >>> Period(2023, 3, start=7).label, str(Period(2023, 3, start=7).end.date())     # FY2023 month 3 = Sep 2023
    ('2023-09', '2023-09-30')
    """

    year: int
    month: int
    start: int = DEFAULT_START

    @property
    def label(self) -> str:
        """The calendar month ``YYYY-MM`` (what ``--through`` takes)."""
        return "{:04d}-{:02d}".format(*calendar_of(self.year, self.month, self.start))

    @property
    def elapsed(self) -> float:
        """Share of the fiscal year elapsed (t / 12)."""
        return self.month / 12.0

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the calendar month (adjustments dated on or before it are known)."""
        year, month = calendar_of(self.year, self.month, self.start)
        return pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)


def last_month(h: Hospital) -> Period:
    """The latest month with actuals.

    Raises
    ------
    ConfigError
        When the actuals are annual only (monitoring needs months).
    """
    if not h.is_monthly:
        raise ConfigError(f"{h.name}: actuals have no months, so in-year monitoring is not possible",
                          "Supply monthly actuals (a month column, or a ledger with dates); annual data "
                          "can still be diagnosed with `casekit run`.")
    a = h.actuals
    year = int(a["year"].max())
    return Period(year, int(a.loc[a["year"] == year, "month"].max()), start_of(h))


def parse_through(text: str | None, h: Hospital) -> Period:
    """Check a ``--through YYYY-MM`` value against the data (default: the latest month with actuals).

    Parameters
    ----------
    text : str or None
        ``"2024-09"``; ``None`` or ``""`` for the latest month.
    h : Hospital

    Returns
    -------
    Period

    Raises
    ------
    ConfigError
        The text is not a month, the month has no actuals, or its year has no budget.
    """
    latest = last_month(h)
    if not text:
        period = latest
    else:
        m = _THROUGH.match(str(text))
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ConfigError(f"--through {text!r} is not a month",
                              f"Write the year and month as YYYY-MM, e.g. --through {latest.label}.")
        period = Period(*fiscal_of(int(m.group(1)), int(m.group(2)), start_of(h)), start_of(h))
    a = h.actuals
    months = a.loc[a["year"] == period.year, "month"]
    if months.empty or int(months.max()) < period.month:
        have = f"through {Period(period.year, int(months.max()), period.start).label}" if len(months) else "none"
        raise ConfigError(f"no actuals for {period.label} (actuals of {period.year}: {have})",
                          f"Choose a month with actuals, at most {latest.label}, or add the missing months.")
    if not (h.budget["year"] == period.year).any():
        raise ConfigError(f"no budget for {period.year}, so {period.label} cannot be monitored",
                          f"Add the {period.year} budget (original and adjusted) to the budget table.")
    return period


def require_complete_year(h: Hospital) -> None:
    """Stop an annual diagnosis that has no complete year, pointing to the monitor.

    Raises
    ------
    ConfigError
        When every budget year's actuals stop before December (a year in progress).
    """
    if h.years and not complete_years(h) and not h.is_monthly:  # annual year-to-date totals (2023年1-6月)
        covered = ", ".join(f"{y} through month {m}" for y, m in sorted(h.coverage.items()))
        raise ConfigError(f"{h.name}: no complete year to diagnose (the actuals cover {covered or 'part of the year'} "
                          "only: a year-to-date export); the annual rules compare whole years",
                          "Add the full-year export (or a complete earlier year's budget and actuals); for the year "
                          "to date give monthly actuals and run `casekit monitor`.")
    if h.years and not complete_years(h):
        latest = last_month(h)
        raise ConfigError(f"{h.name}: no complete year to diagnose (actuals of {latest.year} stop at month "
                          f"{latest.month}); the annual rules compare whole years",
                          f"Run `casekit monitor {h.source or 'PATH'} --through {latest.label}` for the year to "
                          "date, or add a complete year's budget and actuals.")


def as_of(h: Hospital, period: Period) -> Hospital:
    """The hospital as known at the close of ``period``.

    Actuals after the month and years after it are dropped, adjustments dated after the
    month's end are dropped, and the adjusted budget B1 of the year is rebuilt as B0 plus the
    adjustments dated up to the close (the supplied B1 may already hold later adjustments).
    Without an adjustments table the supplied B1 is kept (see :func:`b1_source`).

    Parameters
    ----------
    h : Hospital
    period : Period

    Returns
    -------
    Hospital
        A copy; ``h`` is not modified.
    """
    a = h.actuals
    month = a["month"].astype("float64").to_numpy()
    keep = (a["year"].to_numpy() < period.year) | ((a["year"].to_numpy() == period.year) & (month <= period.month))
    budget = h.budget[h.budget["year"] <= period.year].copy()
    tables: dict[str, pd.DataFrame | None] = {"actuals": a[keep].reset_index(drop=True)}
    if h.has("adjustments"):
        adj = h.adjustments[h.adjustments["date"] <= period.end]
        tables["adjustments"] = adj.reset_index(drop=True)
        this_year = adj[of_dates(adj["date"], period.start)[0] == period.year]
        change = this_year.groupby(["dept_id", "account_id"])["change"].sum()
        cur = budget["year"] == period.year
        key = pd.MultiIndex.from_frame(budget.loc[cur, ["dept_id", "account_id"]])
        budget.loc[cur, "adjusted"] = budget.loc[cur, "original"].to_numpy() + change.reindex(key).fillna(0.0).to_numpy()
    if h.has("budget_monthly"):
        tables["budget_monthly"] = h.budget_monthly[h.budget_monthly["year"] <= period.year]
    tables["budget"] = budget.reset_index(drop=True)
    return h.with_tables(**tables)


def b1_source(h: Hospital) -> str:
    """How B1 of the monitored year was obtained: ``"adjustments"`` or ``"as supplied"``."""
    return "adjustments" if h.has("adjustments") else "as supplied"


def ets_groups(panel: pd.DataFrame, h: Hospital) -> pd.Series:
    """Department and direction of every panel line (``"0101|expense"``): the ``ets`` pooling groups."""
    direction = panel.index.get_level_values("account_id").map(h.accounts.set_index("account_id")["direction"])
    dept = panel.index.get_level_values("dept_id")
    return pd.Series([f"{d}|{r}" for d, r in zip(dept, direction)], index=panel.index)


def monthly_panel(h: Hospital) -> pd.DataFrame:
    """Monthly actual of every line as a wide table, months without an amount filled with 0.

    Returns
    -------
    pandas.DataFrame
        Index (``dept_id``, ``account_id``); one column per (year, month) from the first month
        with actuals to the last, in order.
    """
    a = h.actuals.groupby(["dept_id", "account_id", "year", "month"])["amount"].sum()
    wide = a.unstack(["year", "month"], fill_value=0.0)
    first, last = wide.columns.min(), wide.columns.max()
    cols = [(y, m) for y in range(int(first[0]), int(last[0]) + 1) for m in range(1, 13)
            if (y, m) >= (int(first[0]), int(first[1])) and (y, m) <= (int(last[0]), int(last[1]))]
    wide.columns = pd.MultiIndex.from_tuples([(int(y), int(m)) for y, m in wide.columns], names=["year", "month"])
    out = wide.reindex(columns=pd.MultiIndex.from_tuples(cols, names=["year", "month"]), fill_value=0.0)
    return out.astype(np.float64)
