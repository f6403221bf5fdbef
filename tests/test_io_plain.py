"""The fast route (:mod:`casekit.data.io.plain`) gives exactly the general route's RawTable, or declines.

The general route is :func:`casekit.data.io.grids.csv_grid` then
:func:`casekit.data.io.frame.raw_from_grid`. For every table file of the three samples the fast
route must accept (that is its point) and agree; for perturbed copies (a total row, a blank cell,
``1,234``, a unit, a control character, a header alias, a duplicated key, a BOM, GB18030, a title
row ...) it must agree or decline; and so for random files built from tricky cells.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit.data.io.frame import raw_from_grid
from casekit.data.io.grids import csv_grid
from casekit.data.io.plain import read_plain
from casekit.data.io.raw import RawTable
from casekit.data.io.readers import _classify
from casekit.data.schema.tables import TABLES

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "sample"
J = SAMPLES / "j_hospital"


def general(path: Path, table: str) -> RawTable:
    return raw_from_grid(csv_grid(path, path.name), TABLES[table], path.name)


def assert_same(fast: RawTable, slow: RawTable) -> None:
    assert (fast.name, fast.file, fast.headers, fast.unknown_columns, fast.unit, fast.coverage) == \
        (slow.name, slow.file, slow.headers, slow.unknown_columns, slow.unit, slow.coverage)
    assert fast.issues == slow.issues
    assert fast.locate is None and slow.locate is None and fast.sources is None and slow.sources is None
    pd.testing.assert_frame_equal(fast.df, slow.df, check_exact=True, check_index_type=True,
                                  check_column_type=True)
    assert list(fast.df.dtypes) == list(slow.df.dtypes)
    pd.testing.assert_series_equal(fast.rows, slow.rows, check_exact=True, check_index_type=True)
    pd.testing.assert_frame_equal(fast.totals, slow.totals, check_exact=True, check_index_type=True)


def agree_or_decline(path: Path, table: str) -> bool:
    """Whether the fast route accepted the file (and then it must agree with the general route)."""
    fast = read_plain(path, TABLES[table], path.name)
    if fast is not None:
        assert_same(fast, general(path, table))
    return fast is not None


SAMPLE_FILES = sorted(SAMPLES.glob("*/*.csv"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_file_takes_the_fast_route_and_agrees(path):
    assert agree_or_decline(path, _classify(path.stem)), "the fast route declined a sample file"


def _edit(tmp_path: Path, name: str, change, *, encoding: str = "utf-8", suffix: str | None = None) -> Path:
    text = (J / name).read_text(encoding="utf-8")
    out = tmp_path / (Path(name).stem + (suffix or Path(name).suffix))
    out.write_bytes(change(text).encode(encoding) if isinstance(change(text), str) else change(text))
    return out


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _csv(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def _cell(row: int, col: int, value: str):
    def change(text: str) -> str:
        rows = _rows(text)
        rows[row][col] = value
        return _csv(rows)
    return change


def _insert(at: int, row: list[str]):
    def change(text: str) -> str:
        rows = _rows(text)
        rows.insert(at, row)
        return _csv(rows)
    return change


ACCEPTED = {   # perturbations the fast route reads itself: it must agree with the general route
    "blank adjusted": ("budget.csv", _cell(3, 4, "")),
    "dash and n/a as missing": ("budget.csv", lambda t: _cell(5, 4, "n/a")(_cell(3, 4, "-")(t))),
    "blank text cell": ("accounts.csv", _cell(2, 4, "")),
    "missing token in text": ("accounts.csv", _cell(2, 5, "N/A")),
    "spaces around cells": ("budget.csv", lambda t: _cell(2, 1, "  0101 ")(_cell(2, 3, " 12.5 ")(t))),
    "chinese headers": ("budget.csv", lambda t: "年度,科室编码,科目编码,年初预算,调整后预算" + t[t.index("\n"):]),
    "alias values": ("departments.csv", lambda t: _cell(3, 2, "临床")(_cell(4, 2, "Medical Technology")(t))),
    "duplicated key": ("budget.csv", lambda t: t + t.splitlines()[1] + "\n"),
    "bom": ("budget.csv", lambda t: "\ufeff" + t),
    "crlf": ("accounts.csv", lambda t: t.replace("\n", "\r\n")),
    "tab separated": ("budget.csv", lambda t: _csv(_rows(t), "\t")),
    "semicolons": ("budget.csv", lambda t: _csv(_rows(t), ";")),
    "quoted comma, quote and newline": ("departments.csv",
                                        lambda t: _cell(2, 1, 'Dept "A", line\nbreak')(_cell(3, 1, "x,y")(t))),
    "unknown column": ("departments.csv", lambda t: _csv([r + ["备注" if i == 0 else "n"] for i, r in
                                                          enumerate(_rows(t))])),
    "headerless column with values": ("departments.csv", lambda t: _csv([r + ["" if i == 0 else "n"] for i, r in
                                                                         enumerate(_rows(t))])),
    "required column missing": ("departments.csv", lambda t: _csv([r[:2] for r in _rows(t)])),
    "row of blanks": ("budget.csv", _insert(4, ["", "", "", "", ""])),
    "exponent, plus, minus zero": ("budget.csv", lambda t: _cell(2, 3, "1.2E+06")(_cell(3, 3, "-0")(t))),
    "yes/no words": ("systems.csv", lambda t: _cell(1, 1, "是")(_cell(2, 2, "Yes")(_cell(3, 1, "√")(t)))),
    "dates written otherwise": ("adjustments.csv", lambda t: _cell(1, 0, "2021/11/7")(_cell(2, 0, "20211113")(t))),
    "nan text in a number": ("budget.csv", _cell(3, 4, "nan")),
    "whole float year": ("budget.csv", _cell(3, 0, "2023.0")),
    "no newline at the end": ("departments.csv", lambda t: t.rstrip("\n")),
    "tab inside a name": ("departments.csv", _cell(2, 1, "A\tB")),
    "blank lines": ("budget.csv", lambda t: t.replace("\n", "\n\n", 3) + "\n\n"),
    "blank lines in a crlf file": ("departments.csv", lambda t: t.replace("\n", "\r\n").replace("\r\n", "\r\n\r\n", 2)),
}

DECLINED = {   # perturbations that need a rule of the general route: the fast route must hand them over
    "total row": ("budget.csv", _insert(3, ["2023", "合计", "", "1000", "1000"])),
    "total in english": ("departments.csv", _cell(3, 1, "Total clinical")),
    "thousands separators": ("budget.csv", _cell(3, 3, "1,234")),
    "unit in a money cell": ("budget.csv", _cell(3, 3, "100元")),
    "percentage": ("performance.csv", _cell(2, 4, "12.5%")),
    "control character": ("departments.csv", _cell(2, 1, "A\x01B")),
    "C1 control character": ("departments.csv", _cell(2, 1, "A\x85B")),
    "gb18030": ("departments.csv", lambda t: t.encode("gb18030")),
    "title row": ("budget.csv", lambda t: "2023年预算表,,,,\n" + t),
    "unit line": ("budget.csv", lambda t: "单位：元,,,,\n" + t),
    "footnote row": ("budget.csv", lambda t: t + "注：数据来源财务处,,,,\n"),
    "month as period": ("actuals.csv", _cell(3, 1, "2021-03")),
    "excel error": ("budget.csv", _cell(3, 3, "#REF!")),
    "excel error in text": ("departments.csv", _cell(3, 1, "#N/A")),
    "long name": ("departments.csv", _cell(3, 1, "x" * 201)),
    "fraction of a year": ("budget.csv", _cell(3, 0, "2023.5")),
    "short row": ("departments.csv", lambda t: t + "X01,only\n"),
    "stray quote": ("departments.csv", lambda t: t.replace("内科", 'ab"c', 1)),
    "quote not around a whole cell": ("departments.csv", lambda t: t.replace("内科", '"ab"c', 1)),
    "full-width digits": ("budget.csv", _cell(3, 3, "１２３")),
    "infinite": ("budget.csv", _cell(3, 3, "inf")),
    "lone carriage returns": ("departments.csv", lambda t: t.replace("\n", "\r")),
    "blank first line": ("departments.csv", lambda t: "\n" + t),
    "NUL byte": ("departments.csv", _cell(2, 1, "A\x00B")),
    "DEL": ("departments.csv", _cell(2, 1, "A\x7fB")),
    "header only": ("departments.csv", lambda t: t.splitlines()[0] + "\n"),
    "two-row header": ("budget.csv", lambda t: "年度,科室,科目,预算数,预算数\n,,,年初,调整后\n" + t[t.index("\n") + 1:]),
    "no year column": ("performance.csv", lambda t: _csv([r[1:] for r in _rows(t)])),
    "bad yes/no": ("systems.csv", _cell(2, 1, "maybe")),
    "bad date": ("adjustments.csv", _cell(2, 0, "soon")),
    "utf-16": ("departments.csv", lambda t: t.encode("utf-16")),
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_fast_route_agrees_on_perturbed_files(tmp_path, case):
    name, change = ACCEPTED[case]
    path = _edit(tmp_path, name, change)
    assert agree_or_decline(path, _classify(path.stem)), "expected the fast route to read this file"


@pytest.mark.parametrize("case", DECLINED)
def test_fast_route_declines_files_needing_the_general_rules(tmp_path, case):
    name, change = DECLINED[case]
    path = _edit(tmp_path, name, change)
    assert read_plain(path, TABLES[_classify(path.stem)], path.name) is None


TRICKY = ["", " ", "-", "n/a", "NaN", "nan", "inf", "1e309", "１２３", "1,234.5", "12.5%", "(1,200)", "¥30", "#REF!",
          "合计", "Total", "注：见附件", "是", "否", "yes", "No", "2024-01-05", "2023年1月", "202301", "十二月", "0101",
          "6001.10", "\u00a0x", "\ufeff", "\u3000y ", "1.2E+06", "100万元", "3台次", "2024.5", "-0", "0", "12",
          "2023", "99999999999999999999", "clinical", "临床", "expense", "D01", '"q"', "a,b", "line\nbreak",
          "\x01", "\x85", "x" * 201, "A1", "C3", "partial"]

cells = st.one_of(st.sampled_from(TRICKY), st.integers(-10**6, 10**6).map(str),
                  st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr), st.text(max_size=6))
VALID = {"str": st.sampled_from(["D01", "0101", "6001.10", "clinical", "临床", "expense", "A1", "yes", "partial", "内科",
                                 "x y", "2023"]),
         "int": st.one_of(st.integers(1, 12), st.integers(2020, 2025)).map(str),
         "float": st.one_of(st.floats(-1e9, 1e9, allow_nan=False).map(repr), st.floats(0, 1).map(str),
                            st.integers(-10**9, 10**9).map(str)),
         "bool": st.sampled_from(["yes", "no", "是", "否", "Yes", "1", "true"]),
         "date": st.sampled_from(["2023-01-05", "2023/1/5", "20230105", "44931", "2023-01-05 10:00"])}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(["departments", "budget", "actuals", "performance", "systems", "adjustments",
                              "checklist", "workload"]),
       data=st.data())
def test_random_files_agree_or_decline(tmp_path_factory, table, data):
    """A valid random file with 0-2 cells replaced by tricky ones."""
    columns = TABLES[table].columns
    header = data.draw(st.lists(st.sampled_from(columns), min_size=2, max_size=len(columns), unique=True))
    nrows = data.draw(st.integers(1, 6))
    body = [[data.draw(VALID[c.dtype]) for c in header] for _ in range(nrows)]
    for _ in range(data.draw(st.integers(0, 2))):
        body[data.draw(st.integers(0, nrows - 1))][data.draw(st.integers(0, len(header) - 1))] = data.draw(cells)
    text = _csv([[c.name for c in header]] + body, data.draw(st.sampled_from([",", "\t"])),
                data.draw(st.sampled_from(["\n", "\r\n"])))
    path = tmp_path_factory.mktemp("plain") / f"{table}.csv"
    path.write_text(text, encoding="utf-8")
    try:
        slow = general(path, table)
    except Exception:            # the general route refuses the file (InputFileError): so must the fast one
        assert read_plain(path, TABLES[table], path.name) is None
        return
    fast = read_plain(path, TABLES[table], path.name)
    if fast is not None:
        assert_same(fast, slow)


PROFILE_TEXTS = ["500", "-3", "007", "0", "-0", "12.5", "-0.0", "620000000.0", "1e3", "1,200", "", " 5", "5 ", "nan",
                 "inf", "2023.5", "9" * 15, "9" * 16, "true", "false", "yes", "No", "是", "maybe", "J Hospital", "三级",
                 "tertiary", "Secondary", "万元", "yuan", "#REF!", "n/a", "-", "a\x01b", "x" * 201, " padded ", "CN"]


@pytest.mark.parametrize("dtype, name, enum", [("int", "beds", None), ("float", "total_assets", None),
                                               ("bool", "synthetic", None), ("str", "name", None),
                                               ("str", "tier", ("tertiary", "secondary", "primary")),
                                               ("str", "currency_unit", None)])
def test_plain_profile_value_is_parse_column_value(dtype, name, enum):
    from casekit.data.io.parse import parse_column
    from casekit.data.io.plain import plain_value
    from casekit.data.schema.tables import CURRENCY_UNITS, Column

    column = Column(name, dtype, enum=CURRENCY_UNITS if name == "currency_unit" else enum)
    for text in PROFILE_TEXTS:
        fast = plain_value(text, column)
        if fast is None:
            continue
        slow = parse_column(pd.Series([text], dtype="str"), column)
        assert slow.problems.empty, text
        value = slow.values.iloc[0]
        assert type(fast) is {"int": int, "float": float, "bool": bool, "str": str}[dtype]
        assert fast == value and str(fast) == str({"int": int, "float": float, "bool": bool, "str": str}[dtype](value)), text
