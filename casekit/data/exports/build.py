"""Reshape finance-system export sheets into casekit's canonical tables.

From the leaf lines of every export sheet (:mod:`casekit.data.exports.lines`) casekit builds the four
required tables: ``departments`` (from a ``科室：`` line, the sheet name, the 科室编码 / 科室名称 columns,
or one whole-hospital department), ``accounts`` (code, name, direction and the source of the
direction; category from the mapping file, else a stated guess or default), ``budget`` (年初预算 /
调整预算 of each leaf) and ``actuals`` (本年累计 / 决算数 as annual actuals, or 1月 … 12月 as monthly
actuals). Budget and actual side by side in one sheet are split into the two tables. A 全院汇总
sheet beside department sheets is not counted: it is checked against the sum of the departments.
Every assumption is a warning that travels into the report.
"""
from __future__ import annotations


from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data.exports.layout import UNIT_WORDS, Layout, read_layout, year_from_name
from casekit.data.exports.lines import MONTH_COLUMNS, amount_names, footing_issues, sheet_lines, word_direction
from casekit.data.exports.mapping import (DEFAULT_CATEGORY, DEFAULT_DEPT_TYPE, guess_category, guess_dept_type)
from casekit.data.io.frame import short
from casekit.data.io.raw import RawTable

WHOLE_HOSPITAL = ("ALL", "全院")
"""Department of an export without departments: one whole-hospital department."""
_SUMMARY_SHEET = ("全院汇总", "汇总", "全院", "合计", "总表", "summary", "total", "hospital")
_GENERIC_SHEET = ("sheet", "工作表", "预算执行", "执行情况", "决算", "预算表", "数据")
MAX_LISTED = 5


@dataclass
class ExportSheet:
    """One export sheet read into lines.

    Attributes
    ----------
    label : str
        ``book.xlsx[sheet]`` (or the CSV file name).
    layout : Layout
    lines : pandas.DataFrame
        From :func:`casekit.data.exports.lines.sheet_lines`.
    year : int or None
        From the title, the sheet name or the file name.
    unit : str or None
        Scale of the sheet's unit line (``units``, ``ten_thousands`` ...; :mod:`casekit.money`), ``None`` when absent.
    summary : bool
        A whole-hospital summary sheet (全院汇总) of a workbook that also has department sheets.
    issues : list of Issue
    """

    label: str
    layout: Layout
    lines: pd.DataFrame
    year: int | None
    unit: str | None
    summary: bool = False
    issues: list[Issue] = field(default_factory=list)


def _dept_from_sheet(sheet: str) -> tuple[str, str] | None:
    import re

    text = sheet.strip()
    if not text or any(text.lower().startswith(g) for g in _GENERIC_SHEET) or year_from_name(text):
        return None
    m = re.match(r"^\s*([0-9A-Za-z.\-]+)\s*[-_ ]?\s*(\D.*)$", text) or None
    if m and any(ch.isdigit() for ch in m.group(1)):
        return m.group(1), m.group(2).strip()
    m = re.match(r"^(.*?)\s*[（(]\s*([0-9A-Za-z.\-]+)\s*[）)]\s*$", text)
    if m:
        return m.group(2), m.group(1)
    return "", text


def read_export_sheet(grid, label: str, file_name: str, sheet: str | None, several_sheets: bool) -> ExportSheet:
    """Read one export sheet (title facts, header, lines, footing) from its grid.

    Parameters
    ----------
    grid : casekit.data.io.grids.Grid
    label : str
        ``book.xlsx[sheet]`` for messages.
    file_name : str
        The file's name (a year may come from it).
    sheet : str or None
        Sheet name (a department or 全院汇总 may come from it).
    several_sheets : bool
        Whether the workbook holds several export sheets (then a sheet name names a department).

    Returns
    -------
    ExportSheet

    Raises
    ------
    casekit.data.exports.layout.ExportLayoutError
        A layout casekit cannot read.
    """
    cells = grid.cells.apply(lambda c: c.str.strip()) if not grid.cells.empty else grid.cells
    layout = read_layout(cells, label)
    issues: list[Issue] = []
    summary = bool(sheet) and several_sheets and any(w in sheet.lower() for w in _SUMMARY_SHEET)
    if layout.dept is None and sheet and several_sheets and not summary:
        layout.dept = _dept_from_sheet(sheet)
    if layout.dept is not None and not layout.dept[0]:
        layout.dept = (layout.dept[1], layout.dept[1])
    heads = " ".join(layout.headers.values())
    final_accounts = "决算" in layout.title or "决算" in heads or bool(layout.columns("class"))
    title_direction = word_direction(layout.title) if layout.title else None
    lines, parse_issues = sheet_lines(grid, layout, label, final_accounts=final_accounts,
                                      title_direction=title_direction)
    issues += parse_issues
    year = layout.year or (year_from_name(sheet) if sheet else None) or year_from_name(Path(file_name).stem)
    unit = None
    if layout.unit is not None:
        unit = UNIT_WORDS.get(layout.unit)
        if unit is None:
            issues.append(Issue(label, None, None, layout.unit, f"the unit line says the amounts are in {layout.unit}, "
                                "which casekit does not read", "Convert the amounts to 元, 千元, 万元 or 百万元 and change "
                                "the unit line (单位：万元 ...).", "error"))
    if not lines.empty:
        headers = {r: layout.headers[layout.columns(r)[0]] for r in ("original", "adjusted", "actual")
                   if layout.columns(r)}
        headers.update({f"m{m}": layout.headers[c] for c, m in layout.months.items() if m})
        issues += footing_issues(lines, label, headers, layout.unit or "")
    return ExportSheet(label, layout, lines, year, unit, summary, issues)


def _account_id(code: str, name: str) -> str:
    return code or name


def build_tables(sheets: list[ExportSheet], mapping: dict, profile_unit: str | None,
                 source: str) -> tuple[dict[str, RawTable], dict, list[Issue]]:
    """Combine export sheets into departments, accounts, budget and actuals.

    Parameters
    ----------
    sheets : list of ExportSheet
        Every export sheet of the hospital (several files, several sheets).
    mapping : dict
        From :func:`casekit.data.exports.mapping.read_mapping`.
    profile_unit : str or None
        The profile's ``currency_unit`` when a profile was given; a unit line that disagrees is
        an error naming both.
    source : str
        Label of the whole input (``book.xlsx`` or the folder) for the combined tables.

    Returns
    -------
    tables : dict of str to RawTable
        ``departments``, ``accounts``, ``budget`` (when any sheet has budget columns), ``actuals``.
    facts : dict
        Profile values the exports state: ``name`` (hospital named by the titles) and
        ``currency_unit`` (from the unit lines).
    issues : list of Issue
        Layout facts casekit assumed (warnings), disagreements and missing years (errors),
        duplicate lines across sheets or files (errors).
    """
    issues: list[Issue] = [i for s in sheets for i in s.issues]
    facts: dict = {}
    names = [s.layout.organisation for s in sheets if s.layout.organisation]
    if names:
        facts["name"] = names[0]
    units = {s.unit for s in sheets if s.unit}
    unit = profile_unit or (next(iter(units)) if len(units) == 1 else None)
    for s in sheets:
        if s.unit and unit and s.unit != unit:
            declared = "the profile's currency_unit" if profile_unit else "the other sheets' unit lines"
            issues.append(Issue(s.label, None, None, s.layout.unit,
                                f"the unit line says {s.layout.unit} ({s.unit}) but {declared} say(s) {unit}",
                                "Make the profile's currency_unit and the export's unit line agree (or convert the "
                                "amounts); casekit does not guess which is right.", "error"))
    if unit and not profile_unit:
        facts["currency_unit"] = unit
    if not units and not profile_unit:
        issues.append(Issue(source, None, None, None, "no unit line (单位：元 / 单位：万元) in the export and no profile: "
                            "amounts are read as 元 (yuan) by default", "State the unit: add hospital.yaml with "
                            "currency_unit, or keep the export's unit line.", "warning"))
    counted = [s for s in sheets if not s.summary and not s.lines.empty]
    has_depts = any(s.layout.dept for s in counted) or any(s.lines["dept_id"].ne("").any() for s in counted)
    frames = []
    for s in counted:
        if s.year is None:
            issues.append(Issue(s.label, None, None, s.layout.title or None,
                                "no year found in the title, the sheet name or the file name",
                                "Keep the export's title (e.g. '…2023年度预算执行情况表'), or put the year in the "
                                "file name (2023年度预算执行.xlsx).", "error"))
            continue
        df = s.lines.copy()
        df["year"] = s.year
        df["label"] = s.label
        if not has_depts:
            df["dept_id"], df["dept_name"] = WHOLE_HOSPITAL
        frames.append(df)
    if not frames:
        return {}, facts, issues
    lines = pd.concat(frames, ignore_index=True)
    issues += _summary_issues([s for s in sheets if s.summary], lines)
    leaves = lines[lines["leaf"]].copy()
    leaves["account_id"] = [_account_id(c, n) for c, n in zip(leaves["code"], leaves["name"])]
    issues += _direction_issues(leaves, mapping)
    leaves["direction"] = [mapping["accounts"].get(a, {}).get("direction", d)
                           for a, d in zip(leaves["account_id"], leaves["direction"])]
    leaves = leaves[leaves["direction"].isin(["revenue", "expense"])]
    issues += _balance_notes(lines)
    issues += _duplicates(leaves)
    tables = {"departments": _departments(leaves, mapping, issues, source),
              "accounts": _accounts(leaves, mapping, issues, source)}
    heads: dict[str, str] = {}
    for s in counted:
        for role in ("original", "adjusted", "actual"):
            if s.layout.columns(role):
                heads.setdefault(role, s.layout.headers[s.layout.columns(role)[0]])
    budget = _budget(leaves, issues, source)
    if budget is not None:
        budget.headers = {k: v for k, v in heads.items() if k in ("original", "adjusted")}
        tables["budget"] = budget
    tables["actuals"] = _actuals(leaves, issues, source)
    tables["actuals"].headers = {"amount": heads.get("actual", "1月 … 12月")}
    tables["actuals"].coverage, found = year_to_date_coverage(counted)
    issues += found
    sources = sorted({s.label for s in counted})
    issues.append(Issue(source, None, None, None,
                        f"read as a finance-system export ({len(sources)} sheet(s): {', '.join(sources[:MAX_LISTED])}"
                        f"{' …' if len(sources) > MAX_LISTED else ''}): {len(leaves)} leaf line(s) counted, "
                        f"{int((lines['kind'] == 'line').sum() - lines['leaf'].sum())} parent line(s), "
                        f"{int(lines['kind'].isin(['total', 'heading']).sum())} total/heading row(s) and "
                        f"{int(lines['kind'].eq('of_which').sum())} 其中 row(s) not counted",
                        "Nothing to do; check the notes below on what casekit assumed.", "warning"))
    return tables, facts, issues


def year_to_date_coverage(sheets: list[ExportSheet]) -> tuple[dict[int, int], list[Issue]]:
    """Years whose export says its actuals cover January to a month only (``2023年1-6月``).

    Returns
    -------
    coverage : dict of int to int
        Year -> last month covered (the smallest when sheets of one year differ).
    issues : list of Issue
        One data-quality note per such year, naming the sheet and the text that says so.
    """
    coverage: dict[int, int] = {}
    said: dict[int, tuple[str, str]] = {}
    for s in sheets:
        if s.layout.through is None or s.year is None or not s.layout.columns("actual") and not s.layout.months:
            continue
        month, text = s.layout.through
        if month < coverage.get(s.year, 13):
            coverage[s.year], said[s.year] = month, (s.label, text)
    issues = [Issue(said[y][0], None, None, short(said[y][1], 60),
                    f"the export's actuals of {y} cover months 1-{m} only (a year to date, "
                    f"as '{short(said[y][1], 40)}' says): the annual rules (execution deviation, accuracy, forecast "
                    f"value added, year-end surge) leave {y} out instead of judging 11 months or fewer as a whole year",
                    "Nothing to fix for the year to date; add the full-year export when the year is closed (for "
                    "in-year monitoring give monthly actuals and run `casekit monitor`).", "warning")
              for y, m in sorted(coverage.items())]
    return coverage, issues


def _summary_issues(summaries: list[ExportSheet], lines: pd.DataFrame) -> list[Issue]:
    """Check each 全院汇总 sheet's leaf lines against the sum of the department sheets."""
    issues = []
    for s in summaries:
        leaf = s.lines[s.lines["leaf"]] if not s.lines.empty else s.lines
        counted = lines[lines["leaf"]]
        for _, row in leaf.iterrows():
            key = row["code"] or row["name"]
            part = counted[(counted["code"].where(counted["code"] != "", counted["name"]) == key)]
            for col in amount_names(leaf):
                if pd.isna(row[col]) or col not in part.columns:
                    continue
                summed = float(np.nansum(part[col].to_numpy(dtype=float)))
                if abs(summed - row[col]) > max(0.01 * max(len(part), 1), 0.001 * abs(row[col])):
                    issues.append(Issue(s.label, int(row["row"]), s.layout.headers.get(
                        s.layout.columns(col)[0], col) if s.layout.columns(col) else col, f"{row[col]:,.2f}",
                        f"the summary sheet's line '{key}' says {row[col]:,.2f} but the department sheets sum to "
                        f"{summed:,.2f} (difference {row[col] - summed:,.2f}); casekit counts the department sheets",
                        "Check that every department sheet is in the workbook and that none is counted twice.",
                        "warning"))
        issues.append(Issue(s.label, None, None, None, "whole-hospital summary sheet not counted (the department "
                            "sheets are); its lines were checked against their sum", "Nothing to do.", "warning"))
    return issues


def _direction_issues(leaves: pd.DataFrame, mapping: dict) -> list[Issue]:
    issues = []
    unknown = leaves[leaves["direction"].isna()
                     & ~leaves["account_id"].map(lambda a: "direction" in mapping["accounts"].get(a, {}))]
    for _, r in unknown.iterrows():
        issues.append(Issue(r["label"], int(r["row"]), None, f"{r['code']} {r['name']}".strip(),
                            "casekit cannot tell whether this line is revenue or expense (no 收入/支出 section heading "
                            "above it, no code of the government accounting chart, no 收入/支出 in its name)",
                            f"Add its direction to casekit-mapping.yaml (accounts: \"{r['account_id']}\": "
                            "{category: ..., direction: expense}), or a 收入/支出 heading row above it.", "error"))
    sources = leaves.dropna(subset=["direction"]).groupby("direction_source")["account_id"].nunique()
    if len(sources):
        shown = ", ".join(f"{n} from the {src}" for src, n in sources.items() if src)
        issues.append(Issue(leaves["label"].iloc[0], None, None, None,
                            f"revenue/expense direction of the export's lines: {shown}",
                            "Check the accounts table in the report; override a line in casekit-mapping.yaml.",
                            "warning"))
    return issues


def _balance_notes(lines: pd.DataFrame) -> list[Issue]:
    issues = []
    bal = lines[lines["kind"].eq("balance")]
    for _, r in bal.iterrows():
        amounts = ", ".join(f"{c} {r[c]:,.2f}" for c in amount_names(lines) if pd.notna(r.get(c)))
        issues.append(Issue(r["label"], int(r["row"]), None, r["name"],
                            f"surplus/deficit or carry-over line '{r['name']}' ({amounts or 'no amounts'}) is neither "
                            "revenue nor expense: kept out of both totals and shown here, with no execution rate",
                            "Nothing to do.", "warning"))
    return issues


def _duplicates(leaves: pd.DataFrame) -> list[Issue]:
    issues = []
    key = ["year", "dept_id", "account_id"]
    dup = leaves[leaves.duplicated(key, keep=False)]
    for (year, dept, acc), g in dup.groupby(key, sort=False):
        where = "; ".join(f"{lab} row {row}" for lab, row in zip(g["label"], g["row"]))
        issues.append(Issue(g["label"].iloc[-1], int(g["row"].iloc[-1]), None, str(acc),
                            f"line {acc} of department {dept} in {year} appears {len(g)} times ({where})",
                            "Keep each department's line once: remove the repeated sheet or file, or give the "
                            "sheets their departments (科室：… line or sheet name).", "error"))
    return issues


def _raw(name: str, df: pd.DataFrame, rows: pd.Series, sources: pd.Series | None, headers: dict,
         source: str) -> RawTable:
    return RawTable(name, source, df.reset_index(drop=True), rows.reset_index(drop=True).astype("Int64"), headers, [],
                    [], pd.DataFrame(), None, None if sources is None else sources.reset_index(drop=True))


def _departments(leaves: pd.DataFrame, mapping: dict, issues: list[Issue], source: str) -> RawTable:
    d = leaves.drop_duplicates("dept_id")[["dept_id", "dept_name"]].rename(columns={"dept_name": "name"})
    given = mapping["departments"]
    types, guessed, default = [], [], []
    for dept_id, name in zip(d["dept_id"], d["name"]):
        if dept_id in given and "type" in given[dept_id]:
            types.append(given[dept_id]["type"])
            continue
        guess = guess_dept_type(name) if (dept_id, name) != WHOLE_HOSPITAL else None
        types.append(guess or DEFAULT_DEPT_TYPE)
        (guessed if guess else default).append(f"{dept_id} {name}" if dept_id != name else name)
    d["type"] = types
    if guessed:
        issues.append(Issue(source, None, "type", None, f"department type guessed from the name for {len(guessed)} "
                            f"department(s) ({', '.join(guessed[:MAX_LISTED])}{' …' if len(guessed) > MAX_LISTED else ''})"
                            ": an assumption, not data", "Write the types in casekit-mapping.yaml (casekit template "
                            "casekit-mapping.yaml --from EXPORT).", "warning", "departments"))
    if default:
        issues.append(Issue(source, None, "type", None, f"department type unknown for {len(default)} department(s) "
                            f"({', '.join(default[:MAX_LISTED])}): set to the default '{DEFAULT_DEPT_TYPE}'",
                            "Write the types in casekit-mapping.yaml.", "warning", "departments"))
    return _raw("departments", d, pd.Series([pd.NA] * len(d)), None, {}, source)


def _accounts(leaves: pd.DataFrame, mapping: dict, issues: list[Issue], source: str) -> RawTable:
    a = leaves.drop_duplicates("account_id")[["account_id", "name", "direction", "label", "row"]]
    clash = leaves.groupby("account_id")["direction"].nunique()
    for acc in clash[clash > 1].index:
        issues.append(Issue(source, None, None, acc, f"account {acc} is revenue in one sheet and expense in another",
                            "Give its direction in casekit-mapping.yaml.", "error", "accounts"))
    given = mapping["accounts"]
    cats, guessed, default = [], 0, 0
    for acc, name, way in zip(a["account_id"], a["name"], a["direction"]):
        if acc in given and "category" in given[acc]:
            cats.append(given[acc]["category"])
            continue
        guess = guess_category(name, way)
        cats.append(guess or DEFAULT_CATEGORY[way])
        guessed += guess is not None
        default += guess is None
    a["category"] = cats
    if guessed or default:
        issues.append(Issue(source, None, "category", None,
                            f"account categories are not in the export: {guessed} guessed from the line's name, "
                            f"{default} set to the default other_revenue / other_expense (assumptions, not data; the "
                            "appraisal context ratios depend on them)",
                            "Write the categories in casekit-mapping.yaml (casekit template casekit-mapping.yaml "
                            "--from EXPORT pre-fills it).", "warning", "accounts"))
    return _raw("accounts", a[["account_id", "name", "direction", "category"]], a["row"], a["label"], {}, source)


def _budget(leaves: pd.DataFrame, issues: list[Issue], source: str) -> RawTable | None:
    have = [c for c in ("original", "adjusted") if c in leaves.columns and leaves[c].notna().any()]
    if not have:
        return None
    b = leaves[leaves[have].notna().any(axis=1)].copy()
    if "original" not in have:
        b["original"] = b["adjusted"]
        issues.append(Issue(source, None, None, None, "the export has no 年初预算 column: the original budget (B0) is "
                            "taken as the adjusted budget", "Export 年初预算 too if the system has it, so preparation "
                            "can be judged against B0.", "warning", "budget"))
    cols = ["year", "dept_id", "account_id", "original"] + (["adjusted"] if "adjusted" in b.columns else [])
    df = b[cols].copy()
    df["year"] = df["year"].astype("Int64")
    df["original"] = df["original"].fillna(0.0)
    return _raw("budget", df, b["row"], b["label"], {}, source)


def _actuals(leaves: pd.DataFrame, issues: list[Issue], source: str) -> RawTable:
    months = [c for c in MONTH_COLUMNS if c in leaves.columns and leaves[c].notna().any()]
    if months:
        long = leaves.melt(id_vars=["year", "dept_id", "account_id", "row", "label"], value_vars=months,
                           var_name="month", value_name="amount").dropna(subset=["amount"])
        long["month"] = long["month"].str.slice(1).astype(int)
    elif "actual" in leaves.columns:
        long = leaves.dropna(subset=["actual"]).rename(columns={"actual": "amount"})
        long["month"] = pd.NA
    else:
        long = leaves.iloc[:0].assign(amount=np.nan, month=pd.NA)
    neg = long[long["amount"] < 0]
    if len(neg):
        shown = ", ".join(f"{r.label} row {r.row}" for r in neg.head(MAX_LISTED).itertuples())
        issues.append(Issue(source, None, None, None, f"{len(neg)} negative actual(s) (reversals or refunds) accepted "
                            f"as written ({shown}); lines with a negative budget get no execution rate",
                            "Nothing to do if they are real reversals.", "warning", "actuals"))
    df = long[["year", "month", "dept_id", "account_id", "amount"]].copy()
    df["year"] = df["year"].astype("Int64")
    df["month"] = df["month"].astype("Int64")
    return _raw("actuals", df, long["row"], long["label"], {}, source)

