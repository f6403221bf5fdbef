"""Write a hospital as a data folder (CSV / Parquet) or one Excel workbook, deterministically.

Same hospital -> byte-identical files: rows are sorted by the table key, money is rounded to two
decimals and every number is written in fixed point without trailing zeros (``95100``,
``121056.65``), identifiers as text, dates as
ISO ``YYYY-MM-DD``, booleans as yes/no (是/否 in Chinese). Every file is written to a temporary
file beside its target and moved into place with ``os.replace``, so a reader never sees half
a file. Excel workbooks get fixed zip timestamps and document dates.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from casekit.errors import ConfigError, OutputError
from casekit.data.hospital import Hospital
from casekit.data.schema.tables import PROFILE_FIELDS, TABLES, VALUE_ALIASES
from casekit.labels import LANGS

FORMATS = ("csv", "xlsx", "parquet")
PROFILE_SHEET = {"en": "profile", "zh": "医院概况"}
_PROFILE_HEADER = {"en": ("key", "value"), "zh": ("项目", "值")}
_BOOL_TEXT = {"en": ("yes", "no"), "zh": ("是", "否")}
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = "2020-01-01T00:00:00Z"


def _zh_values() -> dict[str, dict[str, str]]:
    """Canonical enum value -> its first Chinese alias, per column name."""
    out: dict[str, dict[str, str]] = {}
    for column, aliases in VALUE_ALIASES.items():
        inverse: dict[str, str] = {}
        for written, canonical in aliases.items():
            if not written.isascii():
                inverse.setdefault(canonical, written)
        out[column] = inverse
    return out


_ZH_VALUES = _zh_values()


# --------------------------------------------------------------------------- atomic
def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`casekit.fs.atomic.write_bytes`), creating its folder.

    Raises
    ------
    OutputError
        If the folder cannot be created or the file cannot be written.
    """
    from casekit.fs.atomic import write_bytes

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_bytes(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}",
                          "Check that the folder is writable and the disk is not full.") from None


# --------------------------------------------------------------------------- values
def _number_text(x: float, digits: int = 6) -> str:
    """Fixed-point text rounded to ``digits`` decimals, no trailing zeros (``95100``, ``0.02``)."""
    return np.format_float_positional(round(float(x), digits) + 0.0, trim="-")


def _numbers_text(s: pd.Series, digits: int) -> pd.Series:
    """:func:`_number_text` of a whole column at once (the same text; ``""`` where missing).

    Values whose fixed-point text would have more than 15 significant digits, where printf
    rounding and the shortest round-trip text can differ, go through :func:`_number_text`.
    """
    arr = np.nan_to_num(s.to_numpy(dtype="float64"))
    # printf rounds the exact binary value to the nearest decimal, as Python's round() does
    text = pd.Series(np.char.mod(f"%.{digits}f", arr), index=s.index, dtype="str")
    text = text.str.rstrip("0").str.rstrip(".").replace("-0", "0")
    odd = s.notna() & (s.abs() >= 10.0 ** (15 - digits))
    if odd.any():
        text[odd] = [_number_text(v, digits) for v in s[odd]]
    return text.where(s.notna(), "")


def _ordered(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Schema columns in schema order, rows sorted by the key (stable)."""
    spec = TABLES[table]
    cols = [c for c in spec.column_names if c in df.columns]
    keys = list(spec.key) or [c for c in ("date", "dept_id", "account_id") if c in cols]
    return df[cols].sort_values(keys, kind="stable", ignore_index=True) if keys else df[cols].reset_index(drop=True)


def _text_column(s: pd.Series, table: str, column: str, lang: str) -> pd.Series:
    """One column as fixed-format text ("" for missing)."""
    col = TABLES[table].column(column)
    missing = s.isna()
    if col.dtype == "bool":
        yes, no = _BOOL_TEXT[lang]
        out = s.map(lambda v: yes if v else no)
    elif col.dtype == "date":
        out = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
    elif col.dtype == "int":
        out = s.astype("Int64").astype("str")
    elif col.dtype == "float":
        out = _numbers_text(s.astype("float64"), 2 if col.money else 6)
    else:
        out = s.astype("str")
        if lang == "zh" and column in _ZH_VALUES and col.enum:
            out = out.map(lambda v: _ZH_VALUES[column].get(v, v))
    return out.where(~missing, "").astype("str")


def table_text(df: pd.DataFrame, table: str, lang: str = "en") -> pd.DataFrame:
    """A table as text cells with headers in ``lang``, ready for CSV.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical table.
    table : str
        Canonical table name.
    lang : {"en", "zh"}
        Header language (and enum values: Chinese values are the aliases of
        ``casekit.data.schema.tables.VALUE_ALIASES``).

    Returns
    -------
    pandas.DataFrame
        Same rows (sorted by the key), string columns, headers canonical or Chinese.
    """
    ordered = _ordered(df, table)
    out = pd.DataFrame({c: _text_column(ordered[c], table, c, lang) for c in ordered.columns})
    if lang == "zh":
        out.columns = [TABLES[table].column(c).zh for c in out.columns]
    return out


def profile_pairs(h: Hospital, lang: str = "en") -> list[tuple[str, object]]:
    """Profile as (key, value) pairs in ``PROFILE_FIELDS`` order; missing values left out."""
    values = h.profile.as_dict()
    pairs = []
    for key, (_dtype, zh, _required, _desc) in PROFILE_FIELDS.items():
        v = values.get(key)
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if lang == "zh":
            if isinstance(v, bool):
                v = _BOOL_TEXT["zh"][0 if v else 1]
            elif key in _ZH_VALUES:
                v = _ZH_VALUES[key].get(v, v)
        pairs.append((zh if lang == "zh" else key, v))
    return pairs


YAML_HEADER = "# Hospital profile (casekit). SYNTHETIC sample data: not a real hospital. Money in yuan.\n"
"""First line of every sample ``hospital.yaml`` (``casekit sample`` recognises its own folders by it)."""


def _yaml_bytes(h: Hospital) -> bytes:
    data = {}
    for k, v in profile_pairs(h, "en"):
        data[k] = v.item() if isinstance(v, np.generic) else v
    return (YAML_HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)).encode("utf-8")


# --------------------------------------------------------------------------- writers
def _check(fmt: str, lang: str) -> None:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown output format {fmt!r}", f"Use one of: {', '.join(FORMATS)}.")
    if lang not in LANGS:
        raise ConfigError(f"unknown header language {lang!r}", "Use lang='en' or lang='zh'.")


def write_hospital(h: Hospital, out_dir: str | Path, fmt: str = "csv", lang: str = "en") -> Path:
    """Write a hospital as casekit input files.

    Parameters
    ----------
    h : Hospital
    out_dir : path
        ``csv`` / ``parquet``: the folder to write (created; files in it are replaced).
        ``xlsx``: the workbook path if it ends in ``.xlsx``, else ``out_dir/hospital.xlsx``.
    fmt : {"csv", "xlsx", "parquet"}
        CSV: UTF-8 text with fixed formatting plus ``hospital.yaml``. Parquet: typed columns
        (canonical dtypes) plus ``hospital.yaml``. Excel: one sheet per table and a profile
        sheet of key,value rows (``profile`` / ``医院概况``).
    lang : {"en", "zh"}
        Headers, file stems / sheet names and enum values in English (canonical) or Chinese
        (the schema's ``zh`` names).

    Returns
    -------
    pathlib.Path
        The folder (CSV, Parquet) or the workbook (Excel) written.

    Raises
    ------
    ConfigError
        Unknown format or language.
    OutputError
        A file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from casekit.sample import generate
    >>> d = write_hospital(generate("j", departments=4, years=1), tempfile.mkdtemp())
    >>> sorted(p.name for p in d.iterdir())[:3]
    ['accounts.csv', 'actuals.csv', 'adjustments.csv']
    """
    _check(fmt, lang)
    out = Path(out_dir)
    tables = h.tables()
    if fmt == "xlsx":
        path = out if out.suffix.lower() == ".xlsx" else out / "hospital.xlsx"
        return atomic_write_bytes(path, _xlsx_bytes(h, tables, lang))
    for name, df in tables.items():
        stem = TABLES[name].zh if lang == "zh" else name
        if fmt == "csv":
            text = table_text(df, name, lang).to_csv(index=False, lineterminator="\n")
            atomic_write_bytes(out / f"{stem}.csv", text.encode("utf-8"))
        else:
            atomic_write_bytes(out / f"{stem}.parquet", _parquet_bytes(df, name, lang))
    atomic_write_bytes(out / "hospital.yaml", _yaml_bytes(h))
    return out


def _parquet_bytes(df: pd.DataFrame, table: str, lang: str) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ordered = _ordered(df, table)
    if lang == "zh":
        ordered.columns = [TABLES[table].column(c).zh for c in ordered.columns]
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(ordered, preserve_index=False), buf)
    return buf.getvalue()


def _cell(v: object) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if isinstance(v, np.generic) else v


def _xlsx_bytes(h: Hospital, tables: dict[str, pd.DataFrame], lang: str) -> bytes:
    """Workbook bytes: numbers as numbers, identifiers and dates as text, fixed timestamps."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(PROFILE_SHEET[lang])
    ws.append(list(_PROFILE_HEADER[lang]))
    for key, value in profile_pairs(h, lang):
        ws.append([key, _cell(value)])
    for name, df in tables.items():
        spec = TABLES[name]
        ordered = _ordered(df, name)
        ws = wb.create_sheet(spec.zh if lang == "zh" else name)
        ws.append([spec.column(c).zh if lang == "zh" else c for c in ordered.columns])
        cols = []
        for c in ordered.columns:
            col = spec.column(c)
            if col.dtype in ("str", "bool", "date"):
                cols.append(_text_column(ordered[c], name, c, lang).replace("", None).tolist())
            elif col.dtype == "int":
                cols.append([None if pd.isna(v) else int(v) for v in ordered[c]])
            else:
                digits = 2 if col.money else 6
                cols.append([None if pd.isna(v) else round(float(v), digits) for v in ordered[c]])
        for row in zip(*cols):
            ws.append(list(row))
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx) with fixed entry timestamps and fixed document dates."""
    stamp = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = stamp.sub(rb"\g<1>" + _FIXED_DOC_TIME.encode() + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


# --------------------------------------------------------------------------- bundled index
INDEX_COLUMNS = ("folder", "profile", "seed", "description", "expected_findings")

README_TITLE = "# Sample hospitals (SYNTHETIC DATA)\n"
"""First line of the sample folder's ``README.md``."""
_README = README_TITLE + """

**Every file in this folder is synthetic.** No real hospital's data is here: the published
J-hospital case gives no raw data, so casekit generates hospitals whose budget problems come from
the mechanisms that cause them in life (data/sample/README.md). Each profile says `synthetic: true`
and reports print that on their first page. Money is in yuan.

## Regenerate

    make sample                                   # or:
    casekit sample --all --out data/sample

The generator is `casekit.sample` (`generate(profile, seed)`, `write_hospital(h, out, fmt, lang)`);
`numpy.random.default_rng(seed)` is its only source of randomness, so the same seed writes
byte-identical files. The knobs of each hospital are in `casekit/sample/profiles.py`, the
mechanisms in `casekit/sample/generate.py`. `casekit sample --ledger-rows N` also writes a
transaction ledger whose sums equal the monthly actuals.

## Contents

{table}

`j_hospital_zh.xlsx` is J hospital as one Excel workbook with Chinese sheet names, headers and
values (`医院概况` sheet of key, value rows), as a client hospital would send it.
`index.csv` lists the folders with their seed and the findings the diagnosis should report.

Each folder holds `hospital.yaml` (profile) and one CSV per table: departments, accounts, budget
(original B0 and adjusted B1, from {first_year}), actuals (monthly, from the year before the first
budget year, the base of the first budget), budget_monthly (phasing of B1), adjustments,
workload (actual and budget scenarios), performance, survey_items, survey_responses (long
format), checklist (items of `casekit/diagnosis/standard_checklist.csv`) and systems.

## The mechanism behind each problem (J hospital)

- **P1 rigid targets.** Each department's budget is last year's actual x (1 + g) with one g for
  everyone (+5% expense, -5% revenue), spread over last year's budget lines; phased flat 1/12
  while workload is seasonal (winter respiratory peak, Spring Festival dip); departments' workload
  grows -10% to +20% a year, with unplanned shocks of 16-25% that nobody adjusts for.
- **P2 unscientific preparation.** The same rule is less accurate than last year's actual; lines
  that did not exist last year (temporary staff, equipment maintenance contracts) never enter the
  carried-forward template, so they are spent without a budget; the -5% revenue target makes
  revenue execute above 110% (slack).
- **P3 large deviation.** Deferrable payments (drugs, materials, bonus, purchases, office costs)
  are paid at 80% pace until November and the unspent budget is rushed out in December
  (December about twice a normal month); departments left out of preparation (low
  participation) overspend a budget they do not own; top-ups come in November and December,
  some twice, 40% without approval.
- **P4 disconnection.** Budget indicators weigh 0 (or 2%) in the appraisal; scores and bonuses
  are drawn independently of execution.
- **P5 low informatisation.** Only HRP exchanges data with finance; no budget system (Excel);
  data latency 15-25 days, 2-5 manual steps, the monthly report takes 15 working days.
- **C1-C5.** The staff survey (150 respondents, 20 items, 4 per construct) is answered from each
  department's latent level: participation about 2, lowest in clinical departments, which also
  drives their overspending; one budget officer for 500 beds with 8 training hours; one execution
  analysis a year; checklist items of the causes mostly "no".

The **well-run** hospital budgets planned workload x standard rates with department-specific
growth, phases by the expected season, adjusts once in July with approval, weighs budget
indicators 15-25% in an appraisal whose score falls with |deviation|, and runs integrated systems
(latency 2-3 days). The **mixed** hospital prepares like the well-run one but controls execution
weakly (unchecked department drift, hold-back and December rush, late unapproved top-ups, one
analysis a year) and its systems are not integrated.
"""


def write_sample_index(out_dir: str | Path, entries: list[dict]) -> list[Path]:
    """Write ``index.csv`` and ``README.md`` of a sample-data folder.

    Parameters
    ----------
    out_dir : path
    entries : list of dict
        One per hospital with keys ``folder``, ``profile``, ``seed``, ``description``,
        ``expected_findings`` (codes joined by ``;``, or ``none``) and ``first_year``.

    Returns
    -------
    list of pathlib.Path
        The two files written.
    """
    out = Path(out_dir)
    index = pd.DataFrame([{k: e[k] for k in INDEX_COLUMNS} for e in entries], columns=list(INDEX_COLUMNS))
    index_path = atomic_write_bytes(out / "index.csv", index.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    rows = ["| folder | profile | seed | expected findings | description |", "|---|---|---|---|---|"]
    rows += [f"| `{e['folder']}/` | {e['profile']} | {e['seed']} | {e['expected_findings']} | {e['description']} |"
             for e in entries]
    first_year = min((e["first_year"] for e in entries), default=2021)
    text = _README.format(table="\n".join(rows), first_year=first_year)
    return [index_path, atomic_write_bytes(out / "README.md", text.encode("utf-8"))]
