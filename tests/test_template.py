"""The client Excel template: structure, drop-downs, and a filled template loading back."""
from __future__ import annotations

import openpyxl
import pytest

from casekit.errors import ConfigError
from casekit.data.schema.tables import PROFILE_FIELDS, TABLES, VALUE_ALIASES
from casekit.data.template import INSTRUCTIONS_SHEET, PROFILE_SHEET, TEMPLATE_TABLES, enum_labels, write_template


def _sheet_name(name: str, lang: str) -> str:
    return TABLES[name].zh if lang == "zh" else name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_template_structure(tmp_path, lang):
    path = write_template(tmp_path / "t.xlsx", lang=lang)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]          # atomic: no temp file left
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [INSTRUCTIONS_SHEET[lang], PROFILE_SHEET[lang],
                             *(_sheet_name(n, lang) for n in TEMPLATE_TABLES)]
    assert "ledger" not in TEMPLATE_TABLES
    for name in TEMPLATE_TABLES:
        ws = wb[_sheet_name(name, lang)]
        table = TABLES[name]
        assert ws.max_row == 1                                                # headers only
        assert [c.value for c in ws[1]] == [c.zh if lang == "zh" else c.name for c in table.columns]
        red = [c.font.color is not None and c.font.color.rgb.endswith("C00000") for c in ws[1]]
        assert red == [c.required and not c.nullable for c in table.columns]
        lists = {str(dv.sqref).split(":")[0]: dv.formula1.strip('"').split(",")
                 for dv in ws.data_validations.dataValidation}
        for j, col in enumerate(table.columns, start=1):
            cell = ws.cell(row=2, column=j).coordinate
            if col.enum:
                labels = lists[cell]
                mapping = {**{v: v for v in col.enum}, **VALUE_ALIASES.get(col.name, {})}
                assert [mapping[lab] for lab in labels] == list(col.enum)     # every label maps back
            elif col.dtype == "bool":
                assert lists[cell] == (["是", "否"] if lang == "zh" else ["yes", "no"])
            else:
                assert cell not in lists
    profile = wb[PROFILE_SHEET[lang]]
    assert [c.value for c in profile[1]] == (["项目", "值"] if lang == "zh" else ["key", "value"])
    keys = [profile.cell(row=r, column=1).value for r in range(2, profile.max_row + 1)]
    assert keys == [spec[1] if lang == "zh" else key for key, spec in PROFILE_FIELDS.items()]
    n_columns = sum(len(TABLES[n].columns) for n in TEMPLATE_TABLES)
    dictionary = [row for row in wb[INSTRUCTIONS_SHEET[lang]].iter_rows(values_only=True) if row[1] is not None]
    assert len(dictionary) == n_columns + 1                                   # plus its header row
    if lang == "zh":  # the help texts are Chinese too: the data dictionary and every header comment
        import re

        han = re.compile(r"[\u4e00-\u9fff]")
        assert all(han.search(row[6]) for row in dictionary[1:]), [r[6] for r in dictionary if not han.search(r[6])]
        comments = [c.comment.text for name in TEMPLATE_TABLES for c in wb[_sheet_name(name, lang)][1]]
        comments += [profile.cell(row=r, column=1).comment.text for r in range(2, profile.max_row + 1)]
        assert all(han.search(t.removeprefix("必填。").removeprefix("选填。")) for t in comments)


def test_enum_labels_fall_back_to_canonical_values():
    col = TABLES["accounts"].column("category")
    assert enum_labels(col, "en") == list(col.enum)
    assert enum_labels(col, "zh")[:2] == ["财政补助", "门诊收入"]
    assert enum_labels(TABLES["departments"].column("name"), "zh") == []


def test_unknown_language_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="--lang"):
        write_template(tmp_path / "t.xlsx", lang="fr")
    assert not any(tmp_path.iterdir())


FILL = {
    "en": {
        "profile": {"name": "Round trip hospital", "tier": "secondary", "currency_unit": "10k_yuan"},
        "departments": [["D01", "Surgery", "clinical"], ["D02", "Finance", "administrative"]],
        "accounts": [["001", "Outpatient revenue", "revenue", "outpatient"], ["5001.10", "Drugs", "expense", "drugs"]],
        "budget": [[2024, "D01", "001", 120, 130], [2024, "D02", "5001.10", 30, None]],
        "actuals": [[2024, 1, "D01", "001", 10.5], [2024, 2, "D01", "001", 11], [2024, 1, "D02", "5001.10", 2.5]],
        "checklist": [["S01", None, None, "yes"]],
    },
    "zh": {
        "profile": {"医院名称": "往返测试医院", "医院等级": "二级", "金额单位": "万元"},
        "departments": [["D01", "外科", "临床"], ["D02", "财务科", "行政"]],
        "accounts": [["001", "门诊收入", "收入", "门诊收入"], ["5001.10", "药品费", "支出", "药品费"]],
        "budget": [[2024, "D01", "001", 120, 130], [2024, "D02", "5001.10", 30, None]],
        "actuals": [[2024, 1, "D01", "001", 10.5], [2024, 2, "D01", "001", 11], [2024, 1, "D02", "5001.10", 2.5]],
        "checklist": [["S01", None, None, "是"]],
    },
}


def _fill(path, lang):
    wb = openpyxl.load_workbook(path)
    data = FILL[lang]
    ws = wb[PROFILE_SHEET[lang]]
    for r in range(2, ws.max_row + 1):
        key = ws.cell(row=r, column=1).value
        if key in data["profile"]:
            ws.cell(row=r, column=2, value=data["profile"][key])
    for name in ("departments", "accounts", "budget", "actuals", "checklist"):
        ws = wb[_sheet_name(name, lang)]
        for i, values in enumerate(data[name], start=2):
            for j, v in enumerate(values, start=1):
                ws.cell(row=i, column=j, value=v)
    wb.save(path)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_filled_template_loads_back(tmp_path, lang):
    pytest.importorskip("casekit.data.io.readers")
    from casekit.data.loader import load

    path = write_template(tmp_path / f"hospital_{lang}.xlsx", lang=lang)
    _fill(path, lang)
    hospital = load(path)
    assert hospital.profile.currency_unit == "ten_thousands" and hospital.profile.tier == "secondary"
    assert hospital.departments["type"].tolist() == ["clinical", "administrative"]
    assert hospital.accounts["account_id"].tolist() == ["001", "5001.10"]     # codes stay text
    assert hospital.accounts["direction"].tolist() == ["revenue", "expense"]
    assert hospital.budget["original"].tolist() == [120.0, 30.0]                 # in 万元, as declared
    assert hospital.budget["adjusted"].tolist() == [130.0, 30.0]
    assert hospital.budget["adjusted_given"].tolist() == [True, False]
    assert hospital.actuals["amount"].sum() == pytest.approx(24.0)
    assert hospital.actuals["month"].tolist() == [1, 2, 1]
    assert hospital.checklist.loc[0, "aspect"] == "A1" and hospital.checklist.loc[0, "status"] == "yes"
    assert not any(i.severity == "error" for i in hospital.notes)
