"""Benchmark 3: ``casekit batch`` throughput with 1 and 2 workers.

Twenty generated hospitals (the three sample profiles, different seeds) are written under
benchmarks/_work/batch_hospitals; ``casekit.pipeline.batch.run_batch`` runs them with 1 worker, then
with 2, each in a fresh child process (no PDF). Throughput is hospitals per minute; the speed-up
is time(1 worker) / time(2 workers).

Target: speed-up >= 1.7 on 2 cores.

Usage::

    python benchmarks/bench_batch.py               # 20 hospitals
    python benchmarks/bench_batch.py --quick       # 4 small hospitals
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import WORK_DIR, machine, machine_markdown, markdown_table, run_child  # noqa: E402

RESULT_FILE = WORK_DIR / "results_batch.json"

_BATCH = """
import json, time
from casekit.pipeline.batch import run_batch
t = time.perf_counter()
result = run_batch({root!r}, {out!r}, workers={workers}, scheduler=None, lang="en", pdf=False, console=None)
print(json.dumps({{"seconds": time.perf_counter() - t, "hospitals": len(result.results),
                  "failed": len(result.failed)}}))
"""


def write_hospitals(root: Path, n: int, quick: bool) -> Path:
    """``n`` generated hospitals (profiles j, well_run, mixed in turn; seed = index)."""
    from casekit.sample import generate, write_hospital

    marker = root / f".complete_{n}_{int(quick)}"
    if marker.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    profiles = ("j", "well_run", "mixed")
    for i in range(n):
        size = {"departments": 6, "years": 2} if quick else {}
        h = generate(profiles[i % 3], seed=1000 + i, **size)
        write_hospital(h, root / f"h{i:02d}_{profiles[i % 3]}")
    marker.touch()
    return root


def run(n: int, quick: bool, workers: list[int]) -> dict:
    root = write_hospitals(WORK_DIR / "batch_hospitals", n, quick)
    rows = []
    for w in workers:
        out = WORK_DIR / f"batch_out_{w}"
        shutil.rmtree(out, ignore_errors=True)
        m = run_child(_BATCH.format(root=str(root), out=str(out), workers=w))
        rows.append({"workers": w, "seconds": m.seconds, "hospitals": m.result["hospitals"],
                     "failed": m.result["failed"], "peak_mb_parent": m.peak_mb,
                     "per_minute": 60 * m.result["hospitals"] / m.seconds})
        print(json.dumps(rows[-1]), flush=True)
        shutil.rmtree(out, ignore_errors=True)
    base = rows[0]["seconds"]
    for r in rows:
        r["speedup"] = base / r["seconds"]
    return {"benchmark": "batch", "machine": machine(), "rows": rows, "quick": quick}


def markdown(result: dict) -> str:
    df = pd.DataFrame(result["rows"])
    table = pd.DataFrame({"workers": df["workers"], "hospitals": df["hospitals"], "failed": df["failed"],
                          "seconds": df["seconds"], "hospitals / minute": df["per_minute"],
                          "speed-up vs 1 worker (target >= 1.7 at 2)": df["speedup"]})
    return ("## 3. `casekit batch` throughput\n\n" + machine_markdown(result["machine"]) + "\n"
            + "One child process per batch run (local process pool, no PDF); the two runs are "
              "consecutive, so a change in the machine's load between them moves the speed-up.\n\n"
            + markdown_table(table))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hospitals", type=int, default=20)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--quick", action="store_true", help="4 small hospitals")
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    n = 4 if args.quick else args.hospitals
    result = run(n, args.quick, [int(w) for w in args.workers.split(",")])
    RESULT_FILE.write_text(json.dumps(result, indent=1))
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
