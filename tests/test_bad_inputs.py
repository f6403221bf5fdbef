"""The bad-input corpus (tests/bad_inputs/make_corpus.py): every case gives a clear message and never a traceback.

Each case is generated into a temporary folder when first used: ``expected.yaml`` and the input
(usually ``hospital/``: the valid base of ``make_corpus.py`` plus one defect). For every case
``casekit validate`` (typer CliRunner) must exit with the expected code, show the expected
substrings and report the expected issues (file, row, column, value) in its JSON;
``casekit.load`` must return a Hospital or raise a :class:`~casekit.errors.CasekitError` of the
expected class. A few cases also go through a real ``python -m casekit validate`` subprocess to
prove that no traceback reaches stderr. Inputs are never written to: mtimes and hashes are
compared before and after.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import casekit.cli as cli
from casekit.errors import CasekitError, ConfigError, InputFileError
from casekit.data.hospital import Hospital
from casekit.data.io.readers import read_table
from casekit import load
from casekit.data.schema.tables import TABLES
from casekit.data.validation import subtotal_issues
from casekit.terminal import SafeConsole

CORPUS = Path(__file__).parent / "bad_inputs"
sys.path.insert(0, str(CORPUS))
import make_corpus  # noqa: E402  (the corpus generator, a script beside its cases)
sys.path.remove(str(CORPUS))

CASES = [c.name for c in make_corpus.CASES]
ROOT = Path(__file__).resolve().parents[1]
_BY_NAME = {c.name: c for c in make_corpus.CASES}


@pytest.fixture(scope="session")
def corpus_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad_inputs")


_written: dict[str, Path] = {}


def case_folder(case: str, root: Path) -> Path:
    """The generated folder of ``case`` (written on first use)."""
    if case not in _written or not _written[case].exists():
        _written[case] = make_corpus.write_case(_BY_NAME[case], root)
    return _written[case]


def expected(case: str) -> dict:
    return {"input": _BY_NAME[case].input, **_BY_NAME[case].expected}


@pytest.fixture
def case_input(corpus_root):
    """``case_input(name)``: the input path of a generated case."""
    return lambda case: case_folder(case, corpus_root) / expected(case)["input"]


def _snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every path under ``folder`` (so new files show) with, for regular files, mtime and sha256."""
    return {str(p.relative_to(folder)): (p.lstat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            if p.is_file() and not p.is_symlink() else None for p in sorted(folder.rglob("*"))}


@pytest.fixture
def input_unchanged(request, corpus_root):
    """Input safety: the case folder (every file's mtime and sha256, every path) is the same after the test."""
    folder = case_folder(request.node.callspec.params["case"], corpus_root)
    before = _snapshot(folder)
    yield
    assert _snapshot(folder) == before, "casekit wrote to its input"


@pytest.fixture
def wide_cli(monkeypatch):
    """Consoles wide enough that no message is folded across lines of the issue table."""
    monkeypatch.setattr(cli, "out", SafeConsole(width=3000, force_terminal=False))
    monkeypatch.setattr(cli, "err", SafeConsole(width=3000, stderr=True, force_terminal=False))


def test_corpus_is_large_enough_and_well_formed():
    assert len(CASES) >= 30 and len(set(CASES)) == len(CASES)
    for case in CASES:
        exp = expected(case)
        assert exp["exit_code"] in (0, 1) and isinstance(exp["loads"], bool), case
        assert exp["severity"] in ("error", "warning", "none"), case
        assert exp["messages"], case
        assert (exp["exit_code"] == 1) == (not exp["loads"]) == (exp["severity"] == "error"), case


def test_generator_script_writes_every_case(tmp_path):
    proc = subprocess.run([sys.executable, str(CORPUS / "make_corpus.py"), str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(CASES)
    assert all((tmp_path / c / "expected.yaml").is_file() for c in CASES)


def _in_progress(issue: dict) -> bool:
    """The note on a year in progress: the corpus' base hospital holds two months of 2024 only.

    What validation says about such a year is tested in tests/test_monitor.py; these cases test other inputs.
    """
    return issue["severity"] == "warning" and "(`casekit run`) needs at least one complete year" in issue["problem"]


@pytest.mark.parametrize("case", CASES)
def test_cli_validate(case, tmp_path, monkeypatch, wide_cli, input_unchanged, case_input):
    exp = expected(case)
    for key, value in (exp.get("env") or {}).items():
        monkeypatch.setenv(key, value)
    report = tmp_path / "issues.json"
    result = CliRunner().invoke(cli.app, ["validate", str(case_input(case)), "--json", str(report)])
    output = result.output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == exp["exit_code"], output
    for text in exp["messages"]:
        assert text in output, f"{case}: {text!r} not shown:\n{output}"
    for text in exp.get("absent", []):
        assert text not in output, f"{case}: {text!r} shown:\n{output}"

    doc = json.loads(report.read_text(encoding="utf-8"))
    issues = [i for i in doc["issues"] if not _in_progress(i)]
    doc["warnings"] -= len(doc["issues"]) - len(issues)
    assert all(i["file"] and i["problem"] and i["fix"] for i in issues), issues
    if exp["severity"] == "error":
        assert doc["errors"] > 0
    elif exp["severity"] == "warning":
        assert doc["errors"] == 0 and doc["warnings"] > 0, issues
    else:
        assert doc["errors"] == doc["warnings"] == 0, issues
    for want in exp.get("issues", []):
        problem = want.get("problem")
        fields = {k: v for k, v in want.items() if k != "problem"}
        hits = [i for i in issues if all(i[k] == v for k, v in fields.items())
                and (problem is None or problem in i["problem"])]
        assert hits, f"{case}: no issue like {want} in {issues}"


@pytest.mark.parametrize("case", CASES)
def test_load_returns_hospital_or_raises_casekit_error(case, monkeypatch, input_unchanged, case_input):
    exp = expected(case)
    for key, value in (exp.get("env") or {}).items():
        monkeypatch.setenv(key, value)
    if exp["loads"]:
        h = load(case_input(case))
        assert isinstance(h, Hospital)
        notes = [n for n in h.notes if not _in_progress(n.as_dict())]
        assert bool(notes) == (exp["severity"] == "warning"), notes
        for dotted, values in (exp.get("values") or {}).items():
            table, column = dotted.split(".")
            assert getattr(h, table)[column].tolist() == values, dotted
        for table, n in (exp.get("rows") or {}).items():
            assert len(getattr(h, table)) == n
        return
    with pytest.raises(Exception) as info:
        load(case_input(case))
    assert isinstance(info.value, CasekitError), f"{case}: {type(info.value).__name__}: {info.value}"
    assert type(info.value).__name__ == exp["load_error"]
    assert "Traceback" not in str(info.value)


SUBPROCESS_CASES = ["excel_xml_bomb", "text_in_numeric", "yaml_invalid", "path_does_not_exist", "gbk_csv"]


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_real_subprocess_has_no_traceback(case, input_unchanged, case_input):
    exp = expected(case)
    env = {**os.environ, "COLUMNS": "3000", **(exp.get("env") or {})}
    proc = subprocess.run([sys.executable, "-m", "casekit", "validate", str(case_input(case))],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.returncode == exp["exit_code"], proc.stdout + proc.stderr
    for text in exp["messages"]:
        assert text in proc.stdout + proc.stderr


RUN_CASES = [c for c in CASES if expected(c).get("run")]


def test_run_cases_are_the_loading_ones_chosen():
    assert RUN_CASES and all(expected(c)["loads"] for c in RUN_CASES)


@pytest.mark.slow
@pytest.mark.parametrize("case", RUN_CASES)
def test_run_on_a_case_that_loads(case, tmp_path, input_unchanged, case_input):
    """``casekit run`` completes (figures, Excel, JSON) on hostile names that load: no traceback, no .failed folder."""
    out = tmp_path / "report"
    proc = subprocess.run([sys.executable, "-m", "casekit", "run", str(case_input(case)), "--out", str(out),
                           "--no-pdf"], capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=600,
                          env={**os.environ, "COLUMNS": "3000"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "\x1b]" not in proc.stdout + proc.stderr
    for name in ("report.html", "findings.json", "tables.xlsx"):
        assert (out / name).is_file(), name
    assert not any(p.name.endswith(".failed") for p in tmp_path.iterdir())


# Worst cases of hostile input: each must end with its message within these bounds (they took
# 40 s and 2.4 GB, 4 minutes, 87 s, or a RecursionError before the limits).
BOUNDED_CASES = ["yaml_billion_laughs", "yaml_too_large", "yaml_deeply_nested", "excel_huge_cell",
                 "excel_huge_shared_string", "name_too_long"]
ADDRESS_SPACE = 4_000_000_000
"""Virtual memory allowed to the subprocess (bytes), a hard stop; the real bound is the resident peak
checked below (a normal validation peaks near 200 MB; the imported libraries reserve over 1 GB of
address space they never touch)."""
CPU_SECONDS = 60


@pytest.mark.parametrize("case", BOUNDED_CASES)
def test_worst_cases_end_within_time_and_memory_limits(case, tmp_path, case_input):
    import resource

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))

    target = case_input(case)
    with open(tmp_path / "out.txt", "wb") as out, open(tmp_path / "err.txt", "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "casekit", "validate", str(target)], stdout=out, stderr=err,
                                cwd=ROOT, env={**os.environ, "COLUMNS": "3000"}, preexec_fn=limits)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = (tmp_path / "out.txt").read_text(encoding="utf-8") + (tmp_path / "err.txt").read_text(encoding="utf-8")
    assert proc.returncode == 1, f"exit {proc.returncode} (negative: killed by a limit): {text[-2000:]}"
    assert "Traceback" not in text and "MemoryError" not in text
    assert usage.ru_utime + usage.ru_stime < CPU_SECONDS
    assert usage.ru_maxrss < 700_000, f"{usage.ru_maxrss} KB resident"   # ru_maxrss is in KB on Linux
    for message in expected(case)["messages"]:
        assert message in text, message


def test_invalid_size_limit_variable_is_a_clear_error(monkeypatch, case_input):
    monkeypatch.setenv("CASEKIT_MAX_EXCEL_BYTES", "fifty")
    result = CliRunner().invoke(cli.app, ["validate", str(case_input("excel_oversized"))])
    assert result.exit_code == 1 and "CASEKIT_MAX_EXCEL_BYTES" in result.output
    with pytest.raises(ConfigError):
        load(case_input("excel_oversized"))


def test_size_limit_argument_and_default(case_input):
    folder = case_input("excel_oversized")
    assert isinstance(load(folder), Hospital)             # well below the 50 MB default
    with pytest.raises(InputFileError, match="above the 1,000 bytes limit"):
        load(folder, max_bytes=1000)


# ----------------------------------------------------------------------------- Excel safety
def test_xml_bombs_refused_whatever_openpyxl_parses_with(monkeypatch, case_input):
    """casekit parses workbooks itself with defusedxml's protections, not through openpyxl."""
    import xml.etree.ElementTree as ET

    from openpyxl.xml import functions

    monkeypatch.setattr(functions, "iterparse", ET.iterparse)
    monkeypatch.setattr(functions, "fromstring", ET.fromstring)
    with pytest.raises(InputFileError, match="billion laughs"):
        read_table(case_input("excel_xml_bomb_sheet") / "budget.xlsx", TABLES["budget"])
    with pytest.raises(InputFileError, match="billion laughs"):
        read_table(case_input("excel_xml_bomb") / "departments.xlsx", TABLES["departments"])


def test_xml_bomb_is_refused_fast_without_expansion(case_input):
    start = time.perf_counter()
    with pytest.raises(InputFileError, match="billion laughs"):
        read_table(case_input("excel_xml_bomb") / "departments.xlsx", TABLES["departments"])
    assert time.perf_counter() - start < 10          # expanded, &lol9; would be 3 GB


# ----------------------------------------------------------------------------- subtotals
def _read_budget(tmp_path: Path, text: str):
    f = tmp_path / "budget.csv"
    f.write_text(text, encoding="utf-8")
    return {"budget": read_table(f, TABLES["budget"])}


HEAD = "year,dept_id,account_id,original\n"


def test_subtotal_that_adds_up_is_accepted_in_every_layout(tmp_path):
    below = HEAD + "2024,D1,A,10\n2024,D1,B,20\n2024,D1小计,,30\n2024,D2,A,5\n2024,D2小计,,5\n2024,合计,,35\n"
    on_top = HEAD + "2024,合计,,35\n2024,D1,A,10\n2024,D1,B,20\n2024,D2,A,5\n"
    per_year = (HEAD + "2023,D1,A,1\n2023,D1,B,2\n2024,D1,A,10\n2024,D1,B,20\n"
                "2023,合计,,3\n2024,合计,,30\n")
    rounded = HEAD + "2024,D1,A,1000.004\n2024,D1,B,2000.004\n2024,合计,,3000\n"
    for text in (below, on_top, per_year, rounded):
        assert subtotal_issues(_read_budget(tmp_path, text)) == [], text


def test_subtotal_that_does_not_add_up_is_reported(tmp_path):
    text = HEAD + "2024,D1,A,10\n2024,D1,B,20\n2024,D1小计,,31.5\n2024,D2,A,5\n2024,合计,,35\n"
    issues = subtotal_issues(_read_budget(tmp_path, text))
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.file, issue.row, issue.column, issue.value, issue.severity) == \
        ("budget.csv", 4, "original", "31.5", "warning")
    assert "part rows 2-3 sum to 30" in issue.problem and "difference 1.5" in issue.problem
    assert "D1小计" in issue.problem


def test_subtotal_mismatch_travels_with_the_hospital(case_input):
    h = load(case_input("subtotal_mismatch"))
    notes = [n for n in h.notes if "does not add up" in n.problem]
    assert [(n.row, n.column) for n in notes] == [(6, "original")]
    assert h.budget["original"].sum() == pd.Series([o for _, _, o, _ in _base_lines()]).sum()


def _base_lines():
    return make_corpus.BUDGET_LINES


def test_troubleshooting_guide_cites_every_corpus_case():
    guide = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    assert [c for c in CASES if f"`{c}`" not in guide] == []


def test_snapshot_sees_a_write(tmp_path):
    (tmp_path / "a.csv").write_text("x")
    before = _snapshot(tmp_path)
    (tmp_path / "a.csv").write_text("y")
    assert _snapshot(tmp_path) != before
    before = _snapshot(tmp_path)
    (tmp_path / "new.csv").write_text("")
    assert _snapshot(tmp_path) != before
