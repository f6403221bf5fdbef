"""Aggregate a transaction ledger (明细账) to monthly actuals, out of core with DuckDB.

A large hospital posts millions of transactions a year. Instead of an ``actuals`` table it may
hand over ledger files (``ledger*.csv`` / ``ledger*.parquet``, or ``明细账*``) with the columns
date, dept_id, account_id and amount (Chinese or English headers, see
``casekit.data.schema.tables.TABLES["ledger"]``). :func:`aggregate_ledger` sums them per
year x month x department x account without loading the ledger into pandas: DuckDB scans the
files in parallel under a memory limit and spills to a temporary folder when needed.

Codes are always read as text, so ``6001.10`` and ``001`` survive. Dates and amounts are
first read strictly (ISO dates, plain decimals: the fast path, close to a bare DuckDB
GROUP BY); if any cell is in another form, the file is read again as text and each cell
converted in SQL with the forms :mod:`casekit.data.io.parse` accepts (``1,234.50``, ``2023/1/5`` ...),
so bad cells are found rather than dropped. Sums are exact decimals (to 0.0001).

Rows with an unreadable date or amount, or a blank department or account, are left out of the
sums and reported like the small-table path reports them (:class:`casekit.errors.Issue` with
the file name, the row as a spreadsheet shows it, the header as written, the value and a fix).
Only when such rows exist is a second, ordered, single-threaded scan made to number them; the
first :data:`MAX_LISTED_ROWS` are listed and the rest counted.

A department or account code missing from the master lists is found later, by validation, in
the aggregated table, which has no source rows. The table's ``locate`` then makes one more
ordered scan of the code columns only, stopping once every unknown code has its first few rows,
so that the message names file, row, header and code like the small-table path does.
"""
from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from casekit.errors import ConfigError, InputFileError, Issue
from casekit.data.io.headers import accepted_headers, map_headers
from casekit.data.io.parse import FIX_DATE, FIX_NUMBER, NA_TOKENS
from casekit.data.io.raw import RawTable, SourceRows
from casekit.data.schema.tables import TABLES

MAX_LISTED_ROWS = 50
"""Bad rows listed one by one; further bad rows are counted in one summary issue."""

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")

_LEDGER = TABLES["ledger"]
_DATE_FORMATS = ("%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S")
_FULL_WIDTH = ("０１２３４５６７８９．，－＋（）", "0123456789.,-+()")
_PROBLEMS = {
    "date": ("not a date", FIX_DATE),
    "dept_id": ("department code is blank", "fill in the department code (dept_id) of every transaction"),
    "account_id": ("account code is blank", "fill in the account code (account_id) of every transaction"),
    "amount": ("not a number", FIX_NUMBER + "; declare the unit once in the profile (currency_unit)"),
}
_BLANK_AMOUNT = ("amount is blank", "fill in the amount of every transaction")


@dataclass
class _Source:
    """One ledger file: its kind, the SQL names of its four columns and the headers as written."""

    path: Path
    kind: str                 # "csv" or "parquet"
    sql: dict[str, str]       # canonical -> quoted SQL column reference
    types: dict[str, str]     # canonical -> DuckDB type of the column as stored
    headers: dict[str, str]   # canonical -> header as written
    names: list[str]          # all column names given to DuckDB (CSV: c0, c1, ...)
    delim: str = ","


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ----------------------------------------------------------------------------- inspecting files
def _csv_header(path: Path) -> tuple[list[str], str]:
    """Headers as written and the delimiter, from the first line (UTF-8, with or without BOM)."""
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
    if not first.strip():
        raise InputFileError(f"{path.name} is empty or has no header line",
                             hint="Put the headers date, dept_id, account_id, amount on the first line.")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{path.name} is not UTF-8 text (probably GBK, as Excel saves Chinese CSV files)",
                             hint="Save the ledger as 'CSV UTF-8' (Excel: Save As > CSV UTF-8), or as Parquet.")
    delim = max((",", "\t", ";", "|"), key=line.count)
    headers = next(csv.reader([line.rstrip("\r\n")], delimiter=delim))
    return headers, delim


def _inspect(path: Path, con: duckdb.DuckDBPyConnection) -> tuple[_Source | None, list[Issue], list[str]]:
    """Map a file's headers; returns the source (None if unusable), issues and unknown headers."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        headers, delim = _csv_header(path)
        names = [f"c{i}" for i in range(len(headers))]
        types = ["VARCHAR"] * len(headers)
        kind = "csv"
    elif suffix in PARQUET_SUFFIXES:
        try:
            desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(path))})").fetchall()
        except duckdb.Error as exc:
            raise InputFileError(f"{path.name} cannot be read as Parquet: {exc}",
                                 hint="Write the ledger again as Parquet or CSV.") from None
        headers = names = [row[0] for row in desc]
        types = [row[1] for row in desc]
        delim, kind = ",", "parquet"
    else:
        raise InputFileError(f"{path.name}: ledger files must be .csv or .parquet",
                             hint="Save the ledger as CSV (UTF-8) or Parquet.")
    mapping = map_headers(headers, _LEDGER, path.name)
    issues = [Issue(i.file, i.row, i.column, i.value, i.problem, i.fix, i.severity, "ledger") for i in mapping.issues]
    missing = [c for c in _LEDGER.column_names if c not in mapping.headers]
    for name in missing:
        issues.append(Issue(path.name, None, None, None, f"required column '{name}' is missing from the ledger",
                            f"add a column with one of the headers: {accepted_headers(_LEDGER.column(name))}",
                            "error", "ledger"))
    unknown = [h for _, h in mapping.unknown]
    if missing:
        return None, issues, unknown
    pos = {name: p for p, name in mapping.columns.items()}
    src = _Source(path, kind, {c: _q(names[pos[c]]) for c in pos}, {c: types[pos[c]] for c in pos},
                  dict(mapping.headers), names, delim)
    return src, issues, unknown


# ----------------------------------------------------------------------------- SQL
# DuckDB evaluates every argument of COALESCE; CASE only evaluates a branch for the rows that
# reach it, so the lenient parsers below are chains of CASE: the cheap cast first.
def _text(col: str) -> str:
    """Trimmed text of a column, NULL for blanks and the missing-value tokens."""
    t = f"trim(CAST({col} AS VARCHAR))"
    tokens = "[" + ", ".join(_lit(x) for x in sorted(NA_TOKENS)) + "]"
    return f"CASE WHEN list_contains({tokens}, lower({t})) THEN NULL ELSE {t} END"


def _first(*candidates: str) -> str:
    """The first non-NULL candidate, evaluating each only where the earlier ones are NULL."""
    expr = candidates[-1]
    for c in reversed(candidates[:-1]):
        expr = f"(CASE WHEN {c} IS NOT NULL THEN {c} ELSE {expr} END)"
    return expr


def _date_expr(col: str, dtype: str) -> str:
    """Date of a column of any type; text in the forms casekit.data.io.parse accepts."""
    if dtype == "DATE":
        return col
    if dtype.startswith("TIMESTAMP"):
        return f"CAST({col} AS DATE)"
    t = f"trim(CAST({col} AS VARCHAR))"
    formats = "[" + ", ".join(_lit(f) for f in _DATE_FORMATS) + "]"
    serial = (f"CASE WHEN regexp_full_match({t}, '\\d{{4,5}}(\\.\\d+)?') "
              f"THEN DATE '1899-12-30' + CAST(floor(CAST({t} AS DOUBLE)) AS INTEGER) END")
    return _first(f"TRY_CAST({t} AS DATE)", f"CAST(try_strptime({t}, {formats}) AS DATE)", serial)


def _amount_expr(col: str, dtype: str) -> str:
    """Amount as DECIMAL(18,4) (exact sums); text cleaned like :func:`casekit.data.io.parse.parse_number`."""
    if dtype.startswith("DECIMAL") and dtype.endswith(",4)"):
        return col
    if dtype != "VARCHAR":
        return f"TRY_CAST({col} AS DECIMAL(18,4))"
    t = f"trim({col})"
    c = f"regexp_replace(translate({t}, {_lit(_FULL_WIDTH[0])}, {_lit(_FULL_WIDTH[1])}), '[\\s¥￥$]|^(rmb|cny)', '', 'gi')"
    c = f"(CASE WHEN regexp_full_match({c}, '\\(.*\\)') THEN '-' || {c}[2:-2] ELSE {c} END)"
    c = (f"(CASE WHEN NOT contains({c}, ',') THEN {c} "
         f"WHEN regexp_full_match({c}, '[+-]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d*)?') THEN replace({c}, ',', '') END)")
    return _first(f"TRY_CAST({t} AS DECIMAL(18,4))", f"TRY_CAST({c} AS DECIMAL(18,4))",
                  f"TRY_CAST(TRY_CAST({c} AS DOUBLE) AS DECIMAL(18,4))")


_TYPED = {"date": "DATE", "amount": "DECIMAL(18,4)"}


def _scan(sources: list[_Source], *, typed: bool, rejects: bool) -> str:
    """FROM-clause source reading one or several files that share their layout.

    ``typed`` lets the CSV reader parse ISO dates and plain decimals itself (fast; raises on the
    first other form); otherwise every CSV column is read as text.
    """
    s = sources[0]
    files = "[" + ", ".join(_lit(str(x.path)) for x in sources) + "]"
    if s.kind == "parquet":
        return f"read_parquet({files})"
    by_name = {s.sql[c].strip('"'): _TYPED[c] for c in _TYPED} if typed else {}
    columns = "{" + ", ".join(f"{_lit(n)}: {_lit(by_name.get(n, 'VARCHAR'))}" for n in s.names) + "}"
    extra = ", ignore_errors=true, store_rejects=true" if rejects else ""
    return (f"read_csv({files}, header=true, columns={columns}, delim={_lit(s.delim)}, "
            f"quote='\"', escape='\"', auto_detect=false, null_padding=false{extra})")


def _aggregate_query(sources: list[_Source], *, typed: bool, rejects: bool) -> str:
    """Sums per year, month and raw codes, in 1/10,000 units, with row and amount counts."""
    s = sources[0]
    types = {**s.types, **(_TYPED if typed and s.kind == "csv" else {})}
    ids = {c: s.sql[c] if types[c] == "VARCHAR" else f"CAST({s.sql[c]} AS VARCHAR)" for c in ("dept_id", "account_id")}
    # Group by the codes as stored (cheap), then trim them and blank the missing-value tokens on
    # the few grouped rows, and group again.
    raw = (f"SELECT year(d) AS y, month(d) AS m, dept_id, account_id, "
           f"COALESCE(CAST(sum(amt) * 10000 AS BIGINT), 0) AS e4, count(*) AS n, count(amt) AS n_amt FROM ("
           f"SELECT {_date_expr(s.sql['date'], types['date'])} AS d, {ids['dept_id']} AS dept_id, "
           f"{ids['account_id']} AS account_id, {_amount_expr(s.sql['amount'], types['amount'])} AS amt "
           f"FROM {_scan(sources, typed=typed, rejects=rejects)}) GROUP BY ALL")
    return (f"SELECT y, m, {_text('dept_id')} AS dept_id, {_text('account_id')} AS account_id, "
            f"CAST(sum(e4) AS BIGINT) AS e4, CAST(sum(n) AS BIGINT) AS n, CAST(sum(n_amt) AS BIGINT) AS n_amt "
            f"FROM ({raw}) GROUP BY ALL")


def _layout(s: _Source) -> tuple:
    return (s.kind, s.delim, tuple(s.names), tuple(sorted(s.sql.items())), tuple(sorted(s.types.items())))


# ----------------------------------------------------------------------------- bad rows
def _shift(rows: np.ndarray, rejected: np.ndarray) -> np.ndarray:
    """Map user rows counted without the rejected lines to rows counted with them."""
    if len(rejected) == 0:
        return rows
    out = rows.copy()
    while True:
        moved = rows + np.searchsorted(rejected, out, side="right")
        if np.array_equal(moved, out):
            return out
        out = moved


def _locate(con: duckdb.DuckDBPyConnection, src: _Source, limit: int, rejected: np.ndarray,
            *, rejects: bool) -> tuple[list[Issue], int, int]:
    """Issues for the first ``limit`` bad rows of one file in file order.

    Returns the issues, the number of rows listed and the number of bad rows seen (the scan
    stops once ``limit`` rows are listed).
    """
    s = src
    cols = ("date", "dept_id", "account_id", "amount")
    flags = {"date": "d IS NULL", "dept_id": "dept_id IS NULL", "account_id": "account_id IS NULL",
             "amount": "amt IS NULL"}
    bad = " OR ".join(flags.values())
    raw = ", ".join(f"CASE WHEN bad THEN CAST(r_{c} AS VARCHAR) END AS r_{c}" for c in cols)
    query = (f"SELECT bad, {', '.join(f'{flags[c]} AS b_{c}' for c in cols)}, {raw} FROM ("
             f"SELECT *, ({bad}) AS bad FROM (SELECT {', '.join(f'{s.sql[c]} AS r_{c}' for c in cols)}, "
             f"{_date_expr(s.sql['date'], s.types['date'])} AS d, {_text(s.sql['dept_id'])} AS dept_id, "
             f"{_text(s.sql['account_id'])} AS account_id, {_amount_expr(s.sql['amount'], s.types['amount'])} AS amt "
             f"FROM {_scan([s], typed=False, rejects=rejects)}))")
    with _one_thread(con):
        return _stream_bad_rows(con, query, s, limit, rejected, cols)


@contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run scans that number rows on one thread.

    DuckDB does not keep a parallel CSV scan in file order when the projection is costly
    (verified with duckdb 2.0), so the ordered scans that number rows run on one thread.
    """
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


def _stream_bad_rows(con: duckdb.DuckDBPyConnection, query: str, s: _Source, limit: int,
                     rejected: np.ndarray, cols: tuple[str, ...]) -> tuple[list[Issue], int, int]:
    issues: list[Issue] = []
    listed = count = offset = 0
    reader = con.sql(query).to_arrow_reader(1_000_000)
    for batch in reader:
        hits = np.flatnonzero(batch.column(0).to_numpy(zero_copy_only=False))
        count += len(hits)
        take = hits[: limit - listed]
        if len(take):
            user_rows = _shift(take + offset + 2, rejected)
            flagged = {c: batch.column(f"b_{c}").to_numpy(zero_copy_only=False)[take] for c in cols}
            values = {c: batch.column(f"r_{c}").take(take).to_pylist() for c in cols}
            for j, row in enumerate(user_rows):
                for c in cols:
                    if flagged[c][j]:
                        issues.append(_bad_cell(s, int(row), c, values[c][j]))
            listed += len(take)
        offset += batch.num_rows
        if listed >= limit:
            break
    return issues, listed, count


def _bad_cell(src: _Source, row: int, column: str, value: str | None) -> Issue:
    problem, fix = _PROBLEMS[column]
    if value is None or not value.strip():
        problem, fix = _BLANK_AMOUNT if column == "amount" else (problem, fix)
        if column == "date":
            problem = "date is blank"
    shown = None if value is None else value[:60]
    return Issue(src.path.name, row, src.headers[column], shown, problem, fix, "error", "ledger")


def _rejected_lines(con: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """Rows DuckDB could not split into the header's number of fields, per file name."""
    rows = con.execute(
        "SELECT s.file_path, e.line FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) "
        "ORDER BY s.file_path, e.line").fetchall()
    out: dict[str, list[int]] = {}
    for path, line in rows:
        out.setdefault(str(path), []).append(int(line))
    return out


# ----------------------------------------------------------------------------- public
def aggregate_ledger(files: list[Path], *, memory_limit: str = "1GB",
                     threads: int | None = None) -> tuple[RawTable, list[Issue]]:
    """Sum a transaction ledger to monthly actuals per department and account.

    Parameters
    ----------
    files : list of Path
        Ledger files, CSV (UTF-8, with or without BOM; comma, tab, semicolon or bar separated)
        or Parquet, with the columns of table ``ledger``: date, dept_id, account_id, amount.
        Headers may be any alias of :data:`casekit.data.schema.tables.TABLES` ``["ledger"]``
        (``日期, 科室编码, 科目编码, 金额`` ...); files may differ in header language.
    memory_limit : str
        DuckDB memory limit (``"1GB"``, ``"500MB"``); beyond it DuckDB spills to a temporary
        folder that is removed afterwards.
    threads : int, optional
        DuckDB threads (default: all cores).

    Returns
    -------
    table : RawTable
        ``name="actuals"``; ``file`` lists the ledger file names; ``df`` has one row per
        year x month x dept_id x account_id with columns ``year`` and ``month``
        (``Int64``), ``dept_id`` and ``account_id`` (``str``, codes exactly as written),
        ``amount`` (float64, the sum in the file's currency unit, exact to 0.0001), sorted by
        those keys. ``rows`` is all NA (an aggregated row has no single source row);
        ``headers`` are the first file's headers as written; ``unknown_columns`` the headers
        that matched no ledger column; ``locate`` finds the source rows of given codes again
        (one more scan of the files, see :class:`casekit.data.io.raw.RawTable`).
    issues : list of Issue
        Missing or ambiguous columns (the file is skipped), malformed lines, and bad rows
        (unreadable date or amount, blank department or account code), each with file name,
        row (header = row 1), header as written, value and fix. At most
        :data:`MAX_LISTED_ROWS` bad rows are listed; one more issue counts the rest. Bad rows
        are left out of the sums.

    Raises
    ------
    InputFileError
        A file is missing, not UTF-8, of another format, or not readable at all.

    Notes
    -----
    Dates are accepted as ``2023-01-05``, ``2023/1/5``, ``2023.1.5``, ``2023年1月5日``,
    ``20230105``, with an optional time, or Excel serial numbers; amounts as in
    :mod:`casekit.data.io.parse` (``1,234.50``, ``¥30``, ``(1,200)``, full-width digits,
    ``1.2E+06``). Sums are exact decimal arithmetic (DECIMAL(18,4)), so a ledger whose
    transactions add up to the monthly actuals reproduces them to the cent.

    References
    ----------
    docs/data-format.md (actuals, or a transaction ledger aggregated on load).

    Examples
    --------
    >>> table, issues = aggregate_ledger([Path("data/big/ledger.parquet")])  # doctest: +SKIP
    >>> table.df.columns.tolist()  # doctest: +SKIP
    ['year', 'month', 'dept_id', 'account_id', 'amount']
    """
    paths = [Path(f) for f in files]
    if not paths:
        raise InputFileError("no ledger files were given", hint="Pass ledger*.csv or ledger*.parquet files.")
    for p in paths:
        if not p.is_file():
            raise InputFileError(f"ledger file {p} does not exist", hint="Check the folder and the file name.")
    with _connection(memory_limit, threads) as con:
        return _aggregate(con, paths, memory_limit, threads)


@contextmanager
def _connection(memory_limit: str, threads: int | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection under a memory limit, spilling to a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="casekit-duckdb-") as tmp:
        config = {"memory_limit": memory_limit, "temp_directory": tmp,
                  "threads": int(threads or os.cpu_count() or 1)}
        try:
            con = duckdb.connect(":memory:", config=config)
        except duckdb.Error as exc:
            raise ConfigError(f"invalid DuckDB setting for the ledger: {exc}",
                              hint="give memory_limit like '1GB' or '500MB' and threads as a positive integer") from None
        con.execute("SET enable_progress_bar = false")  # a library never prints
        try:
            yield con
        finally:
            con.close()


def _aggregate(con: duckdb.DuckDBPyConnection, paths: list[Path], memory_limit: str,
               threads: int | None) -> tuple[RawTable, list[Issue]]:
    issues: list[Issue] = []
    unknown: list[str] = []
    sources: list[_Source] = []
    for p in paths:
        src, file_issues, file_unknown = _inspect(p, con)
        issues += file_issues
        unknown += [u for u in file_unknown if u not in unknown]
        if src is not None:
            sources.append(src)
    groups: dict[tuple, list[_Source]] = {}
    for s in sources:
        groups.setdefault(_layout(s), []).append(s)

    frames: list[pd.DataFrame] = []
    rejected: dict[str, list[int]] = {}
    for group in groups.values():
        frame, group_rejects = _aggregate_group(con, group)
        frames.append(frame)
        rejected.update(group_rejects)
    issues += _malformed_line_issues(sources, rejected)

    keys = ["y", "m", "dept_id", "account_id"]
    if not frames:
        frames = [pd.DataFrame({c: pd.Series(dtype="object") for c in keys}
                               | {c: pd.Series(dtype="int64") for c in ("e4", "n", "n_amt")})]
    frame = pd.concat(frames, ignore_index=True)
    keys_ok = frame[keys].notna().all(axis=1)
    n_bad = int(frame.loc[~keys_ok, "n"].sum() + (frame.loc[keys_ok, "n"] - frame.loc[keys_ok, "n_amt"]).sum())
    if n_bad:
        issues += _bad_row_issues(con, sources, n_bad, rejected)

    sums = frame[keys_ok & (frame["n_amt"] > 0)]
    if len(frames) > 1:  # files of different layouts may share cells
        sums = sums.groupby(keys, as_index=False)["e4"].sum()
    sums = sums.sort_values(keys, ignore_index=True)
    df = pd.DataFrame({
        "year": sums["y"].astype("Int64"),
        "month": sums["m"].astype("Int64"),
        "dept_id": sums["dept_id"].astype("str"),
        "account_id": sums["account_id"].astype("str"),
        "amount": sums["e4"].astype("int64").to_numpy() / 10_000,
    })
    headers = dict(sources[0].headers) if sources else {}
    counts = {(c, code): int(n) for c in ("dept_id", "account_id")
              for code, n in frame.groupby(c)["n"].sum().items()}
    table = RawTable(name="actuals", file=", ".join(p.name for p in paths), df=df,
                     rows=pd.Series(pd.NA, index=df.index, dtype="Int64"), headers=headers,
                     issues=[], unknown_columns=unknown,
                     locate=_CodeRows(sources, rejected, counts, memory_limit, threads))
    return table, issues


def _aggregate_group(con: duckdb.DuckDBPyConnection, group: list[_Source]) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Aggregate files of one layout: typed CSV scan first, lenient text scan if that fails.

    Returns the sums per year, month and raw codes, and the malformed lines skipped per file
    path (only when the files could not be split into fields everywhere).
    """
    if group[0].kind == "csv":
        try:
            return con.execute(_aggregate_query(group, typed=True, rejects=False)).df(), {}
        except duckdb.Error:
            pass  # a date or amount in another form, or a malformed line: read as text below
    try:
        return con.execute(_aggregate_query(group, typed=False, rejects=False)).df(), {}
    except duckdb.Error as exc:
        if group[0].kind != "csv":
            raise InputFileError(f"{', '.join(s.path.name for s in group)} cannot be read: {exc}",
                                 hint="Write the ledger again as Parquet or UTF-8 CSV.") from None
    try:
        frame = con.execute(_aggregate_query(group, typed=False, rejects=True)).df()
    except duckdb.Error as exc:  # not even line by line: unreadable, or out of memory and disk
        raise InputFileError(f"{', '.join(s.path.name for s in group)} cannot be read: {exc}",
                             hint="Check that the file is UTF-8 CSV text with one header line, and that "
                                  "the temporary folder has free space.") from None
    return frame, _rejected_lines(con)


def _malformed_line_issues(sources: list[_Source], rejected: dict[str, list[int]]) -> list[Issue]:
    issues = []
    for s in sources:
        for line in rejected.get(str(s.path), [])[:MAX_LISTED_ROWS]:
            issues.append(Issue(s.path.name, line, None, None,
                                "line does not have the header's number of fields (it was skipped)",
                                "check separators and quotes on this line: text containing the separator "
                                "must be in double quotes", "error", "ledger"))
    n_rejected = sum(len(v) for v in rejected.values())
    if n_rejected > MAX_LISTED_ROWS:
        issues.append(Issue(", ".join(s.path.name for s in sources), None, None, None,
                            f"{n_rejected - MAX_LISTED_ROWS} more malformed lines were skipped",
                            "correct the lines listed above; the others are similar", "error", "ledger"))
    return issues


def _bad_row_issues(con: duckdb.DuckDBPyConnection, sources: list[_Source], n_bad: int,
                    rejected: dict[str, list[int]]) -> list[Issue]:
    """Find the first bad rows file by file (ordered scans), then count the rest."""
    issues: list[Issue] = []
    listed = seen = 0
    for s in sources:
        if listed >= MAX_LISTED_ROWS or seen >= n_bad:
            break
        rej = np.asarray(rejected.get(str(s.path), []), dtype="int64")
        file_issues, n_listed, count = _locate(con, s, MAX_LISTED_ROWS - listed, rej,
                                               rejects=str(s.path) in rejected)
        issues += file_issues
        listed += n_listed
        seen += count
    if n_bad > listed:
        issues.append(Issue(", ".join(s.path.name for s in sources), None, None, None,
                            f"{n_bad - listed} more rows with an unreadable date or amount or a blank code "
                            f"({n_bad} in all; they are left out of the sums)",
                            "correct the rows listed above, then validate again to see the next ones",
                            "error", "ledger"))
    return issues


# ----------------------------------------------------------------------------- rows of codes
@dataclass
class _CodeRows:
    """Find the ledger rows holding given department or account codes (``RawTable.locate``).

    Aggregated actuals have no source rows, so when validation finds a code missing from the
    master lists it calls this object: one more ordered scan per file, reading only the two
    code columns, which stops as soon as every code has ``limit`` rows.

    Parameters
    ----------
    sources : list of _Source
        The ledger files that were aggregated, in order.
    rejected : dict of str to list of int
        Malformed lines skipped per file path (they shift the row numbers).
    counts : dict of (str, str) to int
        Rows per (column, code) counted by the aggregation.
    memory_limit : str
    threads : int or None
        DuckDB settings of the aggregation.
    """

    sources: list[_Source]
    rejected: dict[str, list[int]]
    counts: dict[tuple[str, str], int]
    memory_limit: str
    threads: int | None

    def __call__(self, wanted: Mapping[str, Sequence[str]], limit: int) -> dict[tuple[str, str], SourceRows]:
        """Source rows of codes.

        Parameters
        ----------
        wanted : mapping of str to sequence of str
            ``"dept_id"`` and/or ``"account_id"`` -> codes as aggregated (trimmed).
        limit : int
            Rows listed per code.

        Returns
        -------
        dict of (str, str) to SourceRows
            (column, code) -> its first ``limit`` rows in file order (file name, row with the
            header as row 1, header as written) and its number of rows; codes not found are absent.

        Raises
        ------
        InputFileError
            A ledger file cannot be read again.
        """
        found: dict[tuple[str, str], list[tuple[str, int, str]]] = {
            (c, code): [] for c, codes in wanted.items() if c in ("dept_id", "account_id") for code in codes}
        if not found or limit < 1:
            return {}
        with _connection(self.memory_limit, self.threads) as con, _one_thread(con):
            for src in self.sources:
                todo = [key for key, rows in found.items() if len(rows) < limit]
                if not todo:
                    break
                try:
                    self._scan(con, src, todo, limit, found)
                except duckdb.Error as exc:
                    raise InputFileError(f"{src.path.name} could not be read again to find the rows of unknown "
                                         f"codes: {exc}", hint="Check that the ledger files were not changed or "
                                                               "moved while casekit was reading them.") from None
        return {key: SourceRows(tuple(rows), max(self.counts.get(key, 0), len(rows)))
                for key, rows in found.items() if rows}

    def _scan(self, con: duckdb.DuckDBPyConnection, src: _Source, todo: list[tuple[str, str]], limit: int,
              found: dict[tuple[str, str], list[tuple[str, int, str]]]) -> None:
        columns = sorted({c for c, _ in todo})
        lists = {c: "[" + ", ".join(_lit(code) for col, code in todo if col == c) + "]" for c in columns}
        query = (f"SELECT {', '.join(f'CASE WHEN list_contains({lists[c]}, {c}) THEN {c} END' for c in columns)} "
                 f"FROM (SELECT {', '.join(f'{_text(src.sql[c])} AS {c}' for c in columns)} "
                 f"FROM {_scan([src], typed=False, rejects=str(src.path) in self.rejected)})")
        rejected = np.asarray(self.rejected.get(str(src.path), []), dtype="int64")
        left = sum(limit - len(found[key]) for key in todo)
        offset = 0
        for batch in con.sql(query).to_arrow_reader(1_000_000):
            for j, c in enumerate(columns):
                hits = np.flatnonzero(batch.column(j).is_valid().to_numpy(zero_copy_only=False))
                if not len(hits):
                    continue
                rows = _shift(hits + offset + 2, rejected)
                for code, row in zip(batch.column(j).take(hits).to_pylist(), rows):
                    listed = found[(c, code)]
                    if len(listed) < limit:
                        listed.append((src.path.name, int(row), src.headers[c]))
                        left -= 1
            offset += batch.num_rows
            if left == 0:
                break
