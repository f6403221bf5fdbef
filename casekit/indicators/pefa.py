"""PEFA budget credibility (PEFA 2016 framework, pillar I): PI-1, PI-2.1-2.3, PI-3.1, PI-3.2.

The Public Expenditure and Financial Accountability framework (PEFA Secretariat, *Framework
for assessing public financial management*, 2016, pefa.org) asks whether a budget is realistic
and implemented as intended. It always compares actuals with the **original** approved budget
B0 (年初预算), over the last three completed fiscal years, allowing one outlier year: a score
holds when its condition is met "in at least two of the last three years". casekit applies it
to a hospital's budget-accounting figures (预算会计), with departments as the administrative
heads and account categories (personnel, drugs, materials ...) as the economic classification.

Indicators (per year; the score over the years follows each):

- **PI-1 aggregate expenditure outturn** = sum A / sum B0 (expense).
  A 95-105%, B 90-110%, C 85-115%, else D (bands inclusive).
- **PI-2.1 / PI-2.2 expenditure composition outturn** by department / by economic category.
  Each head's budget is first scaled to the actual total, adj_i = B0_i x (sum A / sum B0), so
  that the aggregate overrun (PI-1) is not counted again; variance = sum_i |A_i - adj_i| /
  sum_i adj_i (sum adj_i = sum A). A < 5%, B < 10%, C < 15%, else D.
- **PI-2.3 expenditure from contingency reserves**: for a hospital, actual expense on lines with
  no original budget (B0 = 0) as a share of total B0 expense, *averaged* over the years.
  A < 3%, B <= 6%, C <= 10%, else D.
- **PI-3.1 aggregate revenue outturn** = sum A / sum B0 (revenue). A 97-106%, B 94-112%,
  C 92-116%, else D (a shortfall is penalised harder than an excess).
- **PI-3.2 revenue composition outturn** by revenue category, as PI-2.1.

With fewer than three completed years the years there are are scored ("in at least two" becomes
"in both" with two years and "in that year" with one) and the result says so. Worked example
(PEFA's own method, redone in docs/methodology.md): B0 = (50, 30, 20), A = (58, 25, 25):
PI-1 = 108/100 = 108% (B); adj = (54, 32.4, 21.6); variance = (4 + 7.4 + 3.4) / 108 = 13.7%
(C), where the unadjusted sum |A - B0| / sum B0 = 18% would score D.

References
----------
PEFA Secretariat (2016), Framework for assessing public financial management, PI-1, PI-2, PI-3
and the PI-2 calculation spreadsheet method.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from casekit.data.hospital import Hospital
from casekit.data.lines import group_sums, sum_by
from casekit.indicators.execution import complete_years, line_table, with_accounts

GRADES = ("A", "B", "C", "D")
AGGREGATE_BANDS = {
    "PI-1": (("A", 0.95, 1.05), ("B", 0.90, 1.10), ("C", 0.85, 1.15)),
    "PI-3.1": (("A", 0.97, 1.06), ("B", 0.94, 1.12), ("C", 0.92, 1.16)),
}
COMPOSITION_LIMITS = (("A", 0.05), ("B", 0.10), ("C", 0.15))  # strictly below
CONTINGENCY_LIMITS = (("A", 0.03, False), ("B", 0.06, True), ("C", 0.10, True))  # (grade, limit, inclusive)
YEARS_NEEDED = 3
METHOD = "PEFA 2016 framework (pefa.org), pillar I budget reliability; against the original budget B0"
INDICATORS = {
    # code: (direction, kind, head, title_en, title_zh)
    "PI-1": ("expense", "aggregate", None, "Aggregate expenditure outturn", "支出总额执行"),
    "PI-2.1": ("expense", "composition", "dept_id", "Expenditure composition outturn by department",
               "按科室的支出结构执行偏差"),
    "PI-2.2": ("expense", "composition", "category", "Expenditure composition outturn by economic category",
               "按经济分类的支出结构执行偏差"),
    "PI-2.3": ("expense", "contingency", None, "Expenditure on unbudgeted lines (contingency)",
               "无年初预算项目支出（预备费）"),
    "PI-3.1": ("revenue", "aggregate", None, "Aggregate revenue outturn", "收入总额执行"),
    "PI-3.2": ("revenue", "composition", "category", "Revenue composition outturn by category",
               "按类别的收入结构执行偏差"),
}
YEARLY_COLUMNS = ["indicator", "year", "direction", "n_heads", "original", "actual", "value", "naive_value",
                  "year_grade"]
SCORE_COLUMNS = ["indicator", "title_en", "title_zh", "direction", "years", "n_years", "values", "score",
                 "rule_en", "rule_zh", "note_en", "note_zh", "method"]


def pefa_years(h: Hospital) -> list[int]:
    """The last three (or fewer) completed years with budget and actuals."""
    return complete_years(h)[-YEARS_NEEDED:]


def grade_aggregate(outturn: float, indicator: str = "PI-1") -> str | None:
    """Grade of one year's aggregate outturn (A/B/C/D; ``None`` when not a number).

    >>> grade_aggregate(1.08), grade_aggregate(1.08, "PI-3.1"), grade_aggregate(0.93, "PI-3.1")
    ('B', 'B', 'C')
    """
    if outturn is None or not np.isfinite(outturn):
        return None
    for grade, lo, hi in AGGREGATE_BANDS[indicator]:
        if lo - 1e-12 <= outturn <= hi + 1e-12:
            return grade
    return "D"


def grade_composition(variance: float) -> str | None:
    """Grade of one year's composition variance: A < 5%, B < 10%, C < 15%, else D.

    >>> grade_composition(0.137), grade_composition(0.18), grade_composition(0.049)
    ('C', 'D', 'A')
    """
    if variance is None or not np.isfinite(variance):
        return None
    for grade, limit in COMPOSITION_LIMITS:
        if variance < limit - 1e-12:
            return grade
    return "D"


def grade_contingency(share: float) -> str | None:
    """Grade of the mean unbudgeted share: A < 3%, B <= 6%, C <= 10%, else D.

    >>> grade_contingency(0.02), grade_contingency(0.06), grade_contingency(0.11)
    ('A', 'B', 'D')
    """
    if share is None or not np.isfinite(share):
        return None
    for grade, limit, inclusive in CONTINGENCY_LIMITS:
        if share < limit - 1e-12 or (inclusive and share <= limit + 1e-12):
            return grade
    return "D"


def two_of_three(year_grades: list[str | None]) -> str | None:
    """The best grade met in at least two of the (up to three) years; all years when fewer than two.

    >>> two_of_three(["A", "D", "B"]), two_of_three(["A", "D", "D"]), two_of_three(["C"])
    ('B', 'D', 'C')
    """
    grades = sorted(g for g in year_grades if g is not None)
    if not grades:
        return None
    need = min(2, len(grades))
    return grades[need - 1]


def _pefa_lines(h: Hospital) -> pd.DataFrame:
    """B0 and actuals of the PEFA years per year, direction, department and account category.

    ``unbudgeted`` holds the (positive) actuals of lines without B0, summed before the lines are
    grouped, for PI-2.3.
    """
    lines = line_table(h, "original")
    lines = lines[lines["year"].isin(pefa_years(h))]
    category = with_accounts(lines[["account_id"]], h, ("category",))["category"]
    lines = lines.assign(category=category.fillna(lines["account_id"]),
                         unbudgeted=lines["actual"].clip(lower=0).where(lines["budget"] == 0, 0.0))
    return sum_by(lines, ["year", "direction", "dept_id", "category"], ["budget", "actual", "unbudgeted"])


def _heads(d: pd.DataFrame, by: str) -> pd.DataFrame:
    """The heads of :func:`composition_heads` from the :func:`_pefa_lines` rows of one direction."""
    g = sum_by(d, ["year", by], ["budget", "actual"])
    original, actual = g["budget"].to_numpy(), g["actual"].to_numpy()
    year, years = pd.factorize(g["year"])
    tot = group_sums(year, len(years), np.column_stack([original, actual]))[year]  # the year's totals
    adjusted = original * (tot[:, 1] / np.where(tot[:, 0] != 0, tot[:, 0], np.nan))
    return pd.DataFrame({"year": g["year"].array, "head": g[by].array, "original": original, "actual": actual,
                         "adjusted_budget": adjusted, "abs_difference": np.abs(actual - adjusted)})


def composition_heads(h: Hospital, direction: str = "expense", by: str = "dept_id") -> pd.DataFrame:
    """Per year and head: B0, actual, B0 scaled to the actual total, and the absolute difference.

    Parameters
    ----------
    h : Hospital
    direction : {"expense", "revenue"}
    by : {"dept_id", "category"}
        The heads: departments (administrative) or account categories (economic).

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``head``, ``original`` (B0_i), ``actual`` (A_i), ``adjusted_budget``
        (adj_i = B0_i x sum A / sum B0), ``abs_difference`` (|A_i - adj_i|), for the years of
        :func:`pefa_years`. Heads with actuals but no B0 keep adj_i = 0.
    """
    lines = _pefa_lines(h)
    return _heads(lines[lines["direction"] == direction], by)


def pefa_yearly(h: Hospital) -> pd.DataFrame:
    """Every PEFA indicator of :data:`INDICATORS` for each of the last three completed years.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator``, ``year``, ``direction``, ``n_heads`` (heads compared; 1 for
        aggregates), ``original`` (sum B0), ``actual`` (sum A), ``value`` (outturn, composition
        variance or unbudgeted share, a fraction), ``naive_value`` (composition only: sum |A_i -
        B0_i| / sum B0 without the aggregate adjustment, for comparison), ``year_grade`` (the
        grade of that year alone; PI-2.3 is graded on the mean, so NaN). Composition rows need
        at least two heads with a budget; a year without B0 in the direction is left out.
    """
    lines = _pefa_lines(h)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _yearly(lines)


def _yearly(lines: pd.DataFrame) -> pd.DataFrame:
    """:func:`pefa_yearly` from the :func:`_pefa_lines` rows (divisions by zero on rows it leaves out
    are silenced by the caller)."""
    rows: dict[str, list] = {c: [] for c in YEARLY_COLUMNS}
    directions: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for code, (direction, kind, head, *_titles) in INDICATORS.items():
        if direction not in directions:  # the rows and yearly sums of a direction, once for its indicators
            d = lines[lines["direction"] == direction]
            directions[direction] = d, sum_by(d, ["year"], ["budget", "actual", "unbudgeted"])
        d, sums = directions[direction]
        years, original = sums["year"].to_numpy(), sums["budget"].to_numpy()
        actual, unbudgeted = sums["actual"].to_numpy(), sums["unbudgeted"].to_numpy()
        naive = grade = np.full(len(years), np.nan)
        n_heads = np.ones(len(years), dtype="int64")
        keep = original > 0  # a year without B0 in the direction is left out
        if kind == "aggregate":
            value = actual / np.where(keep, original, 1.0)
            grade = [grade_aggregate(v, code) for v in value]
        elif kind == "contingency":
            value = unbudgeted / np.where(keep, original, 1.0)
            grade = [None] * len(years)
        else:
            hd = _heads(d, head)
            heads_original, heads_actual = hd["original"].to_numpy(), hd["actual"].to_numpy()
            year_of, head_years = pd.factorize(hd["year"], sort=True)
            # per year: sum |A_i - adj_i|, sum adj_i, sum |A_i - B0_i|, sum B0_i, heads with a budget
            g = group_sums(year_of, len(head_years), np.column_stack([
                hd["abs_difference"].to_numpy(), hd["adjusted_budget"].to_numpy(),
                np.abs(heads_actual - heads_original), heads_original, heads_original != 0]))
            at = head_years.get_indexer(years)  # composition rows need heads in the year ...
            keep &= at >= 0
            at = np.where(at >= 0, at, 0)
            n_heads = np.bincount(year_of, minlength=len(head_years))[at]
            keep &= g[at, 4] >= 2  # ... and at least two heads with a budget
            value = g[at, 0] / g[at, 1]
            naive = g[at, 2] / g[at, 3]
            grade = [grade_composition(v) for v in value]
        for column, values in zip(YEARLY_COLUMNS, ([code] * len(years), years, [direction] * len(years), n_heads,
                                                   original, actual, value, naive, grade)):
            rows[column].extend(np.asarray(values, dtype=object)[keep].tolist())
    out = pd.DataFrame(rows, columns=YEARLY_COLUMNS)
    out["indicator"] = out["indicator"].astype("str")
    out["direction"] = out["direction"].astype("str")
    out["year"] = out["year"].astype("int64")
    out["n_heads"] = out["n_heads"].astype("int64")
    for column in ("original", "actual", "value", "naive_value"):
        out[column] = out[column].astype("float64")
    out["year_grade"] = out["year_grade"].astype(object).where(out["year_grade"].notna(), None)
    return out


def _rule(code: str) -> tuple[str, str]:
    kind = INDICATORS[code][1]
    if kind == "aggregate":
        bands = ", ".join(f"{g} {lo:.0%}-{hi:.0%}" for g, lo, hi in AGGREGATE_BANDS[code])
        return (f"sum A / sum B0: {bands}, else D, in at least two of the last three years",
                f"执行数合计/年初预算合计：{bands}，否则D；近三年中至少两年达到")
    if kind == "composition":
        bands = ", ".join(f"{g} < {lim:.0%}" for g, lim in COMPOSITION_LIMITS)
        return (f"sum |A_i - B0_i x sum A / sum B0| / sum A: {bands}, else D, in at least two of the last three years",
                f"Σ|A_i - B0_i×ΣA/ΣB0|/ΣA：{bands}，否则D；近三年中至少两年达到")
    return ("actual expense on lines without B0 / sum B0, mean over the last three years: A < 3%, B <= 6%, "
            "C <= 10%, else D", "无年初预算项目的实际支出/年初预算支出合计，近三年平均：A<3%，B≤6%，C≤10%，否则D")


def pefa_scores(h: Hospital) -> pd.DataFrame:
    """PEFA scores of PI-1, PI-2.1, PI-2.2, PI-2.3, PI-3.1 and PI-3.2.

    Parameters
    ----------
    h : Hospital

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator``, ``title_en``, ``title_zh``, ``direction``,
        ``years`` (the years scored, e.g. "2022, 2023, 2024"), ``n_years``, ``values`` (the
        yearly values as percentages with two decimals), ``score`` (A/B/C/D, or ``None`` when
        not computable), ``rule_en``, ``rule_zh``, ``note_en``, ``note_zh`` (fewer than three
        years scored, or why there is no score), ``method`` (the citation).

    Examples
    --------
    >>> pefa_scores(h)[["indicator", "score"]]  # doctest: +SKIP
    """
    return scores_from_yearly(pefa_yearly(h))


def scores_from_yearly(yearly: pd.DataFrame) -> pd.DataFrame:
    """The :func:`pefa_scores` table from a :func:`pefa_yearly` table (no recomputation)."""
    rows = []
    by_indicator = dict(iter(yearly.groupby("indicator", sort=False)))
    for code, (direction, kind, head, title_en, title_zh) in INDICATORS.items():
        y = by_indicator.get(code, yearly.iloc[:0]).sort_values("year")
        rule_en, rule_zh = _rule(code)
        row = {"indicator": code, "title_en": title_en, "title_zh": title_zh, "direction": direction,
               "years": ", ".join(str(v) for v in y["year"]), "n_years": int(len(y)),
               "values": ", ".join(f"{v:.2%}" for v in y["value"]), "score": None,
               "rule_en": rule_en, "rule_zh": rule_zh, "note_en": "", "note_zh": "", "method": METHOD}
        if y.empty:
            if kind == "composition":
                what = "departments" if head == "dept_id" else "categories"
                row["note_en"] = f"not scored: needs at least two {what} with an original budget"
                row["note_zh"] = f"未评分：需要至少两个有年初预算的{'科室' if head == 'dept_id' else '类别'}"
            else:
                row["note_en"] = f"not scored: needs an original {direction} budget and actuals of a completed year"
                row["note_zh"] = f"未评分：需要完整年度的{'支出' if direction == 'expense' else '收入'}年初预算和执行数"
        else:
            if kind == "contingency":
                row["score"] = grade_contingency(float(y["value"].mean()))
                row["values"] += f" (mean {y['value'].mean():.2%})"
            else:
                row["score"] = two_of_three(list(y["year_grade"]))
            if len(y) < YEARS_NEEDED:
                row["note_en"] = f"scored on {len(y)} year(s); PEFA asks for the last three completed years"
                row["note_zh"] = f"仅依据{len(y)}个年度评分；PEFA要求最近三个完整年度"
        rows.append(row)
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
