"""Recognise the layout of one finance-system export sheet: title facts, header rows, column roles.

An HRP budget-execution workbook (预算执行情况表) or a final-accounts disclosure table (部门决算公开表)
has a merged title naming hospital and year, a unit line (``单位：万元``, sometimes with
``编制单位：…　科室：内科（0101）``), one to three header rows and then an account tree. This module
finds the header (at most two rows are read; a third header row is refused with a message), gives
every column a *role* (account code, account name, original budget, adjusted budget, actual, a
month ...) from :data:`ROLE_ALIASES`, and reads the facts above the header. It raises
:class:`ExportLayoutError` for layouts it cannot read (side-by-side 收入 | 支出 blocks,
three-level headers), saying what to do.

References
----------
docs/data-format.md, section "From your finance system's export".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from casekit.money import parse_scale
from casekit.data.io.headers import normalise_header

HEADER_SEARCH_ROWS = 12
"""Rows searched for the header row."""

ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("科目编码", "预算科目编码", "科目代码", "编码", "代码", "项目编码", "功能分类科目编码", "科目编号",
             "account code", "code"),
    "name": ("科目名称", "预算科目名称", "项目", "项目名称", "科目", "功能分类科目名称", "预算项目", "account name",
             "account", "item", "line item"),
    "dept_id": ("科室编码", "科室代码", "部门编码", "部门代码", "department code", "dept code"),
    "dept_name": ("科室名称", "科室", "部门名称", "部门", "department", "dept"),
    "original": ("年初预算", "年初预算数", "预算数", "全年预算", "全年预算数", "年度预算", "年度预算数", "预算",
                 "原预算", "original budget", "budget"),
    "adjusted": ("调整预算", "调整预算数", "调整后预算", "调整后预算数", "调整后全年预算", "预算调整后",
                 "adjusted budget", "revised budget", "final budget"),
    "actual": ("本年累计", "本年累计数", "本年累计执行数", "累计执行数", "累计执行", "执行数", "决算数", "实际数",
               "本年实际", "实际执行数", "累计发生额", "本年发生额", "本年数", "金额", "actual", "actual to date",
               "outturn"),
    "month_actual": ("本月", "本月数", "本月执行数", "本月发生额", "当月", "this month"),
    "rate": ("执行率", "完成率", "执行进度", "预算执行率", "预算完成率", "execution rate", "completion rate"),
    "difference": ("差异", "差额", "偏差", "差异额", "增减", "超支节约", "variance", "difference"),
    "class": ("类",),
    "section": ("款",),
    "item": ("项",),
    "row_total": ("全年合计", "合计", "总计", "年度合计", "total"),
}
"""Normalised-match headers of each column role (the documented alias table of export headers)."""

AMOUNT_ROLES = ("original", "adjusted", "actual")
IGNORED_ROLES = ("month_actual", "rate", "difference", "row_total")
_MONTH_HEADER = re.compile(r"^(?:(\d{1,2})|(十[一二]?|[一二三四五六七八九十]))月(?:份)?(?:执行数|实际数|发生额|数)?$")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11,
           "十二": 12}
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*(?:年|年度|fy|财年)", re.IGNORECASE)
_UNIT = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|千元|元|百万元|亿元)")
_DEPT = re.compile(r"(?:科室|部门)\s*[:：]\s*([^\s（(　]+)\s*(?:[（(]\s*([0-9A-Za-z.\-]+)\s*[）)])?")
_ORG = re.compile(r"编制单位\s*[:：]\s*([^\s　]+)")
_TITLE_WORDS = re.compile(r"预算执行|执行情况|执行表|决算|预算表|收入支出|收支|月度|月报|年度|情况表|明细表|汇总表|科室预算")
UNIT_WORDS = {word: parse_scale(word) for word in ("元", "千元", "万元", "百万元")}
"""Unit lines casekit reads, as scales of :mod:`casekit.money` (亿元 is refused with a message)."""


class ExportLayoutError(Exception):
    """A sheet looks like a finance-system export but its layout cannot be read.

    Attributes
    ----------
    problem : str
        What the layout is and why it cannot be read.
    fix : str
        What to do instead.
    row : int or None
        Sheet row (1-based) where the problem shows.
    """

    def __init__(self, problem: str, fix: str, row: int | None = None):
        super().__init__(problem)
        self.problem, self.fix, self.row = problem, fix, row


@dataclass
class Layout:
    """What :func:`read_layout` found in one sheet.

    Attributes
    ----------
    header_pos : int
        Position (0-based) of the first header row; ``header_rows`` rows belong to it.
    header_rows : int
    roles : dict of int to str
        Column position -> role (a key of :data:`ROLE_ALIASES`, or ``"month"``).
    months : dict of int to int
        Column position -> month 1-12 for a wide monthly sheet.
    headers : dict of int to str
        Column position -> header as written (``"预算数 / 年初预算"`` for two rows).
    title : str
        The title text (first text above the header), ``""`` if none.
    year : int or None
        Year named in the title or unit line (``2023年度``).
    unit : str or None
        Unit line as written (``万元``), ``None`` when the sheet states none.
    dept : tuple of (str, str) or None
        ``(code, name)`` from a ``科室：内科（0101）`` line (code may be ``""``).
    organisation : str
        Hospital named by the title or by ``编制单位：``.
    through : (int, str) or None
        ``(last month, text)`` when the title, unit line or a header says the actuals cover only
        part of the year (``2023年1-6月``, ``截至2023年6月30日``, ``本年累计(1-6月)``, ``January-June 2023``,
        ``YTD June 2023``): :func:`year_to_date`. ``None`` for a whole year.
    unknown : list of str
        Headers that matched no role (ignored).
    """

    header_pos: int
    header_rows: int
    roles: dict[int, str]
    months: dict[int, int] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)
    title: str = ""
    year: int | None = None
    unit: str | None = None
    dept: tuple[str, str] | None = None
    organisation: str = ""
    unknown: list[str] = field(default_factory=list)
    through: tuple[int, str] | None = None

    def columns(self, role: str) -> list[int]:
        """Positions of the columns with ``role``."""
        return [p for p, r in self.roles.items() if r == role]


def _lookup() -> dict[str, str]:
    return {normalise_header(a): role for role, names in ROLE_ALIASES.items() for a in names}


_ROLE_LOOKUP = _lookup()


def month_of(header: str) -> int | None:
    """Month 1-12 a header names (``1月``, ``一月``, ``3月执行数``), else ``None``."""
    m = _MONTH_HEADER.match(unicodedata.normalize("NFKC", header).strip().replace(" ", ""))
    if not m:
        return None
    value = int(m.group(1)) if m.group(1) else _CN_NUM[m.group(2)]
    return value if 1 <= value <= 12 else None


def role_of(top: str, sub: str = "") -> str | None:
    """The role of a column from its header (and the group label above it, for two-row headers).

    The combinations are tried most specific first: sub-header with its group (``年初`` under
    ``预算数`` gives ``年初预算数``), the sub-header alone (``本年累计`` under ``执行数``), then the
    group alone.

    Examples
    --------
    >>> role_of("预算数", "调整预算"), role_of("执行数", "本月"), role_of("执行数", "本年累计")
    ('adjusted', 'month_actual', 'actual')
    >>> role_of("科目编码", "类"), role_of("决算数")
    ('class', 'actual')
    """
    top, sub = top.strip(), sub.strip()
    cands = [sub + top, top + sub, sub, top] if sub and sub != top else [top]
    for c in cands:
        if not c:
            continue
        if month_of(c) is not None:
            return "month"
        role = _ROLE_LOOKUP.get(normalise_header(c))
        if role is not None:
            return role
    return None


def _row_texts(cells: pd.DataFrame, pos: int) -> list[str]:
    return [str(v).strip() for v in cells.iloc[pos].tolist()]


def _distinct(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t))


def _score(texts: list[str]) -> tuple[int, int]:
    """(distinct roles found, amount roles or months found) of a candidate header row."""
    roles = [role_of(t) for t in texts if t]
    found = {r for r in roles if r}
    return len(found), len([r for r in found if r in AMOUNT_ROLES or r == "month"])


def looks_like_export(cells: pd.DataFrame) -> bool:
    """Whether a grid's first rows hold an export header: an account name (or code) and an amount column."""
    for pos in range(min(HEADER_SEARCH_ROWS, len(cells))):
        texts = _row_texts(cells, pos)
        roles = {role_of(t) for t in texts if t}
        if roles & {"name", "code", "class"} and roles & {*AMOUNT_ROLES, "month"}:
            return True
        if pos + 1 < len(cells):
            sub = _row_texts(cells, pos + 1)
            pair = {role_of(t, s) for t, s in zip(texts, sub) if t or s}
            if pair & {"name", "code", "class"} and pair & {*AMOUNT_ROLES, "month"}:
                return True
    return False


def read_layout(cells: pd.DataFrame, label: str) -> Layout:
    """Find the header of an export sheet and the role of each column.

    Parameters
    ----------
    cells : pandas.DataFrame
        The sheet's cells as stripped text (positional columns).
    label : str
        ``book.xlsx[sheet]`` for messages.

    Returns
    -------
    Layout

    Raises
    ------
    ExportLayoutError
        No header with an account name/code and an amount column; a side-by-side 收入 | 支出
        layout (two name columns); a header of three rows.
    """
    best: tuple | None = None
    for pos in range(min(HEADER_SEARCH_ROWS, len(cells))):
        top = _row_texts(cells, pos)
        if not any(top):
            continue
        single = _score(top)
        if single[0] >= 2 and single[1] >= 1 and (best is None or single > best[0]):
            best = (single, pos, 1)
        if pos + 1 < len(cells):
            sub = _row_texts(cells, pos + 1)
            pair_roles = {role_of(t, s) for t, s in zip(top, sub) if t or s} - {None}
            pair = (len(pair_roles), len([r for r in pair_roles if r in AMOUNT_ROLES or r == "month"]))
            alone = max(single, _score(sub))
            if pair[0] >= 2 and pair[1] >= 1 and pair > alone and (best is None or pair > best[0]):
                best = (pair, pos, 2)
        if best is not None and best[1] < pos:
            break
    if best is None:
        raise ExportLayoutError(f"{label}: no header row with an account name or code and an amount column "
                                "(年初预算 / 调整预算 / 执行数 / 决算数) in the first rows",
                                "Keep the export's header row; or copy the lines into casekit's budget and actuals "
                                "tables (casekit template).")
    _, pos, nrows = best
    if nrows == 1 and pos > 0:
        # a group row above whose cells merge down into this one (科目编码 over two rows): one header of two rows
        above, here = _row_texts(cells, pos - 1), _row_texts(cells, pos)
        if sum(1 for a, h in zip(above, here) if a and a == h) >= 2 and len(_distinct(above)) > 2:
            pos, nrows = pos - 1, 2
    top = _row_texts(cells, pos)
    sub = _row_texts(cells, pos + 1) if nrows == 2 else [""] * len(top)
    roles: dict[int, str] = {}
    months: dict[int, int] = {}
    headers: dict[int, str] = {}
    unknown: list[str] = []
    for c, (t, s) in enumerate(zip(top, sub)):
        if not t and not s:
            continue
        written = t if not s or s == t else (f"{t} / {s}" if t else s)
        headers[c] = written
        role = role_of(t, s)
        if role is None:
            unknown.append(written)
            continue
        roles[c] = role
        if role == "month":
            months[c] = month_of(s if s and month_of(s) else t) or 0
    _check_layout(cells, pos, nrows, roles, headers, label)
    layout = Layout(pos, nrows, roles, months, headers, unknown=unknown)
    _read_title(cells.iloc[:pos], layout)
    for c in layout.columns("actual"):  # 本年累计(1-6月): the actual column itself says it is a year to date
        if layout.through is None and (ytd := year_to_date(headers[c])) is not None:
            layout.through = (ytd[1], headers[c])
    return layout


def _check_layout(cells: pd.DataFrame, pos: int, nrows: int, roles: dict[int, str], headers: dict[int, str],
                  label: str) -> None:
    names = [c for c, r in roles.items() if r == "name"]
    if len(names) > 1 or len([c for c, r in roles.items() if r == "actual"]) > 1 and \
            len({headers[c] for c, r in roles.items() if r == "actual"}) == 1:
        raise ExportLayoutError(
            f"{label}: the sheet holds two blocks side by side ({', '.join(headers[c] for c in names) or 'two name columns'}"
            "): a 收入 | 支出 layout such as 收入支出决算总表, which casekit cannot read line by line",
            "Copy each block (收入 and 支出) into its own sheet with one 项目/科目名称 column and its amount "
            "columns, or use the detailed tables (收入决算表, 支出决算表) of the same disclosure.", pos + 1)
    nxt = pos + nrows
    if nxt < len(cells) and nrows == 2:
        third = _row_texts(cells, nxt)
        amount_cols = [c for c, r in roles.items() if r in AMOUNT_ROLES]
        labels = [third[c] for c in amount_cols if c < len(third) and third[c]]
        if labels and all(role_of(x) is not None or not _numberish(x) for x in labels) \
                and not any(x == "栏次" or _numberish(x) for x in third if x):
            raise ExportLayoutError(
                f"{label}: the header has three rows (e.g. '{labels[0]}' below '{headers[amount_cols[0]]}'); casekit "
                "reads headers of one or two rows",
                "Merge the header into one or two rows (e.g. 预算数 over 年初预算 | 调整预算), keeping one column per "
                "amount, and read the file again.", nxt + 1)


def _numberish(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text).replace(",", "").replace("%", "").strip()
    try:
        float(t)
    except ValueError:
        return False
    return True


def _read_title(above: pd.DataFrame, layout: Layout) -> None:
    texts: list[str] = []
    for pos in range(len(above)):
        texts += _distinct(_row_texts(above, pos))
    if texts:
        layout.title = texts[0]
    for t in texts:
        norm = unicodedata.normalize("NFKC", t)
        if layout.through is None and (ytd := year_to_date(t)) is not None:
            layout.through = (ytd[1], t)
            layout.year = layout.year or ytd[0]
        if layout.year is None and (m := _YEAR.search(norm)):
            layout.year = int(m.group(1))
        if layout.unit is None and (m := _UNIT.search(t.replace(" ", ""))):
            layout.unit = m.group(1)
        if layout.dept is None and (m := _DEPT.search(t)):
            layout.dept = (m.group(2) or "", m.group(1))
        if not layout.organisation and (m := _ORG.search(t)):
            layout.organisation = m.group(1)
    if not layout.organisation and layout.title:
        name = _YEAR.split(unicodedata.normalize("NFKC", layout.title))[0]
        name = _TITLE_WORDS.split(name)[0].strip(" 　:：-")
        layout.organisation = name if 2 <= len(name) <= 60 else ""


_MONTHS_EN = {m: i for i, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")), start=1) for m in names}
_EN_MONTH = "|".join(sorted(_MONTHS_EN, key=len, reverse=True))
_YTD_PATTERNS = (
    # 2023年1-6月 / 2023年1至9月 / 2023年1月-6月 / 2023年1～6月份
    re.compile(r"(?:(?P<year>(?:19|20)\d{2})\s*年(?:度)?)?\s*1\s*月?\s*(?:-|~|至|到|—|–)\s*(?P<month>1[0-2]|[1-9])\s*月"),
    # 截至2023年6月30日 / 截止到2023年6月
    re.compile(r"截(?:至|止)(?:到)?\s*(?P<year>(?:19|20)\d{2})\s*年\s*(?P<month>1[0-2]|[1-9])\s*月"),
    # January-June 2023 / Jan–Jun 2023
    re.compile(rf"\bjan(?:uary)?\s*(?:-|–|—|to)\s*(?P<mname>{_EN_MONTH})\.?\s*(?P<year>(?:19|20)\d{{2}})?", re.I),
    # YTD June 2023 / year to date June 2023
    re.compile(rf"\b(?:ytd|year[\s-]to[\s-]date)\s*(?:to\s*)?(?P<mname>{_EN_MONTH})\.?\s*(?P<year>(?:19|20)\d{{2}})?",
               re.I),
)


def year_to_date(text: str) -> tuple[int | None, int] | None:
    """``(year or None, last month)`` when ``text`` says the figures cover January to a month, else ``None``.

    A period ending in December is a whole year (``None``).

    Examples
    --------
    >>> year_to_date("XX医院2023年1-6月预算执行情况表"), year_to_date("截至2023年9月30日"), year_to_date("本年累计(1-6月)")
    ((2023, 6), (2023, 9), (None, 6))
    >>> year_to_date("2023年1至9月"), year_to_date("January-June 2023"), year_to_date("YTD June 2023")
    ((2023, 9), (2023, 6), (2023, 6))
    >>> year_to_date("2023年1-12月"), year_to_date("2023年度预算执行情况表"), year_to_date("编码1-6")
    (None, None, None)
    """
    norm = unicodedata.normalize("NFKC", str(text)).replace("\u3000", " ")
    for pattern in _YTD_PATTERNS:
        m = pattern.search(norm)
        if not m:
            continue
        groups = m.groupdict()
        month = int(groups["month"]) if groups.get("month") else _MONTHS_EN[groups["mname"].lower()]
        if month == 12:
            return None
        return (int(groups["year"]) if groups.get("year") else None), month
    return None


def year_from_name(name: str) -> int | None:
    """Year named in a file or sheet name (``2023年度预算执行情况表.xlsx``, ``FY2023``), else ``None``.

    Examples
    --------
    >>> year_from_name("2023年度预算执行情况表"), year_from_name("budget FY2024"), year_from_name("内科")
    (2023, 2024, None)
    """
    text = unicodedata.normalize("NFKC", name)
    m = _YEAR.search(text) or re.search(r"(?:fy|FY)\s*(20\d{2})", text) or re.search(r"(?<!\d)(20\d{2})(?!\d)", text)
    return int(m.group(1)) if m else None
