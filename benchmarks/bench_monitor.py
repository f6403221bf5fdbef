"""Benchmark 7: accuracy of the monitor's year-end projection against the naive run rate.

For the J, well-run and mixed samples and for generated hospitals (other seeds, fewer
departments), every complete budget year Y that has an earlier complete year is cut at months
3, 6 and 9. Each line (department x account) is projected to the year end by each method of
:mod:`casekit.monitor.projection` and by the method the monitor would choose, walk-forward:
the choice uses only the years before Y, cut at the same month (``monitor.backtest_years``
most recent), exactly as :func:`casekit.monitor.projection.projections` does (the projections of
a year cut at a month are computed once and reused as back-test rows for later years). The
projections are compared with the year's real total: WAPE = sum |projection - actual| / sum
|actual| over lines and years, per cut month. The baseline is the run rate (YTD x 12 / t).

Usage::

    python benchmarks/bench_monitor.py            # all hospitals
    python benchmarks/bench_monitor.py --quick    # J only, 2024 only
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT_DIR, WORK_DIR, machine, machine_markdown, markdown_table, save_result  # noqa: E402

RESULT_FILE = WORK_DIR / "results_monitor.json"
MONTHS = (3, 6, 9)
SAMPLES = ("j_hospital", "well_run_hospital", "mixed_hospital")
GENERATED = (("j", 101), ("well_run", 202), ("mixed", 303))


def hospitals(quick: bool):
    """(name, Hospital) pairs: the three samples as shipped, then generated ones."""
    import casekit
    from casekit.sample import generate

    yield "J sample", casekit.load(PROJECT_DIR / "data" / "sample" / "j_hospital")
    if quick:
        return
    yield "well-run sample", casekit.load(PROJECT_DIR / "data" / "sample" / "well_run_hospital")
    yield "mixed sample", casekit.load(PROJECT_DIR / "data" / "sample" / "mixed_hospital")
    for profile, seed in GENERATED:
        yield f"generated {profile} (seed {seed}, 12 departments)", generate(profile, seed=seed, departments=12)


def evaluate(name: str, h, *, n_years: int, only_last: bool) -> list[dict]:
    """WAPE rows (hospital, month, method, wape, n) of one hospital."""
    from casekit.monitor.period import ets_groups, monthly_panel
    from casekit.monitor.projection import KEYS, METHODS, backtest_years, choose, complete_panel_years, project, year_total

    panel = monthly_panel(h)
    groups = ets_groups(panel, h)
    years = complete_panel_years(panel)
    budget_years = set(h.budget["year"].astype(int))
    targets = [y for y in years if y in budget_years and any(p < y for p in years)]
    if only_last:
        targets = targets[-1:]
    actual = {y: year_total(panel, y) for y in years}
    cache: dict[tuple[int, int, str], pd.Series] = {}

    def proj(y: int, t: int, m: str) -> pd.Series:
        if (y, t, m) not in cache:
            cache[(y, t, m)] = project(panel, y, t, m, groups)
        return cache[(y, t, m)]

    rows = []
    for t in MONTHS:
        frames = []
        for y in targets:
            bt = []
            for ty in backtest_years(panel, y, n_years):
                for m in METHODS:
                    f = pd.DataFrame({"projection": proj(ty, t, m), "actual": actual[ty]}).dropna(subset=["projection"])
                    bt.append(f.assign(test_year=ty, method=m))
            bt = pd.concat(bt).rename_axis(KEYS).reset_index()
            bt["abs_error"] = (bt["projection"] - bt["actual"]).abs()
            chosen = choose(bt, panel.index)["method"]
            f = pd.DataFrame({m: proj(y, t, m) for m in METHODS})
            col = [list(METHODS).index(m) for m in chosen.reindex(f.index)]
            pick = pd.Series(f[list(METHODS)].to_numpy()[range(len(f)), col], index=f.index)
            f["chosen"] = pick.fillna(f["run_rate"])
            f["actual"] = actual[y]
            frames.append(f[(f["actual"] != 0) | (f["run_rate"] != 0)])
        every = pd.concat(frames)
        den = every["actual"].abs().sum()
        for m in (*METHODS, "chosen"):
            ok = every[m].notna()
            wape = (every.loc[ok, m] - every.loc[ok, "actual"]).abs().sum() / every.loc[ok, "actual"].abs().sum()
            rows.append({"hospital": name, "month": t, "method": m, "wape": float(wape), "n": int(ok.sum()),
                         "coverage": float(every.loc[ok, "actual"].abs().sum() / den), "years": targets})
    return rows


def run(quick: bool, n_years: int) -> dict:
    rows, seconds = [], {}
    for name, h in hospitals(quick):
        t = time.perf_counter()
        rows += evaluate(name, h, n_years=n_years, only_last=quick)
        seconds[name] = time.perf_counter() - t
        print(f"{name}: {seconds[name]:.1f} s", flush=True)
    return {"benchmark": "monitor", "machine": machine(), "rows": rows, "seconds": seconds, "backtest_years": n_years}


def markdown(result: dict) -> str:
    df = pd.DataFrame(result["rows"])
    wide = df.pivot_table(index=["hospital", "month"], columns="method", values="wape", sort=False).reset_index()
    years = df.groupby("hospital", sort=False)["years"].first()
    wide["years"] = wide["hospital"].map(lambda n: ", ".join(map(str, years[n])))
    wide["chosen / run rate"] = wide["chosen"] / wide["run_rate"]
    table = wide[["hospital", "years", "month", "run_rate", "seasonal", "ets", "chosen", "chosen / run rate"]]
    pooled = df.groupby(["month", "method"])["wape"].mean().unstack()
    ratio = pooled["chosen"] / pooled["run_rate"]
    beats = int((wide["chosen"] < wide["run_rate"]).sum())
    best_single = wide[["run_rate", "seasonal", "ets"]].min(axis=1)
    single_better = int((best_single < wide["chosen"] - 1e-12).sum())
    lines = [f"month {m}: mean WAPE {pooled.at[m, 'chosen']:.1%} chosen against {pooled.at[m, 'run_rate']:.1%} "
             f"run rate ({1 - ratio[m]:.0%} lower)" for m in pooled.index]
    return ("## 7. Year-end projection accuracy (`casekit monitor`)\n\n" + machine_markdown(result["machine"]) + "\n"
            + "Every complete budget year with an earlier complete year, cut at months 3, 6 and 9; lines projected "
              "to the year end and compared with the real total. WAPE = sum |projection - actual| / sum |actual| "
              "over lines and years. `chosen` is the method the monitor picks per line by back-testing on the "
              f"{result['backtest_years']} previous years cut at the same month (walk-forward, no look-ahead); "
              "`seasonal` is computed only where last year had actuals in months 1..t. Baseline: the run rate.\n\n"
            + markdown_table(table, floatfmt="{:.3f}") + "\n\n"
            + f"The chosen method beats the run rate in {beats} of {len(wide)} hospital-month cells; "
            + "; ".join(lines) + f". The best single method, known only after the fact, is more accurate than the "
              f"per-line choice in {single_better} of {len(wide)} cells (the choice rests on two test years per line, "
              "a noisy signal). Time per hospital (s, shared machine): "
            + ", ".join(f"{k} {v:.0f}" for k, v in result["seconds"].items()) + ".\n")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="J sample, last year only")
    ap.add_argument("--backtest-years", type=int, default=2, help="back-test years (monitor.backtest_years)")
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    result = run(args.quick, args.backtest_years)
    return save_result(result, RESULT_FILE, args.quick, markdown)


if __name__ == "__main__":
    main()
