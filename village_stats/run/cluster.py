"""Dask as the batch engine: the cluster a batch runs on, and what each of its workers keeps.

One task per village-period, submitted to a ``dask.distributed`` scheduler: on one machine a
``LocalCluster`` this module starts (worker processes with one thread each, ``jobs`` of them), across
machines a running scheduler (``--scheduler tcp://host:8786`` or ``$VILLAGE_STATS_SCHEDULER``) whose
workers see the same data root and output folder (a shared folder). Dask does the queueing, the
progress, and the retry of a task whose worker died (``distributed.scheduler.allowed-failures``; after
that the task fails with ``KilledWorker`` and the village is reported failed, the others go on).

Each worker gets a :class:`ReportWorker` plugin: it imports papermill and the exporters once, keeps a
:class:`~village_stats.run.kernels.KernelPool` whose first kernel starts as the worker starts, and kills
its kernels when the worker closes (a stopped batch), so the runs in flight fail fast and remove their
unpublished folders themselves.

Processes the local cluster starts never outlive ``run-all``: a Dask worker exits as soon as the pipe
its parent holds closes (``distributed.process.AsyncProcess``; measured on 2 loaded cores: every worker
and kernel gone 0.2–0.5 s after SIGKILL of ``run-all``), and a kernel's watchdog (:mod:`.kernel_main`) exits as soon as its worker is gone, removing its
socket folder. Terminal Ctrl-C reaches only ``run-all``: SIGINT is ignored while it starts
the workers (they inherit it ignored), so a worker never prints a ``KeyboardInterrupt`` traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator

from distributed import WorkerPlugin

from ..errors import ReportError
from ..labels import message_lang, say
from ..threads import quiet, start_quiet
from .kernels import KernelPool, register_readable_translator
from .stopping import critical

#: The name of the worker plugin (one per worker).
PLUGIN = "village-stats-reports"
#: Worker deaths a task may cause before it is reported failed (Dask's ``allowed-failures``): 2 means a
#: village-period is tried on three workers in all.
WORKER_DEATHS_ALLOWED = 2
#: The environment variable that names a running scheduler (as ``--scheduler``).
SCHEDULER_ENV = "VILLAGE_STATS_SCHEDULER"
#: Prefix of a local cluster's private temp folder (workers' scratch space, kernels' socket folders).
TEMP_PREFIX = "village-stats-batch-"
#: How long a running scheduler may have no worker before the batch gives up [seconds].
WORKERS_WAIT_SECONDS = 120
#: How long to wait for a worker's start-up imports before a report runs anyway [seconds].
WARM_WAIT_SECONDS = 120


class ReportWorker(WorkerPlugin):
    """What a batch worker keeps between reports: the exporters imported, a kernel started ahead."""

    name = PLUGIN

    def __init__(self, formats: tuple[str, ...]) -> None:
        self.formats = tuple(formats)

    def setup(self, worker) -> None:
        if threading.current_thread() is threading.main_thread():  # a worker restarted after a death
            signal.signal(signal.SIGINT, signal.SIG_IGN)           # never gets the terminal's Ctrl-C
        self.kernels = KernelPool(fork=True)
        self.ready = threading.Event()
        start_quiet(threading.Thread(target=self._warm, daemon=True, name="village-stats warm-up"))

    def _warm(self) -> None:
        """Import what every report needs and start the first kernel (in a thread: the worker stays
        responsive to the scheduler meanwhile)."""
        try:
            import nbformat  # noqa: F401
            import papermill  # noqa: F401

            from .stages import _warm_exporters

            _warm_exporters(self.formats)
            register_readable_translator()
            self.kernels.prestart()
        except Exception:  # noqa: BLE001 - a report then starts its own kernel and says what fails
            pass
        finally:
            self.ready.set()

    def teardown(self, worker) -> None:
        """Kill this worker's kernels: the report in flight fails at once and cleans up after itself."""
        self.kernels.stop()


def worker_kernels() -> KernelPool | None:
    """The kernel pool of the Dask worker running the calling task (None outside a worker)."""
    try:
        from distributed import get_worker

        plugin = get_worker().plugins.get(PLUGIN)
    except ValueError:  # not in a worker
        return None
    if plugin is None or not hasattr(plugin, "kernels"):
        return None
    plugin.ready.wait(timeout=WARM_WAIT_SECONDS)
    return plugin.kernels


def scheduler_address(given: str | None) -> str | None:
    """The scheduler a batch runs on: ``--scheduler``, else ``$VILLAGE_STATS_SCHEDULER``, else None (a
    local cluster)."""
    return given or os.environ.get(SCHEDULER_ENV) or None


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now (once per process), leaving this thread's signal mask as it
    was (see :func:`_workers_ignore_sigint`)."""
    from multiprocessing import resource_tracker

    with quiet():          # the mask as it was afterwards, whatever the tracker unblocked
        resource_tracker.ensure_running()


@contextlib.contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """While the block starts worker processes, they inherit SIGINT *ignored* (a disposition survives
    exec; a blocked mask does not: multiprocessing's spawn resets it). This process blocks SIGINT
    meanwhile, so a Ctrl-C is kept pending (Linux queues a blocked signal even while it is ignored) and
    delivered to it when the block ends.

    That holds only while *every* thread blocks SIGINT: a thread that does not takes the signal, which is
    then ignored and lost. The threads the cluster starts inherit the block, but multiprocessing's resource
    tracker, when its first use starts it, blocks and then *unblocks* SIGINT and SIGTERM in the calling thread
    (CPython 3.11 restores no mask): started from the cluster's IO loop, it left that loop and every thread the
    loop starts open to the signal (measured: ``make fuzz``'s Ctrl-C at 0.5 s was lost one run in six). So
    the tracker is started here first, this thread's mask restored after it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _start_resource_tracker()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def batch_client(jobs: int, *, scheduler: str | None = None, formats: tuple[str, ...] = (),
                 retries: int | None = None) -> Iterator:
    """A ``distributed.Client`` with the :class:`ReportWorker` plugin on every worker.

    With ``scheduler`` (an address), connects to that running cluster; else starts a ``LocalCluster`` of
    ``jobs`` worker processes with one thread each, in a private temp folder removed on the way out;
    ``retries`` is its ``allowed-failures`` (worker deaths a task may cause).
    """
    import dask
    from distributed import Client, LocalCluster

    settings = {"distributed.scheduler.allowed-failures": WORKER_DEATHS_ALLOWED if retries is None else retries,
                # one task per worker at a time: a worker that dies takes only its own task with it
                "distributed.scheduler.worker-saturation": 1.0,
                "distributed.worker.daemon": True}
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:  # TimeoutError included: one line, exit 1
            raise ReportError(say("msg_scheduler_unreachable", message_lang(), address=scheduler,
                                  reason=type(exc).__name__)) from None
        with client:
            client.register_plugin(ReportWorker(formats))
            try:
                client.wait_for_workers(1, timeout=WORKERS_WAIT_SECONDS)
            except TimeoutError:
                raise ReportError(say("msg_scheduler_no_workers", message_lang(), address=scheduler,
                                      seconds=WORKERS_WAIT_SECONDS)) from None
            yield client
        return
    scratch, lock = _private_temp()
    cluster = client = None
    try:
        with dask.config.set(settings, **{"temporary-directory": scratch}), critical(), _workers_ignore_sigint():
            # the plugin is given to each worker as it starts (its warm-up begins before the client connects;
            # a worker the nanny restarts gets it again)
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   scheduler_port=0, dashboard_address=None,  # and its HTTP routes on any port:
                                   scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                                   silence_logs=logging.CRITICAL, local_directory=scratch, env={"TMPDIR": scratch},
                                   plugins={ReportWorker(formats)})
            client = Client(cluster)
        yield client
    finally:
        try:
            with critical(), _workers_ignore_sigint():
                if client is not None:
                    with contextlib.suppress(Exception):
                        client.close(timeout=5)
                if cluster is not None:
                    _kill_workers(cluster)
                    with contextlib.suppress(Exception):
                        cluster.close(timeout=5)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            os.close(lock)


def _kill_workers(cluster) -> None:
    """SIGKILL the local cluster's worker processes and their kernels, not to be restarted, and wait until
    they are gone; the cluster is closed after that.

    Why not only ``cluster.close()``: measured on 2 loaded cores, a graceful close took 4 s after a batch
    (the workers' interpreter shutdown with papermill, matplotlib and a kernel client loaded), and after a
    Ctrl-C it waits for each report in flight to notice its kernel died; a stopped batch must stop within
    seconds. Nothing is lost: the results are in, a report in flight is unpublished (the caller removes
    its run folder, :func:`.changes.sweep_village`), and each kernel, once its worker is gone, removes its
    socket folder and exits by its own watchdog (:mod:`.kernel_main`); one that has not within 2 s is
    killed (its folder is in the private temp folder, removed next)."""
    import psutil

    workers, kernels = [], []
    for nanny in list(cluster.workers.values()):
        nanny.close_gracefully(reason="village-stats-stopped")  # Dask's own "do not restart it"
        pid = getattr(nanny, "pid", None)
        try:
            worker = psutil.Process(pid) if pid else None
            if worker is not None:
                kernels += worker.children(recursive=True)
                workers.append(worker)
        except psutil.Error:
            continue
    for p in workers:
        with contextlib.suppress(psutil.Error):
            p.kill()
    _wait_gone(workers, 3)
    # each kernel's watchdog removes its socket folder and exits once its worker is gone; then the rest
    for p in _wait_gone(kernels, 2):
        with contextlib.suppress(psutil.Error):
            p.kill()


def _wait_gone(processes: list, seconds: float) -> list:
    """Wait until every process has ended, at most ``seconds``; those still running.

    A zombie counts as ended: a process whose parent was killed is re-parented, and its new parent may
    reap it late (measured: a container's init left the four zombies of a stopped batch for over 2 s,
    which ``psutil.wait_procs`` counts as running)."""
    import time

    import psutil

    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for p in processes:
            with contextlib.suppress(psutil.Error):
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.02)


def _private_temp() -> tuple[str, int]:
    """A private temp folder for a local cluster, locked (flock) while this process lives; folders of
    earlier batches whose lock is free (their ``run-all`` was killed) are removed first."""
    import fcntl

    root = tempfile.gettempdir()
    for name in os.listdir(root):
        old = os.path.join(root, name)
        if not name.startswith(TEMP_PREFIX) or not os.path.isdir(old) or os.path.islink(old):
            continue
        try:
            fd = os.open(os.path.join(old, "lock"), os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a running batch
        finally:
            os.close(fd)
        shutil.rmtree(old, ignore_errors=True)
    scratch = tempfile.mkdtemp(prefix=TEMP_PREFIX)
    fd = os.open(os.path.join(scratch, "lock"), os.O_RDONLY | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return scratch, fd
