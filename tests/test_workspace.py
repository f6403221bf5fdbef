"""Where casekit finds its notebooks, ``casekit notebooks DIR`` and ``casekit run --sample`` (fast checks).

The installed-wheel layout itself is exercised by the slow ``tests/test_wheel.py``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

import casekit.paths as paths
from casekit.cli import app
from casekit.errors import ConfigError
from casekit.pipeline import params
from casekit.pipeline.workspace import default_sample, notebook_files, write_workspace


def test_a_checkout_reads_the_top_level_notebooks_and_has_no_bundled_copy():
    # setup.py copies notebooks/ into the build tree only; a copy in the package would shadow notebooks/
    assert not (paths.PACKAGE_DIR / paths.BUNDLED["notebooks"]).exists()
    assert paths.IN_CHECKOUT and paths.NOTEBOOKS_DIR == paths.PROJECT_DIR / "notebooks"
    assert paths.CITATION_FILE.is_file() and paths.REPORTS_DIR == paths.PROJECT_DIR / "reports"
    assert all((paths.PROJECT_DIR / name).exists() for name in paths.BUNDLED)


def test_installed_casekit_resolves_relative_paths_from_the_current_folder_only(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert params.resolve_input("../casekit/paths.py").name == "paths.py"  # checkout: tried from notebooks/
    monkeypatch.setattr(paths, "IN_CHECKOUT", False)
    with pytest.raises(ConfigError) as exc:
        params.resolve_input("../casekit/paths.py")
    assert f"looked in: {tmp_path / '../casekit/paths.py'})" in exc.value.message  # never inside the package
    assert str(tmp_path) in exc.value.hint


def test_casekit_notebooks_writes_the_notebooks_and_the_sample_their_default_data_path_names(monkeypatch, tmp_path):
    target = tmp_path / "study"
    result = CliRunner().invoke(app, ["notebooks", str(target)])
    assert result.exit_code == 0, result.output
    sources = notebook_files()
    assert {p.name for p in sources} >= {"01_data_check.ipynb", "05_recommendations.ipynb", "monitor.ipynb"}
    for src in sources:
        assert (target / "notebooks" / src.name).read_bytes() == src.read_bytes()
        if src.suffix == ".ipynb":
            nbformat.validate(nbformat.read(target / "notebooks" / src.name, as_version=4))
    # JupyterLab runs a notebook in its folder: the default ../data/sample/j_hospital resolves there
    monkeypatch.chdir(target / "notebooks")
    data = params.resolve_input("../data/sample/j_hospital")
    assert data == (target / "data" / "sample" / "j_hospital").resolve()
    assert sorted(p.name for p in data.iterdir()) == sorted(p.name for p in (paths.J_HOSPITAL_DIR).iterdir())
    assert (data / "budget.csv").read_bytes() == (paths.J_HOSPITAL_DIR / "budget.csv").read_bytes()

    # again: identical copies and casekit's own sample are replaced without --force
    assert CliRunner().invoke(app, ["notebooks", str(target)]).exit_code == 0
    # an edited notebook is refused, and nothing at all is written (every check comes first)
    edited = target / "notebooks" / "03_problems.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8").replace("\n", "\n ", 1), encoding="utf-8")
    shutil.rmtree(data)
    refused = CliRunner().invoke(app, ["notebooks", str(target)])
    assert refused.exit_code == 1 and "--force" in refused.output and "03_problems.ipynb" in refused.output
    assert not data.exists()
    assert CliRunner().invoke(app, ["notebooks", str(target), "--force"]).exit_code == 0
    assert edited.read_bytes() == (paths.NOTEBOOKS_DIR / "03_problems.ipynb").read_bytes() and data.is_dir()


def test_casekit_notebooks_never_writes_into_casekit_itself():
    for target in (paths.PACKAGE_DIR / "x", paths.NOTEBOOKS_DIR.parent):
        with pytest.raises(ConfigError, match="casekit's own files"):
            write_workspace(target)


def test_the_sample_written_is_read_from_the_notebooks_parameters_cell(tmp_path):
    assert default_sample() == ("j", Path("../data/sample/j_hospital"))
    folder = tmp_path / "nb"
    folder.mkdir()
    nb = nbformat.read(paths.NOTEBOOKS_DIR / "01_data_check.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace("../data/sample/j_hospital", "../data/sample/mixed_hospital")
    nbformat.write(nb, folder / "01_data_check.ipynb")
    assert default_sample(folder) == ("mixed", Path("../data/sample/mixed_hospital"))
    cell.source = cell.source.replace("../data/sample/mixed_hospital", "/srv/hospital")
    nbformat.write(nb, folder / "01_data_check.ipynb")
    with pytest.raises(ConfigError, match="not a sample folder"):
        default_sample(folder)


def test_casekit_run_needs_exactly_one_of_a_data_path_and_a_sample():
    neither = CliRunner().invoke(app, ["run"])
    assert neither.exit_code == 1 and "--sample NAME" in neither.output and "not both" not in neither.output
    both = CliRunner().invoke(app, ["run", str(paths.J_HOSPITAL_DIR), "--sample", "j"])
    assert both.exit_code == 1 and "not both" in both.output
    unknown = CliRunner().invoke(app, ["run", "--sample", "k"])
    assert unknown.exit_code == 1 and "well_run" in unknown.output


def test_the_sample_of_run_sample_is_written_to_the_user_cache_folder(monkeypatch, tmp_path):
    from casekit.sample.cli_support import cached_sample

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = cached_sample("mixed")
    assert folder == tmp_path / "cache" / "casekit" / "samples" / "mixed_hospital"
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert cached_sample("mixed") == folder  # written again, byte for byte the same
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first


def test_a_python3_kernel_spec_of_another_python_is_refused(monkeypatch, tmp_path):
    import json
    import sys

    from casekit.pipeline.notebooks import check_kernel

    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))  # searched before every other Jupyter data folder

    def kernel(exe: str) -> None:
        (spec / "kernel.json").write_text(json.dumps({"argv": [exe, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                      "display_name": "Python 3", "language": "python"}))

    for ok in ("python", sys.executable):  # Jupyter runs the current interpreter / this interpreter
        kernel(ok)
        check_kernel()
    other = tmp_path / "other-env" / "bin" / "python"  # an interpreter of another environment
    other.parent.mkdir(parents=True)
    other.write_text("#!/bin/sh\necho /opt/other-env\n")
    other.chmod(0o755)
    kernel(str(other))
    with pytest.raises(ConfigError, match="not the Python of this casekit") as exc:
        check_kernel()
    assert "ipykernel install --user" in exc.value.hint
    kernel(str(tmp_path / "missing" / "python"))
    with pytest.raises(ConfigError, match="runs .*missing/python"):
        check_kernel()
