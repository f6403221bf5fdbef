"""Batch runs: discovery, benchmark percentiles, failures listed, dask.distributed cluster."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from casekit.pipeline.batch import BatchError, HospitalRun, _hospital_dirs, discover, run_batch
from casekit.errors import ConfigError
from casekit.report.benchmark import distribution, tidy, write_benchmark


def fake_findings(path: Path, name: str, p3_value: float, status: str = "present") -> str:
    data = {"hospital": {"name": name, "synthetic": True},
            "problems": [{"code": "P3", "status": status, "severity": 60.0, "grade": "high",
                          "criteria": [{"name": "share_lines", "value": p3_value},
                                       {"name": "label", "value": "text is not an indicator"}]}],
            "causes": [{"code": "C1", "status": "not_assessed", "severity": None, "grade": None, "criteria": []}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_percentiles_hand_worked(tmp_path):
    runs = [HospitalRun(n, "", "", True, "", fake_findings(tmp_path / f"{n}.json", n.upper(), v))
            for n, v in (("a", 0.1), ("b", 0.3), ("c", 0.3), ("d", 0.5))]
    runs.append(HospitalRun("e", "", "", False, "=cmd|' /C calc'!A0 data error"))
    hospitals, findings, indicators = tidy(runs)
    p = indicators[indicators.indicator == "P3.share_lines"].set_index("hospital")["percentile"]
    # lower values plus half the ties (self included), over n = 4
    assert p.to_dict() == {"a": 12.5, "b": 50.0, "c": 50.0, "d": 87.5}
    assert indicators[indicators.indicator == "P3.label"]["value"].isna().all()
    dist = distribution(indicators).set_index("indicator").loc["P3.share_lines"]
    assert dist["n"] == 4 and dist["p50"] == pytest.approx(0.3)
    assert set(findings["code"]) == {"P3", "C1"} and len(findings) == 8

    html, csv_path = write_benchmark(runs, tmp_path)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8-sig")))
    assert [r["hospital"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert rows[0]["P3_status"] == "present" and float(rows[0]["P3.share_lines_pctile"]) == 12.5
    assert rows[4]["error"].startswith("'=")  # formula injection neutralised
    page = html.read_text(encoding="utf-8")
    assert "Hospitals that failed" in page and "data error" in page and "present (60)" in page
    assert "<script" not in page


def test_a_hospital_run_twice_is_counted_once(tmp_path):
    def run(name: str, value: float, hospital: str = "J Public Hospital (synthetic)") -> HospitalRun:
        path = tmp_path / f"{name}.json"
        data = {"hospital": {"name": hospital, "synthetic": True, "years": [2021, 2024]},
                "problems": [{"code": "P3", "status": "present", "severity": 60.0, "grade": "high",
                              "criteria": [{"name": "share_lines_beyond_warning", "value": value, "threshold": 0.25,
                                            "op": ">=", "label_en": "share of lines beyond ±10%",
                                            "label_zh": "偏差超出±10%的科室×科目比例"}]}], "causes": []}
        path.write_text(json.dumps(data), encoding="utf-8")
        return HospitalRun(name, "", "", True, "", str(path))

    runs = [run("j_hospital", 0.3138), run("well", 0.05, "Well-run"), run("j_hospital_xlsx", 0.3138)]
    hospitals, findings, indicators = tidy(runs)
    same = hospitals.set_index("hospital")["same_as"]
    assert same.isna().tolist() == [True, True, False] and same["j_hospital_xlsx"] == "j_hospital"
    assert set(findings["hospital"]) == {"j_hospital", "well"}  # the repeat is not its own peer
    assert "j_hospital_xlsx" not in set(indicators["hospital"])
    html, _ = write_benchmark(runs, tmp_path, lang="zh")
    page = html.read_text(encoding="utf-8")
    assert "与j_hospital为同一医院、同一年度：不重复计入" in page and "参与比较的不同医院2家" in page
    assert "偏差超出±10%的科室×科目比例" in page and "31.38% (75)" in page and "5.00% (25)" in page and "≥ 25.00%" in page
    assert "0.3138" not in page and "e-0" not in page and "@font-face" in page


def test_discover_and_slugs(tmp_path):
    (tmp_path / "h1").mkdir()
    (tmp_path / "h1" / "budget.csv").write_text("x")
    (tmp_path / "医院 2").mkdir()
    (tmp_path / "医院 2" / "科室.csv").write_text("x")
    (tmp_path / "wb").mkdir()
    (tmp_path / "wb" / "data.xlsx").write_text("x")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("x")
    (tmp_path / "..evil.xlsx").write_text("x")
    (tmp_path / "top.xlsx").write_text("x")
    found = discover(tmp_path)
    assert [p.name for p in found] == ["h1", "top.xlsx", "data.xlsx", "医院 2"]
    dirs = _hospital_dirs(found, tmp_path / "out")
    assert [d.name for d in dirs] == ["h1", "top", "data", "医院-2"]
    assert all(d.parent == (tmp_path / "out").resolve() for d in dirs)
    with pytest.raises(ConfigError, match="no hospital"):
        discover(tmp_path / "notes")


@pytest.mark.slow
def test_dask_cluster_runs_two_hospitals_and_lists_a_failure(tmp_path):
    distributed = pytest.importorskip("distributed")
    from casekit.sample import generate, write_hospital

    root = tmp_path / "hospitals"
    write_hospital(generate("well_run", departments=6, years=2), root / "well_run")
    write_hospital(generate("j", departments=6, years=2), root / "j_small")
    bad = root / "broken"
    bad.mkdir()
    (bad / "budget.csv").write_text("year,dept_id\n2024,D1\n")
    out = tmp_path / "batch"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with pytest.raises(BatchError) as info:
            run_batch(root, out, workers=2, scheduler=cluster.scheduler_address, lang="en", pdf=False)
    result = info.value.result
    assert [r.name for r in result.results] == ["broken", "j_small", "well_run"]
    assert [r.ok for r in result.results] == [False, True, True], [r.error for r in result.results]
    assert "broken" in str(info.value) and result.report == out.resolve() / "benchmark.html"
    for name in ("j_small", "well_run"):
        assert (out / name / "report.html").is_file() and (out / name / "findings.json").is_file()
        assert not (out / name / "report.pdf").exists()  # --no-pdf: no browser started
    rows = {r["hospital"]: r for r in csv.DictReader((out / "benchmark.csv").open(encoding="utf-8-sig"))}
    assert rows["j_small"]["P1_status"] in ("present", "absent", "not_assessed")
    assert rows["broken"]["ok"] == "False" and rows["broken"]["error"]
    assert "broken" in (out / "benchmark.html").read_text(encoding="utf-8")


def test_local_pool_lists_every_failure_and_raises_at_the_end(tmp_path):
    root = tmp_path / "hospitals"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        (root / name / "budget.csv").write_text("year,dept_id\n2024,D1\n")
    with pytest.raises(BatchError, match="2 of 2 hospital") as info:
        run_batch(root, tmp_path / "out", workers=2, pdf=False)
    result = info.value.result
    assert [(r.name, r.ok) for r in result.results] == [("a", False), ("b", False)]
    assert all(r.error and "Traceback" not in r.error for r in result.results)
    assert (tmp_path / "out" / "benchmark.html").is_file() and (tmp_path / "out" / "benchmark.csv").is_file()
    assert not (tmp_path / "out" / "a").exists()  # nothing published for a failed hospital
