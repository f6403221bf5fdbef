"""Output safety: paths from data never escape the output root; writes are atomic; no formula injection."""
from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from casekit.errors import ConfigError, OutputError
from casekit.fs.atomic import MARKER, atomic_path, make_staging_dir, publish_dir, remove_stale, write_text
from casekit.report.excel import escape_cell, sheet_names, write_tables
from casekit.fs.safe_paths import check_user_path, safe_join, slugify


@pytest.mark.parametrize("name, expected", [
    ("J Hospital (2023)", "j-hospital-2023"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", "hospital"),
    ("", "hospital"),
    ("/abs/path", "abs-path"),
    ("a\x00b\x1fc", "abc"),
    (".hidden", "hidden"),
    ("-rf", "rf"),
    ("某区人民医院", "某区人民医院"),
    ("ＡＢＣ", "abc"),  # full-width letters normalised
])
def test_slugify(name, expected):
    assert slugify(name) == expected


def test_slugify_is_one_short_component():
    s = slugify("x/" * 200)
    assert "/" not in s and len(s) <= 64 and s


@pytest.mark.parametrize("part", ["..", "../x", "a/../../b", "/etc", "a\x00b", "a\nb", "", "C:\\x", "..\\x"])
def test_safe_join_rejects_escapes(tmp_path, part):
    with pytest.raises(ConfigError):
        safe_join(tmp_path, part)


def test_safe_join_rejects_symlink_out(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path)
    with pytest.raises(ConfigError, match="outside"):
        safe_join(tmp_path / "root", "link")


def test_safe_join_accepts_slug(tmp_path):
    assert safe_join(tmp_path, slugify("../J 医院")) == tmp_path.resolve() / "j-医院"


def test_user_out_dir_may_be_anywhere_but_not_control_chars(tmp_path):
    assert check_user_path(tmp_path / ".." / "x") == (tmp_path.parent / "x").resolve()
    with pytest.raises(ConfigError):
        check_user_path("rep\x00orts")
    with pytest.raises(ConfigError):
        check_user_path("  ")


def test_atomic_write_leaves_old_file_on_error(tmp_path):
    target = tmp_path / "a.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temp file left
    write_text(target, "new")
    assert target.read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode


def test_publish_dir_swaps_and_keeps_marker(tmp_path):
    out = tmp_path / "report"
    s1 = make_staging_dir(out)
    (s1 / "report.html").write_text("v1")
    publish_dir(s1, out)
    assert (out / "report.html").read_text() == "v1" and (out / MARKER).exists()
    s2 = make_staging_dir(out)
    assert s2.parent == out.parent and s2.name.startswith(".report.staging-")
    (s2 / "report.html").write_text("v2")
    assert (out / "report.html").read_text() == "v1"  # untouched while staging
    publish_dir(s2, out)
    assert (out / "report.html").read_text() == "v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_publish_refuses_foreign_folder(tmp_path):
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(OutputError, match="not a casekit report"):
        make_staging_dir(out)
    assert (out / "thesis.docx").read_text() == "precious"


def test_remove_stale_only_dead_pids(tmp_path):
    out = tmp_path / "r"
    dead = tmp_path / ".r.staging-999999999-abc"
    alive = tmp_path / f".r.staging-{os.getpid()}-abc"
    dead.mkdir()
    alive.mkdir()
    assert remove_stale(out) == [dead]
    assert alive.exists() and not dead.exists()


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("ok", "ok"), ("a=b", "a=b"), (-3.5, -3.5), (7, 7), (None, None),
])
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_sheet_names_unique_and_short():
    names = sheet_names(["deviation_by_department_and_year_basis", "deviation_by_department_and_year_other",
                         "Deviation_by_department_and_year_basis", "a[b]:c*?/\\"])
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == 4
    assert names[3] == "a_b__c____"


def test_workbook_escapes_text_not_numbers(tmp_path):
    df = pd.DataFrame({"dept": ["=HYPERLINK(\"http://evil\")", "Cardiology"], "rate": [-0.25, 0.1]})
    path = write_tables({"x" * 40: df, "second": df.head(1)}, tmp_path / "tables.xlsx")
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == 3 and all(len(n) <= 31 for n in wb.sheetnames)  # index + 2
    ws = wb[wb.sheetnames[1]]
    assert ws["A2"].value == "'=HYPERLINK(\"http://evil\")" and ws["A2"].data_type == "s"
    assert ws["B2"].value == -0.25 and ws["B2"].data_type == "n"
    assert [p.name for p in tmp_path.iterdir()] == ["tables.xlsx"]
