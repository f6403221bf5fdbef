"""Benchmark 5: reading Excel workbooks, casekit against pandas.read_excel(engine="openpyxl").

Two workbooks, each read in fresh child processes (median of ``--repeats``, interleaved):

* the J sample workbook ``data/sample/j_hospital_zh.xlsx`` (13 sheets, about 240,000 cells):
  ``casekit.data.io.readers.read_hospital_files`` (every table sheet and the profile, parsed and
  typed) against ``pandas.read_excel(path, sheet_name=None, engine="openpyxl")``;
* one generated sheet of monthly actuals (``--rows``, default 100,000 rows x 5 columns), written
  by openpyxl's write-only mode like the sample, i.e. without a ``<dimension>`` record:
  ``casekit.data.io.readers.read_table`` against ``pandas.read_excel(path, engine="openpyxl")``.

The ratio is pandas' time over casekit's (above 1: casekit is faster). casekit does more than
pandas here (header search, value parsing with issues, codes kept as text), so the ratio is
conservative. Both must find the same number of data rows (``same rows``).

Usage::

    python benchmarks/bench_excel.py                 # 100,000-row sheet, 3 repeats
    python benchmarks/bench_excel.py --rows 300000
    python benchmarks/bench_excel.py --quick         # 20,000 rows, 1 repeat
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT_DIR, WORK_DIR, fmt_rows, machine, machine_markdown, markdown_table, run_child, save_result  # noqa: E402

RESULT_FILE = WORK_DIR / "results_excel.json"
SAMPLE = PROJECT_DIR / "data" / "sample" / "j_hospital_zh.xlsx"

_CASEKIT_BOOK = """
import json, time
from pathlib import Path
from casekit.data.io.readers import read_hospital_files
t = time.perf_counter()
tables, profile, issues = read_hospital_files(Path({path!r}))
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds, "rows": sum(len(raw.df) for raw in tables.values())}}))
"""
_PANDAS_BOOK = """
import json, time
import pandas as pd
t = time.perf_counter()
sheets = pd.read_excel({path!r}, sheet_name=None, engine="openpyxl")
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds, "rows": sum(len(df) for name, df in sheets.items() if name != "医院概况")}}))
"""
_CASEKIT_SHEET = """
import json, time
from pathlib import Path
from casekit.data.io.readers import read_table
from casekit.data.schema.tables import TABLES
t = time.perf_counter()
raw = read_table(Path({path!r}), TABLES["actuals"])
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds, "rows": len(raw.df)}}))
"""
_PANDAS_SHEET = """
import json, time
import pandas as pd
t = time.perf_counter()
df = pd.read_excel({path!r}, engine="openpyxl")
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds, "rows": len(df)}}))
"""


def write_actuals_workbook(path: Path, rows: int, seed: int = 1) -> Path:
    """One sheet of monthly actuals (year, month, dept_id, account_id, amount) without a dimension record."""
    import openpyxl

    rng = np.random.default_rng(seed)
    year, month = rng.integers(2019, 2024, rows), rng.integers(1, 13, rows)
    dept, account = rng.integers(10, 50, rows), rng.integers(10, 70, rows)
    amount = rng.normal(1e5, 3e4, rows).round(2)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("actuals")
    ws.append(["year", "month", "dept_id", "account_id", "amount"])
    for i in range(rows):
        ws.append([int(year[i]), int(month[i]), f"D{dept[i]}", f"6001.{account[i]}", float(amount[i])])
    wb.save(path)
    return path


def compare(label: str, casekit_code: str, pandas_code: str, repeats: int) -> dict:
    """Median seconds of casekit and pandas (interleaved child processes) and their ratio."""
    ours, theirs = [], []
    for _ in range(repeats):
        ours.append(run_child(casekit_code))
        theirs.append(run_child(pandas_code))
    row = {"workbook": label,
           "casekit_s": statistics.median(m.seconds for m in ours),
           "pandas_s": statistics.median(m.seconds for m in theirs),
           "casekit_peak_mb": max(m.peak_mb for m in ours), "pandas_peak_mb": max(m.peak_mb for m in theirs),
           "same_rows": ours[0].result["rows"] == theirs[0].result["rows"], "rows": ours[0].result["rows"]}
    row["ratio"] = row["pandas_s"] / row["casekit_s"]
    print(json.dumps(row), flush=True)
    return row


def run(rows: int, repeats: int) -> dict:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    sheet = WORK_DIR / f"excel_actuals_{rows}.xlsx"
    if not sheet.exists():
        write_actuals_workbook(sheet, rows)
    results = [compare("J sample workbook (13 sheets)", _CASEKIT_BOOK.format(path=str(SAMPLE)),
                       _PANDAS_BOOK.format(path=str(SAMPLE)), repeats),
               compare(f"actuals sheet, {fmt_rows(rows)} rows", _CASEKIT_SHEET.format(path=str(sheet)),
                       _PANDAS_SHEET.format(path=str(sheet)), repeats)]
    return {"benchmark": "excel", "machine": machine(), "repeats": repeats, "rows": results}


def markdown(result: dict) -> str:
    df = pd.DataFrame(result["rows"])
    table = pd.DataFrame({"workbook": df["workbook"], "data rows": df["rows"], "casekit s": df["casekit_s"],
                          "pandas+openpyxl s": df["pandas_s"], "pandas / casekit": df["ratio"],
                          "casekit peak MB": df["casekit_peak_mb"], "pandas peak MB": df["pandas_peak_mb"],
                          "same rows": df["same_rows"]})
    return ("## 5. Reading Excel workbooks\n\n" + machine_markdown(result["machine"]) + "\n"
            + f"Median of {result['repeats']} fresh child processes each, interleaved. pandas reads values only; "
              "casekit also finds the header, parses and types every value and reports issues.\n\n"
            + markdown_table(table))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the generated single-sheet workbook")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="20,000 rows, 1 repeat")
    args = ap.parse_args(argv)
    result = run(20_000 if args.quick else args.rows, 1 if args.quick else args.repeats)
    return save_result(result, RESULT_FILE, args.quick, markdown)


if __name__ == "__main__":
    main()
