"""report.docx from the HTML report: same blocks in the same order, Chinese fonts, A4 (fast)."""
from __future__ import annotations

import base64

import docx
import pytest
from docx.oxml.ns import qn

from casekit.report.word import EAST_ASIAN_FONT, html_to_docx, write_docx

PNG = base64.b64encode(base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")).decode()

PAGE = f"""<html><head><style>p {{ color: red }}</style></head><body><main>
<div class="casekit-source" style="border:2px solid"><strong>模拟数据</strong>：合成数据。</div>
<nav class="casekit-toc"><h2 class="toc-title">目录</h2><ul><li><a href="#p1">P1</a></li></ul></nav>
<div class="jp-Cell"><div class="jp-OutputArea"><h1 id="x">存在的问题</h1>
<h2 id="p1">P1 预算目标刚性——存在（严重）</h2>
<div class="casekit-card"><strong>状态: 存在</strong> · 严重程度 90/100<br/>30个科室统一增长5.0%。</div>
<table class="dataframe casekit-table"><caption>判定标准</caption><thead><tr><th class="text">判定指标</th>
<th class="num">数值</th></tr></thead><tbody><tr><td class="text">增长率标准差</td><td class="num">0.0%</td></tr>
<tr><td class="text">相同比例</td><td class="num">100%</td></tr></tbody></table>
<img alt="看点: 偏差率分布" src="data:image/png;base64,{PNG}"/>
<p class="casekit-caption"><em>看点: 偏差率分布</em></p>
<ul><li>第一条</li><li>第二条</li></ul></div></div>
<footer class="casekit-footer">由 casekit 生成。</footer></main></body></html>"""


def _blocks(doc):
    out = []
    for el in doc.element.body.iterchildren():
        tag = el.tag.split("}")[1]
        if tag == "tbl":
            out.append("table")
        elif tag == "p":
            p = docx.text.paragraph.Paragraph(el, doc)
            if el.xpath(".//w:drawing"):
                out.append("image")
            elif p.text.strip():
                out.append(f"{p.style.name}: {p.text.strip()}")
    return out


def test_blocks_follow_the_page_in_order():
    doc = html_to_docx(PAGE, title="J", lang="zh")
    assert _blocks(doc) == [
        "Normal: 模拟数据：合成数据。", "TOC Heading: 目录", "Normal: 右键单击并选择“更新域”以显示页码。",
        "Heading 1: 存在的问题", "Heading 2: P1 预算目标刚性——存在（严重）",
        "Normal: 状态: 存在 · 严重程度 90/100\n30个科室统一增长5.0%。", "Caption: 判定标准", "table", "image",
        "Caption: 看点: 偏差率分布", "List Bullet: 第一条", "List Bullet: 第二条", "Normal: 由 casekit 生成。"]
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["判定指标", "数值"]
    assert [c.text for c in table.rows[2].cells] == ["相同比例", "100%"]
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # header repeats on each page
    assert doc.inline_shapes[0]._inline.docPr.get("descr") == "看点: 偏差率分布"
    assert "TOC" in doc.element.body.xml and "p { color" not in doc.element.body.xml


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fonts_and_paper(tmp_path, lang):
    path = write_docx(PAGE, tmp_path / "report.docx", title="J hospital", lang=lang)
    doc = docx.Document(path)
    for name in ("Normal", "Heading 1", "Heading 2", "Caption"):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == EAST_ASIAN_FONT and fonts.get(qn("w:eastAsiaTheme")) is None
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.core_properties.title == "J hospital"
    assert "PAGE" in section.footer.paragraphs[0]._p.xml


def test_characters_xml_cannot_hold_become_replacement_characters():
    page = "<html><body><main><h2>P1\x1b[31m</h2><p>a\x07b</p></main></body></html>"
    doc = html_to_docx(page, title="J\x1b")
    assert [p.text for p in doc.paragraphs if p.text] == ["P1\ufffd[31m", "a\ufffdb"]
