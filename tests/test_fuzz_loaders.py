"""Property-based fuzzing of the loaders (hypothesis, bounded).

Whatever a finance office writes into a table file, :func:`casekit.load` either returns a
:class:`~casekit.data.hospital.Hospital` or raises a :class:`~casekit.errors.CasekitError`; any other
exception is a bug. The value parsers of :mod:`casekit.data.io.parse` are fuzzed directly: they never
raise, keep the input's index, and every cell is either a finite value, NA, or reported.
"""
from __future__ import annotations

import csv
import io
import math
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit.errors import CasekitError
from casekit.data.hospital import Hospital
from casekit.data.io.frame import total_mask
from casekit.data.io.headers import map_headers, normalise_header
from casekit.data.io.parse import parse_bool, parse_column, parse_date, parse_number, parse_text
from casekit import load
from casekit.data.schema.tables import TABLES

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_corpus import BASE  # noqa: E402  (the valid base hospital of the bad-input corpus)

sys.path.remove(str(Path(__file__).parent / "bad_inputs"))

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_LOAD = settings(FUZZ, max_examples=40)      # each example loads a whole hospital folder
FUZZED_TABLES = ["departments", "accounts", "budget", "actuals", "performance", "survey_responses", "workload",
                 "adjustments", "checklist", "systems"]

TRICKY = ["", " ", "-", "--", "—", "n/a", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-400",
          "１２３", "１，２３４．５", "1,234.5", "1,23,4", "12.5%", "%", "(1,200)", "()", "¥30", "￥", "$-5", "#REF!",
          "#DIV/0!", "合计", "小计", "总计", "Total", "注：见附件", "是", "否", "√", "2024-01-05", "2023年1月5日",
          "2023年1月", "202301", "十二月", "正月", "0101", "6001.10", "\u00a0", "\ufeff", "\u2212 5", "1.2E+06",
          "100万元", "3台次", "2024.5", "99999999999999999999999", "-0", "0x1F", "1_000", "١٢٣", "Ⅻ", "½",
          "=SUM(A1:A3)", "\"quoted\"", "a,b", "line\nbreak", "clinical", "expense", "yes", "D01", "4001", "2024"]

numbers = st.one_of(st.integers(min_value=-10**25, max_value=10**25).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: f"{d:,}"))
cells = st.one_of(st.sampled_from(TRICKY), numbers, st.text(max_size=12),
                  st.text(alphabet="0123456789,.%-+()¥ 　０１２３４５６７８９万元", max_size=10))


def _aliases(table: str) -> list[str]:
    out = []
    for col in TABLES[table].columns:
        out += [col.name, col.zh, *col.aliases]
    return [h for h in out if h]


@st.composite
def tables(draw):
    """(table name, rows): a header of real aliases and junk, then random cells."""
    name = draw(st.sampled_from(FUZZED_TABLES))
    header_cell = st.one_of(st.sampled_from(_aliases(name)), st.sampled_from(_aliases(name)).map(lambda h: h + "（元）"),
                            st.text(max_size=8), st.sampled_from(["", "合计", "备注", "Unnamed: 3"]))
    header = draw(st.lists(header_cell, min_size=1, max_size=7))
    width = len(header)
    body = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1), max_size=8))
    title = draw(st.lists(st.lists(cells, max_size=3), max_size=2))
    return name, title + [header] + body


def _write_hospital(root: Path, name: str, text: bytes) -> Path:
    for fname, content in BASE.items():
        (root / fname).write_text(content, encoding="utf-8")
    (root / f"{name}.csv").write_bytes(text)
    return root


def _load_or_casekit_error(folder: Path) -> None:
    try:
        h = load(folder)
    except CasekitError:
        return
    assert isinstance(h, Hospital)
    for df in h.tables().values():
        money = df.select_dtypes("float64")
        assert np.isfinite(money.to_numpy(dtype=float, na_value=0.0)).all()


@FUZZ_LOAD
@given(tables(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), st.sampled_from([",", "\t", ";"]))
def test_random_tables_load_or_raise_casekit_error(table, encoding, delimiter):
    name, rows = table
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    root = Path(tempfile.mkdtemp(prefix="casekit-fuzz-"))
    try:
        _load_or_casekit_error(_write_hospital(root, name, buf.getvalue().encode(encoding, errors="replace")))
    finally:
        shutil.rmtree(root)


@FUZZ_LOAD
@given(st.sampled_from(["departments", "budget", "actuals", "hospital"]),
       st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8"))))
def test_random_bytes_and_text_files_load_or_raise_casekit_error(name, content):
    root = Path(tempfile.mkdtemp(prefix="casekit-fuzz-"))
    try:
        _write_hospital(root, name, content)
        if name == "hospital":                       # the profile itself is fuzzed as YAML
            (root / "hospital.csv").unlink()
            (root / "hospital.yaml").write_bytes(content)
        _load_or_casekit_error(root)
    finally:
        shutil.rmtree(root)


# ----------------------------------------------------------------------------- parsers
def _check_parsed(s: pd.Series, parsed) -> None:
    assert parsed.values.index.equals(s.index)
    assert set(parsed.problems.index) <= set(s.index)
    assert list(parsed.problems.columns[:3]) == ["value", "problem", "fix"]
    assert (parsed.problems["problem"].astype(str).str.len() > 0).all()
    reported = parsed.values.loc[parsed.problems.index]
    assert reported.isna().all(), "a cell reported as a problem still has a value"


texts = st.lists(cells, max_size=20).map(lambda v: pd.Series(v, dtype="str"))


@FUZZ
@given(texts, st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_parse_number_never_raises(s, money, rate, integer, period):
    parsed = parse_number(s, money=money, rate=rate, integer=integer, period=period)
    _check_parsed(s, parsed)
    values = parsed.values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    assert not np.isinf(values).any()
    if integer:
        assert str(parsed.values.dtype) == "Int64"


@FUZZ
@given(texts)
def test_parse_bool_date_text_never_raise(s):
    for parse in (parse_bool, parse_date, parse_text):
        _check_parsed(s, parse(s))


@FUZZ
@given(texts, st.sampled_from([(t, c) for t in TABLES.values() for c in t.columns]))
def test_parse_column_any_column(s, table_column):
    _, column = table_column
    _check_parsed(s, parse_column(s, column))


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=10), st.sampled_from(_aliases("budget"))), max_size=8))
def test_headers_never_raise(headers):
    assert all(isinstance(normalise_header(h), str) for h in headers)
    mapping = map_headers(headers, TABLES["budget"], "budget.csv")
    assert set(mapping.columns) | set(mapping.blank) | {p for p, _ in mapping.unknown} <= set(range(len(headers)))
    assert len(set(mapping.columns.values())) == len(mapping.columns)     # a column is mapped at most once


@FUZZ
@given(st.lists(st.tuples(cells, cells), max_size=10))
def test_total_mask_never_raises(pairs):
    frame = pd.DataFrame(pairs, columns=["dept_id", "name"], dtype="str")
    mask = total_mask(frame, ["dept_id", "name"])
    assert mask.index.equals(frame.index) and mask.dtype == bool


def test_tricky_numbers_are_finite_or_reported():
    s = pd.Series(["inf", "-inf", "1e309", "NaN", "Infinity"], dtype="str")
    parsed = parse_number(s, money=True)
    assert parsed.values.isna().all()
    assert not any(math.isinf(v) for v in parsed.values.dropna())
