"""Governance checklist and information systems.

The checklist restates the requirements of the 2020 Measures for comprehensive budget
management in public hospitals (国卫财务发〔2020〕30号) and the 2020 Guidance on operations
management (国卫财务发〔2020〕27号). A hospital answers each item yes / partial / no; casekit's
standard checklist (``casekit/diagnosis/standard_checklist.csv``) adds the aspect (A1-A5, INFO)
and the cause (C1-C5) each item bears on. See docs/methodology.md and docs/data-format.md.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from casekit.data.hospital import Hospital
from casekit.indicators.shared import shared
from casekit.indicators.performance import require_table
from casekit.data.checklist import standard_checklist

POINTS = {"yes": 1.0, "partial": 0.5, "no": 0.0}
ITEM_COLUMNS = ["item_id", "aspect", "cause", "requirement_en", "requirement_zh", "source", "status", "points",
                "evidence", "standard"]
SCORE_COLUMNS = ["group_type", "group", "n_items", "n_answered", "n_yes", "n_partial", "n_no", "points",
                 "share_met"]


@shared
def checklist_items(h: Hospital, standard: pd.DataFrame | None = None) -> pd.DataFrame:
    """The hospital's checklist answers merged with the standard checklist.

    Standard items the hospital did not answer are kept with ``status`` missing; the hospital's
    own items (not in the standard) keep their aspect, and their cause when the file carries an
    optional ``cause`` column. For standard items the standard's aspect and cause are used (the
    hospital's file may leave them blank).

    Parameters
    ----------
    h : Hospital
        Needs the ``checklist`` table.
    standard : pandas.DataFrame, optional
        Standard items (defaults to :func:`standard_checklist`).

    Returns
    -------
    pandas.DataFrame
        ``item_id``, ``aspect``, ``cause`` (C1-C5 or missing), ``requirement_en``,
        ``requirement_zh``, ``source``, ``status`` (yes/partial/no or missing), ``points``
        (1 / 0.5 / 0, NaN when unanswered), ``evidence``, ``standard`` (bool: item of the
        standard checklist).
    """
    chk = require_table(h, "checklist")
    std = (standard_checklist() if standard is None else standard.copy()).replace("", pd.NA)
    std["item_id"] = std["item_id"].astype("str")
    hc = chk.copy()
    for col in ("aspect", "cause", "requirement", "evidence"):
        if col not in hc.columns:
            hc[col] = pd.NA
    hc["item_id"] = hc["item_id"].astype("str")
    m = std.merge(hc[["item_id", "aspect", "cause", "requirement", "status", "evidence"]], on="item_id",
                  how="outer", suffixes=("", "_h"))
    m["standard"] = m["item_id"].isin(std["item_id"])  # a row of the standard (item ids are unique)
    m["aspect"] = m["aspect"].fillna(m["aspect_h"])
    m["cause"] = m["cause"].fillna(m["cause_h"])
    m["requirement_en"] = m["requirement_en"].fillna(m["requirement"])
    m["points"] = m["status"].map(POINTS).astype("float64")
    for col in ITEM_COLUMNS:
        if col not in m.columns:
            m[col] = pd.NA
    return m[ITEM_COLUMNS].sort_values("item_id").reset_index(drop=True)


def _score(counts: pd.Series) -> dict:
    """A :func:`checklist_scores` row from the summed item counts and points of a group (the points
    are multiples of 0.5, so their sum is exact in any order)."""
    out = {k: int(counts[k]) for k in ("n_items", "n_answered", "n_yes", "n_partial", "n_no")}
    answered = out["n_answered"]
    return {**out, "points": float(counts["points"]),
            "share_met": float(counts["points"] / answered) if answered else np.nan}


def checklist_scores(h: Hospital, standard: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of checklist requirements met, per aspect and per cause.

    Each answered item scores yes = 1, partial = 0.5, no = 0; ``share_met`` = points / items
    answered. Unanswered standard items are counted in ``n_items`` but not in the share.

    Parameters
    ----------
    h : Hospital
        Needs the ``checklist`` table.
    standard : pandas.DataFrame, optional
        Standard items (defaults to casekit's standard checklist).

    Returns
    -------
    pandas.DataFrame
        ``group_type`` ("aspect", "cause" or "all"), ``group`` (A1..A5, INFO, C1..C5, "all"),
        ``n_items``, ``n_answered``, ``n_yes``, ``n_partial``, ``n_no``, ``points``,
        ``share_met`` (0-1, NaN when nothing answered).

    Examples
    --------
    Items A1: yes, partial; A2: no -> A1 share 0.75, A2 share 0.0, all 0.5.
    """
    items = checklist_items(h, standard)
    counts = pd.DataFrame({"n_items": 1, "n_answered": items["points"].notna(),
                           **{f"n_{s}": items["status"].eq(s) for s in ("yes", "partial", "no")},
                           "points": items["points"].fillna(0.0)})
    rows = []
    for group_type, col in (("aspect", "aspect"), ("cause", "cause")):
        for group, sums in counts.groupby(items[col], sort=True).sum().iterrows():
            rows.append({"group_type": group_type, "group": str(group), **_score(sums)})
    rows.append({"group_type": "all", "group": "all", **_score(counts.sum())})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def systems_summary(h: Hospital) -> pd.DataFrame:
    """Information systems: use, integration with finance, latency and manual steps.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_systems``; ``n_in_use``; ``share_in_use``; ``share_integrated`` (of the
        systems in use, share integrated with finance); ``mean_latency_days`` and
        ``max_latency_days`` (systems in use, NaN if not given); ``manual_steps`` (total over
        systems in use, NaN if not given).

    References
    ----------
    docs/methodology.md, P5 and C5; 2020 Operations guidance (国卫财务发〔2020〕27号), part on
    information support: integrate the operation-management information systems.
    """
    s = require_table(h, "systems").copy()
    in_use = s[s["in_use"].astype(bool)]
    lat = pd.to_numeric(in_use.get("data_latency_days", pd.Series(dtype="float64")), errors="coerce")
    steps = pd.to_numeric(in_use.get("manual_steps", pd.Series(dtype="float64")), errors="coerce")
    return pd.DataFrame([{
        "n_systems": int(len(s)),
        "n_in_use": int(len(in_use)),
        "share_in_use": float(len(in_use) / len(s)),
        "share_integrated": float(in_use["integrated_with_finance"].astype(bool).mean()) if len(in_use) else np.nan,
        "mean_latency_days": float(lat.mean()) if lat.notna().any() else np.nan,
        "max_latency_days": float(lat.max()) if lat.notna().any() else np.nan,
        "manual_steps": float(steps.sum()) if steps.notna().any() else np.nan,
    }])


CAPACITY_KEYS = ("beds", "budget_staff", "budget_staff_qualified", "budget_training_hours",
                 "execution_analyses_per_year", "report_days")
"""Profile figures of the hospital's budget capacity (``profile.csv`` keys)."""


def budget_capacity(h: Hospital) -> pd.DataFrame:
    """The budget staff and routines the profile reports, with the two ratios causes C2 and C3 judge.

    Returns
    -------
    pandas.DataFrame
        One row: the profile numbers of :data:`CAPACITY_KEYS` (NaN when absent or not a number),
        ``budget_staff_per_100_beds`` = budget_staff / beds x 100 and
        ``budget_staff_qualified_share`` = budget_staff_qualified / budget_staff (NaN when a
        part is missing or the divisor is 0).

    References
    ----------
    docs/methodology.md, causes C2 and C3; 2020 Operations guidance (国卫财务发〔2020〕27号): equip
    the operation-management departments with professional staff; 2020 Measures
    (国卫财务发〔2020〕30号): regular analysis of budget execution.

    Examples
    --------
    Profile beds 800, budget_staff 4, budget_staff_qualified 1: 0.5 staff per 100 beds, 25% qualified.
    """
    row: dict[str, float] = {}
    for key in CAPACITY_KEYS:
        value = h.profile.get(key)
        try:
            row[key] = np.nan if value in (None, "") else float(value)
        except (TypeError, ValueError):
            row[key] = np.nan
    staff, beds, qualified = row["budget_staff"], row["beds"], row["budget_staff_qualified"]
    row["budget_staff_per_100_beds"] = staff / beds * 100 if pd.notna(staff) and pd.notna(beds) and beds else np.nan
    row["budget_staff_qualified_share"] = qualified / staff if pd.notna(qualified) and pd.notna(staff) and staff \
        else np.nan
    return pd.DataFrame([row])
