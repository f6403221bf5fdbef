"""Find the header of a grid and turn its rows into a :class:`~casekit.data.io.raw.RawTable`.

The header is the first of the first 10 non-blank rows in which at least two cells name known
columns; a two-row header (a merged group label over sub-headers) is read through the
combination that names a column. Blank rows are dropped silently; total/subtotal rows (合计,
小计, 总计, total) are dropped with a warning each and kept in :attr:`RawTable.totals`;
footnote rows (``注：...``, ``制表人``) are dropped with a warning; numeric codes formatted with
leading zeros are read as displayed; formulas never calculated are errors.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import pyarrow.compute as pc

from casekit.money import parse_scale
from casekit.errors import Issue
from casekit.data.io.grids import Grid
from casekit.data.io.headers import (HeaderMapping, accepted_headers, count_header_matches, header_lookup, map_headers,
                                     normalise_header)
from casekit.data.io.parse import FREE_TEXT_COLUMNS, arrow_text, parse_column
from casekit.data.io.raw import RawTable
from casekit.data.schema.tables import Table

HEADER_SEARCH_ROWS = 10
MAX_ISSUES_PER_COLUMN = 200
"""Cell problems reported per column; the rest are summarised in one issue."""
FOOTNOTE = re.compile(r"^\s*(?:注|备注|说明|制表|审核|复核|填表|编制|单位|数据来源|来源|note|source)", re.IGNORECASE)
_LABEL_HEADER = re.compile(r"名称|name|项目|摘要|item")
_GLUED = re.compile(r"[|;\t，、]")


def _ffill(values: list[str]) -> list[str]:
    out, last = [], ""
    for v in values:
        last = v or last
        out.append(last)
    return out


def _combine(top: list[str], sub: list[str], lookup: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Per column of a two-row header: (text used for matching, header as written)."""
    filled = _ffill(top)
    out = []
    for t, s, tf in zip(top, sub, filled):
        t, s, tf = t.strip(), s.strip(), tf.strip()
        if not s:
            out.append((t, t))
            continue
        group = t or tf
        cands = [s, group + s, s + group, t] if group else [s]
        match = next((c for c in cands if c and normalise_header(c) in lookup), None)
        written = s if not group or group == s else f"{group} / {s}"
        out.append((match if match is not None else written, written))
    return out


def header_at(top: list[str], sub: list[str] | None,
              lookup: dict[str, list[str]]) -> tuple[int, list[tuple[str, str]]] | None:
    """Whether the row ``top`` (stripped cells; ``sub`` is the row below it, if any) is the header.

    Returns
    -------
    (number of header rows, per-column (match text, written)) or None
        ``None`` when the row names fewer than two columns (look further down).
    """
    single = count_header_matches(top, lookup)
    sub_n = 0
    if sub is not None:
        pair = _combine(top, sub, lookup)
        pair_n = count_header_matches((m for m, _ in pair), lookup)
        sub_n = count_header_matches(sub, lookup)
        if pair_n >= 2 and pair_n > max(single, sub_n):
            return 2, pair
    # a merged group row (预算数 over 年初预算 | 调整预算) names fewer columns than the row below it
    if single >= 2 and single >= sub_n:
        return 1, [(t.strip(), t.strip()) for t in top]
    return None


def _find_header(cells: pd.DataFrame, lookup: dict[str, list[str]]) -> tuple[int, int, list[tuple[str, str]]]:
    """Return (position of the first header row, number of header rows, per-column (match text, written))."""
    nonblank = cells.index[(cells != "").any(axis=1)]
    for p in nonblank[:HEADER_SEARCH_ROWS]:
        found = header_at(cells.iloc[p].tolist(), cells.iloc[p + 1].tolist() if p + 1 < len(cells) else None, lookup)
        if found is not None:
            return p, found[0], found[1]
    p = int(nonblank[0])
    return p, 1, [(t.strip(), t.strip()) for t in cells.iloc[p].tolist()]


def _col_letter(pos: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(pos + 1)


def short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_UNIT_LINE = re.compile(r"(?:金额)?单位\s*[:：]\s*(百万元|万元|千元|元)")
_UNIT_HEADER = re.compile(r"[（(]\s*(百万元|万元|千元|元)\s*[)）]")
_YEAR_WORD = re.compile(r"(20\d{2}|19\d{2})\s*年")


def stated_unit(table: Table, headers: dict[str, str], title: list[str]) -> tuple[str, str] | None:
    """The scale a file states (``单位：万元`` above the header, ``预算数（万元）``), with where.

    Returns
    -------
    (scale, where) or None
        ``scale`` is a :data:`casekit.money.SCALES` name (``ten_thousands`` for 万元); ``where`` quotes
        the text that says so. Validation compares it with the profile's ``currency_unit``.
    """
    for t in title:
        m = _UNIT_LINE.search(t.replace(" ", ""))
        if m:
            return parse_scale(m.group(1)), f"the line '{short(t, 40)}'"
    for name, written in headers.items():
        m = _UNIT_HEADER.search(written)
        if table.column(name).money and m:
            return parse_scale(m.group(1)), f"the header '{written}'"
    return None


def _title_year(title: list[str], label: str) -> tuple[int, str] | None:
    """A year named by a title row (``…2023年度预算表``) or else by the file name."""
    for t in title:
        m = _YEAR_WORD.search(t)
        if m:
            return int(m.group(1)), f"the title '{short(t, 40)}'"
    m = _YEAR_WORD.search(label) or re.search(r"(?<!\d)(20\d{2})(?!\d)", label)
    return (int(m.group(1)), f"the file name {label}") if m else None


_PERIOD_YEAR = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*\d{1,2}|\d{2})\s*月?\s*$")


def _period_year_issues(frame: pd.DataFrame, parsed: dict[str, pd.Series], rows: pd.Series, headers: dict[str, str],
                        table: Table, label: str) -> list[Issue]:
    """A month written as a period (``2024.04``, ``202404``) whose year is not the row's year: an error at the cell."""
    if "month" not in frame.columns or "year" not in parsed:
        return []
    text = frame["month"].astype("str")
    cand = text.str.contains(r"\d{4}", regex=True).fillna(False).astype(bool)
    if not cand.any():
        return []
    named = pd.to_numeric(text[cand].str.extract(_PERIOD_YEAR)[0], errors="coerce")
    year = parsed["year"].reindex(named.index)
    bad = named.notna() & year.notna() & (named != year)
    return [Issue(label, int(rows[idx]), headers["month"], short(text[idx]),
                  f"the month '{text[idx].strip()}' names year {int(named[idx])} but the row's year is {int(year[idx])}",
                  "Correct the year or the month so that they agree (write the month as 1-12).", "error", table.name)
            for idx in bad[bad].index]


def raw_from_grid(grid: Grid, table: Table, label: str) -> RawTable:
    issues = [Issue(i.file, i.row, i.column, i.value, i.problem, i.fix, i.severity, table.name) for i in grid.notes]
    cells = grid.cells
    if cells.empty or not (cells != "").to_numpy().any():
        issues.append(Issue(label, None, None, None, "file has no data rows (it is empty)",
                            "fill in the table or remove the file", "warning", table.name))
        return RawTable(table.name, label, pd.DataFrame(), pd.Series([], dtype="int64"), {}, issues, [])
    cells = cells.apply(lambda c: c.str.strip())
    lookup = header_lookup(table)
    hpos, nrows, header = _find_header(cells, lookup)
    mapping = map_headers([m for m, _ in header], table, label, [w for _, w in header])
    written = {pos: header[pos][1] for pos in range(len(header))}
    headers = mapping.headers
    issues += mapping.issues
    glued = next((written[p] for p, _ in mapping.unknown if _GLUED.search(written[p])), None)
    if not mapping.columns and glued is not None:
        issues.append(Issue(label, None, short(glued), None,
                            f"the header is one cell '{short(glued)}': the columns seem to be separated by "
                            f"{_GLUED.search(glued).group()!r}, but casekit splits on commas, tabs or semicolons",
                            "save the file as comma-separated 'CSV UTF-8' from Excel", "error", table.name))
    title = list(dict.fromkeys(t for t in cells.iloc[:hpos].to_numpy().ravel().tolist() if t))
    unit = stated_unit(table, headers, title)

    data = cells.iloc[hpos + nrows:]
    rownum = pd.Series(grid.rownum[hpos + nrows:], index=data.index)
    filled = data != ""
    keep = filled.any(axis=1)
    unknown_columns, found = unmapped_columns(mapping, written, [p for p in mapping.blank if filled[p].any()],
                                              table, label)
    issues += found
    used = sorted(mapping.columns, key=lambda p: table.column_names.index(mapping.columns[p]))
    frame = data.loc[keep, used].rename(columns=mapping.columns)
    rows = rownum.loc[keep]

    # footnote rows: one filled cell starting with 注/说明/制表人 ...
    one = filled.loc[keep].sum(axis=1) == 1
    if one.any():
        first = data.loc[keep].loc[one].apply(lambda r: next(v for v in r if v), axis=1)
        foot = first.str.match(FOOTNOTE).fillna(False).astype(bool)
        for idx in foot[foot].index:
            issues.append(Issue(label, int(rows[idx]), None, short(first[idx]),
                                "note row below or inside the table was ignored",
                                "keep notes outside the table (or in another sheet)", "warning", table.name))
        frame, rows = frame.drop(index=foot[foot].index), rows.drop(index=foot[foot].index)

    # numeric cells formatted with leading zeros (codes) are read as displayed in text columns
    for (r, c), shown in grid.formatted.items():
        name = mapping.columns.get(c)
        if name and r in frame.index and table.column(name).dtype == "str":
            frame.loc[r, name] = shown

    # totals: look in id/name columns, including unused name columns such as 科目名称 in a budget file
    label_cols = [pos for pos, text in mapping.unknown if _LABEL_HEADER.search(normalise_header(text))]
    check = pd.concat([frame[[c for c in frame.columns if c not in FREE_TEXT_COLUMNS]],
                       data.loc[frame.index, label_cols].rename(columns=lambda p: f"column {p}")], axis=1)
    is_total = total_mask(check, check.columns) if len(frame) else pd.Series(False, index=frame.index)
    for idx in is_total[is_total].index:
        cells_of_row = check.loc[idx].tolist()
        cell = next((v for v in cells_of_row if re.search("计|total", v, re.IGNORECASE)), cells_of_row[0])
        issues.append(Issue(label, int(rows[idx]), None, short(cell),
                            "total/subtotal row excluded (casekit recomputes totals from the detail rows)",
                            "nothing to do; delete the row to silence this warning", "warning", table.name))
    totals_raw = frame.loc[is_total]
    frame, rows = frame.loc[~is_total], rows.loc[~is_total]

    # formulas that were never calculated
    for r, c in sorted(grid.no_value):
        name = mapping.columns.get(c)
        if name and r in frame.index:
            issues.append(Issue(label, int(rows[r]), headers[name], None,
                                "formula without a saved result (the workbook was never calculated)",
                                "open the workbook in Excel, let it calculate and save it, or paste values",
                                "error", table.name))

    parsed: dict[str, pd.Series] = {}
    for name in frame.columns:
        result = parse_column(frame[name], table.column(name))
        parsed[name] = result.values
        if result.problems.empty:
            continue
        probs = result.problems.sort_index()
        for n, (idx, p) in enumerate(probs.iterrows()):
            if n == MAX_ISSUES_PER_COLUMN:
                issues.append(Issue(label, None, headers[name], None,
                                    f"{len(probs) - n} more cells in this column could not be read",
                                    p["fix"], "error", table.name))
                break
            issues.append(Issue(label, int(rows[idx]), headers[name], short(p["value"]), p["problem"], p["fix"],
                                "error", table.name))

    issues += _period_year_issues(frame, parsed, rows, headers, table, label)
    issues += missing_columns(table, headers, label)
    if len(frame) == 0:
        issues.append(Issue(label, None, None, None, "file has no data rows",
                            "fill in the table or remove the file", "warning", table.name))

    df = pd.DataFrame(parsed, index=frame.index).reset_index(drop=True)
    if "year" in table.column_names and "year" not in df.columns and len(df):
        found = _title_year(title, label)
        if found is not None:
            df.insert(0, "year", pd.array([found[0]] * len(df), dtype="Int64"))
            headers["year"] = f"(year {found[0]} from {found[1]})"
            issues = [i for i in issues if not (i.problem.startswith("required column 'year'"))]
            issues.append(Issue(label, None, None, str(found[0]), f"no year column: every row is taken as year "
                                f"{found[0]}, named by {found[1]}", "Add a 年度 column if the rows span several "
                                "years.", "warning", table.name))
    issues = _sorted_issues(issues)
    return RawTable(table.name, label, df, rows.reset_index(drop=True).astype("int64"), headers, issues,
                    unknown_columns, totals_frame(totals_raw, rownum, table, df), unit=unit)


def totals_frame(totals_raw: pd.DataFrame, rownum: pd.Series, table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """:attr:`RawTable.totals`: the total rows' cells parsed like ``df``'s columns, with their file row numbers."""
    totals = pd.DataFrame({n: (parse_column(totals_raw[n], table.column(n)).values if len(totals_raw)
                               else pd.Series(dtype=df[n].dtype)) for n in totals_raw.columns},
                          index=totals_raw.index)
    totals["row"] = rownum.loc[totals_raw.index].astype("int64")
    return totals.reset_index(drop=True)


def unmapped_columns(mapping: HeaderMapping, written: dict[int, str], blank_filled: list[int], table: Table,
                     label: str) -> tuple[list[str], list[Issue]]:
    """Headers that name no column of ``table`` and headerless columns with values: (headers, warnings)."""
    unknown: list[str] = []
    issues: list[Issue] = []
    for pos, _ in mapping.unknown:
        unknown.append(written[pos])
        issues.append(Issue(label, None, written[pos], None,
                            f"column '{written[pos]}' is not part of table {table.name} and was ignored",
                            f"rename it to one of the accepted headers ({', '.join(table.column_names)} or their "
                            "Chinese names) or delete it", "warning", table.name))
    for pos in blank_filled:
        issues.append(Issue(label, None, f"column {_col_letter(pos)}", None,
                            f"column {_col_letter(pos)} has values but no header; it was ignored",
                            "give the column a header or delete it", "warning", table.name))
    return unknown, issues


def missing_columns(table: Table, headers: dict[str, str], label: str) -> list[Issue]:
    """An error for each required column of ``table`` that no header names."""
    return [Issue(label, None, None, None, f"required column '{col.name}' ({col.zh}) is missing",
                  f"add a column with one of the headers: {accepted_headers(col)}", "error", table.name)
            for col in table.columns if col.required and col.name not in headers]


def _sorted_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.row is not None, i.row or 0))


_TOTAL_RE = re.compile(r"^(?:.*(?:合计|小计|总计|共计)|(?:grand ?|sub ?)?totals?\b.*)$", re.IGNORECASE)


def total_mask(frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """Rows whose id/name cells say 合计, 小计, 总计, total or subtotal.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw cell texts.
    columns : iterable of str
        Columns to inspect (identifier and name columns).

    Returns
    -------
    pandas.Series of bool
        True for total or subtotal rows (e.g. ``临床科室小计``, ``Total revenue``, ``合 计``).
    """
    mask = pd.Series(False, index=frame.index)
    columns = list(columns)
    if not columns:
        return mask
    for c in columns:
        s = frame[c].astype("str")
        arr = arrow_text(s)       # one Arrow pass: most columns mention no total at all
        if arr is not None and not pc.any(pc.match_substring_regex(arr, "计|total", ignore_case=True)).as_py():
            continue
        cand = s.str.contains(r"计|total", case=False, regex=True).fillna(False).astype(bool)
        if not cand.any():
            continue
        norm = s[cand].str.normalize("NFKC").str.replace(r"[\s\u00a0:：\-_]+", " ", regex=True).str.strip()
        norm = norm.str.replace(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", regex=True)
        hit = norm.str.match(_TOTAL_RE).fillna(False).astype(bool)
        mask.loc[hit[hit].index] = True
    return mask
