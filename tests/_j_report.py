"""One end-to-end run of the J sample hospital, shared by every test module that needs it.

A papermill run costs several seconds, so the run happens once per test session (cached
here; pytest's ``tmp_path_factory`` base folder is the same for the whole session).
"""
from __future__ import annotations

import functools
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
