"""The lines of one export sheet: what each row is, the account tree, direction and footing.

Every data row below the header becomes one line of :func:`sheet_lines` with a ``kind``:

``line``
    an account line (a leaf, or a parent whose amount is the sum of its children);
``total``
    合计 / 小计 / 总计 / 收入合计 rows;
``of_which``
    其中 ("of which") rows and the rows indented under them: a breakdown of the line above,
    never counted;
``balance``
    surplus, deficit and carry-over lines (收支结余, 结余, 结转, 年初结转和结余, 结余分配,
    budget-accounting 8xxx codes): neither revenue nor expense, kept out of both totals;
``heading``
    section headings (一、收入 / 二、支出), with or without the section's total.

The tree comes from code prefixes (4001 ⊃ 400101 ⊃ 40010101, 6101 ⊃ 6101.01, 类/款/项 208 ⊃
20805 ⊃ 2080505) and, for lines without codes, from the indentation of the name (full-width
spaces). Only leaf lines are counted; :func:`footing_issues` checks every parent, heading and
total against the leaves it covers.

Direction, first that applies: the section heading above the line (收入 / 支出); the code under the
government accounting system's chart (budget accounting 6xxx revenue, 7xxx expenditure; financial
accounting 4xxx revenue, 5xxx expense; function-classification 类/款/项 codes in a final-accounts
table are expenditure); the line's name (…收入 / …支出, …费用); the sheet's title (支出决算表).
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data.exports.layout import AMOUNT_ROLES, Layout
from casekit.data.io.parse import parse_number

FOOTER = re.compile(r"^\s*(?:注|备注|说明|制表|审核|复核|填表|编制|负责人|财务负责人|单位负责人|数据来源|来源|打印|"
                    r"note|source|prepared|checked)", re.IGNORECASE)
TOTAL = re.compile(r"(?:合\s*计|小\s*计|总\s*计|共\s*计|^\s*(?:grand |sub)?total\b)", re.IGNORECASE)
BALANCE = re.compile(r"(?:收支结余|结余|结转|盈余|亏损|赤字|surplus|deficit|carr(?:y|ied)[ -]?(?:over|forward))",
                     re.IGNORECASE)
OF_WHICH = re.compile(r"^\s*(?:其中|of which)\s*[:：]?\s*", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．](?!\d))\s*")
_REVENUE_WORDS = re.compile(r"收入|revenue|income", re.IGNORECASE)
_EXPENSE_WORDS = re.compile(r"支出|费用|成本|expens|expenditure|cost", re.IGNORECASE)
AMOUNT_COLUMNS = ("original", "adjusted", "actual")
MONTH_COLUMNS = tuple(f"m{m}" for m in range(1, 13))
FOOTING_TOLERANCE = 0.001
"""A parent or total may differ from the sum of its parts by this share of itself (rounding), at least 0.01."""


def _indent(raw: str) -> float:
    """Indentation of a name cell: full-width spaces count 1, other spaces 1/2."""
    n = 0.0
    for ch in raw:
        if ch == "\u3000":
            n += 1
        elif ch in " \t\u00a0":
            n += 0.5
        else:
            break
    return n


def _clean_name(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def code_direction(code: str, final_accounts: bool) -> str | None:
    """Direction a code implies under the government accounting system's chart of accounts.

    Budget accounting 6xxx revenue, 7xxx expenditure, 8xxx balance (结转结余); financial accounting
    4xxx revenue, 5xxx expense, 3xxx net assets (本期盈余: balance). In a final-accounts table the
    function-classification codes (类 208, 款 20805, 项 2080505) are expenditure.

    Examples
    --------
    >>> code_direction("6101.01", False), code_direction("500101", False), code_direction("2080505", True)
    ('revenue', 'expense', 'expense')
    >>> code_direction("8101", False), code_direction("1001", False)
    ('balance', None)
    """
    digits = re.sub(r"[^0-9]", "", code)
    if not digits:
        return None
    if final_accounts and digits[0] == "2" and len(digits) in (3, 5, 7):
        return "expense"
    if len(digits) < 4:
        return None
    return {"4": "revenue", "6": "revenue", "5": "expense", "7": "expense", "8": "balance",
            "3": "balance"}.get(digits[0])


def word_direction(text: str) -> str | None:
    """``revenue`` / ``expense`` when a name or heading says which (收入 / 支出, 费用), else ``None``."""
    rev, exp = bool(_REVENUE_WORDS.search(text)), bool(_EXPENSE_WORDS.search(text))
    if rev and not exp:
        return "revenue"
    if exp and not rev:
        return "expense"
    return None


def _codes(cells: pd.DataFrame, formatted: dict, layout: Layout, data_pos: list[int]) -> list[str]:
    """Account code of each data row: the code column (as displayed), or 类/款/项 columns joined."""
    code_col = layout.columns("code")
    parts = [layout.columns(r) for r in ("class", "section", "item")]
    out: list[str] = []
    last_c = last_s = ""
    for pos in data_pos:
        if code_col:
            c = code_col[0]
            text = formatted.get((pos, c), cells.iat[pos, c]).strip()
            out.append(unicodedata.normalize("NFKC", text).replace(" ", ""))
            continue
        pieces = [unicodedata.normalize("NFKC", formatted.get((pos, p[0]), cells.iat[pos, p[0]])).strip().replace(" ", "")
                  if p else "" for p in parts]
        full = [x for x in pieces if len(x) > 3]
        if full:                                   # the whole code in one column (2080505)
            out.append(full[-1])
            continue
        c, s, i = pieces
        if c:
            last_c, last_s = c, ""
        if s:
            last_s = (c or last_c) + s
        out.append(last_s + i if i else last_s if s else c)
    return out


def sheet_lines(grid, layout: Layout, label: str, *, final_accounts: bool,
                title_direction: str | None) -> tuple[pd.DataFrame, list[Issue]]:
    """Classify the data rows of one export sheet and build its account tree.

    Parameters
    ----------
    grid : casekit.data.io.grids.Grid
        The sheet's cells (as read, not stripped: indentation matters).
    layout : Layout
        From :func:`casekit.data.exports.layout.read_layout`.
    label : str
        ``book.xlsx[sheet]`` for messages.
    final_accounts : bool
        A final-accounts table (决算数 / 类款项 columns): function-classification codes are expenditure.
    title_direction : str or None
        Direction the title states (支出决算表), the last resort.

    Returns
    -------
    lines : pandas.DataFrame
        One row per data row: ``row`` (sheet row), ``code``, ``name``, ``indent``, ``kind``
        (line / total / of_which / balance / heading), ``direction``, ``direction_source``
        (section heading / code chart / name / title / ``""``), ``dept_id``, ``dept_name``, the
        amounts present among ``original``, ``adjusted``, ``actual``, ``m1``..``m12`` (float, in
        the sheet's unit), ``parent`` (index of the parent line or -1) and ``leaf`` (bool).
    issues : list of Issue
        Cells whose amount cannot be read (errors).
    """
    cells = grid.cells
    start = layout.header_pos + layout.header_rows
    name_col = (layout.columns("name") or [None])[0]
    dept_id_col = (layout.columns("dept_id") or [None])[0]
    dept_name_col = (layout.columns("dept_name") or [None])[0]
    data_pos = [p for p in range(start, len(cells)) if any(str(v).strip() for v in cells.iloc[p].tolist())]
    codes = _codes(cells, grid.formatted, layout, data_pos)
    records: list[dict] = []
    section: str | None = None
    of_which_indent: float | None = None
    dept_id = layout.dept[0] if layout.dept else ""
    dept_name = layout.dept[1] if layout.dept else ""
    amount_cols = {r: layout.columns(r)[0] for r in AMOUNT_ROLES if layout.columns(r)}
    amount_cols.update({f"m{m}": c for c, m in layout.months.items() if m})
    for pos, code in zip(data_pos, codes):
        texts = [str(v) for v in cells.iloc[pos].tolist()]
        filled = list(dict.fromkeys(t.strip() for t in texts if t.strip()))
        if len(filled) == 1 and FOOTER.match(filled[0]):
            continue
        if any(t.strip() == "栏次" for t in texts):
            continue
        raw_name = texts[name_col] if name_col is not None else code
        name = _clean_name(raw_name)
        indent = _indent(raw_name)
        if dept_id_col is not None and texts[dept_id_col].strip():
            dept_id = unicodedata.normalize("NFKC", grid.formatted.get((pos, dept_id_col), texts[dept_id_col])).strip()
        if dept_name_col is not None and texts[dept_name_col].strip():
            dept_name = _clean_name(texts[dept_name_col])
            if dept_id_col is None:
                dept_id = dept_name
        given = any(c is not None and texts[c].strip() for c in (dept_id_col, dept_name_col))
        rec = {"pos": pos, "row": int(grid.rownum[pos]), "code": code, "name": name, "indent": indent,
               "dept_id": dept_id, "dept_name": dept_name, "dept_given": given}
        rec.update({k: texts[c] for k, c in amount_cols.items()})
        check = " ".join(t for t in (code, name, texts[dept_name_col] if dept_name_col is not None else "") if t)
        has_amount = any(texts[c].strip() not in ("", "-", "--", "—") for c in amount_cols.values())
        if TOTAL.search(check) and not code:
            kind = "total"
            of_which_indent = None
        elif OF_WHICH.match(name) or (of_which_indent is not None and indent >= of_which_indent and not code
                                      and not BALANCE.search(name)):
            kind = "of_which"
            if OF_WHICH.match(name):
                of_which_indent = indent
                rec["name"] = OF_WHICH.sub("", name)
        elif BALANCE.search(name) or code_direction(code, final_accounts) == "balance":
            kind, of_which_indent = "balance", None
        elif not code and (not has_amount or _NUMBERING.match(name)) and word_direction(name) is not None:
            kind, of_which_indent = "heading", None
            section = word_direction(name)
            rec["name"] = _NUMBERING.sub("", name)
        elif not code and not has_amount:
            continue                                   # a label row without amounts (e.g. a sub-title)
        else:
            kind, of_which_indent = "line", None
            rec["name"] = _NUMBERING.sub("", name)
        rec["kind"] = kind
        by_code = code_direction(code, final_accounts) if code else None
        by_name = word_direction(rec["name"])
        for value, source in ((section, "section heading"), (by_code, "code chart"), (by_name, "name"),
                              (title_direction, "title")):
            if value in ("revenue", "expense"):
                rec["direction"], rec["direction_source"] = value, source
                break
        else:
            rec["direction"], rec["direction_source"] = None, ""
        if kind == "heading":
            rec["direction"], rec["direction_source"] = section, "section heading"
        records.append(rec)
    lines = pd.DataFrame(records)
    issues: list[Issue] = []
    if lines.empty:
        return lines, issues
    for key, c in amount_cols.items():
        parsed = parse_number(lines[key].astype("str"), money=True)
        lines[key] = parsed.values.to_numpy(dtype=float, na_value=np.nan)
        for idx, p in parsed.problems.iterrows():
            issues.append(Issue(label, int(lines.at[idx, "row"]), layout.headers.get(c, key), str(p["value"])[:60],
                                p["problem"], p["fix"], "error"))
    _tree(lines)
    return lines.drop(columns="pos"), issues


def _tree(lines: pd.DataFrame) -> None:
    """Set ``parent`` and ``leaf`` of the account lines, per department block."""
    lines["parent"] = -1
    lines["leaf"] = False
    is_line = lines["kind"].eq("line")
    for _, block in lines[is_line].groupby("dept_id", sort=False):
        coded = block[block["code"].ne("")]
        codes = coded["code"].tolist()
        for idx, code in zip(coded.index, codes):
            prefixes = [(len(c), i) for i, c in zip(coded.index, codes) if len(c) < len(code) and code.startswith(c)]
            if prefixes:
                lines.at[idx, "parent"] = max(prefixes)[1]
        stack: list[tuple[float, int]] = []
        for idx in block.index:
            if lines.at[idx, "code"]:
                stack = [(lines.at[idx, "indent"], idx)] if lines.at[idx, "parent"] == -1 else stack
                continue
            indent = lines.at[idx, "indent"]
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if stack and not lines.at[stack[-1][1], "code"]:
                lines.at[idx, "parent"] = stack[-1][1]
            stack.append((indent, idx))
    parents = set(lines.loc[is_line & lines["parent"].ge(0), "parent"])
    lines["leaf"] = is_line & ~lines.index.isin(parents)


def amount_names(lines: pd.DataFrame) -> list[str]:
    """The amount columns present in a lines frame (``original``, ``adjusted``, ``actual``, ``m1``..)."""
    return [c for c in (*AMOUNT_COLUMNS, *MONTH_COLUMNS) if c in lines.columns]


def _close(stated: float, summed: float, n: int) -> bool:
    return abs(stated - summed) <= max(0.01 * max(n, 1), FOOTING_TOLERANCE * abs(stated))


def footing_issues(lines: pd.DataFrame, label: str, headers: dict[str, str], unit: str) -> list[Issue]:
    """Check every parent line, section heading and total row against the leaf lines it covers.

    A parent covers its direct sub-lines; a section heading with amounts the leaves of its section;
    a 小计 row the leaves since the previous total (or, at the top of a block, until the next);
    a 合计 / 总计 row the leaves of its direction (收入合计) or of the whole sheet. Each break is a
    warning naming the row, the stated and the summed amount and the rows summed.

    Parameters
    ----------
    lines : pandas.DataFrame
        From :func:`sheet_lines`.
    label : str
    headers : dict of str to str
        Amount column -> header as written.
    unit : str
        The sheet's unit as written (for the messages), e.g. ``万元``.

    Returns
    -------
    list of Issue
    """
    issues: list[Issue] = []
    cols = amount_names(lines)
    leaf = lines["leaf"].to_numpy(dtype=bool)
    totals = lines.index[lines["kind"].isin(["total", "heading"])].tolist()

    def report(idx: int, covered: np.ndarray, what: str) -> None:
        if not covered.any():
            return
        rows = lines.loc[covered, "row"]
        for col in cols:
            stated = lines.at[idx, col]
            if pd.isna(stated):
                continue
            summed = float(np.nansum(lines.loc[covered, col].to_numpy(dtype=float)))
            if _close(float(stated), summed, int(covered.sum())):
                continue
            issues.append(Issue(label, int(lines.at[idx, "row"]), headers.get(col, col), _fmt(stated),
                                f"{what} '{lines.at[idx, 'name'] or lines.at[idx, 'code']}' does not foot: it says "
                                f"{_fmt(stated)} {unit} but the {int(covered.sum())} line(s) it covers (rows "
                                f"{rows.min()}-{rows.max()}) sum to {_fmt(summed)} (difference {_fmt(stated - summed)})",
                                "Correct the total or its lines in the export: casekit counts the leaf lines only, so "
                                "check that no line is missing or entered twice.", "warning"))

    for idx in lines.index[lines["kind"].eq("line") & ~lines["leaf"]]:
        children = (lines["parent"] == idx).to_numpy()
        report(idx, children & lines["kind"].eq("line").to_numpy(), "parent line")
    for n, idx in enumerate(totals):
        kind = lines.at[idx, "kind"]
        text = lines.at[idx, "name"] or ""
        same_dept = (lines["dept_id"] == lines.at[idx, "dept_id"]).to_numpy()
        if kind == "heading":
            nxt = totals[n + 1] if n + 1 < len(totals) else len(lines)
            span = (lines.index > idx) & (lines.index < nxt)
            heading_dir = lines.at[idx, "direction"]
            covered = leaf & span & (lines["direction"] == heading_dir).to_numpy()
            report(idx, covered, "section total")
            continue
        way = word_direction(text)
        if "小计" in text.replace(" ", ""):
            prev = max([t for t in totals[:n] if lines.at[t, "kind"] == "total"], default=-1)
            covered = leaf & (lines.index > prev) & (lines.index < idx)
            if not covered.any():
                nxt = min([t for t in totals[n + 1:] if lines.at[t, "kind"] == "total"], default=len(lines))
                covered = leaf & (lines.index > idx) & (lines.index < nxt)
        else:
            own = bool(lines.at[idx, "dept_given"]) and not _grand(text)
            covered = leaf & (same_dept if own else True)
        if way is not None:
            covered = covered & (lines["direction"] == way).to_numpy()
        report(idx, np.asarray(covered, dtype=bool), "total")
    return issues


def _grand(text: str) -> bool:
    return bool(re.search(r"总计|全院|grand", text, re.IGNORECASE))


def _fmt(x: float) -> str:
    text = f"{x:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
