"""comments.xlsx round trip: written, filled by a script, rows moved, a column added, read back."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from casekit.errors import CommentsFileError, InputFileError
from casekit.labels import label
from casekit.monitor.comments import attach_comments, read_comments, write_comments

FLAGS = pd.DataFrame({
    "month": ["2024-09"] * 3, "dept_id": ["0101", "0101", "0205"], "account_id": ["7201.01", "6101.02", "7201.01"],
    "direction": ["expense", "revenue", "expense"], "flags": ["ahead, projected", "behind", "=unbudgeted"],
    "budget": [1000.0, 500.0, 0.0], "ytd_actual": [900.0, 200.0, 30.0], "progress": [0.9, 0.4, float("nan")],
    "gap": [0.15, -0.35, float("nan")], "projection": [1200.0, 300.0, 40.0], "projected_rate": [1.2, 0.6, float("nan")],
})
DEPTS = pd.DataFrame({"dept_id": ["0101", "0205"], "name": ["内科", "=cmd"]})
ACCOUNTS = pd.DataFrame({"account_id": ["7201.01", "6101.02"], "name": ["Drugs", "Outpatient"]})


def _fill(path, lang, answers, *, move_rows=True, add_column=True):
    """What a department does: fill the yellow cells by header, sort the rows, insert a column."""
    wb = openpyxl.load_workbook(path)
    ws = wb[label("comments.sheet", lang)]
    head = {c.value: c.column for c in ws[1]}
    col = {k: head[label(f"comments.{k}", lang)] for k in ("dept_id", "account_id", "owner", "explanation", "due_date")}
    for r in range(2, ws.max_row + 1):
        key = (ws.cell(r, col["dept_id"]).value, ws.cell(r, col["account_id"]).value)
        if key in answers:
            owner, text, due = answers[key]
            ws.cell(r, col["owner"]).value = owner
            ws.cell(r, col["explanation"]).value = text
            ws.cell(r, col["due_date"]).value = due
    if move_rows:  # reverse the data rows
        data = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        for i, values in enumerate(reversed(data), start=2):
            for j, v in enumerate(values, start=1):
                ws.cell(i, j).value = v
    if add_column:
        ws.insert_cols(2)
        ws.cell(1, 2).value = "our note"
        ws.cell(2, 2).value = "checked by finance"
    wb.save(path)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_round_trip(tmp_path, lang):
    path = tmp_path / "comments.xlsx"
    write_comments(FLAGS, path, lang=lang, departments=DEPTS, accounts=ACCOUNTS)
    ws = openpyxl.load_workbook(path)[label("comments.sheet", lang)]
    assert ws.max_row == 4
    assert [c.value for c in ws[2]][:2] == ["2024-09", "0101"]  # codes stay text
    assert "'=unbudgeted" in [c.value for c in ws[4]] and "'=cmd" in [c.value for c in ws[4]]  # formula-safe
    _fill(path, lang, {("0101", "7201.01"): ("Dr Wang", "flu season: more patients", dt.date(2024, 10, 31)),
                       ("0205", "7201.01"): ("Ms Li", "new equipment contract", "2024/11/15")})
    comments, warnings = read_comments(path, departments=DEPTS, accounts=ACCOUNTS)
    assert warnings == []
    got = comments.set_index(["month", "dept_id", "account_id"])
    assert got.loc[("2024-09", "0101", "7201.01"), "explanation"] == "flu season: more patients"
    assert got.loc[("2024-09", "0101", "7201.01"), "due_date"] == dt.date(2024, 10, 31)
    assert got.loc[("2024-09", "0205", "7201.01"), "owner"] == "Ms Li"
    assert got.loc[("2024-09", "0205", "7201.01"), "due_date"] == dt.date(2024, 11, 15)
    assert pd.isna(got.loc[("2024-09", "0101", "6101.02"), "explanation"])
    assert got.loc[("2024-09", "0101", "7201.01"), "row"] == 4  # moved from row 2 to row 4

    # next month: two of the lines are flagged again
    october = FLAGS.iloc[[0, 1]].assign(month="2024-10")
    shown, unexplained = attach_comments(october, comments, "2024-10", dt.date(2024, 10, 31))
    s = shown.set_index(["dept_id", "account_id"])
    assert s.loc[("0101", "7201.01"), "explanation"] == "flu season: more patients"
    assert s.loc[("0101", "7201.01"), "comment_month"] == "2024-09"
    assert not s["overdue"].any()  # due 2024-10-31 is not before the October close
    assert set(zip(unexplained["month"], unexplained["account_id"], unexplained["source"])) == {
        ("2024-09", "6101.02", "file"), ("2024-10", "6101.02", "this month")}
    shown, _ = attach_comments(october, comments, "2024-11", dt.date(2024, 11, 30))
    assert shown.set_index(["dept_id", "account_id"]).loc[("0101", "7201.01"), "overdue"]

    # the next file carries the earlier explanation; a re-run of September keeps what was filled in
    nxt = tmp_path / "next.xlsx"
    write_comments(october, nxt, lang=lang, previous=comments)
    again, _ = read_comments(nxt)
    assert again["explanation"].isna().all()
    ws = openpyxl.load_workbook(nxt)[label("comments.sheet", lang)]
    head = [c.value for c in ws[1]]
    prev = [ws.cell(r, head.index(label("comments.previous_explanation", lang)) + 1).value for r in (2, 3)]
    assert "2024-09: flu season: more patients" in prev
    rerun = tmp_path / "rerun.xlsx"
    write_comments(FLAGS, rerun, lang=lang, previous=comments)
    kept, _ = read_comments(rerun)
    assert kept.set_index(["dept_id", "account_id"]).loc[("0205", "7201.01"), "owner"] == "Ms Li"


def test_bad_cells_are_all_reported(tmp_path):
    path = tmp_path / "comments.xlsx"
    write_comments(FLAGS, path, lang="en")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    head = {c.value: c.column for c in ws[1]}
    ws.cell(2, head["Month"]).value = "Sept 2024"
    ws.cell(3, head["Due date"]).value = "next week"
    ws.cell(4, head["Department code"]).value = None
    ws.append(["2024-09", "0101", "6101.02"])  # duplicate of row 3 (the first three columns are the keys)
    wb.save(path)
    with pytest.raises(CommentsFileError) as exc:
        read_comments(path)
    msg = str(exc.value)
    assert "row 2, column 'Month': not a month (value: 'Sept 2024'). Fix: Write the month as YYYY-MM" in msg
    assert "row 3, column 'Due date': not a date" in msg
    assert "row 4, column 'Department code': this key cell is blank" in msg
    assert "rows 3, 5" in msg
    assert len(exc.value.issues) == 4


def test_missing_key_column_and_not_a_workbook(tmp_path):
    path = tmp_path / "comments.xlsx"
    write_comments(FLAGS, path, lang="zh")
    wb = openpyxl.load_workbook(path)
    head = [c.value for c in wb.active[1]]
    wb.active.delete_cols(head.index("科目编码") + 1)
    wb.save(path)
    with pytest.raises(CommentsFileError, match="no sheet has the key columns"):
        read_comments(path)
    bad = tmp_path / "bad.xlsx"
    bad.write_text("owner,explanation\n")
    with pytest.raises(InputFileError, match="not a valid .xlsx"):
        read_comments(bad)
    with pytest.raises(InputFileError, match="does not exist"):
        read_comments(tmp_path / "none.xlsx")


def test_unknown_codes_are_warnings(tmp_path):
    path = tmp_path / "comments.xlsx"
    write_comments(FLAGS, path)
    comments, warnings = read_comments(path, departments=DEPTS.iloc[:1], accounts=ACCOUNTS)
    assert len(comments) == 2
    assert len(warnings) == 1 and warnings[0].row == 4 and "not a department" in warnings[0].problem
