"""Draw the report's figures from a :class:`casekit.report.session.Session`.

Each entry of :data:`DRAWERS` takes a session and returns ``(figure, None)`` or, when the data
do not support the figure, ``(None, "what is needed")``. :data:`FIGURES_FOR` says which figures
illustrate which finding in the notebooks. :func:`absent_inputs` says which of a figure's input
tables the session lacks: a figure that is not drawn although nothing is absent is an error
``casekit run`` reports by name.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from casekit.data.fiscal import start_of
from casekit.money import money_of
from casekit.labels import label
from casekit.report.plots import figures

if TYPE_CHECKING:  # pragma: no cover
    from casekit.report.session import Session

Drawn = tuple[Figure | None, str | None]

FIGURES_FOR: dict[str, tuple[str, ...]] = {
    "P1": ("variance_bridge",),
    "P2": ("deviation_distribution",),
    "P3": ("execution_heatmap", "time_progress"),
    "P4": ("performance_linkage",),
    "P5": ("systems_integration",),
}


def aspect_scores(s: "Session") -> pd.DataFrame:
    """Aspects A1-A5 with ``code``, ``score`` (share of requirements met, NaN if not assessed),
    ``rating`` and ``status``."""
    found = s.findings("aspects")
    rows = [{"code": code, "score": getattr(found.get(code), "share_met", None),
             "rating": getattr(found.get(code), "rating", None),
             "status": getattr(found.get(code), "status", "not_assessed")}
            for code in ("A1", "A2", "A3", "A4", "A5")]
    out = pd.DataFrame(rows)
    out["score"] = pd.to_numeric(out["score"], errors="coerce").astype(float)
    return out


def matrix_grid(matrix: pd.DataFrame, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cause x problem grid of the long link table of the diagnosis, with cell annotations.

    Parameters
    ----------
    matrix : DataFrame
        ``Diagnosis.matrix``: cause, problem, linked (both present), statistic (Spearman rho or NaN).

    Returns
    -------
    (values, annotations) : DataFrame, DataFrame
        Index C1..C5, columns P1..P5. Values 1.0 where cause and problem are both present, 0.5
        for a link of the case that is not active here, 0 for no link. Annotations give rho
        where the data support the link statistically, else a word.
    """
    causes = [f"C{i}" for i in range(1, 6)]
    problems = [f"P{i}" for i in range(1, 6)]
    values = pd.DataFrame(0.0, index=causes, columns=problems)
    notes = pd.DataFrame("", index=causes, columns=problems)
    for r in matrix.itertuples():
        if r.cause in causes and r.problem in problems:
            values.loc[r.cause, r.problem] = 1.0 if bool(r.linked) else 0.5
            stat = getattr(r, "statistic", np.nan)
            word = label("matrix.linked" if bool(r.linked) else "matrix.case", lang)
            notes.loc[r.cause, r.problem] = word if pd.isna(stat) else f"{word}\nρ {stat:+.2f}"
    return values, notes


def _heatmap(s: "Session") -> Drawn:
    from casekit.indicators.progress import monthly_execution

    if not s.summary.is_monthly:
        return None, "monthly actuals"
    return figures.execution_heatmap(s.get(monthly_execution), lang=s.lang, dept_labels=s.dept_labels(),
                                     fiscal_start=start_of(s.hospital)), None


def _deviation(s: "Session") -> Drawn:
    from casekit.indicators.execution import execution_table
    from casekit.pipeline.analysis import deviation_inputs

    good, warning = s.thresholds["bands.good"], s.thresholds["bands.warning"]
    table = pd.concat([s.get(execution_table, **kwargs)[["deviation_rate", "basis"]]  # the drawn columns only
                       for kwargs in deviation_inputs(s.thresholds)], ignore_index=True)
    return figures.deviation_distribution(table, lang=s.lang, good=good, warning=warning), None


def _progress(s: "Session") -> Drawn:
    from casekit.indicators.progress import time_progress

    if not s.summary.is_monthly:
        return None, "monthly actuals"
    return figures.time_progress(s.get(time_progress, basis="adjusted"),  # the diagnosis's memoised table
                                 lang=s.lang, gap_threshold=s.thresholds["p3.progress_gap"],
                                 fiscal_start=start_of(s.hospital)), None


def _aspects(s: "Session") -> Drawn:
    scores = aspect_scores(s)
    if scores["score"].isna().all():
        return None, "governance checklist"
    return figures.aspect_profile(scores, lang=s.lang, weak=s.thresholds["aspects.met_weak"],
                                  good=s.thresholds["aspects.met_good"]), None


def _matrix(s: "Session") -> Drawn:
    m = getattr(s.diagnosis, "matrix", None)
    if not isinstance(m, pd.DataFrame) or m.empty:
        return None, "a diagnosis with causes and problems"
    status = {code: f.status for kind in ("problems", "causes") for code, f in s.findings(kind).items()}
    values, notes = matrix_grid(m, s.lang)
    return figures.cause_problem_matrix(values, lang=s.lang, status=status, annot=notes), None


def _survey(s: "Session") -> Drawn:
    from casekit.indicators.survey import construct_scores

    if not (s.summary.has("survey_items") and s.summary.has("survey_responses")):
        return None, "survey_items and survey_responses"
    scores = s.get(construct_scores)
    if scores.empty:
        return None, "survey answers"
    return figures.survey_constructs(scores, lang=s.lang, neutral=3.0), None


def _bridge(s: "Session") -> Drawn:
    from casekit.indicators.flexible import flexible_budget_variance

    if not s.summary.has("workload"):
        return None, "workload (budget and actual volumes)"
    variance = s.get(flexible_budget_variance)
    if variance.empty:
        return None, "workload with planned (scenario budget) and actual volumes"
    return figures.variance_bridge(variance, lang=s.lang, money=money_of(s.hospital.profile)), None


def _linkage(s: "Session") -> Drawn:
    from casekit.indicators.performance import department_linkage_table, performance_linkage

    if not s.summary.has("performance"):
        return None, "performance (appraisal scores)"
    points = s.get(department_linkage_table, basis="adjusted")
    if points["abs_deviation_rate"].notna().sum() < 3:
        return None, "at least 3 department-years with expense deviation and appraisal score"
    link = s.get(performance_linkage, basis="adjusted")
    pooled = link[(link["scope"] == "pooled") & (link["target"] == "appraisal_score")].iloc[0]
    return figures.performance_linkage(points, lang=s.lang, rho=float(pooled["rho"]),
                                       p_negative=float(pooled["p_negative"]), n=int(pooled["n"])), None


def _systems(s: "Session") -> Drawn:
    if not s.summary.has("systems"):
        return None, "systems (information systems)"
    return figures.systems_integration(s.hospital.systems, lang=s.lang,
                                       latency_max=s.thresholds["p5.latency_days_max"]), None


DRAWERS: dict[str, Callable[["Session"], Drawn]] = {
    "execution_heatmap": _heatmap,
    "deviation_distribution": _deviation,
    "time_progress": _progress,
    "aspect_profile": _aspects,
    "cause_problem_matrix": _matrix,
    "survey_constructs": _survey,
    "variance_bridge": _bridge,
    "performance_linkage": _linkage,
    "systems_integration": _systems,
}

# Input tables each figure needs ("monthly" = monthly actuals); a figure without these is not
# expected. Figures absent from this mapping need only the required tables.
INPUTS: dict[str, tuple[str, ...]] = {
    "execution_heatmap": ("monthly",),
    "time_progress": ("monthly",),
    "aspect_profile": ("checklist",),
    "survey_constructs": ("survey_items", "survey_responses"),
    "variance_bridge": ("workload",),
    "performance_linkage": ("performance",),
    "systems_integration": ("systems",),
}


def absent_inputs(s: "Session", name: str) -> list[str]:
    """The input tables of figure ``name`` the session's hospital lacks ([] when it has them all).

    Examples
    --------
    An annual-only hospital lacks ``"monthly"`` for the execution heat map.
    """
    data = s.summary
    return [t for t in INPUTS.get(name, ()) if not (data.is_monthly if t == "monthly" else data.has(t))]


def draw(s: "Session", name: str, **kwargs: Any) -> Drawn:
    """Draw figure ``name`` (a key of :data:`DRAWERS`) for the session."""
    if name not in DRAWERS:
        raise KeyError(f"unknown figure {name!r}; known: {', '.join(DRAWERS)}")
    return DRAWERS[name](s, **kwargs)
