"""pandera schemas generated from :data:`casekit.data.schema.tables.TABLES`, and their failures as Issues.

One :class:`pandera.pandas.DataFrameSchema` per table checks dtypes (with coercion), allowed
values (``isin``), plausible ranges, blank cells in non-nullable columns, required columns and
the unique key. Validation is lazy, so every failure of a table is collected in one pass;
:func:`schema_issues` turns pandera's ``failure_cases`` into :class:`casekit.errors.Issue`
objects that name the user's file, row number, header and value, with a fix.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from casekit.errors import Issue
from casekit.data.lines import Codes
from casekit.data.schema.tables import BOOL_FALSE, BOOL_TRUE, TABLES, VALUE_ALIASES, Column, Table

# casekit dtype -> pandas dtype checked (and coerced) by pandera.
PANDAS_DTYPES: dict[str, str] = {
    "str": "str",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}

_DTYPES = {k: pd.api.types.pandas_dtype(v) for k, v in PANDAS_DTYPES.items()}

TYPE_WORDS: dict[str, str] = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "yes or no",
    "date": "a date (YYYY-MM-DD)",
}


def build_schema(table: Table, present: Iterable[str] | None = None) -> pa.DataFrameSchema:
    """Build the pandera schema of one table.

    Parameters
    ----------
    table : casekit.data.schema.tables.Table
    present : iterable of str, optional
        Canonical columns present in the data. Key columns that are optional and absent (for
        example ``month`` of annual-only actuals) are left out of the uniqueness check.

    Returns
    -------
    pandera.pandas.DataFrameSchema
        Not strict (unknown columns are reported by the reader, not here); ``unique`` is the
        table key with ``report_duplicates="all"`` so both rows of a duplicate are reported.

    Examples
    --------
    >>> from casekit.data.schema.tables import TABLES
    >>> build_schema(TABLES["budget"]).unique
    ['year', 'dept_id', 'account_id']
    """
    cols = set(table.column_names if present is None else present)
    columns = {}
    for col in table.columns:
        checks = []
        if col.enum:
            checks.append(pa.Check.isin(list(col.enum)))
        if col.min is not None:
            checks.append(pa.Check.ge(col.min))
        if col.max is not None:
            checks.append(pa.Check.le(col.max))
        columns[col.name] = pa.Column(PANDAS_DTYPES[col.dtype], checks=checks, nullable=col.nullable,
                                      required=col.required, coerce=True)
    key = [k for k in table.key if k in cols]
    return pa.DataFrameSchema(columns, unique=key or None, report_duplicates="all", strict=False,
                              name=table.name)


def normalise_enum_values(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Map accepted spellings of enumerated values to canonical ones (``临床`` -> ``clinical``).

    Matching ignores case and surrounding spaces; values that match nothing are left as written
    so that validation reports them. Bool columns written as text (``是``/``否``) become booleans.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with canonical column names.
    table : casekit.data.schema.tables.Table

    Returns
    -------
    pandas.DataFrame
        A copy with enum columns mapped.
    """
    out = df.copy(deep=False)          # copy-on-write: replacing a column never touches df
    for col in table.columns:
        if col.name not in out.columns:
            continue
        if col.enum:
            mapping = _enum_lookup(col)
            s = out[col.name]
            distinct = {v: mapping.get(str(v).strip().casefold(), v) for v in s.unique() if not _isna(v)}
            if any(k != v for k, v in distinct.items()) or s.dtype != "str":
                out[col.name] = s.map(distinct).astype("str")
        elif col.dtype == "bool" and not pd.api.types.is_bool_dtype(out[col.name]):
            out[col.name] = out[col.name].map(_bool_or_same)
    return out


def passes_schema(df: pd.DataFrame, table: Table, codes: Codes | None = None) -> bool:
    """Whether ``df`` passes every check of :func:`build_schema`, tested vectorised without pandera.

    The same checks (required columns, dtypes, blanks in non-nullable columns, allowed values,
    ranges, the unique key) on whole columns at once, with none of pandera's per-column and
    per-check machinery; a table of a dozen rows costs tens of microseconds instead of
    milliseconds. It answers only yes or no: a table that fails any check is validated by pandera,
    whose failure cases name every offending cell (:func:`schema_issues`), so the messages are
    pandera's. The test is strict where it can differ: a dtype that is not exactly the schema's
    (pandera would coerce it) counts as a failure, and so does any repeated key, blank or not.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with canonical column names, after :func:`normalise_enum_values`.
    table : casekit.data.schema.tables.Table
    codes : casekit.data.lines.Codes, optional
        Factorisations of text columns shared with the later checks of the same validation.

    Returns
    -------
    bool
    """
    dtypes = dict(zip(df.columns, df.dtypes))
    numbers: dict[str, np.ndarray] = {}
    for col in table.columns:
        dtype = dtypes.get(col.name)
        if dtype is None:
            if col.required:
                return False
            continue
        if dtype != _DTYPES[col.dtype]:
            return False
        if col.nullable and not col.enum and col.min is None and col.max is None:
            continue
        s = df[col.name]
        if col.enum:          # the distinct values only: a few, however long the table
            if not all(_isna(v) for v in set(s.unique()).difference(_enum_set(col))):
                return False
            if not col.nullable and s.hasnans:
                return False
            continue
        if col.dtype not in ("int", "float"):
            if not col.nullable and s.hasnans:
                return False
            continue
        values = numbers[col.name] = s.to_numpy(dtype="float64", na_value=np.nan)
        if not col.nullable and np.isnan(values).any():
            return False
        with np.errstate(invalid="ignore"):
            if col.min is not None and (values < col.min).any():
                return False
            if col.max is not None and (values > col.max).any():
                return False
    key = [k for k in table.key if k in dtypes]
    return not (key and _repeats(df, table, key, Codes() if codes is None else codes, numbers))


@functools.lru_cache(maxsize=None)
def _enum_set(col: Column) -> frozenset:
    return frozenset(col.enum)


def _repeats(df: pd.DataFrame, table: Table, key: list[str], codes: Codes, numbers: dict[str, np.ndarray]) -> bool:
    """Whether two rows share their values of ``key`` (a blank counts as a value), by integer codes.

    ``numbers`` holds the key's number columns as float arrays where the caller made them already.
    """
    combined = np.zeros(len(df), dtype=np.int64)
    for name in key:
        dtype = table.column(name).dtype
        if dtype == "str":
            found, uniques = codes(table.name, name, df[name])
            size = len(uniques) + 1
            found = np.where(found < 0, len(uniques), found)
        else:
            found, size = _number_codes(df, name, numbers.get(name)) if dtype == "int" else (None, 0)
            if found is None:
                found, uniques = pd.factorize(df[name], use_na_sentinel=False)
                size = len(uniques)
        if size and int(combined.max(initial=0)) >= (1 << 62) // (size + 1):
            combined = pd.factorize(combined)[0].astype(np.int64)          # keep the codes small
        combined = combined * size + found
    if len(combined) and int(combined.max()) < 8 * len(combined) + 1024:
        return bool(np.bincount(combined).max() > 1)
    return len(pd.unique(combined)) < len(combined)


def _number_codes(df: pd.DataFrame, name: str, values: np.ndarray | None) -> tuple[np.ndarray | None, int]:
    """Codes of a whole-number column by offset from its minimum (blank: the last code); None if its range is wide."""
    values = df[name].to_numpy(dtype="float64", na_value=np.nan) if values is None else values
    blank = np.isnan(values)
    if blank.all():
        return np.zeros(len(values), dtype=np.int64), 1
    low, high = np.nanmin(values), np.nanmax(values)
    if high - low > 1_000_000:
        return None, 0
    span = int(high - low) + 1
    return np.where(blank, span, np.nan_to_num(values - low)).astype(np.int64), span + 1


def schema_issues(raw: Any, normalised: pd.DataFrame | None = None, codes: Codes | None = None) -> list[Issue]:
    """Validate one raw table with its pandera schema and return every failure as an Issue.

    Parameters
    ----------
    raw : casekit.data.io.raw.RawTable
        Table with canonical columns (``raw.df``), user row numbers (``raw.rows``) and headers as
        written (``raw.headers``). Cells the reader could not parse are NA and already reported in
        ``raw.issues``; they are not reported a second time as blank.
    normalised : pandas.DataFrame, optional
        ``normalise_enum_values(raw.df, table)`` when the caller has it already.
    codes : casekit.data.lines.Codes, optional
        Factorisations of text columns shared with the later checks (see :func:`passes_schema`).

    Returns
    -------
    list of Issue
        One issue per failing cell; one per missing required column; one per group of rows that
        share a key (naming every row number).
    """
    table = TABLES[raw.name]
    df = normalise_enum_values(raw.df, table) if normalised is None else normalised
    if passes_schema(df, table, codes):
        return []
    schema = build_schema(table, df.columns)
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        return failure_cases_to_issues(exc.failure_cases, raw, df)
    return []


def failure_cases_to_issues(failures: pd.DataFrame, raw: Any, df: pd.DataFrame | None = None) -> list[Issue]:
    """Convert pandera's ``failure_cases`` table into casekit Issues.

    Parameters
    ----------
    failures : pandas.DataFrame
        ``SchemaErrors.failure_cases`` (columns ``schema_context, column, check, failure_case, index``).
    raw : casekit.data.io.raw.RawTable
    df : pandas.DataFrame, optional
        The frame that was validated (defaults to ``raw.df``); used to read duplicate keys.

    Returns
    -------
    list of Issue
    """
    table = TABLES[raw.name]
    df = raw.df if df is None else df
    already = {(i.row, i.column) for i in raw.issues}
    issues: list[Issue] = []
    dup_index: list[Any] = []
    for case in failures.itertuples(index=False):
        check = str(case.check)
        if check == "multiple_fields_uniqueness":
            dup_index.append(case.index)
            continue
        if check == "column_in_dataframe":
            col = table.column(str(case.failure_case))
            if not any(f"'{col.name}'" in i.problem and "missing" in i.problem for i in raw.issues):
                issues.append(_missing_column(raw, col))
            continue
        col = table.column(str(case.column))
        row = _row(raw, case.index)
        header = raw.headers.get(col.name, col.name)
        if check == "not_nullable":
            if (row, header) in already:
                continue
            issues.append(_issue(raw, row, header, None, f"'{header}' is blank but is required",
                                 f"Fill in {TYPE_WORDS[col.dtype]} ({col.description.rstrip('.')})."))
        elif check.startswith("isin"):
            issues.append(_issue(raw, row, header, case.failure_case, "value not allowed", _enum_fix(col)))
        elif check.startswith("greater_than_or_equal_to") or check.startswith("less_than_or_equal_to"):
            issues.append(_issue(raw, row, header, case.failure_case, f"value outside the range {_range(col)}",
                                 f"Enter a value in {_range(col)}; check the units and the decimal point."))
        else:
            issues.append(_issue(raw, row, header, case.failure_case,
                                 f"cannot be read as {TYPE_WORDS[col.dtype]} ({check})",
                                 f"Enter {TYPE_WORDS[col.dtype]} in every cell of this column."))
    if dup_index:
        issues.extend(_duplicate_issues(raw, df, table, dup_index))
    return issues


# ---------------------------------------------------------------------------- helpers
def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


@functools.lru_cache(maxsize=None)
def _enum_lookup(col: Column) -> dict[str, str]:
    lookup = {v.casefold(): v for v in col.enum or ()}
    lookup.update({k.strip().casefold(): v for k, v in VALUE_ALIASES.get(col.name, {}).items()})
    return lookup


def _bool_or_same(v: Any) -> Any:
    if _isna(v) or isinstance(v, bool):
        return v
    text = str(v).strip().casefold()
    if text in BOOL_TRUE:
        return True
    if text in BOOL_FALSE:
        return False
    return v


def _row(raw: Any, index: Any) -> int | None:
    if index is None or _isna(index) or index not in raw.rows.index:
        return None
    row = raw.rows.loc[index]
    return None if _isna(row) else int(row)


def _issue(raw: Any, row: int | None, column: str | None, value: Any, problem: str, fix: str,
           severity: str = "error") -> Issue:
    if value is None or _isna(value):
        text = None
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))          # pandera may hand back 13.0 for an integer column
    else:
        text = str(value)[:80]
    return Issue(raw.file, row, column, text, problem, fix, severity, raw.name)


def _missing_column(raw: Any, col: Column) -> Issue:
    others = ", ".join(f"'{a}'" for a in col.aliases)
    return _issue(raw, None, col.name, None, f"required column '{col.name}' ({col.zh}) is missing",
                  f"Add a column headed '{col.name}' or '{col.zh}'" + (f" (also accepted: {others})" if others else "")
                  + f": {col.description}")


def _enum_fix(col: Column) -> str:
    zh = {}
    for label, canonical in VALUE_ALIASES.get(col.name, {}).items():
        zh.setdefault(canonical, label)
    labels = ", ".join(f"{v}" + (f" ({zh[v]})" if v in zh else "") for v in col.enum or ())
    return f"Use one of: {labels}."


def _range(col: Column) -> str:
    lo = "-inf" if col.min is None else f"{col.min:g}"
    hi = "inf" if col.max is None else f"{col.max:g}"
    return f"[{lo}, {hi}]"


def _duplicate_issues(raw: Any, df: pd.DataFrame, table: Table, index: list[Any]) -> list[Issue]:
    key = [k for k in table.key if k in df.columns]
    dups = df.loc[pd.Index(index).unique(), key].copy()
    dups["_row"] = [_row(raw, i) for i in dups.index]
    headers = ", ".join(raw.headers.get(k, k) for k in key)
    issues = []
    for values, group in dups.groupby(key, dropna=False, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        shown = ", ".join("blank" if _isna(v) else str(v) for v in values)
        rows = sorted(r for r in group["_row"] if r is not None)
        issues.append(_issue(raw, rows[0] if rows else None, headers, shown,
                             f"duplicate key: rows {_and(rows)} have the same ({headers})",
                             "Keep one row per key: delete the repeated row or add the amounts into one row."))
    return issues


def _and(items: list[int]) -> str:
    words = [str(i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
