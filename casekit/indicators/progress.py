"""Monthly execution, time-progress gaps (进度差) and the year-end surge.

These indicators need monthly actuals. On an annual-only hospital (final accounts, month
missing) every function returns an empty frame with its documented columns; the rules then
report "not assessed: needs monthly actuals".

The monthly budget of a line is its annual budget (B0 or B1) times the line's phasing share
from ``budget_monthly`` (amount of the month / amount of the year, so the phasing also applies
to an adjusted budget), or 1/12 a month where no phasing was supplied.

The monthly rows (millions in a large hospital) are never joined as tables: ``actuals`` and
``budget_monthly`` are summed once onto the grid of budget lines x 12 months
(:func:`line_grid`, :func:`line_actuals`, :func:`line_phasing`: integer positions and float
arrays, shared by the diagnosis and read-only), and each indicator sums grid entries per its keys
(:func:`_sum_by`). A pandas group sum depends on the order of the rows and on whether the group
numbers come sorted (compensated sums, or ``ufunc.reduceat`` on sorted groups), so every sum is
taken by pandas over the rows in the order the former joins and groupbys had them, with groups
numbered in the order of their keys: every figure is the same to the last bit.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital
from casekit.indicators.shared import shared
from casekit.indicators.execution import LINE_KEYS, join_on, key_positions, line_table
from casekit.data.lines import group_keys, group_sums

QUARTER_ENDS = (3, 6, 9, 12)
MONTHLY_COLUMNS = ["year", "month", "dept_id", "direction", "actual", "budget_month", "execution_rate",
                   "phasing", "basis", "accounting"]
PROGRESS_COLUMNS = ["year", "month", "direction", "cumulative_actual", "annual_budget", "progress", "expected",
                    "gap", "is_quarter_end", "phasing", "basis", "accounting"]
SURGE_COLUMNS = ["december", "mean_month", "surge", "n_months"]


@shared
def line_grid(h: Hospital) -> tuple[pd.DataFrame, np.ndarray]:
    """The budget lines of the years, each with its 12 months: the grid the monthly tables are summed on.

    Returns
    -------
    lines : pandas.DataFrame
        ``year``, ``dept_id``, ``account_id``, ``direction`` of ``line_table(h, basis,
        complete_only=False)`` (the same lines, in the same order, on either basis): every line
        with a budget or an actual in ``h.years``, sorted by the three keys.
    rank : numpy.ndarray
        For each of the ``12 * len(lines)`` entries (line position x 12 + month - 1) its position
        in the order of year, month, dept_id and account_id (a table of the line-months sorted
        by those keys, as a groupby or an outer join on them sorts it).
    """
    lines = line_table(h, "adjusted", complete_only=False)[[*LINE_KEYS, "direction"]]
    year = lines["year"].to_numpy()
    start = np.searchsorted(year, year, side="left")  # the first line of the line's year
    size = np.searchsorted(year, year, side="right") - start
    rank = start[:, None] * 12 + np.arange(12)[None, :] * size[:, None] + (np.arange(len(year)) - start)[:, None]
    return lines, _read_only(rank.ravel())


def _read_only(*arrays: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...]:
    """The arrays, made read-only: a shared table's arrays are handed out as they are, not copied."""
    for a in arrays:
        a.flags.writeable = False
    return arrays[0] if len(arrays) == 1 else arrays


def _cell_sums(h: Hospital, table: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``table[column]`` summed per entry of :func:`line_grid` (line and month), and the rows per entry.

    As ``table.groupby(["year", "month", "dept_id", "account_id"]).sum()`` for the rows of the
    grid's lines and months 1-12 (the rows of other years are left out): pandas' group sum in
    the rows' order, groups numbered in the order of the keys (the sums depend on both), 0 for
    an entry without rows.
    """
    lines, rank = line_grid(h)
    line = key_positions(lines, table)
    month = table["month"].to_numpy(dtype="float64", na_value=np.nan)
    inside = (line >= 0) & (month >= 1) & (month <= 12)
    ranks = rank[line[inside] * 12 + month[inside].astype(np.int64) - 1]
    del line, month
    values = table[column].to_numpy(dtype="float64", na_value=np.nan)[inside]
    rows = np.bincount(ranks, minlength=len(rank))
    summed = np.zeros(len(rank))
    if rows.max(initial=0) <= 1:  # one row per entry (the usual table): its sum is its value, 0 for a blank
        summed[ranks] = np.where(np.isnan(values), 0.0, values)
    else:
        group = (np.cumsum(rows > 0) - 1)[ranks]  # only entries with rows numbered, in the order of the keys
        summed[rows > 0] = group_sums(group, int(group.max()) + 1, values)
    return summed[rank], rows[rank]


@shared
def line_actuals(h: Hospital) -> tuple[np.ndarray, np.ndarray]:
    """Actuals of each entry of :func:`line_grid` (line and month), years of ``h.years``.

    Returns
    -------
    actual : numpy.ndarray
        Per entry (line position x 12 + month - 1): the actuals summed (0 without rows).
    given : numpy.ndarray
        Bool per entry: the month has actuals rows.
    """
    actual, rows = _cell_sums(h, h.actuals, "amount")
    return _read_only(actual, rows > 0)


@shared
def line_phasing(h: Hospital) -> tuple[np.ndarray, np.ndarray]:
    """The phasing ``budget_monthly`` gives each entry of :func:`line_grid` (line and month).

    Returns
    -------
    share : numpy.ndarray
        Per entry (line position x 12 + month - 1): the line's ``budget_monthly`` amount of the
        month (rows summed) / its amount of the year (its months summed in the order of year,
        month, dept_id, account_id, as a groupby's transform sums them); NaN where the line has no
        row for the month or its year's amount is 0.
    months : numpy.ndarray
        Number of months with ``budget_monthly`` rows, per line.
    """
    lines, rank = line_grid(h)
    n = len(lines)
    if not h.has("budget_monthly"):
        return _read_only(np.full(n * 12, np.nan), np.zeros(n, dtype=np.int64))
    amount, rows = _cell_sums(h, h.budget_monthly, "amount")
    given = np.flatnonzero(rows > 0)
    given = given[np.argsort(rank[given])]  # the months of every line, in the keys' order
    year_total = np.zeros(n)
    if len(given):
        year_total = group_sums(given // 12, n, amount[given])
    share = np.full(n * 12, np.nan)
    total = year_total[given // 12]
    share[given] = amount[given] / np.where(total != 0, total, np.nan)
    return _read_only(share, np.bincount(given // 12, minlength=n))


def _phased(h: Hospital, basis: str) -> tuple[np.ndarray, np.ndarray]:
    """``budget_month`` and ``phased`` of :func:`phased_budget`, per entry of :func:`line_grid`."""
    share, _ = line_phasing(h)
    phased = np.repeat((~np.isnan(share)).reshape(-1, 12).any(axis=1), 12)  # the line has a phasing
    share = np.where(phased, np.where(np.isnan(share), 0.0, share), 1.0 / 12.0)
    budget = line_table(h, basis, complete_only=False)["budget"].to_numpy()
    return np.repeat(budget, 12) * share, phased


@shared
def phased_budget(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Annual budget of each line spread over the 12 months.

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month`` (1-12), ``dept_id``, ``account_id``, ``direction``,
        ``budget_month`` (annual budget x phasing share), ``phased`` (bool: share taken from
        ``budget_monthly``; False means flat 1/12).
    """
    lines, _ = line_grid(h)
    budget_month, phased = _phased(h, basis)
    grid = lines.take(np.repeat(np.arange(len(lines)), 12))  # each line's 12 months, lines in order
    return pd.DataFrame({"year": grid["year"].to_numpy(), "month": np.tile(np.arange(1, 13, dtype="int64"), len(lines)),
                         "dept_id": grid["dept_id"].array, "account_id": grid["account_id"].array,
                         "direction": grid["direction"].array, "budget_month": budget_month, "phased": phased})


def _line_months(h: Hospital, basis: str) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    """Monthly budget and actual per line, only for months present in actuals, without a line x month table.

    The entries are those of :func:`phased_budget` (every line of the years x 12 months) with the
    line's actual of the month (0 where none). Every line-month with actuals is one of them, so
    the entries kept are exactly the rows of an outer join of phased budget and monthly actuals on
    year, month, dept_id and account_id, and ``rows`` orders them as that join does.

    Returns
    -------
    lines : pandas.DataFrame
        As :func:`line_grid`.
    rows : numpy.ndarray
        Entries (line position x 12 + month - 1) up to the last month with actuals of their year
        (none for a year without actuals), ordered by year, month, dept_id and account_id.
    values : dict of str to numpy.ndarray
        ``actual`` and ``budget_month`` of every entry.
    """
    lines, rank = line_grid(h)
    budget_month, _ = _phased(h, basis)
    actual, given = line_actuals(h)
    given = given.reshape(-1, 12)
    last = np.where(given.any(axis=1), 12 - np.argmax(given[:, ::-1], axis=1), 0)  # each line's last month
    last = pd.Series(last).groupby(lines["year"].to_numpy()).transform("max").to_numpy()  # its year's
    rows = _in_key_order(rank)
    rows = rows[rows % 12 < last[rows // 12]]
    return lines, rows, {"actual": actual, "budget_month": budget_month}


def _in_key_order(rank: np.ndarray) -> np.ndarray:
    """The entries of :func:`line_grid` in the order of year, month, dept_id and account_id."""
    order = np.empty_like(rank)
    order[rank] = np.arange(len(rank))
    return order


def _sum_by(lines: pd.DataFrame, rows: np.ndarray, keys: Sequence[str], values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sums of line x month entries per ``keys``, as ``groupby(keys, as_index=False).sum()`` of a table of them.

    Parameters
    ----------
    lines : pandas.DataFrame
        The lines (``year``, ``dept_id``, ``account_id``, ``direction`` ...).
    rows : numpy.ndarray
        Entries to sum (line position x 12 + month - 1), in the order of that table's rows.
    keys : sequence of str
        Columns of ``lines``, or ``"month"``.
    values : dict of str to numpy.ndarray
        Amounts per entry.

    Returns
    -------
    pandas.DataFrame
        ``keys`` then ``values``' names, sorted by ``keys``; groups with a missing key part are
        left out. pandas' own group sum (:func:`casekit.data.lines.group_sums`) over integer codes
        of the keys in the order of ``rows``, so every sum is the groupby's to the last bit.
    """
    parts = []
    for k in keys:
        if k == "month":
            parts.append((k, rows % 12, pd.Index(np.arange(1, 13, dtype="int64"))))
        else:
            codes, uniques = pd.factorize(lines[k], sort=True)
            parts.append((k, codes[rows // 12], uniques))
    group, found = group_keys(parts)
    taken = group >= 0
    sums = group_sums(group[taken], len(found[keys[0]]), np.column_stack([v[rows[taken]] for v in values.values()]))
    return pd.DataFrame(found | {name: sums[:, i] for i, name in enumerate(values)})


def _phasing_label(h: Hospital) -> str:
    return "budget_monthly" if h.has("budget_monthly") else "flat 1/12 (no budget_monthly)"


def monthly_execution(h: Hospital, basis: str = "adjusted") -> pd.DataFrame:
    """Monthly actual against the monthly budget per department and direction (for a heat map).

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month``, ``dept_id``, ``direction``, ``actual``, ``budget_month``
        (from ``budget_monthly`` phasing if supplied, else annual budget / 12),
        ``execution_rate`` (actual / budget_month; NaN where budget_month is 0 or negative), ``phasing``,
        ``basis``, ``accounting``. Empty (same columns) when actuals are annual only.
    """
    if not h.is_monthly:
        return pd.DataFrame({c: [] for c in MONTHLY_COLUMNS})
    lines, rows, values = _line_months(h, basis)
    g = _sum_by(lines, rows, ["year", "month", "dept_id", "direction"], values)
    g["execution_rate"] = g["actual"] / g["budget_month"].where(g["budget_month"] > 0)
    g["phasing"] = _phasing_label(h)
    g["basis"] = basis
    g["accounting"] = "budget"
    return g[MONTHLY_COLUMNS]


def time_progress(h: Hospital, basis: str = "adjusted", by: Sequence[str] = ()) -> pd.DataFrame:
    """Cumulative execution against the time schedule, every month, per direction (and ``by``).

    ``progress`` = cumulative actual to month t / annual budget; ``expected`` = cumulative
    phasing share to month t (t/12 without ``budget_monthly``); ``gap`` = progress - expected
    (进度差). A gap beyond +/-10 percentage points at a quarter end is a warning by default
    (threshold ``p3.progress_gap``).

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}
    by : sequence of {"dept_id", "account_id"}
        Extra keys: ``()`` is the hospital level (default), ``("dept_id",)`` departments,
        ``("dept_id", "account_id")`` budget lines (used by the in-year monitor).

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month``, ``*by``, ``direction``, ``cumulative_actual``,
        ``annual_budget``, ``progress``, ``expected``, ``gap`` (fractions, 0.1 = 10 pp),
        ``is_quarter_end``, ``phasing``, ``basis``, ``accounting``. Months after the last month
        with actuals in a year are left out; below the hospital level a group has rows only
        for months in which it has a budget or an actual. Empty (same columns) when actuals
        are annual only.

    References
    ----------
    docs/methodology.md (time-progress gap); 2020 measures (monthly monitoring against the time
    schedule, with warnings).
    """
    by = [by] if isinstance(by, str) else list(by)
    if by not in ([], ["dept_id"], ["dept_id", "account_id"]):
        raise ConfigError(f"invalid by {tuple(by)!r} for time_progress",
                          "Use by=(), by=('dept_id',) or by=('dept_id', 'account_id').")
    columns = [*PROGRESS_COLUMNS[:2], *by, *PROGRESS_COLUMNS[2:]]
    if not h.is_monthly:
        return pd.DataFrame({c: [] for c in columns})
    lines, rows, values = _line_months(h, basis)
    keys = ["year", *by, "direction"]
    g = _sum_by(lines, rows, [*keys, "month"], values)  # sorted by keys and month
    annual = _sum_by(lines, np.arange(len(lines) * 12), keys, {"annual_budget": values["budget_month"]})
    g = join_on(g, annual, keys)
    g["annual_budget"] = g["annual_budget"].fillna(0.0)
    groups = g.groupby(keys)
    g["cumulative_actual"] = groups["actual"].cumsum()
    cum_budget = groups["budget_month"].cumsum()
    den = g["annual_budget"].where(g["annual_budget"] > 0)   # no progress on a zero or negative base
    g["progress"] = g["cumulative_actual"] / den
    g["expected"] = (cum_budget / den).fillna(g["month"] / 12.0)
    g["gap"] = g["progress"] - g["expected"]
    g["is_quarter_end"] = g["month"].isin(QUARTER_ENDS)
    g["phasing"] = _phasing_label(h)
    g["basis"] = basis
    g["accounting"] = "budget"
    return g[columns].reset_index(drop=True)


def year_end_surge(h: Hospital, level: Sequence[str] = ("year",)) -> pd.DataFrame:
    """December expense relative to the mean monthly expense of the year.

    Parameters
    ----------
    h : Hospital
    level : ("year",) or ("year", "dept_id")

    Returns
    -------
    pandas.DataFrame
        Columns ``*level``, ``december`` (December expense), ``mean_month`` (expense of the
        year / number of months with actuals), ``surge`` = december / mean_month (1 = an ordinary
        month; NaN when mean_month is 0), ``n_months``. Only years whose actuals include December.
        Empty (same columns) when actuals are annual only.

    References
    ----------
    docs/methodology.md (year-end surge: rushed spending before the budget lapses).
    """
    level = [level] if isinstance(level, str) else list(level)
    if level not in (["year"], ["year", "dept_id"]):
        raise ConfigError(f"invalid level {tuple(level)!r} for year_end_surge",
                          "Use level=('year',) or level=('year', 'dept_id').")
    if not h.is_monthly:
        return pd.DataFrame({c: [] for c in [*level, *SURGE_COLUMNS]})
    lines, rank = line_grid(h)
    actual, given = line_actuals(h)
    rows = _in_key_order(rank)  # as the expense rows of monthly actuals are ordered
    rows = rows[given[rows] & (lines["direction"] == "expense").to_numpy()[rows // 12]]
    year, month = lines["year"].to_numpy()[rows // 12], rows % 12 + 1
    months_per_year = pd.DataFrame({"year": year, "month": month}).groupby("year")["month"].nunique().rename("n_months")
    dec = np.where(np.arange(len(actual)) % 12 == 11, actual, 0.0)
    g = _sum_by(lines, rows, level, {"december": dec, "total": actual})
    g = join_on(g, months_per_year.reset_index(), ["year"])  # every year of g has months
    g = g[g["year"].isin(np.unique(year[month == 12]))].copy()
    g["mean_month"] = g["total"] / g["n_months"]
    g["surge"] = g["december"] / g["mean_month"].where(g["mean_month"] != 0)
    return g[[*level, *SURGE_COLUMNS]].reset_index(drop=True)
