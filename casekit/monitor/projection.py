"""Year-end projection of every budget line, with the method chosen by back-testing.

After the close of month t of year Y, each line's year-end actual is projected by:

* ``run_rate``: the year to date extrapolated, YTD x 12 / t (the naive baseline);
* ``seasonal``: last year's seasonal profile applied to the year to date,
  YTD x (last year's total / last year's actual of months 1..t); not available when last
  year is missing or its months 1..t sum to 0;
* ``ets``: YTD plus a statsmodels exponential-smoothing forecast of the remaining 12 - t months,
  fitted on the monthly history up to month t (at most the last 36 months; see
  :func:`casekit.indicators.forecast.ets_forecast_sum`). The monitor fits one series per
  department and direction (``groups``): single lines are short and noisy, and one fit per line
  took minutes for a district hospital (about 0.1-0.25 s a fit). The department's forecast is
  shared among its lines in proportion to each line's actual in the same remaining months of
  last year (its year-to-date actual where the department had none then; equal shares if both
  are zero).

The method of each line is the one with the smallest error when the same projection is made
for earlier complete years cut at the same month t and compared with how those years really
ended (walk-forward: a back-test year only uses data up to its own month t). The error shown
beside a projection is that back-test WAPE = sum over test years |projection - actual| /
sum |actual| of the line. Ties go to the simpler method (``run_rate``, then ``seasonal``); a
line with no earlier year to test keeps ``run_rate``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from casekit.errors import ConfigError
from casekit.indicators.forecast import ets_forecast_sum

METHODS = ("run_rate", "seasonal", "ets")
ETS_WINDOW = 36
_TIE = 1e-9
KEYS = ["dept_id", "account_id"]


def _months(panel: pd.DataFrame, year: int, months: range) -> list[tuple[int, int]]:
    return [(year, m) for m in months if (year, m) in panel.columns]


def _sum(panel: pd.DataFrame, cols: list[tuple[int, int]]) -> pd.Series:
    return panel[cols].sum(axis=1) if cols else pd.Series(0.0, index=panel.index)


def year_total(panel: pd.DataFrame, year: int) -> pd.Series:
    """Full-year actual of every line (NaN for every line when the year lacks any month)."""
    cols = _months(panel, year, range(1, 13))
    if len(cols) < 12:
        return pd.Series(np.nan, index=panel.index)
    return _sum(panel, cols)


def complete_panel_years(panel: pd.DataFrame) -> list[int]:
    """Years with all 12 months in the panel."""
    years = pd.Index(panel.columns.get_level_values("year"))
    counts = years.value_counts()
    return sorted(int(y) for y, n in counts.items() if n == 12)


def project(panel: pd.DataFrame, year: int, month: int, method: str, groups: pd.Series | None = None) -> pd.Series:
    """Projected year-end actual of every line after the close of ``year``-``month``.

    Parameters
    ----------
    panel : pandas.DataFrame
        Monthly actuals of the lines (:func:`casekit.monitor.period.monthly_panel`). Only
        columns up to (year, month) are read, so a panel holding later months gives the same result.
    year, month : int
    method : {"run_rate", "seasonal", "ets"}
    groups : pandas.Series, optional
        For ``ets``: a group label of every line (index like ``panel``); one series is fitted
        per group and shared among its lines. Default: every line is its own group.

    Returns
    -------
    pandas.Series
        Indexed like ``panel``; NaN where the method is not available for a line.

    Examples
    --------
    >>> cols = pd.MultiIndex.from_tuples([(2023, m) for m in range(1, 13)] + [(2024, 1), (2024, 2), (2024, 3)])
    >>> p = pd.DataFrame([[10.0] * 6 + [20.0] * 6 + [12.0, 12.0, 12.0]], columns=cols)
    >>> float(project(p, 2024, 3, "run_rate").iloc[0])
    144.0
    >>> float(project(p, 2024, 3, "seasonal").iloc[0])  # 36 x 180 / 30
    216.0
    """
    if method not in METHODS:
        raise ConfigError(f"unknown projection method {method!r}", f"Use one of {', '.join(METHODS)}.")
    if not 1 <= month <= 12:
        raise ConfigError(f"month {month} is not 1-12", "Pass the month of the close, 1-12.")
    ytd = _sum(panel, _months(panel, year, range(1, month + 1)))
    if method == "run_rate":
        return ytd * 12.0 / month
    if method == "seasonal":
        last = _months(panel, year - 1, range(1, 13))
        if len(last) < 12:
            return pd.Series(np.nan, index=panel.index)
        ly_ytd = _sum(panel, last[:month])
        ly_full = _sum(panel, last)
        return (ytd * ly_full / ly_ytd.where(ly_ytd != 0)).astype(float)
    if month == 12:
        return ytd
    labels = pd.Series(np.arange(len(panel)), index=panel.index) if groups is None else groups.reindex(panel.index)
    labels = labels.to_numpy()
    history = [c for c in panel.columns if c <= (year, month)][-ETS_WINDOW:]
    pooled = panel[history].groupby(labels).sum()
    rest = pd.Series([ets_forecast_sum(row, 12 - month) for row in pooled.to_numpy(dtype=float)], index=pooled.index)
    basis = _sum(panel, _months(panel, year - 1, range(month + 1, 13)))
    basis = basis.where(basis.groupby(labels).transform("sum").to_numpy() != 0, ytd)
    total = basis.groupby(labels).transform("sum").to_numpy()
    count = basis.groupby(labels).transform("size").to_numpy()
    share = np.where(total != 0, basis.to_numpy() / np.where(total != 0, total, 1.0), 1.0 / count)
    return ytd + pd.Series(rest.reindex(labels).to_numpy() * share, index=panel.index, dtype=float)


def backtest_years(panel: pd.DataFrame, year: int, n_years: int) -> list[int]:
    """The (at most ``n_years``) most recent complete years before ``year``: the back-test years."""
    return [y for y in complete_panel_years(panel) if y < year][-n_years:] if n_years > 0 else []


def backtest(panel: pd.DataFrame, year: int, month: int, methods: Sequence[str] = METHODS,
             n_years: int = 2, groups: pd.Series | None = None) -> pd.DataFrame:
    """Each method's projection of earlier complete years cut at ``month``, beside their real ends.

    Parameters
    ----------
    panel : pandas.DataFrame
    year, month : int
        The monitored close; test years are before ``year``.
    methods : sequence of str
    n_years : int
        Number of most recent complete earlier years to test (threshold ``monitor.backtest_years``).
    groups : pandas.Series, optional
        Passed to :func:`project` (``ets`` pooling).

    Returns
    -------
    pandas.DataFrame
        Columns ``dept_id``, ``account_id``, ``test_year``, ``method``, ``projection``,
        ``actual`` (the test year's real total), ``abs_error``. Rows where a method is not
        available are left out.
    """
    frames = []
    for y in backtest_years(panel, year, n_years):
        actual = year_total(panel, y)
        for method in methods:
            proj = project(panel, y, month, method, groups)
            f = pd.DataFrame({"projection": proj, "actual": actual}).dropna(subset=["projection"])
            f["test_year"] = y
            f["method"] = method
            frames.append(f)
    if not frames:
        return pd.DataFrame(columns=[*KEYS, "test_year", "method", "projection", "actual", "abs_error"])
    out = pd.concat(frames).rename_axis(KEYS).reset_index()
    out["abs_error"] = (out["projection"] - out["actual"]).abs()
    return out[[*KEYS, "test_year", "method", "projection", "actual", "abs_error"]]


def choose(bt: pd.DataFrame, lines: pd.Index, methods: Sequence[str] = METHODS) -> pd.DataFrame:
    """Per line, the method with the smallest back-test error.

    Methods are compared on the same years: the test years in which every method could project
    the line. Where no year has them all, the methods available in every test year compete.

    Parameters
    ----------
    bt : pandas.DataFrame
        Output of :func:`backtest`.
    lines : pandas.MultiIndex
        Every line (``dept_id``, ``account_id``) to choose for.
    methods : sequence of str

    Returns
    -------
    pandas.DataFrame
        Index ``lines``; columns ``wape_<method>`` for each method (back-test WAPE, NaN when the
        method did not compete or the line's actuals summed to 0), ``method`` (chosen),
        ``backtest_wape`` (of the chosen method), ``n_test_years``.
    """
    out = pd.DataFrame(index=lines)
    out["n_test_years"] = 0
    for m in methods:
        out[f"wape_{m}"] = np.nan
    out["method"] = "run_rate"
    out["backtest_wape"] = np.nan
    if bt.empty:
        return out
    n_methods = bt.groupby([*KEYS, "test_year"])["method"].transform("size")
    full = n_methods == len(methods)
    has_full = full.groupby([bt[k] for k in KEYS]).transform("any")
    bt = bt[full | ~has_full]  # years where all methods projected, if the line has any
    years = bt.groupby(KEYS)["test_year"].nunique()
    g = bt.groupby([*KEYS, "method"]).agg(abs_error=("abs_error", "sum"), abs_actual=("actual", lambda s: s.abs().sum()),
                                          n=("test_year", "nunique"))
    g = g.join(years.rename("years"), on=KEYS)
    g = g[g["n"] == g["years"]]
    err = g["abs_error"].unstack("method").reindex(columns=list(methods))
    den = g["abs_actual"].groupby(level=KEYS).first()
    wape = err.div(den.where(den != 0), axis=0)
    out["n_test_years"] = years.reindex(lines).fillna(0).astype(int).to_numpy()
    for m in methods:
        out[f"wape_{m}"] = wape[m].reindex(lines).to_numpy()
    e = err.reindex(lines).to_numpy(dtype=float)
    best = np.full(len(lines), "run_rate", dtype=object)
    has = ~np.all(np.isnan(e), axis=1)
    if has.any():
        lowest = np.nanmin(np.where(np.isnan(e[has]), np.inf, e[has]), axis=1)
        scale = np.maximum(np.abs(lowest), 1.0)
        first = np.argmax(e[has] <= (lowest + _TIE * scale)[:, None], axis=1)  # NaN compares False
        best[has] = np.asarray(methods, dtype=object)[first]
    out["method"] = best
    w = out[[f"wape_{m}" for m in methods]].to_numpy(dtype=float)
    out["backtest_wape"] = w[np.arange(len(lines)), [list(methods).index(m) for m in best]]
    return out


def projections(panel: pd.DataFrame, year: int, month: int, *, methods: Sequence[str] = METHODS,
                n_years: int = 2, groups: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Project every line's year end by each method and pick the back-tested best.

    Parameters
    ----------
    panel : pandas.DataFrame
        Monthly actuals (:func:`casekit.monitor.period.monthly_panel`).
    year, month : int
    methods : sequence of str
    n_years : int
        Back-test years (``monitor.backtest_years``).
    groups : pandas.Series, optional
        ``ets`` pooling groups (see :func:`project`).

    Returns
    -------
    lines : pandas.DataFrame
        Columns ``dept_id``, ``account_id``, ``ytd_actual``, ``proj_<method>`` for each method,
        ``wape_<method>``, ``method`` (chosen), ``projection`` (by the chosen method, falling
        back to ``run_rate`` where it is unavailable this year), ``backtest_wape``, ``n_test_years``.
    backtest : pandas.DataFrame
        The rows of :func:`backtest`, with ``chosen`` (bool: the line's chosen method).
    """
    bad = [m for m in methods if m not in METHODS]
    if bad or "run_rate" not in methods:
        raise ConfigError(f"invalid projection methods {list(methods)!r}",
                          f"Use run_rate (always, the baseline) plus any of {', '.join(METHODS[1:])}.")
    out = pd.DataFrame(index=panel.index)
    out["ytd_actual"] = _sum(panel, _months(panel, year, range(1, month + 1)))
    for m in methods:
        out[f"proj_{m}"] = project(panel, year, month, m, groups)
    bt = backtest(panel, year, month, methods, n_years, groups)
    chosen = choose(bt, panel.index, methods)
    out = out.join(chosen)
    pick = out.apply(lambda r: r[f"proj_{r['method']}"], axis=1) if len(out) else pd.Series(dtype=float)
    unavailable = pick.isna()
    out["method"] = out["method"].where(~unavailable, "run_rate")
    out["projection"] = pick.where(~unavailable, out["proj_run_rate"]).astype(float)
    out.loc[unavailable, "backtest_wape"] = out.loc[unavailable, "wape_run_rate"]
    if not bt.empty:
        bt = bt.merge(out["method"].rename("chosen_method").reset_index(), on=KEYS, how="left")
        bt["chosen"] = bt["method"] == bt.pop("chosen_method")
    else:
        bt["chosen"] = pd.Series(dtype=bool)
    return out.reset_index(), bt


def aggregate_error(bt: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Back-test WAPE of the summed chosen projections at a coarser level.

    Parameters
    ----------
    bt : pandas.DataFrame
        The ``backtest`` output of :func:`projections`, with a ``direction`` column added.
    by : sequence of str
        Level, e.g. ``("dept_id", "direction")`` or ``("direction",)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by``, ``backtest_wape`` = sum over test years |sum projection - sum actual| /
        sum over test years |sum actual| (chosen methods only; in-sample for the choice).
    """
    by = list(by)
    c = bt[bt["chosen"]] if len(bt) else bt
    if c.empty:
        return pd.DataFrame(columns=[*by, "backtest_wape"])
    s = c.groupby([*by, "test_year"])[["projection", "actual"]].sum()
    s["abs_error"] = (s["projection"] - s["actual"]).abs()
    s["abs_actual"] = s["actual"].abs()
    g = s.groupby(level=by)[["abs_error", "abs_actual"]].sum()
    g["backtest_wape"] = g["abs_error"] / g["abs_actual"].where(g["abs_actual"] != 0)
    return g[["backtest_wape"]].reset_index()
