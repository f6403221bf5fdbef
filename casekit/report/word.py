"""``report.docx``: the HTML report as an editable Word document (python-docx).

Consultants hand a hospital a Word file they can edit. Rather than a second report with its
own wording and order, :func:`html_to_docx` walks the rendered ``report.html`` (after
:func:`casekit.report.html.render_html`) and writes the same blocks in the same order:
headings, paragraphs, finding cards (shaded, with a left rule), the criteria and evidence
tables (header row repeated on every page), the figures with their alt text and captions,
lists, the caveats and the footer. casekit's table of contents becomes a Word TOC field
(Word fills in page numbers when it opens the file).

Fonts: every style names a Latin font and an East Asian font (``w:eastAsia``) and the
language of East Asian text, so Word renders Chinese with a Chinese font and a Chinese
spell-checker. Pages are A4.
"""
from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path
from typing import Any

from casekit.fs.atomic import atomic_path

LATIN_FONT = "Calibri"
# The Chinese UI font of every Windows since Vista and of Office for Mac; Word and LibreOffice
# substitute an installed CJK font where it is missing.
EAST_ASIAN_FONT = "Microsoft YaHei"
MONO_FONT = "Consolas"
_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Caption",
           "List Bullet", "List Number", "Table Grid", "TOC Heading")
_TOC_TEXT = {"en": "Right-click and choose Update Field to show page numbers.",
             "zh": "右键单击并选择“更新域”以显示页码。"}
_SPACE = re.compile(r"\s+")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """``text`` with the characters a .docx (XML) cannot hold shown as U+FFFD, as in tables.xlsx."""
    return _NOT_XML.sub("\ufffd", text)
_DATA_URI = re.compile(r"data:image/(?:png|jpeg);base64,(.*)", re.S)
_CARD_CLASSES = {"casekit-card", "casekit-source", "casekit-banner"}


def _set_fonts(style: Any, lang: str) -> None:
    """Give ``style`` explicit Latin and East Asian fonts (theme fonts would override them)."""
    from docx.oxml.ns import qn

    style.font.name = LATIN_FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-GB")
    lang_el.set(qn("w:eastAsia"), "zh-CN")


def _new_document(title: str, lang: str) -> Any:
    import docx
    from docx.shared import Mm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    section.top_margin, section.bottom_margin = Mm(18), Mm(18)
    for name in _STYLES:
        _set_fonts(doc.styles[name], lang)
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = _xml(title)
    doc.core_properties.language = "zh-CN" if lang == "zh" else "en-GB"
    _page_number_footer(section)
    return doc


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """Append a complex field (``PAGE``, ``TOC ...``) to ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        run = OxmlElement("w:r")
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            fld.set(qn("w:dirty"), "true")  # Word updates it on open
        run.append(fld)
        return run

    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    p = paragraph._p
    p.append(char("begin"))
    p.append(instr_run)
    p.append(char("separate"))
    shown = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    shown.append(text)
    p.append(shown)
    p.append(char("end"))


def _page_number_footer(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(para, "PAGE", "1")


def _text(node: Any) -> str:
    return _SPACE.sub(" ", node.get_text(" ")).strip()


def _classes(node: Any) -> set[str]:
    return set(node.get("class") or [])


class _Writer:
    """Walks the HTML tree and appends python-docx blocks in page order."""

    def __init__(self, doc: Any, lang: str) -> None:
        self.doc, self.lang = doc, lang
        self.images = 0

    # ---- inline content
    def inline(self, paragraph: Any, node: Any, *, bold: bool = False, italic: bool = False,
               mono: bool = False, small: bool = False) -> None:
        from bs4 import Comment, NavigableString, Tag
        from docx.shared import Pt

        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                text = _SPACE.sub(" ", str(child))
                if not text.strip() and not paragraph.runs:
                    continue
                run = paragraph.add_run(_xml(text))
                run.bold, run.italic = bold or None, italic or None
                if mono:
                    run.font.name = MONO_FONT
                if small:
                    run.font.size = Pt(8.5)
            elif isinstance(child, Tag):
                name = child.name
                if name == "br":
                    paragraph.add_run().add_break()
                elif name in ("style", "script"):
                    continue
                else:
                    self.inline(paragraph, child, bold=bold or name in ("strong", "b", "th"),
                                italic=italic or name in ("em", "i"), mono=mono or name == "code",
                                small=small or name == "small")

    def paragraph(self, node: Any, style: str | None = None) -> Any:
        para = self.doc.add_paragraph(style=style)
        self.inline(para, node)
        return para

    # ---- blocks
    def block(self, node: Any) -> None:
        from bs4 import Comment, NavigableString, Tag

        if not isinstance(node, Tag) or node.name in ("style", "script", "head"):
            return
        name, classes = node.name, _classes(node)
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _text(node).replace("¶", "").strip()
            if text:
                self.doc.add_heading(_xml(text), level=min(int(name[1]), 4))
        elif name == "nav" and "casekit-toc" in classes:
            self.toc(node)
        elif name == "p":
            self.paragraph(node, "Caption" if "casekit-caption" in classes else None)
        elif name == "div" and classes & _CARD_CLASSES:
            self.card(node)
        elif name == "table":
            self.table(node)
        elif name == "img":
            self.image(node)
        elif name in ("ul", "ol"):
            style = "List Number" if name == "ol" else "List Bullet"
            for li in node.find_all("li", recursive=False):
                self.paragraph(li, style)
        elif name == "footer":
            para = self.paragraph(node)
            for run in para.runs:
                run.italic = True
        elif name == "pre":
            para = self.doc.add_paragraph()
            self.inline(para, node, mono=True)
        else:  # div, section, main, span ...: their children are blocks
            loose = [c for c in node.children
                     if isinstance(c, NavigableString) and not isinstance(c, Comment) and str(c).strip()]
            if loose and not node.find(["p", "div", "table", "img", "h1", "h2", "h3", "ul", "ol"]):
                self.paragraph(node)
                return
            for child in node.children:
                if isinstance(child, Tag):
                    self.block(child)

    def toc(self, nav: Any) -> None:
        title = nav.find(class_="toc-title")
        if title is not None:  # "TOC Heading" looks like a heading but is not listed in the TOC
            self.doc.add_paragraph(_xml(_text(title)), style="TOC Heading")
        _field(self.doc.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', _TOC_TEXT[self.lang])

    def card(self, node: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        para = self.paragraph(node)
        ppr = para._p.get_or_add_pPr()
        border = OxmlElement("w:pBdr")
        left = OxmlElement("w:left")
        for k, v in (("w:val", "single"), ("w:sz", "24"), ("w:space", "8"), ("w:color", "D55E00")):
            left.set(qn(k), v)
        border.append(left)
        shade = OxmlElement("w:shd")
        for k, v in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "F4F4F4")):
            shade.set(qn(k), v)
        ppr.append(border)
        ppr.append(shade)

    def table(self, node: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        caption = node.find("caption")
        if caption is not None:
            self.paragraph(caption, "Caption").paragraph_format.keep_with_next = True
        rows = [tr for tr in node.find_all("tr") if tr.find_parent("table") is node]
        if not rows:
            return
        header_rows = sum(1 for tr in rows if tr.find_parent("thead") is not None)
        width = max(sum(int(c.get("colspan", 1) or 1) for c in tr.find_all(["td", "th"], recursive=False))
                    for tr in rows)
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = self.doc.styles["Table Grid"]
        size = Pt(9 if width <= 5 else 8 if width <= 8 else 7)
        grid = table._cells  # row-major; python-docx rebuilds this list on every table.cell() call
        merges = []
        for i, tr in enumerate(rows):
            j = 0
            for cell_node in tr.find_all(["td", "th"], recursive=False):
                if j >= width:
                    break
                span = min(int(cell_node.get("colspan", 1) or 1), width - j)
                if span > 1:
                    merges.append((i, j, j + span - 1))
                para = grid[i * width + j].paragraphs[0]
                self.inline(para, cell_node, bold=cell_node.name == "th" and i < header_rows)
                if "num" in _classes(cell_node):
                    para.alignment = 2  # right
                for run in para.runs:
                    run.font.size = size
                j += span
            if i < header_rows:  # repeat the header row on every page
                tr_pr = table.rows[i]._tr.get_or_add_trPr()
                tr_pr.append(OxmlElement("w:tblHeader"))
                tr_pr[-1].set(qn("w:val"), "true")
        for i, first, last in merges:  # after filling: a merge changes the grid
            table.cell(i, first).merge(table.cell(i, last))
        self.doc.add_paragraph()

    def image(self, node: Any) -> None:
        from docx.shared import Cm

        found = _DATA_URI.match(node.get("src", ""))
        if not found:
            return
        data = base64.b64decode(found.group(1))
        width_px = _png_width(data)
        width = Cm(min(16.5, width_px / 100 * 2.54)) if width_px else Cm(16.5)
        self.doc.add_picture(io.BytesIO(data), width=width)
        shape = self.doc.inline_shapes[-1]
        alt = _xml(node.get("alt", ""))
        shape._inline.docPr.set("descr", alt)
        shape._inline.docPr.set("title", alt[:80])
        self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        self.images += 1


def _png_width(data: bytes) -> int:
    """Pixel width of a PNG (its IHDR), 0 for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big")
    return 0


def html_to_docx(page: str, *, title: str = "casekit report", lang: str = "en") -> Any:
    """Build a Word document from a casekit HTML report, block by block, in page order.

    Parameters
    ----------
    page : str
        ``report.html`` as written by :func:`casekit.report.html.render_html`.
    title : str
        Document title (core properties).
    lang : {"en", "zh"}
        Language of the document's text (proofing language, TOC hint).

    Returns
    -------
    docx.document.Document
        Unsaved; see :func:`write_docx`.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "lxml")  # lxml comes with python-docx; 5x faster than html.parser here
    doc = _new_document(title, lang)
    writer = _Writer(doc, lang)
    writer.block(soup.find("main") or soup.body or soup)
    return doc


def write_docx(page: str, path: str | os.PathLike, *, title: str = "casekit report", lang: str = "en") -> Path:
    """Write ``report.docx`` from the HTML report :func:`html_to_docx`, atomically.

    Parameters
    ----------
    page : str
        The HTML report.
    path : str or path-like
        The ``.docx`` file.
    title, lang : str
        See :func:`html_to_docx`.

    Returns
    -------
    pathlib.Path
    """
    doc = html_to_docx(page, title=title, lang=lang)
    with atomic_path(path) as tmp:
        doc.save(os.fspath(tmp))
    return Path(path)
