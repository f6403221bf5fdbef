"""casekit.data.lines: line codes agree with grouping by (year, dept_id, account_id) itself."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casekit.data.lines import Codes, LineKeys, group_sums

KEY = ["year", "dept_id", "account_id"]


def _frame(rng: np.random.Generator, rows: int, depts: int, accounts: int) -> pd.DataFrame:
    df = pd.DataFrame({
        "year": pd.array(rng.integers(2020, 2025, rows), dtype="Int64"),
        "dept_id": pd.array([f"D{i:05d}" for i in rng.integers(0, depts, rows)], dtype="str"),
        "account_id": pd.array([f"A{i:05d}" for i in rng.integers(0, accounts, rows)], dtype="str"),
        "amount": rng.normal(1e5, 3e4, rows).round(2),
    })
    df.loc[rng.choice(rows, rows // 20, replace=False), "amount"] = np.nan      # blank amounts
    df.loc[rng.choice(rows, 3, replace=False), "dept_id"] = pd.NA                # blank key parts
    df.loc[rng.choice(rows, 2, replace=False), "year"] = pd.NA
    return df


# few codes: pairs used as they are; many: pairs and lines factorised (the two ways of coding)
@pytest.mark.parametrize("depts, accounts", [(8, 6), (3000, 3000)])
def test_line_sums_equal_groupby_sums_bit_for_bit(depts, accounts):
    rng = np.random.default_rng(depts)
    budget = _frame(rng, 3000, depts, accounts)
    again = budget.iloc[rng.choice(3000, 2000)].assign(amount=rng.normal(1e4, 1e3, 2000).round(2))
    actuals = pd.concat([again, _frame(rng, 7000, depts, accounts)]).sample(frac=1, random_state=1)
    frames = {"budget": budget, "actuals": actuals.reset_index(drop=True)}
    lines = LineKeys(frames)
    for name, df in frames.items():
        codes = lines.code(name, df)
        assert ((codes == -1) == df[KEY].isna().any(axis=1).to_numpy()).all()
        for min_count in (0, 1):
            want = df.groupby(KEY)["amount"].sum(min_count=min_count)
            got = lines.sums(name, df, "amount", min_count)
            first = pd.Series(codes).groupby(pd.MultiIndex.from_frame(df[KEY])).first()   # line -> code
            values = got[first.reindex(want.index).to_numpy()]
            assert np.array_equal(values, want.to_numpy(), equal_nan=True)      # the same floats, not close ones
    # the same line in two tables has the same code; a row subset keeps its rows' codes
    both = frames["budget"].reset_index().merge(frames["actuals"].reset_index(), on=KEY).dropna(subset=KEY)
    assert len(both) > 100
    assert (lines.code("budget", frames["budget"])[both["index_x"].to_numpy()]
            == lines.code("actuals", frames["actuals"])[both["index_y"].to_numpy()]).all()
    part = frames["actuals"].iloc[::3]
    assert (lines.code("actuals", part) == lines.code("actuals", frames["actuals"])[::3]).all()


def test_year_key_links_a_line_to_the_same_line_a_year_later():
    budget = pd.DataFrame({"year": pd.array([2023, 2024, 2024], dtype="Int64"), "dept_id": ["D", "D", "E"],
                           "account_id": ["a", "a", "a"]}).astype({"dept_id": "str", "account_id": "str"})
    actuals = pd.DataFrame({"year": pd.array([2022, 2023, 2023], dtype="Int64"), "dept_id": ["D", "D", "D"],
                            "account_id": ["a", "a", "b"]}).astype({"dept_id": "str", "account_id": "str"})
    lines = LineKeys({"budget": budget, "actuals": actuals})
    later, own = lines.year_key("actuals", actuals, 1), lines.year_key("budget", budget)
    assert [int(np.flatnonzero(own == k)[0]) if (own == k).any() else None for k in later] == [0, 1, None]


def test_codes_factorise_a_column_once():
    codes = Codes()
    s = pd.Series(["x", "y", None, "x"], dtype="str")
    first = codes("t", "c", s)
    assert codes("t", "c", s) is not None and codes("t", "c", s)[0] is first[0]
    assert first[0].tolist() == [0, 1, -1, 0] and list(first[1]) == ["x", "y"]
    assert codes("t", "c", s.iloc[:2])[0].tolist() == [0, 1]                  # other rows: coded again


def test_group_sums_two_columns_and_empty_groups():
    codes = np.array([0, 2, 0, -1])
    sums = group_sums(codes, 3, np.array([[1.0, 10.0], [2.0, 20.0], [3.0, np.nan], [9.0, 9.0]]))
    assert sums.tolist() == [[4.0, 10.0], [0.0, 0.0], [2.0, 20.0]]
    assert np.isnan(group_sums(codes, 3, np.array([1.0, 2.0, np.nan, 4.0]), min_count=1)[1])
