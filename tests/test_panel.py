"""The batch panel, the findings-only batch and ``casekit diagnose``."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from casekit.cli import app
from casekit.pipeline.batch import BatchError, run_batch
from casekit.report.panel import PANEL_COLUMNS, panel_rows

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "sample"
EXPECTED = {"j_hospital": {"P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3", "C4", "C5"},
            "well_run_hospital": set(), "mixed_hospital": {"P3", "P5", "C3", "C5"}}


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    for name in EXPECTED:
        (root / name).symlink_to(SAMPLES / name, target_is_directory=True)
    bad = root / "broken"
    bad.mkdir()
    (bad / "budget.csv").write_text("year,dept_id\n2024,D1\n")
    out = tmp_path_factory.mktemp("out") / "batch"
    with pytest.raises(BatchError) as info:
        run_batch(root, out, workers=1, findings_only=True)
    return out, info.value.result


def test_panel_of_the_samples_has_every_finding_once_with_its_status(sample_batch):
    out, result = sample_batch
    assert [(r.name, r.ok) for r in result.results] == [("broken", False), ("j_hospital", True),
                                                        ("mixed_hospital", True), ("well_run_hospital", True)]
    assert "budget" in result.results[0].error or "required" in result.results[0].error
    panel = pd.read_parquet(out / "panel.parquet")
    assert list(panel.columns)[:len(PANEL_COLUMNS)] == list(PANEL_COLUMNS)
    findings = panel[panel["row_type"] == "finding"]
    for name, present in EXPECTED.items():
        data = json.loads((out / name / "findings.json").read_text(encoding="utf-8"))
        expected = {f["code"]: f["status"] for sec in ("aspects", "problems", "causes") for f in data[sec]}
        mine = findings[findings["hospital"] == name]
        assert mine["code"].is_unique and dict(zip(mine["code"], mine["status"])) == expected
        got = set(mine.loc[mine["status"].eq("present") & mine["kind"].isin(["problem", "cause"]), "code"])
        assert got == present, name
        crit = panel[(panel["hospital"] == name) & (panel["row_type"] == "indicator")]
        n_crit = sum(len(f["criteria"]) for sec in ("aspects", "problems", "causes") for f in data[sec])
        assert len(crit) == n_crit
        assert (mine["tier"] == data["hospital"]["profile"]["tier"]).all()
    # the CSV holds the same rows; the benchmark page is built from the panel
    assert len(pd.read_csv(out / "panel.csv", encoding="utf-8-sig")) == len(panel)
    page = (out / "benchmark.html").read_text(encoding="utf-8")
    assert "broken" in page and "j_hospital" in page
    assert not (out / "j_hospital" / "report.html").exists()  # findings only: no report


def test_panel_rows_hand_worked_values():
    data = {"hospital": {"name": "H", "years": [2022, 2023], "profile": {"tier": "tertiary", "beds": 800,
                                                                      "region": "Zhejiang"}},
            "problems": [{"code": "P3", "status": "present", "severity": 60.0, "grade": "high",
                          "evidence_strength": "strong",
                          "criteria": [{"name": "share", "value": 0.3, "threshold": 0.25, "op": ">=",
                                        "triggered": True, "config_key": "p3.x"},
                                       {"name": "text", "value": "n/a", "threshold": None, "op": "==",
                                        "triggered": None}]}]}
    rows = panel_rows(data, "h")
    assert rows["row_type"].tolist() == ["finding", "indicator", "indicator"]
    assert rows["beds"].tolist() == [800] * 3 and rows["region"].eq("Zhejiang").all()
    assert rows["first_year"].iloc[0] == 2022 and rows["last_year"].iloc[0] == 2023
    assert rows.loc[1, "value"] == 0.3 and rows.loc[1, "threshold"] == 0.25 and bool(rows.loc[1, "triggered"])
    assert pd.isna(rows.loc[2, "value"]) and rows.loc[2, "value_text"] == "n/a" and pd.isna(rows.loc[2, "triggered"])
    assert rows.loc[0, "evidence_strength"] == "strong"  # extra finding fields travel into the panel


def test_diagnose_prints_the_ten_findings_and_json_is_valid():
    runner = CliRunner()
    result = runner.invoke(app, ["diagnose", str(SAMPLES / "j_hospital")])
    assert result.exit_code == 0, result.output
    lines = {ln.split("\t")[0]: ln for ln in result.output.splitlines() if "\t" in ln}
    for code in EXPECTED["j_hospital"]:
        assert lines[code].split("\t")[1] == "present", lines[code]
    # deciding values are formatted as in the report: shares as percentages, never 1.41e-05
    assert "(trips if < 1%)" in lines["P1"] and not re.search(r"\de-\d", result.output), lines["P1"]
    result = runner.invoke(app, ["diagnose", str(SAMPLES / "mixed_hospital"), "--json", "-"])
    data = json.loads(result.stdout)
    assert {f["code"] for f in data["problems"] + data["causes"] if f["status"] == "present"} == \
        EXPECTED["mixed_hospital"]


def test_diagnose_bad_data_is_a_message(tmp_path):
    (tmp_path / "budget.csv").write_text("year,dept_id\n2024,D1\n")
    result = CliRunner().invoke(app, ["diagnose", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
