"""tables.xlsx in the report language: sheet names, index sheet, Chinese headers and values."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from casekit.report import excel
from casekit.report.excel import MAX_SHEET, localise, table_title, write_tables


def _tables() -> dict[str, pd.DataFrame]:
    findings = pd.DataFrame({"code": ["P1", "P2"], "title_en": ["Rigid budget targets", "Unscientific"],
                             "title_zh": ["预算目标刚性", "预算编制不科学"], "status": ["present", "absent"],
                             "severity": [90.0, 10.0]})
    accuracy = pd.DataFrame({"year": [2024], "direction": ["expense"], "wape": [0.115], "seasonal": [True]})
    return {"findings": findings, "accuracy_summary_basis-original_good-0.05_warning-0.1": accuracy,
            "accuracy_summary_basis-adjusted_good-0.05_warning-0.1": accuracy, "unlabelled_table": accuracy}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_index_sheet_lists_and_links_every_table(tmp_path, lang):
    tables = _tables()
    wb = openpyxl.load_workbook(write_tables(tables, tmp_path / "t.xlsx", lang=lang))
    assert len(wb.sheetnames) == 1 + len(tables) and all(len(n) <= MAX_SHEET for n in wb.sheetnames)
    index = wb[wb.sheetnames[0]]
    rows = list(index.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == wb.sheetnames[1:]
    assert [r[1] for r in rows] == list(tables)  # the raw table key, for scripts
    assert rows[1][2] == "basis-original_good-0.05_warning-0.1" and rows[1][3] == 1
    assert index.cell(row=2, column=1).hyperlink.location == f"'{wb.sheetnames[1]}'!A1"


def test_chinese_workbook_has_chinese_names_headers_and_values(tmp_path):
    wb = openpyxl.load_workbook(write_tables(_tables(), tmp_path / "t.xlsx", lang="zh"))
    assert wb.sheetnames == ["目录", "诊断结论", "预算准确度（年初预算）", "预算准确度（调整后预算）", "unlabelled_table"]
    rows = list(wb["诊断结论"].iter_rows(values_only=True))
    assert rows[0] == ("编号", "标题", "状态", "严重程度")  # title_en dropped, title_zh shown as 标题
    assert rows[1] == ("P1", "预算目标刚性", "存在", 90.0)
    acc = list(wb["预算准确度（年初预算）"].iter_rows(values_only=True))
    assert acc[0] == ("年度", "收支方向", "WAPE", "有季节性") and acc[1] == (2024, "支出", 0.115, "是")


def test_english_workbook_keeps_raw_headers_and_english_titles():
    out = localise(_tables()["findings"], "en")
    assert list(out.columns) == ["code", "title", "status", "severity"]
    assert out["title"].tolist() == ["Rigid budget targets", "Unscientific"]
    assert table_title("execution_table_basis-adjusted_good-0.05_level-_year_dept_id__warning-0.1", "en")[0] == \
        "Execution by department (B1)"


def test_a_table_longer_than_a_sheet_continues_on_numbered_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "ROWS_PER_SHEET", 2)   # Excel's limit is 1,048,575 data rows
    long = pd.DataFrame({"year": [2020, 2021, 2022, 2023, 2024], "execution_rate": [0.9, 0.95, 1.0, 1.05, 1.1]})
    short = pd.DataFrame({"code": ["P1"], "status": ["present"]})
    wb = openpyxl.load_workbook(write_tables({"findings": short, "execution": long}, tmp_path / "t.xlsx"))
    assert wb.sheetnames[2:] == [f"Budget execution by account ({i})" for i in (1, 2, 3)]
    index = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    assert index[0][-1] == "Part"
    assert [(r[1], r[3], r[-1]) for r in index[1:]] == [("findings", 1, None), ("execution", 2, "1/3"),
                                                        ("execution", 2, "2/3"), ("execution", 1, "3/3")]
    rows = [r for name in wb.sheetnames[2:] for r in list(wb[name].iter_rows(values_only=True))[1:]]
    assert rows == list(long.itertuples(index=False, name=None))   # every row once, in order
    assert all(next(wb[name].iter_rows(values_only=True)) == ("year", "execution_rate") for name in wb.sheetnames[2:])
    assert wb[wb.sheetnames[3]]["B2"].number_format == excel.PERCENT_FORMAT


def test_a_table_within_a_sheet_has_no_part_column(tmp_path):
    wb = openpyxl.load_workbook(write_tables(_tables(), tmp_path / "t.xlsx"))
    assert "Part" not in next(wb[wb.sheetnames[0]].iter_rows(values_only=True))
