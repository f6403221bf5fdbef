"""Account trees and totals: which lines are leaves, which rows are totals, and whether totals foot.

Finance-system exports and final-accounts tables mix detail lines with the sums of their children
(an account tree by code, 4001 ⊃ 400101 ⊃ 40010101; 功能分类 208 ⊃ 20805 ⊃ 2080505), with 合计 /
小计 rows and with 其中 ("of which") rows. casekit sums leaf lines only; every parent and total row
is checked against its children and a break is a data-quality finding (a warning that travels
into the report with the rows and the difference).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data.amounts import format_amount
from casekit.data.schema.tables import TABLES

# A total/subtotal row may differ from the sum of its parts by this share of itself (rounding).
SUBTOTAL_TOLERANCE = 0.001


def subtotal_issues(raws: Mapping[str, Any]) -> list[Issue]:
    """Check the total/subtotal rows the reader excluded against the detail rows they sum.

    A total row is accepted when, in every amount column, it equals (within
    :data:`SUBTOTAL_TOLERANCE` of itself, at least 0.01) one natural reading of its parts: the
    detail rows between the previous total row and it (a subtotal under its block), those
    between it and the next total row (a total above its block), every detail row above it,
    every detail row of the file, or every detail row of its year. Otherwise it is a
    data-quality finding: casekit computes from the detail rows, so a row may be missing or
    entered twice.

    Parameters
    ----------
    raws : mapping of str to casekit.data.io.raw.RawTable
        Tables as read; ``RawTable.totals`` holds the excluded rows with their file ``row``.

    Returns
    -------
    list of Issue
        One warning per total row and amount column (money columns; workload volumes) that
        does not add up, naming the row, the stated and the summed amount and the part rows.

    References
    ----------
    DOMAIN.md section 2: "Subtotal rows that do not add up to their parts are a data-quality
    finding in themselves."
    """
    issues: list[Issue] = []
    for name, raw in raws.items():
        totals = getattr(raw, "totals", None)
        if totals is None or len(totals) == 0 or "row" not in totals.columns or len(raw.df) == 0:
            continue
        cols = [c.name for c in TABLES[name].columns if c.dtype == "float" and (c.money or name == "workload")
                and c.name in totals.columns and c.name in raw.df.columns]
        detail = raw.rows.to_numpy(dtype=float)
        marks = totals["row"].to_numpy(dtype=float)
        for i, row in enumerate(marks):
            before = marks[marks < row].max(initial=0)
            after = marks[marks > row].min(initial=np.inf)
            parts = {"above": (detail > before) & (detail < row), "below": (detail > row) & (detail < after),
                     "all above": detail < row, "all": np.ones(len(detail), dtype=bool)}
            if "year" in totals.columns and "year" in raw.df.columns and pd.notna(totals["year"].iloc[i]):
                parts["year"] = (raw.df["year"] == totals["year"].iloc[i]).to_numpy(dtype=bool, na_value=False)
            for col in cols:
                stated = totals[col].iloc[i]
                if pd.isna(stated):
                    continue
                values = raw.df[col].to_numpy(dtype=float, na_value=0.0)
                sums = {k: float(values[m].sum()) for k, m in parts.items() if m.any()}
                if not sums or any(abs(v - stated) <= max(0.01, SUBTOTAL_TOLERANCE * abs(stated))
                                   for v in sums.values()):
                    continue
                key = next(k for k in ("above", "below", "all") if k in sums)
                rows = detail[parts[key]].astype(int)
                label = _total_label(totals, i)
                issues.append(Issue(
                    raw.file, int(row), raw.headers.get(col, col), format_amount(stated),
                    f"{label} row does not add up: it says {format_amount(stated)} but its part rows "
                    f"{rows.min()}-{rows.max()} sum to {format_amount(sums[key])} (difference "
                    f"{format_amount(stated - sums[key])})",
                    "Correct the total or the detail rows: casekit uses the detail rows, so check that none is "
                    "missing or entered twice.", "warning", name))
    return issues


def _total_label(totals: pd.DataFrame, i: int) -> str:
    for value in totals.iloc[i]:
        if isinstance(value, str) and ("计" in value or "total" in value.lower()):
            return f"total '{value}'"
    return "total"

