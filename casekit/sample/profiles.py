"""The knobs of each synthetic sample hospital, and the findings each is meant to show.

A :class:`SampleProfile` sets the *mechanisms* of :mod:`casekit.sample.generate` — how the
budget is prepared, phased, controlled, adjusted and appraised, how the staff answer the
survey — never the findings themselves. The findings follow from the mechanisms, so the
diagnosis can be seen to discriminate (data/sample/README.md).

``expected`` is machine-readable: the problems (P1-P5) and causes (C1-C5) the diagnosis
should find present for the profile at its default seed; every other code should be absent.
Tests elsewhere use it, e.g.::

    from casekit.sample import PROFILES
    assert PROFILES["mixed"].expected == {"P3", "P5", "C3", "C5"}
"""
from __future__ import annotations

from dataclasses import dataclass, field

from casekit.errors import ConfigError

ALL_FINDINGS = frozenset({"P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3", "C4", "C5"})


@dataclass(frozen=True)
class SampleProfile:
    """Knobs of one synthetic hospital.

    Attributes
    ----------
    key : str
        Profile name (``"j"``, ``"well_run"``, ``"mixed"``).
    folder : str
        Folder name under ``data/sample``.
    name, tier, beds : str, str, int
        Hospital profile values (``tier`` selects the appraisal indicator list).
    seed : int
        Default seed of ``numpy.random.default_rng``.
    description : str
        One sentence for ``data/sample/index.csv``.
    expected : frozenset of str
        Problems and causes the diagnosis should find present; all others absent.
    n_departments, first_year, n_years : int
        Shape: departments, first budget year and number of budget years. Actuals and
        workload also cover the year before ``first_year`` (the base of the first budget).
    preparation : {"incremental", "driver"}
        ``"incremental"``: B0 = last year's actual x (1 + g), one g per direction for every
        department and line, and only lines budgeted last year get a budget (new lines are
        never budgeted). ``"driver"``: B0 = planned workload x standard rate for volume lines
        and known cost changes for fixed lines; every line with planned spending is budgeted.
    growth_expense, growth_revenue : float
        The single growth rates of incremental preparation. A negative revenue rate is the
        "conservative revenue target" that produces slack (revenue executes above 110%).
    plan_error : float
        Standard deviation of a department's planned workload growth around its true trend
        (driver preparation: departments know their own plans).
    phasing : {"flat", "seasonal"}
        Monthly phasing of the budget: 1/12 a month, or the line's expected seasonal shape.
    trend_range : tuple of float
        Range of the departments' underlying yearly workload growth (uniform draw per department).
    shock_sd : float
        Standard deviation of the yearly workload shock around the trend.
    volume_shocks : int
        Extra large, unplanned workload shocks (|shock| 16-25%) per year.
    price_growth : float
        Yearly growth of revenue per unit of workload (service prices and case mix).
    execution_sd : float
        Standard deviation of the yearly line-level spending error (weak control -> large).
    dept_drift_sd : float
        Standard deviation of a yearly department-wide spending error that nobody checks
        (no "no spending beyond budget" control), independent of participation.
    discipline_sd : float
        Scale of a department's yearly overspending (|normal| draw) when its participation is at
        the bottom of the scale; it falls linearly to 0 at participation 4 ("departments left
        out of preparation do not own, and do not manage to, their budget"). 0 switches it off.
    holdback : float
        Pace (share of the underlying need) at which deferrable expense is paid January to
        November; 1 means no hold-back.
    rush : float
        Share of the unspent budget of deferrable lines paid out in December ("use it or lose
        it"); 0 means no year-end rush.
    adjustments : {"late_repeated", "midyear"}
        ``"late_repeated"``: top-ups in November and December for lines running over budget,
        some twice, a share unapproved. ``"midyear"``: one approved round on 1 July for the
        department whose workload moved most from plan.
    unapproved_share : float
        Share of adjustments booked without committee approval.
    budget_weight : tuple of float
        Range of the weight of budget indicators in the department appraisal.
    zero_weight_share : float
        Share of departments whose appraisal carries no budget indicator at all.
    appraisal_slope : float
        Points of appraisal score lost per 1.0 of |expense deviation| at weight 0.2; 0 makes the
        score independent of budget execution.
    survey : dict
        Mean of the latent agreement (1-5 scale) per construct.
    clinical_participation_gap : float
        How much lower the participation of clinical departments is (they were left out).
    checklist : dict
        Target share met (yes = 1, partial = 0.5) of the standard checklist items per cause
        (``C1``-``C5``) and, for items mapped to no cause, per aspect (``A1``-``A5``, ``INFO``).
    systems_integrated : bool
        Whether the core systems exchange data with finance automatically.
    latency_days : tuple of float
        Range of the data latency of the systems (days after month end).
    manual_steps : tuple of int
        Range of manual steps between a system and the budget report.
    extra : dict
        Optional profile keys of ``casekit.data.schema.tables.PROFILE_FIELDS`` (staff, analyses ...).
    respondents : int
        Survey respondents (150 answer 20 items each).
    """

    key: str
    folder: str
    name: str
    tier: str
    beds: int
    seed: int
    description: str
    expected: frozenset[str]
    n_departments: int = 30
    first_year: int = 2021
    n_years: int = 4
    preparation: str = "driver"
    growth_expense: float = 0.05
    growth_revenue: float = 0.05
    plan_error: float = 0.015
    phasing: str = "seasonal"
    trend_range: tuple[float, float] = (-0.04, 0.12)
    shock_sd: float = 0.02
    volume_shocks: int = 0
    price_growth: float = 0.03
    execution_sd: float = 0.02
    dept_drift_sd: float = 0.0
    discipline_sd: float = 0.0
    holdback: float = 1.0
    rush: float = 0.0
    adjustments: str = "midyear"
    unapproved_share: float = 0.0
    budget_weight: tuple[float, float] = (0.15, 0.25)
    zero_weight_share: float = 0.0
    appraisal_slope: float = 120.0
    survey: dict[str, float] = field(default_factory=dict)
    clinical_participation_gap: float = 0.0
    checklist: dict[str, float] = field(default_factory=dict)
    systems_integrated: bool = True
    latency_days: tuple[float, float] = (2.0, 3.0)
    manual_steps: tuple[int, int] = (0, 1)
    extra: dict[str, float | int] = field(default_factory=dict)
    respondents: int = 150

    @property
    def expected_absent(self) -> frozenset[str]:
        """Problems and causes the diagnosis should find absent."""
        return ALL_FINDINGS - self.expected


_GOOD_CHECKLIST = {"C1": 0.95, "C2": 0.9, "C3": 0.95, "C4": 0.95, "C5": 0.9,
                   "A1": 1.0, "A2": 1.0, "A3": 0.9, "A4": 1.0, "A5": 1.0, "INFO": 1.0}

J = SampleProfile(
    key="j", folder="j_hospital", name="J Public Hospital (synthetic)", tier="secondary", beds=500, seed=2024,
    description="District public hospital modelled on the J-hospital case: incremental budgeting with one growth "
                "rate, flat phasing, year-end rush, late top-ups, no budget appraisal, unintegrated systems.",
    expected=ALL_FINDINGS,
    preparation="incremental", growth_expense=0.05, growth_revenue=-0.05, phasing="flat",
    trend_range=(-0.10, 0.20), shock_sd=0.05, volume_shocks=2, price_growth=0.03,
    execution_sd=0.03, discipline_sd=0.40, holdback=0.80, rush=0.8,
    adjustments="late_repeated", unapproved_share=0.4,
    budget_weight=(0.02, 0.02), zero_weight_share=0.7, appraisal_slope=0.0,
    survey={"participation": 2.3, "staff": 2.4, "supervision": 2.3, "assessment": 2.2, "integration": 2.4},
    clinical_participation_gap=0.6,
    checklist={"C1": 0.15, "C2": 0.25, "C3": 0.2, "C4": 0.1, "C5": 0.15,
               "A1": 0.5, "A2": 0.5, "A3": 0.5, "A4": 0.5, "A5": 0.5, "INFO": 0.5},
    systems_integrated=False, latency_days=(15.0, 25.0), manual_steps=(2, 5),
    extra={"finance_staff": 9, "budget_staff": 1, "budget_staff_qualified": 0, "budget_training_hours": 8.0,
           "execution_analyses_per_year": 1, "report_days": 15.0, "survey_invited": 200,
           "total_assets": 620_000_000.0, "total_liabilities": 290_000_000.0},
)

WELL_RUN = SampleProfile(
    key="well_run", folder="well_run_hospital", name="W City Central Hospital (synthetic)", tier="tertiary",
    beds=1200, seed=7, expected=frozenset(),
    description="Tertiary hospital run by the 2020 measures: driver-based budgets, seasonal phasing, one approved "
                "mid-year adjustment, budget-weighted appraisal, integrated systems.",
    survey={"participation": 4.1, "staff": 4.0, "supervision": 4.1, "assessment": 4.0, "integration": 4.1},
    checklist=_GOOD_CHECKLIST,
    extra={"finance_staff": 40, "budget_staff": 14, "budget_staff_qualified": 11, "budget_training_hours": 40.0,
           "execution_analyses_per_year": 12, "report_days": 5.0, "survey_invited": 170,
           "total_assets": 2_400_000_000.0, "total_liabilities": 850_000_000.0},
)

MIXED = SampleProfile(
    key="mixed", folder="mixed_hospital", name="M County People's Hospital (synthetic)", tier="secondary", beds=650,
    seed=11, expected=frozenset({"P3", "P5", "C3", "C5"}),
    description="Good driver-based preparation and appraisal, but weak execution control (large line errors, "
                "year-end rush, late unapproved top-ups) and unintegrated systems.",
    execution_sd=0.12, dept_drift_sd=0.25, holdback=0.80, rush=0.7, adjustments="late_repeated", unapproved_share=0.5,
    survey={"participation": 3.9, "staff": 3.8, "supervision": 2.3, "assessment": 3.8, "integration": 2.3},
    checklist={**_GOOD_CHECKLIST, "C3": 0.15, "C5": 0.1, "A4": 0.5, "INFO": 0.5},
    systems_integrated=False, latency_days=(15.0, 22.0), manual_steps=(2, 4),
    extra={"finance_staff": 16, "budget_staff": 8, "budget_staff_qualified": 6, "budget_training_hours": 32.0,
           "execution_analyses_per_year": 1, "report_days": 14.0, "survey_invited": 180,
           "total_assets": 800_000_000.0, "total_liabilities": 300_000_000.0},
)

PROFILES: dict[str, SampleProfile] = {p.key: p for p in (J, WELL_RUN, MIXED)}


def get_profile(profile: str | SampleProfile) -> SampleProfile:
    """Return a profile by name (or pass a :class:`SampleProfile` through).

    Raises
    ------
    ConfigError
        If the name is not one of :data:`PROFILES`.
    """
    if isinstance(profile, SampleProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ConfigError(f"unknown sample profile {profile!r}",
                          f"Use one of: {', '.join(PROFILES)}.") from None
