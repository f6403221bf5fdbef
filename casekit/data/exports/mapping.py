"""The mapping file: what an export cannot say (department types, account categories), written once per hospital.

``casekit-mapping.yaml`` beside the export (or in the hospital folder)::

    # casekit mapping: department types and account categories for XX市第一人民医院
    departments:            # code: type (clinical, medical_technology, auxiliary, administrative, logistics)
      "0101": clinical
      "0301": medical_technology
    accounts:               # code: category; optionally {category: ..., direction: revenue/expense}
      "400101": outpatient
      "500102": {category: drugs, direction: expense}

Without it casekit states a default for each value it had to assume (a data-quality note in the
report, never presented as fact): a category guessed from the line's name where a keyword says it
(门诊 -> outpatient, 药品 -> drugs ...), else ``other_revenue`` / ``other_expense``; department type
guessed from the name (内科 -> clinical, 检验 -> medical_technology ...), else ``clinical``.
``casekit template casekit-mapping.yaml --from EXPORT`` writes the file pre-filled with these guesses
for the user to correct.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from casekit.errors import InputFileError, Issue
from casekit.data.io.profile_yaml import load_profile_yaml
from casekit.data.schema.tables import ACCOUNT_CATEGORIES, DEPT_TYPES, DIRECTIONS, VALUE_ALIASES
from casekit.fs.atomic import write_text

MAPPING_NAMES = ("casekit-mapping", "casekit_mapping", "mapping", "映射", "科目映射")
"""File stems (``.yaml`` / ``.yml``) read as the mapping file."""
MAX_MAPPING_BYTES = 1_000_000
MAX_MAPPING_NODES = 200_000
"""Values a mapping file may stand for once YAML aliases are expanded (thousands of codes, never a 'billion laughs')."""

CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("财政", "fiscal_subsidy"), ("门诊", "outpatient"), ("挂号", "outpatient"), ("急诊", "outpatient"), ("住院", "inpatient"),
    ("科研", "research"), ("科教", "research"), ("教学", "research"), ("人员", "personnel"), ("工资", "personnel"),
    ("薪酬", "personnel"), ("社会保障", "personnel"), ("津贴", "personnel"), ("养老", "personnel"),
    ("公积金", "personnel"), ("保险缴费", "personnel"), ("药品", "drugs"), ("药", "drugs"),
    ("卫生材料", "materials"), ("材料", "materials"), ("耗材", "materials"), ("折旧", "depreciation"),
    ("摊销", "depreciation"), ("水电", "energy"), ("能源", "energy"), ("燃料", "energy"), ("电费", "energy"),
    ("管理", "administration"), ("办公", "administration"), ("公用", "administration"), ("基本建设", "capital"),
    ("基建", "capital"), ("资本", "capital"), ("设备购置", "capital"), ("购置", "capital"),
)
"""Keywords of a line's name and the category they suggest (first match wins, revenue/expense checked)."""
DEPT_WORDS: tuple[tuple[str, str], ...] = (
    ("检验", "medical_technology"), ("放射", "medical_technology"), ("影像", "medical_technology"),
    ("病理", "medical_technology"), ("超声", "medical_technology"), ("药剂", "medical_technology"),
    ("药学", "medical_technology"), ("功能", "medical_technology"), ("麻醉", "medical_technology"),
    ("供应", "auxiliary"), ("消毒", "auxiliary"), ("营养", "auxiliary"), ("病案", "auxiliary"),
    ("办公室", "administrative"), ("财务", "administrative"), ("人事", "administrative"), ("院办", "administrative"),
    ("医务", "administrative"), ("护理部", "administrative"), ("信息", "administrative"), ("管理", "administrative"),
    ("后勤", "logistics"), ("总务", "logistics"), ("保卫", "logistics"), ("基建", "logistics"), ("设备", "logistics"),
    ("科", "clinical"), ("病区", "clinical"), ("中心", "clinical"),
)
DEFAULT_DEPT_TYPE = "clinical"
DEFAULT_CATEGORY = {"revenue": "other_revenue", "expense": "other_expense"}
_REVENUE_CATS = ("fiscal_subsidy", "outpatient", "inpatient", "research", "other_revenue")


def find_mapping(folder: Path) -> Path | None:
    """The mapping file in ``folder`` (``casekit-mapping.yaml`` ...), or ``None``."""
    for f in sorted(folder.iterdir()) if folder.is_dir() else ():
        if f.is_file() and f.suffix.lower() in (".yaml", ".yml") and f.stem.lower() in MAPPING_NAMES:
            return f
    return None


def read_mapping(path: Path | None) -> tuple[dict[str, dict[str, dict[str, str]]], list[Issue]]:
    """Read a mapping file into ``{"departments": {code: {"type": ..}}, "accounts": {code: {...}}}``.

    Parameters
    ----------
    path : Path or None
        ``None`` gives an empty mapping.

    Returns
    -------
    mapping : dict
    issues : list of Issue
        Unknown types, categories or directions (errors naming the code and the allowed values).

    Raises
    ------
    InputFileError
        The file is too large, not YAML, or not a mapping of the two sections.
    """
    out: dict[str, dict[str, dict[str, str]]] = {"departments": {}, "accounts": {}}
    if path is None:
        return out, []
    if path.stat().st_size > MAX_MAPPING_BYTES:
        raise InputFileError(f"{path.name} is larger than {MAX_MAPPING_BYTES:,} bytes, too large for a mapping file",
                             hint="keep one line per department and account code")
    try:
        data = load_profile_yaml(path.read_text(encoding="utf-8-sig"), path.name, max_nodes=MAX_MAPPING_NODES) or {}
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path.name} is not a valid YAML mapping file: {exc}",
                             hint="write 'departments:' and 'accounts:' sections of 'code: value' lines "
                                  "(casekit template casekit-mapping.yaml --from EXPORT writes one)") from None
    if not isinstance(data, Mapping):
        raise InputFileError(f"{path.name} must hold 'departments:' and 'accounts:' sections",
                             hint="see docs/data-format.md, 'From your finance system's export'")
    issues: list[Issue] = []
    checks = {"departments": {"type": DEPT_TYPES}, "accounts": {"category": ACCOUNT_CATEGORIES, "direction": DIRECTIONS}}
    for section, fields in checks.items():
        entries = data.get(section) or {}
        if not isinstance(entries, Mapping):
            issues.append(Issue(path.name, None, section, None, f"section '{section}' must map codes to values",
                                "write one 'code: value' line per code", "error"))
            continue
        first = next(iter(fields))
        for code, value in entries.items():
            spec = dict(value) if isinstance(value, Mapping) else {first: value}
            clean: dict[str, str] = {}
            for key, raw in spec.items():
                if key not in fields:
                    issues.append(Issue(path.name, None, f"{section}.{code}", str(key), f"unknown key '{key}'",
                                        f"use {', '.join(fields)}", "error"))
                    continue
                text = str(raw).strip()
                canon = {v.casefold(): v for v in fields[key]}
                canon.update({k.casefold(): v for k, v in VALUE_ALIASES.get(key, {}).items()})
                if text.casefold() not in canon:
                    issues.append(Issue(path.name, None, f"{section}.{code}", text,
                                        f"'{text}' is not a {key}", f"use one of: {', '.join(fields[key])}", "error"))
                    continue
                clean[key] = canon[text.casefold()]
            out[section][str(code).strip()] = clean
    return out, issues


def guess_category(name: str, direction: str) -> str | None:
    """Category a line's name suggests (``门诊收入`` -> ``outpatient``), consistent with its direction."""
    for word, category in CATEGORY_WORDS:
        if word in name and (category in _REVENUE_CATS) == (direction == "revenue"):
            return category
    return None


def guess_dept_type(name: str) -> str | None:
    """Department type a name suggests (``检验科`` -> ``medical_technology``), else ``None``."""
    return next((kind for word, kind in DEPT_WORDS if word in name), None)


def write_mapping(path: Path, departments: pd.DataFrame, accounts: pd.DataFrame, hospital: str = "") -> Path:
    """Write a mapping file pre-filled from an export's departments and accounts (atomically).

    Parameters
    ----------
    path : Path
        ``.yaml`` file to write.
    departments : pandas.DataFrame
        ``dept_id``, ``name``, ``type``.
    accounts : pandas.DataFrame
        ``account_id``, ``name``, ``direction``, ``category``.
    hospital : str
        Hospital name for the header comment.

    Returns
    -------
    Path
    """
    lines = [f"# casekit mapping{' for ' + hospital if hospital else ''}: department types and account categories.",
             "# Pre-filled by casekit from the export: every value is a GUESS (from the name) or a default.",
             "# Check each line, correct it, and keep this file beside the export (docs/data-format.md).",
             f"# department types: {', '.join(DEPT_TYPES)}",
             f"# account categories: {', '.join(ACCOUNT_CATEGORIES)}", "departments:"]
    for d in departments.itertuples(index=False):
        lines.append(f"  {_quote(d.dept_id)}: {d.type}    # {d.name}")
    lines.append("accounts:")
    for a in accounts.itertuples(index=False):
        lines.append(f"  {_quote(a.account_id)}: {{category: {a.category}, direction: {a.direction}}}    # {a.name}")
    write_text(path, "\n".join(lines) + "\n")
    return path


def _quote(code: str) -> str:
    return '"' + str(code).replace("\\", "\\\\").replace('"', '\\"') + '"'
