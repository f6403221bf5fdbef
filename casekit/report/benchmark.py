"""Cross-hospital benchmark: each hospital's findings and indicators beside its peers'.

The indicators are the criteria of the findings (``P3.share_lines_beyond_warning`` ...), read
from each hospital's ``findings.json``. For each indicator the benchmark gives every
hospital's value and its peer percentile (the share of hospitals in the batch with a lower
value, ties counted half), and the distribution over the batch (10th to 90th percentile).
Failed hospitals are listed with their error. Percentiles among a handful of hospitals are
coarse; the report says how many hospitals each one rests on.
"""
from __future__ import annotations

import html as html_lib
import json
import os
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from casekit.fs.atomic import write_text
from casekit.report.excel import escape_cell

CODES = ("P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3", "C4", "C5")


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def tidy(results: Iterable[Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn batch outcomes into three tidy tables.

    Parameters
    ----------
    results : iterable of casekit.pipeline.batch.HospitalRun
        Each with ``name``, ``ok``, ``error``, ``findings_json``.

    Returns
    -------
    hospitals : pandas.DataFrame
        ``hospital`` (batch name), ``display_name`` (from the data), ``synthetic``, ``ok``, ``error``.
    findings : pandas.DataFrame
        ``hospital``, ``code``, ``status``, ``severity``, ``grade`` (one row per finding P1-P5, C1-C5).
    indicators : pandas.DataFrame
        ``hospital``, ``indicator`` (``CODE.criterion``), ``value``, ``percentile`` (0-100 among
        the hospitals with a value), ``n`` (how many hospitals have a value).
    """
    hosp, finds, inds = [], [], []
    for r in results:
        row = {"hospital": r.name, "display_name": r.name, "synthetic": None, "ok": bool(r.ok), "error": r.error}
        if r.ok and r.findings_json and Path(r.findings_json).is_file():
            data = json.loads(Path(r.findings_json).read_text(encoding="utf-8"))
            row["display_name"] = data.get("hospital", {}).get("name", r.name)
            row["synthetic"] = data.get("hospital", {}).get("synthetic")
            for f in list(data.get("problems", [])) + list(data.get("causes", [])):
                finds.append({"hospital": r.name, "code": f.get("code"), "status": f.get("status"),
                              "severity": _number(f.get("severity")), "grade": f.get("grade")})
                for c in f.get("criteria", []):
                    inds.append({"hospital": r.name, "indicator": f"{f.get('code')}.{c.get('name')}",
                                 "value": _number(c.get("value"))})
        hosp.append(row)
    hospitals = pd.DataFrame(hosp, columns=["hospital", "display_name", "synthetic", "ok", "error"])
    findings = pd.DataFrame(finds, columns=["hospital", "code", "status", "severity", "grade"])
    indicators = pd.DataFrame(inds, columns=["hospital", "indicator", "value"])
    indicators["value"] = indicators["value"].astype(float)
    grouped = indicators.groupby("indicator")["value"]
    indicators["percentile"] = (grouped.rank(method="average", pct=False) - 0.5) / grouped.transform("count") * 100
    indicators["n"] = grouped.transform("count").astype("Int64")
    return hospitals, findings, indicators


def distribution(indicators: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: ``n``, ``p10``, ``p25``, ``p50``, ``p75``, ``p90`` over the hospitals with a value."""
    qs = {"p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p90": 0.90}
    rows = []
    for name, s in indicators.dropna(subset=["value"]).groupby("indicator")["value"]:
        rows.append({"indicator": name, "n": int(s.size), **{k: float(s.quantile(q)) for k, q in qs.items()}})
    return pd.DataFrame(rows, columns=["indicator", "n", *qs])


def wide(hospitals: pd.DataFrame, findings: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per hospital: status and severity of each finding, each indicator and its percentile."""
    out = hospitals.set_index("hospital")[["display_name", "ok", "error"]].copy()
    if not findings.empty:
        st = findings.pivot_table(index="hospital", columns="code", values="status", aggfunc="first")
        sv = findings.pivot_table(index="hospital", columns="code", values="severity", aggfunc="first")
        for code in [c for c in CODES if c in st.columns]:
            out[f"{code}_status"] = st[code]
            out[f"{code}_severity"] = sv[code] if code in sv.columns else None
    if not indicators.empty:
        val = indicators.pivot_table(index="hospital", columns="indicator", values="value", aggfunc="first",
                                     dropna=False)
        pct = indicators.pivot_table(index="hospital", columns="indicator", values="percentile", aggfunc="first",
                                     dropna=False)
        for name in sorted(val.columns):
            out[name] = val[name]
            out[f"{name}_pctile"] = pct[name] if name in pct.columns else None
    return out.reset_index()


def _csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(escape_cell, na_action="ignore")
    return out


_TEXT = {
    "en": {"title": "casekit benchmark", "findings": "Findings by hospital", "indicators": "Indicators and peer percentiles",
           "dist": "Distribution over the batch", "failed": "Hospitals that failed", "none": "none",
           "note": ("Percentile = share of hospitals in this batch with a lower value (ties count half), among the n "
                    "hospitals where the indicator could be computed. With few hospitals, percentiles are coarse.")},
    "zh": {"title": "casekit 横向对标", "findings": "各医院诊断结论", "indicators": "指标及同行百分位",
           "dist": "批次分布", "failed": "运行失败的医院", "none": "无",
           "note": "百分位 = 本批次中指标值更低的医院所占比例（并列计一半），仅在可计算该指标的 n 家医院中比较。医院较少时百分位较粗。"},
}


def render(hospitals: pd.DataFrame, findings: pd.DataFrame, indicators: pd.DataFrame, lang: str = "en") -> str:
    """The benchmark as a self-contained HTML page (casekit stylesheet, no scripts, no network)."""
    from casekit.report.html import CSS_FILE

    t = _TEXT.get(lang, _TEXT["en"])
    parts = [f"<h1>{html_lib.escape(t['title'])}</h1>", f"<p>{len(hospitals)} hospital(s); "
             f"{int(hospitals['ok'].sum())} ok, {int((~hospitals['ok']).sum())} failed.</p>"]
    if hospitals["synthetic"].fillna(False).astype(bool).any():
        parts.append('<div class="casekit-banner">Some hospitals use synthetic data generated by casekit.</div>')
    parts.append(f"<h2>{html_lib.escape(t['findings'])}</h2>")
    if findings.empty:
        parts.append(f"<p>{t['none']}</p>")
    else:
        cell = findings.assign(cell=findings["status"].str.replace("_", " ") + findings["severity"].map(
            lambda v: "" if pd.isna(v) else f" ({v:.0f})"))
        grid = cell.pivot_table(index="hospital", columns="code", values="cell", aggfunc="first")
        grid = grid[[c for c in CODES if c in grid.columns]]
        parts.append(grid.to_html(classes="dataframe", na_rep="", escape=True))
    parts.append(f"<h2>{html_lib.escape(t['indicators'])}</h2><p>{html_lib.escape(t['note'])}</p>")
    if not indicators.empty:
        shown = indicators.assign(value=indicators["value"].map(lambda v: "" if pd.isna(v) else f"{v:.4g}"),
                                  percentile=indicators["percentile"].map(lambda v: "" if pd.isna(v) else f"{v:.0f}"))
        table = shown.pivot_table(index="indicator", columns="hospital", values=["value", "percentile"],
                                  aggfunc="first")
        parts.append(table.to_html(classes="dataframe", na_rep="", escape=True))
        parts.append(f"<h2>{html_lib.escape(t['dist'])}</h2>")
        parts.append(distribution(indicators).to_html(classes="dataframe", index=False, float_format="{:.4g}".format,
                                                      escape=True))
    failed = hospitals[~hospitals["ok"]]
    parts.append(f'<h2 id="failed">{html_lib.escape(t["failed"])}</h2>')
    if failed.empty:
        parts.append(f"<p>{t['none']}</p>")
    else:
        parts.append("<ul>" + "".join(f"<li><b>{html_lib.escape(r.hospital)}</b>: <pre>{html_lib.escape(r.error)}</pre></li>"
                                      for r in failed.itertuples()) + "</ul>")
    css = CSS_FILE.read_text(encoding="utf-8")
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{html_lib.escape(t['title'])}</title><style>{css}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")


def write_benchmark(results: Iterable[Any], out_dir: str | os.PathLike, lang: str = "en") -> tuple[Path, Path]:
    """Write ``benchmark.html`` and ``benchmark.csv`` into ``out_dir`` atomically.

    Parameters
    ----------
    results : iterable of casekit.pipeline.batch.HospitalRun
    out_dir : path-like
    lang : {"en", "zh"}

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The HTML and the CSV. The CSV has one row per hospital: ``hospital``, ``display_name``,
        ``ok``, ``error``, ``<code>_status``, ``<code>_severity`` for P1-P5 and C1-C5, and for each
        indicator its value and ``<indicator>_pctile``; text cells are escaped against formula
        injection.
    """
    out = Path(out_dir)
    hospitals, findings, indicators = tidy(list(results))
    csv_path = write_text(out / "benchmark.csv",
                          _csv_safe(wide(hospitals, findings, indicators)).to_csv(index=False),
                          encoding="utf-8-sig")  # the BOM lets Excel read Chinese names
    html_path = write_text(out / "benchmark.html", render(hospitals, findings, indicators, lang))
    return html_path, csv_path
