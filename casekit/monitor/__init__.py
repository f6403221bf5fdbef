"""In-year monitoring (``casekit monitor``): the monthly execution analysis of the 2020 measures.

The year to date against the adjusted budget and the time schedule, a back-tested year-end
projection of every line, early warnings, and a variance-comment round trip with the
departments (``comments.xlsx``). See docs/methodology.md, "In-year monitoring".
"""
from casekit.monitor.analysis import MonitorResult, analyse

__all__ = ["MonitorResult", "analyse"]
