"""Shared helpers of the benchmark scripts: machine facts, child-process measurement, tables.

Every measurement runs in a fresh Python subprocess; its wall time is measured inside the child
(around the operation only, after imports) and its peak resident memory is the child's own
high-water mark (``VmHWM`` in ``/proc/self/status``, which ``execve`` resets; ``ru_maxrss``
from ``os.wait4`` is not used because Linux carries the parent's RSS at fork time into it).
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "_work"
PYTHON = sys.executable


@dataclass
class Measure:
    """One child-process measurement."""

    seconds: float
    peak_mb: float
    result: dict
    cpu_s: float = float("nan")
    """User + system CPU time of the child and of every process it waited for (pool workers ...)."""
    load_1min: tuple[float, float] = (float("nan"), float("nan"))
    """The 1-minute load average when the child started and when it ended."""


_PEAK_REPORT = """
try:
    import re as _re
    with open("/proc/self/status") as _fh:
        print('{"vmhwm_kb": %s}' % _re.search(r"VmHWM:\\s+(\\d+)", _fh.read()).group(1))
except OSError:
    pass
"""


def run_child(code: str, *, env: dict | None = None) -> Measure:
    """Run ``code`` in a fresh interpreter; it must print one JSON line with ``seconds``.

    Returns the child's own timing, its peak RSS in MB (the child's ``VmHWM``, printed by the
    child at exit) and the parsed JSON. Raises ``RuntimeError`` with the child's stderr on failure.

    The child imports casekit from ``PYTHONPATH`` only: it runs with ``-P`` (no current folder on
    ``sys.path``) and, unless ``env`` sets ``PYTHONPATH`` (a baseline commit from
    :func:`export_ref`), with this working tree first on it. Without ``-P`` the project folder,
    the child's working directory, would shadow a baseline's code.
    """
    code = code + _PEAK_REPORT
    path = os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")]))
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([PYTHON, "-P", "-c", code], stdout=out, stderr=err, cwd=PROJECT_DIR,
                                env={**os.environ, "PYTHONPATH": path, **(env or {})}, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}):\n{stderr[-3000:]}")
    start = stdout.rfind('{"seconds"')
    if start < 0:
        raise RuntimeError(f"benchmark child printed no result:\n{stdout[-1000:]}\n{stderr[-3000:]}")
    result = json.loads(stdout[start:].splitlines()[0])
    hwm = stdout.rfind('{"vmhwm_kb"')
    peak_kb = json.loads(stdout[hwm:].splitlines()[0])["vmhwm_kb"] if hwm >= 0 else None
    # ru_maxrss of a child starts from the parent's RSS at fork time on Linux, so prefer the
    # child's own VmHWM (reset by execve); fall back to ru_maxrss where /proc is absent.
    return Measure(float(result["seconds"]), (peak_kb or usage.ru_maxrss) / 1024.0, result,
                   cpu_s=usage.ru_utime + usage.ru_stime, load_1min=(load_start, os.getloadavg()[0]))


def export_ref(ref: str, paths: tuple[str, ...] = ("casekit",)) -> Path:
    """The files under ``paths`` of commit ``ref``, exported with ``git archive`` into ``_work/baseline_<ref>``.

    Put the returned folder first on ``PYTHONPATH`` of a child (and of the kernels it starts) to
    measure that commit's code in the same run as the working tree's. A folder exported earlier is
    reused when it already holds every path.
    """
    import shutil

    dest = WORK_DIR / f"baseline_{ref}"
    if not all((dest / p).exists() for p in paths):
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", ref, *paths], cwd=PROJECT_DIR, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def machine() -> dict:
    """Facts that make a figure comparable: cores, memory, CPU model, OS and versions."""
    cpu = platform.processor() or ""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil
        mem_gb = psutil.virtual_memory().total / 2**30
        load = os.getloadavg()[0]
    except Exception:  # psutil missing: report what the OS gives
        mem_gb, load = float("nan"), float("nan")
    versions = {}
    for pkg in ("casekit", "duckdb", "pandas", "numpy", "pyarrow", "papermill", "nbconvert", "dask"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "absent"
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_gb, 1), "cpu": cpu,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "load_1min_at_start": round(load, 2), "versions": versions,
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def machine_markdown(m: dict) -> str:
    v = ", ".join(f"{k} {val}" for k, val in m["versions"].items())
    return (f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, {m['os']}, Python {m['python']}\n"
            f"- Load average (1 min) when the run started: {m['load_1min_at_start']} (the machine is shared; "
            f"timings are noisy, ratios less so)\n"
            f"- Versions: {v}\n- Date: {m['date']}\n")


def markdown_table(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    """A GitHub-flavoured markdown table (no extra dependency)."""
    cols = list(df.columns)

    def fmt(v):
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else floatfmt.format(v)
        return str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def ledger_hospital(departments: int = 40, accounts: int = 50, years: int = 5, seed: int = 7):
    """A large hospital's monthly actuals as a Hospital (no generator needed).

    40 departments x 50 accounts x 60 months = 120,000 cells: a large hospital whose ledger has
    millions of lines. Account codes include dotted and zero-padded forms (6001.10, 001).
    """
    from casekit.data.hospital import Hospital, Profile

    rng = np.random.default_rng(seed)
    depts = [f"D{i:03d}" for i in range(departments)]
    accts = [f"{6001 + i // 10}.{(i % 10) * 10:02d}" if i % 3 else f"{i:03d}" for i in range(accounts)]
    idx = pd.MultiIndex.from_product([range(2019, 2019 + years), range(1, 13), depts, accts],
                                     names=["year", "month", "dept_id", "account_id"])
    act = idx.to_frame(index=False)
    act["month"] = act["month"].astype("Int64")
    act["amount"] = np.round(rng.lognormal(11, 1.2, len(act)), 2)
    dep = pd.DataFrame({"dept_id": depts, "name": depts, "type": "clinical"})
    acc = pd.DataFrame({"account_id": accts, "name": accts, "direction": "expense", "category": "materials"})
    bud = act.groupby(["year", "dept_id", "account_id"], as_index=False)["amount"].sum()
    bud = bud.rename(columns={"amount": "original"})
    bud["adjusted"] = bud["original"]
    bud["adjusted_given"] = False
    return Hospital(Profile("Benchmark hospital", synthetic=True), dep, acc, bud, act)


def fmt_rows(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


def save_result(result: dict, result_file: Path, quick: bool, markdown) -> dict:
    """Record whether this was a quick smoke run, write the JSON result and print its section."""
    result["quick"] = bool(quick)
    result_file.write_text(json.dumps(result, indent=1))
    print(markdown(result))
    return result
