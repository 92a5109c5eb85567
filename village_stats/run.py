"""Running a report: validate → start a kernel → papermill → exports → manifest → publish the folder.

A report kind (:data:`REPORTS`) names its notebook and how its parameters are checked before any kernel
starts; the exports are the :mod:`village_stats.export` registry's. Everything a run writes goes to a
temporary folder and is published only when every stage succeeded, so a failed run never leaves
half-written outputs and never touches the previous ones. Notebooks never import this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .errors import DataError, ReportError
from .export import DEFAULT_FORMATS, FORMATS, ExecutedReport, check_formats
from .load import as_period, load_period, resolve_period
from .manifest import build_manifest
from .outputs import Publication
from .periods import Period
from .policy import table_path

# --------------------------------------------------------------------------- papermill set-up


@functools.cache
def register_readable_translator() -> None:
    """Make papermill write Chinese string parameters as readable literals ('梭罗峪'), not \\u escapes.

    Registered once per process (papermill keeps a process-wide registry).
    """
    from papermill.translators import PythonTranslator, papermill_translators

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val):
            return repr(val)

    papermill_translators.register("python", ReadablePythonTranslator)


#: Lines a kernel started ahead runs while this process imports papermill: the notebooks' imports and the
#: font set-up their charts need. They leave no trace in the notebook.
WARM_LINES = ("import village_stats, village_stats.display.views, village_stats.display.plotting, "
              "village_stats.alerts",
              "village_stats.display.fonts.setup_matplotlib()")


def _kernel_manager_class(warm_lines: tuple[str, ...] = ()):
    """A kernel manager that always starts this very interpreter (whatever kernelspecs say), over IPC
    sockets in a private temp folder (no TCP port races between parallel runs)."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    extra = [f"--IPKernelApp.exec_lines={json.dumps(list(warm_lines))}"] if warm_lines else []

    class ThisPythonKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
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
    run on the other core while this process imports papermill and the exporters.

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


#: A kernel started ahead for the next report of a batch worker (see :func:`run`'s ``prestart_next``).
_SPARE: list[_EarlyKernel] = []


def _take_kernel() -> _EarlyKernel:
    """The kernel started ahead for this report, else a new one."""
    return _SPARE.pop() if _SPARE else _EarlyKernel()


def _prestart_kernel() -> None:
    """Start the next report's kernel now (it boots on the other core while this report exports)."""
    if not _SPARE:
        if not _SPARE_CLEANUP:
            # multiprocessing's exit hook, which also runs in pool workers (they skip atexit handlers)
            from multiprocessing import util

            util.Finalize(None, _shutdown_spares, exitpriority=10)
            _SPARE_CLEANUP.append(True)
        _SPARE.append(_EarlyKernel())


_SPARE_CLEANUP: list[bool] = []


def _shutdown_spares() -> None:
    while _SPARE:
        _SPARE.pop().shutdown()


def _warm_exporters(formats) -> None:
    """Import the writers of the formats asked for (runs in a thread while the kernel works)."""
    import importlib

    for name in formats:
        importlib.import_module(FORMATS[name].writer.partition(":")[0])


# --------------------------------------------------------------------------- report kinds


@dataclass
class Prepared:
    """A report's parameters, checked before any kernel starts."""

    parameters: dict                  # the notebook's parameters
    folder: tuple[str, ...]           # output sub-folder, e.g. ("suoluoyu", "2017H1")
    title: str                        # document title and running header
    inputs: list[Path]                # input files (digests go in the manifest)
    input_root: Path                  # inputs are recorded relative to this folder
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its notebook and the function that checks its parameters."""

    name: str
    notebook: str
    prepare: Callable[..., Prepared]


def _notebook_data_dir(data_dir: Path) -> str:
    """The data folder as the notebook will see it (relative to the working directory when inside it)."""
    resolved = data_dir.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(resolved)


def prepare_period(*, village: str, period: str | Period, data_dir: Path, lang: str,
                   today: dt.date | None = None) -> Prepared:
    """The period report of one village-period; bad data raises :class:`DataError` here."""
    period = resolve_period(period, village, data_dir, today)
    data = load_period(village, period, data_dir)
    return Prepared(
        parameters={"village": village, "period": period.code, "data_dir": _notebook_data_dir(data_dir),
                    "lang": lang},
        folder=(village, period.code),
        title=f"{data.village.name(lang)} · {period.label(lang)}",
        inputs=[Path(x).resolve() for x in data.sources], input_root=data_dir.resolve(),
        meta={"author": data.village.supported_by_zh, "village_id": village, "period": period.code})


def prepare_county(*, period: str | Period, data_dir: Path, lang: str, township: str | None = None) -> Prepared:
    """The county report: every village of ``data_dir`` (or of one ``township``) for one period.

    Every village-period is loaded and validated and the roll-ups tie out here, before any kernel starts;
    ``latest`` is the newest period of any village. Output folder ``county/<period>`` (or
    ``county/<township>/<period>``).
    """
    from .panel.rollup import load_county, previous_county, resolve_county_period, rollup

    code = resolve_county_period(str(period.code if isinstance(period, Period) else period), data_dir)
    county = load_county(data_dir, code, township)
    for by in ("village", "township", "county"):
        rollup(county, by)                                  # a tie-out failure stops the run here
    before = previous_county(data_dir, county, township)   # the change section's period, validated too
    place = county.villages["county_zh"].iloc[0] + (township or "")
    period_label = as_period(code).label(lang)
    inputs = sorted(p.resolve() for p in data_dir.glob("*/village.yaml"))
    for c in (county, before) if before is not None else (county,):
        inputs += sorted(p.resolve() for v in c.sheets for p in (data_dir / v / c.period).glob("*") if p.is_file())
    inputs += [table_path(data_dir, name).resolve() for name in ("poverty_lines", "exit_thresholds")]
    return Prepared(
        parameters={"data_dir": _notebook_data_dir(data_dir), "period": code, "township": township or "",
                    "lang": lang},
        folder=("county", township, code) if township else ("county", code),
        title=f"{place} · {period_label}",
        inputs=inputs, input_root=data_dir.resolve(),
        meta={"author": place, "period": code})


def prepare_trends(*, village: str, data_dir: Path, lang: str, from_period: str | Period | None = None,
                   to_period: str | Period | None = None) -> Prepared:
    """The trends report of a village over its periods (all, or from/to); every period is validated here."""
    from .panel.trend import load_panel

    panel = load_panel(village, data_dir, from_period, to_period)
    first, last = panel[0].period, panel[-1].period
    return Prepared(
        parameters={"village": village, "from_period": first.code, "to_period": last.code,
                    "data_dir": _notebook_data_dir(data_dir), "lang": lang},
        folder=(village, "trends"),
        title=f"{panel[-1].village.name(lang)} · {first.label(lang)}{'至' if lang == 'zh' else ' to '}{last.label(lang)}",
        inputs=[Path(x).resolve() for d in panel for x in d.sources], input_root=data_dir.resolve(),
        meta={"author": panel[-1].village.supported_by_zh, "village_id": village,
              "period": f"{first.code}-{last.code}"})


#: The reports ``village-stats run --report`` knows.
REPORTS: dict[str, ReportKind] = {k.name: k for k in (
    ReportKind("period", "period_report.ipynb", prepare_period),
    ReportKind("county", "county_report.ipynb", prepare_county),
    ReportKind("trends", "village_trends.ipynb", prepare_trends),
)}


# --------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    """What a run produced: the output folder, each format's file, the manifest."""

    folder: Path
    files: dict[str, Path]
    manifest: dict = field(default_factory=dict)


def run(kind: str = "period", *, output_dir: str | Path | None = None, lang: str = "zh",
        formats=DEFAULT_FORMATS, notebook: str | Path | None = None, execution_timeout: int = 600,
        prestart_next: bool = False, **arguments) -> RunResult:
    """Run a report of ``kind`` (see :data:`REPORTS`) with its ``arguments``.

    Writes the asked ``formats`` (:data:`village_stats.export.FORMATS`) and ``manifest.json`` into
    ``output_dir/<folder of the kind>/``; files of other formats or of the other language are kept.

    Raises
    ------
    DataError
        Bad input or parameters, found before any kernel starts (exit code 2 in the CLI).
    ReportError
        A notebook cell or an export failed; the previous outputs are kept and the partially executed
        notebook is saved as ``<folder>/failed/report.ipynb`` (exit code 1 in the CLI).
    """
    stages: dict[str, float] = {}
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = round(now - clock, 3)
        clock = now

    if kind not in REPORTS:
        raise DataError(f"unknown report {kind!r}: expected one of {', '.join(REPORTS)}")
    try:
        formats = check_formats(formats)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    if lang not in ("zh", "en"):
        raise DataError(f"unknown language {lang!r}: expected zh or en")
    spec = REPORTS[kind]
    _check_arguments(spec, arguments)
    output_dir = Path(output_dir) if output_dir is not None else config.default_output_dir()
    notebook = Path(notebook) if notebook is not None else config.notebook_path(spec.notebook)
    prepared = spec.prepare(lang=lang, **arguments)        # bad data stops here, before the kernel
    stage("validate")

    final = output_dir.joinpath(*prepared.folder)
    parent = final.parent
    kernel = _take_kernel()                                 # starts now, works while we import below
    stage("start_kernel")
    warm = threading.Thread(target=_warm_exporters, args=(formats,), daemon=True)
    stopper = threading.Thread(target=kernel.shutdown, daemon=True)
    tmp: Path | None = None
    publication = Publication(final)  # per-period lock, versioned run folder, one atomic symlink swap
    try:
        import nbformat
        import papermill as pm

        stage("import_papermill")
        parent.mkdir(parents=True, exist_ok=True)
        tmp = publication.begin()
        executed = tmp / FORMATS["ipynb"].filename(lang)
        register_readable_translator()
        warm.start()
        try:
            pm.execute_notebook(str(notebook), str(executed), parameters=prepared.parameters,
                                kernel_name="python3", language="python", progress_bar=False, log_output=False,
                                execution_timeout=execution_timeout, km=kernel.km,
                                request_save_on_cell_execute=False)  # save once, not after every cell
        except Exception as exc:  # PapermillExecutionError, CellTimeoutError, DeadKernelError, ...
            _keep_failed(executed, final, lang)
            raise ReportError(_describe_failure(exc, final, lang)) from None
        stopper.start()                                     # the kernel shuts down during the exports
        if prestart_next:
            _prestart_kernel()
        stage("execute")
        warm.join()
        stage("wait_for_exporters")
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
            except ReportError:
                raise
            except Exception as exc:
                raise ReportError(f"{name} export failed: {type(exc).__name__}: {exc}") from None
            written[name] = target
            stage(f"export_{name}")
        manifest_name = "manifest.json" if lang == "zh" else f"manifest.{lang}.json"
        stage("write")
        manifest = build_manifest(kind=kind, parameters=prepared.parameters, formats=formats, notebook=notebook.name,
                                  inputs=prepared.inputs, input_root=prepared.input_root,
                                  outputs=sorted(written.values()), output_root=tmp,
                                  started_at=started.isoformat(timespec="seconds"), seconds=stages)
        (tmp / manifest_name).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
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
    files = {name: final / path.name for name, path in written.items()}
    files["manifest"] = final / manifest_name
    return RunResult(folder=final, files=files, manifest=manifest)


def _check_arguments(spec: ReportKind, arguments: dict) -> None:
    """Name a missing or unexpected report argument as the CLI spells it (``--village``), in one line."""
    import inspect

    params = inspect.signature(spec.prepare).parameters
    accepted = {n for n in params if n != "lang"}
    flag = {"from_period": "--from", "to_period": "--to"}
    unexpected = sorted(set(arguments) - accepted)
    if unexpected:
        raise DataError(f"the {spec.name} report does not take {', '.join(flag.get(u, '--' + u.replace('_', '-')) for u in unexpected)}")
    missing = [n for n, p in params.items() if p.default is inspect.Parameter.empty and n != "lang" and n not in arguments]
    if missing:
        raise DataError(f"the {spec.name} report needs {', '.join(flag.get(m, '--' + m.replace('_', '-')) for m in missing)}")


def run_report(village: str, period: str | Period, *, data_dir: str | Path | None = None,
               today: dt.date | None = None, **options) -> RunResult:
    """The period report of one village-period (see :func:`run` for the options)."""
    return run("period", village=village, period=period, data_dir=config.resolve_data_dir(data_dir), today=today,
               **options)


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


def _keep_failed(executed: Path, final: Path, lang: str) -> None:
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


# --------------------------------------------------------------------------- many village-periods


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one village-period of a batch."""

    village: str
    period: str
    status: str            # "ok", "bad_input" or "failed"
    message: str           # the error line, or the output folder
    seconds: float
    outputs: tuple[str, ...] = ()   # files written (ok only)


def _batch_worker_init() -> None:
    """Once per worker process: import what every report needs (papermill, nbformat, the exporters)."""
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    _warm_exporters(DEFAULT_FORMATS)
    register_readable_translator()


def _batch_one(village: str, period: str, kwargs: dict) -> BatchItem:
    """One village of a batch; never raises: bad input, a failed run or any unexpected exception becomes
    a :class:`BatchItem` with a one-line message."""
    start = time.perf_counter()
    try:  # resolved here once, per village: latest/previous follow each village's own periods
        period = resolve_period(period, village, config.resolve_data_dir(kwargs.get("data_dir")),
                                kwargs.get("today")).code
        result = run_report(village, period, **kwargs)
        return BatchItem(village, result.folder.name, "ok", str(result.folder), time.perf_counter() - start,
                         tuple(str(p) for p in result.files.values()))
    except DataError as exc:
        return BatchItem(village, str(period), "bad_input", str(exc), time.perf_counter() - start)
    except ReportError as exc:
        return BatchItem(village, str(period), "failed", str(exc), time.perf_counter() - start)
    except Exception as exc:  # anything else: reported in one line, the batch goes on
        text = str(exc).strip().splitlines()
        return BatchItem(village, str(period), "failed",
                         f"unexpected {type(exc).__name__}: {text[0] if text else ''}", time.perf_counter() - start)


def run_batch(villages: list[str], period: str, *, jobs: int = 2, on_done: Callable[[BatchItem], None] | None = None,
              **kwargs) -> list[BatchItem]:
    """Run the period report for many villages: ``jobs`` worker processes, each running many reports.

    Processes, not threads: papermill changes process-wide state, and a report keeps a kernel process and
    its own exports busy. Each worker imports papermill and the exporters once (not once per report) and
    starts the next report's kernel while the current report exports. ``period`` is resolved per village
    (``latest``/``previous`` follow each village's own periods). One village's bad input, failure or
    unexpected exception does not stop the others, nor does a worker that dies. ``on_done`` is called in
    this process as each village finishes (progress). Results come back in the order of ``villages``.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    kwargs = {**kwargs, "prestart_next": len(villages) > 1}
    results: dict[int, BatchItem] = {}
    if jobs <= 1 or len(villages) <= 1:
        try:
            for i, v in enumerate(villages):
                results[i] = _batch_one(v, period, kwargs)
                if on_done:
                    on_done(results[i])
        finally:
            _shutdown_spares()
        return [results[i] for i in range(len(villages))]
    # "spawn": a fresh interpreter per worker, nothing inherited from this process's threads or loops
    with ProcessPoolExecutor(max_workers=min(jobs, len(villages)), mp_context=multiprocessing.get_context("spawn"),
                             initializer=_batch_worker_init) as pool:
        futures = {pool.submit(_batch_one, v, period, kwargs): i for i, v in enumerate(villages)}
        for f in as_completed(futures):
            i = futures[f]
            try:
                results[i] = f.result()
            except Exception as exc:  # the worker process died (BrokenProcessPool) or could not pickle
                results[i] = BatchItem(villages[i], str(period), "failed",
                                       f"worker failed: {type(exc).__name__}: {exc}", 0.0)
            if on_done:
                on_done(results[i])
    return [results[i] for i in range(len(villages))]


def batch_summary(results: list[BatchItem], seconds: float) -> dict:
    """What ``output/batch-<period>.json`` holds: counts, wall time and one record per village."""
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "bad_input", "failed")}
    return {
        "villages": len(results), **counts, "seconds": round(seconds, 2),
        "reports_per_minute": round(60 * counts["ok"] / seconds, 2) if seconds > 0 else None,
        "results": [{"village": r.village, "period": r.period, "status": r.status, "seconds": round(r.seconds, 2),
                     "outputs": list(r.outputs), "error": "" if r.status == "ok" else r.message}
                    for r in results],
    }
