"""PEFA budget credibility (casekit.indicators.pefa) against hand-worked examples.

Every expected value below is worked out by hand in the comments (PEFA 2016 framework).
"""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.data.hospital import Hospital, Profile
from casekit.indicators.pefa import (composition_heads, grade_aggregate, grade_composition, grade_contingency,
                                     pefa_scores, pefa_yearly, two_of_three)

CATEGORY = {"E1": "personnel", "E2": "drugs", "E3": "materials", "R1": "outpatient", "R2": "inpatient"}


def hospital(lines: list[tuple[int, str, str, float, float]], n_depts: int = 3) -> Hospital:
    """A hospital of annual lines (year, dept, account, B0, A); B1 = B0."""
    depts = [f"D{i}" for i in range(1, n_depts + 1)]
    departments = pd.DataFrame({"dept_id": depts, "name": [f"Dept {d}" for d in depts], "type": "clinical"})
    accounts = pd.DataFrame({"account_id": list(CATEGORY), "name": list(CATEGORY),
                             "direction": ["expense"] * 3 + ["revenue"] * 2, "category": list(CATEGORY.values())})
    budget = pd.DataFrame([{"year": y, "dept_id": d, "account_id": a, "original": b0, "adjusted": b0,
                            "adjusted_given": False} for y, d, a, b0, _ in lines if b0 is not None])
    actuals = pd.DataFrame([{"year": y, "month": pd.NA, "dept_id": d, "account_id": a, "amount": act}
                            for y, d, a, _, act in lines])
    actuals["month"] = actuals["month"].astype("Int64")
    return Hospital(Profile(name="PEFA test"), departments, accounts, budget, actuals)


def worked_example(year: int = 2024) -> list[tuple]:
    # B0 = (50, 30, 20), A = (58, 25, 25): three departments, three economic categories
    return [(year, "D1", "E1", 50.0, 58.0), (year, "D2", "E2", 30.0, 25.0), (year, "D3", "E3", 20.0, 25.0)]


def test_grades_and_bands():
    assert grade_aggregate(0.95) == "A" and grade_aggregate(1.05) == "A" and grade_aggregate(1.0501) == "B"
    assert grade_aggregate(0.85) == "C" and grade_aggregate(0.8499) == "D"
    # revenue is asymmetric: 96% is A for expenditure (95-105%) but B for revenue (97-106%), 106% the reverse
    assert grade_aggregate(0.96, "PI-1") == "A" and grade_aggregate(0.96, "PI-3.1") == "B"
    assert grade_aggregate(1.06, "PI-1") == "B" and grade_aggregate(1.06, "PI-3.1") == "A"
    assert grade_composition(0.05) == "B" and grade_composition(0.0499) == "A" and grade_composition(0.15) == "D"
    assert grade_contingency(0.03) == "B" and grade_contingency(0.10) == "C" and grade_contingency(0.1001) == "D"


def test_composition_worked_example_where_the_aggregate_adjustment_changes_the_score():
    h = hospital(worked_example())
    heads = composition_heads(h, "expense", "dept_id").set_index("head")
    # adj_i = B0_i x 108 / 100 = (54, 32.4, 21.6); |A - adj| = (4, 7.4, 3.4)
    assert heads["adjusted_budget"].tolist() == pytest.approx([54.0, 32.4, 21.6])
    assert heads["abs_difference"].tolist() == pytest.approx([4.0, 7.4, 3.4])
    y = pefa_yearly(h).set_index("indicator")
    assert y.loc["PI-1", "value"] == pytest.approx(1.08)           # 108 / 100
    assert y.loc["PI-1", "year_grade"] == "B"                       # within 90-110%, not 95-105%
    assert y.loc["PI-2.1", "value"] == pytest.approx(14.8 / 108)    # 13.70%
    assert y.loc["PI-2.1", "naive_value"] == pytest.approx(0.18)    # (8 + 5 + 5) / 100
    assert y.loc["PI-2.1", "year_grade"] == "C"
    assert grade_composition(y.loc["PI-2.1", "naive_value"]) == "D"  # without the adjustment it would be D
    assert y.loc["PI-2.2", "value"] == pytest.approx(14.8 / 108)    # the categories are distinct here too
    s = pefa_scores(h).set_index("indicator")
    assert s.loc["PI-1", "score"] == "B" and s.loc["PI-2.1", "score"] == "C"
    assert s.loc["PI-2.1", "values"] == "13.70%"
    assert "1 year" in s.loc["PI-1", "note_en"] and "three" in s.loc["PI-1", "note_en"]


def test_two_of_the_last_three_years():
    assert two_of_three(["A", "D", "B"]) == "B"   # A and B are met in two years -> B
    assert two_of_three(["A", "D", "D"]) == "D"   # only one year within any band but D
    assert two_of_three(["B", "B", "A"]) == "B"
    assert two_of_three(["C", None]) == "C"       # one scored year: that year
    # four years of PI-1 outturn: 100% (A), 120% (D), 130% (D), 102% (A). Only the last three count:
    # D, D, A -> D (with 2021 counted it would have been A in two years)
    lines = []
    for year, actual in ((2021, 100.0), (2022, 120.0), (2023, 130.0), (2024, 102.0)):
        lines += [(year, "D1", "E1", 60.0, actual * 0.6), (year, "D2", "E2", 40.0, actual * 0.4)]
    h = hospital(lines, n_depts=2)
    y = pefa_yearly(h)
    pi1 = y[y["indicator"] == "PI-1"]
    assert pi1["year"].tolist() == [2022, 2023, 2024]
    assert pi1["year_grade"].tolist() == ["D", "D", "A"]
    s = pefa_scores(h).set_index("indicator")
    assert s.loc["PI-1", "score"] == "D" and s.loc["PI-1", "years"] == "2022, 2023, 2024"
    assert s.loc["PI-1", "note_en"] == ""
    # composition is unchanged in every year (each head moves with the total): variance 0 -> A
    assert s.loc["PI-2.1", "score"] == "A"


def test_contingency_is_averaged_and_revenue_scored_on_its_own_bands():
    lines = []
    for year, unbudgeted in ((2022, 2.0), (2023, 4.0), (2024, 6.0)):
        lines += [(year, "D1", "E1", 60.0, 60.0), (year, "D2", "E2", 40.0, 40.0 - unbudgeted),
                  (year, "D2", "E3", 0.0, unbudgeted),            # spent without an original budget
                  (year, "D1", "R1", 100.0, 96.0), (year, "D2", "R2", 100.0, 96.0)]
    h = hospital(lines, n_depts=2)
    y = pefa_yearly(h)
    pi23 = y[y["indicator"] == "PI-2.3"]
    assert pi23["value"].tolist() == pytest.approx([0.02, 0.04, 0.06])   # unbudgeted / B0 total of 100
    s = pefa_scores(h).set_index("indicator")
    assert s.loc["PI-2.3", "score"] == "B"                               # mean 4%: 3-6%
    assert "mean 4.00%" in s.loc["PI-2.3", "values"]
    assert s.loc["PI-1", "score"] == "A"                                 # 100% every year
    assert s.loc["PI-3.1", "score"] == "B"                               # 96% every year: below 97%
    assert s.loc["PI-3.2", "score"] == "A"                               # both categories at 96%


def test_a_single_department_is_not_scored_on_composition_by_department():
    h = hospital([(2024, "D1", "E1", 50.0, 58.0), (2024, "D1", "E2", 50.0, 45.0)], n_depts=1)
    s = pefa_scores(h).set_index("indicator")
    assert pd.isna(s.loc["PI-2.1", "score"]) and "two departments" in s.loc["PI-2.1", "note_en"]
    assert s.loc["PI-2.2", "score"] == "C"  # two categories: adj = 51.5 each, (6.5 + 6.5) / 103 = 12.6%
    assert pd.isna(s.loc["PI-3.1", "score"]) and "revenue" in s.loc["PI-3.1", "note_en"]
