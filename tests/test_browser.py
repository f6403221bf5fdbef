"""Open the J report in headless Chromium: every figure loads, the five problems are there.

Skipped (with the reason) when no Chromium is installed, unless CASEKIT_REQUIRE_CHROMIUM=1,
in which case a missing browser is a failure. ``make test`` installs Debian's chromium first.
"""
from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from casekit.report.pdf import find_chromium, run_chromium

CHECK_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var heads = Array.prototype.slice.call(document.querySelectorAll("h1, h2, h3"));
  var result = {
    images: imgs.length,
    broken: imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    headings: heads.map(function (h) { return h.textContent.trim(); }),
    toc_links: document.querySelectorAll("nav.casekit-toc a").length
  };
  var pre = document.createElement("pre");
  pre.id = "casekit-check";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>
"""


@pytest.fixture(scope="module")
def browser():
    path = find_chromium()
    if path is None:
        if os.environ.get("CASEKIT_REQUIRE_CHROMIUM") == "1":
            pytest.fail("CASEKIT_REQUIRE_CHROMIUM=1 but no Chromium was found (install it with `make browser`)")
        pytest.skip("no Chromium found: install it with `make browser` (as root) or set CASEKIT_CHROMIUM")
    return path


@pytest.fixture(scope="module")
def j(tmp_path_factory):
    from _j_report import j_report

    return j_report(tmp_path_factory.getbasetemp())


@pytest.mark.slow
def test_report_opens_with_every_image_and_the_five_problems(browser, j, tmp_path):
    page = (j.out_dir / "report.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", CHECK_SCRIPT + "</body>"), encoding="utf-8")
    proc = run_chromium(["--virtual-time-budget=10000", "--dump-dom", probe.as_uri()], browser=browser, timeout=120)
    found = re.search(r'<pre id="casekit-check">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"the check script did not run; chromium said: {proc.stderr[-500:]}"
    result = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                        .replace("&lt;", "<").replace("&gt;", ">"))
    assert result["images"] >= 7 and result["broken"] == 0, result
    for code in ("P1", "P2", "P3", "P4", "P5"):
        assert any(h.startswith(code) or f" {code} " in f" {h} " for h in result["headings"]), (code, result["headings"])
    assert result["toc_links"] >= 5

    shot = tmp_path / "report.png"
    proc = run_chromium(["--window-size=1280,2400", f"--screenshot={shot}", (j.out_dir / "report.html").as_uri()],
                        browser=browser, timeout=120)
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", proc.stderr[-500:]
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
