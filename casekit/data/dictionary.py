"""Generate ``docs/data-format.md`` from the data model, so the documentation cannot drift.

Sources: :data:`~casekit.data.schema.tables.TABLES`, :data:`~casekit.data.schema.tables.PROFILE_FIELDS`,
:data:`~casekit.data.schema.tables.VALUE_ALIASES`, the yes/no spellings and the standard governance
checklist (``casekit/diagnosis/standard_checklist.csv``). ``casekit docs`` writes the file;
a test checks that the committed file equals :func:`render_data_format`.
"""
from __future__ import annotations

from pathlib import Path

from casekit.fs.atomic import write_text

from casekit.errors import OutputError
from casekit.data.schema.tables import (BOOL_FALSE, BOOL_TRUE, PROFILE_FIELDS, REQUIRED_TABLES, TABLES, VALUE_ALIASES,
                                   Column)
from casekit.data.checklist import standard_checklist

_TYPES = {"str": "text", "int": "integer", "float": "number", "bool": "yes/no", "date": "date"}


def render_data_format() -> str:
    """Return the Markdown text of ``docs/data-format.md``.

    Returns
    -------
    str
        Sections: layout of a hospital folder, the profile keys, each table (file names accepted,
        key, columns with type, required, allowed values or range, Chinese header and accepted
        aliases), accepted value spellings, yes/no spellings, the standard checklist.
    """
    out = [
        "# Hospital data format",
        "",
        f"{GENERATED_MARK} (casekit/data/dictionary.py) from casekit/data/schema/tables.py and "
        "casekit/diagnosis/standard_checklist.csv. Do not edit by hand. -->",
        "",
        "One hospital is one folder of CSV / Excel / Parquet files (one file per table, named after the "
        "table in English or Chinese) plus `hospital.yaml`, or one Excel workbook with one sheet per table "
        "and a `profile` (医院概况) sheet of `key,value` rows. `casekit template FILE.xlsx --lang zh|en` "
        "writes an empty workbook; `casekit validate PATH` lists every problem with file, row, column and fix.",
        "",
        f"Required tables: {', '.join(f'`{t}`' for t in REQUIRED_TABLES)}. Every other table is optional: "
        "analyses that need it are reported as *not assessed*. Headers are matched ignoring case, spaces, "
        "underscores, full-width characters and a bracketed unit suffix (`预算数（元）`). Money columns "
        "hold numbers only, in the currency (`currency`, ISO 4217, default CNY) and scale (`currency_unit`: units, "
        "thousands, ten_thousands = 万, millions) declared once in the profile; casekit keeps them in that unit, and every "
        "money label of the report, tables.xlsx, findings.json and the monitor names it (`万元`, `USD thousand`). "
        "Actuals may be monthly or annual only (leave out `month`), or come from transaction ledger files "
        "(`ledger*.csv` / `ledger*.parquet`) aggregated on load.",
        "",
        "## Hospital profile (`hospital.yaml`, or a `profile` / `医院概况` sheet)",
        "",
        "| key | 中文 | type | required | description |",
        "|---|---|---|---|---|",
    ]
    for key, (dtype, zh, required, desc) in PROFILE_FIELDS.items():
        out.append(_row([f"`{key}`", zh, _TYPES[dtype], _yes(required), desc]))
    out += ["", "## Tables", ""]
    for name, table in TABLES.items():
        names = ", ".join(f"`{n}`" for n in (table.name, table.zh, *table.aliases))
        out += [f"### `{name}` ({table.zh}){' (required)' if table.required else ''}", "",
                table.description, "",
                f"File or sheet names accepted: {names}.",
                f"Key (unique): {', '.join(f'`{k}`' for k in table.key) if table.key else 'none'}.", "",
                "| column | 中文表头 | type | required | allowed values / range | other accepted headers | description |",
                "|---|---|---|---|---|---|---|"]
        for col in table.columns:
            out.append(_row([f"`{col.name}`", col.zh, _type(col), _required(col), _allowed(col),
                             ", ".join(col.aliases), col.description]))
        out.append("")
    out += export_section()
    out += ["## Accepted spellings of values", "",
            "Enumerated values may be written in Chinese or other spellings; they are mapped to the canonical value "
            "(matching ignores case and spaces).", "",
            "| column | written | canonical value |", "|---|---|---|"]
    for column, mapping in VALUE_ALIASES.items():
        for written, canonical in mapping.items():
            out.append(_row([f"`{column}`", written, f"`{canonical}`"]))
    out += ["", "Yes/no columns accept: " + ", ".join(f"`{v}`" for v in BOOL_TRUE) + " (yes); "
            + ", ".join(f"`{v}`" for v in BOOL_FALSE) + " (no).", "",
            "## Standard governance checklist", "",
            "A hospital's `checklist` rows that use these `item_id`s may leave `aspect` and `requirement` blank: "
            "they are filled from this list, which restates the 2020 measures for comprehensive budget management "
            "in public hospitals. Other items must give an aspect. `cause` links an item to the causes C1-C5.", "",
            "| item_id | aspect | cause | requirement | 要求 | source |", "|---|---|---|---|---|---|"]
    for item in standard_checklist().itertuples(index=False):
        out.append(_row([f"`{item.item_id}`", item.aspect, item.cause, item.requirement_en, item.requirement_zh,
                         item.source]))
    return "\n".join(out) + "\n"


_ROLE_WORDS = {
    "code": "account code (kept as text; a number with a 0000 format is read as displayed)",
    "name": "account name (indentation with full-width spaces gives the tree where there are no codes)",
    "dept_id": "department code (long layout)", "dept_name": "department name (long layout)",
    "original": "original budget B0 -> `budget.original`", "adjusted": "adjusted budget B1 -> `budget.adjusted`",
    "actual": "actual to date / final accounts -> annual `actuals.amount`",
    "month_actual": "this month's actual: ignored (本年累计 is used)", "rate": "execution rate: ignored (recomputed)",
    "difference": "difference: ignored (recomputed)", "class": "类 part of a function-classification code",
    "section": "款 part", "item": "项 part", "row_total": "row total of a monthly sheet: ignored",
}


def export_section() -> list[str]:
    """Lines of the section "From your finance system's export" (generated from :mod:`casekit.data.exports`).

    Returns
    -------
    list of str
    """
    from casekit.data.exports.layout import ROLE_ALIASES
    from casekit.data.exports.mapping import DEFAULT_DEPT_TYPE, MAPPING_NAMES

    out = ["## From your finance system's export", "",
           "`casekit validate FILE` and `casekit run FILE` read a finance-system export as the system wrote it "
           "(`.xlsx` or `.csv`), or a folder holding several exports (one per year or department) with an optional "
           "`hospital.yaml` and mapping file. A file or sheet whose name matches no table is read as an export when "
           "its first rows hold an account name or code column and an amount column.", "",
           "| form | what it looks like | what casekit does |", "|---|---|---|",
           "| HRP budget-execution workbook (预算执行情况表), one sheet per department | merged title naming hospital and "
           "year, `编制单位：…　科室：内科（0101）　金额单位：元`, two-row header 预算数 [年初预算 \\| 调整预算], 执行数 "
           "[本月 \\| 本年累计], 执行率, 差异; account tree by code | one department per sheet (from the 科室： line, else "
           "the sheet name); budget and actual split into `budget` and `actuals`; a 全院汇总 sheet is checked "
           "against the sum of the department sheets and not counted |",
           "| one long sheet | 科室编码 / 科室名称 columns, a 小计 row per department, 合计 at the end | departments from "
           "the columns; 小计 / 合计 rows checked, not counted |",
           "| wide monthly sheet | 1月 … 12月 and 合计 columns, section headings 一、收入 / 二、支出 | monthly actuals; "
           "the 合计 column is ignored |",
           "| final-accounts table (部门决算公开表) | 年初预算数 / 调整预算数 / 决算数, 类 \\| 款 \\| 项 code columns "
           "(208 ⊃ 20805 ⊃ 2080505), 栏次 row, 合计 on top, 完成率（%）, 年初/年末结转和结余 | codes joined; 栏次 row "
           "skipped; 决算数 as annual actuals; carry-over lines kept out |",
           "", "Layouts casekit cannot read are refused with a message that says what to do: 收入 \\| 支出 blocks side "
           "by side (收入支出决算总表: copy each block into its own sheet, or use the detailed tables) and headers of "
           "three rows (merge them into one or two).", "",
           "**Which lines count.** Only leaf lines are summed. A parent (a code that is the prefix of others: 4001 ⊃ "
           "400101 ⊃ 40010101, 6101 ⊃ 6101.01; or a name with deeper-indented lines below it), a 合计 / 小计 / 总计 row, "
           "a section heading with its total, and a 其中 (\"of which\") row are never counted; each parent and total "
           "is checked against the lines it covers and a difference is a warning in the report naming the row, the "
           "stated and the summed amount. Surplus, deficit and carry-over lines (收支结余, 结余, 结转, 结余分配, budget-"
           "accounting 8xxx codes) are neither revenue nor expense: they are listed in the report's notes and get no "
           "execution rate. No execution rate is computed on a zero or negative budget (only the deviation A - B).",
           "", "**Direction** (revenue or expense), the first that applies: the section heading above the line (收入 "
           "/ 支出); the code under the government accounting system's chart (budget accounting 6xxx revenue, 7xxx "
           "expenditure; financial accounting 4xxx revenue, 5xxx expense; 类/款/项 function codes in a final-accounts "
           "table are expenditure); the line's name (…收入 / …支出, …费用); the title (支出决算表). The report's notes "
           "say how many lines each source decided; a line none of them decides is an error naming its row.", "",
           "**Year, unit, hospital.** The year comes from the title (`2023年度`), else the sheet name, else the file "
           "name. The unit line (`单位：万元`, `金额单位：元`, `单位：千元`, `单位：百万元`) is checked against the profile's `currency_unit` (a "
           "disagreement is an error naming both); without a profile the hospital's name and unit come from the "
           "title and unit line (stated in the notes). The same checks apply to ordinary table files: a title "
           "naming the year fills a missing year column; a unit line must agree with the profile.", "",
           "**Year to date.** A title, unit line or actual-column header that names part of a year (`2023年1-6月预算执行"
           "情况表`, `2023年1至9月`, `截至2023年6月30日`, `本年累计(1-6月)`, `January-June 2023`, `YTD June 2023`) means "
           "the actuals are a year to date: casekit records the months covered (`Hospital.coverage`), leaves that "
           "year out of the annual rules (execution deviation, accuracy, forecast value added, year-end surge) and "
           "says so in a data-quality note; a period ending in December (`1-12月`) is a whole year. With no complete "
           "year left, `casekit run` stops and says to add the full-year export.", "",
           "**Headers read in exports** (matched ignoring case, spaces and full-width forms; a two-row header is read "
           "as group + sub-header):", "", "| role | headers |", "|---|---|"]
    for role, names in ROLE_ALIASES.items():
        out.append(_row([_ROLE_WORDS.get(role, role), ", ".join(names)]))
    out.append(_row(["month 1-12 (wide monthly sheet)", "1月 … 12月, 一月 … 十二月, 3月执行数"]))
    out += ["", f"**The mapping file** ({', '.join(f'`{n}.yaml`' for n in MAPPING_NAMES[:2])}, beside the export "
            "or in the hospital folder) says once per hospital what an export cannot: department types and account "
            "categories (and a line's direction when nothing else decides it). `casekit template casekit-mapping.yaml "
            "--from EXPORT` writes it pre-filled with casekit's guesses for you to correct:", "",
            "```yaml", "departments:            # code: type", '  "0101": clinical', '  "0301": medical_technology',
            "accounts:               # code: category, or {category: ..., direction: revenue/expense}",
            '  "400101": outpatient', '  "500102": {category: drugs, direction: expense}', "```", "",
            "Without it casekit states each assumption in the report's notes (never as fact): a category guessed from "
            "the line's name where a keyword says it (门诊 -> outpatient, 药品 -> drugs), else `other_revenue` / "
            f"`other_expense`; a department type guessed from the name (检验 -> medical_technology), else "
            f"`{DEFAULT_DEPT_TYPE}`. An export without departments is one whole-hospital department `ALL` (全院).", "",
            "**Several files for one table.** Files or sheets named after a table with a qualifier (`budget_2022.csv`, "
            "`budget_2023.csv`, `预算-内科.xlsx`) and several exports in one folder are combined; a row found in two of "
            "them is an error naming both files and rows.", ""]
    return out


GENERATED_MARK = "<!-- Generated by `casekit docs`"


def is_generated(path: str | Path) -> bool:
    """Whether ``path`` is a ``data-format.md`` written by :func:`write_data_format` (its third line says so)."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, encoding="utf-8", errors="replace") as fh:
        return any(line.startswith(GENERATED_MARK) for line, _ in zip(fh, range(5)))


def write_data_format(path: str | Path) -> Path:
    """Write :func:`render_data_format` to ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        Usually ``docs/data-format.md``.

    Returns
    -------
    Path
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, render_data_format())
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}", "Check the folder exists and is writable.") from None
    return path


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _type(col: Column) -> str:
    return _TYPES[col.dtype] + (" (money)" if col.money else "")


def _required(col: Column) -> str:
    if col.required and not col.nullable:
        return "yes"
    if col.required:
        return "column yes, cells may be blank"
    return "no"


def _allowed(col: Column) -> str:
    parts = []
    if col.enum:
        parts.append(", ".join(f"`{v}`" for v in col.enum))
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else f"{col.min:g}"
        hi = "" if col.max is None else f"{col.max:g}"
        parts.append(f"{lo} to {hi}" if lo and hi else f">= {lo}" if lo else f"<= {hi}")
    return "; ".join(parts)
