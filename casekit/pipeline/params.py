"""Strict checking of notebook parameters (papermill only warns about unknown ones).

Each report notebook declares its parameters in a cell tagged ``parameters``, in papermill's
inspectable form ``name: type = default  # help``. The cell after it calls::

    notebook_params.check(globals(), allowed=notebook_params.REPORT_PARAMETERS)

which raises :class:`casekit.errors.ConfigError` when papermill injected a name that the
parameters cell does not declare, or a value of the wrong type, or an invalid value (language,
year range, missing thresholds file). Injected names are read from the injected-parameters
cell in the kernel's input history (``_ih``), where papermill writes them after a
``# Parameters`` comment.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from casekit.errors import ConfigError
from casekit.labels import LANGS

_TYPES = {"str": str, "bool": bool, "int": int, "float": float}
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")


@dataclass(frozen=True)
class Param:
    """One declared parameter: name, type name (``str``/``bool``/``int``/``float``), default, help."""

    name: str
    type: str
    default: Any
    help: str = ""


REPORT_PARAMETERS: dict[str, Param] = {p.name: p for p in (
    Param("data_path", "str", "../data/sample/j_hospital",
          "hospital data folder or workbook; relative paths are tried from the notebooks folder and the project"),
    Param("years", "str", "", "years to analyse, e.g. 2021-2024 or 2023; empty means all"),
    Param("lang", "str", "en", "report language: en or zh"),
    Param("config", "str", "", "YAML file overriding default thresholds; empty means defaults"),
    Param("output_dir", "str", "", "report folder (set by casekit run)"),
    Param("redact", "bool", False, "replace department names by codes"),
)}


def parameters_cell_source(spec: Mapping[str, Param] = REPORT_PARAMETERS) -> str:
    """The source of a ``parameters`` cell declaring ``spec`` in papermill's inspectable form."""
    def literal(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)

    return "\n".join(f"{p.name}: {p.type} = {literal(p.default)}  # {p.help}" for p in spec.values())


def spec_from_source(source: str) -> dict[str, Param]:
    """Parse a parameters cell (annotated assignments) into a spec.

    Raises
    ------
    ConfigError
        A statement is not ``name: type = literal``.
    """
    spec: dict[str, Param] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(node.annotation, ast.Name) and node.annotation.id in _TYPES
                and node.value is not None):
            raise ConfigError(f"parameters cell line {node.lineno} is not of the form `name: type = default`",
                              "Declare each parameter as `name: str = \"value\"  # help`.")
        spec[node.target.id] = Param(node.target.id, node.annotation.id, ast.literal_eval(node.value))
    return spec


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
        The notebook's ``globals()`` (or an explicit ``{name: value}`` dict).
    allowed : mapping of Param, or str
        The declared parameters, or the source of the parameters cell to parse.

    Raises
    ------
    ConfigError
        With every problem found, each with its fix.

    Examples
    --------
    >>> check({"data_path": "x", "years": "", "lang": "en", "config": "", "output_dir": "", "redact": False})
    >>> check({"data_path": "x", "years": "", "lang": "fr", "config": "", "output_dir": "", "redact": False})
    Traceback (most recent call last):
    ...
    casekit.errors.ConfigError: parameter 'lang' must be one of en, zh, got 'fr'
    Hint: Pass -p lang en or -p lang zh.
    """
    spec = spec_from_source(allowed) if isinstance(allowed, str) else dict(allowed)
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
        value, expected = namespace[name], _TYPES[param.type]
        wrong = (not isinstance(value, expected)) or (expected is not bool and isinstance(value, bool))
        if wrong:
            problems.append((f"parameter {name!r} must be {param.type}, got {type(value).__name__} {value!r}",
                             f"Pass it as {param.type}" + (f" (papermill: -r {name} VALUE keeps it text)"
                                                          if param.type == "str" else "") + "."))
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
    """Resolve a user path: absolute, or relative to the current folder, the notebooks folder or the project.

    Raises
    ------
    ConfigError
        None of the candidates exists; the message lists where casekit looked.
    """
    from casekit.paths import NOTEBOOKS_DIR, PROJECT_DIR

    p = Path(path).expanduser()
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, NOTEBOOKS_DIR / p, PROJECT_DIR / p]
    for c in candidates:
        if c.exists():
            return c.resolve()
    raise ConfigError(f"{name} {path!r} does not exist (looked in: {', '.join(str(c) for c in candidates)})",
                      f"Pass an absolute path, or one relative to {PROJECT_DIR}.")


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
