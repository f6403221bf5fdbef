"""Messages about a client's workbook in the workbook's own words: sheet names, profile keys, drop-downs.

A finance clerk fills the Excel template (:mod:`casekit.data.template`) and reads what
``casekit validate`` says about it. These messages therefore quote the names the clerk sees
(the sheet ``执行``, the key ``医院名称``, the drop-down labels ``三级/二级/一级``) and are written in
the language of those names: a key or sheet named in Chinese gets the Chinese text of
:data:`casekit.labels.LABELS` (keys ``msg.*``), anything else the English one.

Examples
--------
>>> lang_of("医院名称"), lang_of("name")
('zh', 'en')
>>> choice_list(["三级", "二级", "一级"], "zh"), choice_list(["tertiary", "secondary", "primary"], "en")
('三级、二级或一级', 'tertiary, secondary or primary')
>>> restored_code("101", {"0101", "0102"})
'0101'
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from casekit.errors import Issue, closest
from casekit.labels import LABELS, label
from casekit.data.schema.tables import PROFILE_FIELDS, TABLES

PROFILE_CHOICES: dict[str, dict[str, list[str]]] = {
    "tier": {"en": ["tertiary", "secondary", "primary"], "zh": ["三级", "二级", "一级"]},
    "currency_unit": {"en": ["units", "thousands", "ten_thousands", "millions"], "zh": ["元", "千元", "万元", "百万元"]},
    "synthetic": {"en": ["yes", "no"], "zh": ["是", "否"]},
}
"""Drop-down labels of the template's profile sheet, by key and language (the template writes these)."""

SHEET_CUTOFF = 0.5
"""Smallest difflib similarity for suggesting a sheet name (``执行数据`` for ``执行`` is 0.67)."""


def is_chinese(text: str) -> bool:
    """Whether ``text`` contains a CJK ideograph."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def lang_of(*texts: str) -> str:
    """``"zh"`` when any of ``texts`` is written in Chinese, else ``"en"``."""
    return "zh" if any(is_chinese(t) for t in texts) else "en"


def choice_list(options: Sequence[str], lang: str) -> str:
    """``"a, b or c"`` (en) or ``"a、b或c"`` (zh)."""
    options = list(options)
    if len(options) < 2:
        return "".join(options)
    if lang == "zh":
        return "、".join(options[:-1]) + label("msg.or", lang) + options[-1]
    return ", ".join(options[:-1]) + f" {label('msg.or', lang)} " + options[-1]


def blank_profile_value(key: str, written: str, file: str, row: int | None) -> Issue:
    """The error for a required profile key whose value is blank (the key row is there, the value is not).

    Parameters
    ----------
    key : str
        Canonical key (``"tier"``).
    written : str
        The key as written in the profile (``"医院等级"``); it decides the language.
    file : str
        ``book.xlsx[医院概况]``, ``profile.csv`` or ``hospital.yaml``.
    row : int or None
        Row of the key in the sheet or CSV file.

    Returns
    -------
    Issue
        ``the value of 医院等级 is empty``, with a fix naming the drop-down labels of the
        template in the same language (``三级、二级或一级``).
    """
    lang = lang_of(written)
    if key in PROFILE_CHOICES:
        fix = label("msg.profile_blank_choose", lang, choices=choice_list(PROFILE_CHOICES[key][lang], lang),
                    field=written)
    else:
        what_key = f"msg.profile_what.{key}"
        what = label(what_key, lang) if what_key in LABELS else (PROFILE_FIELDS[key][1] if lang == "zh" else key)
        fix = label("msg.profile_blank_type", lang, what=what, field=written)
    return Issue(file, row, written, None, label("msg.profile_blank", lang, field=written), fix, "error")


def restored_code(value: str, codes: Collection[str]) -> str | None:
    """The code of ``codes`` that ``value`` is once its leading zeros are restored, if exactly one is.

    ``101`` typed into a cell formatted as a number is what Excel keeps of ``0101``.

    Examples
    --------
    >>> restored_code("5", {"005", "05"}) is None          # ambiguous: no guess
    True
    >>> restored_code("0101", {"0101"}) is None            # not a dropped zero
    True
    """
    text = str(value)
    if not text.isdigit() or text.startswith("0"):
        return None
    found = [c for c in codes if isinstance(c, str) and c.startswith("0") and c.lstrip("0") == text]
    return found[0] if len(found) == 1 else None


def rows_text(rows: Sequence[int], lang: str, shown: int = 5) -> str:
    """``rows 2, 5 and 3 more`` (en) or ``第 2、5 行等 5 行`` (zh).

    Examples
    --------
    >>> rows_text([2], "en"), rows_text([2, 3, 4], "zh", shown=2)
    ('row 2', '第 2、3 行等 3 行')
    """
    listed, more = [str(r) for r in rows[:shown]], len(rows) - shown
    if lang == "zh":
        return f"第 {'、'.join(listed)} 行" + (f"等 {len(rows)} 行" if more > 0 else "")
    return f"row{'s' if len(rows) > 1 else ''} {', '.join(listed)}" + (f" and {more} more" if more > 0 else "")


def leading_zero_message(word: str, value: str, code: str, parent: str, header: str,
                         rows: Sequence[int]) -> tuple[str, str]:
    """(problem, fix) for a code that is a known code without its leading zeros.

    Parameters
    ----------
    word : str
        What the code is: ``department``, ``account``, ``parent account`` or ``survey item``.
    value, code : str
        The code as read (``101``) and the known code it stands for (``0101``).
    parent : str
        Where the known code is (``book.xlsx[科室]``).
    header : str
        The column header as written; it decides the language.
    rows : sequence of int
        Rows holding ``value``.

    Examples
    --------
    >>> leading_zero_message("department", "101", "0101", "h.xlsx[科室]", "科室编码", [2])[0]
    '科室编码“101”即h.xlsx[科室]中的“0101”去掉了开头的 0：该单元格为数值格式，Excel 把开头的 0 删去了（第 2 行）'
    """
    lang = lang_of(header, parent)
    zeros = len(code) - len(value)
    problem = label("msg.leading_zero", lang, word=label(f"msg.word.{word}", lang), value=value, parent=parent,
                    code=code, plural="s" if zeros > 1 else "", them="them" if zeros > 1 else "it")
    if rows:
        problem += f"（{rows_text(rows, lang)}）" if lang == "zh" else f" ({rows_text(rows, lang)})"
    return problem, label("msg.leading_zero_fix", lang, code=code, value=value, parent=parent)


def _table_names(table: str, lang: str) -> list[str]:
    t = TABLES[table]
    return [t.zh, t.name, *t.aliases] if lang == "zh" else [t.name, t.zh, *t.aliases]


def missing_sheet(book: str, table: str, sheets: Sequence[str], unmatched: Iterable[str]) -> Issue:
    """The error for a workbook without a sheet for a required table, naming the closest sheet.

    Parameters
    ----------
    book : str
        Workbook file name.
    table : str
        Canonical name of the missing table.
    sheets : sequence of str
        Every sheet of the workbook (in Chinese when any is: that decides the language).
    unmatched : iterable of str
        Sheets that hold no table; the one closest to the table's names is suggested.

    Examples
    --------
    >>> i = missing_sheet("h.xlsx", "actuals", ["科室", "执行数据"], ["执行数据"])
    >>> i.problem, i.fix
    ('工作簿 h.xlsx 中没有必填表“执行”的工作表', '工作表“执行数据”与之相近：请将其重命名为“执行”。')
    """
    lang = lang_of(*sheets)
    names = _table_names(table, lang)
    unmatched = list(unmatched)
    near = next((s for s in (closest(n, unmatched, SHEET_CUTOFF) for n in names) if s is not None), None)
    if near is not None:
        fix = label("msg.missing_sheet_rename", lang, sheet=near, name=names[0])
    else:
        fix = label("msg.missing_sheet_add", lang, name=names[0], sheets=", ".join(sheets) or "-")
    return Issue(book, None, None, None, label("msg.missing_sheet", lang, book=book, name=names[0]), fix, "error",
                 table)


def unknown_sheet_fix(sheet: str) -> str | None:
    """A "did you mean" fix for a sheet whose name matches no table, or None when no table name is close.

    Examples
    --------
    >>> unknown_sheet_fix("Actual")
    'Did you mean actuals? Rename the sheet to actuals; ignore this if the sheet holds no casekit table.'
    >>> unknown_sheet_fix("工资表") is None
    True
    """
    lang = lang_of(sheet)
    candidates = {n: t for t in TABLES if t != "ledger" for n in _table_names(t, lang)}
    near = closest(sheet, candidates, SHEET_CUTOFF)
    if near is None:
        return None
    return label("msg.unknown_sheet_fix", lang, name=_table_names(candidates[near], lang)[0])
