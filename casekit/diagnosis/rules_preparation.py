"""Rules P1 (rigid budget targets) and P2 (unscientific budget preparation).

Both judge *preparation*, so they hold the original budget B0 (年初预算) against actuals.
Criteria, status and severity follow the shared toolkit of
:mod:`casekit.diagnosis.criteria` (one formula for every rule)::

    severity = 100 x sum(s_i) / n_computable
    s_i = 0 if criterion i did not trip, else 0.5 + 0.5 x min(1, |v_i - t_i| / scale_i)

with ``scale_i = |t_i|`` (1 when the threshold is 0). A rule is present when at least
``pN.min_triggered`` criteria trip (all computable ones when fewer can be computed); a criterion
whose data are missing is not computable (``triggered=None``) and the rule decides on the rest;
the rule is *not assessed* only when no criterion can be computed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from casekit.diagnosis.config import RuleContext
from casekit.diagnosis.finding import Finding
from casekit.diagnosis.criteria import Check, check, decide, yearly
from casekit.indicators.execution import accuracy_summary, join_on, line_table, missing_items
from casekit.indicators.forecast import forecast_value_added, naive_forecasts
from casekit.indicators.rigidity import (budget_growth, phasing_flatness, rigidity_summary, volume_shocks,
                                         workload_growth)
from casekit.labels import finding_titles

BASIS = "budget accounting (预算会计)"
P1_TITLE = finding_titles("P1")
P2_TITLE = finding_titles("P2")
TWO_YEARS = "budget and actuals of two consecutive years"
DIRECTION_ZH = {"revenue": "收入", "expense": "支出"}


def with_headline(f: Finding, en: str, zh: str) -> Finding:
    """Put a sentence written from the key numbers before the generic summary."""
    if f.status != "not_assessed" and en:
        f.summary_en = f"{en} {f.summary_en}"
        f.summary_zh = f"{zh}{f.summary_zh}"
    return f


# --------------------------------------------------------------------------------------- P1
def rule_p1(ctx: RuleContext) -> Finding:
    """P1: rigid budget targets.

    Criteria (B0 against last year's actual; department x direction growth rates, or line growth
    rates where a direction has fewer than 3 departments, see :func:`rigidity_summary`):

    - median over years and directions of the standard deviation of growth
      g = B0_t / A_{t-1} - 1 ``<`` ``p1.growth_dispersion_max``;
    - share of departments (lines) whose g equals the modal g (within
      ``p1.identical_growth_tolerance``), pooled over years and directions, ``>=``
      ``p1.identical_growth_share``;
    - mean Spearman rho of department budget growth against workload growth ``<``
      ``p1.workload_corr_min`` (needs the workload table);
    - share of seasonal lines (monthly actual CV > ``p1.seasonality_cv``) whose phasing is flat
      ``>=`` ``p1.flat_phasing_share`` (needs monthly actuals and the ``budget_monthly`` phasing:
      without it the phasing is unknown, so the criterion is not computable rather than "flat");
    - share of departments with a workload shock (|actual / budget volume - 1| >
      ``p1.volume_shock``) left without adjustment ``>=`` ``p1.unadjusted_shock_share``
      (needs workload of both scenarios; not computable when no department had a shock).

    Present when at least ``p1.min_triggered`` trip. Evidence: department growth rates, the
    modal rate, workload growth and unaddressed shocks, identical rates first.

    References
    ----------
    docs/methodology.md (P1); 2020 measures (国卫财务发〔2020〕30号): budgets built from the
    departments' business plans ("two up, two down"), not by a uniform increment.
    """
    h, cfg = ctx.hospital, ctx.cfg
    tol = cfg["p1.identical_growth_tolerance"]
    rs = ctx.get(rigidity_summary, tolerance=tol)

    def disp_of(rows: pd.DataFrame) -> float | None:
        return None if rows.empty else float(rows["growth_std"].median())

    def share_of(rows: pd.DataFrame) -> float | None:
        return None if rows.empty else float((rows["share_identical"] * rows["n_units"]).sum() / rows["n_units"].sum())

    def rho_of(rows: pd.DataFrame) -> float | None:
        return float(rows["spearman_rho"].mean()) if rows["spearman_rho"].notna().any() else None

    with_rho = h.has("workload") and not rs.empty
    checks = [
        check(ctx, "growth_dispersion", disp_of(rs), "p1.growth_dispersion_max", "<",
              "std. dev. of budget growth over last year's actual across departments (or lines), median over years",
              "各科室（或科目）年初预算较上年实际增长率的标准差（各年中位数）", BASIS, fmt="pct", missing=TWO_YEARS,
              by_year=yearly(rs, disp_of)),
        check(ctx, "identical_growth_share", share_of(rs), "p1.identical_growth_share", ">=",
              "share of departments (or lines) given the same budget growth rate", "采用相同预算增长率的科室（或科目）比例",
              BASIS, fmt="pct", missing=TWO_YEARS, by_year=yearly(rs, share_of)),
        check(ctx, "budget_workload_spearman", rho_of(rs) if with_rho else None, "p1.workload_corr_min", "<",
              "Spearman rho of department budget growth with workload growth",
              "科室预算增长与业务量增长的Spearman相关系数", BASIS, fmt="num",
              missing="workload table (actual, 3+ departments, two years)",
              by_year=yearly(rs, rho_of) if with_rho else None),
        _flat_phasing_check(ctx),
        _shock_check(ctx),
    ]
    evidence = _p1_evidence(ctx, rs, tol)
    f = decide("P1", *P1_TITLE, checks, cfg["p1.min_triggered"], evidence)
    return with_headline(f, *_p1_headline(rs, tol))


def _flat_phasing_check(ctx: RuleContext) -> Check:
    h, cfg = ctx.hospital, ctx.cfg
    value = None
    if h.is_monthly and h.has("budget_monthly"):
        pf = ctx.get(phasing_flatness, seasonality_cv=cfg["p1.seasonality_cv"])
        if not pf.empty:
            seasonal = pf[pf["seasonal"]]
            value = float(seasonal["flat"].mean()) if len(seasonal) else 0.0
    missing = "budget_monthly (monthly phasing of the budget)" if h.is_monthly else "monthly actuals"
    return check(ctx, "flat_phasing_share", value, "p1.flat_phasing_share", ">=",
                 "share of seasonal budget lines phased flat", "季节性预算项目中按月平均分解的比例",
                 BASIS, fmt="pct", missing=missing)


def _shock_check(ctx: RuleContext) -> Check:
    h, cfg = ctx.hospital, ctx.cfg
    value, missing, n_shock = None, "workload table with scenario=budget (planned volumes)", 0
    if h.has("workload"):
        vs = ctx.get(volume_shocks, shock=cfg["p1.volume_shock"])
        if not vs.empty:
            missing = ""  # data present; not computable only because no department had a shock
            shocked = vs[vs["shock"]]
            n_shock = len(shocked)
            if n_shock:
                value = float(shocked["unaddressed"].mean())
    pct = f"{cfg['p1.volume_shock']:.0%}"
    return check(ctx, "unadjusted_volume_shock_share", value, "p1.unadjusted_shock_share", ">=",
                 f"share of departments with a workload shock beyond ±{pct} left without budget adjustment "
                 f"({n_shock} shocked)",
                 f"业务量偏离计划超过±{pct}而未调整预算的科室比例（共{n_shock}个科室受冲击）",
                 BASIS, fmt="pct", missing=missing)


def _p1_evidence(ctx: RuleContext, rs: pd.DataFrame, tol: float) -> pd.DataFrame:
    h = ctx.hospital
    bg = ctx.get(budget_growth, level="dept")
    if bg.empty:
        return bg
    ev = join_on(bg, rs[["year", "direction", "modal_growth"]], ["year", "direction"])
    ev["same_as_modal"] = (ev["growth"] - ev["modal_growth"]).abs() <= tol + 1e-12
    if h.has("workload"):
        ev = join_on(ev, ctx.get(workload_growth)[["year", "dept_id", "workload_growth"]], ["year", "dept_id"])
        vs = ctx.get(volume_shocks, shock=ctx.cfg["p1.volume_shock"])
        ev = join_on(ev, vs[["year", "dept_id", "volume_deviation", "unaddressed"]], ["year", "dept_id"])
        ev["gap_to_workload"] = (ev["growth"] - ev["workload_growth"]).abs()
    else:
        ev["gap_to_workload"] = np.nan
    ev = ev.sort_values(["same_as_modal", "gap_to_workload"], ascending=[False, False], na_position="last",
                        kind="stable")
    return ev.reset_index(drop=True)


def _p1_headline(rs: pd.DataFrame, tol: float) -> tuple[str, str]:
    if rs.empty:
        return "", ""
    last = rs[rs["year"] == rs["year"].max()].sort_values("n_units", ascending=False, kind="stable").iloc[0]
    k = int(round(last["share_identical"] * last["n_units"]))
    n, y, d = int(last["n_units"]), int(last["year"]), last["direction"]
    unit_en, unit_zh = ("department", "科室") if last["unit"] == "department" else ("budget line", "预算科目")
    en = (f"In {y}, B0 grew over last year's actual by the same {last['modal_growth']:.1%} (±{tol:.1%}) for {k} of "
          f"{n} {d} budgets compared by {unit_en}; their growth rates had a standard deviation of "
          f"{last['growth_std']:.1%}.")
    zh = (f"{y}年，{n}个{unit_zh}的{DIRECTION_ZH.get(d, d)}预算中有{k}个较上年实际统一增长{last['modal_growth']:.1%}"
          f"（容差±{tol:.1%}），增长率标准差为{last['growth_std']:.1%}。")
    return en, zh


# --------------------------------------------------------------------------------------- P2
def rule_p2(ctx: RuleContext) -> Finding:
    """P2: unscientific budget preparation.

    Criteria (original budget B0):

    - forecast value added of B0 over last year's actual, mean over years (line level),
      ``<`` ``p2.fva_min`` (negative: B0 less accurate than simply repeating last year);
    - median over years and directions of |bias| = |sum(B0 - A)| / sum A ``>`` ``p2.bias_max``
      (persistent over- or under-budgeting; the median exceeds it when most years do);
    - share of expense (all years) on lines without an original budget ``>``
      ``p2.missing_items_share``;
    - survey participation construct mean ``<`` ``p2.participation_min`` (needs the survey; uses
      :func:`casekit.indicators.survey.construct_scores`, unavailable if that module is absent).

    Present when at least ``p2.min_triggered`` trip. Evidence: lines with B0, actual and last
    year's actual, lines where the budget lost most to last year's actual first.

    References
    ----------
    docs/methodology.md (P2, forecast value added, bias, missing items); 2020 measures:
    "no spending without a budget", departments take part in preparation.
    """
    h, cfg = ctx.hospital, ctx.cfg
    fv = ctx.get(forecast_value_added, methods=("last_year",))  # the criterion; ETS is for the report
    ly = fv[fv["method"] == "last_year"] if not fv.empty else fv

    def fva_of(rows: pd.DataFrame) -> float | None:
        return float(rows["fva"].mean()) if len(rows) and rows["fva"].notna().any() else None

    def bias_of(rows: pd.DataFrame) -> float | None:
        return float(rows["bias"].abs().median()) if rows["bias"].notna().any() else None

    acc0 = ctx.get(accuracy_summary, basis="original", good=cfg["bands.good"], warning=cfg["bands.warning"])
    fva, bias = fva_of(ly), bias_of(acc0)
    exp_total = float(acc0.loc[acc0["direction"] == "expense", "actual"].sum())
    mi = ctx.get(missing_items)
    miss_share = float(mi.loc[mi["direction"] == "expense", "actual"].sum() / exp_total) if exp_total > 0 else None
    participation = _participation_mean(ctx)
    checks = [
        check(ctx, "forecast_value_added", fva, "p2.fva_min", "<",
              "forecast value added of B0 over last year's actual (WAPE of last year's actual minus WAPE of B0)",
              "年初预算相对“上年实际数”的预测增加值（上年实际数WAPE减年初预算WAPE）", BASIS, fmt="pct",
              missing=TWO_YEARS, by_year=yearly(ly, fva_of)),
        check(ctx, "median_abs_bias", bias, "p2.bias_max", ">",
              "median |bias| of B0 (|sum(B0 - A)| / sum A)", "年初预算偏倚绝对值中位数（|Σ(B0-A)|/ΣA）", BASIS,
              fmt="pct", missing="budget and actuals", by_year=yearly(acc0, bias_of)),
        check(ctx, "missing_items_share", miss_share, "p2.missing_items_share", ">",
              "share of expense on lines without an original budget", "无年初预算项目的支出占全部支出比例", BASIS,
              fmt="pct", missing="expense actuals"),
        check(ctx, "participation_mean", participation, "p2.participation_min", "<",
              "survey participation construct mean (1-5)", "问卷“全员参与”维度均值（1-5分）", "survey",
              fmt="num", missing="survey tables (survey_items, survey_responses)"),
    ]
    evidence = _p2_evidence(ctx)
    f = decide("P2", *P2_TITLE, checks, cfg["p2.min_triggered"], evidence)
    return with_headline(f, *_p2_headline(ly, bias, miss_share))


def _participation_mean(ctx: RuleContext) -> float | None:
    """Mean of the survey participation construct, or None when the survey (or its module) is unavailable."""
    h = ctx.hospital
    if not (h.has("survey_items") and h.has("survey_responses")):
        return None
    try:
        from casekit.indicators.survey import construct_scores
    except ImportError:
        return None
    cs = ctx.get(construct_scores)
    row = cs[cs["construct"] == "participation"]
    return None if row.empty or pd.isna(row["mean"].iloc[0]) else float(row["mean"].iloc[0])


def _p2_evidence(ctx: RuleContext) -> pd.DataFrame:
    nf = ctx.get(naive_forecasts)
    if nf.empty:
        ev = ctx.get(line_table, basis="original").rename(columns={"budget": "original"})
        ev["last_year"] = np.nan
    else:
        ev = nf.copy()
    ev["abs_error_budget"] = (ev["actual"] - ev["original"]).abs()
    ev["abs_error_last_year"] = (ev["actual"] - ev["last_year"]).abs()
    ev["budget_loses"] = ev["abs_error_budget"] > ev["abs_error_last_year"]
    ev["missing_item"] = (ev["original"] == 0) & (ev["actual"] > 0)
    ev["_key"] = ev["abs_error_budget"] - ev["abs_error_last_year"].fillna(0.0)
    ev = ev.sort_values("_key", ascending=False, kind="stable").drop(columns="_key")
    return ev.reset_index(drop=True)


def _p2_headline(ly: pd.DataFrame, bias: float | None, miss_share: float | None) -> tuple[str, str]:
    en, zh = [], []
    if len(ly):
        wb, wf = float(ly["wape_budget"].mean()), float(ly["wape_forecast"].mean())
        word = "less" if wb > wf else "more"
        en.append(f"Against actuals, B0 had a WAPE of {wb:.1%} against {wf:.1%} for simply repeating last year's "
                  f"actual ({word} accurate than the naive forecast)")
        zh.append(f"年初预算的加权绝对百分比误差（WAPE）为{wb:.1%}，直接沿用上年实际数为{wf:.1%}"
                  f"（预算{'不如' if wb > wf else '优于'}简单预测）")
    if bias is not None:
        en.append(f"median |bias| {bias:.1%}")
        zh.append(f"偏倚绝对值中位数{bias:.1%}")
    if miss_share is not None:
        en.append(f"{miss_share:.1%} of expense on unbudgeted lines")
        zh.append(f"无预算项目支出占{miss_share:.1%}")
    return ("; ".join(en) + "." if en else "", "；".join(zh) + "。" if zh else "")
