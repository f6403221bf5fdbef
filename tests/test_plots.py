"""Figures: built from small hand-made frames of the documented indicator shapes."""
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from casekit.report import plots
from casekit.errors import CasekitError


@pytest.fixture
def monthly():
    rows = []
    for dept, level in (("D01", 1.0), ("D02", 1.3), ("D03", 0.7)):
        for m in range(1, 13):
            rate = level * (1.6 if m == 12 else 1.0)
            rows.append({"year": 2024, "month": m, "dept_id": dept, "direction": "expense",
                         "actual": 100 * rate, "budget_month": 100.0, "execution_rate": rate})
    return pd.DataFrame(rows)


@pytest.fixture
def progress():
    rows = []
    for direction in ("revenue", "expense"):
        cum = 0.0
        for m in range(1, 13):
            cum += 0.06 if m <= 9 else 0.15
            rows.append({"year": 2024, "month": m, "direction": direction, "cumulative_actual": cum * 1200,
                         "annual_budget": 1200.0, "progress": cum, "expected": m / 12, "gap": cum - m / 12,
                         "is_quarter_end": m % 3 == 0})
    return pd.DataFrame(rows)


def _texts(fig):
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]


def _render_no_warnings(fig):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


def test_execution_heatmap_is_centred_at_100_percent(monthly):
    fig = plots.execution_heatmap(monthly, lang="zh", dept_labels={"D01": "内科"})
    assert isinstance(fig, Figure)
    mesh = fig.axes[0].collections[0]
    assert mesh.norm.vmin == 50 and mesh.norm.vmax == 150
    # the diverging norm is centred: 100% maps to the middle of the colour map
    assert mesh.norm(100) == pytest.approx(0.5)
    # December of D02 is 1.3 * 1.6 = 208% (drawn at the end colour); D01 in Jan is exactly 100
    values = np.asarray(mesh.get_array()).reshape(3, 12)
    assert values[0, 0] == pytest.approx(100.0)
    assert values[1, 11] == pytest.approx(208.0)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "内科" and "D02" in labels
    assert _render_no_warnings(fig) == []


def test_deviation_distribution_draws_the_four_band_lines():
    table = pd.DataFrame({"deviation_rate": [-0.3, -0.07, -0.01, 0.0, 0.02, 0.08, 0.2, 0.9],
                          "basis": ["original"] * 4 + ["adjusted"] * 4})
    fig = plots.deviation_distribution(table, lang="en", good=0.05, warning=0.10)
    ax = fig.axes[0]
    xs = sorted(round(line.get_xdata()[0], 3) for line in ax.lines)
    assert xs == [-0.1, -0.05, 0.05, 0.1]
    assert ax.get_legend() is not None  # hue by basis
    zh = plots.deviation_distribution(table, lang="zh").axes[0].get_legend()
    assert zh.get_title().get_text() == "口径"  # the legend in the report's language, in order of appearance
    assert [t.get_text() for t in zh.get_texts()] == ["对年初预算（B0）", "对调整后预算（B1）"]


def test_time_progress_marks_quarter_end_gaps(progress):
    fig = plots.time_progress(progress, lang="en", gap_threshold=0.10)
    ax = fig.axes[0]
    notes = [t.get_text() for t in ax.texts]
    # gaps at months 3, 6, 9, 12: 0.18-0.25, 0.36-0.5, 0.54-0.75, 0.99-1.0
    assert notes == ["-7 pp", "-14 pp", "-21 pp", "-1 pp"]
    red = [t.get_text() for t in ax.texts if t.get_color() == "#c0392b"]
    assert red == ["-14 pp", "-21 pp"]
    assert len(fig.axes) == 2  # one panel per direction


def test_aspect_profile_handles_not_assessed():
    aspects = pd.DataFrame({"code": ["A1", "A2", "A3", "A4", "A5"], "score": [0.9, 0.4, 0.6, np.nan, 0.2]})
    fig = plots.aspect_profile(aspects, lang="zh")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["90%", "40%", "60%", "未评估", "20%"]
    assert _render_no_warnings(fig) == []


def test_cause_problem_matrix_labels_carry_status():
    m = pd.DataFrame(0.0, index=[f"C{i}" for i in range(1, 6)], columns=[f"P{i}" for i in range(1, 6)])
    m.loc["C1", ["P1", "P2"]] = 1.0
    fig = plots.cause_problem_matrix(m, lang="en", status={"C1": "present", "P1": "absent", "P2": "not_assessed"})
    ylabels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    xlabels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ylabels[0] == "● C1 Participatory budgeting not sound"
    assert [x.replace("\n", " ") for x in xlabels[:2]] == ["○ P1 Rigid budget targets",
                                                           "? P2 Unscientific budget preparation"]
    annotations = [t.get_text() for t in fig.axes[0].texts]
    assert annotations.count("1.00") == 2


def test_survey_constructs_draws_neutral_line_and_colours_weak_constructs():
    scores = pd.DataFrame({"construct": ["participation", "staff"], "cause": ["C1", "C2"],
                           "mean": [2.4, 3.6], "share_agree": [0.2, 0.7], "n_items": [4, 4],
                           "n_respondents": [50, 50], "alpha": [0.8, 0.75]})
    fig = plots.survey_constructs(scores, lang="en")
    ax = fig.axes[0]
    assert [line.get_xdata()[0] for line in ax.lines] == [3.0]
    bars = ax.patches
    assert bars[0].get_facecolor() != bars[1].get_facecolor()
    assert [t.get_text() for t in ax.texts] == ["2.40  (20% ≥4)", "3.60  (70% ≥4)"]


def test_bridge_steps_chain_from_budget_to_actual():
    steps = plots.bridge_steps(100.0, 20.0, -5.0, 115.0)
    assert [s[0] for s in steps] == ["budget", "volume", "rate", "actual"]
    assert steps[2] == ("rate", 120.0, -5.0, "down")
    assert steps[1][1] + steps[1][2] + steps[2][2] == steps[3][2]


def test_variance_bridge_sums_the_year():
    v = pd.DataFrame({"year": [2023, 2024, 2024], "dept_id": ["D1", "D1", "D2"], "account_id": ["a", "a", "a"],
                      "driver": ["discharges"] * 3, "budget": [1e6, 2e5, 3e5], "actual": [1e6, 2.5e5, 2.9e5],
                      "volume_variance": [0, 6e4, -2e4], "rate_variance": [0, -1e4, 1e4],
                      "total_variance": [0, 5e4, -1e4]})
    fig = plots.variance_bridge(v, lang="zh")
    heights = [round(p.get_height(), 3) for p in fig.axes[0].patches]
    assert heights == [50.0, 4.0, 0.0, 54.0]  # in 10k yuan: 500k, +40k, 0, 540k
    assert "万元" in fig.axes[0].get_ylabel()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_text_is_at_least_9_points(monthly, progress, lang):
    figs = [plots.execution_heatmap(monthly, lang=lang), plots.time_progress(progress, lang=lang),
            plots.deviation_distribution(pd.DataFrame({"deviation_rate": [0.1, -0.2]}), lang=lang)]
    for fig in figs:
        sizes = [t.get_fontsize() for t in _texts(fig)]
        assert min(sizes) >= plots.MIN_FONT


def test_missing_columns_raise_a_readable_error(monthly):
    with pytest.raises(CasekitError, match="execution_rate"):
        plots.execution_heatmap(monthly.drop(columns="execution_rate"))


def test_every_figure_has_captions_in_both_languages():
    names = ["execution_heatmap", "deviation_distribution", "time_progress", "aspect_profile",
             "cause_problem_matrix", "survey_constructs", "variance_bridge"]
    for name in names:
        assert callable(getattr(plots, name))
        assert plots.caption(name, "en") and plots.caption(name, "zh") != plots.caption(name, "en")


def test_performance_linkage_scatter_puts_rho_and_p_in_the_title():
    pts = pd.DataFrame({"year": [2023] * 3 + [2024] * 3, "dept_id": list("ABCABC"),
                        "abs_deviation_rate": [0.01, 0.2, 0.05, 0.3, 0.02, 0.1],
                        "appraisal_score": [90.0, 80, 85, 78, 92, 84]})
    fig = plots.performance_linkage(pts, lang="zh", rho=-0.94, p_negative=0.003, n=6)
    title = fig.axes[0].get_title()
    assert "ρ = -0.94" in title and "p = 0.003" in title and "n = 6" in title and "考核得分" in title
    assert len(fig.axes[0].collections[0].get_offsets()) == 6
    assert _render_no_warnings(fig) == []


def test_systems_figure_colours_integration_and_marks_unused_systems():
    systems = pd.DataFrame({"system": ["HIS", "HRP", "cost"], "in_use": [True, True, False],
                            "integrated_with_finance": [False, True, False], "data_latency_days": [20.0, 3.0, None]})
    fig = plots.systems_integration(systems, lang="en", latency_max=7)
    ax = fig.axes[0]
    bars = ax.patches[:3]
    assert [b.get_width() for b in bars] == [20.0, 3.0, 0.0]
    assert bars[0].get_facecolor() != bars[1].get_facecolor()  # not integrated vs integrated
    texts = [t.get_text() for t in _texts(fig)]
    assert "n/a (not in use)" in texts and any("latency limit (7)" in t for t in texts)
    assert _render_no_warnings(fig) == []


def test_execution_heatmap_has_a_bounded_size_with_many_departments():
    from casekit.report.plots.figures import MAX_HEATMAP_ROWS

    rows = []
    for d in range(200):  # department d is (d / 10)% over budget every month; D199 is furthest from 100%
        for m in range(1, 13):
            rows.append({"year": 2024, "month": m, "dept_id": f"D{d:03d}", "direction": "expense",
                         "budget_month": 100.0, "actual": 100.0 + d / 10})
    monthly = pd.DataFrame(rows)
    monthly["execution_rate"] = monthly["actual"] / monthly["budget_month"]
    fig = plots.execution_heatmap(monthly)
    assert fig.get_size_inches()[1] == pytest.approx(0.28 * MAX_HEATMAP_ROWS + 1.5)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == MAX_HEATMAP_ROWS and labels[0] == "D199" and labels[-1] == "others (171 departments)"
    values = np.asarray(fig.axes[0].collections[0].get_array()).reshape(MAX_HEATMAP_ROWS, 12)
    # the others are D000-D170: summed actual 171 * 100 + (0 + ... + 170) / 10 over 171 * 100
    assert values[-1, 0] == pytest.approx((17100 + sum(range(171)) / 10) / 17100 * 100)


def _png_size(fig) -> tuple[int, int]:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")  # as the report draws it
    from PIL import Image

    return Image.open(io.BytesIO(buf.getvalue())).size


def _department_frames(n_dept: int, years: int = 5) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(n_dept)
    d = np.repeat(np.arange(n_dept), 12)
    monthly = pd.DataFrame({"year": 2040, "month": np.tile(np.arange(1, 13), n_dept),
                            "dept_id": [f"D{i:04d}" for i in d], "direction": "expense", "budget_month": 100.0,
                            "actual": 100.0 * rng.lognormal(0, 0.2, len(d))})
    monthly["execution_rate"] = monthly["actual"] / monthly["budget_month"]
    lines = pd.DataFrame({"deviation_rate": rng.normal(0, 0.2, n_dept * 19 * years),
                          "basis": np.repeat(["original", "adjusted"], n_dept * 19 * years // 2)})
    points = pd.DataFrame({"year": np.repeat(np.arange(2021, 2021 + years), n_dept),
                           "dept_id": np.tile([f"D{i:04d}" for i in range(n_dept)], years),
                           "abs_deviation_rate": rng.uniform(0, 0.5, n_dept * years),
                           "appraisal_score": rng.uniform(60, 100, n_dept * years)})
    return {"monthly": monthly, "lines": lines, "points": points}


def test_figures_of_a_1000_department_hospital_are_no_larger_than_of_a_small_one():
    """Every figure drawn from department-level rows has a size that does not grow with the departments."""
    from casekit.report.plots.figures import MAX_HEATMAP_ROWS

    sizes = {}
    for n in (10, 1000):
        f = _department_frames(n)
        figs = {"execution_heatmap": plots.execution_heatmap(f["monthly"]),
                "deviation_distribution": plots.deviation_distribution(f["lines"]),
                "performance_linkage": plots.performance_linkage(f["points"])}
        sizes[n] = {k: (tuple(fig.get_size_inches()), _png_size(fig)) for k, fig in figs.items()}
        if n == 1000:
            labels = [t.get_text() for t in figs["execution_heatmap"].axes[0].get_yticklabels()]
            assert len(labels) == MAX_HEATMAP_ROWS and labels[-1] == f"others ({1000 - MAX_HEATMAP_ROWS + 1} departments)"
    for name, (inches, pixels) in sizes[1000].items():
        small_inches, small_pixels = sizes[10][name]
        assert inches[0] == small_inches[0] and inches[1] <= 0.28 * MAX_HEATMAP_ROWS + 1.5, name
        assert pixels[0] <= 1.1 * max(small_pixels[0], 8.5 * 110) and pixels[1] <= 1.1 * (0.28 * 30 + 1.5) * 110, name


def test_report_tables_of_a_1000_department_hospital_show_a_bounded_number_of_rows():
    from casekit.report.blocks import table_html

    frame = pd.DataFrame({"dept_id": [f"D{i:04d}" for i in range(1000)], "deviation_rate": np.linspace(-1, 1, 1000)})
    html = table_html(frame, "by department", max_rows=120)
    assert html.count("<tr>") == 1 + 120 and "showing 120 of 1000 rows" in html
