"""The CJK font of every output: registered with matplotlib, subset and embedded in the HTML.

Figures: without a CJK font matplotlib draws empty boxes and warns once per missing glyph. A
matplotlib font cache built before a font was installed also hides it, so casekit registers
the font file itself (``fontManager.addfont``) instead of relying on the cache (see TOOLING.md).

HTML and PDF: :func:`web_font` subsets the same font with fontTools to the characters a page
uses and returns an ``@font-face`` rule with the subset as a WOFF data URI, so ``report.html``
stays one offline file that renders Chinese on a machine without any CJK font, and the PDF
Chromium prints from it embeds the subset too.

Search order: the OFL-licensed ``noto-cjk-sans-otc`` package (a casekit dependency), then
system fonts (Noto Sans CJK, WenQuanYi Micro Hei, Source Han Sans). matplotlib is imported only
by the functions that need it.
"""
from __future__ import annotations

import base64
import glob
import io
import os
import unicodedata
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from casekit.errors import MissingDependencyError

# Preferred family names, Simplified Chinese forms first.
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK JP",
    "Source Han Sans CN",
)

SYSTEM_FONT_GLOBS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK*-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/**/NotoSansCJK*.ttc",
    "/usr/share/fonts/**/SourceHanSans*.ttc",
    "/usr/share/fonts/**/wqy-microhei.ttc",
    "/usr/local/share/fonts/**/*CJK*.tt[cf]",
    "~/.local/share/fonts/**/*CJK*.tt[cf]",
)

# Latin fallback after the CJK font (matplotlib falls back glyph by glyph along this list).
LATIN_FALLBACK = ("DejaVu Sans",)

_registered: str | None = None


def candidate_files() -> list[Path]:
    """CJK font files available on this machine, best first.

    Returns
    -------
    list of pathlib.Path
        The ``noto-cjk-sans-otc`` package file (if installed), then matching system fonts.
    """
    files: list[Path] = []
    spec = find_spec("noto_cjk_sans_otc")
    if spec is not None and spec.origin:
        files.extend(sorted(Path(spec.origin).parent.glob("NotoSansCJK*.tt[cf]")))
    for pattern in SYSTEM_FONT_GLOBS:
        files.extend(Path(p) for p in sorted(glob.glob(os.path.expanduser(pattern), recursive=True)))
    seen: set[Path] = set()
    return [f for f in files if f.is_file() and not (f in seen or seen.add(f))]


def _families_in(path: Path) -> list[str]:
    from matplotlib import font_manager

    return [e.name for e in font_manager.fontManager.ttflist if Path(e.fname) == path]


def setup_fonts() -> str:
    """Register a CJK font with matplotlib and make it the default sans-serif family.

    Sets ``font.family`` to sans-serif, puts the CJK family first in ``font.sans-serif``
    (followed by DejaVu Sans for Latin fallback) and ``axes.unicode_minus`` to False (CJK
    fonts often lack the Unicode minus). Calling it again does nothing new.

    Returns
    -------
    str
        The CJK family name now used, e.g. ``"Noto Sans CJK SC"``.

    Raises
    ------
    MissingDependencyError
        No CJK font was found; the message names the install command.

    Examples
    --------
    >>> family = setup_fonts()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["font.sans-serif"][0] == family
    True
    """
    from matplotlib import font_manager

    global _registered
    if _registered is None:
        families: list[str] = []
        for path in candidate_files():
            if not _families_in(path):
                font_manager.fontManager.addfont(str(path))
            families.extend(_families_in(path))
        if not families:
            raise MissingDependencyError(
                "no CJK font found for Chinese text in figures",
                "Install one: `pip install noto-cjk-sans-otc` or `apt-get install fonts-wqy-microhei`.")
        _registered = next((f for f in PREFERRED_FAMILIES if f in families), families[0])
    apply_rc(_registered)
    return _registered


def apply_rc(family: str) -> None:
    """Set matplotlib's font rcParams to ``family`` with a Latin fallback (used by :func:`setup_fonts`)."""
    import matplotlib as mpl

    rest = [f for f in mpl.rcParams["font.sans-serif"] if f != family and f not in LATIN_FALLBACK]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [family, *LATIN_FALLBACK, *rest]
    mpl.rcParams["axes.unicode_minus"] = False


def font_file(family: str) -> str:
    """Path of the file matplotlib's ``findfont`` resolves ``family`` to (no fallback to DejaVu)."""
    from matplotlib import font_manager

    return font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)


# ---------------------------------------------------------------------------------------------
# Web font: the subset embedded in report.html (and so in report.pdf)

WEB_FAMILY = "casekit CJK"  # the CSS family name casekit.css lists first
# OpenType features kept in the subset: Latin kerning only (CJK text needs none; each feature
# kept pulls its lookups into the subset and roughly doubles its size).
WEB_FEATURES = ("kern",)


@dataclass(frozen=True)
class WebFont:
    """A font subset for one page, ready to embed, and what it does not cover.

    Attributes
    ----------
    css : str
        The ``@font-face`` rule (WOFF data URI), or ``""`` when no font could be embedded.
    family : str
        Family name of the source face (e.g. ``"Noto Sans CJK SC"``), ``""`` when none.
    source : pathlib.Path or None
        The font file the subset was cut from.
    characters : int
        Distinct characters of the page the subset covers.
    nbytes : int
        Size of the embedded font file in bytes (before base64).
    missing : str
        Visible non-ASCII characters of the page the font lacks (a reader's browser draws them
        with any font it has, or as empty boxes).
    warnings : tuple of str
        Sentences for the console and ``run.log``: no font found, subsetting failed, or
        characters that fall back to another font.
    """

    css: str
    family: str
    source: Path | None
    characters: int
    nbytes: int
    missing: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        """One line for ``run.log``: family, source, characters covered and size."""
        if not self.css:
            return "fonts: none embedded"
        return (f"fonts: embedded {self.family} subset ({self.characters} characters, "
                f"{self.nbytes / 1024:.0f} KiB WOFF) from {self.source}")


def _face_index(path: Path) -> tuple[int, str]:
    """Index and family name of the best face in a font file (Simplified Chinese first)."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        faces = TTCollection(str(path), lazy=True).fonts
    else:
        faces = [TTFont(str(path), lazy=True)]
    names = [f["name"].getDebugName(1) or "" for f in faces]
    for wanted in PREFERRED_FAMILIES:
        if wanted in names:
            return names.index(wanted), wanted
    return 0, names[0] if names else path.stem


def _cff_to_glyf(font) -> None:
    """Convert a (subset) CFF-flavoured font to TrueType outlines in place.

    Chromium's PDF writer embeds TrueType-outline web fonts as named CID TrueType fonts but
    CFF-outline ones as anonymous Type 3 fonts; converted, ``pdffonts`` names the embedded
    CJK font and PDF viewers render it as real outlines. Cubic curves become quadratic ones
    within 1 font unit (fontTools' cu2qu, as in its ``otf2ttf`` recipe).
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 3.0, [], {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _visible(ch: str) -> bool:
    """True for characters a reader sees (not ASCII, not whitespace, not control/format)."""
    return not ch.isascii() and not ch.isspace() and unicodedata.category(ch)[0] not in "CZ"


def web_font(text: str) -> WebFont:
    """Subset casekit's CJK font to the characters of ``text`` and return an ``@font-face`` rule.

    Parameters
    ----------
    text : str
        Everything the page shows (its text content; markup is harmless but wasteful).

    Returns
    -------
    WebFont
        ``css`` declares the family :data:`WEB_FAMILY` with the subset as a WOFF data URI
        (``font-display: block`` so a printer waits for it). When no CJK font is installed or
        subsetting fails, ``css`` is empty and ``warnings`` says why.

    Examples
    --------
    >>> wf = web_font("预算 budget")
    >>> wf.css.startswith("@font-face") and wf.characters == len(set("预算 budget"))
    True
    >>> wf.missing
    ''
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted(set(text))
    files = candidate_files()
    if not files:
        return WebFont("", "", None, 0, 0, "".join(c for c in chars if _visible(c)), (
            "no CJK font found to embed in report.html: Chinese text shows as empty boxes on machines "
            "without a CJK font. Install one: `pip install noto-cjk-sans-otc`.",))
    path = files[0]
    try:
        index, family = _face_index(path)
        font = TTFont(str(path), fontNumber=index, lazy=True)
        cmap = font.getBestCmap() or {}
        missing = "".join(c for c in chars if _visible(c) and ord(c) not in cmap)
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = list(WEB_FEATURES)
        options.hinting = False
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence (OFL)
        options.name_languages = [0x409]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars if ord(c) in cmap])
        subsetter.subset(font)
        if "CFF " in font:
            _cff_to_glyf(font)
        buf = io.BytesIO()
        font.flavor = "woff"
        font.save(buf)
    except Exception as exc:  # a damaged or unreadable font file: say so, render with system fonts
        return WebFont("", "", path, 0, 0, "", (
            f"could not subset the CJK font {path} ({type(exc).__name__}: {exc}); report.html names the "
            "font but embeds none, so Chinese may show as boxes where it is not installed. "
            "Reinstall it: `pip install --force-reinstall noto-cjk-sans-otc`.",))
    data = buf.getvalue()
    css = (f'@font-face {{ font-family: "{WEB_FAMILY}"; font-style: normal; font-weight: 400; '
           f'font-display: block; src: url("data:font/woff;base64,{base64.b64encode(data).decode("ascii")}") '
           'format("woff"); }')
    notes = ()
    if missing:
        shown = " ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
        notes = (f"{len(missing)} character(s) of the report are not in {family} and fall back to the "
                 f"reader's fonts (empty boxes where none has them): {shown}",)
    return WebFont(css, family, path, len(chars) - len(missing), len(data), missing, notes)
