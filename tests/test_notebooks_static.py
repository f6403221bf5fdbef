"""Static checks of the report notebooks: parameters, one setup cell, calls only, sections that teach.

The notebooks are narrative (Markdown headings and method text in both report languages) plus
calls into the package. Code cells may hold imports, calls with plain arguments and ``name =
call(...)``; loops, comprehensions, definitions, conditionals and DataFrame arithmetic belong in
the package. Each problem and cause section shows, before its finding card, the indicator call
and the table the rule reads, then the rule's formula in one line. Every check here is also shown
failing on a mutated notebook (``test_*_fails_on_*``).
"""
import ast
import copy
import re

import nbformat
import papermill as pm
import pytest

from casekit import indicators
from casekit.pipeline.params import REPORT_PARAMETERS, declared_parameters
from casekit.paths import NOTEBOOKS_DIR

NOTEBOOKS = ["01_data_check.ipynb", "02_current_situation.ipynb", "03_problems.ipynb", "04_causes.ipynb",
             "05_recommendations.ipynb"]
RULE_SECTIONS = {"03_problems.ipynb": [f"P{i}" for i in range(1, 6)],
                 "04_causes.ipynb": [f"C{i}" for i in range(1, 6)]}
ASPECTS = [f"A{i}" for i in range(1, 6)]
HIDDEN = "remove-cell"  # shown in JupyterLab and the executed notebooks, left out of report.html

# Node types a notebook code cell may contain: imports, calls with plain arguments (literal
# tuples and lists included), and the assignment of a call's result to a name. Anything else
# (loops, comprehensions, defs, classes, conditionals, arithmetic, subscripts, augmented
# assignment) is logic that belongs in the package.
ALLOWED = (ast.Module, ast.Expr, ast.Call, ast.Name, ast.Attribute, ast.Constant, ast.keyword, ast.Load,
           ast.Store, ast.Import, ast.ImportFrom, ast.alias, ast.Assign, ast.Tuple, ast.List)


def _cells(name):
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4).cells


def _tags(cell):
    return cell.metadata.get("tags", [])


def _parameters_index(cells):
    tagged = [i for i, c in enumerate(cells) if "parameters" in _tags(c)]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    return tagged[0]


def logic_nodes(source: str) -> list[str]:
    """Names of the disallowed AST nodes in a code cell."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ALLOWED):
            bad.append(type(node).__name__)
        elif isinstance(node, ast.Assign) and not (
                isinstance(node.value, ast.Call) and all(isinstance(t, ast.Name) for t in node.targets)):
            bad.append("Assign (only `name = call(...)` is allowed)")
    return bad


SETUP_CALLS = ("notebook_params.check(globals(), allowed=notebook_params.REPORT_PARAMETERS)",
               "narrative.session(")


def setup_problems(cells) -> list[str]:
    """What is wrong with the notebook's setup: exactly one cell, tagged ``setup``, right after the
    parameters cell, holding every import, the strict check and the session; no other cell does."""
    problems = []
    setup = [i for i, c in enumerate(cells) if "setup" in _tags(c)]
    if len(setup) != 1:
        return [f"{len(setup)} cells tagged 'setup', expected exactly one"]
    cell = cells[setup[0]]
    if setup[0] != _parameters_index(cells) + 1:
        problems.append("the setup cell does not follow the parameters cell")
    problems += [f"the setup cell lacks {c}" for c in SETUP_CALLS if c not in cell.source]
    if "s = narrative.session(" not in cell.source:
        problems.append("the setup cell does not name the session s")
    for i, c in enumerate(cells):
        if c.cell_type != "code" or i == setup[0]:
            continue
        tree = ast.parse(c.source)
        if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree)) or any(
                call in c.source for call in SETUP_CALLS):
            problems.append(f"cell {i} repeats the setup (imports, check or session): {c.source[:60]!r}")
    return problems


def _index(cells, source):
    return next((i for i, c in enumerate(cells) if c.cell_type == "code" and c.source.strip() == source), None)


def _indicator_cell(cell) -> bool:
    return (cell.cell_type == "code" and HIDDEN in _tags(cell) and "= s.indicator(indicators." in cell.source
            and "narrative.indicator_table(s, " in cell.source)


def _markdown(cell, lang, tag=None) -> bool:
    return cell.cell_type == "markdown" and f"lang-{lang}" in _tags(cell) and (tag is None or tag in _tags(cell))


def section_problems(cells, code: str, rule: bool = True) -> list[str]:
    """What is missing from the section of finding ``code``: heading, method text in both
    languages, then (for a rule) the indicator cell, then the formula in both languages, then the card."""
    head = _index(cells, f'narrative.finding_heading(s, "{code}")')
    card = _index(cells, f'narrative.finding_section(s, "{code}")')
    if head is None or card is None or head > card:
        return [f"{code}: no heading cell followed by its finding card"]
    part = cells[head + 1:card]
    problems = []
    method = [k for k, c in enumerate(part) if c.cell_type == "markdown" and "formula" not in _tags(c)]
    for lang in ("en", "zh"):
        if not any(_markdown(part[k], lang) for k in method):
            problems.append(f"{code}: no method text in {lang}")
    if not rule:
        return problems
    calls = [k for k, c in enumerate(part) if _indicator_cell(c)]
    if not calls:
        problems.append(f"{code}: no indicator call and table (tagged {HIDDEN}) before the card")
        return problems
    if method and min(method) > calls[0]:
        problems.append(f"{code}: the indicator call comes before the method text")
    for lang in ("en", "zh"):
        formula = [k for k, c in enumerate(part) if _markdown(c, lang, "formula")]
        if not formula:
            problems.append(f"{code}: no formula line in {lang}")
        elif formula[0] < calls[0]:
            problems.append(f"{code}: the {lang} formula comes before the indicator table")
    return problems


HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def language_problems(cells) -> list[str]:
    """Every English Markdown cell has a Chinese twin right after it, and the Chinese is Chinese:
    outside code spans, more Chinese characters than Latin words."""
    problems = []
    for i, c in enumerate(cells):
        if _markdown(c, "en"):
            twin = cells[i + 1] if i + 1 < len(cells) else None
            if twin is None or not _markdown(twin, "zh"):
                problems.append(f"cell {i}: an English text without its Chinese twin after it")
        if _markdown(c, "zh"):
            text = re.sub(r"`[^`]*`", " ", c.source)
            han, latin = len(HAN.findall(text)), len(LATIN_WORD.findall(text))
            if han <= 4 * latin:
                problems.append(f"cell {i}: the Chinese text is not Chinese ({han} characters, {latin} Latin words)")
    return problems


# ------------------------------------------------------------------------------------------ tests
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_is_inspectable_and_matches_the_spec(name):
    params = pm.inspect_notebook(str(NOTEBOOKS_DIR / name))
    assert list(params) == list(REPORT_PARAMETERS)
    for pname, spec in REPORT_PARAMETERS.items():
        assert params[pname]["inferred_type_name"] == spec.type
        assert params[pname]["help"], f"{pname} has a help comment"
    cells = _cells(name)
    declared = declared_parameters(cells[_parameters_index(cells)].source)
    assert {n: (p.type, p.default, p.help) for n, p in declared.items()} == \
        {n: (p.type, p.default, p.help) for n, p in REPORT_PARAMETERS.items()}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_one_setup_cell_holds_imports_strict_check_and_session(name):
    assert setup_problems(_cells(name)) == []


def test_the_five_setup_cells_are_the_same():
    setups = {next(c.source for c in _cells(name) if "setup" in _tags(c)) for name in NOTEBOOKS}
    assert len(setups) == 1


def test_setup_check_fails_on_a_repeated_preamble_or_a_missing_session():
    cells = _cells("03_problems.ipynb")
    twice = copy.deepcopy(cells)
    twice.insert(5, nbformat.v4.new_code_cell("from casekit.report import narrative"))
    assert any("repeats the setup" in p for p in setup_problems(twice))
    two = copy.deepcopy(cells)
    two.append(copy.deepcopy(next(c for c in cells if "setup" in _tags(c))))
    assert setup_problems(two) == ["2 cells tagged 'setup', expected exactly one"]
    no_session = copy.deepcopy(cells)
    setup = next(c for c in no_session if "setup" in _tags(c))
    setup.source = setup.source.split("s = narrative.session(")[0]
    assert "the setup cell lacks narrative.session(" in setup_problems(no_session)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_hold_calls_only(name):
    cells = _cells(name)
    p = _parameters_index(cells)
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and i != p:
            assert logic_nodes(cell.source) == [], f"{name} cell {i}: {cell.source!r}"


@pytest.mark.parametrize("source, node", [
    ("for d in s.departments:\n    narrative.table(d)", "For"),
    ("while True:\n    pass", "While"),
    ("rows = [narrative.table(d) for d in ds]", "ListComp"),
    ("narrative.table({d: 1 for d in ds})", "DictComp"),
    ("narrative.table(list(d for d in ds))", "GeneratorExp"),
    ("def f():\n    pass", "FunctionDef"),
    ("class C:\n    pass", "ClassDef"),
    ("f = lambda: 1", "Lambda"),
    ("if s.redact:\n    narrative.caveats(s)", "If"),
    ("narrative.table(a if s.redact else b)", "IfExp"),
    ("x = s.get(f).sum() / 2", "BinOp"),
    ("narrative.table(df[df.a > 1])", "Subscript"),
    ("df['rate'] = df.a", "Subscript"),
    ("x += 1", "AugAssign"),
    ("x = s.hospital", "Assign (only `name = call(...)` is allowed)"),
])
def test_logic_detector_fails_on_loops_definitions_conditionals_and_dataframe_arithmetic(source, node):
    assert node in logic_nodes(source)


def test_logic_detector_passes_calls_imports_and_literal_arguments():
    for ok in ("narrative.finding_section(s, 'P1')", "from casekit import indicators",
               'x = s.indicator(indicators.forecast_value_added, methods=("last_year",))',
               'x = s.indicator(indicators.rigidity_summary, tolerance=s.thresholds.get("p1.x"))'):
        assert logic_nodes(ok) == [], ok


@pytest.mark.parametrize("name", RULE_SECTIONS)
def test_each_rule_section_shows_the_indicator_table_and_the_formula_before_the_card(name):
    cells = _cells(name)
    for code in RULE_SECTIONS[name]:
        assert section_problems(cells, code) == []


def test_each_aspect_section_has_method_text_and_the_aspects_share_one_indicator_table_and_formula():
    cells = _cells("02_current_situation.ipynb")
    for code in ASPECTS:
        assert section_problems(cells, code, rule=False) == []
    first_card = _index(cells, 'narrative.finding_section(s, "A1")')
    assert any(_indicator_cell(c) for c in cells[:first_card])
    assert all(any(_markdown(c, lang, "formula") for c in cells[:first_card]) for lang in ("en", "zh"))


def test_section_check_fails_without_the_indicator_call_or_with_the_formula_after_the_card():
    cells = _cells("03_problems.ipynb")
    no_call = [c for c in cells if not (_indicator_cell(c) and "forecast_value_added" in c.source)]
    assert section_problems(no_call, "P2") == ["P2: no indicator call and table (tagged remove-cell) before the card"]
    moved = copy.deepcopy(cells)
    card = _index(moved, 'narrative.finding_section(s, "P3")')
    formula = [c for c in moved[:card] if "formula" in _tags(c)][-2:]  # P3's formula, en and zh
    for c in formula:
        moved.remove(c)
    card = _index(moved, 'narrative.finding_section(s, "P3")')
    moved[card + 1:card + 1] = formula  # after the card
    assert section_problems(moved, "P3") == ["P3: no formula line in en", "P3: no formula line in zh"]
    shown = copy.deepcopy(cells)
    for c in shown:
        if "rigidity_summary" in c.source:
            c.metadata["tags"] = []  # the table would be printed in the report
    assert section_problems(shown, "P1")[0].startswith("P1: no indicator call and table")
    untranslated = [c for c in cells if not (_markdown(c, "zh") and "P4 的判定方法" in c.source)]
    assert section_problems(untranslated, "P4") == ["P4: no method text in zh"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_markdown_comes_in_both_languages_and_the_chinese_is_chinese(name):
    assert language_problems(_cells(name)) == []


def test_language_check_fails_on_a_missing_twin_or_english_in_the_chinese_cell():
    cells = _cells("03_problems.ipynb")
    k = next(i for i, c in enumerate(cells) if _markdown(c, "zh"))
    english = copy.deepcopy(cells)
    english[k].source = "Each problem is a rule over indicators with documented thresholds."
    assert language_problems(english) == [f"cell {k}: the Chinese text is not Chinese (0 characters, 8 Latin words)"]
    assert language_problems(cells[:k] + cells[k + 1:]) == [f"cell {k - 1}: an English text without its Chinese twin after it"]


def test_markdown_headings_are_allowed_and_used():
    heads = [line for c in _cells("03_problems.ipynb") if c.cell_type == "markdown"
             for line in c.source.splitlines() if line.startswith("#")]
    assert "#### How P1 is decided" in heads and "#### P1 的判定方法" in heads


@pytest.mark.parametrize("name", RULE_SECTIONS)
def test_indicator_calls_name_public_functions_of_casekit_indicators(name):
    names = [m for c in _cells(name) for m in re.findall(r"s\.indicator\(indicators\.(\w+)", c.source)]
    assert len(names) >= 5
    for fn in names:
        assert fn in indicators.__all__ and callable(getattr(indicators, fn)), fn


def test_first_markdown_cites_the_case_and_the_2020_rules():
    first = _cells("01_data_check.ipynb")[0]
    assert first.cell_type == "markdown"
    for needle in ("J public hospital", "国卫财务发〔2020〕30号", "国卫财务发〔2020〕27号", "synthetic"):
        assert needle in first.source
    code = [c.source for c in _cells("01_data_check.ipynb") if c.cell_type == "code"]
    assert "narrative.title_page(s)" in code


# Calls that draw a figure through narrative.show_figure (see casekit.report.plots.from_session.FIGURES_FOR).
FIGURE_CALLS = ("narrative.aspects_overview(", "narrative.matrix(", "narrative.survey(")


def _draws_figures(source: str) -> bool:
    from casekit.report.plots.from_session import FIGURES_FOR

    return any(c in source for c in FIGURE_CALLS) or any(
        f'narrative.finding_section(s, "{code}")' in source for code in FIGURES_FOR)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_figure_cell_is_tagged_figure_and_no_other(name):
    for i, cell in enumerate(_cells(name)):
        if cell.cell_type == "code":
            tagged = "figure" in cell.metadata.get("tags", [])
            assert tagged == _draws_figures(cell.source), f"{name} cell {i}: {cell.source!r}"


def test_problem_figures_cover_p1_to_p5():
    from casekit.report.plots.from_session import DRAWERS, FIGURES_FOR

    assert {f"P{i}" for i in range(1, 6)} <= set(FIGURES_FOR)
    assert all(n in DRAWERS for names in FIGURES_FOR.values() for n in names)


@pytest.mark.parametrize("name", NOTEBOOKS[1:])
def test_later_notebooks_open_with_their_generated_heading(name):
    cells = _cells(name)
    setup = next(i for i, c in enumerate(cells) if "setup" in _tags(c))
    assert cells[setup + 1].source.startswith('narrative.heading(s, "nb.')
    assert _markdown(cells[setup + 2], "en")  # the intro follows the language-aware heading


@pytest.mark.slow
def test_indicator_tables_shown_are_the_ones_the_diagnosis_computed():
    """Each ``s.indicator(indicators.f, **kw)`` of the notebooks hits the diagnosis's memo (no second computation)."""
    from casekit.paths import J_HOSPITAL_DIR
    from casekit.report.session import Session
    from casekit.pipeline.analysis import compute

    s = Session.of(compute(str(J_HOSPITAL_DIR)))
    calls = [node for name in NOTEBOOKS for c in _cells(name) if c.cell_type == "code"
             for node in ast.walk(ast.parse(c.source))
             if isinstance(node, ast.Call) and ast.unparse(node.func) == "s.indicator"]
    assert len(calls) >= 12
    for call in calls:
        fn = getattr(indicators, call.args[0].attr)

        def value(node):
            if isinstance(node, ast.Call):  # s.thresholds.get("key")
                return s.thresholds[node.args[0].value]
            return ast.literal_eval(node)

        kwargs = {k.arg: value(k.value) for k in call.keywords}
        key = (fn.__module__, fn.__qualname__, (), tuple(sorted(kwargs.items())))
        assert key in s.diagnosis.memo, ast.unparse(call)
