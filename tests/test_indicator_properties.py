"""Invariants of the preparation and execution indicators on random small hospitals (hypothesis).

- a budget equal to the actual gives deviation 0 and execution rate 1;
- scaling every amount by the same constant changes no rate;
- the order of table rows changes nothing;
- volume variance + rate variance = actual - budget.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from casekit.data.hospital import Hospital, Profile
from casekit.indicators.execution import accuracy_summary, execution_table
from casekit.indicators.flexible import flexible_budget_variance
from casekit.indicators.forecast import forecast_value_added
from casekit.indicators.progress import time_progress, year_end_surge
from casekit.indicators.rigidity import budget_growth

SETTINGS = settings(max_examples=15, deadline=None)
SLOW = settings(max_examples=8, deadline=None)  # tests calling many indicators per example
ACCOUNTS = pd.DataFrame({"account_id": ["R1", "E1", "E2"], "name": ["Outpatient", "Drugs", "Admin"],
                         "direction": ["revenue", "expense", "expense"],
                         "category": ["outpatient", "drugs", "administration"],
                         "driver": ["outpatient_visits", "outpatient_visits", None]})


@st.composite
def hospitals(draw) -> Hospital:
    """2-3 departments, the three accounts, 2 years, monthly positive actuals, budgets near the actuals."""
    n_dept = draw(st.integers(2, 3))
    depts = [f"D{i}" for i in range(n_dept)]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows, budget = [], []
    for year in (2023, 2024):
        for d in depts:
            for acc in ACCOUNTS["account_id"]:
                monthly = rng.uniform(1, 100, 12).round(2)
                rows += [{"year": year, "month": m + 1, "dept_id": d, "account_id": acc, "amount": float(v)}
                         for m, v in enumerate(monthly)]
                b0 = float(monthly.sum() * rng.uniform(0.7, 1.3))
                budget.append({"year": year, "dept_id": d, "account_id": acc, "original": b0,
                               "adjusted": b0 * float(rng.choice([1.0, rng.uniform(0.9, 1.1)]))})
    actuals = pd.DataFrame(rows)
    actuals["month"] = actuals["month"].astype("Int64")
    budget = pd.DataFrame(budget).assign(adjusted_given=True)
    wl = []
    for scenario in ("actual", "budget"):
        for d in depts:
            wl.append({"year": 2024, "month": pd.NA, "dept_id": d, "scenario": scenario,
                       "outpatient_visits": float(rng.uniform(100, 1000)), "discharges": float(rng.uniform(10, 50))})
    workload = pd.DataFrame(wl).astype({"month": "Int64"})
    departments = pd.DataFrame({"dept_id": depts, "name": depts, "type": "clinical"})
    return Hospital(Profile("random"), departments, ACCOUNTS.copy(), budget, actuals, workload=workload)


def _scaled(h: Hospital, c: float) -> Hospital:
    return h.with_tables(budget=h.budget.assign(original=h.budget["original"] * c, adjusted=h.budget["adjusted"] * c),
                         actuals=h.actuals.assign(amount=h.actuals["amount"] * c))


def _shuffled(h: Hospital, seed: int) -> Hospital:
    return h.with_tables(**{name: getattr(h, name).sample(frac=1.0, random_state=seed).reset_index(drop=True)
                            for name in ("departments", "accounts", "budget", "actuals", "workload")})


@SETTINGS
@given(hospitals())
def test_budget_equal_to_actual_gives_no_deviation(h):
    annual = h.actuals.groupby(["year", "dept_id", "account_id"], as_index=False)["amount"].sum()
    b = annual.rename(columns={"amount": "original"}).assign(adjusted=lambda d: d["original"], adjusted_given=False)
    t = execution_table(h.with_tables(budget=b))
    assert np.allclose(t["deviation"], 0.0)
    assert np.allclose(t["execution_rate"], 1.0)
    assert (t["band"] == "good").all()
    s = accuracy_summary(h.with_tables(budget=b))
    assert np.allclose(s[["wape", "bias", "share_lines_beyond_warning"]].to_numpy(), 0.0)


@SLOW
@given(hospitals(), st.floats(0.001, 1e4))
def test_scaling_changes_no_rate(h, c):
    g = _scaled(h, c)
    for level in (("year", "dept_id", "account_id"), ("year",)):
        a, b = execution_table(h, level=level), execution_table(g, level=level)
        assert np.allclose(a["execution_rate"], b["execution_rate"], rtol=1e-9)
        assert (a["band"] == b["band"]).all()
    cols = ["wape", "bias", "mean_abs_deviation_rate", "share_lines_beyond_warning"]
    assert np.allclose(accuracy_summary(h)[cols], accuracy_summary(g)[cols], rtol=1e-9)
    assert np.allclose(time_progress(h)["gap"], time_progress(g)["gap"], rtol=1e-9, atol=1e-12)
    assert np.allclose(year_end_surge(h)["surge"], year_end_surge(g)["surge"], rtol=1e-9)
    assert np.allclose(budget_growth(h)["growth"], budget_growth(g)["growth"], rtol=1e-9)
    fa = forecast_value_added(h, methods=("last_year", "seasonal_naive"))
    fb = forecast_value_added(g, methods=("last_year", "seasonal_naive"))
    assert np.allclose(fa["fva"], fb["fva"], rtol=1e-9, atol=1e-12)


@SLOW
@given(hospitals(), st.integers(0, 1000))
def test_row_order_changes_nothing(h, seed):
    s = _shuffled(h, seed)
    for fn in (execution_table, accuracy_summary, time_progress, flexible_budget_variance):
        a, b = fn(h), fn(s)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False,
                                      rtol=1e-9)


@SETTINGS
@given(hospitals())
def test_volume_plus_rate_variance_is_total_variance(h):
    for basis in ("original", "adjusted"):
        f = flexible_budget_variance(h, basis=basis)
        assert len(f) > 0
        assert np.allclose(f["volume_variance"] + f["rate_variance"], f["actual"] - f["budget"], atol=1e-6)
