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
    s = numbers.astype(object).where(numbers.notna(), None)
    text = s.map(lambda v: None if v is None else str(v).strip().upper())
    out = np.full(len(text), "malformed", dtype=object)
    present = text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    out[~present] = "missing"
    form18 = text.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(dtype=bool)
    form15 = text.str.fullmatch(r"\d{15}").fillna(False).to_numpy(dtype=bool)
    out[form15] = "fifteen_digits"
    if form18.any():
        ids = text[form18].to_numpy().astype("U18")
        digits = ids.view("U1").reshape(-1, 18)
        body = digits[:, :17].astype(np.int64)
        expected = CHECK[(body @ WEIGHTS) % 11]
        out[np.flatnonzero(form18)] = np.where(expected == digits[:, 17], "valid", "bad_check_digit")
    return pd.Series(out, index=numbers.index, dtype=object)
