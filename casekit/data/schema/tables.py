"""The hospital data model: every table, column, type, allowed value and header alias.

This module is the single source of truth. The loaders, the pandera schemas, the Excel
template and ``docs/data-format.md`` are all generated from :data:`TABLES`, so they cannot
drift apart. See docs/data-format.md for the concepts.

Money columns (``money=True``) are in the profile's currency and scale (``currency``,
``currency_unit``; :mod:`casekit.money`) from load to report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from casekit.money import SCALE_ALIASES, SCALES

DType = Literal["str", "int", "float", "bool", "date"]

DEPT_TYPES = ("clinical", "medical_technology", "auxiliary", "administrative", "logistics")
DIRECTIONS = ("revenue", "expense")
REVENUE_CATEGORIES = ("fiscal_subsidy", "outpatient", "inpatient", "research", "other_revenue")
EXPENSE_CATEGORIES = (
    "personnel", "drugs", "materials", "depreciation", "administration", "energy",
    "capital", "other_expense",
)
ACCOUNT_CATEGORIES = REVENUE_CATEGORIES + EXPENSE_CATEGORIES
REVENUE_KINDS = ("service", "drug", "material", "examination", "other")
VOLUME_DRIVERS = ("outpatient_visits", "bed_days", "discharges", "surgeries")
WORKLOAD_SCENARIOS = ("actual", "budget")
CHECK_STATUS = ("yes", "partial", "no")
ASPECTS = ("A1", "A2", "A3", "A4", "A5", "INFO")
CAUSES = ("C1", "C2", "C3", "C4", "C5")
SURVEY_CONSTRUCTS = ("participation", "staff", "supervision", "assessment", "integration")
SYSTEM_NAMES = ("HIS", "HRP", "budget", "cost", "performance", "EMR", "LIS", "PACS", "other")
TIERS = ("tertiary", "secondary", "primary")
CURRENCY_UNITS = tuple(SCALES)


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes
    ----------
    name : str
        Canonical (English, snake_case) name used inside casekit.
    dtype : {"str", "int", "float", "bool", "date"}
        Type after parsing. Identifier columns are ``str`` (never numbers: ``6001.10`` stays text).
    required : bool
        Whether the column must be present when the table is present.
    description : str
        Data-dictionary text (English).
    zh : str
        The primary Chinese header, written by ``casekit template --lang zh``.
    aliases : tuple of str
        Further headers accepted for this column (Chinese and English, matched after
        normalising case, spaces, underscores and full-width characters).
    enum : tuple of str, optional
        Allowed values (after alias mapping of values, see :data:`VALUE_ALIASES`).
    min, max : float, optional
        Plausible range; values outside are errors.
    nullable : bool
        Whether blank cells are allowed.
    money : bool
        Amount in the hospital's currency and scale (profile ``currency``, ``currency_unit``).
    """

    name: str
    dtype: DType
    required: bool = True
    description: str = ""
    zh: str = ""
    aliases: tuple[str, ...] = ()
    enum: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    nullable: bool = False
    money: bool = False


@dataclass(frozen=True)
class Table:
    """One table of a hospital's data folder.

    Attributes
    ----------
    name : str
        Canonical name, also the file stem (``budget.csv``) and the Excel sheet name.
    zh : str
        Chinese name, accepted as file stem or sheet name too.
    required : bool
        The four required tables are departments, accounts, budget and actuals.
    key : tuple of str
        Columns that identify a row; duplicates are errors.
    columns : tuple of Column
    description : str
    aliases : tuple of str
        Other accepted file stems / sheet names.
    """

    name: str
    zh: str
    required: bool
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str
    aliases: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


_YEAR = Column("year", "int", description="Budget (calendar) year.", zh="年度",
               aliases=("年份", "预算年度", "fiscal_year", "yr"), min=1990, max=2100)
_MONTH = Column("month", "int", description="Month 1-12.", zh="月份", aliases=("月", "期间", "period", "mon"),
                min=1, max=12)
_DEPT = Column("dept_id", "str", description="Department code; must exist in `departments`.", zh="科室编码",
               aliases=("科室代码", "部门编码", "科室", "部门", "department", "dept", "department_id", "dept_code"))
_ACCOUNT = Column("account_id", "str", description="Account (budget line) code; must exist in `accounts`. Kept as text.",
                  zh="科目编码", aliases=("科目代码", "会计科目", "科目", "预算科目", "预算科目编码", "account", "account_code", "acct"))

TABLES: dict[str, Table] = {}


def _add(t: Table) -> None:
    TABLES[t.name] = t


_add(Table(
    "departments", "科室", True, ("dept_id",),
    (
        _DEPT,
        Column("name", "str", description="Department name.", zh="科室名称",
               aliases=("部门名称", "dept_name", "department_name", "名称")),
        Column("type", "str", description="Department type.", zh="科室类型",
               aliases=("类型", "科室类别", "dept_type", "category"), enum=DEPT_TYPES),
    ),
    "Master list of departments (科室). An annual-only hospital may have a single whole-hospital department.",
    aliases=("科室表", "部门", "dept", "depts"),
))

_add(Table(
    "accounts", "科目", True, ("account_id",),
    (
        _ACCOUNT,
        Column("name", "str", description="Account name.", zh="科目名称", aliases=("预算科目名称", "account_name", "名称")),
        Column("direction", "str", description="revenue or expense.", zh="收支方向",
               aliases=("方向", "收支", "收支类型"), enum=DIRECTIONS),
        Column("category", "str", description="Category of the line (revenue: fiscal_subsidy, outpatient, inpatient, "
               "research, other_revenue; expense: personnel, drugs, materials, depreciation, administration, energy, "
               "capital, other_expense).", zh="类别", aliases=("科目类别", "分类"), enum=ACCOUNT_CATEGORIES),
        Column("revenue_kind", "str", required=False, nullable=True,
               description="For medical revenue lines: service, drug, material, examination or other. Needed for the "
               "appraisal ratios (medical service revenue share, consumables per 100 yuan).",
               zh="收入性质", aliases=("收入类型",), enum=REVENUE_KINDS),
        Column("driver", "str", required=False, nullable=True,
               description="Volume driver for flexible-budget analysis: outpatient_visits, bed_days, discharges or "
               "surgeries; blank for fixed lines.", zh="业务量驱动", aliases=("驱动因素", "业务量"), enum=VOLUME_DRIVERS),
        Column("parent_id", "str", required=False, nullable=True,
               description="Parent account when this line is part of a subtotal (optional hierarchy).",
               zh="上级科目编码", aliases=("上级科目", "parent")),
    ),
    "Chart of budget lines (预算科目).",
    aliases=("科目表", "会计科目", "account"),
))

_add(Table(
    "budget", "预算", True, ("year", "dept_id", "account_id"),
    (
        _YEAR, _DEPT, _ACCOUNT,
        Column("original", "float", description="Original budget approved at the start of the year (B0).",
               zh="年初预算", aliases=("年初预算数", "预算数", "全年预算", "全年预算数", "original_budget", "b0", "budget"), money=True),
        Column("adjusted", "float", required=False, nullable=True,
               description="Budget after approved adjustments (B1); blank means no adjustment (B1 = B0).",
               zh="调整后预算", aliases=("调整后预算数", "调整预算", "调整预算数", "adjusted_budget", "b1", "final_budget"), money=True),
    ),
    "Annual budget per department and line (预算). Expense budgets must not be negative.",
    aliases=("预算表", "budgets"),
))

_add(Table(
    "actuals", "执行", True, ("year", "month", "dept_id", "account_id"),
    (
        _YEAR,
        Column("month", "int", required=False, nullable=True,
               description="Month 1-12; leave the column out (or blank) for annual-only data such as final accounts.",
               zh="月份", aliases=_MONTH.aliases, min=1, max=12),
        _DEPT, _ACCOUNT,
        Column("amount", "float", description="Actual revenue or expenditure (A), budget-accounting basis.",
               zh="执行数", aliases=("实际数", "发生额", "实际发生额", "决算数", "本年累计执行数", "累计执行数", "本年累计", "金额",
                        "actual", "value"), money=True),
    ),
    "Actual revenue and expenditure (执行数), monthly or annual. Alternatively supply a transaction `ledger`.",
    aliases=("执行数", "实际", "决算", "actual"),
))

_add(Table(
    "ledger", "明细账", False, (),
    (
        Column("date", "date", description="Posting date (YYYY-MM-DD).", zh="日期", aliases=("记账日期", "凭证日期", "posting_date")),
        _DEPT, _ACCOUNT,
        Column("amount", "float", description="Transaction amount.", zh="金额", aliases=("发生额", "借方金额", "value"),
               money=True),
    ),
    "Transaction-level ledger (明细账), possibly millions of rows in one or many files (ledger*.csv / "
    "ledger*.parquet); aggregated to monthly actuals with DuckDB on load.",
    aliases=("ledgers", "transactions", "明细"),
))

_add(Table(
    "budget_monthly", "月度预算", False, ("year", "month", "dept_id", "account_id"),
    (
        _YEAR, _MONTH, _DEPT, _ACCOUNT,
        Column("amount", "float", description="Budget phased to the month.", zh="月度预算数",
               aliases=("预算数", "金额"), money=True),
    ),
    "Optional monthly phasing of the budget (预算分解). Without it, time progress is judged against 1/12 a month.",
    aliases=("phasing", "预算分解"),
))

_add(Table(
    "adjustments", "预算调整", False, (),
    (
        Column("date", "date", description="Date the adjustment took effect.", zh="调整日期", aliases=("日期",)),
        _DEPT, _ACCOUNT,
        Column("change", "float", description="Change to the budget (+ increase, - decrease).", zh="调整金额",
               aliases=("调整数", "金额", "amount"), money=True),
        Column("reason", "str", required=False, nullable=True, description="Reason given.", zh="调整原因",
               aliases=("原因",)),
        Column("approved", "bool", description="Approved by the budget committee (yes/no).", zh="是否审批",
               aliases=("审批", "已审批", "是否批准")),
    ),
    "Budget adjustments (预算调整) with their approval.",
    aliases=("调整", "adjustment"),
))

_add(Table(
    "workload", "业务量", False, ("year", "month", "dept_id", "scenario"),
    (
        _YEAR,
        Column("month", "int", required=False, nullable=True, description="Month 1-12 (blank for annual figures).",
               zh="月份", aliases=_MONTH.aliases, min=1, max=12),
        _DEPT,
        Column("scenario", "str", required=False, description="actual (default) or budget (planned volumes).",
               zh="口径", aliases=("类型", "实际或预算"), enum=WORKLOAD_SCENARIOS),
        Column("outpatient_visits", "float", required=False, nullable=True, description="Outpatient and emergency visits.",
               zh="门急诊人次", aliases=("门诊人次", "门诊量", "visits"), min=0),
        Column("bed_days", "float", required=False, nullable=True, description="Occupied bed-days.", zh="实际占用床日",
               aliases=("占用床日数", "床日数", "床日"), min=0),
        Column("discharges", "float", required=False, nullable=True, description="Discharged patients.", zh="出院人次",
               aliases=("出院人数",), min=0),
        Column("surgeries", "float", required=False, nullable=True, description="Surgical operations.", zh="手术台次",
               aliases=("手术例数", "手术量"), min=0),
    ),
    "Workload (业务量) per department: drives flexible-budget and rigidity analysis.",
    aliases=("volumes", "业务量表"),
))

_add(Table(
    "performance", "绩效考核", False, ("year", "dept_id"),
    (
        _YEAR, _DEPT,
        Column("appraisal_score", "float", description="Department performance appraisal score (0-100).",
               zh="考核得分", aliases=("绩效得分", "得分", "score"), min=0, max=100),
        Column("bonus", "float", required=False, nullable=True, description="Performance bonus paid.", zh="绩效奖金",
               aliases=("奖金",), money=True, min=0),
        Column("budget_weight", "float", required=False, nullable=True,
               description="Weight of budget-execution indicators in the appraisal, 0-1 (e.g. 0.1 = 10%).",
               zh="预算指标权重", aliases=("预算权重",), min=0, max=1),
    ),
    "Department performance appraisal (绩效考核) results.",
    aliases=("绩效", "appraisal"),
))

_add(Table(
    "survey_items", "问卷题目", False, ("item_id",),
    (
        Column("item_id", "str", description="Question code.", zh="题号", aliases=("题目编号", "item")),
        Column("construct", "str", description="Construct measured (participation=C1, staff=C2, supervision=C3, "
               "assessment=C4, integration=C5).", zh="维度", aliases=("构念",), enum=SURVEY_CONSTRUCTS),
        Column("text_zh", "str", required=False, nullable=True, description="Question text in Chinese.", zh="题目",
               aliases=("题目内容",)),
        Column("text_en", "str", required=False, nullable=True, description="Question text in English.", zh="英文题目"),
        Column("reverse", "bool", required=False, description="Reverse-scored item (yes/no).", zh="反向计分",
               aliases=("是否反向",)),
    ),
    "Staff survey questionnaire items.",
    aliases=("问卷", "items"),
))

_add(Table(
    "survey_responses", "问卷答案", False, ("respondent_id", "item_id"),
    (
        Column("respondent_id", "str", description="Anonymous respondent code.", zh="答卷人编号",
               aliases=("答卷编号", "respondent")),
        Column("role", "str", description="Respondent role (e.g. director, finance, clinical, nurse, admin).",
               zh="岗位", aliases=("角色", "职务")),
        _DEPT,
        Column("item_id", "str", description="Question code; must exist in `survey_items`.", zh="题号",
               aliases=("题目编号", "item")),
        Column("answer", "int", description="Likert answer 1 (strongly disagree) to 5 (strongly agree).", zh="得分",
               aliases=("答案", "分值", "score"), min=1, max=5),
    ),
    "Staff survey answers, long format (one row per respondent and item).",
    aliases=("答卷", "responses"),
))

_add(Table(
    "checklist", "制度核查", False, ("item_id",),
    (
        Column("item_id", "str", description="Checklist item code (the standard items are listed in docs/data-format.md).",
               zh="条目编号", aliases=("编号", "item")),
        Column("aspect", "str", required=False, nullable=True, description="A1-A5 or INFO; may be left blank for "
               "standard items.", zh="方面", aliases=("维度",), enum=ASPECTS),
        Column("requirement", "str", required=False, nullable=True, description="Requirement of the 2020 measures.",
               zh="要求", aliases=("条目",)),
        Column("status", "str", description="yes, partial or no.", zh="落实情况", aliases=("状态", "是否落实"),
               enum=CHECK_STATUS),
        Column("evidence", "str", required=False, nullable=True, description="Document or observation supporting the status.",
               zh="佐证材料", aliases=("证据", "依据")),
    ),
    "Governance checklist against the 2020 comprehensive budget management measures.",
    aliases=("核查表", "governance"),
))

_add(Table(
    "systems", "信息系统", False, ("system",),
    (
        Column("system", "str", description="System name (HIS, HRP, budget, cost, performance, EMR, LIS, PACS, other).",
               zh="系统", aliases=("系统名称",)),
        Column("in_use", "bool", description="System in use (yes/no).", zh="是否使用", aliases=("在用",)),
        Column("integrated_with_finance", "bool", description="Exchanges data with the finance system automatically.",
               zh="是否与财务集成", aliases=("业财融合", "与财务对接")),
        Column("data_latency_days", "float", required=False, nullable=True,
               description="Days after month end until its data reach the budget report.", zh="数据时滞天数",
               aliases=("时滞",), min=0, max=366),
        Column("manual_steps", "int", required=False, nullable=True,
               description="Manual (spreadsheet) steps between this system and the budget report.", zh="手工环节数",
               aliases=("手工环节",), min=0),
    ),
    "Information systems (信息系统) and their integration with finance.",
    aliases=("信息化", "it_systems"),
))

REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)

# Profile keys (hospital.yaml, or profile.csv with columns key,value). Money keys are in the
# declared currency unit. See docs/data-format.md.
PROFILE_FIELDS: dict[str, tuple[str, str, bool, str]] = {
    # key: (dtype, zh, required, description)
    "name": ("str", "医院名称", True, "Hospital name."),
    "tier": ("str", "医院等级", False, "tertiary, secondary or primary (selects the appraisal indicator list); "
             "optional: without it (e.g. a hospital outside China) the appraisal context ratios are not assessed."),
    "beds": ("int", "编制床位", False, "Approved beds."),
    "currency_unit": ("str", "金额单位", True, "Scale of every money column: units, thousands, ten_thousands or "
                      "millions (元, 千元, 万元, 百万元; yuan and 10k_yuan are read too). Reports use it."),
    "currency": ("str", "货币", False, "ISO 4217 code of the amounts: CNY (default), USD, GBP, EUR, JPY, HKD ..."),
    "country": ("str", "国家或地区", False, "ISO 3166 two-letter code of the hospital's country: CN (default), GB, US "
                "...; outside China the recommendations resting on China's 2020 rules say so."),
    "fiscal_year_start": ("int", "会计年度起始月", False, "First calendar month of the fiscal year, 1-12 (default 1, "
                          "January). FY2023 with 4 is April 2023 to March 2024 (labelled by the year it starts in); "
                          "months of actuals, budget_monthly and workload are calendar months."),
    "synthetic": ("bool", "模拟数据", False, "True for generated sample data; reports say so on the first page."),
    "region": ("str", "所在地区", False, "Province, city or district; carried into the batch panel so it joins "
               "with other data."),
    "finance_staff": ("int", "财务人员数", False, "Staff in the finance department."),
    "budget_staff": ("int", "预算专职人员数", False, "Staff working on the budget full time."),
    "budget_staff_qualified": ("int", "预算人员中级以上职称数", False, "Budget staff with an accounting qualification "
                               "(intermediate or above)."),
    "budget_training_hours": ("float", "预算培训学时", False, "Budget training hours per budget staff member per year."),
    "execution_analyses_per_year": ("int", "年度执行分析次数", False, "Budget-execution analysis reports sent to the "
                                    "budget committee per year."),
    "report_days": ("float", "月报编制天数", False, "Working days after month end to produce the execution report."),
    "survey_invited": ("int", "问卷发放数", False, "Staff invited to the survey (for the response rate)."),
    "total_assets": ("float", "资产总额", False, "Total assets at the last year end (for the asset-liability ratio)."),
    "total_liabilities": ("float", "负债总额", False, "Total liabilities at the last year end."),
}

# Values accepted for enumerations in Chinese or other spellings, mapped to canonical values.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "type": {"临床": "clinical", "临床科室": "clinical", "医技": "medical_technology", "医技科室": "medical_technology",
             "医辅": "auxiliary", "医辅科室": "auxiliary", "辅助": "auxiliary", "行政": "administrative",
             "行政科室": "administrative", "管理": "administrative", "后勤": "logistics", "后勤科室": "logistics",
             "medical technology": "medical_technology"},
    "direction": {"收入": "revenue", "支出": "expense", "费用": "expense", "income": "revenue",
                  "expenditure": "expense", "cost": "expense"},
    "category": {"财政补助": "fiscal_subsidy", "财政拨款": "fiscal_subsidy", "门诊收入": "outpatient", "门诊": "outpatient",
                 "住院收入": "inpatient", "住院": "inpatient", "科研": "research", "科教": "research",
                 "其他收入": "other_revenue", "人员经费": "personnel", "人员支出": "personnel", "药品费": "drugs",
                 "药品": "drugs", "卫生材料费": "materials", "材料": "materials", "折旧": "depreciation",
                 "固定资产折旧": "depreciation", "管理费用": "administration", "公用经费": "administration",
                 "能耗": "energy", "水电": "energy", "资本性支出": "capital", "基建": "capital",
                 "其他支出": "other_expense"},
    "revenue_kind": {"医疗服务": "service", "服务": "service", "药品": "drug", "材料": "material", "卫生材料": "material",
                     "检查化验": "examination", "检查": "examination", "其他": "other"},
    "driver": {"门急诊人次": "outpatient_visits", "床日": "bed_days", "出院人次": "discharges", "手术台次": "surgeries"},
    "scenario": {"实际": "actual", "预算": "budget", "计划": "budget"},
    "status": {"是": "yes", "已落实": "yes", "部分": "partial", "部分落实": "partial", "否": "no", "未落实": "no"},
    "aspect": {"组织体系": "A1", "编制流程": "A2", "编制内容": "A3", "执行与控制": "A4", "考核与评价": "A5",
               "信息化": "INFO"},
    "construct": {"参与": "participation", "全员参与": "participation", "人才": "staff", "专业人才": "staff",
                  "监督": "supervision", "监督反馈": "supervision", "考核": "assessment", "业财融合": "integration",
                  "信息化": "integration"},
    "tier": {"三级": "tertiary", "二级": "secondary", "一级": "primary"},
    "currency_unit": dict(SCALE_ALIASES),
}

BOOL_TRUE = ("yes", "y", "true", "1", "是", "有", "已", "t", "√")
BOOL_FALSE = ("no", "n", "false", "0", "否", "无", "未", "f", "×")
