"""Fixed catalogues of the sample hospitals: departments, accounts, survey items, systems.

These are the *nouns* of a synthetic hospital (what exists); :mod:`casekit.sample.generate`
supplies the *verbs* (how money, workload and answers come about). Names are those of a
Chinese district hospital; account codes follow the budget-accounting style (6xxx revenue,
7201.xx business expenditure) and are text, never numbers (``7201.10`` is not ``7201.1``).
"""
from __future__ import annotations

# --------------------------------------------------------------------------- departments
# code, name, type, has_ward, surgical, respiratory (winter peak), size (staff / volume weight).
# Ordered so that any prefix of the list is a plausible hospital (clinical, medical technology,
# administrative and logistics departments all appear within the first ten).
DEPARTMENTS: tuple[tuple[str, str, str, bool, bool, bool, float], ...] = (
    ("0101", "内科", "clinical", True, False, True, 1.6),
    ("0102", "外科", "clinical", True, True, False, 1.4),
    ("0103", "妇产科", "clinical", True, True, False, 1.0),
    ("0104", "儿科", "clinical", True, False, True, 0.9),
    ("0105", "骨科", "clinical", True, True, False, 1.1),
    ("0106", "急诊科", "clinical", False, False, True, 1.0),
    ("0201", "检验科", "medical_technology", False, False, False, 1.0),
    ("0202", "放射科", "medical_technology", False, False, False, 1.0),
    ("0402", "财务科", "administrative", False, False, False, 0.6),
    ("0501", "总务科", "logistics", False, False, False, 0.8),
    ("0203", "药剂科", "medical_technology", False, False, False, 0.8),
    ("0401", "院长办公室", "administrative", False, False, False, 0.5),
    ("0502", "设备科", "logistics", False, False, False, 0.4),
    ("0406", "信息科", "administrative", False, False, False, 0.4),
    ("0404", "医务科", "administrative", False, False, False, 0.4),
    ("0107", "心血管内科", "clinical", True, False, False, 1.0),
    ("0108", "呼吸内科", "clinical", True, False, True, 0.9),
    ("0109", "神经内科", "clinical", True, False, False, 0.9),
    ("0110", "眼科", "clinical", True, True, False, 0.5),
    ("0111", "耳鼻喉科", "clinical", True, True, False, 0.5),
    ("0112", "口腔科", "clinical", False, False, False, 0.5),
    ("0113", "中医科", "clinical", True, False, False, 0.6),
    ("0204", "超声科", "medical_technology", False, False, False, 0.6),
    ("0205", "病理科", "medical_technology", False, False, False, 0.4),
    ("0301", "消毒供应中心", "auxiliary", False, False, False, 0.4),
    ("0403", "人事科", "administrative", False, False, False, 0.4),
    ("0405", "护理部", "administrative", False, False, False, 0.3),
    ("0114", "重症医学科", "clinical", True, False, True, 0.7),
    ("0115", "康复医学科", "clinical", True, False, False, 0.6),
    ("0503", "保卫科", "logistics", False, False, False, 0.3),
    ("0116", "皮肤科", "clinical", False, False, False, 0.4),
    ("0117", "感染性疾病科", "clinical", True, False, True, 0.5),
    ("0302", "营养科", "auxiliary", False, False, False, 0.3),
    ("0206", "功能检查科", "medical_technology", False, False, False, 0.4),
)

# --------------------------------------------------------------------------- accounts
# account_id, name, direction, category, revenue_kind, driver, behaviour, base.
# ``behaviour`` names the mechanism in generate.py; ``base`` is the base-year amount: a rate per
# unit of workload for "volume" lines, a share of the related revenue for "cost_of" lines, a
# per-staff amount for staff lines, otherwise yuan per year for a 500-bed hospital.
ACCOUNTS: tuple[tuple[str, str, str, str, str | None, str | None, str, float], ...] = (
    ("6001.01", "财政基本拨款收入", "revenue", "fiscal_subsidy", None, None, "flat", 15e6),
    ("6001.02", "财政项目拨款收入", "revenue", "fiscal_subsidy", None, None, "lumpy", 8e6),
    ("6101.01", "门诊诊察挂号收入", "revenue", "outpatient", "service", "outpatient_visits", "volume", 25.0),
    ("6101.02", "门诊治疗收入", "revenue", "outpatient", "service", "outpatient_visits", "volume", 45.0),
    ("6101.03", "门诊卫生材料收入", "revenue", "outpatient", "material", "outpatient_visits", "volume", 15.0),
    ("6101.04", "门诊药品收入", "revenue", "outpatient", "drug", "outpatient_visits", "volume", 95.0),
    ("6101.05", "门诊检查化验收入", "revenue", "outpatient", "examination", "outpatient_visits", "volume", 70.0),
    ("6101.10", "住院床位护理收入", "revenue", "inpatient", "service", "bed_days", "volume", 120.0),
    ("6101.11", "住院治疗收入", "revenue", "inpatient", "service", "bed_days", "volume", 260.0),
    ("6101.12", "住院手术收入", "revenue", "inpatient", "service", "surgeries", "volume", 2800.0),
    ("6101.13", "住院卫生材料收入", "revenue", "inpatient", "material", "discharges", "volume", 1600.0),
    ("6101.14", "住院药品收入", "revenue", "inpatient", "drug", "bed_days", "volume", 310.0),
    ("6101.15", "住院检查化验收入", "revenue", "inpatient", "examination", "bed_days", "volume", 180.0),
    ("6201.01", "科教项目收入", "revenue", "research", None, None, "lumpy", 1.5e6),
    ("6609.01", "其他收入", "revenue", "other_revenue", "other", None, "flat", 3e6),
    ("7201.01", "基本工资", "expense", "personnel", None, None, "staff", 110_000.0),
    ("7201.02", "绩效工资", "expense", "personnel", None, None, "bonus", 70_000.0),
    ("7201.03", "社会保障缴费", "expense", "personnel", None, None, "staff", 45_000.0),
    ("7201.05", "临聘人员劳务费", "expense", "personnel", None, None, "new_staff", 360_000.0),
    ("7201.10", "药品费", "expense", "drugs", None, None, "cost_of_drug", 0.99),
    ("7201.11", "卫生材料费", "expense", "materials", None, None, "cost_of_material", 0.95),
    ("7201.12", "检验试剂费", "expense", "materials", None, None, "reagent", 6e6),
    ("7201.13", "影像及其他医用耗材费", "expense", "materials", None, None, "reagent", 2.5e6),
    ("7201.20", "办公费", "expense", "administration", None, None, "discretionary", 3_000.0),
    ("7201.21", "差旅费", "expense", "administration", None, None, "discretionary", 2_000.0),
    ("7201.22", "培训费", "expense", "administration", None, None, "discretionary", 1_500.0),
    ("7201.23", "会议费", "expense", "administration", None, None, "discretionary", 4_000.0),
    ("7201.24", "公务接待费", "expense", "administration", None, None, "discretionary", 60_000.0),
    ("7201.25", "物业管理费", "expense", "administration", None, None, "flat", 5e6),
    ("7201.26", "维修费", "expense", "administration", None, None, "discretionary", 3e6),
    ("7201.27", "专用设备维保费", "expense", "administration", None, None, "new_contract", 5e6),
    ("7201.30", "专用设备折旧", "expense", "depreciation", None, None, "fixed", 600_000.0),
    ("7201.31", "房屋及通用设备折旧", "expense", "depreciation", None, None, "fixed", 9e6),
    ("7201.32", "无形资产摊销", "expense", "depreciation", None, None, "fixed", 1e6),
    ("7201.40", "水费", "expense", "energy", None, None, "water", 1.2e6),
    ("7201.41", "电费", "expense", "energy", None, None, "electricity", 4.5e6),
    ("7201.42", "取暖燃气费", "expense", "energy", None, None, "heating", 2e6),
    ("7201.50", "专用设备购置", "expense", "capital", None, None, "lumpy", 12e6),
    ("7201.51", "信息化建设支出", "expense", "capital", None, None, "lumpy", 4e6),
    ("7201.52", "房屋修缮支出", "expense", "capital", None, None, "lumpy", 3e6),
    ("7201.90", "其他商品和服务支出", "expense", "other_expense", None, None, "discretionary", 5_000.0),
)

# Lines paid late during the year and caught up in December when control is weak (cash basis of
# budget accounting: supplier invoices, year-end bonus, purchases, discretionary spending).
DEFERRABLE = frozenset({"bonus", "cost_of_drug", "cost_of_material", "reagent", "discretionary", "lumpy"})
# Lines that only start in the second budget year (new needs: temporary staff, service contracts
# of equipment out of warranty). Incremental budgeting never picks them up.
NEW_LINES = frozenset({"new_staff", "new_contract"})

_COMMON_EXPENSE = ("7201.01", "7201.02", "7201.03", "7201.20")
_CLINICAL_OUT = ("6101.01", "6101.02", "6101.03", "6101.04", "6101.05")
_CLINICAL_IN = ("6101.10", "6101.11", "6101.13", "6101.14", "6101.15")
# Lines of particular departments (by code), beyond those of their type.
DEPT_LINES: dict[str, tuple[str, ...]] = {
    "0201": ("7201.12", "7201.22", "7201.30"),
    "0205": ("7201.12", "7201.30"),
    "0202": ("7201.13", "7201.22", "7201.30"),
    "0204": ("7201.13", "7201.30"),
    "0206": ("7201.13", "7201.30"),
    "0203": ("7201.22",),
    "0301": ("7201.11", "7201.90"),
    "0302": ("6609.01", "7201.90"),
    "0401": ("7201.21", "7201.23", "7201.24", "7201.90"),
    "0402": ("6001.01", "6001.02", "6609.01", "7201.22", "7201.23", "7201.90"),
    "0403": ("7201.22", "7201.23", "7201.90"),
    "0404": ("6201.01", "7201.21", "7201.22", "7201.23"),
    "0405": ("7201.22", "7201.23"),
    "0406": ("7201.32", "7201.51", "7201.22"),
    "0501": ("7201.25", "7201.26", "7201.31", "7201.40", "7201.41", "7201.42", "7201.52", "7201.90"),
    "0502": ("7201.27", "7201.50"),
    "0503": ("7201.90",),
}
# Clinical departments that take on temporary staff from the second year (every other one).
TEMP_STAFF_DEPTS = frozenset({"0101", "0103", "0105", "0107", "0109", "0113", "0115", "0117"})


def lines_of(code: str, dept_type: str, ward: bool, surgical: bool) -> tuple[str, ...]:
    """Account ids budgeted and spent by one department."""
    lines = list(_COMMON_EXPENSE)
    if dept_type == "clinical":
        lines += _CLINICAL_OUT + ("7201.10", "7201.21", "7201.22", "7201.30")
        if ward:
            lines += _CLINICAL_IN + ("7201.11",)
            if surgical:
                lines.append("6101.12")
        if code in TEMP_STAFF_DEPTS:
            lines.append("7201.05")
    lines += DEPT_LINES.get(code, ())
    return tuple(sorted(set(lines)))


# --------------------------------------------------------------------------- seasonality
# Mean-1 monthly shapes: winter respiratory peak (Dec-Jan), Spring Festival dip (Feb), National
# Day holiday (Oct). Respiratory departments swing 1.8 times as much.
SEASON_OUTPATIENT = (1.10, 0.80, 1.00, 0.98, 0.97, 0.95, 1.02, 1.04, 0.96, 0.90, 1.06, 1.22)
SEASON_SURGERY = (1.05, 0.70, 1.02, 1.03, 1.03, 1.00, 1.05, 1.08, 1.02, 0.95, 1.03, 1.04)
SEASON_ELECTRICITY = (1.15, 1.00, 0.90, 0.85, 0.90, 1.05, 1.25, 1.25, 1.00, 0.85, 0.85, 0.95)
SEASON_HEATING = (2.2, 2.0, 1.5, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 1.3, 2.0)
SEASON_WATER = (0.95, 0.90, 0.95, 1.00, 1.05, 1.10, 1.10, 1.10, 1.00, 0.95, 0.95, 0.95)

# --------------------------------------------------------------------------- survey
# item_id, construct, text_zh, text_en, reverse. Four items per construct; S03 and S11 are
# reverse-scored (agreement means the problem is there).
SURVEY_ITEMS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("S01", "participation", "本科室参与了本年度预算的编制与申报。",
     "My department took part in preparing and submitting this year's budget.", False),
    ("S02", "participation", "财务部门下达控制数后，科室有机会反馈并调整预算。",
     "After finance issued the control figures, my department could comment and revise its budget.", False),
    ("S03", "participation", "预算基本由财务部门单独确定，科室意见很少被采纳。",
     "The budget is set by the finance department alone; departments' views are rarely taken up.", True),
    ("S04", "participation", "本科室的预算目标与科室工作计划相一致。",
     "My department's budget targets match its work plan.", False),
    ("S05", "staff", "医院有足够的专职预算管理人员。",
     "The hospital has enough full-time budget staff.", False),
    ("S06", "staff", "预算管理人员具备相应的专业能力。",
     "Budget staff have the professional skills the job needs.", False),
    ("S07", "staff", "我参加过预算管理相关的培训。",
     "I have attended training on budget management.", False),
    ("S08", "staff", "科室内有人能够解读预算执行报表。",
     "Someone in my department can read the budget execution report.", False),
    ("S09", "supervision", "医院定期分析并通报各科室预算执行情况。",
     "The hospital regularly analyses and circulates each department's budget execution.", False),
    ("S10", "supervision", "预算执行偏差较大时，科室会及时收到预警。",
     "My department is warned promptly when its execution deviates much from budget.", False),
    ("S11", "supervision", "超预算支出通常没有人过问。",
     "Nobody asks questions when spending exceeds the budget.", True),
    ("S12", "supervision", "预算调整须经过规范的审批程序。",
     "Budget adjustments go through a proper approval procedure.", False),
    ("S13", "assessment", "预算执行结果纳入科室绩效考核。",
     "Budget execution results count in the department's performance appraisal.", False),
    ("S14", "assessment", "预算执行好坏会影响科室的绩效奖金。",
     "How well the budget is executed affects the department's bonus.", False),
    ("S15", "assessment", "医院有明确的预算考核指标和评价标准。",
     "The hospital has clear budget assessment indicators and standards.", False),
    ("S16", "assessment", "预算考核结果会反馈给科室并用于改进。",
     "Assessment results are fed back to departments and used to improve.", False),
    ("S17", "integration", "业务系统数据能够自动进入预算管理系统。",
     "Data from the clinical and business systems reach the budget system automatically.", False),
    ("S18", "integration", "科室能及时查询本科室的预算执行数据。",
     "My department can look up its budget execution data in good time.", False),
    ("S19", "integration", "财务数据与业务数据口径一致、便于核对。",
     "Finance and business data use the same definitions and reconcile easily.", False),
    ("S20", "integration", "预算执行报表无需大量手工整理。",
     "The budget execution report does not need much manual work.", False),
)

# Roles of respondents by department type (drawn uniformly from the tuple).
ROLES = {
    "clinical": ("director", "doctor", "doctor", "nurse", "nurse", "head_nurse"),
    "medical_technology": ("director", "technician", "technician"),
    "auxiliary": ("director", "staff"),
    "administrative": ("director", "admin", "admin"),
    "logistics": ("director", "admin"),
}

# --------------------------------------------------------------------------- systems
# system, in use where informatisation is poor, role.
SYSTEMS: tuple[tuple[str, bool], ...] = (
    ("HIS", True), ("EMR", True), ("LIS", True), ("PACS", True), ("HRP", True),
    ("budget", False), ("cost", True), ("performance", True),
)
