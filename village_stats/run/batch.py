"""Many village-periods: the period report of each as one task of a Dask cluster (:mod:`.cluster`).

The batch is planned in this process first, without reading any table: each village's period is resolved
(``latest``/``previous`` per village), a village lacking it is *missing*, an unfilled template period
*unfilled*, and with ``changed_only`` a village-period whose published manifest still matches its inputs
is *skipped* (:mod:`.changes`). Only the rest become tasks. A worker runs a task with the kernel its
plugin keeps ready; a task never raises (bad input, a failed notebook, any exception is a
:class:`BatchItem` with a one-line message), and a task whose worker died more often than Dask allows is
reported failed. Results come back in the order of the villages asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, ReportError, UnfilledPeriod
from ..export import DEFAULT_FORMATS
from ..labels import say
from ..load import list_periods
from ..request import Request
from .kernels import KernelPool
from .stages import run

#: Every status a village-period of a batch can end in, in the order the summary counts them.
STATUSES = ("ok", "skipped", "missing", "unfilled", "bad_input", "failed")


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one village-period of a batch."""

    village: str
    period: str
    status: str            # one of STATUSES
    message: str           # the error line, or the output folder
    seconds: float
    outputs: tuple[str, ...] = ()   # files written (ok only)


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by SIGINT or SIGTERM: what had finished by then, in the order of the villages."""

    def __init__(self, finished: list[BatchItem], total: int, signum: int) -> None:
        super().__init__(f"{len(finished)} of {total} finished")
        self.finished, self.total, self.signum = finished, total, signum


def batch_one(village: str, period: str, settings: dict, kernels: KernelPool | None = None) -> BatchItem:
    """One village-period of a batch; never raises: bad input, a failed run or any unexpected exception
    becomes a :class:`BatchItem` with a one-line message."""
    start = time.perf_counter()
    try:
        request = Request.build("period", data_dir=settings["data_dir"], lang=settings["lang"],
                                village=village, period=period)
        result = run(request, output_dir=settings.get("output_dir"), formats=settings["formats"], kernels=kernels,
                     prestart_next=settings.get("prestart_next", True))
        return BatchItem(village, result.folder.name, "ok", str(result.folder), time.perf_counter() - start,
                         tuple(str(p) for p in result.files.values()))
    except UnfilledPeriod:  # a blank template: normal data, reported as unfilled (never run, never bad input)
        return BatchItem(village, str(period), "unfilled",
                         say("msg_batch_unfilled", settings.get("msg_lang", settings["lang"]), period=period),
                         time.perf_counter() - start)
    except DataError as exc:
        return BatchItem(village, str(period), "bad_input", exc.localized(settings.get("msg_lang", settings["lang"])),
                         time.perf_counter() - start)
    except ReportError as exc:
        return BatchItem(village, str(period), "failed", str(exc), time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - anything else: reported in one line, the batch goes on
        return BatchItem(village, str(period), "failed", f"unexpected {type(exc).__name__}",
                         time.perf_counter() - start)


def report_task(village: str, period: str, settings: dict) -> BatchItem:
    """The task a Dask worker runs: :func:`batch_one` with the worker's kernel pool."""
    from .cluster import worker_kernels

    return batch_one(village, period, settings, worker_kernels())


def plan_one(village: str, period: str, settings: dict, *, changed_only: bool) -> str | BatchItem:
    """The period code to run for ``village``, or the :class:`BatchItem` that settles it without a task
    (missing, unfilled, skipped, bad input found while resolving)."""
    from .changes import sweep, unchanged

    start = time.perf_counter()
    root, lang = Path(settings["data_dir"]), settings.get("msg_lang", settings["lang"])

    def settled(status: str, code: str, message: str) -> BatchItem:
        return BatchItem(village, code, status, message, time.perf_counter() - start)

    try:
        periods = list_periods(root, village)
        if not periods and period in ("latest", "previous"):
            return settled("missing", str(period), say("msg_batch_missing", lang, period=period))
        request = Request.build("period", data_dir=root, lang=settings["lang"], village=village, period=period)
    except DataError as exc:
        return settled("bad_input", str(period), exc.localized(lang))
    code = request.period.code
    if code not in {p.code for p in periods}:
        return settled("missing", code, say("msg_batch_missing", lang, period=code))
    if changed_only:
        found = unchanged(request, output_dir=settings["output_dir"], formats=settings["formats"])
        if found is not None:
            sweep(found)
            return settled("skipped", code, str(found))
    return code


def run_batch(villages: list[str], period: str, *, data_dir: str | Path, jobs: int = 2, lang: str = "zh",
              formats=DEFAULT_FORMATS, output_dir: str | Path = "output", scheduler: str | None = None,
              changed_only: bool = False, retries: int | None = None, message_lang: str | None = None, on_done: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    """Run the period report for many villages on a Dask cluster (local, ``jobs`` workers; or ``scheduler``).

    ``period`` is resolved per village (``latest``/``previous`` follow each village's own periods). One
    village's bad input, failure, unexpected exception or crash of its worker does not stop the others.
    ``retries``: worker deaths a village-period may cause before it is reported failed (local cluster;
    default :data:`.cluster.WORKER_DEATHS_ALLOWED`). ``on_done`` is called in this process as each
    village is settled (progress). Raises
    :class:`BatchInterrupted` (with what finished) on SIGINT/SIGTERM, after the workers are stopped.
    """
    from .cluster import batch_client

    settings = {"data_dir": Path(data_dir), "lang": lang, "msg_lang": message_lang or lang, "formats": tuple(formats),
                "output_dir": str(output_dir), "prestart_next": True}
    results: dict[int, BatchItem] = {}
    todo: dict[int, str] = {}

    def settle(i: int, item: BatchItem) -> None:
        results[i] = item
        if on_done:
            on_done(item)

    try:
        for i, v in enumerate(villages):
            planned = plan_one(v, period, settings, changed_only=changed_only)
            if isinstance(planned, BatchItem):
                settle(i, planned)
            else:
                todo[i] = planned
        if todo:
            with batch_client(min(jobs, len(todo)), scheduler=scheduler, formats=settings["formats"],
                              retries=retries) as client:
                _run_tasks(client, villages, todo, settings, settle)
    except KeyboardInterrupt as exc:
        from .changes import sweep_village

        for i in todo:  # what the stopped runs left unpublished (their locks died with their workers)
            if i not in results:
                sweep_village(Path(output_dir), villages[i])
        finished = [results[i] for i in sorted(results)]
        raise BatchInterrupted(finished, len(villages), getattr(exc, "signum", 2)) from None
    return [results[i] for i in range(len(villages))]


def _run_tasks(client, villages: list[str], todo: dict[int, str], settings: dict,
               settle: Callable[[int, BatchItem], None]) -> None:
    """Submit one task per village-period and settle each as it completes (Dask's own order).

    No more tasks are in flight than the cluster has threads: when a worker dies, Dask counts the death
    against *every* task assigned to it (``suspicious``), queued ones included, and it queues on the
    scheduler only groups larger than twice the threads; so a small batch would otherwise blame an
    innocent village for its neighbour's crash.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    waiting = list(todo.items())
    futures: dict = {}
    running = as_completed()

    def fill() -> None:
        limit = max(1, sum(client.nthreads().values()))
        while waiting and len(futures) < limit:
            i, code = waiting.pop(0)
            future = client.submit(report_task, villages[i], code, settings, pure=False,
                                   key=f"report-{villages[i]}-{code}-{time.time_ns()}")
            futures[future] = i
            running.add(future)

    try:
        fill()
        for future in running:
            i = futures.pop(future)
            try:
                item = future.result()
            except KilledWorker as exc:
                item = BatchItem(villages[i], todo[i], "failed",
                                 say("msg_batch_worker_died", settings["msg_lang"], n=exc.allowed_failures + 1), 0.0)
            except Exception as exc:  # noqa: BLE001 - e.g. the scheduler went away: one line for this village
                item = BatchItem(villages[i], todo[i], "failed", f"unexpected {type(exc).__name__}", 0.0)
            settle(i, item)
            fill()
    except BaseException:
        client.cancel(list(futures), force=True)
        raise


def batch_summary(results: list[BatchItem], seconds: float) -> dict:
    """What ``output/batch-<period>.json`` holds: counts, wall time and one record per village."""
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    return {
        "villages": len(results), **counts, "seconds": round(seconds, 2),
        "reports_per_minute": round(60 * counts["ok"] / seconds, 2) if seconds > 0 else None,
        "results": [{"village": r.village, "period": r.period, "status": r.status, "seconds": round(r.seconds, 2),
                     "outputs": list(r.outputs), "error": "" if r.status in ("ok", "skipped") else r.message}
                    for r in results],
    }
