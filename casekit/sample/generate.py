"""Generate a synthetic hospital from the mechanisms that cause budget problems in life.

Nothing here paints a finding onto the output. Each problem of the J-hospital case comes from
the behaviour that produces it (docs/methodology.md):

- **P1 rigid targets** — incremental preparation: each department's budget is last year's
  actual x (1 + g) with one g per direction for all, spread over last year's budget lines;
  phased flat 1/12; workload follows each department's own trend plus shocks nobody adjusts for.
- **P2 unscientific preparation** — the same rule loses to naive forecasts; new lines (temporary
  staff, maintenance contracts) never enter the carried-forward template; a negative revenue g
  ("conservative revenue target") makes revenue execute above 110%.
- **P3 large deviation** — deferrable spending is paid late all year and the unspent budget is
  rushed out in December (cash basis of budget accounting); departments left out of
  preparation (low participation) do not manage to their budget; top-ups come in November and
  December, some twice, some unapproved.
- **P4 disconnection** — appraisal scores and bonuses are drawn independently of execution,
  with no or a 2% budget weight.
- **P5 low informatisation**, **C1-C5** — systems, staffing, survey answers and checklist
  statuses follow the profile; a department's participation drives both its survey answers
  and its spending discipline.

A driver-based profile ("well_run") budgets planned workload x standard rates, phases by the
expected season, adjusts once at mid-year and appraises against |deviation|.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from casekit.errors import ConfigError
from casekit.data.hospital import Hospital, Profile
from casekit.data.checklist import standard_checklist
from casekit.sample import catalog as cat
from casekit.sample.profiles import SampleProfile, get_profile
from casekit.data.schema.tables import TABLES

MEASURES = ("outpatient_visits", "bed_days", "discharges", "surgeries")
MIN_DEPARTMENTS, MAX_DEPARTMENTS = 3, 3000
MIN_YEARS, MAX_YEARS = 1, 20
WHOLE_HOSPITAL = "0000"
FIRST_NEW_YEAR = 2   # year index (base year = 0) in which the new lines start

_ACC = pd.DataFrame(cat.ACCOUNTS, columns=["account_id", "name", "direction", "category", "revenue_kind", "driver",
                                           "behaviour", "base"])


# --------------------------------------------------------------------------- structure
def _departments(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """The first ``n`` catalogue departments; beyond the catalogue, extra clinical wards."""
    rows = list(cat.DEPARTMENTS[:n])
    ward_no = 2
    while len(rows) < n:
        for code, name, typ, ward, surg, resp, size in cat.DEPARTMENTS:
            if typ == "clinical" and ward and len(rows) < n:
                rows.append((f"{code}{ward_no:02d}", f"{name}{ward_no}病区", typ, ward, surg, resp, size))
        ward_no += 1
    d = pd.DataFrame(rows, columns=["dept_id", "name", "type", "ward", "surgical", "respiratory", "size"])
    d["size"] = d["size"] * np.exp(rng.normal(0.0, 0.1, len(d)))
    return d


def _cells(depts: pd.DataFrame) -> pd.DataFrame:
    """One row per department x account the department uses."""
    rows = []
    for i, r in enumerate(depts.itertuples(index=False)):
        base_code = r.dept_id[:4]
        for acc in cat.lines_of(base_code, r.type, r.ward, r.surgical):
            rows.append((i, r.dept_id, acc))
    cells = pd.DataFrame(rows, columns=["d", "dept_id", "account_id"])
    cells = cells.merge(_ACC, on="account_id", how="left")
    return cells.sort_values(["dept_id", "account_id"], kind="stable", ignore_index=True)


def _season(shape: tuple[float, ...]) -> np.ndarray:
    s = np.asarray(shape, dtype=float)
    return s / s.mean()


# --------------------------------------------------------------------------- workload
def _measure_seasons(depts: pd.DataFrame) -> np.ndarray:
    """Seasonal shape per department and measure, shape (D, 4, 12)."""
    out = _season(cat.SEASON_OUTPATIENT)
    surg = _season(cat.SEASON_SURGERY)
    amp = np.where(depts["respiratory"].to_numpy(), 1.8, 1.0)[:, None]
    s_out = 1 + amp * (out - 1)
    s_in = 1 + 0.6 * amp * (out - 1)
    s_surg = np.broadcast_to(surg, s_out.shape)
    return np.stack([s_out, s_in, s_in, s_surg], axis=1)


def _base_volumes(depts: pd.DataFrame, scale: float) -> np.ndarray:
    """Base-year annual workload per department and measure, shape (D, 4)."""
    clinical = (depts["type"] == "clinical").to_numpy()
    ward = depts["ward"].to_numpy() & clinical
    surg = depts["surgical"].to_numpy() & ward
    size = depts["size"].to_numpy() * scale
    out = np.where(clinical, 28_000 * size, 0.0)
    bed = np.where(ward, 11_000 * size, 0.0)
    return np.stack([out, bed, bed / 8.0, np.where(surg, bed / 8.0 * 0.45, 0.0)], axis=1)


def _volume_levels(p: SampleProfile, n_dept: int, n_years: int, rng: np.random.Generator):
    """Actual and planned yearly volume levels (base year = 1), shapes (D, Y)."""
    trend = rng.uniform(*p.trend_range, n_dept)
    shock = rng.normal(0.0, p.shock_sd, (n_dept, n_years))
    for y in range(1, n_years):
        if p.volume_shocks:
            hit = rng.choice(n_dept, size=min(p.volume_shocks, n_dept), replace=False)
            shock[hit, y] += rng.choice([-1.0, 1.0], len(hit)) * rng.uniform(0.16, 0.25, len(hit))
    plan_err = rng.normal(0.0, p.plan_error, (n_dept, n_years))
    actual = np.ones((n_dept, n_years))
    planned = np.ones((n_dept, n_years))
    for y in range(1, n_years):
        actual[:, y] = actual[:, y - 1] * np.maximum(1 + trend + shock[:, y], 0.5)
        if p.preparation == "driver":
            planned[:, y] = actual[:, y - 1] * (1 + trend + plan_err[:, y])
        else:
            planned[:, y] = actual[:, y - 1] * (1 + p.growth_expense)
    return actual, planned


# --------------------------------------------------------------------------- money
class _Amounts:
    """Monthly underlying amounts of every cell for one year (before control effects)."""

    def __init__(self, cells: pd.DataFrame, depts: pd.DataFrame, scale: float, base_out_total: float,
                 rng: np.random.Generator):
        self.cells = cells
        self.d = cells["d"].to_numpy()
        self.beh = cells["behaviour"].to_numpy()
        self.base = cells["base"].to_numpy(dtype=float)
        self.driver_idx = np.array([MEASURES.index(x) if isinstance(x, str) else -1 for x in cells["driver"]])
        size = depts["size"].to_numpy()
        self.dept_size = size[self.d]
        self.staff = self.dept_size * scale * np.where(depts["type"].to_numpy()[self.d] == "clinical", 22.0, 12.0)
        self.n_dept = len(depts)
        self.scale = scale
        self.base_out_total = max(base_out_total, 1.0)
        self.case_mix = np.exp(rng.normal(0.0, 0.2, len(cells)))    # department-specific rate of each line
        reagent = self.beh == "reagent"
        self.n_reagent_depts = np.ones(len(cells))
        self.n_reagent_depts[reagent] = cells.loc[reagent].groupby("account_id")["d"].transform("size").to_numpy()

    def compute(self, yi: int, vol: np.ndarray, noise: np.ndarray, lumpy: np.ndarray,
                price: float, wages: float, growth: float) -> np.ndarray:
        """Amounts (C, 12) for year index ``yi`` given monthly volumes ``vol`` (D, 4, 12).

        ``noise`` is a (C, 12) multiplicative factor (ones for a plan); ``lumpy`` is the (C, 12)
        matrix of project payments (annual amount spread over its months).
        """
        c, beh, base = self.cells, self.beh, self.base
        n = len(c)
        out = np.zeros((n, 12))
        vol_line = np.zeros((n, 12))
        has_driver = self.driver_idx >= 0
        vol_line[has_driver] = vol[self.d[has_driver], self.driver_idx[has_driver], :]
        m = beh == "volume"
        out[m] = (base[m] * self.case_mix[m] * price)[:, None] * vol_line[m]
        # zero-markup drugs and materials: cost follows the department's own drug / material revenue
        for kind, beh_name in (("drug", "cost_of_drug"), ("material", "cost_of_material")):
            rev = np.zeros((self.n_dept, 12))
            src = (beh == "volume") & (c["revenue_kind"].to_numpy() == kind)
            np.add.at(rev, self.d[src], out[src])
            m = beh == beh_name
            out[m] = base[m][:, None] * rev[self.d[m]] / price
        hospital_out = vol[:, 0, :].sum(axis=0) / self.base_out_total
        m = beh == "reagent"
        out[m] = (base[m] * self.scale / self.n_reagent_depts[m])[:, None] * hospital_out / 12.0
        m = np.isin(beh, ("staff", "bonus"))
        out[m] = (base[m] * self.staff[m] * wages / 12.0)[:, None]
        m = beh == "discretionary"
        per_staff = base[m] < 10_000
        amount = np.where(per_staff, base[m] * self.staff[m], base[m] * self.scale)
        out[m] = (amount * growth / 12.0)[:, None]
        for beh_name, shape in (("water", cat.SEASON_WATER), ("electricity", cat.SEASON_ELECTRICITY),
                                ("heating", cat.SEASON_HEATING)):
            m = beh == beh_name
            out[m] = (base[m] * self.scale * growth / 12.0)[:, None] * _season(shape)
        m = beh == "flat"
        out[m] = (base[m] * self.scale * growth / 12.0)[:, None]
        m = beh == "fixed"
        size = np.where(base[m] < 1e6, self.dept_size[m], 1.0)
        out[m] = (base[m] * size * self.scale * growth / 12.0)[:, None]
        m = beh == "lumpy"
        out[m] = lumpy[m]
        if yi >= FIRST_NEW_YEAR:
            m = beh == "new_staff"
            out[m] = (base[m] * self.scale * wages / 12.0)[:, None]
            m = beh == "new_contract"
            out[m] = (base[m] * self.scale * growth / 4.0)[:, None] * np.tile([0, 0, 1.0], 4)
        return out * noise


def _lumpy(cells: pd.DataFrame, scale: float, growth: float, rng: np.random.Generator) -> np.ndarray:
    """Project payments (C, 12): annual amount in 2-4 random months."""
    out = np.zeros((len(cells), 12))
    for i in np.flatnonzero(cells["behaviour"].to_numpy() == "lumpy"):
        k = int(rng.integers(2, 5))
        months = rng.choice(12, size=k, replace=False)
        total = cells["base"].iat[i] * scale * growth * np.exp(rng.normal(0.0, 0.15))
        out[i, months] = total * rng.dirichlet(np.full(k, 4.0))
    return out


# --------------------------------------------------------------------------- main
def generate(profile: str | SampleProfile = "j", seed: int | None = None, departments: int | None = None,
             years: int | None = None, annual_only: bool = False) -> Hospital:
    """Generate one synthetic hospital.

    Parameters
    ----------
    profile : {"j", "well_run", "mixed"} or SampleProfile
        Knobs of the hospital (see :mod:`casekit.sample.profiles`).
    seed : int, optional
        Seed of ``numpy.random.default_rng``; defaults to the profile's own seed. The same seed
        gives the same hospital.
    departments : int, optional
        Number of departments (default the profile's, 30; 3-3000: beyond the catalogue, extra wards;
        large hospitals for benchmarks/bench_large.py).
    years : int, optional
        Number of budget years (default 4, from 2021). Actuals and workload also cover the year
        before the first budget year, the base of the first budget.
    annual_only : bool
        Return the hospital as published final accounts would show it: annual actuals (month
        missing), one whole-hospital department, no monthly phasing, workload or appraisal.

    Returns
    -------
    casekit.data.hospital.Hospital
        Canonical tables (see ``docs/architecture.md`` conventions), money in yuan,
        ``profile.synthetic`` True.

    Raises
    ------
    ConfigError
        For an unknown profile or an out-of-range number of departments or years.

    References
    ----------
    docs/methodology.md and docs/data-format.md; data/sample/README.md describes the mechanism behind each problem.

    Examples
    --------
    >>> h = generate("j", departments=8, years=2)
    >>> h.profile.synthetic, len(h.departments), h.years
    (True, 8, [2021, 2022])
    """
    p = get_profile(profile)
    n_dept = p.n_departments if departments is None else departments
    n_years = p.n_years if years is None else years
    if not MIN_DEPARTMENTS <= n_dept <= MAX_DEPARTMENTS:
        raise ConfigError(f"departments must be between {MIN_DEPARTMENTS} and {MAX_DEPARTMENTS}, got {n_dept}",
                          "Pass --departments within that range.")
    if not MIN_YEARS <= n_years <= MAX_YEARS:
        raise ConfigError(f"years must be between {MIN_YEARS} and {MAX_YEARS}, got {n_years}",
                          "Pass --years within that range.")
    rng = np.random.default_rng(p.seed if seed is None else seed)
    h = _Generator(p, n_dept, n_years, rng).run()
    return _annual_only(h) if annual_only else h


class _Generator:
    """One generation run; attributes hold the intermediate arrays."""

    def __init__(self, p: SampleProfile, n_dept: int, n_years: int, rng: np.random.Generator):
        self.p, self.rng = p, rng
        self.scale = p.beds / 500.0
        self.year0 = p.first_year - 1
        self.n_all = n_years + 1                      # the base year plus the budget years
        self.years = [self.year0 + i for i in range(self.n_all)]
        self.depts = _departments(n_dept, rng)
        self.cells = _cells(self.depts)
        self.D, self.C = len(self.depts), len(self.cells)
        self.participation = self._participation()

    # ---------------------------------------------------------------- people
    def _participation(self) -> np.ndarray:
        """Latent participation of each department (1-5): drives survey answers and discipline."""
        p, d = self.p, self.depts
        level = np.full(self.D, p.survey.get("participation", 3.0))
        offset = {"clinical": -p.clinical_participation_gap, "administrative": p.clinical_participation_gap,
                  "logistics": p.clinical_participation_gap / 2}
        level += d["type"].map(offset).fillna(0.0).to_numpy()
        level[(d["dept_id"] == "0402").to_numpy()] += p.clinical_participation_gap
        level += self.rng.normal(0.0, 0.25 if p.clinical_participation_gap else 0.1, self.D)
        return np.clip(level, 1.2, 4.8)

    # ---------------------------------------------------------------- run
    def run(self) -> Hospital:
        p, rng, cells = self.p, self.rng, self.cells
        base_vol = _base_volumes(self.depts, self.scale)
        seasons = _measure_seasons(self.depts)
        level, planned_level = _volume_levels(p, self.D, self.n_all, rng)
        amounts = _Amounts(cells, self.depts, self.scale, base_vol[:, 0].sum(), rng)

        expense = (cells["direction"] == "expense").to_numpy()
        beh = cells["behaviour"].to_numpy()
        controllable = expense & ~np.isin(beh, ("fixed", "staff"))
        deferrable = np.isin(beh, tuple(cat.DEFERRABLE))
        disc_sd = p.discipline_sd * np.clip((4.0 - self.participation) / 3.0, 0.0, 1.0)

        actual = np.zeros((self.n_all, self.C, 12))
        budget_rows, monthly_rows, adj_rows, wl_rows, perf_rows = [], [], [], [], []
        template = ~np.isin(beh, tuple(cat.NEW_LINES))   # lines carried forward by incremental budgeting
        zero_rows = beh == "new_contract"             # charted with a zero budget under incremental preparation
        for yi, year in enumerate(self.years):
            price = (1 + p.price_growth) ** yi
            wages = 1.04 ** yi
            growth = 1.03 ** yi
            vol = base_vol[:, :, None] * level[:, yi, None, None] * seasons / 12.0
            vol = vol * np.exp(rng.normal(0.0, 0.03, vol.shape))
            plan_vol = base_vol[:, :, None] * planned_level[:, yi, None, None] * seasons / 12.0
            lumpy = _lumpy(cells, self.scale, growth, rng)
            noise = np.exp(rng.normal(0.0, 0.02, (self.C, 12)))
            noise[beh == "discretionary"] *= np.exp(rng.normal(0.0, 0.08, (int((beh == "discretionary").sum()), 12)))
            if yi > 0:
                noise[controllable] *= np.exp(rng.normal(0.0, p.execution_sd, int(controllable.sum())))[:, None]
                # one draw per department and year: unchecked drift (either way) and, for departments
                # left out of preparation, overspending on a budget they do not own
                dept_factor = np.exp(rng.normal(0.0, p.dept_drift_sd, self.D) + np.abs(rng.normal(0.0, disc_sd)))
                noise[controllable] *= dept_factor[cells["d"].to_numpy()[controllable]][:, None]
            need = amounts.compute(yi, vol, noise, lumpy, price, wages, growth)
            self._workload_rows(wl_rows, year, vol, "actual")
            if yi == 0:
                actual[0] = self._controlled(need, need.sum(axis=1), deferrable, rng)
                vol_prev = vol
                continue
            plan = amounts.compute(yi, plan_vol, np.ones((self.C, 12)), lumpy, price, wages, growth)
            b0 = self._original(actual[yi - 1], plan.sum(axis=1), template, zero_rows)
            self._workload_rows(wl_rows, year, plan_vol if p.preparation == "driver" else
                                self._flat_plan(vol_prev), "budget")
            changes = self._adjustments(year, need, b0, vol, plan_vol, expense, deferrable, adj_rows)
            b1 = b0 + changes
            actual[yi] = self._controlled(need, b1, deferrable & (b1 > 0), rng)
            budgeted = template | zero_rows if p.preparation == "incremental" else (b0 > 0) | (b1 > 0)
            shape = plan / np.where(plan.sum(axis=1, keepdims=True) > 0, plan.sum(axis=1, keepdims=True), 1.0)
            self._budget_rows(budget_rows, monthly_rows, year, b0, b1, shape, budgeted)
            self._performance_rows(perf_rows, year, actual[yi], b1, expense)
            vol_prev = vol
            if p.preparation == "incremental":
                template = template & (b0 > 0)
        return self._hospital(actual, budget_rows, monthly_rows, adj_rows, wl_rows, perf_rows)

    # ---------------------------------------------------------------- preparation
    def _original(self, prev_actual: np.ndarray, plan_total: np.ndarray, template: np.ndarray,
                  zero_rows: np.ndarray) -> np.ndarray:
        """B0 per cell, rounded to 100 yuan."""
        p, cells = self.p, self.cells
        if p.preparation == "driver":
            return np.round(plan_total, -2)
        prev = prev_actual.sum(axis=1)
        key = cells["dept_id"] + "|" + cells["direction"]
        dir_growth = np.where(cells["direction"] == "revenue", p.growth_revenue, p.growth_expense)
        envelope = pd.Series(prev).groupby(key.to_numpy()).transform("sum").to_numpy()
        tmpl_prev = pd.Series(np.where(template, prev, 0.0)).groupby(key.to_numpy()).transform("sum").to_numpy()
        share = np.divide(prev, tmpl_prev, out=np.zeros_like(prev), where=tmpl_prev > 0)
        b0 = np.where(template, envelope * (1 + dir_growth) * share, 0.0)
        return np.round(b0, -2) * ~zero_rows

    def _flat_plan(self, vol_prev: np.ndarray) -> np.ndarray:
        """Incremental workload plan: last year's volume x (1 + g), 1/12 a month."""
        total = vol_prev.sum(axis=2, keepdims=True) * (1 + self.p.growth_expense)
        return np.broadcast_to(total / 12.0, vol_prev.shape)

    # ---------------------------------------------------------------- execution control
    def _controlled(self, need: np.ndarray, b1: np.ndarray, deferrable: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
        """Payments: deferrable lines paid at the hold-back pace, then the year-end rush."""
        p = self.p
        out = need.copy()
        if p.holdback >= 1.0 and p.rush <= 0.0:
            return out
        m = deferrable
        out[m, :11] = need[m, :11] * p.holdback
        unspent = np.maximum(b1[m] - out[m, :11].sum(axis=1) - need[m, 11], 0.0)
        out[m, 11] = need[m, 11] + p.rush * rng.uniform(0.8, 1.0, int(m.sum())) * unspent
        return out

    def _adjustments(self, year: int, need: np.ndarray, b0: np.ndarray, vol: np.ndarray, plan_vol: np.ndarray,
                     expense: np.ndarray, deferrable: np.ndarray, rows: list) -> np.ndarray:
        """Budget changes of the year per cell; appends rows of the adjustments table."""
        p, rng, cells = self.p, self.rng, self.cells
        changes = np.zeros(self.C)
        if p.adjustments == "midyear":
            planned_h1 = plan_vol[:, :, :6].sum(axis=(1, 2))
            h1 = np.where(planned_h1 > 0, vol[:, :, :6].sum(axis=(1, 2)) / np.maximum(planned_h1, 1.0) - 1, 0.0)
            d = int(np.argmax(np.abs(h1)))
            if abs(h1[d]) < 0.01:
                return changes
            volume_driven = cells["behaviour"].isin(["volume", "cost_of_drug", "cost_of_material"]).to_numpy()
            for i in np.flatnonzero((cells["d"].to_numpy() == d) & volume_driven & (b0 > 0)):
                changes[i] = round(b0[i] * h1[d], -2)
                rows.append((f"{year}-07-01", cells["dept_id"].iat[i], cells["account_id"].iat[i], changes[i],
                             "业务量较计划变化，年中按程序调整 (workload changed from plan; mid-year adjustment)", True))
            return changes
        # late and repeated top-ups for expense lines projected to overrun at the end of October
        ytd = need[:, :10].sum(axis=1) * np.where(deferrable, p.holdback, 1.0)
        projected = ytd / 10.0 * 12.0
        overrun = np.where(expense & (b0 > 0), projected - b0, 0.0)
        candidates = np.flatnonzero(overrun > 0.03 * b0)
        order = candidates[np.argsort(-overrun[candidates], kind="stable")][:10]
        for i in sorted(order):
            first = round(overrun[i] * rng.uniform(0.4, 0.8), -2)
            day = int(rng.integers(5, 26))
            changes[i] += first
            rows.append((f"{year}-11-{day:02d}", cells["dept_id"].iat[i], cells["account_id"].iat[i], first,
                         "支出超进度，追加预算 (spending ahead of budget; top-up)", bool(rng.random() >= p.unapproved_share)))
            if rng.random() < 0.4:
                second = round(overrun[i] * rng.uniform(0.2, 0.4), -2)
                day = int(rng.integers(5, 21))
                changes[i] += second
                rows.append((f"{year}-12-{day:02d}", cells["dept_id"].iat[i], cells["account_id"].iat[i], second,
                             "年末再次追加 (second year-end top-up)", bool(rng.random() >= p.unapproved_share)))
        return changes

    # ---------------------------------------------------------------- rows
    def _budget_rows(self, rows: list, monthly: list, year: int, b0: np.ndarray, b1: np.ndarray,
                     shape: np.ndarray, budgeted: np.ndarray) -> None:
        """Append the year's budget rows and their monthly phasing (of B1) as DataFrames."""
        idx = np.flatnonzero(budgeted)
        dept = self.cells["dept_id"].to_numpy()[idx]
        acc = self.cells["account_id"].to_numpy()[idx]
        rows.append(pd.DataFrame({"year": year, "dept_id": dept, "account_id": acc,
                                  "original": b0[idx], "adjusted": b1[idx]}))
        phase = np.full((len(idx), 12), 1 / 12)
        if self.p.phasing != "flat":
            seasonal = shape[idx].sum(axis=1) > 0
            phase[seasonal] = shape[idx][seasonal]
        parts = np.round(b1[idx, None] * phase, 2)
        parts[:, 11] = np.round(b1[idx] - parts[:, :11].sum(axis=1), 2)
        keep = np.repeat(b1[idx] != 0, 12)
        monthly.append(pd.DataFrame({"year": year, "month": np.tile(np.arange(1, 13), len(idx)),
                                     "dept_id": np.repeat(dept, 12), "account_id": np.repeat(acc, 12),
                                     "amount": parts.reshape(-1)})[keep])

    def _workload_rows(self, rows: list, year: int, vol: np.ndarray, scenario: str) -> None:
        """Append the year's monthly workload of departments with any workload (NaN for unused measures)."""
        has = vol.sum(axis=2) > 0
        ds = np.flatnonzero(has.any(axis=1))
        vals = np.where(has[ds][:, :, None], np.round(vol[ds]), np.nan)       # (n, 4, 12)
        frame = {"year": year, "month": np.tile(np.arange(1, 13), len(ds)),
                 "dept_id": np.repeat(self.depts["dept_id"].to_numpy()[ds], 12), "scenario": scenario}
        frame.update({m: vals[:, k, :].reshape(-1) for k, m in enumerate(MEASURES)})
        rows.append(pd.DataFrame(frame))

    def _performance_rows(self, rows: list, year: int, actual: np.ndarray, b1: np.ndarray,
                          expense: np.ndarray) -> None:
        p, rng, cells = self.p, self.rng, self.cells
        a = pd.Series(np.where(expense, actual.sum(axis=1), 0.0)).groupby(cells["d"].to_numpy()).sum()
        b = pd.Series(np.where(expense, b1, 0.0)).groupby(cells["d"].to_numpy()).sum()
        dev = ((a - b).abs() / b.where(b > 0)).to_dict()
        sizes, ids = self.depts["size"].to_numpy(), self.depts["dept_id"].to_numpy()
        for d in range(self.D):
            lo, hi = p.budget_weight
            weight = 0.0 if rng.random() < p.zero_weight_share else round(float(rng.uniform(lo, hi)), 2)
            if p.appraisal_slope > 0 and weight > 0:
                score = 93.0 - p.appraisal_slope * (weight / 0.2) * float(dev.get(d, 0.0)) + rng.normal(0.0, 1.5)
            else:
                score = rng.normal(86.0, 4.0)
            score = round(float(np.clip(score, 50.0, 100.0)), 1)
            staff = sizes[d] * self.scale * 20
            bonus = round(staff * 30_000 * score / 100 * rng.uniform(0.95, 1.05), -2)
            rows.append((year, ids[d], score, bonus, weight))

    # ---------------------------------------------------------------- assemble
    def _hospital(self, actual, budget_rows, monthly_rows, adj_rows, wl_rows, perf_rows) -> Hospital:
        p, cells = self.p, self.cells
        n = self.C
        act = pd.DataFrame({
            "year": np.repeat(self.years, n * 12),
            "month": np.tile(np.arange(1, 13), self.n_all * n),
            "dept_id": np.tile(np.repeat(cells["dept_id"].to_numpy(), 12), self.n_all),
            "account_id": np.tile(np.repeat(cells["account_id"].to_numpy(), 12), self.n_all),
            "amount": np.round(actual.reshape(-1), 2),
        })
        act = act[act["amount"] != 0]
        budget = pd.concat(budget_rows, ignore_index=True)
        budget["adjusted_given"] = True
        tables = {
            "departments": self.depts[["dept_id", "name", "type"]],
            "accounts": _ACC[["account_id", "name", "direction", "category", "revenue_kind", "driver"]],
            "budget": budget,
            "actuals": act,
            "budget_monthly": pd.concat(monthly_rows, ignore_index=True),
            "adjustments": pd.DataFrame(adj_rows, columns=["date", "dept_id", "account_id", "change", "reason",
                                                           "approved"]),
            "workload": pd.concat(wl_rows, ignore_index=True),
            "performance": pd.DataFrame(perf_rows, columns=["year", "dept_id", "appraisal_score", "bonus",
                                                            "budget_weight"]),
            **self._survey(),
            "checklist": self._checklist(),
            "systems": self._systems(),
        }
        tables["accounts"] = tables["accounts"][tables["accounts"]["account_id"].isin(cells["account_id"])]
        tables = {name: canonical(df, name) for name, df in tables.items()}
        profile = Profile(name=p.name, tier=p.tier, currency_unit="units", beds=p.beds, synthetic=True,
                          extra=dict(p.extra))
        return Hospital(profile=profile, **tables)

    def _survey(self) -> dict[str, pd.DataFrame]:
        """Items and long-format answers: each respondent's latent agreement per construct is the
        department's level plus personal noise; each answer adds item noise, rounds and clips to 1-5."""
        p, rng, depts = self.p, self.rng, self.depts
        items = pd.DataFrame(cat.SURVEY_ITEMS, columns=["item_id", "construct", "text_zh", "text_en", "reverse"])
        constructs = list(dict.fromkeys(items["construct"]))
        types = depts["type"].to_numpy()
        weight = depts["size"].to_numpy() * np.where(types == "clinical", 2.0, 1.0)
        resp_dept = np.sort(rng.choice(self.D, size=p.respondents, p=weight / weight.sum()))
        dept_level = np.column_stack([
            self.participation if name == "participation" else p.survey.get(name, 3.0) + rng.normal(0.0, 0.15, self.D)
            for name in constructs])
        roles = [str(rng.choice(cat.ROLES[types[d]])) for d in resp_dept]
        roles = ["finance" if depts["dept_id"].iat[d] == "0402" and r == "admin" else r
                 for d, r in zip(resp_dept, roles)]
        n_resp, n_items = p.respondents, len(items)
        latent = dept_level[resp_dept] + rng.normal(0.0, 0.6, (n_resp, len(constructs)))
        k = np.array([constructs.index(c) for c in items["construct"]])
        answers = np.clip(np.rint(latent[:, k] + rng.normal(0.0, 0.5, (n_resp, n_items))), 1, 5).astype("int64")
        answers = np.where(items["reverse"].to_numpy(), 6 - answers, answers)
        responses = pd.DataFrame({
            "respondent_id": np.repeat([f"R{r + 1:03d}" for r in range(n_resp)], n_items),
            "role": np.repeat(roles, n_items),
            "dept_id": np.repeat(depts["dept_id"].to_numpy()[resp_dept], n_items),
            "item_id": np.tile(items["item_id"].to_numpy(), n_resp),
            "answer": answers.reshape(-1),
        })
        return {"survey_items": items, "survey_responses": responses}

    def _checklist(self) -> pd.DataFrame:
        std = standard_checklist()[["item_id", "aspect", "cause", "requirement_en", "requirement_zh"]]
        rows = []
        for group, grp in std.groupby(std["cause"].where(std["cause"] != "", std["aspect"]), sort=True):
            target = self.p.checklist.get(group, 0.5)
            n = len(grp)
            points = int(round(target * n * 2))          # in half points
            n_yes = min(points // 2, n)
            n_partial = min(points - 2 * n_yes, n - n_yes)
            status = ["yes"] * n_yes + ["partial"] * n_partial + ["no"] * (n - n_yes - n_partial)
            status = [status[i] for i in self.rng.permutation(n)]
            for it, st in zip(grp.itertuples(index=False), status):
                rows.append((it.item_id, it.aspect, it.requirement_en, st, _EVIDENCE[st]))
        out = pd.DataFrame(rows, columns=["item_id", "aspect", "requirement", "status", "evidence"])
        return out.sort_values("item_id", kind="stable", ignore_index=True)

    def _systems(self) -> pd.DataFrame:
        p, rng = self.p, self.rng
        rows = []
        for name, in_use_if_poor in cat.SYSTEMS:
            in_use = True if p.systems_integrated else in_use_if_poor
            integrated = in_use and (p.systems_integrated or name == "HRP")
            latency = float(round(rng.uniform(*p.latency_days))) if in_use else np.nan
            if in_use and integrated and not p.systems_integrated:
                latency = 3.0
            steps = int(rng.integers(p.manual_steps[0], p.manual_steps[1] + 1)) if in_use else pd.NA
            rows.append((name, in_use, integrated, latency, steps))
        return pd.DataFrame(rows, columns=["system", "in_use", "integrated_with_finance", "data_latency_days",
                                           "manual_steps"])


_EVIDENCE = {"yes": "制度文件与记录齐全 (documents and records in place)",
             "partial": "有制度但执行不完整 (rule exists, partly applied)",
             "no": "未见相关制度或记录 (no rule or record found)"}


# --------------------------------------------------------------------------- dtypes
_DTYPES = {"str": "str", "int": "int64", "float": "float64", "bool": "bool", "date": "datetime64[ns]"}


def canonical(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Cast a generated table to casekit's canonical dtypes (``docs/architecture.md`` conventions).

    Identifiers and text are pandas string dtype, ``year`` int64, ``month`` nullable Int64, money
    float64, bools bool, dates datetime64[ns]; nullable integer columns become Int64. Columns
    outside the schema (``budget.adjusted_given``) are kept.
    """
    out = df.reset_index(drop=True).copy()
    spec = TABLES[table]
    for col in spec.columns:
        if col.name not in out.columns:
            continue
        if col.name == "month" or (col.dtype == "int" and col.nullable):
            out[col.name] = out[col.name].astype("Int64")
        elif col.dtype == "date":
            out[col.name] = pd.to_datetime(out[col.name]).astype("datetime64[ns]")
        else:
            out[col.name] = out[col.name].astype(_DTYPES[col.dtype])
    if "adjusted_given" in out.columns:
        out["adjusted_given"] = out["adjusted_given"].astype("bool")
    return out


# --------------------------------------------------------------------------- annual only
def _annual_only(h: Hospital) -> Hospital:
    """Collapse to annual actuals of one whole-hospital department (final-accounts view)."""
    dept = pd.DataFrame({"dept_id": [WHOLE_HOSPITAL], "name": ["全院"], "type": ["administrative"]})

    def whole(df: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
        return df.assign(dept_id=WHOLE_HOSPITAL).groupby(keys, as_index=False, sort=True)[values].sum(min_count=1)

    act = whole(h.actuals, ["year", "dept_id", "account_id"], ["amount"]).assign(month=pd.NA)
    bud = whole(h.budget, ["year", "dept_id", "account_id"], ["original", "adjusted"]).assign(adjusted_given=True)
    wl = h.workload[h.workload["scenario"] == "actual"]
    wl = whole(wl, ["year", "dept_id", "scenario"], list(MEASURES)).assign(month=pd.NA)
    resp = h.survey_responses.assign(dept_id=WHOLE_HOSPITAL)
    adj = h.adjustments.assign(dept_id=WHOLE_HOSPITAL)
    return h.with_tables(
        departments=canonical(dept, "departments"),
        budget=canonical(bud, "budget"),
        actuals=canonical(act[["year", "month", "dept_id", "account_id", "amount"]], "actuals"),
        workload=canonical(wl[["year", "month", "dept_id", "scenario", *MEASURES]], "workload"),
        survey_responses=canonical(resp, "survey_responses"),
        adjustments=canonical(adj, "adjustments"),
        budget_monthly=None,
        performance=None,
    )
