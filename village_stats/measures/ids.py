"""Matching household ids between tables fast: ASCII ids as 64-bit words, looked up in integer hash tables.

Hashing a million Python strings is most of the time of any join on household ids (``Index.get_indexer``,
``pd.factorize``). Here the ids of a column are joined into one byte buffer (one ``str.join``), cut at the
separators into fixed-width rows of bytes, packed into 64-bit words and mixed into one 64-bit key per id;
the keys go into pandas' ``UInt64HashTable``. Every match is then checked word by word, so a collision of
keys can never match two different ids: any doubt (a collision, an id that is not ASCII text, a value that
is not a string, an id holding the byte 0) falls back to the plain lookup of the strings themselves, which
gives the same answer. Ids are text: ``'0007'`` and ``'7'`` are different ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _words(values: np.ndarray, width: int | None = None) -> np.ndarray | None:
    """Each id as a row of 64-bit words (its ASCII bytes, zero-padded); None when an id is not plain ASCII text.

    >>> _words(np.array(["ab", "c"], dtype=object)).shape
    (2, 1)
    """
    n = len(values)
    if n == 0:
        return np.zeros((0, 1 if width is None else width // 8), dtype=np.uint64)
    try:
        text = "\x00".join(values)          # TypeError when a value is not a str
    except TypeError:
        return None
    if not text.isascii():
        return None
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    ends = np.flatnonzero(raw == 0)
    if len(ends) != n - 1:                  # an id holding the byte 0 itself
        return None
    starts = np.concatenate([[0], ends + 1])
    lengths = np.diff(np.concatenate([starts, [len(raw)]])) - 1
    lengths[-1] += 1
    longest = int(lengths.max())
    w = max(-(-max(longest, 1) // 8) * 8, width or 0)
    out = np.zeros((n, w), dtype=np.uint8)
    if (lengths == longest).all():          # ids of one length (the usual case): one reshape
        out[:, :longest] = np.delete(raw, ends).reshape(n, longest)
    else:
        out[np.arange(w) < lengths[:, None]] = np.delete(raw, ends)
    return out.view(np.uint64)


def _keys(words: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of words (multiplicative mixing, wrapping)."""
    key = np.ascontiguousarray(words[:, 0])
    for j in range(1, words.shape[1]):
        key = key * _MIX + words[:, j]
    return key


def _same_width(*arrays: np.ndarray) -> list[np.ndarray] | None:
    """The words of each array, all of one width; None when any is not plain ASCII text."""
    words = [_words(a) for a in arrays]
    if any(w is None for w in words):
        return None
    width = max(w.shape[1] for w in words)
    return [w if w.shape[1] == width else np.pad(w, ((0, 0), (0, width - w.shape[1]))) for w in words]


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
    from pandas._libs import hashtable

    reg = np.asarray(register_ids, dtype=object)
    other = np.asarray(ids, dtype=object)

    def slow() -> np.ndarray:
        return pd.Index(reg, dtype=object).get_indexer(other).astype(np.int64)

    words = _same_width(reg, other)
    if words is None or len(reg) == 0 or len(other) == 0:
        return slow()
    w0, w1 = words
    table = hashtable.UInt64HashTable(len(reg))
    table.map_locations(_keys(w0))
    if len(table) != len(reg):          # a key twice: a duplicate id (the slow path raises) or a collision
        return slow()
    pos = table.lookup(_keys(w1)).astype(np.int64)
    hit = pos >= 0
    if not (w0[pos[hit]] == w1[hit]).all():
        return slow()
    return pos


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
    from pandas._libs import hashtable

    a0 = np.asarray(ids0, dtype=object)
    a1 = np.asarray(ids1, dtype=object)
    n0, n1 = len(a0), len(a1)

    def slow():
        codes, uniques = pd.factorize(np.concatenate([a0, a1]))
        k = len(uniques)
        p0 = np.full(k, -1, dtype=np.int64)
        p1 = np.full(k, -1, dtype=np.int64)
        p0[codes[:n0]] = np.arange(n0)
        p1[codes[n0:]] = np.arange(n1)
        if (p0 >= 0).sum() != n0 or (p1 >= 0).sum() != n1:
            raise ValueError("a household_id is listed twice in one register")
        return np.asarray(uniques, dtype=object), p0, p1

    words = _same_width(a0, a1) if n0 and n1 else None
    if words is None:
        return slow()
    w0, w1 = words
    k0, k1 = _keys(w0), _keys(w1)
    table = hashtable.UInt64HashTable(n0)
    table.map_locations(k0)
    if len(table) != n0:                                          # a key twice: a duplicate or a collision
        return slow()
    at = table.lookup(k1).astype(np.int64)                        # row in ids0 of each id of ids1
    hit = at >= 0
    if not (w0[at[hit]] == w1[hit]).all():
        return slow()
    new = np.flatnonzero(~hit)
    if len(new) > 1:
        fresh = hashtable.UInt64HashTable(len(new))
        fresh.map_locations(k1[new])
        if len(fresh) != len(new):
            return slow()
    if np.bincount(at[hit], minlength=n0).max(initial=0) > 1:      # an id of ids0 listed twice in ids1
        return slow()
    k = n0 + len(new)
    p0 = np.full(k, -1, dtype=np.int64)
    p0[:n0] = np.arange(n0)
    p1 = np.full(k, -1, dtype=np.int64)
    rows1 = np.arange(n1)
    p1[at[hit]] = rows1[hit]
    p1[n0:] = new
    return np.concatenate([a0, a1[new]]), p0, p1
