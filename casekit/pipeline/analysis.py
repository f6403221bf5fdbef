"""The one computation behind a report: validated data, restricted to the years, redacted, diagnosed.

``casekit run`` validates the data, calls :func:`analyse` once, writes ``findings.json`` and
``tables.xlsx`` from the result, saves it with :func:`save` and passes the file's path to the
notebooks as their ``analysis`` parameter; the notebooks' session
(:func:`casekit.report.session.session`) only :func:`load`\\ s it and draws. A notebook opened
without that parameter (JupyterLab) calls :func:`compute`, which runs the same steps on the
same inputs, so every output shows the same diagnosis.

Redaction (``redact=True``) is applied here, to the hospital and the validation warnings,
before the diagnosis: everything computed from an :class:`Analysis` names departments by
their codes only.

References
----------
Problems P1-P5 and causes C1-C5 follow the "J public hospital" case study; the rules are the
2020 Measures for comprehensive budget management in public hospitals (国卫财务发〔2020〕30号),
see ``docs/methodology.md``.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field, replace as dataclass_replace
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from casekit.data.hospital import Hospital, Summary
from casekit.diagnosis.config import Thresholds
from casekit.errors import CasekitError, ConfigError, DataValidationError, Issue, warnings_as_issues
from casekit.pipeline.params import parse_years, resolve_input

ANALYSIS_FILE = ".casekit-analysis.pkl"
"""File name of the saved analysis in the runner's staging folder (deleted before publishing)."""
MONTHLY_TABLES = ("actuals", "budget_monthly")
""":func:`save` writes the rows of these tables to a file of their own, beside the analysis."""
_YEAR_TABLES = ("budget", "actuals", "workload", "performance", "budget_monthly")


@dataclass
class Analysis:
    """A hospital's data and diagnosis as every output of one report shows them.

    Attributes
    ----------
    hospital : Hospital
        Restricted to ``years``; with ``redact``, department names replaced by codes everywhere.
    issues : list of Issue
        The validation warnings (redacted likewise).
    thresholds : Thresholds
    diagnosis : casekit.diagnosis.Diagnosis
        Computed from ``hospital`` with ``thresholds``.
    data_path : pathlib.Path
        Folder or workbook the data were read from.
    years : (int, int) or None
        Inclusive year range; None for all years.
    redact : bool
    notes : list of Issue
        Warnings raised while diagnosing (shown with the validation notes).
    summary : casekit.data.hospital.Summary or None
        :meth:`Hospital.summary` of the whole hospital (set by :func:`analyse`).
    rows_file : pathlib.Path or None
        Set in an analysis written by :func:`save`: the file holding the rows of
        :data:`MONTHLY_TABLES`, which ``hospital`` then lacks (:func:`full_hospital` reads them
        back). None when ``hospital`` is whole.
    """

    hospital: Hospital
    issues: list[Issue]
    thresholds: Thresholds
    diagnosis: Any
    data_path: Path
    years: tuple[int, int] | None = None
    redact: bool = False
    notes: list[Issue] = field(default_factory=list)
    summary: Summary | None = None
    rows_file: Path | None = None


def analyse(report: Any, data_path: str | Path, *, config: str | Path | None = None,
            years: tuple[int, int] | None = None, redact: bool = False) -> Analysis:
    """Restrict a validated hospital to ``years``, redact it if asked, and diagnose it.

    Parameters
    ----------
    report : casekit.data.validation_report.ValidationReport
        Without errors (``report.hospital`` set).
    data_path : str or Path
        Where the data were read from (shown on the report's title page).
    config : str or Path, optional
        Thresholds YAML; None for the defaults.
    years : (int, int), optional
        Years to keep (inclusive).
    redact : bool
        Replace department names by their codes before diagnosing.

    Returns
    -------
    Analysis

    Raises
    ------
    ConfigError
        No budget and actuals in ``years``, or an invalid thresholds file.
    """
    from casekit.diagnosis import diagnose
    from casekit.indicators.shared import shared_tables

    hospital, issues = report.hospital, [i for i in report.issues if i.severity != "error"]
    notes: list[Issue] = []
    with warnings_as_issues(notes):
        if redact:
            from casekit.report.redact import redact as redact_hospital, redact_issues

            issues = redact_issues(issues, hospital.departments)
            hospital = redact_hospital(hospital)
        hospital = restrict_years(hospital, years)
        thresholds = Thresholds(config)
        with shared_tables(hospital):  # the figure tables start from the diagnosis's line tables
            diagnosis = diagnose(hospital, thresholds)
            _add_figure_tables(diagnosis, hospital, thresholds)
    return Analysis(hospital, issues, thresholds, diagnosis, Path(data_path), years, bool(redact), notes,
                    summary=hospital.summary())


def deviation_inputs(thresholds: Thresholds) -> list[dict[str, Any]]:
    """Arguments of :func:`casekit.indicators.execution.execution_table` for the deviation histogram.

    One table per budget line and year, on the original and on the adjusted budget.
    """
    good, warning = thresholds["bands.good"], thresholds["bands.warning"]
    return [{"level": ("year", "dept_id", "account_id"), "basis": basis, "good": good, "warning": warning}
            for basis in ("original", "adjusted")]


def figure_inputs(thresholds: Thresholds) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
    """The indicator tables the report's figures draw that the diagnosis does not compute itself.

    ``(function, keyword arguments)`` as :meth:`casekit.report.session.Session.get` is called
    with them by :mod:`casekit.report.plots.from_session` (monthly execution for the heat map,
    the line-level execution tables for the deviation histogram, the flexible-budget
    variance for the bridge).
    """
    from casekit.indicators.execution import execution_table
    from casekit.indicators.flexible import flexible_budget_variance
    from casekit.indicators.progress import monthly_execution

    return [(monthly_execution, {}), *((execution_table, kw) for kw in deviation_inputs(thresholds)),
            (flexible_budget_variance, {})]


def _add_figure_tables(diagnosis: Any, hospital: Hospital, thresholds: Thresholds) -> None:
    """Compute :func:`figure_inputs` into ``diagnosis.memo``, under the session's keys.

    The kernel then draws from the saved analysis without joining the hospital's monthly rows
    again (at 200 departments the heat map's table alone took the kernel from 400 to 730 MB).
    A table the hospital lacks the inputs for (no workload) is left out; the figure then says so
    as before.
    """
    memo = getattr(diagnosis, "memo", None)
    if not isinstance(memo, dict):  # a diagnosis without a memo: the session computes the tables
        return
    for fn, kwargs in figure_inputs(thresholds):
        key = (fn.__module__, fn.__qualname__, (), tuple(sorted(kwargs.items())))
        if key in memo:
            continue
        try:
            memo[key] = fn(hospital, **kwargs)
        except CasekitError:
            continue


def compute(data_path: str, config: str = "", years: str = "", redact: bool = False) -> Analysis:
    """Validate the data and :func:`analyse` them, from the notebooks' string parameters.

    Parameters
    ----------
    data_path : str
        Hospital folder or workbook; a relative path is tried from the current folder, the
        notebooks folder and the project folder.
    config : str
        Thresholds YAML ("" = defaults).
    years : str
        ``"2021-2024"``, ``"2023"`` or ``""`` (all years).
    redact : bool

    Returns
    -------
    Analysis

    Raises
    ------
    DataValidationError
        The data have errors (all of them are listed).
    ConfigError
        A parameter or the thresholds file is invalid.
    """
    from casekit.data.loader import validate

    path = resolve_input(data_path, "data_path")
    cfg = resolve_input(config, "config") if config else None
    span = parse_years(years)
    notes: list[Issue] = []
    with warnings_as_issues(notes):
        report = validate(path, config=cfg)
    if report.has_errors or report.hospital is None:
        raise DataValidationError(report.issues, str(path))
    analysis = analyse(report, path, config=cfg, years=span, redact=redact)
    analysis.notes[:0] = notes
    return analysis


def save(analysis: Analysis, path: str | Path) -> Path:
    """Write ``analysis`` to ``path`` and the rows of its :data:`MONTHLY_TABLES` to :func:`rows_path`.

    Both are pickles, written atomically. :func:`load` reads the analysis without those rows:
    the report's figures draw from the tables the diagnosis computed (``diagnosis.memo``), so
    the kernel does not hold the hospital's monthly rows (about half of the file at 1,000
    departments); :func:`full_hospital` reads them back for a table that was not computed.

    A pickle runs code when it is loaded: :func:`load` only files casekit wrote itself (the
    runner keeps them in its private staging folder and deletes them before publishing).
    """
    from casekit.fs.atomic import atomic_path

    path = Path(path)
    rows = {name: getattr(analysis.hospital, name) for name in MONTHLY_TABLES}
    lean = dataclass_replace(analysis, hospital=without_monthly_rows(analysis.hospital), rows_file=rows_path(path))
    for obj, file in ((rows, rows_path(path)), (lean, path)):
        with atomic_path(file) as tmp, open(tmp, "wb") as fh:  # streamed: no second copy of the data as bytes
            _Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return path


def rows_path(path: str | Path) -> Path:
    """The file :func:`save` writes the monthly rows of the analysis saved at ``path`` to."""
    path = Path(path)
    return path.with_name(path.name + ".rows")


def discard(path: str | Path) -> None:
    """Delete an analysis written by :func:`save` and its rows file (either may be missing)."""
    for file in (Path(path), rows_path(path)):
        file.unlink(missing_ok=True)


def without_monthly_rows(h: Hospital) -> Hospital:
    """``h`` without the rows of :data:`MONTHLY_TABLES` (a required table keeps its columns, zero rows;
    an optional one is left out)."""
    from casekit.data.schema.tables import REQUIRED_TABLES

    return h.with_tables(**{name: getattr(h, name).iloc[:0] if name in REQUIRED_TABLES else None
                            for name in MONTHLY_TABLES})


def full_hospital(analysis: Analysis) -> Hospital:
    """The whole hospital of ``analysis``: with the rows :func:`save` wrote apart read back.

    Raises
    ------
    ConfigError
        The rows file is missing or unreadable.
    """
    if analysis.rows_file is None:
        return analysis.hospital
    rows = _read_pickle(analysis.rows_file, "rows")
    if not isinstance(rows, dict) or set(rows) != set(MONTHLY_TABLES):
        raise ConfigError(f"rows file {analysis.rows_file} holds no monthly tables", _LOAD_HINT)
    return analysis.hospital.with_tables(**rows)


class _Pickler(pickle.Pickler):
    """A pickler writing pandas' Arrow-backed arrays (the text columns) as their Arrow chunks.

    pandas pickles such an array as one combined copy of its chunks, and a pickler keeps every
    object it wrote until the dump ends, so every text column of the hospital and of the
    diagnosis's tables was held twice while the analysis was saved (+480 MB at 1,000
    departments). The array read back is the same: same dtype, same values, same chunks.
    """

    def reducer_override(self, obj: Any) -> Any:
        from pandas.arrays import ArrowExtensionArray

        if isinstance(obj, ArrowExtensionArray):
            return _arrow_array, (type(obj), {**obj.__dict__, "_cache": {}})
        return NotImplemented


def _arrow_array(cls: type, state: dict[str, Any]) -> Any:
    """An Arrow-backed pandas array from the state :class:`_Pickler` wrote."""
    array = cls.__new__(cls)
    array.__setstate__(state)
    return array


_LOAD_HINT = "Leave the analysis parameter empty: the notebook then loads and diagnoses the data itself."


def load(path: str | Path) -> Analysis:
    """Read an :class:`Analysis` written by :func:`save`, without its monthly rows.

    Its ``rows_file`` names the file :func:`save` wrote the rows to (:func:`full_hospital`).

    Raises
    ------
    ConfigError
        The file is missing or holds no analysis.
    """
    file = Path(path)
    analysis = _read_pickle(file, "analysis")
    if not isinstance(analysis, Analysis):
        raise ConfigError(f"analysis file {file} holds a {type(analysis).__name__}, not an analysis", _LOAD_HINT)
    if analysis.rows_file is not None:  # beside this file, wherever the two were moved together
        analysis = dataclass_replace(analysis, rows_file=rows_path(file))
    return analysis


def _read_pickle(file: Path, what: str) -> Any:
    """The object pickled in ``file``; a :class:`ConfigError` naming the ``what`` file otherwise."""
    if not file.is_file():
        raise ConfigError(f"{what} file {file} does not exist", _LOAD_HINT)
    try:
        with file.open("rb") as fh:
            return pickle.load(fh)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError) as exc:
        raise ConfigError(f"{what} file {file} cannot be read ({type(exc).__name__})", _LOAD_HINT) from None


def restrict_years(h: Hospital, span: tuple[int, int] | None) -> Hospital:
    """The hospital restricted to the years ``span`` (inclusive); all years when None.

    Raises
    ------
    ConfigError
        No budget and actuals are left in ``span``.
    """
    if span is None:
        return h
    first, last = span
    tables: dict[str, pd.DataFrame] = {}
    for name in _YEAR_TABLES:
        df = getattr(h, name)
        if isinstance(df, pd.DataFrame) and "year" in df.columns:
            tables[name] = df[df["year"].between(first, last)].reset_index(drop=True)
    if h.has("adjustments") and "date" in h.adjustments.columns:
        dates = pd.to_datetime(h.adjustments["date"]).dt.year
        tables["adjustments"] = h.adjustments[dates.between(first, last)].reset_index(drop=True)
    out = h.with_tables(**tables)
    if not out.years:
        raise ConfigError(f"no budget and actuals for years {first}-{last}",
                          f"Choose years within {h.years[0]}-{h.years[-1]}" if h.years else "Check the data.")
    return out
