"""One end-to-end run of the J sample hospital, shared by every test module that needs it.

A papermill run costs several seconds, so the run happens once per test session (cached
here; pytest's ``tmp_path_factory`` base folder is the same for the whole session).
"""
from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from casekit.paths import J_HOSPITAL_DIR


@functools.lru_cache(maxsize=None)
def j_data(base: Path) -> Path:
    """The bundled J hospital folder, or a freshly generated one when data/sample is not written yet."""
    if (J_HOSPITAL_DIR / "departments.csv").exists() or any(J_HOSPITAL_DIR.glob("*.xlsx")):
        return J_HOSPITAL_DIR
    from casekit.sample import generate, write_hospital

    return write_hospital(generate("j"), base / "data" / "j_hospital")


@functools.lru_cache(maxsize=None)
def j_report(base: Path):
    """``casekit.pipeline.runner.run`` on J hospital (English, with PDF) into ``base/j_report``."""
    from casekit.pipeline.runner import run

    out = base / "j_report"
    shutil.rmtree(out, ignore_errors=True)
    return run(j_data(base), out_dir=out, lang="en", pdf=True, progress=False)


EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def empty_fontconfig(base: Path) -> Path:
    """A fontconfig file whose only font folder is empty: a machine without any (CJK) font."""
    folder = base / "no-fonts"
    (folder / "fonts").mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text(EMPTY_FONTCONFIG.format(fonts=folder / "fonts", cache=folder / "cache"), encoding="utf-8")
    return conf


@functools.lru_cache(maxsize=None)
def j_report_zh(base: Path):
    """The Chinese J report, printed by a Chromium that sees no system font at all.

    ``FONTCONFIG_FILE`` points at :func:`empty_fontconfig` while the run prints the PDF, so
    every glyph in report.pdf comes from the font subset report.html embeds.
    """
    from casekit.pipeline.runner import run

    out = base / "j_report_zh"
    shutil.rmtree(out, ignore_errors=True)
    old = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(empty_fontconfig(base))
    try:
        return run(j_data(base), out_dir=out, lang="zh", pdf=True, progress=False)
    finally:
        if old is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = old
