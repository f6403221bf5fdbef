"""Build step: a wheel carries the project's notebooks (and CITATION.cff) inside the package.

Everything else about the package is declared in pyproject.toml. The repository keeps one copy
of the notebooks, the top-level ``notebooks/`` a reader opens; when a wheel is built, ``build_py``
copies each project file named in ``casekit.paths.BUNDLED`` into the build tree
(``casekit/notebooks/``, ``casekit/CITATION.cff``), so ``pip install casekit-*.whl`` can run a
report outside a checkout. An editable install copies nothing: it runs from the checkout, whose
``notebooks/`` casekit finds itself (``casekit.paths.IN_CHECKOUT``). See docs/architecture.md.
"""
from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = runpy.run_path(str(ROOT / "casekit" / "paths.py"))["BUNDLED"]  # the one list, shared with casekit
SKIP = shutil.ignore_patterns(".*", "__pycache__", "executed_*")  # checkpoints, caches, executed copies


class BuildPyWithProjectFiles(build_py):
    """``build_py`` that also copies :data:`BUNDLED` project files into ``<build_lib>/casekit/``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "casekit"
        for source, name in BUNDLED.items():
            src, dst = ROOT / source, package / name
            if not src.exists():
                raise SystemExit(f"cannot build casekit: {src} is missing (restore it from the repository)")
            if src.is_dir():
                shutil.rmtree(dst, ignore_errors=True)
                shutil.copytree(src, dst, ignore=SKIP)
            else:
                shutil.copy2(src, dst)


setup(cmdclass={"build_py": BuildPyWithProjectFiles})
