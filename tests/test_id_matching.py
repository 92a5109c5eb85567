"""Matching household ids as 64-bit words (village_stats.measures.ids) gives what a plain dict lookup gives.

The reference here is a Python dict from id to row, written out by hand; ids are text ('0007', '007' and '7'
are three different households), both registers are shuffled, and every case a fast path could get wrong
falls back (not ASCII, not a string, an id holding the byte 0, a duplicate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from village_stats.measures import ids
from village_stats.measures.monitoring import previous_positions
from village_stats.panel.stockflow import match


def random_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct ids of 1 to 19 characters, digits with leading zeros and letters mixed, '0007', '007' and '7'
    among them."""
    seen = {"0007", "007", "7"}   # text, not numbers: three households
    alphabet = np.array(list("0123456789AB-"))
    while len(seen) < n:
        length = int(rng.integers(1, 20))
        seen.add("".join(alphabet[rng.integers(0, len(alphabet), length)]))
    out = np.array(sorted(seen), dtype=object)
    rng.shuffle(out)
    return out


def reference_positions(register, others) -> list[int]:
    row = {v: i for i, v in enumerate(register)}
    return [row.get(v, -1) for v in others]


def reference_full_join(a0, a1):
    order = list(a0) + [v for v in a1 if v not in set(a0)]
    r0, r1 = {v: i for i, v in enumerate(a0)}, {v: i for i, v in enumerate(a1)}
    return order, [r0.get(v, -1) for v in order], [r1.get(v, -1) for v in order]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_positions_and_full_join_equal_a_dict_lookup_on_shuffled_registers(seed):
    rng = np.random.default_rng(seed)
    pool = random_ids(rng, 3000)
    before = pool[:2000].copy()
    after = np.concatenate([pool[500:2000], pool[2000:]])   # 500 left, 1000 entered
    rng.shuffle(before)
    rng.shuffle(after)
    assert ids._words(before) is not None and ids._words(after) is not None   # the fast path is taken
    assert ids.positions(before, after).tolist() == reference_positions(before, after)
    order, p0, p1 = ids.full_join(before, after)
    want = reference_full_join(before, after)
    assert (order.tolist(), p0.tolist(), p1.tolist()) == want
    m = match(pd.DataFrame({"household_id": before}), pd.DataFrame({"household_id": after}))
    assert (m.household_id.tolist(), m.before.tolist(), m.after.tolist()) == want
    cur, prev = pd.DataFrame({"household_id": after}), pd.DataFrame({"household_id": before})
    assert previous_positions(cur, prev).tolist() == reference_positions(before, after)


def test_leading_zeros_and_lengths_keep_ids_apart():
    before = np.array(["0007", "7", "07", "00000000", "0000000"], dtype=object)
    after = np.array(["7", "00000000", "007", "0007"], dtype=object)
    assert ids.positions(before, after).tolist() == [1, 3, -1, 0]
    order, p0, p1 = ids.full_join(before, after)
    assert order.tolist() == ["0007", "7", "07", "00000000", "0000000", "007"]
    assert p0.tolist() == [0, 1, 2, 3, 4, -1] and p1.tolist() == [3, 0, -1, 1, -1, 2]


@pytest.mark.parametrize("odd", ["户0007", 7, "a\x00"])
def test_ids_the_words_cannot_hold_fall_back_to_the_strings(odd):
    before = np.array(["a", odd, "b"], dtype=object)
    after = np.array([odd, "c", "a"], dtype=object)
    assert ids.positions(before, after).tolist() == [1, -1, 0]
    order, p0, p1 = ids.full_join(before, after)
    assert order.tolist() == ["a", odd, "b", "c"] and p0.tolist() == [0, 1, 2, -1] and p1.tolist() == [2, 0, -1, 1]


@pytest.mark.parametrize("before, after", [(["a", "b", "a"], ["b"]), (["a"], ["b", "c", "b"]), (["a"], ["a", "a"])])
def test_an_id_listed_twice_in_one_register_is_refused(before, after):
    with pytest.raises(ValueError, match="listed twice"):
        ids.full_join(np.array(before, dtype=object), np.array(after, dtype=object))


def test_empty_registers():
    assert ids.positions(np.array([], dtype=object), np.array(["a"], dtype=object)).tolist() == [-1]
    order, p0, p1 = ids.full_join(np.array([], dtype=object), np.array(["a"], dtype=object))
    assert order.tolist() == ["a"] and p0.tolist() == [-1] and p1.tolist() == [0]


# --------------------------------------------------------------------------- large columns: pieces and threads

@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 7 ids and the two hashing threads from the first id, so a few thousand ids take every path
    the million-id columns take (pieces of different widths, inserts and searches in threads)."""
    monkeypatch.setattr(ids, "PIECE", 7)
    monkeypatch.setattr(ids, "THREADS_FROM", 0)
    started = []
    real = ids.start_quiet

    def spy(thread):
        started.append(thread)
        real(thread)

    monkeypatch.setattr(ids, "start_quiet", spy)
    return started


@pytest.mark.parametrize("seed", [4, 5])
def test_pieces_read_while_two_threads_hash_give_the_dict_lookups_answer(small_pieces, seed):
    rng = np.random.default_rng(seed)
    pool = random_ids(rng, 3000)          # 1 to 19 characters: pieces of one, two and three words
    before = pool[:2000].copy()
    after = np.concatenate([pool[500:2000], pool[2000:]])
    rng.shuffle(before)
    rng.shuffle(after)
    assert ids.positions(before, after).tolist() == reference_positions(before, after)
    order, p0, p1 = ids.full_join(before, after)
    assert (order.tolist(), p0.tolist(), p1.tolist()) == reference_full_join(before, after)
    assert len(small_pieces) == 4 and not any(t.is_alive() for t in small_pieces)   # two per call, all ended


def test_colliding_keys_fall_back_to_the_strings(small_pieces, monkeypatch):
    # every id keyed by its first byte: keys collide within a register and between different ids
    monkeypatch.setattr(ids, "_keys", lambda words: (words[:, 0] & np.uint64(0xFF)).view(np.int64))
    before = np.array(["a1", "b1", "a2"], dtype=object)                  # a key twice in the register
    after = np.array(["a2", "a1", "x", "b1"], dtype=object)
    assert ids.positions(before, after).tolist() == [2, 0, -1, 1]
    order, p0, p1 = ids.full_join(before, after)
    assert order.tolist() == ["a1", "b1", "a2", "x"] and p0.tolist() == [0, 1, 2, -1] and p1.tolist() == [1, 3, 0, 2]
    unique_first = np.array(["a1", "b1"], dtype=object)          # register keys unique, a match that differs
    assert ids.positions(unique_first, np.array(["a2", "b1"], dtype=object)).tolist() == [-1, 1]
    order, p0, p1 = ids.full_join(unique_first, np.array(["a2", "b1"], dtype=object))
    assert order.tolist() == ["a1", "b1", "a2"] and p0.tolist() == [0, 1, -1] and p1.tolist() == [-1, 1, 0]


def test_an_error_in_a_hashing_thread_reaches_the_caller_and_no_thread_is_left(small_pieces, monkeypatch):
    import signal

    masks = []

    class Table(ids.hashtable.Int64HashTable):
        def lookup(self, keys):
            masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, []))
            raise MemoryError("no room")

    monkeypatch.setattr(ids.hashtable, "Int64HashTable", Table)
    with pytest.raises(MemoryError, match="no room"):
        ids.positions(np.array(["a", "b"], dtype=object), np.array(["b", "c"], dtype=object))
    assert small_pieces and not any(t.is_alive() for t in small_pieces)
    assert masks and all({signal.SIGINT, signal.SIGTERM} <= m for m in masks)   # Ctrl-C stays the main thread's


def test_small_columns_start_no_thread(monkeypatch):
    started = []
    monkeypatch.setattr(ids, "start_quiet", started.append)
    ids.full_join(np.array(["a", "b"], dtype=object), np.array(["b", "c"], dtype=object))
    assert started == []


def test_a_thread_that_cannot_start_leaves_the_work_inline(small_pieces, monkeypatch):
    started = []
    real = ids.start_quiet

    def second_fails(thread):
        if started:
            raise RuntimeError("can't start new thread")
        started.append(thread)
        real(thread)

    monkeypatch.setattr(ids, "start_quiet", second_fails)
    rng = np.random.default_rng(6)
    pool = random_ids(rng, 300)
    before, after = pool[:200], pool[100:]
    assert ids.positions(before, after).tolist() == reference_positions(before, after)
    assert len(started) == 1 and not started[0].is_alive()       # the one started was ended, not left waiting


def test_several_columns_against_one_register(small_pieces):
    from village_stats.measures.regular_help import household_positions

    rng = np.random.default_rng(7)
    pool = random_ids(rng, 1200)
    register, measures, members = pool[:800], pool[400:1200], np.concatenate([pool[:50], pool[:50], pool[900:]])
    got = ids.positions_of(register, measures, np.array([], dtype=object), members)
    assert [g.tolist() for g in got] == [reference_positions(register, measures), [],
                                         reference_positions(register, members)]
    at, pos = household_positions(pd.Series(register), pd.Series(measures), pd.Series(members))
    assert at.tolist() == reference_positions(register, measures) and pos.tolist() == reference_positions(register, members)


def test_an_id_ending_in_the_byte_0_is_not_the_id_without_it():
    from village_stats.measures.regular_help import household_positions

    # bytes arrays (astype("S")) drop trailing NULs: "a\x00" and "a" were one id to the register's lookup
    assert household_positions(pd.Series(["a", "b"]), pd.Series(["a\x00", "b"]))[0].tolist() == [-1, 1]
