"""Limits on hostile or broken input: no real hospital file comes near them.

Every input is untrusted (consultants run casekit on files sent by client hospitals), so each
reader checks these limits *before* the expensive work and names the limit and the place that
broke it. docs/security.md lists them.
"""
from __future__ import annotations

MAX_CELL_CHARS = 32_767
"""Characters in one cell of any table file: Excel's own limit for a cell, checked while an
xlsx sheet is streamed (a 900 MB cell is refused after its first 32 KB) and after a CSV or
Parquet file is read."""

MAX_NAME_CHARS = 200
"""Characters in a name or code (department and account names, identifiers, the hospital's name):
a longer "name" is pasted text, and every table, figure and sheet of the report would carry it."""

MAX_YAML_BYTES = 1_000_000
"""Bytes of ``hospital.yaml`` (a real profile is about 1 KB)."""

MAX_YAML_NODES = 10_000
"""Values in ``hospital.yaml`` after its aliases are expanded (nested anchors, "billion laughs",
expand exponentially; a real profile holds about 30)."""

MAX_YAML_DEPTH = 20
"""Nesting levels in ``hospital.yaml`` (a profile is one level of ``key: value``)."""
