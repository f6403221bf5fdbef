"""What a diagnosis rule returns: a finding with its status, severity, criteria and evidence.

Every problem (P1-P5), cause (C1-C5) and aspect (A1-A5) rule returns a :class:`Finding`.
A finding is checkable: ``criteria`` lists each indicator value, the threshold it was held
against and whether it tripped; ``evidence`` holds the data rows behind it. It also says how
much the decision can be trusted: ``evidence_strength`` ("weak" when fewer criteria could be
computed than the rule needs) and ``robustness`` ("fragile" when moving the thresholds by 10%
or 20% flips it; see :mod:`casekit.diagnosis.robustness`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Status = Literal["present", "absent", "not_assessed"]
Strength = Literal["sufficient", "weak"]
Robustness = Literal["robust", "fragile"]

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
    margin : float or None
        How far the value sits from the threshold, as a share of ``|threshold|``; positive on the
        side that trips the criterion, negative on the other (``None`` when not computable, not
        numeric or the threshold is 0; then ``distance`` alone tells it).
    distance : float or None
        ``value - threshold`` in the value's own units (``None`` when not numeric).
    n : int or None
        Sample size of a statistical criterion (departments or department-years behind a
        correlation); ``None`` for other criteria.
    statistic : float or None
        The test statistic (e.g. Spearman rho) of a criterion whose value is a p-value.
    by_year : dict of int to float, or None
        For a criterion computed over several years (a mean or a pooled share over the years),
        the same formula on each year's rows alone: ``{year: value}`` (years where it cannot be
        computed are left out). ``None`` for criteria that have no yearly value (profile
        entries, survey means, checklist shares, tests pooled over department-years). The
        rule decides on ``value`` only; the yearly values are for the reader (and the panel).
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
    margin: float | None = None
    distance: float | None = None
    n: int | None = None
    statistic: float | None = None
    by_year: dict[int, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {k: _plain(v) for k, v in self.__dict__.items() if k != "by_year"}
        out["by_year"] = None if self.by_year is None else {str(y): _plain(v) for y, v in self.by_year.items()}
        return out


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
    n_required : int or None
        How many criteria must trip for the rule to find the problem (its ``min_triggered``).
    evidence_strength : {"sufficient", "weak"} or None
        "weak" when fewer criteria could be computed than ``n_required`` (an aspect: rated
        without any checklist item); ``None`` when not assessed.
    robustness : {"robust", "fragile"} or None
        "fragile" when moving a threshold by 10% or 20% (one at a time, or all together against
        the decision) changes the status (an aspect: its rating); ``None`` when not assessed.
    flips_at : float or None
        The smallest threshold move (0.1 or 0.2) that changes the decision; ``None`` if none does.
    sensitivity : list of dict
        The moves tried: ``{"scope", "change", "status", "flips"}`` (see
        :func:`casekit.diagnosis.robustness.sensitivity`).
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
    n_required: int | None = None
    evidence_strength: Strength | None = None
    robustness: Robustness | None = None
    flips_at: float | None = None
    sensitivity: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_criteria(self) -> int:
        """Number of criteria of the rule (computable or not)."""
        return len(self.criteria)

    @property
    def n_computable(self) -> int:
        """Number of criteria that could be computed from the data."""
        return sum(1 for c in self.criteria if c.triggered is not None)

    @property
    def n_triggered(self) -> int:
        """Number of criteria that tripped."""
        return sum(1 for c in self.criteria if c.triggered)

    @property
    def weak(self) -> bool:
        """True when the decision rests on weak evidence (see ``evidence_strength``)."""
        return self.evidence_strength == "weak"

    def evidence_note(self, lang: str = "en") -> str:
        """One phrase on the evidence, e.g. "weak evidence: 1 of 5 criteria computable (the rule needs 2)".

        Empty for sufficient evidence and for not-assessed findings.
        """
        if not self.weak:
            return ""
        if self.n_required is None:  # an aspect rated without checklist items
            return ("weak evidence: no checklist item answered, rated from data checks only" if lang != "zh"
                    else "证据不足：无已回答的制度核查条目，仅依据数据检查评级")
        if lang == "zh":
            return f"证据不足：{self.n_criteria}项判据中仅{self.n_computable}项可计算（规则需{self.n_required}项）"
        return (f"weak evidence: {self.n_computable} of {self.n_criteria} criteria computable "
                f"(the rule needs {self.n_required})")

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
            "n_criteria": self.n_criteria,
            "n_computable": self.n_computable,
            "n_triggered": self.n_triggered,
            "n_required": self.n_required,
            "evidence_strength": self.evidence_strength,
            "evidence_note_en": self.evidence_note("en"),
            "evidence_note_zh": self.evidence_note("zh"),
            "robustness": self.robustness,
            "flips_at": _plain(self.flips_at),
            "sensitivity": [{k: _plain(v) for k, v in r.items()} for r in self.sensitivity],
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
