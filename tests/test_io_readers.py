"""Tests of casekit.data.io.readers: files -> RawTable (formats, encodings, layouts, row numbers)."""
from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from casekit.errors import InputFileError
from casekit.data.io import frame, readers, xlsx
from casekit.data.io.readers import discover, read_hospital_files, read_profile, read_table
from casekit.data.schema.tables import TABLES

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


def test_csv_with_bare_carriage_returns_and_an_oversized_field(tmp_path):
    raw = read_table(write(tmp_path / "budget.csv", "年度,科室,科目编码,年初预算\r2023,D01,6001,5\r\x01\r"), BUDGET)
    assert raw.df["original"].tolist()[0] == 5.0 and raw.rows.tolist() == [2, 3]
    assert {(i.row, i.value) for i in raw.errors} == {(3, "\x01")}
    text = "年度,科室,科目编码,年初预算\n" + "2023,D01,6001,5\n" * 3000 + "2023," + "x" * 200_000 + ",1,2,3,4\n"
    with pytest.raises(InputFileError, match="could not be read as a delimited text file"):
        read_table(write(tmp_path / "b.csv", text), BUDGET)


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
    assert profile == {"name": "J医院", "tier": "secondary", "currency_unit": "ten_thousands", "beds": 300,
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


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BOMB = '<!DOCTYPE {root} [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
XXE = '<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def handmade_xlsx(path: Path, sheet: str, strings: list[str] = (), *, date1904: bool = False,
                  doctype: dict[str, str] | None = None) -> Path:
    """A workbook written part by part as Excel writes it: shared strings, styles with a custom
    ``0000`` format (style 1), a date (2), a time (3), relative relationship targets.
    ``doctype`` maps a part name to a DOCTYPE put in front of its root element."""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                       f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><workbookPr date1904="{int(date1904)}"/>'
                           '<sheets><sheet name="预算" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'),
        "xl/styles.xml": (f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0000"/>'
                          '</numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/>'
                          '<xf numFmtId="21"/></cellXfs></styleSheet>'),
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">' + "".join(f"<si>{s}</si>" for s in strings) + "</sst>",
        "xl/worksheets/sheet1.xml": sheet,
    }
    for part, decl in (doctype or {}).items():
        parts[part] = decl + parts[part]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text)
    return path


EXCEL_SHEET = (
    '<x:worksheet xmlns:x="' + MAIN + '"><x:sheetData>'
    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
    '<x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="E1" t="inlineStr"><x:is><x:t xml:space="preserve"> 备注 </x:t>'
    '</x:is></x:c></x:row>'
    # row 2 absent (blank); row 3: plain numbers, a 0000-formatted code, a date, a time
    '<x:row r="3"><x:c r="A3"><x:v>2023</x:v></x:c><x:c r="B3" s="1"><x:v>101</x:v></x:c>'
    '<x:c r="C3"><x:v>1000.5</x:v></x:c><x:c r="D3" s="2"><x:v>45108</x:v></x:c><x:c r="E3" s="3"><x:v>0.5</x:v>'
    '</x:c></x:row>'
    # a row without r: row 4; cells without r follow the previous one
    '<x:row><x:c r="A4" t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#REF!</x:v></x:c><x:c><x:f>SUM(A1)</x:f>'
    '<x:v>-3.0</x:v></x:c><x:c><x:f>C3*2</x:f></x:c><x:c t="str"><x:f>""</x:f><x:v></x:v></x:c></x:row>'
    '<x:row r="5"><x:c r="A5" t="s"><x:v>3</x:v></x:c><x:c r="B5" t="d"><x:v>2023-07-01T08:30:00</x:v></x:c>'
    '<x:c r="C5"><x:v>1E+20</x:v></x:c><x:c r="D5"><x:v>0.1</x:v></x:c><x:c r="E5" s="1"><x:v>12345</x:v></x:c>'
    '</x:row><x:row r="6"><x:c r="B6" t="s"><x:v>4</x:v></x:c></x:row>'
    '</x:sheetData><x:mergeCells count="2"><x:mergeCell ref="A5:A6"/><x:mergeCell ref="B6:XFD1048576"/>'
    '</x:mergeCells></x:worksheet>')
EXCEL_STRINGS = ["<t>年度</t>", "<r><t>科</t></r><r><rPr><b/></rPr><t>室</t></r><rPh sb=\"0\" eb=\"1\"><t>カ</t></rPh>",
                 "<t>D01_x000D__x005F_x0041_</t>", "<t>合并</t>", "<t>下</t>"]


@pytest.mark.parametrize("date1904", [False, True])
def test_excel_written_parts_read_cell_by_cell(tmp_path, date1904):
    book = handmade_xlsx(tmp_path / "e.xlsx", EXCEL_SHEET, EXCEL_STRINGS, date1904=date1904)
    with xlsx.Workbook(book) as wb:
        assert wb.sheet_names == ["预算"]
        cells = wb.read_sheet("预算")
    date = "2027-07-02" if date1904 else "2023-07-01"               # the 1904 system counts 1,462 days later
    assert cells.rows == [
        ["年度", "科室", "D01\r_x0041_", "", " 备注 "],                # rich text joined, phonetic run left out
        [],
        ["2023", "101", "1000.5", date, "12:00:00"],
        ["true", "#REF!", "-3", "", ""],
        ["合并", "2023-07-01 08:30:00", "1e+20", "0.1", "12345"],
        ["合并", "下", "下", "下", "下"],                               # merges clipped to the cells present
    ]
    assert cells.formatted == {(2, 1): "0101"}                       # 12345 already shows all its digits
    assert cells.no_value == {(3, 3), (3, 4)}


def test_excel_written_workbook_reads_as_a_table(tmp_path):
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
             '<c r="D1" t="s"><v>3</v></c></row>'
             '<row r="2"><c r="A2"><v>2023</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" s="1"><v>7</v></c>'
             '<c r="D2"><f>1+1</f></c></row></sheetData></worksheet>')
    book = handmade_xlsx(tmp_path / "预算.xlsx", sheet, ["<t>年度</t>", "<t>科室</t>", "<t>科目编码</t>",
                                                        "<t>年初预算</t>", "<t>D01</t>"])
    raw = read_table(book, BUDGET)
    assert raw.df[["year", "dept_id", "account_id"]].astype(str).values.tolist() == [["2023", "D01", "0007"]]
    assert [(i.row, i.column, i.problem) for i in raw.errors] == [
        (2, "年初预算", "formula without a saved result (the workbook was never calculated)")]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
                                  "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"])
@pytest.mark.parametrize("declaration", [BOMB, XXE])
def test_every_xml_part_refuses_entities_and_dtds(tmp_path, part, declaration):
    root = {"xl/worksheets/sheet1.xml": "worksheet", "xl/sharedStrings.xml": "sst", "xl/styles.xml": "styleSheet",
            "xl/workbook.xml": "workbook"}.get(part, "Relationships")
    book = handmade_xlsx(tmp_path / "b.xlsx", EXCEL_SHEET, EXCEL_STRINGS, doctype={part: declaration.format(root=root)})
    with pytest.raises(InputFileError, match="billion laughs") as info:
        read_hospital_files(book)
    assert "b.xlsx" in str(info.value)


def test_excel_refused_whatever_openpyxl_parses_with(tmp_path, monkeypatch):
    """casekit's own parsers carry the protections; openpyxl's XML settings do not matter."""
    import xml.etree.ElementTree as ET

    from openpyxl.xml import functions

    monkeypatch.setattr(functions, "iterparse", ET.iterparse)
    monkeypatch.setattr(functions, "fromstring", ET.fromstring)
    book = handmade_xlsx(tmp_path / "b.xlsx", EXCEL_SHEET, EXCEL_STRINGS,
                         doctype={"xl/sharedStrings.xml": BOMB.format(root="sst")})
    with pytest.raises(InputFileError, match="billion laughs"):
        read_table(book, BUDGET)


def test_damaged_sheet_xml_is_an_input_file_error(tmp_path):
    for sheet, strings in ((f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1">', []),
                           (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>9</v></c></row>'
                            '</sheetData></worksheet>', ["<t>x</t>"]),
                           (f'<worksheet xmlns="{MAIN}"><sheetData><row r="2000000"><c r="A1"><v>1</v></c></row>'
                            '</sheetData></worksheet>', [])):
        book = handmade_xlsx(tmp_path / "d.xlsx", sheet, strings)
        with pytest.raises(InputFileError, match=r"d\.xlsx\[预算\] could not be read as an Excel workbook"):
            read_table(book, BUDGET)


def _openpyxl_text(value) -> str:
    """What casekit's reader must give for a value openpyxl reads (the former reader's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")     # openpyxl, on serials beyond year 9999
def test_cells_agree_with_openpyxl(tmp_path):
    rng = np.random.default_rng(3)
    wb = openpyxl.Workbook()
    ws = wb.active
    pool = [0, -7, 2**40, 0.1, -1234.5678, 1e20, 1e-7, 3.0, True, False, "文本", " pad ", "0101", "#N/A",
            dt.datetime(2024, 2, 29, 13, 5, 7), dt.datetime(2023, 1, 1), dt.date(1999, 12, 31), dt.time(8, 30), None]
    formats = ["General", "0.00", "yyyy-mm-dd", "0.0%", "#,##0", "h:mm", "[h]:mm:ss", "000000"]
    for r in range(1, 41):
        for c in range(1, 9):
            value = pool[rng.integers(len(pool))]
            cell = ws.cell(r, c, value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = formats[rng.integers(len(formats))]
    wb.save(tmp_path / "o.xlsx")
    expected = [[_openpyxl_text(v) for v in row]
                for row in openpyxl.load_workbook(tmp_path / "o.xlsx", read_only=True, data_only=True).active.values]
    with xlsx.Workbook(tmp_path / "o.xlsx") as book:
        rows = book.read_sheet("Sheet").rows
    assert [row + [""] * (8 - len(row)) for row in rows] == expected


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
    assert profile == {"name": "J医院", "tier": "tertiary", "currency_unit": "units", "beds": 500}
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
def test_100k_row_actuals_csv_reads_every_row(tmp_path):
    n = 100_000
    rng = np.random.default_rng(1)
    pd.DataFrame({"year": rng.integers(2019, 2024, n), "month": rng.integers(1, 13, n),
                  "dept_id": np.char.add("D", rng.integers(10, 50, n).astype(str)),
                  "account_id": np.char.add("6001.", rng.integers(10, 70, n).astype(str)),
                  "amount": rng.normal(1e5, 3e4, n).round(2)}).to_csv(tmp_path / "actuals.csv", index=False)
    raw = read_table(tmp_path / "actuals.csv", ACTUALS)
    # speed is measured in benchmarks/bench_speed.py, not asserted here
    assert len(raw.df) == n and raw.issues == [] and raw.rows.iloc[-1] == n + 1


def test_issue_cap_per_column(tmp_path, monkeypatch):
    monkeypatch.setattr(frame, "MAX_ISSUES_PER_COLUMN", 3)
    rows = "".join(f"2023,D01,600{i},x{i}\n" for i in range(5))
    raw = read_table(write(tmp_path / "budget.csv", "year,dept_id,account_id,original\n" + rows), BUDGET)
    errors = messages(raw, "error")
    assert [e.row for e in errors] == [None, 2, 3, 4]
    assert "2 more cells" in errors[0].problem
