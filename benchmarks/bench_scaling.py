"""Benchmark 4: how load and diagnosis time grow with hospital size.

For each departments x years combination a J-profile hospital is generated
(``casekit.sample.generate("j", departments=, years=)``) and written as CSV; a fresh child
process then times ``casekit.load(folder)`` and ``casekit.diagnosis.diagnose(hospital)``
separately. Each time is fitted by least squares to a line in the number of
department-years (departments x years), reporting slope (the cost per department-year),
intercept and R^2; the cost per actuals cell (row of monthly actuals) is given too.

Usage::

    python benchmarks/bench_scaling.py                        # 10/20/40/80 departments x 3/5/8 years
    python benchmarks/bench_scaling.py --departments 10,20 --years 3
    python benchmarks/bench_scaling.py --quick
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import WORK_DIR, machine, machine_markdown, markdown_table, run_child, save_result  # noqa: E402

RESULT_FILE = WORK_DIR / "results_scaling.json"

_CHILD = """
import json, time
import casekit
from casekit.diagnosis import diagnose
t = time.perf_counter()
h = casekit.load({path!r})
t_load = time.perf_counter() - t
t = time.perf_counter()
d = diagnose(h)
t_diag = time.perf_counter() - t
print(json.dumps({{"seconds": t_load + t_diag, "load_s": t_load, "diagnose_s": t_diag,
                  "actuals_rows": len(h.actuals), "budget_rows": len(h.budget)}}))
"""


def fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares line y = a + b x; returns (a, b, R^2)."""
    b, a = np.polyfit(x, y, 1)
    pred = a + b * x
    ss_res = float(((y - pred) ** 2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    return float(a), float(b), (1 - ss_res / ss_tot) if ss_tot > 0 else float("nan")


def run(departments: list[int], years: list[int], repeats: int) -> dict:
    from casekit.sample import generate, write_hospital

    rows = []
    for d in departments:
        for y in years:
            folder = WORK_DIR / f"scaling_{d}x{y}"
            shutil.rmtree(folder, ignore_errors=True)
            write_hospital(generate("j", departments=d, years=y), folder)
            ms = [run_child(_CHILD.format(path=str(folder))) for _ in range(repeats)]
            best = min(ms, key=lambda m: m.seconds)
            rows.append({"departments": d, "years": y, "dept_years": d * y, **{k: best.result[k] for k in
                         ("load_s", "diagnose_s", "actuals_rows", "budget_rows")}, "peak_mb": best.peak_mb})
            print(json.dumps(rows[-1]), flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    df = pd.DataFrame(rows)
    fits = {}
    for col in ("load_s", "diagnose_s"):
        for xname in ("dept_years", "actuals_rows"):
            a, b, r2 = fit(df[xname].to_numpy(float), df[col].to_numpy(float))
            fits[f"{col}~{xname}"] = {"intercept_s": a, "slope_s": b, "r2": r2}
    return {"benchmark": "scaling", "machine": machine(), "rows": rows, "fits": fits}


def markdown(result: dict) -> str:
    df = pd.DataFrame(result["rows"])
    table = pd.DataFrame({"departments": df["departments"], "years": df["years"], "actuals rows": df["actuals_rows"],
                          "load s": df["load_s"], "diagnose s": df["diagnose_s"], "peak MB": df["peak_mb"]})
    fits = pd.DataFrame([{"time": k.split("~")[0].replace("_s", ""), "against": k.split("~")[1],
                          "intercept s": v["intercept_s"],
                          "slope (ms per unit)": 1000 * v["slope_s"], "R^2": v["r2"]}
                         for k, v in result["fits"].items()])
    return ("## 4. Scaling with hospital size (load and diagnosis)\n\n" + machine_markdown(result["machine"]) + "\n"
            + "Best of the repeats per size, each in a fresh child process.\n\n" + markdown_table(table)
            + "\nLinear fits (time = intercept + slope x size):\n\n" + markdown_table(fits, "{:.3f}"))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--departments", default="10,20,40,80")
    ap.add_argument("--years", default="3,5,8")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="5/10 departments x 2/3 years")
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    deps = [5, 10] if args.quick else [int(x) for x in args.departments.split(",")]
    yrs = [2, 3] if args.quick else [int(x) for x in args.years.split(",")]
    result = run(deps, yrs, args.repeats)
    return save_result(result, RESULT_FILE, args.quick, markdown)


if __name__ == "__main__":
    main()
