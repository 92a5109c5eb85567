"""The period report: papermill run → executed notebook → HTML → A4 PDF, indicators.csv, manifest.json.

Everything a run writes goes to a temporary folder beside the target and is swapped in only when every
stage succeeded, so a failed run never leaves half-written outputs and never touches the previous ones.
Exports happen in this process (nbconvert's HTMLExporter, then WeasyPrint). Notebooks never import
this module.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import html
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .display import fonts
from .errors import DataError, ReportError
from .indicators import indicator_sheet, sheet_to_csv
from .load import as_period, file_digests, list_periods, load_period
from .periods import Period, last_complete

FORMATS = ("ipynb", "html", "pdf")
#: Tags: cells removed from the HTML/PDF (the notebook keeps them).
HIDE_TAG = "report-hide"
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
_TEMPLATES = Path(__file__).resolve().parent / "templates"


# --------------------------------------------------------------------------- papermill set-up

def _register_readable_translator() -> None:
    """Make papermill write Chinese string parameters as readable literals ('梭罗峪'), not \\u escapes."""
    from papermill.translators import PythonTranslator, papermill_translators

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val):
            return repr(val)

    papermill_translators.register("python", ReadablePythonTranslator)


#: Lines a kernel started ahead runs while we import papermill: the report notebook's imports and the
#: font set-up its charts need.
WARM_LINES = ("import village_stats, village_stats.display.views, village_stats.display.plotting, village_stats.alerts",
              "village_stats.display.fonts.setup_matplotlib()",
              "import gc; gc.freeze()")  # imported modules never become garbage: keep them out of GC passes


def _kernel_manager_class(warm_lines: tuple[str, ...] = ()):
    """A kernel manager that always starts this very interpreter (whatever kernelspecs say).

    ``warm_lines`` run in the kernel as it starts (IPKernelApp.exec_lines), before it reports ready;
    the notebook's own import cell then finds the modules loaded. They leave no trace in the notebook.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    extra = [f"--IPKernelApp.exec_lines={json.dumps(list(warm_lines))}"] if warm_lines else []

    class ThisPythonKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # IPC sockets in a private temp folder: no TCP port races between parallel runs
            self.transport = "ipc"
            self.socket_dir = tempfile.mkdtemp(prefix="village-stats-kernel-")
            self.ip = os.path.join(self.socket_dir, "kernel")
            self.made_clients: list = []

        def client(self, **kwargs):
            """Remember the clients made, so their channels (and heartbeat thread) can be stopped."""
            kc = super().client(**kwargs)
            self.made_clients.append(kc)
            return kc

        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", *extra],
                    display_name="Python 3 (village_stats)", language="python", resource_dir="")
            return self._kernel_spec

    return ThisPythonKernelManager


class _EarlyKernel:
    """A kernel started before papermill is imported, so that its start-up (and the notebook's imports)
    run on the other core while this process imports papermill, nbconvert and WeasyPrint.

    Profiled on the 2-core machine: kernel start plus imports take about 1.1 s, importing papermill and
    nbformat about 1.0 s; started one after the other they added up.
    """

    def __init__(self) -> None:
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self.km = _kernel_manager_class(WARM_LINES)(kernel_name="python3")
        run_sync(self.km.start_kernel)(cwd=os.getcwd())

    def shutdown(self) -> None:
        for kc in self.km.made_clients:  # papermill leaves the channels of a kernel it does not own open
            kc.stop_channels()
        if self.km.has_kernel:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        self._run_sync(self.km.cleanup_resources)()
        shutil.rmtree(self.km.socket_dir, ignore_errors=True)


def _warm_exporters() -> None:
    """Import nbconvert and WeasyPrint and build the exporter once (runs while the kernel works)."""
    import nbformat
    import weasyprint
    from nbconvert import HTMLExporter

    HTMLExporter(template_name="basic").from_notebook_node(nbformat.v4.new_notebook())
    # lays out a tiny page: parses WeasyPrint's user-agent stylesheets and sets up fontconfig once
    weasyprint.HTML(string='<html><meta charset="utf-8"><p>warm</p></html>').render()


# --------------------------------------------------------------------------- periods

def resolve_period(period: str | Period, village: str, data_dir: Path, today: dt.date | None = None) -> Period:
    """Turn ``latest``/``previous`` or a code into a Period.

    ``latest``: the village's newest period with data. ``previous``: the last complete period before
    ``today`` of the same kind as the village's newest one (a cron job on 2017-07-05 gets 2017H1).
    """
    if isinstance(period, Period):
        return period
    if period in ("latest", "previous"):
        periods = list_periods(data_dir, village)
        if not periods:
            raise DataError(f"no period with data for village '{village}'", path=Path(data_dir) / village)
        if period == "latest":
            return periods[-1]
        return last_complete(periods[-1].kind, today or dt.date.today())
    return as_period(period)


# --------------------------------------------------------------------------- exports

def _report_notebook(nb):
    """A copy of the executed notebook for export: hidden and papermill error cells removed."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells
                if HIDE_TAG not in c.get("metadata", {}).get("tags", [])
                and PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    for i, cell in enumerate(nb.cells):  # stable ids: the HTML must not change between runs
        cell["id"] = f"cell-{i:02d}"
    return nb


def _page(body: str, *, lang: str, title: str, header: str, pdf_font: Path | None = None) -> str:
    """The report page around ``body``; with ``pdf_font``, an @font-face rule for WeasyPrint."""
    css = (_TEMPLATES / "report.css").read_text(encoding="utf-8")
    page_text = ('"第 " counter(page) " 页 / 共 " counter(pages) " 页"' if lang == "zh"
                 else '"Page " counter(page) " of " counter(pages)')
    css = (css.replace("FONT_STACK", fonts.CSS_STACK).replace("HEADER_TEXT", header.replace('"', "'"))
           .replace("PAGE_TEXT", page_text))
    if pdf_font is not None:
        css = fonts.font_face_css(pdf_font) + css
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def export_html_body(nb) -> str:
    """The executed notebook's outputs as an HTML fragment: no code, no prompts, hidden cells removed."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, anchor_link_text="")
    body, _ = exporter.from_notebook_node(_report_notebook(nb))
    return body


def write_pdf(page_html: str, target: Path, *, whole_fonts: bool = False) -> None:
    """Render an HTML page (with its @page rules) to PDF with WeasyPrint.

    ``whole_fonts`` embeds font files as they are, for a font that is already the document's subset
    (:func:`village_stats.display.fonts.pdf_font_path`): WeasyPrint's own fontTools subsetting then does not
    run (it cost 0.5 s per PDF even on a 400-glyph font, profiled).
    """
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # hinting=True keeps the (already subset) font's hints instead of re-processing every charstring
    HTML(string=page_html, base_url=str(target.parent)).write_pdf(str(target), hinting=True,
                                                                  full_fonts=whole_fonts)


# --------------------------------------------------------------------------- manifest helpers

def git_commit(root: Path = config.PROJECT_ROOT) -> str | None:
    """The checked-out commit of the source tree, read from .git without running git."""
    head = root / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if not ref.startswith("ref: "):
            return ref
        name = ref[5:]
        loose = root / ".git" / name
        if loose.is_file():
            return loose.read_text().strip()
        packed = root / ".git" / "packed-refs"
        for line in packed.read_text().splitlines():
            if line.endswith(" " + name):
                return line.split()[0]
    except OSError:
        return None
    return None


# --------------------------------------------------------------------------- the run

@dataclass
class RunResult:
    """What a run produced."""

    folder: Path
    files: dict[str, Path]
    manifest: dict = field(default_factory=dict)


def _notebook_data_dir(data_dir: Path) -> str:
    """The data folder as the notebook will see it (relative to the working directory when inside it)."""
    resolved = data_dir.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(resolved)


def run_report(village: str, period: str | Period, *, data_dir: str | Path | None = None,
               output_dir: str | Path | None = None, lang: str = "zh", formats=FORMATS,
               notebook: str | Path | None = None, today: dt.date | None = None,
               execution_timeout: int = 600) -> RunResult:
    """Run the period report for one village-period.

    Writes ``output/<village>/<period>/``: ``report.ipynb``, ``report.html``, ``report.pdf`` (as asked in
    ``formats``), ``indicators.csv`` and ``manifest.json``.

    Raises
    ------
    DataError
        Bad input, found before any kernel starts (exit code 2 in the CLI).
    ReportError
        A notebook cell or an export failed; the previous outputs are kept and the partially executed
        notebook is saved as ``<period>/failed/report.ipynb`` (exit code 1 in the CLI).
    """
    stages: dict[str, float] = {}
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = round(now - clock, 3)
        clock = now

    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise DataError(f"unknown format(s) {', '.join(sorted(unknown))}: expected some of {', '.join(FORMATS)}")
    if lang not in ("zh", "en"):
        raise DataError(f"unknown language {lang!r}: expected zh or en")
    data_dir = config.resolve_data_dir(data_dir)
    output_dir = Path(output_dir) if output_dir is not None else config.default_output_dir()
    notebook = Path(notebook) if notebook is not None else config.notebook_path()
    period = resolve_period(period, village, data_dir, today)
    data = load_period(village, period, data_dir)          # bad data stops here, before the kernel
    sheet = indicator_sheet(data)
    stage("validate")

    parent = output_dir / village
    final = parent / period.code
    parameters = {"village": village, "period": period.code, "data_dir": _notebook_data_dir(data_dir), "lang": lang}
    kernel = _EarlyKernel()                                 # starts now, works while we import below
    stage("start_kernel")
    # The cyclic collector's full passes over the ~1,500 imported modules' objects made the PDF layout
    # vary between 0.19 and 0.36 s (measured); one report's garbage is small, so collect it at the end.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    warm = threading.Thread(target=_warm_exporters, daemon=True)
    stopper = threading.Thread(target=kernel.shutdown, daemon=True)
    tmp: Path | None = None
    try:
        import nbformat
        import papermill as pm

        stage("import_papermill")
        from .outputs import Publication  # per-period lock, versioned run folder, atomic symlink swap

        publication = Publication(final)
        tmp = publication.begin()
        executed = tmp / "report.ipynb"
        _register_readable_translator()
        warm.start()
        try:
            pm.execute_notebook(str(notebook), str(executed), parameters=parameters, kernel_name="python3",
                                language="python", progress_bar=False, log_output=False,
                                execution_timeout=execution_timeout, km=kernel.km,
                                request_save_on_cell_execute=False)  # save once, not after every cell
        except Exception as exc:  # PapermillExecutionError, CellTimeoutError, DeadKernelError, ...
            _keep_failed(executed, final)
            raise ReportError(_describe_failure(exc, final)) from None
        stopper.start()                                     # the kernel shuts down during the exports
        stage("execute")
        warm.join()
        stage("wait_for_exporters")
        title = f"{data.village.name(lang)} · {period.label(lang)}"
        names = _export(nbformat.read(executed, as_version=4), formats, tmp, lang=lang, title=title, stage=stage)
        if "ipynb" not in formats:
            executed.unlink()
        (tmp / "indicators.csv").write_text(sheet_to_csv(sheet), encoding="utf-8")
        manifest = {
            "village": village,
            "period": period.code,
            "parameters": parameters,
            "formats": list(formats),
            "notebook": notebook.name,
            "inputs": [{"path": p, "sha256": h} for p, h in
                       file_digests([Path(x).resolve() for x in data.sources], data_dir.resolve())],
            "outputs": [{"path": p, "sha256": h} for p, h in
                        file_digests(sorted(x for x in tmp.iterdir() if x.is_file()), tmp)],
            "versions": config.package_versions(),
            "git_commit": git_commit(),
            "started_at": started.isoformat(timespec="seconds"),
        }
        stage("write")
        manifest["seconds"] = dict(stages, total=round(sum(stages.values()), 3))
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
        publication.commit()
    finally:
        if stopper.ident is None:  # never started: the run failed before the exports
            kernel.shutdown()
        else:
            stopper.join()
        if warm.ident is not None:
            warm.join()
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if tmp is not None:
            publication.abort()  # releases the lock (a no-op clean-up after a commit)
        if gc_was_enabled:
            gc.enable()
    files = {"ipynb": final / "report.ipynb"} if "ipynb" in formats else {}
    files.update({kind: final / name for kind, name in names})
    files.update(csv=final / "indicators.csv", manifest=final / "manifest.json")
    return RunResult(folder=final, files=files, manifest=manifest)


def _export(nb, formats, folder: Path, *, lang: str, title: str, stage) -> list[tuple[str, str]]:
    """Write report.html and/or report.pdf of an executed notebook into ``folder``."""
    written: list[tuple[str, str]] = []
    if "html" not in formats and "pdf" not in formats:
        return written
    body = export_html_body(nb)
    stage("export_html")
    plain = _page(body, lang=lang, title=title, header=title)
    if "html" in formats:
        (folder / "report.html").write_text(plain, encoding="utf-8")
        written.append(("html", "report.html"))
    if "pdf" in formats:
        try:
            font = fonts.pdf_font_path(plain)
            write_pdf(_page(body, lang=lang, title=title, header=title, pdf_font=font), folder / "report.pdf",
                      whole_fonts=font != fonts.cjk_font_path())
        except Exception as exc:
            raise ReportError(f"PDF export failed: {type(exc).__name__}: {exc}") from None
        written.append(("pdf", "report.pdf"))
        stage("export_pdf")
    return written


def _keep_failed(executed: Path, final: Path) -> None:
    """Move a partially executed notebook to ``<final>/failed/report.ipynb``, leaving the rest alone."""
    if not executed.is_file():
        return
    failed = final / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    os.replace(executed, failed / "report.ipynb")


def _describe_failure(exc: Exception, final: Path) -> str:
    kept = f"; partial notebook kept in {final / 'failed' / 'report.ipynb'}"
    cell = getattr(exc, "exec_count", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        first = str(evalue).splitlines()[0] if evalue else ""
        return f"notebook cell [{cell}] failed: {ename}: {first}{kept}"
    text = str(exc).strip().splitlines()
    return f"notebook run failed: {type(exc).__name__}: {text[0] if text else ''}{kept}"


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` with two renames (the old folder is removed only after)."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except OSError:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- many village-periods

@dataclass(frozen=True)
class BatchItem:
    """The outcome of one village-period of a batch."""

    village: str
    period: str
    status: str            # "ok", "bad_input" or "failed"
    message: str           # the error line, or the output folder
    seconds: float


def _batch_one(village: str, period: str, kwargs: dict) -> BatchItem:
    start = time.perf_counter()
    try:
        period = resolve_period(period, village, config.resolve_data_dir(kwargs.get("data_dir")),
                                kwargs.get("today")).code
        result = run_report(village, period, **kwargs)
        return BatchItem(village, period, "ok", str(result.folder), time.perf_counter() - start)
    except DataError as exc:
        return BatchItem(village, period, "bad_input", str(exc), time.perf_counter() - start)
    except ReportError as exc:
        return BatchItem(village, period, "failed", str(exc), time.perf_counter() - start)


def run_batch(villages: list[str], period: str, *, jobs: int = 2, **kwargs) -> list[BatchItem]:
    """Run the report for many villages, each in its own process (``jobs`` at a time).

    Processes, not threads: papermill changes the working directory process-wide, and a kernel
    start dominates each run, so runs overlap well on separate cores. ``period`` is resolved per
    village (``latest``/``previous`` follow each village's own periods). One village's bad input or
    failure does not stop the others. Results come back in the order of ``villages``.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if jobs <= 1 or len(villages) <= 1:
        return [_batch_one(v, period, kwargs) for v in villages]
    # "spawn": a fresh interpreter per worker, nothing inherited from this process's threads or loops
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_batch_one, v, period, kwargs) for v in villages]
        return [f.result() for f in futures]
