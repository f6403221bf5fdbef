"""One monthly execution analysis: every table of the in-year monitor, computed from the data.

:func:`analyse` cuts the hospital at the close of the month (:func:`casekit.monitor.period.as_of`),
computes year-to-date progress (:mod:`casekit.monitor.progress`), projects the year end
(:mod:`casekit.monitor.projection`) and lists the variances that need an owner's explanation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casekit.data.hospital import Hospital
from casekit.diagnosis.config import Thresholds
from casekit.indicators.execution import add_rates
from casekit.monitor.period import Period, as_of, b1_source, ets_groups, monthly_panel, parse_through
from casekit.monitor.progress import adjustments_so_far, monthly_exceptions, unbudgeted_so_far, ytd_progress
from casekit.monitor.projection import METHODS, aggregate_error, projections

FLAG_KINDS = ("approval", "control", "warning", "ahead", "behind", "projected", "exception", "unbudgeted")
FLAG_COLUMNS = ["month", "dept_id", "account_id", "direction", "flags", "budget", "ytd_actual", "progress",
                "expected", "gap", "level", "projection", "projected_rate", "projected_deviation_rate",
                "month_actual", "trailing_mean"]


@dataclass
class MonitorResult:
    """The tables of one monthly execution analysis.

    Attributes
    ----------
    hospital : Hospital
        The data as known at the close (cut by :func:`as_of`).
    period : Period
    lines, departments, totals : pandas.DataFrame
        Year-to-date progress (:func:`casekit.monitor.progress.ytd_progress` columns) and the
        year-end projection: ``projection``, ``method`` (lines only), ``backtest_wape``,
        ``projected_rate`` (projection / B1), ``projected_deviation_rate`` ((projection - B1) / |B1|),
        ``projected_band`` (good / warning / poor / undefined, ``bands.*``).
    depts_outside : pandas.DataFrame
        Department rows projected to end outside the warning band (|deviation| > ``bands.warning``).
    exceptions, adjustments, unbudgeted : pandas.DataFrame
    backtest : pandas.DataFrame
        Per method (and ``chosen``), WAPE of the back-test projections over all lines.
    flags : pandas.DataFrame
        Variances needing an explanation, one row per line of the month (``FLAG_COLUMNS``).
    caveats : list of (str, dict)
        Notes that travel with the tables into the report: a :mod:`casekit.labels` key and its values.
    thresholds : Thresholds
    """

    hospital: Hospital
    period: Period
    lines: pd.DataFrame
    departments: pd.DataFrame
    totals: pd.DataFrame
    depts_outside: pd.DataFrame
    exceptions: pd.DataFrame
    adjustments: pd.DataFrame
    unbudgeted: pd.DataFrame
    backtest: pd.DataFrame
    flags: pd.DataFrame
    thresholds: Thresholds
    caveats: list[tuple[str, dict]] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (for ``monitor.xlsx``)."""
        return {"totals": self.totals, "departments": self.departments, "lines": self.lines,
                "depts_outside": self.depts_outside, "flags": self.flags, "exceptions": self.exceptions,
                "adjustments": self.adjustments, "unbudgeted": self.unbudgeted, "backtest": self.backtest}


def _projected_rates(df: pd.DataFrame, good: float, warning: float) -> pd.DataFrame:
    r = add_rates(df.assign(actual=df["projection"]), good=good, warning=warning)
    df = df.copy()
    df["projected_rate"] = r["execution_rate"]
    df["projected_deviation_rate"] = r["deviation_rate"]
    df["projected_band"] = r["band"]
    return df


def backtest_summary(bt: pd.DataFrame) -> pd.DataFrame:
    """WAPE of every method, and of the chosen methods, over all back-test lines, per direction.

    Returns
    -------
    pandas.DataFrame
        Columns ``direction``, ``method`` (a method name or ``chosen``), ``wape`` =
        sum |projection - actual| / sum |actual| over lines and test years, ``n`` (line-years).
    """
    if bt.empty:
        return pd.DataFrame(columns=["direction", "method", "wape", "n"])
    rows = []
    for direction, g in bt.groupby("direction"):
        for name, part in [*((m, g[g["method"] == m]) for m in METHODS), ("chosen", g[g["chosen"]])]:
            if part.empty:
                continue
            den = part["actual"].abs().sum()
            rows.append({"direction": direction, "method": name,
                         "wape": part["abs_error"].sum() / den if den else np.nan, "n": len(part)})
    return pd.DataFrame(rows)


def _flags(period: Period, lines: pd.DataFrame, exceptions: pd.DataFrame, cfg: Thresholds) -> pd.DataFrame:
    gap = cfg["monitor.progress_gap"]
    warning = cfg["bands.warning"]
    x = lines.copy()
    size = x[["budget", "ytd_actual"]].abs().max(axis=1)
    monthly = x.groupby("direction")["ytd_actual"].transform("sum") / period.month
    material = size / 12.0 >= cfg["monitor.materiality"] * monthly
    this_month = exceptions[(exceptions["year"] == period.year) & (exceptions["month"] == period.month)]
    x = x.merge(this_month[["dept_id", "account_id", "actual", "trailing_mean"]].rename(
        columns={"actual": "month_actual"}), on=["dept_id", "account_id"], how="left")
    kinds = {
        "approval": x["level"].eq("approval"), "control": x["level"].eq("control"),
        "warning": x["level"].eq("warning") & (x["expected"] < cfg["monitor.warn_rate"]),
        "ahead": x["gap"] > gap + 1e-12, "behind": x["gap"] < -gap - 1e-12,
        "projected": x["projected_deviation_rate"].abs() > warning + 1e-12,
        "exception": x["month_actual"].notna(), "unbudgeted": x["level"].eq("unbudgeted"),
    }
    hits = pd.DataFrame({k: v.fillna(False).astype(bool) for k, v in kinds.items()})
    keep = hits.any(axis=1) & (material.to_numpy() | hits["exception"].to_numpy())
    x["flags"] = hits.apply(lambda r: ", ".join(k for k in FLAG_KINDS if r[k]), axis=1)
    x["month"] = period.label
    out = x[keep][FLAG_COLUMNS]
    return out.sort_values(["dept_id", "account_id"]).reset_index(drop=True)


def analyse(h: Hospital, through: str | None = None, thresholds: Thresholds | None = None) -> MonitorResult:
    """Monthly execution analysis of ``h`` at the close of ``through``.

    Parameters
    ----------
    h : Hospital
        All the data (later months, if any, are ignored).
    through : str, optional
        ``YYYY-MM``; default the latest month with actuals.
    thresholds : Thresholds, optional
        ``bands.*`` and ``monitor.*`` (defaults from ``casekit/diagnosis/thresholds.yaml``).

    Returns
    -------
    MonitorResult

    Raises
    ------
    casekit.errors.ConfigError
        Annual-only actuals, a month without actuals, or a year without budget.
    """
    cfg = thresholds if thresholds is not None else Thresholds()
    period = parse_through(through, h)
    cut = as_of(h, period)
    bands = dict(warn=cfg["monitor.warn_rate"], control=cfg["monitor.control_rate"],
                 approval=cfg["monitor.approval_rate"])
    good, warning = cfg["bands.good"], cfg["bands.warning"]
    directions = cut.accounts.set_index("account_id")["direction"]

    lines = ytd_progress(cut, period, ("dept_id", "account_id"), **bands)
    panel = monthly_panel(cut)
    proj, bt = projections(panel, period.year, period.month, n_years=int(cfg["monitor.backtest_years"]),
                           groups=ets_groups(panel, cut))
    lines = lines.merge(proj, on=["dept_id", "account_id"], how="left", suffixes=("", "_panel"))
    lines = lines.drop(columns=["ytd_actual_panel"])
    lines["projection"] = lines["projection"].fillna(0.0)
    lines = _projected_rates(lines, good, warning)

    bt = bt.assign(direction=bt["account_id"].map(directions)) if len(bt) else bt.assign(direction=pd.Series(dtype=str))
    departments = ytd_progress(cut, period, ("dept_id",), **bands)
    dsum = lines.groupby(["dept_id", "direction"], as_index=False)["projection"].sum()
    departments = departments.merge(dsum, on=["dept_id", "direction"], how="left")
    departments = departments.merge(aggregate_error(bt, ("dept_id", "direction")), on=["dept_id", "direction"],
                                    how="left")
    departments = _projected_rates(departments.fillna({"projection": 0.0}), good, warning)
    totals = ytd_progress(cut, period, (), **bands)
    tsum = lines.groupby("direction", as_index=False)["projection"].sum()
    totals = totals.merge(tsum, on="direction", how="left").merge(aggregate_error(bt, ("direction",)),
                                                                  on="direction", how="left")
    totals = _projected_rates(totals.fillna({"projection": 0.0}), good, warning)

    outside = departments[departments["projected_band"].eq("poor")
                          | (departments["projected_band"].eq("undefined") & departments["projection"].ne(0))]
    exceptions = monthly_exceptions(panel, period, directions, ratio=cfg["monitor.exception_ratio"],
                                    materiality=cfg["monitor.materiality"])
    caveats: list[tuple[str, dict]] = [
        ("mon.caveat.b1_adjustments", {"date": period.end.date().isoformat()}) if b1_source(h) == "adjustments"
        else ("mon.caveat.b1_supplied", {}),
        ("mon.caveat.phased", {}) if cut.has("budget_monthly") else ("mon.caveat.flat", {}),
        ("mon.caveat.ets", {})]
    n_test = int(lines["n_test_years"].max()) if len(lines) else 0
    if n_test == 0:
        caveats.append(("mon.caveat.no_backtest", {}))
    return MonitorResult(hospital=cut, period=period, lines=lines.reset_index(drop=True), departments=departments,
                         totals=totals, depts_outside=outside.reset_index(drop=True), exceptions=exceptions,
                         adjustments=adjustments_so_far(cut, period), unbudgeted=unbudgeted_so_far(lines),
                         backtest=backtest_summary(bt), flags=_flags(period, lines, exceptions, cfg),
                         thresholds=cfg, caveats=caveats)
