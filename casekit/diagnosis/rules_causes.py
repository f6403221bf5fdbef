"""Rules C1-C5: the causes behind the problems (docs/methodology.md).

Each cause draws on three kinds of evidence: the staff survey construct of the cause (mean
below ``causes.construct_min``), the governance checklist items mapped to the cause (share met
below ``causes.checklist_met_min``), and hard data (staffing, analyses per year, appraisal
weights, systems). A cause is present when at least ``causes.min_triggered`` criteria trip;
severity follows :mod:`casekit.diagnosis.criteria`. A construct whose Cronbach's alpha is
below ``causes.alpha_acceptable`` is used, with a caveat in the summary.
"""
from __future__ import annotations

import pandas as pd

from casekit.diagnosis.config import RuleContext
from casekit.diagnosis.criteria import (Check, alpha_caveat, budget_weight_check, check, construct_row, decide,
                                        is_missing, profile_number)
from casekit.diagnosis.finding import Finding
from casekit.labels import finding_titles

TITLES = {code: finding_titles(code) for code in ("C1", "C2", "C3", "C4", "C5")}
CONSTRUCT = {"C1": "participation", "C2": "staff", "C3": "supervision", "C4": "assessment", "C5": "integration"}
CONSTRUCT_ZH = {"participation": "全员参与", "staff": "专业人才", "supervision": "监督反馈", "assessment": "考核评价",
                "integration": "业财融合"}
EVIDENCE_COLUMNS = ["source", "item", "item_zh", "value", "detail", "detail_zh"]
"""Evidence of a cause: ``item`` and ``detail`` in English, ``item_zh``/``detail_zh`` in Chinese (reports show one)."""


def _evidence(source: str, item: str, value: object, detail: str = "", *, item_zh: str | None = None,
              detail_zh: str | None = None) -> dict:
    """One evidence row; Chinese texts default to the English ones (codes, names)."""
    return {"source": source, "item": item, "item_zh": item if item_zh is None else item_zh, "value": value,
            "detail": detail, "detail_zh": detail if detail_zh is None else detail_zh}


def _profile_evidence(ctx: RuleContext, keys: tuple[str, ...]) -> list[dict]:
    from casekit.data.schema.tables import PROFILE_FIELDS

    rows = []
    for key in keys:
        value = profile_number(ctx, key)
        if value is not None:
            rows.append(_evidence("profile", key, value, item_zh=PROFILE_FIELDS[key][1] if key in PROFILE_FIELDS else key))
    return rows


def _checklist_check(ctx: RuleContext, cause: str) -> tuple[Check, list[dict]]:
    from casekit.indicators.governance import checklist_items, checklist_scores

    h = ctx.hospital
    share, rows = None, []
    if h.has("checklist"):
        scores = ctx.get(checklist_scores)
        hit = scores[(scores["group_type"] == "cause") & (scores["group"] == cause)]
        if not hit.empty:
            share = hit.iloc[0]["share_met"]
        items = ctx.get(checklist_items)
        mine = items[items["cause"] == cause]
        for item, status, en, zh in zip(mine["item_id"], mine["status"], mine["requirement_en"], mine["requirement_zh"]):
            en = "" if pd.isna(en) else en
            rows.append(_evidence("checklist", item, None if pd.isna(status) else status, en,
                                  detail_zh=en if pd.isna(zh) else zh))
    c = check(ctx, f"checklist_{cause}_share_met", share, "causes.checklist_met_min", "<",
              f"share of checklist items on {cause} met", f"{cause}相关制度核查条目落实比例", "governance checklist",
              fmt="pct", missing="checklist table" if not h.has("checklist") else f"answered checklist items of {cause}")
    return c, rows


def _survey_check(ctx: RuleContext, cause: str) -> tuple[Check, list[dict], tuple[str, str]]:
    construct = CONSTRUCT[cause]
    row = construct_row(ctx, construct)
    mean = None if row is None else row["mean"]
    alpha = None if row is None else row["alpha"]
    zh = CONSTRUCT_ZH[construct]
    n_resp, n_items = (0, 0) if row is None else (int(row["n_respondents"]), int(row["n_items"]))
    rows = [] if row is None else [
        _evidence("survey", f"{construct} mean", float(row["mean"]), f"{n_resp} respondents, {n_items} items",
                  item_zh=f"“{zh}”维度均值", detail_zh=f"答卷{n_resp}人，{n_items}个条目"),
        _evidence("survey", f"{construct} share agreeing (4-5)", float(row["share_agree"]),
                  item_zh=f"“{zh}”认同比例（4-5分）"),
        _evidence("survey", f"{construct} Cronbach's alpha", None if is_missing(row["alpha"]) else float(row["alpha"]),
                  item_zh=f"“{zh}”克龙巴赫α系数"),
    ]
    c = check(ctx, f"survey_{construct}_mean", mean, "causes.construct_min", "<",
              f"survey {construct} construct mean (1-5)", f"问卷“{CONSTRUCT_ZH[construct]}”维度均值（1-5）", "survey",
              fmt="num", missing="survey_items and survey_responses tables")
    return c, rows, alpha_caveat(ctx, construct, alpha)


def _finish(ctx: RuleContext, cause: str, checks: list[Check], rows: list[dict], caveat: tuple[str, str]) -> Finding:
    title_en, title_zh = TITLES[cause]
    evidence = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    return decide(cause, title_en, title_zh, checks, ctx.cfg["causes.min_triggered"], evidence, *caveat)


def rule_c1(ctx: RuleContext) -> Finding:
    """C1: the participatory ("two up, two down") budget system is not sound.

    Criteria: survey participation construct mean ``<`` ``causes.construct_min``; checklist items
    of C1 met ``<`` ``causes.checklist_met_min``; departments with lower participation deviate
    more from the original budget B0 (Spearman of department participation mean with mean
    expense |deviation rate|, one-sided p ``<`` ``causes.correlation_alpha``).

    References
    ----------
    docs/methodology.md (C1); 2020 Measures (国卫财务发〔2020〕30号), budget preparation
    ("two up, two down").
    """
    from casekit.indicators.survey import construct_vs_deviation, department_construct_deviation

    h = ctx.hospital
    surv, rows, caveat = _survey_check(ctx, "C1")
    chk, chk_rows = _checklist_check(ctx, "C1")
    p_neg, rho, n = None, None, 0
    if h.has("survey_items") and h.has("survey_responses"):
        cvd = ctx.get(construct_vs_deviation, basis="original")
        hit = cvd[cvd["construct"] == "participation"]
        if not hit.empty:
            p_neg, rho, n = hit.iloc[0]["p_negative"], hit.iloc[0]["rho"], int(hit.iloc[0]["n_departments"])
        dep = ctx.get(department_construct_deviation, basis="original")
        for r in dep[dep["construct"] == "participation"].itertuples(index=False):
            rows.append(_evidence(
                "departments", r.dept_id, float(r.construct_mean),
                f"participation mean; mean |deviation rate| against B0 {r.abs_deviation_rate:.1%}",
                detail_zh=f"“全员参与”维度均值；对年初预算的平均偏差率绝对值 {r.abs_deviation_rate:.1%}"))
    rho_txt = "n/a" if is_missing(rho) else f"{rho:.2f}"
    corr = check(ctx, "participation_deviation_p_negative", p_neg, "causes.correlation_alpha", "<",
                 f"one-sided p that less participation goes with more deviation (rho={rho_txt}, n={n} departments)",
                 f"参与度越低偏差越大的单侧p值（rho={rho_txt}，n={n}个科室）", "survey / budget accounting",
                 fmt="p", missing="survey_responses with dept_id matching departments with budgets (3 or more)",
                 n=n if p_neg is not None and not is_missing(p_neg) else None, statistic=rho)
    return _finish(ctx, "C1", [surv, chk, corr], rows + chk_rows, caveat)


def _capacity(ctx: RuleContext) -> dict[str, float | None]:
    """The :func:`casekit.indicators.governance.budget_capacity` row, missing values as None."""
    from casekit.indicators.governance import budget_capacity

    row = ctx.get(budget_capacity).iloc[0]
    return {k: None if is_missing(v) else float(v) for k, v in row.items()}


def rule_c2(ctx: RuleContext) -> Finding:
    """C2: professional budget staff insufficient.

    Criteria: budget staff per 100 beds ``<`` ``causes.budget_staff_per_100_beds_min`` (profile
    ``budget_staff``, ``beds``); qualified share ``<`` ``causes.qualified_share_min`` (profile
    ``budget_staff_qualified``); training hours ``<`` ``causes.training_hours_min`` (profile
    ``budget_training_hours``), all from :func:`casekit.indicators.governance.budget_capacity`;
    survey staff construct; checklist items of C2.

    References
    ----------
    docs/methodology.md (C2); 2020 Operations guidance (国卫财务发〔2020〕27号): equip the
    operation-management departments with finance and other professional staff.
    """
    cap = _capacity(ctx)
    per_100, q_share = cap["budget_staff_per_100_beds"], cap["budget_staff_qualified_share"]
    training = cap["budget_training_hours"]
    surv, rows, caveat = _survey_check(ctx, "C2")
    chk, chk_rows = _checklist_check(ctx, "C2")
    checks = [
        check(ctx, "budget_staff_per_100_beds", per_100, "causes.budget_staff_per_100_beds_min", "<",
              "budget staff per 100 beds", "每百张床位预算专职人员数", "profile", fmt="num",
              missing="profile budget_staff and beds"),
        check(ctx, "budget_staff_qualified_share", q_share, "causes.qualified_share_min", "<",
              "share of budget staff with an accounting qualification", "预算人员中具有中级以上职称的比例", "profile",
              fmt="pct", missing="profile budget_staff_qualified and budget_staff"),
        check(ctx, "budget_training_hours", training, "causes.training_hours_min", "<",
              "budget training hours per staff member a year", "预算人员年人均培训学时", "profile", fmt="num",
              missing="profile budget_training_hours"),
        surv, chk,
    ]
    prof_rows = _profile_evidence(ctx, ("budget_staff", "beds", "budget_staff_qualified", "budget_training_hours"))
    return _finish(ctx, "C2", checks, prof_rows + rows + chk_rows, caveat)


def rule_c3(ctx: RuleContext) -> Finding:
    """C3: weak supervision of and feedback on budget execution.

    Criteria: execution analyses sent to the committee per year ``<``
    ``causes.analyses_per_year_min`` (profile ``execution_analyses_per_year``); checklist items of
    C3 (monthly analysis, warnings, control of spending, adjustment procedure); survey
    supervision construct.

    References
    ----------
    docs/methodology.md (C3); 2020 Measures (国卫财务发〔2020〕30号), execution and analysis.
    """
    analyses = _capacity(ctx)["execution_analyses_per_year"]
    surv, rows, caveat = _survey_check(ctx, "C3")
    chk, chk_rows = _checklist_check(ctx, "C3")
    checks = [
        check(ctx, "execution_analyses_per_year", analyses, "causes.analyses_per_year_min", "<",
              "budget-execution analyses sent to the committee per year", "年度向预算管理委员会报送执行分析次数",
              "profile", fmt="int", missing="profile execution_analyses_per_year"),
        chk, surv,
    ]
    prof_rows = _profile_evidence(ctx, ("execution_analyses_per_year",))
    return _finish(ctx, "C3", checks, prof_rows + rows + chk_rows, caveat)


def rule_c4(ctx: RuleContext) -> Finding:
    """C4: no budget assessment system.

    Criteria: checklist items of C4 (assessment indicators, rewards and penalties, evaluation,
    feedback); mean budget weight in the appraisal ``<`` ``p4.budget_weight_min``; survey
    assessment construct.

    References
    ----------
    docs/methodology.md (C4); 2020 Measures (国卫财务发〔2020〕30号), budget assessment.
    """
    from casekit.indicators.performance import budget_weight

    h = ctx.hospital
    extra = []
    if h.has("performance"):
        bw = ctx.get(budget_weight)
        extra = [_evidence("performance", f"budget weight {int(r.year)}", r.mean_weight,
                           "" if is_missing(r.zero_share) else f"{r.zero_share:.0%} of departments with weight 0",
                           item_zh=f"{int(r.year)}年预算指标权重",
                           detail_zh="" if is_missing(r.zero_share) else f"权重为0的科室占{r.zero_share:.0%}")
                 for r in bw.itertuples(index=False)]
    surv, rows, caveat = _survey_check(ctx, "C4")
    chk, chk_rows = _checklist_check(ctx, "C4")
    checks = [
        chk,
        budget_weight_check(ctx),
        surv,
    ]
    return _finish(ctx, "C4", checks, extra + rows + chk_rows, caveat)


def rule_c5(ctx: RuleContext) -> Finding:
    """C5: information systems and finance not integrated (业财融合).

    Criteria: checklist items of C5; share of systems in use integrated with finance ``<``
    ``p5.integrated_share_min``; mean data latency ``>`` ``p5.latency_days_max``; survey
    integration construct.

    References
    ----------
    docs/methodology.md (C5); 2020 Operations guidance (国卫财务发〔2020〕27号): integrate business
    and economic management; connect the information systems.
    """
    from casekit.indicators.governance import systems_summary

    h = ctx.hospital
    sysrow = ctx.get(systems_summary).iloc[0] if h.has("systems") else None
    surv, rows, caveat = _survey_check(ctx, "C5")
    chk, chk_rows = _checklist_check(ctx, "C5")
    checks = [
        chk,
        check(ctx, "share_systems_integrated", None if sysrow is None else sysrow["share_integrated"],
              "p5.integrated_share_min", "<", "share of systems in use integrated with finance",
              "在用系统中与财务集成的比例", "systems", fmt="pct", missing="systems table"),
        check(ctx, "mean_latency_days", None if sysrow is None else sysrow["mean_latency_days"],
              "p5.latency_days_max", ">", "mean data latency of systems (days)", "系统数据平均时滞（天）", "systems",
              missing="systems.data_latency_days" if sysrow is not None else "systems table"),
        surv,
    ]
    sys_rows = [] if not h.has("systems") else [
        _evidence("systems", r.system, bool(r.integrated_with_finance), "in use" if r.in_use else "not in use",
                  detail_zh="在用" if r.in_use else "未使用") for r in h.systems.itertuples(index=False)]
    return _finish(ctx, "C5", checks, sys_rows + rows + chk_rows, caveat)


CAUSE_RULES = {"C1": rule_c1, "C2": rule_c2, "C3": rule_c3, "C4": rule_c4, "C5": rule_c5}
