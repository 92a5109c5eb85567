"""Matching household ids between tables fast: ASCII ids as 64-bit words, looked up in integer hash tables.

Hashing a million Python strings is most of the time of any join on household ids (``Index.get_indexer``,
``pd.factorize``). Here the ids of a column are read in pieces of :data:`PIECE` ids: each piece is joined
into one byte buffer (one ``str.join``), cut into fixed-width rows of bytes, packed into 64-bit words and
mixed into one 64-bit key per id. The keys of the register go into pandas' ``Int64HashTable``; the other
columns' keys are looked up in it. Every match is then checked word by word, so a collision of keys can
never match two different ids: any doubt (a collision, an id that is not ASCII text, a value that is not a
string, an id holding the byte 0) falls back to the plain lookup of the strings themselves, which gives the
same answer. Ids are text: ``'0007'`` and ``'7'`` are different ids.

Reading the strings needs the interpreter's lock; filling and searching the hash table does not. From
:data:`THREADS_FROM` ids (a county's or a province's register, never a village's) a thread fills the table
piece by piece while the calling thread reads the next pieces, then two threads search it, a piece at a
time, while the calling thread reads the other column: the two costs overlap instead of adding up
(measured in ``tests/benchmarks/test_stockflow_1m.py`` and ``test_monitoring_1m.py``).
"""

from __future__ import annotations

import queue
import threading

import numpy as np
import pandas as pd
from pandas._libs import hashtable

from ..threads import start_quiet

_MIX = np.uint64(0x9E3779B97F4A7C15)

#: Ids read at a time (one ``str.join`` each).
PIECE = 1 << 16

#: Ids in the columns together (register and the others) from which two threads hash while the calling thread reads.
THREADS_FROM = 1 << 18


def _words(values: np.ndarray) -> np.ndarray | None:
    """Each id as a row of 64-bit words (its ASCII bytes, zero-padded); None when an id is not plain ASCII text.

    Parameters
    ----------
    values : ndarray of object
        Ids (str).

    Returns
    -------
    ndarray of uint64, shape (n, w), or None
        w = ⌈longest id / 8⌉ (at least 1); None when a value is not a str, not ASCII, or holds the byte 0.

    Examples
    --------
    >>> _words(np.array(["ab", "c"], dtype=object)).shape
    (2, 1)
    >>> _words(np.array(["ab", "c\\x00"], dtype=object)) is None
    True
    """
    n = len(values)
    if n == 0:
        return np.zeros((0, 1), dtype=np.uint64)
    try:
        text = "\x00".join(values)          # TypeError when a value is not a str
    except TypeError:
        return None
    if not text.isascii():
        return None
    raw = np.frombuffer(text.encode("ascii") + b"\x00", dtype=np.uint8)    # each id followed by a 0
    zeros = raw == 0
    if np.count_nonzero(zeros) != n:        # an id holding the byte 0 itself
        return None
    first = len(values[0])
    if len(raw) == n * (first + 1):
        # the usual case, ids of one length: then the 0s fall at the end of each row of first + 1 bytes
        grid = raw.reshape(n, first + 1)
        if zeros.reshape(n, first + 1)[:, first].all():
            out = np.zeros((n, max(-(-first // 8), 1) * 8), dtype=np.uint8)
            out[:, :first] = grid[:, :first]
            return out.view(np.uint64)
    ends = np.flatnonzero(zeros)
    lengths = np.diff(ends, prepend=-1) - 1
    width = max(-(-int(lengths.max()) // 8), 1) * 8
    out = np.zeros((n, width), dtype=np.uint8)
    out[np.arange(width) < lengths[:, None]] = raw[~zeros]
    return out.view(np.uint64)


def _keys(words: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of words (multiplicative mixing, wrapping), as int64.

    A word of zeros is padding (ids hold no byte 0) and is skipped, so an id's key does not depend on how wide
    the rows of its piece are.

    >>> a = _keys(_words(np.array(["ab"], dtype=object)))
    >>> b = _keys(_words(np.array(["ab", "0123456789"], dtype=object)))
    >>> bool(a[0] == b[0])
    True
    """
    key = np.ascontiguousarray(words[:, 0])
    for j in range(1, words.shape[1]):
        w = words[:, j]
        key = np.where(w != 0, key * _MIX + w, key)
    return key.view(np.int64)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether each row of words of ``a`` equals the row of ``b`` (the narrower one zero-padded).

    >>> w = _words(np.array(["ab", "0123456789"], dtype=object))
    >>> _same(w[:1], _words(np.array(["ab"], dtype=object))), _same(w[1:], w[:1])
    (True, False)
    """
    common = min(a.shape[1], b.shape[1])
    return bool((a[:, :common] == b[:, :common]).all() and not a[:, common:].any() and not b[:, common:].any())


class _Failed(Exception):
    """The fast path cannot answer (the caller falls back to the strings)."""


def _pieces(values: np.ndarray):
    """(start, words, keys) of each piece of ``values``; raises :class:`_Failed` on an id the words cannot hold."""
    for start in range(0, len(values), PIECE):
        words = _words(values[start:start + PIECE])
        if words is None:
            raise _Failed
        yield start, words, _keys(words)


def _stack(parts: list[np.ndarray], n: int) -> np.ndarray:
    """The pieces' words in one (n, widest) array."""
    width = max((p.shape[1] for p in parts), default=1)
    if all(p.shape[1] == width for p in parts):
        return np.concatenate(parts) if parts else np.zeros((n, width), dtype=np.uint64)
    out = np.zeros((n, width), dtype=np.uint64)
    start = 0
    for p in parts:
        out[start:start + len(p), :p.shape[1]] = p
        start += len(p)
    return out


class _Hashers:
    """Up to two threads that run the hash-table work (which releases the interpreter's lock) while the
    calling thread reads strings. Inline (no thread) when ``threads`` is 0: the same work in the same order.

    ``insert`` work runs in order in the first thread; ``search`` work in either thread, once every insert
    is done (the table is only read then, which two threads may do at once). When a thread cannot be
    started (the process's limit), the work runs inline.
    """

    def __init__(self, threads: int) -> None:
        self._inserts: queue.SimpleQueue = queue.SimpleQueue()
        self._searches: queue.SimpleQueue = queue.SimpleQueue()
        self._inserted = threading.Event()
        self._errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []
        for i in range(threads):
            thread = threading.Thread(target=self._run, args=(i == 0,), daemon=True, name=f"village-stats-ids-{i}")
            try:
                start_quiet(thread)
            except RuntimeError:          # "can't start new thread": end those started, work inline
                self.close()
                self._threads = []
                break
            self._threads.append(thread)

    def _run(self, inserter: bool) -> None:
        try:
            if inserter:
                while (work := self._inserts.get()) is not None:
                    work()
                self._inserted.set()
            else:
                self._inserted.wait()
            while (work := self._searches.get()) is not None:
                work()
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, raised there
            self._errors.append(exc)
            self._inserted.set()

    def _hand(self, to: queue.SimpleQueue, work) -> None:
        if self._threads:
            to.put(work)
        else:
            work()

    def insert(self, work) -> None:
        self._hand(self._inserts, work)

    def inserts_done(self) -> None:
        if self._threads:
            self._inserts.put(None)

    def search(self, work) -> None:
        self._hand(self._searches, work)

    def close(self) -> None:
        """Wait for every piece of work; raise what a thread raised."""
        if self._threads:
            self._inserts.put(None)          # harmless after inserts_done (never read)
            for _ in self._threads:
                self._searches.put(None)
            for t in self._threads:
                t.join()
        if self._errors:
            raise self._errors[0]


def _lookup(register: np.ndarray, *columns: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """For each id of each of ``columns``, its row in ``register`` (−1 when absent); one table for all.

    Raises :class:`_Failed` when the fast path cannot answer: an id the words cannot hold, a key twice in
    ``register`` (a duplicate id or a collision), or a match whose words differ (a collision).

    Returns
    -------
    at : list of ndarray of int64
        Row in ``register`` of each id of each column.
    keys : list of ndarray of int64
        The 64-bit key of each id of each column.
    """
    n0 = len(register)
    table = hashtable.Int64HashTable(max(n0, 1))
    at = [np.empty(len(c), dtype=np.int64) for c in columns]
    keys = [np.empty(len(c), dtype=np.int64) for c in columns]
    words0: list[np.ndarray] = []
    wrong: list[int] = []                 # pieces whose matches differ word by word
    hashers = _Hashers(2 if n0 + sum(map(len, columns)) >= THREADS_FROM else 0)
    try:
        for start, words, k in _pieces(register):
            words0.append(words)
            hashers.insert(lambda k=k, s=start: table.map_keys_to_values(k, np.arange(s, s + len(k))))
        hashers.inserts_done()
        register_words = _stack(words0, n0)

        def search(out: np.ndarray, start: int, words: np.ndarray, k: np.ndarray) -> None:
            found = table.lookup(k)
            out[start:start + len(k)] = found
            hit = found >= 0
            if not _same(register_words[found[hit]], words[hit]):
                wrong.append(start)

        for column, out, column_keys in zip(columns, at, keys):
            for start, words, k in _pieces(column):
                column_keys[start:start + len(k)] = k
                hashers.search(lambda o=out, s=start, w=words, k=k: search(o, s, w, k))
    finally:
        hashers.close()
    if len(table) != n0 or wrong:
        raise _Failed
    return at, keys


def positions_of(register_ids, *columns) -> list[np.ndarray]:
    """For each of ``columns``, the row of ``register_ids`` holding each id (−1 where none), the register's
    ids hashed once for all columns; the register's ids are unique.

    >>> [p.tolist() for p in positions_of(["0001", "A-17"], ["A-17", "0009"], ["0001"])]
    [[1, -1], [0]]
    """
    reg = np.asarray(register_ids, dtype=object)
    others = [np.asarray(c, dtype=object) for c in columns]
    filled = [o for o in others if len(o)]
    if len(reg) and filled:
        try:
            found = iter(_lookup(reg, *filled)[0])
            return [next(found) if len(o) else np.empty(0, dtype=np.int64) for o in others]
        except _Failed:
            pass
    index = pd.Index(reg, dtype=object)
    return [index.get_indexer(o).astype(np.int64) for o in others]


def positions(register_ids, ids) -> np.ndarray:
    """Row of ``register_ids`` holding each of ``ids`` (−1 where none); the register's ids are unique.

    Parameters
    ----------
    register_ids, ids : array-like of str
        Household ids (text, compared exactly).

    Returns
    -------
    ndarray of int64
        One position per id of ``ids``.

    Examples
    --------
    >>> positions(["0007", "7", "A-1"], ["7", "B", "0007", "A-1"]).tolist()
    [1, -1, 0, 2]
    """
    return positions_of(register_ids, ids)[0]


def take(values: np.ndarray, positions: np.ndarray, missing) -> np.ndarray:
    """``values[positions]``, with ``missing`` where a position is −1 (no such row): one gather, the missing
    value appended as the last row. ``missing`` is cast to the values' dtype: give one it holds (NaN for
    floats, False for booleans, 0 for codes).

    >>> take(np.array([10.0, 20.0]), np.array([1, -1, 0]), np.nan).tolist()
    [20.0, nan, 10.0]
    >>> take(np.array([], dtype=bool), np.array([-1]), False).tolist()
    [False]
    """
    values = np.asarray(values)
    return np.append(values, np.asarray([missing], dtype=values.dtype))[positions]


def full_join(ids0, ids1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full outer join of two id columns, each listing an id at most once.

    Returns
    -------
    order : ndarray of object
        Every id listed in either column: ``ids0`` in its order, then the ids only in ``ids1`` in theirs.
    pos0, pos1 : ndarray of int64
        Row of each id of ``order`` in ``ids0`` / ``ids1``, −1 when not listed there.

    Raises
    ------
    ValueError
        When an id is listed twice in one column.

    Examples
    --------
    >>> order, p0, p1 = full_join(["a", "0007", "b"], ["7", "a", "0007"])
    >>> order.tolist(), p0.tolist(), p1.tolist()
    (['a', '0007', 'b', '7'], [0, 1, 2, -1], [1, 2, -1, 0])
    """
    a0 = np.asarray(ids0, dtype=object)
    a1 = np.asarray(ids1, dtype=object)
    n0, n1 = len(a0), len(a1)
    try:
        if not (n0 and n1):
            raise _Failed
        (at,), (keys1,) = _lookup(a0, a1)
        hit = at >= 0
        new = np.flatnonzero(~hit)
        if len(new) > 1:
            fresh = hashtable.Int64HashTable(len(new))
            fresh.map_locations(keys1[new])
            if len(fresh) != len(new):                            # a key twice among the new: a duplicate?
                raise _Failed
        if np.bincount(at[hit], minlength=n0).max(initial=0) > 1:  # an id of ids0 listed twice in ids1
            raise _Failed
    except _Failed:
        codes, uniques = pd.factorize(np.concatenate([a0, a1]))
        k = len(uniques)
        p0 = np.full(k, -1, dtype=np.int64)
        p1 = np.full(k, -1, dtype=np.int64)
        p0[codes[:n0]] = np.arange(n0)
        p1[codes[n0:]] = np.arange(n1)
        if (p0 >= 0).sum() != n0 or (p1 >= 0).sum() != n1:
            raise ValueError("a household_id is listed twice in one register") from None
        return np.asarray(uniques, dtype=object), p0, p1
    k = n0 + len(new)
    p0 = np.full(k, -1, dtype=np.int64)
    p0[:n0] = np.arange(n0)
    p1 = np.full(k, -1, dtype=np.int64)
    p1[at[hit]] = np.flatnonzero(hit)
    p1[n0:] = new
    return np.concatenate([a0, a1[new]]), p0, p1
