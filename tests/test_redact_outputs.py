"""--redact: no published file of a run names a department (executed notebooks included)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

TEXT_SUFFIXES = {".html", ".json", ".ipynb", ".log", ".csv", ".md", ".txt"}


def department_names(data: Path) -> list[str]:
    import pandas as pd

    deps = pd.read_csv(data / "departments.csv", dtype=str)
    return sorted(n for n in deps["name"] if n and n not in set(deps["dept_id"]))


def file_text(path: Path) -> str | None:
    """The text a reader of ``path`` sees; None for images (drawn from the redacted data)."""
    if path.suffix in TEXT_SUFFIXES or not path.suffix:  # the .casekit-report marker has none
        return path.read_text(encoding="utf-8")
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                 if v is not None]
        return "\n".join(wb.sheetnames + cells)
    if path.suffix == ".pdf":
        tool = shutil.which("pdftotext")
        if tool is None:
            pytest.skip("pdftotext (poppler-utils) is needed to read report.pdf")
        return subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    if path.suffix == ".docx":
        import docx

        doc = docx.Document(path)
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells + [doc.core_properties.title or ""])
    if path.suffix == ".png":
        return None
    raise AssertionError(f"no reader for published file {path.name}: add one to this test")


def leaks(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    """(file, department name) for every name found in a published file's text."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = file_text(path)
        found += [(str(path.relative_to(folder)), n) for n in names if text is not None and n in text]
    return found


@pytest.mark.slow
def test_no_published_file_names_a_department(tmp_path):
    from _j_report import j_data

    from casekit.pipeline.runner import run

    data = j_data(tmp_path)
    names = department_names(data)
    assert len(names) >= 20
    result = run(data, out_dir=tmp_path / "report", lang="zh", redact=True, pdf=True, progress=False)
    published = {p.suffix for p in result.out_dir.rglob("*") if p.is_file()}
    assert {".html", ".pdf", ".json", ".xlsx", ".ipynb", ".log", ".png"} <= published
    assert leaks(result.out_dir, names) == []
    codes = json.loads(result.diagnosis_json.read_text(encoding="utf-8"))
    assert [f["status"] for f in codes["problems"]] == ["present"] * 5  # same findings as without --redact
    # the check can fail: a department name put back into a published notebook is found
    notebook = result.out_dir / "executed_03_problems.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("0107", names[0], 1), encoding="utf-8")
    assert leaks(result.out_dir, names) == [("executed_03_problems.ipynb", names[0])]
