"""Budget adjustments (预算调整): how many, how large, when, and whether approved.

The 2020 measures allow adjustments only for material changes, by procedure, in practice about
once mid-year. Repeated adjustments, adjustments in the fourth quarter and unapproved ones are
signs of weak execution control (docs/methodology.md).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from casekit.data.fiscal import of_dates, start_of
from casekit.data.hospital import Hospital
from casekit.data.lines import group_sums, sum_by
from casekit.indicators.execution import key_positions, with_accounts

COLUMNS = ["year", "dept_id", "direction", "n_adjustments", "total_change", "original", "adjusted",
           "adjustment_rate", "share_unapproved", "share_q4", "repeated", "source"]
SOURCE_TABLE = "adjustments table"
SOURCE_BUDGET = "budget B1 vs B0 (count, timing and approval unknown)"


def adjustment_summary(h: Hospital) -> pd.DataFrame:
    """Adjustments per year, department and direction.

    Parameters
    ----------
    h : Hospital

    Returns
    -------
    pandas.DataFrame
        One row per year, department and direction of the budget. Columns:
        ``n_adjustments`` (distinct adjustment dates; without an adjustments table: 1 if any line
        has B1 != B0, else 0), ``total_change`` (sum of changes, in the profile's unit), ``original`` (B0),
        ``adjusted`` (B1), ``adjustment_rate`` = (B1 - B0) / B0 (NaN when B0 = 0),
        ``share_unapproved`` (share of adjustment rows not approved), ``share_q4`` (share of
        adjustment dates in October-December), ``repeated`` (n_adjustments > 1), ``source``
        (``"adjustments table"`` or ``"budget B1 vs B0 ..."``, in which case share_unapproved,
        share_q4 and repeated are missing: the budget table cannot tell them).

    References
    ----------
    docs/methodology.md (adjustments); 2020 measures (adjustment procedure).
    """
    keys = ["year", "dept_id", "direction"]
    b = with_accounts(h.budget, h)
    b = b[b["year"].isin(h.years)]
    out = sum_by(b, keys, ["original", "adjusted"])
    out["adjustment_rate"] = (out["adjusted"] - out["original"]) / out["original"].where(out["original"] != 0)
    if h.has("adjustments"):
        adj = with_accounts(h.adjustments, h)
        year, month = of_dates(adj["date"], start_of(h))  # the fiscal year and its fourth quarter
        adj = adj.assign(year=year)
        at = key_positions(out, adj, keys)  # the row of out of each adjustment (-1: a key without budget)
        row, q4 = at >= 0, (month >= 10).to_numpy()
        date = row & ~adj.duplicated([*keys, "date"]).to_numpy()  # each adjustment date once
        n_rows, n_dates = np.bincount(at[row], minlength=len(out)), np.bincount(at[date], minlength=len(out))
        with np.errstate(invalid="ignore"):  # a key without adjustments: NaN shares
            out["n_adjustments"] = n_dates
            out["share_q4"] = np.bincount(at[date], weights=q4[date], minlength=len(out)) / n_dates
            out["total_change"] = group_sums(at, len(out), adj["change"].to_numpy(dtype="float64"))
            unapproved = ~adj["approved"].astype(bool).to_numpy()
            out["share_unapproved"] = np.bincount(at[row], weights=unapproved[row], minlength=len(out)) / n_rows
        out["repeated"] = pd.array(out["n_adjustments"] > 1, dtype="boolean")
        out["source"] = SOURCE_TABLE
    else:
        changed = ((b["adjusted"] - b["original"]).abs() > 1e-9).to_numpy()
        out["n_adjustments"] = (sum_by(b.assign(changed=changed), keys, ["changed"])["changed"] > 0).astype("int64")
        out["total_change"] = out["adjusted"] - out["original"]
        out["share_unapproved"] = np.nan
        out["share_q4"] = np.nan
        out["repeated"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["source"] = SOURCE_BUDGET
    return out[COLUMNS]  # in the grouping's order: by the keys


LINE_COLUMNS = ["year", "dept_id", "account_id", "direction", "original", "adjusted", "change", "adjustment_rate",
                "over_limit"]


def line_adjustment_rates(h: Hospital, limit: float = 0.30) -> pd.DataFrame:
    """Budget lines whose adjusted budget B1 moved from the original B0 by more than ``limit`` of B0.

    Chinese fiscal self-evaluation practice asks for a written reason when a budget is adjusted
    by more than 30% (threshold ``p3.adjustment_rate_flag``).

    Parameters
    ----------
    h : Hospital
    limit : float
        Share of |B0| beyond which an adjustment is flagged (default 0.30).

    Returns
    -------
    pandas.DataFrame
        Lines (year x department x account, years with budget and actuals) with B1 != B0:
        ``year``, ``dept_id``, ``account_id``, ``direction``, ``original`` (B0), ``adjusted``
        (B1), ``change`` (B1 - B0), ``adjustment_rate`` = (B1 - B0) / |B0| (NaN when B0 = 0),
        ``over_limit`` (|B1 - B0| > limit x |B0|; a line added by an adjustment, B0 = 0, is over
        the limit). Sorted by |adjustment_rate| descending (added lines first). Empty when the
        hospital gave no adjusted budget.

    Examples
    --------
    A line with B0 = 100 raised to B1 = 135 has an adjustment rate of 35% and is flagged; one
    raised to 120 (20%) is not.
    """
    keys = ["year", "dept_id", "account_id"]
    b = h.budget[h.budget["year"].isin(h.years)]
    b = sum_by(b, keys, ["original", "adjusted"])
    b = with_accounts(b, h)
    b["change"] = b["adjusted"] - b["original"]
    b = b[b["change"].abs() > 1e-9].copy()
    b0 = b["original"].abs()
    b["adjustment_rate"] = b["change"] / b0.where(b0 > 0)
    b["over_limit"] = (b["change"].abs() > limit * b0 + 1e-9)
    b["_key"] = b["adjustment_rate"].abs().fillna(np.inf)
    b["year"] = b["year"].astype("int64")
    out = b.sort_values(["_key", "year"], ascending=[False, True], kind="stable")
    return out[LINE_COLUMNS].reset_index(drop=True)
