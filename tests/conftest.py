"""Shared fixtures.

``tiny_hospital`` is a hand-made :class:`casekit.data.hospital.Hospital` small enough to work every
indicator out by hand. Other test files rely on the numbers below: do not change them without
updating every hand calculation (grep for ``tiny_hospital``).

Departments: D1 "Internal medicine" (clinical), D2 "Hospital office" (administrative).
Accounts: R1 outpatient revenue (revenue, driver outpatient_visits), E1 drugs (expense, driver
outpatient_visits), E2 administration (expense, no driver). Years 2023 and 2024, monthly.

Monthly actuals (yuan):

======  ===========================  ==================================  ======
line    2023                         2024                                totals
======  ===========================  ==================================  ======
D1 R1   100 every month              90 Jan-Mar, 115 Apr-Dec             1200 / 1305
D1 E1   50 every month               58 every month                      600 / 696
D1 E2   10 every month               10 Jan-Nov, 40 Dec                  120 / 150
D2 E2   20 Jan-Nov, 80 Dec           25 Jan-Nov, 85 Dec                  300 / 360
D2 E1   (none)                       30 in Dec only, no budget row       0 / 30
======  ===========================  ==================================  ======

Budget: 2023 B0 = B1 = 1200 (D1 R1), 600 (D1 E1), 120 (D1 E2), 240 (D2 E2).
2024 B0 = 2023 actual x 1.10 on every line (the rigid "same growth for all" budget):
1320, 660, 132, 330; B1 = B0 except D1 E1, raised to 720 by two adjustments of +30
(2024-06-30 approved; 2024-11-15 not approved: repeated, one in Q4, half unapproved).
No ``budget_monthly`` (phasing is flat 1/12 by definition).

Workload of D1 only (D2 is administrative): actual outpatient visits 100 a month in 2023 and
140 a month in 2024 (1200 -> 1680), discharges 10 a month both years (120); budget scenario
for 2024 is annual (month missing): 1200 visits, 120 discharges.
"""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.data.hospital import Hospital, Profile


def _monthly(year: int, dept: str, account: str, amounts: list[float]) -> list[dict]:
    return [{"year": year, "month": m + 1, "dept_id": dept, "account_id": account, "amount": float(v)}
            for m, v in enumerate(amounts)]


def build_tiny_hospital() -> Hospital:
    """Build the tiny hand-checkable hospital described in this module's docstring."""
    departments = pd.DataFrame({"dept_id": ["D1", "D2"], "name": ["Internal medicine", "Hospital office"],
                                "type": ["clinical", "administrative"]})
    accounts = pd.DataFrame({
        "account_id": ["R1", "E1", "E2"],
        "name": ["Outpatient revenue", "Drugs", "Administration"],
        "direction": ["revenue", "expense", "expense"],
        "category": ["outpatient", "drugs", "administration"],
        "revenue_kind": ["service", None, None],
        "driver": ["outpatient_visits", "outpatient_visits", None],
        "parent_id": [None, None, None],
    })
    budget = pd.DataFrame({
        "year": [2023] * 4 + [2024] * 4,
        "dept_id": ["D1", "D1", "D1", "D2"] * 2,
        "account_id": ["R1", "E1", "E2", "E2"] * 2,
        "original": [1200.0, 600.0, 120.0, 240.0, 1320.0, 660.0, 132.0, 330.0],
        "adjusted": [1200.0, 600.0, 120.0, 240.0, 1320.0, 720.0, 132.0, 330.0],
        "adjusted_given": [False] * 5 + [True, False, False],
    })
    rows = (
        _monthly(2023, "D1", "R1", [100] * 12)
        + _monthly(2023, "D1", "E1", [50] * 12)
        + _monthly(2023, "D1", "E2", [10] * 12)
        + _monthly(2023, "D2", "E2", [20] * 11 + [80])
        + _monthly(2024, "D1", "R1", [90] * 3 + [115] * 9)
        + _monthly(2024, "D1", "E1", [58] * 12)
        + _monthly(2024, "D1", "E2", [10] * 11 + [40])
        + _monthly(2024, "D2", "E2", [25] * 11 + [85])
        + [{"year": 2024, "month": 12, "dept_id": "D2", "account_id": "E1", "amount": 30.0}]
    )
    actuals = pd.DataFrame(rows)
    actuals["month"] = actuals["month"].astype("Int64")
    adjustments = pd.DataFrame({
        "date": pd.to_datetime(["2024-06-30", "2024-11-15"]).astype("datetime64[ns]"),
        "dept_id": ["D1", "D1"], "account_id": ["E1", "E1"], "change": [30.0, 30.0],
        "reason": ["price rise", "year-end top-up"], "approved": [True, False],
    })
    wl_actual = pd.DataFrame({
        "year": [2023] * 12 + [2024] * 12, "month": list(range(1, 13)) * 2, "dept_id": "D1", "scenario": "actual",
        "outpatient_visits": [100.0] * 12 + [140.0] * 12, "bed_days": float("nan"),
        "discharges": [10.0] * 24, "surgeries": float("nan"),
    })
    wl_budget = pd.DataFrame({"year": [2024], "month": [None], "dept_id": ["D1"], "scenario": ["budget"],
                              "outpatient_visits": [1200.0], "bed_days": [float("nan")], "discharges": [120.0],
                              "surgeries": [float("nan")]})
    workload = pd.concat([wl_actual, wl_budget], ignore_index=True)
    workload["month"] = workload["month"].astype("Int64")
    workload["year"] = workload["year"].astype("int64")
    for df in (budget, actuals):
        df["year"] = df["year"].astype("int64")
    return Hospital(profile=Profile(name="Tiny test hospital", tier="secondary", synthetic=True),
                    departments=departments, accounts=accounts, budget=budget, actuals=actuals,
                    adjustments=adjustments, workload=workload)


@pytest.fixture
def tiny_hospital() -> Hospital:
    """The hand-checkable two-department, three-account, two-year monthly hospital (see module docstring)."""
    return build_tiny_hospital()


@pytest.fixture
def tiny_annual(tiny_hospital: Hospital) -> Hospital:
    """``tiny_hospital`` reduced to annual actuals (month missing), as from published final accounts."""
    a = tiny_hospital.actuals.groupby(["year", "dept_id", "account_id"], as_index=False)["amount"].sum()
    a.insert(1, "month", pd.array([pd.NA] * len(a), dtype="Int64"))
    return tiny_hospital.with_tables(actuals=a)
