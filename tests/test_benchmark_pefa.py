"""The batch benchmark carries evidence strength, robustness and PEFA scores (casekit.report.benchmark / panel)."""
from __future__ import annotations

import csv

import pandas as pd

from casekit.data.hospital import Profile
from casekit.diagnosis import diagnose
from casekit.pipeline.batch import HospitalRun
from casekit.report.benchmark import write_benchmark
from casekit.report.panel import panel_rows


def test_pefa_scores_and_weak_evidence_reach_the_panel_and_the_benchmark(tiny_hospital, tmp_path):
    d = diagnose(tiny_hospital)
    # a report of 20 days and nothing else on informatisation: P5 present on 1 of 4 criteria -> weak
    weak = diagnose(tiny_hospital.with_tables(profile=Profile(name="Thin", extra={"report_days": 20})))
    assert weak.finding("P5").present and weak.finding("P5").weak
    runs = []
    for name, diag in (("tiny", d), ("thin", weak)):
        path = tmp_path / f"{name}.json"
        text = diag.to_json(path)
        runs.append(HospitalRun(name, "", "", True, "", str(path)))
        assert '"pefa"' in text
    rows = panel_rows(d.to_dict(), "tiny")
    pefa = rows[rows["row_type"] == "pefa"].set_index("code")
    assert list(pefa.index) == ["PI-1", "PI-2.1", "PI-2.2", "PI-2.3", "PI-3.1", "PI-3.2"]
    expected = d.pefa.set_index("indicator")["score"]
    assert pefa.loc["PI-1", "grade"] == expected["PI-1"]
    assert {"evidence_strength", "robustness"} <= set(rows.columns)
    (tmp_path / "bench").mkdir()
    html, csv_path = write_benchmark(runs, tmp_path / "bench")
    table = list(csv.DictReader(csv_path.open(encoding="utf-8-sig")))
    assert table[0]["PI-1_score"] == expected["PI-1"]
    assert table[0]["P3_evidence_strength"] == d.finding("P3").evidence_strength
    page = html.read_text(encoding="utf-8")
    assert "PEFA budget credibility" in page and "PI-2.1" in page
    assert "[weak evidence]" in page and table[1]["P5_evidence_strength"] == "weak"
    assert pd.notna(expected["PI-1"])
