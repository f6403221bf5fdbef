"""End-to-end ``casekit run`` on hospitals other than J: a well-run one and one with only the required tables.

Each test is one papermill run (10-20 s); the J run shared by other modules is in ``_j_report.py``.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from casekit.paths import SAMPLE_DIR

PROBLEMS_AND_CAUSES = [f"P{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)]
REQUIRED_TABLES = ("departments", "accounts", "budget", "actuals")
OPTIONAL_TABLES = ("workload", "budget_monthly", "adjustments", "performance", "checklist", "survey_items",
                   "survey_responses", "systems")
GRADE_WORDS = ("low", "moderate", "high", "severe")


def _sections(page: str) -> dict[str, tuple[str, str]]:
    """Finding code -> (heading text, HTML up to the next heading) of report.html's finding sections."""
    out = {}
    for m in re.finditer(r'<h2 id="[^"]*">((?:[APC]\d) [^<]*)</h2>(.*?)(?=<h[12][ >]|\Z)', page, flags=re.S):
        out.setdefault(m.group(1).split(" ", 1)[0], (m.group(1), m.group(2)))
    return out


def _run(data: Path, out: Path, formats: str | None = None):
    from casekit.pipeline.runner import run

    shutil.rmtree(out, ignore_errors=True)
    return run(data, out_dir=out, lang="en", pdf=False, progress=False, formats=formats)


def _sample(name: str, profile: str, base: Path) -> Path:
    """The bundled sample folder, or a freshly generated one when data/sample is not written yet."""
    folder = SAMPLE_DIR / name
    if (folder / "departments.csv").exists():
        return folder
    from casekit.sample import generate, write_hospital

    return write_hospital(generate(profile), base / name)


@pytest.mark.slow
def test_well_run_hospital_reports_every_problem_and_cause_absent(tmp_path):
    result = _run(_sample("well_run_hospital", "well_run", tmp_path), tmp_path / "well_run", formats="json,html")
    # --formats chooses the outputs: no report.docx, tables.xlsx (nor report.pdf, with pdf=False)
    assert {p.name for p in result.outputs if not p.name.startswith("executed_")} == {
        "report.html", "findings.json", "run.log"}
    data = json.loads(result.diagnosis_json.read_text(encoding="utf-8"))
    status = {f["code"]: f["status"] for f in data["problems"] + data["causes"]}
    assert status == {code: "absent" for code in PROBLEMS_AND_CAUSES}
    assert all(f["grade"] is None for f in data["problems"] + data["causes"])
    sections = _sections((result.out_dir / "report.html").read_text(encoding="utf-8"))
    for code in PROBLEMS_AND_CAUSES:
        heading, body = sections[code]
        assert heading.endswith("— not found"), heading
        card = body.split('class="casekit-card"', 1)[1].split("</div>", 1)[0]
        assert "Status: absent" in card, (code, card)
        assert "Severity" not in card and not any(f"({g})" in card for g in GRADE_WORDS), (code, card)


@pytest.mark.slow
def test_hospital_with_only_the_required_tables_runs_and_says_what_is_missing(tmp_path):
    from casekit.sample import generate, write_hospital

    data = write_hospital(generate("j"), tmp_path / "minimal")
    for p in data.iterdir():
        if p.stem not in REQUIRED_TABLES:
            p.unlink()
    (data / "hospital.yaml").write_text("name: Minimal hospital\ntier: secondary\ncurrency_unit: yuan\n",
                                        encoding="utf-8")
    result = _run(data, tmp_path / "minimal_report")
    findings = json.loads(result.diagnosis_json.read_text(encoding="utf-8"))
    by_code = {f["code"]: f for kind in ("aspects", "problems", "causes") for f in findings[kind]}
    not_assessed = {code for code, f in by_code.items() if f["status"] == "not_assessed"}
    # Every rule that needs a table the hospital lacks: the checklist (aspects, causes), performance
    # (P4), systems and survey (P5). A3 and P1-P3 are judged from the budget and actuals alone.
    assert not_assessed == {"A1", "A2", "A4", "A5", "P4", "P5", "C1", "C2", "C3", "C4", "C5"}
    for code in sorted(not_assessed):
        needs = " ".join(by_code[code]["missing"])
        assert any(t in needs for t in OPTIONAL_TABLES), (code, needs)
        assert by_code[code]["severity"] is None and by_code[code]["grade"] is None
    assert "performance" in " ".join(by_code["P4"]["missing"])
    assert "systems" in " ".join(by_code["P5"]["missing"])
    page = (result.out_dir / "report.html").read_text(encoding="utf-8")
    sections = _sections(page)
    for code in sorted(not_assessed):
        heading, body = sections[code]
        assert heading.endswith("— not assessed") and "Status: not assessed" in body, (code, heading)
    listing = page.rsplit("What cannot be assessed, and why", 1)[1].split("<h1", 1)[0]  # after the TOC
    for code in sorted(not_assessed):
        assert f"{code} " in listing, code
    assert "performance table" in listing and "checklist table" in listing
    # the execution table follows the data check; the conclusion says what was not assessed
    assert page.index("Budget execution by account") < page.index("What cannot be assessed, and why</h2>")
    assert re.search(r'<td class="num">\d+\.\d\d%</td>', page.split("Budget execution by account", 1)[1])
    conclusion = page.split('class="casekit-conclusion"', 1)[1].split("</div>", 1)[0]
    assert "4 of 15 findings could be assessed from these data" in conclusion and "Not assessed: A1" in conclusion
    assert findings["coverage"]["n_assessed"] == 4 and "PEFA budget credibility" in page
    # figures whose tables are absent are announced, not drawn, and the run still checks the rest
    assert "systems_integration" not in {p.stem for p in (result.out_dir / "figures").glob("*.png")}
