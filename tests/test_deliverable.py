"""The deliverable a Chinese hospital reads: fonts that travel, a Chinese report, an A4 PDF without cut tables.

One English and one Chinese J report are rendered per session (``_j_report``); the Chinese one
is printed by a Chromium that sees no system font (fontconfig pointed at an empty folder), as
on a CI runner where ``fc-list :lang=zh`` prints nothing. The PDF is read back with poppler's
``pdffonts``/``pdftotext``/``pdfinfo`` (``make browser`` installs them); without them, or
without Chromium, the PDF checks are skipped with the reason.
"""
from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import subprocess

import pytest

from casekit.report.html import visible_text
from casekit.report.pdf import find_chromium

pytestmark = pytest.mark.slow

A4 = (595.0, 842.0)  # points, +-1
ZH_HEADINGS = ("数据检查", "现状：五个方面", "存在的问题", "原因分析", "对策建议", "P1 预算目标刚性", "C5 信息系统与财务未融合")

# Latin-letter words allowed in the Chinese report: system names and method terms used untranslated
# in Chinese budget practice, statistics names, the tool's name.
ALLOWED_LATIN = {"HIS", "HRP", "LIS", "PACS", "EMR", "WAPE", "PEFA", "B0", "B1", "casekit", "Spearman", "Cronbach",
                 "Likert", "ETS", "IT", "rho", "p", "n", "t", "A", "B", "pp"}
# The share of Latin-letter words among words (Latin words + Chinese characters) in the zh report's
# visible text, outside codes (P1, S02, 0101/7201.05, config keys), file names and the hospital's name.
LATIN_SHARE_LIMIT = 0.02


def latin_share(text: str, names: tuple[str, ...] = ()) -> tuple[float, list[str]]:
    """Share of Latin-letter words (not codes, names or :data:`ALLOWED_LATIN`) and the words found."""
    for name in names:
        text = text.replace(name, " ")
    text = re.sub(r"\b[\w.-]+\.(?:csv|xlsx|parquet|yaml|json|ipynb|md)\b", " ", text)   # file names
    text = re.sub(r"\b[a-z]+\d?(?:\.[a-z0-9_]+)+\b", " ", text)                         # config keys
    text = re.sub(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", " ", text)                           # snake_case codes
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    latin = [w for w in words if w not in ALLOWED_LATIN and not re.fullmatch(r"[A-Z]+\d+|[A-Z]", w)]
    han = re.findall(r"[\u4e00-\u9fff]", text)
    return len(latin) / max(1, len(latin) + len(han)), latin


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CASEKIT_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"{tool} (poppler-utils) is missing: run `make browser` as root")
        pytest.skip(f"{tool} (poppler-utils) not installed: run `make browser` as root")
    return path


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def zh(tmp_path_factory):
    from _j_report import j_report_zh

    return j_report_zh(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def en(tmp_path_factory):
    from _j_report import j_report

    return j_report(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def chromium_pdf(zh):
    if find_chromium() is None or "pdf: route=chromium" not in zh.log:
        if os.environ.get("CASEKIT_REQUIRE_CHROMIUM") == "1":
            pytest.fail("CASEKIT_REQUIRE_CHROMIUM=1 but report.pdf was not printed by Chromium")
        pytest.skip("report.pdf was not printed by Chromium (install it with `make browser`)")
    return zh.out_dir / "report.pdf"


def test_pdf_without_system_fonts_embeds_a_cjk_font_and_has_chinese_text(zh, chromium_pdf):
    fonts = _run(_poppler("pdffonts"), str(chromium_pdf))
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts  # embedded, named, not Type 3
    text = _run(_poppler("pdftotext"), str(chromium_pdf), "-")
    for heading in ZH_HEADINGS:
        assert heading in text, heading
    first = _run("pdftotext", "-f", "1", "-l", "1", str(chromium_pdf), "-")
    assert "模拟数据" in first  # the synthetic-data notice is on page 1
    assert "fonts: embedded Noto Sans CJK SC subset" in zh.log and "KiB, one offline file" in zh.log


def test_pdf_pages_are_a4_with_page_numbers(chromium_pdf):
    info = _run(_poppler("pdfinfo"), "-f", "1", "-l", "999", str(chromium_pdf))
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes and all(abs(float(w) - A4[0]) < 1 and abs(float(h) - A4[1]) < 1 for w, h in sizes), sizes[:3]
    n = len(sizes)
    last = _run("pdftotext", "-f", str(n), "-l", str(n), str(chromium_pdf), "-")
    assert f"{n} / {n}" in last


def _in_order_nearby(needle: str, text: str) -> bool:
    """``needle``'s characters in order within a short stretch of ``text``.

    A header cell wrapped over two lines comes out of pdftotext interleaved with its neighbours'
    lines ("偏差 实际 （元）"), so the header is looked for as an ordered subsequence within a
    window a few times its length; a column cut off the page loses all of it.
    """
    window = 6 * len(needle) + 20
    start = text.find(needle[0])
    while start >= 0:
        pos, ok = start, True
        for ch in needle[1:]:
            pos = text.find(ch, pos + 1, start + window)
            if pos < 0:
                ok = False
                break
        if ok:
            return True
        start = text.find(needle[0], start + 1)
    return False


def test_no_table_column_is_cut_in_the_pdf(zh, chromium_pdf):
    page = (zh.out_dir / "report.html").read_text(encoding="utf-8")
    flat = re.sub(r"\s+", "", _run(_poppler("pdftotext"), str(chromium_pdf), "-"))
    tables = re.findall(r"<table\b.*?</table>", page, re.S)
    assert len(tables) >= 20
    for table in tables:
        head = re.search(r"<thead>(.*?)</thead>", table, re.S)
        columns = [re.sub(r"\s+", "", html_lib.unescape(re.sub(r"<[^>]+>", "", c)))
                   for c in re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(1), re.S)] if head else []
        for col in filter(None, columns):
            assert _in_order_nearby(col, flat), f"column {col!r} of a table is missing from the PDF text"
    # and nothing is drawn beyond the right edge of the page
    bbox = _run("pdftotext", "-bbox", str(chromium_pdf), "-")
    right = [float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', bbox)]
    assert right and max(right) <= A4[0] - 10  # inside the right margin


# Runs while the page is parsed (after all content): the embedded font is registered synchronously
# in the page's <head>, so no waiting on events or promises is needed.
GLYPH_PROBE = """
<script>
(function () {
  var text = document.body.innerText, seen = {}, chars = [];
  for (var ch of text) { if (!seen[ch] && ch.trim()) { seen[ch] = 1; chars.push(ch); } }
  var c = document.createElement("canvas"); c.width = 40; c.height = 40;
  var g = c.getContext("2d");
  function draw(ch) {
    g.clearRect(0, 0, 40, 40); g.font = '32px "casekit CJK"'; g.fillText(ch, 2, 32);
    return Array.prototype.join.call(g.getImageData(0, 0, 40, 40).data, ",");
  }
  var tofu = draw("\\uE000"), blank = draw(" ");  // the font's .notdef, and nothing at all
  var missing = chars.filter(function (ch) { var d = draw(ch); return d === tofu || d === blank; });
  var pre = document.createElement("pre"); pre.id = "glyph-check";
  pre.textContent = JSON.stringify({checked: chars.length, missing: missing});
  document.body.appendChild(pre);
})();
</script>
"""


def test_browser_draws_every_character_of_the_chinese_report(zh, tmp_path):
    import json

    from _j_report import empty_fontconfig

    browser = find_chromium()
    if browser is None:
        pytest.skip("no Chromium found: install it with `make browser` (as root) or set CASEKIT_CHROMIUM")
    from casekit.report.pdf import run_chromium

    page = (zh.out_dir / "report.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", GLYPH_PROBE + "</body>"), encoding="utf-8")
    old = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(empty_fontconfig(tmp_path))  # no system font to fall back to
    try:
        proc = run_chromium(["--dump-dom", probe.as_uri()], browser=browser)
        shot = tmp_path / "report.png"
        run_chromium(["--window-size=1280,2400", f"--screenshot={shot}", (zh.out_dir / "report.html").as_uri()],
                     browser=browser)
    finally:
        os.environ.pop("FONTCONFIG_FILE", None) if old is None else os.environ.__setitem__("FONTCONFIG_FILE", old)
    found = re.search(r'<pre id="glyph-check">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"the glyph check did not run; chromium said: {proc.stderr[-500:]}"
    result = json.loads(html_lib.unescape(found.group(1)))
    assert result["checked"] > 400 and result["missing"] == [], result  # without the font every one is missing
    assert shot.is_file() and shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_chinese_report_is_chinese(zh):
    page = (zh.out_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    share, words = latin_share(visible_text(page), names=("J Public Hospital (synthetic)",))
    assert share <= LATIN_SHARE_LIMIT, (f"{share:.1%} Latin words", sorted(set(words))[:80])


def test_accessible_figures_tables_and_numbers(en, zh):
    for report in (en, zh):
        page = (report.out_dir / "report.html").read_text(encoding="utf-8")
        alts = re.findall(r'<img alt="([^"]*)"', page)
        assert len(alts) >= 7 and all(len(a) > 10 for a in alts) and "No description" not in page
        assert 'scope="col"' in page and "<th>" not in page.split("<main")[1]
        text = visible_text(page)
        assert not re.search(r"\d\.\d+e[-+]\d\d", text), re.findall(r".{30}\d\.\d+e[-+]\d\d.{10}", text)[:3]


def test_word_report_has_the_headings_tables_and_figures(en, zh):
    import docx

    for report, heading in ((en, "P1 Rigid budget targets"), (zh, "P1 预算目标刚性")):
        page = (report.out_dir / "report.html").read_text(encoding="utf-8")
        doc = docx.Document(report.out_dir / "report.docx")
        headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
        html_headings = [html_lib.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").strip()
                         for h in re.findall(r"<h[1-4]\b[^>]*>(.*?)</h[1-4]>", page.split("</nav>", 1)[1], re.S)]
        assert headings == [h for h in html_headings if h]
        assert any(h.startswith(heading) for h in headings)
        assert len(doc.tables) == len(re.findall(r"<table\b", page))
        assert len(doc.inline_shapes) == len(re.findall(r"<img\b", page)) >= 7
