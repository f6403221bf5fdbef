"""Appraisal context ratios (casekit.indicators.context) on small hand-made hospitals."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from casekit.data.hospital import Hospital, Profile
from casekit.indicators.context import appraisal_ratios


def context_hospital(tier: str = "tertiary", with_kind: bool = True, **extra) -> Hospital:
    """One department, two years. 2024 annual actuals (yuan):
    outpatient service 300, outpatient drugs 200, inpatient service 400, inpatient drugs 100 (medical revenue
    1000), fiscal subsidy 100; personnel 400, materials 90, energy 11, administration 99, capital 500.
    2023 is the same except outpatient service 200 (outpatient revenue 400)."""
    accounts = pd.DataFrame({
        "account_id": ["RS1", "RD1", "RS2", "RD2", "RF", "EP", "EM", "EE", "EA", "EC"],
        "name": list("abcdefghij"),
        "direction": ["revenue"] * 5 + ["expense"] * 5,
        "category": ["outpatient", "outpatient", "inpatient", "inpatient", "fiscal_subsidy", "personnel",
                     "materials", "energy", "administration", "capital"],
        "revenue_kind": ["service", "drug", "service", "drug", None, None, None, None, None, None],
    })
    if not with_kind:
        accounts = accounts.drop(columns="revenue_kind")
    amounts = {"RS1": 300, "RD1": 200, "RS2": 400, "RD2": 100, "RF": 100, "EP": 400, "EM": 90, "EE": 11,
               "EA": 99, "EC": 500}
    rows = []
    for year in (2023, 2024):
        for acc, v in amounts.items():
            v = 200 if (year == 2023 and acc == "RS1") else v
            rows.append({"year": year, "month": pd.NA, "dept_id": "H", "account_id": acc, "amount": float(v)})
    actuals = pd.DataFrame(rows)
    actuals["month"] = actuals["month"].astype("Int64")
    actuals["year"] = actuals["year"].astype("int64")
    budget = actuals.rename(columns={"amount": "original"}).drop(columns="month")
    budget["adjusted"] = budget["original"]
    budget["adjusted_given"] = False
    workload = pd.DataFrame({"year": [2023, 2024], "month": pd.array([pd.NA, pd.NA], dtype="Int64"),
                             "dept_id": "H", "scenario": "actual", "outpatient_visits": [40.0, 50.0],
                             "discharges": [5.0, 4.0]})
    workload["year"] = workload["year"].astype("int64")
    departments = pd.DataFrame({"dept_id": ["H"], "name": ["Whole hospital"], "type": ["clinical"]})
    return Hospital(Profile("ctx", tier=tier, extra=dict(extra)), departments, accounts, budget, actuals,
                    workload=workload)


def _value(df: pd.DataFrame, year: int, ind: str) -> float:
    return df[(df["year"] == year) & (df["indicator"] == ind)]["value"].iloc[0]


def test_ratios_hand_worked():
    r = appraisal_ratios(context_hospital(total_assets=1000.0, total_liabilities=400.0))
    assert _value(r, 2024, "medical_service_revenue_share") == pytest.approx(700 / 1000)
    # business expense = all expense except capital = 400 + 90 + 11 + 99 = 600
    assert _value(r, 2024, "personnel_expense_share") == pytest.approx(400 / 600)
    assert _value(r, 2024, "surplus_rate") == pytest.approx((1000 - 600) / 1000)
    # materials 90 / (medical revenue 1000 - drug revenue 300) x 100
    assert _value(r, 2024, "consumables_per_100_yuan") == pytest.approx(90 / 700 * 100)
    # energy 11 / total revenue 1100 x 10,000
    assert _value(r, 2024, "energy_per_10k_revenue") == pytest.approx(100.0)
    # outpatient revenue per visit 400/40 = 10 (2023) -> 500/50 = 10 (2024): growth 0
    assert _value(r, 2024, "revenue_per_visit_growth") == pytest.approx(0.0)
    # inpatient revenue per discharge 500/5 = 100 -> 500/4 = 125: growth 25%
    assert _value(r, 2024, "revenue_per_discharge_growth") == pytest.approx(0.25)
    assert _value(r, 2024, "asset_liability_ratio") == pytest.approx(0.4)


def test_first_year_growth_and_missing_inputs_say_what_is_needed():
    r = appraisal_ratios(context_hospital(with_kind=False))
    first = r[(r["year"] == 2023) & (r["indicator"] == "revenue_per_visit_growth")].iloc[0]
    assert not first["available"] and "previous year" in first["needs"]
    share = r[(r["year"] == 2024) & (r["indicator"] == "medical_service_revenue_share")].iloc[0]
    assert not share["available"] and np.isnan(share["value"]) and share["needs"] == "accounts.revenue_kind"
    alr = r[r["indicator"] == "asset_liability_ratio"].iloc[0]
    assert not alr["available"] and "total_assets" in alr["needs"]
    h = context_hospital()
    no_wl = appraisal_ratios(replace(h, workload=None))
    assert not no_wl[no_wl["indicator"] == "revenue_per_discharge_growth"]["available"].any()


def test_tier_selects_the_list_and_labels_accounting():
    tertiary = appraisal_ratios(context_hospital("tertiary"))
    secondary = appraisal_ratios(context_hospital("secondary"))
    assert "comprehensive_budget_management" in set(tertiary["indicator"])
    assert "comprehensive_budget_management" not in set(secondary["indicator"])
    assert tertiary["tier_list"].str.startswith("tertiary").all()
    assert secondary["tier_list"].str.startswith("secondary").all()
    computed = tertiary[tertiary["indicator"] == "personnel_expense_share"]
    assert computed["accounting"].str.contains("财务会计").all()
    assert computed["accounting"].str.contains("proxy").all()


def test_no_tier_means_no_context_ratio_assessed():
    """A hospital outside China has no tier (issue 10): every ratio is not assessed and says it needs the tier,
    although the data would support the tertiary list's values (hand-worked above)."""
    r = appraisal_ratios(context_hospital(tier=None, total_assets=1000.0, total_liabilities=400.0))
    assert len(r) > 0 and not r["available"].any() and r["value"].isna().all()
    assert r["needs"].str.contains("profile tier").all() and (r["tier_list"] == "").all()
    with_tier = appraisal_ratios(context_hospital(total_assets=1000.0, total_liabilities=400.0))
    assert with_tier["available"].any()
