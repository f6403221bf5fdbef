"""The public surface of casekit stays small, lazy and unshadowed by submodules."""
from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import casekit


def test_public_names_resolve_to_callables_even_after_every_submodule_is_imported():
    # A submodule named like a public function (e.g. casekit/load.py) would replace the
    # function on the package once imported; this caught exactly that bug.
    for info in pkgutil.walk_packages(casekit.__path__, "casekit."):
        importlib.import_module(info.name)
    for name in ("load", "validate", "diagnose", "run"):
        assert callable(getattr(casekit, name)), f"casekit.{name} is not callable"
    assert isinstance(casekit.Hospital, type) and isinstance(casekit.Diagnosis, type)
    assert hasattr(casekit.sample, "generate")


def test_import_casekit_does_not_import_heavy_modules():
    code = ("import sys, casekit; heavy = [m for m in ('pandas', 'scipy', 'matplotlib', 'papermill', 'duckdb') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
