"""``casekit notebooks DIR``: the report notebooks and the sample they open on, ready for JupyterLab.

The folder mirrors the repository's layout, so the notebooks run unchanged::

    DIR/notebooks/01_data_check.ipynb ... monitor.ipynb   (copies of casekit's notebooks)
    DIR/data/sample/j_hospital/                           (the sample the notebooks' default
                                                           ``data_path`` names, generated)

JupyterLab starts a notebook's kernel in the notebook's folder, and
:func:`casekit.pipeline.params.resolve_input` resolves a relative ``data_path`` from there, so
the default ``../data/sample/j_hospital`` is ``DIR/data/sample/j_hospital``. Which sample to
write is read from the notebooks' ``parameters`` cell, not assumed.
"""
from __future__ import annotations

import os
from pathlib import Path

from casekit.errors import ConfigError
from casekit.fs.overwrite import check_output, inside
from casekit.paths import NOTEBOOKS_DIR, PACKAGE_DIR


def notebook_files(folder: str | os.PathLike = NOTEBOOKS_DIR) -> list[Path]:
    """Every file of the notebooks folder that a copy carries (hidden files and executed copies left out), sorted."""
    root = Path(folder)
    return sorted(p for p in root.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts)
                  and not p.name.startswith("executed_") and "__pycache__" not in p.parts)


def default_sample(folder: str | os.PathLike = NOTEBOOKS_DIR) -> tuple[str, Path]:
    """The sample profile and the path, relative to the notebooks' folder, of the notebooks' default ``data_path``.

    Raises
    ------
    ConfigError
        The first notebook's default ``data_path`` is not ``../data/sample/<a sample folder>``.
    """
    import nbformat

    from casekit.pipeline.notebooks import notebook_paths
    from casekit.pipeline.params import declared_parameters
    from casekit.sample.profiles import PROFILES

    first = notebook_paths(folder)[0]
    declared = declared_parameters(nbformat.read(os.fspath(first), as_version=4)).get("data_path")
    default = "" if declared is None else str(declared.default)
    rel = Path(default)
    by_folder = {p.folder: key for key, p in PROFILES.items()}
    if rel.is_absolute() or rel.parent.as_posix() != "../data/sample" or rel.name not in by_folder:
        raise ConfigError(f"the default data_path of {first.name} is {default!r}, not a sample folder under "
                          "../data/sample", "Reinstall casekit; its notebooks should open on a bundled sample.")
    return by_folder[rel.name], rel


def _same_bytes(source: Path):
    def check(path: Path) -> bool:
        return path.is_file() and path.stat().st_size == source.stat().st_size and path.read_bytes() == source.read_bytes()
    return check


def write_workspace(target: str | os.PathLike, *, force: bool = False) -> list[Path]:
    """Write the notebooks and their default sample into ``target`` (``casekit notebooks DIR``).

    Parameters
    ----------
    target : path-like
        Folder to write into (created). Gets ``notebooks/`` and ``data/sample/<sample>/``.
    force : bool
        Replace existing files that are not identical copies (a notebook a student edited, a
        data folder that is not a casekit sample). Without it nothing is written when any
        such file is in the way.

    Returns
    -------
    list of pathlib.Path
        The notebooks and the sample folder written.

    Raises
    ------
    OutputError
        A target exists and is neither an identical copy nor casekit sample data (without
        ``force``), or is a symbolic link.
    ConfigError
        ``target`` lies inside the casekit package, or its ``notebooks/`` is casekit's own.
    """
    from casekit.fs.atomic import write_bytes
    from casekit.sample.cli_support import is_sample_folder, sample_command

    root = Path(target).expanduser().absolute()
    nb_dir = root / "notebooks"
    if inside(root, PACKAGE_DIR) or inside(root, NOTEBOOKS_DIR) or nb_dir.resolve() == NOTEBOOKS_DIR.resolve():
        raise ConfigError(f"{root} would write into casekit's own files ({PACKAGE_DIR}, {NOTEBOOKS_DIR})",
                          "Choose a folder of your own, e.g. casekit notebooks ~/casekit-notebooks.")
    sources = notebook_files()
    profile, data_rel = default_sample()
    data_dir = Path(os.path.normpath(nb_dir / data_rel))
    pairs = [(src, nb_dir / src.relative_to(NOTEBOOKS_DIR)) for src in sources]
    for src, dst in pairs:  # every check before the first write
        check_output(dst, force=force, ours=_same_bytes(src))
    check_output(data_dir, force=force, ours=is_sample_folder, what="folder")
    written = []
    for src, dst in pairs:
        dst.parent.mkdir(parents=True, exist_ok=True)
        written.append(write_bytes(dst, src.read_bytes()))
    written += sample_command(out_dir=data_dir.parent, profile=profile, force=force)
    return written
