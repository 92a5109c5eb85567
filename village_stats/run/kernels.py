"""Kernels for report runs: one started ahead of papermill, and the spare a batch worker keeps ready.

A :class:`KernelPool` hands a run its kernel (started ahead when the pool was asked to, else now) and,
when the run asks, starts the next report's kernel while this one exports, so a batch worker's kernel
start-up overlaps its exports. A pool belongs to one process (the CLI's, or a batch worker's) and is
closed by its owner.

A batch worker's pool forks its kernels from a :class:`ForkServer` (``kernel_main.py --fork-server``),
which has imported ipykernel and the notebooks' modules once: each report's kernel then starts in about
0.15 s of one core instead of about 0.85 s (measured on the 2-core machine), which is most of what a
batch saves per report. Each kernel is still a process of its own, started fresh for one report, spoken to
by papermill over its own sockets exactly as a kernel started by command; only its imports are inherited.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from ..threads import start_quiet


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
              "village_stats.display.fonts.setup_matplotlib()",
              # a Figure displays as a picture: registered with the kernel's shell (a fork server imported
              # the package before any shell existed)
              "village_stats.display._register_figure_display()")


#: How long a kernel's fork may wait for its fork server (the server's own imports, on a loaded machine).
FORK_WAIT_SECONDS = 120


def _write_before(fd: int, data: bytes, deadline: float) -> None:
    """Write all of ``data`` to the pipe ``fd``, waiting for room at most until ``deadline`` (monotonic);
    TimeoutError when the reader takes nothing for that long (a full pipe blocks a plain write forever).

    Each write is at most ``select.PIPE_BUF`` bytes once the pipe is writable, which a pipe takes whole
    without blocking (POSIX). ``poll``, not ``select``: a descriptor may be numbered 1024 or more.
    """
    import select

    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    view = memoryview(data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(max(1, int(left * 1000))):
            raise TimeoutError
        view = view[os.write(fd, view[:select.PIPE_BUF]):]


class ForkServer:
    """A fork server of kernels (:mod:`.kernel_main` ``--fork-server``) and the one thread reading its
    answers. Belongs to one process (a batch worker), closed by its owner; it also exits by itself when
    that process dies (its stdin closes). Its kernels watch the worker (the hang-up of the pipe the worker
    writes to), not the server: a server that dies takes no report with it."""

    def __init__(self, warm_lines: tuple[str, ...] = WARM_LINES) -> None:
        self.process = subprocess.Popen(
            [sys.executable, KERNEL_MAIN, "--fork-server", json.dumps(list(warm_lines))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._changed = threading.Condition()
        self._writing = threading.Lock()
        self._pids: dict[int, int] = {}       # request id → kernel pid
        self._exits: dict[int, int] = {}      # kernel pid → exit status, once reaped
        self._abandoned: set[int] = set()     # requests given up (no answer in time): killed if forked later
        self._asked = 0
        self._ended = False
        start_quiet(threading.Thread(target=self._read, daemon=True, name="village-stats fork server"))

    def _read(self) -> None:
        import signal

        try:
            for line in self.process.stdout:
                try:
                    answer = json.loads(line)
                except ValueError:
                    continue
                with self._changed:
                    if "exit" in answer:
                        self._exits[answer["exit"]] = answer["status"]
                    elif "id" in answer:
                        # a pid is reused only after its exit was reported: that old status is not this kernel's
                        self._exits.pop(answer["pid"], None)
                        if answer["id"] in self._abandoned:
                            self._abandoned.discard(answer["id"])
                            with contextlib.suppress(ProcessLookupError):
                                os.kill(answer["pid"], signal.SIGTERM)  # it removes its folder on SIGTERM
                        else:
                            self._pids[answer["id"]] = answer["pid"]
                    self._changed.notify_all()
        finally:
            with contextlib.suppress(OSError):
                self.process.stdout.close()  # the reader owns the pipe: closed at its end, never left to the GC
            with self._changed:
                self._ended = True
                self._changed.notify_all()

    @property
    def alive(self) -> bool:
        """Whether the server still answers."""
        return not self._ended and self.process.poll() is None

    def fork(self, args: list[str], *, cwd: str, env: dict[str, str]) -> int:
        """Fork a kernel running ``kernel_main.py <args>`` in ``cwd`` with ``env``; its pid.

        Raises OSError when the server has ended, or does not take the request or answer it within
        :data:`FORK_WAIT_SECONDS` (it is killed then).
        """
        deadline = time.monotonic() + FORK_WAIT_SECONDS
        with self._writing:
            with self._changed:
                self._asked += 1
                n = self._asked
            line = (json.dumps({"id": n, "args": args, "cwd": cwd, "env": env}) + "\n").encode()
            try:
                # a descriptor of our own: a close() of stdin meanwhile (the pool stopping) cannot hand its
                # number to another file while the request is still being written
                fd = os.dup(self.process.stdin.fileno())
                try:
                    _write_before(fd, line, deadline)
                finally:
                    os.close(fd)
            except TimeoutError:
                # a server that reads no request is of no use, and half a line is in its pipe: it ends here
                # (the pool starts another; its kernels in flight watch the worker, not the server)
                with contextlib.suppress(OSError):
                    self.process.kill()
                raise OSError("the kernels' fork server did not read the request") from None
            except (OSError, ValueError) as exc:
                raise OSError("the kernels' fork server has ended") from exc
        with self._changed:
            while n not in self._pids:
                left = deadline - time.monotonic()
                if self._ended or left <= 0:
                    self._abandoned.add(n)
                    raise OSError("the kernels' fork server did not answer")
                self._changed.wait(left)
            return self._pids.pop(n)

    def exit_status(self, pid: int) -> int | None:
        """A forked kernel's exit status once it has ended, else None."""
        with self._changed:
            if pid in self._exits:
                return self._exits[pid]
            if not self._ended:
                return None
        import psutil  # the server is gone and cannot reap: the kernel is someone else's child now

        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return None
        except psutil.Error:
            pass
        return -9

    def close(self) -> None:
        """Close the server's stdin (it exits; kernels it forked that still run end too) and wait for it;
        kill it if it has not ended within 2 s."""
        with contextlib.suppress(OSError, ValueError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ForkedKernelProcess:
    """What jupyter_client's local provisioner needs of a kernel's process (``poll``, ``wait``, the
    signals), for a kernel that a :class:`ForkServer` forked (its parent is the server, not this process)."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.exit_status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:  # never a pid the server has reaped (it may belong to another process now)
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


@functools.cache
def _ready_client_class():
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyKernelClient(AsyncKernelClient):
        """jupyter_client's client, ready as soon as the kernel has answered ``kernel_info`` and IOPub has
        delivered a message; without the wait for 0.2 s of IOPub silence that ends jupyter_client's
        ``wait_for_ready`` (0.2 s of every report's wall time, measured). Nothing is lost by it: the messages
        still to come belong to the ``kernel_info`` request, and nbclient takes only those whose parent is the
        cell it executes."""

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            from queue import Empty

            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:  # IOPub connected (as jupyter_client checks); else ask again
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        # jupyter_client binds ``wait_for_ready`` to its own function (not a method lookup): nbclient calls this
        wait_for_ready = _async_wait_for_ready

    return ReadyKernelClient


def _kernel_manager_class(warm_lines: tuple[str, ...] = (), fork_server: ForkServer | None = None):
    """A kernel manager that always starts this very interpreter (whatever kernelspecs say), over IPC
    sockets in a private temp folder (no TCP port races between parallel runs) that also holds the
    connection file, through :mod:`.kernel_main` (which removes that folder if the parent dies); with
    ``fork_server``, forked from it (the same command line, environment and folder)."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    extra = [f"--IPKernelApp.exec_lines={json.dumps(list(warm_lines))}"] if warm_lines else []

    class ThisPythonKernelManager(AsyncKernelManager):

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            """jupyter_client's documented place to launch kernels differently: ask the fork server."""
            if fork_server is None or not fork_server.alive:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            provisioner = self.provisioner
            pid = fork_server.fork(kernel_cmd[2:], cwd=str(kw.get("cwd") or os.getcwd()),
                                   env=dict(kw.get("env") or os.environ))
            provisioner.process = ForkedKernelProcess(fork_server, pid)
            provisioner.pid = provisioner.pgid = pid  # the kernel leads a session (and process group) of its own
            provisioner.cwd = kw.get("cwd") or os.getcwd()
            self._reconcile_connection_info(provisioner.connection_info)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.client_factory = _ready_client_class()
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

    def __init__(self, fork_server: ForkServer | None = None) -> None:
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self.km = _kernel_manager_class(WARM_LINES, fork_server)(kernel_name="python3")
        try:  # the kernel's own stderr (not a cell's, which goes to the notebook) would only add lines to ours
            run_sync(self.km.start_kernel)(cwd=os.getcwd(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except BaseException:
            shutil.rmtree(self.km.socket_dir, ignore_errors=True)  # made for a kernel that never started
            raise

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
    """Kernels for one process's runs: the one started ahead for the next run, if any; with ``fork``,
    forked from a :class:`ForkServer` the pool starts (a batch worker's pool).

    Use as a context manager (or call :meth:`close`) so a spare kernel or a fork server never outlives
    its owner.
    """

    def __init__(self, *, fork: bool = False) -> None:
        self._spare: Kernel | None = None
        self._taken: list[Kernel] = []
        self._stopped = False
        self._fork = fork
        self._server: ForkServer | None = None
        self._ended: list[ForkServer] = []   # servers that ended: their pipes stay open while their kernels run

    def _new_kernel(self) -> Kernel:
        """A kernel: forked from the pool's fork server (started now, or again if it ended), else started
        by command."""
        if self._fork and (self._server is None or not self._server.alive):
            if self._server is not None:
                self._ended.append(self._server)  # closed with the pool: closing kills the kernels it forked
            try:
                self._server = ForkServer()
            except OSError:  # no process to be had now (EAGAIN, EMFILE): by command, and try again next time
                self._server = None
        try:
            return Kernel(self._server)
        except OSError:  # the fork server ended meanwhile: this kernel by command, the next from a new server
            return Kernel()

    def take(self) -> Kernel:
        """The kernel started ahead, else a new one (starting now); after :meth:`stop`, ReportError."""
        if self._stopped:
            from ..errors import ReportError

            raise ReportError("stopped")
        kernel, self._spare = self._spare, None
        kernel = kernel if kernel is not None else self._new_kernel()
        self._taken = [k for k in self._taken if k.km.has_kernel] + [kernel]
        return kernel

    def prestart(self) -> None:
        """Start the next run's kernel now (it starts while this run works); best effort: a kernel that
        cannot be started now is started by the next run, which then says why."""
        if self._spare is None and not self._stopped:
            try:
                self._spare = self._new_kernel()
            except Exception:  # noqa: BLE001 - the run asking has its own kernel already
                self._spare = None
            if self._stopped:  # stopped while it started
                self.close()

    def close(self) -> None:
        """Shut the spare kernel down, then the fork server (the kernels it forked that still run end by
        their watchdog when it is gone)."""
        if self._spare is not None:
            self._spare.shutdown()
            self._spare = None
        for server in [*self._ended, *([self._server] if self._server is not None else [])]:
            server.close()
        self._server, self._ended = None, []

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
