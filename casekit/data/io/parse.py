"""Cell-value parsing for hand-edited finance-office files (headers: :mod:`casekit.data.io.headers`).

Pure functions: they take a pandas Series of cell texts and return typed values plus a description of what could not be understood. They
never read files (see :mod:`casekit.data.io.readers`) and never decide whether a value is
*allowed* (ranges and enumerations are checked by :mod:`casekit.data.validation`).

Accepted cell forms
-------------------
numbers
    ``1234.5``, ``1,234.50``, full-width ``１２３``, ``¥1,200`` / ``￥1,200``, ``(1,200)``
    (accounting negative, -1200), ``1.2E+06``, inner spaces ``1 234``. ``12.5%`` is 0.125 in a
    rate column (a float column whose range is 0-1, e.g. ``performance.budget_weight``) and an
    error elsewhere. Unit words that do not change the number (``2023年``, ``1月``,
    ``1200人次``) are dropped in non-money columns; any unit in a money column (``100万元``,
    ``100元``) is an error because the unit is declared once in the profile
    (``currency_unit``).
missing
    blank, ``-``, ``--``, ``—``, ``——``, ``–``, ``n/a``, ``na``, ``null``, ``nan``, ``none``.
whole numbers
    as numbers, but ``2023.5`` is an error; months may also be ``一月`` ... ``十二月`` or a
    period ``2023-01`` / ``202301``.
yes/no
    :data:`casekit.data.schema.tables.BOOL_TRUE` / :data:`~casekit.data.schema.tables.BOOL_FALSE`.
dates
    ``2023-01-05``, ``2023/1/5``, ``2023.1.5``, ``2023年1月5日``, ``20230105``, Excel serial
    numbers (``44931``), with an optional time part.

Excel error values (``#REF!``, ``#DIV/0!``, ``#N/A`` ...) are errors in every column, and so
are cells longer than :data:`~casekit.data.io.limits.MAX_CELL_CHARS`. Text cells holding a
control character (U+0000-U+001F except tab, line feed and carriage return; U+007F-U+009F)
are errors: no output could show them, and a spreadsheet refuses them. Names and codes (every
text column except :data:`FREE_TEXT_COLUMNS`) may hold at most
:data:`~casekit.data.io.limits.MAX_NAME_CHARS` characters.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casekit.data.io.limits import MAX_CELL_CHARS, MAX_NAME_CHARS
from casekit.data.schema.tables import BOOL_FALSE, BOOL_TRUE, VALUE_ALIASES, Column

NA_TOKENS = frozenset({"", "-", "--", "---", "—", "——", "–", "n/a", "na", "null", "nan", "none", "nat"})
"""Cell texts (lower-cased, stripped) read as missing."""
_NA_ARROW = pa.array(sorted(NA_TOKENS), pa.string())

COUNT_UNITS = frozenset({"人次", "人", "次", "例", "台", "台次", "天", "日", "床日", "个", "项", "份", "小时", "学时",
                         "h", "分", "年", "年度", "月", "月份", "床", "张", "名", "位"})
"""Unit words dropped after a number in non-money columns (they do not change the value)."""

_EXCEL_ERROR = re.compile(r"^#(?:DIV/0!|N/A|NAME\?|NULL!|NUM!|REF!|VALUE!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!)$",
                          re.IGNORECASE)
_NUMBER = re.compile(r"^(?P<num>[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(?P<unit>.*)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_CURRENCY = re.compile(r"^([+-]?)(?:[¥$€£]|rmb|cny)|(?:[¥$€£]|rmb|cny)$", re.IGNORECASE)
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12, "正": 1, "元": 1}
_CN_MONTH = re.compile(r"^(十[一二]?|[一二三四五六七八九十正])月?$")
_PERIOD = re.compile(r"^\d{4}(?:[-/.年]\s*(\d{1,2})月?|(\d{2}))$")
_DATE_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ t].*)?$", re.IGNORECASE)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_MIN_YEAR, _MAX_YEAR = pd.Timestamp.min.year + 1, pd.Timestamp.max.year - 1
_MAX_SERIAL = (pd.Timestamp(f"{_MAX_YEAR}-12-31") - pd.Timestamp("1899-12-30")).days  # Excel day serial
_MULTIPLIER_UNITS = ("万", "亿", "千", "百", "k", "m", "w")

MAX_WHOLE = 1e15
"""Largest whole number accepted (exact in float64, far beyond any year, month or count)."""

FIX_NUMBER = "write a number such as 1234.5 without text (thousands separators and ¥ are fine)"
FIX_WHOLE = "write a whole number such as 2023"
FIX_BOOL = "write yes or no (是/否)"
FIX_DATE = "write the date as YYYY-MM-DD, e.g. 2023-01-05"
FIX_EXCEL_ERROR = "correct the formula in the workbook, or replace it by the value"
FREE_TEXT_COLUMNS = ("reason", "evidence", "requirement", "text_zh", "text_en")
"""Text columns holding sentences rather than names or codes (longer than a name, never totals)."""
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Characters no report output can hold (tab, line feed and carriage return are allowed)."""
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
""":data:`CONTROL_CHARS` for Arrow's regular expressions (the same class, written with escapes)."""


# ----------------------------------------------------------------------------- values
@dataclass
class Parsed:
    """Typed values of one column and the cells that could not be parsed.

    Attributes
    ----------
    values : pandas.Series
        Same index as the input; unparseable cells are NA.
    problems : pandas.DataFrame
        Indexed by the offending cells' index labels; columns ``value`` (text as written),
        ``problem``, ``fix``. Empty when all cells parsed.
    """

    values: pd.Series
    problems: pd.DataFrame


_NO_PROBLEMS = pd.DataFrame({"value": pd.Series(dtype=object), "problem": pd.Series(dtype=object),
                             "fix": pd.Series(dtype=object)})


def _no_problems() -> pd.DataFrame:
    return _NO_PROBLEMS.copy(deep=False)


def _problems(raw: pd.Series, mask: pd.Series, problem: pd.Series | str, fix: pd.Series | str) -> pd.DataFrame:
    if not mask.any():
        return _no_problems()
    idx = mask[mask].index
    frame = pd.DataFrame({"value": raw.loc[idx].astype(object), "problem": "", "fix": ""}, index=idx)
    frame["problem"] = problem.loc[idx] if isinstance(problem, pd.Series) else problem
    frame["fix"] = fix.loc[idx] if isinstance(fix, pd.Series) else fix
    return frame


def _blank_or_na(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Stripped text and the mask of missing cells."""
    text = s.astype("str").str.strip()
    na = text.isna() | text.str.lower().isin(NA_TOKENS)
    return text, na.astype(bool)


def _excel_errors(text: pd.Series, na: pd.Series) -> pd.Series:
    cand = ~na & text.str.startswith("#").fillna(False).astype(bool)
    if not cand.any():
        return cand
    return cand & text.where(cand, "").str.match(_EXCEL_ERROR).fillna(False).astype(bool)


def parse_text(s: pd.Series) -> Parsed:
    """Strip text cells; missing tokens become NA.

    Parameters
    ----------
    s : pandas.Series
        Cell texts.

    Returns
    -------
    Parsed
        ``values`` has the pandas ``str`` dtype.
    """
    if _clean_texts(s):
        return Parsed(s.astype("str"), _no_problems())
    text, na = _blank_or_na(s)
    err = _excel_errors(text, na)
    values = text.mask(na | err).astype("str")
    return Parsed(values, _problems(text, err, "Excel error value instead of text", FIX_EXCEL_ERROR))


def _clean_texts(s: pd.Series) -> bool:
    """Whether every distinct cell is already stripped text that is neither missing nor ``#...``.

    One hash pass over the column (:meth:`pandas.Series.unique`) and a look at each distinct
    value: identifier and enumeration columns repeat a few values over many rows.
    """
    for u in s.unique():
        if not isinstance(u, str) or not u or u[0] == "#" or u[0].isspace() or u[-1].isspace() \
                or (len(u) <= 4 and u.lower() in NA_TOKENS):
            return False
    return True


def _enum_key(v: str) -> str:
    return re.sub(r"[\s\-_]+", "_", unicodedata.normalize("NFKC", v).strip().lower())


def enum_value_map(column: str, enum: Iterable[str] = ()) -> dict[str, str]:
    """Lookup from normalised spellings to canonical values of an enumerated column (a new dict).

    Combines the canonical values themselves (case-, space-, hyphen-insensitive) and
    :data:`casekit.data.schema.tables.VALUE_ALIASES` for ``column``.

    Parameters
    ----------
    column : str
        Canonical column (or profile key) name, e.g. ``"type"``.
    enum : iterable of str
        Allowed canonical values.

    Returns
    -------
    dict of str to str
    """
    lookup = {_enum_key(v): v for v in enum}
    lookup.update({_enum_key(k): v for k, v in VALUE_ALIASES.get(column, {}).items()})
    return lookup


def apply_value_aliases(values: pd.Series, column: str, enum: Iterable[str] = ()) -> pd.Series:
    """Replace alias spellings (``临床``, ``Clinical``) by canonical enumeration values.

    Values that match nothing are returned unchanged (validation reports them).

    Parameters
    ----------
    values : pandas.Series
        Stripped text (``str`` dtype, NA allowed).
    column : str
        Canonical column name.
    enum : iterable of str
        Allowed values.

    Returns
    -------
    pandas.Series
        ``str`` dtype.

    Examples
    --------
    >>> apply_value_aliases(pd.Series(["临床", "Medical Technology", "x"]), "type",
    ...                     ("clinical", "medical_technology")).tolist()
    ['clinical', 'medical_technology', 'x']
    """
    mapping = alias_mapping(values.dropna().unique(), column, enum)
    if not mapping:
        return values.astype("str")
    return values.replace(mapping).astype("str")


def alias_mapping(uniques: Iterable[str], column: str, enum: Iterable[str] = ()) -> dict[str, str]:
    """The distinct values of an enumerated column that :func:`apply_value_aliases` replaces, and by what."""
    lookup = _value_map(column, tuple(enum))   # enum_value_map built once per column and enumeration
    return {u: lookup[_enum_key(u)] for u in uniques if lookup.get(_enum_key(u), u) != u}


_value_map = functools.lru_cache(maxsize=256)(enum_value_map)


def _residual_numbers(text: pd.Series, *, money: bool, rate: bool, integer: bool) -> tuple[pd.Series, pd.Series]:
    """Parse cells that plain ``to_numeric`` rejected. Returns (values, problem text or "")."""
    r = text.str.normalize("NFKC").str.replace(r"[\s\u00a0\u2009\u202f]+", "", regex=True)
    r = r.str.replace("\u2212", "-", regex=False).str.replace("\u2014", "-", regex=False)
    problem = pd.Series("", index=r.index, dtype=object)
    if integer:
        cn = r.str.fullmatch(_CN_MONTH.pattern).fillna(False).astype(bool)
        if cn.any():
            r = r.mask(cn, r.where(cn, "").str.rstrip("月").map(_CN_MONTHS).astype("str"))
    paren = r.str.match(r"^\(.*\)$").fillna(False).astype(bool)
    r = r.mask(paren, r.str.slice(1, -1))
    r = r.str.replace(_CURRENCY, r"\1", regex=True)
    pct = r.str.endswith("%").fillna(False).astype(bool)
    r = r.mask(pct, r.str.slice(0, -1))
    parts = r.str.extract(_NUMBER)
    num, unit = parts["num"], parts["unit"].fillna("")
    no_number = num.isna()
    commas = num.str.contains(",", regex=False).fillna(False).astype(bool)
    bad_commas = commas & ~num.str.match(_THOUSANDS).fillna(False).astype(bool)
    value = pd.to_numeric(num.str.replace(",", "", regex=False).mask(bad_commas), errors="coerce")
    value = value.mask(paren, -value)
    value = value.mask(pct, value / 100.0)
    has_unit = unit.str.len() > 0
    multiplier = unit.str.lower().str.startswith(_MULTIPLIER_UNITS).fillna(False).astype(bool)
    unit_ok = unit.isin(COUNT_UNITS) & ~pd.Series(money, index=r.index)
    unit_bad = has_unit & ~no_number & ~unit_ok
    pct_bad = pct & ~pd.Series(rate, index=r.index)

    problem = problem.mask(no_number, "not a number")
    problem = problem.mask(~no_number & bad_commas,
                           "misplaced thousands separator (or a decimal comma)")
    problem = problem.mask(~no_number & unit_bad & multiplier,
                           "number with a multiplier unit ('" + unit + "') cannot be read safely")
    if money:
        problem = problem.mask(~no_number & unit_bad & ~multiplier,
                               "unit text ('" + unit + "') after an amount")
        problem = problem.mask(~no_number & pct_bad & ~unit_bad, "a percentage in a money column")
    else:
        problem = problem.mask(~no_number & unit_bad & ~multiplier, "text ('" + unit + "') after the number")
        problem = problem.mask(~no_number & pct_bad & ~unit_bad,
                               "a percentage in a column that is not a rate")
    finite = np.isfinite(value.to_numpy(dtype=float, na_value=np.nan))
    problem = problem.mask((problem == "") & ~finite, "not a number")
    value = value.mask(problem != "")
    return value.astype(float), problem


def parse_number(s: pd.Series, *, money: bool = False, rate: bool = False, integer: bool = False,
                 period: bool = False) -> Parsed:
    """Parse a column of numbers written by hand (see the module docstring for the forms).

    Parameters
    ----------
    s : pandas.Series
        Cell texts.
    money : bool
        Money column: unit text and percentages are errors (the currency unit is declared
        once in the profile).
    rate : bool
        Rate column (range 0-1): ``12.5%`` becomes 0.125.
    integer : bool
        Whole numbers only (``2023.0`` is fine, ``2023.5`` an error); returns ``Int64``.
    period : bool
        Month column: also accept ``2023-01``, ``2023年1月`` and ``202301`` (month 1).

    Returns
    -------
    Parsed
        ``values`` is float64 (``Int64`` when ``integer``).

    Examples
    --------
    >>> parse_number(pd.Series(["1,234.50", "(1,200)", "¥３０"]), money=True).values.tolist()
    [1234.5, -1200.0, 30.0]
    >>> parse_number(pd.Series(["12.5%"]), rate=True).values.tolist()
    [0.125]
    """
    value = number_values(s)
    odd = odd_numbers(value, integer=integer, period=period)
    if odd.any():
        rest = _parse_number_cells(s[odd], money=money, rate=rate, integer=integer, period=period)
        value[odd] = rest.values.to_numpy(dtype=float, na_value=np.nan)
        problems = rest.problems
    else:
        problems = _no_problems()
    out = pd.Series(value, index=s.index, dtype="float64")
    return Parsed(out.round().astype("Int64") if integer else out, problems)


def arrow_text(s: pd.Series) -> pa.Array | None:
    """The cell texts as one Arrow string array (no copy for Arrow-backed text).

    Parameters
    ----------
    s : pandas.Series
        Text cells.

    Returns
    -------
    pyarrow.Array or None
        None when Arrow cannot hold the texts (e.g. a lone surrogate); callers then take their
        pandas route.
    """
    try:
        arr = pa.array(s.array)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def number_values(cells: pd.Series | pa.Array) -> np.ndarray:
    """``pd.to_numeric(cells, errors="coerce")`` as float64: the first pass of :func:`parse_number`.

    When every cell is a plain number or missing (:data:`NA_TOKENS`) this is one Arrow cast:
    Arrow's cast accepts a subset of the texts ``to_numeric`` accepts and gives the same values
    (checked on 650,000 formatted floats, and on 200,000 integers, decimals and exponents from
    1e-320 to 1e308 of every precision); a cell it does not read (``1,234``, a unit) makes it
    refuse the whole column, and then ``to_numeric`` reads it. Negative zero becomes 0.0, as
    ``to_numeric`` gives it.

    Parameters
    ----------
    cells : pandas.Series or pyarrow.Array
        Cell texts (an Arrow string array is read without a pandas copy).

    Returns
    -------
    numpy.ndarray
        float64; NaN where ``to_numeric`` reads no number (the caller's second pass looks at those).
    """
    arr = cells if isinstance(cells, pa.Array) else arrow_text(cells)
    if arr is not None:
        try:
            return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False) + 0.0
        except (pa.ArrowException, ValueError):
            pass
        for blanks_only in (True, False):  # missing cells (blanks first) are NaN for to_numeric too
            try:
                missing = pc.equal(arr, "") if blanks_only else pc.is_in(pc.utf8_lower(arr), value_set=_NA_ARROW)
                return pc.cast(pc.if_else(missing, pa.scalar(None, arr.type), arr), pa.float64()).to_numpy(
                    zero_copy_only=False) + 0.0
            except (pa.ArrowException, ValueError):
                pass
    s = cells if isinstance(cells, pd.Series) else pd.Series(cells, dtype="str")
    return pd.to_numeric(s.astype("str"), errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)


def odd_numbers(value: np.ndarray, *, integer: bool = False, period: bool = False) -> np.ndarray:
    """Cells whose first-pass value :func:`parse_number` does not take as it is (they get the full rules).

    Not finite; for whole numbers also a fraction or beyond :data:`MAX_WHOLE`; for months also
    outside 1-12 (it may be a period such as ``202301``).
    """
    odd = ~np.isfinite(value)
    if integer:
        with np.errstate(invalid="ignore"):
            odd |= (np.abs(value - np.round(value)) > 1e-9) | (np.abs(value) > MAX_WHOLE)
    if period:
        with np.errstate(invalid="ignore"):
            odd |= ~((value >= 1) & (value <= 12))
    return odd


def _parse_number_cells(s: pd.Series, *, money: bool, rate: bool, integer: bool, period: bool) -> Parsed:
    """:func:`parse_number` for the cells that plain ``to_numeric`` does not settle."""
    text, na = _blank_or_na(s)
    err = _excel_errors(text, na)
    live = text.mask(na | err)
    value = pd.to_numeric(live, errors="coerce").astype(float)
    residual = live.notna() & ~np.isfinite(value.to_numpy(dtype=float, na_value=np.nan))
    problem = pd.Series("", index=text.index, dtype=object)
    if period:
        cand = (live.str.len() >= 6).fillna(False).astype(bool)
        if cand.any():
            m = live[cand].str.normalize("NFKC").str.extract(_PERIOD)
            month = pd.to_numeric(m[0].fillna(m[1]), errors="coerce")
            got = month[month.between(1, 12)]
            value.loc[got.index] = got.astype(float)
            residual.loc[got.index] = False
    if residual.any():
        rv, rp = _residual_numbers(live[residual], money=money, rate=rate, integer=integer)
        value.loc[rv.index] = rv
        problem.loc[rp.index] = rp
    problems = [_problems(text, err, "Excel error value instead of a number", FIX_EXCEL_ERROR)]
    bad = problem != ""
    if bad.any():
        fix = pd.Series(FIX_WHOLE if integer else FIX_NUMBER, index=text.index, dtype=object)
        if money:
            fix = fix.mask(problem.str.contains("unit", regex=False),
                           fix + "; declare the unit once in the profile (currency_unit: units, thousands, ten_thousands or millions)")
        problems.append(_problems(text, bad, problem, fix))
    if integer:
        frac = value.notna() & (np.abs(value - np.round(value)) > 1e-9)
        if frac.any():
            problems.append(_problems(text, frac, "not a whole number", FIX_WHOLE))
            value = value.mask(frac)
        huge = value.notna() & (np.abs(value) > MAX_WHOLE)
        if huge.any():
            problems.append(_problems(text, huge, "whole number too large", FIX_WHOLE))
            value = value.mask(huge)
        return Parsed(value.round().astype("Int64"), _concat(problems))
    return Parsed(value.astype("float64"), _concat(problems))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return _no_problems()
    return frames[0] if len(frames) == 1 else pd.concat(frames)


YES_NO = {**{k: True for k in (*BOOL_TRUE, "1.0")}, **{k: False for k in (*BOOL_FALSE, "0.0")}}
"""Yes/no cell texts (as written, or after NFKC, stripping and lower case) and their values."""


def parse_bool(s: pd.Series) -> Parsed:
    """Parse yes/no cells (:data:`~casekit.data.schema.tables.BOOL_TRUE`, ``BOOL_FALSE``).

    Parameters
    ----------
    s : pandas.Series
        Cell texts.

    Returns
    -------
    Parsed
        ``values`` has the nullable ``boolean`` dtype.

    Examples
    --------
    >>> parse_bool(pd.Series(["是", "No", "√", ""])).values.tolist()
    [True, False, True, <NA>]
    """
    truth = YES_NO
    if all(isinstance(u, str) and u in truth for u in s.unique()):
        return Parsed(s.map(truth).astype("boolean"), _no_problems())
    text, na = _blank_or_na(s)
    err = _excel_errors(text, na)
    key = text.str.normalize("NFKC").str.strip().str.lower()
    mapped = key.map(truth)
    bad = ~na & ~err & mapped.isna()
    values = mapped.mask(na | err | bad).astype("boolean")
    return Parsed(values, _concat([_problems(text, err, "Excel error value instead of yes/no", FIX_EXCEL_ERROR),
                                   _problems(text, bad, "not a yes/no value", FIX_BOOL)]))


def parse_date(s: pd.Series) -> Parsed:
    """Parse dates (ISO, ``2023/1/5``, ``2023年1月5日``, ``20230105``, Excel serial numbers).

    Parameters
    ----------
    s : pandas.Series
        Cell texts.

    Returns
    -------
    Parsed
        ``values`` is ``datetime64[ns]``.

    Examples
    --------
    >>> parse_date(pd.Series(["2023年1月5日", "44931"])).values.dt.strftime("%Y-%m-%d").tolist()
    ['2023-01-05', '2023-01-05']
    """
    text, na = _blank_or_na(s)
    err = _excel_errors(text, na)
    live = text.mask(na | err).str.normalize("NFKC").str.strip()
    parts = live.str.extract(_DATE_YMD)
    compact = live.str.extract(_DATE_COMPACT)
    parts = parts.fillna(compact)
    ymd = parts.apply(pd.to_numeric, errors="coerce")
    ymd.columns = ["year", "month", "day"]
    # years a nanosecond timestamp can hold; others are "not a date", never an overflow
    have = ymd.notna().all(axis=1) & ymd["year"].between(_MIN_YEAR, _MAX_YEAR)
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if have.any():
        values.loc[have] = pd.to_datetime(ymd[have].astype(int), errors="coerce").astype("datetime64[ns]")
    serial = live.notna() & ~have & live.str.fullmatch(_DATE_SERIAL.pattern).fillna(False).astype(bool)
    if serial.any():
        days = pd.to_numeric(live[serial], errors="coerce")
        ok = days.between(1, _MAX_SERIAL)
        conv = pd.to_datetime(days[ok].astype(float), unit="D", origin="1899-12-30").astype("datetime64[ns]")
        values.loc[conv.index] = conv.dt.floor("s")
    bad = live.notna() & values.isna()
    return Parsed(values, _concat([_problems(text, err, "Excel error value instead of a date", FIX_EXCEL_ERROR),
                                   _problems(text, bad, "not a date", FIX_DATE)]))


def is_rate(column: Column) -> bool:
    """Whether a column holds a fraction (float with range 0-1), so ``12.5%`` means 0.125."""
    return column.dtype == "float" and column.min is not None and column.max is not None \
        and column.min >= 0 and column.max <= 1


def parse_column(s: pd.Series, column: Column) -> Parsed:
    """Parse one column's cell texts to the column's dtype.

    Enumerated text columns get :func:`apply_value_aliases`; the month column also accepts
    periods (``2023-01``).

    Parameters
    ----------
    s : pandas.Series
        Cell texts (as read, not stripped).
    column : Column

    Returns
    -------
    Parsed
        ``values``: ``str`` for text, ``Int64`` for int, ``float64`` for float, ``boolean``
        for bool, ``datetime64[ns]`` for date.
    """
    s = s.astype("str")
    limit = MAX_NAME_CHARS if column.dtype == "str" and column.name not in FREE_TEXT_COLUMNS else MAX_CELL_CHARS
    if not _plain_cells(s, limit, control=column.dtype == "str"):
        long = (s.str.len() > limit).fillna(False).astype(bool)
        control = pd.Series(False, index=s.index)
        if column.dtype == "str":
            control = ~long & s.str.contains(CONTROL_CHARS).fillna(False).astype(bool)
    else:
        long = control = None
    if long is not None and (long.any() or control.any()):
        out = parse_column(s.mask(long | control, ""), column)
        out.values = out.values.mask(long | control)
        kind = "a name or code" if limit == MAX_NAME_CHARS else "a cell"
        bad = _concat([out.problems,
                       _problems(s.str.slice(0, 80), long, f"the text is longer than the {limit:,} characters allowed "
                                 f"for {kind}", "shorten it (a long text pasted into the wrong cell?)"),
                       _problems(s, control, s.where(control, "").map(_control_problem),
                                 "delete the invisible character (retype the cell); it cannot appear in a report")])
        return Parsed(out.values, bad)
    if column.dtype == "str":
        out = parse_text(s)
        if column.enum is not None or column.name in VALUE_ALIASES:
            out.values = apply_value_aliases(out.values, column.name, column.enum or ())
        return out
    if column.dtype == "int":
        return parse_number(s, integer=True, period=column.name == "month")
    if column.dtype == "float":
        return parse_number(s, money=column.money, rate=is_rate(column))
    if column.dtype == "bool":
        return parse_bool(s)
    return parse_date(s)


def _plain_cells(s: pd.Series, limit: int, *, control: bool) -> bool:
    """Whether no cell is longer than ``limit`` (nor holds a control character, if ``control``): one Arrow pass each."""
    arr = arrow_text(s)
    if arr is None:
        return False
    longest = pc.max(pc.utf8_length(arr)).as_py()
    if longest is not None and longest > limit:
        return False
    return not (control and pc.any(pc.match_substring_regex(arr, _CONTROL_RE2)).as_py())


def _control_problem(text: str) -> str:
    found = CONTROL_CHARS.search(text)
    return "" if found is None else \
        f"the text holds the control character U+{ord(found.group()):04X} at position {found.start() + 1}"
