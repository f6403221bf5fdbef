"""Cause -> problem matrix: links of the case, statuses, statistical support."""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.diagnosis.finding import Finding
from casekit.diagnosis.matrix import LINKS, STRUCTURAL, cause_problem_matrix
from casekit.indicators.performance import performance_linkage
from casekit.indicators.survey import construct_vs_deviation
from test_rules_p4_p5_causes import build_enriched, ctx_of


def _findings(present: set[str], codes: list[str]) -> list[Finding]:
    return [Finding(c, c, c, "present" if c in present else "absent", 0.0) for c in codes]


def test_links_are_those_of_the_case():
    assert set(LINKS) == {("C1", "P1"), ("C1", "P2"), ("C2", "P2"), ("C2", "P3"), ("C3", "P3"), ("C4", "P4"),
                          ("C5", "P5"), ("C5", "P2")}


def test_linked_needs_both_present_and_support_where_data_allow():
    h = build_enriched("bad")
    ctx = ctx_of(h)
    causes = _findings({"C1", "C4"}, ["C1", "C2", "C3", "C4", "C5"])
    problems = _findings({"P2", "P4"}, ["P1", "P2", "P3", "P4", "P5"])
    m = cause_problem_matrix(ctx, causes, problems).set_index(["cause", "problem"])
    assert list(m.reset_index().columns) == ["cause", "problem", "linked", "cause_status", "problem_status",
                                             "support", "statistic", "p_value", "n"]
    assert m.loc[("C1", "P2"), "linked"] and m.loc[("C4", "P4"), "linked"]
    assert not m.loc[("C1", "P1"), "linked"] and m.loc[("C1", "P1"), "problem_status"] == "absent"
    # C1 -> P2: department participation vs |deviation| against B0
    ref = construct_vs_deviation(h, basis="original").set_index("construct").loc["participation"]
    assert m.loc[("C1", "P2"), "statistic"] == pytest.approx(ref["rho"])
    assert m.loc[("C1", "P2"), "p_value"] == pytest.approx(ref["p_negative"])
    assert m.loc[("C1", "P2"), "n"] == 5
    # C4 -> P4: pooled |deviation| vs appraisal score
    link = performance_linkage(h)
    ref = link[(link["scope"] == "pooled") & (link["target"] == "appraisal_score")].iloc[0]
    assert m.loc[("C4", "P4"), "statistic"] == pytest.approx(ref["rho"])
    assert m.loc[("C4", "P4"), "n"] == 10
    assert m.loc[("C2", "P3"), "support"] == STRUCTURAL and pd.isna(m.loc[("C2", "P3"), "statistic"])


def test_without_survey_or_performance_every_link_is_structural(tiny_hospital):
    m = cause_problem_matrix(ctx_of(tiny_hospital), [], [])
    assert (m["support"] == STRUCTURAL).all()
    assert (m["cause_status"] == "not_assessed").all() and not m["linked"].any()
    assert str(m["n"].dtype) == "Int64"
