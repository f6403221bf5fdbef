"""Write the bad-input corpus: ``<root>/<case>/hospital/...`` plus ``expected.yaml`` per case.

Each case is a tiny, valid hospital (:data:`BASE`: three departments, four accounts, one year
of budget and two months of actuals, amounts in yuan, no warnings) plus *one* defect of the
kind finance offices send, or an attacker crafts: a GBK export, a totals row, text in an amount
column, a workbook with a billion-laughs entity, a 50 MB profile, a 40 MB cell, a control
character in a name, a symbolic link to another client's folder ... :attr:`Case.expected` says
what ``casekit validate`` must do with it (exit code, whether the hospital loads, the substrings
the user must see, and issues that must be reported with file, row and column).
``tests/test_bad_inputs.py`` generates each case into a temporary folder when it runs it, so
nothing large is stored in the repository. To look at the cases::

    python tests/bad_inputs/make_corpus.py /tmp/bad_inputs
    casekit validate /tmp/bad_inputs/gbk_csv/hospital
"""
from __future__ import annotations

import io
import os
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# ----------------------------------------------------------------------------- the valid base
PROFILE = "name: Bad-input test hospital\ntier: secondary\ncurrency_unit: yuan\nbeds: 300\n"
DEPARTMENTS = ("dept_id,name,type\n"
               "D01,Internal medicine,clinical\n"
               "D02,Surgery,clinical\n"
               "D03,Finance office,administrative\n")
ACCOUNTS = ("account_id,name,direction,category\n"
            "4001,Outpatient revenue,revenue,outpatient\n"
            "4002,Inpatient revenue,revenue,inpatient\n"
            "5001,Drugs,expense,drugs\n"
            "5002,Personnel,expense,personnel\n")
# (dept, account, original, adjusted or "")
BUDGET_LINES = [
    ("D01", "4001", 3000000, 3200000), ("D01", "4002", 5000000, ""), ("D01", "5001", 1800000, ""),
    ("D01", "5002", 2400000, ""), ("D02", "4001", 1500000, ""), ("D02", "4002", 6000000, ""),
    ("D02", "5001", 2200000, 2300000), ("D02", "5002", 2600000, ""), ("D03", "5002", 900000, ""),
]
BUDGET_HEADER = "year,dept_id,account_id,original,adjusted\n"


def budget_rows(year: int = 2024, scale: float = 1.0) -> list[str]:
    """Budget rows (no header) in the base order; ``scale`` converts units."""
    def fmt(v):
        return "" if v == "" else f"{v * scale:.12g}"
    return [f"{year},{d},{a},{fmt(o)},{fmt(adj)}\n" for d, a, o, adj in BUDGET_LINES]


BUDGET = BUDGET_HEADER + "".join(budget_rows())
ACTUALS_HEADER = "year,month,dept_id,account_id,amount\n"


def actual_rows(year: int = 2024) -> list[str]:
    """Two months of actuals, about 1/12 of each line's budget (January 95%, February 105%)."""
    rows = []
    for month, factor in ((1, 0.95), (2, 1.05)):
        for d, a, o, _ in BUDGET_LINES:
            rows.append(f"{year},{month},{d},{a},{round(o / 12 * factor)}\n")
    return rows


ACTUALS = ACTUALS_HEADER + "".join(actual_rows())


def full_year_actuals(year: int = 2024) -> str:
    """Twelve months of actuals (1/12 of each line's budget a month): a complete year, so ``casekit run`` can diagnose."""
    return ACTUALS_HEADER + "".join(f"{year},{month},{d},{a},{round(o / 12)}\n"
                                    for month in range(1, 13) for d, a, o, _ in BUDGET_LINES)
BASE: dict[str, str] = {"hospital.yaml": PROFILE, "departments.csv": DEPARTMENTS, "accounts.csv": ACCOUNTS,
                        "budget.csv": BUDGET, "actuals.csv": ACTUALS}

SURVEY_ITEMS = ("item_id,construct,text_en\n"
                "Q1,participation,My department takes part in preparing the budget\n"
                "Q2,supervision,Budget execution is reported to us every month\n")


def survey_responses(rows: list[tuple[str, str, str, str, str]]) -> str:
    return "respondent_id,role,dept_id,item_id,answer\n" + "".join(",".join(r) + "\n" for r in rows)


GOOD_RESPONSES = [("R01", "director", "D01", "Q1", "4"), ("R01", "director", "D01", "Q2", "3"),
                  ("R02", "nurse", "D02", "Q1", "2"), ("R02", "nurse", "D02", "Q2", "5")]


# ----------------------------------------------------------------------------- Excel helpers
def _deterministic(xlsx: bytes) -> bytes:
    """Re-zip a workbook with fixed timestamps and document dates (reproducible bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic(buf.getvalue())


def _csv_rows(text: str) -> list[list[object]]:
    """CSV text to rows, numbers as numbers (as Excel would store them)."""
    out = []
    for line in text.strip("\n").split("\n"):
        row: list[object] = []
        for cell in line.split(","):
            try:
                row.append(int(cell))
            except ValueError:
                row.append(cell if cell else None)
        out.append(row)
    return out


def workbook(sheets: dict[str, str]) -> Callable[[], bytes]:
    """A workbook with one sheet per (name -> CSV text)."""
    def make() -> bytes:
        import openpyxl
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, text in sheets.items():
            ws = wb.create_sheet(name)
            for row in _csv_rows(text):
                ws.append(row)
        return _save(wb)
    return make


def budget_with_title_and_two_row_header() -> bytes:
    """预算 sheet as exported by a finance system: merged title, unit line, two-row header."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "预算"
    ws.append(["2024年度科室预算表"])
    ws.merge_cells("A1:E1")
    ws.append(["编制单位：某区人民医院", None, None, "单位：元"])
    ws.append(["年度", "科室", "科目", "预算数", None])
    ws.append([None, None, None, "年初", "调整后"])
    ws.merge_cells("D3:E3")
    for col in "ABC":
        ws.merge_cells(f"{col}3:{col}4")
    for d, a, o, adj in BUDGET_LINES:
        ws.append([2024, d, a, o, adj if adj != "" else None])
    return _save(wb)


def workbook_with_uncalculated_formula() -> bytes:
    """budget.xlsx whose last amount is a formula that was never calculated (no cached value)."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "budget"
    for row in _csv_rows(BUDGET):
        ws.append(row)
    ws["D10"] = "=D9*1"
    return _save(wb)


_ENTITIES = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
"""Nested entity declarations: ``&lol9;`` expands to 10**9 * 3 bytes."""


def billion_laughs_workbook() -> bytes:
    """A workbook whose sharedStrings.xml declares nested entities (the 'billion laughs' attack).

    openpyxl writes inline strings, so the shared-strings part, its content type, its
    relationship and a cell that uses it (``A2`` = shared string 0) are added by hand. Expanded,
    ``&lol9;`` would be 10**9 * 3 bytes; defusedxml must refuse the entity declarations instead.
    """
    base = workbook({"departments": DEPARTMENTS})()
    bomb = (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [{_ENTITIES}]>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            '<si><t>&lol9;</t></si></sst>').encode()
    return _with_shared_strings(base, bomb)


def _with_shared_strings(base: bytes, strings: bytes) -> bytes:
    """Add a shared-strings part (``strings``), its content type and relationship, and make A2 use string 0."""
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    edits = {
        "[Content_Types].xml": lambda x: x.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}.sharedStrings+xml"/>'
            "</Types>".encode()),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(
            b"</Relationships>", f'<Relationship Type="{rel}" Target="sharedStrings.xml" Id="rId9"/>'
            "</Relationships>".encode()),
        "xl/worksheets/sheet1.xml": lambda x: re.sub(rb'<c r="A2" t="inlineStr"><is><t>D01</t></is></c>',
                                                     b'<c r="A2" t="s"><v>0</v></c>', x),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            data = edits.get(info.filename, lambda x: x)(data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
        dst.writestr(zipfile.ZipInfo("xl/sharedStrings.xml", date_time=(2026, 1, 1, 0, 0, 0)), strings,
                     compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_bomb_workbook() -> bytes:
    """A workbook whose first worksheet XML declares nested entities and uses them in a cell."""
    base = workbook({"budget": BUDGET})()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", f"<!DOCTYPE worksheet [{_ENTITIES}]><worksheet".encode(), 1)
                data = data.replace(b"<t>D01</t>", b"<t>&lol9;</t>", 1)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def password_protected_xlsx() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE2 compound file, not a zip."""
    return bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")


def truncated_xlsx() -> bytes:
    """A workbook cut off half-way (an interrupted download or e-mail attachment)."""
    data = workbook({"budget": BUDGET})()
    return data[: len(data) // 2]


def _rezip(base: bytes, edit: Callable[[str, bytes], bytes], *, method: int = zipfile.ZIP_DEFLATED,
           flag_bits: int = 0, only: str | None = None) -> bytes:
    """Copy a workbook, passing each part through ``edit``; ``method`` / ``flag_bits`` mark the part ``only``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = edit(info.filename, src.read(info.filename))
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    if only is None:
        return out.getvalue()
    return _mark_entry(out.getvalue(), only, method, flag_bits)


def _mark_entry(data: bytes, name: str, method: int, flag_bits: int) -> bytes:
    """Rewrite the compression method and flag bits of entry ``name`` in both zip headers (bytes unchanged)."""
    buf = bytearray(data)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 26), (b"PK\x01\x02", 28)):
        start = 0
        while (pos := buf.find(signature, start)) >= 0:
            n = int.from_bytes(buf[pos + offset:pos + offset + 2], "little")
            header = 30 if signature == b"PK\x03\x04" else 46
            if buf[pos + header:pos + header + n] == encoded:
                flags_at, method_at = (6, 8) if signature == b"PK\x03\x04" else (8, 10)
                flags = int.from_bytes(buf[pos + flags_at:pos + flags_at + 2], "little") | flag_bits
                buf[pos + flags_at:pos + flags_at + 2] = flags.to_bytes(2, "little")
                buf[pos + method_at:pos + method_at + 2] = method.to_bytes(2, "little")
            start = pos + 4
    return bytes(buf)


SHEET = "xl/worksheets/sheet1.xml"


def huge_cell_workbook() -> bytes:
    """budget.xlsx whose first data cell holds 40 MB of text (it zips to about 40 KB)."""
    cell = b'<c r="B2" t="inlineStr"><is><t>' + b"x" * 40_000_000 + b"</t></is></c>"
    return _rezip(workbook({"departments": DEPARTMENTS})(),
                  lambda name, data: re.sub(rb'<c r="B2" t="inlineStr"><is><t>[^<]*</t></is></c>', lambda m: cell, data)
                  if name == SHEET else data)


def huge_shared_string_workbook() -> bytes:
    """departments.xlsx whose shared string 0 (used by a cell) holds 40 MB of text."""
    bomb = (b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" count="1" uniqueCount="1"><si><t>' + b"y" * 40_000_000 + b"</t></si></sst>")
    return _with_shared_strings(workbook({"departments": DEPARTMENTS})(), bomb)


def encrypted_entry_workbook() -> bytes:
    """budget.xlsx whose sheet part carries the zip 'encrypted' flag (a zip password, not Excel's own)."""
    return _rezip(workbook({"budget": BUDGET})(), lambda name, data: data, only=SHEET, flag_bits=0x1)


def deflate64_workbook() -> bytes:
    """budget.xlsx whose sheet part claims compression method 9 (Deflate64), as some zip tools write."""
    return _rezip(workbook({"budget": BUDGET})(), lambda name, data: data, only=SHEET, method=9)


def parquet_departments_with_nul() -> bytes:
    """departments.parquet whose code column holds a NUL character (``D0\\x001``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"dept_id": ["D0\x001", "D02", "D03"], "name": ["Internal medicine", "Surgery", "Finance office"],
                      "type": ["clinical", "clinical", "administrative"]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _yaml_bomb() -> str:
    """A 562-byte profile whose name is nine levels of nine aliases (9**9 strings once expanded)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\nname: *i\ntier: secondary\ncurrency_unit: yuan\n"


def _other_client(hospital: Path) -> Path:
    """A second client's folder beside the case's hospital (what a link must not pull in)."""
    other = hospital.parent / "other_client"
    other.mkdir(exist_ok=True)
    (other / "budget.csv").write_text(BUDGET.replace("3000000", "9999999"), encoding="utf-8")
    (other / "hospital.yaml").write_text(PROFILE.replace("Bad-input test hospital", "Other client"), encoding="utf-8")
    return other


def link_budget_outside(hospital: Path) -> None:
    (hospital / "budget.csv").symlink_to(Path("..") / "other_client" / "budget.csv")
    _other_client(hospital)


def link_profile_outside(hospital: Path) -> None:
    (hospital / "hospital.yaml").symlink_to(_other_client(hospital) / "hospital.yaml")


def link_inside(hospital: Path) -> None:
    (hospital / "data").mkdir()
    (hospital / "budget.csv").rename(hospital / "data" / "budget_2024.csv")
    (hospital / "budget.csv").symlink_to(Path("data") / "budget_2024.csv")


def fifo_actuals(hospital: Path) -> None:
    os.mkfifo(hospital / "actuals.csv")


def _huge_profile(hospital: Path) -> None:
    """hospital.yaml with a 50 MB name, written in chunks."""
    with open(hospital / "hospital.yaml", "w", encoding="utf-8") as fh:
        fh.write(PROFILE.replace("name: Bad-input test hospital\n", "") + "name: ")
        for _ in range(50):
            fh.write("n" * 1_000_000)
        fh.write("\n")


# ----------------------------------------------------------------------------- cases
@dataclass
class Case:
    """One corpus case: files that differ from :data:`BASE` and what casekit must do."""

    name: str
    description: str
    files: dict[str, object] = field(default_factory=dict)
    expected: dict = field(default_factory=dict)
    input: str = "hospital"
    base: bool = True
    setup: Callable[[Path], None] | None = None
    """Called with the hospital folder after the files are written (links, FIFOs, large files)."""


def warns(*messages: str, issues: list[dict] | None = None, **extra) -> dict:
    """Expectation of a case that loads with warnings."""
    return {"exit_code": 0, "loads": True, "severity": "warning", "messages": list(messages),
            "issues": issues or [], **extra}


def fails(*messages: str, issues: list[dict] | None = None, load_error: str = "DataValidationError", **extra) -> dict:
    """Expectation of a case that is refused with a clear error."""
    return {"exit_code": 1, "loads": False, "severity": "error", "messages": list(messages),
            "issues": issues or [], "load_error": load_error, **extra}


def clean(**extra) -> dict:
    """Expectation of a case that loads without any issue."""
    return {"exit_code": 0, "loads": True, "severity": "none", "messages": ["OK"], "issues": [], **extra}


def _issue(file: str, row: int | None = None, column: str | None = None, value: str | None = None,
           severity: str = "error", problem: str | None = None) -> dict:
    d = {"file": file, "row": row, "column": column, "value": value, "severity": severity, "problem": problem}
    return {k: v for k, v in d.items() if v is not None}


GBK_DEPARTMENTS = "科室编码,科室名称,科室类型\nD01,内科,临床\nD02,外科,临床\nD03,财务科,行政\n"
BUDGET_TOTALS = (BUDGET_HEADER + "".join(budget_rows()[:4])
                 + "2024,D01小计,,12200000,\n"                 # 3,000,000 + 5,000,000 + 1,800,000 + 2,400,000
                 + "".join(budget_rows()[4:])
                 + "2024,合计,,25400000,\n")                    # all nine lines
BUDGET_BAD_SUBTOTAL = BUDGET_TOTALS.replace("D01小计,,12200000", "D01小计,,12500000")

CASES: list[Case] = [
    # ------------------------------------------------------------------ reading
    Case("gbk_csv", "departments.csv saved by Excel on Chinese Windows: GBK, Chinese headers and values",
         {"departments.csv": GBK_DEPARTMENTS.encode("gbk")},
         warns("departments.csv", "not UTF-8", "GB18030",
               issues=[_issue("departments.csv", severity="warning", problem="read as GB18030")],
               values={"departments.name": ["内科", "外科", "财务科"]})),
    Case("gb18030_csv", "GB18030 text with a character outside GBK (U+3400 in a department name)",
         {"departments.csv": GBK_DEPARTMENTS.replace("财务科", "㐀财务科").encode("gb18030")},
         warns("departments.csv", "GB18030", values={"departments.name": ["内科", "外科", "㐀财务科"]})),
    Case("utf8_bom_csv", "budget.csv as 'CSV UTF-8' from Excel: byte-order mark before a Chinese header. The BOM "
         "states the encoding, so nothing is assumed and no warning is due; the first header must still match.",
         {"budget.csv": "\ufeff" + BUDGET.replace("year,", "年度,", 1)},
         clean(values={"budget.year": [2024] * 9})),
    Case("utf16_tab_text", "Excel 'Unicode text' export: UTF-16 with BOM, tab-delimited",
         {"accounts.csv": ACCOUNTS.replace(",", "\t").encode("utf-16")},
         clean(values={"accounts.account_id": ["4001", "4002", "5001", "5002"]})),
    Case("empty_file", "actuals.csv is 0 bytes (an export that failed)",
         {"actuals.csv": b""},
         fails("actuals.csv", "no data rows", "Fill in at least one row",
               issues=[_issue("actuals.csv", problem="table 'actuals' has no data rows")])),
    Case("header_only", "budget.csv has its header but no rows",
         {"budget.csv": BUDGET_HEADER},
         fails("budget.csv", "no data rows", issues=[_issue("budget.csv", problem="has no data rows")])),
    Case("missing_required_table", "accounts.csv was not sent",
         {"accounts.csv": None},
         fails("required table 'accounts'", "accounts.csv", "科目.csv",
               issues=[_issue("accounts.csv", problem="required table 'accounts' (科目) is missing")])),
    Case("wrong_delimiter", "departments.csv delimited with '|' (a regional export setting)",
         {"departments.csv": DEPARTMENTS.replace(",", "|")},
         fails("departments.csv", "separated by '|'", "CSV UTF-8",
               issues=[_issue("departments.csv", column="dept_id|name|type", problem="the header is one cell")],
               absent=["is not in departments.csv"])),
    Case("xlsx_named_csv", "budget.csv is really an Excel workbook renamed to .csv",
         {"budget.csv": workbook({"budget": BUDGET})},
         fails("budget.csv", "is an Excel workbook", "rename it to budget.xlsx", load_error="InputFileError")),
    Case("missing_profile", "hospital.yaml was not sent",
         {"hospital.yaml": None},
         fails("hospital profile is missing", "hospital.yaml", "currency_unit",
               issues=[_issue("hospital profile", problem="the hospital profile is missing")])),
    Case("duplicate_table_files", "budget given twice: budget.csv and 预算.csv",
         {"预算.csv": BUDGET},
         fails("several files hold budget", "keep one file per table",
               issues=[_issue("budget.csv", problem="several files hold budget")])),
    # ------------------------------------------------------------------ Excel
    Case("excel_title_two_row_header", "预算.xlsx with a merged title row, a unit line and a two-row header "
         "(预算数 over 年初 / 调整后) with merged cells",
         {"budget.csv": None, "预算.xlsx": budget_with_title_and_two_row_header},
         clean(values={"budget.original": [float(o) for _, _, o, _ in BUDGET_LINES]})),
    Case("excel_no_known_sheets", "a finance workbook that is not a hospital data workbook (sheets Sheet1, 工资表)",
         {"finance_export.xlsx": workbook({"Sheet1": "a,b\n1,2\n", "工资表": "姓名,工资\n张三,5000\n"})},
         fails("finance_export.xlsx:Sheet1:", "sheet name matches no table", "中没有必填表“科室”的工作表",
               issues=[_issue("finance_export.xlsx[工资表]", severity="warning", problem="matches no table")]),
         input="hospital/finance_export.xlsx", base=False),
    Case("excel_oversized", "a workbook above the size limit (the limit is set to 2000 bytes for this case with "
         "the environment variable CASEKIT_MAX_EXCEL_BYTES)",
         {"budget.csv": None, "budget.xlsx": workbook({"budget": BUDGET})},
         fails("budget.xlsx", "above the 2,000 bytes limit", "CASEKIT_MAX_EXCEL_BYTES", load_error="InputFileError",
               env={"CASEKIT_MAX_EXCEL_BYTES": "2000"})),
    Case("excel_xml_bomb", "departments.xlsx whose sharedStrings.xml holds a billion-laughs entity bomb: "
         "must be refused by defusedxml, never expanded",
         {"departments.csv": None, "departments.xlsx": billion_laughs_workbook},
         fails("departments.xlsx", "billion laughs", "refused", load_error="InputFileError")),
    Case("excel_xml_bomb_sheet", "budget.xlsx whose worksheet XML carries a DOCTYPE with nested entities",
         {"budget.csv": None, "budget.xlsx": sheet_bomb_workbook},
         fails("budget.xlsx", "billion laughs", "refused", load_error="InputFileError")),
    Case("excel_password_protected", "budget.xlsx protected with a password (Excel then writes an OLE2 "
         "container, not a zip)",
         {"budget.csv": None, "budget.xlsx": password_protected_xlsx},
         fails("budget.xlsx", "password", "save it again as .xlsx", load_error="InputFileError")),
    Case("excel_truncated", "budget.xlsx cut off half-way (interrupted download)",
         {"budget.csv": None, "budget.xlsx": truncated_xlsx},
         fails("budget.xlsx", "not a valid .xlsx workbook", load_error="InputFileError")),
    Case("excel_old_xls", "an Excel 97-2003 .xls file",
         {"budget.csv": None, "budget.xls": bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504},
         fails("budget.xls", "Excel 97-2003", "save it as .xlsx", load_error="InputFileError")),
    Case("excel_formula_not_calculated", "budget.xlsx with a formula written by a script and never calculated",
         {"budget.csv": None, "budget.xlsx": workbook_with_uncalculated_formula},
         fails("budget.xlsx", "formula without a saved result", "let it calculate",
               issues=[_issue("budget.xlsx", row=10, column="original")])),
    # ------------------------------------------------------------------ rows
    Case("blank_rows", "actuals.csv with blank lines and rows of empty cells between the data",
         {"actuals.csv": ACTUALS_HEADER + "\n" + "".join(actual_rows()[:9]) + ",,,,\n\n" + "".join(actual_rows()[9:])
          + ",,,,\n"},
         clean(rows={"actuals": 18})),
    Case("totals_rows", "budget.csv with a department subtotal (小计) and a grand total (合计) that add up",
         {"budget.csv": BUDGET_TOTALS},
         warns("total/subtotal row excluded", "合计",
               issues=[_issue("budget.csv", row=6, severity="warning", problem="total/subtotal row excluded"),
                       _issue("budget.csv", row=12, severity="warning", problem="total/subtotal row excluded")],
               absent=["does not add up"])),
    Case("subtotal_mismatch", "budget.csv whose D01 subtotal (12,500,000) is not the sum of its four lines "
         "(12,200,000): a data-quality finding",
         {"budget.csv": BUDGET_BAD_SUBTOTAL},
         warns("does not add up", "12,500,000", "12,200,000",
               issues=[_issue("budget.csv", row=6, column="original", severity="warning",
                              problem="does not add up")])),
    Case("footnote_rows", "actuals.csv with a note and a preparer line under the table",
         {"actuals.csv": ACTUALS + "注：2月数据为快报数,,,,\n制表人：张三,,,,\n"},
         warns("note row below or inside the table was ignored",
               issues=[_issue("actuals.csv", row=20, severity="warning")])),
    # ------------------------------------------------------------------ values
    Case("number_formats", "thousands separators, ¥, full-width digits, accounting negatives and a percentage "
         "in a rate column",
         {"budget.csv": BUDGET_HEADER + "".join(budget_rows()[:6])
          + '2024,D02,5001,"2,200,000.00","¥2,300,000"\n'
          + "2024,D02,5002,２６０００００,\n"
          + '2024,D03,5002,"900,000",\n',
          "performance.csv": "year,dept_id,appraisal_score,budget_weight\n2024,D01,88.5,10%\n2024,D02,９１,12.5%\n"},
         clean(values={"budget.original": [float(o) for _, _, o, _ in BUDGET_LINES],
                       "performance.budget_weight": [0.10, 0.125]})),
    Case("text_in_numeric", "an amount written as text (待定, 'to be decided')",
         {"actuals.csv": ACTUALS.replace("2024,2,D01,5001,157500", "2024,2,D01,5001,待定")},
         fails("actuals.csv", "amount", "待定", "not a number", "write a number",
               issues=[_issue("actuals.csv", row=13, column="amount", value="待定", problem="not a number")])),
    Case("unit_in_amount", "an amount with a unit (12万元) although the unit is declared in the profile",
         {"actuals.csv": ACTUALS.replace("2024,2,D03,5002,78750", "2024,2,D03,5002,7.9万元")},
         fails("actuals.csv", "7.9万元", "currency_unit",
               issues=[_issue("actuals.csv", row=19, column="amount", value="7.9万元")])),
    Case("excel_error_value", "a #REF! left by a broken formula in an exported CSV",
         {"budget.csv": BUDGET.replace("2024,D02,4001,1500000,", "2024,D02,4001,#REF!,")},
         fails("budget.csv", "#REF!", "Excel error value",
               issues=[_issue("budget.csv", row=6, column="original", value="#REF!")])),
    Case("huge_whole_number", "regression (found by tests/test_fuzz_loaders.py): a year of 20 digits crashed the "
         "integer parser with a TypeError; it is now an error naming the cell",
         {"budget.csv": BUDGET.replace("2024,D03,5002,", "20240000000000000000,D03,5002,"),
          "hospital.yaml": PROFILE.replace("beds: 300", "beds: 300000000000000000000")},
         fails("budget.csv", "whole number too large", "20240000000000000000", "beds",
               issues=[_issue("budget.csv", row=10, column="year", value="20240000000000000000")])),
    Case("duplicate_keys", "the same budget line twice",
         {"budget.csv": BUDGET + "2024,D01,5001,100000,\n"},
         fails("budget.csv", "duplicate key", "rows 4 and 11", "Keep one row per key",
               issues=[_issue("budget.csv", row=4, problem="duplicate key")])),
    Case("unknown_department", "actuals for department D99, not in departments.csv",
         {"actuals.csv": ACTUALS + "2024,2,D99,5001,1000\n"},
         fails("actuals.csv", "D99", "departments.csv", "row 20",
               issues=[_issue("actuals.csv", row=20, column="dept_id", value="D99")])),
    Case("unknown_account", "a budget line for account 9999, not in accounts.csv",
         {"budget.csv": BUDGET + "2024,D01,9999,10000,\n"},
         fails("budget.csv", "9999", "accounts.csv",
               issues=[_issue("budget.csv", row=11, column="account_id", value="9999")])),
    Case("month_zero", "month 0 in the actuals",
         {"actuals.csv": ACTUALS.replace("2024,1,D03,5002,", "2024,0,D03,5002,")},
         fails("actuals.csv", "[1, 12]", issues=[_issue("actuals.csv", row=10, column="month", value="0")])),
    Case("month_thirteen", "month 13 in the actuals",
         {"actuals.csv": ACTUALS.replace("2024,2,D03,5002,", "2024,13,D03,5002,")},
         fails("actuals.csv", "[1, 12]", issues=[_issue("actuals.csv", row=19, column="month", value="13")])),
    Case("dept_type_not_allowed", "a department type outside the list (ward)",
         {"departments.csv": DEPARTMENTS.replace("D02,Surgery,clinical", "D02,Surgery,ward")},
         fails("departments.csv", "ward", "value not allowed", "clinical",
               issues=[_issue("departments.csv", row=3, column="type", value="ward")])),
    Case("negative_expense_budget", "an expense budget written as a negative number",
         {"budget.csv": BUDGET.replace("2024,D01,5001,1800000,", "2024,D01,5001,-1800000,")},
         fails("budget.csv", "expense budget is negative", "without a minus sign",
               issues=[_issue("budget.csv", row=4, column="original", value="-1,800,000")])),
    Case("zero_budget_with_actual", "a line with budget 0 but spending: execution rate undefined",
         {"budget.csv": BUDGET.replace("2024,D03,5002,900000,", "2024,D03,5002,0,")},
         warns("budget is 0", "no execution rate computed",
               issues=[_issue("budget.csv", row=10, column="original", severity="warning")],
               absent=["inf", "division"])),
    Case("inconsistent_units", "budget.csv in 万元 but actuals.csv in 元 (the profile says yuan)",
         {"budget.csv": BUDGET_HEADER + "".join(budget_rows(scale=1e-4))},
         fails("actuals.csv", "万元", "times the budget", "currency_unit",
               issues=[_issue("actuals.csv", column="amount", problem="times the budget")])),
    Case("year_without_actuals", "a 2025 budget but no 2025 actuals yet",
         {"budget.csv": BUDGET + "".join(budget_rows(2025))},
         warns("year 2025 has a budget but no actuals",
               issues=[_issue("budget.csv", column="year", value="2025", severity="warning")])),
    Case("mixed_monthly_annual", "actuals where one row of 2024 has no month (an annual figure among months)",
         {"actuals.csv": ACTUALS + "2024,,D03,5001,5000\n"},
         fails("mix monthly rows", "Give every row of a year a month",
               issues=[_issue("actuals.csv", row=20, column="month")])),
    Case("survey_answer_out_of_range", "a Likert answer of 6 (scale 1-5)",
         {"survey_items.csv": SURVEY_ITEMS,
          "survey_responses.csv": survey_responses(GOOD_RESPONSES[:3] + [("R02", "nurse", "D02", "Q2", "6")])},
         fails("survey_responses.csv", "[1, 5]",
               issues=[_issue("survey_responses.csv", row=5, column="answer", value="6")])),
    Case("survey_unknown_department", "a respondent whose department is not in the master list",
         {"survey_items.csv": SURVEY_ITEMS,
          "survey_responses.csv": survey_responses(GOOD_RESPONSES + [("R03", "clinical", "D42", "Q1", "3")])},
         fails("survey_responses.csv", "D42", "departments.csv",
               issues=[_issue("survey_responses.csv", row=6, column="dept_id", value="D42")])),
    # ------------------------------------------------------------------ headers
    Case("unknown_column_header", "budget.csv with an extra column 负责人 (person in charge) that casekit does not know",
         {"budget.csv": BUDGET.replace("adjusted\n", "adjusted,负责人\n").replace(",\n", ",,张三\n")
          .replace("0\n", "0,李四\n")},
         warns("负责人", "not part of table budget", "was ignored",
               issues=[_issue("budget.csv", column="负责人", severity="warning")])),
    Case("header_mapped_twice", "budget.csv with both 'original' and its alias 年初预算",
         {"budget.csv": BUDGET.replace("adjusted\n", "adjusted,年初预算\n").replace(",\n", ",,1\n")
          .replace("0\n", "0,1\n")},
         fails("budget.csv", "both mean column original", "年初预算",
               issues=[_issue("budget.csv", column="年初预算", problem="both mean column original")])),
    # ------------------------------------------------------------------ profile
    Case("yaml_invalid", "hospital.yaml that is not YAML (a tab-indented, unclosed quote)",
         {"hospital.yaml": 'name: "Bad-input test hospital\ntier: secondary\n\tcurrency_unit: yuan\n'},
         fails("hospital.yaml", "not valid YAML", "key: value", load_error="InputFileError")),
    Case("yaml_unknown_tier", "tier 'quaternary' in hospital.yaml",
         {"hospital.yaml": PROFILE.replace("tier: secondary", "tier: quaternary")},
         fails("tier", "quaternary", "tertiary, secondary or primary",
               issues=[_issue("hospital profile", column="tier", value="quaternary")])),
    # ------------------------------------------------------------------ hostile input (bounded work)
    Case("yaml_billion_laughs", "a 562-byte hospital.yaml whose name is nine levels of nested anchors: expanded it "
         "would be 387 million strings (40 s and 2.4 GB before casekit refused it)",
         {"hospital.yaml": _yaml_bomb()},
         fails("hospital.yaml", "billion laughs", "more than 10,000 values", "anchors", load_error="InputFileError")),
    Case("yaml_too_large", "a 50 MB hospital.yaml (a name of 50 million characters); refused before it is read",
         {"hospital.yaml": None},
         fails("hospital.yaml", "above the 1,000,000 bytes limit", load_error="InputFileError"), setup=_huge_profile),
    Case("yaml_deeply_nested", "a hospital.yaml nested 10,000 levels deep (a RecursionError before)",
         {"hospital.yaml": PROFILE + "extra: " + "[" * 10_000 + "]" * 10_000 + "\n"},
         fails("hospital.yaml", "nested more than 20 levels", load_error="InputFileError")),
    Case("yaml_duplicate_key", "currency_unit given twice in hospital.yaml (the last one used to win silently and "
         "multiplied every amount by 10,000)",
         {"hospital.yaml": PROFILE + "currency_unit: 10k_yuan\n"},
         fails("hospital.yaml, line 5", "'currency_unit' is given twice (first at line 3)", load_error="InputFileError")),
    Case("profile_negative_beds", "beds: -300 in hospital.yaml",
         {"hospital.yaml": PROFILE.replace("beds: 300", "beds: -300")},
         fails("hospital.yaml", "is negative", issues=[_issue("hospital.yaml", column="beds", value="-300")])),
    Case("profile_nan_assets", "total_assets: .nan in hospital.yaml",
         {"hospital.yaml": PROFILE + "total_assets: .nan\n"},
         fails("hospital.yaml", "not a finite number", issues=[_issue("hospital.yaml", column="total_assets")])),
    Case("excel_huge_cell", "departments.xlsx with a 40 MB text cell (87 s before; the reader grew the string by "
         "concatenation); refused after its first 32,767 characters",
         {"departments.csv": None, "departments.xlsx": huge_cell_workbook},
         fails("departments.xlsx, cell B2", "more than 32,767 characters", load_error="InputFileError")),
    Case("excel_huge_shared_string", "departments.xlsx whose shared string (used by a cell) is 40 MB long",
         {"departments.csv": None, "departments.xlsx": huge_shared_string_workbook},
         fails("departments.xlsx, shared string 0", "more than 32,767 characters",
               load_error="InputFileError")),
    Case("excel_encrypted_entry", "budget.xlsx whose worksheet part is zip-encrypted (a RuntimeError traceback before)",
         {"budget.csv": None, "budget.xlsx": encrypted_entry_workbook},
         fails("budget.xlsx", "xl/worksheets/sheet1.xml is encrypted", load_error="InputFileError")),
    Case("excel_deflate64", "budget.xlsx whose worksheet part uses Deflate64 compression (a NotImplementedError "
         "traceback before)",
         {"budget.csv": None, "budget.xlsx": deflate64_workbook},
         fails("budget.xlsx", "compressed with Deflate64", load_error="InputFileError")),
    Case("name_too_long", "a department name of 200,000 characters (run took 3 minutes before)",
         {"departments.csv": DEPARTMENTS.replace("Surgery", "S" * 200_000)},
         fails("departments.csv", "longer than the 200 characters allowed for a name or code",
               issues=[_issue("departments.csv", row=3, column="name", problem="longer than the 200 characters")])),
    # ------------------------------------------------------------------ hostile input (no traceback, no escape codes)
    Case("control_char_name", "a department name holding the control character U+0001 (the Excel writer crashed "
         "in run before)",
         {"departments.csv": DEPARTMENTS.replace("Surgery", "Sur\x01gery")},
         fails("departments.csv", "control character U+0001 at position 4", "delete the invisible character",
               issues=[_issue("departments.csv", row=3, column="name", problem="control character U+0001")])),
    Case("control_char_checklist", "a checklist evidence text with the control character U+001F",
         {"checklist.csv": "item_id,aspect,requirement,status,evidence\n"
                           "X1,A1,Budget committee meets quarterly,yes,Minutes 2024\x1f Q1-Q4\n"},
         fails("checklist.csv", "control character U+001F",
               issues=[_issue("checklist.csv", row=2, column="evidence", problem="control character U+001F")])),
    Case("nul_in_parquet_code", "departments.parquet whose department code holds a NUL character",
         {"departments.csv": None, "departments.parquet": parquet_departments_with_nul},
         fails("departments.parquet", "control character U+0000",
               issues=[_issue("departments.parquet", row=2, column="dept_id", problem="control character U+0000")])),
    Case("terminal_escape_header", "budget.csv with an extra header holding terminal escape sequences (clear the "
         "screen, set the window title); the console shows them escaped",
         {"budget.csv": BUDGET.replace("adjusted\n", "adjusted,\x1b[2J\x1b]0;pwned\x07note\n", 1),
          "actuals.csv": full_year_actuals()},
         warns("not part of table budget", "\\x1b[2J", absent=["\x1b"], run=True)),
    Case("mathtext_name", "department and account names written in matplotlib mathtext ($\\frac{}$, an unbalanced "
         "$): names are text, never math, in figures and the PDF",
         {"departments.csv": DEPARTMENTS.replace("Surgery", "$\\frac{}$ surgery").replace("Finance office",
                                                                                       "Finance $office"),
          "accounts.csv": ACCOUNTS.replace("Drugs", "Drugs $x^{2$"), "actuals.csv": full_year_actuals()},
         clean(values={"departments.name": ["Internal medicine", "$\\frac{}$ surgery", "Finance $office"]},
               run=True)),
    # ------------------------------------------------------------------ links and special files
    Case("symlink_outside", "budget.csv is a symbolic link to another client's budget beside the folder",
         {"budget.csv": None},
         fails("budget.csv is a symbolic link to", "outside the hospital folder", "--allow-outside-links",
               issues=[_issue("budget.csv", problem="outside the hospital folder")]), setup=link_budget_outside),
    Case("symlink_profile_outside", "hospital.yaml is a symbolic link to another client's profile",
         {"hospital.yaml": None},
         fails("hospital.yaml is a symbolic link to", "outside the hospital folder"), setup=link_profile_outside),
    Case("symlink_inside", "budget.csv is a symbolic link to a file in a sub-folder of the hospital folder: allowed",
         {}, clean(rows={"budget": 9}), setup=link_inside),
    Case("fifo_table", "actuals.csv is a FIFO (named pipe): reading it would block for ever",
         {"actuals.csv": None},
         fails("actuals.csv is a FIFO", "not a regular file", issues=[_issue("actuals.csv", problem="FIFO")]),
         setup=fifo_actuals),
    # ------------------------------------------------------------------ paths
    Case("path_does_not_exist", "the path given to casekit does not exist",
         {}, fails("does not exist", load_error="InputFileError"), input="no_such_hospital", base=False),
    Case("file_not_folder", "a text file given instead of the hospital folder",
         {"notes.txt": "Budget 2024 - see attached\n"},
         fails("notes.txt", "neither a folder nor an Excel workbook", load_error="InputFileError"),
         input="hospital/notes.txt", base=False),
]


def write_case(case: Case, root: Path) -> Path:
    """Write one case folder under ``root`` (replacing it) and return it."""
    folder = root / case.name
    if folder.exists():
        shutil.rmtree(folder)
    hospital = folder / "hospital"
    hospital.mkdir(parents=True)
    files: dict[str, object] = dict(BASE) if case.base else {}
    files.update(case.files)
    for name, spec in files.items():
        if spec is None:
            continue
        data = spec() if callable(spec) else spec
        (hospital / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if case.setup is not None:
        case.setup(hospital)
    doc = {"description": case.description, "input": case.input, **case.expected}
    (folder / "expected.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100),
                                          encoding="utf-8")
    return folder


def main(root: Path) -> int:
    """Write every case under ``root``; returns the number of cases."""
    for case in CASES:
        write_case(case, root)
    return len(CASES)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/bad_inputs/make_corpus.py OUT_DIR")
    out_dir = Path(sys.argv[1])
    sys.stdout.write(f"wrote {main(out_dir)} cases under {out_dir}\n")
