"""English and Chinese labels for report headings, finding titles, statuses and axis labels.

The notebooks and figures never hard-code display text: they ask :func:`label` for a key in
the report language. Finding codes (``A1``..``A5``, ``P1``..``P5``, ``C1``..``C5``, ``R1``..``R5``)
follow the structure of the J public hospital case (docs/methodology.md).

Examples
--------
>>> label("P1", "en")
'P1 Rigid budget targets'
>>> label("P1", "zh")
'P1 预算目标刚性'
>>> label("axis.month", "zh")
'月份'
"""
from __future__ import annotations

from casekit.errors import ConfigError
import re

from casekit.texts_zh import DESCRIPTIONS_ZH, ISSUE_FRAGMENTS_ZH, ISSUE_PATTERNS_ZH, THRESHOLD_WHY_ZH

LANGS = ("en", "zh")

ENUM_COLUMNS = frozenset({"status", "band", "direction", "basis", "rating", "grade", "kind", "scope", "level",
                          "method", "target", "phasing", "group_type", "area", "unit", "accounting", "source",
                          "adjustment_source", "cause_status", "problem_status"})
"""Table columns whose text values are enumerations, shown by their ``value.<word>`` labels in Chinese."""

LABELS: dict[str, tuple[str, str]] = {
    # ---- five aspects of the current situation
    "A1": ("A1 Organisation system", "A1 预算管理组织体系"),
    "A2": ("A2 Preparation process", "A2 预算编制流程"),
    "A3": ("A3 Preparation content", "A3 预算编制内容"),
    "A4": ("A4 Implementation and control", "A4 预算执行与控制"),
    "A5": ("A5 Assessment and evaluation", "A5 预算考核与评价"),
    "INFO": ("Informatisation", "信息化"),
    # ---- problems
    "P1": ("P1 Rigid budget targets", "P1 预算目标刚性"),
    "P2": ("P2 Unscientific budget preparation", "P2 预算编制不科学"),
    "P3": ("P3 Large deviation in execution", "P3 预算执行偏差较大"),
    "P4": ("P4 Budget disconnected from performance appraisal", "P4 预算与绩效考核脱节"),
    "P5": ("P5 Low informatisation", "P5 信息化水平较低"),
    # ---- causes
    "C1": ("C1 Participatory budgeting not sound", "C1 全员参与机制不健全"),
    "C2": ("C2 Professional staff insufficient", "C2 专业人才不足"),
    "C3": ("C3 Weak supervision of execution and feedback", "C3 执行监督与反馈薄弱"),
    "C4": ("C4 No budget assessment system", "C4 缺乏预算考核体系"),
    "C5": ("C5 Information systems and finance not integrated", "C5 信息系统与财务未融合"),
    # ---- recommendations
    "R1": ("R1 Top-level design", "R1 加强顶层设计"),
    "R2": ("R2 Scientific planning and preparation", "R2 科学规划与编制"),
    "R3": ("R3 Execution control", "R3 强化执行控制"),
    "R4": ("R4 Budget performance evaluation", "R4 健全预算绩效评价"),
    "R5": ("R5 Informatisation", "R5 推进信息化建设"),
    # ---- notebook and section headings
    "nb.01": ("Data check", "数据检查"),
    "nb.02": ("Current situation in five aspects", "现状：五个方面"),
    "nb.03": ("Problems", "存在的问题"),
    "nb.04": ("Causes", "原因分析"),
    "nb.05": ("Recommendations", "对策建议"),
    "sec.tables": ("Tables supplied", "已提供的数据表"),
    "sec.validation": ("Validation warnings and data-quality notes", "校验警告与数据质量说明"),
    "sec.not_assessed": ("What cannot be assessed, and why", "无法评估的内容及原因"),
    "sec.aspect_scores": ("Scores of the five aspects", "五个方面的得分"),
    "sec.matrix": ("Cause-problem matrix", "原因-问题矩阵"),
    "sec.survey": ("Staff survey constructs", "问卷维度得分"),
    "sec.caveats": ("Caveats", "注意事项"),
    "sec.method": ("Method notes", "方法说明"),
    "sec.thresholds": ("Thresholds used", "所用阈值"),
    "sec.citation": ("How to cite", "引用"),
    "sec.criteria": ("Criteria", "判定标准"),
    "sec.indicator_table": ("Indicator table the rule reads", "判定规则读取的指标表"),
    "sec.evidence": ("Evidence (top rows)", "证据（前几行）"),
    "sec.figure": ("Figure", "图"),
    "sec.look_for": ("What to look for", "看点"),
    "sec.summary": ("Summary", "摘要"),
    # ---- enumerated cell values shown in evidence tables (value.<word>)
    "value.good": ("good", "良好"),
    "value.warning": ("warning", "预警"),
    "value.poor": ("poor", "较差"),
    "value.undefined": ("undefined", "无法计算"),
    "value.yes": ("yes", "是"),
    "value.partial": ("partial", "部分"),
    "value.no": ("no", "否"),
    "value.checklist": ("checklist", "制度核查"),
    "value.data": ("data", "数据"),
    "value.original": ("original", "年初预算"),
    "value.adjusted": ("adjusted", "调整后预算"),
    # ---- statuses and grades
    "status.present": ("present", "存在"),
    "status.absent": ("absent", "不存在"),
    "status.not_assessed": ("not assessed", "未评估"),
    "grade.low": ("low", "低"),
    "grade.moderate": ("moderate", "中"),
    "grade.high": ("high", "高"),
    "grade.severe": ("severe", "严重"),
    "rating.good": ("good", "良好"),
    "rating.adequate": ("adequate", "一般"),
    "rating.weak": ("weak", "薄弱"),
    # ---- casekit diagnose (terminal)
    "fig.others_departments": ("others ({n} departments)", "其他（{n}个科室）"),
    "cli.diagnosis_head": ("{name}, {years}: problems present {problems}; causes present {causes}",
                           "{name}，{years}年：存在的问题 {problems}；存在的原因 {causes}"),
    "cli.synthetic": ("(synthetic data)", "（模拟数据）"),
    "cli.none": ("none", "无"),
    "cli.needs": ("needs {what}", "需要 {what}"),
    "cli.more": ("+{n} more", "另有 {n} 项"),
    "cli.trips": ("trips if {op} {t}", "触发条件 {op} {t}"),
    "cli.col.finding": ("finding", "诊断项"),
    "cli.col.status": ("status", "结论"),
    "cli.col.strength": ("evidence", "证据强度"),
    "cli.col.grade": ("grade / severity", "等级 / 严重度"),
    "cli.col.deciding": ("deciding values", "决定性指标"),
    "cli.json_written": ("findings written to {path}", "诊断结果已写入 {path}"),
    "cli.batch_failed": ("{n} hospital(s) failed:", "{n} 家医院运行失败："),
    "verdict.present": ("found", "存在"),
    "verdict.absent": ("not found", "未发现"),
    "verdict.not_assessed": ("not assessed", "未评估"),
    "verdict.present_weak": ("indicated — weak evidence", "初步显示存在（证据不足）"),
    "verdict.absent_weak": ("not found — weak evidence", "未发现（证据不足）"),
    "strength.sufficient": ("sufficient", "充分"),
    "strength.weak": ("weak", "不足"),
    "word.evidence_strength": ("Evidence: {strength}, {k} of {n} criteria computable (the rule needs {m})",
                               "证据：{strength}，{n}项判据中{k}项可计算（规则需{m}项）"),
    "word.robust": ("Robustness: robust (no threshold move of ±10% or ±20% changes the decision)",
                    "稳健性：稳健（阈值变动±10%或±20%，结论均不变）"),
    "word.fragile": ("Robustness: fragile — the decision changes when thresholds move by {move} ({keys})",
                     "稳健性：脆弱——阈值变动{move}时结论改变（{keys}）"),
    "word.all_thresholds": ("all thresholds together", "全部阈值同时变动"),
    "word.rests_on_weak": ("Rests on weak evidence: {codes}", "所依据的结论证据不足：{codes}"),
    "col.test": ("Test", "检验"),
    "sec.execution": ("Budget execution (预算执行情况表)", "预算执行情况表"),
    "sec.execution_by_account": ("Budget execution by account, {year}", "{year}年预算执行情况表（按科目）"),
    "sec.execution_by_department": ("Budget execution by department, {year}", "{year}年预算执行情况表（按科室）"),
    "sec.pefa": ("PEFA budget credibility", "PEFA预算可信度"),
    "sec.conclusion": ("Conclusion", "结论"),
    "text.execution": ("Original budget B0 (年初预算), adjusted budget B1 (调整后预算) and actual A (执行数) of each "
                       "account and department in the last completed year, with execution rates A / B0 and A / B1 and "
                       "the deviation from B1 (A - B1, deviation rate (A - B1) / |B1|), largest deviations first, closed "
                       "by the hospital total of each direction (budget accounting). Every year is in tables.xlsx "
                       "(sheets execution and execution_by_department).",
                       "最近一个完整年度各科目、各科室的年初预算B0、调整后预算B1和执行数A，执行率A/B0与A/B1，以及相对"
                       "调整后预算的偏差（A-B1）和偏差率（(A-B1)/|B1|），按偏差绝对值从大到小排列，收支各以全院合计结尾"
                       "（预算会计口径）。各年度数据见tables.xlsx（工作表“预算执行情况表”“科室预算执行情况表”）。"),
    "text.pefa": ("The international standard for whether a budget is realistic and implemented as intended (PEFA "
                  "2016 framework, pefa.org, pillar I): actuals against the original budget B0 over the last three "
                  "completed years, each dimension scored A (best) to D, a score holding when met in at least two of "
                  "the three years. Composition (PI-2.1, PI-2.2, PI-3.2) first scales each head's budget to the "
                  "actual total, so the aggregate overrun is not counted twice. Method and a worked example: "
                  "docs/methodology.md.",
                  "判断预算是否切合实际、是否按预期执行的国际标准（PEFA 2016框架第一支柱，pefa.org）：近三个完整年度"
                  "执行数对年初预算B0，各维度评分A（最好）至D，三年中至少两年达到即得该分。结构偏差（PI-2.1、PI-2.2、"
                  "PI-3.2）先将各单元预算按执行总额等比例调整，避免总额偏差重复计算。方法及算例见docs/methodology.md。"),
    "word.rating": ("Rating", "评级"),
    "word.share_met": ("{share} of {n} requirements met", "{n}项要求中落实{share}"),
    "word.data_source": ("Data source", "数据来源"),
    "word.no_recommendations": ("No problem or cause was found, so no recommendation follows.",
                                "未发现问题或原因，故无对策建议。"),
    "word.status": ("Status", "状态"),
    "word.severity": ("Severity", "严重程度"),
    "word.score": ("Score", "得分"),
    "word.rows": ("Rows", "行数"),
    "word.years": ("Years", "年度"),
    "word.table": ("Table", "数据表"),
    "word.supplied": ("Supplied", "是否提供"),
    "word.yes": ("yes", "是"),
    "word.no": ("no", "否"),
    "word.needs": ("Needs", "需要"),
    "word.finding": ("Finding", "结论"),
    "word.showing": ("showing {shown} of {total} rows", "显示 {total} 行中的 {shown} 行"),
    "word.synthetic": ("Synthetic data", "模拟数据"),
    "word.none": ("None.", "无。"),
    # ---- criterion table columns
    "col.criterion": ("Criterion", "判定指标"),
    "col.value": ("Value", "数值"),
    "col.threshold": ("Threshold", "阈值"),
    "col.triggered": ("Triggered", "是否触发"),
    "col.basis": ("Basis", "口径"),
    "col.config_key": ("Config key", "配置项"),
    "col.severity": ("Severity", "严重程度"),
    "col.problem": ("Problem", "问题"),
    "col.fix": ("Fix", "修改建议"),
    "col.file": ("File", "文件"),
    "col.row": ("Row", "行"),
    "col.column": ("Column", "列"),
    # ---- evidence table columns (raw indicator column names; see casekit.report.blocks.column_label)
    "col.year": ("Year", "年度"),
    "col.month": ("Month", "月份"),
    "col.dept_id": ("Department", "科室"),
    "col.account_id": ("Account", "科目"),
    "col.direction": ("Direction", "收支方向"),
    "col.original": ("Original budget B0", "年初预算B0"),
    "col.adjusted": ("Adjusted budget B1", "调整后预算B1"),
    "col.budget": ("Budget", "预算"),
    "col.actual": ("Actual", "实际"),
    "col.prior_actual": ("Prior-year actual", "上年实际"),
    "col.last_year": ("Last year's actual", "上年实际"),
    "col.growth": ("Growth", "增长率"),
    "col.modal_growth": ("Most common growth", "众数增长率"),
    "col.same_as_modal": ("Same as most common", "与众数相同"),
    "col.workload_growth": ("Workload growth", "业务量增长率"),
    "col.volume_deviation": ("Volume deviation", "业务量偏差"),
    "col.unaddressed": ("Not adjusted", "未调整"),
    "col.gap_to_workload": ("Gap to workload", "与业务量差距"),
    "col.abs_error_budget": ("|Error| of budget", "预算误差绝对值"),
    "col.abs_error_last_year": ("|Error| of last year", "上年实际误差绝对值"),
    "col.budget_loses": ("Budget less accurate", "预算不如上年实际"),
    "col.missing_item": ("Unbudgeted line", "无预算科目"),
    "col.execution_rate": ("Execution rate", "执行率"),
    "col.deviation": ("Deviation", "偏差"),
    "col.deviation_rate": ("Deviation rate", "偏差率"),
    "col.abs_deviation_rate": ("|Deviation rate|", "偏差率绝对值"),
    "col.band": ("Band", "区间"),
    "col.accounting": ("Accounting", "会计口径"),
    "col.appraisal_score": ("Appraisal score", "考核得分"),
    "col.bonus": ("Bonus", "绩效奖金"),
    "col.budget_weight": ("Budget weight", "预算指标权重"),
    "col.system": ("System", "系统"),
    "col.in_use": ("In use", "是否使用"),
    "col.integrated_with_finance": ("Integrated with finance", "与财务集成"),
    "col.data_latency_days": ("Data latency (days)", "数据时滞（天）"),
    "col.manual_steps": ("Manual steps", "手工环节数"),
    "col.source": ("Source", "来源"),
    "col.item": ("Item", "条目"),
    "col.requirement": ("Requirement", "要求"),
    "col.status": ("Status", "状态"),
    "col.met": ("Met", "落实"),
    "col.detail": ("Detail", "说明"),
    "col.parameter": ("Parameter", "参数"),
    # ---- columns of the exported indicator tables (tables.xlsx; see casekit.report.excel)
    "col.code": ("Code", "编号"),
    "col.kind": ("Kind", "类别"),
    "col.title": ("Title", "标题"),
    "col.grade": ("Grade", "等级"),
    "col.rating": ("Rating", "评级"),
    "col.share_met": ("Share of requirements met", "要求落实比例"),
    "col.n_criteria": ("Criteria", "判定指标数"),
    "col.n_triggered": ("Criteria triggered", "触发指标数"),
    "col.missing": ("Data missing", "缺少的数据"),
    "col.summary": ("Summary", "摘要"),
    "col.name": ("Name", "名称"),
    "col.op": ("Comparison", "比较"),
    "col.label": ("Criterion", "判定指标"),
    "col.cause": ("Cause", "原因"),
    "col.linked": ("Linked in the case", "案例中关联"),
    "col.cause_status": ("Cause status", "原因状态"),
    "col.problem_status": ("Problem status", "问题状态"),
    "col.support": ("Statistical support", "统计支持"),
    "col.statistic": ("Statistic", "统计量"),
    "col.p_value": ("p value", "p值"),
    "col.n": ("n", "样本数"),
    "col.id": ("ID", "编号"),
    "col.area": ("Area", "领域"),
    "col.text": ("Recommendation", "建议内容"),
    "col.jurisdiction": ("Jurisdiction note", "适用地区说明"),
    "col.triggered_by": ("Triggered by", "依据发现"),
    "col.n_requirements": ("Requirements", "要求数"),
    "col.key": ("Key", "配置项"),
    "col.why": ("Justification", "依据"),
    "col.overridden": ("Overridden", "是否覆盖默认值"),
    "col.item_id": ("Item", "条目"),
    "col.aspect": ("Aspect", "方面"),
    "col.points": ("Points", "得分"),
    "col.evidence": ("Evidence", "证据"),
    "col.standard": ("Standard item", "标准条目"),
    "col.construct": ("Construct", "维度"),
    "col.mean": ("Mean", "均值"),
    "col.share_agree": ("Share agreeing (4-5)", "认同比例（4-5分）"),
    "col.n_items": ("Items", "条目数"),
    "col.n_respondents": ("Respondents", "答卷人数"),
    "col.alpha": ("Cronbach's alpha", "克龙巴赫α系数"),
    "col.n_departments": ("Departments", "科室数"),
    "col.mean_weight": ("Mean weight", "平均权重"),
    "col.min_weight": ("Minimum weight", "最小权重"),
    "col.max_weight": ("Maximum weight", "最大权重"),
    "col.zero_share": ("Share with weight 0", "权重为0的比例"),
    "col.unit": ("Unit", "单位"),
    "col.n_units": ("Units", "单位数"),
    "col.growth_mean": ("Mean growth", "平均增长率"),
    "col.growth_std": ("Standard deviation of growth", "增长率标准差"),
    "col.share_identical": ("Share with the same growth", "增长率相同的比例"),
    "col.spearman_rho": ("Spearman rho", "Spearman相关系数"),
    "col.spearman_p": ("Spearman p", "Spearman p值"),
    "col.n_corr": ("Pairs correlated", "相关分析样本数"),
    "col.corr_note": ("Note on the correlation", "相关分析说明"),
    "col.phasing": ("Monthly phasing", "月度分解"),
    "col.flat": ("Flat phasing", "平均分解"),
    "col.actual_cv": ("Coefficient of variation of actuals", "实际数变异系数"),
    "col.seasonal": ("Seasonal", "有季节性"),
    "col.n_measures": ("Workload measures", "业务量指标数"),
    "col.shock": ("Volume shock", "业务量冲击"),
    "col.adjustment_source": ("Adjustment source", "调整数据来源"),
    "col.method": ("Method", "方法"),
    "col.level": ("Level", "层级"),
    "col.wape_budget": ("WAPE of the budget", "预算WAPE"),
    "col.wape_forecast": ("WAPE of the forecast", "预测WAPE"),
    "col.fva": ("Forecast value added", "预测增加值"),
    "col.n_lines": ("Lines", "科目行数"),
    "col.wape": ("WAPE", "WAPE"),
    "col.bias": ("Bias", "偏倚"),
    "col.hospital_abs_deviation_rate": ("Hospital |deviation rate|", "全院偏差率绝对值"),
    "col.mean_abs_deviation_rate": ("Mean line |deviation rate|", "科目平均偏差率绝对值"),
    "col.share_lines_beyond_warning": ("Share of lines beyond the warning band", "超出预警区间的科目比例"),
    "col.n_depts": ("Departments", "科室数"),
    "col.share_depts_beyond_warning": ("Share of departments beyond the warning band", "超出预警区间的科室比例"),
    "col.share_of_direction_actual": ("Share of actual revenue or expense", "占收入或支出实际数比例"),
    "col.cumulative_actual": ("Cumulative actual", "累计实际"),
    "col.annual_budget": ("Annual budget", "年度预算"),
    "col.progress": ("Execution progress", "执行进度"),
    "col.expected": ("Time progress", "时间进度"),
    "col.gap": ("Progress gap", "进度差"),
    "col.is_quarter_end": ("Quarter end", "季末"),
    "col.december": ("Last-month expense", "年末月支出"),
    "col.mean_month": ("Mean monthly expense", "月均支出"),
    "col.surge": ("Year-end surge", "年末突击倍数"),
    "col.n_months": ("Months", "月数"),
    "col.n_adjustments": ("Adjustments", "调整次数"),
    "col.total_change": ("Total change", "调整总额"),
    "col.adjustment_rate": ("Adjustment rate", "调整幅度"),
    "col.share_unapproved": ("Share not approved", "未经审批比例"),
    "col.share_q4": ("Share in Q4", "第四季度比例"),
    "col.repeated": ("Repeated", "多次调整"),
    "col.scope": ("Scope", "范围"),
    "col.target": ("Target", "对象"),
    "col.rho": ("Spearman rho", "Spearman相关系数"),
    "col.p_negative": ("One-sided p (rho < 0)", "单侧p值（ρ<0）"),
    "col.n_systems": ("Systems", "系统数"),
    "col.n_in_use": ("Systems in use", "在用系统数"),
    "col.share_in_use": ("Share in use", "在用比例"),
    "col.share_integrated": ("Share integrated with finance", "与财务集成比例"),
    "col.mean_latency_days": ("Mean data latency (days)", "平均数据时滞（天）"),
    "col.max_latency_days": ("Maximum data latency (days)", "最大数据时滞（天）"),
    "col.group_type": ("Grouped by", "分组方式"),
    "col.group": ("Group", "分组"),
    "col.n_answered": ("Answered", "已作答"),
    "col.n_yes": ("Yes", "是"),
    "col.n_partial": ("Partly", "部分"),
    "col.n_no": ("No", "否"),
    "col.construct_mean": ("Construct mean (1-5)", "维度均值（1-5）"),
    "col.beds": ("Beds", "编制床位"),
    "col.budget_staff": ("Budget staff", "预算专职人员数"),
    "col.budget_staff_qualified": ("Budget staff qualified", "预算人员中级以上职称数"),
    "col.budget_training_hours": ("Training hours per budget staff member", "预算人员年人均培训学时"),
    "col.execution_analyses_per_year": ("Execution analyses per year", "年度执行分析次数"),
    "col.report_days": ("Days to the monthly report", "月报编制天数"),
    "col.budget_staff_per_100_beds": ("Budget staff per 100 beds", "每百张床位预算专职人员数"),
    "col.budget_staff_qualified_share": ("Share of budget staff qualified", "预算人员中级以上职称比例"),
    # ---- values of enumerated columns in exported tables (value.<word>)
    "value.present": ("present", "存在"),
    "value.absent": ("absent", "不存在"),
    "value.not_assessed": ("not assessed", "未评估"),
    "value.revenue": ("revenue", "收入"),
    "value.expense": ("expense", "支出"),
    "value.low": ("low", "低"),
    "value.moderate": ("moderate", "中"),
    "value.high": ("high", "高"),
    "value.severe": ("severe", "严重"),
    "value.adequate": ("adequate", "一般"),
    "value.weak": ("weak", "薄弱"),
    "value.aspect": ("aspect", "方面"),
    "value.problem": ("problem", "问题"),
    "value.cause": ("cause", "原因"),
    "value.corrective": ("corrective", "整改"),
    "value.all": ("all", "全部"),
    "value.pooled": ("pooled", "合并各年"),
    "value.year": ("year", "按年"),
    "value.line": ("line", "科目行"),
    "value.department": ("department", "科室"),
    "value.last_year": ("last year's actual", "上年实际数"),
    "value.budget": ("budget", "预算会计"),
    "value.appraisal_score": ("appraisal score", "考核得分"),
    "value.bonus": ("bonus", "绩效奖金"),
    "value.budget_monthly": ("monthly budget table", "月度预算表"),
    "value.flat": ("flat (1/12)", "平均（1/12）"),
    "value.survey": ("survey", "问卷"),
    "value.profile": ("profile", "医院概况"),
    "value.systems": ("information systems", "信息系统"),
    "value.workload": ("workload", "业务量"),
    "value.adjustments": ("adjustments", "预算调整"),
    "value.governance checklist": ("governance checklist", "制度核查"),
    "value.performance appraisal": ("performance appraisal", "绩效考核"),
    "value.budget accounting": ("budget accounting", "预算会计"),
    "value.adjustments table": ("adjustments table", "预算调整表"),
    "value.top_level_design": ("top-level design", "顶层设计"),
    "value.planning_preparation": ("planning and preparation", "规划与编制"),
    "value.execution_control": ("execution control", "执行控制"),
    "value.performance_evaluation": ("performance evaluation", "绩效评价"),
    "value.informatisation": ("informatisation", "信息化"),
    "value.departments": ("departments", "科室"),
    "value.performance": ("performance appraisal", "绩效考核"),
    "value.survey / budget accounting": ("survey / budget accounting", "问卷 / 预算会计"),
    "value.budget accounting / performance appraisal": ("budget accounting / performance appraisal",
                                                        "预算会计 / 绩效考核"),
    "value.budget accounting (预算会计)": ("budget accounting (预算会计)", "预算会计"),
    # ---- evidence strength, robustness, execution statement, PEFA (issue 11)
    "col.evidence_strength": ("Evidence strength", "证据充分性"),
    "col.robustness": ("Robustness", "稳健性"),
    "col.flips_at": ("Flips at threshold move", "阈值变动多少时结论改变"),
    "col.n_required": ("Criteria needed", "需触发判据数"),
    "col.margin": ("Margin (share of threshold)", "距阈值幅度（占阈值比例）"),
    "col.distance": ("Value - threshold", "指标值-阈值"),
    "col.change": ("Change", "变动"),
    "col.flips": ("Decision changes", "结论是否改变"),
    "col.weak_evidence": ("Rests on weak evidence", "依据证据不足的结论"),
    "col.dept_name": ("Department name", "科室名称"),
    "col.account_name": ("Account name", "科目名称"),
    "col.execution_rate_original": ("Execution rate vs B0", "执行率（对年初预算）"),
    "col.execution_rate_adjusted": ("Execution rate vs B1", "执行率（对调整后预算）"),
    "col.over_limit": ("Adjusted beyond limit", "调整幅度超限"),
    "col.lines_adjusted_over_limit": ("Lines adjusted beyond 30%", "调整超30%的科目数"),
    "col.beyond_warning": ("Beyond warning band", "超出预警区间"),
    "col.indicator": ("Indicator", "指标"),
    "col.years": ("Years", "年度"),
    "col.n_years": ("Years scored", "评分年数"),
    "col.values": ("Values", "各年数值"),
    "col.score": ("Score", "评分"),
    "col.rule": ("Scoring rule", "评分规则"),
    "col.note": ("Note", "说明"),
    "col.n_heads": ("Heads compared", "比较单元数"),
    "col.naive_value": ("Without aggregate adjustment", "未经总额调整的数值"),
    "col.year_grade": ("Grade of the year", "当年等级"),
    "value.sufficient": ("sufficient", "充分"),
    "value.robust": ("robust", "稳健"),
    "value.fragile": ("fragile", "脆弱"),
    "col.row_type": ("Row type", "行类型"),
    "value.total": ("total", "合计"),
    "sheet.execution": ("Budget execution by account", "预算执行情况表"),
    "sheet.execution_by_department": ("Budget execution by department", "科室预算执行情况表"),
    "sheet.pefa": ("PEFA budget credibility", "PEFA预算可信度"),
    "sheet.pefa_years": ("PEFA by year", "PEFA分年度"),
    "sheet.sensitivity": ("Threshold sensitivity", "阈值敏感性"),
    "sheet.line_adjustment_rates": ("Adjusted budget lines", "预算调整科目"),
    "severity.error": ("error", "错误"),
    "severity.warning": ("warning", "警告"),
    "cli.report_written": ("report written to {path}", "报告已写入 {path}"),
    "cli.monitor_written": ("monthly report written to {path}", "月度执行报告已写入 {path}"),
    "cli.sample_written": ("sample hospital generated in {path}", "样本医院数据已生成于 {path}"),
    "value.True": ("yes", "是"),
    "value.False": ("no", "否"),
    # ---- sheets of tables.xlsx (sheet.<table>; Excel allows 31 characters)
    "sheet.index": ("Index", "目录"),
    "sheet.index.sheet": ("Sheet", "工作表"),
    "sheet.index.table": ("Table", "数据表"),
    "sheet.index.options": ("Options", "计算参数"),
    "sheet.index.rows": ("Rows", "行数"),
    "sheet.index.columns": ("Columns", "列数"),
    "sheet.index.unit": ("Money unit", "金额单位"),
    "sheet.index.part": ("Part", "分表"),
    "note.jurisdiction": ("Based on China's 2020 rules for public hospitals; check your jurisdiction's equivalent.",
                          "依据中国2020年公立医院相关规定；请核对所在国家或地区的对应规定。"),
    "sheet.findings": ("Findings", "诊断结论"),
    "sheet.criteria": ("Criteria", "判定标准"),
    "sheet.matrix": ("Cause-problem matrix", "原因-问题矩阵"),
    "sheet.recommendations": ("Recommendations", "对策建议"),
    "sheet.aspects": ("Five aspects", "五个方面"),
    "sheet.thresholds": ("Thresholds", "阈值"),
    "sheet.checklist_items": ("Checklist items", "制度核查条目"),
    "sheet.construct_scores": ("Survey constructs", "问卷维度得分"),
    "sheet.budget_weight": ("Budget weight in appraisal", "考核中预算权重"),
    "sheet.rigidity_summary": ("Rigidity of targets", "预算目标刚性"),
    "sheet.phasing_flatness": ("Monthly phasing", "月度分解"),
    "sheet.volume_shocks": ("Volume shocks", "业务量冲击"),
    "sheet.budget_growth": ("Budget growth", "预算增长率"),
    "sheet.workload_growth": ("Workload growth", "业务量增长"),
    "sheet.forecast_value_added": ("Forecast value added", "预测增加值"),
    "sheet.accuracy_summary": ("Budget accuracy", "预算准确度"),
    "sheet.missing_items": ("Unbudgeted lines", "无预算科目"),
    "sheet.naive_forecasts": ("Naive forecasts", "简单预测"),
    "sheet.time_progress": ("Time progress", "时间进度"),
    "sheet.year_end_surge": ("Year-end surge", "年末突击支出"),
    "sheet.adjustment_summary": ("Budget adjustments", "预算调整"),
    "sheet.execution_table": ("Execution by department", "科室预算执行"),
    "sheet.performance_linkage": ("Appraisal linkage", "预算与考核关联"),
    "sheet.department_linkage_table": ("Department appraisal", "科室偏差与考核"),
    "sheet.systems_summary": ("Information systems", "信息系统"),
    "sheet.checklist_scores": ("Checklist scores", "制度核查得分"),
    "sheet.construct_vs_deviation": ("Survey vs deviation", "问卷与偏差相关"),
    "sheet.department_construct_deviation": ("Department survey", "科室问卷与偏差"),
    "sheet.basis.original": ("B0", "年初预算"),
    "sheet.basis.adjusted": ("B1", "调整后预算"),
    "template.profile_key": ("Profile key (English key or Chinese name).", "项目（英文键或中文名称）"),
    "template.profile_value": ("Value.", "值"),
    # ---- validation messages about a client workbook's own names (casekit.data.io.hints)
    "msg.or": ("or", "或"),
    "msg.profile_blank": ("the value of {field} is empty", "“{field}”的值为空"),
    "msg.profile_blank_choose": ("Choose {choices} from the drop-down list in the value cell next to {field}.",
                                 "请在“{field}”右侧的值单元格中从下拉列表选择{choices}。"),
    "msg.profile_blank_type": ("Type the {what} in the value cell next to {field}.",
                               "请在“{field}”右侧的值单元格中填写{what}。"),
    "msg.profile_what.name": ("hospital's name", "医院名称"),
    "msg.leading_zero": ("{word} '{value}' is {parent}'s '{code}' without its leading zero{plural}: the cell was "
                         "formatted as a number, so Excel dropped {them}",
                         "{word}“{value}”即{parent}中的“{code}”去掉了开头的 0：该单元格为数值格式，Excel 把开头的 0 删去了"),
    "msg.leading_zero_fix": ("Format the cell (or the column) as Text and type {code} again, or type '{code}; do "
                             "not add '{value}' to {parent}.",
                             "请把该单元格（或整列）设为“文本”格式后重新输入 {code}，或输入 '{code}；不要在{parent}中新增“{value}”。"),
    "msg.word.department": ("department", "科室编码"),
    "msg.word.account": ("account", "科目编码"),
    "msg.word.parent account": ("parent account", "上级科目编码"),
    "msg.word.survey item": ("survey item", "问卷题目编码"),
    "msg.missing_sheet": ("{book} has no sheet for the required table {name}",
                          "工作簿 {book} 中没有必填表“{name}”的工作表"),
    "msg.missing_sheet_rename": ("Sheet '{sheet}' looks like it: rename it to {name}.",
                                 "工作表“{sheet}”与之相近：请将其重命名为“{name}”。"),
    "msg.missing_sheet_add": ("Add a sheet named {name} (the workbook's sheets: {sheets}).",
                              "请添加名为“{name}”的工作表（工作簿现有工作表：{sheets}）。"),
    "msg.unknown_sheet_fix": ("Did you mean {name}? Rename the sheet to {name}; ignore this if the sheet holds "
                              "no casekit table.",
                              "是否应为“{name}”？请将工作表重命名为“{name}”；如该工作表不是 casekit 数据表，可忽略此提示。"),
    # ---- axis labels and legend titles
    "axis.month": ("Month", "月份"),
    "axis.department": ("Department", "科室"),
    "axis.execution_rate": ("Execution rate (%)", "执行率（%）"),
    "axis.deviation_rate": ("Deviation rate (A - B) / B", "偏差率 (A - B) / B"),
    "axis.count": ("Number of department-lines", "科室-科目数"),
    "axis.progress": ("Cumulative execution / annual budget", "累计执行 / 年度预算"),
    "axis.expected": ("Time progress (t/12)", "时间进度（t/12）"),
    "axis.aspect_score": ("Share of requirements met", "要求落实比例"),
    "axis.cause": ("Cause", "原因"),
    "axis.problem": ("Problem", "问题"),
    "axis.construct_mean": ("Construct mean (1-5)", "维度均值（1-5）"),
    "axis.neutral": ("neutral (3.0)", "中性（3.0）"),
    "axis.amount": ("Amount ({unit})", "金额（{unit}）"),
    "axis.fiscal_month": ("Month of the fiscal year (1 = {month})", "财年月份（1 = {month}）"),
    "word.fiscal_year": ("FY{year} ({first} {year}-{last} {end})", "{year}财年（{year}年{first}-{end}年{last}）"),
    "month.1": ("January", "1月"),
    "month.2": ("February", "2月"),
    "month.3": ("March", "3月"),
    "month.4": ("April", "4月"),
    "month.5": ("May", "5月"),
    "month.6": ("June", "6月"),
    "month.7": ("July", "7月"),
    "month.8": ("August", "8月"),
    "month.9": ("September", "9月"),
    "month.10": ("October", "10月"),
    "month.11": ("November", "11月"),
    "month.12": ("December", "12月"),
    "axis.year": ("Year", "年度"),
    "axis.gap": ("gap", "进度差"),
    "axis.abs_deviation": ("Department |deviation rate| (expense, against B1)", "科室偏差率绝对值（支出，对调整后预算）"),
    "axis.appraisal_score": ("Appraisal score", "考核得分"),
    "axis.latency_days": ("Data latency (days after month end)", "数据时滞（月末后天数）"),
    "axis.latency_max": ("latency limit", "时滞上限"),
    "legend.integrated": ("integrated with finance", "与财务集成"),
    "legend.not_integrated": ("not integrated", "未与财务集成"),
    "legend.not_in_use": ("not in use", "未使用"),
    "bridge.budget": ("Budget", "预算"),
    "bridge.volume": ("Volume variance", "业务量差异"),
    "bridge.rate": ("Rate variance", "价格差异"),
    "bridge.actual": ("Actual", "实际"),
    "matrix.linked": ("both present", "同时存在"),
    "matrix.case": ("case link", "案例关联"),
    "word.because": ("Because of", "依据发现"),
    "word.rule": ("Rule", "制度依据"),
    "direction.revenue": ("Revenue", "收入"),
    "direction.expense": ("Expense", "支出"),
    "basis.original": ("against original budget (B0)", "对年初预算（B0）"),
    "basis.adjusted": ("against adjusted budget (B1)", "对调整后预算（B1）"),
    # ---- survey constructs
    "construct.participation": ("Participation", "全员参与"),
    "construct.staff": ("Professional staff", "专业人才"),
    "construct.supervision": ("Supervision and feedback", "监督反馈"),
    "construct.assessment": ("Assessment", "预算考核"),
    "construct.integration": ("Integration with finance", "业财融合"),
    # ---- figure titles
    "fig.execution_heatmap": ("Monthly execution rate by department", "各科室月度预算执行率"),
    "fig.deviation_distribution": ("Distribution of deviation rates", "偏差率分布"),
    "fig.time_progress": ("Cumulative execution against time progress", "累计执行进度与时间进度"),
    "fig.aspect_profile": ("Five-aspect profile", "五个方面概况"),
    "fig.cause_problem_matrix": ("Cause-problem matrix", "原因-问题矩阵"),
    "fig.survey_constructs": ("Staff survey: construct scores", "问卷维度得分"),
    "fig.variance_bridge": ("Flexible-budget variance bridge", "弹性预算差异分解"),
    "fig.performance_linkage": ("Department deviation against appraisal score", "科室预算偏差与考核得分"),
    "fig.systems_integration": ("Information systems: integration with finance and data latency",
                                "信息系统：与财务集成情况及数据时滞"),
    # ---- in-year monitor: monthly report (casekit.monitor.report)
    "mon.title": ("monthly budget execution analysis", "月度预算执行分析"),
    "mon.synthetic": ("Synthetic sample data generated by casekit: not a real hospital.",
                      "casekit 生成的合成样本数据，并非真实医院。"),
    "mon.summary": ("{direction}: {ytd} {unit} to {month}, {progress} of the adjusted budget B1 ({budget} {unit}) "
                    "against a time schedule of {expected} (gap {gap} pp); projected year end {projection} {unit}, "
                    "{rate} of B1 (back-test WAPE {wape}).",
                    "{direction}：截至{month}累计{ytd}{unit}，占调整后预算B1（{budget}{unit}）的{progress}，序时进度{expected}"
                    "（进度差{gap}个百分点）；预计全年{projection}{unit}，为B1的{rate}（回测WAPE {wape}）。"),
    "mon.cap.totals": ("Hospital totals by direction (against B1 to date)", "全院分收支汇总（对截至本月的调整后预算）"),
    "mon.sec.departments": ("Departments likely to end the year outside the bands", "预计全年超出区间的科室"),
    "mon.cap.departments": ("Projected year-end deviation beyond the warning band, largest first",
                            "预计全年偏差超出预警区间的科室，按偏差绝对值排序"),
    "mon.none": ("None this month.", "本月无。"),
    "mon.fig.progress": ("Department expense execution against the time schedule", "各科室支出执行进度与序时进度"),
    "mon.fig.schedule": ("time schedule", "序时进度"),
    "mon.fig.progress_caption": (
        "What to look for: bars far to the right of the dashed line are spending ahead of the schedule; orange and "
        "red bars have reached 80% / 100% / 120% of the annual budget.",
        "看点：明显位于虚线右侧的科室支出快于序时进度；橙色和红色表示已达到年度预算的80%/100%/120%。"),
    "mon.sec.flags": ("Variances to explain", "需说明的差异"),
    "mon.cap.flags": ("{n} flagged variances of the month, largest projected deviation first, with the departments' "
                      "explanations (comments.xlsx; every row in monitor.xlsx)",
                      "本月{n}项预警差异（按预计偏差金额从大到小），附科室说明（comments.xlsx；全部见monitor.xlsx）"),
    "mon.unexplained": ("{n} flagged variances are still unexplained, {earlier} of them from earlier months' files.",
                        "仍有{n}项预警差异未说明，其中{earlier}项来自此前月份的说明表。"),
    "mon.cap.overdue": ("{n} actions past their due date while the line is still flagged",
                        "{n}项整改措施已过期限而差异仍在"),
    "mon.sec.exceptions": ("Monthly exceptions", "月度异常"),
    "mon.cap.exceptions": ("{n} months this year far from the mean of the three months before them, largest first",
                           "本年{n}个月份明显偏离前三个月均值，按差额排序"),
    "mon.sec.adjustments": ("Adjustments and unbudgeted spending so far", "本年预算调整与无预算支出"),
    "mon.no_adjustments": ("No budget adjustment so far this year.", "本年尚无预算调整。"),
    "mon.cap.adjustments": ("{n} adjustments so far this year", "本年已有{n}笔预算调整"),
    "mon.no_unbudgeted": ("No spending without a budget so far.", "本年尚无无预算支出。"),
    "mon.cap.unbudgeted": ("{n} lines with actuals but no original budget ({total} {unit})",
                           "{n}个科目有实际数但无年初预算（合计{total}{unit}）"),
    "mon.sec.accuracy": ("How accurate the projection has been", "预测方法的回测准确度"),
    "mon.no_backtest": ("No earlier complete year to back-test the projection: every line uses the run rate.",
                        "没有可供回测的此前完整年度：所有科目按累计进度外推。"),
    "mon.cap.accuracy": ("WAPE of each method on earlier years cut at month {month}, and of the method chosen per line",
                         "各方法在此前年度同样截至{month}月时的WAPE，以及按科目选定方法的WAPE"),
    "mon.cap.chosen": ("Lines by chosen projection method", "各预测方法被选用的科目数"),
    "mon.caveat.b1_adjustments": ("B1 to date is B0 plus the adjustments dated up to {date}.",
                                  "截至本月的调整后预算B1 = 年初预算B0 加 {date} 前（含）的预算调整。"),
    "mon.caveat.b1_supplied": ("B1 is the adjusted budget as supplied; without an adjustments table it may include "
                               "adjustments made after the close.",
                               "B1为所提供的调整后预算；因无预算调整表，可能包含本月之后的调整。"),
    "mon.caveat.phased": ("The time schedule is the budget_monthly phasing.", "序时进度按月度预算分解（budget_monthly）计算。"),
    "mon.caveat.flat": ("The time schedule is flat, 1/12 a month (no budget_monthly).",
                        "序时进度按每月1/12计算（未提供月度预算分解）。"),
    "mon.caveat.ets": ("Exponential smoothing is fitted per department and direction and shared among the lines "
                       "by last year's remaining months; the back-test error is in-sample for the method choice.",
                       "指数平滑按科室和收支方向拟合，再按上年剩余月份占比分摊到科目；回测误差对方法选择而言属样本内误差。"),
    "mon.caveat.no_backtest": ("No earlier complete year to back-test: every line uses the run rate.",
                               "没有可供回测的此前完整年度：所有科目按累计进度外推。"),
    "col.ytd_actual": ("Actual year to date", "本年累计执行"),
    "col.budget_to_date": ("Budget to date", "序时预算"),
    "col.schedule_ratio": ("Execution / schedule", "执行进度/序时进度"),
    "col.projection": ("Projected year end", "预计全年执行"),
    "col.backtest_wape": ("Back-test WAPE", "回测WAPE"),
    "col.projected_rate": ("Projected execution rate", "预计全年执行率"),
    "col.projected_deviation_rate": ("Projected deviation rate", "预计全年偏差率"),
    "col.projected_band": ("Projected band", "预计区间"),
    "col.flags": ("Flags", "预警类型"),
    "col.trailing_mean": ("Mean of 3 months before", "前三个月均值"),
    "col.difference": ("Difference", "差额"),
    "col.ratio": ("Ratio", "比值"),
    "col.date": ("Date", "日期"),
    "col.change": ("Change", "调整额"),
    "col.approved": ("Approved", "已审批"),
    "col.cumulative_rate": ("Adjusted so far / B0", "累计调整/年初预算"),
    "col.covered": ("Covered by an adjustment", "已追加预算"),
    "col.owner": ("Owner", "责任人"),
    "col.explanation": ("Explanation", "差异原因说明"),
    "col.action": ("Action", "整改措施"),
    "col.due_date": ("Due date", "完成期限"),
    "value.normal": ("normal", "正常"),
    "value.control": ("control (100%)", "控制（100%）"),
    "value.approval": ("extra approval (120%)", "追加审批（120%）"),
    "value.unbudgeted": ("unbudgeted", "无预算"),
    "value.n/a": ("n/a", "不适用"),
    "value.run_rate": ("run rate", "累计外推"),
    "value.seasonal": ("last year's profile", "上年季节结构"),
    "value.ets": ("exponential smoothing", "指数平滑"),
    "value.chosen": ("chosen per line", "按科目选定"),
    "value.ahead": ("ahead of schedule", "超序时进度"),
    "value.behind": ("behind schedule", "落后序时进度"),
    "value.projected": ("projected outside band", "预计超出区间"),
    "value.exception": ("monthly exception", "月度异常"),
    # ---- in-year monitor: variance comments workbook (casekit.monitor.comments)
    "comments.sheet": ("Variance comments", "差异说明"),
    "comments.help_sheet": ("How to fill in", "填写说明"),
    "comments.month": ("Month", "月份"),
    "comments.dept_id": ("Department code", "科室编码"),
    "comments.dept_name": ("Department", "科室名称"),
    "comments.account_id": ("Line code", "科目编码"),
    "comments.account_name": ("Line", "科目名称"),
    "comments.direction": ("Direction", "收支方向"),
    "comments.flags": ("Flags", "预警类型"),
    "comments.budget": ("Adjusted budget B1", "调整后预算B1"),
    "comments.ytd_actual": ("Actual year to date", "本年累计执行"),
    "comments.progress": ("Execution / annual B1", "累计执行率"),
    "comments.gap": ("Gap to time schedule", "与序时进度之差"),
    "comments.projection": ("Projected year end", "预计全年执行"),
    "comments.projected_rate": ("Projected execution rate", "预计全年执行率"),
    "comments.owner": ("Owner", "责任人"),
    "comments.explanation": ("Explanation", "差异原因说明"),
    "comments.action": ("Action", "整改措施"),
    "comments.due_date": ("Due date", "完成期限"),
    "comments.previous_explanation": ("Earlier explanation", "此前说明"),
    "comments.due_date_error": ("Enter a date such as 2024-10-31.", "请填写日期，例如 2024-10-31。"),
    "comments.help": (
        "One row per flagged variance of the month. Fill in the yellow columns: owner, explanation, action and due date.\n"
        "Do not change the month, department code or line code: casekit matches rows by them, not by position.\n"
        "You may sort or move rows, add columns of your own, and move columns; keep the header row.\n"
        "Return the file to the budget office; the next monthly run reads it back with --comments.",
        "每行是本月一项预警差异。请填写黄色列：责任人、差异原因说明、整改措施和完成期限。\n"
        "请勿修改月份、科室编码和科目编码：casekit 按这三列而不是按行号匹配。\n"
        "可以排序或移动行、增加自己的列、移动列；请保留表头行。\n"
        "填好后交回预算办公室；下月运行时用 --comments 读回。"),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported report language, else raise :class:`ConfigError`."""
    if lang not in LANGS:
        raise ConfigError(f"unknown report language {lang!r}", f"Use one of: {', '.join(LANGS)}.")
    return lang


def label(key: str, lang: str = "en", **fmt: object) -> str:
    """Display text for ``key`` in ``lang`` (``"en"`` or ``"zh"``).

    Parameters
    ----------
    key : str
        A key of :data:`LABELS` (finding codes, ``sec.*``, ``axis.*`` ...). Unknown keys are
        returned unchanged, so data values (department names) pass through.
    lang : {"en", "zh"}
    **fmt
        Values substituted into ``{placeholders}``.

    Returns
    -------
    str
    """
    pair = LABELS.get(key)
    text = key if pair is None else pair[LANGS.index(check_lang(lang))]
    return text.format(**fmt) if fmt else text


def description(table: str, column: str, english: str, lang: str = "en") -> str:
    """Data-dictionary text of ``table.column``: ``english`` (the schema's) in English, else its translation.

    Looks up ``<table>.<column>``, then ``<column>`` in :data:`DESCRIPTIONS_ZH`; without a
    translation the English text is returned.

    Examples
    --------
    >>> description("budget", "dept_id", "Department code; must exist in `departments`.", "zh")
    '科室编码；须在“科室”表中存在。'
    """
    if check_lang(lang) == "en":
        return english
    return DESCRIPTIONS_ZH.get(f"{table}.{column}") or DESCRIPTIONS_ZH.get(column) or english


def threshold_why(key: str, english: str, lang: str = "en") -> str:
    """Justification of threshold ``key`` in ``lang``: ``english`` (from thresholds.yaml) or its translation.

    Examples
    --------
    >>> threshold_why("bands.good", "Department banding used in practice: ...", "zh")
    '实务中常用的科室分档：偏差率绝对值在5%以内为良好。'
    """
    return THRESHOLD_WHY_ZH.get(key, english) if check_lang(lang) == "zh" else english


_ISSUE_PATTERNS = tuple((re.compile(rf"^{p}$"), t) for p, t in ISSUE_PATTERNS_ZH)


def issue_text(text: str, lang: str = "en") -> str:
    """A validation message (an Issue's problem or fix) in ``lang``.

    English is returned unchanged; for Chinese the first of
    :data:`casekit.texts_zh.ISSUE_PATTERNS_ZH` matching the whole sentence gives the
    translation, with its table-name groups shown by their Chinese names. Messages without
    a pattern stay English.

    Examples
    --------
    >>> issue_text("year 2020 has actuals but no budget", "zh")
    '2020年有实际数但无预算'
    >>> issue_text("table 'budget' has no data rows", "zh")
    '“预算”表没有数据行'
    >>> issue_text("revenue/expense direction of the export's lines: 8 from the code chart, 2 from the name", "zh")
    '导出表各行的收支方向判定依据：8行依据科目编码, 2行依据科目名称'
    """
    if check_lang(lang) == "en" or not text:
        return text
    for pattern, template in _ISSUE_PATTERNS:
        m = pattern.match(text.strip())
        if m:
            groups = m.groupdict()
            if "table" in groups:
                from casekit.data.schema.tables import TABLES

                table = TABLES.get(groups["table"])
                groups["table"] = table.zh if table is not None and table.zh else groups["table"]
            if groups.get("unit"):
                from casekit.money import unit_in_chinese

                groups["unit"] = unit_in_chinese(groups["unit"])
            for name in groups.keys() & ISSUE_FRAGMENTS_ZH.keys():
                for fragment, zh in ISSUE_FRAGMENTS_ZH[name]:
                    groups[name] = re.sub(fragment, zh, groups[name] or "")
            return template.format(**groups)
    return text


def title_only(code: str, lang: str = "en") -> str:
    """The finding title without its code (``"Rigid budget targets"`` for ``"P1"``)."""
    text = label(code, lang)
    return text[len(code):].strip() if text.startswith(code) else text


def finding_titles(code: str) -> tuple[str, str]:
    """(English, Chinese) title of finding ``code``: the one source of the titles in findings.json,
    tables.xlsx and report.html.

    Examples
    --------
    >>> finding_titles("P1")
    ('Rigid budget targets', '预算目标刚性')
    """
    return title_only(code, "en"), title_only(code, "zh")
