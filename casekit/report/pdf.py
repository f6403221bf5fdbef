"""``report.pdf``: print the HTML report with headless Chromium, or draw a fallback PDF.

Chromium is found through the ``CASEKIT_CHROMIUM`` environment variable, then ``chromium``,
``chromium-browser`` and ``google-chrome`` on ``PATH``. It runs with a fresh throw-away
profile and every background network feature switched off, under a timeout. The page's print
stylesheet (casekit.css) sets A4 paper and page numbers; Chromium adds a document outline
(bookmarks from the headings) and tags the PDF for screen readers. Without a
browser (or when printing fails) :func:`fallback_pdf` draws a plainer PDF with matplotlib:
a title page (synthetic-data banner and citation), the findings table and the figures.
:func:`write_pdf` returns which route was used so the run log can say so.

nbconvert's own ``webpdf`` and LaTeX routes are not used: the first downloads a browser at
run time, the second drops Chinese text (see TOOLING.md).
"""
from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from casekit.errors import MissingDependencyError, OutputError
from casekit.fs.atomic import atomic_path, pid_alive

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
)
INSTALL_HINT = ("Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`, or `make browser` as root) "
                "or set CASEKIT_CHROMIUM=/path/to/chrome.")


def find_chromium() -> str | None:
    """Path of a Chromium-family browser, or ``None``.

    ``CASEKIT_CHROMIUM`` wins when set (it must point to an executable file); otherwise the
    first of ``chromium``, ``chromium-browser``, ``google-chrome`` found on ``PATH``.
    """
    env = os.environ.get("CASEKIT_CHROMIUM", "").strip()
    if env:
        path = shutil.which(env) or (env if os.access(env, os.X_OK) and Path(env).is_file() else None)
        return path
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(browser: str, profile_dir: str | os.PathLike, *extra: str) -> list[str]:
    """The full command line: browser, casekit's safe flags, a fresh profile, then ``extra``."""
    return [browser, *CHROMIUM_FLAGS, f"--user-data-dir={os.fspath(profile_dir)}", *extra]


CHROMIUM_TIMEOUT = 45.0
"""Seconds before a hanging Chromium is stopped and the fallback PDF is written (a report prints in about 1 s)."""


def run_chromium(extra: Sequence[str], *, browser: str | None = None, timeout: float = CHROMIUM_TIMEOUT
                 ) -> subprocess.CompletedProcess:
    """Run headless Chromium once with a throw-away profile.

    Parameters
    ----------
    extra : sequence of str
        Arguments after casekit's flags (``--print-to-pdf=...``, ``--dump-dom``, the URL).
    browser : str, optional
        Browser executable (default: :func:`find_chromium`).
    timeout : float
        Seconds before the browser is killed.

    Returns
    -------
    subprocess.CompletedProcess
        With ``stdout``/``stderr`` as text.

    Raises
    ------
    MissingDependencyError
        No browser was found.
    OutputError
        The browser timed out.
    """
    browser = browser or find_chromium()
    if browser is None:
        raise MissingDependencyError("no Chromium browser was found", INSTALL_HINT)
    remove_stale_profiles()
    with tempfile.TemporaryDirectory(prefix=f"{PROFILE_PREFIX}{os.getpid()}-") as profile:
        cmd = chromium_command(browser, profile, *extra)
        # its own process group, so that the renderer and helper processes end with it
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                text=True, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise OutputError(f"Chromium did not finish within {timeout:.0f} s and was stopped",
                              "Retry, or use --no-pdf and print report.html from a browser.") from None
        finally:
            _kill_group(proc)
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


PROFILE_PREFIX = "casekit-chromium-"
"""Temporary Chromium profiles are ``<tmp>/casekit-chromium-PID-xxxx`` (PID: the casekit process)."""


def _kill_group(proc: subprocess.Popen) -> None:
    """End Chromium and every process it started (they share its process group)."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def remove_stale_profiles() -> list[Path]:
    """Delete temporary Chromium profiles left by casekit processes that no longer run (a killed run)."""
    removed = []
    for p in Path(tempfile.gettempdir()).glob(PROFILE_PREFIX + "*"):
        pid = p.name[len(PROFILE_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def print_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, *, browser: str | None = None,
              timeout: float = CHROMIUM_TIMEOUT) -> Path:
    """Print an HTML file to PDF with headless Chromium, atomically.

    Parameters
    ----------
    html_path : str or path-like
        Local, self-contained HTML page (see :mod:`casekit.report.html`).
    pdf_path : str or path-like
        The PDF to write.
    browser : str, optional
        Browser executable (default: :func:`find_chromium`).
    timeout : float
        Seconds before giving up.

    Returns
    -------
    pathlib.Path
        ``pdf_path``.

    Raises
    ------
    MissingDependencyError
        No browser was found.
    OutputError
        The browser failed, timed out or wrote no valid PDF.
    """
    html_uri = Path(html_path).resolve().as_uri()
    with atomic_path(pdf_path) as tmp:
        proc = run_chromium(["--no-pdf-header-footer", "--print-to-pdf-no-header", "--generate-pdf-document-outline",
                             "--export-tagged-pdf", f"--print-to-pdf={tmp}", html_uri],
                            browser=browser, timeout=timeout)
        ok = tmp.exists() and tmp.stat().st_size > 0 and tmp.read_bytes()[:5] == b"%PDF-"
        if proc.returncode != 0 or not ok:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise OutputError(f"Chromium could not print {html_path} (exit {proc.returncode}): {' | '.join(tail)}",
                              "Retry, or use --no-pdf and print report.html from a browser.")
    return Path(pdf_path)


@dataclass
class PdfResult:
    """Which route produced ``report.pdf`` and why.

    ``warnings`` holds what a user should see on the console (why Chromium was not used, a
    fallback without CJK glyphs); the run log records ``route`` and ``detail`` as well.
    """

    path: Path
    route: str  # "chromium" or "fallback"
    detail: str
    warnings: tuple[str, ...] = ()


def chromium_problem() -> str:
    """Why no browser is used: a ``CASEKIT_CHROMIUM`` that is not an executable, or none on ``PATH``."""
    env = os.environ.get("CASEKIT_CHROMIUM", "").strip()
    if env:
        return (f"CASEKIT_CHROMIUM={env} is not an executable file (mistyped path?); fix or unset it, "
                "or install chromium")
    return "no Chromium found (set CASEKIT_CHROMIUM or install chromium, e.g. `make browser` as root)"


def write_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, *, diagnosis: Any = None,
              figures: Iterable[bytes] = (), title: str = "casekit report", banner: str | None = None,
              citation: str = "", lang: str = "en", timeout: float = CHROMIUM_TIMEOUT) -> PdfResult:
    """Write ``report.pdf`` by Chromium if possible, else by :func:`fallback_pdf`.

    Parameters
    ----------
    html_path, pdf_path : path-like
    diagnosis : casekit.diagnosis.Diagnosis or dict, optional
        Source of the findings table for the fallback (a Diagnosis or ``findings.json`` data).
    figures : iterable of bytes
        PNG images for the fallback (e.g. from the executed notebook).
    title, banner, citation : str
        Title page of the fallback.
    lang : {"en", "zh"}
        Language of the fallback's finding titles.
    timeout : float
        Chromium timeout in seconds.

    Returns
    -------
    PdfResult
        ``route`` is ``"chromium"`` or ``"fallback"``; ``detail`` says why (browser path, or
        the reason Chromium was not used).
    """
    browser = find_chromium()
    if browser is not None:
        try:
            print_pdf(html_path, pdf_path, browser=browser, timeout=timeout)
            return PdfResult(Path(pdf_path), "chromium", browser)
        except OutputError as exc:
            reason = f"Chromium at {browser} failed ({exc.message})"
    else:
        reason = chromium_problem()
    notes = [f"report.pdf: {reason}; writing the plainer matplotlib fallback PDF instead"]
    cjk = _use_cjk_font_if_needed([title, banner or "", citation] + [r[1] for r in _findings_rows(diagnosis, lang)])
    if cjk is False:
        notes.append("report.pdf: no CJK font for the fallback PDF, so its Chinese text shows as empty boxes "
                     "(`pip install noto-cjk-sans-otc`)")
    fallback_pdf(pdf_path, diagnosis=diagnosis, figures=figures, title=title, banner=banner, citation=citation,
                 lang=lang)
    return PdfResult(Path(pdf_path), "fallback", f"{reason}; used the matplotlib fallback", tuple(notes))


def _findings_rows(diagnosis: Any, lang: str = "en") -> list[list[str]]:
    """Rows (code, title, status, severity, grade) from a Diagnosis or its ``to_dict()``/JSON form."""
    def items(kind: str) -> list[Any]:
        got = diagnosis.get(kind, []) if isinstance(diagnosis, dict) else getattr(diagnosis, kind, [])
        return list(got or [])

    rows = []
    for f in items("problems") + items("causes"):
        get = f.get if isinstance(f, dict) else lambda k, f=f: getattr(f, k, None)
        sev = get("severity")
        name = (get("title_zh") if lang == "zh" else None) or get("title_en") or ""
        rows.append([str(get("code")), textwrap.shorten(str(name), 48), str(get("status")).replace("_", " "),
                     "" if sev is None else f"{sev:.0f}", get("grade") or ""])
    return rows


def _use_cjk_font_if_needed(texts: Iterable[str]) -> bool | None:
    """Register casekit's CJK font when any text is non-ASCII (skipped for English-only pages).

    Returns ``None`` when no font was needed, else whether one was registered.
    """
    if all(str(t).isascii() for t in texts):
        return None
    from casekit.report.fonts import setup_fonts

    try:
        setup_fonts()
    except MissingDependencyError:
        return False  # glyphs show as boxes; write_pdf says so
    return True


def fallback_pdf(pdf_path: str | os.PathLike, *, diagnosis: Any = None, figures: Iterable[bytes] = (),
                 title: str = "casekit report", banner: str | None = None, citation: str = "",
                 lang: str = "en") -> Path:
    """Draw a plain PDF with matplotlib: title page, findings table, one figure per page.

    Parameters
    ----------
    pdf_path : str or path-like
    diagnosis : casekit.diagnosis.Diagnosis or dict, optional
        Its ``problems`` and ``causes`` (``Finding`` objects, or the dicts of
        ``findings.json``) fill the findings table.
    figures : iterable of bytes
        PNG images, one page each.
    title, banner, citation : str
        Title page text; ``banner`` (e.g. "synthetic data") is drawn in a box.
    lang : {"en", "zh"}
        Language of the finding titles.

    Returns
    -------
    pathlib.Path
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    a4 = (8.27, 11.69)
    rows = _findings_rows(diagnosis, lang)
    _use_cjk_font_if_needed([title, banner or "", citation] + [r[1] for r in rows])
    # names from the data are text, never mathtext ("$\\frac{}$" would crash the page)
    with matplotlib.rc_context({"text.parse_math": False}), atomic_path(pdf_path) as tmp, PdfPages(tmp) as pdf:
        fig = plt.figure(figsize=a4)
        fig.text(0.5, 0.80, "\n".join(textwrap.wrap(title, 40)), ha="center", va="top", fontsize=20, weight="bold")
        if banner:
            fig.text(0.5, 0.62, "\n".join(textwrap.wrap(banner, 70)), ha="center", va="top", fontsize=11,
                     color="#8a4b00", bbox={"boxstyle": "round", "fc": "#fff4e0", "ec": "#8a4b00"})
        if citation:
            fig.text(0.5, 0.15, "\n".join(textwrap.wrap(citation, 90)), ha="center", va="top", fontsize=8,
                     color="#5f6b7a")
        fig.text(0.5, 0.05, "Fallback rendering (no Chromium): see report.html for the full report.",
                 ha="center", fontsize=8, color="#5f6b7a")
        pdf.savefig(fig)
        plt.close(fig)

        if rows:
            fig, ax = plt.subplots(figsize=a4)
            ax.axis("off")
            ax.set_title("Findings", loc="left", fontsize=14, weight="bold")
            table = ax.table(cellText=rows, colLabels=["code", "finding", "status", "severity", "grade"],
                             loc="upper center", colWidths=[0.08, 0.52, 0.16, 0.12, 0.12], cellLoc="left")
            table.auto_set_font_size(False)
            table.set_fontsize(8)
            table.scale(1, 1.4)
            pdf.savefig(fig)
            plt.close(fig)

        for png in figures:
            img = mpimg.imread(io.BytesIO(png), format="png")
            fig, ax = plt.subplots(figsize=a4)
            ax.imshow(img)
            ax.axis("off")
            pdf.savefig(fig)
            plt.close(fig)
    return Path(pdf_path)


def notebook_pngs(nb: Any) -> list[bytes]:
    """Every ``image/png`` output of an executed notebook, decoded, in order."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = o.get("data", {})
            if "image/png" in data:
                raw = data["image/png"]
                out.append(base64.b64decode(raw if isinstance(raw, str) else "".join(raw)))
    return out
