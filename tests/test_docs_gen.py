"""docs/data-format.md is generated from the schema and must not drift from it."""
from __future__ import annotations

from casekit.data.dictionary import render_data_format, write_data_format
from casekit.paths import PROJECT_DIR
from casekit.data.schema.tables import TABLES, VALUE_ALIASES
from casekit.data.checklist import standard_checklist


def test_committed_data_format_equals_generated():
    committed = (PROJECT_DIR / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert committed == render_data_format(), "docs/data-format.md is stale: run `casekit docs`"


def test_every_table_column_alias_and_checklist_item_is_documented():
    text = render_data_format()
    for name, table in TABLES.items():
        assert f"### `{name}` ({table.zh})" in text
        for col in table.columns:
            row = next(line for line in text.splitlines() if line.startswith(f"| `{col.name}` | {col.zh} |"))
            for alias in col.aliases:
                assert alias in row
    for column, mapping in VALUE_ALIASES.items():
        for written, canonical in mapping.items():
            assert f"| `{column}` | {written} | `{canonical}` |" in text
    for item_id in standard_checklist()["item_id"]:
        assert f"| `{item_id}` |" in text


def test_write_data_format_round_trips(tmp_path):
    path = write_data_format(tmp_path / "sub" / "data-format.md")
    assert path.read_text(encoding="utf-8") == render_data_format()
    assert [p.name for p in path.parent.iterdir()] == ["data-format.md"]     # no temporary file left
