"""Threads the package starts for itself, started so that they never take the process's Ctrl-C."""

from __future__ import annotations

import signal
import threading


def start_quiet(thread: threading.Thread) -> None:
    """Start ``thread`` with SIGINT and SIGTERM blocked in it (a thread inherits its creator's mask), so that
    Ctrl-C and SIGTERM always reach the main thread, which stops the batch: a signal the kernel hands to
    another thread is lost while the main thread ignores it (``run-all`` does while its workers start).

    >>> t = threading.Thread(target=lambda: None)
    >>> start_quiet(t); t.join(); t.is_alive()
    False
    """
    if not hasattr(signal, "pthread_sigmask"):
        thread.start()
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
