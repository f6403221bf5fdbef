"""Benchmark 1: ledger ingestion (casekit.data.io.ledger) against bare DuckDB and pandas.

For each size and format a ledger is generated (casekit.sample.ledger.write_ledger from a
40-department x 50-account x 5-year hospital, 120,000 monthly cells), then three programs,
each in a fresh subprocess, sum it per year x month x department x account:

- casekit: ``aggregate_ledger([file])`` (text-safe codes, bad-row checks, 1 GB memory limit);
- bare DuckDB: one typed ``read_csv``/``read_parquet`` + GROUP BY, default settings;
- pandas: ``read_csv`` (C engine, codes as str) / ``read_parquet`` + ``groupby().sum()``.

Reported: wall time of the operation (inside the child, after imports; best of the repeats),
the child's peak RSS, and the ratios casekit / DuckDB and casekit / pandas.

Usage::

    python benchmarks/bench_ledger.py --sizes 1e6,1e7,3e7
    python benchmarks/bench_ledger.py --quick
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import WORK_DIR, fmt_rows, ledger_hospital, machine, machine_markdown, markdown_table, run_child, save_result  # noqa: E402

RESULT_FILE = WORK_DIR / "results_ledger.json"

_CASEKIT = """
import json, time
from pathlib import Path
from casekit.data.io.ledger import aggregate_ledger
t = time.perf_counter()
table, issues = aggregate_ledger([Path({path!r})])
s = time.perf_counter() - t
print(json.dumps({{"seconds": s, "groups": len(table.df), "total": round(float(table.df["amount"].sum()), 2),
                  "issues": len(issues)}}))
"""

_DUCKDB = """
import json, time
import duckdb
import pandas  # imported before timing, as in the casekit child (DuckDB's .df() would import it lazily)
t = time.perf_counter()
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')
src = ("read_parquet({path!r})" if {parquet} else
       "read_csv({path!r}, header=true, columns={{'date': 'DATE', 'dept_id': 'VARCHAR', "
       "'account_id': 'VARCHAR', 'amount': 'DOUBLE'}})")
df = con.sql("SELECT year(date) AS y, month(date) AS m, dept_id, account_id, sum(amount) AS amount "
             f"FROM {{src}} GROUP BY ALL").df()
s = time.perf_counter() - t
print(json.dumps({{"seconds": s, "groups": len(df), "total": round(float(df["amount"].sum()), 2)}}))
"""

_PANDAS = """
import json, time
import pandas as pd
t = time.perf_counter()
if {parquet}:
    df = pd.read_parquet({path!r})
else:
    df = pd.read_csv({path!r}, dtype={{"dept_id": str, "account_id": str, "amount": "float64", "date": str}})
d = pd.to_datetime(df["date"], format="%Y-%m-%d") if not {parquet} else pd.to_datetime(df["date"])
g = df.groupby([d.dt.year.rename("y"), d.dt.month.rename("m"), df["dept_id"], df["account_id"]])["amount"].sum()
s = time.perf_counter() - t
print(json.dumps({{"seconds": s, "groups": len(g), "total": round(float(g.sum()), 2)}}))
"""

PROGRAMS = {"duckdb": _DUCKDB, "casekit": _CASEKIT, "pandas": _PANDAS}


def measure(path: Path, fmt: str, repeats: int, programs: list[str]) -> dict:
    """Best-of-``repeats`` time and the peak RSS of each program on one file."""
    out: dict[str, dict] = {p: {"seconds": [], "peak_mb": []} for p in programs}
    for _ in range(repeats):
        for name in programs:  # interleaved, so drifting machine load hits all alike
            try:
                m = run_child(PROGRAMS[name].format(path=str(path), parquet=fmt == "parquet"))
            except RuntimeError as exc:  # keep the other measurements; the error goes in the results
                out[name]["error"] = str(exc)[-500:]
                print(f"{name} failed on {path.name}: {exc}", file=sys.stderr, flush=True)
                continue
            out[name]["seconds"].append(m.seconds)
            out[name]["peak_mb"].append(m.peak_mb)
            out[name]["check"] = {k: v for k, v in m.result.items() if k != "seconds"}
    return out


def run(sizes: list[int], formats: list[str], repeats: int | None, keep: bool, pandas_max: int) -> dict:
    hospital = ledger_hospital()
    from casekit.sample.ledger import write_ledger

    rows = []
    for n in sizes:
        for fmt in formats:
            folder = WORK_DIR / f"ledger_{fmt}_{n}"
            t = time.perf_counter()
            [path] = write_ledger(hospital, folder, n, fmt=fmt, seed=1)
            gen = time.perf_counter() - t
            size_mb = path.stat().st_size / 2**20
            reps = repeats or (5 if n <= 2_000_000 else 3)
            programs = ["duckdb", "casekit"] + (["pandas"] if n <= pandas_max else [])
            res = measure(path, fmt, reps, programs)
            failed = {p: res[p]["error"] for p in programs if not res[p]["seconds"]}
            programs = [p for p in programs if p not in failed]
            checks = {p: res[p]["check"] for p in programs}
            agree = len({(c["groups"], c["total"]) for c in checks.values()}) == 1
            row = {"rows": n, "format": fmt, "file_mb": round(size_mb, 1), "generate_s": round(gen, 2),
                   "repeats": reps, "results_agree": agree, "checks": checks, "failed": failed}
            for p in programs:
                row[f"{p}_s"] = min(res[p]["seconds"])
                row[f"{p}_peak_mb"] = max(res[p]["peak_mb"])
                row[f"{p}_all_s"] = res[p]["seconds"]
            if "duckdb_s" in row and "casekit_s" in row:
                paired = [c / d for c, d in zip(row["casekit_all_s"], row["duckdb_all_s"])]
                row["casekit_duckdb_median_paired"] = sorted(paired)[len(paired) // 2]
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "checks"}), flush=True)
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
    return {"benchmark": "ledger", "machine": machine(), "rows": rows}


def markdown(result: dict) -> str:
    """RESULTS.md section for benchmark 1."""
    df = pd.DataFrame(result["rows"])
    if "pandas_s" not in df:
        df["pandas_s"] = float("nan")
        df["pandas_peak_mb"] = float("nan")
    table = pd.DataFrame({
        "rows": df["rows"].map(fmt_rows), "format": df["format"], "file MB": df["file_mb"],
        "casekit s": df["casekit_s"], "DuckDB s": df["duckdb_s"], "pandas s": df["pandas_s"],
        "casekit / DuckDB (target <= 1.3)": df["casekit_s"] / df["duckdb_s"],
        "same, median of paired repeats": df["casekit_duckdb_median_paired"],
        "casekit / pandas time (target < 1)": df["casekit_s"] / df["pandas_s"],
        "casekit peak MB": df["casekit_peak_mb"], "DuckDB peak MB": df["duckdb_peak_mb"],
        "pandas peak MB": df["pandas_peak_mb"],
        "casekit / pandas memory (target <= 0.33)": df["casekit_peak_mb"] / df["pandas_peak_mb"],
        "same sums": df["results_agree"].map({True: "yes", False: "NO"}),
    })
    big = df[df["rows"] == df["rows"].max()]
    peak = ", ".join(f"{r.format}: {r.casekit_peak_mb:.0f} MB" for r in big.itertuples())
    return ("## 1. Ledger ingestion\n\n"
            + machine_markdown(result["machine"]) + "\n"
            + "Times are the best of the repeats, measured inside a fresh child process around the "
              "operation only; peak memory is the child's peak RSS (interpreter and imports included). "
              "Ratios compare figures of the same run.\n\n"
            + markdown_table(table)
            + f"\nPeak memory of casekit at {fmt_rows(int(big['rows'].iloc[0]))} rows (target < 1 GB): {peak}.\n")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e6,1e7,3e7", help="comma-separated row counts, e.g. 1e6,1e7")
    ap.add_argument("--formats", default="csv,parquet")
    ap.add_argument("--repeats", type=int, default=None, help="default: 5 up to 2M rows, else 3")
    ap.add_argument("--pandas-max", type=float, default=3e7, help="skip pandas above this many rows")
    ap.add_argument("--keep", action="store_true", help="keep the generated ledgers in benchmarks/_work/")
    ap.add_argument("--quick", action="store_true", help="smoke run: 200k rows, one repeat")
    args = ap.parse_args(argv)
    sizes = [200_000] if args.quick else [int(float(s)) for s in args.sizes.split(",")]
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    result = run(sizes, args.formats.split(","), 1 if args.quick else args.repeats, args.keep,
                 int(args.pandas_max))
    return save_result(result, RESULT_FILE, args.quick, markdown)


if __name__ == "__main__":
    main()
