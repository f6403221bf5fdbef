"""Read the cells of ``.xlsx`` worksheets as text: one streaming pass over each sheet's XML.

casekit needs every cell of a few sheets as text, plus three facts openpyxl would give through
a cell object each (the number format, whether a formula lacks its saved result, merged
areas). openpyxl's read-only mode first scans every sheet that lacks a ``<dimension>`` record
(files written by openpyxl's write-only mode, some exporters) and then builds a cell object per
cell through the pure-Python parser defusedxml needs; on a 240,000-cell workbook that is most
of the reading time. This module reads the package parts itself instead:

* ``_rels/.rels``, ``xl/workbook.xml`` and its relationships: sheet names and parts, the 1904
  date system; ``xl/styles.xml``: the number format of each cell style (read once);
  ``xl/sharedStrings.xml``: read once, on first use.
* each sheet is parsed once with expat, building only lists of strings.

Safety: every part is parsed with the protections of :mod:`defusedxml`: the small parts
through ``defusedxml.ElementTree`` with ``forbid_dtd=True``; shared strings and sheets through
an expat parser whose handlers raise defusedxml's own exceptions (``DTDForbidden``,
``EntitiesForbidden``, ``ExternalReferenceForbidden``) at the first DOCTYPE, entity
declaration or external reference, so nothing is ever expanded (defusedxml's own technique,
stricter: Excel never writes a DOCTYPE). Parts are read from the zip as streams, never beyond
their declared size. Merged areas are filled only within the cells the sheet holds, so a
merge reaching to row 1,048,576 costs nothing.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from defusedxml import ElementTree as SafeET
from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from casekit.data.io.limits import MAX_CELL_CHARS

MAIN_NAMESPACES = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                   "http://purl.oclc.org/ooxml/spreadsheetml/main")
"""Transitional and strict SpreadsheetML namespaces (the local names are the same)."""

MAX_ROWS = 1_048_576
"""Rows of an Excel worksheet; a row number beyond it makes the sheet unreadable."""

_ZERO_FORMAT = re.compile(r"^(0+)(?:\.(0+))?$")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DIGITS = "0123456789"
# style kinds
_DATE, _TIMEDELTA, _ZERO = range(3)
# tags of sheets and shared strings
_ROW, _C, _V, _F, _T, _RPH, _MERGE, _SI = range(1, 9)
_TAGS = {f"{ns}}}{local}": code for ns in MAIN_NAMESPACES for local, code in
         (("row", _ROW), ("c", _C), ("v", _V), ("f", _F), ("t", _T), ("rPh", _RPH), ("mergeCell", _MERGE),
          ("si", _SI))}


class CellTooLong(ValueError):
    """A cell (or shared string) holds more than :data:`~casekit.data.io.limits.MAX_CELL_CHARS` characters.

    Raised while the part is streamed, as soon as the limit is passed, so a 900 MB cell costs
    no more than its first 32 KB. ``where`` is ``"cell B7"`` or ``"shared string 12"``.
    """

    def __init__(self, where: str):
        self.where = where
        super().__init__(f"{where} holds more than {MAX_CELL_CHARS:,} characters")


@dataclass
class SheetCells:
    """All cells of one worksheet as text.

    Attributes
    ----------
    rows : list of list of str
        One list per sheet row from row 1 (rows absent from the file are empty lists); cell
        ``j`` of a list is column ``j`` (blank cells are ``""``, trailing ones may be absent).
        Numbers are written without a trailing ``.0``; dates as ``2023-07-01`` or
        ``2023-07-01 08:30:00``; booleans ``true``/``false``; Excel errors as written
        (``#REF!``); merged areas carry their top-left value in every cell.
    formatted : dict of (int, int) to str
        For numeric cells whose number format pads with zeros (``0000``, ``000.00``), the text
        Excel displays (``0101``) where it differs; keys are 0-based (row, column).
    no_value : set of (int, int)
        Cells holding a formula without a saved result (the workbook was never calculated).
    """

    rows: list[list[str]]
    formatted: dict[tuple[int, int], str]
    no_value: set[tuple[int, int]]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _unescape(text: str) -> str:
    """Undo Excel's ``_xHHHH_`` escapes of characters XML cannot hold (``_x000D_`` is CR)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _refuse_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _refuse_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _refuse_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _parser() -> expat.XMLParserType:
    """A namespace-aware expat parser that refuses DTDs, entities and external references."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external
    return parser


def _number(text: str) -> int | float:
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def _number_text(value: int | float) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _temporal_text(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class Workbook:
    """An ``.xlsx`` file opened for reading cells (close it, or use it as a context manager).

    Parameters
    ----------
    path : pathlib.Path
        The workbook. Size and zip-bomb limits are the caller's to check first.

    Raises
    ------
    zipfile.BadZipFile, KeyError, ValueError, xml.etree.ElementTree.ParseError
        The file is not a readable workbook; ``defusedxml.DefusedXmlException`` (a
        ``ValueError``) when a part declares a DTD or entities.
    """

    def __init__(self, path: Path):
        self._zip = zipfile.ZipFile(path)
        try:
            root = self._relationships("_rels/.rels", "")
            book = next((target for kind, target in root.values() if kind == "officeDocument"), "xl/workbook.xml")
            rels = self._relationships(posixpath.join(posixpath.dirname(book), "_rels",
                                                      posixpath.basename(book) + ".rels"), book)
            tree = self._xml(book)
            pr = next((e for e in tree.iter() if _local(e.tag) == "workbookPr"), None)
            date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
            self._epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
            names = set(self._zip.namelist())
            self._sheets: dict[str, str] = {}
            for e in tree.iter():
                if _local(e.tag) != "sheet":
                    continue
                rid = next((v for k, v in e.attrib.items() if _local(k) == "id"), None)
                kind, target = rels.get(rid, ("", ""))
                if kind == "worksheet" and target in names:
                    self._sheets.setdefault(e.get("name", ""), target)
            parts = {kind: target for kind, target in rels.values()}
            self._styles_part = parts.get("styles")
            self._strings_part = parts.get("sharedStrings")
            self._kinds: dict[str | None, tuple] | None = None
            self._strings: list[str] | None = None
        except BaseException:
            self._zip.close()
            raise

    # ------------------------------------------------------------------ parts
    def _xml(self, part: str):
        return SafeET.fromstring(self._zip.read(part), forbid_dtd=True)

    def _relationships(self, part: str, source: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type's last segment, target part path) of a ``.rels`` part."""
        out = {}
        for e in self._xml(part):
            target = e.get("Target", "")
            if e.get("TargetMode") == "External" or not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(source), target))
            out[e.get("Id")] = (e.get("Type", "").rpartition("/")[2], path)
        return out

    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in workbook order (chart sheets excluded)."""
        return list(self._sheets)

    def _style_kinds(self) -> dict[str | None, tuple]:
        """Cell style attribute (``s="3"``; ``None`` when absent) -> (kind, format code), for the
        styles that format numbers as dates, times or with zero padding (other styles are absent)."""
        if self._kinds is None:
            custom: dict[int, str] = {}
            xfs: list[int] = []
            if self._styles_part is not None:
                tree = self._xml(self._styles_part)
                for e in tree:
                    if _local(e.tag) == "numFmts":
                        custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in e}
                    elif _local(e.tag) == "cellXfs":
                        xfs = [int(x.get("numFmtId", 0)) for x in e]
            kinds: dict[str | None, tuple] = {}
            for i, fmt_id in enumerate(xfs):
                code = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
                if is_date_format(code):
                    kinds[str(i)] = (_TIMEDELTA if is_timedelta_format(code) else _DATE, code)
                elif code is not None and _ZERO_FORMAT.match(code):
                    kinds[str(i)] = (_ZERO, code)
            if "0" in kinds:
                kinds[None] = kinds["0"]
            self._kinds = kinds
        return self._kinds

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            strings: list[str] = []
            if self._strings_part is not None:
                with self._zip.open(self._strings_part) as stream:
                    strings = _read_shared_strings(stream)
            self._strings = strings
        return self._strings

    # ------------------------------------------------------------------ cells
    def read_sheet(self, name: str) -> SheetCells:
        """Every cell of worksheet ``name`` as text (see :class:`SheetCells`).

        Raises
        ------
        KeyError
            No worksheet of that name.
        ValueError, IndexError, xml.parsers.expat.ExpatError
            The sheet's XML is malformed or refers to strings that do not exist.
        """
        part = self._sheets[name]
        strings, kinds = self._shared_strings(), self._style_kinds()
        with self._zip.open(part) as stream:
            return _read_sheet(stream, strings, kinds, self._epoch)

    def close(self) -> None:
        """Close the underlying zip file."""
        self._zip.close()

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_shared_strings(stream: IO[bytes]) -> list[str]:
    """The ``<si>`` items of a shared-strings part: plain and rich-text runs, phonetic runs left out."""
    strings: list[str] = []
    parts: list[str] = []
    length = 0
    collect = False
    in_phonetic = False

    def start(name, attrs):
        nonlocal collect, in_phonetic, length
        code = _TAGS.get(name)
        if code == _T:
            collect = not in_phonetic
        elif code == _SI:
            parts.clear()
            length = 0
        elif code == _RPH:
            in_phonetic = True

    def end(name):
        nonlocal collect, in_phonetic
        code = _TAGS.get(name)
        if code == _T:
            collect = False
        elif code == _SI:
            strings.append(_unescape("".join(parts)))
        elif code == _RPH:
            in_phonetic = False

    def data(text):
        nonlocal length
        if collect:
            parts.append(text)
            length += len(text)
            if length > MAX_CELL_CHARS:
                raise CellTooLong(f"shared string {len(strings)}")

    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    parser.ParseFile(stream)
    return strings


def _read_sheet(stream: IO[bytes], shared_strings: list[str], kinds: dict[str | None, tuple],
                epoch: dt.datetime) -> SheetCells:
    """Cells of one sheet part (see :class:`SheetCells`); ``kinds`` from :meth:`Workbook._style_kinds`."""
    rows: list[list[str]] = []
    formatted: dict[tuple[int, int], str] = {}
    formulas: list[tuple[int, int]] = []
    merges: list[str] = []
    columns: dict[str, int] = {}
    cur: list[str] = []
    r = c = -1
    ctype = style = None
    parts: list[str] = []
    length = 0
    has_formula = collect = in_phonetic = False

    def start(name, attrs):
        nonlocal cur, r, c, ctype, style, length, has_formula, collect, in_phonetic
        code = _TAGS.get(name)
        if code == _C:
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                col = columns.get(letters)
                if col is None:
                    col = columns[letters] = column_index_from_string(letters) - 1
                c = col
            else:
                c += 1
            ctype = attrs.get("t")
            style = attrs.get("s")
            parts.clear()
            length = 0
            has_formula = False
        elif code == _V:
            collect = ctype != "inlineStr"
        elif code == _T:
            collect = ctype == "inlineStr" and not in_phonetic
        elif code == _ROW:
            ref = attrs.get("r")
            r = int(float(ref)) - 1 if ref else r + 1
            if not 0 <= r < MAX_ROWS:
                raise ValueError(f"row number {r + 1} is outside Excel's 1 to {MAX_ROWS:,}")
            while len(rows) <= r:
                rows.append([])
            cur = rows[r]
            c = -1
        elif code == _F:
            has_formula = True
        elif code == _RPH:
            in_phonetic = True
        elif code == _MERGE and "ref" in attrs:
            merges.append(attrs["ref"])

    def end(name):
        nonlocal collect, in_phonetic
        code = _TAGS.get(name)
        if code == _C:
            value = "".join(parts)
            if value:
                if ctype is None or ctype == "n":
                    kind = kinds.get(style)
                    if kind is None:            # most cells: a plain number
                        value = _number_text(_number(value))
                    else:
                        value = _styled_number(value, kind, (r, c), formatted, epoch)
                elif ctype == "s":
                    value = shared_strings[int(value)]
                elif ctype == "b":
                    value = "true" if int(value) else "false"
                elif ctype == "d":
                    value = _temporal_text(from_ISO8601(value))
                elif ctype == "inlineStr":
                    value = _unescape(value)
            elif has_formula:
                formulas.append((r, c))
            n = len(cur)
            if c == n:
                cur.append(value)
            elif c > n:
                if value:
                    cur.extend([""] * (c - n))
                    cur.append(value)
            else:
                cur[c] = value
        elif code == _V or code == _T:
            collect = False
        elif code == _RPH:
            in_phonetic = False

    def data(chars):
        nonlocal length
        if collect:
            parts.append(chars)
            length += len(chars)
            if length > MAX_CELL_CHARS:
                raise CellTooLong(f"cell {_col_name(c)}{r + 1}")

    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    parser.ParseFile(stream)
    _fill_merged(rows, merges)
    no_value = {(i, j) for i, j in formulas if j >= len(rows[i]) or rows[i][j] == ""}
    return SheetCells(rows, formatted, no_value)


def _col_name(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1) if 0 <= c < 16384 else f"column {c + 1}"


def _styled_number(text: str, kind: tuple, where: tuple[int, int], formatted: dict, epoch: dt.datetime) -> str:
    """Text of a numeric cell with a date or zero-padding format (the display goes to ``formatted``)."""
    value = _number(text)
    if kind[0] == _ZERO:
        plain, code = _number_text(value), kind[1]
        shown = f"{value:0{len(code)}.{len(_ZERO_FORMAT.match(code).group(2) or '')}f}"
        if shown != plain:
            formatted[where] = shown
        return plain
    try:
        return _temporal_text(from_excel(value, epoch, timedelta=kind[0] == _TIMEDELTA))
    except (OverflowError, ValueError):
        return "#VALUE!"         # a date format on a number outside Excel's dates, as openpyxl reads it


def _fill_merged(rows: list[list[str]], merges: list[str]) -> None:
    """Give every cell of a merged area its top-left value, within the rows and columns present."""
    if not merges or not rows:
        return
    width = max(len(row) for row in rows)
    for ref in merges:
        bounds = range_boundaries(ref)
        if None in bounds:              # whole rows or columns: not a merged area Excel writes
            continue
        min_col, min_row, max_col, max_row = bounds
        if min_row > len(rows) or min_col > width:
            continue
        max_row, max_col = min(max_row, len(rows)), min(max_col, width)
        top = rows[min_row - 1]
        value = top[min_col - 1] if len(top) >= min_col else ""
        for i in range(min_row - 1, max_row):
            row = rows[i]
            if len(row) < max_col:
                row.extend([""] * (max_col - len(row)))
            row[min_col - 1:max_col] = [value] * (max_col - min_col + 1)
