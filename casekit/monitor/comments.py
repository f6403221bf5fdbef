"""The variance-comment round trip with the departments (``comments.xlsx``).

Each month the monitor writes one row per flagged variance (month, department, line, the
figures and the flags) with empty columns for the owner (责任人), the explanation (差异原因),
the action (整改措施) and its due date (完成期限). Departments fill them in; the next run reads
the file back with :func:`read_comments`, which finds the columns by their headers (English or
Chinese, any order, any extra columns, header in any of the first rows, any sheet) and matches
rows by month, department and line, never by position. :func:`attach_comments` puts the
explanations beside the current variances and lists the variances still unexplained.

Every problem in a returned file is reported at once with its sheet, row and column and what
to write instead (:class:`casekit.errors.CommentsFileError`).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd

from casekit.data.io.grids import DEFAULT_MAX_BYTES, open_workbook, sheet_grid
from casekit.errors import CommentsFileError, InputFileError, Issue
from casekit.fs.atomic import atomic_path
from casekit.labels import check_lang, label
from casekit.report.excel import escape_cell

KEYS = ("month", "dept_id", "account_id")
FILL = ("owner", "explanation", "action", "due_date")
INFO = ("dept_name", "account_name", "direction", "flags", "budget", "ytd_actual", "progress", "gap",
        "projection", "projected_rate")
COLUMNS = (*KEYS, *INFO, *FILL, "previous_explanation")
COMMENT_COLUMNS = [*KEYS, *FILL, "row"]
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}:\d{2})?)?\s*$")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
HEADER_SEARCH_ROWS = 20
_PERCENT = ("progress", "gap", "projected_rate")
_MONEY = ("budget", "ytd_actual", "projection")


def _norm(text: str) -> str:
    return re.sub(r"[\s_（）()：:*]+", "", str(text)).lower()


def header_names() -> dict[str, str]:
    """Accepted header text (normalised) -> canonical column, from the ``comments.*`` labels in both languages."""
    names: dict[str, str] = {}
    for col in COLUMNS:
        for lang in ("en", "zh"):
            names[_norm(label(f"comments.{col}", lang))] = col
        names[_norm(col)] = col
    return names


def write_comments(flags: pd.DataFrame, path: str | os.PathLike, *, lang: str = "en",
                   departments: pd.DataFrame | None = None, accounts: pd.DataFrame | None = None,
                   previous: pd.DataFrame | None = None) -> Path:
    """Write ``comments.xlsx``: one row per flagged variance, empty columns for the departments.

    Parameters
    ----------
    flags : pandas.DataFrame
        :attr:`casekit.monitor.MonitorResult.flags`.
    path : path-like
        Written atomically.
    lang : {"en", "zh"}
        Header language (either is accepted when the file is read back).
    departments, accounts : pandas.DataFrame, optional
        For the name columns.
    previous : pandas.DataFrame, optional
        Comments read back (:func:`read_comments`): a row of the same month keeps its filled
        columns (a re-run does not lose work); the latest earlier explanation of the same
        department and line is shown as ``previous_explanation``.

    Returns
    -------
    pathlib.Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    check_lang(lang)
    rows = flags.copy()
    if departments is not None:
        rows["dept_name"] = rows["dept_id"].map(departments.set_index("dept_id")["name"])
    if accounts is not None:
        rows["account_name"] = rows["account_id"].map(accounts.set_index("account_id")["name"])
    for col in FILL:
        rows[col] = None
    rows["previous_explanation"] = None
    if previous is not None and len(previous):
        same = previous.set_index(list(KEYS))
        key = pd.MultiIndex.from_frame(rows[list(KEYS)])
        for col in FILL:
            rows[col] = same[col].reindex(key).to_numpy()
        earlier = previous[previous["explanation"].notna()].sort_values("month")
        rows = rows.merge(earlier.groupby(["dept_id", "account_id"]).last()[["month", "explanation"]]
                          .rename(columns={"month": "_m", "explanation": "_e"}).reset_index(),
                          on=["dept_id", "account_id"], how="left")
        before = rows["_m"].notna() & (rows["_m"] < rows["month"])
        rows["previous_explanation"] = (rows["_m"] + ": " + rows["_e"]).where(before)
        rows = rows.drop(columns=["_m", "_e"])
    wb = Workbook()
    ws = wb.active
    ws.title = label("comments.sheet", lang)
    ws.append([label(f"comments.{c}", lang) for c in COLUMNS])
    fill = PatternFill("solid", fgColor="FFF2CC")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for rec in rows.reindex(columns=list(COLUMNS)).itertuples(index=False):
        values = []
        for col, v in zip(COLUMNS, rec):
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                values.append(None)
            elif isinstance(v, (pd.Timestamp, dt.date)):
                values.append(pd.Timestamp(v).date())
            elif col in _PERCENT or col in _MONEY:
                values.append(float(v))
            else:
                values.append(escape_cell(str(v)))
        ws.append(values)
    for j, col in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        ws.column_dimensions[letter].width = 36 if col in ("explanation", "action", "previous_explanation") else 14
        for r in range(2, ws.max_row + 1):
            c = ws.cell(row=r, column=j)
            if col in ("month", "dept_id", "account_id"):
                c.number_format = "@"
            elif col in _PERCENT:
                c.number_format = "0.0%"
            elif col in _MONEY:
                c.number_format = "#,##0"
            elif col == "due_date":
                c.number_format = "yyyy-mm-dd"
            if col in FILL:
                c.fill = fill
    due = list(COLUMNS).index("due_date") + 1
    letter = ws.cell(row=1, column=due).column_letter
    dv = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                        error=label("comments.due_date_error", lang), showErrorMessage=True)
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{max(ws.max_row, 2) + 500}")
    ws.freeze_panes = "D2"
    help_ws = wb.create_sheet(label("comments.help_sheet", lang))
    for line in label("comments.help", lang).split("\n"):
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 110
    final = Path(path)
    with atomic_path(final) as tmp:
        wb.save(tmp)
    return final


def _find_header(cells: pd.DataFrame, names: dict[str, str]) -> tuple[int, dict[int, str]] | None:
    for i in range(min(HEADER_SEARCH_ROWS, len(cells))):
        found = {j: names[_norm(v)] for j, v in enumerate(cells.iloc[i]) if _norm(v) in names}
        if set(KEYS) <= set(found.values()):
            return i, found
    return None


def _month(text: str) -> str | None:
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def _date(text: str) -> dt.date | None:
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def read_comments(path: str | os.PathLike, *, departments: pd.DataFrame | None = None,
                  accounts: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Read a filled ``comments.xlsx`` back.

    Parameters
    ----------
    path : path-like
        The workbook the departments returned.
    departments, accounts : pandas.DataFrame, optional
        When given, codes not in the hospital's tables are reported as warnings.

    Returns
    -------
    comments : pandas.DataFrame
        Columns ``month`` (``YYYY-MM``), ``dept_id``, ``account_id``, ``owner``, ``explanation``,
        ``action`` (text or NA), ``due_date`` (``datetime.date`` or None), ``row`` (the
        spreadsheet row). Blank rows are skipped.
    warnings : list of Issue

    Raises
    ------
    casekit.errors.InputFileError
        The file is missing or not a readable workbook.
    casekit.errors.CommentsFileError
        Any cell is wrong (every problem listed: sheet, row, column, value, fix).
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"comments file {p} does not exist",
                             "Pass the comments.xlsx that the departments filled in (--comments PATH).")
    names = header_names()
    wb = open_workbook(p, p.name, DEFAULT_MAX_BYTES)
    try:
        found = None
        for sheet in wb.sheet_names:
            grid = sheet_grid(wb, sheet, f"{p.name}[{sheet}]")
            hit = _find_header(grid.cells, names) if len(grid.cells) else None
            if hit:
                found = (sheet, grid, *hit)
                break
    finally:
        wb.close()
    if found is None:
        need = ", ".join(f"'{label('comments.' + k, 'en')}' / '{label('comments.' + k, 'zh')}'" for k in KEYS)
        raise CommentsFileError([Issue(p.name, None, None, None,
                                       f"no sheet has the key columns {need} in its first {HEADER_SEARCH_ROWS} rows",
                                       "Keep the header row that casekit wrote (you may add, move or hide columns, "
                                       "but do not rename or delete the month, department and line columns).")], p.name)
    sheet, grid, hrow, cols = found
    where = f"{p.name}[{sheet}]"
    dupes = [c for c in set(cols.values()) if list(cols.values()).count(c) > 1]
    issues: list[Issue] = [Issue(where, int(grid.rownum[hrow]), label(f"comments.{c}", "en"), None,
                                 "this column appears twice", "Delete one of the two columns.") for c in dupes]
    header_text = {c: str(grid.cells.iat[hrow, j]) for j, c in cols.items()}
    records = []
    for i in range(hrow + 1, len(grid.cells)):
        row_no = int(grid.rownum[i])
        vals = {}
        for j, col in cols.items():
            text = grid.formatted.get((i, j), grid.cells.iat[i, j]).strip()
            vals[col] = text
        if not any(vals.values()):
            continue
        rec: dict = {"row": row_no}
        for k in KEYS:
            if not vals.get(k):
                issues.append(Issue(where, row_no, header_text[k], None, "this key cell is blank",
                                    "Fill it in again as written by casekit, or delete the whole row."))
        month = _month(vals.get("month", "")) if vals.get("month") else None
        if vals.get("month") and month is None:
            issues.append(Issue(where, row_no, header_text["month"], vals["month"], "not a month",
                                "Write the month as YYYY-MM, e.g. 2024-09."))
        rec["month"] = month
        rec["dept_id"], rec["account_id"] = vals.get("dept_id") or None, vals.get("account_id") or None
        for col in ("owner", "explanation", "action"):
            rec[col] = vals.get(col) or None
        due_text = vals.get("due_date", "")
        rec["due_date"] = _date(due_text) if due_text else None
        if due_text and rec["due_date"] is None:
            issues.append(Issue(where, row_no, header_text["due_date"], due_text, "not a date",
                                "Write the due date as YYYY-MM-DD (or an Excel date), e.g. 2024-10-31."))
        records.append(rec)
    comments = pd.DataFrame(records, columns=COMMENT_COLUMNS)
    keyed = comments.dropna(subset=list(KEYS))
    dup = keyed[keyed.duplicated(list(KEYS), keep=False)]
    for key, g in dup.groupby(list(KEYS)):
        rows = ", ".join(str(r) for r in g["row"])
        issues.append(Issue(where, int(g["row"].iloc[1]), None, " / ".join(key),
                            f"the same month, department and line appear on rows {rows}",
                            "Keep one row per variance: merge the explanations into one row and delete the others."))
    warnings = []
    for table, col in ((departments, "dept_id"), (accounts, "account_id")):
        if table is None:
            continue
        unknown = keyed[~keyed[col].isin(set(table[col]))]
        for r in unknown.itertuples():
            warnings.append(Issue(where, int(r.row), header_text[col], getattr(r, col),
                                  f"not a {'department' if col == 'dept_id' else 'line'} of this hospital; the row is ignored",
                                  "Check the code against the one casekit wrote (codes are text: keep leading zeros).",
                                  severity="warning"))
        keyed = keyed[keyed[col].isin(set(table[col]))]
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise CommentsFileError(errors, p.name)
    return keyed.reset_index(drop=True), warnings


def attach_comments(flags: pd.DataFrame, comments: pd.DataFrame | None, month: str,
                    close: dt.date | pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put explanations beside the variances and list those still unexplained.

    Parameters
    ----------
    flags : pandas.DataFrame
        This month's flagged variances.
    comments : pandas.DataFrame or None
        :func:`read_comments` output (any months).
    month : str
        This month, ``YYYY-MM``.
    close : date
        The month's last day: a due date before it is overdue.

    Returns
    -------
    flags : pandas.DataFrame
        ``flags`` plus ``comment_month``, ``owner``, ``explanation``, ``action``, ``due_date``
        from the latest comment on the same department and line up to this month, and
        ``overdue`` (a due date before the close while the line is still flagged).
    unexplained : pandas.DataFrame
        Variances flagged in an earlier month's file whose explanation is still blank, plus this
        month's flags without any explanation: ``month``, ``dept_id``, ``account_id``, ``source``
        (``file`` or ``this month``).
    """
    out = flags.copy()
    cols = ["comment_month", "owner", "explanation", "action", "due_date"]
    if comments is None or comments.empty:
        for c in cols:
            out[c] = None
        out["overdue"] = False
        unexplained = out[["month", "dept_id", "account_id"]].assign(source="this month")
        return out, unexplained.reset_index(drop=True)
    c = comments[comments["month"] <= month].copy()
    latest = (c[c["explanation"].notna()].sort_values("month").groupby(["dept_id", "account_id"]).last()
              .reset_index().rename(columns={"month": "comment_month"}))
    out = out.merge(latest[["dept_id", "account_id", *cols]], on=["dept_id", "account_id"], how="left")
    due = pd.to_datetime(out["due_date"], errors="coerce")
    out["overdue"] = (due < pd.Timestamp(close)).fillna(False).astype(bool)
    earlier = c[(c["month"] < month) & c["explanation"].isna()][["month", "dept_id", "account_id"]].assign(source="file")
    now = out[out["explanation"].isna()][["month", "dept_id", "account_id"]].assign(source="this month")
    unexplained = pd.concat([earlier, now], ignore_index=True)
    return out, unexplained
