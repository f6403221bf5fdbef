"""Monthly execution, time progress and year-end surge on tiny_hospital (hand-worked values)."""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.errors import ConfigError
from casekit.indicators.execution import execution_table
from casekit.indicators.progress import monthly_execution, phased_budget, time_progress, year_end_surge


def test_time_progress_gap_at_q1_2024(tiny_hospital):
    tp = time_progress(tiny_hospital)
    q1 = tp[(tp["year"] == 2024) & (tp["month"] == 3)].set_index("direction")
    # expense: cumulative Jan-Mar = 3 x (58 + 10 + 25) = 279; B1 = 1182; expected 3/12
    assert q1.loc["expense", "cumulative_actual"] == 279
    assert q1.loc["expense", "progress"] == pytest.approx(279 / 1182)
    assert q1.loc["expense", "gap"] == pytest.approx(279 / 1182 - 0.25)  # -1.40 pp
    # revenue: 3 x 90 = 270 of 1320 -> gap 20.45% - 25% = -4.55 pp
    assert q1.loc["revenue", "gap"] == pytest.approx(270 / 1320 - 0.25)
    assert bool(q1.loc["revenue", "is_quarter_end"])
    assert tp["is_quarter_end"].sum() == 16  # 2 years x 2 directions x 4 quarter ends
    # the December gap is the annual deviation: 1236 / 1182 - 1
    dec = tp[(tp["year"] == 2024) & (tp["month"] == 12) & (tp["direction"] == "expense")].iloc[0]
    assert dec["gap"] == pytest.approx(1236 / 1182 - 1)


def test_year_end_surge(tiny_hospital):
    s = year_end_surge(tiny_hospital).set_index("year")
    # 2024: December expense 58 + 40 + 85 + 30 = 213; mean month 1236 / 12 = 103
    assert s.loc[2024, "december"] == 213
    assert s.loc[2024, "surge"] == pytest.approx(213 / 103)
    # 2023: December 50 + 10 + 80 = 140; mean 1020 / 12 = 85
    assert s.loc[2023, "surge"] == pytest.approx(140 / 85)
    d = year_end_surge(tiny_hospital, level=("year", "dept_id")).set_index(["year", "dept_id"])
    assert d.loc[(2023, "D2"), "surge"] == pytest.approx(80 / 25)  # 300 / 12 = 25
    assert d.loc[(2023, "D1"), "surge"] == pytest.approx(1.0)


def test_monthly_execution_flat_phasing(tiny_hospital):
    m = monthly_execution(tiny_hospital)
    r = m[(m["year"] == 2024) & (m["month"] == 12) & (m["dept_id"] == "D2")].iloc[0]
    # D2 expense December: 85 + 30 against 330 / 12 = 27.5
    assert r["actual"] == 115
    assert r["budget_month"] == pytest.approx(27.5)
    assert r["execution_rate"] == pytest.approx(115 / 27.5)
    assert set(m["phasing"]) == {"flat 1/12 (no budget_monthly)"}


def test_budget_monthly_phasing_is_used_and_rescaled(tiny_hospital):
    # phase D1 R1 2024 with 10% in each of Jan-Mar and 70%/9 in each later month (shares of B0)
    amounts = [132.0] * 3 + [1320 * 0.7 / 9] * 9
    bm = pd.DataFrame({"year": 2024, "month": range(1, 13), "dept_id": "D1", "account_id": "R1",
                       "amount": amounts})
    h = tiny_hospital.with_tables(budget_monthly=bm)
    pb = phased_budget(h, "adjusted")
    r1 = pb[(pb["year"] == 2024) & (pb["account_id"] == "R1")]
    assert r1["phased"].all()
    assert r1["budget_month"].sum() == pytest.approx(1320)
    tp = time_progress(h)
    q1 = tp[(tp["year"] == 2024) & (tp["month"] == 3) & (tp["direction"] == "revenue")].iloc[0]
    assert q1["expected"] == pytest.approx(0.3)
    assert q1["gap"] == pytest.approx(270 / 1320 - 0.3)
    # lines without phasing stay flat
    e2 = pb[(pb["year"] == 2024) & (pb["dept_id"] == "D2") & (pb["account_id"] == "E2")]
    assert not e2["phased"].any() and e2["budget_month"].iloc[0] == pytest.approx(27.5)


def test_partial_last_year_stops_at_last_month(tiny_hospital):
    a = tiny_hospital.actuals
    h = tiny_hospital.with_tables(actuals=a[~((a["year"] == 2024) & (a["month"] > 6))])
    tp = time_progress(h)
    assert tp.loc[tp["year"] == 2024, "month"].max() == 6
    assert 2024 not in set(year_end_surge(h)["year"])  # no December, no surge
    # annual comparisons leave the year in progress out instead of showing 50% execution
    assert set(execution_table(h)["year"]) == {2023}


def test_annual_only_gives_empty_frames(tiny_annual):
    for df in (monthly_execution(tiny_annual), time_progress(tiny_annual), year_end_surge(tiny_annual)):
        assert df.empty and len(df.columns) > 0


def test_bad_level(tiny_hospital):
    with pytest.raises(ConfigError):
        year_end_surge(tiny_hospital, level=("dept_id",))
