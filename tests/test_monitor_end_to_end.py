"""``casekit monitor data/sample/j_hospital --through 2024-09``, with last month's comments read back."""
from __future__ import annotations

import openpyxl
import pytest
from typer.testing import CliRunner

from casekit import cli
from casekit.labels import label
from casekit.paths import PROJECT_DIR

J = PROJECT_DIR / "data" / "sample" / "j_hospital"


@pytest.mark.slow
def test_monitor_j_hospital_september(tmp_path):
    # August's file as a department returned it: one line explained, one left blank, an extra column
    august = tmp_path / "august.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["our notes", "科室编码", "科目编码", "月份", "差异原因说明", "责任人"])
    ws.append(["", "0502", "7201.27", "2024-08", "设备维修合同未列入预算", "张三"])
    ws.append(["", "0102", "7201.01", "2024-08", None, None])
    wb.save(august)
    out = tmp_path / "monitor"
    result = CliRunner().invoke(cli.app, ["monitor", str(J), "--through", "2024-09", "--out", str(out),
                                          "--comments", str(august)])
    assert result.exit_code == 0, result.output
    assert "monthly report written to" in result.output
    for name in ("report.html", "report.pdf", "report.docx", "monitor.xlsx", "comments.xlsx", "run.log"):
        assert (out / name).stat().st_size > 0, name
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "monthly budget execution analysis 2024-09" in page
    assert "设备维修合同未列入预算" in page  # August's explanation beside September's variance
    assert "Departments likely to end the year outside the bands" in page and "<img" in page
    assert not list(out.glob(".monitor-session*"))
    import nbformat  # the executed notebook kept for audit names no staging file: it re-runs on its own

    saved = nbformat.read(out / "executed_monitor.ipynb", as_version=4)
    values = saved.metadata.papermill.parameters
    assert values["prepared"] == values["output_dir"] == "" and values["through"] == "2024-09"
    injected = [c.source for c in saved.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "staging" not in injected[0] and "prepared = \"\"" in injected[0]
    ws = openpyxl.load_workbook(out / "comments.xlsx")[label("comments.sheet", "en")]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert rows and {r["Month"] for r in rows} == {"2024-09"}
    line = [r for r in rows if (r["Department code"], r["Line code"]) == ("0502", "7201.27")]
    assert line and line[0]["Earlier explanation"] == "2024-08: 设备维修合同未列入预算"
    assert all(r["Explanation"] is None for r in rows)
    assert "analysis: 2024-09" in (out / "run.log").read_text()
