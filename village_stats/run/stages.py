"""A report run as named stages over one :class:`~village_stats.request.Request`.

validate (read and check the inputs, before any kernel) → execute (papermill, in a kernel started ahead)
→ export (each format from the executed notebook's document model) → manifest (the digests of exactly
the inputs read, the outputs, versions, timings) → publish (one atomic swap of the output folder). Each
stage is a small function; :func:`run` only sequences them and records how long each took. A failed
stage leaves the previous outputs untouched and nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..atomic import write_atomic
from ..errors import DataError, ReportError
from ..export import DEFAULT_FORMATS, FORMATS, ExecutedReport, check_formats
from ..labels import DEFAULT_LANG
from ..manifest import build_manifest
from ..outputs import Publication
from ..places import check_output_dir, inside
from ..request import Request
from ..threads import start_quiet
from .changes import rerun_key
from .kernels import Kernel, KernelPool, register_readable_translator
from .kinds import REPORTS, Prepared


@dataclass
class RunResult:
    """What a run produced: the output folder, each format's file, the manifest."""

    folder: Path
    files: dict[str, Path]
    manifest: dict = field(default_factory=dict)


class _Clock:
    """Seconds spent in each stage, for the manifest."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def stage(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 3)
        self._last = now


def run(request: Request, *, output_dir: str | Path | None = None, formats=DEFAULT_FORMATS,
        notebook: str | Path | None = None, execution_timeout: int = 600, kernels: KernelPool | None = None,
        prestart_next: bool = False) -> RunResult:
    """Run the report a request asks for.

    Writes the asked ``formats`` (:data:`village_stats.export.FORMATS`) and ``manifest.json`` into
    ``output_dir/<folder of the kind>/``; files of other formats or of the other language are kept.
    ``kernels`` is the process's kernel pool (a batch worker's keeps the next kernel ready when
    ``prestart_next``); without one, the run starts and stops its own kernel.

    Raises
    ------
    DataError
        Bad input or parameters, found before any kernel starts (exit code 2 in the CLI).
    ReportError
        A notebook cell or an export failed; the previous outputs are kept and the partially executed
        notebook is saved as ``<folder>/failed/report.ipynb`` (exit code 1 in the CLI).
    """
    started = dt.datetime.now(dt.UTC)
    clock = _Clock()
    try:
        formats = check_formats(formats)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    kind = REPORTS[request.kind]
    output_dir = Path(output_dir) if output_dir is not None else config.default_output_dir()
    check_output_dir(output_dir, [request.data_dir])   # outputs never touch the inputs: checked first
    notebook = Path(notebook) if notebook is not None else config.notebook_path(kind.notebook)
    prepared = kind.prepare(request)                   # validate: bad data stops here, before the kernel
    final = inside(output_dir, prepared.folder)          # plain names only, resolving inside output_dir
    clock.stage("validate")
    own_pool = kernels is None
    kernels = KernelPool() if own_pool else kernels
    kernel = kernels.take()                             # starts now, works while we import below
    clock.stage("start_kernel")
    publication = Publication(final)  # per-period lock, versioned run folder, one atomic symlink swap
    warm = threading.Thread(target=_warm_exporters, args=(formats,), daemon=True)
    stopper = threading.Thread(target=kernel.shutdown_in_thread, daemon=True)
    tmp: Path | None = None
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = publication.begin()
        start_quiet(warm)
        if prestart_next:  # the next report's kernel (forked: 0.15 s) is ready when this one has exported
            kernels.prestart()
        executed = _execute(kernel, notebook, prepared, tmp, final, request.lang, execution_timeout, clock)
        start_quiet(stopper)                            # the kernel shuts down during the exports
        warm.join()
        clock.stage("wait_for_exporters")
        written = _export(executed, prepared, formats, request.lang, tmp, clock)
        manifest = build_manifest(kind=request.kind, parameters=prepared.parameters, formats=formats,
                                  notebook=notebook.name, inputs=prepared.inputs, outputs=sorted(written.values()),
                                  output_root=tmp, started_at=started.isoformat(timespec="seconds"),
                                  seconds=clock.seconds)
        manifest.update(rerun_key(request, notebook))  # what a later --changed-only compares
        # a file-name rule, as for every output (export.Format.filename): the default language has no suffix
        manifest_name = "manifest.json" if request.lang == DEFAULT_LANG else f"manifest.{request.lang}.json"
        _write_manifest(tmp / manifest_name, manifest)
        _carry_over(final, tmp)
        publication.commit()
    finally:
        if stopper.ident is None:  # never started: the run failed before the exports
            kernel.shutdown()
        else:
            stopper.join()
        if warm.ident is not None:
            warm.join()
        if tmp is not None:
            publication.abort()  # the unpublished folder and the lock (a no-op after a commit)
        if own_pool:
            kernels.close()
    files = {name: final / path.name for name, path in written.items()}
    files["manifest"] = final / manifest_name
    return RunResult(folder=final, files=files, manifest=manifest)


# papermill runs the notebook client with its own logger ("papermill"), which has no handler: its warnings
# (nbclient's "Kernel died while waiting for execute reply") then reach Python's last-resort handler, i.e.
# the terminal, beside our one line for the failed run. A NullHandler, as the logging docs ask of a
# library's logger, keeps them off; an application that configures logging still receives them.
logging.getLogger("papermill").addHandler(logging.NullHandler())


def _warm_exporters(formats) -> None:
    """Import the writers of the formats asked for (runs in a thread while the kernel works)."""
    import importlib

    for name in formats:
        importlib.import_module(FORMATS[name].writer.partition(":")[0])


def _execute(kernel: Kernel, notebook: Path, prepared: Prepared, tmp: Path, final: Path, lang: str,
             execution_timeout: int, clock: _Clock) -> Path:
    """Stage execute: papermill runs the notebook with the request's parameters in ``kernel``."""
    import papermill as pm

    clock.stage("import_papermill")
    register_readable_translator()
    executed = tmp / FORMATS["ipynb"].filename(lang)
    try:
        pm.execute_notebook(str(notebook), str(executed), parameters=prepared.parameters,
                            kernel_name="python3", language="python", progress_bar=False, log_output=False,
                            execution_timeout=execution_timeout, km=kernel.km,
                            request_save_on_cell_execute=False)  # save once, not after every cell
    except Exception as exc:  # PapermillExecutionError, CellTimeoutError, DeadKernelError, ...
        _keep_failed(executed, final)
        raise ReportError(_describe_failure(exc, final, lang)) from None
    clock.stage("execute")
    return executed


def _export(executed: Path, prepared: Prepared, formats, lang: str, tmp: Path, clock: _Clock) -> dict[str, Path]:
    """Stage export: every format asked for, written from the executed notebook into ``tmp``."""
    import nbformat

    report = ExecutedReport(nbformat.read(executed, as_version=4), lang=lang, title=prepared.title,
                            meta=prepared.meta)
    written = {"ipynb": executed} if "ipynb" in formats else {}
    if "ipynb" not in formats:
        executed.unlink()
    for name in formats:
        if name == "ipynb":
            continue
        target = tmp / FORMATS[name].filename(lang)
        try:
            FORMATS[name].write(report, target)
        except OSError as exc:  # the output folder (full disk, permissions): one line, nothing published
            raise ReportError(f"{name} export failed: {type(exc).__name__}: {exc.strerror or exc}") from exc
        written[name] = target
        clock.stage(f"export_{name}")
    return written


def _write_manifest(path: Path, manifest: dict) -> None:
    """Stage manifest: ``manifest.json`` in the unpublished folder (published with it, atomically)."""
    write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def _carry_over(final: Path, tmp: Path) -> None:
    """Hard-link (or copy) into ``tmp`` the files of ``final`` this run does not rewrite: the other
    language's report, formats not asked for this time. The failed/ folder of an earlier run is dropped."""
    if not final.is_dir():
        return
    for p in final.iterdir():
        if p.is_file() and not (tmp / p.name).exists():
            try:
                os.link(p, tmp / p.name)
            except OSError:
                shutil.copy2(p, tmp / p.name)


def _keep_failed(executed: Path, final: Path) -> None:
    """Move a partially executed notebook to ``<final>/failed/``, leaving the rest alone."""
    if not executed.is_file():
        return
    failed = final / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    os.replace(executed, failed / executed.name)


def _describe_failure(exc: Exception, final: Path, lang: str) -> str:
    kept = f"; partial notebook kept in {final / 'failed' / FORMATS['ipynb'].filename(lang)}"
    cell = getattr(exc, "exec_count", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        first = str(evalue).splitlines()[0] if evalue else ""
        return f"notebook cell [{cell}] failed: {ename}: {first}{kept}"
    text = str(exc).strip().splitlines()
    return f"notebook run failed: {type(exc).__name__}: {text[0] if text else ''}{kept}"


def run_report(village: str, period: str, *, data_dir: str | Path | None = None, lang: str = "zh",
               today: dt.date | None = None, **options) -> RunResult:
    """The period report of one village-period (a :class:`Request` built here; see :func:`run`)."""
    request = Request.build("period", data_dir=data_dir, lang=lang, today=today, village=village, period=period)
    return run(request, **options)
