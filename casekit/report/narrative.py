"""What the report notebooks call: the session, headings, finding sections, tables and figures.

Notebooks hold narrative and calls only; everything computed lives in the package. The
notebooks' setup cell calls :func:`session` (:mod:`casekit.report.session`): under
``casekit run`` it loads the analysis the runner computed, opened alone it computes it. Each
function below displays its block (``IPython.display``) and returns ``None``, so a cell
shows each block once; the blocks themselves are built by :mod:`casekit.report.blocks`.
The plotting libraries are imported on first use.

References
----------
Case: "J public hospital" comprehensive budget management case study (see ``docs/methodology.md``).
National rules: 2020 Measures for comprehensive budget management in public hospitals
(国卫财务发〔2020〕30号); 2020 Guidance on strengthening operations management of public
hospitals (国卫财务发〔2020〕27号).
"""
from __future__ import annotations

import html
import io
from typing import Any

import pandas as pd

from casekit.data import fiscal
from casekit.diagnosis.finding import Finding
from casekit.errors import Issue, warnings_as_issues
from casekit.labels import label, title_only
from casekit.report.blocks import (
    CITATION,
    FIGURE_METADATA,
    SUPPLIED_BANNER,
    SYNTHETIC_BANNER,
    caveat_html,
    criteria_frame,
    execution_frame,
    finding_card_html,
    finding_title,
    heading_html,
    issue_note,
    inventory_frame,
    localised_columns,
    notes_frame,
    pefa_frame,
    recommendations_html,
    table_html,
    thresholds_frame,
    verdict,
)
from casekit.report.session import Session, session

__all__ = ["session", "Session", "heading", "paragraph", "table", "figure", "show_figure", "title_page",
           "data_inventory", "validation_notes", "execution_statement", "not_assessed", "finding_heading",
           "indicator_table", "finding_section", "pefa",
           "aspects_overview", "matrix", "survey", "conclusion", "recommendations", "caveats", "method_notes",
           "citation"]

EVIDENCE_ROWS = 8


def _emit(*objects: Any, metadata: dict | None = None) -> None:
    from IPython.display import display

    if metadata:
        for obj in objects:
            display(obj, metadata=metadata)
    else:
        display(*objects)


def _html(text: str) -> Any:
    from IPython.display import HTML

    return HTML(text)


def heading(s: Session, key: str, level: int = 2) -> None:
    """Show the heading of ``key`` (a :mod:`casekit.labels` key) in the session language."""
    _emit(_html(heading_html(s.t(key), level)))


def paragraph(text: str) -> None:
    """Show a paragraph of (escaped) text."""
    _emit(_html(f"<p>{html.escape(text)}</p>"))


def table(df: pd.DataFrame, caption_text: str = "", max_rows: int = 30, lang: str = "en",
          unit: str | None = None) -> None:
    """Show a table with a caption; amount columns name ``unit`` (``Session.unit``)."""
    _emit(_html(table_html(df, caption_text, max_rows, lang, unit)))


def figure(s: Session, name: str, fig: Any) -> None:
    """Show a matplotlib figure as PNG followed by its "what to look for" caption."""
    from IPython.display import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    png = buf.getvalue()
    if s.output_dir is not None:
        from casekit.fs.atomic import write_bytes

        (s.output_dir / "figures").mkdir(parents=True, exist_ok=True)
        write_bytes(s.output_dir / "figures" / f"{name}.png", png)
    from casekit.report.plots import caption

    look = f"{s.t('sec.look_for')}: {caption(name, s.lang)}"
    _emit(Image(data=png, format="png"), metadata={FIGURE_METADATA: {"name": name, "status": "drawn"}})
    _emit(_html(f"<p class='casekit-caption'><em>{html.escape(look)}</em></p>"))


def show_figure(s: Session, name: str, **kwargs: Any) -> None:
    """Draw figure ``name`` from the session's data, or say which data it needs.

    The output carries ``metadata[FIGURE_METADATA]`` so ``casekit run`` can check it: a figure
    not drawn although the session has its input tables is marked ``missing`` (an error for
    the runner); one whose tables the hospital did not supply is marked ``data_absent``.
    """
    from casekit.report.plots import from_session

    with warnings_as_issues(s.notes):
        fig, missing = from_session.draw(s, name, **kwargs)
    if fig is None:
        absent = from_session.absent_inputs(s, name)
        status = "data_absent" if absent else "missing"
        _emit(_html(caveat_html(f"{s.t('fig.' + name)}: {s.t('status.not_assessed')} "
                                f"({s.t('word.needs')}: {missing})")),
              metadata={FIGURE_METADATA: {"name": name, "status": status, "needs": str(missing)}})
    else:
        figure(s, name, fig)


def title_page(s: Session) -> None:
    """First page: hospital, synthetic-data banner (from ``profile.synthetic``), citation, parameters."""
    p = s.hospital.profile
    banner = (SYNTHETIC_BANNER[s.lang] if p.synthetic
              else SUPPLIED_BANNER[s.lang].format(source=s.data_path.name))
    params = pd.DataFrame({"parameter": ["data_path", "years", "lang", "config", "redact"],
                           "value": [s.data_path.name, _years_text(s), s.lang, s.thresholds.source, str(s.redact)]})
    sep = ": " if s.lang == "en" else "："
    _emit(_html(
        heading_html(p.name, 1)
        + f'<div class="casekit-source" style="border:2px solid #d55e00;padding:8px 12px;margin:8px 0"><strong>'
          f"{html.escape(s.t('word.synthetic') if p.synthetic else s.t('word.data_source'))}</strong>{sep}"
          f"{html.escape(banner)}</div>"
        + f"<p>{html.escape(CITATION[s.lang])}</p>"
        + table_html(params, lang=s.lang)))


def _years_text(s: Session) -> str:
    ys = s.summary.years
    return f"{ys[0]}-{ys[-1]}" if ys else "–"


def data_inventory(s: Session) -> None:
    """Tables supplied, their rows and years."""
    table(inventory_frame(s.summary, s.lang), s.t("sec.tables"), max_rows=40, lang=s.lang)


def validation_notes(s: Session) -> None:
    """Validation warnings, loading notes and computation warnings, or "None."."""
    frame = notes_frame([*s.issues, *s.hospital.notes, *s.notes], s.lang)
    if frame.empty:
        paragraph(s.t("word.none"))
    else:
        table(frame, s.t("sec.validation"), max_rows=60, lang=s.lang)


def execution_statement(s: Session) -> None:
    """The budget-execution table (预算执行情况表) of the last completed year, by account and by department.

    Rates with two decimals, names beside codes, largest |deviation| first, hospital totals per
    direction; every year is in ``tables.xlsx``.
    """
    d = s.diagnosis
    by_account = getattr(d, "execution", pd.DataFrame())
    if by_account.empty:
        paragraph(s.t("word.none"))
        return
    year, rows = execution_frame(by_account, s.lang)
    start = fiscal.start_of(s.hospital)
    parts = [f"<p>{html.escape(s.t('text.execution'))}</p>",
             table_html(rows, s.t("sec.execution_by_account", year=fiscal.year_label(year, start, s.lang)), max_rows=120,
                        lang=s.lang, unit=s.unit)]
    by_dept = getattr(d, "execution_by_department", pd.DataFrame())
    if not by_dept.empty and by_dept["dept_id"].replace("", pd.NA).dropna().nunique() > 1:
        year, rows = execution_frame(by_dept, s.lang)
        parts.append(table_html(rows, s.t("sec.execution_by_department", year=fiscal.year_label(year, start, s.lang)),
                                max_rows=120, lang=s.lang,
                                unit=s.unit))
    _emit(_html("".join(parts)))


def pefa(s: Session) -> None:
    """PEFA budget-credibility scores (PI-1, PI-2.1-2.3, PI-3.1, PI-3.2) with the method cited."""
    scores = getattr(s.diagnosis, "pefa", pd.DataFrame())
    if scores.empty:
        paragraph(s.t("word.none"))
        return
    _emit(_html(f"<p>{html.escape(s.t('text.pefa'))}</p>" + table_html(pefa_frame(scores, s.lang), lang=s.lang)))


def conclusion(s: Session) -> None:
    """What was and was not assessed, and what was found (:meth:`casekit.diagnosis.Diagnosis.conclusion`)."""
    text = s.diagnosis.conclusion(s.lang)
    _emit(_html(f'<div class="casekit-conclusion" style="border:1px solid #999;padding:8px 12px;margin:8px 0">'
                f"{html.escape(text)}</div>"))


def not_assessed(s: Session) -> None:
    """Every finding that could not be assessed, with the data it needs."""
    rows = [{label("word.finding", s.lang): s.t(code), label("word.needs", s.lang): ", ".join(f.missing) or "–"}
            for kind in ("aspects", "problems", "causes") for code, f in s.findings(kind).items()
            if f.status == "not_assessed"]
    if rows:
        table(pd.DataFrame(rows), s.t("sec.not_assessed"), lang=s.lang)
    else:
        paragraph(s.t("word.none"))


def _finding(s: Session, code: str) -> Finding:
    kind = {"A": "aspects", "P": "problems", "C": "causes"}[code[0]]
    return s.findings(kind).get(code) or Finding.not_assessed(code, title_only(code, "en"), title_only(code, "zh"),
                                                              ["a rule for " + code])


def finding_heading(s: Session, code: str) -> None:
    """The heading of finding ``code`` with its verdict: ``"P1 Rigid budget targets — found (severe)"``.

    A notebook's finding section opens with it; the method text, the indicator table and the
    formula follow, then :func:`finding_section`.
    """
    _emit(_html(heading_html(finding_title(_finding(s, code), s.lang), 2)))


def indicator_table(s: Session, frame: pd.DataFrame, max_rows: int = 30) -> None:
    """Show an indicator table a rule reads, with the report's column labels in the session language.

    ``frame`` comes from :meth:`Session.indicator`. Bilingual column pairs keep the session
    language (:func:`casekit.report.blocks.localised_columns`); department names are dropped
    when the session is redacted; an empty table says why it is empty.
    """
    if frame.empty:
        missing = frame.attrs.get("missing")
        paragraph(f"{s.t('status.not_assessed')}: {missing}" if missing else s.t("word.none"))
        return
    shown = localised_columns(_redact_frame(frame, s) if s.redact else frame, s.lang)
    table(shown, s.t("sec.indicator_table"), max_rows=max_rows, lang=s.lang, unit=s.unit)


def finding_section(s: Session, code: str, evidence_rows: int = EVIDENCE_ROWS) -> None:
    """One finding after its heading (:func:`finding_heading`): status card, criteria table, top
    evidence rows, and its figures."""
    from casekit.report.plots import from_session

    f = _finding(s, code)
    parts = [finding_card_html(f, s.lang)]
    if f.criteria:
        parts.append(table_html(criteria_frame(f, s.lang), s.t("sec.criteria"), lang=s.lang))
    if not f.evidence.empty:
        ev = localised_columns(_redact_frame(f.evidence, s) if s.redact else f.evidence, s.lang)
        parts.append(table_html(ev, s.t("sec.evidence"), max_rows=evidence_rows, lang=s.lang, unit=s.unit))
    _emit(_html("".join(parts)))
    for name in from_session.FIGURES_FOR.get(code, ()):
        show_figure(s, name)


def aspects_overview(s: Session) -> None:
    """Table of the five aspects (status, score, summary) and the five-aspect profile figure."""
    frame = _aspect_table(s)
    table(frame, s.t("sec.aspect_scores"), lang=s.lang)
    show_figure(s, "aspect_profile")


def matrix(s: Session) -> None:
    """The cause-problem matrix figure."""
    show_figure(s, "cause_problem_matrix")


def survey(s: Session) -> None:
    """The survey construct figure."""
    show_figure(s, "survey_constructs")


def recommendations(s: Session) -> None:
    """Recommendations the diagnosis derived from the findings present."""
    items = list(getattr(s.diagnosis, "recommendations", []) or [])
    if not items:
        paragraph(s.t("word.no_recommendations"))
        return
    _emit(_html(recommendations_html(items, s.lang)))


def caveats(s: Session) -> None:
    """Caveats that travel with the results (diagnosis notes, survey reliability, synthetic data)."""
    texts = _caveat_texts(s)
    _emit(_html("".join(caveat_html(t) for t in texts) or f"<p>{html.escape(s.t('word.none'))}</p>"))


def method_notes(s: Session) -> None:
    """How the figures were computed, and the thresholds used (with their justification)."""
    _emit(_html(f"<p>{html.escape(METHOD[s.lang])}</p>"))
    table(thresholds_frame(s.thresholds.as_records(), s.lang), s.t("sec.thresholds"), max_rows=120, lang=s.lang)


def citation(s: Session) -> None:
    """How to cite the method, the rules and casekit."""
    from casekit import __version__

    _emit(_html(f"<p>{html.escape(CITATION[s.lang])}</p><p>casekit {html.escape(__version__)}.</p>"))


METHOD = {
    "en": ("Execution rate = actual / budget; deviation rate = (actual - budget) / budget (偏差率, divided by the "
           "budget), computed against the original budget B0 (judges preparation) and the adjusted budget B1 "
           "(judges execution), on the budget-accounting basis (预算会计). Time-progress gap = cumulative actual / "
           "annual budget - t/12 at quarter ends. Flexible-budget variance splits A - B into a volume and a rate "
           "variance. Each problem and cause is a rule over these indicators with the default thresholds below "
           "(each overridable with a YAML file); a rule whose data are missing is reported as not assessed."),
    "zh": ("执行率 = 实际 / 预算；偏差率 = (实际 - 预算) / 预算，分别对年初预算 B0（评价编制）和调整后预算 B1（评价执行）"
           "计算，口径为预算会计。进度差 = 累计执行 / 年度预算 - t/12（季末）。弹性预算差异将 A - B 分解为业务量差异与价格"
           "差异。每个问题与原因都是基于上述指标和下列默认阈值的判定规则（可用 YAML 文件修改）；缺少数据的规则报告为未评估。"),
}


_NAME_COLUMNS = ("name", "dept_name", "department", "department_name")


def _redact_frame(df: pd.DataFrame, s: Session) -> pd.DataFrame:
    """Evidence rows without department-name columns."""
    return df.drop(columns=[c for c in df.columns if str(c) in _NAME_COLUMNS])


def _aspect_table(s: Session) -> pd.DataFrame:
    """A1-A5: title, rating, share met, summary."""
    from casekit.report.plots.from_session import aspect_scores

    found = s.findings("aspects")
    scores = aspect_scores(s)
    rows = []
    for r in scores.itertuples():
        f = found.get(r.code)
        summary = "" if f is None else (f.summary_en if s.lang == "en" else f.summary_zh or f.summary_en)
        rows.append({s.t("word.finding"): s.t(r.code),
                     s.t("word.rating"): s.t("verdict.not_assessed") if f is None else verdict(f, s.lang),
                     s.t("word.score"): "–" if pd.isna(r.score) else f"{r.score:.0%}",
                     s.t("sec.summary"): summary})
    return pd.DataFrame(rows)


def _caveat_texts(s: Session) -> list[str]:
    """Caveats of the diagnosis (its ``notes``), the synthetic-data banner and low survey reliability."""
    texts: list[str] = []
    if s.hospital.profile.synthetic:
        texts.append(f"{s.t('word.synthetic')}{': ' if s.lang == 'en' else '：'}{SYNTHETIC_BANNER[s.lang]}")
    for note in getattr(s.diagnosis, "notes", []) or []:
        if isinstance(note, Issue):
            texts.append(str(note) if s.lang == "en" else issue_note(note, s.lang))
        elif isinstance(note, dict):
            texts.append(str(note.get(f"text_{s.lang}") or note.get("text") or note))
        else:
            texts.append(str(note))
    if not s.summary.is_monthly:
        texts.append({"en": "Actuals are annual only: monthly indicators (time progress, year-end surge) are not "
                            "assessed.", "zh": "执行数仅为年度数据：月度指标（时间进度、年末突击）未评估。"}[s.lang])
    return list(dict.fromkeys(texts))
