"""Recommendations generated from the findings present, each citing the national rule it rests on.

The five areas follow the case: top-level design, scientific planning and preparation,
execution control, budget performance evaluation and informatisation. The texts (English and
Chinese), their triggers and their legal basis live in ``recommendations.yaml`` beside this
module. An action is emitted only when one of its triggers fired: a problem or cause with
status "present", or an aspect rated "weak". An area none of whose actions fired, and all of
whose problem and cause triggers were found absent on sufficient evidence, gets one "maintain"
note instead. An action
whose every trigger rests on weak evidence (``Finding.evidence_strength == "weak"``) lists them
in ``weak_evidence`` so reports mark it "rests on weak evidence". For a hospital outside China
(profile ``country`` other than ``CN``) every action or maintain note resting on China's 2020 rules
carries the note "based on China's 2020 rules for public hospitals; check your jurisdiction's
equivalent" (``jurisdiction_en`` / ``jurisdiction_zh``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from casekit.diagnosis.finding import Finding
from casekit.labels import label

RECOMMENDATIONS_FILE = Path(__file__).with_name("recommendations.yaml")
COLUMNS = ["id", "area", "kind", "title_en", "title_zh", "text_en", "text_zh", "basis_en", "basis_zh",
           "triggered_by", "weak_evidence", "jurisdiction_en", "jurisdiction_zh"]
CHINA = "CN"


@dataclass
class Recommendation:
    """One recommended action.

    Attributes
    ----------
    id : str
        Action id from ``recommendations.yaml`` (``R1.1`` ...), or ``M-<area>`` for a maintain note.
    area : str
        top_level_design, planning_preparation, execution_control, performance_evaluation or
        informatisation.
    kind : {"corrective", "maintain"}
    title_en, title_zh : str
        Title of the area.
    text_en, text_zh : str
    basis_en, basis_zh : str
        The article or item of 国卫财务发〔2020〕30号 / 〔2020〕27号 the action rests on.
    triggered_by : list of str
        Codes of the findings that triggered it (empty for a maintain note).
    weak_evidence : list of str
        The triggers decided on weak evidence when *every* trigger was (the action then rests on
        weak evidence); empty otherwise.
    jurisdiction_en, jurisdiction_zh : str
        For a hospital outside China, the note that the action rests on China's 2020 rules
        (:func:`jurisdiction_note`); empty for a Chinese hospital.
    """

    id: str
    area: str
    kind: str
    title_en: str
    title_zh: str
    text_en: str
    text_zh: str
    basis_en: str = ""
    basis_zh: str = ""
    triggered_by: list[str] = field(default_factory=list)
    weak_evidence: list[str] = field(default_factory=list)
    jurisdiction_en: str = ""
    jurisdiction_zh: str = ""

    @property
    def weak(self) -> bool:
        """True when the action rests on weak evidence only."""
        return bool(self.weak_evidence)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, Any]:
    """The parsed ``recommendations.yaml`` (areas and actions)."""
    with open(RECOMMENDATIONS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def fired(finding: Finding) -> bool:
    """Whether a finding triggers recommendations: present problem/cause, or an aspect rated weak."""
    if finding.code.startswith("A"):
        return getattr(finding, "rating", None) == "weak"
    return finding.status == "present"


def jurisdiction_note(country: str | None, lang: str = "en") -> str:
    """The note a text resting on China's 2020 rules carries outside China ("" for ``CN`` or no country).

    Examples
    --------
    >>> jurisdiction_note("CN"), jurisdiction_note("GB")[:30]
    ('', "Based on China's 2020 rules fo")
    """
    if not country or country == CHINA:
        return ""
    return label("note.jurisdiction", lang)


def cites_chinese_rules(basis: str, text: str) -> bool:
    """Whether a recommendation rests on China's 2020 rules: it cites a basis (30号 / 27号), or its
    text names the 2020 measures."""
    return bool(basis) or "2020" in text


def recommend(findings: list[Finding], country: str = CHINA) -> list[Recommendation]:
    """Recommendations for a set of findings (aspects, problems and causes of one diagnosis).

    Parameters
    ----------
    findings : list of Finding
        Every finding of the diagnosis; codes not among them count as not assessed.
    country : str
        The hospital's ISO 3166 code (profile ``country``); outside China (``!= "CN"``) the
        recommendations resting on China's 2020 rules carry :func:`jurisdiction_note`.

    Returns
    -------
    list of Recommendation
        Corrective actions in catalogue order, then maintain notes for areas with no action.

    Examples
    --------
    >>> from casekit.diagnosis.finding import Finding
    >>> recs = recommend([Finding("P5", "t", "t", "present", 60.0)])
    >>> [(r.id, r.triggered_by) for r in recs if r.kind == "corrective"]
    [('R5.1', ['P5'])]
    """
    cat = load_catalogue()
    by_code = {f.code: f for f in findings}
    out: list[Recommendation] = []
    for action in cat["actions"]:
        hits = [c for c in action["triggers"] if c in by_code and fired(by_code[c])]
        if hits:
            area = cat["areas"][action["area"]]
            weak = hits if all(by_code[c].evidence_strength == "weak" for c in hits) else []
            out.append(Recommendation(action["id"], action["area"], "corrective", area["title_en"], area["title_zh"],
                                      action["text_en"], action["text_zh"], action["basis_en"], action["basis_zh"],
                                      hits, weak))
            _note(out[-1], country)
    done = {r.area for r in out}
    for name, area in cat["areas"].items():
        if name in done:
            continue
        triggers = {c for a in cat["actions"] if a["area"] == name for c in a["triggers"] if not c.startswith("A")}
        if triggers and all(c in by_code and by_code[c].status == "absent" and not by_code[c].weak
                            for c in triggers):
            out.append(Recommendation(f"M-{name}", name, "maintain", area["title_en"], area["title_zh"],
                                      area["maintain_en"], area["maintain_zh"]))
            _note(out[-1], country)
    return out


def _note(r: Recommendation, country: str) -> None:
    if cites_chinese_rules(r.basis_en, r.text_en):
        r.jurisdiction_en, r.jurisdiction_zh = jurisdiction_note(country, "en"), jurisdiction_note(country, "zh")
