"""Benchmark 10: large hospitals, actuals of 1M, 3M and 10M monthly rows (CSV, Parquet, ledger).

For each size a J-profile hospital of 20 budget years and as many departments as give about
that many monthly actuals rows (about 4,900 per department, so 206, 620 and 2,060
departments; ``budget_monthly`` is about as large again) is generated once
(``casekit.sample.generate``) and written three ways under ``benchmarks/_work/large_<rows>/``:

- ``csv``: the ordinary folder of CSV files (actuals.csv of N rows);
- ``parquet``: the same tables as Parquet files;
- ``ledger`` (the baseline, as the issue asks: "the same hospital given as a ledger"): the CSV
  folder with actuals.csv replaced by a transaction ledger of 1.5 N rows that sums exactly to
  the same monthly actuals (``casekit.sample.ledger.write_ledger``), aggregated by DuckDB.

``casekit validate`` and ``casekit run`` (every output: HTML, PDF, Word, Excel, JSON) then run
on each, one command at a time, as fresh processes. Time is the command's wall time; memory is
the peak of the summed resident memory (RSS) of the whole process tree (runner, kernel,
Chromium), sampled every 0.2 s with psutil, and the peak of its summed proportional set size
(PSS, each shared page divided among the processes sharing it; sampled every second), which
does not count Chromium's shared pages once per process. Ratios are CSV / ledger and
Parquet / ledger of the same run. Each size is a long run of its own: a run of some sizes keeps
the rows of the other sizes from the last full run's ``results_large.json``, and every row names
the commit it measured and the load average around it.

Usage::

    python benchmarks/bench_large.py                       # 1M, 3M and 10M rows
    python benchmarks/bench_large.py --rows 1e6 --commands validate
    python benchmarks/bench_large.py --quick               # 200k rows, validate and run
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT_DIR, PYTHON, WORK_DIR, fmt_rows, machine, machine_markdown, markdown_table, save_result  # noqa: E402

RESULT_FILE = WORK_DIR / "results_large.json"
ROWS_PER_DEPARTMENT = 4_900
"""Monthly actuals rows per department of a generated J hospital over 20 budget years (+ base year)."""
YEARS = 20
FORMATS = ("ledger", "csv", "parquet")
LEDGER_FACTOR = 1.5


def tree_peak(argv: list[str], interval: float = 0.2) -> dict:
    """Run ``argv``; wall time, the peak summed RSS / PSS (MB) of its process tree, and the PSS of
    the runner, the kernel and Chromium at the moment of the PSS peak."""
    import psutil

    with tempfile.TemporaryFile("w+") as out:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_DIR)
        root = psutil.Process(proc.pid)
        rss_peak = pss_peak = 0
        parts_at_peak: dict[str, float] = {}
        tick = 0
        while proc.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            rss = 0
            parts: dict[str, float] = {}
            for p in procs:
                try:
                    rss += p.memory_info().rss
                    if tick % 2 == 0:  # PSS reads every mapping: every 0.4 s
                        kind = process_kind(p, root)
                        parts[kind] = parts.get(kind, 0) + p.memory_full_info().pss / 2**20
                except psutil.Error:
                    continue
            rss_peak = max(rss_peak, rss)
            if sum(parts.values()) > pss_peak:
                pss_peak, parts_at_peak = sum(parts.values()), parts
            tick += 1
            time.sleep(interval)
        seconds = time.perf_counter() - t
        out.seek(0)
        tail = out.read()[-2000:]
    return {"seconds": seconds, "rss_mb": rss_peak / 2**20, "pss_mb": pss_peak, "rc": proc.returncode,
            "pss_at_peak": {k: round(v) for k, v in parts_at_peak.items()}, "tail": tail if proc.returncode else ""}


def process_kind(p, root) -> str:
    """``runner`` (the command itself), ``kernel`` (ipykernel), ``chromium`` or ``other``."""
    if p.pid == root.pid:
        return "runner"
    try:
        cmd = " ".join(p.cmdline())
    except Exception:  # the process ended while it was looked at
        return "other"
    return "kernel" if "ipykernel" in cmd else "chromium" if "chrom" in cmd else "other"


def make_hospital(rows: int, folder: Path) -> dict:
    """Write the hospital of about ``rows`` actuals rows in the three forms; returns its sizes."""
    from casekit.sample import generate, write_hospital
    from casekit.sample.ledger import write_ledger

    departments = max(3, round(rows / ROWS_PER_DEPARTMENT))
    t = time.perf_counter()
    h = generate("j", departments=departments, years=YEARS)
    shutil.rmtree(folder, ignore_errors=True)
    write_hospital(h, folder / "csv")
    write_hospital(h, folder / "parquet", fmt="parquet")
    shutil.copytree(folder / "csv", folder / "ledger")
    (folder / "ledger" / "actuals.csv").unlink()
    [ledger] = write_ledger(h, folder / "ledger", int(LEDGER_FACTOR * len(h.actuals)), seed=1)
    sizes = {"departments": departments, "actuals_rows": len(h.actuals), "budget_monthly_rows": len(h.budget_monthly),
             "ledger_rows": int(LEDGER_FACTOR * len(h.actuals)), "generate_s": time.perf_counter() - t,
             "actuals_csv_mb": (folder / "csv" / "actuals.csv").stat().st_size / 2**20,
             "actuals_parquet_mb": (folder / "parquet" / "actuals.parquet").stat().st_size / 2**20,
             "ledger_mb": ledger.stat().st_size / 2**20}
    return sizes


def measured_commit() -> str:
    """The commit whose code is measured (short hash, ``+changes`` when casekit/ differs from it)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--", "casekit", "notebooks") else "")


def command(name: str, data: Path, out: Path) -> list[str]:
    base = [PYTHON, "-m", "casekit"]
    if name == "validate":
        return base + ["validate", str(data)]
    return base + ["run", str(data), "--out", str(out)]


def run(sizes: list[int], commands: list[str], keep: bool) -> dict:
    rows, commit = [], measured_commit()
    for n in sizes:
        folder = WORK_DIR / f"large_{n}"
        info = make_hospital(n, folder)
        print(json.dumps(info), flush=True)
        for cmd in commands:
            for fmt in FORMATS:  # one command at a time: never two large experiments at once
                load = os.getloadavg()[0]
                m = tree_peak(command(cmd, folder / fmt, folder / f"report_{fmt}"))
                row = {"rows": n, **info, "command": cmd, "format": fmt, **m, "commit": commit,
                       "date": time.strftime("%Y-%m-%d %H:%M %Z"),
                       "load_start": round(load, 1), "load_end": round(os.getloadavg()[0], 1)}
                rows.append(row)
                print(json.dumps({k: v for k, v in row.items() if k != "tail"}), flush=True)
                if m["rc"] != 0:
                    print(m["tail"], file=sys.stderr, flush=True)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return {"benchmark": "large", "machine": machine(), "rows": rows}


def markdown(result: dict) -> str:
    """RESULTS.md section for benchmark 10."""
    df = pd.DataFrame(result["rows"]).sort_values("rows", kind="stable")
    out = []
    for (n, cmd), g in df.groupby(["rows", "command"], sort=False):
        g = g.set_index("format")
        base = g.loc["ledger"] if "ledger" in g.index else None
        for fmt, r in g.iterrows():
            ok = r["rc"] == 0
            out.append({"actuals rows": fmt_rows(int(r["actuals_rows"])), "departments": int(r["departments"]),
                        "command": cmd, "input": fmt, "ok": "yes" if ok else f"exit {int(r['rc'])}",
                        "seconds": r["seconds"], "peak RSS MB (tree)": r["rss_mb"], "peak PSS MB (tree)": r["pss_mb"],
                        "time / ledger (target <= 2)": (r["seconds"] / base["seconds"]
                                                        if base is not None and base["rc"] == 0 else float("nan")),
                        "PSS / ledger": (r["pss_mb"] / base["pss_mb"]
                                         if base is not None and base["rc"] == 0 else float("nan")),
                        "PSS at the peak (runner / kernel / Chromium)": _parts(r.get("pss_at_peak")),
                        "code": r["commit"] if pd.notna(r.get("commit")) else "not recorded",
                        "measured": r["date"] if pd.notna(r.get("date")) else "not recorded",
                        "load avg start / end": (f"{r['load_start']:.1f} / {r['load_end']:.1f}"
                                                 if pd.notna(r.get("load_start")) else "not recorded")})
    table = pd.DataFrame(out)
    sizes = df.drop_duplicates("rows")
    files = pd.DataFrame({"actuals rows": sizes["actuals_rows"].map(lambda v: fmt_rows(int(v))),
                          "departments": sizes["departments"], "budget_monthly rows": sizes["budget_monthly_rows"],
                          "ledger rows": sizes["ledger_rows"], "actuals.csv MB": sizes["actuals_csv_mb"],
                          "actuals.parquet MB": sizes["actuals_parquet_mb"], "ledger.csv MB": sizes["ledger_mb"]})
    return ("## 10. Large hospitals: 1M-10M monthly actuals rows as CSV, Parquet and a ledger\n\n"
            + machine_markdown(result["machine"]) + "\n"
            + "One command at a time, each a fresh `python -m casekit` process; wall time of the command, peak of "
              "the summed RSS and of the summed PSS of its process tree (runner, kernel, Chromium; psutil). "
              "`casekit run` writes every output (HTML, PDF, Word, Excel, JSON). Ratios against the same "
              "hospital given as a ledger, measured in the same run (target for `run` on CSV: time <= 2x, "
              "peak under 2 GB).\n\n"
            + markdown_table(files, "{:.1f}") + "\n" + markdown_table(table))


def _parts(parts: object) -> str:
    """The per-process split of the PSS peak as ``runner / kernel / Chromium`` MB."""
    if not isinstance(parts, dict):
        return "not recorded"
    return " / ".join(str(parts.get(k, 0)) for k in ("runner", "kernel", "chromium"))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="1e6,3e6,1e7", help="comma-separated actuals row counts")
    ap.add_argument("--commands", default="validate,run", help="validate, run or both")
    ap.add_argument("--keep", action="store_true", help="keep the generated hospitals in benchmarks/_work/")
    ap.add_argument("--quick", action="store_true", help="smoke run: 200k rows")
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    sizes = [200_000] if args.quick else [int(float(s)) for s in args.rows.split(",")]
    result = run(sizes, args.commands.split(","), args.keep)
    if not args.quick:
        result["rows"] = earlier_rows(sizes) + result["rows"]
    return save_result(result, RESULT_FILE, args.quick, markdown)


def earlier_rows(sizes: list[int]) -> list[dict]:
    """Rows of other sizes in the last full run's file: each size is one long run, measured on its own."""
    try:
        earlier = json.loads(RESULT_FILE.read_text())
    except (OSError, ValueError):
        return []
    if earlier.get("quick"):
        return []
    return [r for r in earlier.get("rows", []) if r["rows"] not in sizes]


if __name__ == "__main__":
    main()
