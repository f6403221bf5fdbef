"""Budget execution: execution rate, deviation, bands, accuracy, missing items, revenue slack.

Formulas (docs/methodology.md). B0 = original budget (年初预算), B1 = adjusted budget
(调整后预算), A = actual. ``basis="original"`` compares A with B0 and judges *preparation*;
``basis="adjusted"`` compares A with B1 and judges *execution*. Every figure here is on the
budget-accounting basis (预算会计); output tables carry ``accounting="budget"``.

Revenue and expense are never summed together: every table is split by ``direction``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital
from casekit.data.lines import group_keys, group_means, group_sums, sum_by
from casekit.indicators.shared import shared

BASES = ("original", "adjusted")
LEVEL_COLUMNS = ("year", "dept_id", "account_id", "direction")
LINE_KEYS = ["year", "dept_id", "account_id"]
_EPS = 1e-12  # so that 1.05 / 1 - 1 = 0.05000000000000004 still counts as "within 5%"


def check_basis(basis: str) -> str:
    """Return ``basis`` if it is ``"original"`` or ``"adjusted"``, else raise :class:`ConfigError`."""
    if basis not in BASES:
        raise ConfigError(f"unknown budget basis {basis!r}",
                          "Use basis='original' (B0, judges preparation) or basis='adjusted' (B1, judges execution).")
    return basis


def _check_level(level: Sequence[str]) -> list[str]:
    level = [level] if isinstance(level, str) else list(level)
    bad = [c for c in level if c not in LEVEL_COLUMNS]
    if bad or len(set(level)) != len(level):
        raise ConfigError(f"invalid level {tuple(level)!r}",
                          f"Use distinct columns among {', '.join(LEVEL_COLUMNS)}, e.g. level=('year', 'dept_id').")
    return level


@shared
def complete_years(h: Hospital) -> list[int]:
    """Years of ``h.years`` whose actuals cover the whole year.

    A year is complete when its actuals are annual (month missing) or include December, and the
    data do not say they cover only part of it (``h.coverage``: an export titled ``2023年1-6月``).
    A year in progress would show a false under-execution, so annual comparisons leave it out;
    :func:`casekit.indicators.progress.time_progress` still covers monthly data of it.
    """
    a = h.actuals
    partial = {y for y, m in h.coverage.items() if m < 12}
    if "month" not in a.columns:
        return [y for y in h.years if y not in partial]
    has_dec = set(a.loc[a["month"].eq(12).fillna(False).astype(bool), "year"].astype(int))
    annual = set(a.loc[a["month"].isna(), "year"].astype(int))
    return [y for y in h.years if (y in has_dec or y in annual) and y not in partial]


@shared
def line_table(h: Hospital, basis: str = "adjusted", complete_only: bool = True) -> pd.DataFrame:
    """Budget against actual for every line (year x department x account).

    Budget and annual actuals are joined on (year, dept_id, account_id) with an outer join:
    a line with actuals but no budget row gets budget 0 (a missing item); a budgeted line
    without actuals gets actual 0. Only years with both budget and actuals (``h.years``) are
    kept, and by default only complete years (see :func:`complete_years`).

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}
        Which budget: B1 (``adjusted``) or B0 (``original``).
    complete_only : bool
        Leave out years in progress (monthly actuals without December).

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``dept_id``, ``account_id``, ``direction``, ``budget``, ``actual``
        (in the profile's currency and scale, budget accounting).
    """
    col = check_basis(basis)
    lines = _budget_lines(h, complete_only)
    return lines[["year", "dept_id", "account_id", "direction", col, "actual"]].rename(columns={col: "budget"})


def key_positions(table: pd.DataFrame, rows: pd.DataFrame, keys: Sequence[str] = LINE_KEYS) -> np.ndarray:
    """Position in ``table`` (each key once) of each row's key, -1 where ``table`` lacks it.

    Each key column of both frames is factorised once (the rows' distinct values looked up among
    the table's) and the codes are combined into one integer, so matching is one integer lookup
    instead of a hash of every string (a merge on the keys matches the same rows; missing keys
    match missing keys).

    Parameters
    ----------
    table, rows : pandas.DataFrame
        Frames with the ``keys`` columns (by default the line: ``year``, ``dept_id``, ``account_id``).
    keys : sequence of str

    Returns
    -------
    numpy.ndarray
        One int64 per row of ``rows``.
    """
    code, wanted = np.zeros(len(table), dtype=np.int64), np.zeros(len(rows), dtype=np.int64)
    missing = np.zeros(len(rows), dtype=bool)
    for k in keys:
        codes, uniques = pd.factorize(table[k], use_na_sentinel=False)
        asked, values = pd.factorize(rows[k], use_na_sentinel=False)
        asked = pd.Index(uniques).get_indexer(values)[asked]  # -1: a value the table lacks
        missing |= asked < 0
        code, wanted = code * len(uniques) + codes, wanted * len(uniques) + asked
    return np.where(missing, -1, pd.Index(code).get_indexer(wanted))


def join_on(left: pd.DataFrame, right: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """``left`` with the other columns of ``right`` appended, as ``left.merge(right, on=keys, how="left")``
    gives them when ``right`` holds each key once (missing where it has none, with the same dtype
    changes); the rows and index of ``left`` are kept."""
    at = key_positions(right, left, keys)  # -1: missing (a column then takes the dtype a reindex gives it)
    return left.assign(**{c: pd.api.extensions.take(right[c].array, at, allow_fill=True)
                          for c in right.columns if c not in keys})


def with_accounts(df: pd.DataFrame, h: Hospital, columns: Sequence[str] = ("direction",)) -> pd.DataFrame:
    """``df`` with the ``accounts`` columns ``columns`` of its ``account_id`` appended (default ``direction``).

    The same columns as a left merge with ``accounts[["account_id", *columns]]`` on
    ``account_id`` gives (missing for an account the accounts table lacks), looked up once per
    distinct account; the rows and their index are those of ``df``.
    """
    codes, uniques = pd.factorize(df["account_id"])
    at = pd.Index(h.accounts["account_id"]).get_indexer(uniques)
    at = np.append(at, -1)[codes]  # code -1 (a missing account_id) picks the trailing -1
    return df.assign(**{c: h.accounts[c].array.take(at, allow_fill=True) for c in columns})


@shared
def _budget_lines(h: Hospital, complete_only: bool = True) -> pd.DataFrame:
    """:func:`line_table` with both budgets, ``original`` (B0) and ``adjusted`` (B1)."""
    lines = _lines(h)
    return lines[lines["year"].isin(complete_years(h) if complete_only else h.years)].reset_index(drop=True)


@shared
def annual_actuals(h: Hospital) -> pd.DataFrame:
    """Actuals summed per line, every year of actuals.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``dept_id``, ``account_id``, ``amount``, sorted by the three keys.
    """
    return sum_by(h.actuals, LINE_KEYS, ["amount"])


@shared
def _lines(h: Hospital) -> pd.DataFrame:
    """B0, B1 and actual of every line of the years of ``h.years``, sorted (the base of
    :func:`line_table`, computed once for both bases)."""
    years = h.years
    b = sum_by(h.budget, LINE_KEYS, BASES)
    a = annual_actuals(h)
    b, a = b[b["year"].isin(years)], a[a["year"].isin(years)]
    # the union of both tables' lines in key order, as an outer join sorts it: each key factorised
    # in sorted order, the three codes combined into one integer that sorts as the keys do
    keys = pd.concat([b[LINE_KEYS], a[LINE_KEYS]], ignore_index=True)
    code = np.zeros(len(keys), dtype=np.int64)
    for k in LINE_KEYS:
        codes, uniques = pd.factorize(keys[k], sort=True)
        code = code * len(uniques) + codes
    _, first, line = np.unique(code, return_index=True, return_inverse=True)
    lines = keys.take(first).reset_index(drop=True)
    lines["year"] = lines["year"].astype("int64")
    lines = with_accounts(lines, h)

    def placed(rows: np.ndarray, values: pd.Series) -> np.ndarray:  # a line missing from a table: 0
        out = np.zeros(len(lines))
        out[rows] = values.to_numpy(dtype=float)
        return out

    for c in BASES:
        lines[c] = placed(line[:len(b)], b[c])
    lines["actual"] = placed(line[len(b):], a["amount"])
    return lines


@shared
def prior_actuals(h: Hospital) -> pd.DataFrame:
    """Last year's actual of every line, from *all* years of actuals.

    Unlike :func:`line_table` this also uses actuals of years without a budget (for example
    the year before the first budget year, the base of the first budget).

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (the year the figure is the *prior* of, i.e. actual year + 1),
        ``dept_id``, ``account_id``, ``prior_actual``.
    """
    a = annual_actuals(h)
    a["year"] = a["year"].astype("int64") + 1
    return a.rename(columns={"amount": "prior_actual"})


def add_rates(df: pd.DataFrame, good: float = 0.05, warning: float = 0.10) -> pd.DataFrame:
    """Add execution rate, deviation, deviation rates and band to a frame with ``budget`` and ``actual``.

    ``execution_rate = A / B``; ``deviation = A - B``; ``deviation_rate = (A - B) / |B|``
    (signed, Chinese 偏差率: divides by the budget); ``abs_deviation_rate = |A - B| / |B|``;
    ``band`` is ``good`` (|rate| <= good), ``warning`` (<= warning), ``poor`` (beyond) or
    ``undefined`` when B <= 0: a rate on a zero base divides by zero and one on a negative base
    (a deficit plan of -790 against an actual of -2,397) reads as "303% executed", so only the
    deviation A - B is given (-1,607) and the rates are NaN.
    """
    out = df.copy(deep=False)  # copy-on-write: new columns never reach df
    b = out["budget"].to_numpy(dtype=float)
    a = out["actual"].to_numpy(dtype=float)
    defined = b > 0
    safe_b = np.where(defined, b, 1.0)
    out["execution_rate"] = np.where(defined, a / safe_b, np.nan)
    out["deviation"] = a - b
    out["deviation_rate"] = _deviation_rate(b, a)
    absdev = np.abs(out["deviation_rate"].to_numpy())
    out["abs_deviation_rate"] = absdev
    out["band"] = np.select(
        [~defined, absdev <= good + _EPS, absdev <= warning + _EPS],
        ["undefined", "good", "warning"], default="poor")
    return out


@shared
def execution_table(h: Hospital, level: Sequence[str] = ("year", "dept_id", "account_id"),
                    basis: str = "adjusted", good: float = 0.05, warning: float = 0.10) -> pd.DataFrame:
    """Execution rate and deviation of the budget at any level of aggregation.

    Parameters
    ----------
    h : Hospital
    level : sequence of str
        Any subset of ``year``, ``dept_id``, ``account_id``, ``direction``. The result is always
        split by ``direction`` too (revenue and expense are never added together).
    basis : {"adjusted", "original"}
        Compare with B1 (execution) or B0 (preparation).
    good, warning : float
        Band limits of |deviation rate| (thresholds ``bands.good``, ``bands.warning``).

    Returns
    -------
    pandas.DataFrame
        One row per level group and direction. Columns: ``*level``, ``direction``, ``budget``,
        ``actual`` (in the profile's currency and scale), ``execution_rate`` (A/B, 执行率), ``deviation`` (A-B),
        ``deviation_rate`` ((A-B)/|B|, 偏差率), ``abs_deviation_rate``, ``band``
        (good / warning / poor / undefined), ``basis``, ``accounting`` (``"budget"`` = 预算会计).
        When B = 0 the rates are NaN and the band is ``undefined``. A year in progress (monthly
        actuals without December) is left out (see :func:`complete_years`).

    References
    ----------
    docs/methodology.md (execution rate, deviation rate, banding used in practice);
    Hospital financial rules (2010) for 预算收入/支出执行率.

    Examples
    --------
    >>> execution_table(h, level=("year",))  # doctest: +SKIP
    """
    level = _check_level(level)
    keys = level if "direction" in level else [*level, "direction"]
    lines = line_table(h, basis)
    grouped = sum_by(lines, keys, ["budget", "actual"])
    out = add_rates(grouped, good=good, warning=warning)
    out["basis"] = basis
    out["accounting"] = "budget"
    return out.reset_index(drop=True)


def _deviation_rate(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """(A - B) / |B| where B > 0, else NaN (the ``deviation_rate`` of :func:`add_rates`)."""
    defined = b > 0
    return np.where(defined, (a - b) / np.abs(np.where(defined, b, 1.0)), np.nan)


def _beyond(b: np.ndarray, a: np.ndarray, warning: float) -> np.ndarray:
    """Outside the warning band: |deviation rate| > warning, or an unbudgeted amount (B = 0, A != 0).

    A line on a negative base (B < 0) has no rate and is neither within nor beyond the band.
    """
    return (np.abs(_deviation_rate(b, a)) > warning + _EPS) | ((b == 0) & (a != 0))


def accuracy_summary(h: Hospital, basis: str = "adjusted", good: float = 0.05,
                     warning: float = 0.10) -> pd.DataFrame:
    """Accuracy of the budget per year and direction.

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}
    good, warning : float
        Band limits (``bands.good``, ``bands.warning``).

    Returns
    -------
    pandas.DataFrame
        Columns: ``year``, ``direction``, ``budget``, ``actual`` (sums), ``n_lines``;
        ``wape`` = sum|A-B| / sum|A| over lines (divides by the *actual*);
        ``bias`` = sum(B-A) / sum A (positive = budgeted above actual, slack);
        ``hospital_abs_deviation_rate`` = |sum A - sum B| / |sum B| (divides by the *budget*,
        comparable with the 6.8% mean of 30 Chinese public hospitals);
        ``mean_abs_deviation_rate`` = mean of line |(A-B)/B| where B != 0;
        ``share_lines_beyond_warning``, ``share_depts_beyond_warning``: share of lines / of
        departments (within the direction) with |deviation rate| > warning, where an amount
        spent or earned without a budget (B = 0, A != 0) counts as beyond; lines with A = B = 0
        are left out; ``n_depts`` (departments with budget or actual in the direction);
        ``basis``, ``accounting``.

    References
    ----------
    docs/methodology.md (WAPE, bias, share of lines outside each band).
    """
    lines = line_table(h, basis)
    lines = lines[(lines["budget"] != 0) | (lines["actual"] != 0)]
    b, a = lines["budget"].to_numpy(float), lines["actual"].to_numpy(float)
    # the (year, direction) group of each line, groups in the order of a sorted groupby
    code, keys = group_keys([(k, *pd.factorize(lines[k], sort=True)) for k in ("year", "direction")])
    n_groups = len(keys["year"])
    sums = group_sums(code, n_groups, np.column_stack([b, a, np.abs(a - b), np.abs(a)]))
    budget, actual = sums[:, 0], sums[:, 1]
    # departments within (year, direction)
    dept, depts = group_keys([("group", code, pd.RangeIndex(n_groups)),
                              ("dept_id", *pd.factorize(lines["dept_id"], sort=True))])
    dept_sums = group_sums(dept, len(depts["group"]), np.column_stack([b, a]))
    dept_code = depts["group"].to_numpy()
    return pd.DataFrame(keys | {
        "budget": budget, "actual": actual, "n_lines": np.bincount(code, minlength=n_groups),
        "wape": _ratio(sums[:, 2], sums[:, 3]), "bias": _ratio(budget - actual, actual),
        "hospital_abs_deviation_rate": _ratio(np.abs(actual - budget), np.abs(budget)),
        "mean_abs_deviation_rate": group_means(code, n_groups, np.abs(_deviation_rate(b, a))),
        # shares of 0/1 flags: counts divided by counts, exact in float
        "share_lines_beyond_warning": _share(code, _beyond(b, a, warning), n_groups),
        "n_depts": np.bincount(dept_code, minlength=n_groups),
        "share_depts_beyond_warning": _share(dept_code, _beyond(dept_sums[:, 0], dept_sums[:, 1], warning), n_groups),
        "basis": basis, "accounting": "budget"})



def _share(code: np.ndarray, flag: np.ndarray, n_groups: int) -> np.ndarray:
    """Share of rows with ``flag`` per group ``code`` (0 .. n_groups - 1)."""
    return np.bincount(code, weights=flag, minlength=n_groups) / np.bincount(code, minlength=n_groups)


def _ratio(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    """num / den (of the same length, row by row) with NaN where den == 0."""
    den = np.asarray(den, dtype=float)
    return np.asarray(num, dtype=float) / np.where(den != 0, den, np.nan)


def missing_items(h: Hospital) -> pd.DataFrame:
    """Lines with actual revenue or spending but no original budget (B0 = 0 or no budget row).

    Parameters
    ----------
    h : Hospital

    Returns
    -------
    pandas.DataFrame
        Columns: ``year``, ``dept_id``, ``account_id``, ``direction``, ``original`` (B0, 0),
        ``adjusted`` (B1: non-zero when the line was added by an adjustment), ``actual``,
        ``share_of_direction_actual`` (the line's actual / total actual of its direction that
        year). Sorted by year, then actual descending.

    References
    ----------
    docs/methodology.md (missing items); 2020 measures: "no spending without a budget".
    """
    lines = _budget_lines(h)
    totals = lines.groupby(["year", "direction"])["actual"].transform("sum")
    lines["share_of_direction_actual"] = _ratio(lines["actual"], totals)
    miss = lines[(lines["original"] == 0) & (lines["actual"] > 0)]
    cols = [*LINE_KEYS, "direction", "original", "adjusted", "actual", "share_of_direction_actual"]
    return miss[cols].sort_values(["year", "actual"], ascending=[True, False], kind="stable").reset_index(drop=True)


def revenue_slack(h: Hospital, basis: str = "adjusted", slack: float = 1.10,
                  level: Sequence[str] = ("year", "dept_id")) -> pd.DataFrame:
    """Revenue executed far above budget (execution rate > ``slack``): targets possibly set low on purpose.

    Parameters
    ----------
    h : Hospital
    basis : {"adjusted", "original"}
    slack : float
        Threshold ``bands.revenue_slack`` (default 1.10 = 110%).
    level : sequence of str
        Aggregation level (default year x department).

    Returns
    -------
    pandas.DataFrame
        The revenue rows of :func:`execution_table` at ``level`` whose ``execution_rate``
        exceeds ``slack``, sorted by execution rate descending; same columns.
    """
    t = execution_table(h, level=level, basis=basis)
    rev = t[(t["direction"] == "revenue") & (t["execution_rate"] > slack)]
    return rev.sort_values("execution_rate", ascending=False, kind="stable").reset_index(drop=True)


STATEMENT_LEVELS = {"account": ["account_id"], "department": ["dept_id"], "department_account": ["dept_id", "account_id"]}
DIRECTION_ORDER = {"revenue": 0, "expense": 1}
TOTAL = "total"


def with_names(df: pd.DataFrame, h: Hospital) -> pd.DataFrame:
    """Insert ``dept_name`` after ``dept_id`` and ``account_name`` after ``account_id`` (when present).

    Parameters
    ----------
    df : pandas.DataFrame
    h : Hospital
        Supplies ``departments.name`` and ``accounts.name`` (a redacted hospital's names are its codes).

    Returns
    -------
    pandas.DataFrame
        A copy with the name columns; unknown codes get an empty name. ``df`` is returned
        unchanged when it has neither code column or already has the names.
    """
    out = df
    for code, name in (("dept_id", "dept_name"), ("account_id", "account_name")):
        if code not in out.columns or name in out.columns:
            continue
        lookup = _names(h, code)
        if lookup is None:
            continue
        codes, names = lookup
        # one lookup per distinct code; a missing code (factorised to -1) picks the trailing ""
        keys, distinct = pd.factorize(out[code])
        found = codes.get_indexer(distinct.astype(str))
        col = np.append(np.where(found >= 0, names[found], ""), "").astype(object)[keys]
        out = out.copy(deep=False) if out is df else out  # copy-on-write: df itself never changes
        out.insert(out.columns.get_loc(code) + 1, name, pd.Series(col, index=out.index, dtype=object))
    return out


@shared
def _names(h: Hospital, code: str) -> tuple[pd.Index, np.ndarray] | None:
    """The codes of ``departments`` (``code="dept_id"``) or ``accounts`` as text and their names
    (the last name of a repeated code), or None without a name column."""
    table = h.departments if code == "dept_id" else h.accounts
    if "name" not in table.columns:
        return None
    names = dict(zip(table[code].astype(str), table["name"].astype(str)))
    return pd.Index(list(names), dtype=object), np.array(list(names.values()), dtype=object)


@shared
def _direction_totals(h: Hospital) -> pd.DataFrame:
    """B0, B1 and actual per completed year and direction: the total rows of every
    :func:`execution_statement`."""
    return sum_by(_budget_lines(h), ["year", "direction"], ["original", "adjusted", "actual"])


def execution_statement(h: Hospital, by: str = "account", good: float = 0.05, warning: float = 0.10) -> pd.DataFrame:
    """The budget-execution table (预算执行情况表) a hospital's finance office reads first.

    For each completed year and direction, one row per account (``by="account"``), per department
    (``"department"``) or per department and account (``"department_account"``), with the
    original budget B0 (年初预算), the adjusted budget B1 (调整后预算), the actual A (执行数), the
    execution rates against both, and the deviation from B1; the rows of a direction are sorted
    by |deviation| (largest first) and closed by the hospital total of that direction.

    Parameters
    ----------
    h : Hospital
    by : {"account", "department", "department_account"}
    good, warning : float
        Band limits of |deviation rate| (``bands.good``, ``bands.warning``).

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``direction``, then ``account_id``, ``account_name`` and/or
        ``dept_id``, ``dept_name``; ``original`` (B0), ``adjusted`` (B1), ``actual`` (A), in the
        profile's currency and scale;
        ``execution_rate_original`` = A / B0; ``execution_rate_adjusted`` = A / B1 (执行率);
        ``deviation`` = A - B1; ``deviation_rate`` = (A - B1) / |B1| (偏差率); ``band``
        (good / warning / poor / undefined, by |deviation_rate|); ``row_type`` ("line" or
        "total": the hospital total of the direction, whose code and name columns are empty).
        Rates are fractions (0.9638 = 96.38%) and NaN where the budget is 0; budget accounting
        (预算会计).

    References
    ----------
    docs/methodology.md (execution rate, deviation rate); finance-system exports (预算执行情况表).

    Examples
    --------
    One expense line with B0 = 100, B1 = 110 and A = 106 has execution rates of 106.00% against
    B0 and 96.36% against B1, a deviation of -4 and a deviation rate of -3.64% (band "good").
    """
    if by not in STATEMENT_LEVELS:
        raise ConfigError(f"unknown execution statement level {by!r}",
                          f"Use by= one of {', '.join(STATEMENT_LEVELS)}.")
    codes = STATEMENT_LEVELS[by]
    lines = _budget_lines(h)
    keys = ["year", "direction", *codes]
    sums = ["original", "adjusted", "actual"]
    body = sum_by(lines, keys, sums)
    body["row_type"] = "line"
    total = _direction_totals(h)
    total["row_type"] = TOTAL
    for c in codes:
        total[c] = ""
    out = pd.concat([body, total[body.columns]], ignore_index=True)
    rated = add_rates(out.rename(columns={"adjusted": "budget"}), good, warning).rename(columns={"budget": "adjusted"})
    b0v = rated["original"].to_numpy(dtype=float)
    rated["execution_rate_original"] = np.where(b0v != 0, rated["actual"] / np.where(b0v != 0, b0v, 1.0), np.nan)
    rated = rated.rename(columns={"execution_rate": "execution_rate_adjusted"})
    direction = np.full(len(rated), 9)  # revenue, expense, then anything else
    for d, rank in DIRECTION_ORDER.items():
        direction[rated["direction"].eq(d).to_numpy(dtype=bool, na_value=False)] = rank
    # by year, direction, lines before the total, |deviation| largest first (ties in row order)
    order = np.lexsort((-rated["deviation"].abs().to_numpy(), rated["row_type"].eq(TOTAL).to_numpy(), direction,
                        rated["year"].to_numpy()))
    cols = ["year", "direction", *codes, "original", "adjusted", "actual", "execution_rate_original",
            "execution_rate_adjusted", "deviation", "deviation_rate", "band", "row_type"]
    out = with_names(rated[cols].take(order).reset_index(drop=True), h)
    for name in ("dept_name", "account_name"):
        if name in out.columns:
            out.loc[out["row_type"].eq(TOTAL), name] = ""
    return out
