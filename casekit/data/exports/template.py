"""``casekit template FILE.yaml --from EXPORT``: the mapping file pre-filled from a finance-system export.

Kept apart from :mod:`casekit.data.exports` because it reads the export with
:func:`casekit.data.io.readers.read_hospital_files`, which itself uses the export readers.
"""
from __future__ import annotations

from pathlib import Path

from casekit.data.exports.mapping import write_mapping
from casekit.data.io.readers import read_hospital_files
from casekit.errors import InputFileError


def write_mapping_template(export: Path, out: Path) -> Path:
    """Write ``casekit-mapping.yaml`` pre-filled from an export (``casekit template OUT --from EXPORT``).

    Every department type and account category in it is casekit's guess from the names (or the
    stated default), for the user to check and correct once per hospital.

    Parameters
    ----------
    export : Path
        The export (workbook or CSV) or a folder holding it.
    out : Path
        The ``.yaml`` file to write (atomically).

    Returns
    -------
    Path

    Raises
    ------
    casekit.errors.InputFileError
        ``out`` is not a ``.yaml`` file, or ``export`` holds no finance-system export.
    """
    if Path(out).suffix.lower() not in (".yaml", ".yml"):
        raise InputFileError(f"{Path(out).name}: the mapping file must be a .yaml file",
                             hint="e.g. casekit template casekit-mapping.yaml --from export.xlsx")
    tables, profile, issues = read_hospital_files(Path(export))
    if "accounts" not in tables or "departments" not in tables:
        problems = "; ".join(i.problem for i in issues if i.severity == "error")[:300]
        raise InputFileError(f"{Path(export).name} holds no finance-system export casekit can read"
                             + (f" ({problems})" if problems else ""),
                             hint="give the budget-execution workbook or final-accounts table as exported")
    return write_mapping(Path(out), tables["departments"].df, tables["accounts"].df, str(profile.get("name") or ""))
