"""Notebook display helpers, the memoised session and the strict parameter check."""
import dataclasses
from types import SimpleNamespace

import pandas as pd
import pytest

import casekit.data.loader
from casekit.report import blocks, narrative
from casekit.report import session as report_session
from casekit.pipeline import params as notebook_params
from casekit.diagnosis.finding import Criterion, Finding
from casekit.errors import ConfigError
from casekit.data.hospital import Hospital, Profile
from casekit.labels import label
from casekit.data.validation_report import ValidationReport

GOOD = {"data_path": "x", "years": "", "lang": "en", "config": "", "output_dir": "", "redact": False, "analysis": ""}


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
    ("years", [2022], "'years' must be str, got list"),
    ("redact", 2, "'redact' must be bool"),
    ("redact", "perhaps", "'redact' must be bool"),
    ("data_path", True, "'data_path' must be str, got bool"),
    ("lang", "fr", "'lang' must be one of en, zh"),
    ("years", "2024-2021", "runs backwards"),
    ("years", "last three", "must look like 2021-2024"),
    ("config", "no/such/file.yaml", "does not exist"),
])
def test_check_rejects_wrong_types_and_values(name, value, match):
    with pytest.raises(ConfigError, match=match):
        notebook_params.check({**GOOD, name: value})


@pytest.mark.parametrize("name, given, read", [
    ("years", 2023, "2023"),          # papermill's `-p years 2023` injects a number for `years: str`
    ("redact", "true", True), ("redact", "no", False), ("redact", 1, True),
])
def test_check_reads_a_value_by_the_declared_type(name, given, read):
    ns = {**GOOD, name: given}
    notebook_params.check(ns)
    assert ns[name] == read and type(ns[name]) is type(read)


def test_cli_parameter_is_read_by_its_declared_type():
    from casekit.pipeline.params import declared_parameters, parse_params
    from casekit.pipeline.notebooks import notebook_paths

    import nbformat

    declared = {}
    for path in notebook_paths():
        for key, value in declared_parameters(nbformat.read(str(path), as_version=4)).items():
            declared.setdefault(key, value)
    assert parse_params(["years=2023"], declared) == {"years": "2023"}
    notebook_params.check({**GOOD, **parse_params(["years=2023"], declared)})


def test_check_can_parse_the_spec_from_the_parameters_cell_source():
    source = notebook_params.parameters_cell_source()
    assert notebook_params.declared_parameters(source).keys() == notebook_params.REPORT_PARAMETERS.keys()
    with pytest.raises(ConfigError, match="not defined"):
        notebook_params.check({"lang": "en"}, allowed='lang: str = "en"\nredact: bool = False')
    with pytest.raises(ConfigError, match="name: type = default"):
        notebook_params.declared_parameters("import os")


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

    def validate(path, config=None):
        calls["validate"] += 1
        return ValidationReport([], _hospital(), str(path))

    def diagnose(h, cfg):
        calls["diagnose"] += 1
        return _diagnosis()

    monkeypatch.setattr(casekit.data.loader, "validate", validate)
    monkeypatch.setattr("casekit.diagnosis.diagnose", diagnose, raising=False)
    (tmp_path / "budget.csv").write_text("x")
    report_session.clear_sessions()
    yield calls, tmp_path
    report_session.clear_sessions()


@pytest.fixture
def shown(monkeypatch):
    out = []

    def emit(*objs, metadata=None):
        for o in objs:
            if metadata:
                o.casekit_metadata = metadata
            out.append(o)

    monkeypatch.setattr(narrative, "_emit", emit)
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
    en = blocks.finding_card_html(f, "en")
    zh = blocks.finding_card_html(f, "zh")
    assert "present" in en and "80/100 (severe)" in en and "All departments grew 10%." in en
    assert "存在" in zh and "严重" in zh and "各科室均增长10%。" in zh


def test_criteria_frame_lists_value_threshold_and_trigger():
    frame = blocks.criteria_frame(_diagnosis().problems[0], "en")
    row = frame.iloc[0]
    assert row["Criterion"] == "share of departments with one growth rate"
    assert (row["Value"], row["Threshold"], row["Triggered"]) == ("90.00%", ">= 60%", "yes")  # a share; thresholds at full precision


def test_table_html_escapes_and_says_when_rows_are_cut():
    df = pd.DataFrame({"a": ["<b>x</b>"] * 5})
    out = blocks.table_html(df, "cap", max_rows=2)
    assert "&lt;b&gt;" in out and "<b>x" not in out
    assert "showing 2 of 5 rows" in out and "<caption" in out


def test_problem_section_in_chinese(fake_engine, shown):
    _, path = fake_engine
    s = narrative.session(str(path), lang="zh", redact=True)
    narrative.finding_heading(s, "P1")
    assert label("P1", "zh") in _text(shown)
    shown.clear()
    narrative.finding_section(s, "P1")
    text = _text(shown)
    assert label("P1", "zh") not in text and "判定标准" in text  # the heading is its own call
    assert "内科" not in text  # redacted evidence drops department names
    shown.clear()
    narrative.finding_section(s, "P4")
    assert "未评估" in _text(shown) and "performance" in _text(shown)


def test_indicator_table_uses_the_report_labels_and_says_why_a_table_is_missing(fake_engine, shown):
    from casekit import indicators

    _, path = fake_engine
    s = narrative.session(str(path), lang="zh")
    accuracy = s.indicator(indicators.accuracy_summary, basis="adjusted", good=s.thresholds["bands.good"],
                           warning=s.thresholds["bands.warning"])
    narrative.indicator_table(s, accuracy)
    text = _text(shown)
    assert "判定规则读取的指标表" in text and label("col.share_depts_beyond_warning", "zh") in text
    assert "share_depts_beyond_warning" not in text
    s = narrative.session(str(path), lang="en")
    missing = s.indicator(indicators.performance_linkage, basis="adjusted")  # the hospital has no performance table
    assert missing.empty and "no 'performance' table" in missing.attrs["missing"]
    shown.clear()
    narrative.indicator_table(s, missing)
    assert f"{label('status.not_assessed', 'en')}: hospital &#x27;Test hospital&#x27; has no &#x27;performance" in _text(shown)


def test_title_page_states_synthetic_data_from_the_profile(fake_engine, shown):
    _, path = fake_engine
    s = narrative.session(str(path))
    narrative.title_page(s)
    text = _text(shown)
    assert "Synthetic data" in text and "国卫财务发〔2020〕30号" in text and "J public hospital" in text
    real = dataclasses.replace(s, hospital=_hospital(synthetic=False))
    shown.clear()
    narrative.title_page(real)
    assert "Synthetic data" not in _text(shown) and "supplied by the hospital" in _text(shown)
    assert "Data source" in _text(shown)


def test_synthetic_banner_does_not_repeat_its_label(fake_engine, shown):
    _, path = fake_engine
    for lang, word in (("en", "Synthetic data"), ("zh", "模拟数据")):
        shown.clear()
        narrative.title_page(narrative.session(str(path), lang=lang))
        assert _text(shown).count(word) == 1


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
    inv = blocks.inventory_frame(_hospital().summary(), "en").set_index("Table")
    assert inv.loc["budget (预算)", "Rows"] == 4 and inv.loc["budget (预算)", "Years"] == "2023-2024"
    assert inv.loc["workload (业务量)", "Supplied"] == "no"


def test_matrix_grid_marks_active_and_case_links():
    from casekit.report.plots.from_session import matrix_grid

    links = pd.DataFrame({"cause": ["C1", "C3"], "problem": ["P1", "P3"], "linked": [True, False],
                          "statistic": [float("nan"), -0.52]})
    values, notes = matrix_grid(links, "en")
    assert values.loc["C1", "P1"] == 1.0 and values.loc["C3", "P3"] == 0.5 and values.loc["C2", "P2"] == 0.0
    assert notes.loc["C1", "P1"] == "both present" and notes.loc["C3", "P3"] == "case link\nρ -0.52"


def test_recommendations_are_grouped_by_area_with_their_basis():
    r = SimpleNamespace(id="R3.1", title_en="Execution control", title_zh="执行控制", text_en="Monthly analysis.",
                        text_zh="按月分析。", basis_en="Art. 20 of 国卫财务发〔2020〕30号", basis_zh="", triggered_by=["P3"])
    out = blocks.recommendations_html([r, r], "en")
    assert out.count("<h3>") == 1 and out.count("<li>") == 2
    assert "Because of: P3" in out and "Art. 20" in out


# ---------------------------------------------------------------- verdicts, cards and tables
def _aspect(rating="weak", share=1 / 7, n=7):
    from casekit.diagnosis.aspects import AspectFinding

    return AspectFinding("A4", "Implementation and control", "预算执行与控制", "present", 86.0, [], pd.DataFrame(),
                         "Implementation and control: weak.", "预算执行与控制：薄弱。", [], share_met=share,
                         rating=rating, n_requirements=n)


def test_aspect_card_shows_rating_and_share_met_not_present_or_severity():
    en, zh = blocks.finding_card_html(_aspect(), "en"), blocks.finding_card_html(_aspect(), "zh")
    assert "Rating: weak" in en and "14% of 7 requirements met" in en
    assert "present" not in en and "Severity" not in en
    assert "评级: 薄弱" in zh and "7项要求中落实14%" in zh and "存在" not in zh
    assert blocks.finding_title(_aspect("good", 0.9), "zh") == "A4 预算执行与控制——良好"


def test_absent_finding_has_no_grade_and_its_heading_says_not_found():
    f = dataclasses.replace(_diagnosis().problems[0], status="absent", severity=33.3)
    card = blocks.finding_card_html(f, "en")  # an absent finding may carry a severity (33.3)
    assert "Status: absent" in card and "Severity" not in card and "33" not in card
    assert blocks.finding_title(f, "en") == "P1 Rigid budget targets — not found"
    assert blocks.finding_title(f, "zh") == "P1 预算目标刚性——未发现"
    present = _diagnosis().problems[0]
    assert blocks.finding_title(present, "en") == "P1 Rigid budget targets — found (severe)"
    assert blocks.finding_title(_diagnosis().problems[1], "en").endswith("— not assessed")


def test_format_value_uses_percent_for_rates_and_never_scientific_notation():
    assert blocks.format_value(1.405e-05, "growth_dispersion") == "0.00%"
    assert blocks.format_value(1.487283, "execution_rate") == "148.73%"   # rates to two decimals
    assert blocks.format_value(0.39588, "deviation_bonus_p_negative") == "0.396"
    assert blocks.format_value(1.405e-05, "mean_days") == "0.00"
    assert blocks.format_value(23872380.93, "actual") == "23,872,381"
    assert blocks.format_value(2024, "year") == "2024"
    assert blocks.format_value(True, "in_use", "zh") == "是"
    assert blocks.format_value(float("nan")) == "–"


def test_table_html_aligns_text_left_numbers_right_and_translates_headers():
    df = pd.DataFrame({"year": [2024], "dept_id": ["0106"], "requirement": ["A long requirement text."],
                       "abs_deviation_rate": [0.4873], "unknown_col": [1.5]})
    zh = blocks.table_html(df, lang="zh")
    assert '<th class="num">年度</th>' in zh and '<th class="text">科室</th>' in zh
    assert '<td class="text">A long requirement text.</td>' in zh and '<td class="num">48.73%</td>' in zh
    assert "unknown_col" in zh  # no label: the raw name stays
    assert '<th class="text">Requirement</th>' in blocks.table_html(df, lang="en")
    criteria = blocks.table_html(blocks.criteria_frame(_diagnosis().problems[0], "zh"), lang="zh")
    assert '<th class="num">数值</th>' in criteria and '<td class="num">&gt;= 60%</td>' in criteria


def test_table_css_left_aligns_text_cells_over_nbconvert():
    from casekit.report.html import CSS_FILE

    css = CSS_FILE.read_text(encoding="utf-8")
    assert ".jp-RenderedHTMLCommon table.casekit-table td.text" in css and "text-align: left" in css


# ---------------------------------------------------------------- figures are marked for the runner
def test_show_figure_marks_absent_data_and_missing_figures(fake_engine, shown, monkeypatch):
    from casekit.report.plots import from_session

    _, path = fake_engine
    s = narrative.session(str(path))
    narrative.show_figure(s, "execution_heatmap")  # annual-only actuals: the data are absent
    assert shown[-1].casekit_metadata[blocks.FIGURE_METADATA]["status"] == "data_absent"
    monkeypatch.setitem(from_session.DRAWERS, "deviation_distribution", lambda s: (None, "a miracle"))
    narrative.show_figure(s, "deviation_distribution")  # needs only required tables: must be drawn
    mark = shown[-1].casekit_metadata[blocks.FIGURE_METADATA]
    assert (mark["name"], mark["status"]) == ("deviation_distribution", "missing")


# ---------------------------------------------------------------- the runner's analysis
def test_session_loads_the_runners_analysis_without_reading_or_diagnosing(fake_engine, tmp_path):
    from casekit.pipeline import analysis

    calls, path = fake_engine
    prepared = analysis.analyse(ValidationReport([], _hospital(), str(path)), path, redact=True)
    assert calls == {"validate": 0, "diagnose": 1}
    file = analysis.save(prepared, tmp_path / analysis.ANALYSIS_FILE)
    s = narrative.session(str(path), lang="zh", redact=True, analysis=str(file))
    assert calls == {"validate": 0, "diagnose": 1}  # the kernel computes nothing
    assert s.hospital.departments["name"].tolist() == ["D1", "D2"] and s.lang == "zh"
    file.write_bytes(b"not a pickle")
    report_session.clear_sessions()
    with pytest.raises(ConfigError, match="cannot be read"):
        narrative.session(str(path), analysis=str(file))
    with pytest.raises(ConfigError, match="does not exist"):
        narrative.session(str(path), analysis=str(tmp_path / "gone.pkl"))
