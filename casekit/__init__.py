"""casekit: reproducible diagnosis of comprehensive budget management in public hospitals.

The public surface is small; heavy modules are imported only when first used, so
``import casekit`` stays fast.

>>> import casekit
>>> sorted(casekit.__all__)[:3]
['CasekitError', 'DataValidationError', 'Diagnosis']
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from casekit.errors import CasekitError, DataValidationError

__version__ = "0.1.0"

__all__ = [
    "CasekitError",
    "DataValidationError",
    "Diagnosis",
    "Hospital",
    "diagnose",
    "load",
    "run",
    "sample",
    "validate",
    "__version__",
]

_LAZY = {
    "Hospital": ("casekit.data.hospital", "Hospital"),
    "load": ("casekit.data.loader", "load"),
    "validate": ("casekit.data.loader", "validate"),
    "diagnose": ("casekit.diagnosis", "diagnose"),
    "Diagnosis": ("casekit.diagnosis", "Diagnosis"),
    "run": ("casekit.pipeline.runner", "run"),
    "sample": ("casekit.sample", None),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        mod = import_module(module)
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'casekit' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from casekit import sample
    from casekit.diagnosis import Diagnosis, diagnose
    from casekit.data.hospital import Hospital
    from casekit.data.loader import load, validate
    from casekit.pipeline.runner import run
