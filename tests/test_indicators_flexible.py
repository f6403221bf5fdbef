"""Flexible-budget variance on tiny_hospital (D1, 2024: budget 1200 visits, actual 1680)."""
from __future__ import annotations

import pandas as pd
import pytest

from casekit.indicators.flexible import flexible_budget_variance


def test_hand_worked_split(tiny_hospital):
    f = flexible_budget_variance(tiny_hospital).set_index("account_id")
    assert list(f.index) == ["E1", "R1"]
    r = f.loc["R1"]
    # outpatient revenue: B0 1320 for 1200 visits -> 1.10 a visit
    assert r["budget_rate"] == pytest.approx(1.10)
    # volume variance (1680 - 1200) x 1.10 = 528; rate variance (1305/1680 - 1.10) x 1680 = 1305 - 1848 = -543
    assert r["volume_variance"] == pytest.approx(528)
    assert r["rate_variance"] == pytest.approx(-543)
    assert r["total_variance"] == pytest.approx(1305 - 1320)
    e = f.loc["E1"]
    # drugs: 660 / 1200 = 0.55 a visit; volume 480 x 0.55 = 264; rate 696 - 0.55 x 1680 = -228
    assert (e["volume_variance"], e["rate_variance"]) == (pytest.approx(264), pytest.approx(-228))
    assert (f["driver_source"] == "accounts.driver").all()


def test_identity_holds(tiny_hospital):
    f = flexible_budget_variance(tiny_hospital, basis="adjusted")
    assert ((f["volume_variance"] + f["rate_variance"]) - (f["actual"] - f["budget"])).abs().max() < 1e-9


def test_chinese_split_by_category_default(tiny_hospital):
    acc = tiny_hospital.accounts.assign(driver=pd.array([None, None, None], dtype="str"))
    f = flexible_budget_variance(tiny_hospital.with_tables(accounts=acc))
    # without drivers, outpatient revenue falls back to visits x revenue per visit; drugs have no default
    assert list(f["account_id"]) == ["R1"]
    assert f.iloc[0]["driver"] == "outpatient_visits" and f.iloc[0]["driver_source"] == "category default"


def test_needs_budget_workload(tiny_hospital):
    wl = tiny_hospital.workload
    assert flexible_budget_variance(tiny_hospital.with_tables(workload=wl[wl["scenario"] == "actual"])).empty
    assert flexible_budget_variance(tiny_hospital.with_tables(workload=None)).empty
