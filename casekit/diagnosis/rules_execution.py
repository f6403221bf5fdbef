"""Rule P3: large deviation in budget execution.

P3 judges *execution*, so it holds actuals against the adjusted budget B1 (调整后预算). Status
and severity follow the shared formula documented in :mod:`casekit.diagnosis.rules_preparation`
and :mod:`casekit.diagnosis.criteria`.
"""
from __future__ import annotations

import pandas as pd

from casekit.data import fiscal
from casekit.diagnosis.config import RuleContext
from casekit.diagnosis.finding import Finding
from casekit.diagnosis.criteria import check, decide, yearly
from casekit.diagnosis.rules_preparation import BASIS, with_headline
from casekit.indicators.adjustments import adjustment_summary, line_adjustment_rates
from casekit.indicators.execution import accuracy_summary, execution_table, join_on
from casekit.indicators.progress import time_progress, year_end_surge
from casekit.labels import finding_titles

P3_TITLE = finding_titles("P3")


def rule_p3(ctx: RuleContext) -> Finding:
    """P3: large deviation in budget execution.

    Criteria (actual against B1; bands from ``bands.good`` / ``bands.warning``):

    - hospital-level |sum A - sum B1| / sum B1, mean over years and directions, ``>``
      ``p3.hospital_deviation_max`` (6.8%: mean of 30 Chinese public hospitals);
    - share of department x line cells beyond the warning band (unbudgeted cells count as
      beyond), pooled over years and directions, ``>=`` ``p3.line_share_beyond``;
    - share of departments (per direction) beyond the warning band, pooled, ``>=``
      ``p3.dept_share_beyond``;
    - share of Q1-Q3 quarter-end time-progress checks (year x direction) with |gap| >
      ``p3.progress_gap`` ``>=`` ``p3.progress_gap_share`` (needs monthly actuals; Q4 is left
      out because its gap is the annual deviation already counted above);
    - mean December expense / mean monthly expense over years ``>`` ``p3.year_end_surge``
      (needs monthly actuals);
    - share of adjusted department budgets (year x department x direction) adjusted more than
      once or in Q4 ``>=`` ``p3.irregular_adjustment_share`` (needs the adjustments table).

    Present when at least ``p3.min_triggered`` trip. Evidence: department-level rows beyond the
    warning band or holding a budget line adjusted by more than ``p3.adjustment_rate_flag`` of
    B0 (unbudgeted first, then by |deviation rate|), with ``beyond_warning`` and
    ``lines_adjusted_over_limit`` (count of such lines, :func:`line_adjustment_rates`); the
    summary counts the flagged lines (a written reason is required above 30%).

    References
    ----------
    docs/methodology.md (P3); 2020 measures (国卫财务发〔2020〕30号): monthly monitoring against
    the time schedule, adjustments only by procedure.
    """
    h, cfg = ctx.hospital, ctx.cfg
    bands = {"good": cfg["bands.good"], "warning": cfg["bands.warning"]}
    acc = ctx.get(accuracy_summary, basis="adjusted", **bands)
    hosp, line_share, dept_share = _hospital_deviation(acc), _pooled_share(acc, "lines"), _pooled_share(acc, "depts")
    warn = f"±{cfg['bands.warning']:.0%}"
    start = fiscal.start_of(h)  # the year's last month: December for a calendar year
    last_en, last_zh = fiscal.month_name(12, start, "en"), fiscal.month_name(12, start, "zh")
    q = ys = done = None
    if h.is_monthly:
        tp = ctx.get(time_progress, basis="adjusted")
        q = tp[tp["month"].isin((3, 6, 9)) & tp["gap"].notna()]
        ys = ctx.get(year_end_surge)

    def gap_of(rows: pd.DataFrame) -> float | None:
        return float((rows["gap"].abs() > cfg["p3.progress_gap"]).mean()) if len(rows) else None

    def surge_of(rows: pd.DataFrame) -> float | None:
        return float(rows["surge"].mean()) if rows["surge"].notna().any() else None

    gap_share = None if q is None else gap_of(q)
    surge = None if ys is None else surge_of(ys)
    irregular = None
    if h.has("adjustments"):
        adj = ctx.get(adjustment_summary)
        done = adj[adj["n_adjustments"] > 0]
        irregular = _irregular_share(done) if len(done) else 0.0
    checks = [
        check(ctx, "hospital_abs_deviation_rate", hosp, "p3.hospital_deviation_max", ">",
              "hospital-level |deviation| from B1 (mean over years and directions)",
              "全院执行数相对调整后预算的偏差率绝对值（各年、收支平均）", BASIS, fmt="pct", missing="budget and actuals",
              by_year=yearly(acc, _hospital_deviation)),
        check(ctx, "share_lines_beyond_warning", line_share, "p3.line_share_beyond", ">=",
              f"share of department x line cells beyond {warn}", f"偏差超出{warn}的科室×科目比例", BASIS, fmt="pct",
              missing="budget and actuals", by_year=yearly(acc, lambda rows: _pooled_share(rows, "lines"))),
        check(ctx, "share_depts_beyond_warning", dept_share, "p3.dept_share_beyond", ">=",
              f"share of departments beyond {warn}", f"偏差超出{warn}的科室比例", BASIS, fmt="pct",
              missing="budget and actuals", by_year=yearly(acc, lambda rows: _pooled_share(rows, "depts"))),
        check(ctx, "progress_gap_share", gap_share, "p3.progress_gap_share", ">=",
              f"share of Q1-Q3 quarter ends with a time-progress gap beyond ±{cfg['p3.progress_gap'] * 100:.0f} pp",
              f"一至三季度末时间进度差超过±{cfg['p3.progress_gap'] * 100:.0f}个百分点的比例", BASIS, fmt="pct",
              missing="monthly actuals", by_year=yearly(q, gap_of)),
        check(ctx, "year_end_surge", surge, "p3.year_end_surge", ">",
              f"{last_en} expense / mean monthly expense (mean over years)", f"{last_zh}支出与月均支出之比（各年平均）",
              BASIS, fmt="num", missing="monthly actuals", by_year=yearly(ys, surge_of)),
        check(ctx, "irregular_adjustment_share", irregular, "p3.irregular_adjustment_share", ">=",
              "share of adjusted department budgets adjusted repeatedly or in Q4",
              "调整过的科室预算中多次调整或第四季度调整的比例", BASIS, fmt="pct", missing="adjustments table",
              by_year=yearly(done, _irregular_share)),
    ]
    limit = cfg["p3.adjustment_rate_flag"]
    rates = ctx.get(line_adjustment_rates, limit=limit)
    flagged = rates[rates["over_limit"]]
    per_dept = flagged.groupby(["year", "dept_id", "direction"]).size().rename("lines_adjusted_over_limit")
    dept = ctx.get(execution_table, level=("year", "dept_id"), basis="adjusted", **bands)
    dept = join_on(dept, per_dept.reset_index(), ["year", "dept_id", "direction"])
    dept["lines_adjusted_over_limit"] = dept["lines_adjusted_over_limit"].fillna(0).astype("int64")
    dept["beyond_warning"] = ((dept["abs_deviation_rate"] > cfg["bands.warning"])
                              | (dept["band"].eq("undefined") & dept["budget"].eq(0) & dept["actual"].ne(0)))
    beyond = dept[dept["beyond_warning"] | dept["lines_adjusted_over_limit"].gt(0)]
    evidence = beyond.sort_values(["beyond_warning", "abs_deviation_rate"], ascending=[False, False],
                                  na_position="first", kind="stable").reset_index(drop=True)
    f = decide("P3", *P3_TITLE, checks, cfg["p3.min_triggered"], evidence)
    en = zh = ""
    if line_share is not None:
        en = (f"Against the adjusted budget, {line_share:.1%} of department x line cells and {dept_share:.1%} of "
              f"departments were beyond {warn}; the hospital-level deviation averaged {hosp:.1%} "
              f"(peer mean {cfg['p3.hospital_deviation_max']:.1%}).")
        zh = (f"对照调整后预算，{line_share:.1%}的科室×科目和{dept_share:.1%}的科室偏差超出{warn}；"
              f"全院偏差率平均为{hosp:.1%}（同类医院均值{cfg['p3.hospital_deviation_max']:.1%}）。")
    if "adjusted_given" in h.budget.columns and h.budget["adjusted_given"].any():
        en += (f" {len(flagged)} of {len(rates)} adjusted budget lines were adjusted by more than {limit:.0%} of B0 "
               f"(a written reason is required above {limit:.0%}).")
        zh += f"{len(rates)}个调整过的预算科目中有{len(flagged)}个调整幅度超过年初预算的{limit:.0%}（超过{limit:.0%}须书面说明理由）。"
    return with_headline(f, en.strip(), zh)


def _hospital_deviation(acc: pd.DataFrame) -> float | None:
    """Mean hospital-level |deviation| rate of the (year x direction) rows, None if none."""
    rate = acc["hospital_abs_deviation_rate"]
    return float(rate.mean()) if rate.notna().any() else None


def _pooled_share(acc: pd.DataFrame, of: str) -> float | None:
    """Share of lines (``of="lines"``) or departments beyond the warning band, pooled over the rows
    (None when the rows hold no line)."""
    if not acc["n_lines"].sum():
        return None
    n = acc[f"n_{of}"]
    return float((acc[f"share_{of}_beyond_warning"] * n).sum() / n.sum())


def _irregular_share(done: pd.DataFrame) -> float:
    """Share of adjusted department budgets adjusted more than once or in Q4."""
    return float((done["repeated"].fillna(False).astype(bool) | (done["share_q4"] > 0)).mean())
