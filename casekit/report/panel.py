"""The batch panel: every hospital's findings and indicators in one long, tidy table.

One row per finding (aspects A1-A5, problems P1-P5, causes C1-C5) and one row per criterion
of a finding (the indicator value, its threshold and whether it tripped), for every hospital
of a batch, with the hospital's profile columns (tier, beds, region) so the panel joins with
other data in pandas, R or Stata. Built from each hospital's ``findings.json``
(:meth:`casekit.diagnosis.diagnosis.Diagnosis.to_dict`), so a findings-only batch and a
full-report batch give the same panel. Column meanings: ``docs/panel.md``.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from casekit.data.hospital import DEFAULT_COUNTRY
from casekit.money import money_of
from casekit.fs.atomic import write_bytes, write_text

PANEL_COLUMNS = {
    "hospital": "str", "hospital_name": "str", "synthetic": "boolean", "tier": "str", "beds": "Int64",
    "region": "str", "country": "str", "currency": "str", "currency_unit": "str", "first_year": "Int64", "last_year": "Int64", "year": "Int64", "row_type": "str",
    "kind": "str", "code": "str", "indicator": "str", "status": "str", "severity": "float64", "grade": "str",
    "rating": "str", "value": "float64", "value_text": "str", "threshold": "float64", "threshold_text": "str",
    "op": "str", "triggered": "boolean", "config_key": "str", "basis": "str", "label_en": "str",
    "label_zh": "str",
}
"""Panel columns and their dtypes, in order (documented in ``docs/panel.md``); further scalar
fields that a finding carries (such as an evidence strength or PEFA-style scores) are appended
as extra columns after these."""

KINDS = {"A": "aspect", "P": "problem", "C": "cause"}
_FINDING_KEYS = {"code", "title_en", "title_zh", "status", "severity", "grade", "summary_en", "summary_zh",
                 "missing", "criteria", "evidence", "rating", "share_met", "n_requirements"}


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _text(v: Any) -> str | None:
    """The value as text when it is not a number (``None`` for numbers and blanks)."""
    if v is None or (_number(v) is not None):
        return None
    return str(v)


def panel_rows(data: Mapping[str, Any], hospital: str) -> pd.DataFrame:
    """The panel rows of one hospital.

    Parameters
    ----------
    data : mapping
        The hospital's ``findings.json`` content (:meth:`Diagnosis.to_dict`).
    hospital : str
        The hospital's name in the batch (its folder or workbook name).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PANEL_COLUMNS` (plus any extra scalar finding fields); one
        ``row_type="finding"`` row per finding, one ``row_type="indicator"`` row per criterion
        (``year`` blank: over all years) followed by one per year of a criterion that has
        yearly values (``by_year`` in ``findings.json``; ``year`` filled, ``triggered``
        blank), and one ``row_type="pefa"`` row per PEFA indicator (``code`` "PI-1" ...,
        ``grade`` the A-D score, ``value_text`` the yearly values, ``threshold_text`` the years
        scored).

    Examples
    --------
    >>> data = {"hospital": {"name": "H", "years": [2023], "profile": {"tier": "secondary"}},
    ...         "problems": [{"code": "P1", "status": "absent", "severity": 10.0,
    ...                       "criteria": [{"name": "x", "value": 0.2, "threshold": 0.5, "op": ">",
    ...                                     "triggered": False, "by_year": {"2023": 0.2}}]}]}
    >>> panel_rows(data, "h")[["row_type", "year", "indicator", "status", "value"]].values.tolist()
    [['finding', <NA>, nan, 'absent', nan], ['indicator', <NA>, 'x', 'absent', 0.2], ['indicator', 2023, 'x', 'absent', 0.2]]
    """
    info = data.get("hospital", {}) or {}
    profile = info.get("profile", {}) or {}
    years = [int(y) for y in info.get("years", []) or []]
    base = {"hospital": hospital, "hospital_name": info.get("name", hospital), "synthetic": info.get("synthetic"),
            "tier": profile.get("tier"), "beds": profile.get("beds"), "region": profile.get("region"),
            "country": profile.get("country") or DEFAULT_COUNTRY, "currency": money_of(profile)[0],
            "currency_unit": money_of(profile)[1],
            "first_year": min(years) if years else None, "last_year": max(years) if years else None,
            "year": None}
    rows: list[dict[str, Any]] = []
    for section in ("aspects", "problems", "causes"):
        for f in data.get(section, []) or []:
            code = f.get("code")
            finding = {**base, "kind": KINDS.get(str(code)[:1]), "code": code, "status": f.get("status"),
                       "severity": _number(f.get("severity")), "grade": f.get("grade"), "rating": f.get("rating")}
            extra = {k: v for k, v in f.items() if k not in _FINDING_KEYS and (v is None or isinstance(
                v, (str, int, float, bool)))}
            rows.append({**finding, **extra, "row_type": "finding", "indicator": None,
                         "value": _number(f.get("share_met")) if section == "aspects" else None,
                         "value_text": None, "threshold": None, "threshold_text": None, "op": None,
                         "triggered": None, "config_key": None, "basis": None, "label_en": f.get("title_en"),
                         "label_zh": f.get("title_zh")})
            for c in f.get("criteria", []) or []:
                row = {**finding, "row_type": "indicator", "indicator": c.get("name"),
                       "value": _number(c.get("value")), "value_text": _text(c.get("value")),
                       "threshold": _number(c.get("threshold")), "threshold_text": _text(c.get("threshold")),
                       "op": c.get("op"), "triggered": c.get("triggered"), "config_key": c.get("config_key"),
                       "basis": c.get("basis"), "label_en": c.get("label_en"), "label_zh": c.get("label_zh")}
                rows.append(row)
                # the same criterion on each year's rows alone; the rule decides on all years only
                for year, value in sorted((c.get("by_year") or {}).items(), key=lambda kv: int(kv[0])):
                    rows.append({**row, "year": int(year), "value": _number(value), "value_text": _text(value),
                                 "triggered": None})
    for r in data.get("pefa", []) or []:
        rows.append({**base, "row_type": "pefa", "kind": "pefa", "code": r.get("indicator"), "indicator": None,
                     "status": "assessed" if r.get("score") else "not_assessed", "severity": None,
                     "grade": r.get("score"), "rating": None, "value": None, "value_text": r.get("values"),
                     "threshold": None, "threshold_text": r.get("years"), "op": None, "triggered": None,
                     "config_key": None, "basis": "budget accounting (预算会计), against B0",
                     "label_en": r.get("title_en"), "label_zh": r.get("title_zh")})
    return _typed(pd.DataFrame(rows))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    extra = [c for c in df.columns if c not in PANEL_COLUMNS]
    out = pd.DataFrame(index=df.index)
    for name, dtype in PANEL_COLUMNS.items():
        s = df[name] if name in df.columns else pd.Series(None, index=df.index, dtype=object)
        out[name] = s.astype(object).where(s.notna(), None).astype(dtype)
    for name in extra:
        s = df[name]
        kind = pd.api.types.infer_dtype(s.dropna(), skipna=True)
        if kind in ("floating", "integer", "mixed-integer-float"):
            out[name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif kind == "boolean":
            out[name] = s.astype("boolean")
        else:
            out[name] = s.astype(object).where(s.notna(), None).astype("str")
    return out


def build_panel(results: Iterable[Any]) -> pd.DataFrame:
    """The panel of a batch, from each successful hospital's ``findings.json``.

    Parameters
    ----------
    results : iterable of casekit.pipeline.batch.HospitalRun
        Each with ``name``, ``ok`` and ``findings_json``.

    Returns
    -------
    pandas.DataFrame
        :func:`panel_rows` of every successful hospital, in batch order.
    """
    frames = []
    for r in results:
        if r.ok and r.findings_json and Path(r.findings_json).is_file():
            data = json.loads(Path(r.findings_json).read_text(encoding="utf-8"))
            frames.append(panel_rows(data, r.name))
    if not frames:
        return _typed(pd.DataFrame(columns=list(PANEL_COLUMNS)))
    return _typed(pd.concat(frames, ignore_index=True))


def write_panel(panel: pd.DataFrame, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``panel.parquet`` and ``panel.csv`` into ``out_dir`` atomically.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`build_panel`.
    out_dir : path-like

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The Parquet file (typed columns) and the CSV (UTF-8 with BOM so Excel reads Chinese
        names; text cells escaped against formula injection).
    """
    import io

    from casekit.report.excel import escape_cell

    out = Path(out_dir)
    buf = io.BytesIO()
    panel.to_parquet(buf, index=False)
    parquet = write_bytes(out / "panel.parquet", buf.getvalue())
    safe = panel.copy()
    for col in safe.columns:
        if pd.api.types.is_string_dtype(safe[col].dtype):
            safe[col] = safe[col].map(escape_cell, na_action="ignore")
    csv = write_text(out / "panel.csv", safe.to_csv(index=False), encoding="utf-8-sig")
    return parquet, csv
