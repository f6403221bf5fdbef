"""Year to date against the budget: time-progress gap, control levels, exceptions, adjustments.

All tables are for the monitored year up to the close of the monitored month, on the
budget-accounting basis (预算会计), against B1 to date (see :func:`casekit.monitor.period.as_of`).

* ``progress`` = cumulative actual / annual B1; ``expected`` = the time schedule (序时进度), the
  cumulative ``budget_monthly`` share to month t or t/12 without phasing; ``gap`` = progress -
  expected (from :func:`casekit.indicators.progress.time_progress`).
* Control levels of an expense line (the bands Chinese hospitals use, thresholds
  ``monitor.warn_rate`` / ``control_rate`` / ``approval_rate``): ``warning`` when 80% of the
  annual budget is spent, ``control`` at 100% (no spending beyond the budget without a
  decision), ``approval`` at 120% (extra approval). Revenue lines have no control level.
* A monthly exception is a month whose actual is far from the mean of the three months before
  it (``monitor.exception_ratio``), by an amount that matters (``monitor.materiality`` of the
  direction's mean monthly total this year).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from casekit.data.fiscal import of_dates
from casekit.data.hospital import Hospital
from casekit.indicators.progress import time_progress
from casekit.monitor.period import Period

LEVELS = ("normal", "warning", "control", "approval")
PROGRESS_COLUMNS = ["original", "budget", "ytd_actual", "progress", "expected", "budget_to_date", "gap",
                    "schedule_ratio", "level"]
EXCEPTION_COLUMNS = ["dept_id", "account_id", "direction", "year", "month", "actual", "trailing_mean",
                     "difference", "ratio"]


def control_level(progress: pd.Series, direction: pd.Series, budget: pd.Series, actual: pd.Series,
                  warn: float = 0.8, control: float = 1.0, approval: float = 1.2) -> pd.Series:
    """Control level of each row: ``normal``, ``warning``, ``control``, ``approval`` (expense),
    ``unbudgeted`` (spending with B1 = 0) or ``n/a`` (revenue, or nothing budgeted nor spent).

    Examples
    --------
    >>> s = lambda *v: pd.Series(v)
    >>> control_level(s(0.5, 0.85, 1.0, 1.3, np.nan), s(*["expense"] * 5), s(1, 1, 1, 1, 0), s(1, 1, 1, 1, 5)).tolist()
    ['normal', 'warning', 'control', 'approval', 'unbudgeted']
    """
    p = progress.to_numpy(dtype=float)
    expense = direction.to_numpy() == "expense"
    no_budget = budget.to_numpy(dtype=float) == 0
    spent = actual.to_numpy(dtype=float) != 0
    out = np.select([~expense, no_budget & spent, no_budget, p >= approval - 1e-12, p >= control - 1e-12,
                     p >= warn - 1e-12], ["n/a", "unbudgeted", "n/a", "approval", "control", "warning"],
                    default="normal")
    return pd.Series(out, index=progress.index)


def ytd_progress(h: Hospital, period: Period, by: Sequence[str] = ("dept_id", "account_id"), *,
                 warn: float = 0.8, control: float = 1.0, approval: float = 1.2) -> pd.DataFrame:
    """Cumulative actual against B1 and the time schedule at the close of ``period``.

    Parameters
    ----------
    h : Hospital
        Cut to the close (:func:`casekit.monitor.period.as_of`).
    period : Period
    by : sequence of str
        ``("dept_id", "account_id")`` lines, ``("dept_id",)`` departments, ``()`` the hospital.
    warn, control, approval : float
        Control bands on the share of the annual budget spent (``monitor.*_rate``).

    Returns
    -------
    pandas.DataFrame
        One row per group and direction. Columns ``*by``, ``direction``, ``original`` (annual
        B0), ``budget`` (annual B1 to date), ``ytd_actual``, ``progress`` (ytd / B1; NaN when B1
        is 0), ``expected`` (schedule share), ``budget_to_date`` (B1 x expected), ``gap``
        (progress - expected), ``schedule_ratio`` (ytd / budget_to_date, 执行进度/序时进度),
        ``level`` (see :func:`control_level`).
    """
    by = list(by)
    frames = {}
    for basis in ("adjusted", "original"):
        tp = time_progress(h, basis, by=by)
        tp = tp[(tp["year"] == period.year) & (tp["month"] <= period.month)]
        frames[basis] = tp.sort_values("month").groupby([*by, "direction"], as_index=False).last()
    cur, orig = frames["adjusted"], frames["original"]
    out = cur[[*by, "direction", "annual_budget", "cumulative_actual", "progress", "expected", "gap"]].rename(
        columns={"annual_budget": "budget", "cumulative_actual": "ytd_actual"})
    out = out.merge(orig[[*by, "direction", "annual_budget"]].rename(columns={"annual_budget": "original"}),
                    on=[*by, "direction"], how="left")
    out["original"] = out["original"].fillna(0.0)
    out["expected"] = out["expected"].where(out["budget"] != 0, np.nan)
    out["gap"] = out["gap"].where(out["budget"] != 0, np.nan)
    out["budget_to_date"] = out["budget"] * out["expected"].fillna(0.0)
    btd = out["budget_to_date"]
    out["schedule_ratio"] = out["ytd_actual"] / btd.where(btd != 0)
    out["level"] = control_level(out["progress"], out["direction"], out["budget"], out["ytd_actual"],
                                 warn, control, approval)
    return out[[*by, "direction", *PROGRESS_COLUMNS]].sort_values([*by, "direction"]).reset_index(drop=True)


def monthly_exceptions(panel: pd.DataFrame, period: Period, directions: pd.Series, *, ratio: float = 0.5,
                       materiality: float = 0.005) -> pd.DataFrame:
    """Months of the year to date far from the mean of the three months before them.

    Parameters
    ----------
    panel : pandas.DataFrame
        Monthly actuals of the lines (:func:`casekit.monitor.period.monthly_panel`), cut to the close.
    period : Period
    directions : pandas.Series
        ``direction`` of every ``account_id``.
    ratio : float
        |actual - trailing mean| must exceed ``ratio`` x |trailing mean| (``monitor.exception_ratio``).
    materiality : float
        ... and ``materiality`` x the direction's mean monthly total this year (``monitor.materiality``).

    Returns
    -------
    pandas.DataFrame
        Columns ``dept_id``, ``account_id``, ``direction``, ``year``, ``month``, ``actual``,
        ``trailing_mean`` (mean of the three previous months, across the year boundary),
        ``difference`` (actual - trailing mean), ``ratio`` (actual / trailing mean; NaN when it
        is 0). Months without three earlier months in the data are not tested.
    """
    cols = list(panel.columns)
    rows = []
    acc = panel.index.get_level_values("account_id")
    direction = pd.Series(acc.map(directions), index=panel.index)
    ytd_cols = [c for c in cols if c[0] == period.year and c[1] <= period.month]
    monthly_total = panel[ytd_cols].sum(axis=1).groupby(direction).sum() / max(len(ytd_cols), 1)
    floor = direction.map(monthly_total).to_numpy(dtype=float) * materiality
    for c in ytd_cols:
        i = cols.index(c)
        if i < 3:
            continue
        actual = panel[c].to_numpy(dtype=float)
        mean = panel[cols[i - 3:i]].mean(axis=1).to_numpy(dtype=float)
        diff = actual - mean
        hit = (np.abs(diff) > ratio * np.abs(mean) + 1e-9) & (np.abs(diff) >= floor)
        if hit.any():
            f = pd.DataFrame({"actual": actual[hit], "trailing_mean": mean[hit], "difference": diff[hit]},
                             index=panel.index[hit])
            f["year"], f["month"] = c
            rows.append(f)
    if not rows:
        return pd.DataFrame({c: [] for c in EXCEPTION_COLUMNS})
    out = pd.concat(rows).rename_axis(["dept_id", "account_id"]).reset_index()
    out["direction"] = out["account_id"].map(directions)
    tm = out["trailing_mean"]
    out["ratio"] = out["actual"] / tm.where(tm != 0)
    return out[EXCEPTION_COLUMNS].sort_values(["month", "dept_id", "account_id"]).reset_index(drop=True)


def adjustments_so_far(h: Hospital, period: Period) -> pd.DataFrame:
    """Adjustments of the monitored year dated up to the close.

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, ``dept_id``, ``account_id``, ``change``, ``reason``, ``approved``,
        ``original`` (the line's B0), ``cumulative_rate`` (all changes so far on the line / B0;
        NaN when B0 is 0). Empty when the hospital has no adjustments table.
    """
    cols = ["date", "dept_id", "account_id", "change", "reason", "approved", "original", "cumulative_rate"]
    if not h.has("adjustments"):
        return pd.DataFrame({c: [] for c in cols})
    adj = h.adjustments
    adj = adj[(of_dates(adj["date"], period.start)[0] == period.year) & (adj["date"] <= period.end)].sort_values(
        "date", kind="stable")
    b0 = h.budget[h.budget["year"] == period.year].groupby(["dept_id", "account_id"])["original"].sum()
    adj = adj.join(b0, on=["dept_id", "account_id"])
    adj["original"] = adj["original"].fillna(0.0)
    total = adj.groupby(["dept_id", "account_id"])["change"].transform("sum")
    adj["cumulative_rate"] = total / adj["original"].where(adj["original"] != 0)
    return adj.reindex(columns=cols).reset_index(drop=True)


def unbudgeted_so_far(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines with actuals this year but no original budget (B0 = 0): "no spending without a budget".

    Parameters
    ----------
    lines : pandas.DataFrame
        Line-level :func:`ytd_progress`.

    Returns
    -------
    pandas.DataFrame
        Those rows (columns ``dept_id``, ``account_id``, ``direction``, ``original``, ``budget``,
        ``ytd_actual``), with ``covered`` (bool: an adjustment has since given the line a budget),
        largest first.
    """
    u = lines[(lines["original"] == 0) & (lines["ytd_actual"] > 0)].copy()
    u["covered"] = u["budget"] > 0
    cols = ["dept_id", "account_id", "direction", "original", "budget", "ytd_actual", "covered"]
    return u[cols].sort_values("ytd_actual", ascending=False, kind="stable").reset_index(drop=True)
