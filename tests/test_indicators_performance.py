"""Budget weight and performance linkage (casekit.indicators.performance).

``build_five_dept_hospital`` is reused by the survey, rule and diagnosis tests: five clinical
departments, one expense line (E1, budget 100) and one revenue line (R1, budget 200, executed
exactly), two years, annual actuals. Expense |deviation rate| by department:

====  ====  ====
dept  2023  2024
====  ====  ====
D1    0.00  0.02
D2    0.05  0.04
D3    0.10  0.15
D4    0.20  0.25
D5    0.30  0.40
====  ====  ====
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from casekit.errors import CasekitError
from casekit.data.hospital import Hospital, Profile
from casekit.indicators.performance import budget_weight, performance_linkage, spearman

DEPTS = ["D1", "D2", "D3", "D4", "D5"]
EXPENSE = {2023: [100, 105, 110, 120, 130], 2024: [102, 104, 115, 125, 140]}
SCORES = {2023: [95, 90, 85, 80, 70], 2024: [92, 93, 84, 79, 65]}
BONUS = {2023: [10.0, 30.0, 20.0, 40.0, 50.0], 2024: [5.0, 6.0, 7.0, 8.0, 9.0]}


def build_five_dept_hospital(weight: float = 0.2, **profile_extra) -> Hospital:
    """Five departments, two years, annual actuals, with a performance table (see module docstring)."""
    departments = pd.DataFrame({"dept_id": DEPTS, "name": [f"Dept {d}" for d in DEPTS], "type": "clinical"})
    accounts = pd.DataFrame({"account_id": ["R1", "E1"], "name": ["Outpatient", "Materials"],
                             "direction": ["revenue", "expense"], "category": ["outpatient", "materials"],
                             "revenue_kind": ["service", None]})
    b, a, p = [], [], []
    for year in (2023, 2024):
        for i, d in enumerate(DEPTS):
            b += [{"year": year, "dept_id": d, "account_id": "E1", "original": 100.0, "adjusted": 100.0},
                  {"year": year, "dept_id": d, "account_id": "R1", "original": 200.0, "adjusted": 200.0}]
            a += [{"year": year, "month": pd.NA, "dept_id": d, "account_id": "E1", "amount": float(EXPENSE[year][i])},
                  {"year": year, "month": pd.NA, "dept_id": d, "account_id": "R1", "amount": 200.0}]
            p.append({"year": year, "dept_id": d, "appraisal_score": float(SCORES[year][i]),
                      "bonus": BONUS[year][i], "budget_weight": weight})
    budget = pd.DataFrame(b)
    budget["adjusted_given"] = False
    actuals = pd.DataFrame(a)
    actuals["month"] = actuals["month"].astype("Int64")
    for df in (budget, actuals):
        df["year"] = df["year"].astype("int64")
    perf = pd.DataFrame(p)
    perf["year"] = perf["year"].astype("int64")
    return Hospital(Profile("Five-department test hospital", tier="secondary", beds=100, synthetic=True,
                            extra=dict(profile_extra)),
                    departments, accounts, budget, actuals, performance=perf)


def test_spearman_hand_worked_and_scipy():
    x = pd.Series([1, 2, 3, 4, 5])
    y = pd.Series([2, 1, 4, 3, 5])
    rho, p, n = spearman(x, y)
    # d = rank differences (-1, 1, -1, 1, 0), sum d^2 = 4: rho = 1 - 6*4 / (5*(25-1)) = 0.8
    assert rho == pytest.approx(0.8)
    assert p == pytest.approx(stats.spearmanr(x, y).pvalue)
    assert n == 5


def test_spearman_drops_missing_and_refuses_tiny_or_constant():
    rho, _, n = spearman(pd.Series([1, 2, None, 4]), pd.Series([1, 2, 3, None]))
    assert n == 2 and np.isnan(rho)
    rho, _, n = spearman(pd.Series([1, 2, 3]), pd.Series([5, 5, 5]))
    assert n == 3 and np.isnan(rho)


def test_budget_weight_hand_worked():
    h = build_five_dept_hospital()
    perf = h.performance.copy()
    perf.loc[perf["year"] == 2024, "budget_weight"] = [0.0, 0.0, 0.1, 0.2, 0.2]
    bw = budget_weight(h.with_tables(performance=perf)).set_index("year")
    assert bw.loc[2023, "mean_weight"] == pytest.approx(0.2)
    assert bw.loc[2023, "zero_share"] == 0.0
    assert bw.loc[2024, "mean_weight"] == pytest.approx(0.1)
    assert bw.loc[2024, "min_weight"] == 0.0
    assert bw.loc[2024, "zero_share"] == pytest.approx(0.4)
    assert bw.loc[2024, "n_departments"] == 5


def test_budget_weight_without_the_column_is_nan():
    h = build_five_dept_hospital()
    bw = budget_weight(h.with_tables(performance=h.performance.drop(columns="budget_weight")))
    assert bw["n_departments"].tolist() == [0, 0]
    assert bw["mean_weight"].isna().all()


def test_performance_linkage_per_year_and_pooled():
    h = build_five_dept_hospital()
    link = performance_linkage(h)
    score23 = link[(link["year"] == 2023) & (link["target"] == "appraisal_score")].iloc[0]
    # 2023: |deviation| rises 0, .05, .10, .20, .30 while the score falls 95 .. 70: rho = -1
    assert score23["rho"] == pytest.approx(-1.0)
    assert score23["n"] == 5
    bonus23 = link[(link["year"] == 2023) & (link["target"] == "bonus")].iloc[0]
    ref = stats.spearmanr([0, 0.05, 0.10, 0.20, 0.30], BONUS[2023])
    assert bonus23["rho"] == pytest.approx(ref.statistic)
    assert bonus23["p_value"] == pytest.approx(ref.pvalue)
    # rho > 0: the one-sided p for a negative link is 1 - p/2
    assert bonus23["p_negative"] == pytest.approx(1 - ref.pvalue / 2)
    pooled = link[(link["scope"] == "pooled") & (link["target"] == "appraisal_score")].iloc[0]
    dev = [0, 0.05, 0.10, 0.20, 0.30, 0.02, 0.04, 0.15, 0.25, 0.40]
    ref = stats.spearmanr(dev, SCORES[2023] + SCORES[2024])
    assert pooled["n"] == 10
    assert pooled["rho"] == pytest.approx(ref.statistic)
    assert pooled["p_negative"] == pytest.approx(ref.pvalue / 2)
    assert pd.isna(pooled["year"])
    assert set(link["basis"]) == {"adjusted"}


def test_missing_performance_table_raises_with_fix(tiny_hospital):
    with pytest.raises(CasekitError, match="performance"):
        budget_weight(tiny_hospital)
