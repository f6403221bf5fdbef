"""Tests of casekit.data.validation and casekit.data.schema.pandera_schemas on hand-built raw tables."""
from __future__ import annotations

import pandas as pd
import pytest
from pandera import errors as pa_errors

from casekit.errors import Issue
from casekit.data.io.raw import RawTable, SourceRows
from casekit.data.schema.pandera_schemas import build_schema, normalise_enum_values, passes_schema, schema_issues
from casekit.data.schema.tables import TABLES
from casekit.data.validation import parse_profile, standard_checklist, validate_tables

_DTYPES = {"str": "str", "int": "Int64", "float": "float64", "bool": "boolean", "date": "datetime64[ns]"}
PROFILE = {"name": "Test hospital", "tier": "secondary", "currency_unit": "yuan"}


def raw(name: str, records: list[dict], headers: dict[str, str] | None = None, file: str | None = None,
        issues: list[Issue] | None = None) -> RawTable:
    """A RawTable as the reader would deliver it: parsed dtypes, rows numbered from 2."""
    table = TABLES[name]
    df = pd.DataFrame.from_records(records)
    for col in df.columns:
        df[col] = df[col].astype(_DTYPES[table.column(col).dtype])
    rows = pd.Series(range(2, len(df) + 2), index=df.index)
    heads = {c: c for c in df.columns} | (headers or {})
    return RawTable(name=name, file=file or f"{name}.csv", df=df, rows=rows, headers=heads,
                    issues=list(issues or []), unknown_columns=[])


def base_tables(**override) -> dict[str, RawTable]:
    """A small valid hospital: 2 departments, 2 accounts, one year of monthly actuals (Jan, Feb)."""
    recs = {
        "departments": [{"dept_id": "D01", "name": "Surgery", "type": "clinical"},
                        {"dept_id": "D02", "name": "Finance", "type": "行政"}],
        "accounts": [{"account_id": "4001", "name": "Outpatient revenue", "direction": "revenue",
                      "category": "outpatient"},
                     {"account_id": "5001", "name": "Drugs", "direction": "expense", "category": "drugs"}],
        "budget": [{"year": 2024, "dept_id": "D01", "account_id": "4001", "original": 1200.0, "adjusted": 1300.0},
                   {"year": 2024, "dept_id": "D01", "account_id": "5001", "original": 600.0, "adjusted": None},
                   {"year": 2024, "dept_id": "D02", "account_id": "5001", "original": 300.0, "adjusted": None}],
        "actuals": [{"year": 2024, "month": m, "dept_id": d, "account_id": a, "amount": v}
                    for m in (1, 2) for d, a, v in (("D01", "4001", 100.0), ("D01", "5001", 50.0),
                                                    ("D02", "5001", 25.0))],
    }
    tables = {name: raw(name, r) for name, r in recs.items()}
    tables.update(override)
    return {k: v for k, v in tables.items() if v is not None}


def run(tables, profile=None):
    return validate_tables(tables, PROFILE if profile is None else profile, [], source="tmp")


def errors(issues):
    return [i for i in issues if i.severity == "error"]


def warnings(issues):
    return [i for i in issues if i.severity == "warning"]


# ------------------------------------------------------------------ valid data and conventions
def test_valid_hospital_follows_conventions():
    hospital, issues = run(base_tables())
    assert errors(issues) == []
    assert hospital is not None
    b = hospital.budget
    assert b["year"].dtype == "int64"
    assert b["dept_id"].dtype == "str"
    assert b["adjusted"].tolist() == [1300.0, 600.0, 300.0]          # B1 filled from B0 where blank
    assert b["adjusted_given"].tolist() == [True, False, False]
    assert b["adjusted_given"].dtype == bool
    assert str(hospital.actuals["month"].dtype) == "Int64"
    assert hospital.departments["type"].tolist() == ["clinical", "administrative"]   # 行政 mapped
    assert hospital.is_monthly and hospital.years == [2024]
    assert hospital.adjustments is None
    scale = [i for i in hospital.notes if "implausibly small" in i.problem]      # 900 yuan of expense a year
    assert len(scale) == 1 and "ten_thousands (万元)" in scale[0].fix


def test_money_stays_in_the_declared_scale():
    """Amounts in 万元 stay in 万元 (the report is in the hospital's unit); the plausibility band is checked in yuan."""
    hospital, issues = run(base_tables(), profile={**PROFILE, "currency_unit": "万元"})
    assert errors(issues) == []
    assert hospital.profile.currency_unit == "ten_thousands" and hospital.profile.currency == "CNY"
    assert hospital.budget["original"].tolist() == [1200.0, 600.0, 300.0]
    assert hospital.budget["adjusted"].tolist()[1] == 600.0
    assert hospital.actuals["amount"].sum() == 2 * 175.0
    assert not any("implausibly" in i.problem for i in hospital.notes)          # 9 million yuan is plausible


@pytest.mark.parametrize("written, code, ok", [("usd", "USD", True), ("英镑", "GBP", True), ("EUR", "EUR", True),
                                               ("dollars", None, False), ("US$", None, False)])
def test_currency_code_checked(written, code, ok):
    p, issues = parse_profile({"name": "X", "currency_unit": "thousands", "currency": written, "country": "GB",
                               "tier": "secondary"})
    if ok:
        assert p.currency == code and p.currency_unit == "thousands" and issues == []
    else:
        (err,) = issues
        assert p is None and err.column == "currency" and err.severity == "error"
        assert "ISO 4217" in err.fix and written in err.value


def test_foreign_currency_without_country_is_a_warning():
    p, issues = parse_profile({"name": "X", "currency_unit": "units", "currency": "USD", "tier": "secondary"})
    assert p.country == "CN" and [(i.column, i.severity) for i in issues] == [("country", "warning")]


def test_mixed_units_between_files_is_one_error():
    acts = [{"year": 2024, "month": 1, "dept_id": d, "account_id": a, "amount": v * 10_000}
            for d, a, v in (("D01", "4001", 1000.0), ("D01", "5001", 500.0), ("D02", "5001", 250.0))]
    hospital, issues = run(base_tables(actuals=raw("actuals", acts)))
    assert hospital is None
    errs = errors(issues)
    assert len(errs) == 1, errs        # no per-line flood once the unit mismatch is found
    assert "元" in errs[0].problem and "万元" in errs[0].problem
    assert errs[0].file == "actuals.csv"


def test_line_far_above_budget_is_unit_error():
    acts = [{"year": 2024, "month": 1, "dept_id": "D01", "account_id": "4001", "amount": 1100.0},
            {"year": 2024, "month": 1, "dept_id": "D01", "account_id": "5001", "amount": 600.0 * 45},
            {"year": 2024, "month": 1, "dept_id": "D02", "account_id": "5001", "amount": 290.0}]
    hospital, issues = run(base_tables(actuals=raw("actuals", acts)))
    errs = errors(issues)
    assert hospital is None
    assert len(errs) == 1
    assert "check units or decimal point" in errs[0].problem
    assert (errs[0].file, errs[0].row) == ("actuals.csv", 3)      # the actual row of D01/5001
    assert "4500%" in errs[0].problem and "budget.csv row 3" in errs[0].problem


# ------------------------------------------------------------------ schema problems
def test_schema_problems_name_file_row_header_value():
    budget = raw("budget", [{"year": 2024, "dept_id": "D01", "account_id": "4001", "original": 1.0},
                            {"year": 2024, "dept_id": "D01", "account_id": "5001", "original": 2.0},
                            {"year": 2024, "dept_id": "D01", "account_id": "4001", "original": 3.0}],
                 headers={"dept_id": "科室", "year": "年度", "account_id": "科目编码"}, file="j.xlsx[预算]")
    acts = raw("actuals", [{"year": 2024, "month": 13, "dept_id": "D01", "account_id": "4001", "amount": 1.0}],
               headers={"month": "月份"})
    depts = raw("departments", [{"dept_id": "D01", "name": "Surgery", "type": "surgery"}])
    _, issues = run(base_tables(budget=budget, actuals=acts, departments=depts))
    dup = [i for i in issues if "duplicate key" in i.problem]
    assert len(dup) == 1
    assert dup[0].file == "j.xlsx[预算]" and dup[0].row == 2 and "rows 2 and 4" in dup[0].problem
    assert dup[0].column == "年度, 科室, 科目编码"
    month = [i for i in issues if i.column == "月份"]
    assert len(month) == 1 and month[0].row == 2 and month[0].value == "13" and "[1, 12]" in month[0].problem
    enum = [i for i in issues if i.value == "surgery"]
    assert len(enum) == 1 and "clinical" in enum[0].fix and "临床" in enum[0].fix


def test_missing_required_column_and_table():
    depts = base_tables()["departments"]
    no_type = raw("departments", [{k: v for k, v in r.items() if k != "type"} for r in
                                  depts.df.to_dict("records")])
    hospital, issues = run(base_tables(departments=no_type, accounts=None))
    assert hospital is None
    col = [i for i in errors(issues) if i.column == "type"]
    assert len(col) == 1 and "科室类型" in col[0].problem and col[0].row is None
    table = [i for i in errors(issues) if i.table == "accounts" and "missing" in i.problem]
    assert len(table) == 1
    assert "accounts.csv" in table[0].fix and "科目.csv" in table[0].fix


def test_unparsable_cell_is_not_reported_twice():
    reader_issue = Issue("budget.csv", 3, "original", "abc", "not a number", "write a number", "error", "budget")
    budget = raw("budget", [{"year": 2024, "dept_id": "D01", "account_id": "4001", "original": 1.0},
                            {"year": 2024, "dept_id": "D01", "account_id": "5001", "original": None}],
                 issues=[reader_issue])
    _, issues = run(base_tables(budget=budget))
    at_cell = [i for i in issues if i.row == 3 and i.column == "original" and i.file == "budget.csv"]
    assert at_cell == [reader_issue]


def test_schema_is_generated_from_tables():
    schema = build_schema(TABLES["actuals"], present=["year", "dept_id", "account_id", "amount"])
    assert schema.unique == ["year", "dept_id", "account_id"]      # month absent: left out of the key
    assert not schema.columns["month"].required
    assert str(schema.columns["month"].dtype) == "Int64"
    rng = raw("performance", [{"year": 2024, "dept_id": "D01", "appraisal_score": 101.0, "budget_weight": 0.2}])
    found = schema_issues(rng)
    assert [(i.column, i.value) for i in found] == [("appraisal_score", "101")]


def _pandera_passes(df, table):
    try:
        build_schema(table, df.columns).validate(df, lazy=True)
    except pa_errors.SchemaErrors:
        return False
    return True


def test_vectorised_schema_check_agrees_with_pandera():
    """The fast yes/no test says 'clean' exactly when pandera finds nothing (else pandera reports)."""
    t = TABLES["performance"]
    good = pd.DataFrame({"year": pd.array([2023, 2024], dtype="Int64"), "dept_id": pd.array(["D01", "D01"], dtype="str"),
                         "appraisal_score": [88.0, 91.5], "budget_weight": [0.2, 0.3]})
    assert passes_schema(good, t) and _pandera_passes(good, t)
    bad = {
        "out of range": good.assign(appraisal_score=[88.0, 101.0]),
        "below range": good.assign(budget_weight=[0.2, -0.1]),
        "blank key": good.assign(dept_id=pd.array(["D01", None], dtype="str")),
        "repeated key": good.assign(year=pd.array([2024, 2024], dtype="Int64")),
        "missing column": good.drop(columns="dept_id"),
        "other dtype": good.assign(appraisal_score=pd.array([88, 91], dtype="Int64")),
    }
    for what, df in bad.items():
        assert not passes_schema(df, t), what
    for what in ("out of range", "below range", "blank key", "repeated key", "missing column"):
        assert not _pandera_passes(bad[what], t), what
    d = TABLES["departments"]
    depts = pd.DataFrame({"dept_id": ["D01", "D02"], "name": ["内科", "外科"], "type": ["clinical", "臨床x"]}, dtype="str")
    assert not passes_schema(normalise_enum_values(depts, d), d) and not _pandera_passes(depts, d)
    assert passes_schema(normalise_enum_values(depts.assign(type=["clinical", "临床"]), d), d)


# ------------------------------------------------------------------ references
def test_unknown_codes_are_grouped_with_all_rows():
    acts = base_tables()["actuals"].df.to_dict("records")
    acts += [{"year": 2024, "month": 3, "dept_id": "D99", "account_id": "5001", "amount": 1.0},
             {"year": 2024, "month": 4, "dept_id": "D99", "account_id": "5001", "amount": 1.0},
             {"year": 2024, "month": 3, "dept_id": "D01", "account_id": "9999", "amount": 1.0}]
    hospital, issues = run(base_tables(actuals=raw("actuals", acts)))
    assert hospital is None
    dept = [i for i in errors(issues) if i.value == "D99"]
    assert len(dept) == 1 and dept[0].row == 8 and "rows 8, 9" in dept[0].problem
    assert "departments.csv" in dept[0].fix
    acct = [i for i in errors(issues) if i.value == "9999"]
    assert len(acct) == 1 and acct[0].row == 10


def test_survey_references():
    items = raw("survey_items", [{"item_id": "Q1", "construct": "参与"}])
    answers = raw("survey_responses", [
        {"respondent_id": "R1", "role": "nurse", "dept_id": "D01", "item_id": "Q1", "answer": 4},
        {"respondent_id": "R1", "role": "nurse", "dept_id": "D01", "item_id": "Q2", "answer": 5}])
    hospital, issues = run(base_tables(survey_items=items, survey_responses=answers))
    assert [i.value for i in errors(issues)] == ["Q2"]
    _, issues = run(base_tables(survey_responses=answers))
    assert any("without the survey items" in i.problem for i in errors(issues))


# ------------------------------------------------------------------ plausibility and warnings
def test_negative_expense_budget_is_error_but_negative_revenue_is_not():
    budget = raw("budget", [{"year": 2024, "dept_id": "D01", "account_id": "4001", "original": -5.0},
                            {"year": 2024, "dept_id": "D01", "account_id": "5001", "original": -600.0},
                            {"year": 2024, "dept_id": "D02", "account_id": "5001", "original": 300.0}])
    _, issues = run(base_tables(budget=budget))
    neg = [i for i in errors(issues) if "negative" in i.problem]
    assert [(i.row, i.value) for i in neg] == [(3, "-600")]


def test_zero_budget_with_spending_is_warning_and_hospital_loads():
    budget = raw("budget", [{"year": 2024, "dept_id": "D01", "account_id": "4001", "original": 1200.0},
                            {"year": 2024, "dept_id": "D01", "account_id": "5001", "original": 0.0},
                            {"year": 2024, "dept_id": "D02", "account_id": "5001", "original": 300.0}])
    hospital, issues = run(base_tables(budget=budget))
    assert errors(issues) == []
    zero = [i for i in warnings(issues) if "budget is 0" in i.problem]
    assert len(zero) == 1 and zero[0].row == 3 and "100.00" in zero[0].problem
    assert zero[0] in hospital.notes


def test_years_without_counterpart_are_warnings():
    budget = base_tables()["budget"].df.to_dict("records")
    budget += [{"year": 2025, "dept_id": "D01", "account_id": "5001", "original": 1.0, "adjusted": None}]
    acts = base_tables()["actuals"].df.to_dict("records")
    acts += [{"year": 2023, "month": 1, "dept_id": "D01", "account_id": "5001", "amount": 50.0}]
    hospital, issues = run(base_tables(budget=raw("budget", budget), actuals=raw("actuals", acts)))
    assert hospital is not None
    texts = [i.problem for i in warnings(issues)]
    assert "year 2025 has a budget but no actuals" in texts
    assert "year 2023 has actuals but no budget" in texts


def test_annual_only_actuals_accepted_with_note():
    acts = raw("actuals", [{"year": 2024, "dept_id": d, "account_id": a, "amount": v}
                           for d, a, v in (("D01", "4001", 1250.0), ("D01", "5001", 610.0), ("D02", "5001", 280.0))])
    hospital, issues = run(base_tables(actuals=acts))
    assert errors(issues) == []
    assert not hospital.is_monthly
    assert hospital.actuals["month"].isna().all() and str(hospital.actuals["month"].dtype) == "Int64"
    assert any("annual only" in i.problem for i in hospital.notes)


def test_mixed_monthly_and_annual_rows_in_a_year_is_error():
    acts = base_tables()["actuals"].df.to_dict("records")
    acts.append({"year": 2024, "month": None, "dept_id": "D02", "account_id": "4001", "amount": 9.0})
    _, issues = run(base_tables(actuals=raw("actuals", acts)))
    mixed = [i for i in errors(issues) if "mix monthly" in i.problem]
    assert len(mixed) == 1 and mixed[0].row == 8


# ------------------------------------------------------------------ profile and checklist
def test_profile_keys_in_chinese_and_missing_keys():
    p, issues = parse_profile({"医院名称": "J", "医院等级": "三级", "金额单位": "元", "模拟数据": "是", "编制床位": "450"})
    assert issues == [] and (p.tier, p.currency_unit, p.synthetic, p.beds) == ("tertiary", "units", True, 450)
    p, issues = parse_profile({"name": "J", "currency_unit": "dollars", "colour": "blue"})
    assert p is None
    assert {(i.column, i.severity) for i in issues} == {("currency_unit", "error"), ("colour", "warning")}
    p, issues = parse_profile({"name": "Outside China", "currency_unit": "yuan"})      # tier is optional
    assert p.tier is None and [(i.column, i.severity) for i in issues] == [("tier", "warning")]
    hospital, issues = run(base_tables(), profile={})
    assert hospital is None and "profile is missing" in errors(issues)[0].problem


def test_checklist_standard_items_filled_and_unknown_need_aspect():
    std = standard_checklist()
    assert 25 <= len(std) <= 30 and std["item_id"].is_unique
    assert set(std["aspect"]) == {"A1", "A2", "A3", "A4", "A5", "INFO"}
    assert set(std["cause"]) <= {"", "C1", "C2", "C3", "C4", "C5"}
    first = std.iloc[0]
    checklist = raw("checklist", [{"item_id": first["item_id"], "status": "是"},
                                  {"item_id": "H01", "status": "no", "aspect": "A4"},
                                  {"item_id": "H02", "status": "partial"}])
    _, issues = run(base_tables(checklist=checklist))
    assert [(i.row, i.value) for i in errors(issues)] == [(4, None)]
    ok = raw("checklist", checklist.df.iloc[:2].to_dict("records"))
    hospital, issues = run(base_tables(checklist=ok))
    row = hospital.checklist.iloc[0]
    assert (row["aspect"], row["requirement"], row["status"]) == (first["aspect"], first["requirement_en"], "yes")
    assert pd.isna(hospital.checklist.loc[1, "cause"])


def test_aggregated_actuals_without_row_numbers():
    acts = base_tables()["actuals"]
    acts.df.loc[0, "dept_id"] = "D99"
    acts.rows = pd.Series(pd.NA, index=acts.df.index, dtype="Int64")     # as from a ledger
    acts.file = "ledger_2024.csv"
    _, issues = run(base_tables(actuals=acts))
    bad = [i for i in errors(issues) if i.value == "D99"]
    assert len(bad) == 1 and bad[0].row is None and bad[0].file == "ledger_2024.csv"


def test_aggregated_actuals_ask_their_locator_once_for_every_unknown_code():
    acts = base_tables()["actuals"]
    acts.df.loc[0, "dept_id"] = "D99"
    acts.df.loc[[1, 4], "account_id"] = "9999"
    acts.rows = pd.Series(pd.NA, index=acts.df.index, dtype="Int64")
    acts.file = "ledger_a.csv, ledger_b.csv"
    calls = []

    def locate(wanted, limit):
        calls.append((dict(wanted), limit))
        return {("dept_id", "D99"): SourceRows((("ledger_a.csv", 9, "科室"), ("ledger_b.csv", 2, "dept")), 4)}

    acts.locate = locate
    _, issues = run(base_tables(actuals=acts))
    assert calls == [({"dept_id": ["D99"], "account_id": ["9999"]}, 5)]
    found = {i.value: (i.file, i.row, i.column, i.problem) for i in errors(issues) if "is not in" in i.problem}
    assert found == {
        "D99": ("ledger_a.csv", 9, "科室",
                "department 'D99' is not in departments.csv (row 9 of ledger_a.csv; row 2 of ledger_b.csv and 2 more)"),
        "9999": ("ledger_a.csv, ledger_b.csv", None, "account_id",          # not found again: as before
                 "account '9999' is not in accounts.csv (2 row(s))"),
    }
