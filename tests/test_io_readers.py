"""Tests of casekit.io.readers: files -> RawTable (formats, encodings, layouts, row numbers)."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from casekit.errors import InputFileError
from casekit.io import readers
from casekit.io.readers import discover, read_hospital_files, read_profile, read_table
from casekit.schema.tables import TABLES

BUDGET = TABLES["budget"]
ACTUALS = TABLES["actuals"]

BUDGET_CSV = "年度,科室,科目编码,年初预算（元）,调整后预算\n2023,D01,6001.10,\"1,234.50\",\n2023,D02,6001.20,(1200),1300\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def messages(raw, severity=None):
    return [i for i in raw.issues if severity is None or i.severity == severity]


# ----------------------------------------------------------------------------- CSV
def test_csv_utf8_chinese_headers_types_and_rows(tmp_path):
    raw = read_table(write(tmp_path / "budget.csv", BUDGET_CSV), BUDGET, "budget.csv")
    assert list(raw.df.columns) == ["year", "dept_id", "account_id", "original", "adjusted"]
    assert raw.df["year"].dtype == "Int64" and raw.df["original"].dtype == np.float64
    assert raw.df["account_id"].tolist() == ["6001.10", "6001.20"]          # codes stay text
    assert raw.df["original"].tolist() == [1234.5, -1200.0]
    assert raw.df["adjusted"].isna().tolist() == [True, False]
    assert raw.rows.tolist() == [2, 3]
    assert raw.rows.index.equals(raw.df.index)
    assert raw.headers["original"] == "年初预算（元）"
    assert raw.issues == [] and raw.unknown_columns == []


def test_csv_bom_and_gbk(tmp_path):
    bom = read_table(write(tmp_path / "b1.csv", BUDGET_CSV, "utf-8-sig"), BUDGET)
    assert bom.headers["year"] == "年度" and bom.issues == []
    gbk = read_table(write(tmp_path / "b2.csv", BUDGET_CSV, "gbk"), BUDGET)
    assert gbk.df["dept_id"].tolist() == ["D01", "D02"]
    (warn,) = gbk.issues
    assert warn.severity == "warning" and "GB18030" in warn.problem and warn.file == "b2.csv"


def test_tsv_semicolon_and_utf16(tmp_path):
    tsv = "年度\t科室\t科目编码\t年初预算\n2023\tD01, 内科\t6001\t1,234.50\n2023\tD02, 外科\t6002\t7\n"
    raw = read_table(write(tmp_path / "b.tsv", tsv), BUDGET)
    assert raw.df["dept_id"].tolist() == ["D01, 内科", "D02, 外科"] and raw.df["original"].tolist() == [1234.5, 7.0]
    semi = "year;dept_id;account_id;original\n2023;D01;6001;1,234.50\n2023;D02;6002;2,000\n"
    assert read_table(write(tmp_path / "s.csv", semi), BUDGET).df["original"].tolist() == [1234.5, 2000.0]
    # Excel's "Unicode text" export: UTF-16 with BOM, tab-separated
    utf16 = read_table(write(tmp_path / "u.txt", tsv, "utf-16"), BUDGET)
    assert utf16.df["original"].tolist() == [1234.5, 7.0] and utf16.issues == []


def test_csv_two_row_header_exported_from_merged_cells(tmp_path):
    text = "年度,科室,科目编码,预算数,\n,,,年初,调整后\n2023,D01,6001,10,12\n"
    raw = read_table(write(tmp_path / "budget.csv", text), BUDGET)
    assert raw.headers["original"] == "预算数 / 年初" and raw.headers["adjusted"] == "预算数 / 调整后"
    assert raw.df[["original", "adjusted"]].values.tolist() == [[10.0, 12.0]]
    assert raw.rows.tolist() == [3]


def test_total_row_labelled_in_an_unused_name_column(tmp_path):
    text = "年度,科室,科目编码,科目名称,年初预算\n2023,D01,6001,药品费,5\n2023,,,支出合计,5\n"
    raw = read_table(write(tmp_path / "budget.csv", text), BUDGET)
    assert raw.rows.tolist() == [2]
    assert [(i.row, i.value) for i in raw.issues if "total" in i.problem] == [(3, "支出合计")]


def test_title_rows_blank_rows_totals_footnotes_and_row_numbers(tmp_path):
    text = ("J医院2023年预算表\n单位：元\n"
            "年度,科室,科目编码,年初预算,调整后预算,备注\n"   # row 3
            "2023,D01,6001,100,,\n"                         # row 4
            ",,,,,\n"                                        # row 5 blank
            "2023,D02,6002,abc,,\n"                          # row 6 bad value
            "合计,,,100,,\n"                                  # row 7 total
            "2023,临床科室小计,,100,,\n"                        # row 8 subtotal
            "注：数据来源财务处\n")                               # row 9 footnote
    raw = read_table(write(tmp_path / "budget.csv", text), BUDGET)
    assert raw.rows.tolist() == [4, 6]
    errors = messages(raw, "error")
    assert [(e.row, e.column, e.value) for e in errors] == [(6, "年初预算", "abc")]
    assert errors[0].fix.startswith("write a number")
    warn_rows = {i.row: i.problem for i in messages(raw, "warning") if i.row}
    assert "total/subtotal" in warn_rows[7] and "total/subtotal" in warn_rows[8] and "note" in warn_rows[9]
    assert raw.unknown_columns == ["备注"]
    assert raw.totals["row"].tolist() == [7, 8] and raw.totals["original"].tolist() == [100.0, 100.0]


def test_unknown_and_duplicate_headers(tmp_path):
    text = "年度,科室编码,科室,科目编码,年初预算,Foo\n2023,D01,内科,6001,1,x\n"
    raw = read_table(write(tmp_path / "budget.csv", text), BUDGET)
    dup = [i for i in raw.issues if "both mean" in i.problem]
    assert dup and dup[0].severity == "error" and "科室编码" in dup[0].problem and "'科室'" in dup[0].problem
    assert raw.df["dept_id"].tolist() == ["D01"]
    unknown = [i for i in raw.issues if "not part of table" in i.problem]
    assert unknown[0].severity == "warning" and unknown[0].column == "Foo" and raw.unknown_columns == ["Foo"]


def test_missing_required_column_names_file_column_and_accepted_headers(tmp_path):
    raw = read_table(write(tmp_path / "预算.csv", "年度,科室,年初预算\n2023,D01,1\n"), BUDGET)
    (err,) = messages(raw, "error")
    assert err.file == "预算.csv" and "account_id" in err.problem
    assert "科目编码" in err.fix and "account_code" in err.fix


def test_empty_file_and_header_only(tmp_path):
    empty = read_table(write(tmp_path / "budget.csv", ""), BUDGET)
    assert empty.df.empty and [i.severity for i in empty.issues] == ["warning"]
    assert "no data rows" in empty.issues[0].problem and empty.issues[0].file == "budget.csv"
    header_only = read_table(write(tmp_path / "b2.csv", "年度,科室,科目编码,年初预算\n\n"), BUDGET)
    assert len(header_only.df) == 0
    assert any("no data rows" in i.problem and i.severity == "warning" for i in header_only.issues)


def test_excel_bytes_named_csv_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "budget.csv")
    with pytest.raises(InputFileError, match="Excel workbook"):
        read_table(tmp_path / "budget.csv", BUDGET)


# ----------------------------------------------------------------------------- Excel
def make_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "预算"
    ws["A1"] = "J医院2023年预算表"
    ws.merge_cells("A1:E1")
    for ref, text in {"A2": "年度", "B2": "科室", "C2": "科目编码", "D2": "预算数", "D3": "年初", "E3": "调整后"}.items():
        ws[ref] = text
    for rng in ("D2:E2", "A2:A3", "B2:B3", "C2:C3"):
        ws.merge_cells(rng)
    ws.append([2023, "D01", 101, 1000.5, "=D4*1.1"])         # row 4: formula never calculated
    ws.append([2023, None, 102, 2000, 2100])                  # row 5: dept merged from B4
    ws.merge_cells("B4:B5")
    ws["C4"].number_format = ws["C5"].number_format = "0000"
    ws.append(["合计", None, None, "=SUM(D4:D5)", None])        # row 6: total
    ws.append([2023, "D02", "0103", "1,500", "12%"])          # row 7: text amounts
    depts = wb.create_sheet("科室")
    depts.append(["科室编码", "科室名称", "科室类型"])
    depts.append(["D01", "内科", "临床"])
    depts.append(["D02", "放射科", "医技科室"])
    prof = wb.create_sheet("医院概况")
    for row in (["项目", "内容"], ["医院名称", "J医院"], ["医院等级", "二级"], ["金额单位", "万元"], ["beds", "300张"],
                ["模拟数据", "是"], ["颜色", "蓝"]):
        prof.append(row)
    wb.create_sheet("说明").append(["填表说明"])
    wb.create_sheet("ledger").append(["date", "dept_id", "account_id", "amount"])
    wb.save(path)
    return path


def test_excel_title_two_row_header_merged_cells_formulas(tmp_path):
    raw = read_table((make_workbook(tmp_path / "j.xlsx"), "预算"), BUDGET)
    assert raw.file == "j.xlsx[预算]"
    assert raw.headers == {"year": "年度", "dept_id": "科室", "account_id": "科目编码",
                           "original": "预算数 / 年初", "adjusted": "预算数 / 调整后"}
    assert raw.rows.tolist() == [4, 5, 7]
    assert raw.df["dept_id"].tolist() == ["D01", "D01", "D02"]          # merged cell filled down
    assert raw.df["account_id"].tolist() == ["0101", "0102", "0103"]    # 0000 format kept as displayed
    assert raw.df["original"].tolist() == [1000.5, 2000.0, 1500.0]
    errors = {(i.row, i.column): i.problem for i in messages(raw, "error")}
    assert "formula without a saved result" in errors[(4, "预算数 / 调整后")]
    assert "percentage" in errors[(7, "预算数 / 调整后")]
    assert any(i.row == 6 and "total" in i.problem for i in messages(raw, "warning"))


def test_excel_dates_bools_and_chinese_headers(tmp_path):
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "预算调整"
    ws.append(["调整日期", "科室编码", "科目编码", "调整金额（元）", "调整原因", "是否审批"])
    ws.append([dt.datetime(2023, 7, 1), "D01", "6001", -500, "设备采购延后", "是"])
    ws.append(["2023年9月30日", "D02", "6002", "1,000", None, False])
    ws.append([45200, "D02", "6002", 10, "", "maybe"])
    wb.save(tmp_path / "adj.xlsx")
    raw = read_table(tmp_path / "adj.xlsx", TABLES["adjustments"])      # sheet found by its Chinese name
    assert raw.df["date"].dtype == "datetime64[ns]"
    assert raw.df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-07-01", "2023-09-30", "2023-10-01"]
    assert raw.df["approved"].dtype == "boolean" and raw.df["approved"].tolist() == [True, False, pd.NA]
    assert raw.df["change"].tolist() == [-500.0, 1000.0, 10.0]
    assert raw.df["reason"].isna().tolist() == [False, True, True]
    assert [(i.row, i.column, i.value) for i in raw.errors] == [(4, "是否审批", "maybe")]


def test_workbook_discovery_and_profile_sheet(tmp_path):
    book = make_workbook(tmp_path / "j.xlsx")
    found = discover(book)
    assert found == {"budget": (book, "预算"), "departments": (book, "科室"), "profile": (book, "医院概况")}
    tables, profile, issues = read_hospital_files(book)
    assert set(tables) == {"budget", "departments"}
    assert tables["departments"].df["type"].tolist() == ["clinical", "medical_technology"]
    assert profile == {"name": "J医院", "tier": "secondary", "currency_unit": "10k_yuan", "beds": 300,
                       "synthetic": True}
    assert [(i.file, i.row, i.column, i.severity) for i in issues] == [
        ("j.xlsx[ledger]", None, None, "warning"), ("j.xlsx[医院概况]", 7, "颜色", "warning")]


def test_excel_size_limit_corrupt_and_xls(tmp_path):
    book = make_workbook(tmp_path / "j.xlsx")
    with pytest.raises(InputFileError, match="limit"):
        read_table((book, "预算"), BUDGET, max_bytes=1000)
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError, match="bad.xlsx"):
        read_table(tmp_path / "bad.xlsx", BUDGET)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match=r"\.xls"):
        read_table(tmp_path / "old.xls", BUDGET)


def test_openpyxl_parses_with_defusedxml(tmp_path, monkeypatch):
    from openpyxl.xml import DEFUSEDXML, functions

    assert DEFUSEDXML and functions.iterparse.__module__.startswith("defusedxml")
    book = make_workbook(tmp_path / "j.xlsx")
    monkeypatch.setattr(functions, "iterparse", __import__("xml.etree.ElementTree").etree.ElementTree.iterparse)
    with pytest.raises(InputFileError, match="defusedxml"):
        read_table((book, "预算"), BUDGET)


# ----------------------------------------------------------------------------- Parquet
def test_parquet_goes_through_mapping_and_parsing(tmp_path):
    df = pd.DataFrame({"年度": [2023.0, 2023.0], "月份": [1, 2], "科室": ["D01", "D02"],
                       "科目编码": ["6001.10", "6001.20"], "执行数": ["1,000", "(5)"]})
    df.to_parquet(tmp_path / "actuals.parquet")
    raw = read_table(tmp_path / "actuals.parquet", ACTUALS)
    assert raw.df["year"].tolist() == [2023, 2023] and raw.df["month"].tolist() == [1, 2]
    assert raw.df["amount"].tolist() == [1000.0, -5.0]
    assert raw.rows.tolist() == [2, 3] and raw.issues == []
    (tmp_path / "bad.parquet").write_bytes(b"nope")
    with pytest.raises(InputFileError, match="Parquet"):
        read_table(tmp_path / "bad.parquet", ACTUALS)


# ----------------------------------------------------------------------------- folders, profile
def test_folder_discovery_profile_ledger_and_unrecognised(tmp_path):
    write(tmp_path / "Budget.csv", BUDGET_CSV)
    write(tmp_path / "科室.csv", "科室编码,科室名称,科室类型\nD01,内科,临床\n")
    write(tmp_path / "ledger_2023a.csv", "date,dept_id,account_id,amount\n")
    write(tmp_path / "ledger_2023b.csv", "date,dept_id,account_id,amount\n")
    write(tmp_path / "hospital.yaml", "医院名称: J医院\ntier: 三级\ncurrency_unit: yuan\nbeds: 500\ncolour: blue\n")
    write(tmp_path / "misc.csv", "a,b\n1,2\n")
    write(tmp_path / "notes.md", "ignored silently")
    write(tmp_path / "~$Budget.xlsx", "lock file")
    found = discover(tmp_path)
    assert found["budget"] == [tmp_path / "Budget.csv"] and found["departments"] == [tmp_path / "科室.csv"]
    assert found["ledger"] == [tmp_path / "ledger_2023a.csv", tmp_path / "ledger_2023b.csv"]
    assert found["profile"] == [tmp_path / "hospital.yaml"]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    tables, profile, issues = read_hospital_files(tmp_path)
    assert set(tables) == {"budget", "departments"}                     # ledger is not read here
    assert profile == {"name": "J医院", "tier": "tertiary", "currency_unit": "yuan", "beds": 500}
    assert {(i.file, i.severity) for i in issues} == {("misc.csv", "warning"), ("hospital.yaml", "warning")}
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()} == before


def test_two_files_for_one_table_is_an_error(tmp_path):
    write(tmp_path / "budget.csv", BUDGET_CSV)
    write(tmp_path / "预算.csv", BUDGET_CSV)
    _, _, issues = read_hospital_files(tmp_path)
    dup = [i for i in issues if "several files" in i.problem]
    assert dup and dup[0].severity == "error" and "预算.csv" in dup[0].problem
    assert any("no hospital profile" in i.problem for i in issues)


def test_profile_csv_and_bad_values(tmp_path):
    path = write(tmp_path / "profile.csv", "key,value\nname,J\n医院等级,tertiary\n编制床位,many\n预算培训学时,12.5\n")
    profile, issues = read_profile(path)
    assert profile == {"name": "J", "tier": "tertiary", "beds": None, "budget_training_hours": 12.5}
    (err,) = issues
    assert (err.row, err.column, err.value, err.severity) == (4, "编制床位", "many", "error")


def test_bad_yaml_and_missing_path(tmp_path):
    write(tmp_path / "hospital.yaml", "name: [unclosed\n")
    with pytest.raises(InputFileError, match="YAML"):
        read_profile(tmp_path / "hospital.yaml")
    with pytest.raises(InputFileError, match="does not exist"):
        read_hospital_files(tmp_path / "nowhere")


# ----------------------------------------------------------------------------- performance
def test_100k_row_actuals_csv_reads_fast(tmp_path):
    n = 100_000
    rng = np.random.default_rng(1)
    pd.DataFrame({"year": rng.integers(2019, 2024, n), "month": rng.integers(1, 13, n),
                  "dept_id": np.char.add("D", rng.integers(10, 50, n).astype(str)),
                  "account_id": np.char.add("6001.", rng.integers(10, 70, n).astype(str)),
                  "amount": rng.normal(1e5, 3e4, n).round(2)}).to_csv(tmp_path / "actuals.csv", index=False)
    start = time.perf_counter()
    raw = read_table(tmp_path / "actuals.csv", ACTUALS)
    elapsed = time.perf_counter() - start
    assert len(raw.df) == n and raw.issues == [] and raw.rows.iloc[-1] == n + 1
    assert elapsed < 2.0, f"reading 100k rows took {elapsed:.2f} s"


def test_issue_cap_per_column(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ISSUES_PER_COLUMN", 3)
    rows = "".join(f"2023,D01,600{i},x{i}\n" for i in range(5))
    raw = read_table(write(tmp_path / "budget.csv", "year,dept_id,account_id,original\n" + rows), BUDGET)
    errors = messages(raw, "error")
    assert [e.row for e in errors] == [None, 2, 3, 4]
    assert "2 more cells" in errors[0].problem
