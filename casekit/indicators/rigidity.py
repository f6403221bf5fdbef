"""Rigidity of budget targets (P1): one growth rate for all, blind to workload, flat phasing.

A rigid budget is set top-down as B0 = last year's actual x (1 + g) with the same g for every
department or line, does not follow workload, is phased flat (1/12 a month) although actuals are
seasonal, and is not adjusted when volumes move far from plan (docs/methodology.md).

Volume index
------------
Departments report several workload measures (outpatient visits, bed-days, discharges,
surgeries) of very different sizes: visits would swamp discharges in a plain sum. casekit
therefore uses a scale-free **volume index change**: the mean, over the measures a department
reports in both periods (value > 0 in the base), of each measure's relative change. For growth
it is the mean of V_t / V_{t-1} - 1; against plan it is the mean of actual / budget - 1.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from casekit.data.fiscal import of_dates, start_of
from casekit.errors import ConfigError
from casekit.data.hospital import Hospital
from casekit.data.lines import group_keys, sum_by
from casekit.indicators.shared import shared
from casekit.indicators.execution import LINE_KEYS, join_on, key_positions, line_table, prior_actuals, with_accounts
from casekit.indicators.progress import line_actuals, line_grid, line_phasing
from casekit.data.schema.tables import VOLUME_DRIVERS

MIN_UNITS = 3  # fewer departments than this in a direction: growth is compared across lines instead
GROWTH_SUMMARY_COLUMNS = ["year", "direction", "unit", "n_units", "growth_mean", "growth_std", "modal_growth",
                          "share_identical", "spearman_rho", "spearman_p", "n_corr", "corr_note"]
PHASING_COLUMNS = ["year", "dept_id", "account_id", "direction", "phasing", "flat", "actual_cv", "seasonal"]
SHOCK_COLUMNS = ["year", "dept_id", "volume_deviation", "n_measures", "shock", "adjusted", "unaddressed",
                 "adjustment_source"]


@shared
def budget_growth(h: Hospital, level: str = "dept") -> pd.DataFrame:
    """Growth of the original budget over last year's actual, g = B0_t / A_{t-1} - 1.

    Parameters
    ----------
    h : Hospital
    level : {"dept", "line"}
        ``"dept"``: per year, department and direction (sums of the department's lines);
        ``"line"``: per year, department and account.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``dept_id``, (``account_id`` at line level), ``direction``,
        ``original`` (B0_t), ``prior_actual`` (A_{t-1}, also from a year that has actuals but no
        budget), ``growth`` (NaN when A_{t-1} = 0). Groups without actuals the year before are left out.

    References
    ----------
    docs/methodology.md (rigidity: B0 = last year's actual x (1 + g)).
    """
    if level not in ("dept", "line"):
        raise ConfigError(f"invalid level {level!r} for budget_growth", "Use level='dept' or level='line'.")
    keys = ["year", "dept_id", "direction"] if level == "dept" else [*LINE_KEYS, "direction"]
    lines = line_table(h, "original", complete_only=False)
    prior = with_accounts(prior_actuals(h), h)
    if level == "dept":
        g, prior = sum_by(lines, keys, ["budget"]), sum_by(prior, keys, ["prior_actual"])
    else:  # each line is its own group (lines without a direction left out, as a grouping leaves them)
        g, prior = lines[lines["direction"].notna()], prior[prior["direction"].notna()]
    at = key_positions(prior, g, keys[:3])  # an inner join on the keys (a line's account fixes its direction)
    out = g[at >= 0].assign(prior_actual=prior["prior_actual"].to_numpy()[at[at >= 0]])
    out = out.rename(columns={"budget": "original"})
    out["growth"] = out["original"] / out["prior_actual"].where(out["prior_actual"] != 0) - 1.0
    return out[[*keys, "original", "prior_actual", "growth"]].reset_index(drop=True)


@shared
def annual_workload(h: Hospital, scenario: str) -> pd.DataFrame:
    """Workload summed to year x department for one scenario (``"actual"`` or ``"budget"``).

    Rows without a scenario count as actual; a measure missing in every month stays NaN.
    Returns a frame indexed by (year, dept_id) with one column per workload measure.
    """
    wl = h.workload
    if "scenario" in wl.columns:
        wl = wl[wl["scenario"].fillna("actual") == scenario]
    elif scenario != "actual":
        wl = wl.iloc[0:0]
    measures = [m for m in VOLUME_DRIVERS if m in wl.columns]
    return sum_by(wl, ["year", "dept_id"], measures, min_count=1).set_index(["year", "dept_id"])


def _index_change(new: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Mean relative change over measures present in both (base > 0), and how many were used."""
    new, base = new.align(base, join="inner")
    b = base.to_numpy(dtype=float)
    rel = new.to_numpy(dtype=float) / np.where(b > 0, b, np.nan) - 1.0
    used = ~np.isnan(rel)
    n = used.sum(axis=1)
    with np.errstate(invalid="ignore"):  # no measure in both: NaN
        change = np.where(used, rel, 0.0).sum(axis=1) / n
    return pd.DataFrame({"change": change, "n_measures": n}, index=new.index)


@shared
def workload_growth(h: Hospital) -> pd.DataFrame:
    """Growth of actual workload per department (volume index change, see module docstring).

    Parameters
    ----------
    h : Hospital

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``dept_id``, ``workload_growth`` (mean over measures of
        V_t / V_{t-1} - 1, scenario ``actual``), ``n_measures``. Empty without a workload table.
    """
    cols = ["year", "dept_id", "workload_growth", "n_measures"]
    if not h.has("workload"):
        return pd.DataFrame({c: [] for c in cols})
    wl = annual_workload(h, "actual")
    base = wl.copy()
    base.index = pd.MultiIndex.from_arrays([base.index.get_level_values(0) + 1, base.index.get_level_values(1)],
                                           names=base.index.names)
    ch = _index_change(wl, base)
    ch = ch[ch["n_measures"] > 0].reset_index().rename(columns={"change": "workload_growth"})
    ch["year"] = ch["year"].astype("int64")
    return ch[cols]


def _modal(values: np.ndarray, tolerance: float) -> tuple[float, int]:
    """The value with most others within ``tolerance`` of it, and that count."""
    close = np.abs(values[:, None] - values[None, :]) <= tolerance + 1e-12
    counts = close.sum(axis=1)
    i = int(np.argmax(counts))
    return float(values[i]), int(counts[i])


def rigidity_summary(h: Hospital, tolerance: float = 0.001) -> pd.DataFrame:
    """Dispersion and sameness of department budget growth, and its link to workload growth.

    Parameters
    ----------
    h : Hospital
    tolerance : float
        Two growth rates within ``tolerance`` are identical (``p1.identical_growth_tolerance``).

    Returns
    -------
    pandas.DataFrame
        One row per year and direction. Columns: ``unit`` (``"department"``, or ``"line"`` when
        the direction has fewer than 3 departments with a growth rate, e.g. a whole-hospital
        department from final accounts: growth is then compared across account lines),
        ``n_units`` (departments or lines with a growth rate), ``growth_mean``, ``growth_std``
        (population standard deviation of g), ``modal_growth`` (the g shared, within tolerance,
        by most units), ``share_identical`` (share of units whose g is within tolerance of the
        modal g),
        ``spearman_rho``, ``spearman_p`` (scipy.stats.spearmanr of department budget growth
        against workload growth, departments with workload only; NaN with fewer than 3),
        ``n_corr``, ``corr_note`` (when every department got the same g the correlation is
        undefined; rho is then set to 0 and p to 1: a constant budget growth does not follow
        workload at all).

    References
    ----------
    docs/methodology.md (P1 rigid targets).
    """
    bg = budget_growth(h, "dept").dropna(subset=["growth"])
    by_line = budget_growth(h, "line").dropna(subset=["growth"]).groupby(["year", "direction"])
    wg = workload_growth(h)
    if len(wg):  # the departments' workload growth beside their budget growth, where both exist
        bg = join_on(bg, wg[["year", "dept_id", "workload_growth"]].assign(paired=True), ["year", "dept_id"])
    else:
        bg = bg.assign(workload_growth=np.nan, paired=np.nan)
    rows = []
    # the (year, direction) group of each department row, groups in sorted order
    group, keys = group_keys([(k, *pd.factorize(bg[k], sort=True)) for k in ("year", "direction")])
    growth, workload = bg["growth"].to_numpy(float), bg["workload_growth"].to_numpy(float)
    paired = bg["paired"].notna().to_numpy()
    for i, (year, direction) in enumerate(zip(keys["year"], keys["direction"])):
        mine = group == i
        unit, g = "department", growth[mine]
        if len(g) < MIN_UNITS:
            unit, g = "line", by_line.get_group((year, direction))["growth"].to_numpy(float)
        modal, count = _modal(g, tolerance)
        rho, p, n_corr, note = np.nan, np.nan, 0, ""
        pairs = mine & paired
        n_corr = int(pairs.sum())
        if n_corr >= 3:
            x, y = growth[pairs], workload[pairs]
            if np.ptp(x) <= tolerance and np.ptp(y) > 0:
                rho, p, note = 0.0, 1.0, "budget growth constant: rho set to 0"
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = stats.spearmanr(x, y)
                rho, p = float(res.statistic), float(res.pvalue)
        else:
            note = "fewer than 3 departments with workload"
        rows.append({"year": year, "direction": direction, "unit": unit, "n_units": len(g),
                     "growth_mean": float(g.mean()),
                     "growth_std": float(g.std(ddof=0)), "modal_growth": modal, "share_identical": count / len(g),
                     "spearman_rho": rho, "spearman_p": p, "n_corr": n_corr, "corr_note": note})
    if not rows:
        return pd.DataFrame({c: [] for c in GROWTH_SUMMARY_COLUMNS})
    return pd.DataFrame(rows)[GROWTH_SUMMARY_COLUMNS]


def phasing_flatness(h: Hospital, seasonality_cv: float = 0.10, flat_tolerance: float = 0.01) -> pd.DataFrame:
    """Monthly phasing of each budget line against the seasonality of its actuals.

    Parameters
    ----------
    h : Hospital
    seasonality_cv : float
        Actuals whose monthly coefficient of variation exceeds this are seasonal
        (``p1.seasonality_cv``).
    flat_tolerance : float
        Phasing is flat when every month is within this relative distance of 1/12 of the year
        (allows rounding such as 8.33 x 11 + 8.37).

    Returns
    -------
    pandas.DataFrame
        One row per year and line with a non-zero original budget and 12 months of actuals.
        Columns ``year``, ``dept_id``, ``account_id``, ``direction``, ``phasing``
        (``"budget_monthly"`` or ``"none: flat 1/12 by definition"`` when the hospital supplied
        no phasing for the line: it is then judged against 1/12 a month, so it is flat),
        ``flat`` (bool), ``actual_cv`` (population std / mean of the monthly actuals; NaN when
        the mean is 0), ``seasonal`` (actual_cv > seasonality_cv). Empty when actuals are annual.
    """
    if not h.is_monthly:
        return pd.DataFrame({c: [] for c in PHASING_COLUMNS})
    lines = line_table(h, "original")
    at = key_positions(line_grid(h)[0], lines)  # every line of the complete years is on the grid
    actual, given = line_actuals(h)
    entries = np.flatnonzero(given)  # line by line, each line's months in order
    by_line = pd.Series(actual[entries]).groupby(entries // 12)
    stats_ = pd.DataFrame({"mean": by_line.mean(), "n_months": by_line.size(), "std": by_line.std(ddof=0)})
    stats_ = stats_.reindex(at)
    keep = (lines["budget"] != 0).to_numpy() & (stats_["n_months"] == 12).to_numpy()
    cv = (stats_["std"] / stats_["mean"].abs().where(stats_["mean"] != 0)).to_numpy()
    lines, at = lines[keep].reset_index(drop=True), at[keep]
    lines["actual_cv"] = cv[keep]
    lines["phasing"] = "none: flat 1/12 by definition"
    lines["flat"] = True
    if h.has("budget_monthly"):
        share, months = line_phasing(h)
        dist = np.fmax.reduce(np.abs(share.reshape(-1, 12)[at] * 12 - 1), axis=1)  # NaN only where no month has a share
        given = months[at] > 0
        lines.loc[given, "phasing"] = "budget_monthly"
        lines["flat"] = np.where(given, (dist <= flat_tolerance) & (months[at] == 12), True)
    lines["seasonal"] = (lines["actual_cv"] > seasonality_cv).fillna(False).astype(bool)
    return lines[PHASING_COLUMNS].reset_index(drop=True)


def volume_shocks(h: Hospital, shock: float = 0.15) -> pd.DataFrame:
    """Departments whose actual workload moved far from the budgeted workload, and whether the budget followed.

    Parameters
    ----------
    h : Hospital
    shock : float
        |volume deviation| above this is a shock (``p1.volume_shock``, default 15%).

    Returns
    -------
    pandas.DataFrame
        One row per year and department with both ``budget`` and ``actual`` workload. Columns
        ``volume_deviation`` (volume index: mean over measures of actual / budget - 1),
        ``n_measures``, ``shock`` (bool), ``adjusted`` (bool: an adjustment of the department that
        year in the adjustments table, or, without that table, B1 != B0 on any of its lines),
        ``unaddressed`` (shock and not adjusted), ``adjustment_source``. Empty without workload
        of both scenarios.
    """
    if not h.has("workload"):
        return pd.DataFrame({c: [] for c in SHOCK_COLUMNS})
    ch = _index_change(annual_workload(h, "actual"), annual_workload(h, "budget"))
    ch = ch[ch["n_measures"] > 0].reset_index().rename(columns={"change": "volume_deviation"})
    if ch.empty:
        return pd.DataFrame({c: [] for c in SHOCK_COLUMNS})
    ch["year"] = ch["year"].astype("int64")
    if h.has("adjustments"):
        adj = h.adjustments.assign(year=of_dates(h.adjustments["date"], start_of(h))[0])
        adjusted = set(zip(adj["year"], adj["dept_id"]))
        source = "adjustments table"
    else:
        b = h.budget[(h.budget["adjusted"] - h.budget["original"]).abs() > 1e-9]
        adjusted = set(zip(b["year"], b["dept_id"]))
        source = "budget B1 vs B0"
    ch["shock"] = ch["volume_deviation"].abs() > shock
    ch["adjusted"] = [(y, d) in adjusted for y, d in zip(ch["year"], ch["dept_id"])]
    ch["unaddressed"] = ch["shock"] & ~ch["adjusted"]
    ch["adjustment_source"] = source
    return ch[SHOCK_COLUMNS]
