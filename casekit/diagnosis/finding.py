"""What a diagnosis rule returns: a finding with its status, severity, criteria and evidence.

Every problem (P1-P5), cause (C1-C5) and aspect (A1-A5) rule returns a :class:`Finding`.
A finding is checkable: ``criteria`` lists each indicator value, the threshold it was held
against and whether it tripped; ``evidence`` holds the data rows behind it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Status = Literal["present", "absent", "not_assessed"]

GRADES = ((75.0, "severe"), (50.0, "high"), (25.0, "moderate"), (0.0, "low"))


def grade_for(severity: float | None) -> str | None:
    """Map a 0-100 severity to a grade (low < 25 <= moderate < 50 <= high < 75 <= severe)."""
    if severity is None:
        return None
    for bound, name in GRADES:
        if severity >= bound:
            return name
    return "low"


@dataclass
class Criterion:
    """One test inside a rule.

    Attributes
    ----------
    name : str
        Indicator name, e.g. ``"share_of_lines_beyond_10pct"``.
    value : float or str or None
        The indicator value computed from the data (``None`` when it could not be computed).
    threshold : float or str or None
        The threshold from the config (key named in ``config_key``).
    op : str
        How value is compared with threshold (``">"``, ``"<"``, ``">="``, ``"<="``, ``"=="``).
    triggered : bool or None
        Whether the criterion points to the problem; ``None`` if not computable.
    config_key : str
        Dotted key in the thresholds config, e.g. ``"p3.line_share_beyond"``.
    label_en, label_zh : str
        Short human labels for reports.
    basis : str
        ``"budget accounting"`` (预算会计) or ``"financial accounting"`` (财务会计) or ``"survey"`` ...
    """

    name: str
    value: Any
    threshold: Any
    op: str
    triggered: bool | None
    config_key: str = ""
    label_en: str = ""
    label_zh: str = ""
    basis: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: _plain(v) for k, v in self.__dict__.items()}


@dataclass
class Finding:
    """Result of one diagnosis rule.

    Attributes
    ----------
    code : str
        ``P1``..``P5``, ``C1``..``C5`` or ``A1``..``A5``.
    title_en, title_zh : str
    status : {"present", "absent", "not_assessed"}
    severity : float or None
        0-100; ``None`` when not assessed.
    criteria : list of Criterion
    evidence : pandas.DataFrame
        Rows of the data (or of indicator tables) that support the finding.
    summary_en, summary_zh : str
        One or two sentences written from the computed values.
    missing : list of str
        Tables or profile keys needed but not supplied (why it was not assessed).
    """

    code: str
    title_en: str
    title_zh: str
    status: Status
    severity: float | None = None
    criteria: list[Criterion] = field(default_factory=list)
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary_en: str = ""
    summary_zh: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def grade(self) -> str | None:
        """Grade of a present finding; ``None`` for absent or not-assessed ones (their severity
        still records how close they came)."""
        return grade_for(self.severity) if self.status == "present" else None

    @property
    def present(self) -> bool:
        return self.status == "present"

    @classmethod
    def not_assessed(cls, code: str, title_en: str, title_zh: str, missing: list[str]) -> "Finding":
        """A finding that could not be assessed because ``missing`` data were not supplied."""
        needs = ", ".join(missing)
        return cls(code, title_en, title_zh, "not_assessed", None, [], pd.DataFrame(),
                   summary_en=f"Not assessed: needs {needs}.", summary_zh=f"未评估：需要 {needs}。",
                   missing=list(missing))

    def as_dict(self, evidence_rows: int = 50) -> dict[str, Any]:
        ev = self.evidence.head(evidence_rows)
        return {
            "code": self.code,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "status": self.status,
            "severity": _plain(self.severity),
            "grade": self.grade,
            "summary_en": self.summary_en,
            "summary_zh": self.summary_zh,
            "missing": list(self.missing),
            "criteria": [c.as_dict() for c in self.criteria],
            "evidence": {"columns": [str(c) for c in ev.columns],
                         "rows": [[_plain(v) for v in row] for row in ev.itertuples(index=False)],
                         "total_rows": int(len(self.evidence))},
        }


def _plain(v: Any) -> Any:
    """Convert numpy/pandas scalars to JSON-friendly Python values (NaN -> None)."""
    if v is None:
        return None
    if isinstance(v, (str, bool, int)):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, float):
        return v
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return str(v)
