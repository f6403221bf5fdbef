"""Forecast value added on tiny_hospital (2024 forecast from 2023)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital, Profile
from casekit.indicators.forecast import forecast_value_added, naive_forecasts


def test_last_year_fva(tiny_hospital):
    f = forecast_value_added(tiny_hospital).set_index("method")
    r = f.loc["last_year"]
    # sum|A| 2024 = 1305 + 696 + 150 + 30 + 360 = 2541
    # B0 errors: 15 + 36 + 18 + 30 + 30 = 129; last-year errors: 105 + 96 + 30 + 30 + 60 = 321
    assert r["wape_budget"] == pytest.approx(129 / 2541)
    assert r["wape_forecast"] == pytest.approx(321 / 2541)
    assert r["fva"] == pytest.approx((321 - 129) / 2541)  # positive: B0 beat last year's actual
    assert (r["level"], r["n"]) == ("line", 5)


def test_seasonal_naive_on_months(tiny_hospital):
    r = forecast_value_added(tiny_hospital, methods=("seasonal_naive",)).iloc[0]
    # flat B0/12 vs months: R1 3x20 + 9x5 = 105; E1 12x3 = 36; D1 E2 11x1 + 29 = 40; D2 E2 11x2.5 + 57.5 = 85;
    # D2 E1 30 -> 296. Same month of 2023: 165 + 96 + 30 + 60 + 30 = 381
    assert (r["level"], r["n"]) == ("line_month", 60)
    assert r["wape_budget"] == pytest.approx(296 / 2541)
    assert r["wape_forecast"] == pytest.approx(381 / 2541)


def test_ets_on_constant_history_equals_last_year(tiny_hospital):
    r = forecast_value_added(tiny_hospital, methods=("ets",)).iloc[0]
    assert (r["level"], r["n"]) == ("dept_direction", 3)
    # D1's series are constant (forecast = last year); D2's 20 x 11 + 80 smooths to 25 a month = 300
    assert r["wape_forecast"] == pytest.approx(321 / 2541, rel=1e-3)


def test_ets_holt_winters_with_two_years_of_history():
    # one department, one expense line, 3 years: trend + seasonality; B0 deliberately poor (flat last year)
    months = np.arange(36)
    y = 100 + 2 * months + 20 * np.sin(2 * np.pi * months / 12)
    years = 2021 + months // 12
    actuals = pd.DataFrame({"year": years, "month": pd.array(months % 12 + 1, dtype="Int64"), "dept_id": "K",
                            "account_id": "E", "amount": y})
    totals = actuals.groupby("year")["amount"].sum()
    budget = pd.DataFrame({"year": [2021, 2022, 2023], "dept_id": "K", "account_id": "E",
                           "original": [totals[2021], totals[2021], totals[2022]]})
    budget["adjusted"] = budget["original"]
    budget["adjusted_given"] = False
    h = Hospital(Profile("hw"), pd.DataFrame({"dept_id": ["K"], "name": ["K"], "type": ["clinical"]}),
                 pd.DataFrame({"account_id": ["E"], "name": ["E"], "direction": ["expense"], "category": ["drugs"]}),
                 budget, actuals)
    f = forecast_value_added(h, methods=("ets",)).set_index("year")
    assert list(f.index) == [2022, 2023]
    # with 24 months Holt-Winters extrapolates the trend: far better than a flat budget
    assert f.loc[2023, "wape_forecast"] < 0.02 < f.loc[2023, "wape_budget"]
    assert f.loc[2023, "fva"] < 0


def test_annual_only_keeps_last_year_only(tiny_annual):
    f = forecast_value_added(tiny_annual)
    assert list(f["method"]) == ["last_year"]


def test_naive_forecasts_columns(tiny_hospital):
    nf = naive_forecasts(tiny_hospital)
    assert set(nf["year"]) == {2024}
    assert nf.set_index(["dept_id", "account_id"]).loc[("D2", "E1"), "last_year"] == 0


def test_unknown_method(tiny_hospital):
    with pytest.raises(ConfigError):
        forecast_value_added(tiny_hospital, methods=("prophet",))
