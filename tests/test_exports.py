"""Finance-system exports read as they come (casekit.data.exports): HRP workbooks, final-accounts tables.

The fixtures are generated with openpyxl by tests/fixtures/exports/make_exports.py. The expected
totals below are worked out by hand from the *leaf* lines listed there; a parent, subtotal, 其中,
total or surplus line counted anywhere would change them.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import casekit
from casekit.cli import app
from casekit.data.exports.layout import role_of, year_from_name
from casekit.data.loader import validate_path
from casekit.indicators.execution import execution_table

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "exports"))
import make_exports  # noqa: E402

sys.path.pop(0)


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    return make_exports.write_all(tmp_path_factory.mktemp("exports"))


def _sums(h) -> dict:
    d = h.accounts.set_index("account_id")["direction"]
    b = h.budget.assign(direction=h.budget["account_id"].map(d)).groupby("direction")[["original", "adjusted"]].sum()
    a = h.actuals.assign(direction=h.actuals["account_id"].map(d)).groupby("direction")["amount"].sum()
    return {way: (round(b.at[way, "original"], 2), round(b.at[way, "adjusted"], 2), round(a[way], 2))
            for way in a.index}


def test_hrp_per_department_sheets_count_leaves_only(forms):
    h = casekit.load(forms["hrp_departments"])
    # 内科 + 外科 leaves (the 全院汇总 sheet is not counted): B0, B1, A in yuan
    assert _sums(h) == {"revenue": (3_980_000.0, 4_150_000.0, 4_243_500.5),
                        "expense": (3_430_000.0, 3_510_000.0, 3_514_500.0)}
    assert set(h.departments["dept_id"]) == {"0101", "0102"}
    assert not {"4001", "400101", "5001"} & set(h.accounts["account_id"])          # parents are not lines
    assert h.accounts.set_index("account_id").at["400102", "direction"] == "revenue"
    notes = [n for n in h.notes if "does not foot" in n.problem]
    broken = [n for n in notes if n.row == 6 and n.file.endswith("[外科]")]
    assert broken and "difference 8,000" in broken[0].problem and broken[0].column == "执行数 / 本年累计"
    assert any("收支结余" == n.value and "neither revenue nor expense" in n.problem for n in h.notes)
    assert any("assumption" in n.problem and n.table == "accounts" or "guessed" in n.problem for n in h.notes)


def test_long_sheet_in_10k_yuan_with_negative_plan(forms):
    h = casekit.load(forms["hrp_long"])
    assert h.profile.currency_unit == "ten_thousands" and h.profile.tier is None
    assert _sums(h) == {"revenue": (1357.60, 1382.10, 1371.68),          # in 万元, as the export states
                        "expense": (1090.00, 1115.00, 1121.95)}
    assert set(h.departments["dept_id"]) == {"0101", "0201"}                       # 0000-formatted codes
    assert not [n for n in h.notes if "does not foot" in n.problem]                # 小计 / 合计 rows foot
    line = execution_table(h, basis="original").set_index(["dept_id", "account_id"]).loc[("0201", "6609")]
    assert pd.isna(line["execution_rate"]) and line["band"] == "undefined"
    assert line["deviation"] == pytest.approx(-16.07)                              # -23.97 - (-7.90) 万元
    from casekit.diagnosis import diagnose
    p3 = next(f for f in diagnose(h).findings if f.code == "P3")
    assert "6609" not in set(p3.evidence.get("account_id", pd.Series(dtype=str)).astype(str))


def test_wide_monthly_sheet_with_section_headings_and_year_from_file_name(forms):
    h = casekit.load(forms["hrp_monthly"])
    assert h.years == [2023] and h.is_monthly
    assert _sums(h) == {"revenue": (10_800_000.0, 10_800_000.0, 10_380_000.0),
                        "expense": (5_460_000.0, 5_460_000.0, 5_550_000.0)}
    assert sorted(h.actuals["month"].unique().tolist()) == list(range(1, 13))
    assert set(h.accounts["account_id"]) == {"0101", "0102", "02", "1101", "1102", "12"}
    assert any("from the section heading" in n.problem for n in h.notes)
    assert not [n for n in h.notes if "does not foot" in n.problem]


def test_final_accounts_table(forms, tmp_path):
    h = casekit.load(forms["final_accounts"])
    assert _sums(h) == {"expense": (3614.00, 3771.00, 3728.05)}                # 万元, as the table states
    assert set(h.accounts["account_id"]) == {"2080505", "2080506", "2100201", "2100299", "2210201"}
    assert any("年末结转和结余" == n.value for n in h.notes)
    # the mapping file replaces the stated defaults
    folder = tmp_path / "fa"
    folder.mkdir()
    (folder / "2023.xlsx").write_bytes(forms["final_accounts"].read_bytes())
    (folder / "casekit-mapping.yaml").write_text('accounts:\n  "2100201": capital\n', encoding="utf-8")
    h2 = casekit.load(folder)
    assert h2.accounts.set_index("account_id").at["2100201", "category"] == "capital"


def test_unreadable_layout_says_so(forms):
    report = validate_path(forms["side_by_side"])
    problems = [i.problem for i in report.issues if i.severity == "error"]
    assert any("side by side" in p and "cannot read" in p for p in problems)
    assert not any("required" in p and "missing" in p and "profile" not in p for p in problems)


def test_unit_line_disagreeing_with_profile_is_an_error(forms, tmp_path):
    folder = tmp_path / "h"
    folder.mkdir()
    (folder / "exec.xlsx").write_bytes(forms["hrp_long"].read_bytes())
    (folder / "hospital.yaml").write_text("name: X\ncurrency_unit: yuan\n", encoding="utf-8")
    report = validate_path(folder)
    assert any("万元" in i.problem and "units" in i.problem and i.severity == "error" for i in report.issues)


def test_same_export_twice_reports_duplicate_lines(forms, tmp_path):
    folder = tmp_path / "twice"
    folder.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        (folder / name).write_bytes(forms["final_accounts"].read_bytes())
    report = validate_path(folder)
    dup = [i for i in report.issues if "appears 2 times" in i.problem]
    assert dup and "a.xlsx" in dup[0].problem and "b.xlsx" in dup[0].problem and report.hospital is None


def test_several_files_for_one_table_are_combined(tmp_path):
    src = Path("data/sample/well_run_hospital")
    folder = tmp_path / "h"
    folder.mkdir()
    for f in src.iterdir():
        if f.is_file() and f.name != "budget.csv":
            (folder / f.name).write_bytes(f.read_bytes())
    budget = pd.read_csv(src / "budget.csv", dtype=str, keep_default_na=False)
    years = sorted(budget["year"].unique())
    for y in years:
        budget[budget["year"] == y].to_csv(folder / f"budget_{y}.csv", index=False)
    whole = casekit.load(src)
    combined = casekit.load(folder)
    assert combined.budget["original"].sum() == pytest.approx(whole.budget["original"].sum())
    budget[budget["year"] == years[0]].head(1).to_csv(folder / "budget_extra.csv", index=False)
    report = validate_path(folder)
    dup = [i for i in report.issues if "several files" in i.problem and i.severity == "error"]
    assert dup and "budget_extra.csv" in dup[0].file and f"budget_{years[0]}.csv" in dup[0].problem


@pytest.mark.parametrize("header, role", [
    ("调整预算数", "adjusted"), ("调整后预算数", "adjusted"), ("本年累计执行数", "actual"), ("累计执行数", "actual"),
    ("本年累计", "actual"), ("预算科目编码", "code"), ("预算科目名称", "name"), ("全年预算", "original"),
    ("决算数", "actual"), ("执行进度", "rate"), ("完成率（%）", "rate"), ("年初预算数", "original"),
    ("科目编码", "code"), ("3月", "month"), ("十二月", "month")])
def test_export_header_aliases(header, role):
    assert role_of(header) == role


def test_merged_parent_header_read_once():
    assert role_of("预算数", "年初预算") == "original" and role_of("预算数", "调整预算") == "adjusted"
    assert role_of("执行数", "本月") == "month_actual" and role_of("执行数", "本年累计") == "actual"


def test_year_from_names():
    assert year_from_name("2023年度收支月报.xlsx") == 2023
    assert year_from_name("XX医院2024年预算执行情况表") == 2024


def test_cli_validate_and_template_mapping(forms, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(forms["hrp_monthly"])])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["validate", str(forms["side_by_side"])])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    out = tmp_path / "casekit-mapping.yaml"
    made = runner.invoke(app, ["template", str(out), "--from", str(forms["hrp_departments"])])
    assert made.exit_code == 0, made.output
    text = out.read_text(encoding="utf-8")
    assert '"0101": clinical' in text and '"400102": {category: inpatient, direction: revenue}' in text


@pytest.mark.slow
def test_run_end_to_end_on_exports(forms, tmp_path):
    runner = CliRunner()
    for form in ("hrp_departments", "final_accounts"):
        res = runner.invoke(app, ["run", str(forms[form]), "--out", str(tmp_path / form)])
        assert res.exit_code == 0, res.output
        assert (tmp_path / form / "report.html").is_file()


def _budget_sheet(path: Path, unit_line: str) -> Path:
    """A canonical budget sheet as an export prints it: title with the year, unit line, 预算数 over 年初预算 | 调整预算."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "预算"
    ws.append(["XX医院2023年度科室预算表"])
    ws.merge_cells("A1:D1")
    ws.append([unit_line])
    ws.append(["科室编码", "预算科目编码", "预算数", "预算数"])
    ws.append(["科室编码", "预算科目编码", "年初预算", "调整预算数"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    ws.append(["D01", "5001", 10.5, 11.0])
    wb.save(path)
    return path


def test_merged_parent_header_year_from_title_and_unit_line(tmp_path):
    from casekit.data.io.readers import read_table
    from casekit.data.schema.tables import TABLES

    raw = read_table(_budget_sheet(tmp_path / "b.xlsx", "单位：万元"), TABLES["budget"])
    assert not [i for i in raw.issues if i.severity == "error"], raw.issues
    assert raw.df[["year", "original", "adjusted"]].iloc[0].tolist() == [2023, 10.5, 11.0]
    assert raw.unit[0] == "ten_thousands" and any("taken as year 2023" in i.problem for i in raw.issues)


def test_unit_line_of_a_table_file_checked_against_the_profile(tmp_path):
    from casekit.data.validation import _stated_unit_issues
    from casekit.data.validation import parse_profile
    from casekit.data.io.readers import read_table
    from casekit.data.schema.tables import TABLES

    raw = read_table(_budget_sheet(tmp_path / "b.xlsx", "金额单位：万元"), TABLES["budget"])
    profile, _ = parse_profile({"name": "X", "currency_unit": "yuan"})
    (err,) = _stated_unit_issues({"budget": raw}, profile)
    assert err.severity == "error" and "ten_thousands (万元)" in err.problem and "units (元)" in err.problem
    profile, _ = parse_profile({"name": "X", "currency_unit": "万元"})
    assert _stated_unit_issues({"budget": raw}, profile) == []


def test_csv_export_given_alone(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("XX医院2023年度预算执行情况表,,,\n单位：元,,,\n科目编码,科目名称,年初预算,本年累计\n"
                    "4001,医疗收入,\"3,000,000.00\",3100000\n400101,门诊收入,1000000,1100000\n"
                    "400102,住院收入,2000000,2000000\n5001,药品费,1500000,1400000\n制表人：张三,,,\n", encoding="utf-8")
    h = casekit.load(path)
    assert _sums(h) == {"revenue": (3_000_000.0, 3_000_000.0, 3_100_000.0),
                        "expense": (1_500_000.0, 1_500_000.0, 1_400_000.0)}
    assert h.profile.name == "XX医院" and h.years == [2023]


# ----------------------------------------------------------------------------- year-to-date exports (issue 10)
@pytest.mark.parametrize("title, header, month", [
    (f"{make_exports.ORG}2023年1-6月预算执行情况表", "本年累计", 6),
    (f"{make_exports.ORG}2023年1至9月预算执行情况表", "本年累计", 9),
    (f"{make_exports.ORG}预算执行情况表（截至2023年6月30日）", "本年累计", 6),
    (f"{make_exports.ORG}2023年度预算执行情况表", "本年累计(1-6月)", 6),
    (f"{make_exports.ORG} budget execution January-June 2023", "本年累计", 6),
    (f"{make_exports.ORG} budget execution YTD June 2023", "本年累计", 6),
])
def test_year_to_date_export_is_not_judged_as_a_whole_year(tmp_path, title, header, month):
    from casekit.indicators.execution import complete_years, line_table

    h = casekit.load(make_exports.hrp_year_to_date(tmp_path / "ytd.xlsx", title, header))
    assert h.years == [2023] and h.coverage == {2023: month}
    assert complete_years(h) == [] and line_table(h).empty        # no execution rate of half a year as a year
    (note,) = [n for n in h.notes if "year to date" in n.problem]
    assert note.severity == "warning" and "leave 2023 out" in note.problem and note.file.endswith("[内科]")
    # the amounts are read as they are (the year to date), hand sum of the 内科 leaves
    assert h.actuals["amount"].sum() == pytest.approx(104_500.50 + 290_000 + 1_310_000 + 42_000 + 615_000
                                                      + 470_000 + 205_500 + 76_000)


def test_whole_year_titles_are_not_partial(tmp_path):
    h = casekit.load(make_exports.hrp_year_to_date(tmp_path / "y.xlsx", f"{make_exports.ORG}2023年1-12月预算执行情况表"))
    assert h.coverage == {} and not [n for n in h.notes if "year to date" in n.problem]


def test_year_to_date_beside_a_complete_year_uses_the_complete_one(tmp_path):
    from casekit.diagnosis import diagnose
    from casekit.indicators.execution import complete_years

    folder = tmp_path / "two"
    folder.mkdir()
    make_exports.hrp_year_to_date(folder / "2022.xlsx", f"{make_exports.ORG}2022年度预算执行情况表")
    make_exports.hrp_year_to_date(folder / "2023.xlsx", f"{make_exports.ORG}2023年1-6月预算执行情况表")
    h = casekit.load(folder)
    assert h.years == [2022, 2023] and complete_years(h) == [2022]
    d = diagnose(h)
    assert set(d.execution["year"]) == {2022}                      # the execution table of the last complete year
    assert any("year to date" in n["problem"] for n in d.to_dict()["notes"])


def test_run_on_a_year_to_date_export_alone_stops_with_a_clear_message(tmp_path):
    path = make_exports.hrp_year_to_date(tmp_path / "ytd.xlsx", f"{make_exports.ORG}2023年1-6月预算执行情况表")
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "year-to-date export" in result.output and "full-year export" in result.output
