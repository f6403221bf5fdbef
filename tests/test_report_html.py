"""report.html: no code, no stderr, no network, a table of contents, embedded figures."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from casekit.report.html import add_toc, count_images, find_external_urls, render_html, strip_stderr, write_html

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def executed_notebook() -> nbformat.NotebookNode:
    code = new_code_cell("secret_code_marker = 1\nplot()", execution_count=1, outputs=[
        new_output("stream", name="stdout", text="visible stdout\n"),
        new_output("stream", name="stderr", text="UserWarning: noisy stderr\n"),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("display_data", data={"text/html": "<h2>P3 Large deviation</h2><p>html output</p>"}),
    ])
    gone = new_code_cell("x", execution_count=2, metadata={"tags": ["remove-cell"]},
                         outputs=[new_output("stream", name="stdout", text="removed cell output\n")])
    return new_notebook(cells=[new_markdown_cell("# Report title\n\n## P1 Rigid targets\n\n### Detail $x^2$"),
                               code, gone, new_markdown_cell("## P1 Rigid targets")],
                        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(executed_notebook(), title="J: diagnosis", lang="zh", banner="Synthetic <data>",
                       caveats=["note one", "<script>alert(1)</script>"], version="9.9")


def test_inputs_stderr_and_removed_cells_hidden(page):
    assert "secret_code_marker" not in page
    assert "visible stdout" in page
    assert "noisy stderr" not in page
    assert "removed cell output" not in page


def test_offline_no_cdn(page):
    assert find_external_urls(page) == []
    assert "cdnjs" not in page and "mathjax" not in page.lower().split("</head>")[0].split("<style")[0]


def test_figures_embedded(page):
    assert count_images(page) == 1


def test_toc_lists_markdown_and_html_headings_with_unique_ids(page):
    nav = page[page.index('<nav class="casekit-toc"'):page.index("</nav>")]
    assert "目录" in nav  # zh label
    assert "P1 Rigid targets" in nav and "P3 Large deviation" in nav and "Detail" in nav
    hrefs = [h.split('"')[0] for h in nav.split('href="#')[1:]]
    assert len(hrefs) == len(set(hrefs)) == 5  # title, P1, P3 (from an HTML output), Detail, P1 again
    for h in hrefs:
        assert f'id="{h}"' in page


def test_css_banner_caveats_escaped(page):
    assert "nav.casekit-toc" in page  # casekit stylesheet inlined
    assert 'lang="zh-CN"' in page and "<title>J: diagnosis</title>" in page
    assert "Synthetic &lt;data&gt;" in page
    assert "注意事项" in page and "note one" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_add_toc_without_headings_is_unchanged():
    html = "<html><body><main><p>x</p></main></body></html>"
    assert add_toc(html) == (html, [])


def test_strip_stderr_does_not_touch_input():
    nb = executed_notebook()
    strip_stderr(nb)
    assert len(nb.cells[1].outputs) == 4 and len(nb.cells) == 4


def test_write_html_from_path(tmp_path):
    src = tmp_path / "e.ipynb"
    nbformat.write(executed_notebook(), src)
    out = write_html(src, tmp_path / "report.html")
    assert count_images(out.read_text(encoding="utf-8")) == 1


def test_cells_of_the_other_language_are_dropped():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Each aspect is scored", metadata={"tags": ["lang-en"]}),
        nbformat.v4.new_markdown_cell("各方面按比例评分", metadata={"tags": ["lang-zh"]}),
        nbformat.v4.new_markdown_cell("## A1")])
    assert [c.source for c in strip_stderr(nb, "zh").cells] == ["各方面按比例评分", "## A1"]
    assert [c.source for c in strip_stderr(nb, "en").cells] == ["Each aspect is scored", "## A1"]
    assert len(strip_stderr(nb).cells) == 3  # no language given: all kept
