"""Indicators: pure functions from a :class:`~casekit.data.hospital.Hospital` to tidy tables.

One module per family (``execution``, ``rigidity``, ``forecast``, ``progress``,
``adjustments``, ``performance``, ``governance``, ``survey`` ...). The tables the rules of
:mod:`casekit.diagnosis` read are also reachable from the package, so a notebook or a student
can call them by one name::

    from casekit import indicators
    indicators.accuracy_summary(hospital, basis="adjusted")

Each name is imported from its module on first use (``import casekit.indicators`` stays light).
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_LAZY = {
    "accuracy_summary": "execution",
    "execution_table": "execution",
    "rigidity_summary": "rigidity",
    "forecast_value_added": "forecast",
    "time_progress": "progress",
    "adjustment_summary": "adjustments",
    "budget_weight": "performance",
    "performance_linkage": "performance",
    "checklist_scores": "governance",
    "systems_summary": "governance",
    "budget_capacity": "governance",
    "construct_scores": "survey",
    "construct_vs_deviation": "survey",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f"casekit.indicators.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'casekit.indicators' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover
    from casekit.indicators.adjustments import adjustment_summary
    from casekit.indicators.execution import accuracy_summary, execution_table
    from casekit.indicators.forecast import forecast_value_added
    from casekit.indicators.governance import budget_capacity, checklist_scores, systems_summary
    from casekit.indicators.performance import budget_weight, performance_linkage
    from casekit.indicators.progress import time_progress
    from casekit.indicators.rigidity import rigidity_summary
    from casekit.indicators.survey import construct_scores, construct_vs_deviation
