"""Stopping a batch: SIGINT and SIGTERM become an exception in the main thread, except inside a block
that must not be cut in two (starting or stopping the cluster), where the stop waits for the block's end.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class Stop(KeyboardInterrupt):
    """SIGINT or SIGTERM received: raised in the main thread by :func:`stop_on_signals`' handler."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_DEFERRED: list[int] = []   # signals received inside critical() blocks, raised when the block ends
_CRITICAL = [0]


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Stop` in the main thread while the block runs (a batch then
    stops its workers and says how many finished). Inside :func:`critical` the stop waits for its end."""
    def handler(signum, frame):
        if _CRITICAL[0]:
            _DEFERRED.append(signum)
        else:
            raise Stop(signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _DEFERRED.clear()


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """A block a stop must not cut in two (starting the cluster): a signal received meanwhile raises
    :class:`Stop` when the block ends."""
    _CRITICAL[0] += 1
    try:
        yield
    finally:
        _CRITICAL[0] -= 1
    if not _CRITICAL[0] and _DEFERRED:
        raise Stop(_DEFERRED.pop())
