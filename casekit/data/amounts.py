"""Plausibility of amounts: units, scale, execution far beyond the budget, negative and unbudgeted lines.

Checks on the budget and the actuals as written (in the profile's currency and scale, :mod:`casekit.money`),
each returning :class:`~casekit.errors.Issue` objects that name the file, row and column:

* mixed units between tables (median actual/budget ratio near 10,000);
* an actual above ``data.line_rate_max`` times its budget line, or a direction's total above
  ``data.total_rate_max`` times its budget (thresholds in ``casekit/diagnosis/thresholds.yaml``,
  overridable with ``--config``: a real line beyond the default is accepted by raising it);
* negative expense budgets, implausible yearly totals for a hospital, zero budgets with spending,
  actuals without a budget row.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from casekit.errors import ConfigError, Issue
from casekit.data.io.raw import user_file, user_row
from casekit.data.lines import LineKeys, group_sums
from casekit.money import DEFAULT_CURRENCY, DEFAULT_SCALE, factor, money_unit
from casekit.paths import THRESHOLDS_FILE

# Median |actual| / |budget| beyond this factor (or below its inverse) means mixed units.
UNIT_RATIO = 1_000.0
# Yearly expense budget outside this band (yuan) is implausible for a hospital: check the unit.
PLAUSIBLE_TOTAL_YUAN = (1e6, 1e11)
MAX_LISTED = 5
LIMIT_KEYS = ("line_rate_max", "total_rate_max")


@functools.lru_cache(maxsize=1)
def _default_limits() -> dict[str, float]:
    """The ``data`` limits of the packaged thresholds file, read once per process."""
    with open(THRESHOLDS_FILE, encoding="utf-8") as fh:
        defaults = yaml.safe_load(fh)["data"]
    return {k: float(defaults[k]["value"]) for k in LIMIT_KEYS}


def plausibility_limits(config: str | Path | Mapping[str, Any] | None = None) -> dict[str, float]:
    """The plausibility thresholds ``data.line_rate_max`` and ``data.total_rate_max``.

    Parameters
    ----------
    config : path or mapping, optional
        A user thresholds file (``--config``) or mapping; its ``data`` keys override the defaults
        of ``casekit/diagnosis/thresholds.yaml``. Other keys are ignored here (the diagnosis
        checks them).

    Returns
    -------
    dict
        ``{"line_rate_max": 40.0, "total_rate_max": 10.0}`` by default.

    Raises
    ------
    ConfigError
        A ``data`` limit that is not a positive number.
    """
    limits = dict(_default_limits())
    user: Any = config
    if isinstance(config, (str, Path)):
        try:
            with open(config, encoding="utf-8") as fh:
                user = yaml.safe_load(fh) or {}
        except (OSError, yaml.YAMLError):
            return limits          # the thresholds check reports an unreadable file
    section = user.get("data") if isinstance(user, Mapping) else None
    flat = {k.split(".", 1)[1]: v for k, v in (user or {}).items()
            if isinstance(k, str) and k.startswith("data.")} if isinstance(user, Mapping) else {}
    for key, node in {**(section if isinstance(section, Mapping) else {}), **flat}.items():
        if key not in LIMIT_KEYS:
            continue
        value = node.get("value") if isinstance(node, Mapping) else node
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"threshold 'data.{key}' must be a positive number, got {value!r}",
                              f"Write a number such as {limits[key]:g}.")
        limits[key] = float(value)
    return limits


def unit_issues(frames: dict[str, pd.DataFrame], raws: dict[str, Any],
                lines: LineKeys | None = None) -> tuple[list[Issue], set[str]]:
    """Compare amounts with the budget: a median ratio near 10,000 or 1/10,000 means mixed units.

    ``lines`` are the tables' line codes (:class:`casekit.data.lines.LineKeys`, built here when not given).
    """
    if "budget" not in frames:
        return [], set()
    lines = LineKeys(frames) if lines is None else lines
    budget = np.abs(lines.sums("budget", frames["budget"], "original", min_count=1))
    issues, mixed = [], set()
    for name, column in (("actuals", "amount"), ("budget_monthly", "amount")):
        if name not in frames:
            continue
        amounts = np.abs(lines.sums(name, frames[name], column, min_count=1))
        both = (amounts > 0) & (budget > 0)
        if not both.any():
            continue
        ratio = float(pd.Series(amounts[both] / budget[both]).median())
        if ratio > UNIT_RATIO or ratio < 1 / UNIT_RATIO:
            bigger, smaller = (raws[name].file, raws["budget"].file) if ratio > 1 else (raws["budget"].file,
                                                                                          raws[name].file)
            issues.append(Issue(raws[name].file, None, raws[name].headers.get(column, column), f"{ratio:,.4g}",
                                f"amounts are {ratio:,.4g} times the budget (median over {int(both.sum())} lines): "
                                f"{bigger} seems to be in units (元) and {smaller} in ten thousands (万元)",
                                "Convert one file so that every money column uses the unit declared as "
                                "currency_unit in the profile.", "error", name))
            mixed.add(name)
    return issues, mixed


def amount_issues(frames: dict[str, pd.DataFrame], raws: dict[str, Any], *, skip_rates: set[str],
                  money: tuple[str, str] = (DEFAULT_CURRENCY, DEFAULT_SCALE),
                  limits: Mapping[str, float] | None = None, lines: LineKeys | None = None) -> list[Issue]:
    """Negative expense budgets, implausible execution rates, zero budgets with spending, scale.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Conformed tables, amounts as written (currency and scale of the profile).
    raws : dict of str to RawTable
        The same tables as read (file names, rows, headers for the messages).
    skip_rates : set of str
        Tables whose units are mixed (reported already): no rate check on them.
    money : (str, str)
        The profile's currency and scale (``currency``, ``currency_unit``) for the messages.
    limits : mapping, optional
        ``line_rate_max`` and ``total_rate_max`` (default :func:`plausibility_limits`).
    lines : casekit.data.lines.LineKeys, optional
        Line codes of the tables (built here when not given).

    Returns
    -------
    list of Issue
    """
    if "budget" not in frames or "accounts" not in frames:
        return []
    limits = plausibility_limits() if limits is None else limits
    lines = LineKeys(frames) if lines is None else lines
    issues = []
    raw_b = raws["budget"]
    budget = frames["budget"]
    direction = _directions(frames["accounts"], *lines.factorize("budget", "account_id", budget))
    expense = direction == "expense"
    for col in ("original", "adjusted"):
        for idx in budget.index[expense & (budget[col].to_numpy(dtype="float64", na_value=np.nan) < 0)]:
            issues.append(Issue(user_file(raw_b, idx), user_row(raw_b, idx), raw_b.headers.get(col, col), format_amount(budget.at[idx, col]),
                                "expense budget is negative",
                                "Expense budgets are positive amounts; enter the amount without a minus sign.",
                                "error", "budget"))
    issues += scale_issues(budget, raw_b, money, direction)
    unit = money_unit(*money)
    if "actuals" not in frames:
        return issues
    raw_a = raws["actuals"]
    acts = frames["actuals"]
    codes_a = lines.code("actuals", acts)
    actual = lines.sums("actuals", acts, "amount", min_count=1)
    unique = ~pd.Series(lines.full("budget", budget)).duplicated(keep=False).to_numpy()  # repeats reported already
    codes_b = lines.code("budget", budget)[unique]
    original = budget["original"].to_numpy(dtype="float64", na_value=np.nan)[unique]
    adjusted = budget["adjusted"].to_numpy(dtype="float64", na_value=np.nan)[unique]
    b = np.where(np.isnan(adjusted), original, adjusted)
    a = np.where(codes_b >= 0, actual[np.maximum(codes_b, 0)], np.nan)
    kept = np.flatnonzero(unique)
    years = budget["year"].to_numpy(dtype="float64", na_value=np.nan)[unique]
    ways = direction[unique]
    depts, accounts = budget["dept_id"].array, budget["account_id"].array

    def line(k: int) -> tuple[Any, str]:
        """Row label and ``year/dept/account`` of the k-th kept budget line (a line with an actual: no blank key)."""
        return budget.index[kept[k]], f"{int(years[k])}/{depts[kept[k]]}/{accounts[kept[k]]}"

    header_a = raw_a.headers.get("amount", "amount")
    if "actuals" not in skip_rates:
        with np.errstate(invalid="ignore"):
            found = np.flatnonzero((b > 0) & (a > limits["line_rate_max"] * b))
        if len(found):
            # the cell the clerk typed: the line's largest actual row (a month, or the annual row)
            hit = np.isin(codes_a, codes_b[found])
            biggest = acts["amount"][hit].abs().groupby(codes_a[hit], sort=False).idxmax()
        for k in found:
            idx, what = line(k)
            cell = biggest[codes_b[k]]
            typed = acts.at[cell, "amount"]
            issues.append(Issue(user_file(raw_a, cell), user_row(raw_a, cell), header_a, f"{typed:,.2f}",
                                f"actual of {what} is "
                                f"{a[k] / b[k]:.0%} of its budget ({user_file(raw_b, idx)} row "
                                f"{user_row(raw_b, idx)}); this cell holds {typed:,.2f} {unit} as "
                                "typed: check units or decimal point",
                                "Correct the amount or the budget so both use the declared currency unit; a real line "
                                "beyond the limit is accepted by raising data.line_rate_max (--config).",
                                "error", "actuals"))
        flagged = {(int(years[k]), ways[k]) for k in found}
        for year, way, total_a, total_b in _year_totals(years, ways, a, b):
            if total_b > 0 and total_a > limits["total_rate_max"] * total_b and (year, way) not in flagged:
                issues.append(Issue(raw_a.file, None, header_a, f"{total_a:,.2f}",
                                    f"total actual {way} of {year} is {total_a / total_b:.0%} of its budget: "
                                    "check units or decimal point",
                                    "Check that actuals and budget use the same currency unit.", "error", "actuals"))
    for k in np.flatnonzero(~np.isnan(a) & (a != 0) & ((original == 0) | (b == 0))):
        idx, what = line(k)
        issues.append(Issue(user_file(raw_b, idx), user_row(raw_b, idx), raw_b.headers.get("original", "original"), "0",
                            f"budget is 0 but the actual of {what} is "
                            f"{a[k]:,.2f} {unit}; reported as a missing item (no execution rate computed)",
                            "Nothing to fix if the line was really unbudgeted; otherwise enter its budget.",
                            "warning", "budget"))
    issues += unbudgeted_lines(acts, budget, raw_a, lines)
    return issues


def _directions(accounts: pd.DataFrame, codes: np.ndarray, uniques: pd.Index) -> np.ndarray:
    """``direction`` of each budget row's account (first accounts row of the code; NaN if unknown)."""
    ways: dict = {}
    for account, way in zip(accounts["account_id"], accounts["direction"]):
        ways.setdefault(account, way)
    lut = np.array([ways.get(u, np.nan) for u in uniques] + [np.nan], dtype=object)
    return lut[codes]


def _year_totals(years: np.ndarray, ways: np.ndarray, a: np.ndarray, b: np.ndarray):
    """(year, direction, sum of a, sum of b) by year and direction, sorted; blank years or directions left out.

    As ``groupby(["year", "direction"])[["a", "b"]].sum()`` (:func:`casekit.data.lines.group_sums`).
    """
    known = ~np.isnan(years) & pd.notna(ways)
    if not known.any():
        return []
    year_values, year_codes = np.unique(years[known], return_inverse=True)
    way_values, way_codes = np.unique(ways[known].astype(str), return_inverse=True)
    codes = np.full(len(years), -1, dtype=np.int64)
    codes[known] = year_codes * len(way_values) + way_codes
    groups = len(year_values) * len(way_values)
    sums = group_sums(codes, groups, np.column_stack([a, b]))
    present = np.bincount(codes[known], minlength=groups) > 0
    return [(int(year_values[k // len(way_values)]), str(way_values[k % len(way_values)]), float(sums[k, 0]),
             float(sums[k, 1])) for k in np.flatnonzero(present)]


def format_amount(x: float) -> str:
    """``12,500,000`` / ``1,234.5``: thousands separators, no trailing zeros."""
    text = f"{x:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def scale_issues(budget: pd.DataFrame, raw: Any, money: tuple[str, str], direction: np.ndarray) -> list[Issue]:
    """A yearly budget total outside the plausible band of a Chinese hospital (checked in yuan, CNY only).

    ``direction`` is the direction of each budget row's account.
    """
    currency, scale = money
    if currency != "CNY":
        return []
    expense = direction == "expense"
    years = budget["year"].to_numpy(dtype="float64", na_value=np.nan)
    counted = ~np.isnan(years) & (expense if expense.any() else True)
    year_values, codes = np.unique(years[counted], return_inverse=True)
    rows = np.full(len(years), -1, dtype=np.int64)
    rows[counted] = codes                    # as groupby("year")["original"].sum() of those rows
    totals = pd.Series(group_sums(rows, len(year_values), budget["original"].to_numpy(dtype="float64", na_value=np.nan))
                       * factor(scale))
    if totals.empty or not np.isfinite(totals.max()) or totals.max() <= 0:
        return []
    lo, hi = PLAUSIBLE_TOTAL_YUAN
    declared = f"{scale} ({money_unit(currency, scale, 'zh')})"
    check = "Check the amounts and the decimal point."
    if totals.max() < lo:
        problem = "implausibly small for a hospital"
        fix = "If the figures are in 万元, declare currency_unit: ten_thousands (万元)." if scale == "units" else check
    elif totals.max() > hi:
        problem = "implausibly large for a hospital"
        fix = "If the figures are in 元, declare currency_unit: units (元)." if scale != "units" else check
    else:
        return []
    return [Issue(raw.file, None, raw.headers.get("original", "original"), f"{totals.max():,.0f}",
                  f"the largest yearly budget total is {totals.max():,.0f} yuan with currency_unit {declared}: {problem}",
                  fix, "warning", "budget")]


def unbudgeted_lines(actuals: pd.DataFrame, budget: pd.DataFrame, raw: Any, lines: LineKeys | None = None) -> list[Issue]:
    """Department/line pairs of a budget year with actuals but no budget row, one warning per year."""
    lines = LineKeys({"budget": budget, "actuals": actuals}) if lines is None else lines
    budgeted = np.zeros(lines.count + 1, dtype=bool)
    budgeted[lines.full("budget", budget)[~lines.blank("budget", budget)]] = True
    years = actuals["year"].to_numpy(dtype="float64", na_value=np.nan)
    budget_years = np.unique(budget["year"].to_numpy(dtype="float64", na_value=np.nan))  # years without any
    amount = actuals["amount"].to_numpy(dtype="float64", na_value=np.nan)         # budget: own warning
    codes = lines.full("actuals", actuals)
    absent = (amount != 0) & ~np.isnan(amount) & ~budgeted[codes] & np.isin(years, budget_years)
    if not absent.any():
        return []
    positions = np.flatnonzero(absent)
    codes, years = codes[positions], years[positions]
    depts, accounts = actuals["dept_id"].array, actuals["account_id"].array
    issues = []
    for year in np.unique(years):
        at = positions[years == year]
        _, first = np.unique(codes[years == year], return_index=True)   # one row per pair
        shown_at = at[np.sort(first)[:MAX_LISTED]]
        shown = "; ".join(f"{d}/{a}" for d, a in zip(depts[shown_at], accounts[shown_at]))
        issues.append(Issue(user_file(raw, actuals.index[at[0]]), user_row(raw, actuals.index[at[0]]), None, None,
                            f"{len(first)} department/line pair(s) of {int(year)} have actuals but no budget row "
                            f"(e.g. {shown}); treated as missing items",
                            "Nothing to fix if they were really unbudgeted; otherwise add their budget rows.",
                            "warning", "actuals"))
    return issues
