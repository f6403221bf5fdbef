"""Execution indicators on tiny_hospital, checked against hand calculations (see conftest)."""
from __future__ import annotations

import math

import pytest

from casekit.errors import ConfigError
from casekit.indicators.execution import (accuracy_summary, execution_table, line_table, missing_items,
                                          revenue_slack)


def _row(df, **keys):
    hit = df
    for k, v in keys.items():
        hit = hit[hit[k] == v]
    assert len(hit) == 1, keys
    return hit.iloc[0]


def test_line_rates_2024_adjusted(tiny_hospital):
    t = execution_table(tiny_hospital)
    # D1 E2: A = 11 x 10 + 40 = 150, B1 = 132 -> rate 150/132 = 1.136364, deviation 18, 18/132 = 13.6% -> poor
    r = _row(t, year=2024, dept_id="D1", account_id="E2")
    assert r["execution_rate"] == pytest.approx(150 / 132)
    assert r["deviation"] == pytest.approx(18.0)
    assert r["deviation_rate"] == pytest.approx(18 / 132)
    assert r["band"] == "poor"
    # D1 E1: A = 12 x 58 = 696 against B1 = 720 -> -24, -3.33% -> good (signed rate is negative)
    r = _row(t, year=2024, dept_id="D1", account_id="E1")
    assert r["deviation_rate"] == pytest.approx(-24 / 720)
    assert r["abs_deviation_rate"] == pytest.approx(24 / 720)
    assert r["band"] == "good"
    # D2 E2: 360 against 330 -> 9.09% -> warning
    assert _row(t, year=2024, dept_id="D2", account_id="E2")["band"] == "warning"
    assert set(t["basis"]) == {"adjusted"} and set(t["accounting"]) == {"budget"}


def test_unbudgeted_line_is_undefined_not_divided_by_zero(tiny_hospital):
    r = _row(execution_table(tiny_hospital), year=2024, dept_id="D2", account_id="E1")
    # no budget row, 30 spent in December: budget 0, rates NaN, band undefined
    assert r["budget"] == 0 and r["actual"] == 30
    assert math.isnan(r["execution_rate"]) and math.isnan(r["deviation_rate"])
    assert r["band"] == "undefined"
    assert r["deviation"] == 30


def test_original_basis_judges_preparation(tiny_hospital):
    r = _row(execution_table(tiny_hospital, basis="original"), year=2024, dept_id="D1", account_id="E1")
    # B0 = 660: 696/660 - 1 = 5.45% -> warning (against B1 it was good)
    assert r["deviation_rate"] == pytest.approx(36 / 660)
    assert r["band"] == "warning"


def test_hospital_level_never_adds_revenue_to_expense(tiny_hospital):
    t = execution_table(tiny_hospital, level=("year",))
    assert len(t) == 4  # 2 years x 2 directions
    # 2024 expense: A = 696 + 150 + 360 + 30 = 1236; B1 = 720 + 132 + 330 = 1182
    r = _row(t, year=2024, direction="expense")
    assert (r["actual"], r["budget"]) == (1236, 1182)
    assert r["execution_rate"] == pytest.approx(1236 / 1182)
    assert r["band"] == "good"  # 4.57%
    r = _row(t, year=2024, direction="revenue")
    assert (r["actual"], r["budget"]) == (1305, 1320)


def test_level_with_direction_and_department(tiny_hospital):
    t = execution_table(tiny_hospital, level=("dept_id", "direction"))
    assert list(t.columns[:2]) == ["dept_id", "direction"]
    # D2 expense over both years: A = 300 + 390, B = 240 + 330
    r = _row(t, dept_id="D2", direction="expense")
    assert r["deviation_rate"] == pytest.approx((690 - 570) / 570)


def test_band_boundary_is_inclusive(tiny_hospital):
    b = tiny_hospital.budget.copy()
    # 2023 D1 R1: actual 1200, budget 1200/1.05 -> deviation rate exactly 5% (up to rounding) -> good
    b.loc[(b["year"] == 2023) & (b["account_id"] == "R1"), ["original", "adjusted"]] = 1200 / 1.05
    t = execution_table(tiny_hospital.with_tables(budget=b))
    assert _row(t, year=2023, account_id="R1")["band"] == "good"


def test_accuracy_summary_2024_expense(tiny_hospital):
    s = accuracy_summary(tiny_hospital, basis="adjusted")
    r = _row(s, year=2024, direction="expense")
    # WAPE = (|696-720| + |150-132| + |360-330| + |30-0|) / 1236 = 102 / 1236
    assert r["wape"] == pytest.approx(102 / 1236)
    # bias = (1182 - 1236) / 1236 (negative: budgeted below actual)
    assert r["bias"] == pytest.approx(-54 / 1236)
    # mean |dev| over lines with a budget: (24/720 + 18/132 + 30/330) / 3
    assert r["mean_abs_deviation_rate"] == pytest.approx((24 / 720 + 18 / 132 + 30 / 330) / 3)
    # lines beyond 10%: D1 E2 (13.6%) and the unbudgeted D2 E1 -> 2 of 4
    assert r["share_lines_beyond_warning"] == pytest.approx(0.5)
    # departments: D1 (846 vs 852, -0.7%) ok, D2 (390 vs 330, 18.2%) beyond -> 1 of 2
    assert r["share_depts_beyond_warning"] == pytest.approx(0.5)
    assert r["n_depts"] == 2 and r["n_lines"] == 4
    assert r["hospital_abs_deviation_rate"] == pytest.approx(54 / 1182)


def test_accuracy_summary_original_basis(tiny_hospital):
    r = _row(accuracy_summary(tiny_hospital, basis="original"), year=2024, direction="expense")
    # B0 = 660 + 132 + 330 = 1122: WAPE = (36 + 18 + 30 + 30) / 1236, bias = (1122 - 1236) / 1236
    assert r["wape"] == pytest.approx(114 / 1236)
    assert r["bias"] == pytest.approx(-114 / 1236)


def test_missing_items(tiny_hospital):
    m = missing_items(tiny_hospital)
    assert len(m) == 1
    r = m.iloc[0]
    assert (r["year"], r["dept_id"], r["account_id"], r["actual"]) == (2024, "D2", "E1", 30)
    assert r["share_of_direction_actual"] == pytest.approx(30 / 1236)


def test_revenue_slack(tiny_hospital):
    assert revenue_slack(tiny_hospital).empty  # D1 revenue 98.9% of budget
    s = revenue_slack(tiny_hospital, slack=0.98)
    assert list(s["year"]) == [2023, 2024]  # 100% then 98.9%, sorted by rate


def test_annual_only_hospital_gives_same_annual_rates(tiny_hospital, tiny_annual):
    a = execution_table(tiny_annual)
    m = execution_table(tiny_hospital)
    assert a[["budget", "actual", "band"]].equals(m[["budget", "actual", "band"]])


def test_line_table_outer_join(tiny_hospital):
    lt = line_table(tiny_hospital, "original")
    assert len(lt) == 9  # 4 lines in 2023, 5 in 2024 (with the unbudgeted D2 E1)
    assert lt["year"].dtype == "int64"


@pytest.mark.parametrize("kwargs", [{"basis": "final"}, {"level": ("year", "ward")}, {"level": ("year", "year")}])
def test_bad_options_raise_config_error(tiny_hospital, kwargs):
    with pytest.raises(ConfigError):
        execution_table(tiny_hospital, **kwargs)


def test_key_positions_and_join_on_match_a_left_merge():
    import numpy as np
    import pandas as pd

    from casekit.indicators.execution import join_on, key_positions

    table = pd.DataFrame({"year": [2023, 2023, 2024], "dept_id": pd.array(["D1", "D2", "D1"], dtype="str"),
                          "n": [1, 2, 3], "flag": [True, False, True]})
    rows = pd.DataFrame({"year": [2024, 2023, 2025, 2023, 2024], "dept_id": pd.array(["D1", "D2", "D1", "D9", None],
                                                                                       dtype="str")})
    # (2024, D1) is row 2, (2023, D2) row 1; 2025, D9 and a missing department are not in the table
    assert key_positions(table, rows, ["year", "dept_id"]).tolist() == [2, 1, -1, -1, -1]
    joined = join_on(rows, table, ["year", "dept_id"])
    pd.testing.assert_frame_equal(joined, rows.merge(table, on=["year", "dept_id"], how="left"), check_exact=True)
    assert np.isnan(joined["n"].iloc[2])  # an int column with a missing match becomes float, as in a merge
