"""The budget line (year, dept_id, account_id) of the budget, actuals and phasing as integer codes.

The cross-table checks of validation (mixed units, execution far beyond the budget, zero budgets,
unbudgeted lines, a budget copied from last year's actual) all group or match rows by the line.
Grouping by three columns, two of them text, costs pandas a hash of every string each time;
:class:`LineKeys` factorises each column once per validation and gives every row one integer,
shared across the tables, so that each check is one vectorised pass over integers
(:func:`numpy.isin`, dense group sums). Group sums are pandas' own (a categorical grouper over
the codes), so every sum, and every message that prints one, is what a grouping by the three
columns gives.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

KEY = ("year", "dept_id", "account_id")
LINE_TABLES = ("budget", "actuals", "budget_monthly")


class Codes:
    """``pandas.factorize`` of the text columns of a hospital's tables, computed once per validation.

    The schema check (repeated keys), the line keys and the reference check all need the codes
    of ``dept_id``, ``account_id``, ``item_id`` ...; nothing changes a text column between them
    (conforming keeps a column already of the schema's dtype; fiscal years change only ``year``
    and ``month``), so a column is factorised the first time it is asked for. Only text columns
    may be asked for; a column of another length than the one coded (rows dropped) is coded again.
    """

    def __init__(self):
        self._done: dict[tuple[str, str], tuple[int, np.ndarray, pd.Index]] = {}

    def __call__(self, table: str, column: str, values: pd.Series) -> tuple[np.ndarray, pd.Index]:
        """``(codes, uniques)`` as :func:`pandas.factorize` gives them (code -1 for a blank cell)."""
        hit = self._done.get((table, column))
        if hit is None or hit[0] != len(values):
            hit = (len(values), *pd.factorize(values))
            self._done[(table, column)] = hit
        return hit[1], hit[2]


def _shared(codes: np.ndarray, uniques: pd.Index, vocabulary: dict) -> np.ndarray:
    """Codes in a vocabulary shared by the tables (blank cells get code 0) from a factorisation."""
    lut = np.array([vocabulary.setdefault(u, len(vocabulary) + 1) for u in uniques] + [0], dtype=np.int64)
    return lut[codes]                  # code -1 (blank) picks the trailing 0


class LineKeys:
    """One integer per row for the line (year, dept_id, account_id) of the budget, actuals and phasing.

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame
        Conformed tables; those of :data:`LINE_TABLES` holding the three key columns are coded.
    codes : Codes, optional
        Factorisations of text columns made already (by the schema check).

    Attributes
    ----------
    count : int
        Number of line codes (codes run from 0 to ``count - 1``; at most a small multiple of the
        rows, and at least the distinct lines, rows with a blank key part included).
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame], codes: Codes | None = None):
        names = [n for n in LINE_TABLES if n in frames and set(KEY) <= set(frames[n].columns)]
        depts: dict = {}
        accounts: dict = {}
        years: dict[str, np.ndarray] = {}
        pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._codes = Codes() if codes is None else codes
        self._sums: dict[tuple[str, str, int], tuple[np.ndarray, np.ndarray]] = {}
        self._frames = dict(frames)
        self._blank: dict[str, np.ndarray] = {}
        for n in names:
            df = frames[n]
            d = _shared(*self.factorize(n, "dept_id"), depts)
            a = _shared(*self.factorize(n, "account_id"), accounts)
            years[n] = df["year"].to_numpy(dtype="float64", na_value=np.nan)
            pairs[n] = (d, a)
            self._blank[n] = (d == 0) | (a == 0) | np.isnan(years[n])
        rows = sum(len(y) for y in years.values())
        small = 4 * rows + 1024               # code ranges up to this are used as they are (no factorising)
        width = len(accounts) + 1
        if (len(depts) + 1) * width <= small:
            pair = {n: d * width + a for n, (d, a) in pairs.items()}
            self._pairs = (len(depts) + 1) * width
        else:
            codes_of, uniques = pd.factorize(np.concatenate([d * width + a for d, a in pairs.values()]))
            pair, start = {}, 0
            for n in names:
                pair[n] = codes_of[start:start + len(years[n])]
                start += len(years[n])
            self._pairs = len(uniques)
        # years as codes too (sorted, with each year + 1 so that "last year" is a code shift)
        every = pd.unique(np.concatenate([y for y in years.values()] or [np.empty(0)]))
        every = every[~np.isnan(every)]
        self._years = np.unique(np.concatenate([every, every + 1]))
        self._full: dict[str, np.ndarray] = {}
        for n in names:
            y = years[n]
            yi = np.where(np.isnan(y), len(self._years), np.searchsorted(self._years, np.nan_to_num(y)))
            self._full[n] = yi.astype(np.int64) * self._pairs + pair[n]
        self._dense: dict[str, np.ndarray] = {}
        self.count = (len(self._years) + 1) * self._pairs if names else 0
        if self.count > small:
            dense, uniques = pd.factorize(np.concatenate([self._full[n] for n in names]))
            self.count, start = len(uniques), 0
            for n in names:
                self._dense[n] = dense[start:start + len(self._full[n])]
                start += len(self._full[n])
        else:
            self._dense = self._full

    def factorize(self, name: str, column: str, frame: pd.DataFrame | None = None) -> tuple[np.ndarray, pd.Index]:
        """``pandas.factorize`` of a text column of any of the tables given, computed once per validation.

        Parameters
        ----------
        name, column : str
            The table (as given to the constructor) and its column.
        frame : pandas.DataFrame, optional
            Rows of that table (e.g. after parent rows were dropped): the codes are those of its rows.

        Returns
        -------
        codes : numpy.ndarray
            -1 for a blank cell.
        uniques : pandas.Index
        """
        codes, uniques = self._codes(name, column, self._frames[name][column])
        if frame is not None:
            codes = self._take(name, frame, codes)
        return codes, uniques

    def _take(self, name: str, frame: pd.DataFrame, values: np.ndarray) -> np.ndarray:
        index = self._frames[name].index
        if frame.index is index or frame.index.equals(index):
            return values
        return values[index.get_indexer(frame.index)]

    def code(self, name: str, frame: pd.DataFrame) -> np.ndarray:
        """Line code of each row of ``frame`` (a coded table or a subset of its rows); -1 where a key part is blank."""
        return self._take(name, frame, np.where(self._blank[name], -1, self._dense[name]))

    def full(self, name: str, frame: pd.DataFrame) -> np.ndarray:
        """Line code of each row with a blank key part treated as a value (as ``DataFrame.duplicated`` does)."""
        return self._take(name, frame, self._dense[name])

    def blank(self, name: str, frame: pd.DataFrame) -> np.ndarray:
        """Whether a key part of each row is blank."""
        return self._take(name, frame, self._blank[name])

    def year_key(self, name: str, frame: pd.DataFrame, shift: int = 0) -> np.ndarray:
        """A key of each row's line ``shift`` years later, comparable across tables and shifts.

        ``year_key("actuals", a, 1)`` equals ``year_key("budget", b)`` where an actual of year y
        and a budget line of year y + 1 have the same department and account (last year's actual).
        Meaningful only where :meth:`blank` is False; ``shift`` is 0 or 1.
        """
        return self._take(name, frame, self._full[name] + shift * self._pairs)

    def sums(self, name: str, frame: pd.DataFrame, column: str, min_count: int = 0) -> np.ndarray:
        """Sum of ``frame[column]`` per line (``count`` entries; rows with a blank key part left out).

        pandas' group sum over a categorical of the codes (:func:`group_sums`): the same
        compensated sum, row order and ``min_count`` rule as a ``groupby`` on the key columns.
        Computed once per table, column and rows (the unit, amount and copied-budget checks share it).
        """
        key = (name, column, len(frame))
        if key not in self._sums:
            codes = self.code(name, frame)
            values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
            summed = group_sums(codes, self.count, values, 1)
            counted = np.bincount(codes[(codes >= 0) & ~np.isnan(values)], minlength=self.count)
            self._sums[key] = (summed, counted)
        summed, counted = self._sums[key]
        return summed if min_count >= 1 else np.where(counted == 0, 0.0, summed)   # pandas: 0 for no values


def _grouped(codes: np.ndarray, groups: int, values: np.ndarray):
    """A pandas groupby of ``values`` (1-D or 2-D) over a categorical of the group codes 0 .. groups - 1."""
    grouper = pd.Categorical.from_codes(codes, categories=pd.RangeIndex(groups), validate=False)
    frame = pd.Series(values) if values.ndim == 1 else pd.DataFrame(values)
    return frame.groupby(grouper, observed=False)


def group_sums(codes: np.ndarray, groups: int, values: np.ndarray, min_count: int = 0) -> np.ndarray:
    """Sum of ``values`` (1-D, or 2-D with one column per quantity) per group code ``0 .. groups - 1``.

    pandas' group sum (compensated, in row order, ``min_count`` as in ``groupby(...).sum``) over a
    categorical of the codes, so it equals a ``groupby`` on the columns the codes stand for;
    rows with code -1 are left out and a group without rows is 0 (NaN with ``min_count`` >= 1).
    """
    return _grouped(codes, groups, values).sum(min_count=min_count).to_numpy(dtype="float64")


def group_means(codes: np.ndarray, groups: int, values: np.ndarray) -> np.ndarray:
    """Mean of the non-missing ``values`` per group code, as :func:`group_sums` sums them
    (pandas' group mean; NaN for a group without values)."""
    return _grouped(codes, groups, values).mean().to_numpy(dtype="float64")


def group_keys(parts: Sequence[tuple[str, np.ndarray, pd.Index]]) -> tuple[np.ndarray, dict[str, pd.Index]]:
    """The group of each row by several keys, and the keys of the groups, as a sorted groupby has them.

    Parameters
    ----------
    parts : sequence of (name, codes, uniques)
        One per key, in grouping order: each row's code among the key's sorted ``uniques``
        (as ``pandas.factorize(..., sort=True)`` gives them; -1 for a missing value).

    Returns
    -------
    group : numpy.ndarray
        Each row's group (0 .. number of groups - 1, in the order of the keys); -1 where a key
        part is missing (a groupby leaves the row out).
    keys : dict of str to pandas.Index
        Each key's value per group present (values of ``uniques``, so of their dtype).
    """
    code, ok = np.zeros(len(parts[0][1]), dtype=np.int64), np.ones(len(parts[0][1]), dtype=bool)
    for _, codes, uniques in parts:
        ok &= codes >= 0
        code = code * len(uniques) + codes
    found_at, found = pd.factorize(code[ok], sort=True)
    group = np.full(len(code), -1, dtype=np.int64)
    group[ok] = found_at
    keys: dict[str, pd.Index] = {}
    for name, _, uniques in reversed(parts):
        keys[name] = uniques.take(found % len(uniques))
        found = found // len(uniques)
    return group, {name: keys[name] for name, _, _ in parts}


def sum_by(frame: pd.DataFrame, keys: Sequence[str], columns: Sequence[str], min_count: int = 0) -> pd.DataFrame:
    """``frame.groupby(keys, as_index=False)[columns].sum()`` for float ``columns``, without its overhead.

    Each key is factorised once and the group sums are pandas' own over integer codes
    (:func:`group_keys`, :func:`group_sums`): the same rows, order, dtypes and sums to the last
    bit, in a fraction of the time of a groupby on a small frame.

    Parameters
    ----------
    frame : pandas.DataFrame
    keys : sequence of str
        Grouping columns; a row with a missing key is left out.
    columns : sequence of str
        Float columns to sum.
    min_count : int
        As in ``groupby(...).sum``.

    Returns
    -------
    pandas.DataFrame
        ``keys`` then ``columns``, one row per key combination present, sorted by the keys,
        with a fresh ``RangeIndex``.
    """
    group, found = group_keys([(k, *pd.factorize(frame[k], sort=True)) for k in keys])
    values = np.column_stack([frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in columns]
                             or [np.empty((len(frame), 0))])
    sums = group_sums(group, len(found[keys[0]]), values, min_count)
    return pd.DataFrame(found | {c: sums[:, i] for i, c in enumerate(columns)})
