"""Forecast value added (FVA) of the budget: does B0 beat a naive forecast?

A budget prepared scientifically should be more accurate than a forecast anyone could make
without knowing the hospital's plans. For each budget year whose previous year has actuals
(walk-forward: only actuals of earlier years are used, including years without a budget),
casekit compares the WAPE of the original budget B0 with the WAPE of:

* ``last_year``: last year's actual of each line (department x account), annual totals;
* ``seasonal_naive``: each month forecast by the same month of last year, compared month by
  month with the monthly-phased B0 (level ``line_month``; needs monthly actuals). For annual
  totals seasonal naive equals ``last_year``, so it is evaluated on months, where it tests the
  phasing as well;
* ``ets``: statsmodels exponential smoothing fitted on every month before the year and
  forecasting 12 months ahead, summed: Holt-Winters with additive damped trend and additive
  seasonality (heuristic initialisation) when at least 24 months precede the year, else simple
  exponential smoothing started at the mean of the history (so a December spike does not set
  the level). Fitted per department and direction (level ``dept_direction``) to stay fast, and
  compared with B0 summed to that level. The damped trend keeps two-year extrapolations from
  running away; a forecast of a never-negative series is floored at 0.

FVA = WAPE(forecast) - WAPE(B0). Negative FVA means the budget was *less* accurate than the naive
forecast: it added no information (docs/methodology.md, P2 unscientific preparation).
"""
from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital
from casekit.indicators.shared import shared
from casekit.indicators.execution import LINE_KEYS, complete_years, join_on, line_table, prior_actuals
from casekit.indicators.progress import phased_budget

METHODS = ("last_year", "seasonal_naive", "ets")
COLUMNS = ["year", "method", "level", "wape_budget", "wape_forecast", "fva", "n"]


@shared
def naive_forecasts(h: Hospital) -> pd.DataFrame:
    """Last year's actual of every line beside its original budget and actual.

    Parameters
    ----------
    h : Hospital

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``dept_id``, ``account_id``, ``direction``, ``original`` (B0),
        ``actual``, ``last_year`` (actual of year - 1; 0 for a line that had none), for every
        budget year whose previous year has actuals (with or without a budget).
    """
    lines = line_table(h, "original").rename(columns={"budget": "original"})
    prior = prior_actuals(h).rename(columns={"prior_actual": "last_year"})
    out = join_on(lines[lines["year"].isin(_forecast_years(h))], prior, LINE_KEYS)
    out["last_year"] = out["last_year"].fillna(0.0)
    return out.reset_index(drop=True)


def _forecast_years(h: Hospital) -> list[int]:
    """Complete budget years whose previous year has actuals (the walk-forward test years)."""
    actual_years = set(h.actuals["year"].astype(int))
    return [y for y in complete_years(h) if y - 1 in actual_years]


def _wape(actual: pd.Series, forecast: pd.Series) -> float:
    den = float(np.abs(actual).sum())
    return float(np.abs(actual - forecast).sum() / den) if den else float("nan")


def _row(year: int, method: str, level: str, actual, budget, forecast) -> dict:
    wb, wf = _wape(actual, budget), _wape(actual, forecast)
    return {"year": int(year), "method": method, "level": level, "wape_budget": wb, "wape_forecast": wf,
            "fva": wf - wb, "n": int(len(actual))}


def ets_forecast_sum(y: np.ndarray, horizon: int = 12) -> float:
    """Sum of an exponential-smoothing forecast of the next ``horizon`` months of ``y``.

    Holt-Winters (statsmodels) with additive damped trend and additive seasonality
    (heuristic initialisation) when ``y`` has at least 24 months, else simple exponential
    smoothing started at the mean of ``y`` (so a December spike does not set the level). A
    constant series is continued as is; when the fit fails or is not finite the mean of the
    last 12 months is carried forward. A forecast of a never-negative series is floored at 0.

    Parameters
    ----------
    y : numpy.ndarray
        Monthly history, oldest first, no gaps (months without an amount are 0).
    horizon : int
        Months ahead (1-12).

    Returns
    -------
    float

    Examples
    --------
    >>> ets_forecast_sum(np.array([5.0] * 14), horizon=3)
    15.0
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if horizon <= 0 or len(y) == 0:
        return 0.0
    carry = float(np.mean(y[-12:]) * horizon)
    if np.allclose(y, y[0]):
        return float(horizon * y[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning, ValueWarning, RuntimeWarning from the optimiser
        try:
            if len(y) >= 24:
                model = ExponentialSmoothing(y, trend="add", damped_trend=True, seasonal="add", seasonal_periods=12,
                                             initialization_method="heuristic")
                fit = model.fit(use_brute=False)
            else:
                fit = ExponentialSmoothing(y, initialization_method="known", initial_level=float(np.mean(y))).fit()
            total = float(np.sum(fit.forecast(horizon)))
        except (ValueError, np.linalg.LinAlgError):
            return carry
    if not np.isfinite(total):
        return carry
    return max(total, 0.0) if np.all(y >= 0) else total


def forecast_value_added(h: Hospital, methods: Sequence[str] = METHODS) -> pd.DataFrame:
    """Walk-forward forecast value added of the original budget against naive forecasts.

    Parameters
    ----------
    h : Hospital
    methods : sequence of {"last_year", "seasonal_naive", "ets"}
        Monthly methods are skipped (no rows) when actuals are annual only.

    Returns
    -------
    pandas.DataFrame
        One row per year (after the first) and method. Columns ``year``, ``method``, ``level``
        (``line``, ``line_month`` or ``dept_direction``: the unit at which forecast and budget are
        compared), ``wape_budget`` (WAPE of B0 = sum|A - B0| / sum|A| at that level),
        ``wape_forecast``, ``fva`` = wape_forecast - wape_budget (negative: the budget is worse
        than the naive forecast), ``n`` (units compared).

    References
    ----------
    docs/methodology.md (forecast value added); Gilliland, "Forecast value added analysis".
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ConfigError(f"unknown forecast method(s) {unknown}", f"Use any of {', '.join(METHODS)}.")
    rows: list[dict] = []
    nf = naive_forecasts(h)
    if "last_year" in methods:
        for year, g in nf.groupby("year"):
            rows.append(_row(year, "last_year", "line", g["actual"], g["original"], g["last_year"]))
    if h.is_monthly and "seasonal_naive" in methods:
        rows += _seasonal_naive_rows(h)
    if h.is_monthly and "ets" in methods:
        rows += _ets_rows(h)
    if not rows:
        return pd.DataFrame({c: [] for c in COLUMNS})
    return pd.DataFrame(rows)[COLUMNS].sort_values(["year", "method"], kind="stable").reset_index(drop=True)


def _monthly_lines(h: Hospital) -> pd.DataFrame:
    """Monthly actual per line for every year of actuals (history includes years without a budget)."""
    a = h.actuals.groupby(["year", "month", "dept_id", "account_id"], as_index=False)["amount"].sum()
    a["month"] = a["month"].astype("int64")
    return a.rename(columns={"amount": "actual"})


def _seasonal_naive_rows(h: Hospital) -> list[dict]:
    keys = ["year", "month", "dept_id", "account_id"]
    a = _monthly_lines(h)
    pb = phased_budget(h, "original")[[*keys, "budget_month"]]
    years = _forecast_years(h)
    m = pb.merge(a[a["year"].isin(h.years)], on=keys, how="outer").fillna({"budget_month": 0.0, "actual": 0.0})
    prior = a.assign(year=a["year"] + 1).rename(columns={"actual": "naive"})
    m = m.merge(prior, on=keys, how="left").fillna({"naive": 0.0})
    rows = []
    for year, g in m.groupby("year"):
        if year in years:
            rows.append(_row(year, "seasonal_naive", "line_month", g["actual"], g["budget_month"], g["naive"]))
    return rows


def _ets_rows(h: Hospital) -> list[dict]:
    dirs = h.accounts.set_index("account_id")["direction"]
    a = _monthly_lines(h).assign(direction=lambda d: d["account_id"].map(dirs))
    series = a.groupby(["dept_id", "direction", "year", "month"])["actual"].sum()
    b0 = line_table(h, "original").groupby(["year", "dept_id", "direction"])["budget"].sum()
    actual_years = sorted(set(a["year"]))
    rows = []
    for year in _forecast_years(h):
        past = [y for y in actual_years if y < year]
        idx = pd.MultiIndex.from_product([past, range(1, 13)], names=["year", "month"])
        actual_y = a[a["year"] == year].groupby(["dept_id", "direction"])["actual"].sum()
        units = sorted(set(actual_y.index) | set(b0.loc[year].index))
        act, bud, fc = [], [], []
        for dept, direction in units:
            try:
                hist = series.loc[(dept, direction)]
            except KeyError:
                hist = pd.Series(dtype=float)
            y = hist.reindex(idx, fill_value=0.0).to_numpy(dtype=float)
            fc.append(ets_forecast_sum(y))
            act.append(float(actual_y.get((dept, direction), 0.0)))
            bud.append(float(b0.get((year, dept, direction), 0.0)))
        rows.append(_row(year, "ets", "dept_direction", pd.Series(act), pd.Series(bud), pd.Series(fc)))
    return rows
