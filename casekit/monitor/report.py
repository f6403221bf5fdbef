"""What the monitoring notebook shows: the monthly report's sections, as calls.

``notebooks/monitor.ipynb`` holds the narrative and calls these functions; every number comes
from :class:`casekit.monitor.MonitorResult` (with the comments read back). The runner
(:mod:`casekit.monitor.run`) computes the analysis once, before the kernel starts, and passes
the pickled :class:`MonitorSession` to the notebook (parameter ``prepared``); run interactively
the notebook computes it itself.
"""
from __future__ import annotations

import html
import io
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from casekit.money import unit_of
from casekit.errors import Issue
from casekit.labels import LABELS, label
from casekit.monitor.analysis import MonitorResult
from casekit.pipeline.params import CONFIG, DATA_PATH, LANG, Param
from casekit.report.blocks import caveat_html, heading_html, table_html

MONITOR_PARAMETERS: dict[str, Param] = {p.name: p for p in (
    DATA_PATH,
    Param("through", "str", "", "last month of the analysis, YYYY-MM; empty means the latest month with actuals"),
    LANG,
    CONFIG,
    Param("comments", "str", "", "last month's filled comments.xlsx; empty means none"),
    Param("prepared", "str", "", "analysis pickled by casekit monitor (set by the runner)"),
    Param("output_dir", "str", "", "report folder (set by casekit monitor)"),
)}
PERCENT = ("progress", "expected", "gap", "schedule_ratio", "projected_rate", "projected_deviation_rate",
           "backtest_wape", "wape", "cumulative_rate", "ratio")
ENUMS = ("level", "projected_band", "method", "source")


@dataclass
class MonitorSession:
    """One monthly analysis with the departments' comments attached.

    Attributes
    ----------
    result : MonitorResult
    lang : str
    flags : pandas.DataFrame
        ``result.flags`` with the latest explanation of each line (:func:`casekit.monitor.comments.attach_comments`).
    unexplained : pandas.DataFrame
    comment_notes : list of Issue
        Warnings from reading the comments file.
    comments : pandas.DataFrame or None
        The comments read back (:func:`casekit.monitor.comments.read_comments`).
    """

    result: MonitorResult
    lang: str = "en"
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)
    unexplained: pd.DataFrame = field(default_factory=pd.DataFrame)
    comment_notes: list[Issue] = field(default_factory=list)
    comments: pd.DataFrame | None = None

    def t(self, key: str, **fmt) -> str:
        return label(key, self.lang, **fmt)


def prepare(h, through: str = "", *, lang: str = "en", config: str = "", comments: str = "") -> MonitorSession:
    """Analyse ``h`` at ``through`` and attach the comments file (if any).

    Parameters
    ----------
    h : Hospital
    through, lang, config, comments : str
        As the notebook parameters (:data:`MONITOR_PARAMETERS`).

    Returns
    -------
    MonitorSession
    """
    from casekit.diagnosis.config import Thresholds
    from casekit.monitor.analysis import analyse
    from casekit.monitor.comments import attach_comments, read_comments

    result = analyse(h, through or None, Thresholds(config or None))
    read, notes = (None, [])
    if comments:
        read, notes = read_comments(comments, departments=h.departments, accounts=h.accounts)
    flags, unexplained = attach_comments(result.flags, read, result.period.label, result.period.end)
    return MonitorSession(result=result, lang=lang, flags=flags, unexplained=unexplained, comment_notes=notes,
                          comments=read)


def session(data_path: str, through: str = "", lang: str = "en", config: str = "", comments: str = "",
            prepared: str = "", output_dir: str = "") -> MonitorSession:
    """The notebook's session: the runner's pickled analysis when given, else computed here."""
    if prepared and Path(prepared).is_file():
        with open(prepared, "rb") as fh:
            s = pickle.load(fh)
        s.lang = lang
        return s
    import casekit
    from casekit.pipeline.params import resolve_input

    return prepare(casekit.load(resolve_input(data_path)), through, lang=lang, config=config, comments=comments)


def _show(fragment: str) -> None:
    from IPython.display import HTML, display

    display(HTML(fragment))


def _word(v, lang: str) -> str:
    key = f"value.{v}"
    return label(key, lang) if key in LABELS else str(v)


def _display(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rates as percentages; control levels, bands, methods and flags as words of ``lang``."""
    out = df.copy()
    for c in out.columns:
        if c in PERCENT:
            out[c] = out[c].map(lambda v: "–" if pd.isna(v) else f"{float(v):.1%}")
        elif c in ENUMS:
            out[c] = out[c].map(lambda v: v if not isinstance(v, str) else _word(v, lang))
        elif c == "flags":
            out[c] = out[c].map(lambda v: "、".join(_word(k, lang) for k in str(v).split(", ")) if lang == "zh"
                                else ", ".join(_word(k, lang) for k in str(v).split(", ")))
    return out


def _named(s: MonitorSession, df: pd.DataFrame) -> pd.DataFrame:
    h = s.result.hospital
    out = df.copy()
    if "dept_id" in out:
        out.insert(list(out.columns).index("dept_id") + 1, "name",
                   out["dept_id"].map(h.departments.set_index("dept_id")["name"]))
    return out


def _table(s: MonitorSession, df: pd.DataFrame, caption: str, max_rows: int = 30) -> None:
    _show(table_html(_display(df.rename(columns={"budget": "adjusted"}), s.lang), caption, max_rows=max_rows, lang=s.lang,
                     unit=unit_of(s.result.hospital.profile, s.lang)))


def title(s: MonitorSession) -> None:
    """Title, hospital, month and the synthetic-data notice."""
    r = s.result
    _show(heading_html(f"{r.hospital.name}: {s.t('mon.title')} {r.period.label}", 1))
    if r.hospital.profile.synthetic:
        _show(caveat_html(s.t("mon.synthetic")))


def summary(s: MonitorSession) -> None:
    """One sentence per direction: year to date, schedule, projected year end, back-test error."""
    r = s.result
    for row in r.totals.itertuples():
        _show("<p>" + html.escape(s.t(
            "mon.summary", direction=label(f"direction.{row.direction}", s.lang), month=r.period.label,
            unit=unit_of(r.hospital.profile, s.lang),
            ytd=f"{row.ytd_actual:,.0f}", budget=f"{row.budget:,.0f}", progress=f"{row.progress:.1%}",
            expected=f"{row.expected:.1%}", gap=f"{row.gap * 100:+.1f}", projection=f"{row.projection:,.0f}",
            rate=f"{row.projected_rate:.1%}",
            wape="–" if pd.isna(row.backtest_wape) else f"{row.backtest_wape:.1%}")) + "</p>")
    cols = ["direction", "original", "budget", "ytd_actual", "progress", "expected", "gap", "projection",
            "projected_rate", "backtest_wape", "projected_band"]
    _table(s, r.totals[cols], s.t("mon.cap.totals"))


def departments(s: MonitorSession) -> None:
    """Departments projected to end outside the warning band."""
    r = s.result
    _show(heading_html(s.t("mon.sec.departments"), 2))
    if r.depts_outside.empty:
        _show("<p>" + html.escape(s.t("mon.none")) + "</p>")
        return
    cols = ["dept_id", "direction", "budget", "ytd_actual", "progress", "gap", "projection", "projected_rate",
            "backtest_wape"]
    d = r.depts_outside.sort_values("projected_deviation_rate", key=lambda x: -x.abs())
    _table(s, _named(s, d[cols]), s.t("mon.cap.departments"))


def progress_figure(s: MonitorSession) -> None:
    """Bar chart: expense execution of each department against the time schedule."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    from casekit.report.fonts import setup_fonts

    setup_fonts()
    d = s.result.departments
    d = d[(d["direction"] == "expense") & d["progress"].notna()].sort_values("progress")
    names = d["dept_id"].map(s.result.hospital.departments.set_index("dept_id")["name"]).fillna(d["dept_id"])
    fig, ax = plt.subplots(figsize=(7.5, max(3.0, 0.22 * len(d) + 1)))
    colors = d["level"].map({"normal": "#56b4e9", "warning": "#e69f00", "control": "#d55e00",
                             "approval": "#cc0000"}).fillna("#999999")
    ax.barh(names, d["progress"], color=colors)
    expected = float(s.result.totals.set_index("direction").at["expense", "expected"]) if "expense" in set(
        s.result.totals["direction"]) else s.result.period.elapsed
    ax.axvline(expected, color="black", linestyle="--", linewidth=1, label=s.t("mon.fig.schedule"))
    ax.set_xlabel(s.t("axis.progress"))
    ax.set_title(s.t("mon.fig.progress"))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    display(Image(buf.getvalue()))
    _show("<p class='casekit-caption'><em>" + html.escape(s.t("mon.fig.progress_caption")) + "</em></p>")


def variances(s: MonitorSession) -> None:
    """Flagged variances of the month with the departments' explanations beside them."""
    _show(heading_html(s.t("mon.sec.flags"), 2))
    f = s.flags
    if f.empty:
        _show("<p>" + html.escape(s.t("mon.none")) + "</p>")
        return
    cols = ["dept_id", "account_id", "flags", "ytd_actual", "progress", "gap", "projected_rate", "owner",
            "explanation", "action", "due_date"]
    f = f.assign(due_date=f["due_date"].map(lambda v: "" if v is None or pd.isna(v) else str(v)))
    f = f.sort_values("projection", key=lambda p: -(p - f["budget"]).abs(), kind="stable")  # largest first
    _table(s, _named(s, f[cols]), s.t("mon.cap.flags", n=len(f)), max_rows=40)  # monitor.xlsx has them all
    unexplained = s.unexplained
    _show("<p>" + html.escape(s.t("mon.unexplained", n=len(unexplained),
                                  earlier=int((unexplained["source"] == "file").sum()))) + "</p>")
    overdue = f[f["overdue"].to_numpy(dtype=bool)]
    if len(overdue):
        _table(s, _named(s, overdue[["dept_id", "account_id", "owner", "action", "due_date"]]),
               s.t("mon.cap.overdue", n=len(overdue)))
    for note in s.comment_notes:
        _show(caveat_html(str(note)))


def exceptions(s: MonitorSession) -> None:
    """Months far from their trailing three-month mean (this year)."""
    _show(heading_html(s.t("mon.sec.exceptions"), 2))
    e = s.result.exceptions
    if e.empty:
        _show("<p>" + html.escape(s.t("mon.none")) + "</p>")
        return
    e = e.sort_values("difference", key=lambda x: -x.abs())
    _table(s, _named(s, e[["month", "dept_id", "account_id", "actual", "trailing_mean", "difference", "ratio"]]),
           s.t("mon.cap.exceptions", n=len(e)), max_rows=15)


def adjustments(s: MonitorSession) -> None:
    """Adjustments and unbudgeted spending so far."""
    r = s.result
    _show(heading_html(s.t("mon.sec.adjustments"), 2))
    a = r.adjustments
    if a.empty:
        _show("<p>" + html.escape(s.t("mon.no_adjustments")) + "</p>")
    else:
        a = a.assign(date=a["date"].dt.date.astype(str))
        _table(s, _named(s, a[["date", "dept_id", "account_id", "change", "approved", "cumulative_rate"]]),
               s.t("mon.cap.adjustments", n=len(a)))
    u = r.unbudgeted
    if u.empty:
        _show("<p>" + html.escape(s.t("mon.no_unbudgeted")) + "</p>")
    else:
        _table(s, _named(s, u), s.t("mon.cap.unbudgeted", n=len(u), total=f"{u['ytd_actual'].sum():,.0f}",
                                            unit=unit_of(r.hospital.profile, s.lang)))


def accuracy(s: MonitorSession) -> None:
    """Back-test WAPE of each method and of the chosen ones, and how often each was chosen."""
    r = s.result
    _show(heading_html(s.t("mon.sec.accuracy"), 2))
    if r.backtest.empty:
        _show("<p>" + html.escape(s.t("mon.no_backtest")) + "</p>")
        return
    _table(s, r.backtest, s.t("mon.cap.accuracy", month=r.period.month))
    chosen = r.lines["method"].value_counts().rename_axis("method").reset_index(name="n")
    _table(s, chosen, s.t("mon.cap.chosen"))


def caveats(s: MonitorSession) -> None:
    """The analysis' caveats."""
    _show(heading_html(s.t("sec.caveats"), 2))
    _show("<ol>" + "".join(f"<li>{html.escape(s.t(key, **kw))}</li>" for key, kw in s.result.caveats) + "</ol>")
