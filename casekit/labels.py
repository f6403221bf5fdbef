"""English and Chinese labels for report headings, finding titles, statuses and axis labels.

The notebooks and figures never hard-code display text: they ask :func:`label` for a key in
the report language. Finding codes (``A1``..``A5``, ``P1``..``P5``, ``C1``..``C5``, ``R1``..``R5``)
follow the structure of the J public hospital case (DOMAIN.md section 1).

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

LANGS = ("en", "zh")

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
    "verdict.present": ("found", "存在"),
    "verdict.absent": ("not found", "未发现"),
    "verdict.not_assessed": ("not assessed", "未评估"),
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
    # ---- evidence table columns (raw indicator column names; see narrative.column_label)
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
    "col.deviation": ("Deviation (yuan)", "偏差（元）"),
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
    "axis.amount": ("Amount (yuan)", "金额（元）"),
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


def title_only(code: str, lang: str = "en") -> str:
    """The finding title without its code (``"Rigid budget targets"`` for ``"P1"``)."""
    text = label(code, lang)
    return text[len(code):].strip() if text.startswith(code) else text
