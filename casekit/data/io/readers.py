"""Find a hospital's table files and read them into :class:`~casekit.data.io.raw.RawTable` objects.

A hospital is either a folder (one CSV/TSV/Parquet/xlsx file per table, named by the table's
canonical name, Chinese name or an alias, e.g. ``budget.csv`` or ``预算.xlsx``, plus
``hospital.yaml`` or ``profile.csv``) or one ``.xlsx`` workbook with a sheet per table and a
``profile`` / ``医院概况`` sheet of key,value rows. Transaction ledgers (``ledger*.csv`` /
``ledger*.parquet``) are only *found* here; :mod:`casekit.data.io.ledger` aggregates them.

What the readers cope with (client files are hand-edited finance-office exports):

* CSV in UTF-8, UTF-8 with BOM, GBK/GB18030 (warning "read as GB18030") and UTF-16 (Excel's
  "Unicode text"); comma, tab or semicolon delimiters (sniffed). Everything is read as text
  first so account codes such as ``6001.10`` stay text.
* Title rows above the header (the header is the first of the first 10 non-blank rows in
  which at least two cells name known columns), two-row headers (a merged group label over
  sub-headers: the combination that names a column is used, e.g. ``预算数`` over ``年初``
  gives ``年初预算数``), merged cells (the value fills the merged area), formulas (the cached
  values are read; a formula never calculated is an error), numeric codes formatted with
  leading zeros (``0101``).
* Blank rows (dropped silently), total/subtotal rows (合计, 小计, 总计, total; dropped with a
  warning each, kept in :attr:`RawTable.totals`), footnote rows (``注：...``, ``制表人``;
  dropped with a warning).

Excel: sheets are read by :mod:`casekit.data.io.xlsx` (one streaming pass over each sheet that maps
to a table; styles and shared strings once per workbook), which parses every XML part with
:mod:`defusedxml`'s protections: a DOCTYPE, entity declaration or external reference is refused
before anything is expanded. Workbooks above ``max_bytes`` (default 50 MB) or whose parts
would unpack beyond ``20 * max_bytes`` are refused unread.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers.expat import ExpatError

import numpy as np
import pandas as pd
import yaml

from casekit.errors import InputFileError, Issue
from casekit.data.io.parse import (
    accepted_headers,
    count_header_matches,
    header_lookup,
    map_headers,
    normalise_header,
    parse_column,
    total_mask,
)
from casekit.data.io.raw import RawTable
from casekit.data.io.xlsx import Workbook
from casekit.data.schema.tables import CURRENCY_UNITS, PROFILE_FIELDS, TABLES, TIERS, Column, Table

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Largest Excel workbook read (bytes on disk)."""
EXPANSION_FACTOR = 20
"""Refuse workbooks whose unpacked XML exceeds this multiple of ``max_bytes`` (zip bombs)."""
HEADER_SEARCH_ROWS = 10
MAX_ISSUES_PER_COLUMN = 200
"""Cell problems reported per column; the rest are summarised in one issue."""

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
DATA_SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES + (".xls",)
YAML_SUFFIXES = (".yaml", ".yml")
PROFILE_NAMES = ("hospital", "profile", "医院概况", "概况", "基本情况", "医院信息")
IGNORED_SHEETS = ("readme", "说明", "填表说明", "datadictionary", "数据字典", "dictionary", "instructions", "notes")
FREE_TEXT_COLUMNS = ("reason", "evidence", "requirement", "text_zh", "text_en")
_FOOTNOTE = re.compile(r"^\s*(?:注|备注|说明|制表|审核|复核|填表|编制|单位|数据来源|来源|note|source)", re.IGNORECASE)
_LABEL_HEADER = re.compile(r"名称|name|项目|摘要|item")
_PROFILE_HEADER_WORDS = ("key", "field", "item", "项目", "字段", "键", "参数")
_GLUED = re.compile(r"[|;\t，、]")

TableFiles = dict[str, "list[Path] | tuple[Path, str]"]


# ============================================================================ grids
@dataclass
class _Grid:
    """All cells of one file/sheet as text, before the header is known.

    ``cells`` has positional columns 0..n-1 and one row per file row (blank rows kept);
    ``rownum`` is each row's number as the user sees it. ``formatted`` holds, for numeric
    Excel cells with a zero-padding format, the text as displayed (used for text columns);
    ``no_value`` holds positions of formulas without a cached value.
    """

    cells: pd.DataFrame
    rownum: np.ndarray
    formatted: dict[tuple[int, int], str] = field(default_factory=dict)
    no_value: set[tuple[int, int]] = field(default_factory=set)
    notes: list[Issue] = field(default_factory=list)


def _frame_from_rows(rows: list[list[str]]) -> pd.DataFrame:
    width = max((len(r) for r in rows), default=0)
    padded = [r + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(padded, columns=range(width), dtype=object).astype("str") if rows else pd.DataFrame()


def _decode(path: Path, label: str) -> tuple[str, list[Issue]]:
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        raise InputFileError(f"{label} is an Excel workbook (zip file), not a text file",
                             hint=f"rename it to {path.stem}.xlsx, or save it from Excel as CSV UTF-8")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
        return text, []
    try:
        text = data.decode("utf-8-sig")
        notes: list[Issue] = []
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{label} is neither UTF-8 nor GBK/GB18030 text ({exc.reason} at byte {exc.start})",
                                 hint="save it from Excel as 'CSV UTF-8 (comma delimited)'") from None
        notes = [Issue(label, None, None, None, "file is not UTF-8; read as GB18030 (GBK)",
                       "check that Chinese text reads correctly; saving as 'CSV UTF-8' avoids the guess", "warning")]
    if "\x00" in text:
        raise InputFileError(f"{label} contains binary data and is not a CSV/TSV text file",
                             hint="export the table from Excel as CSV UTF-8")
    return text, notes


def _sniff_delimiter(text: str, suffix: str) -> str:
    lines = [ln for ln in text[:65536].splitlines()[:60] if ln.strip()]
    best, best_score = ",", (0, 0)
    for d in ("\t", ",", ";"):
        counts = Counter(len(r) for r in csv.reader(lines, delimiter=d))
        if not counts:
            continue
        mode, freq = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if mode < 2:
            continue
        if d == "\t" and suffix == ".tsv":
            return d
        if (freq, mode) > best_score:
            best, best_score = d, (freq, mode)
    return best


def _csv_grid(path: Path, label: str) -> _Grid:
    text, notes = _decode(path, label)
    if not text.strip():
        return _Grid(pd.DataFrame(), np.array([], dtype=int), notes=notes)
    delim = _sniff_delimiter(text, path.suffix.lower())
    try:
        sample = list(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delim))
        if len(text) > 65536:
            sample = sample[:-1] or [[""]]  # the last sampled record may be cut off
        width = max(len(r) for r in sample)
        try:
            cells = pd.read_csv(io.StringIO(text), sep=delim, header=None, names=range(width), dtype=str,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False, index_col=False,
                                engine="c")
        except pd.errors.ParserError:
            cells = _frame_from_rows(list(csv.reader(io.StringIO(text, newline=""), delimiter=delim)))
    except (ValueError, csv.Error) as exc:
        raise InputFileError(f"{label} could not be read as a delimited text file: {exc}",
                             hint="open it in Excel and save it as 'CSV UTF-8 (comma delimited)'") from None
    cells = cells.astype("str")
    return _Grid(cells, np.arange(1, len(cells) + 1), notes=notes)


def _parquet_grid(path: Path, label: str) -> _Grid:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise InputFileError(f"{label} could not be read as Parquet: {type(exc).__name__}: {exc}",
                             hint="write the file again (pandas.DataFrame.to_parquet) or supply a CSV instead") from None
    header = pd.DataFrame([[str(c) for c in df.columns]], columns=range(df.shape[1]))
    body = pd.DataFrame({i: _series_text(df.iloc[:, i]) for i in range(df.shape[1])}, index=range(len(df)))
    cells = pd.concat([header, body], ignore_index=True).astype("str").fillna("")
    return _Grid(cells, np.arange(1, len(cells) + 1))


def _series_text(s: pd.Series) -> pd.Series:
    s = s.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    if pd.api.types.is_float_dtype(s):
        ints = s.notna() & (s % 1 == 0) & (s.abs() < 1e15)
        out = s.astype("str")
        out[ints] = s[ints].astype("int64").astype("str")
        return out.fillna("")
    return s.astype("str").fillna("")


# ---------------------------------------------------------------------------- Excel
def _check_workbook(path: Path, label: str, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputFileError(f"{label} is {_size(size)}, above the {_size(max_bytes)} limit for Excel files",
                             hint="save large tables as CSV or Parquet, or raise the limit (environment variable "
                                  "CASEKIT_MAX_EXCEL_BYTES, or max_bytes)")
    if path.suffix.lower() == ".xls":
        raise InputFileError(f"{label} is an old Excel 97-2003 (.xls) file",
                             hint="open it in Excel and save it as .xlsx (Excel Workbook)")
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InputFileError(f"{label} is not a valid .xlsx workbook (corrupt, password-protected or another format)",
                             hint="open it in Excel, remove any password and save it again as .xlsx") from None
    if unpacked > EXPANSION_FACTOR * max_bytes:
        raise InputFileError(f"{label} unpacks to {_size(unpacked)} of XML, which is not safe to read",
                             hint="save the tables as CSV or Parquet")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _refused_xml(exc: BaseException, label: str) -> InputFileError | None:
    """An InputFileError when ``exc`` (or its cause) is defusedxml refusing entities or a DTD."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return InputFileError(f"{label} contains XML entity or DTD declarations (a possible 'billion laughs' XML "
                                  "bomb) and was refused unread",
                                  hint="open it in Excel and save it again as .xlsx; if it did not come from the "
                                       "hospital's own Excel, have it checked")
        seen = seen.__cause__ or seen.__context__
    return None


_EXCEL_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, IndexError, SyntaxError, ExpatError, EOFError, OSError,
                 zlib.error)
"""What reading a damaged workbook raises (``xml.etree.ElementTree.ParseError`` is a SyntaxError,
defusedxml's refusals are ValueErrors)."""


@contextmanager
def _excel_errors(label: str, doing: str) -> Iterator[None]:
    """Turn the errors of reading a damaged or hostile workbook into an InputFileError."""
    try:
        yield
    except _EXCEL_ERRORS as exc:
        refused = _refused_xml(exc, label)
        if refused is not None:
            raise refused from None
        raise InputFileError(f"{label} could not be {doing} as an Excel workbook: {type(exc).__name__}: {exc}",
                             hint="open it in Excel and save it again as .xlsx") from None


def _open_workbook(path: Path, label: str, max_bytes: int) -> Workbook:
    _check_workbook(path, label, max_bytes)
    with _excel_errors(label, "opened"):
        return Workbook(path)


class _Books:
    """Workbooks opened at most once per read (sheet list, styles and shared strings read once), closed on exit."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._open: dict[Path, Workbook] = {}

    def get(self, path: Path, label: str | None = None) -> Workbook:
        key = Path(path).resolve()
        if key not in self._open:
            self._open[key] = _open_workbook(Path(path), label or Path(path).name, self.max_bytes)
        return self._open[key]

    def __enter__(self) -> "_Books":
        return self

    def __exit__(self, *exc) -> None:
        for wb in self._open.values():
            wb.close()


def _sheet_grid(wb: Workbook, sheet: str, label: str) -> _Grid:
    with _excel_errors(label, "read"):
        read = wb.read_sheet(sheet)
    cells = _frame_from_rows(read.rows)
    return _Grid(cells, np.arange(1, len(cells) + 1), read.formatted, read.no_value)


# ============================================================================ header + rows
def _ffill(values: list[str]) -> list[str]:
    out, last = [], ""
    for v in values:
        last = v or last
        out.append(last)
    return out


def _combine(top: list[str], sub: list[str], lookup: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Per column of a two-row header: (text used for matching, header as written)."""
    filled = _ffill(top)
    out = []
    for t, s, tf in zip(top, sub, filled):
        t, s, tf = t.strip(), s.strip(), tf.strip()
        if not s:
            out.append((t, t))
            continue
        group = t or tf
        cands = [s, group + s, s + group, t] if group else [s]
        match = next((c for c in cands if c and normalise_header(c) in lookup), None)
        written = s if not group or group == s else f"{group} / {s}"
        out.append((match if match is not None else written, written))
    return out


def _find_header(cells: pd.DataFrame, lookup: dict[str, list[str]]) -> tuple[int, int, list[tuple[str, str]]]:
    """Return (position of the first header row, number of header rows, per-column (match text, written))."""
    nonblank = cells.index[(cells != "").any(axis=1)]
    for p in nonblank[:HEADER_SEARCH_ROWS]:
        top = cells.iloc[p].tolist()
        single = count_header_matches(top, lookup)
        if p + 1 < len(cells):
            sub = cells.iloc[p + 1].tolist()
            pair = _combine(top, sub, lookup)
            pair_n = count_header_matches((m for m, _ in pair), lookup)
            if pair_n >= 2 and pair_n > max(single, count_header_matches(sub, lookup)):
                return p, 2, pair
        if single >= 2:
            return p, 1, [(t.strip(), t.strip()) for t in top]
    p = int(nonblank[0])
    return p, 1, [(t.strip(), t.strip()) for t in cells.iloc[p].tolist()]


def _col_letter(pos: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(pos + 1)


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unit_warnings(table: Table, headers: dict[str, str], title: list[str], label: str) -> list[Issue]:
    """Warn when headers or title rows state 万元, since the unit comes from the profile."""
    out = []
    for name, written in headers.items():
        if table.column(name).money and "万" in written:
            out.append(Issue(label, None, written, None,
                             "the header says the amounts are in 万元; casekit reads every amount in the profile's "
                             "currency_unit", "set currency_unit: 10k_yuan in the profile if these amounts are in 万元",
                             "warning", table.name))
    if any("万元" in t for t in title):
        out.append(Issue(label, None, None, None,
                         "a title row says the amounts are in 万元; casekit reads every amount in the profile's "
                         "currency_unit", "set currency_unit: 10k_yuan in the profile if these amounts are in 万元",
                         "warning", table.name))
    return out


def _raw_from_grid(grid: _Grid, table: Table, label: str) -> RawTable:
    issues = [Issue(i.file, i.row, i.column, i.value, i.problem, i.fix, i.severity, table.name) for i in grid.notes]
    cells = grid.cells
    if cells.empty or not (cells != "").to_numpy().any():
        issues.append(Issue(label, None, None, None, "file has no data rows (it is empty)",
                            "fill in the table or remove the file", "warning", table.name))
        return RawTable(table.name, label, pd.DataFrame(), pd.Series([], dtype="int64"), {}, issues, [])
    cells = cells.apply(lambda c: c.str.strip())
    lookup = header_lookup(table)
    hpos, nrows, header = _find_header(cells, lookup)
    mapping = map_headers([m for m, _ in header], table, label, [w for _, w in header])
    written = {pos: header[pos][1] for pos in range(len(header))}
    headers = mapping.headers
    issues += mapping.issues
    glued = next((written[p] for p, _ in mapping.unknown if _GLUED.search(written[p])), None)
    if not mapping.columns and glued is not None:
        issues.append(Issue(label, None, _short(glued), None,
                            f"the header is one cell '{_short(glued)}': the columns seem to be separated by "
                            f"{_GLUED.search(glued).group()!r}, but casekit splits on commas, tabs or semicolons",
                            "save the file as comma-separated 'CSV UTF-8' from Excel", "error", table.name))
    title = [t for t in cells.iloc[:hpos].to_numpy().ravel().tolist() if t]
    issues += _unit_warnings(table, headers, title, label)

    data = cells.iloc[hpos + nrows:]
    rownum = pd.Series(grid.rownum[hpos + nrows:], index=data.index)
    filled = data != ""
    keep = filled.any(axis=1)
    unknown_columns: list[str] = []
    for pos, text in mapping.unknown:
        unknown_columns.append(written[pos])
        issues.append(Issue(label, None, written[pos], None,
                            f"column '{written[pos]}' is not part of table {table.name} and was ignored",
                            f"rename it to one of the accepted headers ({', '.join(table.column_names)} or their "
                            "Chinese names) or delete it", "warning", table.name))
    for pos in mapping.blank:
        if filled[pos].any():
            issues.append(Issue(label, None, f"column {_col_letter(pos)}", None,
                                f"column {_col_letter(pos)} has values but no header; it was ignored",
                                "give the column a header or delete it", "warning", table.name))
    used = sorted(mapping.columns, key=lambda p: table.column_names.index(mapping.columns[p]))
    frame = data.loc[keep, used].rename(columns=mapping.columns)
    rows = rownum.loc[keep]

    # footnote rows: one filled cell starting with 注/说明/制表人 ...
    one = filled.loc[keep].sum(axis=1) == 1
    if one.any():
        first = data.loc[keep].loc[one].apply(lambda r: next(v for v in r if v), axis=1)
        foot = first.str.match(_FOOTNOTE).fillna(False).astype(bool)
        for idx in foot[foot].index:
            issues.append(Issue(label, int(rows[idx]), None, _short(first[idx]),
                                "note row below or inside the table was ignored",
                                "keep notes outside the table (or in another sheet)", "warning", table.name))
        frame, rows = frame.drop(index=foot[foot].index), rows.drop(index=foot[foot].index)

    # numeric cells formatted with leading zeros (codes) are read as displayed in text columns
    for (r, c), shown in grid.formatted.items():
        name = mapping.columns.get(c)
        if name and r in frame.index and table.column(name).dtype == "str":
            frame.loc[r, name] = shown

    # totals: look in id/name columns, including unused name columns such as 科目名称 in a budget file
    label_cols = [pos for pos, text in mapping.unknown if _LABEL_HEADER.search(normalise_header(text))]
    check = pd.concat([frame[[c for c in frame.columns if c not in FREE_TEXT_COLUMNS]],
                       data.loc[frame.index, label_cols].rename(columns=lambda p: f"column {p}")], axis=1)
    is_total = total_mask(check, check.columns) if len(frame) else pd.Series(False, index=frame.index)
    for idx in is_total[is_total].index:
        cells_of_row = check.loc[idx].tolist()
        cell = next((v for v in cells_of_row if re.search("计|total", v, re.IGNORECASE)), cells_of_row[0])
        issues.append(Issue(label, int(rows[idx]), None, _short(cell),
                            "total/subtotal row excluded (casekit recomputes totals from the detail rows)",
                            "nothing to do; delete the row to silence this warning", "warning", table.name))
    totals_raw = frame.loc[is_total]
    frame, rows = frame.loc[~is_total], rows.loc[~is_total]

    # formulas that were never calculated
    for r, c in sorted(grid.no_value):
        name = mapping.columns.get(c)
        if name and r in frame.index:
            issues.append(Issue(label, int(rows[r]), headers[name], None,
                                "formula without a saved result (the workbook was never calculated)",
                                "open the workbook in Excel, let it calculate and save it, or paste values",
                                "error", table.name))

    parsed: dict[str, pd.Series] = {}
    for name in frame.columns:
        result = parse_column(frame[name], table.column(name))
        parsed[name] = result.values
        probs = result.problems.sort_index()
        for n, (idx, p) in enumerate(probs.iterrows()):
            if n == MAX_ISSUES_PER_COLUMN:
                issues.append(Issue(label, None, headers[name], None,
                                    f"{len(probs) - n} more cells in this column could not be read",
                                    p["fix"], "error", table.name))
                break
            issues.append(Issue(label, int(rows[idx]), headers[name], _short(p["value"]), p["problem"], p["fix"],
                                "error", table.name))

    for col in table.columns:
        if col.required and col.name not in headers:
            issues.append(Issue(label, None, None, None,
                                f"required column '{col.name}' ({col.zh}) is missing",
                                f"add a column with one of the headers: {accepted_headers(col)}", "error", table.name))
    if len(frame) == 0:
        issues.append(Issue(label, None, None, None, "file has no data rows",
                            "fill in the table or remove the file", "warning", table.name))

    df = pd.DataFrame(parsed, index=frame.index).reset_index(drop=True)
    totals = pd.DataFrame({n: parse_column(totals_raw[n], table.column(n)).values for n in totals_raw.columns},
                          index=totals_raw.index)
    totals["row"] = rownum.loc[totals_raw.index].astype("int64")
    issues = _sorted_issues(issues)
    return RawTable(table.name, label, df, rows.reset_index(drop=True).astype("int64"), headers, issues,
                    unknown_columns, totals.reset_index(drop=True))


def _sorted_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.row is not None, i.row or 0))


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
    with _Books(max_bytes) as books:
        return _read_table(path_or_sheet, table, label, books)


def _read_table(path_or_sheet: Path | str | tuple[Path, str], table: Table, label: str | None,
                books: _Books) -> RawTable:
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
        grid = _sheet_grid(wb, sheet, label)
    elif suffix in PARQUET_SUFFIXES:
        label = label or path.name
        grid = _parquet_grid(path, label)
    elif suffix in TEXT_SUFFIXES:
        label = label or path.name
        grid = _csv_grid(path, label)
    else:
        raise InputFileError(f"{path.name}: unsupported file type {suffix or '(none)'}",
                             hint="use .csv, .tsv, .xlsx or .parquet")
    return _raw_from_grid(grid, table, label)


def _table_keys(table: Table) -> set[str]:
    return {normalise_header(n) for n in (table.name, table.zh, *table.aliases)}


def _table_index() -> dict[str, str]:
    return {key: t.name for t in TABLES.values() for key in _table_keys(t)}


def _classify(name: str) -> str | None:
    """Table name (or ``"profile"``) a file stem or sheet name stands for."""
    key = normalise_header(name)
    if key in {normalise_header(p) for p in PROFILE_NAMES}:
        return "profile"
    if any(key.startswith(k) for k in _table_keys(TABLES["ledger"])):
        return "ledger"
    return _table_index().get(key)


def _discover(path: Path, books: _Books) -> tuple[TableFiles, list[Issue]]:
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path} does not exist", hint="give the hospital's data folder or workbook")
    if path.is_file():
        if path.suffix.lower() not in EXCEL_SUFFIXES:
            raise InputFileError(f"{path.name} is neither a folder nor an Excel workbook",
                                 hint="give the folder holding the table files, or one .xlsx workbook")
        return _discover_sheets(path, books, unknown_warning=True)
    found: dict[str, list] = {}
    issues: list[Issue] = []
    for f in sorted(path.iterdir()):
        if not f.is_file() or f.name.startswith((".", "~$")):
            continue
        suffix = f.suffix.lower()
        if suffix not in DATA_SUFFIXES + YAML_SUFFIXES:
            continue
        kind = _classify(f.stem)
        if (kind == "profile" and suffix not in PARQUET_SUFFIXES) or (kind not in (None, "profile")
                                                                      and suffix not in YAML_SUFFIXES):
            found.setdefault(kind, []).append(f)
        elif suffix in EXCEL_SUFFIXES:
            sheets, sheet_issues = _discover_sheets(f, books, unknown_warning=False)
            if sheets:
                issues += sheet_issues
                for name, ref in sheets.items():
                    found.setdefault(name, []).append(ref)
                continue
            issues.append(_unrecognised(f.name))
        else:
            issues.append(_unrecognised(f.name))
    out: TableFiles = {}
    for name, refs in found.items():
        refs.sort(key=lambda r: 2 if isinstance(r, tuple) else 0 if r.suffix.lower() in YAML_SUFFIXES else 1)
        if name != "ledger" and len(refs) > 1:
            shown = ", ".join(_ref_label(r) for r in refs)
            issues.append(Issue(_ref_label(refs[0]), None, None, None,
                                f"several files hold {name}: {shown}; only {_ref_label(refs[0])} was read",
                                "keep one file per table", "error", None if name == "profile" else name))
        out[name] = refs[0] if isinstance(refs[0], tuple) else (refs if name == "ledger" else [refs[0]])
    return out, issues


def _ref_label(ref: Path | tuple[Path, str]) -> str:
    return _label(*ref) if isinstance(ref, tuple) else ref.name


def _unrecognised(name: str) -> Issue:
    known = ", ".join(TABLES)
    return Issue(name, None, None, None, "file name matches no table and the file was ignored",
                 f"name it after a table ({known}), its Chinese name (e.g. 预算.csv), or hospital.yaml", "warning")


def _discover_sheets(path: Path, books: _Books, unknown_warning: bool) -> tuple[TableFiles, list[Issue]]:
    names = books.get(path).sheet_names
    out: TableFiles = {}
    issues: list[Issue] = []
    for sheet in names:
        kind = _classify(sheet)
        if kind is None:
            if unknown_warning and normalise_header(sheet) not in IGNORED_SHEETS:
                issues.append(Issue(_label(path, sheet), None, None, None,
                                    "sheet name matches no table and the sheet was ignored",
                                    f"name the sheet after a table ({', '.join(TABLES)}) or its Chinese name",
                                    "warning"))
            continue
        if kind == "ledger":
            issues.append(Issue(_label(path, sheet), None, None, None,
                                "a transaction ledger in a workbook sheet is not read",
                                "save the ledger as ledger.csv or ledger.parquet next to the other files", "warning",
                                "ledger"))
            continue
        if kind in out:
            issues.append(Issue(_label(path, sheet), None, None, None,
                                f"sheets {out[kind][1]!r} and {sheet!r} both hold {kind}; only {out[kind][1]!r} was read",
                                "keep one sheet per table", "error", None if kind == "profile" else kind))
            continue
        out[kind] = (path, sheet)
    return out, issues


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
    with _Books(max_bytes) as books:
        return _discover(path, books)[0]


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
        return None, [Issue(label, row, written, _short(value), "profile value must be a single value, not a list",
                            "write one value after the key", "error")]
    column = Column(key, dtype, enum=_PROFILE_ENUMS.get(key))
    text = "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    result = parse_column(pd.Series([text], dtype="str"), column)
    issues = [Issue(label, row, written, _short(p["value"]), p["problem"], p["fix"], "error")
              for _, p in result.problems.iterrows()]
    v = result.values.iloc[0]
    if pd.isna(v):
        return None, issues
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
    return out, issues


def _profile_from_grid(grid: _Grid, label: str) -> tuple[dict, list[Issue]]:
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
    ``10k_yuan``).

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
    with _Books(max_bytes) as books:
        return _read_profile(path_or_sheet, books)


def _read_profile(path_or_sheet: Path | tuple[Path, str], books: _Books) -> tuple[dict, list[Issue]]:
    if isinstance(path_or_sheet, tuple):
        path, sheet = Path(path_or_sheet[0]), path_or_sheet[1]
    else:
        path, sheet = Path(path_or_sheet), None
    label = _label(path, sheet)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        text, notes = _decode(path, label)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise InputFileError(f"{label} is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
                                 hint="write one 'key: value' per line, e.g. 'name: J Hospital'") from None
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
        return _profile_from_grid(_sheet_grid(wb, sheet, label), label)
    if suffix in TEXT_SUFFIXES:
        return _profile_from_grid(_csv_grid(path, label), label)
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
    with _Books(max_bytes) as books:
        found, issues = _discover(path, books)
        tables: dict[str, RawTable] = {}
        for name, ref in found.items():
            if name in ("ledger", "profile"):
                continue
            target = ref if isinstance(ref, tuple) else ref[0]
            tables[name] = _read_table(target, TABLES[name], _ref_label(target), books)
        profile: dict = {}
        if "profile" in found:
            ref = found["profile"]
            profile, profile_issues = _read_profile(ref if isinstance(ref, tuple) else ref[0], books)
            issues += profile_issues
        else:
            issues.append(Issue(path.name, None, None, None, "no hospital profile found",
                                "add hospital.yaml (name, tier, currency_unit ...) or profile.csv with key,value "
                                "rows, or a 'profile' / '医院概况' sheet", "warning"))
    return tables, profile, issues
