"""Monthly execution, time-progress gaps (进度差) and the year-end surge.

These indicators need monthly actuals. On an annual-only hospital (final accounts, month
missing) every function returns an empty frame with its documented columns; the rules then
report "not assessed: needs monthly actuals".

The monthly budget of a line is its annual budget (B0 or B1) times the line's phasing share
from ``budget_monthly`` (amount of the month / amount of the year, so the phasing also applies
to an adjusted budget), or 1/12 a month where no phasing was supplied.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital
from casekit.indicators.shared import shared
from casekit.indicators.execution import LINE_KEYS, line_table

QUARTER_ENDS = (3, 6, 9, 12)
MONTH_KEYS = ["year", "month", "dept_id", "account_id"]
MONTHLY_COLUMNS = ["year", "month", "dept_id", "direction", "actual", "budget_month", "execution_rate",
                   "phasing", "basis", "accounting"]
PROGRESS_COLUMNS = ["year", "month", "direction", "cumulative_actual", "annual_budget", "progress", "expected",
                    "gap", "is_quarter_end", "phasing", "basis", "accounting"]
SURGE_COLUMNS = ["december", "mean_month", "surge", "n_months"]


@shared
def monthly_actuals(h: Hospital) -> pd.DataFrame:
    """Actuals summed per line and month, years of ``h.years``: columns ``year``, ``month`` (int),
    ``dept_id``, ``account_id``, ``actual``, sorted by year and month."""
    a = h.actuals.groupby(MONTH_KEYS, as_index=False)["amount"].sum()
    a = a[a["year"].isin(h.years)].rename(columns={"amount": "actual"})
    a["month"] = a["month"].astype("int64")
    return a


@shared
def phasing_shares(h: Hospital) -> pd.DataFrame:
    """``budget_monthly`` summed per line and month, with the month's share of the line's year.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month`` (int), ``dept_id``, ``account_id``, ``amount``, ``bm_share``
        (amount / the line's amount of the year; NaN when that is 0), sorted by year and month.
    """
    bm = h.budget_monthly.groupby(MONTH_KEYS, as_index=False)["amount"].sum()
    bm["month"] = bm["month"].astype("int64")
    year_total = bm.groupby(LINE_KEYS)["amount"].transform("sum")
    bm["bm_share"] = bm["amount"] / year_total.where(year_total != 0)
    return bm


@shared
def phased_budget(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Annual budget of each line spread over the 12 months.

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month`` (1-12), ``dept_id``, ``account_id``, ``direction``,
        ``budget_month`` (annual budget x phasing share), ``phased`` (bool: share taken from
        ``budget_monthly``; False means flat 1/12).
    """
    lines = line_table(h, basis, complete_only=False)[[*LINE_KEYS, "direction", "budget"]]
    n = len(lines)
    grid = lines.take(np.repeat(np.arange(n), 12))  # each line's 12 months, lines in order
    month = np.tile(np.arange(1, 13, dtype="int64"), n)
    share = np.full(n * 12, 1.0 / 12.0)
    phased = np.zeros(n * 12, dtype=bool)
    if h.has("budget_monthly"):
        bm = phasing_shares(h)
        line = pd.MultiIndex.from_frame(lines[LINE_KEYS]).get_indexer(pd.MultiIndex.from_frame(bm[LINE_KEYS]))
        bm_month = bm["month"].to_numpy()
        found = (line >= 0) & (bm_month >= 1) & (bm_month <= 12)
        bm_share = np.full(n * 12, np.nan)
        bm_share[line[found] * 12 + bm_month[found] - 1] = bm["bm_share"].to_numpy()[found]
        phased = np.repeat((~np.isnan(bm_share)).reshape(n, 12).any(axis=1), 12)  # the line has a phasing
        share = np.where(phased, np.where(np.isnan(bm_share), 0.0, bm_share), share)
    return pd.DataFrame({"year": grid["year"].to_numpy(), "month": month, "dept_id": grid["dept_id"].array,
                         "account_id": grid["account_id"].array, "direction": grid["direction"].array,
                         "budget_month": grid["budget"].to_numpy() * share, "phased": phased})


def _line_months(h: Hospital, basis: str) -> pd.DataFrame:
    """Monthly budget and actual per line (outer join), only for months present in actuals."""
    pb = phased_budget(h, basis)
    a = monthly_actuals(h)
    m = pb.merge(a, on=MONTH_KEYS, how="outer")
    m["direction"] = m["direction"].fillna(
        m["account_id"].map(h.accounts.set_index("account_id")["direction"]))
    m[["budget_month", "actual"]] = m[["budget_month", "actual"]].fillna(0.0)
    m["phased"] = m["phased"].fillna(False).astype(bool)
    last = a.groupby("year")["month"].max()
    m = m[m["month"] <= m["year"].map(last)]
    return m


def _phasing_label(h: Hospital) -> str:
    return "budget_monthly" if h.has("budget_monthly") else "flat 1/12 (no budget_monthly)"


def monthly_execution(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Monthly actual against the monthly budget per department and direction (for a heat map).

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month``, ``dept_id``, ``direction``, ``actual``, ``budget_month``
        (from ``budget_monthly`` phasing if supplied, else annual budget / 12),
        ``execution_rate`` (actual / budget_month; NaN where budget_month is 0 or negative), ``phasing``,
        ``basis``, ``accounting``. Empty (same columns) when actuals are annual only.
    """
    if not h.is_monthly:
        return pd.DataFrame({c: [] for c in MONTHLY_COLUMNS})
    m = _line_months(h, basis)
    g = m.groupby(["year", "month", "dept_id", "direction"], as_index=False)[["actual", "budget_month"]].sum()
    g["execution_rate"] = g["actual"] / g["budget_month"].where(g["budget_month"] > 0)
    g["phasing"] = _phasing_label(h)
    g["basis"] = basis
    g["accounting"] = "budget"
    return g[MONTHLY_COLUMNS]


def time_progress(h: Hospital, basis: str = "adjusted", by: Sequence[str] = ()) -> pd.DataFrame:
    """Cumulative execution against the time schedule, every month, per direction (and ``by``).

    ``progress`` = cumulative actual to month t / annual budget; ``expected`` = cumulative
    phasing share to month t (t/12 without ``budget_monthly``); ``gap`` = progress - expected
    (进度差). A gap beyond +/-10 percentage points at a quarter end is a warning by default
    (threshold ``p3.progress_gap``).

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}
    by : sequence of {"dept_id", "account_id"}
        Extra keys: ``()`` is the hospital level (default), ``("dept_id",)`` departments,
        ``("dept_id", "account_id")`` budget lines (used by the in-year monitor).

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month``, ``*by``, ``direction``, ``cumulative_actual``,
        ``annual_budget``, ``progress``, ``expected``, ``gap`` (fractions, 0.1 = 10 pp),
        ``is_quarter_end``, ``phasing``, ``basis``, ``accounting``. Months after the last month
        with actuals in a year are left out; below the hospital level a group has rows only
        for months in which it has a budget or an actual. Empty (same columns) when actuals
        are annual only.

    References
    ----------
    docs/methodology.md (time-progress gap); 2020 measures (monthly monitoring against the time
    schedule, with warnings).
    """
    by = [by] if isinstance(by, str) else list(by)
    if by not in ([], ["dept_id"], ["dept_id", "account_id"]):
        raise ConfigError(f"invalid by {tuple(by)!r} for time_progress",
                          "Use by=(), by=('dept_id',) or by=('dept_id', 'account_id').")
    columns = [*PROGRESS_COLUMNS[:2], *by, *PROGRESS_COLUMNS[2:]]
    if not h.is_monthly:
        return pd.DataFrame({c: [] for c in columns})
    m = _line_months(h, basis)
    keys = ["year", *by, "direction"]
    g = (m.groupby([*keys, "month"], as_index=False)[["actual", "budget_month"]].sum()
         .sort_values([*keys, "month"]))
    annual = phased_budget(h, basis).groupby(keys)["budget_month"].sum().rename("annual_budget")
    g = g.merge(annual.reset_index(), on=keys, how="left")
    g["annual_budget"] = g["annual_budget"].fillna(0.0)
    groups = g.groupby(keys)
    g["cumulative_actual"] = groups["actual"].cumsum()
    cum_budget = groups["budget_month"].cumsum()
    den = g["annual_budget"].where(g["annual_budget"] > 0)   # no progress on a zero or negative base
    g["progress"] = g["cumulative_actual"] / den
    g["expected"] = (cum_budget / den).fillna(g["month"] / 12.0)
    g["gap"] = g["progress"] - g["expected"]
    g["is_quarter_end"] = g["month"].isin(QUARTER_ENDS)
    g["phasing"] = _phasing_label(h)
    g["basis"] = basis
    g["accounting"] = "budget"
    return g[columns].reset_index(drop=True)


def year_end_surge(h: Hospital, level: Sequence[str] = ("year",)) -> pd.DataFrame:
    """December expense relative to the mean monthly expense of the year.

    Parameters
    ----------
    h : Hospital
    level : ("year",) or ("year", "dept_id")

    Returns
    -------
    pandas.DataFrame
        Columns ``*level``, ``december`` (December expense), ``mean_month`` (expense of the
        year / number of months with actuals), ``surge`` = december / mean_month (1 = an ordinary
        month; NaN when mean_month is 0), ``n_months``. Only years whose actuals include December.
        Empty (same columns) when actuals are annual only.

    References
    ----------
    docs/methodology.md (year-end surge: rushed spending before the budget lapses).
    """
    level = [level] if isinstance(level, str) else list(level)
    if level not in (["year"], ["year", "dept_id"]):
        raise ConfigError(f"invalid level {tuple(level)!r} for year_end_surge",
                          "Use level=('year',) or level=('year', 'dept_id').")
    if not h.is_monthly:
        return pd.DataFrame({c: [] for c in [*level, *SURGE_COLUMNS]})
    a = monthly_actuals(h).merge(h.accounts[["account_id", "direction"]], on="account_id", how="left")
    a = a[a["direction"] == "expense"]
    months_per_year = a.groupby("year")["month"].nunique().rename("n_months")
    a["dec"] = np.where(a["month"] == 12, a["actual"], 0.0)
    g = a.groupby(level, as_index=False).agg(december=("dec", "sum"), total=("actual", "sum"))
    g = g.merge(months_per_year.reset_index(), on="year")
    has_dec = a.loc[a["month"] == 12, "year"].unique()
    g = g[g["year"].isin(has_dec)].copy()
    g["mean_month"] = g["total"] / g["n_months"]
    g["surge"] = g["december"] / g["mean_month"].where(g["mean_month"] != 0)
    return g[[*level, *SURGE_COLUMNS]].reset_index(drop=True)
