"""Expand a hospital's monthly actuals into a synthetic transaction ledger (明细账).

The ledger is built so that its sums per year x month x department x account equal the
monthly actuals **exactly, to the cent**: every cell's total is converted to integer cents and
split into integer parts. Loading the ledger (``casekit.data.io.ledger.aggregate_ledger``) therefore
gives the same actuals, and the same indicators, as the monthly table it came from.

Rows are generated in chunks with numpy and streamed to disk with pyarrow, so tens of millions
of rows need a few hundred MB of memory at most.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital
from casekit.data.schema.tables import TABLES

LEDGER_COLUMNS = ("date", "dept_id", "account_id", "amount")
_CHUNK_ROWS = 2_000_000


def _headers(lang: str) -> list[str]:
    if lang == "en":
        return list(LEDGER_COLUMNS)
    if lang == "zh":
        table = TABLES["ledger"]
        return [table.column(c).zh for c in LEDGER_COLUMNS]
    raise ConfigError(f"unknown header language {lang!r}", hint="use headers='en' or headers='zh'")


def _cells(hospital: Hospital) -> pd.DataFrame:
    """Monthly actuals as cells with integer cents, in calendar order."""
    act = hospital.actuals
    if "month" not in act.columns or act["month"].isna().any() or len(act) == 0:
        raise ConfigError(
            "a transaction ledger needs monthly actuals, but this hospital's actuals are annual or empty",
            hint="generate the ledger from a hospital with monthly actuals (every row has a month 1-12)",
        )
    cells = pd.DataFrame({
        "year": act["year"].astype("int64").to_numpy(),
        "month": act["month"].astype("int64").to_numpy(),
        "dept_id": act["dept_id"].astype(str).to_numpy(),
        "account_id": act["account_id"].astype(str).to_numpy(),
        "cents": np.rint(act["amount"].astype("float64").to_numpy() * 100).astype("int64"),
    })
    return cells.sort_values(["year", "month", "dept_id", "account_id"], kind="stable", ignore_index=True)


def _rows_per_cell(cents: np.ndarray, rows: int, rng: np.random.Generator) -> np.ndarray:
    """At least one row per cell; the rest in proportion to the cell's absolute amount."""
    n_cells = len(cents)
    weight = np.abs(cents).astype("float64")
    total = weight.sum()
    p = weight / total if total > 0 else np.full(n_cells, 1.0 / n_cells)
    return 1 + rng.multinomial(rows - n_cells, p)


def _split_cents(totals: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split each total (integer cents) into k[i] integer parts that sum to it exactly.

    Parts are the differences of floor(|total| x cumulative Dirichlet(1) shares); the last
    cumulative value is set to |total|, so each cell's parts are >= 0 and add up exactly.
    """
    n = int(k.sum())
    ends = np.cumsum(k)
    starts = ends - k
    cell = np.repeat(np.arange(len(k)), k)
    cum = np.cumsum(rng.exponential(size=n))
    base = np.where(starts > 0, cum[starts - 1], 0.0)
    local = cum - base[cell]
    share = local / local[ends - 1][cell]
    absolute = np.abs(totals)
    cumulative = np.floor(absolute[cell] * share).astype("int64")
    cumulative[ends - 1] = absolute
    parts = np.diff(cumulative, prepend=0)
    parts[starts] = cumulative[starts]
    return parts * np.sign(totals)[cell]


def _chunk_table(cells: pd.DataFrame, k: np.ndarray, rng: np.random.Generator, names: list[str]) -> pa.Table:
    cents = _split_cents(cells["cents"].to_numpy(), k, rng)
    cell = np.repeat(np.arange(len(k)), k)
    first = (cells["year"].to_numpy() - 1970) * 12 + cells["month"].to_numpy() - 1
    month_start = first.astype("datetime64[M]").astype("datetime64[D]")
    days = ((first + 1).astype("datetime64[M]").astype("datetime64[D]") - month_start).astype("int64")
    offset = np.floor(rng.random(len(cell)) * days[cell]).astype("int64")
    date = month_start[cell] + offset.astype("timedelta64[D]")
    order = np.argsort(date, kind="stable")
    cell = cell[order]
    return pa.table({
        names[0]: pa.array(date[order], type=pa.date32()),
        names[1]: pa.array(cells["dept_id"].to_numpy(), type=pa.string()).take(cell),
        names[2]: pa.array(cells["account_id"].to_numpy(), type=pa.string()).take(cell),
        names[3]: pa.array(cents[order] / 100.0, type=pa.float64()),
    })


def write_ledger(
    hospital: Hospital,
    out_dir: str | Path,
    rows: int,
    fmt: Literal["csv", "parquet"] = "csv",
    seed: int = 0,
    files: int = 1,
    *,
    headers: Literal["en", "zh"] = "en",
    chunk_rows: int = _CHUNK_ROWS,
) -> list[Path]:
    """Write a hospital's monthly actuals as a transaction ledger of ``rows`` rows.

    Each cell (year, month, department, account) of ``hospital.actuals`` becomes at least one
    transaction; the remaining rows go to cells in proportion to their absolute amount. A
    cell's total, in integer cents, is split by a Dirichlet(1) draw into integer parts, so the
    ledger's sums per cell equal the actuals exactly to the cent (negative totals give
    negative transactions). Dates are uniform within the month; rows are in date order
    within each chunk.

    Parameters
    ----------
    hospital : Hospital
        Source of the monthly actuals (amounts in yuan; rounded to cents).
    out_dir : str or Path
        Folder to write into (created if missing).
    rows : int
        Total number of transactions; at least the number of actuals rows.
    fmt : {"csv", "parquet"}
        File format. Account and department codes are written as text in both.
    seed : int
        Random seed; the same seed gives byte-identical files.
    files : int
        Number of files; the calendar is split into consecutive parts of about equal rows.
        One file is ``ledger.csv``; several are ``ledger_001.csv``, ``ledger_002.csv`` ...
    headers : {"en", "zh"}
        Header language: ``date, dept_id, account_id, amount`` or ``日期, 科室编码, 科目编码, 金额``.
    chunk_rows : int
        Rows generated per chunk (bounds memory; about 60 bytes per row).

    Returns
    -------
    list of Path
        The files written, in calendar order. Columns: date (YYYY-MM-DD), dept_id (text),
        account_id (text), amount (yuan, at most two decimals).

    Raises
    ------
    ConfigError
        Unknown format or header language, annual-only actuals, or fewer rows than cells.

    Examples
    --------
    >>> paths = write_ledger(hospital, "data/big", rows=1_000_000, fmt="parquet")  # doctest: +SKIP
    """
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"unknown ledger format {fmt!r}", hint="use csv or parquet")
    names = _headers(headers)
    cells = _cells(hospital)
    rows, files = int(rows), int(files)
    if rows < len(cells):
        raise ConfigError(
            f"a ledger of {rows:,} rows cannot hold {len(cells):,} monthly actuals cells (one row each at least)",
            hint=f"ask for at least {len(cells):,} ledger rows",
        )
    if files < 1 or files > len(cells):
        raise ConfigError(f"cannot split the ledger into {files} files", hint=f"use 1 to {len(cells)} files")
    rng = np.random.default_rng(seed)
    k = _rows_per_cell(cells["cents"].to_numpy(), rows, rng)
    ends = np.cumsum(k)
    # File boundaries: cell index where each file's share of rows is reached.
    file_bounds = np.unique(np.concatenate([[0], np.searchsorted(ends, rows * np.arange(1, files) / files), [len(k)]]))

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".csv" if fmt == "csv" else ".parquet"
    written: list[Path] = []
    for i, (lo, hi) in enumerate(zip(file_bounds[:-1], file_bounds[1:]), start=1):
        path = out / (f"ledger{suffix}" if files == 1 else f"ledger_{i:03d}{suffix}")
        writer = None
        c = lo
        while c < hi:
            base = ends[c - 1] if c > 0 else 0
            stop = max(c + 1, min(hi, int(np.searchsorted(ends, base + chunk_rows, side="right"))))
            table = _chunk_table(cells.iloc[c:stop], k[c:stop], rng, names)
            if writer is None:
                writer = (pacsv.CSVWriter(path, table.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
                          if fmt == "csv" else pq.ParquetWriter(path, table.schema, compression="zstd"))
            writer.write_table(table)
            c = stop
        writer.close()
        written.append(path)
    return written
