"""Every cell of one file or sheet as text, before the header is known (:class:`Grid`).

CSV/TSV text is decoded (UTF-8, UTF-8 with BOM, GBK/GB18030 with a warning, UTF-16) and its
delimiter sniffed; Parquet columns are written back as text; Excel sheets are read by
:mod:`casekit.data.io.xlsx` from workbooks opened once per read (:class:`Books`), after a size
and zip-bomb check, with the errors of a damaged or hostile workbook turned into
:class:`~casekit.errors.InputFileError`.
"""
from __future__ import annotations

import csv
import io
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

from casekit.errors import InputFileError, Issue
from casekit.data.io.limits import MAX_CELL_CHARS
from casekit.data.io.xlsx import CellTooLong, Workbook

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Largest Excel workbook read (bytes on disk)."""
EXPANSION_FACTOR = 20
"""Refuse workbooks whose unpacked XML exceeds this multiple of ``max_bytes`` (zip bombs)."""


@dataclass
class Grid:
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


def decode_text(path: Path, label: str) -> tuple[str, list[Issue]]:
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
    lines = [ln for ln in _first_lines(text, 60) if ln.strip()]
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


def _first_lines(text: str, n: int) -> list[str]:
    """``text[:65536].splitlines()[:n]``, without splitting all of the 64 KB when the first 4 KB hold more lines."""
    head = text[:4096].splitlines()
    return head[:n] if len(head) > n else text[:65536].splitlines()[:n]


def csv_grid(path: Path, label: str) -> Grid:
    text, notes = decode_text(path, label)
    if not text.strip():
        return Grid(pd.DataFrame(), np.array([], dtype=int), notes=notes)
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
    return Grid(cells, np.arange(1, len(cells) + 1), notes=notes)


def parquet_grid(path: Path, label: str) -> Grid:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise InputFileError(f"{label} could not be read as Parquet: {type(exc).__name__}: {exc}",
                             hint="write the file again (pandas.DataFrame.to_parquet) or supply a CSV instead") from None
    header = pd.DataFrame([[str(c) for c in df.columns]], columns=range(df.shape[1]))
    body = pd.DataFrame({i: _series_text(df.iloc[:, i]) for i in range(df.shape[1])}, index=range(len(df)))
    cells = pd.concat([header, body], ignore_index=True).astype("str").fillna("")
    return Grid(cells, np.arange(1, len(cells) + 1))


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
            entries = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        raise InputFileError(f"{label} is not a valid .xlsx workbook (corrupt, password-protected or another format)",
                             hint="open it in Excel, remove any password and save it again as .xlsx") from None
    unpacked = sum(i.file_size for i in entries)
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise InputFileError(f"{label}: its part {entry.filename} is encrypted (a zip password), which Excel "
                                 "never writes", hint="open it in Excel and save it again as .xlsx without a password")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = _ZIP_METHODS.get(entry.compress_type, f"method {entry.compress_type}")
            raise InputFileError(f"{label}: its part {entry.filename} is compressed with {method}, which Excel never "
                                 "writes and casekit cannot read",
                                 hint="open it in Excel and save it again as .xlsx (or re-zip it with ordinary Deflate)")
    if unpacked > EXPANSION_FACTOR * max_bytes:
        raise InputFileError(f"{label} unpacks to {_size(unpacked)} of XML, which is not safe to read",
                             hint="save the tables as CSV or Parquet")


_ZIP_METHODS = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd"}


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
    except CellTooLong as exc:
        raise InputFileError(f"{label}, {exc.where}: the cell holds more than {MAX_CELL_CHARS:,} characters (Excel's "
                             "own limit for a cell) and the workbook was not read further",
                             hint="shorten the cell (long texts do not belong in a table), or save the table as CSV "
                                  "after checking the cell") from None
    except _EXCEL_ERRORS as exc:
        refused = _refused_xml(exc, label)
        if refused is not None:
            raise refused from None
        raise InputFileError(f"{label} could not be {doing} as an Excel workbook: {type(exc).__name__}: {exc}",
                             hint="open it in Excel and save it again as .xlsx") from None


def open_workbook(path: Path, label: str, max_bytes: int) -> Workbook:
    _check_workbook(path, label, max_bytes)
    with _excel_errors(label, "opened"):
        return Workbook(path)


class Books:
    """Workbooks opened at most once per read (sheet list, styles and shared strings read once), closed on exit."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._open: dict[Path, Workbook] = {}

    def get(self, path: Path, label: str | None = None) -> Workbook:
        key = Path(path).resolve()
        if key not in self._open:
            self._open[key] = open_workbook(Path(path), label or Path(path).name, self.max_bytes)
        return self._open[key]

    def __enter__(self) -> "Books":
        return self

    def __exit__(self, *exc) -> None:
        for wb in self._open.values():
            wb.close()


def sheet_grid(wb: Workbook, sheet: str, label: str) -> Grid:
    with _excel_errors(label, "read"):
        read = wb.read_sheet(sheet)
    cells = _frame_from_rows(read.rows)
    return Grid(cells, np.arange(1, len(cells) + 1), read.formatted, read.no_value)

