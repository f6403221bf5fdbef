"""Checklist scores and systems summary (casekit.indicators.governance)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casekit.indicators.governance import checklist_items, checklist_scores, standard_checklist, systems_summary

STANDARD = pd.DataFrame({"item_id": ["S1", "S2", "S3", "S4"], "aspect": ["A1", "A1", "A2", "A4"],
                         "cause": ["C1", "C1", "", "C3"], "requirement_en": ["r1", "r2", "r3", "r4"],
                         "requirement_zh": ["要求1", "要求2", "要求3", "要求4"], "source": "test"})


def test_checklist_scores_hand_worked(tiny_hospital):
    # S1 yes, S2 partial, S3 no; S4 unanswered; X9 is the hospital's own item (aspect A2, no cause)
    chk = pd.DataFrame({"item_id": ["S1", "S2", "S3", "X9"], "aspect": [None, None, None, "A2"],
                        "status": ["yes", "partial", "no", "yes"]})
    h = tiny_hospital.with_tables(checklist=chk)
    sc = checklist_scores(h, standard=STANDARD).set_index(["group_type", "group"])
    assert sc.loc[("aspect", "A1"), "share_met"] == pytest.approx(0.75)
    assert sc.loc[("aspect", "A2"), "share_met"] == pytest.approx(0.5)   # no + own item yes
    assert sc.loc[("aspect", "A2"), "n_items"] == 2
    assert np.isnan(sc.loc[("aspect", "A4"), "share_met"])               # nothing answered
    assert sc.loc[("aspect", "A4"), "n_answered"] == 0
    assert sc.loc[("cause", "C1"), "share_met"] == pytest.approx(0.75)
    assert sc.loc[("cause", "C1"), "n_yes"] == 1 and sc.loc[("cause", "C1"), "n_partial"] == 1
    assert ("cause", "C3") in sc.index
    # all: (1 + 0.5 + 0 + 1) / 4 answered
    assert sc.loc[("all", "all"), "share_met"] == pytest.approx(2.5 / 4)
    assert sc.loc[("all", "all"), "n_items"] == 5
    items = checklist_items(h, standard=STANDARD).set_index("item_id")
    assert items.loc["S1", "aspect"] == "A1" and bool(items.loc["S1", "standard"])
    assert not bool(items.loc["X9", "standard"]) and pd.isna(items.loc["X9", "cause"])


def test_standard_checklist_maps_every_cause():
    std = standard_checklist()
    assert {"item_id", "aspect", "cause", "requirement_en", "requirement_zh", "source"} <= set(std.columns)
    assert {"C1", "C2", "C3", "C4", "C5"} <= set(std["cause"])


def test_systems_summary_hand_worked(tiny_hospital):
    systems = pd.DataFrame({"system": ["HIS", "HRP", "budget", "cost"], "in_use": [True, True, True, False],
                            "integrated_with_finance": [True, False, False, False],
                            "data_latency_days": [2.0, 10.0, 15.0, np.nan], "manual_steps": [0, 2, 3, pd.NA]})
    s = systems_summary(tiny_hospital.with_tables(systems=systems)).iloc[0]
    assert s["n_systems"] == 4 and s["n_in_use"] == 3
    assert s["share_in_use"] == pytest.approx(0.75)
    assert s["share_integrated"] == pytest.approx(1 / 3)
    assert s["mean_latency_days"] == pytest.approx(9.0)
    assert s["max_latency_days"] == 15.0
    assert s["manual_steps"] == 5.0


def test_own_items_may_carry_a_cause(tiny_hospital):
    chk = pd.DataFrame({"item_id": ["S1", "X9"], "cause": ["C5", "C5"], "status": ["yes", "no"]})
    sc = checklist_scores(tiny_hospital.with_tables(checklist=chk), standard=STANDARD)
    sc = sc.set_index(["group_type", "group"])
    # S1 keeps the standard's cause C1; the hospital's own X9 counts for C5
    assert sc.loc[("cause", "C1"), "share_met"] == 1.0
    assert sc.loc[("cause", "C5"), "n_items"] == 1 and sc.loc[("cause", "C5"), "share_met"] == 0.0
