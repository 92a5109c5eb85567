"""Arithmetic conventions shared by every measure: unknown stays unknown, never zero."""

from __future__ import annotations

import numpy as np
import pandas as pd


def known_sum(values) -> float:
    """Sum of the known values; unknown (NaN) when none is known.

    An empty cell in the data means "unknown". A total over some unknown cells is the sum of the
    known ones (the count of unknown ones is reported beside it); a total over only unknown cells
    is itself unknown.

    Parameters
    ----------
    values : array_like
        Numbers, NaN for unknown.

    Returns
    -------
    float
        The sum, or NaN.

    Examples
    --------
    >>> known_sum([600000, float("nan"), 70000])
    670000.0
    >>> known_sum([float("nan")]), known_sum([])
    (nan, nan)
    """
    arr = np.asarray(values, dtype=float)
    if arr.size == 0 or np.isnan(arr).all():
        return float("nan")
    return float(np.nansum(arr))


def ratio(numerator, denominator):
    """``numerator / denominator``; NaN when the denominator is 0 or either side is unknown.

    Works on scalars and on aligned Series.

    Examples
    --------
    >>> round(ratio(196, 410), 5)
    0.47805
    >>> ratio(1, 0)
    nan
    """
    num = numerator.astype(float) if isinstance(numerator, pd.Series) else np.float64(numerator)
    den = denominator.astype(float) if isinstance(denominator, pd.Series) else np.float64(denominator)
    if isinstance(num, pd.Series) or isinstance(den, pd.Series):
        return (num / den.where(den != 0) if isinstance(den, pd.Series) else num / (den if den != 0 else np.nan))
    if np.isnan(num) or np.isnan(den) or den == 0:
        return float("nan")
    return float(num / den)
