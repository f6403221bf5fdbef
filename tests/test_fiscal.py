"""Fiscal years starting in July (casekit.data.fiscal): calendar months of the data become fiscal months on load.

The hospital below keeps a July-June fiscal year (``fiscal_year_start: 7``; FY2023 = July 2023 to June 2024).
Hand-worked from the calendar data written into the files:

* expense E1 (drugs): 50 a month January-June 2023 (fiscal months 7-12 of FY2022, which has no budget),
  100 a month July 2023-May 2024, 300 in June 2024 (the last month of FY2023):
  FY2023 actual = 11 x 100 + 300 = 1400 against B0 = B1 = 1200 -> execution 116.67 %;
  cumulative at the fiscal quarter ends (Sep, Dec 2023, Mar 2024) = 300, 600, 900 = 25 %, 50 %, 75 % of 1200,
  exactly on the time schedule (gap 0); year-end surge = 300 / (1400 / 12) = 2.5714.
* revenue R1: 200 a month July 2023-June 2024 = 2400 = its budget (100 %).
* adjustment +60 on E1 dated 2024-05-10: fiscal month 11 of FY2023, so in the fiscal fourth quarter
  (a calendar reading would put it in Q2 of 2024, a year without a budget).
Read as calendar years, the same files would give 2023 an E1 actual of 300 + 600 = 900 (75 %).
"""
from __future__ import annotations

from pathlib import Path

import pytest

import casekit
from casekit.data.fiscal import calendar_of, fiscal_of, month_axis, year_label
from casekit.indicators.execution import complete_years, execution_table
from casekit.indicators.progress import time_progress, year_end_surge


def _months(start: tuple[int, int], n: int) -> list[tuple[int, int]]:
    y, m = start
    out = []
    for _ in range(n):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def july_hospital(root: Path, start: int | None = 7) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    fy = "" if start is None else f"fiscal_year_start: {start}\n"
    (root / "hospital.yaml").write_text(f"name: July hospital\ntier: secondary\ncurrency_unit: units\n{fy}",
                                        encoding="utf-8")
    (root / "departments.csv").write_text("dept_id,name,type\nD1,Medicine,clinical\n", encoding="utf-8")
    (root / "accounts.csv").write_text("account_id,name,direction,category\nR1,Outpatient,revenue,outpatient\n"
                                       "E1,Drugs,expense,drugs\n", encoding="utf-8")
    (root / "budget.csv").write_text("year,dept_id,account_id,original,adjusted\n2023,D1,R1,2400,2400\n"
                                     "2023,D1,E1,1200,1200\n", encoding="utf-8")
    rows = ["year,month,dept_id,account_id,amount"]
    rows += [f"{y},{m},D1,E1,50" for y, m in _months((2023, 1), 6)]
    rows += [f"{y},{m},D1,E1,{300 if (y, m) == (2024, 6) else 100}" for y, m in _months((2023, 7), 12)]
    rows += [f"{y},{m},D1,R1,200" for y, m in _months((2023, 7), 12)]
    (root / "actuals.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (root / "adjustments.csv").write_text("date,dept_id,account_id,change,reason,approved\n"
                                          "2024-05-10,D1,E1,60,price rise,yes\n", encoding="utf-8")
    return root


def test_conventions():
    assert fiscal_of(2024, 6, 7) == (2023, 12) and fiscal_of(2023, 7, 7) == (2023, 1) and fiscal_of(2023, 1, 7) == (2022, 7)
    assert all(calendar_of(*fiscal_of(y, m, s), s) == (y, m) for s in (1, 4, 7, 10) for y in (2023,) for m in range(1, 13))
    assert year_label(2023, 4) == "FY2023 (April 2023-March 2024)" and year_label(2023, 1) == "2023"
    assert month_axis(7) == "Month of the fiscal year (1 = July)" and month_axis(10, "zh") == "财年月份（1 = 10月）"


@pytest.fixture(scope="module")
def july(tmp_path_factory):
    return casekit.load(july_hospital(tmp_path_factory.mktemp("fy") / "h"))


def test_calendar_months_become_fiscal_months(july):
    a = july.actuals
    assert sorted(a["year"].unique()) == [2022, 2023] and july.years == [2023]
    assert a.loc[a["year"] == 2022, "month"].tolist() == list(range(7, 13))       # Jan-Jun 2023 = FY2022 months 7-12
    e1 = a[(a["year"] == 2023) & (a["account_id"] == "E1")].sort_values("month")
    assert e1["amount"].sum() == 1400 and e1["month"].tolist() == list(range(1, 13)) and e1["amount"].iloc[-1] == 300
    assert complete_years(july) == [2023]


def test_execution_progress_and_surge_in_fiscal_months(july):
    t = execution_table(july, basis="adjusted").set_index("account_id")
    assert t.loc["E1", "actual"] == 1400 and t.loc["E1", "execution_rate"] == pytest.approx(1400 / 1200)
    assert t.loc["R1", "execution_rate"] == pytest.approx(1.0)
    tp = time_progress(july).query("year == 2023 and direction == 'expense'").set_index("month")
    for month, share in ((3, 0.25), (6, 0.5), (9, 0.75)):
        assert tp.loc[month, "progress"] == pytest.approx(share) and tp.loc[month, "gap"] == pytest.approx(0.0)
        assert bool(tp.loc[month, "is_quarter_end"])
    assert tp.loc[12, "progress"] == pytest.approx(1400 / 1200)
    surge = year_end_surge(july).set_index("year")
    assert surge.loc[2023, "surge"] == pytest.approx(300 / (1400 / 12))


def test_adjustment_dates_fall_in_fiscal_quarters(july):
    from casekit.indicators.adjustments import adjustment_summary

    s = adjustment_summary(july).set_index(["year", "direction"])
    assert s.loc[(2023, "expense"), "n_adjustments"] == 1 and s.loc[(2023, "expense"), "share_q4"] == 1.0


def test_monitor_year_to_date_in_fiscal_months(july):
    from casekit.monitor.analysis import analyse

    r = analyse(july, through="2023-12")                                           # December = fiscal month 6
    assert (r.period.year, r.period.month, r.period.label) == (2023, 6, "2023-12")
    e = r.totals.set_index("direction").loc["expense"]
    assert e["ytd_actual"] == 600 and e["progress"] == pytest.approx(0.5) and e["expected"] == pytest.approx(0.5)
    assert analyse(july).period.label == "2024-06"                                 # latest: June 2024, month 12


def test_calendar_reading_differs(tmp_path):
    """The same files without fiscal_year_start: calendar 2023 has E1 = 6 x 50 + 6 x 100 = 900."""
    h = casekit.load(july_hospital(tmp_path / "cal", start=None))
    t = execution_table(h, basis="adjusted").set_index("account_id")
    assert t.loc["E1", "actual"] == 900


def test_fiscal_year_start_checked(tmp_path):
    from casekit.data.validation import parse_profile

    p, issues = parse_profile({"name": "X", "currency_unit": "units", "tier": "secondary", "fiscal_year_start": 13})
    (err,) = issues
    assert p is None and err.column == "fiscal_year_start" and "1-12" in err.fix


def test_figures_label_fiscal_months(july):
    from casekit.report import plots

    fig = plots.time_progress(time_progress(july), lang="en", fiscal_start=7)
    assert fig.axes[0].get_xlabel() == "Month of the fiscal year (1 = July)"


def test_year_end_surge_criterion_names_the_last_fiscal_month(july):
    from casekit.diagnosis import diagnose

    p3 = next(f for f in diagnose(july).problems if f.code == "P3")
    c = next(c for c in p3.criteria if c.name == "year_end_surge")
    assert c.label_en.startswith("June expense") and c.label_zh.startswith("6月支出")
    assert c.value == pytest.approx(300 / (1400 / 12))
