"""Register a CJK font with matplotlib so Chinese titles and labels render without warnings.

Without a CJK font matplotlib draws empty boxes and warns once per missing glyph. A matplotlib
font cache built before a font was installed also hides it, so casekit registers the font file
itself (``fontManager.addfont``) instead of relying on the cache (see TOOLING.md).

Search order: the OFL-licensed ``noto-cjk-sans-otc`` package (a casekit dependency), then
system fonts (Noto Sans CJK, WenQuanYi Micro Hei, Source Han Sans).
"""
from __future__ import annotations

import glob
import os
from importlib.util import find_spec
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

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
    rest = [f for f in mpl.rcParams["font.sans-serif"] if f != family and f not in LATIN_FALLBACK]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [family, *LATIN_FALLBACK, *rest]
    mpl.rcParams["axes.unicode_minus"] = False


def font_file(family: str) -> str:
    """Path of the file matplotlib's ``findfont`` resolves ``family`` to (no fallback to DejaVu)."""
    return font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
