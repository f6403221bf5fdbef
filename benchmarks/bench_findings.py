"""Benchmark 8: findings-only batches (``casekit batch --findings-only``) of many hospitals.

Generated hospitals of mixed sizes (profiles j, well_run and mixed in turn; 6, 10, 20 and 40
departments in turn; 3 years; seed = index) are written once under
``benchmarks/_work/findings_hospitals``; a batch of the first N is a folder of symbolic links to
them. Each batch runs in a fresh child process on 2 workers; a thread of the child samples
the resident memory of every worker process (psutil, every 0.2 s) for the peak per worker.

Measured, all in the same run:

- the findings-only batch of ``--hospitals`` (default 200) on the local pool: hospitals per
  minute, against a full-report batch (notebooks and HTML, no PDF) of ``--full`` (default 10)
  of the same hospitals on the same pool (target: at least 10x its throughput);
- the same findings-only batch on a dask.distributed ``LocalCluster`` of 2 worker processes
  (target: time within 1.2x of the local pool; the cluster's start-up is counted);
- growth: findings-only batches of ``--growth`` (default 50, 100, 200, 400) hospitals, with a
  least-squares line through time against hospitals (linear when R^2 is near 1 and the
  seconds per hospital stay flat).

Usage::

    python benchmarks/bench_findings.py
    python benchmarks/bench_findings.py --hospitals 40 --full 4 --growth 10,20,40
    python benchmarks/bench_findings.py --quick      # 12 findings-only, 2 full reports, dask 12, growth 6/12

``--quick`` took 6.6 minutes on the shared 2-core machine at a load average of 6 (well under
10 minutes on a quiet one). The full-report baseline may be a much smaller batch than the
findings-only one (throughput is per hospital). Both batches' figures per hospital include
their batch's fixed costs (worker start-up, the benchmark page), a larger share of a small
batch, so the section also compares marginal CPU time per hospital (the growth line's slope).
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

RESULT_FILE = WORK_DIR / "results_findings.json"
POOL = WORK_DIR / "findings_hospitals"
PROFILES = ("j", "well_run", "mixed")
SIZES = (6, 10, 20, 40)

_CHILD = """
import json, threading, time
import psutil
peaks, stop = {{}}, threading.Event()
def sample():
    me = psutil.Process()
    while not stop.is_set():
        for p in me.children(recursive=True):
            try:
                peaks[p.pid] = max(peaks.get(p.pid, 0), p.memory_info().rss)
            except psutil.Error:
                pass
        stop.wait(0.2)
threading.Thread(target=sample, daemon=True).start()
from casekit.pipeline.batch import BatchError, run_batch
scheduler, cluster = None, None
t = time.perf_counter()
if {dask!r}:
    from distributed import LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    scheduler = cluster.scheduler_address
try:
    result = run_batch({root!r}, {out!r}, workers=2, scheduler=scheduler, pdf=False, console=None,
                       findings_only={findings_only!r})
except BatchError as exc:
    result = exc.result
seconds = time.perf_counter() - t
if cluster is not None:
    cluster.close()
stop.set()
big = sorted(peaks.values(), reverse=True)[:2]
print(json.dumps({{"seconds": seconds, "hospitals": len(result.results), "failed": len(result.failed),
                  "worker_peak_mb": [b / 2**20 for b in big]}}))
"""


def write_pool(n: int, years: int = 3) -> list[Path]:
    """The first ``n`` generated hospitals (written once, reused by later runs)."""
    from casekit.sample import generate, write_hospital

    POOL.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        profile, depts = PROFILES[i % 3], SIZES[i % len(SIZES)]
        folder = POOL / f"h{i:04d}_{profile}_{depts}d"
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            write_hospital(generate(profile, seed=5000 + i, departments=depts, years=years), folder)
            (folder / ".complete").touch()
        out.append(folder)
    return out


def batch_root(folders: list[Path], name: str) -> Path:
    """A batch folder of symbolic links to ``folders``."""
    root = WORK_DIR / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for f in folders:
        (root / f.name).symlink_to(f, target_is_directory=True)
    return root


def _batch(folders: list[Path], label: str, *, findings_only: bool = True, dask: bool = False) -> dict:
    root = batch_root(folders, f"findings_root_{label}")
    out = WORK_DIR / f"findings_out_{label}"
    shutil.rmtree(out, ignore_errors=True)
    m = run_child(_CHILD.format(root=str(root), out=str(out), dask=dask, findings_only=findings_only))
    row = {"label": label, "hospitals": m.result["hospitals"], "failed": m.result["failed"], "seconds": m.seconds,
           "per_minute": 60 * m.result["hospitals"] / m.seconds, "parent_peak_mb": m.peak_mb,
           "worker_peak_mb": max(m.result["worker_peak_mb"], default=float("nan")),
           "cpu_s": m.cpu_s, "cpu_s_per_hospital": m.cpu_s / max(m.result["hospitals"], 1),
           "load_start": m.load_1min[0], "load_end": m.load_1min[1]}
    print(json.dumps(row), flush=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    return row


def run(n: int, n_full: int, growth: list[int], with_dask: bool) -> dict:
    folders = write_pool(max([n, n_full, *growth]))
    runs = {"findings": _batch(folders[:n], f"findings_{n}"),
            "full": _batch(folders[:n_full], f"full_{n_full}", findings_only=False)}
    if with_dask:
        runs["dask"] = _batch(folders[:n], f"dask_{n}", dask=True)
    grow = [runs["findings"] if g == n else _batch(folders[:g], f"findings_{g}") for g in growth]
    x = np.array([g["hospitals"] for g in grow], float)
    fit = {"wall": line_fit(x, np.array([g["seconds"] for g in grow], float)),
           "cpu": line_fit(x, np.array([g["cpu_s"] for g in grow], float))}
    f, full = runs["findings"], runs["full"]
    return {"benchmark": "findings", "machine": machine(), "runs": runs, "growth": grow, "fit": fit,
            "speedup_vs_full": f["per_minute"] / full["per_minute"],
            "cpu_speedup_vs_full": full["cpu_s_per_hospital"] / f["cpu_s_per_hospital"],
            "dask_over_local": (runs["dask"]["seconds"] / f["seconds"]) if with_dask else None,
            "dask_cpu_over_local": (runs["dask"]["cpu_s"] / f["cpu_s"]) if with_dask else None}


def line_fit(x: np.ndarray, y: np.ndarray) -> dict:
    """Least-squares ``y = a + b x`` with R^2 and the residuals (empty below two points).

    >>> fit = line_fit(np.array([1.0, 2.0, 3.0]), np.array([3.0, 5.0, 7.0]))
    >>> round(fit["intercept_s"], 6), round(fit["slope_s"], 6), [abs(round(r, 6)) for r in fit["residuals_s"]]
    (1.0, 2.0, [0.0, 0.0, 0.0])
    """
    if len(x) < 2:
        return {}
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    return {"intercept_s": float(a), "slope_s": float(b), "residuals_s": [float(r) for r in resid],
            "r2": 1 - float((resid ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan")}


def markdown(result: dict) -> str:
    runs = result["runs"]
    rows = [{"batch": "findings-only, local pool", **runs["findings"]},
            {"batch": "full reports (no PDF), local pool", **runs["full"]}]
    if "dask" in runs:
        rows.append({"batch": "findings-only, dask LocalCluster", **runs["dask"]})
    table = pd.DataFrame([{"batch": r["batch"], "hospitals": r["hospitals"], "failed": r["failed"],
                           "seconds": r["seconds"], "hospitals / minute": r["per_minute"],
                           "CPU s per hospital": r.get("cpu_s_per_hospital", float("nan")),
                           "peak MB per worker": r["worker_peak_mb"],
                           "load avg start / end": f"{r.get('load_start', float('nan')):.1f} / "
                                                   f"{r.get('load_end', float('nan')):.1f}"} for r in rows])
    wall, cpu = result["fit"].get("wall", {}), result["fit"].get("cpu", {})
    grow = pd.DataFrame([{"hospitals": g["hospitals"], "seconds": g["seconds"],
                          "seconds per hospital": g["seconds"] / g["hospitals"],
                          "residual s": wall["residuals_s"][i] if wall else float("nan"),
                          "CPU s": g.get("cpu_s", float("nan")),
                          "CPU residual s": cpu["residuals_s"][i] if cpu else float("nan"),
                          "hospitals / minute": g["per_minute"],
                          "load avg start / end": f"{g.get('load_start', float('nan')):.1f} / "
                                                  f"{g.get('load_end', float('nan')):.1f}"}
                         for i, g in enumerate(result["growth"])])
    lines = [f"- findings-only throughput / full-report throughput: **{result['speedup_vs_full']:.1f}x** wall, "
             f"**{result.get('cpu_speedup_vs_full', float('nan')):.1f}x** by CPU time per hospital (target >= 10)"]
    if result.get("dask_over_local") is not None:
        lines.append(f"- dask LocalCluster / local pool: **{result['dask_over_local']:.2f}** wall time, "
                     f"{result.get('dask_cpu_over_local', float('nan')):.2f} CPU time "
                     "(target <= 1.2; includes the cluster's start-up)")
    if cpu:
        full = runs["full"]
        full_marginal = (full["cpu_s"] - cpu["intercept_s"]) / max(full["hospitals"], 1)
        lines.append(f"- marginal CPU per hospital: findings-only {cpu['slope_s']:.2f} s (slope of the CPU growth "
                     f"line), full report about {full_marginal:.1f} s (its batch's CPU less the findings-only "
                     f"line's fixed cost, an estimate of the same start-up): {full_marginal / cpu['slope_s']:.1f}x")
    for name, fit in (("wall", wall), ("CPU", cpu)):
        if fit:
            lines.append(f"- growth ({name} time): {fit['intercept_s']:.1f} s + {fit['slope_s']:.2f} s x hospitals, "
                         f"R^2 = {fit['r2']:.4f}, largest |residual| {max(abs(r) for r in fit['residuals_s']):.1f} s")
    return ("## 8. Findings-only batches (`casekit batch --findings-only`)\n\n" + machine_markdown(result["machine"])
            + "\nGenerated hospitals of mixed sizes (6/10/20/40 departments in turn, 3 years, the three profiles in "
              "turn), 2 workers, each batch in a fresh child process; peak memory per worker is the largest "
              "resident size a worker process reached (sampled every 0.2 s). CPU time is user + system time "
              "of the batch process and every worker it waited for (getrusage of the child), the figure to "
              "compare when the shared machine's load makes wall times meaningless; the load average is the "
              "1-minute figure when each batch started and ended.\n\n"
            + markdown_table(table) + "\n" + "\n".join(lines) + "\n\nGrowth (findings-only, local pool):\n\n"
            + markdown_table(grow))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hospitals", type=int, default=200, help="findings-only batch size")
    ap.add_argument("--full", type=int, default=10, help="full-report batch size (the baseline)")
    ap.add_argument("--growth", default="50,100,200,400", help="batch sizes of the growth series")
    ap.add_argument("--no-dask", action="store_true", help="skip the dask LocalCluster run")
    ap.add_argument("--quick", action="store_true", help="12 hospitals, 2 full reports, growth 6/12")
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if args.quick:
        n, n_full, growth = 12, 2, [6, 12]
    else:
        n, n_full, growth = args.hospitals, args.full, [int(g) for g in args.growth.split(",")]
    result = run(n, n_full, growth, not args.no_dask)
    return save_result(result, RESULT_FILE, args.quick, markdown)


if __name__ == "__main__":
    main()
