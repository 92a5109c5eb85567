"""Resident identity numbers (居民身份证号码, GB 11643-1999): format and check digit, vectorised.

Only a status per number leaves this module; the numbers themselves never reach a report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Weights of the first 17 digits, 2^(18-i) mod 11.
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
#: Check character for (Σ digit·weight) mod 11 = 0..10.
CHECK = np.array(list("10X98765432"))
_CHECK_BYTES = np.frombuffer(b"10X98765432", dtype=np.uint8)

STATUSES = ("valid", "bad_check_digit", "fifteen_digits", "malformed", "missing")


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits.

    Examples
    --------
    >>> check_digit("11010519491231002")
    'X'
    """
    total = sum(int(d) * int(w) for d, w in zip(first17, WEIGHTS))
    return str(CHECK[total % 11])


def id_number_status(numbers: pd.Series) -> pd.Series:
    """Status of each identity number.

    ``valid``: 18 characters, 17 digits and the right check character; ``bad_check_digit``: 18
    characters of the right form with a wrong check character; ``fifteen_digits``: an old
    15-digit number (should be upgraded to 18); ``missing``: empty; ``malformed``: anything else
    (registers also hold 20/22-digit disability-card numbers, which are reported as malformed here).

    Examples
    --------
    >>> id_number_status(pd.Series(["11010519491231002X", "110105194912310021", "110105491231002",
    ...                             None, "abc"])).tolist()
    ['valid', 'bad_check_digit', 'fifteen_digits', 'missing', 'malformed']
    """
    vals = numbers.to_numpy(dtype=object)
    text = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v).strip() for v in vals]
    lengths = np.fromiter((0 if v is None else len(v) for v in text), dtype=np.int64, count=len(text))
    out = np.full(len(text), "malformed", dtype=object)
    out[lengths == 0] = "missing"
    for length in (15, 18):
        idx = np.flatnonzero(lengths == length)
        if idx.size == 0:
            continue
        # one join and one buffer instead of a regex per number; non-ASCII characters become '?'
        raw = np.frombuffer("".join(text[i] for i in idx).encode("ascii", errors="replace"),
                            dtype=np.uint8).reshape(-1, length)
        digits = raw.astype(np.int64) - ord("0")
        body_ok = ((digits >= 0) & (digits <= 9))[:, :17 if length == 18 else 15].all(axis=1)
        if length == 15:
            out[idx[body_ok]] = "fifteen_digits"
            continue
        last = raw[:, 17]
        last_ok = ((last >= ord("0")) & (last <= ord("9"))) | (last == ord("X")) | (last == ord("x"))
        ok = body_ok & last_ok
        expected = _CHECK_BYTES[(np.where(ok[:, None], digits[:, :17], 0) @ WEIGHTS) % 11]
        good = ok & (expected == np.where(last == ord("x"), ord("X"), last))
        out[idx[good]] = "valid"
        out[idx[ok & ~good]] = "bad_check_digit"
    return pd.Series(out, index=numbers.index, dtype=object)


# --------------------------------------------------------------------------- what a number tells (2026 members)

#: The key of :func:`id_key`: random, made once per process and never stored, so a digest means nothing
#: outside the process that made it.
_PROCESS_KEY = None


def _process_key() -> bytes:
    global _PROCESS_KEY
    if _PROCESS_KEY is None:
        import secrets

        _PROCESS_KEY = secrets.token_bytes(32)
    return _PROCESS_KEY


def normalised_18(numbers: pd.Series, status: pd.Series | None = None) -> pd.Series:
    """Each number as 18 characters (a valid one upper-cased; an old 15-digit one upgraded: ``19`` inserted
    before the year and the check character added), None for every other status.

    >>> normalised_18(pd.Series(["11010519491231002x", "110105491231002", "abc"])).tolist()
    ['11010519491231002X', '11010519491231002X', None]
    """
    status = id_number_status(numbers) if status is None else status
    out = np.full(len(numbers), None, dtype=object)
    vals = numbers.to_numpy(dtype=object)
    st = status.to_numpy(dtype=object)
    for i in np.flatnonzero(st == "valid"):
        out[i] = str(vals[i]).strip().upper()
    for i in np.flatnonzero(st == "fifteen_digits"):
        v = str(vals[i]).strip()
        body = v[:6] + "19" + v[6:]
        out[i] = body + check_digit(body)
    return pd.Series(out, index=numbers.index, dtype=object)


def id_key(numbers: pd.Series, status: pd.Series | None = None) -> pd.Series:
    """A keyed digest of each normalised number (HMAC-SHA256 with a random key made once per process, the
    first 16 hex characters), None for a missing, malformed or wrongly checked number.

    Equal numbers give equal keys within one process (cross-village checks compare them there); the
    key is never written anywhere.

    >>> k = id_key(pd.Series(["11010519491231002X", "11010519491231002x", None]))
    >>> k[0] == k[1], len(k[0]), k[2] is None
    (True, 16, True)
    """
    import hmac

    key = _process_key()
    norm = normalised_18(numbers, status)
    out = [None if v is None else hmac.digest(key, v.encode("ascii"), "sha256").hex()[:16] for v in norm]
    return pd.Series(out, index=numbers.index, dtype=object)


def id_birth_date(numbers: pd.Series, status: pd.Series | None = None) -> pd.Series:
    """The date of birth a number encodes (digits 7–14 of the 18-digit form), NaT when none or not a date.

    >>> id_birth_date(pd.Series(["11010519491231002X", None])).tolist()
    [Timestamp('1949-12-31 00:00:00'), NaT]
    """
    norm = normalised_18(numbers, status)
    return pd.to_datetime(norm.str.slice(6, 14), format="%Y%m%d", errors="coerce")


def id_sex(numbers: pd.Series, status: pd.Series | None = None) -> pd.Series:
    """The sex a number encodes (its 17th digit: odd ``male``, even ``female``), None when none.

    >>> id_sex(pd.Series(["11010519491231002X", "110105194912310021", None])).tolist()
    ['female', None, None]
    """
    norm = normalised_18(numbers, status)
    digit = pd.to_numeric(norm.str.slice(16, 17), errors="coerce")
    out = np.where(digit.isna(), None, np.where(digit % 2 == 1, "male", "female"))
    return pd.Series(out, index=numbers.index, dtype=object)
