"""What the data allowed the diagnosis to say: the coverage of the findings and the conclusion text.

A report that found nothing must not read as a clean bill of health when most rules could not
look. The conclusion therefore always starts from the coverage: how many of the findings
(aspects A1-A5, problems P1-P5, causes C1-C5) could be assessed, how many of those rest on weak
evidence, what was found, what was not assessed and which data would let it be.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from casekit.diagnosis.finding import Finding

COVERAGE_COLUMNS = ["code", "kind", "status", "evidence_strength", "robustness", "missing"]
KINDS = {"A": "aspect", "P": "problem", "C": "cause"}


def coverage(findings: Sequence[Finding]) -> pd.DataFrame:
    """One row per finding: ``code``, ``kind``, ``status``, ``evidence_strength``, ``robustness``, ``missing``.

    ``missing`` joins the data a not-assessed finding (or a criterion of an assessed one) needed.
    """
    rows = [{"code": f.code, "kind": KINDS.get(f.code[:1], ""), "status": f.status,
             "evidence_strength": f.evidence_strength, "robustness": f.robustness, "missing": "; ".join(f.missing)}
            for f in findings]
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def _codes(fs: Sequence[Finding], lang: str) -> str:
    weak = "（证据不足）" if lang == "zh" else " (weak evidence)"
    return ("、" if lang == "zh" else ", ").join(f.code + (weak if f.weak else "") for f in fs)


def supply_list(findings: Sequence[Finding]) -> list[str]:
    """The data the not-assessed findings need, each once, in order of first mention."""
    return list(dict.fromkeys(m for f in findings if f.status == "not_assessed" for m in f.missing))


def conclusion(findings: Sequence[Finding], lang: str = "en") -> str:
    """The conclusion of a diagnosis, written from its coverage.

    Parameters
    ----------
    findings : sequence of Finding
        Aspects, problems and causes of one diagnosis.
    lang : {"en", "zh"}

    Returns
    -------
    str
        E.g. "3 of 15 findings could be assessed from these data (1 on weak evidence). Problems
        found: P3. No cause was found among the 1 assessed. Not assessed: A1, A2, ...; for these
        supply: checklist table, performance table, ...". When no problem is found it says how
        many could not be assessed, never simply "no problem was found".

    Examples
    --------
    >>> fs = [Finding("P3", "t", "t", "present", 60.0, evidence_strength="sufficient"),
    ...       Finding.not_assessed("P4", "t", "t", ["performance table"])]
    >>> conclusion(fs)
    '1 of 2 findings could be assessed from these data. Problems found: P3 (1 of 2 could not be assessed). Not assessed: P4; for these supply: performance table.'
    """
    zh = lang == "zh"
    assessed = [f for f in findings if f.status != "not_assessed"]
    weak = [f for f in assessed if f.weak]
    parts = []
    if zh:
        parts.append(f"{len(findings)}项结论中有{len(assessed)}项可依据现有数据评估"
                     + (f"（其中{len(weak)}项证据不足）" if weak else "") + "。")
    else:
        parts.append(f"{len(assessed)} of {len(findings)} findings could be assessed from these data"
                     + (f" ({len(weak)} on weak evidence)" if weak else "") + ".")
    for kind, en, zh_word in (("P", "problem", "问题"), ("C", "cause", "原因")):
        group = [f for f in findings if f.code.startswith(kind)]
        if not group:
            continue
        done = [f for f in group if f.status != "not_assessed"]
        found = [f for f in done if f.present]
        n_not = len(group) - len(done)
        if found:
            if zh:
                parts.append(f"发现的{zh_word}：{_codes(found, lang)}" + (f"（另有{n_not}项未能评估）" if n_not else "") + "。")
            else:
                parts.append(f"{en.capitalize()}s found: {_codes(found, lang)}"
                             + (f" ({n_not} of {len(group)} could not be assessed)" if n_not else "") + ".")
        elif done:
            if zh:
                parts.append(f"在可评估的{len(done)}项{zh_word}中未发现存在"
                             + (f"；另有{n_not}项未能评估，现有数据不能说明医院不存在这些{zh_word}。" if n_not else "。"))
            else:
                parts.append(f"No {en} was found among the {len(done)} that could be assessed"
                             + (f"; {n_not} could not be assessed, so these data cannot show the hospital is free of "
                                f"them." if n_not else "."))
        else:
            parts.append(f"{len(group)}项{zh_word}均未能评估。" if zh else f"None of the {len(group)} {en}s could be assessed.")
    missing = [f for f in findings if f.status == "not_assessed"]
    if missing:
        supply = supply_list(findings)
        if zh:
            parts.append(f"未评估：{'、'.join(f.code for f in missing)}；如需评估，请提供：{'、'.join(supply)}。")
        else:
            parts.append(f"Not assessed: {', '.join(f.code for f in missing)}; for these supply: {', '.join(supply)}.")
    return "".join(parts) if zh else " ".join(parts)
