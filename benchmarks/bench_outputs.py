"""Benchmark 9: the report outputs of a Chinese J run: font subset, report.docx, report.pdf.

The executed notebooks of one ``casekit run data/sample/j_hospital --lang zh --no-pdf`` (made once
into ``benchmarks/_work/outputs_zh``) are rendered in fresh child processes (median of
``--repeats``, interleaved):

* baseline: ``casekit.report.html.render_html`` (nbconvert export, table of contents, alt text);
* ``embed_fonts``: the fontTools subset of Noto Sans CJK SC embedded in that page;
* ``write_docx``: report.docx from the page (python-docx);
* ``print_pdf``: report.pdf printed by headless Chromium (skipped without a browser).

Each step is given as a ratio to the baseline, with the page's size without and with the
embedded font, so the cost of fonts that travel is visible in the same run.

Usage::

    python benchmarks/bench_outputs.py
    python benchmarks/bench_outputs.py --quick      # 1 repeat
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT_DIR, PYTHON, WORK_DIR, machine, machine_markdown, markdown_table, run_child, save_result  # noqa: E402

RESULT_FILE = WORK_DIR / "results_outputs.json"
RUN_DIR = WORK_DIR / "outputs_zh"

_SETUP = """
import json, time
from pathlib import Path
import nbformat
run = Path({run!r})
books = [nbformat.read(p, as_version=4) for p in sorted(run.glob("executed_0*.ipynb"))]
nb = books[0]
for b in books[1:]:
    nb.cells.extend(b.cells)
from casekit.report.html import embed_fonts, render_html
"""
_STEPS = {
    "render_html": """
t = time.perf_counter()
page = render_html(nb, title="J", lang="zh")
print(json.dumps({"seconds": time.perf_counter() - t, "bytes": len(page.encode())}))
""",
    "embed_fonts": """
page = render_html(nb, title="J", lang="zh")
t = time.perf_counter()
page, font = embed_fonts(page)
print(json.dumps({"seconds": time.perf_counter() - t, "bytes": len(page.encode()), "font_bytes": font.nbytes,
                  "characters": font.characters}))
""",
    "write_docx": """
from casekit.report.word import write_docx
page, _ = embed_fonts(render_html(nb, title="J", lang="zh"))
t = time.perf_counter()
path = write_docx(page, run / "bench.docx", title="J", lang="zh")
print(json.dumps({"seconds": time.perf_counter() - t, "bytes": path.stat().st_size}))
""",
    "print_pdf": """
from casekit.report.pdf import print_pdf
from casekit.fs.atomic import write_text
page, _ = embed_fonts(render_html(nb, title="J", lang="zh"))
html = write_text(run / "bench.html", page)
t = time.perf_counter()
path = print_pdf(html, run / "bench.pdf")
print(json.dumps({"seconds": time.perf_counter() - t, "bytes": path.stat().st_size}))
""",
}


def prepare() -> Path:
    """The executed notebooks of a Chinese J run (made once)."""
    if not any(RUN_DIR.glob("executed_0*.ipynb")):
        subprocess.run([PYTHON, "-m", "casekit", "run", str(PROJECT_DIR / "data" / "sample" / "j_hospital"),
                        "--lang", "zh", "--no-pdf", "--out", str(RUN_DIR)], check=True, cwd=PROJECT_DIR)
    return RUN_DIR


def run(repeats: int) -> dict:
    from casekit.report.pdf import find_chromium

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    folder = prepare()
    steps = [s for s in _STEPS if s != "print_pdf" or find_chromium() is not None]
    measured: dict[str, list] = {s: [] for s in steps}
    for _ in range(repeats):
        for step in steps:
            measured[step].append(run_child(_SETUP.format(run=str(folder)) + _STEPS[step]))
    base = statistics.median(m.seconds for m in measured["render_html"])
    rows = []
    for step in steps:
        seconds = statistics.median(m.seconds for m in measured[step])
        rows.append({"step": step, "seconds": seconds, "ratio_to_render_html": seconds / base,
                     "bytes": measured[step][0].result["bytes"]})
    font = measured["embed_fonts"][0].result
    return {"benchmark": "outputs", "machine": machine(), "repeats": repeats, "rows": rows,
            "page_bytes_without_font": measured["render_html"][0].result["bytes"],
            "page_bytes_with_font": font["bytes"], "font_bytes": font["font_bytes"], "characters": font["characters"]}


def markdown(result: dict) -> str:
    df = pd.DataFrame(result["rows"])
    table = pd.DataFrame({"step": df["step"], "seconds": df["seconds"], "÷ render_html": df["ratio_to_render_html"],
                          "output KiB": df["bytes"] / 1024})
    return ("## 9. Report outputs (Chinese J report)\n\n" + machine_markdown(result["machine"]) + "\n"
            + f"Median of {result['repeats']} fresh child processes each, interleaved. report.html is "
              f"{result['page_bytes_without_font'] / 1024:.0f} KiB without and "
              f"{result['page_bytes_with_font'] / 1024:.0f} KiB with the embedded font subset "
              f"({result['characters']} characters, {result['font_bytes'] / 1024:.0f} KiB WOFF).\n\n"
            + markdown_table(table))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 repeat")
    args = ap.parse_args(argv)
    result = run(1 if args.quick else args.repeats)
    return save_result(result, RESULT_FILE, args.quick, markdown)


if __name__ == "__main__":
    main()
