"""In-year monitor on the tiny hospital (tests/conftest.py), worked by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casekit.errors import ConfigError
from casekit.indicators.forecast import ets_forecast_sum
from casekit.indicators.progress import time_progress
from casekit.monitor import analyse
from casekit.monitor.period import Period, as_of, monthly_panel, parse_through
from casekit.monitor.progress import adjustments_so_far, monthly_exceptions, ytd_progress
from casekit.monitor.projection import project, projections

JUNE = Period(2024, 6)


def _line(df: pd.DataFrame, dept: str, account: str) -> pd.Series:
    row = df[(df["dept_id"] == dept) & (df["account_id"] == account)]
    assert len(row) == 1
    return row.iloc[0]


@pytest.fixture
def three_years(tiny_hospital):
    """tiny_hospital plus 2022 actuals of D2 E2 equal to 2023's (20 Jan-Nov, 80 Dec)."""
    a = tiny_hospital.actuals
    extra = a[(a["year"] == 2023) & (a["dept_id"] == "D2")].assign(year=2022)
    return tiny_hospital.with_tables(actuals=pd.concat([extra, a], ignore_index=True))


def test_parse_through(tiny_hospital, tiny_annual):
    assert parse_through(None, tiny_hospital) == Period(2024, 12)
    assert parse_through("2024-6", tiny_hospital) == JUNE
    for bad, words in [("2024-13", "not a month"), ("June", "not a month"), ("2025-01", "no actuals"),
                       ("2022-05", "no actuals")]:
        with pytest.raises(ConfigError, match=words):
            parse_through(bad, tiny_hospital)
    with pytest.raises(ConfigError, match="no months"):
        parse_through(None, tiny_annual)


def test_as_of_keeps_only_what_was_known(tiny_hospital):
    cut = as_of(tiny_hospital, JUNE)
    assert cut.actuals[cut.actuals["year"] == 2024]["month"].max() == 6
    assert len(cut.adjustments) == 1  # the 2024-11-15 top-up is not known in June
    b = cut.budget.set_index(["year", "dept_id", "account_id"])["adjusted"]
    assert b[(2024, "D1", "E1")] == 690.0  # B0 660 + 30 approved on 2024-06-30 (supplied B1 is 720)
    assert b[(2023, "D1", "E1")] == 600.0
    assert tiny_hospital.budget["adjusted"].max() == 1320.0 and len(tiny_hospital.actuals) == 97  # input untouched


def test_progress_gap_by_hand(tiny_hospital):
    cut = as_of(tiny_hospital, JUNE)
    lines = ytd_progress(cut, JUNE)
    r1 = _line(lines, "D1", "R1")
    assert r1["ytd_actual"] == 615.0  # 3 x 90 + 3 x 115
    assert r1["progress"] == pytest.approx(615 / 1320)
    assert r1["expected"] == pytest.approx(0.5)  # flat 1/12 a month, no budget_monthly
    assert r1["gap"] == pytest.approx(615 / 1320 - 0.5)
    assert r1["schedule_ratio"] == pytest.approx(615 / 660)
    assert r1["level"] == "n/a"  # revenue has no control level
    e1 = _line(lines, "D1", "E1")
    assert (e1["budget"], e1["original"], e1["ytd_actual"]) == (690.0, 660.0, 348.0)
    assert e1["gap"] == pytest.approx(348 / 690 - 0.5)
    assert e1["level"] == "normal"
    assert not ((lines["dept_id"] == "D2") & (lines["account_id"] == "E1")).any()  # nothing yet in June
    tot = ytd_progress(cut, JUNE, ()).set_index("direction")
    assert tot.loc["expense", "budget"] == 1152.0 and tot.loc["expense", "ytd_actual"] == 558.0
    assert tot.loc["expense", "gap"] == pytest.approx(558 / 1152 - 0.5)
    tp = time_progress(cut)
    tp = tp[(tp["year"] == 2024) & (tp["month"] == 6)].set_index("direction")
    assert tot.loc["expense", "gap"] == pytest.approx(tp.loc["expense", "gap"])  # same concept as the diagnosis
    assert ytd_progress(cut, JUNE, warn=0.5)["level"].tolist().count("warning") == 1  # D1 E1 at 50.4%


def test_each_projection_method_by_hand(tiny_hospital):
    panel = monthly_panel(as_of(tiny_hospital, JUNE))
    run = project(panel, 2024, 6, "run_rate")
    sea = project(panel, 2024, 6, "seasonal")
    ets = project(panel, 2024, 6, "ets")
    assert run[("D1", "R1")] == 1230.0 and run[("D2", "E2")] == 300.0
    assert sea[("D1", "R1")] == 1230.0  # 615 x 1200 / 600
    assert sea[("D2", "E2")] == 375.0  # 150 x 300 / 120: last year's December spike carried forward
    assert ets[("D1", "E2")] == 120.0  # constant 10 a month: 60 + 6 x 10
    hist = panel.loc[("D1", "E1")].to_numpy()
    assert ets[("D1", "E1")] == pytest.approx(348 + ets_forecast_sum(hist, 6))
    assert project(panel, 2023, 6, "seasonal").isna().all()  # no 2022 to take a profile from


def test_ets_groups_share_the_department_forecast(tiny_hospital):
    panel = monthly_panel(as_of(tiny_hospital, JUNE))
    one = pd.Series("g", index=panel.index)
    pooled = project(panel, 2024, 6, "ets", groups=one)
    ytd = panel[[(2024, m) for m in range(1, 7)]].sum(axis=1)
    rest_total = ets_forecast_sum(panel.sum().to_numpy(), 6)
    assert (pooled - ytd).sum() == pytest.approx(rest_total)
    last_year_rest = panel[[(2023, m) for m in range(7, 13)]].sum(axis=1)
    assert (pooled - ytd)[("D2", "E2")] == pytest.approx(rest_total * last_year_rest[("D2", "E2")] / last_year_rest.sum())


def test_method_choice_by_backtest(three_years):
    panel = monthly_panel(as_of(three_years, JUNE))
    lines, bt = projections(panel, 2024, 6, n_years=2)
    d2 = lines.set_index(["dept_id", "account_id"]).loc[("D2", "E2")]
    # 2023 cut at June: run rate 240, seasonal (2022 profile) 300 = the real 2023 total
    assert d2["wape_run_rate"] == pytest.approx(60 / 300)
    assert d2["wape_seasonal"] == 0.0
    assert d2["wape_ets"] > 0
    assert d2["method"] == "seasonal" and d2["projection"] == 375.0 and d2["backtest_wape"] == 0.0
    assert d2["n_test_years"] == 1  # 2022 has no 2021 profile: methods are compared on 2023 only
    # D1 lines have no 2022 actuals, so no profile in any test year: run rate and ets compete on 2022-2023
    e2 = lines.set_index(["dept_id", "account_id"]).loc[("D1", "E2")]
    assert e2["method"] == "run_rate" and np.isnan(e2["wape_seasonal"]) and e2["wape_run_rate"] == 0.0
    assert e2["n_test_years"] == 2
    assert bt[bt["chosen"]].groupby(["dept_id", "account_id"])["method"].nunique().eq(1).all()


def test_no_look_ahead(three_years):
    full = monthly_panel(three_years)
    cut = monthly_panel(as_of(three_years, JUNE))
    a, _ = projections(full, 2024, 6)
    b, _ = projections(cut, 2024, 6)
    later = (a["dept_id"] == "D2") & (a["account_id"] == "E1")  # first actual in December
    assert a.loc[later, "projection"].tolist() == [0.0]
    pd.testing.assert_frame_equal(a[~later].reset_index(drop=True), b)


def test_exceptions_by_hand(tiny_hospital):
    cut = as_of(tiny_hospital, JUNE)
    directions = cut.accounts.set_index("account_id")["direction"]
    ex = monthly_exceptions(monthly_panel(cut), JUNE, directions, ratio=0.3, materiality=0.005)
    # D2 E2: Jan 25 vs (20, 20, 80) mean 40; Feb 25 vs 41.7; Mar 25 vs 43.3. D1 R1 Apr 115 vs 90 is only +27.8%.
    assert list(zip(ex["dept_id"], ex["account_id"], ex["month"])) == [("D2", "E2", 1), ("D2", "E2", 2), ("D2", "E2", 3)]
    assert ex["trailing_mean"].iloc[0] == pytest.approx(40.0)
    # materiality: expense mean month 558 / 6 = 93; 0.17 x 93 = 15.8 drops January's 15
    ex = monthly_exceptions(monthly_panel(cut), JUNE, directions, ratio=0.3, materiality=0.17)
    assert ex["month"].tolist() == [2, 3]
    assert monthly_exceptions(monthly_panel(cut), JUNE, directions).empty


def test_adjustments_and_unbudgeted_so_far(tiny_hospital):
    june = adjustments_so_far(as_of(tiny_hospital, JUNE), JUNE)
    assert len(june) == 1 and june["cumulative_rate"].iloc[0] == pytest.approx(30 / 660)
    dec = analyse(tiny_hospital, "2024-12")
    assert len(dec.adjustments) == 2 and dec.adjustments["cumulative_rate"].iloc[-1] == pytest.approx(60 / 660)
    u = dec.unbudgeted
    assert list(zip(u["dept_id"], u["account_id"], u["ytd_actual"])) == [("D2", "E1", 30.0)]
    assert "unbudgeted" in dec.flags.set_index(["dept_id", "account_id"]).loc[("D2", "E1"), "flags"]


def test_analyse_projected_rates_and_departments(three_years):
    r = analyse(three_years, "2024-06")
    lines = r.lines.set_index(["dept_id", "account_id"])
    d2 = lines.loc[("D2", "E2")]
    assert d2["projected_rate"] == pytest.approx(375 / 330)
    assert d2["projected_band"] == "poor"  # +13.6% beyond the 10% warning band
    dept = r.departments.set_index(["dept_id", "direction"])
    assert dept.loc[("D2", "expense"), "projection"] == 375.0
    assert ("D2", "expense") in set(zip(r.depts_outside["dept_id"], r.depts_outside["direction"]))
    tot = r.totals.set_index("direction")
    assert tot.loc["expense", "projection"] == pytest.approx(lines[lines["direction"] == "expense"]["projection"].sum())
    flag = r.flags.set_index(["dept_id", "account_id"]).loc[("D2", "E2")]
    assert "projected" in flag["flags"] and flag["month"] == "2024-06"
    assert r.backtest.set_index(["direction", "method"]).loc[("expense", "chosen"), "wape"] <= \
        r.backtest.set_index(["direction", "method"]).loc[("expense", "run_rate"), "wape"]


def _partial(h, keep_2023: bool):
    a = h.actuals
    a = a[((a["year"] == 2024) & (a["month"] <= 6)) | ((a["year"] == 2023) & keep_2023)]
    b = h.budget[(h.budget["year"] == 2024) | keep_2023]
    return h.with_tables(actuals=a.reset_index(drop=True), budget=b.reset_index(drop=True), adjustments=None)


def test_partial_year_in_the_annual_diagnosis(tiny_hospital, tmp_path):
    from casekit.data.loader import validate
    from casekit.monitor.period import require_complete_year
    from casekit.sample import write_hospital

    only = _partial(tiny_hospital, keep_2023=False)
    with pytest.raises(ConfigError, match=r"no complete year.*\n.*casekit monitor .* --through 2024-06"):
        require_complete_year(only)
    require_complete_year(_partial(tiny_hospital, keep_2023=True))  # 2023 is complete: runs, 2024 left out
    notes = [str(i) for i in validate(write_hospital(only, tmp_path / "only")).issues]
    assert any("stop at month 6 and no budget year is complete" in n and "--through 2024-06" in n for n in notes)
    notes = [str(i) for i in validate(write_hospital(_partial(tiny_hospital, True), tmp_path / "two")).issues]
    assert any("annual rules" in n and "leave 2024 out and use 2023" in n for n in notes)
