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
        criteria = [c for sec in ("aspects", "problems", "causes") for f in data[sec] for c in f["criteria"]]
        assert crit["year"].isna().sum() == len(criteria)          # one all-years row per criterion
        assert crit["year"].notna().sum() == sum(len(c["by_year"] or {}) for c in criteria)
        assert set(crit["year"].dropna()) <= set(data["hospital"]["years"])
        assert (mine["tier"] == data["hospital"]["profile"]["tier"]).all()
    # the CSV holds the same rows; the benchmark page is built from the panel
    assert len(pd.read_csv(out / "panel.csv", encoding="utf-8-sig")) == len(panel)
    page = (out / "benchmark.html").read_text(encoding="utf-8")
    assert "broken" in page and "j_hospital" in page
    assert not (out / "j_hospital" / "report.html").exists()  # findings only: no report


def test_panel_year_rows_of_j_hand_worked(sample_batch):
    """Per-year rows: hospital |deviation| from B1 and the budget weight, recomputed from the CSV files."""
    out, _ = sample_batch
    panel = pd.read_parquet(out / "panel.parquet")
    j = panel[(panel["hospital"] == "j_hospital") & (panel["row_type"] == "indicator")]
    src = SAMPLES / "j_hospital"
    ids = {"dept_id": str, "account_id": str}
    budget = pd.read_csv(src / "budget.csv", dtype=ids)
    actuals = pd.read_csv(src / "actuals.csv", dtype=ids)
    direction = pd.read_csv(src / "accounts.csv", dtype=ids).set_index("account_id")["direction"]
    b1 = budget.assign(direction=budget["account_id"].map(direction)).groupby(["year", "direction"])["adjusted"].sum()
    a = actuals.assign(direction=actuals["account_id"].map(direction)).groupby(["year", "direction"])["amount"].sum()
    expected = ((a.reindex(b1.index) - b1).abs() / b1).groupby("year").mean()     # mean of revenue and expense
    p3 = j[(j["code"] == "P3") & (j["indicator"] == "hospital_abs_deviation_rate")]
    yearly = p3.dropna(subset=["year"]).set_index("year")["value"]
    assert yearly.index.tolist() == [2021, 2022, 2023, 2024]
    assert yearly.to_numpy() == pytest.approx(expected.loc[[2021, 2022, 2023, 2024]].to_numpy(), rel=1e-9)
    assert yearly.loc[2022] == pytest.approx(0.100156, abs=1e-6)
    overall = p3[p3["year"].isna()]
    assert len(overall) == 1 and bool(overall["triggered"].iloc[0]) and p3["year"].notna().sum() == 4
    assert p3.loc[p3["year"].notna(), "triggered"].isna().all()          # the rule decides on all years only
    assert (p3["threshold"] == overall["threshold"].iloc[0]).all() and (p3["status"] == "present").all()
    weights = pd.read_csv(src / "performance.csv").groupby("year")["budget_weight"].mean()   # 2021: 0.004
    p4 = j[(j["code"] == "P4") & (j["indicator"] == "mean_budget_weight")].dropna(subset=["year"])
    assert p4.set_index("year")["value"].to_dict() == pytest.approx(weights.to_dict())
    assert weights.loc[2021] == pytest.approx(0.004)
    # criteria without yearly values have only their all-years row
    assert j.loc[j["indicator"] == "report_days", "year"].isna().all()


def test_panel_rows_hand_worked_values():
    data = {"hospital": {"name": "H", "years": [2022, 2023], "profile": {"tier": "tertiary", "beds": 800,
                                                                      "region": "Zhejiang"}},
            "problems": [{"code": "P3", "status": "present", "severity": 60.0, "grade": "high",
                          "evidence_strength": "strong",
                          "criteria": [{"name": "share", "value": 0.3, "threshold": 0.25, "op": ">=",
                                        "triggered": True, "config_key": "p3.x",
                                        "by_year": {"2023": 0.4, "2022": 0.2}},
                                       {"name": "text", "value": "n/a", "threshold": None, "op": "==",
                                        "triggered": None}]}]}
    rows = panel_rows(data, "h")
    assert rows["row_type"].tolist() == ["finding", "indicator", "indicator", "indicator", "indicator"]
    assert rows["beds"].tolist() == [800] * 5 and rows["region"].eq("Zhejiang").all()
    assert rows["first_year"].iloc[0] == 2022 and rows["last_year"].iloc[0] == 2023
    assert rows.loc[1, "value"] == 0.3 and rows.loc[1, "threshold"] == 0.25 and bool(rows.loc[1, "triggered"])
    assert pd.isna(rows.loc[1, "year"])
    # per-year rows follow their criterion in year order; threshold kept, triggered blank
    assert rows.loc[2:3, "year"].tolist() == [2022, 2023] and rows.loc[2:3, "value"].tolist() == [0.2, 0.4]
    assert rows.loc[2:3, "indicator"].eq("share").all() and rows.loc[2:3, "threshold"].eq(0.25).all()
    assert rows.loc[2:3, "triggered"].isna().all()
    assert pd.isna(rows.loc[4, "value"]) and rows.loc[4, "value_text"] == "n/a" and pd.isna(rows.loc[4, "triggered"])
    assert pd.isna(rows.loc[4, "year"])
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
