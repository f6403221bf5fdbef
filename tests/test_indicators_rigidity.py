"""Rigidity indicators: budget growth, identical growth, workload correlation, phasing, volume shocks."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casekit.data.hospital import Hospital, Profile
from casekit.indicators.rigidity import (budget_growth, phasing_flatness, rigidity_summary, volume_shocks,
                                         workload_growth)


def _annual_hospital(budget_growth_rates, workload_growth_rates) -> Hospital:
    """One expense account, one department per rate; 2023 actual 100 each, 2024 B0 = 100 x (1 + g)."""
    n = len(budget_growth_rates)
    depts = [f"K{i}" for i in range(n)]
    departments = pd.DataFrame({"dept_id": depts, "name": depts, "type": "clinical"})
    accounts = pd.DataFrame({"account_id": ["E1"], "name": ["Drugs"], "direction": ["expense"],
                             "category": ["drugs"]})
    budget = pd.DataFrame({"year": [2023] * n + [2024] * n, "dept_id": depts * 2, "account_id": "E1",
                           "original": [100.0] * n + [100.0 * (1 + g) for g in budget_growth_rates]})
    budget["adjusted"] = budget["original"]
    budget["adjusted_given"] = False
    actuals = pd.DataFrame({"year": [2023] * n + [2024] * n, "month": pd.array([pd.NA] * 2 * n, dtype="Int64"),
                            "dept_id": depts * 2, "account_id": "E1", "amount": 100.0})
    workload = pd.DataFrame({"year": [2023] * n + [2024] * n, "month": pd.array([pd.NA] * 2 * n, dtype="Int64"),
                             "dept_id": depts * 2, "scenario": "actual",
                             "outpatient_visits": [1000.0] * n + [1000.0 * (1 + w) for w in workload_growth_rates]})
    return Hospital(Profile("annual"), departments, accounts, budget, actuals, workload=workload)


def test_budget_growth_tiny(tiny_hospital):
    g = budget_growth(tiny_hospital).set_index(["year", "dept_id", "direction"])
    # B0 2024 = 1.10 x 2023 actual everywhere: D1 expense (660 + 132) / (600 + 120) - 1 = 10%
    assert g.loc[(2024, "D1", "expense"), "growth"] == pytest.approx(0.10)
    assert g.loc[(2024, "D2", "expense"), "growth"] == pytest.approx(330 / 300 - 1)
    lines = budget_growth(tiny_hospital, level="line")
    assert len(lines) == 4  # the unbudgeted D2 E1 has no 2023 line, so no growth row
    assert np.allclose(lines["growth"], 0.10)


def test_workload_growth_volume_index(tiny_hospital):
    w = workload_growth(tiny_hospital).iloc[0]
    # visits 1200 -> 1680 (+40%), discharges 120 -> 120 (0%): index = mean = 20%
    assert (w["year"], w["dept_id"]) == (2024, "D1")
    assert w["workload_growth"] == pytest.approx(0.20)
    assert w["n_measures"] == 2


def test_rigidity_summary_identical_growth(tiny_hospital):
    s = rigidity_summary(tiny_hospital).set_index(["year", "direction"])
    r = s.loc[(2024, "expense")]
    # only 2 departments: compared across the 3 expense lines instead (D1 E1, D1 E2, D2 E2), all +10%
    assert (r["unit"], r["n_units"]) == ("line", 3) and r["share_identical"] == 1.0
    assert r["growth_std"] == pytest.approx(0.0, abs=1e-12)
    assert r["modal_growth"] == pytest.approx(0.10)
    assert np.isnan(r["spearman_rho"])  # one department with workload: no correlation


def test_share_identical_with_tolerance():
    # 3 of 5 departments within 0.1 pp of 5%; the others 2% and 9%
    h = _annual_hospital([0.05, 0.0504, 0.0496, 0.02, 0.09], [0.1, 0.0, 0.2, 0.05, 0.3])
    r = rigidity_summary(h, tolerance=0.001).iloc[0]
    assert (r["unit"], r["n_units"]) == ("department", 5)
    assert r["share_identical"] == pytest.approx(3 / 5)
    assert r["modal_growth"] == pytest.approx(0.05, abs=0.001)


def test_spearman_follows_workload():
    # budget growth ranks exactly as workload growth -> rho = 1
    h = _annual_hospital([0.01, 0.02, 0.03, 0.04], [0.0, 0.1, 0.2, 0.3])
    r = rigidity_summary(h).iloc[0]
    assert r["spearman_rho"] == pytest.approx(1.0)
    assert r["n_corr"] == 4
    # reversed ranks -> rho = -1
    h = _annual_hospital([0.04, 0.03, 0.02, 0.01], [0.0, 0.1, 0.2, 0.3])
    assert rigidity_summary(h).iloc[0]["spearman_rho"] == pytest.approx(-1.0)


def test_constant_budget_growth_gives_rho_zero():
    h = _annual_hospital([0.05] * 4, [0.0, 0.1, 0.2, 0.3])
    r = rigidity_summary(h).iloc[0]
    assert r["spearman_rho"] == 0.0 and r["spearman_p"] == 1.0
    assert "constant" in r["corr_note"]


def test_phasing_flatness(tiny_hospital):
    p = phasing_flatness(tiny_hospital).set_index(["year", "dept_id", "account_id"])
    assert p["flat"].all() and set(p["phasing"]) == {"none: flat 1/12 by definition"}
    # D2 E2 2023: 20 x 11 and 80 -> mean 25, population std sqrt((11 x 25 + 55^2) / 12) = sqrt(275)
    assert p.loc[(2023, "D2", "E2"), "actual_cv"] == pytest.approx(np.sqrt(275) / 25)
    assert bool(p.loc[(2023, "D2", "E2"), "seasonal"])
    assert not bool(p.loc[(2023, "D1", "E1"), "seasonal"])  # constant 50 a month
    assert (2024, "D2", "E1") not in p.index  # unbudgeted line: no phasing to judge


def test_phasing_from_budget_monthly(tiny_hospital):
    rows = []
    for m in range(1, 13):  # D2 E2 2023 phased like its actuals; D1 E1 2023 flat with rounding
        rows.append({"year": 2023, "month": m, "dept_id": "D2", "account_id": "E2",
                     "amount": 80.0 if m == 12 else 20.0})
        rows.append({"year": 2023, "month": m, "dept_id": "D1", "account_id": "E1",
                     "amount": 50.04 if m == 12 else 49.996})
    h = tiny_hospital.with_tables(budget_monthly=pd.DataFrame(rows))
    p = phasing_flatness(h).set_index(["year", "dept_id", "account_id"])
    assert not bool(p.loc[(2023, "D2", "E2"), "flat"]) and p.loc[(2023, "D2", "E2"), "phasing"] == "budget_monthly"
    assert bool(p.loc[(2023, "D1", "E1"), "flat"])
    assert p.loc[(2024, "D2", "E2"), "phasing"] == "none: flat 1/12 by definition"


def test_volume_shocks(tiny_hospital):
    v = volume_shocks(tiny_hospital).iloc[0]
    # actual / budget: visits 1680/1200 - 1 = 40%, discharges 0% -> index 20% > 15% -> shock
    assert v["volume_deviation"] == pytest.approx(0.20)
    assert bool(v["shock"]) and bool(v["adjusted"]) and not bool(v["unaddressed"])
    b = tiny_hospital.budget.assign(adjusted=tiny_hospital.budget["original"])
    h = tiny_hospital.with_tables(adjustments=None, budget=b)
    v = volume_shocks(h).iloc[0]
    assert bool(v["unaddressed"]) and v["adjustment_source"] == "budget B1 vs B0"
    assert not volume_shocks(tiny_hospital, shock=0.25).iloc[0]["shock"]


def test_missing_workload_gives_empty(tiny_hospital):
    h = tiny_hospital.with_tables(workload=None)
    assert workload_growth(h).empty and volume_shocks(h).empty
    assert rigidity_summary(h)["spearman_rho"].isna().all()


def test_annual_only_phasing_empty(tiny_annual):
    assert phasing_flatness(tiny_annual).empty
    assert not rigidity_summary(tiny_annual).empty  # growth needs annual data only
