"""Kernels for report runs: one started ahead of papermill, and the spare a batch worker keeps ready.

A :class:`KernelPool` hands a run its kernel (started ahead when the pool was asked to, else now) and,
when the run asks, starts the next report's kernel while this one exports, so a batch worker's kernel
start-up overlaps its exports. A pool belongs to one process (the CLI's, or a batch worker's) and is
closed by its owner.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile


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


#: The kernel's entry point, started by path (see :mod:`.kernel_main`).
KERNEL_MAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_main.py")

#: Lines a kernel started ahead runs while this process imports papermill: the notebooks' imports and the
#: font set-up their charts need. They leave no trace in the notebook.
WARM_LINES = ("import village_stats, village_stats.display.views, village_stats.display.plotting, "
              "village_stats.alerts",
              "village_stats.display.fonts.setup_matplotlib()")


def _kernel_manager_class(warm_lines: tuple[str, ...] = ()):
    """A kernel manager that always starts this very interpreter (whatever kernelspecs say), over IPC
    sockets in a private temp folder (no TCP port races between parallel runs) that also holds the
    connection file, through :mod:`.kernel_main` (which removes that folder if the parent dies)."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    extra = [f"--IPKernelApp.exec_lines={json.dumps(list(warm_lines))}"] if warm_lines else []

    class ThisPythonKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.socket_dir = tempfile.mkdtemp(prefix="village-stats-kernel-", dir=_socket_parent())
            self.ip = os.path.join(self.socket_dir, "kernel")
            self.connection_file = os.path.join(self.socket_dir, "kernel.json")
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
                    argv=[sys.executable, KERNEL_MAIN, "-f", "{connection_file}", *extra],
                    display_name="Python 3 (village_stats)", language="python", resource_dir="")
            return self._kernel_spec

    return ThisPythonKernelManager


#: The longest path of a Unix socket (sun_path holds 108 bytes with the final NUL on Linux, 104 on macOS).
SOCKET_PATH_MAX = 100


def _socket_parent() -> str:
    """Where a kernel's socket folder goes: the temp folder, unless its sockets' paths
    (``<tmp>/village-stats-kernel-xxxxxxxx/kernel-5``) would be too long for a Unix socket; then /tmp
    (a deep TMPDIR otherwise makes the kernel fail to bind and the run wait for it until it times out)."""
    base = tempfile.gettempdir()
    if len(os.path.join(base, "village-stats-kernel-xxxxxxxx", "kernel-99")) <= SOCKET_PATH_MAX:
        return base
    return "/tmp" if os.path.isdir("/tmp") else base


class Kernel:
    """A kernel started before papermill is imported, so that its start-up (and the notebook's imports)
    run on the other core while this process imports papermill and the exporters.

    Profiled on the 2-core machine: kernel start plus imports take about 1.1 s, importing papermill and
    nbformat about 1.0 s; started one after the other they added up.
    """

    def __init__(self) -> None:
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self.km = _kernel_manager_class(WARM_LINES)(kernel_name="python3")
        # the kernel's own stderr (not a cell's, which goes to the notebook) would only add lines to ours
        run_sync(self.km.start_kernel)(cwd=os.getcwd(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def shutdown(self) -> None:
        """Stop the kernel, its client channels and its socket folder."""
        for kc in self.km.made_clients:  # papermill leaves the channels of a kernel it does not own open
            kc.stop_channels()
        if self.km.has_kernel:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        self._run_sync(self.km.cleanup_resources)()
        shutil.rmtree(self.km.socket_dir, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL the kernel process now, from any thread (a worker that is being stopped): the run using
        it fails at once and cleans up as any failed run does (its socket folder with it)."""
        import signal

        process = getattr(self.km.provisioner, "process", None) if self.km.has_kernel else None
        if process is not None and process.poll() is None:
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            shutil.rmtree(self.km.socket_dir, ignore_errors=True)  # a killed kernel's watchdog cannot

    def shutdown_in_thread(self) -> None:
        """:meth:`shutdown` from a thread of its own (a run stops its kernel while it exports), then close
        the event loop that thread's ``run_sync`` made: left open, it is closed by the garbage collector at
        exit, after its sockets, and prints an "Exception ignored" traceback."""
        import asyncio

        from jupyter_core.utils import ensure_event_loop

        try:
            self.shutdown()
        finally:
            ensure_event_loop().close()
            asyncio.set_event_loop(None)


class KernelPool:
    """Kernels for one process's runs: the one started ahead for the next run, if any.

    Use as a context manager (or call :meth:`close`) so a spare kernel never outlives its owner.
    """

    def __init__(self) -> None:
        self._spare: Kernel | None = None
        self._taken: list[Kernel] = []
        self._stopped = False

    def take(self) -> Kernel:
        """The kernel started ahead, else a new one (starting now); after :meth:`stop`, ReportError."""
        if self._stopped:
            from ..errors import ReportError

            raise ReportError("stopped")
        kernel, self._spare = self._spare, None
        kernel = kernel if kernel is not None else Kernel()
        self._taken = [k for k in self._taken if k.km.has_kernel] + [kernel]
        return kernel

    def prestart(self) -> None:
        """Start the next run's kernel now (it boots on the other core while this run exports)."""
        if self._spare is None and not self._stopped:
            self._spare = Kernel()
            if self._stopped:  # stopped while it started
                self.close()

    def close(self) -> None:
        """Shut the spare kernel down."""
        if self._spare is not None:
            self._spare.shutdown()
            self._spare = None

    def stop(self) -> None:
        """Stop at once, from any thread: kill the kernels handed out that still run (their runs fail and
        clean up), then shut the spare down (a batch worker being stopped). Takes no new kernel after."""
        self._stopped = True
        for kernel in self._taken:
            kernel.kill()
        self.close()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
