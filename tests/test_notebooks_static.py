"""Static checks of the report notebooks: inspectable parameters, strict check, calls only."""
import ast

import nbformat
import papermill as pm
import pytest

from casekit.pipeline.params import REPORT_PARAMETERS, spec_from_source
from casekit.paths import NOTEBOOKS_DIR

NOTEBOOKS = ["01_data_check.ipynb", "02_current_situation.ipynb", "03_problems.ipynb", "04_causes.ipynb",
             "05_recommendations.ipynb"]

# Node types a notebook code cell may contain: imports, calls with plain arguments, and the
# assignment of a call's result to a name. Anything else (loops, defs, arithmetic, subscripts,
# comprehensions, conditionals) is logic that belongs in the package.
ALLOWED = (ast.Module, ast.Expr, ast.Call, ast.Name, ast.Attribute, ast.Constant, ast.keyword, ast.Load,
           ast.Store, ast.Import, ast.ImportFrom, ast.alias, ast.Assign)


def _cells(name):
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4).cells


def _parameters_index(cells):
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
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


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_is_inspectable_and_matches_the_spec(name):
    params = pm.inspect_notebook(str(NOTEBOOKS_DIR / name))
    assert list(params) == list(REPORT_PARAMETERS)
    for pname, spec in REPORT_PARAMETERS.items():
        assert params[pname]["inferred_type_name"] == spec.type
        assert params[pname]["help"], f"{pname} has a help comment"
    cells = _cells(name)
    declared = spec_from_source(cells[_parameters_index(cells)].source)
    assert {n: (p.type, p.default) for n, p in declared.items()} == \
        {n: (p.type, p.default) for n, p in REPORT_PARAMETERS.items()}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_cell_after_parameters_is_the_strict_check(name):
    cells = _cells(name)
    nxt = cells[_parameters_index(cells) + 1]
    tree = ast.parse(nxt.source)
    assert len(tree.body) == 1
    call = tree.body[0].value
    assert ast.unparse(call.func) == "notebook_params.check"
    assert ast.unparse(call.args[0]) == "globals()"
    assert ast.unparse(call.keywords[0].value) == "notebook_params.REPORT_PARAMETERS"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_hold_calls_only(name):
    cells = _cells(name)
    p = _parameters_index(cells)
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and i != p:
            assert logic_nodes(cell.source) == [], f"{name} cell {i}: {cell.source!r}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_loads_through_the_memoised_session(name):
    sources = [c.source for c in _cells(name) if c.cell_type == "code"]
    assert sum("narrative.session(" in s for s in sources) == 1
    assert not any("casekit.load(" in s or "pd.read" in s for s in sources)


def test_logic_detector_rejects_loops_defs_and_dataframe_arithmetic():
    assert logic_nodes("for d in s.departments:\n    narrative.table(d)")
    assert logic_nodes("def f():\n    pass")
    assert logic_nodes("x = df.groupby('a')['b'].sum() / 2")
    assert logic_nodes("df['rate'] = df.a / df.b")
    assert logic_nodes("narrative.table(df[df.a > 1])")
    assert logic_nodes("narrative.finding_section(s, 'P1')") == []


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
def test_later_notebooks_have_one_generated_heading_and_an_intro_without_heading_markup(name):
    cells = _cells(name)
    for c in cells:
        if c.cell_type == "markdown":
            assert not any(line.lstrip().startswith("#") for line in c.source.splitlines()), c.source
    heading = next(i for i, c in enumerate(cells) if 'narrative.heading(s, "nb.' in c.source)
    assert cells[heading + 1].cell_type == "markdown"  # the intro follows the language-aware heading
