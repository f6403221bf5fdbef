"""The current situation in five aspects (A1-A5), scored against the 2020 measures.

The case described J hospital's budget management in five aspects before naming its problems:
A1 organisation system, A2 preparation process, A3 preparation content, A4 implementation and
control, A5 assessment and evaluation (docs/methodology.md). casekit scores each aspect by the
share of its requirements met:

    share_met = (checklist points + data requirements met) / (checklist items answered + data requirements computable)

Checklist items score yes = 1, partial = 0.5, no = 0 (items of the aspect in casekit's standard
checklist, restating 国卫财务发〔2020〕30号). Data requirements are checks the data can make:

- A2: survey participation construct mean >= ``causes.construct_min``.
- A3: revenue and expense actuals fall on budgeted lines (unbudgeted share <=
  ``p2.missing_items_share``); capital spending is budgeted; a business (workload) budget exists.
- A4: execution analyses per year >= ``causes.analyses_per_year_min``; share of adjustments
  approved >= ``aspects.adjustments_approved_min``.
- A5: mean budget weight in the appraisal >= ``p4.budget_weight_min``.

Rating: good when share_met >= ``aspects.met_good``, weak below ``aspects.met_weak``, else
adequate. Severity = 100 x (1 - share_met). Status "present" means the aspect was assessed.
An aspect with no answered checklist item and no computable data check is not assessed (never
"good" by default); one rated from data checks alone, without any checklist item, carries
``evidence_strength="weak"``. Its robustness says whether the rating changes when
``aspects.met_good`` / ``aspects.met_weak`` move by 10% or 20%
(:func:`casekit.diagnosis.robustness.rating_sensitivity`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from casekit.data.hospital import Hospital
from casekit.data.lines import sum_by
from casekit.diagnosis.config import RuleContext
from casekit.diagnosis.finding import Finding
from casekit.diagnosis.criteria import Check, budget_weight_check, check, construct_row, fmt_value, profile_number
from casekit.diagnosis.robustness import label, rating_sensitivity
from casekit.indicators.execution import LINE_KEYS, annual_actuals, key_positions, with_accounts
from casekit.indicators.shared import shared
from casekit.labels import finding_titles

TITLES = {code: finding_titles(code) for code in ("A1", "A2", "A3", "A4", "A5")}
RATING_ZH = {"good": "良好", "adequate": "一般", "weak": "薄弱"}
EVIDENCE_COLUMNS = ["source", "item", "requirement", "requirement_zh", "status", "met"]


@dataclass
class AspectFinding(Finding):
    """A :class:`Finding` for an aspect, with its score.

    Attributes
    ----------
    share_met : float or None
        Share of the aspect's requirements met (0-1).
    rating : {"good", "adequate", "weak"} or None
    n_requirements : int
        Checklist items answered plus data requirements computable.
    """

    share_met: float | None = None
    rating: str | None = None
    n_requirements: int = 0

    def as_dict(self, evidence_rows: int = 50) -> dict[str, Any]:
        d = super().as_dict(evidence_rows)
        d.update({"share_met": self.share_met, "rating": self.rating, "n_requirements": self.n_requirements})
        return d


def rating_for(share: float, cfg) -> str:
    """good / adequate / weak by ``aspects.met_good`` and ``aspects.met_weak``."""
    return rate(share, cfg["aspects.met_good"], cfg["aspects.met_weak"])


def rate(share: float, good: float, weak: float) -> str:
    """good when ``share >= good``, weak when ``share < weak``, else adequate.

    >>> rate(0.75, 0.8, 0.5), rate(0.8, 0.8, 0.5), rate(0.4, 0.8, 0.5)
    ('adequate', 'good', 'weak')
    """
    if share >= good:
        return "good"
    return "weak" if share < weak else "adequate"


@shared
def _checklist_evidence(h: Hospital) -> pd.DataFrame:
    """The answered checklist items as evidence rows: ``aspect`` and :data:`EVIDENCE_COLUMNS`."""
    from casekit.indicators.governance import checklist_items

    items = checklist_items(h)
    items = items[items["points"].notna()]
    return pd.DataFrame({"aspect": items["aspect"], "source": "checklist", "item": items["item_id"].astype(str),
                         "requirement": items["requirement_en"].fillna("").astype(str),
                         "requirement_zh": items["requirement_zh"].fillna(items["requirement_en"]).fillna("").astype(str),
                         "status": items["status"].astype(str), "met": items["points"].astype(float)},
                        columns=["aspect", *EVIDENCE_COLUMNS])


def _checklist_rows(ctx: RuleContext, aspect: str) -> pd.DataFrame:
    from casekit.indicators.governance import checklist_items

    if not ctx.hospital.has("checklist"):
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    ctx.get(checklist_items)  # the items table among the diagnosis's indicator tables
    ev = _checklist_evidence(ctx.hospital)
    return ev.loc[ev["aspect"].eq(aspect).to_numpy(dtype=bool, na_value=False), EVIDENCE_COLUMNS]


def _assess(ctx: RuleContext, aspect: str, checks: list[Check], missing_if_none: list[str]) -> Finding:
    title_en, title_zh = TITLES[aspect]
    ev = _checklist_rows(ctx, aspect)
    data_rows = [{"source": "data", "item": c.criterion.name, "requirement": c.criterion.label_en,
                  "requirement_zh": c.criterion.label_zh,
                  "status": fmt_value(c.criterion.value, c.fmt), "met": 0.0 if c.criterion.triggered else 1.0}
                 for c in checks if c.criterion.triggered is not None]
    evidence = pd.concat([ev, pd.DataFrame(data_rows, columns=EVIDENCE_COLUMNS)], ignore_index=True)
    if evidence.empty:
        missing = (["checklist table"] if not ctx.hospital.has("checklist") else []) + missing_if_none
        return Finding.not_assessed(aspect, title_en, title_zh, missing)
    n = len(evidence)
    share = float(evidence["met"].sum() / n)
    rating = rating_for(share, ctx.cfg)
    criteria = []
    if len(ev):
        criteria.append(check(ctx, "checklist_share_met", float(ev["met"].mean()), "aspects.met_good", "<",
                              f"share of {aspect} checklist requirements met", f"{aspect}制度核查要求落实比例",
                              "governance checklist", fmt="pct").criterion)
    criteria += [c.criterion for c in checks]
    unmet_en = [c.criterion.label_en for c in checks if c.criterion.triggered]
    unmet_zh = [c.criterion.label_zh for c in checks if c.criterion.triggered]
    n_chk_unmet = int((ev["met"] < 1).sum())
    summary_en = (f"{title_en}: {rating} ({share:.0%} of {n} requirements met; {len(ev)} checklist items, "
                  f"{n_chk_unmet} not fully met" + (f"; data show: {'; '.join(unmet_en)} not met" if unmet_en else "")
                  + ").")
    summary_zh = (f"{title_zh}：{RATING_ZH[rating]}（{n}项要求中落实{share:.0%}；制度核查{len(ev)}项，{n_chk_unmet}项未完全落实"
                  + (f"；数据显示：{'；'.join(unmet_zh)}未达要求" if unmet_zh else "") + "）。")
    missing = sorted({c.missing for c in checks if c.criterion.triggered is None and c.missing})
    if not ctx.hospital.has("checklist"):
        missing = ["checklist table"] + missing
    weak = len(ev) == 0
    if weak:
        summary_en += " Weak evidence: no checklist item of this aspect was answered; rated from data checks only."
        summary_zh += "证据不足：本方面无已回答的制度核查条目，仅依据数据检查评级。"
    rows = rating_sensitivity(share, ctx.cfg["aspects.met_good"], ctx.cfg["aspects.met_weak"], rating, rate)
    robust, flips_at = label(rows)
    return AspectFinding(aspect, title_en, title_zh, "present", round(100 * (1 - share), 1), criteria, evidence,
                         summary_en, summary_zh, missing, evidence_strength="weak" if weak else "sufficient",
                         robustness=robust, flips_at=flips_at, sensitivity=rows,
                         share_met=share, rating=rating, n_requirements=n)


def aspect_a1(ctx: RuleContext) -> Finding:
    """A1 organisation system: committee, budget office, functional departments, written rules (checklist)."""
    return _assess(ctx, "A1", [], [])


def aspect_a2(ctx: RuleContext) -> Finding:
    """A2 preparation process: "two up, two down", approval, issue (checklist) and participation (survey)."""
    row = construct_row(ctx, "participation")
    checks = [check(ctx, "survey_participation_mean", None if row is None else row["mean"],
                    "causes.construct_min", "<", "survey participation construct mean (1-5)",
                    "问卷“全员参与”维度均值（1-5）", "survey", missing="survey_items and survey_responses tables")]
    return _assess(ctx, "A2", checks, ["survey_items and survey_responses tables"])


@shared
def _lines_with_b0(h: Hospital) -> pd.DataFrame:
    """Annual actuals of every line of ``h.years`` with its B0 (NaN without a budget row), direction
    and category."""
    b = sum_by(h.budget, LINE_KEYS, ["original"])
    m = annual_actuals(h)
    m = m[m["year"].isin(h.years)]
    at = key_positions(b, m)
    m = m.assign(original=np.where(at >= 0, b["original"].to_numpy()[at], np.nan))
    return with_accounts(m, h, ("direction", "category"))


def _unbudgeted_share(ctx: RuleContext, direction: str, categories: tuple[str, ...] | None = None) -> float | None:
    m = _lines_with_b0(ctx.hospital)
    mine = m["direction"].eq(direction).to_numpy(dtype=bool, na_value=False)
    if categories is not None:
        mine = mine & m["category"].isin(categories).to_numpy()
    # negative and missing amounts count as 0 (the array pandas' clip and sum would add up)
    amount = np.fmax(m["amount"].to_numpy(dtype="float64")[mine], 0.0)
    total = amount.sum()
    if not total > 0:
        return None
    unbudgeted = amount[~(m["original"].to_numpy(dtype="float64")[mine] > 0)].sum()  # B0 <= 0 or missing
    return float(unbudgeted / total)


def aspect_a3(ctx: RuleContext) -> Finding:
    """A3 preparation content: revenue, expense, capital and business budgets (checklist and data)."""
    h = ctx.hospital
    business = None
    if h.has("workload"):
        business = bool(("scenario" in h.workload.columns) and (h.workload["scenario"] == "budget").any())
    checks = [
        check(ctx, "revenue_unbudgeted_share", _unbudgeted_share(ctx, "revenue"), "p2.missing_items_share", ">",
              "share of revenue on lines without a budget", "无预算科目上的收入占比", "budget accounting", fmt="pct"),
        check(ctx, "expense_unbudgeted_share", _unbudgeted_share(ctx, "expense"), "p2.missing_items_share", ">",
              "share of expense on lines without a budget", "无预算科目上的支出占比", "budget accounting", fmt="pct"),
        check(ctx, "capital_unbudgeted_share", _unbudgeted_share(ctx, "expense", ("capital",)),
              "p2.missing_items_share", ">", "share of capital spending without a capital budget",
              "无资本预算的资本性支出占比", "budget accounting", fmt="pct", missing="capital spending in actuals"),
        check(ctx, "business_budget_supplied", business, "", "==", "a business (workload) budget",
              "业务量预算", "workload", missing="workload table", threshold=False),
    ]
    return _assess(ctx, "A3", checks, [])


def aspect_a4(ctx: RuleContext) -> Finding:
    """A4 implementation and control: analyses, warnings, spending control, adjustment procedure."""
    h = ctx.hospital
    approved = None
    if h.has("adjustments"):
        approved = float(h.adjustments["approved"].astype(bool).mean())
    checks = [
        check(ctx, "execution_analyses_per_year", profile_number(ctx, "execution_analyses_per_year"),
              "causes.analyses_per_year_min", "<", "budget-execution analyses per year", "年度预算执行分析次数",
              "profile", fmt="int", missing="profile execution_analyses_per_year"),
        check(ctx, "adjustments_approved_share", approved, "aspects.adjustments_approved_min", "<",
              "share of budget adjustments approved by the committee", "经预算管理委员会审批的调整占比",
              "adjustments", fmt="pct", missing="adjustments table"),
    ]
    return _assess(ctx, "A4", checks, ["profile execution_analyses_per_year", "adjustments table"])


def aspect_a5(ctx: RuleContext) -> Finding:
    """A5 assessment and evaluation: budget indicators and rewards in the appraisal."""
    checks = [budget_weight_check(ctx)]
    return _assess(ctx, "A5", checks, ["performance table"])


ASPECT_RULES = {"A1": aspect_a1, "A2": aspect_a2, "A3": aspect_a3, "A4": aspect_a4, "A5": aspect_a5}
