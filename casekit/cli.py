"""The ``casekit`` command-line interface (typer).

Every command catches :class:`casekit.errors.CasekitError`, prints its message and exits 1:
a user's mistake never shows a Python traceback. Heavy modules are imported inside the
commands so ``casekit --help`` is instant.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from casekit.errors import CasekitError
from casekit.terminal import SafeConsole

app = typer.Typer(
    name="casekit",
    help="Diagnose comprehensive budget management in a public hospital (J-hospital case method).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: flags read as flags (rich panels print "--redact <bool>")
)
err = SafeConsole(stderr=True, soft_wrap=True)
out = SafeConsole(soft_wrap=True)  # long lines stay whole in pipes and logs


def friendly(fn: Callable) -> Callable:
    """Turn CasekitError into a readable message and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CasekitError as exc:
            err.print(f"casekit: {exc}", highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(1)
        except KeyboardInterrupt:
            err.print("casekit: interrupted; previous outputs were left intact.", markup=False)
            raise typer.Exit(130)

    return wrapper


FORCE_HELP = "Replace an existing file or folder that casekit did not write (never an input)."
LINKS_HELP = "Follow symbolic links that lead out of the hospital folder (refused by default)."


def _allow_outside_links(allow: bool) -> None:
    """Let this process, its notebook kernels and batch workers follow links out of hospital folders."""
    if allow:
        from casekit.fs.input_files import ALLOW_LINKS_ENV

        os.environ[ALLOW_LINKS_ENV] = "1"


@app.command()
@friendly
def validate(
    path: Annotated[Path, typer.Argument(help="Hospital data folder (CSV/Parquet files) or Excel workbook.")],
    json_out: Annotated[Optional[str], typer.Option("--json", metavar="FILE",
                                                    help="Also write the problems as JSON to FILE ('-' for stdout).")] = None,
    config: Annotated[Optional[Path], typer.Option(
        "--config", help="YAML thresholds file; its data.line_rate_max / data.total_rate_max plausibility limits "
                         "apply.")] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    allow_outside_links: Annotated[bool, typer.Option("--allow-outside-links", help=LINKS_HELP)] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of the problems, fixes and summary: en or zh.")] = "en",
) -> None:
    """Check a hospital's data and print every problem (file, sheet, row, column, value, fix).

    On a terminal the problems are a table; in a pipe or log file they are plain lines
    ``file:sheet:row:column: severity: problem — fix``. Exits 1 when there are errors, 0 when
    there are only warnings or none.
    """
    from casekit.data.loader import validate_path
    from casekit.data.validation_report import is_report_json, print_report
    from casekit.fs.overwrite import check_output
    from casekit.labels import check_lang

    check_lang(lang)
    _allow_outside_links(allow_outside_links)
    if json_out not in (None, "-"):
        check_output(json_out, force=force, ours=is_report_json, inputs=[path])
    report = validate_path(path, config=config)
    if json_out == "-":
        sys.stdout.write(report.to_json() + "\n")
    else:
        print_report(report, out, lang=lang)
        if json_out is not None:
            report.write_json(Path(json_out))
    raise typer.Exit(1 if report.has_errors else 0)


@app.command()
@friendly
def template(
    out_file: Annotated[Path, typer.Argument(help="Workbook to write, e.g. my_hospital.xlsx (or casekit-mapping.yaml "
                                                  "with --from)")],
    lang: Annotated[str, typer.Option("--lang", help="Header language: zh or en.")] = "en",
    from_export: Annotated[Optional[Path], typer.Option(
        "--from", help="A finance-system export: write the mapping file (department types, account categories) "
                       "pre-filled from it instead of a workbook.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing workbook (it may hold a client's data).")] = False,
) -> None:
    """Write an empty Excel workbook for a client hospital (one sheet per table, drop-downs, data dictionary).

    With --from EXPORT, write casekit-mapping.yaml pre-filled from a finance-system export instead.
    """
    from casekit.fs.overwrite import check_output

    check_output(out_file, force=force, inputs=[from_export] if from_export is not None else [])
    if from_export is not None:
        from casekit.data.exports.template import write_mapping_template

        write_mapping_template(from_export, out_file)
        out.print(f"wrote {out_file}: check every department type and account category in it (they are guesses)")
        return
    from casekit.data.template import write_template

    write_template(out_file, lang=lang)
    out.print(f"wrote {out_file}", markup=False, highlight=False)


@app.command()
@friendly
def sample(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write into.")] = Path("data/sample"),
    profile: Annotated[str, typer.Option("--profile", help="j, well_run or mixed (ignored with --all).")] = "j",
    all_profiles: Annotated[bool, typer.Option("--all", help="Write all bundled sample hospitals.")] = False,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Random seed (default: the profile's own).")] = None,
    ledger_rows: Annotated[int, typer.Option("--ledger-rows", help="Write a transaction ledger of N rows in place of actuals.csv.")] = 0,
    ledger_format: Annotated[str, typer.Option("--ledger-format", help="csv or parquet.")] = "csv",
    departments: Annotated[Optional[int], typer.Option("--departments", help="Override the number of departments.")] = None,
    years: Annotated[Optional[int], typer.Option("--years", help="Override the number of years.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing folders and files that are not casekit sample data.")] = False,
) -> None:
    """Generate synthetic sample hospitals (seeded, documented in casekit.sample)."""
    from casekit.sample.cli_support import sample_command

    sample_command(out_dir=out_dir, profile=profile, all_profiles=all_profiles, seed=seed,
                   ledger_rows=ledger_rows, ledger_format=ledger_format,
                   departments=departments, years=years, console=out, force=force)


@app.command()
@friendly
def run(
    data_path: Annotated[Optional[Path], typer.Argument(
        help="Hospital data folder or workbook (or leave it out and give --sample).")] = None,
    sample_name: Annotated[Optional[str], typer.Option(
        "--sample", metavar="NAME",
        help="Run a generated sample hospital instead: j, well_run or mixed (written to casekit's cache folder, "
             "e.g. ~/.cache/casekit/samples/j_hospital, the same files as casekit sample).")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Report folder (default reports/<folder name>).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or zh.")] = "en",
    config: Annotated[Optional[Path], typer.Option("--config", help="YAML file overriding default thresholds.")] = None,
    param: Annotated[Optional[list[str]], typer.Option("-p", "--param", help="Notebook parameter name=value (repeatable).")] = None,
    redact: Annotated[bool, typer.Option("--redact", help="Replace department names by codes in all outputs.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print report.pdf.")] = True,
    allow_outside_links: Annotated[bool, typer.Option("--allow-outside-links", help=LINKS_HELP)] = False,
    formats: Annotated[Optional[str], typer.Option(
        "--formats", metavar="LIST",
        help="Outputs to write, comma-separated: html,pdf,docx,xlsx,json (default: all).")] = None,
) -> None:
    """Validate, execute the notebooks and write report.html, report.pdf, report.docx, tables.xlsx and findings.json.

    ``casekit run --sample j`` generates the J sample hospital and runs it (report in
    reports/j_hospital), with no data folder needed.
    """
    from casekit.errors import ConfigError
    from casekit.labels import LANGS, label
    from casekit.pipeline.runner import run as run_hospital

    if (data_path is None) == (sample_name is None):
        raise ConfigError("give a data folder or workbook, or --sample NAME" +
                          (", not both" if data_path is not None else ""),
                          "For example: casekit run data/sample/j_hospital, or casekit run --sample j.")
    if sample_name is not None:
        from casekit.sample.cli_support import cached_sample

        data_path = cached_sample(sample_name)
        out.print(label("cli.sample_written", lang if lang in LANGS else "en", path=data_path),
                  markup=False, highlight=False)
    _allow_outside_links(allow_outside_links)
    # papermill's progress bar only on a terminal: in a log file it would write a line per cell.
    result = run_hospital(data_path, out_dir=out_dir, lang=lang, config=config, params=param or [],
                          redact=redact, pdf=pdf, progress=sys.stderr.isatty(), formats=formats)
    out.print(label("cli.report_written", lang, path=result.out_dir), markup=False, highlight=False)
    for p in result.outputs:
        out.print(f"  {p}")


@app.command()
@friendly
def monitor(
    data_path: Annotated[Path, typer.Argument(help="Hospital data folder or workbook with monthly actuals.")],
    through: Annotated[Optional[str], typer.Option("--through", help="Last month of the analysis, YYYY-MM (default: the latest month with actuals).")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Report folder (default reports/<folder name>_monitor_<YYYY-MM>).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or zh.")] = "en",
    config: Annotated[Optional[Path], typer.Option("--config", help="YAML file overriding default thresholds (bands.*, monitor.*).")] = None,
    comments: Annotated[Optional[Path], typer.Option("--comments", help="Last month's comments.xlsx as filled in by the departments.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print report.pdf.")] = True,
) -> None:
    """Monthly execution analysis: year to date, time-progress gap, year-end projection, variances to explain.

    Writes report.html/.pdf/.docx, monitor.xlsx and comments.xlsx (for the departments to fill in;
    pass it back next month with --comments).
    """
    from casekit.labels import label
    from casekit.monitor.run import run_monitor

    result = run_monitor(data_path, through=through, out_dir=out_dir, lang=lang, config=config, comments=comments,
                         pdf=pdf, progress=True)
    out.print(label("cli.monitor_written", lang, path=result.out_dir), markup=False, highlight=False)
    for p in result.outputs:
        out.print(f"  {p}")


@app.command()
@friendly
def batch(
    root: Annotated[Path, typer.Argument(help="Folder whose sub-folders are hospitals.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where the per-hospital reports and the benchmark go.")] = Path("reports/batch"),
    workers: Annotated[int, typer.Option("--workers", help="Local worker processes.")] = 2,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="dask.distributed scheduler address.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or zh.")] = "en",
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print each report.pdf.")] = False,
    findings_only: Annotated[bool, typer.Option(
        "--findings-only", help="Only diagnose: findings.json per hospital and the panel, no notebooks or reports.")] = False,
    allow_outside_links: Annotated[bool, typer.Option("--allow-outside-links", help=LINKS_HELP)] = False,
) -> None:
    """Run every hospital under ROOT in parallel; write the panel (Parquet, CSV) and a cross-hospital benchmark."""
    from casekit.labels import LANGS, label
    from casekit.pipeline.batch import BatchError, run_batch

    _allow_outside_links(allow_outside_links)
    try:
        result = run_batch(root, out_dir=out_dir, workers=workers, scheduler=scheduler, lang=lang, pdf=pdf,
                           console=out, findings_only=findings_only)
    except BatchError as exc:
        err.print(label("cli.batch_failed", lang if lang in LANGS else "en", n=len(exc.result.failed)),
                  markup=False, highlight=False)
        for r in exc.result.failed:
            first = "\n    ".join(r.error.splitlines()[:6])
            err.print(f"  {r.name}: {first}", markup=False, highlight=False, soft_wrap=True)
        raise
    out.print(f"panel: {result.panel} (and {result.panel.name.replace('.parquet', '.csv')})", markup=False)
    out.print(f"benchmark report: {result.report}", markup=False)


@app.command()
@friendly
def diagnose(
    path: Annotated[Path, typer.Argument(help="Hospital data folder or workbook.")],
    json_out: Annotated[Optional[str], typer.Option(
        "--json", help="Also write the findings as JSON to this file; '-' writes only the JSON to standard output.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the table: en or zh.")] = "en",
    config: Annotated[Optional[Path], typer.Option("--config", help="YAML file overriding default thresholds.")] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Load and diagnose a hospital and print its findings (no notebooks, no report): a table on a terminal."""
    from casekit.data.loader import load
    from casekit.diagnosis import diagnose as diagnose_hospital
    from casekit.labels import check_lang, label
    from casekit.fs.overwrite import check_output, json_with_keys
    from casekit.report.terminal import print_findings

    check_lang(lang)
    if json_out not in (None, "-"):
        check_output(json_out, force=force, ours=json_with_keys({"schema_version", "problems", "causes"}),
                     inputs=[path])
    diagnosis = diagnose_hospital(load(path), config)
    if json_out == "-":
        sys.stdout.write(diagnosis.to_json() + "\n")
        return
    print_findings(diagnosis, out, lang)
    if json_out:
        diagnosis.to_json(Path(json_out))
        out.print(label("cli.json_written", lang, path=json_out), markup=False, highlight=False)


@app.command()
@friendly
def notebooks(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write into, e.g. casekit-notebooks; it gets notebooks/ "
                                                 "and data/sample/j_hospital.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace existing notebooks that differ from casekit's (your edits are lost) and a data "
                        "folder that is not a casekit sample.")] = False,
) -> None:
    """Copy the report notebooks and the sample they open on into a folder, to open and run in JupyterLab.

    Then: jupyter lab OUT_DIR/notebooks. The notebooks' default data_path, ../data/sample/j_hospital,
    is the sample written beside them; set data_path in a notebook's parameters cell to use your own data.
    """
    from casekit.pipeline.workspace import write_workspace

    for path in write_workspace(out_dir, force=force):
        out.print(f"wrote {path}", markup=False, highlight=False)
    out.print(f"open them with: jupyter lab {out_dir / 'notebooks'}", markup=False, highlight=False)


@app.command()
@friendly
def docs(
    out_dir: Annotated[Path, typer.Option("--out", help="Docs folder.")] = Path("docs"),
    force: Annotated[bool, typer.Option("--force", help="Replace a data-format.md that casekit did not generate.")] = False,
) -> None:
    """Regenerate docs/data-format.md from the schemas."""
    from casekit.data.dictionary import is_generated, write_data_format
    from casekit.fs.overwrite import check_output

    check_output(out_dir / "data-format.md", force=force, ours=is_generated)
    path = write_data_format(out_dir / "data-format.md")
    out.print(f"wrote {path}")


def main() -> None:
    """Entry point of the ``casekit`` console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
