"""Currency and scale (casekit.money): one definition, and every money label of every output names them."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from casekit.diagnosis import diagnose
from casekit.money import MONEY_COLUMNS, money_unit, parse_scale, unit_in_chinese
from casekit.report.blocks import column_label, execution_frame, table_html
from casekit.report.excel import write_tables
from casekit.report.panel import panel_rows

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("currency, scale, en, zh", [
    ("CNY", "units", "yuan", "元"), ("CNY", "thousands", "thousand yuan", "千元"),
    ("CNY", "ten_thousands", "10k yuan", "万元"), ("CNY", "millions", "million yuan", "百万元"),
    ("USD", "units", "USD", "美元"), ("GBP", "thousands", "GBP thousand", "千英镑"),
    ("EUR", "millions", "EUR million", "百万欧元"), ("JPY", "units", "JPY", "日元"), ("HKD", "units", "HKD", "港元"),
    ("CHF", "thousands", "CHF thousand", "千CHF"),           # no Chinese name: the code itself
])
def test_unit_words(currency, scale, en, zh):
    assert money_unit(currency, scale, "en") == en and money_unit(currency, scale, "zh") == zh
    assert unit_in_chinese(en) == zh


def test_old_and_chinese_spellings_of_the_scale_are_one_concept():
    assert {parse_scale(w) for w in ("yuan", "元", "units")} == {"units"}
    assert {parse_scale(w) for w in ("10k_yuan", "万元", "万", "ten_thousands")} == {"ten_thousands"}
    assert parse_scale("千元") == "thousands" and parse_scale("百万元") == "millions" and parse_scale("亿元") is None


@pytest.fixture(scope="module")
def usd():
    """The tiny hospital's figures declared as thousands of US dollars in the UK-style profile."""
    from tests.conftest import build_tiny_hospital

    h = build_tiny_hospital()
    h = replace(h, profile=replace(h.profile, currency="USD", currency_unit="thousands", country="US"))
    return h, diagnose(h)


def test_report_tables_name_the_unit(usd):
    h, d = usd
    year, rows = execution_frame(d.execution, "en")
    html = table_html(rows, lang="en", unit=money_unit("USD", "thousands", "en"))
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert "Deviation (USD thousand)" in heads and "Actual (USD thousand)" in heads
    assert "Deviation rate" in heads                                              # rates carry no unit
    zh = table_html(rows, lang="zh", unit=money_unit("USD", "thousands", "zh"))
    assert "偏差（千美元）" in zh and "元）" not in zh.replace("千美元）", "")
    assert column_label("original", "zh", "万元") == "年初预算B0（万元）"


def test_findings_json_and_panel_carry_currency_and_scale(usd):
    h, d = usd
    money = d.to_dict()["hospital"]["money"]
    assert money == {"currency": "USD", "scale": "thousands", "factor": 1000.0, "unit_en": "USD thousand",
                     "unit_zh": "千美元"}
    panel = panel_rows(d.to_dict(), "usd")
    assert set(panel["currency"]) == {"USD"} and set(panel["currency_unit"]) == {"thousands"}
    assert set(panel["country"]) == {"US"}


def test_tables_xlsx_index_names_the_unit(usd, tmp_path):
    h, d = usd
    path = write_tables(d.tables(), tmp_path / "tables.xlsx", lang="zh", unit=money_unit("USD", "thousands", "zh"))
    ws = openpyxl.load_workbook(path)["目录"]
    header = [c.value for c in ws[1]]
    col = header.index("金额单位")
    units = {row[0]: row[col] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert any(v == "千美元" for v in units.values()) and any(v in ("", None) for v in units.values())


def test_figure_axis_names_the_unit():
    from casekit.report import plots

    v = pd.DataFrame({"year": [2024], "dept_id": ["D1"], "account_id": ["a"], "driver": ["discharges"],
                      "budget": [2e5], "actual": [2.5e5], "volume_variance": [6e4], "rate_variance": [-1e4],
                      "total_variance": [5e4]})
    fig = plots.variance_bridge(v, lang="en", money=("GBP", "units"))
    assert fig.axes[0].get_ylabel() == "Amount (GBP thousand)"                    # units drawn in thousands
    assert [round(p.get_height(), 3) for p in fig.axes[0].patches][0] == 200.0
    fig = plots.variance_bridge(v, lang="zh", money=("CNY", "ten_thousands"))
    assert fig.axes[0].get_ylabel() == "金额（万元）"
    assert [round(p.get_height(), 3) for p in fig.axes[0].patches][0] == 200_000.0  # already 万元: kept


def test_no_hard_coded_money_word_outside_casekit_money():
    """Every visible money label is built from casekit.money; 元/万元/yuan may appear in the reading side
    (unit lines, aliases, messages about what a file says) but not in a label of an output."""
    from casekit.labels import LABELS

    money_words = re.compile(r"yuan|元|CNY")
    for key, (en, zh) in LABELS.items():
        if key.startswith(("col.", "axis.", "mon.", "sheet.")):
            assert not money_words.search(en) and not money_words.search(zh.replace("单元", "")), key
    for name in MONEY_COLUMNS & {k[4:] for k in LABELS if k.startswith("col.")}:
        assert "(" not in LABELS[f"col.{name}"][0], name                      # the unit is added, never written in
    for path in ("casekit/report/plots/figures.py", "casekit/monitor/report.py", "casekit/report/blocks.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert not re.search(r"[\"'][^\"'\n]*(?:万元|yuan)[^\"'\n]*[\"']", text), path


def test_outside_china_the_chinese_rules_say_so(usd):
    """Country US: every recommendation resting on the 2020 rules, and every assessed aspect (scored against
    their checklist), carries the note in both languages; a Chinese hospital's texts carry none."""
    from tests.conftest import build_tiny_hospital
    from casekit.report.blocks import recommendations_html

    h, d = usd
    assert d.recommendations, "the tiny hospital triggers recommendations"
    for r in d.recommendations:
        assert r.jurisdiction_en.startswith("Based on China's 2020 rules") and "2020" in r.jurisdiction_zh
    assert "check your jurisdiction" in recommendations_html(d.recommendations, "en")
    assert "请核对所在国家或地区的对应规定" in recommendations_html(d.recommendations, "zh")
    assessed = [f for f in d.aspects if f.status != "not_assessed"]
    assert assessed and all("check your jurisdiction" in f.summary_en for f in assessed)
    assert d.to_dict()["recommendations"][0]["jurisdiction_en"]
    cn = diagnose(build_tiny_hospital())
    assert [r.id for r in cn.recommendations] == [r.id for r in d.recommendations]   # same findings, same actions
    assert not any(r.jurisdiction_en or r.jurisdiction_zh for r in cn.recommendations)
    assert not any("jurisdiction" in f.summary_en for f in cn.aspects)
