"""The chunked route for large CSV/Parquet tables gives what the ordinary route gives.

Chunking is forced on small files (``LARGE_TABLE_ROWS`` 0, a few rows per chunk) and the result
compared with the ordinary route on the same file: table, row numbers, headers, totals and every
message with its file, row and column.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casekit.data.io import chunked
from casekit.data.io.frame import MAX_ISSUES_PER_COLUMN
from casekit.data.io.readers import read_table
from casekit.data.schema.tables import TABLES

BAD_ACTUALS = ("J医院实际支出明细\n单位：元\n"                 # rows 1-2: title and unit
               "年度,月份,科室,科目编码,执行数,备注\n"          # row 3: header
               "2023,1,D01,6001,100,\n"                       # row 4
               ",,,,,\n"                                      # row 5 blank
               "2023,2,D02,6002,abc,\n"                       # row 6 bad amount
               "2023,13,D02,6002,5,\n"                        # row 7 month out of range
               "合计,,,,105,\n"                                # row 8 total
               "2023,3,D01,6001,\"1,234.50\",x\n"              # row 9 thousands separator
               "2023,4,D01,6001,１２,\n"                        # row 10 full-width digits
               "20x3,5,D01,6001,7,\n"                          # row 11 bad year
               "2023,6,,6001,8,\n"                             # row 12 blank department
               "2023,7,D01,6001,12.5%,\n"                      # row 13 percent in money
               "2023,8,D01,6001,9,\n"                          # row 14
               "注：数据来源财务处\n")                              # row 15 footnote


def _issues(raw):
    return [(i.file, i.row, i.column, i.value, i.problem, i.fix, i.severity, i.table) for i in raw.issues]


def _both(path: Path, table: str, monkeypatch, chunk: int):
    ordinary = read_table(path, TABLES[table])
    monkeypatch.setattr(chunked, "LARGE_TABLE_ROWS", 0)
    monkeypatch.setattr(chunked, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(chunked, "_HEAD_ROWS", 4)  # header looked for in the first 5+ rows, then chunks
    assert chunked.is_large(path)
    got = chunked.read_chunked(path, TABLES[table], path.name)
    assert got is not None, "the chunked route fell back on a file it should follow"
    assert read_table(path, TABLES[table]).rows.tolist() == got.rows.tolist()  # read_table takes the route too
    return ordinary, got


@pytest.mark.parametrize("chunk", [1, 3, 5, 100])
def test_bad_csv_same_table_rows_and_messages(tmp_path, monkeypatch, chunk):
    path = tmp_path / "actuals.csv"
    path.write_text(BAD_ACTUALS, encoding="utf-8")
    ordinary, got = _both(path, "actuals", monkeypatch, chunk)
    pd.testing.assert_frame_equal(got.df, ordinary.df)
    assert got.rows.tolist() == ordinary.rows.tolist() == [4, 6, 7, 9, 10, 11, 12, 13, 14]
    assert got.headers == ordinary.headers and got.unknown_columns == ordinary.unknown_columns == ["备注"]
    assert got.unit == ordinary.unit == ("units", "the line '单位：元'")
    pd.testing.assert_frame_equal(got.totals, ordinary.totals)
    assert _issues(got) == _issues(ordinary)
    errors = {(i.row, i.column) for i in got.issues if i.severity == "error"}
    assert {(6, "执行数"), (11, "年度"), (13, "执行数")} <= errors  # file, row and column of each bad cell
    assert all(i.file == "actuals.csv" for i in got.issues)


def test_bad_parquet_same_table_rows_and_messages(tmp_path, monkeypatch):
    df = pd.DataFrame({"year": ["2023", "2023", "x", "2024"], "month": ["1", "2", "3", "0"],
                       "dept_id": ["D01", "D02", "D01", "D01"], "account_id": ["001", "6001.10", "6001", "6001"],
                       "amount": ["1.5", "bad", "3", "4"]})
    path = tmp_path / "actuals.parquet"
    df.to_parquet(path)
    ordinary, got = _both(path, "actuals", monkeypatch, 2)
    pd.testing.assert_frame_equal(got.df, ordinary.df)
    assert got.rows.tolist() == ordinary.rows.tolist() == [2, 3, 4, 5]
    assert _issues(got) == _issues(ordinary)
    assert {(3, "amount"), (4, "year")} <= {(i.row, i.column) for i in got.issues}
    assert got.df["account_id"].tolist() == ["001", "6001.10", "6001", "6001"]  # codes stay text


def test_cell_problems_capped_over_the_whole_file(tmp_path, monkeypatch):
    n = MAX_ISSUES_PER_COLUMN + 30
    path = tmp_path / "actuals.csv"
    path.write_text("year,month,dept_id,account_id,amount\n" + "".join(f"2023,1,D{i},6001,x{i}\n" for i in range(n)),
                    encoding="utf-8")
    ordinary, got = _both(path, "actuals", monkeypatch, 37)
    assert _issues(got) == _issues(ordinary)
    cells = [i for i in got.issues if i.row is not None]
    assert len(cells) == MAX_ISSUES_PER_COLUMN and cells[-1].row == MAX_ISSUES_PER_COLUMN + 1
    assert [i.problem for i in got.issues if i.row is None] == ["30 more cells in this column could not be read"]


def test_not_followed_exactly_takes_the_ordinary_route(tmp_path, monkeypatch):
    path = tmp_path / "actuals.csv"
    path.write_bytes("year,month,dept_id,account_id,amount\n2023,1,内科,6001,1\n".encode("gb18030"))
    monkeypatch.setattr(chunked, "LARGE_TABLE_ROWS", 0)
    assert chunked.read_chunked(path, TABLES["actuals"], path.name) is None  # not UTF-8
    raw = read_table(path, TABLES["actuals"])  # the ordinary route reads it, with its warning
    assert raw.df["dept_id"].tolist() == ["内科"] and any("GB18030" in i.problem for i in raw.issues)


def test_small_files_are_not_large(tmp_path):
    path = tmp_path / "actuals.csv"
    path.write_text("year,month,dept_id,account_id,amount\n2023,1,D01,6001,1\n", encoding="utf-8")
    assert not chunked.is_large(path)


def test_plain_chunks_typed_directly_give_the_same_table(tmp_path, monkeypatch):
    """Chunks with no cell needing a rule skip the cell rules and still give the ordinary table."""
    rng = np.random.default_rng(5)
    n = 400
    amounts = np.round(rng.lognormal(9, 3, n) * rng.choice([-1, 1], n), 2)
    text = "年度,月份,科室,科目编码,执行数\n" + "".join(
        f"{2020 + i % 5},{1 + i % 12},{['D01', '内科', '0102', 'x y'][i % 4]},{['001', '6001.10', '7201'][i % 3]},"
        f"{'' if i % 97 == 0 else ('-0' if i % 89 == 0 else repr(float(a)) if i % 7 else int(a))}\n"
        for i, a in enumerate(amounts))
    path = tmp_path / "actuals.csv"
    path.write_text(text, encoding="utf-8")
    plain = []
    real = chunked._plain_chunk
    monkeypatch.setattr(chunked, "_plain_chunk", lambda *a: plain.append(real(*a)) or plain[-1])
    ordinary, got = _both(path, "actuals", monkeypatch, 50)
    assert sum(p is not None for p in plain) >= 6  # most chunks took the plain route
    pd.testing.assert_frame_equal(got.df, ordinary.df)
    assert got.rows.tolist() == ordinary.rows.tolist() == list(range(2, n + 2))
    assert _issues(got) == _issues(ordinary)
