"""load(), validate(), validate_path() and `casekit validate` on hospital folders built in tmp_path."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from casekit.cli import app
from casekit.errors import DataValidationError, Issue
from casekit.data.loader import ledger_files, load, validate
from casekit.data.loader import validate_path
from casekit.data.validation_report import ValidationReport, print_report

PROFILE = "name: Folder hospital\ntier: secondary\ncurrency_unit: {unit}\n"
DEPARTMENTS = "dept_id,name,type\nD01,Surgery,clinical\nD02,Finance,administrative\n"
ACCOUNTS = "account_id,name,direction,category\n4001,Outpatient revenue,revenue,outpatient\n5001,Drugs,expense,drugs\n"
BUDGET = ("year,dept_id,account_id,original,adjusted\n"
          "2024,D01,4001,1200,1300\n2024,D01,5001,600,\n2024,D02,5001,300,\n")
ACTUALS = ("year,month,dept_id,account_id,amount\n"
           "2024,1,D01,4001,100\n2024,1,D01,5001,50\n2024,1,D02,5001,25\n"
           "2024,2,D01,4001,110\n2024,2,D01,5001,55\n2024,2,D02,5001,20\n")


def hospital_folder(root: Path, unit: str = "yuan", **files: str | None) -> Path:
    """Write a small valid hospital folder; keyword arguments replace (or, with None, drop) files."""
    content = {"hospital.yaml": PROFILE.format(unit=unit), "departments.csv": DEPARTMENTS,
               "accounts.csv": ACCOUNTS, "budget.csv": BUDGET, "actuals.csv": ACTUALS}
    content.update({k.replace("__", "."): v for k, v in files.items()})
    root.mkdir(parents=True, exist_ok=True)
    for name, text in content.items():
        if text is not None:
            (root / name).write_text(text, encoding="utf-8")
    return root


def test_valid_folder_loads_in_its_declared_scale(tmp_path):
    h = load(hospital_folder(tmp_path / "h", unit="10k_yuan"))       # the older spelling of ten_thousands
    assert h.profile.name == "Folder hospital" and h.source == tmp_path / "h"
    assert h.profile.currency_unit == "ten_thousands"
    assert h.budget["original"].tolist() == [1200.0, 600.0, 300.0]
    assert h.budget["adjusted"].tolist() == [1300.0, 600.0, 300.0]
    assert h.actuals["amount"].sum() == 360.0
    assert h.budget["year"].dtype == "int64" and str(h.actuals["month"].dtype) == "Int64"
    assert [i.problem[:36] for i in h.notes] == ["actuals of 2024 stop at month 2 and "]  # a year in progress


def test_cli_reports_all_four_problems_in_one_run(tmp_path):
    folder = hospital_folder(
        tmp_path / "bad",
        departments__csv="dept_id,name\nD01,Surgery\nD02,Finance\n",                        # no type column
        budget__csv=BUDGET + "2024,D01,4001,5,\n",                                          # duplicate key
        actuals__csv=ACTUALS + "2024,13,D01,5001,1\n2024,3,D99,5001,1\n")                 # month 13; unknown dept
    out = tmp_path / "issues.json"
    result = CliRunner().invoke(app, ["validate", str(folder), "--json", str(out)])
    assert result.exit_code == 1, result.output
    assert "4 errors and " in result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    errors = [i for i in doc["issues"] if i["severity"] == "error"]
    missing = [i for i in errors if i["file"] == "departments.csv" and "'type'" in i["problem"]]
    dup = [i for i in errors if i["file"] == "budget.csv" and "duplicate key" in i["problem"]]
    month = [i for i in errors if i["file"] == "actuals.csv" and i["column"] == "month" and i["value"] == "13"]
    dept = [i for i in errors if i["file"] == "actuals.csv" and i["value"] == "D99"]
    assert len(missing) == len(dup) == len(month) == len(dept) == 1, errors
    assert "rows 2 and 5" in dup[0]["problem"]
    assert (month[0]["row"], dept[0]["row"]) == (8, 9)
    assert doc["errors"] == len(errors) == 4              # and nothing else (no knock-on errors)


def test_cli_exit_code_zero_with_warnings_only(tmp_path):
    folder = hospital_folder(tmp_path / "warn", budget__csv=BUDGET.replace("2024,D02,5001,300,", "2024,D02,5001,0,"))
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "OK" in result.output


def test_load_raises_with_every_error(tmp_path):
    folder = hospital_folder(tmp_path / "bad", accounts__csv=None,
                             actuals__csv=ACTUALS.replace("2024,2,D02,5001,20", "2024,2,D77,5001,20"))
    with pytest.raises(DataValidationError) as info:
        load(folder)
    problems = [i.problem for i in info.value.issues if i.severity == "error"]
    assert any("required table 'accounts'" in p for p in problems)
    assert any("department 'D77'" in p for p in problems)
    assert "casekit validate" in str(info.value)
    report = validate(folder)
    assert report.has_errors and report.hospital is None
    assert [i.problem for i in report.errors] == problems


def test_unreadable_path_becomes_an_issue(tmp_path):
    report = validate_path(tmp_path / "nowhere")
    assert report.has_errors and len(report.issues) == 1
    assert report.issues[0].file == str(tmp_path / "nowhere")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1


def test_ledger_replaces_missing_actuals(tmp_path):
    ledger = ("date,dept_id,account_id,amount\n2024-01-03,D01,4001,60\n2024-01-20,D01,4001,40\n"
              "2024-01-05,D01,5001,50\n2024-02-11,D02,5001,20\n")
    folder = hospital_folder(tmp_path / "led", actuals__csv=None, ledger_2024__csv=ledger)
    assert ledger_files(folder) == [folder / "ledger_2024.csv"]
    h = load(folder)
    got = h.actuals.set_index(["month", "dept_id", "account_id"])["amount"].to_dict()
    assert got == {(1, "D01", "4001"): 100.0, (1, "D01", "5001"): 50.0, (2, "D02", "5001"): 20.0}
    calls = []

    def fake(files):
        calls.append(files)
        from casekit.data.io.raw import RawTable
        df = pd.DataFrame({"year": pd.array([2024], dtype="Int64"), "month": pd.array([1], dtype="Int64"),
                           "dept_id": ["D01"], "account_id": ["4001"], "amount": [100.0]}).astype({"dept_id": "str",
                                                                                                  "account_id": "str"})
        return RawTable("actuals", "ledger_2024.csv", df, pd.Series(pd.NA, index=df.index, dtype="Int64"), {}, [], []), [
            Issue("ledger_2024.csv", 3, "amount", "x", "not a number", "write a number", "error", "ledger")]

    report = validate(folder, ledger_aggregator=fake)
    assert calls == [[folder / "ledger_2024.csv"]]
    assert [i.problem for i in report.errors] == ["not a number"]
    calls.clear()
    validate(hospital_folder(tmp_path / "plain"), ledger_aggregator=fake)
    assert calls == []                                           # no ledger files: aggregator not called


def test_report_frame_json_and_printing(tmp_path):
    issues = [Issue("a.csv", None, None, None, "w", "f", "warning", "a"),
              Issue("b.csv", 3, "科室", "[x]", "bad", "fix it", "error", "b")]
    report = ValidationReport(issues=issues, hospital=None, source="folder")
    frame = report.to_frame()
    assert frame["severity"].tolist() == ["error", "warning"]
    assert frame.columns.tolist() == ["severity", "file", "row", "column", "value", "problem", "fix", "table"]
    path = report.write_json(tmp_path / "out" / "r.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (doc["errors"], doc["warnings"], doc["issues"][0]["column"]) == (1, 1, "科室")
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.json"]
    console = Console(record=True, width=200, force_terminal=True)           # a terminal: a table
    print_report(report, console)
    text = console.export_text()
    assert "[x]" in text and "科室" in text and "│" in text and "1 error and 1 warning in folder" in text
    console = Console(record=True, width=40)                                  # a pipe: plain lines
    print_report(report, console)
    assert console.export_text().splitlines() == [
        "b.csv::3:科室: error: bad (value '[x]') — fix it", "a.csv:::: warning: w — f",
        "1 error and 1 warning in folder: fix the errors and run casekit validate again."]
