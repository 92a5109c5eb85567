"""The kernel of a report run: ipykernel, plus a watchdog that removes the kernel's socket folder and exits
when the process that started it is gone (or removes it on SIGTERM before ending).

Started by path (``python .../kernel_main.py -f <connection file>``), not as ``-m village_stats...``, so
the watchdog runs before anything heavy is imported. The kernel's connection file and IPC sockets live in
one private folder (``village-stats-kernel-*``, made by :mod:`.kernels`); when the parent dies (SIGKILL of
a run, of ``run-all`` or of a Dask worker), ipykernel's own poller would exit within a second but leave
that folder behind: this watchdog removes it first.

Measured (2 loaded cores, tests/test_kernels.py): 0.1 s after SIGKILL of ``village-stats run``, the kernel
and its folder are gone.
"""

import os
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


def _watch(parent: int, folder: str | None) -> None:
    """Exit (removing ``folder``) as soon as this process is no longer ``parent``'s child."""
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
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


def main() -> None:
    # the parent as jupyter_client recorded it: a parent that died before this line is noticed too
    parent = int(os.environ.get("JPY_PARENT_PID") or os.getppid())
    folder = _connection_folder(sys.argv)
    _remove_on_term(folder)
    threading.Thread(target=_watch, args=(parent, folder), daemon=True,
                     name="village-stats parent watchdog").start()
    # as ipykernel_launcher: the script's folder is not on sys.path (IPython adds the working folder back)
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
