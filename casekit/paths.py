"""Every path casekit uses, in one place (notebooks and scripts never hard-code them).

casekit runs from two layouts:

- a **checkout** (the repository, an editable install, ``PYTHONPATH``): the notebooks are the
  top-level ``notebooks/`` folder a reader opens, the samples are ``data/sample/`` and reports go
  to ``reports/`` beside them;
- an **installed wheel**: ``setup.py`` copied the project files named in :data:`BUNDLED` into
  the package when the wheel was built, so the notebooks are ``casekit/notebooks/`` inside
  site-packages. Nothing is ever written there: default report folders are under the current
  folder (``./reports``), and relative data paths are resolved from the current folder only.

A checkout never has a ``casekit/notebooks`` folder (the build step writes only into the build
tree), so its presence is what tells the two apart.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

BUNDLED = {"notebooks": "notebooks", "CITATION.cff": "CITATION.cff"}
"""Project file or folder -> its name inside the package of a built wheel (copied by ``setup.py``)."""

IN_CHECKOUT = not (PACKAGE_DIR / BUNDLED["notebooks"]).is_dir()
"""True when casekit runs from the repository; False when it was installed from a wheel."""


def _project_file(name: str) -> Path:
    """Where the project file ``name`` (a key of :data:`BUNDLED`) is in this layout."""
    return PROJECT_DIR / name if IN_CHECKOUT else PACKAGE_DIR / BUNDLED[name]


NOTEBOOKS_DIR = _project_file("notebooks")
CITATION_FILE = _project_file("CITATION.cff")
THRESHOLDS_FILE = PACKAGE_DIR / "diagnosis" / "thresholds.yaml"
STANDARD_CHECKLIST_FILE = PACKAGE_DIR / "diagnosis" / "standard_checklist.csv"
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
"""The committed sample hospitals (a checkout only; a wheel generates them: ``casekit sample``)."""
J_HOSPITAL_DIR = SAMPLE_DIR / "j_hospital"
REPORTS_DIR = PROJECT_DIR / "reports" if IN_CHECKOUT else Path("reports")
"""Root of the default report folders: the project's ``reports/``, or ``./reports`` (relative to
the current folder when used) for an installed wheel."""


def sample_cache_dir() -> Path:
    """Where ``casekit run --sample NAME`` writes the sample it runs: the user's cache folder.

    ``~/.cache/casekit/samples`` on Linux (``$XDG_CACHE_HOME`` respected),
    ``~/Library/Caches/casekit/samples`` on macOS, ``%LOCALAPPDATA%\\casekit\\Cache\\samples``
    on Windows (platformdirs).
    """
    import platformdirs

    return platformdirs.user_cache_path("casekit", appauthor=False) / "samples"
