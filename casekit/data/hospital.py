"""The validated, typed data of one hospital.

A :class:`Hospital` is what :func:`casekit.load` returns and what every indicator and rule
takes. Its tables use the canonical column names of :mod:`casekit.data.schema.tables`; money is in
the profile's currency and scale (:mod:`casekit.money`); identifiers are strings; ``month`` is a nullable integer (missing for annual-only data).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from casekit.errors import Issue
from casekit.indicators.shared import shared
from casekit.data.schema.tables import REQUIRED_TABLES, TABLES

OPTIONAL_TABLES = tuple(n for n in TABLES if n not in REQUIRED_TABLES and n != "ledger")


DEFAULT_COUNTRY = "CN"
CORE_KEYS = ("name", "tier", "currency_unit", "currency", "country", "beds", "synthetic")
"""Profile keys held as attributes of :class:`Profile`; the others go to ``Profile.extra``."""


@dataclass
class Profile:
    """Hospital profile (``hospital.yaml``).

    Attributes
    ----------
    name : str
    tier : {"tertiary", "secondary", "primary"} or None
        ``None`` when the profile gives none (the appraisal context ratios are then not assessed).
    currency_unit : {"units", "thousands", "ten_thousands", "millions"}
        Scale of every amount (元, 千元, 万元, 百万元 for CNY); amounts stay in it from load to report
        (:mod:`casekit.money`).
    currency : str
        ISO 4217 code of the amounts (default ``CNY``).
    country : str
        ISO 3166 alpha-2 code of the hospital's country (default ``CN``); outside China the
        recommendations and aspects that rest on China's 2020 rules say so.
    beds : int or None
    synthetic : bool
        True for casekit's generated sample hospitals.
    extra : dict
        The optional profile keys of ``PROFILE_FIELDS`` (staff counts, report days ...).
    """

    name: str
    tier: str | None = "secondary"
    currency_unit: str = "units"
    currency: str = "CNY"
    country: str = DEFAULT_COUNTRY
    beds: int | None = None
    synthetic: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """Return an optional profile value (``None`` if the hospital did not supply it)."""
        if key in CORE_KEYS:
            return getattr(self, key)
        return self.extra.get(key, default)

    def as_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in CORE_KEYS}
        d.update(self.extra)
        return d


@dataclass
class Hospital:
    """One hospital's validated data.

    Attributes
    ----------
    profile : Profile
    departments, accounts, budget, actuals : pandas.DataFrame
        Required tables, canonical columns (see ``docs/data-format.md``). ``budget.adjusted``
        is filled with ``original`` where the hospital left it blank, and ``budget.adjusted_given``
        records whether it was supplied.
    adjustments, workload, performance, survey_items, survey_responses, checklist, systems,
    budget_monthly : pandas.DataFrame or None
        Optional tables; ``None`` when not supplied.
    source : pathlib.Path or None
        Folder or file the data came from.
    notes : list of Issue
        Warnings and data-quality notes found while loading; they travel into the report.
    coverage : dict of int to int
        Year -> last month the actuals cover, for annual actuals that are a year to date (an
        export titled ``2023年1-6月``); such a year is not complete (see
        :func:`casekit.indicators.execution.complete_years`). Empty when every year is whole.
    """

    profile: Profile
    departments: pd.DataFrame
    accounts: pd.DataFrame
    budget: pd.DataFrame
    actuals: pd.DataFrame
    adjustments: pd.DataFrame | None = None
    workload: pd.DataFrame | None = None
    performance: pd.DataFrame | None = None
    survey_items: pd.DataFrame | None = None
    survey_responses: pd.DataFrame | None = None
    checklist: pd.DataFrame | None = None
    systems: pd.DataFrame | None = None
    budget_monthly: pd.DataFrame | None = None
    source: Path | None = None
    notes: list[Issue] = field(default_factory=list)
    coverage: dict[int, int] = field(default_factory=dict)

    # ------------------------------------------------------------------ queries
    def has(self, table: str) -> bool:
        """Whether an optional table was supplied and has at least one row."""
        df = getattr(self, table, None)
        return isinstance(df, pd.DataFrame) and len(df) > 0

    def table(self, name: str) -> pd.DataFrame | None:
        """Return a table by canonical name (``None`` when absent)."""
        if name not in TABLES or name == "ledger":
            raise KeyError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}")
        return getattr(self, name)

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def years(self) -> list[int]:
        """Years that have both budget and actuals, ascending (computed once per diagnosis,
        :func:`casekit.indicators.shared.shared`)."""
        return _years(self)

    @property
    def is_monthly(self) -> bool:
        """True when actuals carry months (monthly indicators can be computed)."""
        return "month" in self.actuals.columns and bool(self.actuals["month"].notna().all()) and len(self.actuals) > 0

    def tables(self) -> dict[str, pd.DataFrame]:
        """All supplied tables by canonical name."""
        out = {n: getattr(self, n) for n in REQUIRED_TABLES}
        out.update({n: getattr(self, n) for n in OPTIONAL_TABLES if self.has(n)})
        return out

    def with_tables(self, **tables: pd.DataFrame | None) -> "Hospital":
        """Return a copy with some tables replaced (used by tests and the redaction step)."""
        return replace(self, **tables)

    def summary(self) -> "Summary":
        """Rows and year span of every table, the years and whether the actuals are monthly."""
        rows: dict[str, int] = {}
        spans: dict[str, tuple[int, int]] = {}
        for name in TABLES:
            df = getattr(self, name, None) if name != "ledger" else None
            rows[name] = len(df) if isinstance(df, pd.DataFrame) else 0
            if rows[name] and "year" in df.columns and df["year"].notna().any():
                ys = df["year"].dropna().astype(int)
                spans[name] = (int(ys.min()), int(ys.max()))
        return Summary(rows, spans, tuple(self.years), self.is_monthly)

    def __repr__(self) -> str:
        opt = [n for n in OPTIONAL_TABLES if self.has(n)]
        return (f"Hospital({self.profile.name!r}, {len(self.departments)} departments, "
                f"{len(self.accounts)} accounts, years {self.years}, "
                f"{'monthly' if self.is_monthly else 'annual'} actuals, optional: {opt or 'none'})")


@shared
def _years(h: Hospital) -> list[int]:
    """:attr:`Hospital.years`."""
    b = set(h.budget["year"].astype(int).unique().tolist())
    a = set(h.actuals["year"].astype(int).unique().tolist())
    return sorted(b & a)


@dataclass(frozen=True)
class Summary:
    """What the report shows of a hospital's tables without reading their rows.

    The report's kernel receives the hospital without its monthly rows
    (:func:`casekit.pipeline.analysis.save`); the data inventory, the years and the checks for
    monthly figures read this summary of the whole hospital instead.

    Attributes
    ----------
    rows : dict of str to int
        Table name -> number of rows (0 when not supplied), for every table of the data model.
    year_spans : dict of str to (int, int)
        Table name -> first and last year, for the supplied tables with a ``year`` column.
    years : tuple of int
        :attr:`Hospital.years`.
    is_monthly : bool
        :attr:`Hospital.is_monthly`.
    """

    rows: dict[str, int]
    year_spans: dict[str, tuple[int, int]]
    years: tuple[int, ...]
    is_monthly: bool

    def has(self, table: str) -> bool:
        """Whether ``table`` was supplied with at least one row (:meth:`Hospital.has`)."""
        return self.rows.get(table, 0) > 0
