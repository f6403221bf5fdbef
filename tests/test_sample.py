"""Tests of casekit.sample: determinism, the mechanisms behind each problem, shapes, writers.

The mechanism checks compute their own small statistics from the tables; they do not use the
diagnosis engine, so a bug there cannot hide a bug here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from casekit.errors import ConfigError
from casekit.sample import PROFILES, generate, write_hospital
from casekit.sample.cli_support import sample_command
from casekit.sample.profiles import ALL_FINDINGS


@pytest.fixture(scope="module")
def j():
    return generate("j")


@pytest.fixture(scope="module")
def well():
    return generate("well_run")


@pytest.fixture(scope="module")
def mixed():
    return generate("mixed")


def _with_direction(h, table):
    return getattr(h, table).merge(h.accounts[["account_id", "direction"]], on="account_id")


def _dept_growth(h) -> pd.Series:
    """B0_t / A_{t-1} - 1 per year, department and direction."""
    a = _with_direction(h, "actuals").groupby(["year", "dept_id", "direction"])["amount"].sum()
    b = _with_direction(h, "budget").groupby(["year", "dept_id", "direction"])["original"].sum()
    prior = a.rename(lambda y: y + 1, level="year")
    return (b / prior - 1).dropna()


def _december_ratio(h) -> pd.Series:
    e = _with_direction(h, "actuals")
    monthly = e[e["direction"] == "expense"].groupby(["year", "month"])["amount"].sum()
    return monthly.groupby(level="year").apply(lambda s: s.xs(12, level="month").iloc[0] / s.mean())


def _construct_means(h) -> pd.Series:
    r = h.survey_responses.merge(h.survey_items, on="item_id")
    r["score"] = np.where(r["reverse"], 6 - r["answer"], r["answer"])
    return r.groupby("construct")["score"].mean()


def _dept_expense_deviation(h, basis="adjusted") -> pd.DataFrame:
    a = _with_direction(h, "actuals")
    b = _with_direction(h, "budget")
    a = a[a["direction"] == "expense"].groupby(["year", "dept_id"])["amount"].sum()
    b = b[b["direction"] == "expense"].groupby(["year", "dept_id"])[basis].sum()
    return ((a / b - 1).abs()).rename("abs_dev").reset_index()


# --------------------------------------------------------------------------- determinism
def _bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path):
    for name in ("a", "b"):
        h = generate("j", seed=5, departments=6, years=2)
        write_hospital(h, tmp_path / name)
        write_hospital(h, tmp_path / f"{name}.xlsx", fmt="xlsx", lang="zh")
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    write_hospital(generate("j", seed=6, departments=6, years=2), tmp_path / "c")
    assert _bytes(tmp_path / "c")["actuals.csv"] != _bytes(tmp_path / "a")["actuals.csv"]
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_default_seed_is_the_profile_seed(j):
    again = generate("j", seed=PROFILES["j"].seed)
    pd.testing.assert_frame_equal(j.actuals, again.actuals)


# --------------------------------------------------------------------------- P1 / P2 mechanisms
def test_j_budget_grows_at_one_rate_for_every_department(j):
    g = _dept_growth(j)
    assert np.allclose(g.xs("expense", level="direction"), 0.05, atol=1e-3)
    assert np.allclose(g.xs("revenue", level="direction"), -0.05, atol=1e-3)


def test_well_run_budget_growth_varies_and_follows_workload(well):
    g = _dept_growth(well).xs("expense", level="direction")
    assert g.groupby(level="year").std().min() > 0.02
    wl = well.workload[well.workload["scenario"] == "actual"]
    vol = wl.groupby(["year", "dept_id"])["outpatient_visits"].sum()
    wl_growth = (vol / vol.rename(lambda y: y + 1, level="year") - 1).dropna()
    both = pd.concat([g.rename("budget"), wl_growth.rename("workload")], axis=1, join="inner")
    rho = stats.spearmanr(both["budget"], both["workload"]).statistic
    assert len(both) > 40 and rho > 0.6


def test_j_phasing_flat_and_well_run_seasonal(j, well):
    def max_share_spread(h):
        bm = h.budget_monthly
        share = bm["amount"] / bm.groupby(["year", "dept_id", "account_id"])["amount"].transform("sum")
        return share.groupby([bm["year"], bm["dept_id"], bm["account_id"]]).agg(lambda s: s.max() - s.min())
    assert max_share_spread(j).max() < 0.001
    spread = max_share_spread(well)
    volume_lines = spread.index.get_level_values("account_id").isin(
        well.accounts.loc[well.accounts["driver"].notna(), "account_id"])
    assert (spread[volume_lines] > 0.01).all()


def test_j_spends_on_lines_without_budget(j):
    e = _with_direction(j, "actuals")
    e = e[(e["direction"] == "expense") & (e["year"] >= 2021)]
    spent = e.groupby(["year", "dept_id", "account_id"])["amount"].sum()
    budget = j.budget.set_index(["year", "dept_id", "account_id"])["original"].reindex(spent.index).fillna(0)
    share = spent[budget == 0].sum() / spent.sum()
    assert share > 0.02
    assert {"7201.05", "7201.27"} <= set(spent[budget == 0].index.get_level_values("account_id"))


def test_j_revenue_budget_is_slack(j, well):
    def revenue_rate(h):
        a = _with_direction(h, "actuals")
        b = _with_direction(h, "budget")
        return (a[a["direction"] == "revenue"].groupby("year")["amount"].sum()
                / b[b["direction"] == "revenue"].groupby("year")["original"].sum()).dropna()
    assert revenue_rate(j).mean() > 1.10
    assert abs(revenue_rate(well).mean() - 1) < 0.03


# --------------------------------------------------------------------------- P3 mechanisms
def test_december_surge_in_j_and_mixed_not_in_well_run(j, well, mixed):
    assert _december_ratio(j).min() > 1.5
    assert _december_ratio(mixed).min() > 1.5
    assert _december_ratio(well).max() < 1.2


def test_adjustments_late_and_partly_unapproved_in_j_midyear_in_well_run(j, well):
    adj = j.adjustments
    assert (adj["date"].dt.month >= 11).all()
    assert 0 < (~adj["approved"]).mean() < 1
    assert adj.assign(y=adj["date"].dt.year).duplicated(["y", "dept_id", "account_id"]).any()   # repeated top-ups
    w = well.adjustments
    assert (w["date"].dt.strftime("%m-%d") == "07-01").all() and w["approved"].all()
    assert (w.groupby(w["date"].dt.year)["dept_id"].nunique() == 1).all()


def test_adjusted_budget_is_original_plus_adjustments(j):
    b = j.budget.set_index(["year", "dept_id", "account_id"])
    adj = j.adjustments.assign(year=j.adjustments["date"].dt.year).groupby(
        ["year", "dept_id", "account_id"])["change"].sum()
    diff = (b["adjusted"] - b["original"])
    assert np.allclose(diff.reindex(adj.index), adj, atol=0.01)
    assert np.allclose(diff.drop(adj.index), 0.0)


def test_departments_with_lower_participation_deviate_more_in_j(j):
    resp = j.survey_responses.merge(j.survey_items, on="item_id")
    part = resp[resp["construct"] == "participation"]
    score = np.where(part["reverse"], 6 - part["answer"], part["answer"])
    dept_part = pd.Series(score, index=part["dept_id"].to_numpy()).groupby(level=0).mean()
    dev = _dept_expense_deviation(j, "original").groupby("dept_id")["abs_dev"].mean()
    both = pd.concat([dept_part.rename("p"), dev.rename("d")], axis=1, join="inner")
    assert stats.spearmanr(both["p"], both["d"]).statistic < -0.3


# --------------------------------------------------------------------------- P4, P5, causes
def test_appraisal_tied_to_deviation_only_in_well_run(j, well):
    assert j.performance["budget_weight"].max() <= 0.02
    assert well.performance["budget_weight"].between(0.15, 0.25).all()
    perf = well.performance.merge(_dept_expense_deviation(well), on=["year", "dept_id"])
    rho, p = stats.spearmanr(perf["abs_dev"], perf["appraisal_score"])
    assert rho < -0.3 and p < 0.01
    perf_j = j.performance.merge(_dept_expense_deviation(j), on=["year", "dept_id"])
    assert abs(stats.spearmanr(perf_j["abs_dev"], perf_j["appraisal_score"]).statistic) < 0.3


def test_survey_levels(j, well, mixed):
    cj, cw, cm = _construct_means(j), _construct_means(well), _construct_means(mixed)
    assert cj["participation"] < 3 and (cj < 3).all()
    assert cw["participation"] > 3.5 and (cw > 3.5).all()
    assert cm["supervision"] < 3 and cm["integration"] < 3 and cm["participation"] > 3.5


def test_j_clinical_departments_participate_least(j):
    r = j.survey_responses.merge(j.survey_items, on="item_id").merge(j.departments, on="dept_id")
    r = r[(r["construct"] == "participation") & ~r["reverse"]]
    means = r.groupby("type")["answer"].mean()
    assert means["clinical"] < means["administrative"] - 0.5


def test_systems_staff_and_checklist(j, well):
    assert j.systems["integrated_with_finance"].mean() < 0.3
    assert j.systems["data_latency_days"].dropna().ge(3).all()
    assert well.systems["integrated_with_finance"].all() and well.systems["data_latency_days"].le(3).all()
    assert j.profile.get("budget_staff") == 1 and j.profile.get("execution_analyses_per_year") == 1
    assert well.profile.get("execution_analyses_per_year") == 12
    met = {"yes": 1.0, "partial": 0.5, "no": 0.0}
    assert j.checklist["status"].map(met).mean() < 0.4
    assert well.checklist["status"].map(met).mean() > 0.85


# --------------------------------------------------------------------------- shapes and types
def test_shapes(j):
    assert j.profile.synthetic and j.profile.tier == "secondary" and j.profile.beds == 500
    assert len(j.departments) == 30
    assert set(j.departments["type"]) == {"clinical", "medical_technology", "auxiliary", "administrative",
                                          "logistics"}
    assert 35 <= len(j.accounts) <= 45
    assert j.years == [2021, 2022, 2023, 2024]
    assert j.survey_responses["respondent_id"].nunique() == 150
    assert len(j.survey_responses) == 150 * 20
    assert (j.survey_items["construct"].value_counts() == 4).all()
    assert j.survey_items["reverse"].sum() == 2
    assert set(j.workload["scenario"]) == {"actual", "budget"}


def test_canonical_dtypes(j):
    assert str(j.departments["dept_id"].dtype) == "str" and j.departments["dept_id"].iat[0] == "0101"
    assert j.actuals["year"].dtype == "int64" and str(j.actuals["month"].dtype) == "Int64"
    assert j.actuals["amount"].dtype == "float64"
    assert j.budget["adjusted_given"].dtype == bool
    assert j.adjustments["date"].dtype == "datetime64[ns]" and j.adjustments["approved"].dtype == bool
    assert "7201.10" in set(j.accounts["account_id"])


def test_annual_only_keeps_totals():
    monthly = generate("well_run", departments=8, years=2)
    annual = generate("well_run", departments=8, years=2, annual_only=True)
    assert len(annual.departments) == 1 and not annual.is_monthly
    assert annual.actuals["month"].isna().all() and annual.budget_monthly is None
    assert np.isclose(annual.actuals["amount"].sum(), monthly.actuals["amount"].sum())
    assert np.isclose(annual.budget["original"].sum(), monthly.budget["original"].sum())


def test_overrides_and_errors():
    h = generate("mixed", departments=40, years=2)
    assert len(h.departments) == 40 and h.departments["dept_id"].is_unique and h.years == [2021, 2022]
    with pytest.raises(ConfigError):
        generate("nope")
    with pytest.raises(ConfigError):
        generate("j", departments=1)
    with pytest.raises(ConfigError):
        write_hospital(h, "unused", fmt="json")


def test_expected_sets():
    assert PROFILES["j"].expected == ALL_FINDINGS
    assert PROFILES["well_run"].expected == frozenset()
    assert PROFILES["mixed"].expected == {"P3", "P5", "C3", "C5"}
    assert PROFILES["mixed"].expected_absent == ALL_FINDINGS - {"P3", "P5", "C3", "C5"}


# --------------------------------------------------------------------------- writers and CLI
def test_csv_keeps_codes_as_text(tmp_path):
    folder = write_hospital(generate("j", departments=6, years=1), tmp_path / "h")
    accounts = (folder / "accounts.csv").read_text(encoding="utf-8")
    assert "\n7201.10," in accounts and "\n0101," in (folder / "departments.csv").read_text(encoding="utf-8")
    assert "synthetic: true" in (folder / "hospital.yaml").read_text(encoding="utf-8")
    zh = write_hospital(generate("j", departments=6, years=1), tmp_path / "zh", lang="zh")
    assert (zh / "预算.csv").read_text(encoding="utf-8").startswith("年度,科室编码,科目编码,年初预算,调整后预算\n")


def test_written_folder_loads(tmp_path):
    load = pytest.importorskip("casekit.data.loader").load
    h = generate("j", departments=6, years=2)
    loaded = load(write_hospital(h, tmp_path / "h"))
    assert list(loaded.departments["dept_id"]) == list(h.departments["dept_id"])
    got = loaded.budget.set_index(["year", "dept_id", "account_id"])["original"].sort_index()
    want = h.budget.set_index(["year", "dept_id", "account_id"])["original"].sort_index()
    assert np.allclose(got, want)
    xlsx = load(write_hospital(h, tmp_path / "h_zh.xlsx", fmt="xlsx", lang="zh"))
    assert np.isclose(xlsx.actuals["amount"].sum(), h.actuals["amount"].sum())
    assert xlsx.profile.tier == "secondary" and xlsx.profile.synthetic


def test_sample_command_writes_index_and_readme(tmp_path):
    written = sample_command(tmp_path, all_profiles=True, departments=5, years=1)
    index = pd.read_csv(tmp_path / "index.csv", dtype=str)
    assert list(index["folder"]) == ["j_hospital", "well_run_hospital", "mixed_hospital"]
    assert index.set_index("profile").loc["well_run", "expected_findings"] == "none"
    assert "SYNTHETIC" in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert (tmp_path / "j_hospital_zh.xlsx") in written
    with pytest.raises(ConfigError):
        sample_command(tmp_path, ledger_format="json")


def test_column_number_text_is_the_cell_number_text():
    """The vectorised writer formats every number exactly as the per-cell one (sample files unchanged)."""
    from casekit.sample.write import _number_text, _numbers_text

    rng = np.random.default_rng(3)
    values = np.concatenate([rng.lognormal(8, 3, 3000) * rng.choice([-1, 1], 3000), rng.uniform(-1, 1, 500),
                             [0.0, -0.0, -0.004, 0.005, 1e14, 123456789012.345678, 2.675, np.nan]])
    s = pd.Series(values)
    for digits in (2, 6):
        want = ["" if np.isnan(v) else _number_text(v, digits) for v in values]
        assert _numbers_text(s, digits).tolist() == want
