"""--redact: department names become codes in every table, note, output table and page."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from casekit.errors import Issue
from casekit.data.hospital import Hospital, Profile
from casekit.report.redact import redact, redact_tables, redact_text

DEPTS = pd.DataFrame({"dept_id": ["D01", "D02", "D03"], "name": ["Cardiology", "Cardiology Ward 2", "Pharmacy"],
                      "type": ["clinical", "clinical", "medical_technology"]})


def hospital() -> Hospital:
    budget = pd.DataFrame({"year": [2024], "dept_id": ["D01"], "account_id": ["E1"], "original": [100.0]})
    adjustments = pd.DataFrame({"dept_id": ["D02"], "change": [5.0],
                                "reason": ["Cardiology Ward 2 asked; Pharmacy agreed"]})
    return Hospital(Profile("X hospital"), DEPTS, pd.DataFrame(), budget, pd.DataFrame(),
                    adjustments=adjustments,
                    notes=[Issue("budget.csv", 2, "dept", "Pharmacy", "Pharmacy has no budget", "Add Pharmacy", "warning")])


def test_redact_replaces_names_everywhere_longest_first():
    h = redact(hospital())
    assert h.departments["name"].tolist() == ["D01", "D02", "D03"]
    assert h.adjustments.loc[0, "reason"] == "D02 asked; D03 agreed"  # not "D01 Ward 2"
    assert h.notes[0].value == "D03" and h.notes[0].problem == "D03 has no budget" and h.notes[0].fix == "Add D03"
    assert h.budget.equals(hospital().budget)  # numbers and ids untouched
    assert hospital().departments["name"].tolist()[0] == "Cardiology"  # the input is not modified


def test_redact_text_leaves_data_uris_alone():
    page = '<td>Pharmacy</td><img src="data:image/png;base64,UGhhcm1hY3k="><p>Cardiology Ward 2</p>'
    out, n = redact_text(page, DEPTS)
    assert n == 2 and out == '<td>D03</td><img src="data:image/png;base64,UGhhcm1hY3k="><p>D02</p>'


def test_redact_tables_text_cells_only():
    tables = {"evidence": pd.DataFrame({"dept_id": ["D03"], "dept_name": ["Pharmacy"], "rate": [0.5]})}
    out = redact_tables(tables, DEPTS)["evidence"]
    assert out.loc[0, "dept_name"] == "D03" and out.loc[0, "rate"] == 0.5


@pytest.mark.parametrize("names", [[], ["D01"]])
def test_nothing_to_redact(names):
    deps = pd.DataFrame({"dept_id": ["D01"][: len(names)], "name": names})
    assert redact_text("Cardiology", deps) == ("Cardiology", 0)


def test_subtotal_rows_naming_a_department_are_redacted_in_the_notes(tmp_path):
    """A subtotal row '内科小计' puts the name into a loading note; redaction must cover it too."""
    import sys

    from casekit import load

    sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
    try:
        import make_corpus
    finally:
        sys.path.pop(0)
    files = dict(make_corpus.BASE)
    files["departments.csv"] = make_corpus.DEPARTMENTS.replace("Internal medicine", "内科")
    files["budget.csv"] = make_corpus.BUDGET_TOTALS.replace("D01小计", "内科小计")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    hospital = load(tmp_path)
    assert any("内科小计" in (n.value or "") for n in hospital.notes)
    redacted = redact(hospital)
    texts = [t for n in redacted.notes for t in (n.value or "", n.problem, n.fix)]
    assert not any("内科" in t for t in texts) and any("D01小计" in t for t in texts)
