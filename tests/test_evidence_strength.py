"""Evidence discipline, robustness and the conclusion (casekit.diagnosis.criteria / robustness / conclusion)."""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.data.hospital import Profile
from casekit.diagnosis import diagnose
from casekit.diagnosis.config import RuleContext, Thresholds
from casekit.diagnosis.criteria import check, decide
from casekit.diagnosis.finding import Criterion, Finding
from casekit.diagnosis.recommendations import recommend
from casekit.diagnosis.robustness import label, margin, sensitivity
from casekit.indicators.adjustments import line_adjustment_rates
from casekit.indicators.execution import execution_statement

OPTIONAL = ["adjustments", "workload", "performance", "survey_items", "survey_responses", "checklist", "systems",
            "budget_monthly"]


@pytest.fixture(scope="module")
def one_year_hospital():
    """The four required tables only, one year of annual actuals, a profile with nothing but a name."""
    from casekit.sample import generate

    h = generate("j", departments=6, years=1)
    y = h.years[-1]
    a = h.actuals[h.actuals["year"] == y].groupby(["year", "dept_id", "account_id"], as_index=False)["amount"].sum()
    a["month"] = pd.array([pd.NA] * len(a), dtype="Int64")
    return h.with_tables(actuals=a, budget=h.budget[h.budget["year"] == y], profile=Profile(name="One-year hospital"),
                         **{n: None for n in OPTIONAL})


def _checks(ctx, values):
    return [check(ctx, f"c{i}", v, "p3.line_share_beyond", ">=", f"criterion {i}", f"判据{i}", "test")
            for i, v in enumerate(values)]


def test_one_computable_criterion_is_never_a_plain_present(tiny_hospital):
    ctx = RuleContext(tiny_hospital, Thresholds())
    f = decide("P3", "Large deviation", "偏差大", _checks(ctx, [0.9, None, None, None]), 2)
    assert f.status == "present" and f.evidence_strength == "weak"
    assert f.n_computable == 1 and f.n_criteria == 4 and f.n_required == 2
    assert f.summary_en.startswith("Large deviation: indicated — weak evidence; only 1 of 4 criteria computable")
    assert f.evidence_note() == "weak evidence: 1 of 4 criteria computable (the rule needs 2)"
    assert "证据不足" in f.summary_zh
    strong = decide("P3", "t", "t", _checks(ctx, [0.9, 0.3, None, None]), 2)
    assert strong.evidence_strength == "sufficient" and strong.evidence_note() == ""
    # a recommendation resting only on it says so
    recs = [r for r in recommend([f]) if r.kind == "corrective"]
    assert recs and all(r.weak_evidence == ["P3"] for r in recs)
    assert not any(r.weak for r in recommend([strong]) if r.kind == "corrective")


def test_margin_and_sensitivity_worked_by_hand():
    # P3-like rule needing 2 of 3: 0.27 >= 0.25 trips by 8% of the threshold, 0.40 >= 0.25 by 60%,
    # 0.10 does not trip (-60%).
    cs = [Criterion("a", 0.27, 0.25, ">=", True, "k.a"), Criterion("b", 0.40, 0.25, ">=", True, "k.b"),
          Criterion("c", 0.10, 0.25, ">=", False, "k.c")]
    assert [round(margin(c.value, c.threshold, c.op)[0], 2) for c in cs] == [0.08, 0.6, -0.6]
    rows = sensitivity(cs, 2, "present")
    flips = {(r["scope"], r["change"]) for r in rows if r["flips"]}
    # raising k.a by 10% (0.275) or 20% (0.30) un-trips a: 1 of 3 left -> absent; nothing else flips alone
    assert flips == {("k.a", 0.1), ("k.a", 0.2), ("all", 0.1), ("all", 0.2)}
    assert label(rows) == ("fragile", 0.1)
    # with 0.29 instead of 0.27 (16% margin) only a 20% move flips it
    cs[0] = Criterion("a", 0.29, 0.25, ">=", True, "k.a")
    assert label(sensitivity(cs, 2, "present")) == ("fragile", 0.2)
    cs[0] = Criterion("a", 0.35, 0.25, ">=", True, "k.a")
    assert label(sensitivity(cs, 2, "present")) == ("robust", None)
    # a "<" criterion and a zero threshold: the zero one is held fixed
    assert margin(2.5, 3.0, "<")[0] == pytest.approx(1 / 6)
    assert sensitivity([Criterion("z", -0.01, 0.0, "<", True, "p2.fva_min")], 1, "present") == []


def test_statistical_criteria_carry_n_and_statistic():
    from casekit.sample import generate

    d = diagnose(generate("j", departments=8, years=2))
    p4 = d.finding("P4")
    stat = [c for c in p4.criteria if c.name.endswith("p_negative")]
    assert stat and all(c.n is not None and c.n >= 3 and c.statistic is not None for c in stat)
    assert "n = " in p4.summary_en and "p = " in p4.summary_en


def test_one_year_required_tables_hospital(one_year_hospital):
    d = diagnose(one_year_hospital)
    assert d.finding("P1").status == "not_assessed"
    for f in d.findings:
        if f.status == "present" and f.code[0] in "PC":
            assert f.n_computable >= 2 or f.weak, f.code          # never plain present on one criterion
        if f.status != "not_assessed":
            assert f.evidence_strength in ("sufficient", "weak") and f.robustness in ("robust", "fragile")
    assessed = sum(f.status != "not_assessed" for f in d.findings)
    text = d.conclusion()
    assert text.startswith(f"{assessed} of 15 findings could be assessed from these data")
    assert "Not assessed: " in text and "P1" in text.split("Not assessed: ")[1]
    assert "for these supply: " in text and "checklist table" in text and "performance table" in text
    assert "No problem was found." not in text
    assert "未评估" in d.conclusion("zh")
    data = d.to_dict()
    assert data["coverage"]["n_assessed"] == assessed and "P1" in data["coverage"]["not_assessed"]
    # an aspect rated without checklist items is weak evidence, never a plain "good"
    for a in d.aspects:
        if a.status == "present":
            assert a.weak and "no checklist item" in a.summary_en
    assert {s["indicator"] for s in data["pefa"] if "1 year" in s["note_en"]} >= {"PI-1", "PI-3.1"}


def test_no_problem_found_is_not_a_clean_bill_when_most_were_not_assessed():
    fs = [Finding("P1", "t", "t", "absent", 10.0, evidence_strength="sufficient"),
          *[Finding.not_assessed(f"P{i}", "t", "t", ["systems table"]) for i in range(2, 6)]]
    from casekit.diagnosis.conclusion import conclusion

    text = conclusion(fs)
    assert "1 of 5 findings could be assessed" in text
    assert "No problem was found among the 1 that could be assessed; 4 could not be assessed" in text
    assert text.endswith("for these supply: systems table.")


def test_execution_statement_by_account_worked_by_hand(tiny_hospital):
    t = execution_statement(tiny_hospital, by="account")
    y24 = t[t["year"] == 2024]
    # 2024 expense by account: E1 B0 660, B1 720, A 696 + 30 (D2 unbudgeted) = 726; E2 B0 = B1 = 132 + 330 = 462,
    # A = 150 + 360 = 510. Sorted by |A - B1|: E2 (48) before E1 (6), then the total.
    exp = y24[y24["direction"] == "expense"]
    assert exp["account_id"].tolist() == ["E2", "E1", ""] and exp["row_type"].tolist() == ["line", "line", "total"]
    e1 = exp.iloc[1]
    assert e1["account_name"] == "Drugs"
    assert e1["execution_rate_original"] == pytest.approx(726 / 660)   # 110.00%
    assert e1["execution_rate_adjusted"] == pytest.approx(726 / 720)   # 100.83%
    assert e1["deviation"] == pytest.approx(6.0) and e1["deviation_rate"] == pytest.approx(6 / 720)
    tot = exp.iloc[2]
    assert tot["original"] == pytest.approx(1122) and tot["adjusted"] == pytest.approx(1182)
    assert tot["actual"] == pytest.approx(1236) and tot["account_name"] == ""
    assert y24["direction"].tolist()[0] == "revenue"                     # revenue block first
    d = execution_statement(tiny_hospital, by="department")
    assert set(d["dept_name"]) == {"Internal medicine", "Hospital office", ""}


def test_adjustment_rate_flag(tiny_hospital):
    r = line_adjustment_rates(tiny_hospital, limit=0.30)
    # D1 E1 2024: B0 660 -> B1 720, +9.09%: adjusted but under 30%
    assert len(r) == 1 and r.iloc[0]["adjustment_rate"] == pytest.approx(60 / 660) and not r.iloc[0]["over_limit"]
    assert line_adjustment_rates(tiny_hospital, limit=0.05)["over_limit"].tolist() == [True]


def test_tables_xlsx_has_the_execution_table_with_two_decimal_rates(tiny_hospital, tmp_path):
    from openpyxl import load_workbook

    from casekit.report.excel import write_tables

    d = diagnose(tiny_hospital)
    names = list(d.tables())
    assert names[:5] == ["findings", "execution", "execution_by_department", "pefa", "pefa_years"]
    path = write_tables(d.tables(), tmp_path / "tables.xlsx")
    wb = load_workbook(path)
    ws = wb["Budget execution by account"]
    header = [c.value for c in ws[1]]
    col = header.index("execution_rate_adjusted") + 1
    cell = ws.cell(row=2, column=col)
    assert cell.number_format == "0.00%" and isinstance(cell.value, (int, float))  # a number, not text
    assert "account_name" in header and "dept_name" in [c.value for c in wb["Budget execution by department"][1]]
    zh = load_workbook(write_tables(d.tables(), tmp_path / "zh.xlsx", lang="zh"))["预算执行情况表"]
    header = [c.value for c in zh[1]]
    assert zh.cell(row=2, column=header.index("执行率（对调整后预算）") + 1).number_format == "0.00%"
