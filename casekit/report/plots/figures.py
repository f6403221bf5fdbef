"""The report's figures: seaborn/matplotlib functions over tidy indicator frames.

Every function takes tidy DataFrames (the documented outputs of :mod:`casekit.indicators` and
:mod:`casekit.diagnosis`), a report language, and returns a :class:`matplotlib.figure.Figure`
created outside pyplot (so Jupyter does not show it twice and no figure leaks). Captions
("what to look for") are in :data:`CAPTIONS`, read with :func:`caption`.

Palettes are colour-blind safe (seaborn ``colorblind``; diverging ``vlag`` centred at 100%),
fonts are at least 9 pt, and titles and labels come from :mod:`casekit.labels` in en or zh.
"""
from __future__ import annotations

import functools
import textwrap
import warnings
from typing import Callable, Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from casekit.data.fiscal import month_axis
from casekit.money import money_unit, readable
from casekit.errors import CasekitError
from casekit.report.fonts import setup_fonts
from casekit.labels import check_lang, label

MIN_FONT = 9
PALETTE = "colorblind"
DIVERGING = "vlag"
# Warnings that seaborn/matplotlib raise on correct input; silenced here so reports stay clean.
QUIET_WARNINGS = ("The set_bad function will be deprecated",)
STATUS_MARK = {"present": "●", "absent": "○", "not_assessed": "?"}

CAPTIONS: dict[str, tuple[str, str]] = {
    "execution_heatmap": (
        "Each cell is a department's monthly execution rate (actual / monthly budget). White is 100%; "
        "red is above budget, blue below. Look for whole rows far from white (a department's budget was "
        "wrong all year) and for a red December column (year-end surge).",
        "每格为科室当月执行率（实际/月度预算）。白色为100%，红色高于预算，蓝色低于预算。关注整行偏离白色的科室"
        "（全年预算失准）以及12月整列偏红（年末突击支出）。"),
    "deviation_distribution": (
        "Deviation rates (A - B) / B of department budget lines. Dotted lines mark ±5% (good), dashed "
        "lines ±10% (beyond is poor). Look for the mass of lines outside the dashed lines and for a "
        "distribution not centred at zero (persistent bias, i.e. slack).",
        "各科室预算科目的偏差率 (A - B) / B。点线为 ±5%（良好），虚线为 ±10%（超出为较差）。关注虚线以外的科目"
        "比例，以及分布是否偏离零（系统性偏差，即预算松弛）。"),
    "time_progress": (
        "Cumulative execution as a share of the annual budget against the time schedule t/12 (grey "
        "dashed). Labels at quarter ends give the gap in percentage points; red ones exceed the warning "
        "threshold. Look for slow execution early in the year followed by a catch-up in Q4.",
        "累计执行占年度预算的比例与时间进度 t/12（灰色虚线）的对比。季末标注进度差（百分点），红色表示超过预警阈值。"
        "关注年初执行缓慢、第四季度集中赶进度的情况。"),
    "aspect_profile": (
        "Share of the 2020 measures' requirements met in each of the five aspects of budget management. "
        "Lines mark the weak and good levels. Look for the weakest aspects: they point to the problems "
        "in the next section.",
        "五个方面中落实2020年《办法》要求的比例。竖线为薄弱与良好水平。关注得分最低的方面，它们指向下一节的问题。"),
    "cause_problem_matrix": (
        "Which cause feeds which problem (links of the case). Dark cells: cause and problem both present "
        "in this hospital; light cells: a link of the case not active here. ρ is the Spearman correlation "
        "across departments where the data support the link. ● marks a finding present, ○ absent, ? not "
        "assessed. Causes present that feed problems present are the levers of the recommendations.",
        "原因与问题的对应关系（来自案例）。深色：该院原因与问题同时存在；浅色：案例中的关联在该院未同时出现。ρ为数据支持"
        "时各科室间的Spearman相关系数。●表示存在，○表示不存在，?表示未评估。同时存在的原因与问题是对策建议的着力点。"),
    "survey_constructs": (
        "Mean staff agreement (1-5) per survey construct; the dashed line is neutral (3.0). Labels give "
        "the share agreeing (4-5). Constructs below 3 mark weak areas and support the causes C1-C5.",
        "各问卷维度的平均认同度（1-5），虚线为中性值3.0。标注为认同（4-5分）比例。低于3的维度为薄弱环节，"
        "支持原因C1-C5的判断。"),
    "variance_bridge": (
        "From budget to actual for volume-driven lines: the volume variance is what the workload change "
        "explains, the rate variance what a different amount per unit explains. A large volume variance "
        "means the budget ignored workload (a bad budget), a large rate variance a different year.",
        "业务量驱动科目从预算到实际的分解：业务量差异由工作量变化解释，价格差异由单位金额变化解释。业务量差异大说明"
        "预算未考虑业务量（预算本身不合理），价格差异大说明当年情况不同。"),
    "performance_linkage": (
        "Each point is a department-year: how far its expense deviated from the adjusted budget (x) and "
        "the appraisal score it received (y). If the budget counted in the appraisal, points would fall "
        "from upper left to lower right (a negative Spearman ρ with a small p). A flat cloud means "
        "deviating from the budget cost the department nothing.",
        "每个点为一个科室-年度：支出偏离调整后预算的程度（横轴）与所得考核分数（纵轴）。若预算纳入考核，点应自左上向右下"
        "分布（Spearman ρ为负且p值较小）。点群平坦说明偏离预算对科室没有影响。"),
    "systems_integration": (
        "Each bar is an information system: its data latency in days after month end, coloured by "
        "whether it exchanges data with the finance system automatically. The dashed line is the latency "
        "limit. Look for systems not integrated with finance and bars beyond the line: their data reach "
        "the budget report late or by hand.",
        "每条柱为一个信息系统：月末后数据送达预算报表的天数，颜色表示是否与财务系统自动交换数据。虚线为时滞上限。关注未与"
        "财务集成的系统和超过虚线的柱：这些数据进入预算报表较晚或依赖手工。"),
}


def caption(name: str, lang: str = "en") -> str:
    """The "what to look for" caption of figure ``name`` in ``lang``."""
    return CAPTIONS[name][0 if check_lang(lang) == "en" else 1]


def _style() -> dict:
    """seaborn whitegrid without its font keys (fonts come from :func:`setup_fonts`)."""
    rc = {k: v for k, v in sns.axes_style("whitegrid").items() if not k.startswith("font.")}
    rc.update({"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "xtick.labelsize": 9,
               "ytick.labelsize": 9, "legend.fontsize": 9, "legend.title_fontsize": 9,
               "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight"})
    return rc


def figure_function(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a figure function with CJK fonts registered and the casekit style applied."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs) -> Figure:
        check_lang(kwargs.get("lang", "en"))
        setup_fonts()
        # Labels are department and account names from the data: text, never mathtext (a name
        # such as "$\\frac{}$" would crash the figure). Set globally, since tick labels are
        # created when the figure is drawn, after this context has closed.
        mpl.rcParams["text.parse_math"] = False
        with mpl.rc_context(_style()), warnings.catch_warnings():
            for message in QUIET_WARNINGS:
                warnings.filterwarnings("ignore", message=message)
            fig = fn(*args, **kwargs)
            for ax in fig.axes:
                ax.tick_params(labelsize=MIN_FONT)
        return fig

    return wrapper


def _require(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CasekitError(f"{what}: the table lacks column(s) {', '.join(missing)}",
                           f"Pass the documented output of the indicator (columns {', '.join(columns)}).")
    if df.empty:
        raise CasekitError(f"{what}: the table is empty", "Check that the data cover at least one year.")


MAX_HEATMAP_ROWS = 30
"""Rows of the execution heat map (departments beyond are summed into one "others" row)."""


def _new(width: float, height: float) -> tuple[Figure, mpl.axes.Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


@figure_function
def execution_heatmap(monthly: pd.DataFrame, *, lang: str = "en", year: int | None = None,
                      direction: str = "expense", dept_labels: Mapping[str, str] | None = None,
                      limits: tuple[float, float] = (50.0, 150.0), fiscal_start: int = 1) -> Figure:
    """Heat map of monthly execution rates, department x month, diverging at 100%.

    At most :data:`MAX_HEATMAP_ROWS` rows, so the figure's size is bounded: with more
    departments, the ones furthest from 100% on average over the months are shown and the
    others are one row (their summed actual over their summed monthly budget).

    Parameters
    ----------
    monthly : DataFrame
        ``monthly_execution(h)``: year, month, dept_id, direction, actual, budget_month,
        execution_rate (a ratio, 1.0 = 100%).
    lang : {"en", "zh"}
    year : int, optional
        Year shown (default: the last).
    direction : {"expense", "revenue"}
    dept_labels : mapping, optional
        dept_id -> display name (redacted reports pass codes).
    limits : (float, float)
        Colour range in percent; rates beyond are drawn at the end colours.
    fiscal_start : int
        First calendar month of the fiscal year; the months are fiscal months (1 = that month).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(monthly, ("year", "month", "dept_id", "direction", "execution_rate"), "execution heat map")
    year = int(monthly["year"].max()) if year is None else year
    sel = monthly[(monthly["year"] == year) & (monthly["direction"] == direction)]
    _require(sel, ("execution_rate",), f"execution heat map for {direction} {year}")
    grid = sel.pivot_table(index="dept_id", columns="month", values="execution_rate", aggfunc="mean") * 100
    others = None
    if len(grid) > MAX_HEATMAP_ROWS and {"actual", "budget_month"} <= set(sel.columns):
        # the departments furthest from 100% on average, then one row for all the others
        keep = (grid - 100).abs().mean(axis=1).sort_values(ascending=False, kind="stable").index[:MAX_HEATMAP_ROWS - 1]
        rest = sel[~sel["dept_id"].isin(keep)].groupby("month")[["actual", "budget_month"]].sum()
        others = rest["actual"] / rest["budget_month"].where(rest["budget_month"] > 0) * 100
        n_others = len(grid) - len(keep)
        grid = grid.loc[keep]
    if dept_labels:
        grid.index = [dept_labels.get(d, d) for d in grid.index]
    if others is not None:
        grid.loc[label("fig.others_departments", lang, n=n_others)] = others.reindex(grid.columns)
    fig, ax = _new(8.5, max(3.5, 0.28 * len(grid) + 1.5))
    sns.heatmap(grid, ax=ax, cmap=DIVERGING, center=100, vmin=limits[0], vmax=limits[1],
                linewidths=0.3, linecolor="white",
                cbar_kws={"label": label("axis.execution_rate", lang), "format": "%.0f"})
    ax.set_xlabel(month_axis(fiscal_start, lang))
    ax.set_ylabel(label("axis.department", lang))
    ax.set_title(f"{label('fig.execution_heatmap', lang)} ({label('direction.' + direction, lang)}, {year})")
    ax.tick_params(axis="y", rotation=0)
    return fig


@figure_function
def deviation_distribution(table: pd.DataFrame, *, lang: str = "en", good: float = 0.05,
                           warning: float = 0.10, clip: float = 0.5) -> Figure:
    """Histogram of deviation rates with the ±good and ±warning band lines.

    Parameters
    ----------
    table : DataFrame
        ``execution_table(h, ...)`` rows with ``deviation_rate`` (signed ratio); an optional
        ``basis`` column (original/adjusted) becomes the hue.
    lang : {"en", "zh"}
    good, warning : float
        Band thresholds (``bands.good``, ``bands.warning`` in thresholds.yaml).
    clip : float
        Deviations beyond ±clip are drawn in the outermost bins.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(table, ("deviation_rate",), "deviation distribution")
    # only the drawn columns, the basis as a category labelled once per value: at 1,000
    # departments the table has 800k rows, and copies of all its columns cost the kernel 300 MB
    rate = table["deviation_rate"].astype(float).clip(-clip, clip)
    keep = rate.notna().to_numpy()
    data = pd.DataFrame({"deviation_rate": rate.to_numpy()[keep]})
    hue = None
    if "basis" in table.columns and table["basis"].nunique() > 1:
        basis = pd.Categorical(table["basis"], categories=table["basis"].dropna().unique())  # hue in order of appearance
        hue = label("col.basis", lang)  # the legend's title, in the report's language
        data[hue] = basis.rename_categories([label(f"basis.{b}", lang) for b in basis.categories])[keep]
    fig, ax = _new(7.5, 4.0)
    sns.histplot(data, x="deviation_rate", hue=hue, ax=ax, bins=np.linspace(-clip, clip, 41),
                 palette=PALETTE if hue else None, color=None if hue else sns.color_palette(PALETTE)[0],
                 element="step", alpha=0.35)
    for x, style in ((good, ":"), (warning, "--")):
        for sign in (-1, 1):
            ax.axvline(sign * x, color="0.25", linestyle=style, linewidth=1.2)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(label("axis.deviation_rate", lang))
    ax.set_ylabel(label("axis.count", lang))
    ax.set_title(label("fig.deviation_distribution", lang))
    return fig


@figure_function
def time_progress(progress: pd.DataFrame, *, lang: str = "en", year: int | None = None,
                  gap_threshold: float = 0.10, fiscal_start: int = 1) -> Figure:
    """Cumulative execution against time progress t/12, with the quarter-end gaps marked.

    Parameters
    ----------
    progress : DataFrame
        ``time_progress(h)``: year, month, direction, cumulative_actual, annual_budget, progress,
        expected, gap, is_quarter_end (progress, expected and gap are ratios).
    lang : {"en", "zh"}
    year : int, optional
        Year shown (default: the last).
    gap_threshold : float
        ``p3.progress_gap``; quarter-end gaps beyond it are labelled in red.
    fiscal_start : int
        First calendar month of the fiscal year; the months are fiscal months (1 = that month).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(progress, ("year", "month", "direction", "progress", "expected", "gap", "is_quarter_end"),
             "time-progress figure")
    year = int(progress["year"].max()) if year is None else year
    sel = progress[progress["year"] == year].sort_values("month")
    directions = list(dict.fromkeys(sel["direction"]))
    fig = Figure(figsize=(4.2 * max(1, len(directions)), 4.0), layout="constrained")
    axes = fig.subplots(1, max(1, len(directions)), sharey=True, squeeze=False)[0]
    colour = sns.color_palette(PALETTE)[0]
    for ax, direction in zip(axes, directions):
        d = sel[sel["direction"] == direction]
        ax.plot(d["month"], d["expected"], color="0.55", linestyle="--", label=label("axis.expected", lang))
        ax.plot(d["month"], d["progress"], color=colour, marker="o", markersize=3.5,
                label=label("axis.progress", lang))
        for row in d[d["is_quarter_end"].astype(bool)].itertuples():
            beyond = abs(row.gap) > gap_threshold
            ax.vlines(row.month, row.expected, row.progress, color="#c0392b" if beyond else "0.3", linewidth=1.5)
            ax.annotate(f"{row.gap * 100:+.0f} pp", (row.month, row.progress), textcoords="offset points",
                        xytext=(4, -12 if row.gap < 0 else 4), fontsize=MIN_FONT,
                        color="#c0392b" if beyond else "0.2")
        ax.set_title(label("direction." + direction, lang))
        ax.set_xticks(range(1, 13))
        ax.set_xlabel(month_axis(fiscal_start, lang))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[0].set_ylabel(label("axis.progress", lang))
    axes[0].legend(loc="upper left")
    fig.suptitle(f"{label('fig.time_progress', lang)} ({year})", fontsize=11)
    return fig


@figure_function
def aspect_profile(aspects: pd.DataFrame, *, lang: str = "en", weak: float = 0.5, good: float = 0.8) -> Figure:
    """Bar profile of the five aspects A1-A5 (share of requirements met).

    Parameters
    ----------
    aspects : DataFrame
        Columns ``code`` (A1..A5) and ``score`` (0-1; NaN for aspects not assessed).
    lang : {"en", "zh"}
    weak, good : float
        ``aspects.met_weak`` and ``aspects.met_good`` reference lines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(aspects, ("code", "score"), "five-aspect profile")
    data = aspects.assign(name=aspects["code"].map(lambda c: label(c, lang)),
                          score=aspects["score"].astype(float))
    fig, ax = _new(7.0, 3.6)
    colours = sns.color_palette(PALETTE, 3)
    bar_colours = [colours[1] if s < weak else colours[2] if s >= good else colours[0]
                   for s in data["score"].fillna(0)]
    ax.barh(data["name"], data["score"].fillna(0), color=bar_colours)
    for i, s in enumerate(data["score"]):
        ax.text((0 if np.isnan(s) else s) + 0.01, i, label("status.not_assessed", lang) if np.isnan(s) else f"{s:.0%}",
                va="center", fontsize=MIN_FONT)
    for x in (weak, good):
        ax.axvline(x, color="0.35", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1.1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(label("axis.aspect_score", lang))
    ax.set_ylabel("")
    ax.set_title(label("fig.aspect_profile", lang))
    return fig


@figure_function
def cause_problem_matrix(matrix: pd.DataFrame, *, lang: str = "en",
                         status: Mapping[str, str] | None = None, annot: pd.DataFrame | None = None) -> Figure:
    """Heat map of the cause x problem matrix, with each finding's status on its label.

    Parameters
    ----------
    matrix : DataFrame
        Index C1..C5, columns P1..P5, values link strength in [0, 1] (booleans accepted).
    lang : {"en", "zh"}
    status : mapping, optional
        Finding code -> status (present/absent/not_assessed), shown as ● ○ ? on the labels.
    annot : DataFrame, optional
        Text per cell (same shape); default the values with two decimals.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if matrix.empty:
        raise CasekitError("cause-problem matrix: the matrix is empty", "Run the diagnosis first.")
    values = matrix.astype(float)
    status = status or {}

    def name(code: str) -> str:
        return f"{STATUS_MARK.get(status.get(code, ''), '')} {label(code, lang)}".strip()

    values.index = [name(c) for c in values.index]
    values.columns = [textwrap.fill(name(c), 16 if lang == "en" else 8) for c in values.columns]
    fig, ax = _new(8.5, 5.0)
    text = annot.to_numpy() if annot is not None else True
    sns.heatmap(values, ax=ax, cmap="Blues", vmin=0, vmax=1, annot=text, fmt="" if annot is not None else ".2f",
                linewidths=0.5,
                linecolor="white", annot_kws={"fontsize": MIN_FONT}, cbar=False)
    ax.set_xlabel(label("axis.problem", lang))
    ax.set_ylabel(label("axis.cause", lang))
    ax.tick_params(axis="x", rotation=0)
    ax.set_title(label("fig.cause_problem_matrix", lang))
    return fig


@figure_function
def survey_constructs(scores: pd.DataFrame, *, lang: str = "en", neutral: float = 3.0) -> Figure:
    """Construct means (1-5) with the neutral line and the share agreeing.

    Parameters
    ----------
    scores : DataFrame
        ``construct_scores(h)``: construct, cause, mean, share_agree, n_items, n_respondents, alpha.
    lang : {"en", "zh"}
    neutral : float
        Neutral point of the Likert scale.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(scores, ("construct", "mean"), "survey construct figure")
    names = [f"{label('construct.' + c, lang)} ({cause})" if isinstance(cause, str) and cause else
             label("construct." + c, lang)
             for c, cause in zip(scores["construct"], scores.get("cause", pd.Series([""] * len(scores))))]
    data = scores.assign(name=names)
    colours = sns.color_palette(PALETTE, 2)
    fig, ax = _new(7.0, 3.6)
    ax.barh(data["name"], data["mean"] - 1, left=1,
            color=[colours[1] if m < neutral else colours[0] for m in data["mean"]])
    ax.axvline(neutral, color="0.25", linestyle="--", linewidth=1.2, label=label("axis.neutral", lang))
    share = data["share_agree"] if "share_agree" in data.columns else pd.Series(np.nan, index=data.index)
    for i, (m, s) in enumerate(zip(data["mean"], share)):
        text = f"{m:.2f}" + ("" if pd.isna(s) else f"  ({s:.0%} ≥4)")
        ax.text(m + 0.05, i, text, va="center", fontsize=MIN_FONT)
    ax.set_xlim(1, 5.6)
    ax.invert_yaxis()
    ax.set_xlabel(label("axis.construct_mean", lang))
    ax.set_ylabel("")
    ax.legend(loc="lower right")
    ax.set_title(label("fig.survey_constructs", lang))
    return fig


@figure_function
def variance_bridge(variance: pd.DataFrame, *, lang: str = "en", year: int | None = None,
                    direction: str | None = None, money: tuple[str, str] = ("CNY", "units")) -> Figure:
    """Waterfall from budget to actual: budget -> volume variance -> rate variance -> actual.

    Parameters
    ----------
    variance : DataFrame
        ``flexible_budget_variance(h)``: year, dept_id, account_id, driver, budget, actual,
        volume_variance, rate_variance, total_variance (in the hospital's currency and scale).
    lang : {"en", "zh"}
    year : int, optional
        Year shown (default: the last).
    direction : {"revenue", "expense"}, optional
        Lines shown when the frame has a ``direction`` column (default: revenue if present);
        revenue and expense are never added together.
    money : (str, str)
        Currency and scale of the amounts (:func:`casekit.money.money_of`); drawn in
        :func:`casekit.money.readable` units (万元 for yuan).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(variance, ("year", "budget", "actual", "volume_variance", "rate_variance"), "variance bridge")
    year = int(variance["year"].max()) if year is None else year
    sel = variance[variance["year"] == year]
    title = f"{label('fig.variance_bridge', lang)} ({year})"
    if "direction" in sel.columns:
        present = list(dict.fromkeys(sel["direction"]))
        direction = direction or ("revenue" if "revenue" in present else present[0])
        sel = sel[sel["direction"] == direction]
        title = f"{label('fig.variance_bridge', lang)} ({label('direction.' + direction, lang)}, {year})"
    total = sel[["budget", "volume_variance", "rate_variance", "actual"]].sum()
    steps = bridge_steps(total["budget"], total["volume_variance"], total["rate_variance"], total["actual"])
    fig, ax = _new(7.0, 4.0)
    pal = sns.color_palette(PALETTE)
    scale, shown = readable(*money)
    for i, (key, bottom, height, kind) in enumerate(steps):
        colour = {"total": pal[0], "up": pal[1], "down": pal[2]}[kind]
        ax.bar(i, height / scale, bottom=bottom / scale, color=colour, width=0.6)
        ax.text(i, (bottom + max(height, 0)) / scale, f"{height / scale:+,.0f}" if kind != "total"
                else f"{height / scale:,.0f}", ha="center", va="bottom", fontsize=MIN_FONT)
    top = max(max(b, b + h) for _, b, h, _ in steps) / scale
    ax.set_ylim(top=top * 1.12)
    ax.set_xticks(range(len(steps)), [label(f"bridge.{s[0]}", lang) for s in steps])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel(label("axis.amount", lang, unit=money_unit(money[0], shown, lang)))
    ax.set_title(title)
    return fig


def bridge_steps(budget: float, volume: float, rate: float, actual: float) -> list[tuple[str, float, float, str]]:
    """Bars of the variance waterfall as (label key, bottom, height, kind).

    The volume and rate bars float from the running total; the last bar is the actual itself,
    so any residual (actual - budget - volume - rate) shows as a step rather than being hidden.

    Examples
    --------
    >>> bridge_steps(100.0, 20.0, -5.0, 115.0)[1:3]
    [('volume', 100.0, 20.0, 'up'), ('rate', 120.0, -5.0, 'down')]
    """
    steps = [("budget", 0.0, float(budget), "total")]
    running = float(budget)
    for key, delta in (("volume", float(volume)), ("rate", float(rate))):
        steps.append((key, running, delta, "up" if delta >= 0 else "down"))
        running += delta
    steps.append(("actual", 0.0, float(actual), "total"))
    return steps


@figure_function
def performance_linkage(points: pd.DataFrame, *, lang: str = "en", rho: float = float("nan"),
                        p_negative: float = float("nan"), n: int | None = None) -> Figure:
    """Scatter of department |deviation rate| against the appraisal score, Spearman ρ in the title.

    Parameters
    ----------
    points : DataFrame
        ``department_linkage_table(h)``: year, dept_id, abs_deviation_rate, appraisal_score.
    lang : {"en", "zh"}
    rho, p_negative : float
        Pooled Spearman ρ and its one-sided p for ρ < 0 (``performance_linkage(h)``).
    n : int, optional
        Department-years in the correlation (default: the points with both values).

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    docs/methodology.md, "Performance linkage"; 2020 Measures (国卫财务发〔2020〕30号), budget
    assessment tied to internal performance pay.
    """
    _require(points, ("year", "abs_deviation_rate", "appraisal_score"), "performance linkage figure")
    data = points.dropna(subset=["abs_deviation_rate", "appraisal_score"]).assign(
        year=lambda d: d["year"].astype(int).astype(str))
    n = len(data) if n is None else n
    fig, ax = _new(7.0, 4.2)
    years = sorted(data["year"].unique())
    sns.scatterplot(data=data, x="abs_deviation_rate", y="appraisal_score", hue="year", hue_order=years,
                    style="year", style_order=years, palette=sns.color_palette(PALETTE, len(years)), s=40, ax=ax)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(label("axis.abs_deviation", lang))
    ax.set_ylabel(label("axis.appraisal_score", lang))
    ax.legend(title=label("axis.year", lang), loc="best")
    stats = "Spearman ρ = " + ("n/a" if np.isnan(rho) else f"{rho:+.2f}")
    stats += ", p = " + ("n/a" if np.isnan(p_negative) else f"{p_negative:.3f}")
    stats += f" ({'one-sided, ρ < 0' if lang == 'en' else '单侧，ρ < 0'}), n = {n}"
    ax.set_title(f"{label('fig.performance_linkage', lang)}\n{stats}")
    return fig


@figure_function
def systems_integration(systems: pd.DataFrame, *, lang: str = "en", latency_max: float | None = None) -> Figure:
    """Bars of each system's data latency, coloured by integration with finance.

    Parameters
    ----------
    systems : DataFrame
        The ``systems`` table: system, in_use, integrated_with_finance, data_latency_days (optional).
    lang : {"en", "zh"}
    latency_max : float, optional
        ``p5.latency_days_max`` reference line.

    Returns
    -------
    matplotlib.figure.Figure
        Systems not in use are grey and labelled so; a missing latency is written "n/a".

    References
    ----------
    docs/methodology.md (P5, C5); 2020 Operations guidance (国卫财务发〔2020〕27号), information support.
    """
    _require(systems, ("system", "in_use", "integrated_with_finance"), "systems figure")
    data = systems.copy()
    latency = pd.to_numeric(data.get("data_latency_days", pd.Series(np.nan, index=data.index)), errors="coerce")
    data = data.assign(latency=latency, in_use=data["in_use"].astype(bool),
                       integrated=data["integrated_with_finance"].astype(bool))
    pal = sns.color_palette(PALETTE)
    colour = {"yes": pal[0], "no": pal[1], "unused": (0.6, 0.6, 0.6)}
    kinds = ["unused" if not u else "yes" if i else "no" for u, i in zip(data["in_use"], data["integrated"])]
    fig, ax = _new(7.0, 0.45 * len(data) + 1.6)
    names = [str(x) for x in data["system"]]
    ax.barh(names, data["latency"].fillna(0), color=[colour[k] for k in kinds], edgecolor="white")
    for i, (v, k) in enumerate(zip(data["latency"], kinds)):
        text = "n/a" if pd.isna(v) else f"{v:.0f}"
        if k == "unused":
            text += f" ({label('legend.not_in_use', lang)})"
        ax.text((0 if pd.isna(v) else v) + 0.3, i, text, va="center", fontsize=MIN_FONT)
    handles = [Patch(color=colour["yes"], label=label("legend.integrated", lang)),
               Patch(color=colour["no"], label=label("legend.not_integrated", lang))]
    if "unused" in kinds:
        handles.append(Patch(color=colour["unused"], label=label("legend.not_in_use", lang)))
    if latency_max is not None:
        ax.axvline(latency_max, color="0.25", linestyle="--", linewidth=1.2)
        handles.append(Line2D([], [], color="0.25", linestyle="--",
                                        label=f"{label('axis.latency_max', lang)} ({latency_max:g})"))
    top = max(float(data["latency"].max()) if data["latency"].notna().any() else 0.0, latency_max or 0.0)
    ax.set_xlim(0, top * 1.3 + 1)
    ax.invert_yaxis()
    ax.set_xlabel(label("axis.latency_days", lang))
    ax.set_ylabel("")
    ax.legend(handles=handles, loc="lower right")
    ax.set_title(label("fig.systems_integration", lang))
    return fig
