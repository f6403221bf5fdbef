"""The CJK font subset embedded in report.html, alt text and table header scopes (fast, no browser)."""
from __future__ import annotations

import base64
import io
import re

from fontTools.ttLib import TTFont

from casekit.report import fonts
from casekit.report.html import CSS_FILE, add_alt_text, embed_fonts, mark_table_headers, visible_text


def _font_of(css: str) -> TTFont:
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


def test_subset_covers_exactly_the_text_with_truetype_outlines():
    text = "全面预算管理诊断 budget 1.405%（年初预算）"
    wf = fonts.web_font(text)
    font = _font_of(wf.css)
    cmap = font.getBestCmap()
    assert {chr(c) for c in cmap} >= set(text) - {" "}
    assert len(cmap) <= len(set(text)) + 2  # the subset, not the 65,535-glyph face
    assert font.flavor == "woff" and "glyf" in font and "CFF " not in font  # Chromium embeds it as CID TrueType
    assert wf.characters == len(set(text)) and wf.missing == "" and wf.warnings == ()
    assert wf.family == "Noto Sans CJK SC" and wf.nbytes < 20_000
    assert "@font-face" in wf.css and f'"{fonts.WEB_FAMILY}"' in wf.css


def test_characters_the_font_lacks_are_named_in_a_warning():
    wf = fonts.web_font("预算 🙂")
    assert wf.missing == "🙂"
    assert len(wf.warnings) == 1 and "🙂" in wf.warnings[0] and "fall back" in wf.warnings[0]


def test_no_cjk_font_means_no_css_and_an_install_hint(monkeypatch):
    monkeypatch.setattr(fonts, "candidate_files", lambda: [])
    wf = fonts.web_font("预算")
    assert wf.css == "" and set(wf.missing) == set("预算")
    assert "pip install noto-cjk-sans-otc" in wf.warnings[0]
    assert wf.summary() == "fonts: none embedded"


PAGE = """<!DOCTYPE html><html><head><title>J 医院：诊断</title><style>body{content:"样式"}</style></head>
<body><main><h2>P1 预算目标刚性</h2>
<img alt="No description has been provided for this image" src="data:image/png;base64,iVBORw0KGgo="/>
<p class="casekit-caption"><em>看点: 偏差率 &amp; 分布</em></p>
<h2>P2 无说明</h2><img alt="No description has been provided for this image" src="data:image/png;base64,AAAA"/>
<table><thead><tr><th>科目</th><th scope="col">偏差率</th></tr></thead><tbody><tr><th>A1</th><td>5%</td></tr></tbody></table>
</main></body></html>"""


def test_figures_get_their_caption_or_heading_as_alt_text():
    page = add_alt_text(PAGE)
    alts = re.findall(r'<img alt="([^"]*)"', page)
    assert alts == ["看点: 偏差率 &amp; 分布", "P2 无说明"]


def test_table_headers_get_scopes():
    page = mark_table_headers(PAGE)
    assert '<th scope="col">科目</th>' in page and page.count('scope="col"') == 2
    assert '<th scope="row">A1</th>' in page


def test_embed_fonts_subsets_the_visible_text_and_the_stylesheet_uses_it():
    assert visible_text(PAGE).count("样式") == 0 and "偏差率 & 分布" in visible_text(PAGE)
    page, wf = embed_fonts(PAGE)
    assert page.count("@font-face") == 1 and page.index("@font-face") < page.index("</head>")
    chars = {chr(c) for c in _font_of(wf.css).getBestCmap()}
    assert set("医院诊断预算目标刚性看点偏差率") <= chars and "样" not in chars
    css = CSS_FILE.read_text(encoding="utf-8")
    assert re.search(r'--ck-font:\s*"' + re.escape(fonts.WEB_FAMILY) + '"', css)
    assert "size: A4" in css and "counter(page)" in css


def test_page_without_font_is_returned_unchanged(monkeypatch):
    monkeypatch.setattr(fonts, "candidate_files", lambda: [])
    page, wf = embed_fonts(PAGE)
    assert page == PAGE and wf.warnings
