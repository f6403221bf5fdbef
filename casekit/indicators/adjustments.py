"""Budget adjustments (预算调整): how many, how large, when, and whether approved.

The 2020 measures allow adjustments only for material changes, by procedure, in practice about
once mid-year. Repeated adjustments, adjustments in the fourth quarter and unapproved ones are
signs of weak execution control (DOMAIN.md sections 1 and 3).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from casekit.data.hospital import Hospital

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
        has B1 != B0, else 0), ``total_change`` (sum of changes, yuan), ``original`` (B0),
        ``adjusted`` (B1), ``adjustment_rate`` = (B1 - B0) / B0 (NaN when B0 = 0),
        ``share_unapproved`` (share of adjustment rows not approved), ``share_q4`` (share of
        adjustment dates in October-December), ``repeated`` (n_adjustments > 1), ``source``
        (``"adjustments table"`` or ``"budget B1 vs B0 ..."``, in which case share_unapproved,
        share_q4 and repeated are missing: the budget table cannot tell them).

    References
    ----------
    DOMAIN.md section 3 (adjustments); 2020 measures (adjustment procedure).
    """
    keys = ["year", "dept_id", "direction"]
    b = h.budget.merge(h.accounts[["account_id", "direction"]], on="account_id", how="left")
    b = b[b["year"].isin(h.years)]
    b["changed"] = (b["adjusted"] - b["original"]).abs() > 1e-9
    out = b.groupby(keys, as_index=False).agg(original=("original", "sum"), adjusted=("adjusted", "sum"),
                                              any_changed=("changed", "any"))
    out["adjustment_rate"] = (out["adjusted"] - out["original"]) / out["original"].where(out["original"] != 0)
    if h.has("adjustments"):
        adj = h.adjustments.merge(h.accounts[["account_id", "direction"]], on="account_id", how="left")
        adj = adj.assign(year=adj["date"].dt.year.astype("int64"), q4=adj["date"].dt.month >= 10,
                         unapproved=~adj["approved"].astype(bool))
        dates = adj.drop_duplicates([*keys, "date"])
        ev = dates.groupby(keys).agg(n_adjustments=("date", "size"), share_q4=("q4", "mean"))
        rows = adj.groupby(keys).agg(total_change=("change", "sum"), share_unapproved=("unapproved", "mean"))
        out = out.merge(ev.join(rows).reset_index(), on=keys, how="left")
        out["n_adjustments"] = out["n_adjustments"].fillna(0).astype("int64")
        out["total_change"] = out["total_change"].fillna(0.0)
        out["repeated"] = pd.array(out["n_adjustments"] > 1, dtype="boolean")
        out["source"] = SOURCE_TABLE
    else:
        out["n_adjustments"] = out["any_changed"].astype("int64")
        out["total_change"] = out["adjusted"] - out["original"]
        out["share_unapproved"] = np.nan
        out["share_q4"] = np.nan
        out["repeated"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["source"] = SOURCE_BUDGET
    return out[COLUMNS].sort_values(keys, kind="stable").reset_index(drop=True)
