"""Transaction ledgers: the sample writer and the DuckDB aggregation give back the actuals.

Invariants checked: a hospital written as a ledger (CSV or Parquet, one or several files,
English or Chinese headers) and aggregated again reproduces its monthly actuals to the cent,
codes such as ``6001.10`` and ``001`` stay text, and bad rows are named by file and the row
number a spreadsheet shows (header = row 1), also deep inside a file scanned in parallel.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital, Profile
from casekit.data.io.ledger import MAX_LISTED_ROWS, aggregate_ledger
from casekit.sample.ledger import write_ledger

KEYS = ["year", "month", "dept_id", "account_id"]


def _hospital() -> Hospital:
    """3 departments x 4 accounts x 2 years, cent amounts, one zero and one negative cell."""
    rng = np.random.default_rng(3)
    depts = ["D01", "D02", "0103"]
    accts = ["6001.10", "001", "6001.1", "5001"]
    idx = pd.MultiIndex.from_product([[2022, 2023], range(1, 13), depts, accts], names=KEYS)
    act = idx.to_frame(index=False)
    act["month"] = act["month"].astype("Int64")
    act["dept_id"] = act["dept_id"].astype("str")
    act["account_id"] = act["account_id"].astype("str")
    act["amount"] = np.round(rng.lognormal(9, 1.5, len(act)), 2)
    act.loc[7, "amount"] = 0.0
    act.loc[8, "amount"] = -1234.56
    dep = pd.DataFrame({"dept_id": depts, "name": depts, "type": "clinical"})
    acc = pd.DataFrame({"account_id": accts, "name": accts, "direction": "expense", "category": "drugs"})
    bud = act.groupby(["year", "dept_id", "account_id"], as_index=False)["amount"].sum()
    bud = bud.rename(columns={"amount": "original"})
    bud["adjusted"] = bud["original"] * 1.05
    bud["adjusted_given"] = True
    return Hospital(Profile("Ledger test"), dep, acc, bud, act)


@pytest.fixture(scope="module")
def hospital() -> Hospital:
    return _hospital()


def _cents(df: pd.DataFrame) -> pd.DataFrame:
    out = df[KEYS].astype({"year": "int64", "month": "int64", "dept_id": "str", "account_id": "str"})
    out["cents"] = np.rint(df["amount"].to_numpy(dtype=float) * 100).astype("int64")
    return out.sort_values(KEYS, ignore_index=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("files,headers", [(1, "en"), (3, "zh")])
def test_ledger_round_trip_reproduces_actuals_to_the_cent(tmp_path, hospital, fmt, files, headers):
    paths = write_ledger(hospital, tmp_path, rows=5_000, fmt=fmt, seed=5, files=files, headers=headers)
    assert len(paths) == files
    table, issues = aggregate_ledger(paths, threads=2)
    assert issues == []
    pd.testing.assert_frame_equal(_cents(table.df), _cents(hospital.actuals))
    # The float amounts themselves are identical, not only close.
    merged = table.df.merge(hospital.actuals.astype({"year": "Int64"}), on=KEYS, suffixes=("", "_orig"))
    assert (merged["amount"] == merged["amount_orig"]).all()
    assert table.name == "actuals" and table.rows.isna().all()
    assert set(table.df["account_id"]) == {"6001.10", "001", "6001.1", "5001"}
    assert set(table.df["dept_id"]) == {"D01", "D02", "0103"}
    if headers == "zh":
        assert table.headers == {"date": "日期", "dept_id": "科室编码", "account_id": "科目编码", "amount": "金额"}


def test_writer_splits_rows_and_keeps_codes_as_text(tmp_path, hospital):
    [csv_path] = write_ledger(hospital, tmp_path / "c", rows=2_000, fmt="csv", seed=1)
    [pq_path] = write_ledger(hospital, tmp_path / "p", rows=2_000, fmt="parquet", seed=1)
    text = pd.read_csv(csv_path, dtype=str)
    assert len(text) == 2_000
    assert {"6001.10", "001"} <= set(text["account_id"]) and "0103" in set(text["dept_id"])
    schema = pq.read_schema(pq_path)
    assert schema.field("account_id").type == pa.string() and schema.field("date").type == pa.date32()
    # Same seed, same ledger, whatever the format.
    assert pq.read_table(pq_path).column("amount").to_pylist() == text["amount"].astype(float).tolist()
    # The negative cell gives negative transactions only; the zero cell one transaction of 0.
    ledger = pq.read_table(pq_path).to_pandas()
    neg = ledger[(ledger["dept_id"] == hospital.actuals.at[8, "dept_id"])
                 & (ledger["account_id"] == hospital.actuals.at[8, "account_id"])
                 & (pd.to_datetime(ledger["date"]).dt.strftime("%Y-%m") == "2022-01")]
    assert (neg["amount"] <= 0).all() and round(neg["amount"].sum(), 2) == -1234.56


def test_writer_rejects_too_few_rows_and_annual_actuals(tmp_path, hospital):
    with pytest.raises(ConfigError, match="at least 288"):
        write_ledger(hospital, tmp_path, rows=10)
    annual = hospital.with_tables(actuals=hospital.actuals.assign(month=pd.array([pd.NA] * 288, dtype="Int64")))
    with pytest.raises(ConfigError, match="monthly actuals"):
        write_ledger(annual, tmp_path, rows=1_000)


@pytest.mark.slow
def test_ledger_folder_loads_like_the_monthly_actuals_folder(tmp_path):
    import casekit
    from casekit.indicators.execution import execution_table
    from casekit.sample import generate, write_hospital

    h = generate("j", departments=3, years=2)
    monthly = write_hospital(h, tmp_path / "monthly")
    ledger = write_hospital(h, tmp_path / "ledger")
    (ledger / "actuals.csv").unlink()
    write_ledger(h, ledger, rows=20_000, fmt="parquet", seed=2, files=2, headers="zh")
    from_monthly, from_ledger = casekit.load(monthly), casekit.load(ledger)
    pd.testing.assert_frame_equal(_cents(from_ledger.actuals), _cents(h.actuals))
    by_key = [df.sort_values(KEYS, ignore_index=True) for df in (from_ledger.actuals, from_monthly.actuals)]
    pd.testing.assert_frame_equal(*by_key)
    for basis in ("original", "adjusted"):
        pd.testing.assert_frame_equal(execution_table(from_ledger, basis=basis),
                                      execution_table(from_monthly, basis=basis))


def _write_csv(path: Path, lines: list[str], header: str = "date,dept_id,account_id,amount") -> Path:
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_rows_named_by_file_line_and_header(tmp_path):
    f = _write_csv(tmp_path / "ledger_a.csv", [
        "2023-01-05,D01,6001.10,100.50",    # row 2
        "2023/1/6,D01,001,\"1,234.50\"",    # row 3: other date and number forms are fine
        "2023-13-01,D01,001,5",             # row 4: bad date
        "2023-02-01,,6001.10,7",            # row 5: blank department
        "2023年2月3日,D02,6001.10,abc",      # row 6: bad amount
        "2023-02-04,D02, ,(7.50)",          # row 7: blank account
        "2023-02-05,D02,6001.10,",          # row 8: blank amount
    ], header="日期,科室编码,会计科目,发生额")
    table, issues = aggregate_ledger([f], threads=2)
    got = [(i.file, i.row, i.column, i.value, i.problem) for i in issues]
    assert got == [
        ("ledger_a.csv", 4, "日期", "2023-13-01", "not a date"),
        ("ledger_a.csv", 5, "科室编码", None, "department code is blank"),
        ("ledger_a.csv", 6, "发生额", "abc", "not a number"),
        ("ledger_a.csv", 7, "会计科目", " ", "account code is blank"),
        ("ledger_a.csv", 8, "发生额", None, "amount is blank"),
    ]
    assert all(i.severity == "error" and i.table == "ledger" and i.fix for i in issues)
    assert table.df.to_dict("list") == {"year": [2023, 2023], "month": [1, 1], "dept_id": ["D01", "D01"],
                                        "account_id": ["001", "6001.10"], "amount": [1234.5, 100.5]}


def test_bad_row_numbers_deep_in_a_parallel_scan_and_capped(tmp_path):
    n = 400_000
    amounts = np.array(["1.25"] * n, dtype=object)
    bad = np.sort(np.random.default_rng(0).choice(np.arange(1000, n), size=MAX_LISTED_ROWS + 10, replace=False))
    amounts[bad] = "x"
    lines = ["2023-03-0" + str(1 + i % 9) + ",D1,6001.10," + a for i, a in enumerate(amounts)]
    lines[5] = "2023-03-01,D1,6001.10,1.25,extra"   # malformed line: row 7, skipped
    f = _write_csv(tmp_path / "ledger.csv", lines)
    table, issues = aggregate_ledger([f], threads=2)
    malformed = [i for i in issues if "number of fields" in i.problem]
    assert [i.row for i in malformed] == [7]
    listed = [i for i in issues if i.column == "amount"]
    assert [i.row for i in listed] == [int(r) + 2 for r in bad[:MAX_LISTED_ROWS]]
    assert "10 more rows" in issues[-1].problem and issues[-1].row is None
    assert table.df["amount"].tolist() == [1.25 * (n - len(bad) - 1)]


def test_parquet_bad_rows_and_missing_columns(tmp_path):
    good = pd.DataFrame({"date": pd.to_datetime(["2023-01-02", "2023-01-03", None]).date,
                         "科室": ["D1", None, "D1"], "科目编码": ["001", "001", "001"],
                         "amount": [1.0, 2.0, 3.0], "note": ["a", "b", "c"]})
    pq.write_table(pa.Table.from_pandas(good, preserve_index=False), tmp_path / "ledger_1.parquet")
    pd.DataFrame({"date": ["2023-01-02"], "amount": [1.0]}).to_parquet(tmp_path / "ledger_2.parquet")
    table, issues = aggregate_ledger([tmp_path / "ledger_1.parquet", tmp_path / "ledger_2.parquet"])
    assert table.unknown_columns == ["note"]
    assert table.df["amount"].tolist() == [1.0]
    rows = {(i.file, i.row, i.column) for i in issues if i.row is not None}
    assert rows == {("ledger_1.parquet", 3, "科室"), ("ledger_1.parquet", 4, "date")}
    missing = {i.problem for i in issues if i.file == "ledger_2.parquet"}
    assert missing == {"required column 'dept_id' is missing from the ledger",
                       "required column 'account_id' is missing from the ledger"}


def test_gbk_csv_is_refused_with_a_fix(tmp_path):
    from casekit.errors import InputFileError

    f = tmp_path / "明细账.csv"
    f.write_bytes("日期,科室编码,科目编码,金额\n2023-01-05,D01,001,1\n".encode("gbk"))
    with pytest.raises(InputFileError, match="not UTF-8") as err:
        aggregate_ledger([f])
    assert "CSV UTF-8" in str(err.value)


def test_sample_command_with_ledger_rows_loads_through_the_ledger(tmp_path):
    """`casekit sample --ledger-rows N` writes a folder whose actuals come from the ledger."""
    from typer.testing import CliRunner

    import casekit
    from casekit.cli import app

    result = CliRunner().invoke(app, ["sample", "--profile", "well_run", "--out", str(tmp_path),
                                      "--ledger-rows", "40000", "--years", "2"])
    assert result.exit_code == 0, result.output
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert not (folder / "actuals.csv").exists()
    assert list(folder.glob("ledger*"))
    loaded = casekit.load(folder)
    expected = casekit.sample.generate("well_run", years=2).actuals
    key = ["year", "month", "dept_id", "account_id"]
    got = loaded.actuals.sort_values(key).reset_index(drop=True)
    want = expected.sort_values(key).reset_index(drop=True)
    assert len(got) == len(want)
    assert (got["amount"].round(2).to_numpy() == want["amount"].round(2).to_numpy()).all()


# ----------------------------------------------------------------------------- unknown codes
def _ledger_folder(root: Path) -> Path:
    root.mkdir()
    (root / "hospital.yaml").write_text("name: Ledger hospital\ntier: secondary\ncurrency_unit: yuan\n",
                                        encoding="utf-8")
    (root / "departments.csv").write_text("dept_id,name,type\nD01,Surgery,clinical\n", encoding="utf-8")
    (root / "accounts.csv").write_text("account_id,name,direction,category\n5001,Drugs,expense,drugs\n",
                                       encoding="utf-8")
    (root / "budget.csv").write_text("year,dept_id,account_id,original\n2023,D01,5001,100\n", encoding="utf-8")
    return root


def test_unknown_ledger_codes_named_by_file_row_and_header(tmp_path):
    from casekit.data.loader import validate

    folder = _ledger_folder(tmp_path / "h")
    _write_csv(folder / "ledger_a.csv", [
        "2023-01-05,D01,5001,10",            # row 2
        "2023-01-06,D99,5001,1",             # row 3: unknown department
        "2023-01-07,D01,5001,1,extra",       # row 4: malformed, skipped (shifts what follows)
        "2023-01-08, D99 ,9999,2",           # row 5: unknown department (spaces trimmed) and account
    ] + [f"2023-01-09,D98,5001,{i}" for i in range(7)],         # rows 6-12: seven rows of D98
        header="日期,科室编码,科目编码,金额")
    _write_csv(folder / "ledger_b.csv", ["2023-02-01,D99,5001,3"])  # row 2
    report = validate(folder)
    found = {i.value: (i.file, i.row, i.column, i.problem) for i in report.issues if "is not in" in i.problem}
    assert found == {
        "D99": ("ledger_a.csv", 3, "科室编码",
                "department 'D99' is not in departments.csv (rows 3, 5 of ledger_a.csv; row 2 of ledger_b.csv)"),
        "9999": ("ledger_a.csv", 5, "科目编码", "account '9999' is not in accounts.csv (row 5 of ledger_a.csv)"),
        "D98": ("ledger_a.csv", 6, "科室编码",
                "department 'D98' is not in departments.csv (rows 6, 7, 8, 9, 10 of ledger_a.csv and 2 more)"),
    }
    assert report.hospital is None


def test_parquet_ledger_codes_located_and_no_second_scan_when_codes_are_known(tmp_path, monkeypatch):
    from casekit.data.io import ledger
    from casekit.data.loader import validate

    folder = _ledger_folder(tmp_path / "h")
    frame = pd.DataFrame({"date": pd.to_datetime(["2023-01-02", "2023-01-03", "2023-01-04"]).date,
                          "科室": ["D01", "D01", "D01"], "科目编码": ["5001", "5001", "5001"], "amount": [1.0, 2.0, 3.0]})
    frame.to_parquet(folder / "ledger.parquet")

    def no_scan(self, wanted, limit):
        raise AssertionError("the source rows were looked up although every code is known")

    with monkeypatch.context() as m:
        m.setattr(ledger._CodeRows, "__call__", no_scan)
        assert validate(folder).hospital is not None
    frame.loc[2, "科室"] = "D07"
    frame.to_parquet(folder / "ledger.parquet")
    (issue,) = [i for i in validate(folder).issues if "is not in" in i.problem]
    assert (issue.file, issue.row, issue.column, issue.value) == ("ledger.parquet", 4, "科室", "D07")
    assert "(row 4 of ledger.parquet)" in issue.problem
