"""The toolkit every diagnosis rule shares: criteria from values and configured thresholds,
the severity formula, the present/absent decision and the bilingual summary.

Severity (0-100) of a rule, used by P4, P5 and C1-C5::

    severity = 100 x sum(s_i) / n_computable
    s_i = 0                                   if criterion i did not trip
    s_i = 0.5 + 0.5 x min(1, |v_i - t_i| / scale_i)   if it tripped

where ``scale_i = |t_i|`` (1 when the threshold is 0). A rule whose every computable criterion
trips far beyond its threshold scores 100; one that trips just past half of them about 25.
A rule is *present* when at least ``min_triggered`` criteria trip (config key of the rule);
when fewer criteria can be computed than that, all computable ones must trip, and the finding
is marked ``evidence_strength="weak"`` (reported as "indicated — weak evidence: k of n criteria
computable"; an absent finding decided that way is weak too). A criterion whose data are missing
is never tripped: it is not computable. A rule none of whose criteria can be computed is *not
assessed* and names the missing data. Every decided finding also gets its margins and
threshold sensitivity (:mod:`casekit.diagnosis.robustness`).
"""
from __future__ import annotations

import numbers
import operator
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from casekit.diagnosis.config import RuleContext
from casekit.diagnosis.finding import Criterion, Finding
from casekit.diagnosis.robustness import label, margin, sensitivity

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
}
OPS_ZH = {"<": "低于", "<=": "不高于", ">": "高于", ">=": "不低于", "==": "等于"}


@dataclass
class Check:
    """A criterion plus how to print its numbers.

    ``fmt`` is ``"pct"`` (share shown as %), ``"num"`` (2 decimals), ``"int"`` or ``"p"``
    (p-value, 3 decimals). ``missing`` names the table or profile key when ``value`` is None.
    """

    criterion: Criterion
    fmt: str = "num"
    missing: str = ""


def is_missing(v: Any) -> bool:
    """True for None, NaN and pd.NA (scalars only)."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def yearly(frame: pd.DataFrame | None, value: Callable[[pd.DataFrame], Any]) -> dict[int, float] | None:
    """A criterion's formula applied to each year's rows alone (:attr:`Criterion.by_year`).

    Parameters
    ----------
    frame : pandas.DataFrame or None
        The indicator table the criterion is computed from, with a ``year`` column.
    value : callable
        The criterion's formula: takes rows of ``frame``, returns a number or None. The rule
        computes its all-years value with the same callable on the whole frame.

    Returns
    -------
    dict of int to float, or None
        ``{year: value}`` in year order, years whose value is missing left out; None when
        ``frame`` has no ``year`` column or no year gives a value.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [2023, 2023, 2024], "x": [0.1, 0.3, 0.5]})
    >>> yearly(df, lambda g: g["x"].mean())
    {2023: 0.2, 2024: 0.5}
    """
    if frame is None or "year" not in frame.columns or not len(frame):
        return None
    out = {}
    for year, rows in frame.groupby("year", sort=True):
        v = value(rows)
        if not is_missing(v):
            out[int(year)] = float(v)
    return out or None


def check(ctx: RuleContext, name: str, value: Any, config_key: str, op: str, label_en: str, label_zh: str,
          basis: str, fmt: str = "num", missing: str = "", threshold: Any = None, n: int | None = None,
          statistic: float | None = None, by_year: dict[int, float] | None = None) -> Check:
    """Build one criterion: compare ``value`` with ``ctx.cfg[config_key]`` by ``op``.

    ``threshold`` replaces the configured value for fixed requirements (then ``config_key`` is
    ""). The criterion is not computable (``triggered=None``) when ``value`` is missing. ``n``
    and ``statistic`` describe a statistical test whose p-value is ``value``; ``by_year`` holds
    the value of each year (:func:`yearly`), kept only when the criterion is computable.
    """
    if config_key:
        threshold = ctx.cfg[config_key]
    if is_missing(value):
        value, trig = None, None
    else:
        if isinstance(value, (bool, np.bool_)):
            value = bool(value)
        elif isinstance(value, numbers.Real):
            value = float(value)
        trig = bool(OPS[op](value, threshold))
    rel, dist = margin(value, threshold, op) if trig is not None else (None, None)
    stat = None if is_missing(statistic) else float(statistic)
    return Check(Criterion(name, value, threshold, op, trig, config_key, label_en, label_zh, basis, rel, dist,
                           None if n is None else int(n), stat, by_year if trig is not None else None), fmt, missing)


def budget_weight_check(ctx: RuleContext) -> Check:
    """The criterion "mean weight of budget indicators in the appraisal" (P4, C4 and A5 share it).

    The mean over years of :func:`casekit.indicators.performance.budget_weight`'s yearly mean
    weight, ``<`` ``p4.budget_weight_min``; not computable without a performance table or any
    weight given. ``by_year`` holds each year's mean weight.

    Parameters
    ----------
    ctx : RuleContext
        The diagnosis context (hospital, thresholds, shared indicator tables).

    Returns
    -------
    Check
        The criterion ``mean_budget_weight`` with its print format and missing-data note.
    """
    from casekit.indicators.performance import budget_weight

    def mean_weight(rows: pd.DataFrame) -> float | None:
        return float(rows["mean_weight"].mean()) if rows["n_departments"].sum() else None

    bw = ctx.get(budget_weight) if ctx.hospital.has("performance") else None
    return check(ctx, "mean_budget_weight", None if bw is None else mean_weight(bw), "p4.budget_weight_min", "<",
                 "mean weight of budget indicators in the appraisal", "预算指标在绩效考核中的平均权重",
                 "performance appraisal", fmt="pct", missing="performance.budget_weight",
                 by_year=yearly(bw, mean_weight))


def fmt_value(v: Any, fmt: str) -> str:
    """Format a criterion value for a summary sentence."""
    if is_missing(v):
        return "n/a"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return {"pct": f"{v:.1%}", "int": f"{v:.0f}", "p": f"{v:.3f}"}.get(fmt, f"{v:.2f}")


def severity(criteria: list[Criterion]) -> float:
    """Severity 0-100 by the formula in the module docstring (0 when nothing is computable)."""
    comp = [c for c in criteria if c.triggered is not None]
    if not comp:
        return 0.0
    total = 0.0
    for c in comp:
        if not c.triggered:
            continue
        if isinstance(c.value, (int, float)) and isinstance(c.threshold, (int, float)) \
                and not isinstance(c.value, bool):
            scale = abs(c.threshold) or 1.0
            total += 0.5 + 0.5 * min(1.0, abs(c.value - c.threshold) / scale)
        else:
            total += 1.0
    return round(100.0 * total / len(comp), 1)


def decide(code: str, title_en: str, title_zh: str, checks: list[Check], min_triggered: int,
           evidence: pd.DataFrame | None = None, caveat_en: str = "", caveat_zh: str = "") -> Finding:
    """Turn checks into a Finding: status, severity, criteria, evidence and bilingual summary."""
    criteria = [c.criterion for c in checks]
    missing = sorted({c.missing for c in checks if c.criterion.triggered is None and c.missing})
    comp = [c for c in checks if c.criterion.triggered is not None]
    if not comp:
        return Finding.not_assessed(code, title_en, title_zh, missing or ["data"])
    need = max(1, min(int(min_triggered), len(comp)))
    n_trig = sum(1 for c in comp if c.criterion.triggered)
    status = "present" if n_trig >= need else "absent"
    weak = len(comp) < int(min_triggered)
    parts_en, parts_zh = [], []
    for c in comp:
        k = c.criterion
        v, t = fmt_value(k.value, c.fmt), fmt_value(k.threshold, c.fmt)
        test_en = test_zh = ""
        if k.n is not None and c.fmt == "p":
            test_en, test_zh = f", p = {v}, n = {k.n}", f"，p={v}，n={k.n}"
        parts_en.append(f"{k.label_en} {v} ({'tripped' if k.triggered else 'not tripped'}: threshold {k.op} {t}"
                        f"{test_en})")
        parts_zh.append(f"{k.label_zh}为{v}（{'触发' if k.triggered else '未触发'}：阈值{OPS_ZH[k.op]}{t}{test_zh}）")
    if weak:
        word_en = "indicated — weak evidence" if status == "present" else "not indicated — weak evidence"
        word_zh = "初步显示存在（证据不足）" if status == "present" else "初步显示不存在（证据不足）"
        count_en = (f"only {len(comp)} of {len(checks)} criteria computable (the rule needs {int(min_triggered)}); "
                    f"{n_trig} of {len(comp)} tripped")
        count_zh = f"{len(checks)}项判据中仅{len(comp)}项可计算（规则需{int(min_triggered)}项），其中{n_trig}项触发"
    else:
        word_en = "present" if status == "present" else "absent"
        word_zh = "存在" if status == "present" else "不存在"
        count_en = f"{n_trig} of {len(comp)} criteria tripped (needs {need})"
        count_zh = f"{len(comp)}项判据中{n_trig}项触发（需{need}项）"
    summary_en = f"{title_en}: {word_en}; {count_en}. " + "; ".join(parts_en) + "."
    summary_zh = f"{title_zh}：{word_zh}；{count_zh}。" + "；".join(parts_zh) + "。"
    if missing:
        summary_en += f" Not computed for lack of: {', '.join(missing)}."
        summary_zh += f"因缺少 {', '.join(missing)}，部分判据未计算。"
    if caveat_en:
        summary_en += " " + caveat_en
        summary_zh += caveat_zh
    rows = sensitivity(criteria, int(min_triggered), status)
    robust, flips_at = label(rows)
    return Finding(code, title_en, title_zh, status, severity(criteria), criteria,
                   evidence if evidence is not None else pd.DataFrame(), summary_en, summary_zh, missing,
                   n_required=int(min_triggered), evidence_strength="weak" if weak else "sufficient",
                   robustness=robust, flips_at=flips_at, sensitivity=rows)


def profile_number(ctx: RuleContext, key: str) -> float | None:
    """A numeric profile value, or None when absent or not a number."""
    v = ctx.hospital.profile.get(key)
    try:
        return None if v in (None, "") else float(v)
    except (TypeError, ValueError):
        return None


def construct_row(ctx: RuleContext, construct: str) -> pd.Series | None:
    """The :func:`construct_scores` row of ``construct``, or None without survey data."""
    from casekit.indicators.survey import construct_scores

    h = ctx.hospital
    if not (h.has("survey_items") and h.has("survey_responses")):
        return None
    cs = ctx.get(construct_scores)
    hit = cs[cs["construct"] == construct]
    return None if hit.empty else hit.iloc[0]


def alpha_caveat(ctx: RuleContext, construct: str, alpha: float | None) -> tuple[str, str]:
    """Caveat sentences when a construct's Cronbach's alpha is below ``causes.alpha_acceptable``."""
    limit = ctx.cfg["causes.alpha_acceptable"]
    if is_missing(alpha) or alpha >= limit:
        return "", ""
    return (f"Caveat: the survey construct '{construct}' has Cronbach's alpha {alpha:.2f}, below the acceptable "
            f"{limit:.2f}; read its score with caution.",
            f"注意：问卷维度“{construct}”的Cronbach's α为{alpha:.2f}，低于可接受水平{limit:.2f}，其得分仅供参考。")
