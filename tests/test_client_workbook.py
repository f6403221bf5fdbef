"""The consultant's loop on the Excel template: write it, fill it as a clerk would, validate, load.

Each message is checked in both template languages (the message speaks the workbook's names and
language) with the exit code of ``casekit validate``.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from casekit.cli import app
from casekit.data.loader import load, validate
from casekit.data.schema.tables import PROFILE_FIELDS, TABLES
from casekit.data.template import PROFILE_SHEET, TEMPLATE_TABLES, write_template

LANGS = ["en", "zh"]
ZH = {"clinical": "临床", "administrative": "行政", "revenue": "收入", "expense": "支出", "outpatient": "门诊收入",
      "drugs": "药品费"}
# Every profile key the template offers, with the value a clerk types (as Excel stores it) and the value read back.
PROFILE_VALUES = {
    "name": ("Round trip hospital", "Round trip hospital"),
    "tier": ({"en": "tertiary", "zh": "三级"}, "tertiary"),
    "beds": (420, 420),
    "currency_unit": ({"en": "ten_thousands", "zh": "万元"}, "ten_thousands"),
    "currency": ("CNY", "CNY"),
    "fiscal_year_start": (1, 1),
    "country": ("CN", "CN"),
    "synthetic": ({"en": "no", "zh": "否"}, False),
    "region": ("Hangzhou, Zhejiang", "Hangzhou, Zhejiang"),
    "finance_staff": (15, 15),
    "budget_staff": (3, 3),
    "budget_staff_qualified": (2, 2),
    "budget_training_hours": (12.5, 12.5),
    "execution_analyses_per_year": (4, 4),
    "report_days": (8, 8.0),
    "survey_invited": (120, 120),
    "total_assets": (52000.5, 52000.5),
    "total_liabilities": (21000, 21000.0),
}


def _sheet(name: str, lang: str) -> str:
    return TABLES[name].zh if lang == "zh" else name


def _v(value, lang):
    return ZH.get(value, value) if lang == "zh" else value


def _clerk(tmp_path: Path, lang: str, *, budget_dept=101, profile: dict | None = None) -> Path:
    """Write the template and fill it in as a clerk would with openpyxl.

    Departments are typed as text ('0101'); in the budget sheet the clerk types the code as a
    number into a General cell (``budget_dept``), as happens when values are pasted. Every profile
    key is filled; the optional sheets are left exactly as the template wrote them.
    """
    path = write_template(tmp_path / f"client_{lang}.xlsx", lang=lang)
    wb = openpyxl.load_workbook(path)
    ws = wb[PROFILE_SHEET[lang]]
    values = {key: typed[lang] if isinstance(typed, dict) else typed for key, (typed, _) in PROFILE_VALUES.items()}
    values.update(profile or {})
    for r in range(2, ws.max_row + 1):
        written = ws.cell(row=r, column=1).value
        key = next(k for k, spec in PROFILE_FIELDS.items() if written in (k, spec[1]))
        ws.cell(row=r, column=2).value = values[key]                          # None clears a default
    rows = {
        "departments": [["0101", "Surgery", _v("clinical", lang)], ["0102", "Finance", _v("administrative", lang)]],
        "accounts": [["001", "Outpatient", _v("revenue", lang), _v("outpatient", lang)],
                     ["5001", "Drugs", _v("expense", lang), _v("drugs", lang)]],
        "budget": [[2024, budget_dept, "001", 1200, 1300], [2024, "0102", 5001, 300, None]],
        "actuals": [[2024, m, "0101", "001", 100 + m] for m in range(1, 13)]
                   + [[2024, m, "0102", "5001", 24] for m in range(1, 13)],
    }
    for name, data in rows.items():
        sheet = wb[_sheet(name, lang)]
        for i, row in enumerate(data, start=2):
            for j, value in enumerate(row, start=1):
                sheet.cell(row=i, column=j, value=value)
    wb.save(path)
    return path


def _validate_cli(path: Path):
    return CliRunner().invoke(app, ["validate", str(path)])


@pytest.mark.parametrize("lang", LANGS)
def test_template_code_columns_are_text(tmp_path, lang):
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", lang=lang))
    for name in TEMPLATE_TABLES:
        ws = wb[_sheet(name, lang)]
        formats = {}
        for dim in ws.column_dimensions.values():
            for idx in range(dim.min, dim.max + 1):
                formats[idx] = dim.number_format
        for j, col in enumerate(TABLES[name].columns, start=1):
            if col.name.endswith("_id") or col.name in ("parent_id", "respondent"):
                assert formats.get(j) == "@", (name, col.name)                # Excel keeps 0101 as typed


@pytest.mark.parametrize("lang", LANGS)
def test_clerk_loop_leading_zero_message_and_silent_optional_sheets(tmp_path, lang):
    path = _clerk(tmp_path, lang)
    result = _validate_cli(path)
    assert result.exit_code == 1
    report = validate(path)
    assert not any("no data rows" in i.problem for i in report.issues)         # template's own empty sheets
    (issue,) = report.errors
    assert (issue.file, issue.row, issue.value) == (f"{path.name}[{_sheet('budget', lang)}]", 2, "101")
    departments = f"{path.name}[{_sheet('departments', lang)}]"
    if lang == "en":
        assert issue.column == "dept_id"
        assert issue.problem == (f"department '101' is {departments}'s '0101' without its leading zero: the cell "
                                 "was formatted as a number, so Excel dropped it (row 2)")
        assert issue.fix == (f"Format the cell (or the column) as Text and type 0101 again, or type '0101; do not "
                             f"add '101' to {departments}.")
    else:
        assert issue.column == "科室编码"
        assert issue.problem == (f"科室编码“101”即{departments}中的“0101”去掉了开头的 0：该单元格为数值格式，"
                                 "Excel 把开头的 0 删去了（第 2 行）")
        assert issue.fix == (f"请把该单元格（或整列）设为“文本”格式后重新输入 0101，或输入 '0101；"
                             f"不要在{departments}中新增“101”。")
    assert "Add '101'" not in issue.fix
    assert f"{path.name}:{_sheet('budget', lang)}:2:{issue.column}: error: " in result.output


@pytest.mark.parametrize("lang", LANGS)
def test_every_profile_key_round_trips(tmp_path, lang):
    path = _clerk(tmp_path, lang, budget_dept="0101")
    result = _validate_cli(path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("OK: Round trip hospital loaded from")
    hospital = load(path)
    assert set(PROFILE_VALUES) == set(PROFILE_FIELDS)                          # the test covers every key
    for key, (_, expected) in PROFILE_VALUES.items():
        assert hospital.profile.get(key) == expected, key
        assert type(hospital.profile.get(key)) is type(expected), key
    assert hospital.budget["original"].tolist() == [1200.0, 300.0]                   # in 万元, as declared
    assert not [i for i in hospital.notes if "no data rows" in i.problem or "profile" in i.problem]


@pytest.mark.parametrize("lang", LANGS)
def test_one_filled_optional_sheet_is_read_and_an_untouched_one_is_absent(tmp_path, lang):
    path = _clerk(tmp_path, lang, budget_dept="0101")
    wb = openpyxl.load_workbook(path)
    ws = wb[_sheet("performance", lang)]
    ws.cell(row=2, column=1, value=2024)
    ws.cell(row=2, column=2, value="0101")
    ws.cell(row=2, column=3, value=88)
    wb.save(path)
    hospital = load(path)
    assert hospital.has("performance") and hospital.performance["dept_id"].tolist() == ["0101"]
    assert hospital.workload is None and hospital.survey_items is None


def test_a_header_only_csv_file_is_still_reported(tmp_path):
    from test_load import hospital_folder

    folder = hospital_folder(tmp_path / "h", workload__csv="year,month,dept_id,outpatient_visits\n")
    assert any(i.file == "workload.csv" and "no data rows" in i.problem for i in validate(folder).issues)


@pytest.mark.parametrize("lang, key, fix", [
    ("en", "name", "Type the hospital's name in the value cell next to name."),
    ("en", "currency_unit", "Choose units, thousands, ten_thousands or millions from the drop-down list in the value cell next to currency_unit."),
    ("zh", "name", "请在“医院名称”右侧的值单元格中填写医院名称。"),
    ("zh", "currency_unit", "请在“金额单位”右侧的值单元格中从下拉列表选择元、千元、万元或百万元。"),
])
def test_blank_required_profile_value_names_the_key_as_written(tmp_path, lang, key, fix):
    path = _clerk(tmp_path, lang, budget_dept="0101", profile={key: None})
    result = _validate_cli(path)
    assert result.exit_code == 1
    written = PROFILE_FIELDS[key][1] if lang == "zh" else key
    (issue,) = validate(path).errors
    assert issue.problem == (f"the value of {written} is empty" if lang == "en" else f"“{written}”的值为空")
    assert issue.fix == fix
    row = 2 + list(PROFILE_FIELDS).index(key)
    assert (issue.file, issue.row, issue.column) == (f"{path.name}[{PROFILE_SHEET[lang]}]", row, written)
    assert "is missing" not in result.output
    if lang == "zh":
        assert not any(word in fix for word in ("tertiary", "secondary", "yuan"))  # the drop-down's own labels


@pytest.mark.parametrize("lang, renamed, problem, fix, warning_fix", [
    ("en", "Departmnts", "{book} has no sheet for the required table departments",
     "Sheet 'Departmnts' looks like it: rename it to departments.",
     "Did you mean departments? Rename the sheet to departments; ignore this if the sheet holds no casekit table."),
    ("zh", "科室列表", "工作簿 {book} 中没有必填表“科室”的工作表", "工作表“科室列表”与之相近：请将其重命名为“科室”。", None),
])
def test_renamed_sheet_is_named_with_the_closest_sheet(tmp_path, lang, renamed, problem, fix, warning_fix):
    path = _clerk(tmp_path, lang, budget_dept="0101")
    wb = openpyxl.load_workbook(path)
    wb[_sheet("departments", lang)].title = renamed
    wb.save(path)
    result = _validate_cli(path)
    assert result.exit_code == 1
    report = validate(path)
    (error,) = [i for i in report.errors if i.table == "departments" and i.file == path.name]
    assert (error.problem, error.fix) == (problem.format(book=path.name), fix)
    assert not [i for i in report.issues if ".csv" in i.problem + i.fix]      # not "Add a file named departments.csv"
    assert f"{path.name}:::: error: {error.problem} — {error.fix}" in result.output
    if warning_fix is not None:
        (warning,) = [i for i in report.warnings if i.file == f"{path.name}[{renamed}]"]
        assert warning.fix == warning_fix


def test_missing_sheet_without_a_close_name_lists_the_sheets(tmp_path):
    path = _clerk(tmp_path, "en", budget_dept="0101")
    wb = openpyxl.load_workbook(path)
    del wb["departments"]
    wb.save(path)
    (error,) = [i for i in validate(path).errors if i.table == "departments"]
    assert error.fix.startswith("Add a sheet named departments (the workbook's sheets: instructions, profile, "
                                "accounts, budget, actuals, ")
