"""The built wheel installs and runs a report outside the source tree (issue 9, "a package that installs").

One slow test: build the wheel from a copy of the project's files, install it into a fresh
virtualenv in ``tmp_path`` and use it from a folder outside the repository with ``PYTHONPATH``
unset, so the checkout cannot be imported.

Shortcut, to keep the test lean (a full dependency install from the registry takes 30-40 s and
about 1 GB): the new virtualenv gets its *dependencies* from the running interpreter's
site-packages through one ``.pth`` line, and the wheel is installed with ``pip install
--no-deps``; the dependencies' Jupyter data files (nbconvert's templates, ipykernel's kernel
spec) come by a link ``share/jupyter`` to the running prefix's. A path line in a ``.pth`` file
only appends that folder to ``sys.path``; the ``.pth`` files inside it (among them the
editable-install finder of casekit in the project's .venv) are not processed, so the checkout
stays unreachable. The test checks that: casekit is
imported from the new virtualenv, reads its notebooks from the package, and the ``python3``
kernel papermill starts runs that virtualenv's interpreter and imports the installed casekit (the
spec's ``python`` is the launching interpreter), so the notebooks run the installed casekit too.
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from casekit.paths import BUNDLED, PACKAGE_DIR, PROJECT_DIR

BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "casekit", *BUNDLED)
CODES = [f"P{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)]
PROBE = """
import json, sys, casekit, casekit.paths as p
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="python3")
seen = []
kc.execute_interactive("import casekit, sys; print(casekit.__file__, sys.executable)", timeout=120,
                       output_hook=lambda m: seen.append(m["content"].get("text", "")))
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps({"casekit": casekit.__file__, "in_checkout": p.IN_CHECKOUT, "notebooks": str(p.NOTEBOOKS_DIR),
                  "kernel": "".join(seen).split(), "python": sys.executable}))
"""


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _sh(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy, so the build's scratch folders never land in the repository."""
    src = tmp_path / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        if (PROJECT_DIR / name).is_dir():
            shutil.copytree(PROJECT_DIR / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(PROJECT_DIR / name, src / name)
    dist = tmp_path / "dist"
    _sh([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(dist)], cwd=tmp_path, env=dict(os.environ))
    (wheel,) = dist.glob("casekit-*.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_installs_and_runs_a_report_outside_the_checkout(tmp_path):
    wheel = _build_wheel(tmp_path)

    # 1. The wheel carries every file of the package (yaml, csv, css ...) and the project's bundled files.
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for rel in _files(PACKAGE_DIR):
            assert f"casekit/{rel}" in names, f"casekit/{rel} is not in the wheel"
        for source, name in BUNDLED.items():
            src = PROJECT_DIR / source
            for f in ([p for p in src.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts]
                      if src.is_dir() else [src]):
                inside = f"casekit/{name}/{f.relative_to(src).as_posix()}" if src.is_dir() else f"casekit/{name}"
                assert zf.read(inside) == f.read_bytes(), f"{inside} differs from {f}"

    # 2. A fresh virtualenv outside the source tree; dependencies by .pth, casekit from the wheel only.
    venv = tmp_path / "venv"
    _sh([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, env=dict(os.environ))
    python = venv / "bin" / "python"
    site = Path(_sh([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=tmp_path, env=dict(os.environ)).strip())
    (site / "casekit-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    (venv / "share").mkdir()
    (venv / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")  # nbconvert templates, kernel spec
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # casekit run --sample writes its sample here
    import matplotlib

    env["MPLCONFIGDIR"] = matplotlib.get_cachedir()  # keep matplotlib's font cache (XDG_CACHE_HOME moved it)
    _sh([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        cwd=tmp_path, env=env)
    installed = _files(site / "casekit")
    work = tmp_path / "work"
    work.mkdir()
    probe = json.loads(_sh([str(python), "-c", PROBE], cwd=work, env=env))
    assert Path(probe["casekit"]).is_relative_to(site), probe
    assert probe["in_checkout"] is False and Path(probe["notebooks"]) == site / "casekit" / "notebooks", probe
    assert probe["kernel"] == [probe["casekit"], probe["python"]], (
        f"the python3 kernel runs {probe['kernel']}, not this virtualenv's casekit and {probe['python']}")
    casekit = str(venv / "bin" / "casekit")

    # 3. casekit sample, then casekit run --sample j (the same files) -> report with the ten findings.
    _sh([casekit, "sample", "--out", "data/sample"], cwd=work, env=env)
    out = _sh([casekit, "run", "--sample", "j", "--no-pdf", "--formats", "html,json"], cwd=work, env=env, timeout=600)
    cached = tmp_path / "cache" / "casekit" / "samples" / "j_hospital"
    assert str(cached) in out
    same = filecmp.dircmp(work / "data" / "sample" / "j_hospital", cached)
    assert not (same.left_only or same.right_only or same.diff_files), same.report()
    report = work / "reports" / "j_hospital"
    findings = json.loads((report / "findings.json").read_text(encoding="utf-8"))
    status = {f["code"]: f["status"] for f in findings["problems"] + findings["causes"]}
    assert status == {code: "present" for code in CODES}
    from casekit.report.html import visible_text

    text = visible_text((report / "report.html").read_text(encoding="utf-8"))
    assert all(f"{code} " in text for code in CODES)
    assert _files(site / "casekit") == installed, "the run wrote into site-packages"

    # 4. casekit notebooks DIR: notebooks that open, and their default data_path exists beside them.
    _sh([casekit, "notebooks", "study"], cwd=work, env=env)
    import nbformat

    for name in (p.name for p in (PROJECT_DIR / "notebooks").glob("*.ipynb")):
        nbformat.validate(nbformat.read(work / "study" / "notebooks" / name, as_version=4))
    found = _sh([str(python), "-c", "from casekit.pipeline.params import resolve_input; "
                 "print(resolve_input('../data/sample/j_hospital'))"], cwd=work / "study" / "notebooks", env=env)
    assert Path(found.strip()) == (work / "study" / "data" / "sample" / "j_hospital").resolve()
