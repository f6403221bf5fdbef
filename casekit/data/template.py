"""Excel template for a client hospital: one sheet per table, drop-downs, profile and data dictionary.

Generated from :data:`casekit.data.schema.tables.TABLES`, so a filled template loads back with
:func:`casekit.load`. Headers are in English (canonical names) or Chinese (primary Chinese
headers); required columns are bold red with a comment. Enumerated columns get drop-down lists
(Chinese labels with ``lang="zh"``, mapped back by :data:`~casekit.data.schema.tables.VALUE_ALIASES`).
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from casekit.errors import ConfigError, OutputError
from casekit.data.io.hints import PROFILE_CHOICES
from casekit.fs.atomic import atomic_path
from casekit.labels import description, label
from casekit.data.schema.tables import BOOL_FALSE, BOOL_TRUE, PROFILE_FIELDS, TABLES, VALUE_ALIASES, Column
from casekit.labels import LANGS

TEMPLATE_ROWS = 2000
"""Rows below the header that carry the drop-down lists."""
PROFILE_SHEET = {"en": "profile", "zh": "医院概况"}
INSTRUCTIONS_SHEET = {"en": "instructions", "zh": "说明"}
TEMPLATE_TABLES = tuple(n for n in TABLES if n != "ledger")
"""Tables written as sheets (a transaction ledger is too large for a workbook)."""

_REQUIRED_FONT = Font(bold=True, color="C00000")
_OPTIONAL_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TYPE_WORDS = {"en": {"str": "text", "int": "whole number", "float": "number", "bool": "yes/no", "date": "date"},
               "zh": {"str": "文本", "int": "整数", "float": "数值", "bool": "是/否", "date": "日期"}}


def enum_labels(col: Column, lang: str) -> list[str]:
    """Drop-down labels of an enumerated or yes/no column.

    Parameters
    ----------
    col : Column
    lang : {"en", "zh"}

    Returns
    -------
    list of str
        Canonical values in English; in Chinese the first Chinese alias of each value when every
        value has one (otherwise the canonical values). Empty for other columns.

    Examples
    --------
    >>> from casekit.data.schema.tables import TABLES
    >>> enum_labels(TABLES["accounts"].column("direction"), "zh")
    ['收入', '支出']
    """
    if col.dtype == "bool":
        return ["是", "否"] if lang == "zh" else ["yes", "no"]
    if not col.enum:
        return []
    if lang == "en":
        return list(col.enum)
    first: dict[str, str] = {}
    for label, canonical in VALUE_ALIASES.get(col.name, {}).items():
        if any("\u4e00" <= ch <= "\u9fff" for ch in label):
            first.setdefault(canonical, label)
    return [first[v] for v in col.enum] if all(v in first for v in col.enum) else list(col.enum)


def write_template(out: str | Path, lang: str = "en") -> Path:
    """Write the empty client workbook.

    Parameters
    ----------
    out : str or Path
        Workbook to write; its name must end in ``.xlsx``. Written atomically (temporary file, then rename).
    lang : {"en", "zh"}
        Language of headers, sheet names, drop-down labels and instructions.

    Returns
    -------
    Path
        The workbook: an instructions sheet (data dictionary), a profile sheet with ``key,value``
        rows, and one sheet per table (all of ``TABLES`` except ``ledger``) named by its canonical
        (en) or Chinese (zh) table name.

    Raises
    ------
    ConfigError
        For a language other than en or zh, or a file name not ending in ``.xlsx``.
    OutputError
        When the file cannot be written.
    """
    if lang not in LANGS:
        raise ConfigError(f"unknown template language {lang!r}", "Use --lang en or --lang zh.")
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise ConfigError(f"{out.name} is not an .xlsx file name: the template is an Excel workbook",
                          f"Name it {out.stem or 'hospital'}.xlsx.")
    wb = Workbook()
    _instructions(wb.active, lang)
    _profile(wb.create_sheet(PROFILE_SHEET[lang]), lang)
    for name in TEMPLATE_TABLES:
        table = TABLES[name]
        _table_sheet(wb.create_sheet(table.zh if lang == "zh" else table.name), name, lang)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(out) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror}", "Check the folder exists and is writable.") from None
    return out


def _header(ws: Worksheet, col_idx: int, text: str, required: bool, note: str) -> None:
    cell = ws.cell(row=1, column=col_idx, value=text)
    cell.font = _REQUIRED_FONT if required else _OPTIONAL_FONT
    cell.fill = _HEADER_FILL
    cell.comment = Comment(note, "casekit", width=320, height=140)
    ws.column_dimensions[get_column_letter(col_idx)].width = max(12, min(40, 2 * len(text) + 4))


def _table_sheet(ws: Worksheet, name: str, lang: str) -> None:
    table = TABLES[name]
    for j, col in enumerate(table.columns, start=1):
        required = col.required and not col.nullable
        text = col.zh if lang == "zh" else col.name
        mark = ("必填。" if lang == "zh" else "Required. ") if required else ("选填。" if lang == "zh" else "Optional. ")
        _header(ws, j, text, required, mark + description(name, col.name, col.description, lang))
        letter = get_column_letter(j)
        labels = enum_labels(col, lang)
        if labels:
            dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                                showErrorMessage=True)
            dv.error = ("请从下拉列表中选择。" if lang == "zh" else "Choose a value from the list.")
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(dv)
        if col.dtype in ("date", "str"):
            # Column-level format: codes such as 001 stay text, dates show as dates; no empty cells are created.
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd" if col.dtype == "date" else "@"
    ws.freeze_panes = "A2"


def _profile(ws: Worksheet, lang: str) -> None:
    _header(ws, 1, "key" if lang == "en" else "项目", True, label("template.profile_key", lang))
    _header(ws, 2, "value" if lang == "en" else "值", True, label("template.profile_value", lang))
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 30
    defaults = {"currency_unit": "元" if lang == "zh" else "units", "currency": "CNY"}
    for i, (key, (dtype, zh, required, desc)) in enumerate(PROFILE_FIELDS.items(), start=2):
        cell = ws.cell(row=i, column=1, value=zh if lang == "zh" else key)
        cell.font = _REQUIRED_FONT if required else Font()
        cell.comment = Comment(("必填。" if required else "选填。") + description("profile", key, desc, lang) if lang == "zh"
                               else ("Required. " if required else "Optional. ") + desc, "casekit", width=320, height=100)
        if key in defaults:
            ws.cell(row=i, column=2, value=defaults[key])
    choices = {key: labels[lang] for key, labels in PROFILE_CHOICES.items()}
    for i, key in enumerate(PROFILE_FIELDS, start=2):
        if key in choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices[key]) + '"', allow_blank=True)
            dv.add(f"B{i}")
            ws.add_data_validation(dv)


def _instructions(ws: Worksheet, lang: str) -> None:
    ws.title = INSTRUCTIONS_SHEET[lang]
    zh = lang == "zh"
    intro = (["casekit 医院预算数据模板。每个工作表对应一张数据表，第1行为表头（红色粗体为必填列），从第2行起每行一条记录。",
              "必填表：科室、科目、预算、执行。其余表为选填，未填写的分析将标注为“未评估”。",
              "金额单位在“医院概况”表的“金额单位”中统一声明（元、千元、万元或百万元），货币在“货币”中声明（默认人民币 CNY），金额单元格只填数字。",
              "下表为数据字典；填写后运行 casekit validate 工作簿.xlsx 检查数据。"]
             if zh else
             ["casekit hospital budget data template. Each sheet is one table; row 1 holds the headers (bold red = "
              "required), one record per row from row 2.",
              "Required tables: departments, accounts, budget, actuals. The others are optional; analyses that need "
              "them are reported as 'not assessed'.",
              "Declare the money unit once in the profile sheet (currency_unit: units, thousands, ten_thousands or "
              "millions; currency: CNY by default, or USD, GBP, EUR ...); money cells hold numbers only.",
              "The data dictionary follows; when filled, run `casekit validate workbook.xlsx`."])
    for i, line in enumerate(intro, start=1):
        ws.cell(row=i, column=1, value=line)
    heads = (["表", "列（表头）", "英文名", "类型", "必填", "允许值 / 范围", "说明"] if zh else
             ["table", "column (header)", "Chinese header", "type", "required", "allowed values / range", "description"])
    start = len(intro) + 2
    for j, text in enumerate(heads, start=1):
        cell = ws.cell(row=start, column=j, value=text)
        cell.font = _OPTIONAL_FONT
        cell.fill = _HEADER_FILL
    r = start + 1
    for name in TEMPLATE_TABLES:
        table = TABLES[name]
        for col in table.columns:
            allowed = ", ".join(enum_labels(col, lang))
            if col.min is not None or col.max is not None:
                lo = "" if col.min is None else f"{col.min:g}"
                hi = "" if col.max is None else f"{col.max:g}"
                allowed = (allowed + " " if allowed else "") + f"{lo} – {hi}"
            required = col.required and not col.nullable
            values = ([table.zh, col.zh, col.name] if zh else [table.name, col.name, col.zh])
            values += [_TYPE_WORDS[lang][col.dtype] + (" (按金额单位)" if zh and col.money else
                                                       " (money)" if col.money else ""),
                       ("是" if required else "否") if zh else ("yes" if required else "no"), allowed,
                       description(name, col.name, col.description, lang)]
            for j, v in enumerate(values, start=1):
                ws.cell(row=r, column=j, value=v).alignment = Alignment(wrap_text=j == 7, vertical="top")
            r += 1
    for j, width in enumerate((14, 18, 18, 14, 8, 30, 70), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    # The yes/no spellings accepted, so users know what the drop-downs stand for.
    ws.cell(row=r + 1, column=1, value=("是/否 可写作：" if zh else "yes/no may be written as: ")
            + " / ".join(BOOL_TRUE) + " | " + " / ".join(BOOL_FALSE))
