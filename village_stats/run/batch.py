"""Many village-periods: the period report of each, on worker processes that each run many reports.

Processes, not threads: papermill changes process-wide state, and a report keeps a kernel process and its
own exports busy. Each worker imports papermill and the exporters once and keeps a
:class:`~village_stats.run.kernels.KernelPool` that starts the next report's kernel while the current
report exports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, ReportError
from ..export import DEFAULT_FORMATS
from ..request import Request
from .kernels import KernelPool, register_readable_translator
from .stages import _warm_exporters, run


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one village-period of a batch."""

    village: str
    period: str
    status: str            # "ok", "bad_input" or "failed"
    message: str           # the error line, or the output folder
    seconds: float
    outputs: tuple[str, ...] = ()   # files written (ok only)


#: The kernel pool of this worker process (made by :func:`_worker_init`; the parent's runs own theirs).
_WORKER_KERNELS: list[KernelPool] = []


def _worker_init() -> None:
    """Once per worker process: import what every report needs and make the worker's kernel pool, closed
    by multiprocessing's exit hook (pool workers skip atexit handlers)."""
    from multiprocessing import util

    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    _warm_exporters(DEFAULT_FORMATS)
    register_readable_translator()
    pool = KernelPool()
    _WORKER_KERNELS.append(pool)
    util.Finalize(None, pool.close, exitpriority=10)


def _batch_one(village: str, period: str, settings: dict, kernels: KernelPool | None = None) -> BatchItem:
    """One village of a batch; never raises: bad input, a failed run or any unexpected exception becomes
    a :class:`BatchItem` with a one-line message."""
    start = time.perf_counter()
    kernels = kernels if kernels is not None else (_WORKER_KERNELS[0] if _WORKER_KERNELS else None)
    try:  # resolved per village: latest/previous follow each village's own periods
        request = Request.build("period", data_dir=settings["data_dir"], lang=settings["lang"],
                                today=settings.get("today"), village=village, period=period)
        period = request.period.code
        result = run(request, output_dir=settings.get("output_dir"), formats=settings["formats"], kernels=kernels,
                     prestart_next=settings["prestart_next"])
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


def run_batch(villages: list[str], period: str, *, data_dir: str | Path, jobs: int = 2, lang: str = "zh",
              formats=DEFAULT_FORMATS, output_dir: str | Path | None = None, today=None,
              on_done: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    """Run the period report for many villages on ``jobs`` worker processes.

    ``period`` is resolved per village (``latest``/``previous`` follow each village's own periods). One
    village's bad input, failure or unexpected exception does not stop the others, nor does a worker that
    dies. ``on_done`` is called in this process as each village finishes (progress). Results come back in
    the order of ``villages``.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    settings = {"data_dir": data_dir, "lang": lang, "formats": tuple(formats), "output_dir": output_dir,
                "today": today, "prestart_next": len(villages) > 1}
    results: dict[int, BatchItem] = {}
    if jobs <= 1 or len(villages) <= 1:
        with KernelPool() as kernels:
            for i, v in enumerate(villages):
                results[i] = _batch_one(v, period, settings, kernels)
                if on_done:
                    on_done(results[i])
        return [results[i] for i in range(len(villages))]
    # "spawn": a fresh interpreter per worker, nothing inherited from this process's threads or loops
    with ProcessPoolExecutor(max_workers=min(jobs, len(villages)), mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_init) as pool:
        futures = {pool.submit(_batch_one, v, period, settings): i for i, v in enumerate(villages)}
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
