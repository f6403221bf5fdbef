"""Strict checking of notebook parameters (papermill only warns about unknown ones).

Each report notebook declares its parameters in a cell tagged ``parameters``, in papermill's
inspectable form ``name: type = default  # help`` (read by :func:`declared_parameters`). The
setup cell after it calls::

    notebook_params.check(globals(), allowed=notebook_params.REPORT_PARAMETERS)

which raises :class:`casekit.errors.ConfigError` when papermill injected a name that the
parameters cell does not declare, or a value that cannot be read as its declared type, or an
invalid value (language, year range, missing thresholds file). The declared type decides how a
value is read: ``years: str`` given the number 2023 (papermill's ``-p years 2023``) becomes
``"2023"``. Injected names are read from the injected-parameters
cell in the kernel's input history (``_ih``), where papermill writes them after a
``# Parameters`` comment.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, MutableMapping, Sequence

from casekit.errors import ConfigError
from casekit.labels import LANGS

_KIND = {"str": "text", "bool": "true or false", "int": "whole number", "float": "number", "list": "list",
         "dict": "mapping"}
_EXAMPLE = {"str": "2021-2024", "bool": "true", "int": "3", "float": "0.5", "list": "[2022,2023]", "dict": "{a: 1}"}
_DECLARED_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict}
_UNKNOWN = object()
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")


@dataclass(frozen=True)
class Param:
    """One declared parameter: name, type name (``str``/``bool``/``int``/``float``/``list``/``dict``, or ``""``
    when undeclared), default, help."""

    name: str
    type: str
    default: Any
    help: str = ""


# parameters every notebook of casekit declares (the report's and the monitor's)
DATA_PATH = Param("data_path", "str", "../data/sample/j_hospital",
                  "hospital data folder or workbook; relative paths are tried from the notebooks folder and the project")
LANG = Param("lang", "str", "en", "report language: en or zh")
CONFIG = Param("config", "str", "", "YAML file overriding default thresholds; empty means defaults")

REPORT_PARAMETERS: dict[str, Param] = {p.name: p for p in (
    DATA_PATH,
    Param("years", "str", "", "years to analyse, e.g. 2021-2024 or 2023; empty means all"),
    LANG,
    CONFIG,
    Param("output_dir", "str", "", "report folder (set by casekit run)"),
    Param("redact", "bool", False, "replace department names by codes"),
    Param("analysis", "str", "", "analysis file written by casekit run; empty: load and diagnose the data here"),
)}
RUNNER_PARAMETERS = ("data_path", "lang", "config", "output_dir", "redact", "analysis")
"""Parameters ``casekit run`` sets from its own options and arguments; ``-p`` may not set them."""
AUDIT_RESET = ("output_dir", "analysis")
"""Runner parameters emptied in the executed notebooks kept for audit, so each re-runs on its own."""


def _literal(node: ast.AST | None) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return _UNKNOWN


def parameters_cell_source(spec: Mapping[str, Param] = REPORT_PARAMETERS) -> str:
    """The source of a ``parameters`` cell declaring ``spec`` in papermill's inspectable form."""
    def literal(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)

    return "\n".join(f"{p.name}: {p.type} = {literal(p.default)}  # {p.help}" for p in spec.values())


def declared_parameters(cell: Any) -> dict[str, Param]:
    """The parameters a ``parameters`` cell declares: name -> :class:`Param` (type, default, help).

    The one reader of a parameters cell: the strict check (:func:`check` given a cell's source),
    the runner's ``-p name=value`` parser (:func:`parse_params`) and :func:`casekit.pipeline.notebooks.combine`
    all use it.

    Parameters
    ----------
    cell : str or nbformat.NotebookNode
        The cell's source, or a notebook (its cell tagged ``parameters`` is read).

    Returns
    -------
    dict
        In declaration order. ``type`` is the annotation when it is a builtin (``n: int = 3``),
        else the type of the literal default (``scale = 1.5`` is ``float``), ``""`` when neither
        says (``years = None``); ``help`` is the line's ``# comment``. Empty for a notebook
        without a parameters cell.

    Raises
    ------
    ConfigError
        The cell does not parse, or a statement is not ``name = literal`` / ``name: type = literal``.

    Examples
    --------
    >>> declared_parameters('n: int = 3  # rows\\nyears = None')
    {'n': Param(name='n', type='int', default=3, help='rows'), 'years': Param(name='years', type='', default=None, help='')}
    """
    if not isinstance(cell, str):
        found = [c for c in cell.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        if not found:
            return {}
        cell = found[0].source
    try:
        tree = ast.parse(cell)
    except SyntaxError as exc:
        raise ConfigError(f"the parameters cell does not parse: {exc}", "Fix the notebook's parameters cell.") from None
    comments = _comments(cell)
    spec: dict[str, Param] = {}
    for node in tree.body:
        target, annotation = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, annotation = node.target, node.annotation
        default = _literal(node.value) if target is not None else _UNKNOWN
        if not isinstance(target, ast.Name) or default is _UNKNOWN:
            raise ConfigError(f"parameters cell line {node.lineno} is not of the form `name: type = default`",
                              "Declare each parameter as `name: str = \"value\"  # help` (a literal default).")
        typ = annotation.id if isinstance(annotation, ast.Name) and annotation.id in _DECLARED_TYPES else ""
        if not typ and default is not None and type(default).__name__ in _DECLARED_TYPES:
            typ = type(default).__name__
        spec[target.id] = Param(target.id, typ, default, comments.get(node.lineno, ""))
    return spec


def _comments(source: str) -> dict[int, str]:
    """Line number -> text of the ``#`` comment on that line."""
    import io
    import tokenize

    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return out


def injected_names(namespace: Mapping[str, Any]) -> list[str]:
    """Names assigned by papermill's injected-parameters cell, from the kernel's input history.

    Returns an empty list outside IPython or when papermill injected nothing.
    """
    history = namespace.get("_ih") or namespace.get("In") or []
    for source in reversed(list(history)):
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return []
            return [t.id for node in tree.body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)]
    return []


def check(namespace: Mapping[str, Any], allowed: Mapping[str, Param] | str = REPORT_PARAMETERS) -> None:
    """Check the parameters a notebook received; raise on unknown names, wrong types, bad values.

    Parameters
    ----------
    namespace : mapping
        The notebook's ``globals()`` (or an explicit ``{name: value}`` dict). A value of another
        type that reads as the declared one (``2023`` for a ``str``, ``"true"`` for a ``bool``)
        is replaced by the value read, when the mapping is mutable.
    allowed : mapping of Param, or str
        The declared parameters, or the source of the parameters cell to parse.

    Raises
    ------
    ConfigError
        With every problem found, each with its fix.

    Examples
    --------
    >>> check({"data_path": "x", "years": "", "lang": "en", "config": "", "output_dir": "", "redact": False,
    ...        "analysis": ""})
    >>> check({"data_path": "x", "years": "", "lang": "fr", "config": "", "output_dir": "", "redact": False,
    ...        "analysis": ""})
    Traceback (most recent call last):
    ...
    casekit.errors.ConfigError: parameter 'lang' must be one of en, zh, got 'fr'
    Hint: Pass -p lang en or -p lang zh.
    >>> ns = {"data_path": "x", "years": 2023, "lang": "en", "config": "", "output_dir": "", "redact": "true",
    ...       "analysis": ""}
    >>> check(ns); ns["years"], ns["redact"]
    ('2023', True)
    """
    spec = declared_parameters(allowed) if isinstance(allowed, str) else dict(allowed)
    problems: list[tuple[str, str]] = []
    unknown = [n for n in injected_names(namespace) if n not in spec]
    if unknown:
        problems.append((f"unknown parameter(s) {', '.join(map(repr, unknown))}",
                         f"Use only the declared parameters: {', '.join(spec)}."))
    for name, param in spec.items():
        if name not in namespace:
            problems.append((f"parameter {name!r} is not defined",
                             "Run the notebook from the top (the parameters cell defines it)."))
            continue
        value, expected = namespace[name], _DECLARED_TYPES.get(param.type)
        if expected is None:  # no type declared (`years = None`): any value
            continue
        wrong = (not isinstance(value, expected)) or (expected is not bool and isinstance(value, bool))
        if wrong and isinstance(value, (str, int, float)) and not isinstance(value, bool) \
                and isinstance(namespace, MutableMapping):
            # The declared type decides how a value is read: papermill's `-p years 2023` injects the
            # number 2023 for `years: str`, `-p redact true` the text for a bool.
            try:
                namespace[name] = _convert(name, str(value), expected)
                continue
            except ConfigError:
                pass
        if wrong:
            problems.append((f"parameter {name!r} must be {param.type}, got {type(value).__name__} {value!r}",
                             f"Pass a {_KIND[param.type]}, e.g. -p {name}={_EXAMPLE[param.type]}."))
    if not problems:
        problems.extend(_value_problems(namespace))
    if problems:
        message = "; ".join(p for p, _ in problems)
        hint = " ".join(dict.fromkeys(f for _, f in problems))
        raise ConfigError(message, hint)


def _value_problems(ns: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = []
    if "lang" in ns and ns["lang"] not in LANGS:
        out.append((f"parameter 'lang' must be one of {', '.join(LANGS)}, got {ns['lang']!r}",
                    "Pass -p lang en or -p lang zh."))
    if "years" in ns:
        try:
            parse_years(ns["years"])
        except ConfigError as exc:
            out.append((exc.message, exc.hint or ""))
    if ns.get("config"):
        try:
            resolve_input(ns["config"], "thresholds file")
        except ConfigError as exc:
            out.append((exc.message, "Give the path of a YAML file, or leave config empty for the defaults."))
    return out


def resolve_input(path: str, name: str = "data_path") -> Path:
    """Resolve a user path: absolute, or relative to the current folder (and, in a checkout, the notebooks folder or the project).

    A notebook opened in JupyterLab runs in its own folder, so the notebooks' default
    ``../data/sample/j_hospital`` is found beside ``notebooks/`` both in the repository and in a
    folder written by ``casekit notebooks DIR``. An installed casekit never looks inside its
    package (:data:`casekit.paths.IN_CHECKOUT`).

    Raises
    ------
    ConfigError
        None of the candidates exists; the message lists where casekit looked.
    """
    from casekit.paths import IN_CHECKOUT, NOTEBOOKS_DIR, PROJECT_DIR

    p = Path(path).expanduser()
    if p.is_absolute():
        candidates = [p]
    else:
        candidates = [Path.cwd() / p] + ([NOTEBOOKS_DIR / p, PROJECT_DIR / p] if IN_CHECKOUT else [])
    for c in candidates:
        if c.exists():
            return c.resolve()
    base = PROJECT_DIR if IN_CHECKOUT else Path.cwd()
    raise ConfigError(f"{name} {path!r} does not exist (looked in: {', '.join(str(c) for c in candidates)})",
                      f"Pass an absolute path, or one relative to {base}.")


def parse_years(years: str) -> tuple[int, int] | None:
    """Parse ``"2021-2024"`` or ``"2023"`` into an inclusive range; ``""`` means all (None).

    Examples
    --------
    >>> parse_years("2021-2024"), parse_years("2023"), parse_years("")
    ((2021, 2024), (2023, 2023), None)
    """
    if not years.strip():
        return None
    match = _YEARS.match(years)
    if not match:
        raise ConfigError(f"parameter 'years' must look like 2021-2024 or 2023, got {years!r}",
                          "Pass a year or a range of years, or leave it empty for all years.")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise ConfigError(f"parameter 'years' runs backwards: {years!r}", f"Write {last}-{first}.")
    return first, last


# ------------------------------------------------------------------ runner side: -p name=value
def _convert(name: str, text: str, typ: type | None) -> Any:
    import yaml

    def bad(kind: str) -> ConfigError:
        return ConfigError(f"parameter {name!r} must be {kind}, got {text!r}", f"Pass e.g. -p {name}=<{kind}>.")

    if typ is str:
        return text
    if typ is bool:
        low = text.strip().lower()
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        raise bad("true or false")
    if typ is int:
        try:
            return int(text.strip())
        except ValueError:
            raise bad("an integer") from None
    if typ is float:
        try:
            return float(text.strip())
        except ValueError:
            raise bad("a number") from None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise bad("a value in YAML syntax") from None
    if isinstance(value, str) and "," in value:
        value = [yaml.safe_load(v) for v in value.split(",") if v.strip()]
    if typ in (list, dict) and not isinstance(value, typ):
        raise bad("a list such as [2022, 2023]" if typ is list else "a mapping such as {a: 1}")
    if not isinstance(value, (str, int, float, bool, list, dict, type(None))):
        raise bad("a plain value")
    return value


def parse_params(pairs: Sequence[str], declared: dict[str, tuple[Any, type | None]]) -> dict[str, Any]:
    """Parse ``-p name=value`` options and check them against the notebooks' parameters.

    Parameters
    ----------
    pairs : sequence of str
        Raw ``name=value`` strings from the command line.
    declared : dict of Param
        From :func:`declared_parameters` (merged over all notebooks).

    Returns
    -------
    dict
        name -> value converted to the declared type (int, float, bool, str; lists and
        ``None`` defaults accept YAML such as ``[2022, 2023]`` or ``2022,2023``).

    Raises
    ------
    ConfigError
        Malformed pair, unknown name (papermill would only warn), a name set by a runner
        option (``data_path``, ``lang`` ...), a repeated name, or a value of the wrong type.

    Examples
    --------
    >>> parse_params(["years=2022,2023"], {"years": Param("years", "", None)})
    {'years': [2022, 2023]}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = str(pair).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ConfigError(f"parameter {pair!r} is not of the form name=value", "Write e.g. -p years=2022,2023.")
        if name in RUNNER_PARAMETERS:
            option = {"data_path": "the DATA_PATH argument", "output_dir": "--out"}.get(name, f"--{name}")
            fix = ("casekit run computes the analysis itself; leave -p analysis out." if name == "analysis"
                   else f"Use {option} instead of -p {name}=...")
            raise ConfigError(f"parameter {name!r} is set by casekit itself", fix)
        if name not in declared:
            known = ", ".join(sorted(n for n in declared if n not in RUNNER_PARAMETERS)) or "none"
            raise ConfigError(f"unknown notebook parameter {name!r}", f"Parameters you can set with -p: {known}.")
        if name in out:
            raise ConfigError(f"parameter {name!r} is given twice", "Pass each -p name=value once.")
        out[name] = _convert(name, text, _DECLARED_TYPES.get(declared[name].type))
    return out
