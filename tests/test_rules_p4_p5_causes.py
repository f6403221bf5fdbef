"""Rules P4, P5 and C1-C5 on small hospitals that do and do not have each problem.

``build_enriched(kind)`` (reused by the aspect, matrix and diagnosis tests) takes the
five-department hospital of ``test_indicators_performance`` and adds every optional table a
people-and-systems rule needs, either "bad" (J-like) or "good" (run by the 2020 measures).
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from casekit.diagnosis.config import RuleContext, Thresholds
from casekit.diagnosis.rules_causes import CAUSE_RULES, rule_c1, rule_c2, rule_c3
from casekit.diagnosis.criteria import severity
from casekit.diagnosis.rules_linkage import rule_p4, rule_p5
from casekit.diagnosis.finding import Criterion
from casekit.data.checklist import standard_checklist
from test_indicators_performance import DEPTS, EXPENSE, build_five_dept_hospital

CONSTRUCTS = ["participation", "staff", "supervision", "assessment", "integration"]


def survey(levels: dict[str, dict[str, int]], inconsistent: str | None = None) -> dict[str, pd.DataFrame]:
    """Two respondents per department answer two items per construct at the given level.

    ``inconsistent`` names a construct whose second item runs against the first (low alpha).
    """
    items = pd.DataFrame({"item_id": [f"{c[:3]}{i}" for c in CONSTRUCTS for i in (1, 2)],
                          "construct": [c for c in CONSTRUCTS for _ in (1, 2)], "reverse": False})
    rows = []
    for d in DEPTS:
        for r, role in enumerate(("clinical", "finance")):
            for c in CONSTRUCTS:
                lv = levels[c][d]
                second = (6 - lv if r == 0 else lv) if c == inconsistent else lv
                rows += [{"respondent_id": f"{d}-{r}", "role": role, "dept_id": d, "item_id": f"{c[:3]}1",
                          "answer": lv},
                         {"respondent_id": f"{d}-{r}", "role": role, "dept_id": d, "item_id": f"{c[:3]}2",
                          "answer": second}]
    return {"survey_items": items, "survey_responses": pd.DataFrame(rows)}


def build_enriched(kind: str, inconsistent: str | None = None):
    """The five-department hospital with performance, survey, checklist, systems and profile data."""
    bad = kind == "bad"
    h = build_five_dept_hospital(weight=0.0 if bad else 0.2)
    perf = h.performance.copy()
    dev = [abs(e - 100) / 100 for y in (2023, 2024) for e in EXPENSE[y]]
    if bad:   # scores and bonus rise with deviation: no budget discipline rewarded
        perf["appraisal_score"] = [70 + 50 * d for d in dev]
        perf["bonus"] = [1000 + 500 * d for d in dev]
    else:     # scores and bonus fall with deviation
        perf["bonus"] = [1000 - 2000 * d for d in dev]
    if bad:
        part = {"D1": 3, "D2": 3, "D3": 2, "D4": 2, "D5": 1}   # less participation, more deviation
        levels = {c: ({d: 2 for d in DEPTS} if c != "participation" else part) for c in CONSTRUCTS}
    else:
        levels = {c: {d: (4 if i % 2 == 0 else 5) for i, d in enumerate(DEPTS)} for c in CONSTRUCTS}
    std = standard_checklist()
    checklist = pd.DataFrame({"item_id": std["item_id"], "status": "no" if bad else "yes"})
    systems = pd.DataFrame({"system": ["HIS", "HRP", "budget", "cost", "performance"], "in_use": True,
                            "integrated_with_finance": not bad, "data_latency_days": 20.0 if bad else 2.0,
                            "manual_steps": 4 if bad else 0})
    extra = ({"budget_staff": 1, "budget_staff_qualified": 0, "budget_training_hours": 8.0,
              "execution_analyses_per_year": 1, "report_days": 15.0, "survey_invited": 20} if bad else
             {"budget_staff": 3, "budget_staff_qualified": 3, "budget_training_hours": 40.0,
              "execution_analyses_per_year": 12, "report_days": 5.0, "survey_invited": 12})
    h = h.with_tables(performance=perf, checklist=checklist, systems=systems, **survey(levels, inconsistent))
    return replace(h, profile=replace(h.profile, beds=500 if bad else 100, extra=extra))


def ctx_of(h, config=None) -> RuleContext:
    return RuleContext(h, Thresholds(config))


@pytest.fixture(scope="module")
def bad():
    return build_enriched("bad")


@pytest.fixture(scope="module")
def good():
    return build_enriched("good")


def crit(f, name):
    return next(c for c in f.criteria if c.name == name)


def test_severity_formula_hand_worked():
    cs = [Criterion("a", 0.0, 0.6, "<", True), Criterion("b", 15.0, 10.0, ">", True),
          Criterion("c", 5.0, 7.0, ">", False), Criterion("d", None, 3.0, "<", None)]
    # a: 0.5 + 0.5*min(1, 0.6/0.6) = 1; b: 0.5 + 0.5*0.5 = 0.75; c: 0; d not computable -> 1.75/3
    assert severity(cs) == pytest.approx(round(100 * 1.75 / 3, 1))


def test_p4_present_when_budget_is_not_in_the_appraisal(bad):
    f = rule_p4(ctx_of(bad))
    assert f.status == "present"
    assert crit(f, "mean_budget_weight").value == 0.0 and crit(f, "mean_budget_weight").triggered
    assert crit(f, "deviation_appraisal_score_p_negative").triggered
    assert crit(f, "deviation_bonus_p_negative").triggered
    assert {"abs_deviation_rate", "appraisal_score", "bonus"} <= set(f.evidence.columns)
    assert len(f.evidence) == 10
    assert "0.0%" in f.summary_en and "预算指标" in f.summary_zh


def test_p4_absent_when_deviation_costs_score_and_bonus(good):
    f = rule_p4(ctx_of(good))
    assert f.status == "absent"
    assert not any(c.triggered for c in f.criteria)
    assert f.severity == 0.0


def test_p4_threshold_comes_from_config(good):
    f = rule_p4(ctx_of(good, {"p4": {"budget_weight_min": 0.3}}))
    c = crit(f, "mean_budget_weight")
    assert c.threshold == 0.3 and c.triggered and c.config_key == "p4.budget_weight_min"


def test_p5_present_hand_worked_severity(bad):
    f = rule_p5(ctx_of(bad))
    assert f.status == "present"
    assert [c.triggered for c in f.criteria] == [True, True, True, True]
    # share 0 vs 0.6 -> 1; report 15 vs 10 -> 0.75; latency 20 vs 7 -> 1; survey 2 vs 3 -> 0.5 + 0.5/3
    assert f.severity == pytest.approx(round(100 * (1 + 0.75 + 1 + 0.5 + 0.5 / 3) / 4, 1))
    assert f.grade == "severe"


def test_p5_absent_and_partially_assessable(good, bad):
    assert rule_p5(ctx_of(good)).status == "absent"
    only_profile = bad.with_tables(systems=None, survey_items=None, survey_responses=None)
    f = rule_p5(ctx_of(only_profile))
    assert f.status == "present"   # the one computable criterion (report days) trips
    assert [c.triggered for c in f.criteria] == [None, True, None, None]
    assert "systems table" in f.missing


@pytest.mark.parametrize("code", ["C1", "C2", "C3", "C4", "C5"])
def test_causes_present_in_bad_absent_in_good(code, bad, good):
    assert CAUSE_RULES[code](ctx_of(bad)).status == "present"
    g = CAUSE_RULES[code](ctx_of(good))
    assert g.status == "absent", g.summary_en


def test_c1_criteria_values(bad):
    f = rule_c1(ctx_of(bad))
    assert crit(f, "survey_participation_mean").value == pytest.approx(2.2)
    assert crit(f, "checklist_C1_share_met").value == 0.0
    corr = crit(f, "participation_deviation_p_negative")
    assert corr.triggered and corr.value < 0.05 and corr.op == "<"
    assert set(f.evidence["source"]) == {"survey", "checklist", "departments"}


def test_c2_staffing_hand_worked(bad):
    f = rule_c2(ctx_of(bad))
    assert crit(f, "budget_staff_per_100_beds").value == pytest.approx(0.2)   # 1 staff / 500 beds x 100
    assert crit(f, "budget_staff_qualified_share").value == 0.0
    assert crit(f, "budget_training_hours").triggered


def test_low_alpha_puts_a_caveat_in_the_summary():
    h = build_enriched("bad", inconsistent="supervision")
    f = rule_c3(ctx_of(h))
    assert "Caveat" in f.summary_en and "Cronbach" in f.summary_zh
    assert "Caveat" not in rule_c3(ctx_of(build_enriched("bad"))).summary_en


def test_required_tables_only_every_rule_is_not_assessed_and_names_what_is_missing():
    h = build_five_dept_hospital().with_tables(performance=None)
    ctx = ctx_of(h)
    expected = {"P4": "performance", "P5": "systems", "C1": "survey", "C2": "budget_staff", "C3": "checklist",
                "C4": "checklist", "C5": "systems"}
    for code, rule in {"P4": rule_p4, "P5": rule_p5, **CAUSE_RULES}.items():
        f = rule(ctx)
        assert f.status == "not_assessed", code
        assert f.severity is None and f.grade is None
        assert any(expected[code] in m for m in f.missing), (code, f.missing)
        assert f.summary_en.startswith("Not assessed: needs")


def test_survey_alone_decides_c1(bad):
    h = build_five_dept_hospital().with_tables(performance=None, survey_items=bad.survey_items,
                                               survey_responses=bad.survey_responses)
    f = rule_c1(ctx_of(h))
    assert f.status == "present"
    assert crit(f, "checklist_C1_share_met").triggered is None
    assert "checklist table" in f.missing
