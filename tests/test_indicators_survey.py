"""Survey constructs, Cronbach's alpha, role differences, construct vs deviation, response rate."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from casekit.indicators.survey import (construct_scores, construct_vs_deviation, cronbach_alpha, response_rate,
                                       role_differences)
from test_indicators_performance import build_five_dept_hospital

ITEMS = pd.DataFrame({"item_id": ["q1", "q2", "q3", "q4"],
                      "construct": ["participation", "participation", "participation", "staff"],
                      "reverse": [False, False, True, False]})
# respondent: (role, dept, answers q1..q4); q3 is reverse-scored (recoded 6 - x)
ANSWERS = {"r1": ("finance", "D1", [2, 3, 4, 5]), "r2": ("clinical", "D1", [1, 2, 5, 4]),
           "r3": ("clinical", "D2", [4, 4, 2, 3]), "r4": ("finance", "D2", [5, 4, 1, 2])}


def survey_tables(answers: dict, items: pd.DataFrame = ITEMS) -> dict[str, pd.DataFrame]:
    rows = [{"respondent_id": r, "role": role, "dept_id": dept, "item_id": q, "answer": v}
            for r, (role, dept, vals) in answers.items() for q, v in zip(items["item_id"], vals)]
    return {"survey_items": items, "survey_responses": pd.DataFrame(rows)}


@pytest.fixture
def surveyed(tiny_hospital):
    profile = replace(tiny_hospital.profile, extra={"survey_invited": 10})
    return replace(tiny_hospital.with_tables(**survey_tables(ANSWERS)), profile=profile)


def test_cronbach_alpha_hand_worked():
    # item variances 1.3, 1.7, 1.3 (sum 4.3); totals 13, 8, 14, 7, 13 have variance 10.5
    # alpha = 3/2 * (1 - 4.3/10.5) = 31/35
    wide = pd.DataFrame({"i1": [4, 3, 5, 2, 4], "i2": [5, 3, 4, 2, 5], "i3": [4, 2, 5, 3, 4]})
    assert cronbach_alpha(wide) == pytest.approx(31 / 35)


def test_cronbach_alpha_matches_covariance_form():
    # Textbook identity: alpha = k^2 * mean off-diagonal covariance / variance of the total
    rng = np.random.default_rng(3)
    latent = rng.normal(size=40)
    wide = pd.DataFrame({f"i{j}": latent + rng.normal(scale=0.8, size=40) for j in range(4)})
    cov = wide.cov().to_numpy()
    k = cov.shape[0]
    off = (cov.sum() - np.trace(cov)) / (k * (k - 1))
    assert cronbach_alpha(wide) == pytest.approx(k * k * off / cov.sum())


def test_cronbach_alpha_degenerate_cases():
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]})))  # one item
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [3, 3], "b": [3, 3]})))
    # identical items are perfectly consistent; a respondent with a missing item is dropped
    assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 4, None], "b": [1, 2, 4, 5]})) == pytest.approx(1.0)


def test_construct_scores_hand_worked(surveyed):
    cs = construct_scores(surveyed).set_index("construct")
    p = cs.loc["participation"]
    # respondent scores (q3 recoded): r1 7/3, r2 4/3, r3 12/3, r4 14/3 -> mean 37/12
    assert p["mean"] == pytest.approx(37 / 12)
    assert p["share_agree"] == pytest.approx(6 / 12)
    assert p["n_items"] == 3 and p["n_respondents"] == 4
    # item variances 10/3, 11/12, 10/3; totals 7, 4, 12, 14 have variance 251/12 -> alpha = 240/251
    assert p["alpha"] == pytest.approx(240 / 251)
    assert p["cause"] == "C1"
    s = cs.loc["staff"]
    assert s["mean"] == pytest.approx(3.5) and s["share_agree"] == pytest.approx(0.5)
    assert np.isnan(s["alpha"])  # a single item has no alpha
    assert s["cause"] == "C2"


def test_role_differences_match_scipy(surveyed):
    rd = role_differences(surveyed).set_index("construct")
    ref = stats.kruskal([4 / 3, 12 / 3], [7 / 3, 14 / 3])  # clinical, finance
    assert rd.loc["participation", "H"] == pytest.approx(ref.statistic)
    assert rd.loc["participation", "p_value"] == pytest.approx(ref.pvalue)
    assert rd.loc["participation", "n_groups"] == 2 and rd.loc["participation", "n"] == 4


def test_role_differences_single_role_is_nan(tiny_hospital):
    one_role = {k: ("nurse", d, v) for k, (_, d, v) in ANSWERS.items()}
    rd = role_differences(tiny_hospital.with_tables(**survey_tables(one_role)))
    assert rd["H"].isna().all() and (rd["n_groups"] == 1).all()


def test_construct_vs_deviation_five_departments():
    h = build_five_dept_hospital()
    # participation falls as |deviation| (mean over years: .01, .045, .125, .225, .35) rises
    levels = {"D1": 5, "D2": 4, "D3": 3, "D4": 2, "D5": 1}
    items = ITEMS.iloc[:2]
    answers = {f"{d}-{i}": ("clinical", d, [lv, lv]) for d, lv in levels.items() for i in range(2)}
    cvd = construct_vs_deviation(h.with_tables(**survey_tables(answers, items)))
    row = cvd.iloc[0]
    assert row["construct"] == "participation"
    assert row["rho"] == pytest.approx(-1.0)
    assert row["n_departments"] == 5
    assert row["p_negative"] < 0.05


def test_construct_vs_deviation_two_departments_not_computable(surveyed):
    cvd = construct_vs_deviation(surveyed)
    assert cvd["rho"].isna().all() and (cvd["n_departments"] == 2).all()


def test_response_rate(surveyed, tiny_hospital):
    rr = response_rate(surveyed).iloc[0]
    assert rr["respondents"] == 4 and rr["response_rate"] == pytest.approx(0.4)
    no_invited = tiny_hospital.with_tables(**survey_tables(ANSWERS))
    assert np.isnan(response_rate(no_invited).iloc[0]["response_rate"])
