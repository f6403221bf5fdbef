"""``--redact``: replace department names by their codes in every table and note.

A report shared outside the hospital should not name its departments. :func:`redact`
returns a copy of the :class:`~casekit.data.hospital.Hospital` in which ``departments.name`` is the
department code and every free-text cell (adjustment reasons, checklist evidence, survey
texts ...) and every loading note has each department name replaced by its code. Indicators,
findings, figures and tables computed from the redacted hospital therefore carry codes only.
"""
from __future__ import annotations

import dataclasses
import re

import pandas as pd

from casekit.data.hospital import Hospital
from casekit.errors import Issue

_ID_COLUMNS = {"dept_id", "account_id", "item_id", "respondent_id", "system", "year", "month"}


def _replacer(names: dict[str, str]):
    if not names:
        return lambda text: text
    ordered = sorted(names, key=len, reverse=True)  # "Internal Medicine 2" before "Internal Medicine"
    pattern = re.compile("|".join(re.escape(n) for n in ordered))
    return lambda text: pattern.sub(lambda m: names[m.group(0)], text)


def redact(hospital: Hospital) -> Hospital:
    """Return a copy of ``hospital`` with department names replaced by department codes.

    Parameters
    ----------
    hospital : Hospital

    Returns
    -------
    Hospital
        ``departments.name`` equals ``dept_id``; in every other text column and in
        ``notes`` each occurrence of a department name is replaced by its code. Numbers,
        identifiers and the hospital profile are unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> from casekit.data.hospital import Hospital, Profile
    >>> d = pd.DataFrame({"dept_id": ["D01"], "name": ["Cardiology"], "type": ["clinical"]})
    >>> e = pd.DataFrame()
    >>> h = redact(Hospital(Profile("X"), d, e, e, e))
    >>> h.departments["name"].tolist()
    ['D01']
    """
    deps = hospital.departments
    sub = _replacer(_names(deps))
    new_deps = deps.copy()
    new_deps["name"] = new_deps["dept_id"]
    tables: dict[str, pd.DataFrame | None] = {"departments": new_deps}
    for f in dataclasses.fields(hospital):
        df = getattr(hospital, f.name)
        if f.name == "departments" or not isinstance(df, pd.DataFrame):
            continue
        tables[f.name] = _redact_frame(df, sub)
    return dataclasses.replace(hospital, notes=_redact_issues(hospital.notes, sub), **tables)


def redact_issues(issues: list[Issue], departments: pd.DataFrame) -> list[Issue]:
    """Replace department names by codes in the value, problem and fix of each issue.

    Parameters
    ----------
    issues : list of Issue
        For example a validation report's warnings.
    departments : pandas.DataFrame
        The original departments (``dept_id``, ``name``).

    Returns
    -------
    list of Issue
        New issues; file, row and column are unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"dept_id": ["D01"], "name": ["Cardiology"]})
    >>> redact_issues([Issue("budget.csv", 2, "dept", "Cardiology", "Cardiology has no budget", "Add it")], d)[0].problem
    'D01 has no budget'
    """
    return _redact_issues(issues, _replacer(_names(departments)))


def _redact_issues(issues: list[Issue], sub) -> list[Issue]:
    return [dataclasses.replace(i, value=None if i.value is None else sub(i.value), problem=sub(i.problem),
                                fix=sub(i.fix)) for i in issues]


def redact_text(text: str, departments: pd.DataFrame) -> tuple[str, int]:
    """Replace department names by codes in a text (e.g. an HTML page), leaving data URIs alone.

    Parameters
    ----------
    text : str
    departments : pandas.DataFrame
        With ``dept_id`` and ``name``.

    Returns
    -------
    text : str
    replaced : int
        Number of replacements made.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"dept_id": ["D01"], "name": ["Cardiology"]})
    >>> redact_text("<td>Cardiology</td>", d)
    ('<td>D01</td>', 1)
    """
    names = _names(departments)
    if not names:
        return text, 0
    ordered = sorted(names, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in ordered))
    count = 0

    def swap(m: re.Match) -> str:
        nonlocal count
        count += 1
        return names[m.group(0)]

    parts = re.split(r"(data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+)", text)
    out = [p if p.startswith("data:") else pattern.sub(swap, p) for p in parts]
    return "".join(out), count


def redact_tables(tables: dict[str, pd.DataFrame], departments: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Replace department names by codes in the text cells of output tables (``Diagnosis.tables()``).

    Parameters
    ----------
    tables : dict of str to DataFrame
    departments : pandas.DataFrame
        The original departments (``dept_id``, ``name``).

    Returns
    -------
    dict of str to DataFrame
        Same keys; identifier columns untouched.
    """
    sub = _replacer(_names(departments))
    return {k: _redact_frame(v, sub) if isinstance(v, pd.DataFrame) else v for k, v in tables.items()}


def _names(deps: pd.DataFrame) -> dict[str, str]:
    return {str(n): str(c) for n, c in zip(deps["name"], deps["dept_id"])
            if isinstance(n, str) and n.strip() and str(n) != str(c)}


def _redact_frame(df: pd.DataFrame, sub) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if col in _ID_COLUMNS:
            continue
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(lambda v: sub(v) if isinstance(v, str) else v).astype(s.dtype)
    return out
