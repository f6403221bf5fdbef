"""Benchmark 6: warm load and warm diagnosis of the J sample, against pandas ``read_csv``.

One fresh child process loads ``data/sample/j_hospital`` once (imports, caches), then times
``casekit.load`` and, interleaved with it, ``pandas.read_csv`` of every CSV file of the same
folder (default dtypes: the floor of reading the bytes into a frame), and the load's two halves
alone in CPU time (reading the files: ``casekit.data.io.readers.read_hospital_files``;
validating them: ``validate_tables``); then it times ``casekit.diagnosis.diagnose`` on the
loaded hospital. Each figure is the median of the
repeats; the ratio casekit / pandas is computed from figures of the same child.

The same child also runs on the code of a baseline commit (``--baseline-ref``, default the
commit issue 16 started from), exported with ``git archive`` into ``benchmarks/_work`` and put
first on ``PYTHONPATH``: "before" and "after" are measured in the same run, one after the other.

Usage::

    python benchmarks/bench_speed.py             # 15 repeats, 3 before/after rounds
    python benchmarks/bench_speed.py --repeats 5 --rounds 1
    python benchmarks/bench_speed.py --quick     # 3 repeats, 1 round
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT_DIR, WORK_DIR, export_ref, machine, machine_markdown, markdown_table, run_child, save_result  # noqa: E402

RESULT_FILE = WORK_DIR / "results_speed.json"
SAMPLE = PROJECT_DIR / "data" / "sample" / "j_hospital"

_CHILD = """
import json, statistics, time
from pathlib import Path
import pandas as pd
import casekit
from casekit.data.io.readers import read_hospital_files
from casekit.data.validation import validate_tables
from casekit.diagnosis import diagnose
folder = Path({path!r})
files = sorted(folder.glob("*.csv"))
h = casekit.load(folder)
diagnose(h)
read = read_hospital_files(folder)
validate_tables(*read, source=folder)
loads, reads, diags, cpu_loads, cpu_reads, cpu_diags, cpu_checks, cpu_files = [], [], [], [], [], [], [], []
clock, cpu = time.perf_counter, time.process_time
for _ in range({repeats}):
    t, c = clock(), cpu(); h = casekit.load(folder); loads.append(clock() - t); cpu_loads.append(cpu() - c)
    c = cpu(); validate_tables(*read, source=folder); cpu_checks.append(cpu() - c)
    c = cpu(); read_hospital_files(folder); cpu_files.append(cpu() - c)
    t, c = clock(), cpu()
    for f in files:
        pd.read_csv(f)
    reads.append(clock() - t); cpu_reads.append(cpu() - c)
for _ in range({repeats}):
    t, c = clock(), cpu(); d = diagnose(h); diags.append(clock() - t); cpu_diags.append(cpu() - c)
med = statistics.median
print(json.dumps({{"seconds": med(loads) + med(diags), "load_s": med(loads), "read_csv_s": med(reads),
                  "diagnose_s": med(diags), "load_best_s": min(loads), "read_csv_best_s": min(reads),
                  "diagnose_best_s": min(diags), "load_cpu_s": med(cpu_loads), "read_csv_cpu_s": med(cpu_reads),
                  "diagnose_cpu_s": med(cpu_diags), "validate_cpu_s": med(cpu_checks),
                  "files_cpu_s": med(cpu_files), "actuals_rows": len(h.actuals), "files": len(files),
                  "findings": sorted(f.code for f in d.findings if f.status == "present")}}))
"""

BASELINE_REF = "d8bf9a8"
"""The commit issue 16 started from (warm J load 27x pandas, diagnosis 1.3 s when filed)."""


def _measure(repeats: int, code_dir: Path) -> dict:
    env = {"PYTHONPATH": os.pathsep.join([str(code_dir), os.environ.get("PYTHONPATH", "")])}
    m = run_child(_CHILD.format(path=str(SAMPLE), repeats=repeats), env=env)
    r = m.result
    return {**r, "peak_mb": m.peak_mb, "load_ratio": r["load_s"] / r["read_csv_s"],
            "load_cpu_ratio": r["load_cpu_s"] / r["read_csv_cpu_s"],
            "validate_cpu_ratio": r["validate_cpu_s"] / r["read_csv_cpu_s"],
            "files_cpu_ratio": r["files_cpu_s"] / r["read_csv_cpu_s"], "load_1min": list(m.load_1min)}


def run(repeats: int, baseline_ref: str, after_ref: str | None = None, rounds: int = 1) -> dict:
    """Before and after in turn, ``rounds`` times (before, after, before, after ...); the figures
    of each version are the medians over its rounds' medians."""
    befores, afters = [], []
    for _ in range(rounds):
        befores.append(_measure(repeats, export_ref(baseline_ref)))
        afters.append(_measure(repeats, export_ref(after_ref) if after_ref else PROJECT_DIR))
    before, after = _median_of(befores), _median_of(afters)
    # each round's after / before of two children run one after the other: the machine's speed
    # drifts over minutes (a virtual machine's neighbours), which a ratio of medians over rounds mixes in
    paired = [{"diagnose_cpu": a["diagnose_cpu_s"] / b["diagnose_cpu_s"], "before_diagnose_cpu_s": b["diagnose_cpu_s"]}
              for b, a in zip(befores, afters)]
    return {"benchmark": "speed", "machine": machine(), "repeats": repeats, "rounds": rounds, "paired": paired,
            "baseline_ref": baseline_ref, "after_ref": after_ref or "working tree",
            "before": before, "after": after, "same_findings": before["findings"] == after["findings"]}


def _median_of(runs: list[dict]) -> dict:
    import statistics

    out = dict(runs[-1])
    for k, v in runs[-1].items():
        if isinstance(v, float):
            out[k] = statistics.median(r[k] for r in runs)
    out["load_1min"] = [r["load_1min"] for r in runs]
    return out


def markdown(result: dict) -> str:
    b, a = result["before"], result["after"]
    def against_pandas(measure: str, seconds: str, ratio: str, pandas: str) -> dict:
        return {"measure": measure, "before s": b[seconds], "after s": a[seconds],
                "pandas s (before / after run)": f"{b[pandas]:.3f} / {a[pandas]:.3f}",
                "ratio before": b[ratio], "ratio after": a[ratio]}

    rows = pd.DataFrame([
        against_pandas("warm load of J / pandas read_csv of the same files, wall (target <= 5)",
                       "load_s", "load_ratio", "read_csv_s"),
        against_pandas("the same, CPU time", "load_cpu_s", "load_cpu_ratio", "read_csv_cpu_s"),
        against_pandas("of which reading the files (read_hospital_files), CPU time (share of the 5x: <= 2.5)",
                       "files_cpu_s", "files_cpu_ratio", "read_csv_cpu_s"),
        against_pandas("of which validation (validate_tables on the tables as read), CPU time (share of the 5x: <= 2.5)",
                       "validate_cpu_s", "validate_cpu_ratio", "read_csv_cpu_s"),
        {"measure": "warm diagnose of J, after / before, wall (target <= 0.33)",
         "before s": b["diagnose_s"], "after s": a["diagnose_s"], "pandas s (before / after run)": "",
         "ratio before": 1.0, "ratio after": a["diagnose_s"] / b["diagnose_s"]},
        {"measure": "the same, CPU time",
         "before s": b["diagnose_cpu_s"], "after s": a["diagnose_cpu_s"], "pandas s (before / after run)": "",
         "ratio before": 1.0, "ratio after": a["diagnose_cpu_s"] / b["diagnose_cpu_s"]},
    ])
    loads = ", ".join(f"{x[0]:.1f}-{x[1]:.1f}" for x in b["load_1min"] + a["load_1min"])
    return ("## 6. Warm load and diagnosis of the J sample (before / after issue 16)\n\n"
            + machine_markdown(result["machine"]) + "\n"
            + f"Median of {result['repeats']} repeats in one warm child process per code version "
              f"({a['actuals_rows']} actuals rows, {a['files']} CSV files), before and after alternating "
              f"{result.get('rounds', 1)} time(s) (median over rounds); \"before\" is commit "
              f"{result['baseline_ref']} measured in the same run as \"after\" "
              f"({result.get('after_ref', 'working tree')}). CPU time is the child's process time, the "
              f"figure to compare on a loaded machine. Load average (1 min) at start-end of each child: "
              f"{loads}. Peak memory "
              f"{b['peak_mb']:.0f} MB before, {a['peak_mb']:.0f} MB after. Same findings before and after: "
            + ("yes" if result["same_findings"] else "**no**") + f" ({', '.join(a['findings'])}).\n\n"
            + markdown_table(rows, "{:.3f}") + _paired_markdown(result.get("paired", [])))


def _paired_markdown(paired: list[dict]) -> str:
    """The diagnose ratio of each round's two adjacent children, and how far "before" moved between rounds."""
    if len(paired) < 2:
        return ""
    import statistics

    ratios = [p["diagnose_cpu"] for p in paired]
    before = [p["before_diagnose_cpu_s"] for p in paired]
    return (f"\nWarm diagnose, after / before of each round's two adjacent children (CPU time): "
            f"{', '.join(f'{r:.3f}' for r in ratios)}; median {statistics.median(ratios):.3f}. The same code "
            f"(before) took {min(before):.3f}-{max(before):.3f} s over the rounds: the machine's speed moves "
            f"between children; pairing adjacent children takes out the slow part of that drift, the ratio of medians above does not.\n")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--baseline-ref", default=BASELINE_REF, help="git commit measured as 'before'")
    ap.add_argument("--after-ref", default=None, help="git commit measured as 'after' (default: the working tree)")
    ap.add_argument("--rounds", type=int, default=3, help="before/after alternations (median over them)")
    ap.add_argument("--quick", action="store_true", help="3 repeats, 1 round (about a minute)")
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    result = run(3 if args.quick else args.repeats, args.baseline_ref, args.after_ref,
                 1 if args.quick else args.rounds)
    return save_result(result, RESULT_FILE, args.quick, markdown)


if __name__ == "__main__":
    main()
