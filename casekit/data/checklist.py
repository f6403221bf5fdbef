"""The standard governance checklist (``casekit/diagnosis/standard_checklist.csv``), read once.

Each item restates a requirement of the 2020 measures; a hospital's checklist answers are
merged with it (:func:`casekit.data.validation.merge_standard_checklist`), the indicators score
it (:mod:`casekit.indicators.governance`) and the sample generator answers it.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from casekit.errors import ConfigError
from casekit.paths import STANDARD_CHECKLIST_FILE


@lru_cache(maxsize=1)
def _read() -> pd.DataFrame:
    if not STANDARD_CHECKLIST_FILE.is_file():
        raise ConfigError(f"the standard checklist {STANDARD_CHECKLIST_FILE} is missing",
                          "Reinstall casekit; the file ships with the package.")
    return pd.read_csv(STANDARD_CHECKLIST_FILE, dtype=str, keep_default_na=False, encoding="utf-8")


def standard_checklist() -> pd.DataFrame:
    """The standard governance checklist restating the 2020 measures (a fresh copy each call).

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id``, ``aspect`` (A1-A5 or INFO), ``cause`` (C1-C5 or ``""``),
        ``requirement_en``, ``requirement_zh``, ``source``; all text.

    References
    ----------
    2020 Measures for comprehensive budget management in public hospitals (国卫财务发〔2020〕30号);
    2020 Guidance on operations management (国卫财务发〔2020〕27号).

    Examples
    --------
    >>> bool(standard_checklist()["aspect"].isin(["A1", "A2", "A3", "A4", "A5", "INFO"]).all())
    True
    """
    return _read().copy()
