"""Flexible-budget variance: separate a bad budget from a bad (or busy) year.

For a volume-driven line the variance A - B splits exactly into

* volume variance = (actual volume - budget volume) x budget rate, and
* rate (price) variance = (actual rate - budget rate) x actual volume,

with budget rate = budget amount / budget volume and actual rate = actual amount / actual volume
(so volume + rate variance = A - B). For revenue this is the Chinese split of outpatient revenue
into visits x revenue per visit and of inpatient revenue into discharges x revenue per discharge.
"""
from __future__ import annotations

import pandas as pd

from casekit.data.hospital import Hospital
from casekit.indicators.execution import LINE_KEYS, check_basis, line_table
from casekit.indicators.rigidity import annual_workload

# Revenue category -> volume driver when accounts.driver is blank (the Chinese revenue split).
CATEGORY_DRIVERS = {"outpatient": "outpatient_visits", "inpatient": "discharges"}
COLUMNS = ["year", "dept_id", "account_id", "direction", "driver", "driver_source", "budget", "actual",
           "budget_volume", "actual_volume", "budget_rate", "actual_rate", "volume_variance", "rate_variance",
           "total_variance", "basis", "accounting"]


def flexible_budget_variance(h: Hospital, basis: str = "original") -> pd.DataFrame:
    """Volume and rate variance of every volume-driven line.

    Parameters
    ----------
    h : Hospital
        Needs ``workload`` with both ``scenario="budget"`` (planned volumes) and ``"actual"``.
    basis : {"original", "adjusted"}
        Budget whose rate is held fixed; the original budget is the one the planned volumes
        were set with.

    Returns
    -------
    pandas.DataFrame
        One row per year, department and driven account with a positive budget volume. Columns:
        ``driver`` (workload measure), ``driver_source`` (``"accounts.driver"`` or
        ``"category default"``: outpatient revenue -> outpatient visits, inpatient revenue ->
        discharges), ``budget``, ``actual``, ``budget_volume``, ``actual_volume``,
        ``budget_rate`` (budget / budget volume), ``actual_rate`` (actual / actual volume, NaN
        when actual volume is 0), ``volume_variance`` = (actual volume - budget volume) x budget
        rate, ``rate_variance`` = actual - budget rate x actual volume (equals (actual rate - budget
        rate) x actual volume), ``total_variance`` = volume + rate variance = actual - budget,
        ``basis``, ``accounting``. Empty when workload of either scenario is missing.

    References
    ----------
    docs/methodology.md (flexible-budget variance, Chinese revenue split).
    """
    check_basis(basis)
    if not h.has("workload"):
        return pd.DataFrame({c: [] for c in COLUMNS})
    acc = h.accounts.copy()
    explicit = acc["driver"].notna() if "driver" in acc.columns else pd.Series(False, index=acc.index)
    by_cat = acc["category"].map(CATEGORY_DRIVERS)
    acc["driver"] = acc["driver"].where(explicit, by_cat) if "driver" in acc.columns else by_cat
    acc["driver_source"] = pd.Series("category default", index=acc.index).where(~explicit, "accounts.driver")
    acc = acc[acc["driver"].notna()]
    lines = line_table(h, basis).merge(acc[["account_id", "driver", "driver_source"]], on="account_id")
    vols = []
    for scenario, name in (("budget", "budget_volume"), ("actual", "actual_volume")):
        wl = annual_workload(h, scenario)
        vols.append(wl.reset_index().melt(id_vars=["year", "dept_id"], var_name="driver", value_name=name))
    lines = lines.merge(vols[0], on=["year", "dept_id", "driver"]).merge(vols[1], on=["year", "dept_id", "driver"])
    lines = lines[(lines["budget_volume"] > 0) & lines["actual_volume"].notna()].copy()
    lines["budget_rate"] = lines["budget"] / lines["budget_volume"]
    lines["actual_rate"] = lines["actual"] / lines["actual_volume"].where(lines["actual_volume"] != 0)
    lines["volume_variance"] = (lines["actual_volume"] - lines["budget_volume"]) * lines["budget_rate"]
    lines["rate_variance"] = lines["actual"] - lines["budget_rate"] * lines["actual_volume"]
    lines["total_variance"] = lines["volume_variance"] + lines["rate_variance"]
    lines["basis"] = basis
    lines["accounting"] = "budget"
    return lines[COLUMNS].sort_values(LINE_KEYS, kind="stable").reset_index(drop=True)
