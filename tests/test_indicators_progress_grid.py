"""The monthly indicators on the line x month grid equal the tables' joins and groupbys, to the last bit.

``casekit.indicators.progress`` sums ``actuals`` and ``budget_monthly`` onto the grid of budget
lines x 12 months instead of joining the tables (a 1,000-department hospital has ~5M rows of
each). The references below are the joins and groupbys the indicators were first written as;
pandas' group sums depend on the rows' order and on sorted group numbers, so the J sample is also
checked with its rows shuffled and with cells of several rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from casekit.data.loader import load
from casekit.indicators.execution import LINE_KEYS
from casekit.indicators.progress import monthly_execution, phased_budget, time_progress, year_end_surge
from casekit.indicators.rigidity import phasing_flatness
from casekit.indicators.shared import shared_tables
from casekit.paths import SAMPLE_DIR

KEYS = ["year", "month", "dept_id", "account_id"]


def _reference_months(h, basis):
    """The former line x month table: phased budget outer-joined with the monthly actuals."""
    a = h.actuals.groupby(KEYS, as_index=False)["amount"].sum()
    a = a[a["year"].isin(h.years)].rename(columns={"amount": "actual"})
    a["month"] = a["month"].astype("int64")
    m = phased_budget(h, basis).merge(a, on=KEYS, how="outer")
    m[["budget_month", "actual"]] = m[["budget_month", "actual"]].fillna(0.0)
    return m[m["month"] <= m["year"].map(a.groupby("year")["month"].max())], a


def _reference_phasing(h):
    """``budget_monthly``'s shares per line and month, as a groupby and a transform."""
    bm = h.budget_monthly.groupby(KEYS, as_index=False)["amount"].sum()
    bm["month"] = bm["month"].astype("int64")
    total = bm.groupby(LINE_KEYS)["amount"].transform("sum")
    bm["bm_share"] = bm["amount"] / total.where(total != 0)
    return bm


@pytest.fixture(scope="module", params=["as given", "shuffled", "split cells"])
def hospital(request):
    h = load(SAMPLE_DIR / "j_hospital")
    a, bm = h.actuals, h.budget_monthly
    if request.param == "shuffled":
        a, bm = a.sample(frac=1, random_state=1), bm.sample(frac=1, random_state=2)
    elif request.param == "split cells":  # every cell of three rows, every phasing cell of two
        part = np.round(a["amount"] * np.random.default_rng(3).random(len(a)), 2)
        a = pd.concat([a.assign(amount=part), a.assign(amount=a["amount"] - part), a.assign(amount=0.5)])
        a, bm = a.sample(frac=1, random_state=4), pd.concat([bm, bm.assign(amount=bm["amount"] * 0.3)])
    return h.with_tables(actuals=a.reset_index(drop=True), budget_monthly=bm.reset_index(drop=True))


@pytest.mark.parametrize("basis", ["adjusted", "original"])
def test_monthly_tables_equal_the_join(hospital, basis):
    m, _ = _reference_months(hospital, basis)
    with shared_tables(hospital):
        execution = monthly_execution(hospital, basis)
        progress = {by: time_progress(hospital, basis, by=by) for by in ((), ("dept_id",), ("dept_id", "account_id"))}
    g = m.groupby(["year", "month", "dept_id", "direction"], as_index=False)[["actual", "budget_month"]].sum()
    assert_frame_equal(execution[["year", "month", "dept_id", "direction", "actual", "budget_month"]], g,
                       check_exact=True)
    for by, tp in progress.items():
        keys = ["year", *by, "direction"]
        g = m.groupby([*keys, "month"], as_index=False)[["actual", "budget_month"]].sum()
        annual = phased_budget(hospital, basis).groupby(keys)["budget_month"].sum().rename("annual_budget")
        g = g.merge(annual.reset_index(), on=keys, how="left")
        assert_frame_equal(tp[[*keys, "month"]], g[[*keys, "month"]], check_exact=True)
        assert (tp["cumulative_actual"].to_numpy() == g.groupby(keys)["actual"].cumsum().to_numpy()).all()
        assert (tp["annual_budget"].to_numpy() == g["annual_budget"].to_numpy()).all()


def test_surge_and_phasing_equal_the_groupbys(hospital):
    _, a = _reference_months(hospital, "adjusted")
    with shared_tables(hospital):
        surge = year_end_surge(hospital, level=("year", "dept_id"))
        flat = phasing_flatness(hospital, flat_tolerance=0.05)
    a = a.merge(hospital.accounts[["account_id", "direction"]], on="account_id")
    a = a[a["direction"] == "expense"].assign(dec=lambda d: np.where(d["month"] == 12, d["actual"], 0.0))
    g = a.groupby(["year", "dept_id"], as_index=False).agg(december=("dec", "sum"), total=("actual", "sum"))
    g = g[g["year"].isin(a.loc[a["month"] == 12, "year"])].reset_index(drop=True)
    assert_frame_equal(surge[["year", "dept_id", "december"]], g[["year", "dept_id", "december"]], check_exact=True)
    assert (surge["mean_month"].to_numpy() == (g["total"] / surge["n_months"]).to_numpy()).all()
    bm = _reference_phasing(hospital)
    dist = (bm["bm_share"] * 12 - 1).abs().groupby([bm[k] for k in LINE_KEYS])
    per_line = pd.DataFrame({"maxdist": dist.max(), "n": dist.size()}).reset_index()
    expected = flat.merge(per_line, on=LINE_KEYS, how="left")
    assert (flat["flat"] == ((expected["maxdist"] <= 0.05) & (expected["n"] == 12))).all()
    assert expected["n"].notna().all()  # J phases every line: the table checks the phasing of all of them
