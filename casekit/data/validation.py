"""One-pass validation of a hospital's raw tables into a typed :class:`~casekit.data.hospital.Hospital`.

:func:`validate_tables` runs every check and collects every problem before deciding whether a
``Hospital`` can be built: the profile, required tables, required columns, types, allowed values,
ranges and unique keys (pandera, see :mod:`casekit.data.schema.pandera_schemas`), references between
tables, plausibility of amounts, consistency of currency units, months of the actuals and the
governance checklist. Errors prevent loading; warnings travel with the hospital as ``notes``.

References
----------
docs/data-format.md (data a hospital provides, annual-only data); docs/architecture.md
(conventions inside a Hospital: ids str, year int64, month Int64, money float64 in the profile's currency and scale).
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
import re
from typing import Any

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data.hospital import CORE_KEYS, DEFAULT_COUNTRY, OPTIONAL_TABLES, Hospital, Profile
from casekit.data import fiscal
from casekit.data.accounts import leaf_lines, subtotal_issues
from casekit.data.exports import UNREADABLE
from casekit.data.lines import Codes, LineKeys
from casekit.data.periods import month_issues, partial_year_issues, year_issues
from casekit.data.quality import copied_budget_issues
from casekit.data.amounts import amount_issues, plausibility_limits, unit_issues
from casekit.data.io.hints import leading_zero_message, restored_code
from casekit.data.io.raw import SourceRows, user_file, user_row
from casekit.data.checklist import standard_checklist
from casekit.data.schema.pandera_schemas import normalise_enum_values, schema_issues
from casekit.data.schema.tables import (BOOL_FALSE, BOOL_TRUE, CURRENCY_UNITS, PROFILE_FIELDS, REQUIRED_TABLES,
                                   TABLES, TIERS, VALUE_ALIASES, Table)

from casekit.money import DEFAULT_CURRENCY, DEFAULT_SCALE, money_unit, parse_currency, unit_of

PROFILE_LABEL = "hospital profile"
# Tables whose dept_id / account_id must exist in the master lists.
DEPT_REFS = ("budget", "actuals", "budget_monthly", "adjustments", "workload", "performance", "survey_responses")
ACCOUNT_REFS = ("budget", "actuals", "budget_monthly", "adjustments")
MAX_LISTED = 5


def validate_tables(tables: Mapping[str, Any], raw_profile: Mapping[str, Any] | None,
                    file_issues: list[Issue], source: str | Path | None = None,
                    limits: Mapping[str, float] | None = None) -> tuple[Hospital | None, list[Issue]]:
    """Validate every raw table in one pass and build the Hospital when there is no error.

    Parameters
    ----------
    tables : mapping of str to casekit.data.io.raw.RawTable
        Tables read from the hospital's files, keyed by canonical table name.
    raw_profile : mapping
        Profile keys as written (canonical English keys or the Chinese names of
        :data:`~casekit.data.schema.tables.PROFILE_FIELDS`) to raw values.
    file_issues : list of Issue
        Problems the reader found with files (unreadable sheets, unknown files ...).
    source : str or Path, optional
        Folder or workbook the data came from (kept on the Hospital).
    limits : mapping, optional
        Plausibility limits (:func:`casekit.data.amounts.plausibility_limits`; default the
        ``data.*`` thresholds of ``thresholds.yaml``).

    Returns
    -------
    hospital : Hospital or None
        ``None`` when any issue is an error. Money columns are in the profile's currency and scale;
        ``budget.adjusted`` is
        filled from ``original`` where blank and ``budget.adjusted_given`` says where it was
        supplied; ``checklist`` gains ``aspect``/``requirement`` of standard items and a ``cause``
        column (C1-C5 or NA). Warnings are attached as ``hospital.notes``.
    issues : list of Issue
        Every problem found, errors and warnings, without duplicates.

    References
    ----------
    docs/data-format.md; 2020 measures (standard checklist, ``standard_checklist.csv``).
    """
    issues: list[Issue] = list(file_issues)
    reported = [i.column for i in file_issues if i.column and i.table is None and i.severity == "error"]
    profile, profile_issues = parse_profile(raw_profile, reported=reported)
    issues += profile_issues
    if not any(i.severity == "error" and UNREADABLE in i.problem for i in file_issues):
        # an unreadable export was reported already, with what to do; a workbook's missing sheets are named
        reported_missing = {i.table for i in file_issues if i.severity == "error" and i.table in REQUIRED_TABLES}
        issues += [i for i in _missing_tables(tables) if i.table not in reported_missing]

    raws: dict[str, Any] = {}
    frames: dict[str, pd.DataFrame] = {}
    codes = Codes()                         # text columns factorised once, for every check below
    for name, raw in tables.items():
        if name not in TABLES or name == "ledger":
            continue
        issues += list(raw.issues)
        issues += _unknown_columns(raw)
        if len(raw.df) == 0:
            if TABLES[name].required:
                issues.append(Issue(raw.file, None, None, None, f"table '{name}' has no data rows",
                                    "Fill in at least one row below the header.", "error", name))
            continue
        normalised = normalise_enum_values(raw.df, TABLES[name])
        issues += schema_issues(raw, normalised, codes)
        raws[name] = raw
        frames[name] = conform(normalised, TABLES[name], normalised=True)

    start = fiscal.start_of(profile) if profile is not None else fiscal.DEFAULT_START
    frames = {n: fiscal.to_fiscal(df, start) if n in fiscal.MONTHLY_TABLES else df for n, df in frames.items()}
    issues += subtotal_issues(raws)
    issues += _stated_unit_issues(raws, profile)
    lines = LineKeys(frames, codes)         # the line key of budget, actuals and phasing as integers, once
    found, mixed_units = unit_issues(frames, raws, lines)
    issues += found
    money = (profile.currency, profile.currency_unit) if profile is not None else (DEFAULT_CURRENCY, DEFAULT_SCALE)

    issues += _reference_issues(frames, raws, lines)
    frames, leaf_issues = leaf_lines(frames, raws)
    issues += leaf_issues
    issues += copied_budget_issues(frames, raws, lines)
    issues += amount_issues(frames, raws, skip_rates=mixed_units, money=money, limits=limits, lines=lines)
    issues += year_issues(frames, raws)
    issues += month_issues(frames, raws)
    issues += partial_year_issues(frames, raws, start)
    if "checklist" in frames:
        frames["checklist"], checklist_issues = merge_standard_checklist(frames["checklist"], raws["checklist"])
        issues += checklist_issues
    if "budget" in frames:
        frames["budget"] = fill_adjusted(frames["budget"])

    issues = list(dict.fromkeys(issues))
    if profile is None or any(i.severity == "error" for i in issues):
        return None, issues
    optional = {n: _finalise(frames[n], TABLES[n]) for n in OPTIONAL_TABLES if n in frames}
    hospital = Hospital(profile=profile, **{n: _finalise(frames[n], TABLES[n]) for n in REQUIRED_TABLES},
                        **optional, source=None if source is None else Path(source),
                        notes=[i for i in issues if i.severity == "warning"],
                        coverage={y: fiscal.fiscal_of(y, m, start)[1] if start != fiscal.DEFAULT_START else m
                                  for y, m in (getattr(raws.get("actuals"), "coverage", None) or {}).items()})
    return hospital, issues


# ---------------------------------------------------------------------------- profile
def parse_profile(raw_profile: Mapping[str, Any] | None,
                  reported: list[str] = ()) -> tuple[Profile | None, list[Issue]]:
    """Parse the hospital profile (``hospital.yaml`` or a key,value sheet).

    Parameters
    ----------
    raw_profile : mapping or None
        Keys as written (English keys or Chinese names of ``PROFILE_FIELDS``), raw values.
    reported : sequence of str
        Keys (as written) whose values the reader already reported as invalid; a required one of
        them is not reported again as missing.

    Returns
    -------
    profile : Profile or None
        ``None`` when a required key (name, currency_unit) is missing or a value is invalid; a
        missing ``tier`` is a warning (``Profile.tier`` is then ``None``).
    issues : list of Issue

    Examples
    --------
    >>> p, issues = parse_profile({"医院名称": "J", "医院等级": "二级", "金额单位": "万元"})
    >>> (p.tier, p.currency_unit, p.currency, p.country, issues)
    ('secondary', 'ten_thousands', 'CNY', 'CN', [])
    """
    issues: list[Issue] = []
    lookup = {k.casefold(): k for k in PROFILE_FIELDS}
    lookup.update({spec[1].casefold(): k for k, spec in PROFILE_FIELDS.items()})
    already = {lookup.get(str(k).strip().casefold()) for k in reported}

    def problem(key: str | None, value: Any, text: str, fix: str, severity: str = "error") -> None:
        issues.append(Issue(PROFILE_LABEL, None, key, None if value is None else str(value)[:80], text, fix,
                            severity, "profile"))

    if not raw_profile:
        problem(None, None, "the hospital profile is missing",
                "Add hospital.yaml (or a 'profile' / '医院概况' sheet with key,value rows) giving at least "
                "name and currency_unit (and tier for a Chinese public hospital).")
        return None, issues
    values: dict[str, Any] = {}
    for key, value in raw_profile.items():
        canon = lookup.get(str(key).strip().casefold())
        if canon is None:
            problem(str(key), value, "unknown profile key, ignored",
                    f"Use one of: {', '.join(PROFILE_FIELDS)} (or their Chinese names).", "warning")
            continue
        if _blank(value):
            continue
        dtype, zh = PROFILE_FIELDS[canon][0], PROFILE_FIELDS[canon][1]
        parsed = _parse_scalar(value, dtype, canon)
        if parsed is None:
            problem(str(key), value, f"profile value of '{canon}' ({zh}) is invalid",
                    f"Enter {_PROFILE_EXPECT.get(canon, _DTYPE_WORDS[dtype])}.")
            continue
        if canon == "fiscal_year_start" and not 1 <= parsed <= 12:
            problem(str(key), value, f"profile value of '{canon}' ({zh}) is not a month",
                    "Enter the first calendar month of the fiscal year as a number 1-12 (4 for April).")
            continue
        values[canon] = parsed
    for key, (_, zh, required, desc) in PROFILE_FIELDS.items():
        flagged = key in already or any(i.column and lookup.get(i.column.casefold()) == key for i in issues)
        if required and key not in values and not flagged:
            problem(key, None, f"required profile key '{key}' ({zh}) is missing", f"Add it: {desc}")
    if any(i.severity == "error" for i in issues) or not {"name", "currency_unit"} <= values.keys():
        return None, issues
    if "tier" not in values:
        problem("tier", None, "the profile gives no tier (医院等级): the appraisal context ratios, whose indicator list "
                "depends on the tier, are not assessed", "Add tier: tertiary, secondary or primary (三级/二级/一级) for a "
                "Chinese public hospital; leave it out otherwise.", "warning")
    if values.get("currency", DEFAULT_CURRENCY) != DEFAULT_CURRENCY and "country" not in values:
        problem("country", None, f"the profile's currency is {values['currency']} but it gives no country: the hospital "
                "is taken to be in China (CN) and China's 2020 rules are cited without a note",
                "Add country: the ISO 3166 two-letter code (GB, US, DE ...) for a hospital outside China.", "warning")
    extra = {k: v for k, v in values.items() if k not in CORE_KEYS}
    return Profile(name=values["name"], tier=values.get("tier"), currency_unit=values["currency_unit"],
                   currency=values.get("currency", DEFAULT_CURRENCY), country=values.get("country", DEFAULT_COUNTRY),
                   beds=values.get("beds"), synthetic=bool(values.get("synthetic", False)), extra=extra), issues


_DTYPE_WORDS = {"str": "text", "int": "a whole number", "float": "a number", "bool": "yes or no"}
_PROFILE_EXPECT = {"tier": "tertiary, secondary or primary (三级/二级/一级)",
                   "currency_unit": "units, thousands, ten_thousands or millions (元/千元/万元/百万元)",
                   "currency": "a three-letter ISO 4217 code such as CNY, USD, GBP, EUR, JPY or HKD",
                   "country": "a two-letter ISO 3166 code such as CN, GB, US, DE or JP"}
_CHOICES = {"tier": TIERS, "currency_unit": CURRENCY_UNITS}


_COUNTRY_ALIASES = {"china": "CN", "中国": "CN", "prc": "CN", "uk": "GB", "united kingdom": "GB", "英国": "GB",
                    "usa": "US", "united states": "US", "美国": "US"}


def _parse_country(text: str) -> str | None:
    """ISO 3166 alpha-2 code of a written country (``cn`` -> ``CN``, ``中国`` -> ``CN``), ``None`` if not one."""
    alias = _COUNTRY_ALIASES.get(text.casefold())
    if alias:
        return alias
    return text.upper() if re.fullmatch(r"[A-Za-z]{2}", text) else None


def _parse_scalar(value: Any, dtype: str, key: str) -> Any:
    """Parse one profile value; ``None`` when it cannot be read."""
    if dtype == "bool":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        text = str(value).strip().casefold()
        return True if text in BOOL_TRUE else False if text in BOOL_FALSE else None
    if dtype in ("int", "float"):
        if isinstance(value, bool):
            return None
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            return None
        if dtype == "int":
            return int(number) if number.is_integer() else None
        return number
    text = str(value).strip()
    if key == "currency":
        return parse_currency(text)
    if key == "country":
        return _parse_country(text)
    if key in _CHOICES:
        mapped = {c.casefold(): c for c in _CHOICES[key]}
        mapped.update({k.casefold(): v for k, v in VALUE_ALIASES.get(key, {}).items()})
        return mapped.get(text.casefold())
    return text


# ---------------------------------------------------------------------------- tables
_HOSPITAL_DTYPES = {"str": pd.StringDtype(na_value=np.nan), "int": pd.Int64Dtype(), "float": np.dtype("float64"),
                    "bool": pd.BooleanDtype(), "date": np.dtype("datetime64[ns]")}


def conform(df: pd.DataFrame, table: Table, *, normalised: bool = False) -> pd.DataFrame:
    """Give a raw table the Hospital dtypes, adding absent optional columns as blank.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical columns as parsed by the reader.
    table : casekit.data.schema.tables.Table
    normalised : bool
        ``df`` has had :func:`~casekit.data.schema.pandera_schemas.normalise_enum_values` applied already.

    Returns
    -------
    pandas.DataFrame
        Same index; every column of ``table`` in schema order (unknown columns dropped): ids and
        text ``str``; ints ``Int64``; floats ``float64``; bools ``boolean``; dates
        ``datetime64[ns]``. Values that cannot be converted become NA (validation reports them).
        Absent ``workload.scenario`` is ``"actual"``; absent ``survey_items.reverse`` is False.
        ``df`` itself when it has every column in schema order and dtype already.
    """
    df = df if normalised else normalise_enum_values(df, table)
    if list(df.columns) == table.column_names and all(
            dtype == _HOSPITAL_DTYPES[c.dtype] for dtype, c in zip(df.dtypes, table.columns)):
        return df
    out: dict[str, pd.Series] = {}       # one frame built at the end, not a column at a time
    defaults = {"scenario": "actual", "reverse": False}
    for col in table.columns:
        s = df[col.name] if col.name in df.columns else pd.Series(defaults.get(col.name), index=df.index)
        if s.dtype == _HOSPITAL_DTYPES[col.dtype]:  # as the reader parsed it: nothing to convert
            out[col.name] = s
        elif col.dtype == "str":
            out[col.name] = s.astype("str")
        elif col.dtype == "int":
            num = pd.to_numeric(s, errors="coerce")
            out[col.name] = num.where(num.isna() | (num == num.round())).astype("Float64").astype("Int64")
        elif col.dtype == "float":
            out[col.name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif col.dtype == "bool":
            out[col.name] = s.map(lambda v: v if isinstance(v, (bool, np.bool_)) else pd.NA).astype("boolean")
        else:
            out[col.name] = pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")
    return pd.DataFrame(out, index=df.index)


def fill_adjusted(budget: pd.DataFrame) -> pd.DataFrame:
    """Fill ``adjusted`` (B1) from ``original`` (B0) where blank; add bool ``adjusted_given``.

    Parameters
    ----------
    budget : pandas.DataFrame
        Conformed budget table.

    Returns
    -------
    pandas.DataFrame
        Copy with ``adjusted`` complete and ``adjusted_given`` (True where the hospital supplied B1).
    """
    out = budget.copy()
    out["adjusted_given"] = out["adjusted"].notna().astype(bool)
    out["adjusted"] = out["adjusted"].fillna(out["original"])
    return out


def merge_standard_checklist(checklist: pd.DataFrame, raw: Any) -> tuple[pd.DataFrame, list[Issue]]:
    """Complete a hospital's checklist from the standard items.

    Rows whose ``item_id`` is a standard item get ``aspect`` and ``requirement`` from the standard
    where left blank, and the standard ``cause``; other rows must give an aspect.

    Parameters
    ----------
    checklist : pandas.DataFrame
        Conformed checklist table.
    raw : casekit.data.io.raw.RawTable
        For file name, row numbers and headers in issues.

    Returns
    -------
    checklist : pandas.DataFrame
        With an added ``cause`` column (str, NA for non-standard items).
    issues : list of Issue
        An error for each non-standard item without an aspect.
    """
    std = _standard_items()
    ids = checklist["item_id"]
    pos = std.index.get_indexer(ids)                 # -1: not a standard item
    known = pos >= 0

    def standard(column: str, given: pd.Series | None = None) -> pd.Series:
        """The standard's ``column`` for the standard items (where ``given`` is blank, if given)."""
        values = np.where(known, std[column].to_numpy(dtype=object)[pos], np.nan)
        if given is not None:
            values = np.where(given.isna().to_numpy(), values, given.to_numpy(dtype=object))
        return pd.Series(values, index=checklist.index, dtype="str")

    cause = standard("cause")
    out = checklist.assign(aspect=standard("aspect", checklist["aspect"]),
                           requirement=standard("requirement_en", checklist["requirement"]),
                           cause=cause.where(cause != ""))
    issues = []
    header = raw.headers.get("aspect", "aspect")
    for idx in out.index[~known & out["aspect"].isna().to_numpy()]:
        issues.append(Issue(user_file(raw, idx), user_row(raw, idx), header, None,
                            f"checklist item '{ids[idx]}' is not a standard item and has no aspect",
                            "Give the aspect (A1-A5 or INFO), or use a standard item id (see docs/data-format.md).",
                            "error", "checklist"))
    return out, issues


@functools.lru_cache(maxsize=1)
def _standard_items() -> pd.DataFrame:
    """The standard checklist indexed by ``item_id``, read once per process (never modified)."""
    return standard_checklist().set_index("item_id")


def _finalise(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Apply the Hospital conventions to a clean table (no errors left)."""
    index = df.index
    numbered = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    out = df.copy(deep=False) if numbered else df.reset_index(drop=True)
    for col in table.columns:
        if col.dtype == "int" and col.name != "month" and not col.nullable:
            s = out[col.name]
            if not s.hasnans:
                out[col.name] = s.astype("int64")
        elif col.dtype == "bool":
            s = out[col.name]
            if not s.hasnans:
                out[col.name] = s.astype(bool)
    return out


# ---------------------------------------------------------------------------- checks
def _missing_tables(tables: Mapping[str, Any]) -> list[Issue]:
    issues = []
    for name in REQUIRED_TABLES:
        if name in tables:
            continue
        t = TABLES[name]
        stems = [t.name, t.zh, *t.aliases]
        extra = " (or transaction ledger files ledger*.csv / ledger*.parquet)" if name == "actuals" else ""
        issues.append(Issue(f"{name}.csv", None, None, None, f"required table '{name}' ({t.zh}) is missing",
                            f"Add a file named {', '.join(s + '.csv' for s in stems)} (or .xlsx / .parquet), or a "
                            f"sheet named {' / '.join(stems)} in the workbook{extra}.", "error", name))
    return issues


def _stated_unit_issues(raws: Mapping[str, Any], profile: Profile | None) -> list[Issue]:
    """A file that states its unit (单位：万元) must agree with the profile's currency_unit (scale)."""
    if profile is None:
        return []
    issues = []
    for name, raw in raws.items():
        stated = getattr(raw, "unit", None)
        if stated is None or stated[0] == profile.currency_unit:
            continue
        said = f"{stated[0]} ({money_unit('CNY', stated[0], 'zh')})"
        declared = f"{profile.currency_unit} ({unit_of(profile, 'zh')})"
        issues.append(Issue(raw.file, None, None, said,
                            f"{stated[1]} says the amounts are in {said} but the profile's currency_unit is {declared}",
                            "Make the two agree: set currency_unit in the profile to the file's unit, or convert the "
                            "file; casekit does not guess which is right.", "error", name))
    return issues


def _unknown_columns(raw: Any) -> list[Issue]:
    reported = {i.column for i in raw.issues}
    return [Issue(raw.file, None, col, None, "column not recognised, ignored",
                  f"Rename it to a documented header of table '{raw.name}' (see docs/data-format.md) if it is needed.",
                  "warning", raw.name)
            for col in raw.unknown_columns if col not in reported]


def _reference_issues(frames: dict[str, pd.DataFrame], raws: dict[str, Any], lines: LineKeys) -> list[Issue]:
    """Codes missing from the table they refer to, one issue per code with the rows holding it.

    Each child column is factorised once (``lines`` keeps the factorisations of the line tables)
    and only its distinct codes are looked up in the parent's set; rows are gathered only for a
    code that is unknown. Aggregated tables (actuals summed from a ledger) have no rows of their
    own: their ``locate`` is asked, once per table and only when a code is unknown, for the
    code's first source rows, so the issue names the ledger file, row and header.
    """
    issues = []
    links = [(child, "dept_id", "departments", "dept_id", "department") for child in DEPT_REFS]
    links += [(child, "account_id", "accounts", "account_id", "account") for child in ACCOUNT_REFS]
    links += [("accounts", "parent_id", "accounts", "account_id", "parent account"),
              ("survey_responses", "item_id", "survey_items", "item_id", "survey item")]
    unknown: list[tuple[str, str, str, str, dict]] = []
    known: dict[str, set] = {}
    for child, col, parent, pcol, word in links:
        if child not in frames or parent not in frames:
            if child == "survey_responses" and parent == "survey_items" and child in frames:
                raw = raws[child]
                issues.append(Issue(raw.file, None, None, None, "survey answers are given without the survey items",
                                    "Add the survey_items table (问卷题目) listing every item_id.", "error", child))
            continue
        if pcol not in raws[parent].df.columns:     # the missing key column is reported already
            continue
        if parent not in known:
            known[parent] = set(lines.factorize(parent, pcol)[1])
        codes, uniques = lines.factorize(child, col)
        absent = [i for i, code in enumerate(uniques) if code not in known[parent]]
        if absent:
            values = frames[child][col]
            bad = values[np.isin(codes, absent)]
            unknown.append((child, col, parent, word, bad.groupby(bad, sort=False).groups))
    located = _source_rows(unknown, raws)
    for child, col, parent, word, groups in unknown:
        raw = raws[child]
        for value, idx in groups.items():
            found = located.get((child, col, value))
            if found is not None:
                file, first, header = found.rows[0]
                where = _source_where(found)
            else:
                rows = [r for r in (user_row(raw, i) for i in idx) if r is not None]
                listed = ", ".join(str(r) for r in rows[:MAX_LISTED]) + (f" and {len(rows) - MAX_LISTED} more"
                                                                          if len(rows) > MAX_LISTED else "")
                where = f"row{'s' if len(rows) > 1 else ''} {listed}" if rows else f"{len(idx)} row(s)"
                file, first, header = user_file(raw, idx[0]), rows[0] if rows else None, raw.headers.get(col, col)
            code = restored_code(str(value), known[parent])  # Excel dropped the zeros of 0101: say so
            if code is not None:
                if found is not None:
                    rows = [r for f, r, _ in found.rows if f == file]
                problem, fix = leading_zero_message(word, str(value), code, raws[parent].file, header, rows)
            else:
                problem = f"{word} '{value}' is not in {raws[parent].file} ({where})"
                fix = f"Add '{value}' to {raws[parent].file} or correct the code."
            issues.append(Issue(file, first, header, str(value), problem, fix, "error", child))
    return issues


def _source_rows(unknown: list[tuple[str, str, str, str, dict]],
                 raws: dict[str, Any]) -> dict[tuple[str, str, str], SourceRows]:
    """(table, column, code) -> SourceRows for the unknown codes of aggregated tables (one scan per table)."""
    wanted: dict[str, dict[str, list]] = {}
    for child, col, _, _, groups in unknown:
        if raws[child].locate is not None:
            wanted.setdefault(child, {})[col] = [str(v) for v in groups]
    return {(child, col, value): rows for child, cols in wanted.items()
            for (col, value), rows in raws[child].locate(cols, MAX_LISTED).items()}


def _source_where(found: SourceRows) -> str:
    """``rows 8, 9 of ledger_a.csv; row 3 of ledger_b.csv and 12 more`` from a SourceRows."""
    by_file: dict[str, list[int]] = {}
    for file, row, _ in found.rows:
        by_file.setdefault(file, []).append(row)
    where = "; ".join(f"row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))} of {file}"
                      for file, rows in by_file.items())
    more = found.total - len(found.rows)
    return where + (f" and {more} more" if more > 0 else "")


# ---------------------------------------------------------------------------- helpers
def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
