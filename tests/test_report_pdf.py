"""report.pdf: Chromium route when a browser exists, matplotlib fallback otherwise."""
from __future__ import annotations

import base64
import re
from types import SimpleNamespace

import pytest

from casekit.diagnosis.finding import Finding
from casekit.errors import MissingDependencyError
from casekit.report import pdf as pdfmod

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def fake_diagnosis():
    return SimpleNamespace(
        problems=[Finding("P1", "Rigid budget targets", "预算目标刚性", "present", 80.0),
                  Finding.not_assessed("P5", "Low informatisation", "信息化程度低", ["systems"])],
        causes=[Finding("C1", "Participation not sound", "全员参与不健全", "absent", 10.0)])


def test_find_chromium_env_wins(monkeypatch, tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CASEKIT_CHROMIUM", str(fake))
    assert pdfmod.find_chromium() == str(fake)
    monkeypatch.setenv("CASEKIT_CHROMIUM", str(tmp_path / "absent"))
    assert pdfmod.find_chromium() is None


def test_command_has_safe_flags_and_fresh_profile(tmp_path):
    cmd = pdfmod.chromium_command("chromium", tmp_path, "--dump-dom", "file:///x.html")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"):
        assert flag in cmd
    assert f"--user-data-dir={tmp_path}" in cmd and cmd[-1] == "file:///x.html"


def test_no_browser_raises_with_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEKIT_CHROMIUM", str(tmp_path / "absent"))
    with pytest.raises(MissingDependencyError, match="apt-get install chromium"):
        pdfmod.run_chromium(["--version"])


def test_fallback_route_when_no_browser(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEKIT_CHROMIUM", str(tmp_path / "absent"))
    html = tmp_path / "report.html"
    html.write_text("<html><body>x</body></html>")
    res = pdfmod.write_pdf(html, tmp_path / "report.pdf", diagnosis=fake_diagnosis(), figures=[PNG, PNG],
                           title="J hospital", banner="Synthetic data", citation="Cite casekit.")
    assert res.route == "fallback" and "CASEKIT_CHROMIUM=" in res.detail and "not an executable" in res.detail
    assert res.warnings and "fallback" in res.warnings[0]  # said on the console, not only in run.log
    data = res.path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert pages(res.path) == 1 + 1 + 2  # title, findings table, two figures


def test_fallback_without_findings_or_figures(tmp_path):
    out = pdfmod.fallback_pdf(tmp_path / "r.pdf", title="某区人民医院", lang="zh")
    assert pages(out) == 1


def test_notebook_pngs_decodes_outputs():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(cells=[new_markdown_cell("x"), new_code_cell("", outputs=[
        new_output("display_data", data={"image/png": base64.b64encode(PNG).decode()})])])
    assert pdfmod.notebook_pngs(nb) == [PNG]


@pytest.mark.slow
def test_chromium_prints_pdf(tmp_path):
    if pdfmod.find_chromium() is None:
        pytest.skip("no Chromium on this machine (install it with `make browser` or set CASEKIT_CHROMIUM)")
    html = tmp_path / "report.html"
    html.write_text("<html><body><h1>P1 P2 P3 P4 P5</h1><p>中文</p></body></html>", encoding="utf-8")
    res = pdfmod.write_pdf(html, tmp_path / "report.pdf")
    assert res.route == "chromium", res.detail
    assert res.path.read_bytes()[:5] == b"%PDF-" and pages(res.path) >= 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]
