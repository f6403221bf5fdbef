"""Cross-hospital benchmark: each hospital's findings and indicators beside its peers'.

The indicators are the criteria of the findings (``P3.share_lines_beyond_warning`` ...), read
from the batch panel (:mod:`casekit.report.panel`, built from each hospital's
``findings.json``). For each indicator the benchmark gives every hospital's value and its
peer percentile (the share of hospitals in the batch with a lower value, ties counted half),
and the distribution over the batch (10th to 90th percentile).
Failed hospitals are listed with their error. Percentiles among a handful of hospitals are
coarse; the report says how many hospitals each one rests on.

A hospital is counted once: a run whose data name the same hospital and years as an earlier
run of the batch (the sample's Chinese workbook is the J hospital again) is listed with the
hospital it repeats and left out of the findings, the percentiles and the distribution.
The page is written in the report language: finding titles, indicator labels (the criteria's
``label_en``/``label_zh``), statuses and formatted values (rates as percentages).
"""
from __future__ import annotations

import html as html_lib
import os
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from casekit.fs.atomic import write_text
from casekit.labels import check_lang, label
from casekit.report.excel import escape_cell

CODES = ("P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3", "C4", "C5")


def tidy(results: Iterable[Any], panel: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn batch outcomes and their panel into three tidy tables.

    Parameters
    ----------
    results : iterable of casekit.pipeline.batch.HospitalRun
        Each with ``name``, ``ok``, ``error``, ``findings_json``.
    panel : pandas.DataFrame, optional
        The batch panel (:func:`casekit.report.panel.build_panel`); built from the results'
        ``findings.json`` files when not given.

    Returns
    -------
    hospitals : pandas.DataFrame
        ``hospital`` (batch name), ``display_name`` (from the data), ``years`` (text), ``synthetic``,
        ``ok``, ``error``, ``same_as`` (batch name of the earlier run of the same hospital and
        years, else missing; such a run is not counted again in ``findings`` and ``indicators``).
    findings : pandas.DataFrame
        ``hospital``, ``code``, ``status``, ``severity``, ``grade``, ``evidence_strength``,
        ``robustness`` (one row per finding P1-P5, C1-C5).
    indicators : pandas.DataFrame
        ``hospital``, ``indicator`` (``CODE.criterion``), ``value``, ``percentile`` (0-100 among
        the hospitals with a value), ``n`` (how many hospitals have a value), ``label_en``,
        ``label_zh`` (the criterion's labels), ``threshold``, ``op``.
    """
    from casekit.report.panel import build_panel

    results = list(results)
    panel = build_panel(results) if panel is None else panel
    first = panel.drop_duplicates("hospital").set_index("hospital")
    hosp, counted = [], []
    seen: dict[tuple[str, str], str] = {}
    for r in results:
        row = {"hospital": r.name, "display_name": r.name, "years": "", "synthetic": None, "ok": bool(r.ok),
               "error": r.error, "same_as": None}
        if r.ok and r.name in first.index:
            info = first.loc[r.name]
            row["display_name"] = info["hospital_name"]
            row["years"] = "" if pd.isna(info["first_year"]) else f"{info['first_year']}-{info['last_year']}"
            row["synthetic"] = None if pd.isna(info["synthetic"]) else bool(info["synthetic"])
            identity = (str(row["display_name"]).strip().casefold(), row["years"])
            row["same_as"] = seen.get(identity)
            seen.setdefault(identity, r.name)
            if row["same_as"] is None:
                counted.append(r.name)
        hosp.append(row)
    hospitals = pd.DataFrame(hosp, columns=["hospital", "display_name", "years", "synthetic", "ok", "error",
                                            "same_as"])
    judged = panel[panel["hospital"].isin(counted) & panel["kind"].isin(["problem", "cause"])]
    rows = judged[judged["row_type"] == "finding"]
    findings = pd.DataFrame({"hospital": rows["hospital"].astype(object), "code": rows["code"].astype(object),
                             "status": rows["status"].astype(object), "severity": rows["severity"].astype(float),
                             "grade": rows["grade"].astype(object).where(rows["grade"].notna(), None),
                             **{k: (rows[k].astype(object).where(rows[k].notna(), None) if k in rows.columns
                                    else None) for k in ("evidence_strength", "robustness")}}
                            ).reset_index(drop=True)
    crit = judged[(judged["row_type"] == "indicator") & judged["year"].isna()]     # all-years values only
    indicators = pd.DataFrame({"hospital": crit["hospital"].astype(object),
                               "indicator": (crit["code"] + "." + crit["indicator"]).astype(object),
                               "value": crit["value"].astype(float),
                               "label_en": crit["label_en"].fillna("").astype(object),
                               "label_zh": crit["label_zh"].fillna("").astype(object),
                               "threshold": crit["threshold"].astype(float),
                               "op": crit["op"].fillna("").astype(object)}).reset_index(drop=True)
    grouped = indicators.groupby("indicator")["value"]
    indicators["percentile"] = (grouped.rank(method="average", pct=False) - 0.5) / grouped.transform("count") * 100
    indicators["n"] = grouped.transform("count").astype("Int64")
    return hospitals, findings, indicators


def pefa_table(hospitals: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """PEFA budget-credibility scores of the hospitals compared: one row per hospital and indicator.

    Parameters
    ----------
    hospitals : pandas.DataFrame
        From :func:`tidy` (runs repeating an earlier one are left out).
    panel : pandas.DataFrame
        The batch panel (its ``row_type="pefa"`` rows).

    Returns
    -------
    pandas.DataFrame
        ``hospital``, ``indicator`` ("PI-1" ...), ``score`` (A-D or None), ``values`` (yearly
        values), ``years``, ``title_en``, ``title_zh``.
    """
    counted = set(hospitals.loc[hospitals["ok"] & hospitals["same_as"].isna(), "hospital"])
    rows = panel[(panel["row_type"] == "pefa") & panel["hospital"].isin(counted)]
    return pd.DataFrame({"hospital": rows["hospital"].astype(object), "indicator": rows["code"].astype(object),
                         "score": rows["grade"].astype(object).where(rows["grade"].notna(), None),
                         "values": rows["value_text"].astype(object), "years": rows["threshold_text"].astype(object),
                         "title_en": rows["label_en"].astype(object), "title_zh": rows["label_zh"].astype(object)}
                        ).reset_index(drop=True)


def distribution(indicators: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: ``n``, ``p10``, ``p25``, ``p50``, ``p75``, ``p90`` over the hospitals with a value."""
    qs = {"p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p90": 0.90}
    rows = []
    for name, s in indicators.dropna(subset=["value"]).groupby("indicator")["value"]:
        rows.append({"indicator": name, "n": int(s.size), **{k: float(s.quantile(q)) for k, q in qs.items()}})
    return pd.DataFrame(rows, columns=["indicator", "n", *qs])


def wide(hospitals: pd.DataFrame, findings: pd.DataFrame, indicators: pd.DataFrame,
         pefa: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per hospital: status, severity, evidence strength and robustness of each finding, its
    PEFA scores (``PI-1_score`` ...), each indicator and its percentile."""
    out = hospitals.set_index("hospital")[["display_name", "years", "ok", "error", "same_as"]].copy()
    cols: dict[str, Any] = {}  # gathered, then joined at once (hundreds of indicator columns)
    if not findings.empty:
        st = findings.pivot_table(index="hospital", columns="code", values="status", aggfunc="first")
        sv = findings.pivot_table(index="hospital", columns="code", values="severity", aggfunc="first")
        for code in [c for c in CODES if c in st.columns]:
            cols[f"{code}_status"] = st[code]
            cols[f"{code}_severity"] = sv[code] if code in sv.columns else None
            for extra in ("evidence_strength", "robustness"):
                if findings[extra].notna().any():
                    ex = findings.pivot_table(index="hospital", columns="code", values=extra, aggfunc="first")
                    cols[f"{code}_{extra}"] = ex[code] if code in ex.columns else None
    if pefa is not None and not pefa.empty:
        sc = pefa.assign(score=pefa["score"].fillna("")).pivot_table(index="hospital", columns="indicator",
                                                                     values="score", aggfunc="first")
        for ind in sc.columns:
            cols[f"{ind}_score"] = sc[ind].replace("", None)
    if not indicators.empty:
        val = indicators.pivot_table(index="hospital", columns="indicator", values="value", aggfunc="first",
                                     dropna=False)
        pct = indicators.pivot_table(index="hospital", columns="indicator", values="percentile", aggfunc="first",
                                     dropna=False)
        for name in sorted(val.columns):
            cols[name] = val[name]
            cols[f"{name}_pctile"] = pct[name] if name in pct.columns else None
    extra = pd.DataFrame({k: (v.reindex(out.index) if isinstance(v, pd.Series) else v) for k, v in cols.items()},
                         index=out.index)
    return pd.concat([out, extra], axis=1).reset_index()


def _csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(escape_cell, na_action="ignore")
    return out


_TEXT = {
    "en": {"title": "Cross-hospital benchmark",
           "intro": "{n} run(s) in this batch: {ok} succeeded, {failed} failed; {peers} distinct hospital(s) are compared.",
           "hospitals": "Hospitals in the batch", "findings": "Findings by hospital",
           "indicators": "Indicators and peer percentiles", "dist": "Distribution over the batch",
           "failed": "Hospitals that failed", "none": "None.",
           "synthetic": "Some hospitals use synthetic data generated by casekit; they describe no real hospital.",
           "note": ("Each cell shows the hospital's value and, in brackets, its percentile: the share of hospitals in "
                    "this batch with a lower value (ties count half), among the n hospitals where the indicator "
                    "could be computed. With few hospitals, percentiles are coarse."),
           "dist_note": "Percentiles of each indicator over the hospitals that have it.",
           "same_as": "same hospital and years as {other}: not counted again", "counted": "compared",
           "run": "Run", "name": "Hospital", "years": "Years", "data": "Data", "peer": "In the comparison",
           "indicator": "Indicator", "threshold": "Threshold", "n": "Hospitals", "error": "Error",
           "synthetic_word": "synthetic", "supplied": "supplied",
           "weak": "[weak evidence]", "fragile": "[fragile]",
           "marks": ("[weak evidence]: decided on fewer computable criteria than the rule needs; [fragile]: the status "
                     "changes when the thresholds move by 10% or 20%."),
           "pefa": "PEFA budget credibility (international scale)",
           "pefa_note": ("PEFA 2016 framework, pillar I: actuals against the original budget B0 over the last three "
                         "completed years, scores A (best) to D; – = not scorable from these data. Method: "
                         "docs/methodology.md.")},
    "zh": {"title": "跨医院横向对标",
           "intro": "本批次共运行{n}家：成功{ok}家，失败{failed}家；参与比较的不同医院{peers}家。",
           "hospitals": "本批次的医院", "findings": "各医院诊断结论",
           "indicators": "指标及同行百分位", "dist": "批次分布",
           "failed": "运行失败的医院", "none": "无。",
           "synthetic": "部分医院使用 casekit 生成的模拟数据，不代表任何真实医院。",
           "note": ("单元格为该院指标值，括号内为百分位：本批次中指标值更低的医院所占比例（并列计一半），"
                    "仅在可计算该指标的 n 家医院中比较。医院较少时百分位较粗。"),
           "dist_note": "各指标在拥有该指标的医院中的分位数。",
           "same_as": "与{other}为同一医院、同一年度：不重复计入", "counted": "参与比较",
           "run": "运行", "name": "医院", "years": "年度", "data": "数据", "peer": "是否参与比较",
           "indicator": "指标", "threshold": "阈值", "n": "医院数", "error": "错误",
           "synthetic_word": "模拟数据", "supplied": "医院提供",
           "weak": "【证据不足】", "fragile": "【结论脆弱】",
           "marks": "【证据不足】：可计算的判据少于规则要求；【结论脆弱】：阈值变动10%或20%时结论改变。",
           "pefa": "PEFA预算可信度（国际标准）",
           "pefa_note": "PEFA 2016框架第一支柱：近三个完整年度执行数对年初预算B0，评分A（最好）至D；–表示现有数据无法评分。方法见docs/methodology.md。"},
}


_OPS = {">=": "≥", "<=": "≤", "==": "=", "!=": "≠"}


def _table(df: pd.DataFrame, numeric: Iterable[str] = ()) -> str:
    """A small HTML table with header scopes; ``numeric`` columns right-aligned."""
    numeric = set(numeric)
    head = "".join(f'<th scope="col" class="{"num" if c in numeric else "text"}">{html_lib.escape(str(c))}</th>'
                   for c in df.columns)
    body = "".join("<tr>" + "".join(f'<td class="{"num" if c in numeric else "text"}">{html_lib.escape(str(v))}</td>'
                                    for c, v in zip(df.columns, row)) + "</tr>"
                   for row in df.itertuples(index=False))
    return f'<table class="dataframe casekit-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render(hospitals: pd.DataFrame, findings: pd.DataFrame, indicators: pd.DataFrame, lang: str = "en",
           pefa: pd.DataFrame | None = None) -> str:
    """The benchmark as a self-contained HTML page (casekit stylesheet, embedded CJK font, no scripts).

    Parameters
    ----------
    hospitals, findings, indicators : pandas.DataFrame
        From :func:`tidy`.
    lang : {"en", "zh"}
    pefa : pandas.DataFrame, optional
        From :func:`pefa_table`: a grid of PEFA scores follows the findings.

    Returns
    -------
    str
    """
    from casekit.report.html import CSS_FILE, embed_fonts
    from casekit.report.blocks import format_value

    t = _TEXT[check_lang(lang)]
    counted = hospitals[hospitals["ok"] & hospitals["same_as"].isna()]
    names = dict(zip(hospitals["hospital"], hospitals["display_name"]))
    intro = t["intro"].format(n=len(hospitals), ok=int(hospitals["ok"].sum()), failed=int((~hospitals["ok"]).sum()),
                              peers=len(counted))
    parts = [f"<h1>{html_lib.escape(t['title'])}</h1>", f"<p>{html_lib.escape(intro)}</p>"]
    if hospitals["synthetic"].fillna(False).astype(bool).any():
        parts.append(f'<div class="casekit-banner">{html_lib.escape(t["synthetic"])}</div>')

    parts.append(f"<h2>{html_lib.escape(t['hospitals'])}</h2>")
    rows = []
    for r in hospitals.itertuples():
        peer = (t["same_as"].format(other=r.same_as) if isinstance(r.same_as, str)
                else t["counted"] if r.ok else label("value.no", lang))
        known = r.synthetic is not None and not pd.isna(r.synthetic)
        data = (t["synthetic_word"] if r.synthetic else t["supplied"]) if known else ""
        rows.append({t["run"]: r.hospital, t["name"]: r.display_name, t["years"]: r.years, t["data"]: data,
                     t["peer"]: peer})
    parts.append(_table(pd.DataFrame(rows)))

    parts.append(f"<h2>{html_lib.escape(t['findings'])}</h2>")
    if findings.empty:
        parts.append(f"<p>{t['none']}</p>")
    else:
        codes = [c for c in CODES if c in set(findings["code"])]
        grid = []
        for hosp, group in findings.groupby("hospital", sort=False):
            by = group.set_index("code")
            row = {t["name"]: names.get(hosp, hosp)}
            for code in codes:
                if code not in by.index:
                    row[code] = ""
                    continue
                status, sev = by.at[code, "status"], by.at[code, "severity"]
                word = label(f"status.{status}", lang) if status else ""
                row[code] = word + ("" if pd.isna(sev) or status != "present" else f" ({sev:.0f})")
                if by.at[code, "evidence_strength"] == "weak":
                    row[code] += " " + t["weak"]
                if by.at[code, "robustness"] == "fragile":
                    row[code] += " " + t["fragile"]
            grid.append(row)
        parts.append(_table(pd.DataFrame(grid)))
        legend = "; ".join(label(c, lang) for c in codes)
        parts.append(f'<p class="casekit-caption">{html_lib.escape(legend)}. {html_lib.escape(t["marks"])}</p>')
    if pefa is not None and not pefa.empty:
        parts.append(f"<h2>{html_lib.escape(t['pefa'])}</h2><p>{html_lib.escape(t['pefa_note'])}</p>")
        inds = list(dict.fromkeys(pefa["indicator"]))
        grid = []
        for hosp, group in pefa.groupby("hospital", sort=False):
            by = group.set_index("indicator")
            grid.append({t["name"]: names.get(hosp, hosp), t["years"]: by["years"].iloc[0],
                         **{ind: (by.at[ind, "score"] or "–") if ind in by.index else "" for ind in inds}})
        parts.append(_table(pd.DataFrame(grid)))
        first = pefa.drop_duplicates("indicator")
        legend = "; ".join(f"{r.indicator} {r.title_zh if lang == 'zh' else r.title_en}" for r in first.itertuples())
        parts.append(f'<p class="casekit-caption">{html_lib.escape(legend)}</p>')

    parts.append(f"<h2>{html_lib.escape(t['indicators'])}</h2><p>{html_lib.escape(t['note'])}</p>")
    if not indicators.empty:
        shown = indicators.dropna(subset=["value"])
        order = list(dict.fromkeys(shown["indicator"]))
        hosp_order = [h for h in counted["hospital"] if h in set(shown["hospital"])]
        rows, texts = [], {}
        for ind in order:
            sub = shown[shown["indicator"] == ind].set_index("hospital")
            first = sub.iloc[0]
            crit = ind.split(".", 1)[1]
            text = (first["label_zh"] if lang == "zh" else first["label_en"]) or first["label_en"] or crit
            texts[ind] = f"{ind.split('.')[0]} {text}"
            row = {t["indicator"]: texts[ind],
                   t["threshold"]: "" if pd.isna(first["threshold"]) else
                   f"{_OPS.get(first['op'], first['op'])} {format_value(first['threshold'], crit, lang)}".strip()}
            for h in hosp_order:
                row[names.get(h, h)] = ("" if h not in sub.index else
                                        f"{format_value(sub.at[h, 'value'], crit, lang)} ({sub.at[h, 'percentile']:.0f})")
            rows.append(row)
        table = pd.DataFrame(rows)
        parts.append(_table(table, numeric=[c for c in table.columns if c != t["indicator"]]))
        parts.append(f"<h2>{html_lib.escape(t['dist'])}</h2><p>{html_lib.escape(t['dist_note'])}</p>")
        dist_rows = []
        for r in distribution(shown).itertuples():
            crit = r.indicator.split(".", 1)[1]
            dist_rows.append({t["indicator"]: texts[r.indicator], t["n"]: r.n,
                              **{k.upper(): format_value(getattr(r, k), crit, lang)
                                 for k in ("p10", "p25", "p50", "p75", "p90")}})
        dist_table = pd.DataFrame(dist_rows)
        parts.append(_table(dist_table, numeric=[c for c in dist_table.columns if c != t["indicator"]]))
    failed = hospitals[~hospitals["ok"]]
    parts.append(f'<h2 id="failed">{html_lib.escape(t["failed"])}</h2>')
    if failed.empty:
        parts.append(f"<p>{t['none']}</p>")
    else:
        parts.append("<ul>" + "".join(f"<li><b>{html_lib.escape(r.hospital)}</b>: "
                                      f"<pre>{html_lib.escape(str(r.error))}</pre></li>"
                                      for r in failed.itertuples()) + "</ul>")
    css = CSS_FILE.read_text(encoding="utf-8")
    page = (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{html_lib.escape(t['title'])}</title><style>{css}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")
    return embed_fonts(page, script=False)[0]


def write_benchmark(results: Iterable[Any], out_dir: str | os.PathLike, lang: str = "en",
                    panel: pd.DataFrame | None = None) -> tuple[Path, Path]:
    """Write ``benchmark.html`` and ``benchmark.csv`` into ``out_dir`` atomically.

    Parameters
    ----------
    results : iterable of casekit.pipeline.batch.HospitalRun
    out_dir : path-like
    lang : {"en", "zh"}
    panel : pandas.DataFrame, optional
        The batch panel the page is built from (see :func:`tidy`).

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The HTML and the CSV. The CSV has one row per run: ``hospital``, ``display_name``,
        ``years``, ``ok``, ``error``, ``same_as`` (the run it repeats, whose values it would copy), ``<code>_status``,
        ``<code>_severity``, ``<code>_evidence_strength``, ``<code>_robustness`` for P1-P5 and C1-C5,
        ``PI-1_score`` ... for the PEFA indicators, and for each
        indicator its value and ``<indicator>_pctile``; text cells are escaped against formula
        injection.
    """
    from casekit.report.panel import build_panel

    out = Path(out_dir)
    results = list(results)
    panel = build_panel(results) if panel is None else panel
    hospitals, findings, indicators = tidy(results, panel)
    pefa = pefa_table(hospitals, panel)
    csv_path = write_text(out / "benchmark.csv",
                          _csv_safe(wide(hospitals, findings, indicators, pefa)).to_csv(index=False),
                          encoding="utf-8-sig")  # the BOM lets Excel read Chinese names
    html_path = write_text(out / "benchmark.html", render(hospitals, findings, indicators, lang, pefa))
    return html_path, csv_path
