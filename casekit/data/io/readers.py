"""Find a hospital's table files and read them into :class:`~casekit.data.io.raw.RawTable` objects.

A hospital is either a folder (one CSV/TSV/Parquet/xlsx file per table, named by the table's
canonical name, Chinese name or an alias, e.g. ``budget.csv`` or ``预算.xlsx``, plus
``hospital.yaml`` or ``profile.csv``) or one ``.xlsx`` workbook with a sheet per table and a
``profile`` / ``医院概况`` sheet of key,value rows. Transaction ledgers (``ledger*.csv`` /
``ledger*.parquet``) are only *found* here; :mod:`casekit.data.io.ledger` aggregates them.

A CSV/TSV file already in canonical shape is read in one typed pass by
:mod:`casekit.data.io.plain` (the fast route), which hands any file needing a rule back. Other
files are read into grids of text by :mod:`casekit.data.io.grids` (CSV encodings and
delimiters, Parquet, Excel through :mod:`casekit.data.io.xlsx` with size and XML-bomb guards) and
the grids into tables by :mod:`casekit.data.io.frame` (title rows, two-row headers, total and
footnote rows, value parsing).
"""
from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import pandas as pd

from casekit.errors import InputFileError, Issue
from casekit.data.accounts import subtotal_issues
from casekit.data.exports import probe, read_exports
from casekit.data.exports.mapping import MAPPING_NAMES, find_mapping
from casekit.fs.input_files import entry_problem
from casekit.data.io.chunked import is_large, read_chunked
from casekit.data.io.frame import raw_from_grid, short
from casekit.data.io.hints import blank_profile_value, unknown_sheet_fix
from casekit.data.io.grids import (DEFAULT_MAX_BYTES, Books, Grid, csv_grid, decode_text, parquet_grid,
                                   sheet_grid)
from casekit.data.io.headers import normalise_header
from casekit.data.io.parse import parse_column
from casekit.data.io.plain import plain_value, read_plain
from casekit.data.io.profile_yaml import check_yaml_size, load_profile_yaml
from casekit.data.io.raw import RawTable, combine
from casekit.data.io.xlsx import Workbook
from casekit.data.schema.tables import CURRENCY_UNITS, PROFILE_FIELDS, TABLES, TIERS, Column, Table

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
DATA_SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES + (".xls",)
YAML_SUFFIXES = (".yaml", ".yml")
PROFILE_NAMES = ("hospital", "profile", "医院概况", "概况", "基本情况", "医院信息")
IGNORED_SHEETS = ("readme", "说明", "填表说明", "datadictionary", "数据字典", "dictionary", "instructions", "notes")
_PROFILE_HEADER_WORDS = ("key", "field", "item", "项目", "字段", "键", "参数")

TableFiles = dict[str, "list[Path] | tuple[Path, str]"]


# ============================================================================ public API
def _label(path: Path, sheet: str | None = None) -> str:
    return f"{path.name}[{sheet}]" if sheet else path.name


def _pick_sheet(wb: Workbook, table: Table, label: str) -> str:
    names = wb.sheet_names
    if not names:
        raise InputFileError(f"{label} has no worksheets", hint="save the table in the first sheet of the workbook")
    keys = _table_keys(table)
    return next((n for n in names if normalise_header(n) in keys), names[0])


def read_table(path_or_sheet: Path | str | tuple[Path, str], table: Table, label: str | None = None, *,
               max_bytes: int = DEFAULT_MAX_BYTES) -> RawTable:
    """Read one table file (CSV/TSV, Parquet, or an Excel sheet) into a :class:`RawTable`.

    Parameters
    ----------
    path_or_sheet : path or (path, sheet name)
        A ``.csv``/``.tsv``/``.txt``, ``.parquet`` or ``.xlsx`` file; for a workbook without a
        sheet name the sheet named like the table is used, else the first sheet.
    table : Table
        The table the file holds (``TABLES["budget"]``).
    label : str, optional
        Name used in messages (default ``file.csv`` or ``book.xlsx[sheet]``).
    max_bytes : int
        Largest Excel workbook accepted (default 50 MB).

    Returns
    -------
    RawTable
        Typed canonical columns, file row numbers, headers as written, issues.

    Raises
    ------
    InputFileError
        The file is missing, not readable as its format, corrupt, too large, or an old ``.xls``.

    Examples
    --------
    >>> from casekit.data.schema.tables import TABLES
    >>> raw = read_table(Path("data/sample/j_hospital/budget.csv"), TABLES["budget"])  # doctest: +SKIP
    >>> raw.df.dtypes["original"]  # doctest: +SKIP
    dtype('float64')
    """
    with Books(max_bytes) as books:
        return _read_table(path_or_sheet, table, label, books)


def _read_table(path_or_sheet: Path | str | tuple[Path, str], table: Table, label: str | None,
                books: Books) -> RawTable:
    if isinstance(path_or_sheet, tuple):
        path, sheet = Path(path_or_sheet[0]), path_or_sheet[1]
    else:
        path, sheet = Path(path_or_sheet), None
    if not path.is_file():
        raise InputFileError(f"{path} does not exist or is not a file", hint="check the path")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES + (".xls",):
        wb = books.get(path, label)
        sheet = sheet or _pick_sheet(wb, table, label or path.name)
        if sheet not in wb.sheet_names:
            raise InputFileError(f"{path.name} has no sheet named {sheet!r}",
                                 hint=f"sheets present: {', '.join(wb.sheet_names)}")
        label = label or _label(path, sheet)
        grid = sheet_grid(wb, sheet, label)
    elif suffix in PARQUET_SUFFIXES + TEXT_SUFFIXES and is_large(path):  # millions of rows: chunk by chunk
        label = label or path.name
        raw = read_chunked(path, table, label)
        if raw is not None:
            return raw
        grid = parquet_grid(path, label) if suffix in PARQUET_SUFFIXES else csv_grid(path, label)
    elif suffix in PARQUET_SUFFIXES:
        label = label or path.name
        grid = parquet_grid(path, label)
    elif suffix in TEXT_SUFFIXES:
        label = label or path.name
        raw = read_plain(path, table, label)    # a file in canonical shape: one typed pass
        if raw is not None:
            return raw
        grid = csv_grid(path, label)
    else:
        raise InputFileError(f"{path.name}: unsupported file type {suffix or '(none)'}",
                             hint="use .csv, .tsv, .xlsx or .parquet")
    return raw_from_grid(grid, table, label)


def _table_keys(table: Table) -> set[str]:
    return {normalise_header(n) for n in (table.name, table.zh, *table.aliases)}


@functools.lru_cache(maxsize=1)
def _table_index() -> dict[str, str]:
    """Normalised table name, Chinese name or alias -> table (built once: every file and sheet name is looked up)."""
    return {key: t.name for t in TABLES.values() for key in _table_keys(t)}


@functools.lru_cache(maxsize=1)
def _profile_index() -> frozenset[str]:
    return frozenset(normalise_header(p) for p in PROFILE_NAMES)


def _classify(name: str) -> str | None:
    """Table name (or ``"profile"``) a file stem or sheet name stands for.

    ``budget_2023`` and ``预算-内科`` (a table name, a separator and a qualifier) stand for their
    table too, so one table may come in several files or sheets (per year, per department).
    """
    key = normalise_header(name)
    if key in _profile_index():
        return "profile"
    if any(key.startswith(k) for k in _table_keys(TABLES["ledger"])):
        return "ledger"
    index = _table_index()
    if key in index:
        return index[key]
    head = re.split(r"[_\-\s.（(【\[]+", name.strip(), maxsplit=1)
    if len(head) == 2 and head[1].strip():
        return index.get(normalise_header(head[0]))
    return None


Candidate = tuple[Path, "str | None"]


def _discover(path: Path, books: Books) -> tuple[TableFiles, list[Issue], list[Candidate]]:
    """(files per table, issues, files and sheets matching no table: candidates for a finance-system export)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path} does not exist", hint="give the hospital's data folder or workbook")
    special = entry_problem(path, path)
    if special is not None and not path.is_symlink():
        raise InputFileError(f"{path} {special[0]}", hint="give the hospital's data folder or workbook")
    if path.is_file():
        if path.suffix.lower() in TEXT_SUFFIXES:
            return {}, [], [(path, None)]
        if path.suffix.lower() not in EXCEL_SUFFIXES:
            raise InputFileError(f"{path.name} is neither a folder nor an Excel workbook",
                                 hint="give the folder holding the table files, one .xlsx workbook, or a "
                                      "finance-system export (.xlsx or .csv)")
        return _discover_sheets(path, books)
    found: dict[str, list] = {}
    issues: list[Issue] = []
    candidates: list[Candidate] = []
    for f in sorted(path.iterdir()):
        suffix = f.suffix.lower()
        if f.name.startswith((".", "~$")) or suffix not in DATA_SUFFIXES + YAML_SUFFIXES:
            continue
        refused = entry_problem(f, path)
        if refused is not None:
            kind = _classify(f.stem)
            issues.append(Issue(f.name, None, None, None, f"{f.name} {refused[0]}", refused[1], "error",
                                kind if kind not in (None, "profile") else None))
            continue
        if not f.is_file():
            continue
        kind = _classify(f.stem)
        if (kind == "profile" and suffix not in PARQUET_SUFFIXES) or (kind not in (None, "profile")
                                                                      and suffix not in YAML_SUFFIXES):
            found.setdefault(kind, []).append(f)
        elif suffix in EXCEL_SUFFIXES:
            sheets, sheet_issues, unknown = _discover_sheets(f, books)
            if sheets:
                issues += sheet_issues
                for name, refs in sheets.items():
                    found.setdefault(name, []).extend(refs)
                continue
            candidates += unknown
        elif suffix in TEXT_SUFFIXES:
            candidates.append((f, None))
        elif not (suffix in YAML_SUFFIXES and f.stem.lower() in MAPPING_NAMES):
            issues.append(_unrecognised(f.name))
    out: TableFiles = {}
    for name, refs in found.items():
        refs.sort(key=lambda r: 2 if isinstance(r, tuple) else 0 if r.suffix.lower() in YAML_SUFFIXES else 1)
        if name == "profile" and len(refs) > 1:
            shown = ", ".join(_ref_label(r) for r in refs)
            issues.append(Issue(_ref_label(refs[0]), None, None, None,
                                f"several files hold the profile: {shown}; only {_ref_label(refs[0])} was read",
                                "keep one profile file", "error"))
        exact = [r for r in refs if _qualifier(r) is None]
        if name not in ("profile", "ledger") and len(exact) > 1:
            shown = ", ".join(_ref_label(r) for r in refs)
            issues.append(Issue(_ref_label(exact[0]), None, None, None,
                                f"several files hold {name}: {shown}; only {_ref_label(exact[0])} was read",
                                f"keep one file per table, or name the parts {name}_2023.csv, {name}_2024.csv ... "
                                "(one per year or department) to combine them", "error", name))
            refs = exact[:1]
        if name in ("profile", "ledger") or len(refs) == 1:
            out[name] = refs[0] if isinstance(refs[0], tuple) else (refs if name == "ledger" else [refs[0]])
        else:
            out[name] = refs
    return out, issues, candidates


def _qualifier(ref: Path | tuple[Path, str]) -> str | None:
    """The part after the table name in ``budget_2023.csv`` (``None`` for an exact table name)."""
    name = ref[1] if isinstance(ref, tuple) else ref.stem
    if normalise_header(name) in _table_index() or normalise_header(name) in _profile_index():
        return None
    head = re.split(r"[_\-\s.（(【\[]+", name.strip(), maxsplit=1)
    return head[1] if len(head) == 2 else None


def _ref_label(ref: Path | tuple[Path, str]) -> str:
    return _label(*ref) if isinstance(ref, tuple) else ref.name


def _unrecognised(name: str) -> Issue:
    known = ", ".join(TABLES)
    return Issue(name, None, None, None, "file name matches no table and the file was ignored",
                 f"name it after a table ({known}), its Chinese name (e.g. 预算.csv), or hospital.yaml", "warning")


def _unrecognised_sheet(path: Path, sheet: str) -> Issue:
    return Issue(_label(path, sheet), None, None, None, "sheet name matches no table and the sheet was ignored",
                 unknown_sheet_fix(sheet) or f"name the sheet after a table ({', '.join(TABLES)}) or its Chinese name",
                 "warning")


def _unread_candidates(path: Path, others: list[Candidate], exports: set[str]) -> list[Issue]:
    """Warnings for the candidates that are not exports: per sheet in a workbook given alone or holding
    an export, else one per file."""
    out: list[Issue] = []
    for f in dict.fromkeys(p for p, _ in others):
        sheets = [s for p, s in others if p == f and s]
        if sheets and (path.is_file() or any(e.startswith(f"{f.name}[") for e in exports)):
            out += [_unrecognised_sheet(f, s) for s in sheets]
        else:
            out.append(_unrecognised(f.name))
    return out


def _discover_sheets(path: Path, books: Books) -> tuple[dict[str, list], list[Issue], list[Candidate]]:
    names = books.get(path).sheet_names
    out: dict[str, list] = {}
    issues: list[Issue] = []
    unknown: list[Candidate] = []
    for sheet in names:
        kind = _classify(sheet)
        if kind is None:
            if normalise_header(sheet) not in IGNORED_SHEETS:
                unknown.append((path, sheet))
            continue
        if kind == "ledger":
            issues.append(Issue(_label(path, sheet), None, None, None,
                                "a transaction ledger in a workbook sheet is not read",
                                "save the ledger as ledger.csv or ledger.parquet next to the other files", "warning",
                                "ledger"))
            continue
        if kind == "profile" and kind in out:
            issues.append(Issue(_label(path, sheet), None, None, None,
                                f"sheets {out[kind][0][1]!r} and {sheet!r} both hold the profile; only "
                                f"{out[kind][0][1]!r} was read", "keep one profile sheet", "error"))
            continue
        out.setdefault(kind, []).append((path, sheet))
    return out, issues, unknown


def discover(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, list[Path] | tuple[Path, str]]:
    """Find the files (or workbook sheets) holding each table of a hospital.

    Parameters
    ----------
    path : pathlib.Path
        A hospital folder, or one ``.xlsx`` workbook with a sheet per table.
    max_bytes : int
        Largest Excel workbook opened to list its sheets (default 50 MB).

    Returns
    -------
    dict
        Table name -> list of files (one file per table; every ``ledger*`` file for
        ``"ledger"``, which is always a list of files: ledger sheets are not read) or
        ``(workbook, sheet)``. The key ``"profile"`` holds the profile file or
        sheet when found. Tables without a file are absent. File names are matched on the
        table's canonical name, Chinese name or aliases, ignoring case, spaces, underscores,
        hyphens and full-width forms (``budget.csv``, ``预算.xlsx``, ``Budget Monthly.csv``).

    Raises
    ------
    InputFileError
        The path does not exist, or is a file that is not an ``.xlsx`` workbook.
    """
    with Books(max_bytes) as books:
        found = _discover(path, books)[0]
    return {name: refs[0] if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], tuple) else refs
            for name, refs in found.items()}


# ============================================================================ profile
def _profile_keys() -> dict[str, str]:
    out = {}
    for key, (_, zh, _, _) in PROFILE_FIELDS.items():
        out[normalise_header(key)] = key
        out[normalise_header(zh)] = key
    return out


_PROFILE_ENUMS = {"tier": TIERS, "currency_unit": CURRENCY_UNITS}


def _profile_value(key: str, value: object, label: str, row: int | None, written: str) -> tuple[object, list[Issue]]:
    dtype = PROFILE_FIELDS[key][0]
    if isinstance(value, (dict, list)):
        return None, [Issue(label, row, written, short(value), "profile value must be a single value, not a list",
                            "write one value after the key", "error")]
    column = Column(key, dtype, enum=_PROFILE_ENUMS.get(key))
    text = "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    if dtype in ("int", "float") and (isinstance(value, float) and not math.isfinite(value)
                                      or text.strip().lower().lstrip("+-.") in ("nan", "inf", "infinity")):
        return None, [Issue(label, row, written, short(text), f"profile value of '{key}' is not a finite number",
                            "write the number itself (0 or more), or leave the key out if it is not known", "error")]
    v = plain_value(text, column)
    if v is None:
        result = parse_column(pd.Series([text], dtype="str"), column)
        issues = [Issue(label, row, written, short(p["value"]), p["problem"], p["fix"], "error")
                  for _, p in result.problems.iterrows()]
        v = result.values.iloc[0]
        if pd.isna(v):
            return None, issues
    else:
        issues = []
    if dtype in ("int", "float") and v < 0:
        return None, issues + [Issue(label, row, written, short(text), f"profile value of '{key}' is negative",
                                     "write a number of 0 or more (beds, staff, assets and liabilities cannot be "
                                     "negative)", "error")]
    if dtype == "int":
        return int(v), issues
    if dtype == "float":
        return float(v), issues
    if dtype == "bool":
        return bool(v), issues
    return str(v), issues


def _profile_from_pairs(pairs: list[tuple[int | None, str, object]], label: str) -> tuple[dict, list[Issue]]:
    keys = _profile_keys()
    out: dict = {}
    seen: dict[str, str] = {}
    issues: list[Issue] = []
    for row, written, value in pairs:
        key = keys.get(normalise_header(written))
        if key is None:
            issues.append(Issue(label, row, written, None, f"unknown profile key '{written}' was ignored",
                                f"use one of: {', '.join(PROFILE_FIELDS)} (or their Chinese names)", "warning"))
            continue
        if key in seen:
            issues.append(Issue(label, row, written, None,
                                f"profile keys '{seen[key]}' and '{written}' both mean {key}; the first was used",
                                "keep one of them", "error"))
            continue
        seen[key] = written
        out[key], found = _profile_value(key, value, label, row, written)
        issues += found
        if out[key] is None and not found and PROFILE_FIELDS[key][2]:
            issues.append(blank_profile_value(key, written, label, row))
    return out, issues


def _profile_from_grid(grid: Grid, label: str) -> tuple[dict, list[Issue]]:
    pairs: list[tuple[int | None, str, object]] = []
    cells = grid.cells
    for pos in range(len(cells)):
        key = cells.iat[pos, 0].strip() if cells.shape[1] else ""
        value = cells.iat[pos, 1].strip() if cells.shape[1] > 1 else ""
        if not key and not value:
            continue
        if not pairs and normalise_header(key) in _PROFILE_HEADER_WORDS:
            continue
        pairs.append((int(grid.rownum[pos]), key, value))
    out, issues = _profile_from_pairs(pairs, label)
    return out, list(grid.notes) + issues


def read_profile(path_or_sheet: Path | tuple[Path, str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[dict, list[Issue]]:
    """Read the hospital profile: ``hospital.yaml``, ``profile.csv`` (key,value rows) or a sheet.

    Keys may be canonical (``beds``) or Chinese (``编制床位``, see
    :data:`~casekit.data.schema.tables.PROFILE_FIELDS`); values are parsed to the key's type and
    ``tier`` / ``currency_unit`` aliases are applied (``三级`` -> ``tertiary``, ``万元`` ->
    ``ten_thousands``).

    Parameters
    ----------
    path_or_sheet : path or (workbook, sheet)
    max_bytes : int
        Largest Excel workbook accepted.

    Returns
    -------
    (dict, list of Issue)
        Canonical key -> value (``None`` for blank values); unknown keys are warnings, values
        that cannot be parsed are errors. Required keys are checked by validation.

    Raises
    ------
    InputFileError
        The file cannot be read or is not a mapping / key,value table.
    """
    with Books(max_bytes) as books:
        return _read_profile(path_or_sheet, books)


def _read_profile(path_or_sheet: Path | tuple[Path, str], books: Books) -> tuple[dict, list[Issue]]:
    if isinstance(path_or_sheet, tuple):
        path, sheet = Path(path_or_sheet[0]), path_or_sheet[1]
    else:
        path, sheet = Path(path_or_sheet), None
    label = _label(path, sheet)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        check_yaml_size(path.stat().st_size, label)  # before reading a 50 MB "profile"
        text, notes = decode_text(path, label)
        data = load_profile_yaml(text, label)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InputFileError(f"{label} must contain 'key: value' lines, not a {type(data).__name__}",
                                 hint="write one 'key: value' per line, e.g. 'tier: secondary'")
        out, issues = _profile_from_pairs([(None, str(k), v) for k, v in data.items()], label)
        return out, notes + issues
    if suffix in EXCEL_SUFFIXES + (".xls",):
        wb = books.get(path, label)
        if not (sheet or wb.sheet_names):
            raise InputFileError(f"{label} has no worksheets", hint="put the key,value rows in the first sheet")
        sheet = sheet or wb.sheet_names[0]
        label = _label(path, sheet)
        return _profile_from_grid(sheet_grid(wb, sheet, label), label)
    if suffix in TEXT_SUFFIXES:
        return _profile_from_grid(csv_grid(path, label), label)
    raise InputFileError(f"{label}: unsupported profile file type {suffix}",
                         hint="use hospital.yaml or profile.csv (key,value)")


def read_hospital_files(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[dict[str, RawTable], dict, list[Issue]]:
    """Read every table (except the ledger) and the profile of one hospital.

    Parameters
    ----------
    path : pathlib.Path
        Hospital folder or ``.xlsx`` workbook (see :func:`discover`).
    max_bytes : int
        Largest Excel workbook accepted (default 50 MB).

    Returns
    -------
    tables : dict of str to RawTable
        Tables found (canonical name -> RawTable); missing tables are absent (validation
        decides whether that is an error). ``ledger`` files are not read here.
    profile : dict
        Raw profile, canonical keys, parsed values (empty when no profile was found).
    issues : list of Issue
        File-level issues: unrecognised files/sheets, duplicate files for a table, a missing
        profile, and the profile's own issues. Each table's issues are in its RawTable.

    Raises
    ------
    InputFileError
        A file cannot be read at all (corrupt, too large, wrong format).
    """
    path = Path(path)
    with Books(max_bytes) as books:
        found, issues, candidates = _discover(path, books)
        profile: dict = {}
        if "profile" in found:
            ref = found["profile"]
            profile, profile_issues = _read_profile(ref if isinstance(ref, tuple) else ref[0], books)
            issues += profile_issues
        tables: dict[str, RawTable] = {}
        for name, refs in found.items():
            if name in ("ledger", "profile"):
                continue
            targets = [refs] if isinstance(refs, tuple) else refs
            raws = [_read_table(target, TABLES[name], _ref_label(target), books) for target in targets]
            if len(raws) > 1:                    # check each file's total rows before combining
                for raw in raws:
                    issues += subtotal_issues({name: raw})
            tables[name] = raws[0] if len(raws) == 1 else combine(raws, TABLES[name].key)
        sheets, others, export_issues = probe(candidates, books)
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES and not sheets and not export_issues:
            raise InputFileError(f"{path.name} is neither a folder nor an Excel workbook, and not a finance-system "
                                 "export (no account name or code column with an amount column in its first rows)",
                                 hint="give the folder holding the table files, one .xlsx workbook, or the export "
                                      "as the finance system wrote it")
        issues += export_issues
        issues += _unread_candidates(path, others, {s.label for s in sheets})
        if sheets:
            source = path.name
            folder = path if path.is_dir() else path.parent
            exported, facts, found_issues = read_exports(sheets, find_mapping(folder), profile.get("currency_unit"),
                                                         source)
            issues += found_issues
            for name, raw in exported.items():
                if name in tables and name in ("departments", "accounts"):
                    issues.append(Issue(tables[name].file, None, None, None, f"{name} come from {tables[name].file}; "
                                        f"the export's {name} were not used", "Nothing to do.", "warning", name))
                    continue
                tables[name] = combine([tables[name], raw], TABLES[name].key) if name in tables else raw
            if not profile:
                profile = dict(facts)
                shown = ", ".join(f"{k} {v!r}" for k, v in facts.items()) or "nothing"
                issues.append(Issue(source, None, None, None, f"no hospital profile: taken from the export ({shown})",
                                    "add hospital.yaml (name, tier, currency_unit) to state them yourself", "warning"))
                return tables, profile, issues
        if "profile" not in found:
            issues.append(Issue(path.name, None, None, None, "no hospital profile found",
                                "add hospital.yaml (name, tier, currency_unit ...) or profile.csv with key,value "
                                "rows, or a 'profile' / '医院概况' sheet", "warning"))
    return tables, profile, issues
