"""Longer Chinese texts whose English originals live elsewhere: the template's data dictionary and
the thresholds' justifications. :func:`casekit.labels.description` and
:func:`casekit.labels.threshold_why` pick them; short labels in both languages are in
:mod:`casekit.labels`.
"""
from __future__ import annotations


# Chinese data-dictionary texts of the Excel template (``casekit template --lang zh``), keyed
# ``<table>.<column>`` or, where the meaning does not depend on the table, ``<column>``;
# ``profile.<key>`` for the profile sheet. The English texts are the schema's own
# (``Column.description``, ``PROFILE_FIELDS``); see :func:`description`.
DESCRIPTIONS_ZH: dict[str, str] = {
    "dept_id": "科室编码；须在“科室”表中存在。",
    "departments.dept_id": "科室编码。",
    "departments.name": "科室名称。",
    "departments.type": "科室类型。",
    "account_id": "科目（预算项目）编码；须在“科目”表中存在。按文本保存。",
    "accounts.account_id": "科目（预算项目）编码。按文本保存。",
    "accounts.name": "科目名称。",
    "accounts.direction": "收入或支出。",
    "accounts.category": "科目类别（收入：财政补助、门诊、住院、科研、其他收入；支出：人员、药品、卫生材料、折旧、管理、能源、资本性支出、其他支出）。",
    "accounts.revenue_kind": "医疗收入类别：医疗服务、药品、卫生材料、检查或其他。计算考核比率（医疗服务收入占比、百元医疗收入卫生材料消耗）时需要。",
    "accounts.driver": "弹性预算分析的业务量驱动因素：门急诊人次、实际占用床日、出院人数或手术台次；固定项目留空。",
    "accounts.parent_id": "本科目属于某小计时的上级科目（可选层级）。",
    "year": "预算年度（公历年）。",
    "month": "月份 1-12。",
    "actuals.month": "月份 1-12；仅有年度数据（如决算）时可省略该列或留空。",
    "workload.month": "月份 1-12（年度数据留空）。",
    "budget.original": "年初批复的预算（B0）。",
    "budget.adjusted": "经批准调整后的预算（B1）；留空表示未调整（B1 = B0）。",
    "actuals.amount": "实际收入或支出（A），预算会计口径。",
    "budget_monthly.amount": "分解到月的预算数。",
    "adjustments.date": "调整生效日期。",
    "adjustments.change": "预算调整额（+ 增加，- 减少）。",
    "adjustments.reason": "调整原因。",
    "adjustments.approved": "是否经预算管理委员会审批（是/否）。",
    "workload.scenario": "实际（默认）或预算（计划业务量）。",
    "workload.outpatient_visits": "门急诊人次。",
    "workload.bed_days": "实际占用床日数。",
    "workload.discharges": "出院人数。",
    "workload.surgeries": "手术台次。",
    "performance.appraisal_score": "科室绩效考核得分（0-100）。",
    "performance.bonus": "已发放的绩效奖金。",
    "performance.budget_weight": "预算执行指标在考核中的权重，0-1（如 0.1 = 10%）。",
    "survey_items.item_id": "题目编码。",
    "survey_items.construct": "所测维度（全员参与=C1，专业人才=C2，监督反馈=C3，预算考核=C4，业财融合=C5）。",
    "survey_items.text_zh": "中文题目。",
    "survey_items.text_en": "英文题目。",
    "survey_items.reverse": "是否反向计分（是/否）。",
    "survey_responses.respondent_id": "匿名答卷人编码。",
    "survey_responses.role": "答卷人岗位（如院领导、财务、临床、护理、行政）。",
    "survey_responses.item_id": "题目编码；须在“问卷题目”表中存在。",
    "survey_responses.answer": "李克特量表答案，1（非常不同意）至 5（非常同意）。",
    "checklist.item_id": "核查条目编码（标准条目见 docs/data-format.md）。",
    "checklist.aspect": "A1-A5 或 INFO（信息化）；标准条目可留空。",
    "checklist.requirement": "2020年《办法》的相应要求。",
    "checklist.status": "是、部分或否。",
    "checklist.evidence": "支持该状态的文件或观察记录。",
    "systems.system": "系统名称（HIS、HRP、预算、成本、绩效、电子病历、LIS、PACS、其他）。",
    "systems.in_use": "是否在用（是/否）。",
    "systems.integrated_with_finance": "是否与财务系统自动交换数据。",
    "systems.data_latency_days": "月末后数据送达预算报表的天数。",
    "systems.manual_steps": "本系统与预算报表之间的手工（电子表格）环节数。",
    "profile.name": "医院名称。",
    "profile.tier": "医院等级：三级、二级或一级（决定考核指标清单）。",
    "profile.beds": "编制床位数。",
    "profile.currency_unit": "金额单位：元、千元、万元或百万元（units、thousands、ten_thousands、millions），适用于所有金额列，报告沿用此单位。",
    "profile.fiscal_year_start": "会计年度起始月：1-12（默认1，即1月）。如填4，则2023财年为2023年4月至2024年3月（以起始年份命名）；执行、分月预算和业务量表中的月份均为日历月份。",
    "profile.currency": "货币：ISO 4217 代码，默认 CNY（人民币），也可为 USD、GBP、EUR、JPY、HKD 等。",
    "profile.country": "国家或地区：ISO 3166 两位代码，默认 CN（中国）；境外医院的建议中凡依据我国2020年规定者均加注说明。",
    "profile.synthetic": "是否为生成的模拟数据；报告首页会注明。",
    "profile.region": "所在省、市或区县；写入批量汇总表，便于与其他数据关联。",
    "profile.finance_staff": "财务部门人数。",
    "profile.budget_staff": "专职从事预算工作的人数。",
    "profile.budget_staff_qualified": "具有会计专业资格（中级及以上）的预算人员数。",
    "profile.budget_training_hours": "每名预算人员每年的预算培训学时。",
    "profile.execution_analyses_per_year": "每年报送预算管理委员会的预算执行分析报告次数。",
    "profile.report_days": "月末后编制完成执行报告所需的工作日数。",
    "profile.survey_invited": "受邀参加问卷调查的职工人数（用于计算回收率）。",
    "profile.total_assets": "上年末资产总额（用于计算资产负债率）。",
    "profile.total_liabilities": "上年末负债总额。",
}


# Chinese justifications of the thresholds (``casekit/diagnosis/thresholds.yaml`` holds the English
# ``why`` of each key); shown in the thresholds table of Chinese reports, see :func:`threshold_why`.
THRESHOLD_WHY_ZH: dict[str, str] = {
    "bands.good": "实务中常用的科室分档：偏差率绝对值在5%以内为良好。",
    "bands.warning": "5%-10%为预警，超过10%为较差（国内医院常见做法）。",
    "bands.revenue_slack": "收入执行超过预算的110%，提示预算目标可能被有意压低（预算松弛）。",
    "p1.growth_dispersion_max": "各科室预算增长率的标准差低于1个百分点，即所有科室采用同一增长率。",
    "p1.identical_growth_share": "60%及以上的科室增长率相同（精确到0.1个百分点），说明目标由上而下统一下达。",
    "p1.identical_growth_tolerance": "两个增长率相差在0.1个百分点以内视为相同。",
    "p1.workload_corr_min": "预算增长应随业务量增长而变化；Spearman相关系数低于0.3说明二者无关。",
    "p1.flat_phasing_share": "一半及以上的预算项目按月平均分解（1/12），而实际执行具有季节性。",
    "p1.seasonality_cv": "月度实际数的变异系数高于10%视为有季节性。",
    "p1.volume_shock": "科室业务量偏离计划超过15%而未调整预算。",
    "p1.unadjusted_shock_share": "受业务量冲击的科室中一半及以上当年未获预算调整。",
    "p1.min_triggered": "至少两项刚性指标触发时判定P1存在。",
    "p2.fva_min": "预测增加值低于0：年初预算还不如直接沿用上年实际数准确。",
    "p2.bias_max": "多数年度偏倚绝对值 |Σ(B0 - A)| / ΣA 超过5%，属于持续性的预算偏差。",
    "p2.missing_items_share": "无预算科目上的支出超过实际支出的2%。",
    "p2.participation_min": "问卷“全员参与”维度均值低于3（中性，1-5分制）。",
    "p2.min_triggered": "至少两项指标触发时判定P2存在。",
    "p3.hospital_deviation_max": "一项对30家国内公立医院的研究中，平均偏差率绝对值为6.8%；高于此值即差于同行。",
    "p3.line_share_beyond": "四分之一及以上的科室×科目偏差超出±10%。",
    "p3.dept_share_beyond": "四分之一及以上的科室偏差超出±10%。",
    "p3.progress_gap": "季末时间进度差超过±10个百分点为预警（默认值）。",
    "p3.year_end_surge": "12月支出超过月均支出的1.5倍，提示年末突击花钱。",
    "p3.progress_gap_share": "一至三季度末的进度检查（年度×收支）中四分之一及以上超出进度差阈值。",
    "p3.irregular_adjustment_share": "调整过的科室预算中四分之一及以上为多次调整或第四季度调整（规范做法是年中调整一次）。",
    "p3.min_triggered": "至少两项指标触发时判定P3存在。",
    "p4.budget_weight_min": "预算指标在考核中的权重低于10%，难以引导行为。",
    "p4.correlation_alpha": "偏差应与考核得分或绩效奖金显著（p < 0.05）负相关。",
    "p4.min_triggered": "三项指标（权重低；与得分无关；与奖金无关）中至少两项触发时判定P4存在。",
    "p5.integrated_share_min": "与财务集成的核心系统不足60%。",
    "p5.report_days_max": "月度执行报告晚于月末后10个工作日，就无法指导下一个月。",
    "p5.latency_days_max": "平均数据时滞超过7天。",
    "p5.construct_min": "问卷“业财融合”维度均值低于3。",
    "p5.min_triggered": "四项指标中至少两项触发时判定P5存在。",
    "causes.construct_min": "问卷维度均值低于3（中性，1-5分制）表示该环节薄弱。",
    "causes.agree_share_min": "认同（4-5分）的答卷人不足一半。",
    "causes.checklist_met_min": "该原因对应的制度核查条目落实不足60%（是=1，部分=0.5）。",
    "causes.budget_staff_per_100_beds_min": "每百张床位专职预算人员不足1人（C2）。",
    "causes.qualified_share_min": "具有专业资格的预算人员不足一半（C2）。",
    "causes.training_hours_min": "每名预算人员年培训学时不足24学时（C2）。",
    "causes.analyses_per_year_min": "2020年《办法》要求至少每季度开展一次预算执行分析（C3）。",
    "causes.alpha_acceptable": "克龙巴赫α系数0.7为可接受的信度；低于此值时该维度附注意事项报告。",
    "causes.min_triggered": "至少两项指标触发时判定原因存在。",
    "causes.correlation_alpha": "只有当Spearman负相关显著（单侧p < 0.05）时，才认定维度得分较低的科室偏差更大。",
    "aspects.met_good": "某方面落实80%及以上的要求评为良好。",
    "aspects.met_weak": "落实不足50%评为薄弱。",
    "aspects.adjustments_approved_min": "A4：预算调整须经预算管理委员会审批（2020年《办法》）；审批比例低于95%说明未按程序执行。",
    "data.line_rate_max": "实际数超过预算项目40倍，几乎总是单位或小数点错误（把元填成万元、逗号错位）。",
    "data.total_rate_max": "某一收支方向的实际总额超过预算总额10倍，说明两张表的金额单位不同。",
    "monitor.warn_rate": "国内医院在年度支出预算使用达80%时向科室预警。",
    "monitor.control_rate": "达到100%即进行控制：有预算不超支（2020年《办法》）。",
    "monitor.approval_rate": "超过预算120%后继续支出须另行审批（国内医院做法）。",
    "monitor.progress_gap": "累计执行超前或落后序时进度10个百分点以上为预警，与季末口径一致（p3.progress_gap）。",
    "monitor.exception_ratio": "某月比前三个月均值高或低50%以上视为异常。",
    "monitor.materiality": "小于该收支方向月均总额0.5%的月度异常和标记不值得说明。",
    "monitor.backtest_years": "方法依据最近两个完整年度选择：既足以比较，又足够接近当前。",
}



# Chinese forms of validation messages (problem and fix texts of ``casekit.errors.Issue``), as
# (regular expression over the English text, Chinese template with the groups). The English
# sentence stays the one definition; a message without a pattern here is shown in English.
# Table and column names in the groups are mapped by :func:`casekit.labels.issue_text`.
ISSUE_FRAGMENTS_ZH: dict[str, tuple[tuple[str, str], ...]] = {
    # groups of the patterns below that list several English fragments: (regular expression, Chinese)
    "directions": ((r"(\d+) from the section heading", r"\1行依据分节标题（收入/支出）"),
                   (r"(\d+) from the code chart", r"\1行依据科目编码"),
                   (r"(\d+) from the name", r"\1行依据科目名称"),
                   (r"(\d+) from the title", r"\1行依据表名")),
    "amounts": ((r"\boriginal ", "年初预算 "), (r"\badjusted ", "调整后预算 "), (r"\bactual ", "执行数 ")),
}
ISSUE_PATTERNS_ZH: tuple[tuple[str, str], ...] = (
    (r"budget is 0 but the actual of (?P<line>\S+) is (?P<amount>[\d,.]+) (?P<unit>[^;]+); reported as a missing item "
     r"\(no execution rate computed\)", "{line} 的预算为0，但实际数为 {amount} {unit}；按无预算科目报告（不计算执行率）"),
    (r"Nothing to fix if the line was really unbudgeted; otherwise enter its budget\.",
     "如该科目确无预算，无需修改；否则请填写其预算。"),
    (r"(?P<n>\d+) department/line pair\(s\) of (?P<year>\d{4}) have actuals but no budget row \(e\.g\. (?P<eg>[^)]*)\); "
     r"treated as missing items", "{year}年有{n}个科室/科目组合有实际数但无预算行（如 {eg}）；按无预算科目处理"),
    (r"Nothing to fix if they were really unbudgeted; otherwise add their budget rows\.",
     "如确无预算，无需修改；否则请补充相应的预算行。"),
    (r"year (?P<year>\d{4}) has actuals but no budget", "{year}年有实际数但无预算"),
    (r"Add the budget of that year, or ignore: it is used only as history \(e\.g\. last year's actual for the "
     r"naive forecast\)\.", "请补充该年预算，或忽略：该年数据仅作为历史数据使用（如简单预测中的上年实际数）。"),
    (r"year (?P<year>\d{4}) has a budget but no actuals", "{year}年有预算但无实际数"),
    (r"Add the actuals of that year, or ignore: it is left out of budget-versus-actual indicators\.",
     "请补充该年实际数，或忽略：该年不参与预算与实际对比的指标。"),
    (r"actuals are annual only \(no months\): accepted; monthly indicators will be reported as not assessed",
     "实际数仅有年度数据（无月份）：可以接受；月度指标将标注为未评估"),
    (r"Supply monthly actuals \(a month column, 1-12\) for time-progress and year-end analysis\.",
     "如需时间进度和年末分析，请提供月度实际数（月份列，1-12）。"),
    (r"column not recognised, ignored", "无法识别的列，已忽略"),
    (r"Rename it to a documented header of table '(?P<table>[^']+)' \(see docs/data-format\.md\) if it is needed\.",
     "如需使用，请改为“{table}”表的规范表头（见 docs/data-format.md）。"),
    (r"required table '(?P<table>[^']+)' \((?P<zh>[^)]*)\) is missing", "缺少必需的数据表“{zh}”（{table}）"),
    (r"table '(?P<table>[^']+)' has no data rows", "“{table}”表没有数据行"),
    (r"Fill in at least one row below the header\.", "请在表头下至少填写一行数据。"),
    (r"expense budget is negative", "支出预算为负数"),
    (r"Expense budgets are positive amounts; enter the amount without a minus sign\.",
     "支出预算应为正数；请去掉负号填写金额。"),
    (r"Check that actuals and budget use the same currency unit\.", "请检查实际数与预算是否使用相同的金额单位。"),
    (r"actuals of (?P<year>\d{4}) stop at month (?P<m>\d+) \(a year in progress\): annual rules \(execution "
     r"deviation, accuracy, forecast value added, year-end surge\) leave (?P=year) out and use (?P<years>[\d, ]+); "
     r"time-progress gaps still include it",
     "{year}年实际数只到{m}月（年度尚未结束）：年度规则（执行偏差、准确度、预测增加值、年末突击支出）不含{year}年，"
     "使用{years}年；时间进度差仍包含该年"),
    (r"actuals of (?P<year>\d{4}) stop at month (?P<m>\d+) and no budget year is complete: the annual diagnosis "
     r"\(`casekit run`\) needs at least one complete year, so it will stop",
     "{year}年实际数只到{m}月，且没有完整的预算年度：年度诊断（`casekit run`）至少需要一个完整年度，将会停止"),
    (r"For the year to date run `casekit monitor <data> --through (?P<through>\d{4}-\d{2})`; add the remaining "
     r"months when the year is closed\.",
     "本年累计情况请运行 `casekit monitor <数据> --through {through}`；年度结账后补齐其余月份。"),
    # year-to-date exports, currency and country (issue 10)
    (r"the export's actuals of (?P<year>\d{4}) cover months 1-(?P<month>\d+) only \(a year to date, as "
     r"'(?P<text>.*)' says\): the annual rules \(execution deviation, accuracy, forecast value added, year-end surge\) "
     r"leave (?P=year) out instead of judging 11 months or fewer as a whole year",
     "导出表{year}年的实际数只涵盖1-{month}月（本年累计，依据“{text}”）：年度规则（执行偏差、准确度、预测增加值、年末突击支出）"
     "不含{year}年，不把不足一年的数据当作全年评判"),
    (r"Nothing to fix for the year to date; add the full-year export when the year is closed \(for in-year monitoring "
     r"give monthly actuals and run `casekit monitor`\)\.",
     "本年累计数无需更正；年度结账后请补充全年导出表（如需年内监控，请提供分月实际数并运行 `casekit monitor`）。"),
    (r"the profile's currency is (?P<cur>[A-Z]{3}) but it gives no country: the hospital is taken to be in China \(CN\) "
     r"and China's 2020 rules are cited without a note",
     "医院概况的货币为{cur}，但未填写国家或地区：按中国（CN）医院处理，引用我国2020年规定时不加注说明"),
    (r"Add country: the ISO 3166 two-letter code \(GB, US, DE \.\.\.\) for a hospital outside China\.",
     "境外医院请填写国家或地区：ISO 3166 两位代码（GB、US、DE 等）。"),
    # finance-system exports and account trees (casekit.data.exports, casekit.data.accounts, casekit.data.quality)
    (r"read as a finance-system export \((?P<n>\d+) sheet\(s\): (?P<sheets>.*)\): (?P<leaf>\d+) leaf line\(s\) counted, "
     r"(?P<parent>\d+) parent line\(s\), (?P<total>\d+) total/heading row\(s\) and (?P<of>\d+) 其中 row\(s\) not counted",
     "按财务系统导出表读取（{n}个工作表：{sheets}）：计入{leaf}个末级科目行；{parent}个上级科目行、{total}个合计/标题行和"
     "{of}个“其中”行未计入"),
    (r"Nothing to do; check the notes below on what casekit assumed\.", "无需处理；请查看下列说明中 casekit 所作的假定。"),
    (r"Nothing to do\.", "无需处理。"),
    (r"(?P<what>parent line|total|section total) '(?P<name>[^']*)' does not foot: it says (?P<stated>\S+) (?P<unit>\S*) ?"
     r"but the (?P<n>\d+) line\(s\) it covers \(rows (?P<rows>[\d-]+)\) sum to (?P<summed>\S+) \(difference (?P<diff>\S+)\)",
     "“{name}”行与其所含明细不符：填报 {stated} {unit}，而其所含{n}行（第{rows}行）合计为 {summed}（差额 {diff}）"),
    (r"Correct the total or its lines in the export: casekit counts the leaf lines only, so check that no line is "
     r"missing or entered twice\.", "请更正导出表中的合计或明细行：casekit 只计末级科目行，请检查是否有遗漏或重复。"),
    (r"surplus/deficit or carry-over line '(?P<name>[^']*)' \((?P<amounts>.*)\) is neither revenue nor expense: kept out "
     r"of both totals and shown here, with no execution rate",
     "结余或结转行“{name}”（{amounts}）既非收入也非支出：不计入收入、支出合计，在此单列，不计算执行率"),
    (r"whole-hospital summary sheet not counted \(the department sheets are\); its lines were checked against their sum",
     "全院汇总表不重复计入（按各科室表计算），并已与各科室表合计核对"),
    (r"the summary sheet's line '(?P<key>[^']*)' says (?P<stated>\S+) but the department sheets sum to (?P<summed>\S+) "
     r"\(difference (?P<diff>\S+)\); casekit counts the department sheets",
     "汇总表“{key}”行为 {stated}，而各科室表合计为 {summed}（差额 {diff}）；casekit 按各科室表计算"),
    (r"revenue/expense direction of the export's lines: (?P<directions>.*)", "导出表各行的收支方向判定依据：{directions}"),
    (r"Check the accounts table in the report; override a line in casekit-mapping\.yaml\.",
     "请核对报告中的科目表；如需更正，请在 casekit-mapping.yaml 中逐行指定。"),
    (r"department type guessed from the name for (?P<n>\d+) department\(s\) \((?P<shown>.*)\): an assumption, not data",
     "{n}个科室的类型按名称推测（{shown}）：系假定，并非数据"),
    (r"department type unknown for (?P<n>\d+) department\(s\) \((?P<shown>.*)\): set to the default '(?P<d>[^']*)'",
     "{n}个科室的类型未知（{shown}）：按默认值“{d}”处理"),
    (r"account categories are not in the export: (?P<g>\d+) guessed from the line's name, (?P<d>\d+) set to the default "
     r"other_revenue / other_expense \(assumptions, not data; the appraisal context ratios depend on them\)",
     "导出表不含科目类别：{g}个按科目名称推测，{d}个按默认值 other_revenue / other_expense 处理（系假定，并非数据；"
     "绩效考核相关比率依赖于此）"),
    (r"Write the (?:types|categories) in casekit-mapping\.yaml.*", "请在 casekit-mapping.yaml 中写明（可用 casekit template "
     "casekit-mapping.yaml --from 导出表 预填）。"),
    (r"no hospital profile: taken from the export \((?P<shown>.*)\)", "未提供医院概况：取自导出表（{shown}）"),
    (r"add hospital\.yaml \(name, tier, currency_unit\) to state them yourself",
     "请添加 hospital.yaml（name、tier、currency_unit），自行写明这些信息。"),
    (r"Add tier: tertiary, secondary or primary \(三级/二级/一级\) for a Chinese public hospital; leave it out "
     r"otherwise\.", "我国公立医院请填写等级 tier：tertiary、secondary 或 primary（三级/二级/一级）；境外医院可不填。"),
    (r"the profile gives no tier \(医院等级\): the appraisal context ratios, whose indicator list depends on the tier, "
     r"are not assessed", "医院概况未给出医院等级：绩效考核相关比率（其指标清单取决于等级）不予评估"),
    (r"(?P<n>\d+) negative actual\(s\) \(reversals or refunds\) accepted as written \((?P<shown>.*)\); lines with a "
     r"negative budget get no execution rate", "{n}个实际数为负（冲销或退款），按原值接受（{shown}）；预算为负的科目不计算执行率"),
    (r"(?P<n>\d+) row\(s\) of parent accounts \((?P<how>[^)]*)\) not counted: their sub-accounts are",
     "{n}行上级科目（{how}）未计入：按其下级科目计算"),
    (r"parent account (?P<p>\S+) says (?P<stated>\S+) but its sub-accounts sum to (?P<summed>\S+) \(difference "
     r"(?P<diff>\S+)\); casekit counts the sub-accounts only",
     "上级科目 {p} 为 {stated}，而其下级科目合计为 {summed}（差额 {diff}）；casekit 只计下级科目"),
    (r"(?P<n>\d+) row\(s\) of 其中 \(of which\) accounts \((?P<shown>.*)\) left out of the totals: they break down another "
     r"line", "{n}行“其中”科目（{shown}）未计入合计：它们是其他科目的细分"),
    (r"no year column: every row is taken as year (?P<year>\d{4}), named by (?P<where>.*)",
     "没有年度列：各行均按{year}年处理（依据：{where}）"),
    (r"the original budget of (?P<y>\d{4}) equals the actual of (?P<p>\d{4}) on (?P<n>\d+) of (?P<m>\d+) lines "
     r"\((?P<share>[^)]*)\): .*", "{y}年年初预算在{m}行中有{n}行（{share}）与{p}年实际数相同：该列确为{y}年预算，还是上年实际？"),
)
