"""Account trees, totals, negative bases and plausibility limits (casekit.data.accounts, casekit.data.amounts)."""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.data.amounts import plausibility_limits
from casekit.errors import ConfigError
from casekit.indicators.execution import add_rates


def test_no_rate_on_zero_or_negative_base():
    """A deficit plan of -790 against -2,397 is a deviation of -1,607, not '303% executed'."""
    out = add_rates(pd.DataFrame({"budget": [-790.0, 0.0, 100.0], "actual": [-2397.0, 5.0, 104.0]}))
    assert out["execution_rate"].isna().tolist() == [True, True, False]
    assert out["deviation"].tolist() == [-1607.0, 5.0, 4.0]
    assert out["band"].tolist() == ["undefined", "undefined", "good"]
    assert out["deviation_rate"].iloc[2] == pytest.approx(0.04)


def test_plausibility_limits_default_and_override(tmp_path):
    assert plausibility_limits() == {"line_rate_max": 40.0, "total_rate_max": 10.0}
    cfg = tmp_path / "t.yaml"
    cfg.write_text("data:\n  line_rate_max: 120\n", encoding="utf-8")
    assert plausibility_limits(cfg)["line_rate_max"] == 120.0
    assert plausibility_limits({"data.total_rate_max": 20})["total_rate_max"] == 20.0
    with pytest.raises(ConfigError, match="positive number"):
        plausibility_limits({"data": {"line_rate_max": "many"}})


def _statement(parent_budget: float) -> dict:
    """A statement with total lines: 5000 (parent, via parent_id) over 5001 + 5002; 4001 over 400101 by code."""
    from tests.test_validation import raw

    accounts = [{"account_id": "5000", "name": "支出合计", "direction": "expense", "category": "other_expense"},
                {"account_id": "5001", "name": "Drugs", "direction": "expense", "category": "drugs",
                 "parent_id": "5000"},
                {"account_id": "5002", "name": "Staff", "direction": "expense", "category": "personnel",
                 "parent_id": "5000"},
                {"account_id": "4001", "name": "Medical revenue", "direction": "revenue", "category": "outpatient"},
                {"account_id": "400101", "name": "Outpatient", "direction": "revenue", "category": "outpatient"},
                {"account_id": "400102", "name": "Inpatient", "direction": "revenue", "category": "inpatient"},
                {"account_id": "400103", "name": "其中：专家门诊", "direction": "revenue", "category": "outpatient"}]
    lines = [("5000", parent_budget), ("5001", 600_000.0), ("5002", 400_000.0), ("4001", 1_500_000.0),
             ("400101", 500_000.0), ("400102", 1_000_000.0), ("400103", 100_000.0)]
    return {"departments": raw("departments", [{"dept_id": "ALL", "name": "全院", "type": "clinical"}]),
            "accounts": raw("accounts", accounts),
            "budget": raw("budget", [{"year": 2023, "dept_id": "ALL", "account_id": a, "original": v, "adjusted": v}
                                     for a, v in lines]),
            "actuals": raw("actuals", [{"year": 2023, "dept_id": "ALL", "account_id": a, "amount": v * 0.98}
                                       for a, v in lines])}


def test_parent_and_total_lines_are_not_counted_twice():
    from tests.test_validation import run

    hospital, issues = run(_statement(1_000_000.0))
    assert hospital is not None
    b = hospital.budget.merge(hospital.accounts[["account_id", "direction"]], on="account_id")
    # leaves only: expense 600,000 + 400,000; revenue 500,000 + 1,000,000 (其中 row left out)
    assert b.groupby("direction")["original"].sum().to_dict() == {"expense": 1_000_000.0, "revenue": 1_500_000.0}
    assert not [i for i in issues if "does not" in i.problem or "sum to" in i.problem]


def test_parent_that_does_not_foot_is_a_finding_with_its_row():
    from tests.test_validation import run

    hospital, issues = run(_statement(1_100_000.0))
    (broken,) = [i for i in issues if "parent account 5000" in i.problem and i.column == "original"]
    assert broken.row == 2 and broken.severity == "warning" and "difference 100,000" in broken.problem
    b = hospital.budget
    assert b.loc[b["account_id"].str.startswith("500"), "original"].sum() == 1_000_000.0


def test_unit_slip_reported_at_the_cell_in_the_files_unit():
    from tests.test_validation import base_tables, raw, run

    tables = base_tables()
    df = tables["actuals"].df.copy()
    first = df.index[(df["account_id"] == "5001") & (df["dept_id"] == "D01")][0]
    df.loc[first, "amount"] = 500_000.0                       # 50 typed as 500,000
    tables["actuals"] = raw("actuals", df.to_dict("records"))
    _, issues = run(tables)
    (slip,) = [i for i in issues if "check units or decimal point" in i.problem]
    assert slip.row == tables["actuals"].rows[first] and slip.value == "500,000.00" and slip.column == "amount"


def test_month_naming_another_year_is_an_error_at_the_cell(tmp_path):
    from casekit.data.io.readers import read_table
    from casekit.data.schema.tables import TABLES

    path = tmp_path / "actuals.csv"
    path.write_text("year,month,dept_id,account_id,amount\n2023,2023.03,D01,5001,10\n2023,2024.04,D01,5001,10\n",
                    encoding="utf-8")
    raw = read_table(path, TABLES["actuals"])
    (err,) = [i for i in raw.issues if "names year" in i.problem]
    assert (err.row, err.column, err.value, err.severity) == (3, "month", "2024.04", "error")


def test_budget_copied_from_last_years_actual_is_flagged():
    from casekit.data.io.raw import RawTable
    from casekit.data.quality import copied_budget_issues

    keys = {"dept_id": ["D"] * 6, "account_id": list("abcdef")}
    b = pd.DataFrame({"year": [2024] * 6, **keys, "original": [10.0, 20.0, 30.0, 40.0, 50.0, 61.0]})
    a = pd.DataFrame({"year": [2023] * 6, **keys, "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]})
    raw = RawTable("budget", "budget.csv", b, pd.Series(range(2, 8)), {"original": "年初预算"}, [], [])
    (w,) = copied_budget_issues({"budget": b, "actuals": a}, {"budget": raw})
    assert "5 of 6 lines (83%)" in w.problem and w.column == "年初预算"
    b.loc[:2, "original"] *= 1.05
    assert copied_budget_issues({"budget": b, "actuals": a}, {"budget": raw}) == []
