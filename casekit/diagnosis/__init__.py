"""Diagnosis of comprehensive budget management: aspects A1-A5, problems P1-P5, causes C1-C5.

>>> from casekit.diagnosis import diagnose
>>> from casekit.sample import generate
>>> hospital = generate("j", departments=6, years=2)   # a small synthetic J hospital
>>> d = diagnose(hospital, config={"p3": {"line_share_beyond": 0.3}})
>>> d.present("problem"), d.thresholds["p3.line_share_beyond"]
(['P1', 'P3', 'P4', 'P5'], 0.3)
"""
from __future__ import annotations

from casekit.diagnosis.config import Thresholds
from casekit.diagnosis.diagnosis import Diagnosis, diagnose
from casekit.diagnosis.finding import Finding

__all__ = ["Diagnosis", "Finding", "Thresholds", "diagnose"]
