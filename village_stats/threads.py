"""Threads the package starts for itself, started so that they never take the process's Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """SIGINT and SIGTERM blocked in this thread for the block, so that a thread started in it (which inherits
    its creator's mask) never takes them: Ctrl-C and SIGTERM always reach the main thread, which stops the
    batch. A signal the kernel hands to another thread is lost while the main thread ignores it (``run-all``
    does while its workers start).

    >>> with quiet():
    ...     pass
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def start_quiet(thread: threading.Thread) -> None:
    """Start ``thread`` with SIGINT and SIGTERM blocked in it (see :func:`quiet`).

    >>> t = threading.Thread(target=lambda: None)
    >>> start_quiet(t); t.join(); t.is_alive()
    False
    """
    with quiet():
        thread.start()
