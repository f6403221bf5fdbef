"""diagnose(), Diagnosis, recommendations, and the sample hospitals' expected findings."""
from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from casekit.diagnosis import Diagnosis, Thresholds, diagnose
from casekit.diagnosis.finding import Finding
from casekit.diagnosis.recommendations import load_catalogue, recommend
from casekit.diagnosis.rules_causes import CAUSE_RULES
from casekit.errors import ConfigError
from test_rules_p4_p5_causes import build_enriched

ALL_CODES = [f"{k}{i}" for k in "APC" for i in range(1, 6)]


@pytest.fixture(scope="module")
def bad_diag() -> Diagnosis:
    return diagnose(build_enriched("bad"))


# ------------------------------------------------------------------ recommendations
def test_recommendations_only_from_present_findings():
    recs = recommend([Finding("P5", "t", "t", "present", 60.0), Finding("C5", "t", "t", "absent", 0.0)])
    corrective = [r for r in recs if r.kind == "corrective"]
    assert [(r.id, r.triggered_by) for r in corrective] == [("R5.1", ["P5"])]
    assert "27号" in corrective[0].basis_en and "国卫财务发〔2020〕27号" in corrective[0].basis_zh
    assert corrective[0].text_zh and corrective[0].text_en


def test_recommendation_catalogue_is_complete():
    cat = load_catalogue()
    assert set(cat["areas"]) == {"top_level_design", "planning_preparation", "execution_control",
                                 "performance_evaluation", "informatisation"}
    for a in cat["actions"]:
        assert a["area"] in cat["areas"]
        assert set(a["triggers"]) <= set(ALL_CODES), a["id"]
        assert ("30号" in a["basis_en"]) or ("27号" in a["basis_en"]), a["id"]
        assert "国卫财务发〔2020〕" in a["basis_zh"] and a["text_zh"] and a["text_en"]
    covered = {c for a in cat["actions"] for c in a["triggers"] if c[0] in "PC"}
    assert covered == {f"{k}{i}" for k in "PC" for i in range(1, 6)}


def test_all_absent_gives_only_maintain_notes():
    findings = [Finding(c, c, c, "absent", 0.0) for c in ALL_CODES if c[0] in "PC"]
    recs = recommend(findings)
    assert recs and all(r.kind == "maintain" for r in recs) and len(recs) == 5


# ------------------------------------------------------------------ Diagnosis object
def test_diagnosis_structure(bad_diag):
    d = bad_diag
    assert [f.code for f in d.aspects] == ["A1", "A2", "A3", "A4", "A5"]
    assert [f.code for f in d.problems] == ["P1", "P2", "P3", "P4", "P5"]
    assert [f.code for f in d.causes] == ["C1", "C2", "C3", "C4", "C5"]
    assert d.finding("p4") is d.problems[3]
    with pytest.raises(KeyError):
        d.finding("P9")
    assert {"P4", "P5"} <= set(d.present("problem"))
    assert d.present("cause") == ["C1", "C2", "C3", "C4", "C5"]
    with pytest.raises(ConfigError):
        d.present("aspect")
    assert d.synthetic and d.years == [2023, 2024] and d.hospital_name.startswith("Five")
    assert len(d.matrix) == 8
    assert any(r.id == "R4.1" for r in d.recommendations)


def test_tables_and_frames(bad_diag):
    t = bad_diag.tables()
    for name in ("findings", "criteria", "matrix", "recommendations", "aspects", "thresholds"):
        assert isinstance(t[name], pd.DataFrame) and not t[name].empty, name
    assert list(t["findings"]["code"]) == ALL_CODES
    assert (t["criteria"]["code"].isin(ALL_CODES)).all()
    assert any(k.startswith("performance_linkage") for k in bad_diag.indicators)
    assert all(not any(ch in k for ch in "[]:*?/\\") for k in bad_diag.indicators)
    html = bad_diag._repr_html_()
    assert "<table>" in html and "P4" in html and "synthetic" in html


def test_json_schema_and_atomic_write(bad_diag, tmp_path):
    out = tmp_path / "sub" / "findings.json"
    text = bad_diag.to_json(out)
    assert out.read_text(encoding="utf-8") == text
    assert [p.name for p in out.parent.iterdir()] == ["findings.json"]   # no temp file left
    data = json.loads(text)
    assert data["schema_version"] == "1.0"
    assert set(data) == {"schema_version", "casekit_version", "generated_at", "hospital", "thresholds", "aspects",
                         "problems", "causes", "matrix", "recommendations", "conclusion_en", "conclusion_zh",
                         "coverage", "pefa", "notes"}
    p4 = data["problems"][3]
    assert {"evidence_strength", "robustness", "flips_at", "sensitivity", "n_required", "n_computable"} <= set(p4)
    assert {"margin", "distance", "n", "statistic"} <= set(p4["criteria"][0])
    assert [r["indicator"] for r in data["pefa"]] == ["PI-1", "PI-2.1", "PI-2.2", "PI-2.3", "PI-3.1", "PI-3.2"]
    assert p4["code"] == "P4" and p4["status"] == "present" and p4["criteria"][0]["config_key"]
    assert p4["evidence"]["total_rows"] == 10 and len(p4["evidence"]["rows"][0]) == len(p4["evidence"]["columns"])
    assert data["aspects"][0]["rating"] in ("good", "adequate", "weak")
    assert data["hospital"]["profile"]["beds"] == 500


def test_config_forms(tmp_path):
    h = build_enriched("good")
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump({"p4": {"budget_weight_min": 0.5}}), encoding="utf-8")
    for cfg in ({"p4": {"budget_weight_min": 0.5}}, path, str(path), Thresholds({"p4.budget_weight_min": 0.5})):
        d = diagnose(h, config=cfg)
        assert d.thresholds["p4.budget_weight_min"] == 0.5
        assert d.finding("C4").criteria[1].triggered   # 0.2 < 0.5
    with pytest.raises(ConfigError):
        diagnose(h, config={"p4": {"no_such_key": 1}})
    with pytest.raises(ConfigError):
        diagnose(h, config=3)


def test_a_rule_bug_propagates(monkeypatch, tiny_hospital):
    def broken(ctx):
        raise ZeroDivisionError("bug")

    monkeypatch.setitem(CAUSE_RULES, "C1", broken)
    with pytest.raises(ZeroDivisionError):
        diagnose(tiny_hospital)


def test_required_tables_only_names_missing_data():
    from test_indicators_performance import build_five_dept_hospital

    d = diagnose(build_five_dept_hospital().with_tables(performance=None))
    for code in ("P4", "P5", "C1", "C2", "C3", "C4", "C5", "A1", "A2", "A5"):
        f = d.finding(code)
        assert f.status == "not_assessed" and f.missing, code
    assert d.finding("P4").missing == ["performance table"]
    assert not any(r.kind == "corrective" and set(r.triggered_by) & {"P4", "P5", "C1", "C2", "C3", "C4", "C5"}
                   for r in d.recommendations)


# ------------------------------------------------------------------ sample hospitals
def _criteria_report(d: Diagnosis, codes) -> str:
    lines = []
    for code in sorted(codes):
        f = d.finding(code)
        lines.append(f"{code} {f.status}: " + "; ".join(
            f"{c.name}={c.value!r} {c.op} {c.threshold} -> {c.triggered}" for c in f.criteria))
    return "\n".join(lines)


@pytest.mark.parametrize("name", ["j", "well_run", "mixed"])
def test_sample_hospitals_show_their_expected_findings(name):
    sample = pytest.importorskip("casekit.sample")
    d = diagnose(sample.generate(name))
    expected = set(sample.PROFILES[name].expected)
    found = set(d.present("problem")) | set(d.present("cause"))
    wrong = (found ^ expected)
    assert found == expected, _criteria_report(d, wrong)
    corrective = [r for r in d.recommendations if r.kind == "corrective"]
    if not expected:
        assert corrective == []
    else:
        assert corrective
