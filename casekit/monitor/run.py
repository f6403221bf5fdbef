"""``casekit monitor``: the monthly report, end to end.

1. Options are checked and the data validated once (errors stop before any kernel starts).
2. The analysis is computed in this process (:func:`casekit.monitor.report.prepare`), with last
   month's comments file read back; it is pickled into the private staging folder.
3. ``comments.xlsx`` (this month's flagged variances, with what was already filled in) and
   ``monitor.xlsx`` (every table, :func:`casekit.report.excel.write_tables`) are written.
4. ``notebooks/monitor.ipynb`` is executed by the main runner's papermill call
   (:func:`casekit.pipeline.notebooks.execute`) with the pickle's path; ``executed_monitor.ipynb``
   keeps the values used with ``prepared`` and ``output_dir`` emptied, so it re-runs on its own
   (:func:`casekit.pipeline.notebooks.audit_parameters`). The executed notebook is rendered with the main report's machinery: ``report.html`` (:func:`casekit.report.html.render_html`,
   fonts embedded), ``report.pdf`` (:func:`casekit.report.pdf.write_pdf`) and ``report.docx``
   (:func:`casekit.report.word.write_docx`).
5. Outputs are checked and the staging folder is published atomically
   (:func:`casekit.fs.atomic.publish_dir`); a failed run leaves the previous report intact.
"""
from __future__ import annotations

import os
import pickle
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from casekit.money import unit_of
from casekit.errors import DataValidationError, OutputError
from casekit.paths import NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "monitor.ipynb"
PREPARED = ".monitor-session.pkl"
AUDIT_RESET = ("prepared", "output_dir")
"""Runner-only parameters emptied in ``executed_monitor.ipynb``: it then re-runs on its own from its values."""
OUTPUTS = ("report.html", "monitor.xlsx", "comments.xlsx", "run.log", "executed_monitor.ipynb")


@dataclass
class MonitorRun:
    """What :func:`run_monitor` produced: the published folder, its files and ``run.log``'s text."""

    out_dir: Path
    outputs: list[Path]
    log: str


def default_out_dir(data_path: str | os.PathLike, month: str) -> Path:
    """``reports/<data folder>_monitor_<YYYY-MM>`` (beside, not inside, the annual report folder)."""
    from casekit.pipeline.runner import default_out_dir as report_dir

    base = report_dir(data_path)
    return base.with_name(f"{base.name}_monitor_{month}")


def run_monitor(data_path: str | os.PathLike, *, through: str | None = None, out_dir: str | os.PathLike | None = None,
                lang: str = "en", config: str | os.PathLike | None = None, comments: str | os.PathLike | None = None,
                pdf: bool = True, progress: bool = True) -> MonitorRun:
    """Write the monthly monitoring report of a hospital.

    Parameters
    ----------
    data_path : path-like
        Hospital data folder or workbook.
    through : str, optional
        ``YYYY-MM``; default the latest month with actuals.
    out_dir : path-like, optional
        Default :func:`default_out_dir`.
    lang : {"en", "zh"}
    config : path-like, optional
        Thresholds YAML (``bands.*``, ``monitor.*``).
    comments : path-like, optional
        Last month's ``comments.xlsx`` as filled in by the departments.
    pdf : bool
        Also print ``report.pdf``.
    progress : bool
        Show papermill's progress bar.

    Returns
    -------
    MonitorRun

    Raises
    ------
    DataValidationError, ConfigError, CommentsFileError, NotebookExecutionError, OutputError
    """
    import nbformat

    import casekit
    from casekit.data.loader import validate
    from casekit.fs.atomic import make_staging_dir, publish_dir, write_text
    from casekit.monitor.comments import write_comments
    from casekit.monitor.report import prepare
    from casekit.pipeline.notebooks import audit_parameters, execute
    from casekit.pipeline.runner import check_options
    from casekit.report.excel import write_tables
    from casekit.report.html import count_images, embed_fonts, render_html

    check_options(lang, config)
    log: list[str] = [f"casekit {casekit.__version__} monitor {data_path} through={through or 'latest'} lang={lang}"]
    t0 = time.perf_counter()
    report = validate(data_path, config=config)
    if report.has_errors or report.hospital is None:
        raise DataValidationError(report.issues, source=str(data_path))
    h = report.hospital
    s = prepare(h, through or "", lang=lang, config="" if config is None else str(config),
                comments="" if comments is None else str(comments))
    r = s.result
    log.append(f"analysis: {r.period.label}, {len(r.lines)} lines, {len(r.flags)} flagged variances, "
               f"{time.perf_counter() - t0:.1f} s")
    out = Path(out_dir) if out_dir is not None else default_out_dir(data_path, r.period.label)
    staging = make_staging_dir(out)
    try:
        write_comments(r.flags, staging / "comments.xlsx", lang=lang, departments=h.departments, accounts=h.accounts,
                       previous=s.comments)
        write_tables({**r.tables(), "flags": s.flags}, staging / "monitor.xlsx", lang=lang,
                     unit=unit_of(r.hospital.profile, lang))
        prepared = staging / PREPARED
        with open(prepared, "wb") as fh:
            pickle.dump(s, fh)
        params = {"data_path": str(Path(data_path).resolve()), "through": r.period.label, "lang": lang,
                  "config": "" if config is None else str(Path(config).resolve()),
                  "comments": "" if comments is None else str(Path(comments).resolve()),
                  "prepared": str(prepared), "output_dir": str(staging)}
        t = time.perf_counter()
        executed = execute(NOTEBOOK, staging / "executed_monitor.ipynb", params, cwd=NOTEBOOKS_DIR, progress=progress)
        log.append(f"notebook: {time.perf_counter() - t:.1f} s")
        prepared.unlink()
        nbformat.write(audit_parameters(executed, params, AUDIT_RESET), staging / "executed_monitor.ipynb")
        title = f"{h.name}: {'月度预算执行分析' if lang == 'zh' else 'monthly budget execution analysis'} {r.period.label}"
        page = render_html(executed, title=title, lang=lang, version=casekit.__version__)
        page, font = embed_fonts(page)
        log.append(font.summary())
        html_path = write_text(staging / "report.html", page)
        if count_images(page) < 1:
            raise OutputError("report.html of the monitor has no figure", "Open executed_monitor.ipynb to see why.")
        written = [html_path]
        if pdf:
            from casekit.report.pdf import notebook_pngs, write_pdf

            res = write_pdf(html_path, staging / "report.pdf", figures=notebook_pngs(executed), title=title, lang=lang)
            log.append(f"pdf: route={res.route} ({res.detail})")
            written.append(res.path)
        from casekit.report.word import write_docx

        written.append(write_docx(page, staging / "report.docx", title=title, lang=lang))
        write_text(staging / "run.log", "\n".join(log) + "\n")
        for name in OUTPUTS:
            p = staging / name
            if not p.is_file() or p.stat().st_size == 0:
                raise OutputError(f"expected output {name} is missing or empty", "Open executed_monitor.ipynb.")
        nbformat.validate(executed)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish_dir(staging, out)
    names = sorted({*OUTPUTS, *(p.name for p in written)})
    return MonitorRun(out_dir=out, outputs=[out / n for n in names], log="\n".join(log))
