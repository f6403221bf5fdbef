"""Adjustment summary on tiny_hospital: two +30 changes to D1 drugs in 2024 (June approved, November not)."""
from __future__ import annotations

import pytest

from casekit.indicators.adjustments import SOURCE_BUDGET, SOURCE_TABLE, adjustment_summary


def test_from_adjustments_table(tiny_hospital):
    s = adjustment_summary(tiny_hospital).set_index(["year", "dept_id", "direction"])
    r = s.loc[(2024, "D1", "expense")]
    assert r["n_adjustments"] == 2 and bool(r["repeated"])
    assert r["total_change"] == 60
    # B0 = 660 + 132 = 792, B1 = 720 + 132 = 852 -> (852 - 792) / 792
    assert r["adjustment_rate"] == pytest.approx(60 / 792)
    assert r["share_unapproved"] == pytest.approx(0.5)
    assert r["share_q4"] == pytest.approx(0.5)  # November
    assert r["source"] == SOURCE_TABLE
    assert s.loc[(2024, "D2", "expense"), "n_adjustments"] == 0
    assert not bool(s.loc[(2024, "D2", "expense"), "repeated"])


def test_fallback_to_budget_columns(tiny_hospital):
    s = adjustment_summary(tiny_hospital.with_tables(adjustments=None)).set_index(["year", "dept_id", "direction"])
    r = s.loc[(2024, "D1", "expense")]
    assert r["n_adjustments"] == 1  # at least one; the budget table cannot tell how many
    assert r["total_change"] == 60
    assert r["source"] == SOURCE_BUDGET
    assert s["share_q4"].isna().all() and s["repeated"].isna().all()
