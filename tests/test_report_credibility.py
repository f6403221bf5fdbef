"""Rendering of evidence strength, robustness, the execution table, PEFA and the conclusion (casekit.report)."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from casekit.data.hospital import Profile
from casekit.diagnosis import diagnose
from casekit.diagnosis.finding import Criterion, Finding
from casekit.diagnosis.recommendations import Recommendation
from casekit.report import blocks, narrative

TWO_DECIMALS = re.compile(r"<td class=\"num\">-?\d[\d,]*\.\d\d%</td>")


@pytest.fixture
def shown(monkeypatch):
    out = []
    monkeypatch.setattr(narrative, "_emit", lambda *objs, metadata=None: out.extend(o.data for o in objs))
    return out


def test_a_weak_finding_is_never_shown_as_a_plain_found():
    f = Finding("P5", "Low informatisation", "信息化水平低", "present", 100.0,
                [Criterion("report_days", 20.0, 10, ">", True, "p5.report_days_max", margin=1.0, distance=10.0),
                 Criterion("share_systems_integrated", None, 0.6, "<", None, "p5.integrated_share_min")],
                summary_en="P5 summary.", n_required=2, evidence_strength="weak", robustness="robust")
    assert blocks.verdict(f) == "indicated — weak evidence" and blocks.verdict(f, "zh") == "初步显示存在（证据不足）"
    card = blocks.finding_card_html(f)
    assert "Status: indicated — weak evidence" in card and "Severity" not in card and "(severe)" not in card
    assert "Evidence: weak, 1 of 2 criteria computable (the rule needs 2)" in card
    assert "Robustness: robust" in card
    frame = blocks.criteria_frame(f)
    assert frame.loc[0, "Margin (share of threshold)"] == "+100.0%" and frame.loc[1, "Margin (share of threshold)"] == "–"


def test_a_fragile_finding_names_the_threshold_it_hangs_on_and_tests_show_n_and_p():
    c = Criterion("deviation_appraisal_score_p_negative", 0.34, 0.05, ">=", True, "p4.correlation_alpha", n=24,
                  statistic=-0.09)
    f = Finding("P3", "t", "t", "present", 55.0, [c], n_required=2, evidence_strength="sufficient",
                robustness="fragile", flips_at=0.2,
                sensitivity=[{"scope": "p3.line_share_beyond", "change": 0.2, "status": "absent", "flips": True},
                             {"scope": "all", "change": 0.2, "status": "absent", "flips": True}])
    card = blocks.finding_card_html(f, "en")
    assert "fragile — the decision changes when thresholds move by 20% (p3.line_share_beyond)" in card
    assert "Severity 55/100" in card
    assert blocks.criteria_frame(f).loc[0, "Test"] == "p = 0.340, n = 24, rho = -0.09"
    zh = blocks.finding_card_html(f, "zh")
    assert "稳健性：脆弱" in zh and "证据：充分" in zh


def test_recommendations_resting_on_weak_evidence_say_so():
    r = Recommendation("R5.1", "informatisation", "corrective", "Informatisation", "信息化", "Integrate.", "集成。",
                       triggered_by=["P5"], weak_evidence=["P5"])
    assert "Rests on weak evidence: P5" in blocks.recommendations_html([r], "en")
    assert "所依据的结论证据不足：P5" in blocks.recommendations_html([r], "zh")


def test_execution_table_pefa_and_conclusion_blocks(tiny_hospital, shown):
    h = tiny_hospital.with_tables(profile=Profile(name="Tiny", extra={"report_days": 20}))
    d = diagnose(h)
    s = SimpleNamespace(diagnosis=d, lang="en", t=lambda key, **kw: narrative.label(key, "en", **kw), unit="yuan",
                        hospital=h)
    narrative.execution_statement(s)
    page = shown[-1]
    assert "Budget execution by account, 2024" in page and "Budget execution by department, 2024" in page
    # E1 drugs 2024: A = 726 against B0 660 and B1 720 -> 110.00% and 100.83%
    assert '<td class="text">Drugs</td>' in page and "110.00%" in page and "100.83%" in page
    assert "<td class=\"text\">Total</td>" in page and "Internal medicine" in page
    assert TWO_DECIMALS.search(page) and "Deviation (yuan)</th>" in page and "Actual (yuan)</th>" in page
    narrative.pefa(s)
    pi1 = d.pefa.set_index("indicator").loc["PI-1", "score"]
    assert "PEFA 2016" in shown[-1] and "PI-2.1" in shown[-1] and f'<td class="text">{pi1}</td>' in shown[-1]
    narrative.conclusion(s)
    assert shown[-1].count("findings could be assessed from these data") == 1
    assert "P5 (weak evidence)" in shown[-1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["j_hospital", "well_run_hospital", "mixed_hospital"])
def test_each_sample_report_shows_the_execution_table_with_two_decimal_rates(name, shown):
    import casekit
    from casekit.paths import SAMPLE_DIR

    h = casekit.load(SAMPLE_DIR / name)
    d = diagnose(h)
    s = SimpleNamespace(diagnosis=d, lang="zh", t=lambda key, **kw: narrative.label(key, "zh", **kw), unit="元",
                        hospital=h)
    narrative.execution_statement(s)
    assert "预算执行情况表（按科目）" in shown[-1] and "合计" in shown[-1] and TWO_DECIMALS.search(shown[-1])
    expected = {"j_hospital": {"P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3", "C4", "C5"},
                "well_run_hospital": set(), "mixed_hospital": {"P3", "P5", "C3", "C5"}}[name]
    assert set(d.present("problem") + d.present("cause")) == expected
    assert not any(f.weak for f in d.problems + d.causes)
