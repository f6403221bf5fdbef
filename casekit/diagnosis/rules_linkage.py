"""Rules P4 (budget cut off from performance appraisal) and P5 (low informatisation).

Both use the shared rule toolkit in :mod:`casekit.diagnosis.criteria`.
"""
from __future__ import annotations

import pandas as pd

from casekit.diagnosis.config import RuleContext
from casekit.diagnosis.criteria import (alpha_caveat, budget_weight_check, check, construct_row, decide, fmt_value,
                                        is_missing, profile_number)
from casekit.diagnosis.finding import Finding
from casekit.labels import finding_titles

# --------------------------------------------------------------------------------------- P4
P4_TITLE = finding_titles("P4")


def rule_p4(ctx: RuleContext) -> Finding:
    """P4: the budget is cut off from the department performance appraisal.

    Criteria (``performance`` table; deviation against B1, expense):

    - mean weight of budget indicators in the appraisal (all years) ``<`` ``p4.budget_weight_min``;
    - no significant negative Spearman correlation between department |deviation rate| and the
      appraisal score: one-sided p (rho < 0) ``>=`` ``p4.correlation_alpha`` (pooled years);
    - the same for the bonus.

    Present when at least ``p4.min_triggered`` trip.

    References
    ----------
    docs/methodology.md (P4); 2020 Measures (国卫财务发〔2020〕30号), budget assessment tied to
    internal performance pay.
    """
    from casekit.indicators.performance import department_linkage_table, performance_linkage

    h = ctx.hospital
    title_en, title_zh = P4_TITLE
    if not h.has("performance"):
        return Finding.not_assessed("P4", title_en, title_zh, ["performance table"])
    checks = [budget_weight_check(ctx)]
    link = ctx.get(performance_linkage, basis="adjusted")
    pooled = link[link["scope"] == "pooled"].set_index("target")
    for target, en, zh in (("appraisal_score", "appraisal score", "考核得分"), ("bonus", "bonus", "绩效奖金")):
        row = pooled.loc[target]
        p_neg = None if is_missing(row["p_negative"]) else float(row["p_negative"])
        rho = row["rho"]
        checks.append(check(
            ctx, f"deviation_{target}_p_negative", p_neg, "p4.correlation_alpha", ">=",
            f"one-sided p that |deviation| lowers the {en} (rho={fmt_value(rho, 'num')}, n={int(row['n'])})",
            f"偏差率绝对值与{zh}负相关的单侧p值（rho={fmt_value(rho, 'num')}，n={int(row['n'])}）",
            "budget accounting / performance appraisal", fmt="p",
            missing=f"performance.{target} (at least 3 department-years with deviation)",
            n=int(row["n"]), statistic=rho))
    evidence = ctx.get(department_linkage_table, basis="adjusted")
    return decide("P4", title_en, title_zh, checks, ctx.cfg["p4.min_triggered"], evidence)


# --------------------------------------------------------------------------------------- P5
P5_TITLE = finding_titles("P5")


def integration_construct(ctx: RuleContext) -> tuple[float | None, float | None]:
    """Mean and alpha of the survey ``integration`` construct (None when not surveyed)."""
    row = construct_row(ctx, "integration")
    return (None, None) if row is None else (row["mean"], row["alpha"])


def rule_p5(ctx: RuleContext) -> Finding:
    """P5: low informatisation of budget management.

    Criteria:

    - share of systems in use integrated with finance ``<`` ``p5.integrated_share_min`` (``systems``);
    - working days to produce the monthly execution report ``>`` ``p5.report_days_max``
      (profile ``report_days``);
    - mean data latency of systems in use ``>`` ``p5.latency_days_max`` (``systems``);
    - survey integration construct mean ``<`` ``p5.construct_min``.

    Present when at least ``p5.min_triggered`` trip.

    References
    ----------
    docs/methodology.md (P5); 2020 Operations guidance (国卫财务发〔2020〕27号), information support.
    """
    from casekit.indicators.governance import systems_summary

    h = ctx.hospital
    title_en, title_zh = P5_TITLE
    sysrow = ctx.get(systems_summary).iloc[0] if h.has("systems") else None
    integ = None if sysrow is None else sysrow["share_integrated"]
    latency = None if sysrow is None else sysrow["mean_latency_days"]
    mean_c, alpha = integration_construct(ctx)
    checks = [
        check(ctx, "share_systems_integrated", integ, "p5.integrated_share_min", "<",
              "share of systems in use integrated with finance", "在用系统中与财务集成的比例", "systems",
              fmt="pct", missing="systems table"),
        check(ctx, "report_days", profile_number(ctx, "report_days"), "p5.report_days_max", ">",
              "working days to produce the monthly execution report", "月度预算执行报表编制天数", "profile",
              fmt="num", missing="profile report_days"),
        check(ctx, "mean_latency_days", latency, "p5.latency_days_max", ">",
              "mean data latency of systems (days)", "系统数据平均时滞（天）", "systems", fmt="num",
              missing="systems.data_latency_days" if sysrow is not None else "systems table"),
        check(ctx, "survey_integration_mean", mean_c, "p5.construct_min", "<",
              "survey integration construct mean (1-5)", "问卷“业财融合”维度均值（1-5）", "survey", fmt="num",
              missing="survey_items and survey_responses tables"),
    ]
    cav_en, cav_zh = alpha_caveat(ctx, "integration", alpha)
    evidence = h.systems.copy() if h.has("systems") else pd.DataFrame()
    return decide("P5", title_en, title_zh, checks, ctx.cfg["p5.min_triggered"], evidence, cav_en, cav_zh)
