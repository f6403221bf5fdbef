"""The runner's pieces on tiny fixture notebooks, plus the end-to-end run of the J sample."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from casekit.pipeline import notebooks, outputs, params, runner
from casekit.errors import ConfigError, NotebookExecutionError, OutputError
from casekit.pipeline.analysis import ANALYSIS_FILE

FIX = Path(__file__).parent / "fixtures" / "notebooks"
OK, BROKEN, NOPARAM = FIX / "ok_two_cells.ipynb", FIX / "broken.ipynb", FIX / "no_parameters.ipynb"


def test_declared_parameters_types():
    decl = {k: (p.default, p.type) for k, p in params.declared_parameters(nbformat.read(OK, as_version=4)).items()}
    assert decl["n"] == (3, "int") and decl["scale"] == (1.5, "float") and decl["label"] == ("x", "str")
    assert decl["redact"] == (False, "bool") and decl["years"] == (None, "")
    assert params.declared_parameters(nbformat.read(NOPARAM, as_version=4)) == {}


def test_declared_parameters_reads_help_and_rejects_what_is_not_a_literal_assignment():
    spec = params.declared_parameters('lang: str = "en"  # report language\nn = 3')
    assert spec["lang"] == params.Param("lang", "str", "en", "report language") and spec["n"].type == "int"
    for bad in ("import os", "x = compute()", "a, b = 1, 2", "x: int"):
        with pytest.raises(ConfigError, match="name: type = default"):
            params.declared_parameters(bad)


@pytest.mark.parametrize("pair, expected", [
    ("n=7", {"n": 7}), ("scale=2", {"scale": 2.0}), ("label=a=b; import os", {"label": "a=b; import os"}),
    ("years=2022,2023", {"years": [2022, 2023]}), ("years=[2021]", {"years": [2021]}),
])
def test_parse_params_converts(pair, expected):
    decl = params.declared_parameters(nbformat.read(OK, as_version=4))
    assert params.parse_params([pair], decl) == expected


@pytest.mark.parametrize("pair, match", [
    ("nope=1", "unknown notebook parameter 'nope'"),  # papermill only warns; we stop
    ("n=three", "must be an integer"),
    ("scale=x", "must be a number"),
    ("lang=zh", "set by casekit itself"),
    ("data_path=/etc", "set by casekit itself"),
    ("novalue", "name=value"),
    ("1n=2", "name=value"),
])
def test_parse_params_rejects(pair, match):
    decl = params.declared_parameters(nbformat.read(OK, as_version=4))
    with pytest.raises(ConfigError, match=match):
        params.parse_params([pair], decl)


def test_parse_params_rejects_repeats():
    decl = params.declared_parameters(nbformat.read(OK, as_version=4))
    with pytest.raises(ConfigError, match="twice"):
        params.parse_params(["n=1", "n=2"], decl)


def test_combine_keeps_first_parameters_and_tags_sources(tmp_path):
    later = nbformat.read(BROKEN, as_version=4)
    later.cells.insert(2, nbformat.v4.new_code_cell("notebook_params.check(globals())"))  # its setup cell stays
    p = tmp_path / "broken.ipynb"
    nbformat.write(later, p)
    nb = notebooks.combine([OK, p, NOPARAM])
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    checks = [c for c in nb.cells if "check(" in c.source or "strict-check" in c.metadata.get("tags", [])]
    assert len(params) == 1 and len(checks) == 2
    assert params[0].metadata["casekit"] == {"source": "ok_two_cells.ipynb", "index": 1}
    # 5 cells of ok, broken minus its parameters cell (5), no_parameters (2)
    assert len(nb.cells) == 5 + 5 + 2
    assert [notebooks.source_of(nb, k) for k in (5, 9, 11)] == [
        ("broken.ipynb", 0), ("broken.ipynb", 5), ("no_parameters.ipynb", 1)]
    assert len({c.id for c in nb.cells}) == len(nb.cells)
    nbformat.validate(nb)


def test_combine_merges_parameters_only_later_notebooks_declare(tmp_path):
    later = nbformat.read(BROKEN, as_version=4)
    later.cells[1].source = 'data_path = ""\nextra: int = 4'
    p = tmp_path / "later.ipynb"
    nbformat.write(later, p)
    nb = notebooks.combine([OK, p])
    assert params.declared_parameters(nb)["extra"] == params.Param("extra", "int", 4)
    assert nb.cells[1].source.count("data_path") == 1


def _fake_run(nb, parameters):
    """What papermill writes before executing: the injected-parameters cell after the parameters cell."""
    from papermill.parameterize import parameterize_notebook

    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault("papermill", {})
    return parameterize_notebook(nb, parameters, kernel_name="python3", language="python")


def test_audit_notebooks_get_their_parameters_cell_back_with_the_values_used(tmp_path):
    later = nbformat.read(BROKEN, as_version=4)
    later.cells[1].source = 'data_path = ""\nlang = "en"\noutput_dir = ""'
    p = tmp_path / "later.ipynb"
    nbformat.write(later, p)
    run = {"data_path": "/data/j", "lang": "zh", "output_dir": "/tmp/.staging-x", "n": 7}
    parts = notebooks.split(_fake_run(notebooks.combine([OK, p]), run))
    assert [c for c in parts["later.ipynb"].cells if "parameters" in c.metadata.get("tags", [])] == []
    for name, source in (("ok_two_cells.ipynb", nbformat.read(OK, as_version=4)), ("later.ipynb", later)):
        audit = notebooks.for_audit(parts[name], source, run, reset=("output_dir",))
        tags = [c.metadata.get("tags", []) for c in audit.cells]
        at = next(k for k, t in enumerate(tags) if "parameters" in t)
        assert "injected-parameters" in tags[at + 1] and sum("injected-parameters" in t for t in tags) == 1
        assert [c.source for k, c in enumerate(audit.cells) if k != at + 1] == [c.source for c in source.cells]
        injected = audit.cells[at + 1].source
        assert 'data_path = "/data/j"' in injected and 'lang = "zh"' in injected and 'output_dir = ""' in injected
        assert "staging" not in injected and audit.metadata.papermill.parameters["output_dir"] == ""
        nbformat.validate(audit)


@pytest.mark.slow
def test_execute_split_and_broken_cell_is_located(tmp_path):
    nb = notebooks.combine([OK, NOPARAM])
    src = tmp_path / "c.ipynb"
    nbformat.write(nb, src)
    executed = notebooks.execute(src, tmp_path / "e.ipynb", {"n": 5, "label": "'); raise SystemExit('x"},
                              cwd=tmp_path, progress=False)
    parts = notebooks.split(executed)
    assert list(parts) == ["ok_two_cells.ipynb", "no_parameters.ipynb"]
    text = str(parts["ok_two_cells.ipynb"].cells[4].outputs)
    assert "n = 5" in text and "raise SystemExit" in text  # the value arrived as data, not code
    assert "injected-parameters" in parts["ok_two_cells.ipynb"].cells[2].metadata["tags"]
    assert "42" in parts["no_parameters.ipynb"].cells[1].outputs[0]["text"]

    nb = notebooks.combine([OK, BROKEN])
    nbformat.write(nb, src)
    with pytest.raises(NotebookExecutionError) as info:
        notebooks.execute(src, tmp_path / "b.ipynb", {"n": 1}, cwd=tmp_path, progress=False)
    err = info.value
    assert (err.notebook, err.cell_index, err.ename) == ("broken.ipynb", 3, "ValueError")
    assert "boom from fixture" in str(err) and "broken.ipynb, cell 3" in str(err)
    parts = notebooks.split(nbformat.read(tmp_path / "b.ipynb", as_version=4))
    anchor = [c for c in parts["broken.ipynb"].cells if notebooks.ERROR_MARKER_TAG in c.metadata.get("tags", [])]
    assert len(anchor) == 1  # papermill's anchor stays with the failing notebook


def test_check_outputs_catches_missing_figures_and_sections(tmp_path):
    (tmp_path / "report.html").write_text("P1 P2 P3 P4 P5 <img src='data:image/png;base64,AAAA'>")
    outputs.check_outputs(tmp_path, ["report.html"], figures=1)
    with pytest.raises(OutputError, match="embeds 1 figure"):
        outputs.check_outputs(tmp_path, ["report.html"], figures=2)
    (tmp_path / "report.html").write_text("P1 P2 P4 P5")
    with pytest.raises(OutputError, match="P3"):
        outputs.check_outputs(tmp_path, ["report.html"], figures=0)
    # codes only inside embedded image data or attributes do not count: the reader cannot see them
    (tmp_path / "report.html").write_text("<h2>P1 P2 P4 P5</h2><img alt='P3' src='data:image/png;base64,P3P3'>")
    with pytest.raises(OutputError, match="P3"):
        outputs.check_outputs(tmp_path, ["report.html"], figures=0)
    (tmp_path / "empty.json").write_text("")
    with pytest.raises(OutputError, match="empty.json"):
        outputs.check_outputs(tmp_path, ["empty.json"], figures=0)


def _figure_cell(*marks, tags=("figure",), png=False):
    from nbformat.v4 import new_code_cell, new_output

    from casekit.report.blocks import FIGURE_METADATA

    outputs = [new_output("display_data", data={"text/html": "<p>x</p>"},
                          metadata={FIGURE_METADATA: {"name": n, "status": st, "needs": "t"}}) for n, st in marks]
    if png:
        outputs.append(new_output("display_data", data={"image/png": "AAAA"}))
    cell = new_code_cell("narrative.finding_section(s, 'P4')", outputs=outputs, metadata={"tags": list(tags)})
    cell.metadata["casekit"] = {"source": "03_problems.ipynb", "index": 9}
    return cell


def test_check_figures_names_a_missing_tagged_figure_but_accepts_absent_data():
    from nbformat.v4 import new_notebook

    def nb(*cells):
        return new_notebook(cells=list(cells), metadata={"casekit": {"sources": ["03_problems.ipynb"]}})

    ok = nb(_figure_cell(("execution_heatmap", "drawn"), ("time_progress", "data_absent")))
    assert notebooks.check_figures(ok) == [] and notebooks.drawn_figures(ok) == 1
    bad = nb(_figure_cell(("performance_linkage", "missing")))
    assert notebooks.check_figures(bad) == ["03_problems.ipynb cell 9: figure performance_linkage not drawn (needs t)"]
    silent = nb(_figure_cell())
    assert notebooks.check_figures(silent) == ["03_problems.ipynb cell 9: no figure output"]
    assert notebooks.check_figures(nb(_figure_cell(tags=()))) == []  # untagged cells are not checked


def test_run_fails_naming_the_missing_figure(tmp_path, monkeypatch):
    from nbformat.v4 import new_notebook

    from _j_report import j_data

    def fake_execute(combined_path, output_path, parameters, **kw):
        import nbformat

        executed = new_notebook(cells=[_figure_cell(("systems_integration", "missing"))],
                                metadata={"casekit": {"sources": ["03_problems.ipynb"]}})
        nbformat.write(executed, output_path)
        assert Path(parameters["analysis"]) == Path(parameters["output_dir"]) / ANALYSIS_FILE
        assert Path(parameters["analysis"]).is_file()  # handed to the kernel
        return executed

    monkeypatch.setattr(runner, "execute", fake_execute)
    monkeypatch.setattr(runner, "render", lambda *a, **k: [])
    with pytest.raises(OutputError, match="systems_integration not drawn"):
        runner.run(j_data(tmp_path), out_dir=tmp_path / "o", pdf=False, progress=False)
    failed = tmp_path / "o.failed"
    assert failed.is_dir() and not (failed / ANALYSIS_FILE).exists()  # the pickled data never stay
    assert (failed / "findings.json").is_file() and (failed / "tables.xlsx").is_file()  # written by the runner


def test_options_checked_before_anything_runs(tmp_path):
    with pytest.raises(ConfigError, match="language"):
        runner.run(tmp_path, out_dir=tmp_path / "o", lang="fr")
    with pytest.raises(ConfigError, match="does not exist"):
        runner.run(tmp_path, out_dir=tmp_path / "o", config=tmp_path / "missing.yaml")
    assert not (tmp_path / "o").exists()


def test_default_out_dir_is_a_slug_under_reports(tmp_path):
    from casekit.paths import REPORTS_DIR

    d = tmp_path / "My Hospital (2024)"
    d.mkdir()
    assert runner.default_out_dir(d) == REPORTS_DIR.resolve() / "my-hospital-2024"


# ------------------------------------------------------------------ end to end (one J run)
@pytest.fixture(scope="module")
def j(tmp_path_factory):
    from _j_report import j_report

    return j_report(tmp_path_factory.getbasetemp())


@pytest.mark.slow
def test_j_run_writes_every_output(j):
    import json

    import openpyxl

    from casekit.report.html import count_images, find_external_urls
    from casekit.report.plots.from_session import FIGURES_FOR

    names = {p.name for p in j.outputs}
    assert {"report.html", "report.pdf", "report.docx", "findings.json", "tables.xlsx", "run.log"} <= names
    assert sorted(n for n in names if n.startswith("executed_")) == [
        "executed_01_data_check.ipynb", "executed_02_current_situation.ipynb", "executed_03_problems.ipynb",
        "executed_04_causes.ipynb", "executed_05_recommendations.ipynb"]
    page = (j.out_dir / "report.html").read_text(encoding="utf-8")
    for code in ("P1", "P2", "P3", "P4", "P5"):
        assert code in page
    # J has every table, so every figure of the notebooks is drawn and embedded
    expected = sum(len(v) for v in FIGURES_FOR.values()) + 3  # + aspect profile, matrix, survey
    assert count_images(page) == expected == len(list((j.out_dir / "figures").glob("*.png")))
    assert find_external_urls(page) == []
    assert "notebook_params.check" not in page and "Traceback" not in page
    assert (j.out_dir / "report.pdf").read_bytes()[:5] == b"%PDF-"
    data = json.loads(j.diagnosis_json.read_text(encoding="utf-8"))
    assert [f["code"] for f in data["problems"]] == ["P1", "P2", "P3", "P4", "P5"]
    wb = openpyxl.load_workbook(j.out_dir / "tables.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["Index", "Findings"] and all(len(n) <= 31 for n in wb.sheetnames)
    assert "pdf: route=" in j.log and "execute" in j.log and "papermill" in j.log
    assert not [p for p in j.out_dir.parent.iterdir() if ".staging-" in p.name]
    assert not (j.out_dir / ANALYSIS_FILE).exists()  # the runner's validated data are never published
    assert page.count(">Current situation in five aspects<") == 2  # one heading, one TOC entry
    assert "Rating: weak" in page and "Status: present" in page.split("P1 Rigid budget targets")[-1]
    assert "Status: present" not in page.split("A1 Organisation system")[-1].split("P1 Rigid budget targets")[0]
    streams = [o for p in j.out_dir.glob("executed_*.ipynb") for c in nbformat.read(p, as_version=4).cells
               for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert streams == []


@pytest.mark.slow
def test_each_executed_notebook_has_its_own_cells(j):
    for name in ("01_data_check", "03_problems", "05_recommendations"):
        nb = nbformat.read(j.out_dir / f"executed_{name}.ipynb", as_version=4)
        sources = {c.metadata.get("casekit", {}).get("source") for c in nb.cells} - {None}
        assert sources == {f"{name}.ipynb"}
        assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code" and not
                   {"parameters", "injected-parameters"} & set(c.metadata.get("tags", [])))


@pytest.mark.slow
def test_a_saved_executed_notebook_re_runs_on_its_own_from_where_it_was_saved(j, tmp_path):
    import papermill as pm

    from _j_report import j_data

    saved = j.out_dir / "executed_03_problems.ipynb"
    nb = nbformat.read(saved, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    at = next(k for k, t in enumerate(tags) if "parameters" in t)
    assert "injected-parameters" in tags[at + 1]
    values = nb.metadata.papermill.parameters
    assert values["output_dir"] == values["analysis"] == "" and values["data_path"] == str(j_data(j.out_dir.parent))
    before = sorted(p.name for p in j.out_dir.rglob("*"))
    rerun = pm.execute_notebook(str(saved), str(tmp_path / "rerun.ipynb"), cwd=str(saved.parent),
                                kernel_name="python3", progress_bar=False)

    def cards(book):
        return [o["data"]["text/html"] for c in book.cells if "finding_section(" in c.source
                for o in c.get("outputs", []) if "text/html" in o.get("data", {})]

    assert len(cards(nb)) >= 5 and cards(rerun) == cards(nb)  # the same five problem sections, computed anew
    assert sorted(p.name for p in j.out_dir.rglob("*")) == before  # wrote nothing into the report folder


@pytest.mark.slow
def test_killed_run_leaves_previous_report_intact(j, tmp_path):
    import shutil

    from _j_report import j_data

    previous = tmp_path / "report"
    shutil.copytree(j.out_dir, previous)
    before = {p.relative_to(previous): p.read_bytes() for p in previous.rglob("*") if p.is_file()}
    proc = subprocess.Popen([sys.executable, "-m", "casekit", "run", str(j_data(j.out_dir.parent)), "--out",
                             str(previous), "--no-pdf"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(tmp_path.glob(".report.staging-*/.combined.ipynb")):
            assert proc.poll() is None, "the run ended before it could be interrupted"
            time.sleep(0.1)
        assert list(tmp_path.glob(".report.staging-*")), "no staging folder appeared"
        time.sleep(1.0)  # the kernel is starting or running
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # our own process group: the run and its kernel
        proc.wait(timeout=30)
    after = {p.relative_to(previous): p.read_bytes() for p in previous.rglob("*") if p.is_file()}
    assert after == before
    # the next run removes the dead run's staging folder
    from casekit.fs.atomic import remove_stale

    assert remove_stale(previous) and not list(tmp_path.glob(".report.staging-*"))


def test_unknown_parameter_stops_cli_before_anything(tmp_path):
    out = tmp_path / "o"
    proc = subprocess.run([sys.executable, "-m", "casekit", "run", str(tmp_path), "--out", str(out),
                           "-p", "colour=red"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "unknown notebook parameter 'colour'" in proc.stderr and "years" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_invalid_data_stops_before_kernel(tmp_path, monkeypatch):
    from casekit.errors import CasekitError

    data = tmp_path / "bad"
    data.mkdir()
    (data / "budget.csv").write_text("year,dept_id\n2024,D1\n")
    started = []
    monkeypatch.setattr(runner, "execute", lambda *a, **k: started.append(1))
    with pytest.raises(CasekitError):
        runner.run(data, out_dir=tmp_path / "o", pdf=False, progress=False)
    assert not started and not (tmp_path / "o").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad"]  # no staging folder either


@pytest.mark.slow
def test_failing_notebook_keeps_previous_report_and_names_the_cell(j, tmp_path, monkeypatch):
    import shutil

    from _j_report import j_data

    previous = tmp_path / "report"
    shutil.copytree(j.out_dir, previous)
    before = sorted(p.name for p in previous.iterdir())
    monkeypatch.setattr(runner, "notebook_paths", lambda: [OK, BROKEN])
    with pytest.raises(NotebookExecutionError) as info:
        runner.run(j_data(j.out_dir.parent), out_dir=previous, pdf=False, progress=False)
    err = info.value
    assert (err.notebook, err.cell_index, err.ename) == ("broken.ipynb", 3, "ValueError")
    failed = tmp_path / "report.failed"
    assert str(failed) in str(err)
    assert (failed / "executed_broken.ipynb").is_file() and (failed / "executed_ok_two_cells.ipynb").is_file()
    assert sorted(p.name for p in previous.iterdir()) == before
    assert not list(tmp_path.glob(".report.staging-*"))


@pytest.mark.slow
def test_finding_titles_are_the_same_in_json_workbook_and_page(j):
    import json

    import openpyxl

    from casekit.labels import finding_titles
    from casekit.report.html import visible_text

    data = json.loads(j.diagnosis_json.read_text(encoding="utf-8"))
    findings = [f for kind in ("aspects", "problems", "causes") for f in data[kind]]
    assert len(findings) == 15
    wb = openpyxl.load_workbook(j.out_dir / "tables.xlsx", read_only=True)
    sheet = next(ws for ws in wb.worksheets if ws.title in ("findings", "Findings") or "finding" in ws.title.lower())
    cells = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
    page = visible_text((j.out_dir / "report.html").read_text(encoding="utf-8"))
    for f in findings:
        assert (f["title_en"], f["title_zh"]) == finding_titles(f["code"])
        assert f["title_en"] in cells, (f["code"], f["title_en"])
        assert f"{f['code']} {f['title_en']}" in page, (f["code"], f["title_en"])
