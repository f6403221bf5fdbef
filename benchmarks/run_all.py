"""Run every casekit benchmark and write benchmarks/RESULTS.md (``make bench``).

Each benchmark writes its figures to ``benchmarks/_work/results_<name>.json``; this script then
assembles RESULTS.md from those files, so a benchmark run alone (``python
benchmarks/bench_ledger.py``) also lands in RESULTS.md at the next ``--assemble``. A benchmark
that fails is reported as not run, with the reason, and the others still run.

Usage::

    python benchmarks/run_all.py                 # everything (the 30M-row ledger takes minutes)
    python benchmarks/run_all.py --quick         # smoke run of every benchmark
    python benchmarks/run_all.py --only ledger,scaling
    python benchmarks/run_all.py --assemble      # rebuild RESULTS.md from the last results
"""
from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, WORK_DIR  # noqa: E402

BENCHMARKS = {"ledger": "bench_ledger", "run": "bench_run", "batch": "bench_batch", "scaling": "bench_scaling",
              "excel": "bench_excel", "speed": "bench_speed", "monitor": "bench_monitor",
              "findings": "bench_findings", "outputs": "bench_outputs", "large": "bench_large"}
RESULTS_MD = BENCH_DIR / "RESULTS.md"
NOTES_FILE = BENCH_DIR / "NOTES.md"

HEADER = """# casekit benchmark results

Written by `make bench` (`benchmarks/run_all.py`); do not edit by hand — interpretation and
the targets that were missed are discussed in `benchmarks/NOTES.md`, which is appended below.
Every figure is a ratio against a baseline measured in the same run on the same machine.
"""


def _previous_section(module: str, previous: str) -> str:
    """The section of benchmark ``module`` in the previous RESULTS.md (``## N.`` for ``Benchmark N:``)."""
    doc = importlib.import_module(module).__doc__ or ""
    number = re.match(r"Benchmark (\d+):", doc.strip())
    if not number:
        return ""
    found = re.search(rf"^## {number.group(1)}\. .*?(?=^## |\Z)", previous, flags=re.S | re.M)
    if not found:
        return ""
    head, _, body = found.group(0).partition("\n")
    body = re.sub(r"^\*Kept from the previous RESULTS\.md[^\n]*$", "", body, flags=re.M).strip()
    return (f"{head}\n\n*Kept from the previous RESULTS.md: not run this time "
            f"(`python benchmarks/{module}.py`).*\n\n{body}\n")


def assemble(errors: dict[str, str]) -> Path:
    """Write RESULTS.md from the results files present (and the reasons of any failures).

    A benchmark without a results file keeps its section of the previous RESULTS.md, marked as
    kept, so running one benchmark does not erase the others' last figures.
    """
    previous = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if NOTES_FILE.exists():  # the notes are appended anew below
        previous = previous.split(NOTES_FILE.read_text(encoding="utf-8").strip()[:60])[0]
    parts = [HEADER]
    for name, module in BENCHMARKS.items():
        path = WORK_DIR / f"results_{name}.json"
        if name in errors:
            parts.append(f"## {name}\n\nNot run: {errors[name]}\n")
        elif path.exists():
            result = json.loads(path.read_text())
            section = importlib.import_module(module).markdown(result)
            if result.get("quick"):
                section = section.replace("\n\n", "\n\n**Quick smoke run: sizes are too small to judge the "
                                                  "targets.**\n\n", 1)
            parts.append(section)
        else:
            parts.append(_previous_section(module, previous)
                         or f"## {name}\n\nNot run yet (`python benchmarks/{module}.py`).\n")
    if NOTES_FILE.exists():
        parts.append(NOTES_FILE.read_text(encoding="utf-8"))
    RESULTS_MD.write_text("\n".join(parts), encoding="utf-8")
    return RESULTS_MD


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke variant of every benchmark")
    ap.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated: " + ", ".join(BENCHMARKS))
    ap.add_argument("--assemble", action="store_true", help="only rebuild RESULTS.md from the last results")
    args = ap.parse_args(argv)
    errors: dict[str, str] = {}
    if not args.assemble:
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        for name in args.only.split(","):
            print(f"== benchmark {name}", flush=True)
            try:
                importlib.import_module(BENCHMARKS[name]).main(["--quick"] if args.quick else [])
            except Exception as exc:  # one failing benchmark must not hide the others' figures
                traceback.print_exc()
                errors[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    path = assemble(errors)
    print(f"wrote {path}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
