"""Every path casekit uses, in one place (notebooks and scripts never hard-code them)."""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
THRESHOLDS_FILE = PACKAGE_DIR / "diagnosis" / "thresholds.yaml"
STANDARD_CHECKLIST_FILE = PACKAGE_DIR / "diagnosis" / "standard_checklist.csv"
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
REPORTS_DIR = PROJECT_DIR / "reports"
J_HOSPITAL_DIR = SAMPLE_DIR / "j_hospital"
