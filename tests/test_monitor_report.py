"""The monitoring notebook's sections on the tiny hospital, and the notebook's parameters."""
from __future__ import annotations

import ast

import nbformat
import pandas as pd
import pytest

from casekit.monitor import report
from casekit.paths import NOTEBOOKS_DIR
from casekit.pipeline.params import declared_parameters

SECTIONS = ("title", "summary", "departments", "progress_figure", "variances", "exceptions", "adjustments",
            "accuracy", "caveats")


def test_notebook_declares_the_monitor_parameters_and_only_calls():
    nb = nbformat.read(NOTEBOOKS_DIR / "monitor.ipynb", as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    declared = {k: (p.type, p.default) for k, p in declared_parameters(params[0].source).items()}
    assert declared == {k: (p.type, p.default) for k, p in report.MONITOR_PARAMETERS.items()}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell is not params[0]:
            for node in ast.parse(cell.source).body:  # narrative + calls: no logic in the notebook
                assert isinstance(node, (ast.Expr, ast.Assign, ast.ImportFrom)), cell.source
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")
    # one setup cell right after the parameters: every import, the strict check and the session
    setup = [i for i, c in enumerate(nb.cells) if "setup" in c.metadata.get("tags", [])]
    assert len(setup) == 1 and nb.cells[setup[0] - 1] is params[0]
    assert "notebook_params.check(globals()" in nb.cells[setup[0]].source
    assert "s = monitor.session(" in nb.cells[setup[0]].source
    assert not [c.source for k, c in enumerate(nb.cells) if c.cell_type == "code" and k != setup[0]
                and ("import " in c.source or ".session(" in c.source or "check(" in c.source)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sections_render_from_the_analysis(tiny_hospital, lang, monkeypatch):
    import IPython.display

    shown, images = [], []
    monkeypatch.setattr(report, "_show", shown.append)
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: images.append(obj))
    s = report.prepare(tiny_hospital, "2024-12", lang=lang)
    for name in SECTIONS:
        getattr(report, name)(s)
    page = "\n".join(shown)
    if lang == "zh":
        assert "月度预算执行分析" in page and "需说明的差异" in page and "无预算" in page and "累计外推" in page
    else:
        assert "monthly budget execution analysis 2024-12" in page and "Variances to explain" in page
        assert "D2" in page and "30" in page  # the unbudgeted line D2/E1 and its amount
    assert len(images) == 1 and isinstance(images[0], IPython.display.Image)


def test_session_uses_the_runners_pickle(tiny_hospital, tmp_path):
    import pickle

    s = report.prepare(tiny_hospital, "2024-06")
    path = tmp_path / "s.pkl"
    path.write_bytes(pickle.dumps(s))
    got = report.session("does-not-matter", lang="zh", prepared=str(path))
    assert got.lang == "zh" and got.result.period.label == "2024-06"
    pd.testing.assert_frame_equal(got.result.lines, s.result.lines)


def test_cli_monitor_refuses_bad_input_without_a_traceback(tiny_hospital, tmp_path):
    from typer.testing import CliRunner

    from casekit import cli
    from casekit.sample import write_hospital

    data = write_hospital(tiny_hospital, tmp_path / "tiny")
    runner = CliRunner()
    for args, words in [(["--through", "2025-01"], "no actuals for 2025-01"),
                        (["--through", "2024-09", "--comments", str(tmp_path / "none.xlsx")], "does not exist"),
                        (["--lang", "fr"], "unknown report language")]:
        result = runner.invoke(cli.app, ["monitor", str(data), "--out", str(tmp_path / "out"), *args])
        assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output, result.output
    assert not (tmp_path / "out").exists()
