"""CJK font registration: the family resolves to a CJK file and Chinese renders without warnings."""
import io
import warnings
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from casekit.report.fonts import candidate_files, font_file, setup_fonts


def test_setup_fonts_resolves_to_a_cjk_file_and_sets_rcparams():
    family = setup_fonts()
    path = Path(font_file(family))
    assert path in candidate_files()
    assert mpl.rcParams["font.sans-serif"][0] == family
    assert mpl.rcParams["axes.unicode_minus"] is False


def test_setup_fonts_is_idempotent():
    first = setup_fonts()
    n_fonts = len(mpl.font_manager.fontManager.ttflist)
    assert setup_fonts() == first
    assert len(mpl.font_manager.fontManager.ttflist) == n_fonts
    assert mpl.rcParams["font.sans-serif"].count(first) == 1


def test_chinese_title_and_labels_render_without_glyph_warnings():
    setup_fonts()
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [-1, 0, 1])
    ax.set_title("预算执行率 Budget execution −5%")
    ax.set_xlabel("月份")
    ax.set_ylabel("执行率（%）")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    glyph = [w for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]
    assert glyph == []
