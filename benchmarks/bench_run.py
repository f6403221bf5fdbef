"""Benchmark 2: end-to-end ``casekit run`` on the J sample against the notebook floor.

The floor is what any notebook-based report pays however fast the analysis is: papermill
executing one kernel over as many empty cells as casekit has notebooks (casekit combines its
notebooks into one kernel run), plus an nbconvert HTML export (no input cells, no CDN scripts).
Both are timed in fresh child processes, after imports, best of the repeats.

Target: casekit run <= 2x the floor.

``--baseline-ref REF`` (repeatable) also runs the same child on the code and notebooks of commit
REF, exported with ``git archive`` and put first on ``PYTHONPATH`` (the kernels inherit it): the
commits and the working tree are run alternately in one session, so "before" and "after" share
the machine's state. Issue 9 asks that its second design leave ``casekit run`` no slower.

Usage::

    python benchmarks/bench_run.py            # J sample, 3 repeats
    python benchmarks/bench_run.py --quick    # small J hospital, 1 repeat
    python benchmarks/bench_run.py --baseline-ref 9526e92 --baseline-ref 82e683e
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
from statistics import median
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import WORK_DIR, export_ref, machine, machine_markdown, markdown_table, run_child  # noqa: E402

RESULT_FILE = WORK_DIR / "results_run.json"

_CASEKIT = """
import json, time
import nbconvert, papermill  # imported before timing, as in the floor child
import casekit
t = time.perf_counter()
result = casekit.run({data!r}, out_dir={out!r}, pdf=False, progress=False{formats})
seconds = time.perf_counter() - t
steps = {{}}
for line in result.log.split("timings:", 1)[-1].splitlines():
    parts = line.split()
    if len(parts) >= 3 and parts[-1] == "s":
        steps[" ".join(parts[:-2])] = float(parts[-2])
print(json.dumps({{"seconds": seconds, "outputs": len(result.outputs), "steps": steps}}))
"""

_FLOOR = """
import json, time
import nbformat, papermill
from nbconvert import HTMLExporter
t = time.perf_counter()
papermill.execute_notebook({nb!r}, {out_nb!r}, kernel_name="python3", progress_bar=False, log_output=False)
exporter = HTMLExporter(exclude_input=True, mathjax_url="", require_js_url="")
body, _ = exporter.from_notebook_node(nbformat.read({out_nb!r}, as_version=4))
open({html!r}, "w", encoding="utf-8").write(body)
print(json.dumps({{"seconds": time.perf_counter() - t}}))
"""


def empty_notebook(path: Path, cells: int) -> Path:
    """A notebook with a parameters cell and ``cells`` empty code cells (the floor)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("data_path = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell("") for _ in range(cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def sample_hospital(quick: bool) -> Path:
    """The bundled J sample; generated under benchmarks/_work if absent (or small with --quick)."""
    from casekit.paths import J_HOSPITAL_DIR

    if J_HOSPITAL_DIR.is_dir() and not quick:
        return J_HOSPITAL_DIR
    from casekit.sample import generate, write_hospital

    folder = WORK_DIR / ("j_small" if quick else "j_hospital")
    if not folder.is_dir():
        h = generate("j", departments=6, years=2) if quick else generate("j")
        write_hospital(h, folder)
    return folder


def run(repeats: int, quick: bool, baseline_refs: tuple[str, ...] = (), formats: str = "") -> dict:
    from casekit.paths import NOTEBOOKS_DIR

    data = sample_hospital(quick)
    n_notebooks = len(sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")))
    work = WORK_DIR / "run"
    work.mkdir(parents=True, exist_ok=True)
    nb = empty_notebook(work / "floor.ipynb", n_notebooks)
    code = {ref: export_ref(ref, ("casekit", "notebooks")) for ref in baseline_refs}
    times: dict[str, list[float]] = {"casekit": [], "floor": [], **{ref: [] for ref in baseline_refs}}
    steps: dict[str, float] = {}
    for i in range(repeats):
        m = run_child(_FLOOR.format(nb=str(nb), out_nb=str(work / "floor_out.ipynb"), html=str(work / "floor.html")))
        times["floor"].append(m.seconds)
        for ref, folder in code.items():
            out = work / f"report_{ref}_{i}"
            env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}
            times[ref].append(run_child(_CASEKIT.format(data=str(data), out=str(out), formats=""), env=env).seconds)
            shutil.rmtree(out, ignore_errors=True)
        out = work / f"report_{i}"
        m = run_child(_CASEKIT.format(data=str(data), out=str(out), formats=f", formats={formats!r}" if formats else ""))
        times["casekit"].append(m.seconds)
        steps = m.result.get("steps", {})
        shutil.rmtree(out, ignore_errors=True)
    row = {"data": str(data), "notebooks": n_notebooks, "repeats": repeats, "formats": formats or "default",
           "casekit_s": min(times["casekit"]), "floor_s": min(times["floor"]),
           "casekit_all_s": times["casekit"], "floor_all_s": times["floor"], "casekit_steps_last_run": steps,
           "baselines": {ref: {"casekit_s": min(times[ref]), "casekit_all_s": times[ref]} for ref in baseline_refs}}
    row["ratio"] = row["casekit_s"] / row["floor_s"]
    print(json.dumps(row), flush=True)
    return {"benchmark": "run", "machine": machine(), "rows": [row], "quick": quick}


def markdown(result: dict) -> str:
    r = result["rows"][0]
    table = pd.DataFrame([{
        "hospital": Path(r["data"]).name, "notebooks": r["notebooks"], "outputs": r.get("formats", "default"),
        "casekit run s": r["casekit_s"],
        "floor s (papermill, empty cells, one kernel + nbconvert HTML)": r["floor_s"],
        "casekit / floor (target <= 2)": r["ratio"],
    }])
    baselines = r.get("baselines") or {}
    before = "" if not baselines else (
        "\nThe same run on earlier commits (their code and notebooks, run alternately with the working tree; "
        "ratio = working tree / commit, below 1 is faster now):\n\n" + markdown_table(pd.DataFrame([{
            "commit": ref, "casekit run s (best)": b["casekit_s"], "median s": median(b["casekit_all_s"]),
            "all runs s": ", ".join(f"{t:.1f}" for t in b["casekit_all_s"]),
            "working tree / commit, best": r["casekit_s"] / b["casekit_s"],
            "working tree / commit, median": median(r["casekit_all_s"]) / median(b["casekit_all_s"])}
            for ref, b in baselines.items()])))
    return ("## 2. End-to-end `casekit run` (J sample, no PDF)\n\n" + machine_markdown(result["machine"]) + "\n"
            + f"Best of {r['repeats']} runs each; all runs: casekit {', '.join(f'{t:.1f}' for t in r['casekit_all_s'])} s; "
              f"floor {', '.join(f'{t:.1f}' for t in r['floor_all_s'])} s.\n\n" + markdown_table(table)
            + ("\nWhere casekit's time goes (its run.log, last run): "
               + ", ".join(f"{k} {v:.1f} s" for k, v in r.get("casekit_steps_last_run", {}).items()) + ".\n"
               if r.get("casekit_steps_last_run") else "") + before)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small J hospital, one repeat")
    ap.add_argument("--baseline-ref", action="append", default=[],
                    help="git commit also measured in the same run (repeatable)")
    ap.add_argument("--formats", default="",
                    help="outputs of the working tree's run (casekit run --formats), e.g. html,xlsx,json to "
                         "leave out report.docx that older commits did not write; default: casekit's default")
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    result = run(1 if args.quick else args.repeats, args.quick, tuple(args.baseline_ref), args.formats)
    RESULT_FILE.write_text(json.dumps(result, indent=1))
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
