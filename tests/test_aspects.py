"""Aspects A1-A5: share of requirements met, rating, severity, and what cannot be assessed."""
from __future__ import annotations

import pytest

from casekit.diagnosis.aspects import ASPECT_RULES, AspectFinding, aspect_a1, aspect_a3, aspect_a4, rating_for
from casekit.diagnosis.config import Thresholds
from test_indicators_performance import build_five_dept_hospital
from test_rules_p4_p5_causes import build_enriched, ctx_of


@pytest.fixture(scope="module")
def bad():
    return build_enriched("bad")


@pytest.fixture(scope="module")
def good():
    return build_enriched("good")


def test_rating_bands():
    cfg = Thresholds()
    assert rating_for(0.8, cfg) == "good"
    assert rating_for(0.79, cfg) == "adequate"
    assert rating_for(0.5, cfg) == "adequate"
    assert rating_for(0.49, cfg) == "weak"


def test_every_aspect_good_in_good_and_weak_in_bad(good, bad):
    for code, rule in ASPECT_RULES.items():
        g, b = rule(ctx_of(good)), rule(ctx_of(bad))
        assert isinstance(g, AspectFinding) and g.status == "present"
        assert g.rating == "good", (code, g.summary_en)
        assert b.rating == "weak", (code, b.summary_en)
        assert b.severity == pytest.approx(round(100 * (1 - b.share_met), 1))
        assert g.as_dict()["rating"] == "good"


def test_a3_hand_worked_bad(bad):
    # 6 standard A3 items all "no"; revenue and expense fully budgeted (2 data requirements met);
    # no capital spending and no workload table: those two requirements cannot be computed
    f = aspect_a3(ctx_of(bad))
    assert f.n_requirements == 8
    assert f.share_met == pytest.approx(2 / 8)
    assert f.severity == 75.0
    names = {c.name: c.triggered for c in f.criteria}
    assert names["revenue_unbudgeted_share"] is False and names["capital_unbudgeted_share"] is None
    assert "weak" in f.summary_en and "薄弱" in f.summary_zh


def test_a1_partial_items_hand_worked(good):
    chk = good.checklist.copy()
    chk.loc[chk["item_id"] == "S01", "status"] = "partial"
    chk.loc[chk["item_id"] == "S02", "status"] = "no"
    # A1 = S01..S06: 0.5 + 0 + 4 x 1 = 4.5 of 6
    f = aspect_a1(ctx_of(good.with_tables(checklist=chk)))
    assert f.share_met == pytest.approx(0.75)
    assert f.rating == "adequate" and f.severity == 25.0
    assert set(f.evidence.loc[f.evidence["met"] < 1, "item"]) == {"S01", "S02"}


def test_a3_unbudgeted_spending_against_config(tiny_hospital):
    # tiny hospital: 30 of 2,256 yuan of expense fell on a line without a budget (1.33%)
    f = aspect_a3(ctx_of(tiny_hospital, {"p2": {"missing_items_share": 0.01}}))
    c = next(c for c in f.criteria if c.name == "expense_unbudgeted_share")
    assert c.value == pytest.approx(30 / 2256) and c.triggered


def test_a4_adjustment_approval(tiny_hospital):
    # one of two adjustments approved (50% < 95%)
    f = aspect_a4(ctx_of(tiny_hospital))
    c = next(c for c in f.criteria if c.name == "adjustments_approved_share")
    assert c.value == pytest.approx(0.5) and c.triggered
    assert f.share_met == 0.0 and "checklist table" in f.missing


def test_required_tables_only():
    h = build_five_dept_hospital().with_tables(performance=None)
    results = {code: rule(ctx_of(h)) for code, rule in ASPECT_RULES.items()}
    assert results["A3"].status == "present"   # budget and actuals alone show the content covered
    for code in ("A1", "A2", "A4", "A5"):
        assert results[code].status == "not_assessed"
        assert "checklist table" in results[code].missing
