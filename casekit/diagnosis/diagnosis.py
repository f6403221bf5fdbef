"""``diagnose()`` and the :class:`Diagnosis` it returns.

One call runs the whole case method on a hospital: the five aspects A1-A5, the problems P1-P5,
the causes C1-C5, the cause -> problem matrix and the recommendations. Data a rule needs but
the hospital did not supply make that rule "not assessed"; any other exception inside a rule
is a bug and propagates. The JSON layout written by :meth:`Diagnosis.to_json` is documented in
``docs/findings-schema.md`` (``schema_version`` "1.0").
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from casekit.money import as_dict as money_fields, money_of
from casekit.diagnosis.aspects import ASPECT_RULES
from casekit.diagnosis.conclusion import conclusion, coverage, supply_list
from casekit.diagnosis.config import RuleContext, Thresholds
from casekit.diagnosis.finding import Finding, _plain
from casekit.diagnosis.matrix import cause_problem_matrix
from casekit.diagnosis.recommendations import COLUMNS as RECOMMENDATION_COLUMNS
from casekit.diagnosis.recommendations import Recommendation, jurisdiction_note, recommend
from casekit.diagnosis.rules_causes import CAUSE_RULES
from casekit.diagnosis.rules_linkage import rule_p4, rule_p5
from casekit.indicators.shared import shared_tables
from casekit.errors import ConfigError, OutputError
from casekit.data.hospital import Hospital
from casekit.indicators.execution import execution_statement, with_names
from casekit.indicators.pefa import pefa_yearly, scores_from_yearly

SCHEMA_VERSION = "1.0"
KINDS = {"A": "aspect", "P": "problem", "C": "cause"}


def _problem_rules() -> dict[str, Any]:
    from casekit.diagnosis.rules_execution import rule_p3
    from casekit.diagnosis.rules_preparation import rule_p1, rule_p2

    return {"P1": rule_p1, "P2": rule_p2, "P3": rule_p3, "P4": rule_p4, "P5": rule_p5}


def _thresholds(config: Thresholds | Mapping[str, Any] | str | Path | None) -> Thresholds:
    if config is None or isinstance(config, Thresholds):
        return config or Thresholds()
    if isinstance(config, (Mapping, str, Path)):
        return Thresholds(config)
    raise ConfigError(f"config must be None, a mapping, a YAML path or a Thresholds, got {type(config).__name__}",
                      "Pass e.g. config={'p3': {'line_share_beyond': 0.3}} or config='my_thresholds.yaml'.")


def _sheet_name(key: str) -> str:
    """A readable table name from a RuleContext.computed key (no characters Excel forbids)."""
    return re.sub(r"[\[\]:*?/\\'()\s,]+", "_", key).strip("_")


@dataclass
class Diagnosis:
    """The result of :func:`diagnose`.

    Attributes
    ----------
    hospital_name : str
    profile : dict
        The hospital profile (name, tier, beds, staff ...).
    years : list of int
    synthetic : bool
        True for generated sample hospitals; reports say so on their first page.
    generated_at : str
        ISO 8601 time (UTC) of the diagnosis.
    casekit_version : str
    thresholds : Thresholds
    aspects : list of Finding
        A1-A5 (:class:`casekit.diagnosis.aspects.AspectFinding` when assessed).
    problems : list of Finding
        P1-P5.
    causes : list of Finding
        C1-C5.
    matrix : pandas.DataFrame
        Cause -> problem links (:func:`casekit.diagnosis.matrix.cause_problem_matrix`).
    recommendations : list of Recommendation
    notes : list of casekit.errors.Issue
        Data-quality notes found while loading the hospital.
    indicators : dict of str to DataFrame
        Indicator tables computed during the diagnosis (for the Excel export).
    memo : dict
        The same tables keyed by (module, function, args, kwargs) as
        :meth:`casekit.diagnosis.config.RuleContext.get` memoises them, so report code asking
        for one of them with the same arguments reuses it (not exported).
    execution : pandas.DataFrame
        The budget-execution table by account (预算执行情况表,
        :func:`casekit.indicators.execution.execution_statement`).
    execution_by_department : pandas.DataFrame
        The same by department.
    pefa : pandas.DataFrame
        PEFA budget-credibility scores (:func:`casekit.indicators.pefa.pefa_scores`).
    pefa_years : pandas.DataFrame
        Their yearly values (:func:`casekit.indicators.pefa.pefa_yearly`).
    """

    hospital_name: str
    profile: dict[str, Any]
    years: list[int]
    synthetic: bool
    generated_at: str
    casekit_version: str
    thresholds: Thresholds
    aspects: list[Finding]
    problems: list[Finding]
    causes: list[Finding]
    matrix: pd.DataFrame
    recommendations: list[Recommendation]
    notes: list[Any] = field(default_factory=list)
    indicators: dict[str, pd.DataFrame] = field(default_factory=dict)
    memo: dict[tuple, Any] = field(default_factory=dict, repr=False, compare=False)
    execution: pd.DataFrame = field(default_factory=pd.DataFrame)
    execution_by_department: pd.DataFrame = field(default_factory=pd.DataFrame)
    pefa: pd.DataFrame = field(default_factory=pd.DataFrame)
    pefa_years: pd.DataFrame = field(default_factory=pd.DataFrame)

    # ---------------------------------------------------------------- queries
    @property
    def findings(self) -> list[Finding]:
        """Aspects, problems and causes, in that order."""
        return [*self.aspects, *self.problems, *self.causes]

    def finding(self, code: str) -> Finding:
        """The finding with ``code`` (``"A1"``..``"A5"``, ``"P1"``..``"P5"``, ``"C1"``..``"C5"``)."""
        for f in self.findings:
            if f.code == code.upper():
                return f
        raise KeyError(f"no finding {code!r}; codes are {', '.join(f.code for f in self.findings)}")

    def present(self, kind: str = "problem") -> list[str]:
        """Codes of the problems (``kind="problem"``) or causes (``kind="cause"``) found present."""
        if kind not in ("problem", "cause"):
            raise ConfigError(f"unknown kind {kind!r}", "Use kind='problem' or kind='cause'.")
        return [f.code for f in (self.problems if kind == "problem" else self.causes) if f.present]

    def conclusion(self, lang: str = "en") -> str:
        """What was and was not assessed, and what was found (:func:`casekit.diagnosis.conclusion.conclusion`)."""
        return conclusion(self.findings, lang)

    def coverage(self) -> pd.DataFrame:
        """Status, evidence strength and missing data of every finding
        (:func:`casekit.diagnosis.conclusion.coverage`)."""
        return coverage(self.findings)

    # ---------------------------------------------------------------- tables
    def summary_frame(self) -> pd.DataFrame:
        """One row per finding.

        Columns: ``code``, ``kind`` (aspect/problem/cause), ``title_en``, ``title_zh``,
        ``status``, ``evidence_strength``, ``robustness``, ``flips_at``, ``severity``, ``grade``,
        ``rating`` (aspects), ``share_met`` (aspects), ``n_criteria`` (computable),
        ``n_triggered``, ``n_required``, ``missing``, ``summary_en``, ``summary_zh``.
        """
        rows = []
        for f in self.findings:
            rows.append({"code": f.code, "kind": KINDS[f.code[0]], "title_en": f.title_en, "title_zh": f.title_zh,
                         "status": f.status, "evidence_strength": f.evidence_strength, "robustness": f.robustness,
                         "flips_at": f.flips_at, "severity": f.severity, "grade": f.grade,
                         "rating": getattr(f, "rating", None), "share_met": getattr(f, "share_met", None),
                         "n_criteria": f.n_computable, "n_triggered": f.n_triggered, "n_required": f.n_required,
                         "missing": "; ".join(f.missing), "summary_en": f.summary_en, "summary_zh": f.summary_zh})
        return pd.DataFrame(rows)

    def sensitivity_frame(self) -> pd.DataFrame:
        """Every threshold move tried by the robustness check: ``code`` plus ``scope``, ``change``,
        ``status``, ``flips`` (:func:`casekit.diagnosis.robustness.sensitivity`)."""
        rows = [{"code": f.code, **r} for f in self.findings for r in f.sensitivity]
        return pd.DataFrame(rows, columns=["code", "scope", "change", "status", "flips"])

    def criteria_frame(self) -> pd.DataFrame:
        """Every criterion of every finding: ``code`` plus the :class:`Criterion` fields."""
        rows = [{"code": f.code, **c.as_dict()} for f in self.findings for c in f.criteria]
        cols = ["code", "name", "value", "threshold", "op", "triggered", "margin", "distance", "n", "statistic",
                "config_key", "label_en", "label_zh", "basis"]
        return pd.DataFrame(rows, columns=cols)

    def recommendations_frame(self) -> pd.DataFrame:
        """Recommendations as a table (``triggered_by`` joined by commas)."""
        rows = [{**r.as_dict(), "triggered_by": ", ".join(r.triggered_by)} for r in self.recommendations]
        for r in rows:
            r["weak_evidence"] = ", ".join(r["weak_evidence"])
        return pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS)

    def aspect_frame(self) -> pd.DataFrame:
        """Aspect scores: ``code``, ``title_en``, ``title_zh``, ``status``, ``share_met``, ``rating``,
        ``n_requirements``, ``severity``."""
        return pd.DataFrame([{"code": f.code, "title_en": f.title_en, "title_zh": f.title_zh, "status": f.status,
                              "share_met": getattr(f, "share_met", None), "rating": getattr(f, "rating", None),
                              "n_requirements": getattr(f, "n_requirements", 0), "severity": f.severity}
                             for f in self.aspects])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the diagnosis by name: ``findings``, ``execution`` (by account),
        ``execution_by_department``, ``pefa``, ``pefa_years``, ``criteria``, ``sensitivity``,
        ``matrix``, ``recommendations``, ``aspects``, ``thresholds``, then the indicator tables."""
        out = {"findings": self.summary_frame(), "execution": self.execution.copy(),
               "execution_by_department": self.execution_by_department.copy(), "pefa": self.pefa.copy(),
               "pefa_years": self.pefa_years.copy(), "criteria": self.criteria_frame(),
               "sensitivity": self.sensitivity_frame(), "matrix": self.matrix.copy(),
               "recommendations": self.recommendations_frame(), "aspects": self.aspect_frame(),
               "thresholds": pd.DataFrame(self.thresholds.as_records())}
        for name, df in self.indicators.items():
            out.setdefault(name, df)
        return out

    # ---------------------------------------------------------------- export
    def to_dict(self, evidence_rows: int = 50) -> dict[str, Any]:
        """The diagnosis as plain JSON-ready data (layout: docs/findings-schema.md)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "casekit_version": self.casekit_version,
            "generated_at": self.generated_at,
            "hospital": {"name": self.hospital_name, "synthetic": self.synthetic, "years": list(self.years),
                         "profile": {k: _plain(v) for k, v in self.profile.items()},
                         "money": money_fields(*money_of(self.profile))},
            "thresholds": [{k: _plain(v) if not isinstance(v, (list, dict)) else v for k, v in r.items()}
                           for r in self.thresholds.as_records()],
            "aspects": [f.as_dict(evidence_rows) for f in self.aspects],
            "problems": [f.as_dict(evidence_rows) for f in self.problems],
            "causes": [f.as_dict(evidence_rows) for f in self.causes],
            "matrix": [{k: _plain(v) for k, v in r.items()} for r in self.matrix.to_dict("records")],
            "recommendations": [r.as_dict() for r in self.recommendations],
            "conclusion_en": self.conclusion("en"),
            "conclusion_zh": self.conclusion("zh"),
            "coverage": {"n_findings": len(self.findings),
                         "n_assessed": sum(f.status != "not_assessed" for f in self.findings),
                         "n_weak": sum(f.weak for f in self.findings),
                         "not_assessed": [f.code for f in self.findings if f.status == "not_assessed"],
                         "supply": supply_list(self.findings)},
            "pefa": [{k: _plain(v) for k, v in r.items()} for r in self.pefa.to_dict("records")],
            "notes": [n.as_dict() if hasattr(n, "as_dict") else str(n) for n in self.notes],
        }

    def to_json(self, path: str | Path | None = None, evidence_rows: int = 50) -> str:
        """Serialise to JSON; when ``path`` is given also write it atomically (temp file + rename)."""
        text = json.dumps(self.to_dict(evidence_rows), ensure_ascii=False, indent=2, allow_nan=False)
        if path is not None:
            path = Path(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                from casekit.fs.atomic import write_text

                write_text(path, text)
            except OSError as exc:
                raise OutputError(f"cannot write {path}: {exc}",
                                  "Check that the folder exists and is writable.") from None
        return text

    def _repr_html_(self) -> str:
        def row(cells: list[Any]) -> str:
            return "<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in cells) + "</tr>"

        head = ("<tr><th>code</th><th>finding</th><th>status</th><th>grade / rating</th><th>severity</th>"
                "<th>summary</th></tr>")
        body = []
        for f in self.findings:
            mark = getattr(f, "rating", None) or (f.grade if f.present else "")
            sev = "" if f.severity is None else f"{f.severity:.0f}"
            body.append(row([f.code, f"{f.title_en} / {f.title_zh}", f.status.replace("_", " "), mark, sev,
                             f.summary_en]))
        flag = " (synthetic data)" if self.synthetic else ""
        title = (f"<p><b>casekit diagnosis: {html.escape(self.hospital_name)}{flag}</b>, years "
                 f"{html.escape(', '.join(map(str, self.years)))}; problems present: "
                 f"{html.escape(', '.join(self.present('problem')) or 'none')}; causes present: "
                 f"{html.escape(', '.join(self.present('cause')) or 'none')}; "
                 f"{len(self.recommendations)} recommendation(s).</p>")
        return title + "<table>" + head + "".join(body) + "</table>"

    def __repr__(self) -> str:
        return (f"Diagnosis({self.hospital_name!r}, problems present {self.present('problem')}, "
                f"causes present {self.present('cause')})")


def diagnose(hospital: Hospital, config: Thresholds | Mapping[str, Any] | str | Path | None = None) -> Diagnosis:
    """Run the whole case method on one hospital.

    Parameters
    ----------
    hospital : Hospital
        Validated data (:func:`casekit.load`).
    config : None, mapping, path or Thresholds
        Threshold overrides (see ``casekit/diagnosis/thresholds.yaml``); None uses the defaults.

    Returns
    -------
    Diagnosis
        Aspects A1-A5, problems P1-P5, causes C1-C5, matrix, recommendations and the indicator
        tables computed on the way.

    Raises
    ------
    ConfigError
        When ``config`` has unknown keys or values of the wrong type.

    Examples
    --------
    >>> from casekit.sample import generate          # doctest: +SKIP
    >>> d = diagnose(generate("j"))                   # doctest: +SKIP
    >>> d.present("problem")                          # doctest: +SKIP
    ['P1', 'P2', 'P3', 'P4', 'P5']
    """
    from casekit import __version__

    cfg = _thresholds(config)
    ctx = RuleContext(hospital, cfg)
    with shared_tables(hospital):  # line tables and other shared inputs computed once
        aspects = [rule(ctx) for rule in ASPECT_RULES.values()]
        problems = [rule(ctx) for rule in _problem_rules().values()]
        causes = [rule(ctx) for rule in CAUSE_RULES.values()]
        matrix = cause_problem_matrix(ctx, causes, problems)
        bands = {"good": cfg["bands.good"], "warning": cfg["bands.warning"]}
        execution = ctx.get(execution_statement, by="account", **bands)
        by_dept = ctx.get(execution_statement, by="department", **bands)
        pefa_years = ctx.get(pefa_yearly)
        pefa = scores_from_yearly(pefa_years)
        for f in [*aspects, *problems, *causes]:
            f.evidence = with_names(f.evidence, hospital)
        indicators = {_sheet_name(k): with_names(v, hospital) for k, v in ctx.computed.items()
                      if isinstance(v, pd.DataFrame) and not k.startswith(("execution_statement", "pefa_"))}
    recs = recommend([*aspects, *problems, *causes], country=hospital.profile.country)
    for f in aspects:  # scored against the checklist of China's 2020 measures
        if jurisdiction_note(hospital.profile.country) and f.status != "not_assessed":
            f.summary_en = f"{f.summary_en} {jurisdiction_note(hospital.profile.country, 'en')}".strip()
            f.summary_zh = f"{f.summary_zh}{jurisdiction_note(hospital.profile.country, 'zh')}"
    return Diagnosis(
        hospital_name=hospital.name, profile=hospital.profile.as_dict(), years=list(hospital.years),
        synthetic=bool(hospital.profile.synthetic),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), casekit_version=__version__,
        thresholds=cfg, aspects=aspects, problems=problems, causes=causes, matrix=matrix,
        recommendations=recs, notes=list(hospital.notes), indicators=indicators, memo=dict(ctx._memo),
        execution=execution, execution_by_department=by_dept, pefa=pefa, pefa_years=pefa_years)
