"""The kernel of a report run: ipykernel, plus a watchdog that removes the kernel's socket folder and exits
when the process that started it is gone (or removes it on SIGTERM before ending); and the kernels' fork
server of a batch worker.

Started by path (``python .../kernel_main.py -f <connection file>``), not as ``-m village_stats...``, so
the watchdog runs before anything heavy is imported. The kernel's connection file and IPC sockets live in
one private folder (``village-stats-kernel-*``, made by :mod:`.kernels`); when the parent dies (SIGKILL of
a run, of ``run-all`` or of a Dask worker), ipykernel's own poller would exit within a second but leave
that folder behind: this watchdog removes it first.

Measured (2 loaded cores, tests/test_kernels.py): 0.1 s after SIGKILL of ``village-stats run``, the kernel
and its folder are gone.

Fork server (``kernel_main.py --fork-server '<json list of lines>'``, started by a batch worker's
:class:`village_stats.run.kernels.ForkServer`): imports ipykernel and runs the notebooks' import lines
once, then reads one JSON request per line on stdin (``{"id", "args", "cwd", "env"}``) and forks a kernel
for each: the child starts a session of its own, takes the request's folder, environment and ``-f``
arguments, and runs :func:`main` with the fork server as its parent; the server answers
``{"id", "pid"}`` on stdout, and ``{"exit": pid, "status": code}`` when it has reaped that kernel. A
kernel so made starts in about 0.15 s instead of about 0.85 s (2 cores; the imports are the server's,
shared copy-on-write). The server exits when its stdin closes (its worker closed it, or died) or its
parent is gone; its kernels then see their parent gone and end by their watchdog, removing their folders.
The server has no thread: a fork copies only the calling thread, so nothing can be held by another.
"""

import json
import os
import select
import shutil
import signal
import sys
import threading
import time

#: How often the watchdog looks at the parent [seconds].
POLL_SECONDS = 0.2
#: The prefix of the folders this watchdog may remove (made by village_stats.run.kernels).
FOLDER_PREFIX = "village-stats-kernel-"


def _connection_folder(argv: list[str]) -> str | None:
    """The private folder holding the connection file given by ``-f``, if it is one of ours."""
    for i, arg in enumerate(argv):
        path = argv[i + 1] if arg == "-f" and i + 1 < len(argv) else (arg[3:] if arg.startswith("-f=") else None)
        if path:
            folder = os.path.dirname(os.path.abspath(path))
            return folder if os.path.basename(folder).startswith(FOLDER_PREFIX) else None
    return None


def _watch(parent: int, folder: str | None, hangup: int | None = None) -> None:
    """Exit (removing ``folder``) as soon as this process is no longer ``parent``'s child; with ``hangup``
    (a forked kernel: the read end of its worker's request pipe), as soon as that pipe's writer, the worker,
    is gone, whether or not the fork server still lives."""
    if hangup is None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
    else:
        watcher = select.poll()
        watcher.register(hangup, select.POLLHUP | select.POLLERR)
        while not watcher.poll(POLL_SECONDS * 1000):
            pass
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
    os.kill(os.getpid(), signal.SIGKILL)  # the whole kernel, from this thread: nothing of it is needed any more


def _remove_on_term(folder: str | None) -> None:
    """On SIGTERM (a worker's process group stopped, ``kill``), remove ``folder`` first, then end as SIGTERM
    would: a kernel told to stop leaves no socket folder either."""
    if not folder:
        return

    def handler(signum, frame):
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)


def _drop_script_folder() -> None:
    """As ipykernel_launcher: the script's folder is not on sys.path (IPython adds the working folder back)."""
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]


def main(parent: int | None = None, hangup: int | None = None) -> None:
    """Run a kernel (arguments in ``sys.argv``) watched by ``parent`` (default: the process that started it
    as jupyter_client recorded it, so a parent that died before this line is noticed too), or by the
    ``hangup`` of its worker's pipe (a forked kernel, see :func:`_watch`)."""
    parent = parent or int(os.environ.get("JPY_PARENT_PID") or os.getppid())
    folder = _connection_folder(sys.argv)
    _remove_on_term(folder)
    threading.Thread(target=_watch, args=(parent, folder, hangup), daemon=True,
                     name="village-stats parent watchdog").start()
    _drop_script_folder()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _forked_kernel(request: dict, server: int) -> None:
    """In a child of the fork server: become the kernel ``request`` asks for. Never returns into the
    server's loop: whatever ends the kernel (``exit()`` in a cell, an error while it starts) ends this process
    as a kernel started by command ends, SystemExit up to the interpreter (its exit handlers run). A kernel
    shut down by its manager is killed (SIGKILL to its process group) and never gets here."""
    try:
        os.setsid()                                   # a session of its own, as jupyter_client starts kernels
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        hangup = os.dup(0)                            # the worker's pipe: its hang-up says the worker is gone
        os.set_inheritable(hangup, False)
        null = os.open(os.devnull, os.O_RDWR)         # not the server's pipes: stdin, stdout, stderr
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(server)   # as jupyter_client's launcher sets it: the parent
        sys.argv = [os.path.abspath(__file__), *request["args"]]
        main(parent=server, hangup=hangup)
    except SystemExit:
        raise
    except BaseException:                             # noqa: BLE001 - the kernel failed: status 1, as Python's
        raise SystemExit(1) from None
    raise SystemExit(0)


def _reap(write) -> None:
    """Collect every ended kernel and say so."""
    while True:
        try:
            pid, code = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        write({"exit": pid, "status": os.waitstatus_to_exitcode(code)})


def serve_forks(warm_lines: list[str]) -> None:
    """The fork server's loop (module docstring)."""
    parent, me = os.getppid(), os.getpid()
    _drop_script_folder()
    # what ipykernel sets before a started kernel imports matplotlib (read once, at its import)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.debugger  # noqa: F401 - what every kernel imports, once
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401

    namespace: dict = {}
    for line in warm_lines:
        exec(line, namespace)  # noqa: S102 - the notebooks' own import lines, given by the package

    def write(message: dict) -> bool:
        try:
            os.write(1, (json.dumps(message) + "\n").encode())
            return True
        except OSError:                               # the worker is gone
            return False

    write({"ready": me})
    pending, serving = b"", True
    while serving:
        readable, _, _ = select.select([0], [], [], POLL_SECONDS)
        _reap(write)
        serving = os.getppid() == parent
        if not readable:
            continue
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break                                     # the worker closed the pipe, or died
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            try:
                request = json.loads(line)
            except ValueError:                        # never written by village_stats: skipped
                continue
            if not serving:                           # asked for, never to be used
                _abandon(request)
                continue
            pid = os.fork()
            if pid == 0:
                _forked_kernel(request, me)
            serving = write({"id": request["id"], "pid": pid})
    _abandon_unread(pending)


def _abandon(request: dict) -> None:
    """Remove the socket folder of a kernel that will not be forked (its worker is gone)."""
    folder = _connection_folder(request.get("args", []))
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _abandon_unread(pending: bytes) -> None:
    """The worker is gone: read what it had written (up to the end of the pipe) and remove the socket folder
    of every kernel it had asked for (it made each folder before asking)."""
    import fcntl

    fcntl.fcntl(0, fcntl.F_SETFL, fcntl.fcntl(0, fcntl.F_GETFL) | os.O_NONBLOCK)
    while True:
        try:
            chunk = os.read(0, 1 << 16)
        except OSError:                               # nothing more now: the worker may still be alive
            chunk = b""
        if not chunk:
            break
        pending += chunk
    for line in pending.split(b"\n"):
        try:
            request = json.loads(line)
        except ValueError:                            # a line the worker did not finish
            continue
        _abandon(request)

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fork-server":
        serve_forks(json.loads(sys.argv[2]))
    else:
        main()
