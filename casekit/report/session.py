"""The report notebooks' session: one hospital's analysis plus the report language.

Every notebook's setup cell calls :func:`session`. Under ``casekit run`` it receives the path
of the analysis the runner computed (the ``analysis`` parameter) and only loads it; opened on
its own (JupyterLab, no ``analysis``), it computes the same analysis itself
(:func:`casekit.pipeline.analysis.compute`). Either way the result is memoised per kernel, so
the five notebooks combined into one kernel run share one session.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from casekit.money import unit_of
from casekit.data.hospital import Hospital, Summary
from casekit.diagnosis.config import Thresholds
from casekit.diagnosis.finding import Finding
from casekit.errors import CasekitError, Issue, warnings_as_issues
from casekit.labels import check_lang, label
from casekit.pipeline import analysis as analysis_module


@dataclass
class Session:
    """One hospital's analysis as the notebooks show it, in one language.

    Attributes
    ----------
    hospital : Hospital
        Restricted to the requested years; department names replaced by codes when redacted.
        Read from the runner's analysis file, it lacks the monthly rows
        (:func:`casekit.pipeline.analysis.save`): what the report shows of them comes from
        ``summary`` and from the tables the diagnosis computed, and :meth:`get` reads the rows
        back for a table that was not computed.
    issues : list of Issue
        Validation warnings.
    diagnosis : Diagnosis
    thresholds : Thresholds
    lang : {"en", "zh"}
    data_path : pathlib.Path
    years : (int, int) or None
    redact : bool
    output_dir : pathlib.Path or None
        When set, figures are also saved as PNG under ``output_dir/figures``.
    notes : list of Issue
        Warnings raised while loading, diagnosing or drawing, reported instead of printed.
    memo : dict
        Indicator tables by (module, function, args, kwargs), seeded with the diagnosis's own memo.
    summary : Summary
        :meth:`Hospital.summary` of the whole hospital (tables, years, monthly actuals).
    analysis : Analysis or None
        Where :meth:`get` reads the whole hospital from when ``hospital`` lacks its monthly rows.
    """

    hospital: Hospital
    issues: list[Issue]
    diagnosis: Any
    thresholds: Thresholds
    lang: str
    data_path: Path
    years: tuple[int, int] | None
    redact: bool
    output_dir: Path | None = None
    notes: list[Issue] = field(default_factory=list)
    memo: dict = field(default_factory=dict, repr=False)
    summary: Summary | None = None
    analysis: analysis_module.Analysis | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.summary is None:
            self.summary = self.hospital.summary()

    @classmethod
    def of(cls, analysis: analysis_module.Analysis, lang: str = "en") -> "Session":
        """The session showing ``analysis`` in ``lang``."""
        memo = dict(getattr(analysis.diagnosis, "memo", None) or {})
        return cls(analysis.hospital, list(analysis.issues), analysis.diagnosis, analysis.thresholds, lang,
                   analysis.data_path, analysis.years, analysis.redact, None, list(analysis.notes), memo,
                   analysis.summary, analysis if analysis.rows_file is not None else None)

    def t(self, key: str, **fmt: Any) -> str:
        """Label ``key`` in the session language."""
        return label(key, self.lang, **fmt)

    def get(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """``fn(hospital, **kwargs)`` computed once per session data (shared across languages).

        Tables the diagnosis already computed with the same arguments are reused, not recomputed;
        another is computed from the whole hospital (its monthly rows read back once, when
        ``hospital`` lacks them).
        """
        key = (fn.__module__, fn.__qualname__, (), tuple(sorted(kwargs.items())))
        if key not in self.memo:
            with warnings_as_issues(self.notes):
                self.memo[key] = fn(self._whole_hospital(), **kwargs)
        return self.memo[key]

    def _whole_hospital(self) -> Hospital:
        """``hospital`` with its monthly rows, read back once per session data (kept in ``memo``)."""
        if self.analysis is None:
            return self.hospital
        key = ("casekit.pipeline.analysis", "full_hospital", (), ())
        if key not in self.memo:
            self.memo[key] = analysis_module.full_hospital(self.analysis)
        return self.memo[key]

    def indicator(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """The table ``fn(hospital, **kwargs)`` as the rules read it (memoised, see :meth:`get`).

        What a notebook's finding section calls to show the table a rule reads, e.g.
        ``s.indicator(indicators.accuracy_summary, basis="adjusted")``. When the hospital lacks
        an input table of ``fn`` (the rule is then not assessed on it), an empty table whose
        ``attrs["missing"]`` says what is missing.
        """
        try:
            return self.get(fn, **kwargs)
        except CasekitError as exc:
            empty = pd.DataFrame()
            empty.attrs["missing"] = exc.message
            return empty

    @property
    def unit(self) -> str:
        """The money unit of the hospital's amounts in the session language (``万元``, ``USD thousand``)."""
        return unit_of(self.hospital.profile, self.lang)

    def dept_labels(self) -> dict[str, str]:
        """dept_id -> display name (the code itself when redacted)."""
        d = self.hospital.departments
        return dict(zip(d["dept_id"], d["dept_id"] if self.redact else d["name"]))

    def findings(self, kind: str) -> dict[str, Finding]:
        """The findings of ``kind`` ("aspects", "problems", "causes") by code."""
        items = getattr(self.diagnosis, kind)
        if isinstance(items, dict):
            return dict(items)
        return {f.code: f for f in items}


_SESSIONS: dict[tuple, Session] = {}


def session(data_path: str, config: str = "", lang: str = "en", years: str = "", redact: bool = False,
            output_dir: str = "", analysis: str = "") -> Session:
    """The notebooks' session: the runner's analysis, or one computed here; memoised per kernel.

    Parameters
    ----------
    data_path : str
        Hospital folder or workbook; relative paths are tried from the current folder, the
        notebooks folder and the project folder.
    config : str
        Thresholds YAML ("" = defaults).
    lang : {"en", "zh"}
    years : str
        ``"2021-2024"``, ``"2023"`` or ``""`` (all years).
    redact : bool
        Replace department names by their codes.
    output_dir : str
        Report folder; figures are saved under ``figures/`` there when given.
    analysis : str
        File written by ``casekit run`` (:func:`casekit.pipeline.analysis.save`) computed from
        the parameters above; ``""``: load and diagnose the data here.

    Returns
    -------
    Session

    Raises
    ------
    DataValidationError
        The data have errors (all of them are listed).
    ConfigError
        A parameter, the thresholds file or the analysis file is invalid.
    """
    check_lang(lang)
    key = (analysis, data_path, config, years, bool(redact))
    if key not in _SESSIONS:
        result = (analysis_module.load(analysis) if analysis
                  else analysis_module.compute(data_path, config=config, years=years, redact=bool(redact)))
        _SESSIONS[key] = Session.of(result)
    return replace(_SESSIONS[key], lang=lang, output_dir=Path(output_dir) if output_dir else None)


def clear_sessions() -> None:
    """Forget the memoised sessions (the next :func:`session` call reads the data again)."""
    _SESSIONS.clear()
