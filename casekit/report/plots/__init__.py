"""The report's figures (seaborn/matplotlib) and their "what to look for" captions.

:mod:`casekit.report.plots.figures` draws each figure from tidy frames; :mod:`casekit.report.plots.from_session`
prepares those frames from a report session (:mod:`casekit.report.session`; used by :mod:`casekit.report.narrative`).
"""
from casekit.report.plots.figures import (
    CAPTIONS,
    MIN_FONT,
    aspect_profile,
    bridge_steps,
    caption,
    cause_problem_matrix,
    deviation_distribution,
    execution_heatmap,
    performance_linkage,
    survey_constructs,
    systems_integration,
    time_progress,
    variance_bridge,
)

__all__ = [
    "CAPTIONS", "MIN_FONT", "aspect_profile", "bridge_steps", "caption", "cause_problem_matrix",
    "deviation_distribution", "execution_heatmap", "performance_linkage", "survey_constructs", "systems_integration",
    "time_progress", "variance_bridge",
]
