"""Seeded synthetic sample hospitals: J hospital (all five problems), a well-run and a mixed one.

>>> from casekit.sample import PROFILES, generate
>>> sorted(PROFILES)
['j', 'mixed', 'well_run']
>>> generate("well_run", departments=6, years=1).profile.tier
'tertiary'

The bundled data in ``data/sample`` is written by ``casekit sample --all --out data/sample``
(``make sample``); see ``data/sample/README.md`` for the mechanism behind each problem.
"""
from __future__ import annotations

from casekit.sample.generate import generate
from casekit.sample.profiles import PROFILES, SampleProfile
from casekit.sample.write import write_hospital

__all__ = ["PROFILES", "SampleProfile", "generate", "write_hospital"]
