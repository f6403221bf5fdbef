"""Budget and performance appraisal: how much the budget counts in the department appraisal.

Problem P4 (budget cut off from appraisal) and cause C4 (no budget assessment system) rest on
these tables. See docs/methodology.md, "Performance linkage".
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from casekit.errors import CasekitError
from casekit.data.hospital import Hospital
from casekit.indicators.shared import shared

LINKAGE_TARGETS = ("appraisal_score", "bonus")


def require_table(h: Hospital, table: str) -> pd.DataFrame:
    """Return an optional table or raise :class:`CasekitError` naming it.

    Rules check availability before calling an indicator; this guards direct calls.
    """
    if not h.has(table):
        raise CasekitError(f"hospital {h.name!r} has no {table!r} table",
                           f"Add a {table}.csv (see docs/data-format.md) to compute this indicator.")
    return h.table(table)


def spearman(x: pd.Series, y: pd.Series) -> tuple[float, float, int]:
    """Spearman rho, two-sided p-value and n over the pairs where both values are present.

    Returns ``(nan, nan, n)`` when fewer than 3 pairs remain or either side is constant.
    """
    if not x.index.equals(y.index):  # paired by index label
        x, y = x.align(y)
    xv, yv = (pd.to_numeric(v, errors="coerce").to_numpy(dtype=float, na_value=np.nan) for v in (x, y))
    both = ~(np.isnan(xv) | np.isnan(yv))
    xv, yv = xv[both], yv[both]
    n = int(both.sum())
    if n < 3 or len(np.unique(xv)) < 2 or len(np.unique(yv)) < 2:
        return float("nan"), float("nan"), n
    res = stats.spearmanr(xv, yv)
    return float(res.statistic), float(res.pvalue), n


def one_sided_negative_p(rho: float, p_two_sided: float) -> float:
    """One-sided p-value for the hypothesis rho < 0, from a two-sided Spearman p-value."""
    if np.isnan(rho) or np.isnan(p_two_sided):
        return float("nan")
    return p_two_sided / 2 if rho < 0 else 1 - p_two_sided / 2


def budget_weight(h: Hospital) -> pd.DataFrame:
    """Weight of budget indicators in the department performance appraisal, per year.

    Parameters
    ----------
    h : Hospital
        Needs the ``performance`` table with its ``budget_weight`` column (0-1).

    Returns
    -------
    pandas.DataFrame
        One row per year: ``year``; ``n_departments`` (departments with a weight given);
        ``mean_weight``, ``min_weight``, ``max_weight`` (0-1); ``zero_share`` (share of those
        departments whose weight is 0). Weights are NaN for years without any weight given.

    References
    ----------
    docs/methodology.md, P4: zero or low weight of budget indicators in the appraisal.
    2020 Measures (国卫财务发〔2020〕30号), assessment: budget results enter the internal appraisal.

    Examples
    --------
    >>> import pandas as pd
    >>> from casekit.data.hospital import Hospital, Profile
    >>> perf = pd.DataFrame({"year": [2023, 2023], "dept_id": ["d1", "d2"],
    ...                      "appraisal_score": [90.0, 80.0], "budget_weight": [0.0, 0.2]})
    >>> e = pd.DataFrame()
    >>> h = Hospital(Profile("x"), e, e, e, e, performance=perf)
    >>> budget_weight(h)[["year", "mean_weight", "zero_share"]].to_dict("records")
    [{'year': 2023, 'mean_weight': 0.1, 'zero_share': 0.5}]
    """
    perf = require_table(h, "performance")
    w = perf[["year", "dept_id"]].copy()
    w["budget_weight"] = (pd.to_numeric(perf["budget_weight"], errors="coerce")
                          if "budget_weight" in perf.columns else np.nan)
    rows = []
    for year, g in w.groupby("year", sort=True):
        given = g["budget_weight"].dropna()
        rows.append({
            "year": int(year),
            "n_departments": int(len(given)),
            "mean_weight": float(given.mean()) if len(given) else np.nan,
            "min_weight": float(given.min()) if len(given) else np.nan,
            "max_weight": float(given.max()) if len(given) else np.nan,
            "zero_share": float((given == 0).mean()) if len(given) else np.nan,
        })
    return pd.DataFrame(rows, columns=["year", "n_departments", "mean_weight", "min_weight", "max_weight",
                                       "zero_share"])


@shared
def department_linkage_table(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Department-year expense |deviation rate| beside the appraisal score, bonus and budget weight.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``dept_id``, ``abs_deviation_rate`` (expense, against ``basis``),
        ``appraisal_score``, ``bonus``, ``budget_weight``, ``basis``. Only department-years
        present in both the execution table and ``performance``.
    """
    from casekit.indicators.execution import execution_table

    perf = require_table(h, "performance")
    ex = execution_table(h, level=("year", "dept_id"), basis=basis)
    ex = ex.loc[ex["direction"] == "expense", ["year", "dept_id", "abs_deviation_rate"]]
    cols = ["year", "dept_id", "appraisal_score"] + [c for c in ("bonus", "budget_weight") if c in perf.columns]
    p = perf[cols].copy()
    for c in ("bonus", "budget_weight"):
        if c not in p.columns:
            p[c] = np.nan
    p["year"] = p["year"].astype("int64")
    ex = ex.assign(year=ex["year"].astype("int64"), dept_id=ex["dept_id"].astype("str"))
    out = ex.merge(p.assign(dept_id=p["dept_id"].astype("str")), on=["year", "dept_id"], how="inner")
    out["basis"] = basis
    return out.sort_values(["year", "dept_id"]).reset_index(drop=True)


def performance_linkage(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Spearman correlation of department |deviation rate| with appraisal score and bonus.

    A budget that steers behaviour shows a *negative* correlation: departments that deviate
    more from their (expense) budget receive lower scores and bonuses.

    Parameters
    ----------
    h : Hospital
        Needs ``performance`` (``appraisal_score``; ``bonus`` optional).
    basis : {"adjusted", "original"}
        Budget the deviation is measured against (B1 judges execution, B0 preparation).

    Returns
    -------
    pandas.DataFrame
        One row per scope and target: ``scope`` ("year" or "pooled"), ``year`` (nullable
        Int64, missing for the pooled row), ``target`` ("appraisal_score" or "bonus"), ``rho``
        (Spearman), ``p_value`` (two-sided), ``p_negative`` (one-sided p for rho < 0), ``n``
        (department-years), ``basis``. ``rho`` is NaN with fewer than 3 pairs or a constant side.

    References
    ----------
    docs/methodology.md, "Performance linkage"; scipy.stats.spearmanr.
    """
    tab = department_linkage_table(h, basis=basis)
    rows = []
    scopes = [("year", int(y), g) for y, g in tab.groupby("year", sort=True)] + [("pooled", pd.NA, tab)]
    for scope, year, g in scopes:
        for target in LINKAGE_TARGETS:
            rho, p, n = spearman(g["abs_deviation_rate"], g[target])
            rows.append({"scope": scope, "year": year, "target": target, "rho": rho, "p_value": p,
                         "p_negative": one_sided_negative_p(rho, p), "n": n, "basis": basis})
    out = pd.DataFrame(rows, columns=["scope", "year", "target", "rho", "p_value", "p_negative", "n", "basis"])
    out["year"] = out["year"].astype("Int64")
    return out
