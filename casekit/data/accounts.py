"""Account trees and totals: which lines are leaves, which rows are totals, and whether totals foot.

Finance-system exports and final-accounts tables mix detail lines with the sums of their children
(an account tree by code, 4001 ⊃ 400101 ⊃ 40010101; 功能分类 208 ⊃ 20805 ⊃ 2080505), with 合计 /
小计 rows and with 其中 ("of which") rows. casekit sums leaf lines only; every parent and total row
is checked against its children and a break is a data-quality finding (a warning that travels
into the report with the rows and the difference).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from casekit.errors import Issue
from casekit.data.amounts import format_amount
from casekit.data.schema.tables import TABLES

# A total/subtotal row may differ from the sum of its parts by this share of itself (rounding).
SUBTOTAL_TOLERANCE = 0.001
MAX_SHOWN = 5


def subtotal_issues(raws: Mapping[str, Any]) -> list[Issue]:
    """Check the total/subtotal rows the reader excluded against the detail rows they sum.

    A total row is accepted when, in every amount column, it equals (within
    :data:`SUBTOTAL_TOLERANCE` of itself, at least 0.01) one natural reading of its parts: the
    detail rows between the previous total row and it (a subtotal under its block), those
    between it and the next total row (a total above its block), every detail row above it,
    every detail row of the file, or every detail row of its year. Otherwise it is a
    data-quality finding: casekit computes from the detail rows, so a row may be missing or
    entered twice.

    Parameters
    ----------
    raws : mapping of str to casekit.data.io.raw.RawTable
        Tables as read; ``RawTable.totals`` holds the excluded rows with their file ``row``.

    Returns
    -------
    list of Issue
        One warning per total row and amount column (money columns; workload volumes) that
        does not add up, naming the row, the stated and the summed amount and the part rows.

    References
    ----------
    docs/data-format.md: "Subtotal rows that do not add up to their parts are a data-quality
    finding in themselves."
    """
    issues: list[Issue] = []
    for name, raw in raws.items():
        totals = getattr(raw, "totals", None)
        if totals is None or len(totals) == 0 or "row" not in totals.columns or len(raw.df) == 0:
            continue
        cols = [c.name for c in TABLES[name].columns if c.dtype == "float" and (c.money or name == "workload")
                and c.name in totals.columns and c.name in raw.df.columns]
        detail = raw.rows.to_numpy(dtype=float)
        marks = totals["row"].to_numpy(dtype=float)
        for i, row in enumerate(marks):
            before = marks[marks < row].max(initial=0)
            after = marks[marks > row].min(initial=np.inf)
            parts = {"above": (detail > before) & (detail < row), "below": (detail > row) & (detail < after),
                     "all above": detail < row, "all": np.ones(len(detail), dtype=bool)}
            if "year" in totals.columns and "year" in raw.df.columns and pd.notna(totals["year"].iloc[i]):
                parts["year"] = (raw.df["year"] == totals["year"].iloc[i]).to_numpy(dtype=bool, na_value=False)
            for col in cols:
                stated = totals[col].iloc[i]
                if pd.isna(stated):
                    continue
                values = raw.df[col].to_numpy(dtype=float, na_value=0.0)
                sums = {k: float(values[m].sum()) for k, m in parts.items() if m.any()}
                if not sums or any(abs(v - stated) <= max(0.01, SUBTOTAL_TOLERANCE * abs(stated))
                                   for v in sums.values()):
                    continue
                key = next(k for k in ("above", "below", "all") if k in sums)
                rows = detail[parts[key]].astype(int)
                label = _total_label(totals, i)
                issues.append(Issue(
                    raw.file, int(row), raw.headers.get(col, col), format_amount(stated),
                    f"{label} row does not add up: it says {format_amount(stated)} but its part rows "
                    f"{rows.min()}-{rows.max()} sum to {format_amount(sums[key])} (difference "
                    f"{format_amount(stated - sums[key])})",
                    "Correct the total or the detail rows: casekit uses the detail rows, so check that none is "
                    "missing or entered twice.", "warning", name))
    return issues


def _total_label(totals: pd.DataFrame, i: int) -> str:
    for value in totals.iloc[i]:
        if isinstance(value, str) and ("计" in value or "total" in value.lower()):
            return f"total '{value}'"
    return "total"



OF_WHICH_NAME = re.compile(r"^\s*(?:其中|of which)\s*[:：]?", re.IGNORECASE)
MONEY_TABLES = {"budget": ("original", "adjusted"), "actuals": ("amount",), "budget_monthly": ("amount",)}


def account_parents(accounts: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Parent of each account: ``(explicit, by_prefix)``.

    ``explicit`` comes from ``parent_id``; ``by_prefix`` from codes (the longest other code that is
    a proper prefix: 4001 ⊃ 400101, 6101 ⊃ 6101.01) for accounts without a ``parent_id``.

    Examples
    --------
    >>> acc = pd.DataFrame({"account_id": ["4001", "400101", "400102", "5001"], "parent_id": [None, None, "4001", None]})
    >>> account_parents(acc)
    ({'400102': '4001'}, {'400101': '4001'})
    """
    ids = [str(a) for a in accounts["account_id"].unique() if not pd.isna(a)]
    explicit: dict[str, str] = {}
    if "parent_id" in accounts.columns:
        given = accounts["parent_id"].notna().to_numpy()
        if given.any():
            rows = accounts[given]
            explicit = {str(a): str(p) for a, p in zip(rows["account_id"], rows["parent_id"]) if str(a) != str(p)}
    known = set(ids)
    by_prefix: dict[str, str] = {}
    for a in ids:
        if a in explicit:
            continue
        parent = next((a[:k] for k in range(len(a) - 1, 0, -1) if a[:k] in known), None)   # the longest code
        if parent is not None:                                                              # that is a prefix
            by_prefix[a] = parent
    return explicit, by_prefix


def leaf_lines(frames: dict[str, pd.DataFrame], raws: Mapping[str, Any]) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """Keep leaf lines only: drop parent-account and 其中 rows from budget, actuals and phasing, checking footing.

    A parent account (named by ``parent_id``, or by code prefix) holds the sum of its children; where
    a parent and any of its children both have rows for the same year and department (and month),
    the parent's row is dropped, so nothing is counted twice, and its amounts are checked against
    the children's sum: a difference is a warning naming the parent's row. A parent found only by
    code prefix is dropped only where it foots (otherwise both are kept, with a warning asking for
    ``parent_id``). Rows of accounts named ``其中…`` ("of which", a breakdown) are dropped.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Conformed tables (``accounts`` required for anything to happen).
    raws : mapping of str to RawTable
        For file names, rows and headers in messages.

    Returns
    -------
    frames : dict of str to pandas.DataFrame
        Same tables, parent and 其中 rows removed (index labels kept).
    issues : list of Issue
        Footing breaks and what was dropped (warnings).

    References
    ----------
    docs/data-format.md ("Subtotal rows that do not add up to their parts are a data-quality finding").
    """
    from casekit.data.io.raw import user_file, user_row

    if "accounts" not in frames:
        return frames, []
    acc = frames["accounts"]
    explicit, by_prefix = account_parents(acc)
    of_which, seen = set(), set()
    for a, n in zip(acc["account_id"], acc["name"]):       # the first row of each account names it
        if a in seen:
            continue
        seen.add(a)
        if isinstance(n, str) and OF_WHICH_NAME.match(n):
            of_which.add(str(a))
    issues: list[Issue] = []
    out = dict(frames)
    for table, cols in MONEY_TABLES.items():
        if table not in frames:
            continue
        df = frames[table]
        raw = raws[table]
        key = [k for k in ("year", "month", "dept_id") if k in df.columns]
        drop = df.index[df["account_id"].isin(of_which)] if of_which else df.index[:0]
        if len(drop):
            issues.append(Issue(raw.file, None, None, None, f"{len(drop)} row(s) of 其中 (of which) accounts "
                                f"({', '.join(sorted(set(df.loc[drop, 'account_id']))[:MAX_SHOWN])}) left out of the "
                                "totals: they break down another line", "Nothing to do.", "warning", table))
        keep = df.drop(index=drop) if len(drop) else df
        for parents, how in ((explicit, "parent_id"), (by_prefix, "code prefix")):
            if not parents:
                continue
            kids = keep[keep["account_id"].isin(parents)]
            if kids.empty:
                continue
            kid_sum = (kids.assign(parent=kids["account_id"].map(parents))
                       .groupby(key + ["parent"], dropna=False)[[c for c in cols if c in df.columns]].sum(min_count=1))
            par = keep[keep["account_id"].isin(set(parents.values()))]
            joined = par.join(kid_sum.add_suffix("_children"), on=key + ["account_id"], how="inner")
            bad_idx: set = set()
            for idx, row in joined.iterrows():
                for col in cols:
                    if col not in df.columns or pd.isna(row[col]):
                        continue
                    summed = row.get(f"{col}_children")
                    summed = 0.0 if pd.isna(summed) else float(summed)
                    if abs(row[col] - summed) <= max(0.01, SUBTOTAL_TOLERANCE * abs(row[col])):
                        continue
                    bad_idx.add(idx)
                    if how == "code prefix":
                        continue
                    issues.append(Issue(user_file(raw, idx), user_row(raw, idx), raw.headers.get(col, col),
                                        format_amount(row[col]),
                                        f"parent account {row['account_id']} says {format_amount(row[col])} but its "
                                        f"sub-accounts sum to {format_amount(summed)} (difference "
                                        f"{format_amount(row[col] - summed)}); casekit counts the sub-accounts only",
                                        "Correct the parent or its sub-accounts so that they agree.", "warning", table))
            if how == "code prefix" and bad_idx:
                shown = ", ".join(sorted({str(joined.at[i, "account_id"]) for i in bad_idx})[:MAX_SHOWN])
                issues.append(Issue(raw.file, None, None, None,
                                    f"account(s) {shown} look like parents of longer codes but their amounts are not "
                                    "the sums of those codes: all are counted",
                                    "If they are parents, give the sub-accounts a parent_id in the accounts table; "
                                    "otherwise nothing to do.", "warning", table))
            dropped = [i for i in joined.index if how == "parent_id" or i not in bad_idx]
            if dropped:
                issues.append(Issue(raw.file, None, None, None,
                                    f"{len(dropped)} row(s) of parent accounts ({how}) not counted: their "
                                    "sub-accounts are", "Nothing to do.", "warning", table))
            keep = keep.drop(index=dropped)
        out[table] = keep
    return out, issues

