"""Context ratios of the national public-hospital performance appraisal (operating efficiency).

The national appraisal (三级公立医院绩效考核, 国办发〔2019〕4号; 二级公立医院绩效考核,
国卫办医发〔2019〕23号) judges a hospital's operating efficiency (运营效率) by ratios such as
the medical-service revenue share and the personnel expense share. They are not budget
indicators, but they put the budget findings in context. The hospital's ``tier`` selects the
list: the tertiary list also carries a qualitative "comprehensive budget management" (全面预算管理)
item, the secondary list does not.

Accounting basis: the appraisal computes these ratios on the **financial accounting** basis
(财务会计, accrual). casekit has budget-accounting actuals (预算会计, cash-like), so every ratio
computed from ``actuals`` is a *proxy*, labelled as such in the ``accounting`` column.
See docs/methodology.md, "Context ratios".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from casekit.data.hospital import Hospital

FINANCIAL = "financial accounting (财务会计)"
PROXY = "financial accounting (财务会计); proxy: budget-accounting actuals (预算会计)"
MEDICAL_REVENUE = ("outpatient", "inpatient")
BUSINESS_EXPENSE_EXCLUDES = ("capital",)

TIER_LISTS = {
    "tertiary": "tertiary (三级公立医院绩效考核, 国办发〔2019〕4号)",
    "secondary": "secondary (二级公立医院绩效考核, 国卫办医发〔2019〕23号)",
    "primary": "secondary (二级公立医院绩效考核, 国卫办医发〔2019〕23号; no national list for primary hospitals)",
}

# indicator: (label_en, label_zh, unit)
INDICATORS = {
    "medical_service_revenue_share": ("Medical service revenue / medical revenue", "医疗服务收入占医疗收入比例",
                                      "share"),
    "personnel_expense_share": ("Personnel expense / business expense", "人员支出占业务支出比重", "share"),
    "surplus_rate": ("Medical surplus rate", "医疗盈余率", "share"),
    "consumables_per_100_yuan": ("Consumables per 100 yuan of medical revenue (excl. drugs)",
                                 "百元医疗收入（不含药品收入）中消耗的卫生材料", "yuan per 100 yuan"),
    "energy_per_10k_revenue": ("Energy cost per 10,000 yuan of revenue", "万元收入能耗支出",
                               "yuan per 10,000 yuan"),
    "revenue_per_visit_growth": ("Growth of outpatient revenue per visit", "门诊次均费用增幅", "share"),
    "revenue_per_discharge_growth": ("Growth of inpatient revenue per discharge", "住院次均费用增幅", "share"),
    "asset_liability_ratio": ("Asset-liability ratio", "资产负债率", "share"),
    "comprehensive_budget_management": ("Comprehensive budget management (qualitative)", "全面预算管理（定性指标）",
                                        "qualitative"),
}
COLUMNS = ["year", "indicator", "label_en", "label_zh", "value", "unit", "tier_list", "accounting", "available",
           "needs"]


def _annual_by_account(h: Hospital) -> pd.DataFrame:
    a = h.actuals.groupby(["year", "account_id"], as_index=False)["amount"].sum()
    cols = ["account_id", "direction", "category"] + (["revenue_kind"] if "revenue_kind" in h.accounts.columns else [])
    a = a.merge(h.accounts[cols], on="account_id", how="left")
    if "revenue_kind" not in a.columns:
        a["revenue_kind"] = pd.NA
    a["year"] = a["year"].astype("int64")
    return a[a["year"].isin(h.years)]


def _div(num: float, den: float) -> float:
    return float(num / den) if den else float("nan")


def appraisal_ratios(h: Hospital, business_expense_excludes: tuple[str, ...] = BUSINESS_EXPENSE_EXCLUDES
                     ) -> pd.DataFrame:
    """Operating-efficiency ratios of the national performance appraisal, per year.

    Formulas (annual sums of ``actuals``, by ``accounts.category`` / ``revenue_kind``):

    - medical revenue = outpatient + inpatient revenue; medical service revenue = the part with
      ``revenue_kind == "service"``; share = service / medical revenue.
    - personnel expense share = personnel / business expense, business expense = all expense
      except the categories in ``business_expense_excludes`` (default: capital).
    - surplus rate = (medical revenue - business expense) / medical revenue (proxy: casekit
      cannot separate medical from other expense).
    - consumables per 100 yuan = materials expense / (medical revenue - drug revenue) x 100.
    - energy per 10,000 yuan = energy expense / total revenue x 10,000.
    - growth of outpatient revenue per visit, inpatient revenue per discharge: year on year,
      from ``workload`` (``scenario == "actual"``); the first year has no growth.
    - asset-liability ratio = total_liabilities / total_assets (profile; last year only).
    - comprehensive budget management (tertiary list only): qualitative, see aspects A1-A5.

    Parameters
    ----------
    h : Hospital
    business_expense_excludes : tuple of str
        Expense categories left out of the "business expense" denominator.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``indicator``, ``label_en``, ``label_zh``, ``value`` (NaN when not
        available), ``unit``, ``tier_list`` (the appraisal list the hospital's tier selects),
        ``accounting`` (financial accounting; "proxy" when computed from budget-accounting
        actuals), ``available`` (bool), ``needs`` (what is missing, "" when available).

    References
    ----------
    docs/methodology.md, "Context ratios"; 国办发〔2019〕4号 (tertiary list), 国卫办医发〔2019〕23号
    (secondary list), operating-efficiency dimension.
    """
    tier_list = TIER_LISTS.get(h.profile.tier, "") if h.profile.tier else ""
    a = _annual_by_account(h)
    has_kind = bool(a["revenue_kind"].notna().any())
    wl = None
    if h.has("workload"):
        w = h.workload
        if "scenario" in w.columns:
            w = w[w["scenario"].fillna("actual") == "actual"]
        wl = w.groupby("year")[[c for c in ("outpatient_visits", "discharges") if c in w.columns]].sum(min_count=1)
    rows: list[dict] = []

    def add(year, ind, value, needs="", accounting=PROXY):
        label_en, label_zh, unit = INDICATORS[ind]
        if not tier_list:
            value, needs = None, "profile tier (the appraisal list of a Chinese public hospital)"
        ok = not needs and value is not None and not (isinstance(value, float) and np.isnan(value))
        rows.append({"year": year, "indicator": ind, "label_en": label_en, "label_zh": label_zh,
                     "value": float(value) if ok else np.nan, "unit": unit, "tier_list": tier_list,
                     "accounting": accounting, "available": ok,
                     "needs": needs or ("" if ok else "non-zero denominator")})

    per_visit = {}
    for year in h.years:
        y = a[a["year"] == year]
        rev = y[y["direction"] == "revenue"]
        exp = y[y["direction"] == "expense"]
        medical = rev[rev["category"].isin(MEDICAL_REVENUE)]
        med_total = medical["amount"].sum()
        business = exp.loc[~exp["category"].isin(business_expense_excludes), "amount"].sum()
        kind_needs = "" if has_kind else "accounts.revenue_kind"
        add(year, "medical_service_revenue_share",
            _div(medical.loc[medical["revenue_kind"] == "service", "amount"].sum(), med_total), kind_needs)
        add(year, "personnel_expense_share", _div(exp.loc[exp["category"] == "personnel", "amount"].sum(), business))
        add(year, "surplus_rate", _div(med_total - business, med_total))
        drugs = medical.loc[medical["revenue_kind"] == "drug", "amount"].sum()
        add(year, "consumables_per_100_yuan",
            100 * _div(exp.loc[exp["category"] == "materials", "amount"].sum(), med_total - drugs), kind_needs)
        add(year, "energy_per_10k_revenue",
            10000 * _div(exp.loc[exp["category"] == "energy", "amount"].sum(), rev["amount"].sum()))
        for ind, cat, vol in (("revenue_per_visit_growth", "outpatient", "outpatient_visits"),
                              ("revenue_per_discharge_growth", "inpatient", "discharges")):
            if wl is None or vol not in wl.columns or year not in wl.index:
                add(year, ind, None, f"workload.{vol}")
                continue
            per_visit[(ind, year)] = _div(rev.loc[rev["category"] == cat, "amount"].sum(), wl.loc[year, vol])
            prev = per_visit.get((ind, year - 1))
            if prev is None:
                add(year, ind, None, "workload of the previous year")
            else:
                add(year, ind, _div(per_visit[(ind, year)], prev) - 1)
        if h.profile.tier == "tertiary":
            add(year, "comprehensive_budget_management", None,
                "qualitative item: see the aspect profile A1-A5", accounting="qualitative")
    if h.years:
        assets, liabilities = h.profile.get("total_assets"), h.profile.get("total_liabilities")
        if assets is None or liabilities is None:
            add(h.years[-1], "asset_liability_ratio", None, "profile total_assets, total_liabilities",
                accounting=FINANCIAL)
        else:
            add(h.years[-1], "asset_liability_ratio", _div(float(liabilities), float(assets)), accounting=FINANCIAL)
    return pd.DataFrame(rows, columns=COLUMNS)
