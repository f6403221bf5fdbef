"""Notebook display helpers, the memoised session and the strict parameter check."""
from types import SimpleNamespace

import pandas as pd
import pytest

import casekit.loader
from casekit import narrative, notebook_params
from casekit.diagnosis.finding import Criterion, Finding
from casekit.errors import ConfigError
from casekit.hospital import Hospital, Profile
from casekit.labels import label
from casekit.validation_report import ValidationReport

GOOD = {"data_path": "x", "years": "", "lang": "en", "config": "", "output_dir": "", "redact": False}


# ---------------------------------------------------------------- notebook_params.check
def test_check_accepts_the_defaults():
    notebook_params.check(dict(GOOD))


def test_check_rejects_names_injected_but_not_declared():
    ns = {**GOOD, "colour": "red",
          "_ih": ["", "from casekit import narrative", '# Parameters\nlang = "zh"\ncolour = "red"\n']}
    with pytest.raises(ConfigError, match="unknown parameter.*'colour'"):
        notebook_params.check(ns)


def test_check_ignores_ordinary_cells_in_the_history():
    ns = {**GOOD, "_ih": ["", "x = 1", '# Parameters\nlang = "zh"\n']}
    notebook_params.check({**ns, "lang": "zh"})


@pytest.mark.parametrize("name,value,match", [
    ("years", 2022, "'years' must be str, got int"),
    ("redact", 1, "'redact' must be bool"),
    ("data_path", True, "'data_path' must be str, got bool"),
    ("lang", "fr", "'lang' must be one of en, zh"),
    ("years", "2024-2021", "runs backwards"),
    ("years", "last three", "must look like 2021-2024"),
    ("config", "no/such/file.yaml", "does not exist"),
])
def test_check_rejects_wrong_types_and_values(name, value, match):
    with pytest.raises(ConfigError, match=match):
        notebook_params.check({**GOOD, name: value})


def test_check_can_parse_the_spec_from_the_parameters_cell_source():
    source = notebook_params.parameters_cell_source()
    assert notebook_params.spec_from_source(source).keys() == notebook_params.REPORT_PARAMETERS.keys()
    with pytest.raises(ConfigError, match="not defined"):
        notebook_params.check({"lang": "en"}, allowed='lang: str = "en"\nredact: bool = False')
    with pytest.raises(ConfigError, match="name: type = default"):
        notebook_params.spec_from_source("import os")


def test_parse_years():
    assert notebook_params.parse_years(" 2021 - 2024 ") == (2021, 2024)
    assert notebook_params.parse_years("2023") == (2023, 2023)
    assert notebook_params.parse_years("") is None


def test_resolve_input_tries_the_notebooks_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert notebook_params.resolve_input("../casekit/paths.py").name == "paths.py"  # from notebooks/
    with pytest.raises(ConfigError, match="does not exist"):
        notebook_params.resolve_input("nowhere/at/all")


# ---------------------------------------------------------------- a tiny hospital
def _hospital(synthetic=True):
    deps = pd.DataFrame({"dept_id": ["D1", "D2"], "name": ["内科", "外科"], "type": ["clinical", "clinical"]})
    accts = pd.DataFrame({"account_id": ["E1"], "name": ["drugs"], "direction": ["expense"], "category": ["drugs"]})
    budget = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "dept_id": ["D1", "D2"] * 2, "account_id": ["E1"] * 4,
                           "original": [100.0, 200.0, 110.0, 220.0], "adjusted": [100.0, 200.0, 110.0, 220.0]})
    actuals = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "month": pd.array([None] * 4, dtype="Int64"),
                            "dept_id": ["D1", "D2"] * 2, "account_id": ["E1"] * 4,
                            "amount": [90.0, 250.0, 100.0, 230.0]})
    return Hospital(Profile("Test hospital", synthetic=synthetic), deps, accts, budget, actuals)


def _diagnosis():
    p1 = Finding("P1", "Rigid budget targets", "预算目标刚性", "present", 80.0,
                 [Criterion("identical_growth_share", 0.9, 0.6, ">=", True, "p1.identical_growth_share",
                            "share of departments with one growth rate", "增长率相同的科室比例", "budget accounting")],
                 pd.DataFrame({"dept_id": ["D1", "D2"], "name": ["内科", "外科"], "growth": [0.1, 0.1]}),
                 summary_en="All departments grew 10%.", summary_zh="各科室均增长10%。")
    p4 = Finding.not_assessed("P4", "Budget disconnected from appraisal", "预算与绩效考核脱节", ["performance"])
    return SimpleNamespace(aspects=[], problems=[p1, p4], causes={}, matrix=pd.DataFrame(), recommendations=[],
                           notes=["Survey alpha below 0.7 for staff."])


@pytest.fixture
def fake_engine(monkeypatch, tmp_path):
    calls = {"validate": 0, "diagnose": 0}

    def validate(path):
        calls["validate"] += 1
        return ValidationReport([], _hospital(), str(path))

    def diagnose(h, cfg):
        calls["diagnose"] += 1
        return _diagnosis()

    monkeypatch.setattr(casekit.loader, "validate", validate)
    monkeypatch.setattr("casekit.diagnosis.diagnose", diagnose, raising=False)
    (tmp_path / "budget.csv").write_text("x")
    narrative.clear_sessions()
    yield calls, tmp_path
    narrative.clear_sessions()


@pytest.fixture
def shown(monkeypatch):
    out = []
    monkeypatch.setattr(narrative, "_emit", lambda *objs: out.extend(objs))
    return out


def _text(shown):
    return "".join(getattr(o, "data", "") if isinstance(getattr(o, "data", ""), str) else "" for o in shown)


# ---------------------------------------------------------------- session
def test_session_reads_and_diagnoses_once_per_kernel(fake_engine):
    calls, path = fake_engine
    a = narrative.session(str(path), lang="en")
    b = narrative.session(str(path), lang="zh")
    assert calls == {"validate": 1, "diagnose": 1}
    assert a.hospital is b.hospital and (a.lang, b.lang) == ("en", "zh")
    narrative.session(str(path), years="2024")
    assert calls == {"validate": 2, "diagnose": 2}  # a different year span is a different analysis


def test_session_restricts_years_and_redacts(fake_engine):
    _, path = fake_engine
    s = narrative.session(str(path), years="2024", redact=True)
    assert s.hospital.years == [2024]
    assert set(s.hospital.budget["year"]) == {2024}
    assert s.dept_labels() == {"D1": "D1", "D2": "D2"}
    with pytest.raises(ConfigError, match="no budget and actuals for years 2030-2031"):
        narrative.session(str(path), years="2030-2031")


# ---------------------------------------------------------------- builders and sections
def test_finding_card_shows_status_grade_and_computed_summary():
    f = _diagnosis().problems[0]
    en = narrative.finding_card_html(f, "en")
    zh = narrative.finding_card_html(f, "zh")
    assert "present" in en and "80/100 (severe)" in en and "All departments grew 10%." in en
    assert "存在" in zh and "严重" in zh and "各科室均增长10%。" in zh


def test_criteria_frame_lists_value_threshold_and_trigger():
    frame = narrative.criteria_frame(_diagnosis().problems[0], "en")
    row = frame.iloc[0]
    assert row["Criterion"] == "share of departments with one growth rate"
    assert (row["Value"], row["Threshold"], row["Triggered"]) == ("0.9", ">= 0.6", "yes")


def test_table_html_escapes_and_says_when_rows_are_cut():
    df = pd.DataFrame({"a": ["<b>x</b>"] * 5})
    out = narrative.table_html(df, "cap", max_rows=2)
    assert "&lt;b&gt;" in out and "<b>x" not in out
    assert "showing 2 of 5 rows" in out and "<caption" in out


def test_problem_section_in_chinese(fake_engine, shown):
    _, path = fake_engine
    s = narrative.session(str(path), lang="zh", redact=True)
    narrative.finding_section(s, "P1")
    text = _text(shown)
    assert label("P1", "zh") in text and "判定标准" in text
    assert "内科" not in text  # redacted evidence drops department names
    shown.clear()
    narrative.finding_section(s, "P4")
    assert "未评估" in _text(shown) and "performance" in _text(shown)


def test_title_page_states_synthetic_data_from_the_profile(fake_engine, shown):
    _, path = fake_engine
    s = narrative.session(str(path))
    narrative.title_page(s)
    text = _text(shown)
    assert "Synthetic data" in text and "国卫财务发〔2020〕30号" in text and "J public hospital" in text
    real = narrative.replace(s, hospital=_hospital(synthetic=False))
    shown.clear()
    narrative.title_page(real)
    assert "Synthetic data" not in _text(shown) and "Data supplied by the hospital" in _text(shown)


def test_not_assessed_and_caveats(fake_engine, shown):
    _, path = fake_engine
    s = narrative.session(str(path))
    narrative.not_assessed(s)
    narrative.caveats(s)
    text = _text(shown)
    assert "P4 Budget disconnected from performance appraisal" in text
    assert "Survey alpha below 0.7" in text and "annual only" in text


def test_figure_sections_say_what_data_they_need(fake_engine, shown):
    _, path = fake_engine
    s = narrative.session(str(path))
    narrative.show_figure(s, "execution_heatmap")  # annual-only actuals
    assert "monthly actuals" in _text(shown)


def test_inventory_counts_rows_and_years():
    inv = narrative._inventory(_hospital(), "en").set_index("Table")
    assert inv.loc["budget (预算)", "Rows"] == 4 and inv.loc["budget (预算)", "Years"] == "2023-2024"
    assert inv.loc["workload (业务量)", "Supplied"] == "no"


def test_matrix_grid_marks_active_and_case_links():
    from casekit.plots.from_session import matrix_grid

    links = pd.DataFrame({"cause": ["C1", "C3"], "problem": ["P1", "P3"], "linked": [True, False],
                          "statistic": [float("nan"), -0.52]})
    values, notes = matrix_grid(links, "en")
    assert values.loc["C1", "P1"] == 1.0 and values.loc["C3", "P3"] == 0.5 and values.loc["C2", "P2"] == 0.0
    assert notes.loc["C1", "P1"] == "both present" and notes.loc["C3", "P3"] == "case link\nρ -0.52"


def test_recommendations_are_grouped_by_area_with_their_basis():
    r = SimpleNamespace(id="R3.1", title_en="Execution control", title_zh="执行控制", text_en="Monthly analysis.",
                        text_zh="按月分析。", basis_en="Art. 20 of 国卫财务发〔2020〕30号", basis_zh="", triggered_by=["P3"])
    out = narrative._recommendations_html([r, r], "en")
    assert out.count("<h3>") == 1 and out.count("<li>") == 2
    assert "Because of: P3" in out and "Art. 20" in out
