"""The issues of validation, exactly, on the samples and on perturbed copies of the J sample.

Validation was rewritten for speed (one vectorised pass per rule, integer line keys, messages
built only for what a check finds). This test pins what it reports: for every case below the
full list of issues (file, row, column, value, problem, fix, severity, table, in order) and the
tables of the loaded hospital (columns, dtypes, every value) must equal the record in
``tests/fixtures/validation/issues.json``. The record was written by the general (pre-rewrite)
code, commit ffee715; the cases are built here from the J sample's tables as read, each with the
defects a finance office sends (unknown and zero-stripped codes, repeated keys, a year in
progress, negative and implausible amounts, account trees that do not foot, missing tables ...).

To record again after a deliberate change of a message::

    CASEKIT_RECORD_VALIDATION=1 python -m pytest tests/test_validation_equivalence.py
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casekit.data.amounts import plausibility_limits
from casekit.data.io.raw import RawTable, SourceRows
from casekit.data.io.readers import read_hospital_files
from casekit.data.validation import validate_tables
from casekit.paths import J_HOSPITAL_DIR

RECORD = Path(__file__).parent / "fixtures" / "validation" / "issues.json"
SAMPLES = J_HOSPITAL_DIR.parent


@pytest.fixture(scope="module")
def j_tables():
    return read_hospital_files(J_HOSPITAL_DIR)


# ------------------------------------------------------------------ building the cases
def _copy(tables: dict[str, RawTable]) -> dict[str, RawTable]:
    out = {}
    for name, raw in tables.items():
        new = copy.copy(raw)
        new.df = raw.df.copy()
        new.rows = raw.rows.copy()
        new.issues = list(raw.issues)
        new.headers = dict(raw.headers)
        out[name] = new
    return out


def _set(raw: RawTable, idx, col: str, value) -> None:
    raw.df.loc[idx, col] = value


def _append(raw: RawTable, rows: pd.DataFrame) -> None:
    """Rows added below the file's last row (their row numbers continue it)."""
    start = int(raw.rows.max()) + 1
    index = pd.RangeIndex(len(raw.df), len(raw.df) + len(rows))
    rows = rows.set_axis(index).astype(raw.df.dtypes.to_dict())
    raw.df = pd.concat([raw.df, rows])
    raw.rows = pd.concat([raw.rows, pd.Series(range(start, start + len(rows)), index=index)])


def _bad_references(t, p):
    _set(t["actuals"], [0, 5, 9, 400, 401, 402, 403, 404, 405], "dept_id", "9999")
    _set(t["actuals"], [7], "account_id", "8888.01")
    _set(t["budget"], [3, 4], "account_id", "XXXX")
    _set(t["budget_monthly"], [10, 11, 12], "dept_id", "101")            # 0101 without its zero
    _set(t["adjustments"], [2], "account_id", "6101.99")
    _set(t["survey_responses"], [1, 2], "item_id", "S99")
    _set(t["workload"], [0], "dept_id", "0999")
    _set(t["performance"], [0], "dept_id", "0888")
    t["accounts"].df["parent_id"] = pd.Series([pd.NA] * len(t["accounts"].df), dtype="str")
    _set(t["accounts"], [1], "parent_id", "6001")
    return t, p


def _duplicate_keys(t, p):
    _append(t["budget"], t["budget"].df.iloc[[5, 6]])
    _append(t["departments"], t["departments"].df.iloc[[2]])
    _append(t["actuals"], t["actuals"].df.iloc[[100]])
    _append(t["accounts"], t["accounts"].df.iloc[[20]])
    return t, p


def _drop(raw: RawTable, mask) -> None:
    raw.df = raw.df[~mask]
    raw.rows = raw.rows[~mask]


def _partial_year(t, p):
    a = t["actuals"].df
    _drop(t["actuals"], ((a["year"] == a["year"].max()) & (a["month"] > 6)).to_numpy(bool))
    return t, p


def _no_complete_year(t, p):
    a = t["actuals"].df
    _drop(t["actuals"], (a["month"] > 9).to_numpy(bool))
    return t, p


def _negative_amounts(t, p):
    _set(t["budget"], [600, 601], "original", -5000.0)                   # expense lines
    _set(t["budget"], [602], "adjusted", -1.5)
    _set(t["budget"], [0], "original", -100.0)                           # a revenue line: accepted
    _set(t["actuals"], [50], "amount", -2500.0)
    return t, p


def _implausible_line(t, p):
    b = t["budget"].df.iloc[10]
    a = t["actuals"].df
    hit = a.index[(a["year"] == b["year"]) & (a["dept_id"] == b["dept_id"]) & (a["account_id"] == b["account_id"])]
    _set(t["actuals"], hit[:3], "amount", a.loc[hit[:3], "amount"] * 900)
    return t, p


def _implausible_total(t, p):
    a = t["actuals"].df
    _set(t["actuals"], a.index[a["year"] == 2023], "amount", a.loc[a["year"] == 2023, "amount"] * 15)
    return t, p


def _mixed_units(t, p):
    t["actuals"].df["amount"] = t["actuals"].df["amount"] * 10_000
    return t, p


def _scale(t, p):
    for name, cols in (("budget", ("original", "adjusted")), ("actuals", ("amount",)), ("budget_monthly", ("amount",))):
        for col in cols:
            t[name].df[col] = t[name].df[col] / 1e6
    return t, p


def _account_tree(t, p):
    acc = t["accounts"]
    acc.df["parent_id"] = pd.Series([pd.NA] * len(acc.df), dtype="str")
    _set(acc, [16, 17], "parent_id", "7202")                               # explicit parent of two lines
    _append(acc, pd.DataFrame({"account_id": ["7201", "7202"], "name": ["商品和服务支出", "工资福利"],
                               "direction": ["expense", "expense"], "category": ["other_expense", "personnel"],
                               "revenue_kind": [pd.NA, pd.NA], "driver": [pd.NA, pd.NA], "parent_id": [pd.NA, pd.NA]}))
    b = t["budget"].df
    kids = b[(b["year"] == 2022) & b["account_id"].str.startswith("7201.")]
    sums = kids.groupby("dept_id")[["original", "adjusted"]].sum()
    parents = sums.reset_index().assign(year=2022, account_id="7201")
    parents.loc[parents.index[:2], "original"] += 1e6                      # two that do not foot
    explicit = b[(b["year"] == 2023) & b["account_id"].isin(["7201.02", "7201.03"])]
    esum = explicit.groupby("dept_id")[["original", "adjusted"]].sum().reset_index().assign(year=2023, account_id="7202")
    esum.loc[esum.index[0], "adjusted"] += 5e6
    _append(t["budget"], pd.concat([parents, esum])[list(b.columns)])
    return t, p


def _of_which(t, p):
    _set(t["accounts"], [22], "name", "其中：影像耗材")
    return t, p


def _missing_tables(t, p):
    for name in ("departments", "accounts", "survey_items"):
        del t[name]
    return t, p


def _empty_tables(t, p):
    for name in ("performance", "budget_monthly"):
        t[name].df = t[name].df.iloc[:0]
        t[name].rows = t[name].rows.iloc[:0]
    return t, p


def _annual_only(t, p):
    a = t["actuals"].df
    annual = a.groupby(["year", "dept_id", "account_id"], as_index=False, sort=False)["amount"].sum()
    annual.insert(1, "month", pd.array([pd.NA] * len(annual), dtype="Int64"))
    t["actuals"].df = annual.astype(a.dtypes.to_dict())
    t["actuals"].rows = pd.Series(range(2, len(annual) + 2), index=annual.index)
    return t, p


def _mixed_months(t, p):
    a = t["actuals"].df
    _set(t["actuals"], a.index[a["year"] == 2023][:4], "month", pd.NA)
    return t, p


def _copied_budget(t, p):
    b, a = t["budget"].df, t["actuals"].df
    prior = a[a["year"] == 2022].groupby(["dept_id", "account_id"])["amount"].sum()
    rows = b.index[b["year"] == 2023]
    keys = list(zip(b.loc[rows, "dept_id"], b.loc[rows, "account_id"]))
    values = [prior.get(k, np.nan) for k in keys]
    _set(t["budget"], rows, "original", pd.Series(values, index=rows).fillna(b.loc[rows, "original"]))
    return t, p


def _schema_defects(t, p):
    _set(t["departments"], [3], "type", "foo")
    _set(t["departments"], [4], "name", pd.NA)
    _set(t["survey_responses"], [7, 8], "answer", 9)
    _set(t["budget"], [20], "year", pd.NA)
    _set(t["accounts"], [5], "direction", "outgo")
    _set(t["checklist"], [0], "status", "maybe")
    del t["performance"].df["dept_id"]
    return t, p


def _checklist_custom(t, p):
    _append(t["checklist"], pd.DataFrame({"item_id": ["X1", "X2"], "aspect": [pd.NA, "A2"],
                                          "requirement": ["own", "own 2"], "status": ["yes", "no"],
                                          "evidence": [pd.NA, pd.NA]}))
    return t, p


def _years_without_counterpart(t, p):
    a = t["actuals"].df
    _drop(t["actuals"], (a["year"] == 2024).to_numpy(bool))
    return t, p


def _fiscal_april(t, p):
    return t, {**p, "fiscal_year_start": 4}


def _no_profile(t, p):
    return t, None


def _usd(t, p):
    return t, {**p, "currency": "USD"}


def _stated_unit(t, p):
    t["budget"].unit = ("ten_thousands", "the line '单位：万元'")
    return t, p


def _subtotals(t, p):
    b = t["budget"]
    first = b.df.iloc[:3]
    b.totals = pd.DataFrame({"year": pd.array([2021, 2021], dtype="Int64"), "dept_id": ["合计", "小计"],
                             "account_id": [pd.NA, pd.NA], "original": [first["original"].sum(), 1.0],
                             "adjusted": [np.nan, np.nan], "row": [5, 6]}).astype({"dept_id": "str", "account_id": "str"})
    b.df = b.df.iloc[3:]
    b.rows = b.rows.iloc[3:] + 2
    return t, p


def _ledger(t, p):
    """Actuals aggregated from a ledger: no row numbers; unknown codes located through ``locate``."""
    a = t["actuals"]
    _set(a, [0, 1, 2], "dept_id", "7777")
    _set(a, [3], "account_id", "9999.99")
    a.rows = pd.Series([np.nan] * len(a.df), index=a.df.index)
    a.file = "ledger_2020.csv + ledger_2021.csv"

    def locate(cols, limit):
        return {(col, v): SourceRows(tuple((f"ledger_{2020 + k % 2}.csv", 10 + k, "科室编码" if col == "dept_id" else
                                             "科目编码") for k in range(min(limit, 3 + len(v)))), 3 + len(v) + 4)
                for col, values in cols.items() for v in values}
    a.locate = locate
    return t, p


def _sources(t, p):
    """A table combined from one file per year: the row's own file names it."""
    b = t["budget"]
    b.sources = ("budget_" + b.df["year"].astype(str) + ".csv").astype(object)
    b.file = " + ".join(dict.fromkeys(b.sources))
    _set(b, [700, 1200], "dept_id", "0000")
    _set(b, [900], "original", -1.0)
    return t, p


def _strict_limits(t, p):
    return t, p                 # J as it is, validated with the limits of LIMITS below


def _zero_budgets(t, p):
    _set(t["budget"], [30, 31, 32, 33, 34, 35, 36], "original", 0.0)
    _set(t["budget"], [33, 34], "adjusted", 0.0)
    return t, p


CASES: dict[str, Callable] = {
    "as_is": lambda t, p: (t, p), "bad_references": _bad_references, "duplicate_keys": _duplicate_keys,
    "partial_year": _partial_year, "no_complete_year": _no_complete_year, "negative_amounts": _negative_amounts,
    "implausible_line": _implausible_line, "implausible_total": _implausible_total, "mixed_units": _mixed_units,
    "scale": _scale, "account_tree": _account_tree, "of_which": _of_which, "missing_tables": _missing_tables,
    "empty_tables": _empty_tables, "annual_only": _annual_only, "mixed_months": _mixed_months,
    "copied_budget": _copied_budget, "schema_defects": _schema_defects, "checklist_custom": _checklist_custom,
    "years_without_counterpart": _years_without_counterpart, "fiscal_april": _fiscal_april,
    "no_profile": _no_profile, "usd": _usd, "stated_unit": _stated_unit, "subtotals": _subtotals,
    "ledger": _ledger, "sources": _sources, "strict_limits": _strict_limits, "zero_budgets": _zero_budgets,
}
LIMITS = {"strict_limits": {"line_rate_max": 1.2, "total_rate_max": 1.05}}


# ------------------------------------------------------------------ what is compared
def _digest(df: pd.DataFrame) -> str:
    """Columns, dtypes and every value of a table."""
    h = hashlib.sha256(json.dumps([list(map(str, df.columns)), list(map(str, df.dtypes)),
                                   list(map(str, df.index[:3]))]).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()[:16]


def outcome(tables, profile, file_issues, limits=None) -> dict:
    hospital, issues = validate_tables(tables, profile, file_issues, source="x",
                                       limits=plausibility_limits() if limits is None else limits)
    result = {"issues": [i.as_dict() | {"table": i.table} for i in issues]}
    if hospital is not None:
        result["tables"] = {n: _digest(getattr(hospital, n)) for n in sorted(TABLE_NAMES) if getattr(hospital, n, None)
                            is not None}
        result["notes"] = len(hospital.notes)
        result["coverage"] = {str(k): v for k, v in hospital.coverage.items()}
    return result


TABLE_NAMES = ("departments", "accounts", "budget", "actuals", "budget_monthly", "adjustments", "workload",
               "performance", "survey_items", "survey_responses", "checklist", "systems")


def all_outcomes(j) -> dict:
    tables, profile, file_issues = j
    out = {}
    for name, make in CASES.items():
        t, p = make(_copy(tables), dict(profile))
        out[name] = outcome(t, p, file_issues, LIMITS.get(name))
    for sample in ("well_run_hospital", "mixed_hospital"):
        out[sample] = outcome(*read_hospital_files(SAMPLES / sample))
    return out


def test_issues_and_tables_equal_the_record(j_tables):
    got = json.loads(json.dumps(all_outcomes(j_tables), default=str))
    if os.environ.get("CASEKIT_RECORD_VALIDATION"):
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        RECORD.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(RECORD.read_text(encoding="utf-8"))
    assert set(got) == set(want)
    for case in want:
        assert got[case] == want[case], case


def test_the_cases_find_what_they_were_built_to_find(j_tables):
    """The record is not vacuous: each defect is reported (worked out from the case, not the record)."""
    want = json.loads(RECORD.read_text(encoding="utf-8"))
    text = {case: " | ".join(f"{i['severity']}:{i['problem']}" for i in r["issues"]) for case, r in want.items()}
    assert "department '9999' is not in departments.csv (rows 2, 7, 11, 402, 403 and 4 more)" in text["bad_references"]
    assert "'101'" in text["bad_references"] and "survey item 'S99'" in text["bad_references"]
    assert "duplicate key" in text["duplicate_keys"]
    assert "stop at month 6" in text["partial_year"] and "no budget year is complete" in text["no_complete_year"]
    assert text["negative_amounts"].count("error:expense budget is negative") == 3
    assert "of its budget" in text["implausible_line"]
    assert "total actual expense of 2023" in text["implausible_total"] or "total actual revenue of 2023" in \
        text["implausible_total"]
    assert "times the budget" in text["mixed_units"] and "implausibly small" in text["scale"]
    assert "parent account 7202" in text["account_tree"] and "look like parents" in text["account_tree"]
    assert "其中" in text["of_which"] and "required table 'departments'" in text["missing_tables"]
    assert "annual only" in text["annual_only"] and "mix monthly rows" in text["mixed_months"]
    assert "equals the actual of 2022" in text["copied_budget"]
    assert "value not allowed" in text["schema_defects"] and "'X1' is not a standard item" in text["checklist_custom"]
    assert "year 2024 has a budget but no actuals" in text["years_without_counterpart"]
    assert "profile is missing" in text["no_profile"] and "says the amounts are in" in text["stated_unit"]
    assert "does not add up" in text["subtotals"] and "ledger_2020.csv" in text["ledger"]
    assert any(i["file"] == "budget_2022.csv" for i in want["sources"]["issues"])
    assert text["strict_limits"].count("of its budget") > 5 and "tables" in want["as_is"]
    assert text["as_is"].count("warning:") == 7 and "error:" not in text["as_is"]
