"""The cause -> problem matrix (docs/methodology.md).

The case traced each problem to causes: C1 participation feeds P1 rigid targets and P2
unscientific preparation; C2 professional staff feeds P2 and P3; C3 supervision feeds P3
execution deviation; C4 assessment system feeds P4 disconnection from appraisal; C5
information-finance integration feeds P5 low informatisation and P2. casekit keeps these
links and adds statistical support where the data allow it:

- C1 -> P2: Spearman of department participation means with department |deviation| against B0.
- C3 -> P3: Spearman of department supervision means with department |deviation| against B1.
- C5 -> P2: Spearman of department integration means with department |deviation| against B0.
- C4 -> P4: the performance-linkage correlation (|deviation| vs appraisal score, pooled).

A negative rho with a small one-sided p supports the link. Other links are "structural (from
the case)": a hospital-level cause cannot be correlated across departments.
"""
from __future__ import annotations

import pandas as pd

from casekit.diagnosis.config import RuleContext
from casekit.diagnosis.finding import Finding

LINKS = (("C1", "P1"), ("C1", "P2"), ("C2", "P2"), ("C2", "P3"), ("C3", "P3"), ("C4", "P4"), ("C5", "P5"),
         ("C5", "P2"))
STRUCTURAL = "structural (from the case)"
# link -> (construct, basis) for department-level survey support
SURVEY_SUPPORT = {("C1", "P2"): ("participation", "original"), ("C3", "P3"): ("supervision", "adjusted"),
                  ("C5", "P2"): ("integration", "original")}
COLUMNS = ["cause", "problem", "linked", "cause_status", "problem_status", "support", "statistic", "p_value", "n"]


def _support(ctx: RuleContext, cause: str, problem: str) -> tuple[str, float | None, float | None, int | None]:
    from casekit.indicators.performance import performance_linkage
    from casekit.indicators.survey import construct_vs_deviation

    h = ctx.hospital
    if (cause, problem) in SURVEY_SUPPORT and h.has("survey_items") and h.has("survey_responses"):
        construct, basis = SURVEY_SUPPORT[(cause, problem)]
        cvd = ctx.get(construct_vs_deviation, basis=basis)
        hit = cvd[cvd["construct"] == construct]
        if not hit.empty and pd.notna(hit.iloc[0]["rho"]):
            r = hit.iloc[0]
            b = "B0" if basis == "original" else "B1"
            return (f"Spearman rho, department {construct} mean vs |deviation| against {b} (one-sided p, rho < 0)",
                    float(r["rho"]), float(r["p_negative"]), int(r["n_departments"]))
    if (cause, problem) == ("C4", "P4") and h.has("performance"):
        link = ctx.get(performance_linkage, basis="adjusted")
        hit = link[(link["scope"] == "pooled") & (link["target"] == "appraisal_score")]
        if not hit.empty and pd.notna(hit.iloc[0]["rho"]):
            r = hit.iloc[0]
            return ("Spearman rho, department |deviation| vs appraisal score, pooled years (one-sided p, rho < 0)",
                    float(r["rho"]), float(r["p_negative"]), int(r["n"]))
    return STRUCTURAL, None, None, None


def cause_problem_matrix(ctx: RuleContext, causes: list[Finding], problems: list[Finding]) -> pd.DataFrame:
    """The cause -> problem links with both statuses and their statistical support.

    Parameters
    ----------
    ctx : RuleContext
    causes, problems : list of Finding
        Findings C1-C5 and P1-P5 of the same diagnosis.

    Returns
    -------
    pandas.DataFrame
        One row per link of :data:`LINKS`: ``cause``, ``problem``, ``linked`` (bool: both the
        cause and the problem are present in this hospital), ``cause_status``,
        ``problem_status``, ``support`` (what the statistic is, or "structural (from the
        case)"), ``statistic`` (Spearman rho or NaN), ``p_value`` (one-sided, rho < 0, or NaN),
        ``n`` (nullable Int64).
    """
    status = {f.code: f.status for f in [*causes, *problems]}
    rows = []
    for cause, problem in LINKS:
        cs, ps = status.get(cause, "not_assessed"), status.get(problem, "not_assessed")
        support, stat, p, n = _support(ctx, cause, problem)
        rows.append({"cause": cause, "problem": problem, "linked": cs == "present" and ps == "present",
                     "cause_status": cs, "problem_status": ps, "support": support,
                     "statistic": float("nan") if stat is None else stat,
                     "p_value": float("nan") if p is None else p, "n": pd.NA if n is None else n})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["n"] = out["n"].astype("Int64")
    return out
