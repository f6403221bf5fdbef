"""What ``casekit sample`` does: generate sample hospitals and write them (and the index)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from casekit.errors import ConfigError
from casekit.fs.overwrite import check_output, has_header
from casekit.sample.generate import generate
from casekit.sample.profiles import PROFILES, get_profile
from casekit.sample.write import README_TITLE, YAML_HEADER, write_hospital, write_sample_index

LEDGER_FORMATS = ("csv", "parquet")
ZH_WORKBOOK = {"j": "j_hospital_zh.xlsx"}


def is_sample_folder(folder: Path) -> bool:
    """A hospital folder written by ``casekit sample`` (its ``hospital.yaml`` starts with the synthetic header)."""
    return has_header(folder / "hospital.yaml", YAML_HEADER.encode("utf-8"))


def _is_sample_root(folder: Path) -> bool:
    """A folder written by ``casekit sample --all`` (its ``README.md`` is casekit's sample README)."""
    return has_header(folder / "README.md", README_TITLE.encode("utf-8"))


def _expected_text(codes: frozenset[str]) -> str:
    return ";".join(sorted(codes, key=lambda c: (c[0] != "P", c))) or "none"


def sample_command(out_dir: Path, profile: str = "j", all_profiles: bool = False, seed: int | None = None,
                   ledger_rows: int = 0, ledger_format: str = "csv", departments: int | None = None,
                   years: int | None = None, console: Any = None, force: bool = False) -> list[Path]:
    """Generate and write sample hospitals (the ``casekit sample`` command).

    Parameters
    ----------
    out_dir : path
        Folder to write into; each hospital goes to ``out_dir/<profile folder>`` (CSV, English
        headers, ``hospital.yaml``).
    profile : {"j", "well_run", "mixed"}
        Hospital to write (ignored with ``all_profiles``).
    all_profiles : bool
        Write every profile, J hospital's Chinese workbook (``j_hospital_zh.xlsx``),
        ``index.csv`` and ``README.md``: the bundled ``data/sample``.
    seed : int, optional
        Seed for every hospital written (default: each profile's own).
    ledger_rows : int
        When > 0, write a transaction ledger of about this many rows into each hospital folder
        (``casekit.sample.ledger.write_ledger``) in place of ``actuals.csv``.
    ledger_format : {"csv", "parquet"}
    departments, years : int, optional
        Override the number of departments / budget years.
    console : rich.console.Console, optional
        Where to report the files written.
    force : bool
        Replace existing folders and files that are not casekit sample data (by default only
        sample folders, recognised by their ``hospital.yaml`` header, and the files of a sample
        folder with casekit's ``README.md`` are replaced).

    Returns
    -------
    list of pathlib.Path
        Folders and files written.

    Raises
    ------
    ConfigError
        Unknown profile or ledger format, negative ledger rows, departments or years out of range.
    OutputError
        A folder or file to write exists and is not casekit sample data (without ``force``).
    """
    if ledger_format not in LEDGER_FORMATS:
        raise ConfigError(f"unknown ledger format {ledger_format!r}", f"Use one of: {', '.join(LEDGER_FORMATS)}.")
    if ledger_rows < 0:
        raise ConfigError(f"--ledger-rows must be 0 or more, got {ledger_rows}", "Pass a row count such as 1000000.")
    keys = list(PROFILES) if all_profiles else [get_profile(profile).key]
    out = Path(out_dir)
    for key in keys:
        check_output(out / PROFILES[key].folder, force=force, ours=is_sample_folder, what="folder")
        if all_profiles and key in ZH_WORKBOOK:
            check_output(out / ZH_WORKBOOK[key], force=force, ours=lambda _: _is_sample_root(out))
    if all_profiles:
        for name in ("index.csv", "README.md"):
            check_output(out / name, force=force, ours=lambda _: _is_sample_root(out))
    written: list[Path] = []
    entries = []
    for key in keys:
        p = PROFILES[key]
        used_seed = p.seed if seed is None else seed
        h = generate(key, seed=used_seed, departments=departments, years=years)
        folder = write_hospital(h, out / p.folder, fmt="csv", lang="en")
        written.append(folder)
        if ledger_rows > 0:
            from casekit.sample.ledger import write_ledger

            written += write_ledger(h, folder, ledger_rows, fmt=ledger_format, seed=used_seed)
            # The ledger replaces the monthly actuals (its sums equal them to the cent), so the
            # folder exercises the ledger path of the loader instead of being ignored beside them.
            actuals_file = folder / "actuals.csv"
            actuals_file.unlink(missing_ok=True)
            written = [w for w in written if w != actuals_file]
        if all_profiles and key in ZH_WORKBOOK:
            written.append(write_hospital(h, out / ZH_WORKBOOK[key], fmt="xlsx", lang="zh"))
        entries.append({"folder": p.folder, "profile": key, "seed": used_seed, "description": p.description,
                        "expected_findings": _expected_text(p.expected), "first_year": min(h.budget["year"])})
    if all_profiles:
        written += write_sample_index(out, entries)
    if console is not None:
        for path in written:
            console.print(f"wrote {path}", highlight=False)
    return written


def cached_sample(profile: str) -> Path:
    """Write sample hospital ``profile`` into casekit's cache folder and return its folder (``casekit run --sample``).

    The folder is :func:`casekit.paths.sample_cache_dir` ``/ <profile folder>``, e.g.
    ``~/.cache/casekit/samples/j_hospital``. It is written again on every call: the generator is
    seeded, so the files are byte-identical each time (the same as ``casekit sample``), never stale
    after an upgrade, and the executed notebooks of the report can be re-run from it.

    Raises
    ------
    ConfigError
        Unknown profile.
    OutputError
        The cache folder cannot be written.
    """
    from casekit.paths import sample_cache_dir

    key = get_profile(profile).key
    root = sample_cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    sample_command(out_dir=root, profile=key, force=True)  # casekit's own cache: always replaced
    return root / PROFILES[key].folder
