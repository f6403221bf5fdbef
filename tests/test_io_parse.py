"""Tests of casekit.data.io.parse: header matching and cell-value parsing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casekit.data.io.frame import total_mask
from casekit.data.io.headers import map_headers, normalise_header
from casekit.data.io.parse import (
    apply_value_aliases,
    is_rate,
    parse_bool,
    parse_column,
    parse_date,
    parse_number,
    parse_text,
)
from casekit.data.schema.tables import TABLES, Column, Table


def S(*values):
    return pd.Series(list(values), dtype="str")


# ----------------------------------------------------------------------------- headers
@pytest.mark.parametrize("text, expected", [
    (" 预算数（元）", "预算数"),
    ("年初预算 (万元)", "年初预算"),
    ("Dept_ID", "deptid"),
    ("dept-id", "deptid"),
    ("ＤＥＰＴ　ＩＤ", "deptid"),        # full-width letters and ideographic space
    ("科室编码*", "科室编码"),
    ("【元】", "元"),                    # only a bracketed text: keep it
    (None, ""),
])
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


def test_map_headers_chinese_english_and_units():
    m = map_headers(["年度", "Dept_ID", "科目", "年初预算数（元）", "调整后预算(万元)", "备注", ""],
                    TABLES["budget"], "b.csv")
    assert m.columns == {0: "year", 1: "dept_id", 2: "account_id", 3: "original", 4: "adjusted"}
    assert m.headers["original"] == "年初预算数（元）"
    assert m.unknown == [(5, "备注")]
    assert m.blank == [6]
    assert m.issues == []


def test_map_headers_two_headers_one_column_is_an_error_naming_both():
    m = map_headers(["科室编码", "科室", "科目编码"], TABLES["budget"], "b.csv")
    assert m.columns == {0: "dept_id", 2: "account_id"}
    (issue,) = m.issues
    assert issue.severity == "error"
    assert "科室编码" in issue.problem and "科室" in issue.problem and "dept_id" in issue.problem


def test_map_headers_ambiguous_header_names_both_columns():
    table = Table("t", "表", False, (), (Column("a", "str", aliases=("x",)), Column("b", "str", aliases=("X ",))),
                  "test")
    m = map_headers(["x"], table, "t.csv")
    assert m.columns == {}
    assert "a or b" in m.issues[0].problem


def test_map_headers_uses_written_text_in_messages():
    m = map_headers(["年初预算数", "年初预算"], TABLES["budget"], "b.csv", as_written=["预算数 / 年初", "年初预算"])
    assert m.headers == {"original": "预算数 / 年初"}
    assert "'预算数 / 年初' and '年初预算'" in m.issues[0].problem


# ----------------------------------------------------------------------------- numbers
def test_numbers_common_forms():
    p = parse_number(S("1,234.50", "１２３", "¥1,200", "￥1,200", "-¥5", "(1,200)", " 3 400 ", "1.2E+06",
                       "RMB 10", "\u22125"))
    assert p.values.tolist() == [1234.5, 123.0, 1200.0, 1200.0, -5.0, -1200.0, 3400.0, 1.2e6, 10.0, -5.0]
    assert p.problems.empty
    assert p.values.dtype == np.float64


@pytest.mark.parametrize("token", ["", "-", "—", "——", "--", "–", "N/A", "nan", "NULL", "  "])
def test_missing_tokens_are_na_without_problem(token):
    p = parse_number(S(token))
    assert p.values.isna().all() and p.problems.empty


def test_percent_is_fraction_in_rate_column_and_error_in_money_column():
    assert parse_number(S("12.5%", "８％", "0.1"), rate=True).values.tolist() == [0.125, 0.08, 0.1]
    p = parse_number(S("12.5%"), money=True)
    assert p.values.isna().all()
    assert p.problems.loc[0, "problem"] == "a percentage in a money column"


def test_units_rejected_in_money_columns_and_dropped_for_counts():
    money = parse_number(S("100万元", "100元", "100"), money=True)
    assert money.values.iloc[:2].isna().all() and money.values.iloc[2] == 100.0
    assert "万元" in money.problems.loc[0, "problem"] and "multiplier" in money.problems.loc[0, "problem"]
    assert "元" in money.problems.loc[1, "problem"]
    assert "currency_unit" in money.problems.loc[1, "fix"]
    counts = parse_number(S("1,200人次", "35 天", "1.2万人次"))
    assert counts.values.iloc[:2].tolist() == [1200.0, 35.0]
    assert np.isnan(counts.values.iloc[2]) and "multiplier" in counts.problems.loc[2, "problem"]


def test_unparseable_numbers_report_value_problem_and_fix():
    p = parse_number(S("abc", "1234,50", "#DIV/0!", "inf", "12"))
    assert p.values.iloc[4] == 12.0 and p.values.iloc[:4].isna().all()
    probs = p.problems.sort_index()
    assert probs["value"].tolist() == ["abc", "1234,50", "#DIV/0!", "inf"]
    assert probs.loc[0, "problem"] == "not a number"
    assert "thousands separator" in probs.loc[1, "problem"]
    assert "Excel error" in probs.loc[2, "problem"]
    assert probs.loc[0, "fix"].startswith("write a number such as 1234.5")


def test_integers_years_and_months():
    p = parse_number(S("2023", "2023.0", "2023年", "1月", "13", "2023.5", "十二月", "2,023"), integer=True)
    assert p.values.dtype == "Int64"
    assert p.values.tolist() == [2023, 2023, 2023, 1, 13, pd.NA, 12, 2023]
    assert p.problems.loc[5, "problem"] == "not a whole number"


def test_month_periods():
    p = parse_number(S("2023-03", "202304", "2023年5月", "7", "2023.0"), integer=True, period=True)
    assert p.values.tolist() == [3, 4, 5, 7, 2023]   # 2023.0 is not a period; validation rejects the range


# ----------------------------------------------------------------------------- bools, dates, text
def test_bools():
    p = parse_bool(S("是", "否", "Yes", "n", "TRUE", "1", "0.0", "√", "×", "", "maybe"))
    assert p.values.dtype == "boolean"
    assert p.values.tolist() == [True, False, True, False, True, True, False, True, False, pd.NA, pd.NA]
    assert p.problems.index.tolist() == [10]


def test_dates():
    p = parse_date(S("2023-01-05", "2023/1/5", "2023.1.5", "2023年1月5日", "20230105", "44931",
                     "2023-01-05 13:30:00", "", "2023-02-30", "05/01/2023"))
    assert p.values.dtype == "datetime64[ns]"
    assert p.values.iloc[:7].dt.strftime("%Y-%m-%d").tolist() == ["2023-01-05"] * 7
    assert p.values.iloc[7:].isna().all()
    assert sorted(p.problems.index) == [8, 9]
    assert "YYYY-MM-DD" in p.problems.loc[9, "fix"]


def test_dates_outside_the_timestamp_range_are_problems_not_overflows():
    # found by hypothesis: "10990701" raised OutOfBoundsDatetime instead of being "not a date"
    p = parse_date(S("10990701", "1099-07-01", "99991231", "2958465", "2023-01-05"))
    assert p.values.iloc[:4].isna().all()
    assert p.values.iloc[4] == pd.Timestamp("2023-01-05")
    assert sorted(p.problems.index) == [0, 1, 2, 3]
    assert (p.problems["problem"] == "not a date").all()


def test_text_is_stripped_codes_stay_text():
    p = parse_text(S(" 6001.10 ", "0101", "—", "#REF!"))
    assert p.values.iloc[:2].tolist() == ["6001.10", "0101"]
    assert p.values.iloc[2:].isna().all()
    assert p.problems.index.tolist() == [3]


def test_value_aliases_applied_but_not_validated():
    out = apply_value_aliases(S("临床", "Medical Technology", "medical-technology", "后勤科室", "unknown", None),
                              "type", TABLES["departments"].column("type").enum)
    assert out.tolist()[:5] == ["clinical", "medical_technology", "medical_technology", "logistics", "unknown"]
    assert pd.isna(out.iloc[5])


def test_parse_column_dispatches_on_schema():
    budget, accounts, perf = TABLES["budget"], TABLES["accounts"], TABLES["performance"]
    assert parse_column(S("2023"), budget.column("year")).values.dtype == "Int64"
    assert parse_column(S("6001.10"), budget.column("account_id")).values.tolist() == ["6001.10"]
    assert parse_column(S("收入"), accounts.column("direction")).values.tolist() == ["revenue"]
    assert is_rate(perf.column("budget_weight")) and not is_rate(perf.column("appraisal_score"))
    assert parse_column(S("10%"), perf.column("budget_weight")).values.tolist() == [0.1]
    assert not parse_column(S("85%"), perf.column("appraisal_score")).problems.empty


def test_total_mask():
    frame = pd.DataFrame({"dept_id": ["D01", "合计", "", "D02", "", "", "D03"],
                          "name": ["内科", "", "临床科室小计", "Total revenue", "合 计", "Sub-total", "统计室"]})
    assert total_mask(frame, ["dept_id", "name"]).tolist() == [False, True, True, True, True, True, False]
