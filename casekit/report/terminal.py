"""The findings of a diagnosis in a terminal: a table on a terminal, plain lines otherwise.

Used by ``casekit diagnose``. One row per finding (aspects, problems, causes): code and title,
status, evidence strength (when the finding carries one), grade and severity, and the values
that decided it (the criteria that tripped, or for a finding that is absent the closest ones).
"""
from __future__ import annotations

from typing import Any

from casekit.labels import label, title_only
from casekit.report.blocks import format_threshold, format_value

MAX_DECIDING = 3
"""Criteria shown per finding (the others are in ``--json`` and the report)."""


def deciding_values(finding: Any, lang: str = "en") -> str:
    """The criteria that decided ``finding``, as ``label value (trips if op threshold)`` joined by ``; ``.

    Tripped criteria for a present finding; otherwise the computable ones. At most
    :data:`MAX_DECIDING`, then ``+N more``. A not-assessed finding shows what it needs.

    Parameters
    ----------
    finding : casekit.diagnosis.finding.Finding
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    if finding.status == "not_assessed":
        return label("cli.needs", lang, what=", ".join(finding.missing))
    crit = [c for c in finding.criteria if c.triggered is not None]
    if finding.status == "present":
        crit = [c for c in crit if c.triggered] or crit
    parts = []
    for c in crit[:MAX_DECIDING]:
        name = (c.label_zh if lang == "zh" else c.label_en) or c.name
        parts.append(f"{name} {format_value(c.value, c.name, lang)} "
                     f"({label('cli.trips', lang, op=c.op, t=format_threshold(c.threshold, c.name))})")
    if len(crit) > MAX_DECIDING:
        parts.append(label("cli.more", lang, n=len(crit) - MAX_DECIDING))
    return "; ".join(parts)


def finding_rows(diagnosis: Any, lang: str = "en") -> list[dict[str, str]]:
    """One display row per finding: ``code``, ``title``, ``status``, ``strength``, ``grade``, ``deciding``."""
    rows = []
    for f in diagnosis.findings:
        grade = getattr(f, "rating", None) or f.grade
        sev = "" if f.severity is None else f" {f.severity:.0f}"
        strength = getattr(f, "evidence_strength", None)
        rows.append({"code": f.code, "title": title_only(f.code, lang), "status": label(f"status.{f.status}", lang),
                     "strength": "" if strength is None else label(f"strength.{strength}", lang),
                     "grade": (label(f"rating.{grade}", lang) if getattr(f, "rating", None)
                               else label(f"grade.{grade}", lang) if grade else "") + sev,
                     "deciding": deciding_values(f, lang)})
    return rows


def print_findings(diagnosis: Any, console: Any, lang: str = "en") -> None:
    """Print the findings of ``diagnosis`` on ``console`` (a :class:`rich.console.Console`).

    On a terminal: a heading and a table. Otherwise (a pipe or a file): one tab-separated line
    per finding, ``code status strength grade deciding-values``, after a ``#`` heading line.

    Parameters
    ----------
    diagnosis : casekit.diagnosis.diagnosis.Diagnosis
    console : rich.console.Console
    lang : {"en", "zh"}
    """
    rows = finding_rows(diagnosis, lang)
    years = f"{min(diagnosis.years)}-{max(diagnosis.years)}" if diagnosis.years else ""
    head = label("cli.diagnosis_head", lang, name=diagnosis.hospital_name, years=years,
                 problems=", ".join(diagnosis.present("problem")) or label("cli.none", lang),
                 causes=", ".join(diagnosis.present("cause")) or label("cli.none", lang))
    if diagnosis.synthetic:
        head += " " + label("cli.synthetic", lang)
    has_strength = any(r["strength"] for r in rows)
    if not console.is_terminal:  # written as is: rich would expand the tabs
        lines = ["# " + head]
        for r in rows:
            lines.append("\t".join([r["code"], r["status"], *([r["strength"]] if has_strength else []),
                                    r["grade"].strip(), r["deciding"]]))
        console.file.write("\n".join(lines) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(head), title_justify="left", show_lines=False)
    table.add_column(label("cli.col.finding", lang), no_wrap=True)
    table.add_column(label("cli.col.status", lang), no_wrap=True)
    if has_strength:
        table.add_column(label("cli.col.strength", lang), no_wrap=True)
    table.add_column(label("cli.col.grade", lang), no_wrap=True)
    table.add_column(label("cli.col.deciding", lang))
    for r in rows:
        style = "bold red" if r["status"] == label("status.present", lang) and r["code"][0] in "PC" else None
        cells = [f"{r['code']} {r['title']}", r["status"], *([r["strength"]] if has_strength else []),
                 r["grade"].strip(), r["deciding"]]
        table.add_row(*(Text(c) for c in cells), style=style)
    console.print(table)
