"""Rules P1 (rigid targets), P2 (unscientific preparation), P3 (large execution deviation).

Hand-worked on tiny_hospital (see conftest), plus the sample hospitals when the generator exists.
"""
from __future__ import annotations

import sys

import pandas as pd
import pytest

from casekit.diagnosis.config import RuleContext, Thresholds
from casekit.diagnosis.rules_execution import rule_p3
from casekit.diagnosis.rules_preparation import rule_p1, rule_p2
from casekit.data.hospital import Hospital


def _ctx(h: Hospital, overrides=None) -> RuleContext:
    return RuleContext(h, Thresholds(overrides))


def _crit(f, name):
    return next(c for c in f.criteria if c.name == name)


def _survey(h: Hospital, answer: int) -> Hospital:
    items = pd.DataFrame({"item_id": ["Q1", "Q2"], "construct": ["participation", "participation"],
                          "reverse": [False, False]})
    resp = pd.DataFrame({"respondent_id": ["r1", "r1", "r2", "r2"], "role": "clinical", "dept_id": "D1",
                         "item_id": ["Q1", "Q2", "Q1", "Q2"], "answer": answer})
    return h.with_tables(survey_items=items, survey_responses=resp)


# ------------------------------------------------------------------------------------------ P1
def test_p1_tiny_identical_growth(tiny_hospital):
    f = rule_p1(_ctx(tiny_hospital))
    assert f.status == "present"
    # every 2024 B0 = 1.10 x 2023 actual: std 0; fewer than 3 departments, so lines are compared:
    # 3 expense lines and 1 revenue line, all at the modal 10%
    assert _crit(f, "growth_dispersion").value == pytest.approx(0.0, abs=1e-12)
    assert _crit(f, "identical_growth_share").value == 1.0
    # no budget_monthly: the phasing is unknown, so the criterion is not computable (never "flat")
    flat = _crit(f, "flat_phasing_share")
    assert flat.value is None and flat.triggered is None
    assert "budget_monthly (monthly phasing of the budget)" in f.missing
    # D1's shock (+20%) was followed by adjustments: not tripped
    shock = _crit(f, "unadjusted_volume_shock_share")
    assert shock.value == 0.0 and shock.triggered is False
    # one department with workload: no Spearman rho, the rule decides on the rest
    rho = _crit(f, "budget_workload_spearman")
    assert rho.triggered is None and any("workload" in m for m in f.missing)
    assert "same 10.0%" in f.summary_en and "3 of 3 expense budgets compared by budget line" in f.summary_en
    assert "10.0%" in f.summary_zh
    assert f.evidence["same_as_modal"].all()
    for c in f.criteria:
        assert c.config_key.startswith("p1.") and c.label_zh and c.basis


def test_p1_severity_formula(tiny_hospital):
    f = rule_p1(_ctx(tiny_hospital))
    # tripped: dispersion 0 < 0.01 -> 0.5 + 0.5 x min(1, 0.01 / 0.01) = 1; share 1 vs 0.6 -> 0.5 + 0.5 x 0.4/0.6;
    # shock not tripped -> 0; over 3 computable criteria (flat phasing needs budget_monthly)
    expected = 100 * (1 + (0.5 + 0.5 * 0.4 / 0.6) + 0) / 3
    assert f.severity == pytest.approx(expected, abs=0.05)


def test_p1_unaddressed_shock_trips(tiny_hospital):
    b = tiny_hospital.budget.assign(adjusted=tiny_hospital.budget["original"])
    f = rule_p1(_ctx(tiny_hospital.with_tables(adjustments=None, budget=b)))
    assert _crit(f, "unadjusted_volume_shock_share").triggered is True


def test_p1_annual_single_year_not_assessed(tiny_annual):
    a = tiny_annual.actuals
    b = tiny_annual.budget
    h = tiny_annual.with_tables(actuals=a[a["year"] == 2024], budget=b[b["year"] == 2024], workload=None)
    f = rule_p1(_ctx(h))
    assert f.status == "not_assessed" and f.severity is None
    assert "monthly actuals" in f.missing


def test_p1_annual_still_judges_growth(tiny_annual):
    f = rule_p1(_ctx(tiny_annual))
    assert _crit(f, "flat_phasing_share").triggered is None
    assert "monthly actuals" in f.missing
    assert f.status == "present"  # dispersion and identical share both trip on annual data


# ------------------------------------------------------------------------------------------ P2
def test_p2_tiny_absent_with_hand_values(tiny_hospital):
    f = rule_p2(_ctx(tiny_hospital))
    assert f.status == "absent"
    # FVA = (321 - 129) / 2541 (see test_indicators_forecast): B0 beat last year's actual
    assert _crit(f, "forecast_value_added").value == pytest.approx(192 / 2541)
    # |bias| by year x direction: 2023 exp 60/1020, rev 0; 2024 exp 114/1236, rev 15/1305 -> median of middle two
    assert _crit(f, "median_abs_bias").value == pytest.approx((15 / 1305 + 60 / 1020) / 2)
    # unbudgeted D2 E1: 30 of all expense 1020 + 1236
    assert _crit(f, "missing_items_share").value == pytest.approx(30 / 2256)
    assert _crit(f, "participation_mean").triggered is None
    assert any("survey" in m for m in f.missing)
    assert f.evidence.iloc[0]["missing_item"]  # the unbudgeted line has the largest excess error


def test_p2_present_when_budget_inflated_and_participation_low(tiny_hospital):
    b = tiny_hospital.budget.copy()
    b.loc[b["year"] == 2024, "original"] *= 1.3
    h = _survey(tiny_hospital.with_tables(budget=b), answer=2)
    f = rule_p2(_ctx(h))
    assert f.status == "present"
    assert _crit(f, "forecast_value_added").triggered is True
    assert _crit(f, "participation_mean").value == pytest.approx(2.0)
    assert _crit(f, "participation_mean").triggered is True
    assert "less accurate" in f.summary_en


def test_p2_survey_module_unavailable(tiny_hospital, monkeypatch):
    monkeypatch.setitem(sys.modules, "casekit.indicators.survey", None)  # import now raises ImportError
    f = rule_p2(_ctx(_survey(tiny_hospital, answer=1)))
    assert _crit(f, "participation_mean").triggered is None
    assert f.status == "absent"


# ------------------------------------------------------------------------------------------ P3
def test_p3_tiny_hand_values(tiny_hospital):
    f = rule_p3(_ctx(tiny_hospital))
    assert f.status == "present"
    # hospital |deviation| by year x direction: 60/960, 0, 54/1182, 15/1320
    assert _crit(f, "hospital_abs_deviation_rate").value == pytest.approx((60 / 960 + 54 / 1182 + 15 / 1320) / 4)
    # lines beyond 10%: 2023 D2 E2 (1 of 3 expense, 0 of 1 revenue), 2024 D1 E2 + D2 E1 (2 of 4, 0 of 1) -> 3/9
    assert _crit(f, "share_lines_beyond_warning").value == pytest.approx(3 / 9)
    # departments: D2 expense both years beyond, of 6 department x direction x year -> 2/6
    assert _crit(f, "share_depts_beyond_warning").value == pytest.approx(2 / 6)
    assert _crit(f, "progress_gap_share").value == 0.0  # every Q1-Q3 gap within 5 pp
    assert _crit(f, "year_end_surge").value == pytest.approx((140 / 85 + 213 / 103) / 2)
    # the only adjusted budget (D1 expense 2024) was adjusted twice, once in Q4
    assert _crit(f, "irregular_adjustment_share").value == 1.0
    # severity: s = 0.5 + 0.5 x min(1, |v - t| / |t|) for the 4 tripped of 6 criteria
    s = [0.5 + 0.5 * (1 / 3 - 0.25) / 0.25] * 2 + [0.5 + 0.5 * ((140 / 85 + 213 / 103) / 2 - 1.5) / 1.5, 1.0]
    assert f.severity == pytest.approx(100 * sum(s) / 6, abs=0.05)
    ev = f.evidence
    assert list(ev["dept_id"]) == ["D2", "D2"] and ev.iloc[0]["year"] == 2023  # 25% before 18.2%
    assert "33.3%" in f.summary_en and "33.3%" in f.summary_zh


def test_p3_threshold_override(tiny_hospital):
    f = rule_p3(_ctx(tiny_hospital, {"p3": {"min_triggered": 5}}))
    assert f.status == "absent"
    assert _crit(f, "year_end_surge").threshold == 1.5


def test_p3_annual_only(tiny_annual):
    f = rule_p3(_ctx(tiny_annual))
    assert _crit(f, "progress_gap_share").triggered is None
    assert _crit(f, "year_end_surge").triggered is None
    assert "monthly actuals" in f.missing
    assert f.status == "present"  # lines, departments and adjustments still trip


def test_p3_without_adjustments_table(tiny_hospital):
    f = rule_p3(_ctx(tiny_hospital.with_tables(adjustments=None)))
    assert _crit(f, "irregular_adjustment_share").triggered is None
    assert "adjustments table" in f.missing


# -------------------------------------------------------------------------------- sample hospitals
def _sample(profile: str) -> Hospital:
    sample = pytest.importorskip("casekit.sample")
    if not hasattr(sample, "generate"):
        pytest.skip("casekit.sample.generate not available yet")
    return sample.generate(profile)


@pytest.fixture(scope="module")
def j_findings():
    ctx = _ctx(_sample("j"))
    return {f.code: f for f in (rule_p1(ctx), rule_p2(ctx), rule_p3(ctx))}


@pytest.fixture(scope="module")
def well_run_findings():
    ctx = _ctx(_sample("well_run"))
    return {f.code: f for f in (rule_p1(ctx), rule_p2(ctx), rule_p3(ctx))}


@pytest.mark.parametrize("code", ["P1", "P2", "P3"])
def test_j_hospital_shows_problem(j_findings, code):
    f = j_findings[code]
    assert f.status == "present", f.summary_en


@pytest.mark.parametrize("code", ["P1", "P2", "P3"])
def test_well_run_hospital_does_not(well_run_findings, code):
    f = well_run_findings[code]
    assert f.status == "absent", f.summary_en
