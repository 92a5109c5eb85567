"""Exit evaluation (第三方评估): 错退率, 漏评率, 群众认可度, 综合贫困发生率 with Wilson intervals, and a verdict.

The sample is the optional ``evaluation_sample`` table (one row per household and sample); rates are
shares of sampled households. Thresholds come from the policy table ``evaluation_thresholds``
(:func:`village_stats.policy.evaluation_thresholds`) and are passed in by the caller.

References: 国务院扶贫开发领导小组《贫困县退出专项评估检查实施办法（试行）》 (2017); Wilson, E. B. (1927),
Probable inference, the law of succession, and statistical inference, *JASA* 22(158), 209–212,
https://doi.org/10.1080/01621459.1927.10502953. All functions are pure.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import NamedTuple

import pandas as pd

#: Evaluation measures, in report order.
CRITERIA = ("wrong_exit_rate", "missed_rate", "satisfaction_rate", "composite_incidence")


class Rate(NamedTuple):
    """A share from a sample with its two-sided confidence interval. [ratio]"""

    value: float
    numerator: float
    denominator: float
    low: float
    high: float


def wilson_interval(k: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion p̂ = k/n.

    .. math:: \\frac{\\hat p + \\frac{z^2}{2n} \\pm z\\sqrt{\\frac{\\hat p(1-\\hat p)}{n} + \\frac{z^2}{4n^2}}}
              {1 + \\frac{z^2}{n}}

    with :math:`z` the (1 + confidence)/2 quantile of the standard normal (1.959964 for 95%).

    Parameters
    ----------
    k : float
        Successes. [households]
    n : float
        Trials (sample size). [households]
    confidence : float
        Coverage, default 0.95. [ratio]

    Returns
    -------
    tuple of float
        (low, high) [ratio]; (NaN, NaN) when n = 0. Never outside [0, 1]; for k = 0 low is 0.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(0, 50)]
    [0.0, 0.0713]
    >>> [round(x, 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    if n <= 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    den = 1 + z * z / n
    return max(0.0, (centre - half) / den), min(1.0, (centre + half) / den)


def rate(k: float, n: float, confidence: float = 0.95) -> Rate:
    """k/n with its Wilson interval (NaN when n = 0).

    >>> r = rate(1, 4)
    >>> r.value, r.numerator, r.denominator
    (0.25, 1.0, 4.0)
    """
    low, high = wilson_interval(k, n, confidence)
    return Rate(k / n if n > 0 else math.nan, float(k), float(n), low, high)


def _finding_rate(sample: pd.DataFrame, which: str, finding: str, confidence: float) -> Rate:
    rows = sample["sample"].eq(which).to_numpy()
    k = float((sample["finding"].to_numpy()[rows] == finding).sum())
    return rate(k, float(rows.sum()), confidence)


def wrong_exit_rate(sample: pd.DataFrame, confidence: float = 0.95) -> Rate:
    """错退率: sampled exited households found wrongly exited / sampled exited households.

    .. math:: r = \\frac{|\\{sample = exited,\\ finding = wrongly\\_exited\\}|}{|\\{sample = exited\\}|}

    Returns
    -------
    Rate
        [ratio] with the Wilson interval.
    """
    return _finding_rate(sample, "exited", "wrongly_exited", confidence)


def missed_rate(sample: pd.DataFrame, confidence: float = 0.95) -> Rate:
    """漏评率: sampled non-registered households found eligible (missed) / sampled non-registered households.

    .. math:: r = \\frac{|\\{sample = non\\_registered,\\ finding = missed\\}|}{|\\{sample = non\\_registered\\}|}
    """
    return _finding_rate(sample, "non_registered", "missed", confidence)


def satisfaction_rate(sample: pd.DataFrame, confidence: float = 0.95) -> Rate:
    """群众认可度: surveyed households approving / surveyed households that answered.

    .. math:: r = \\frac{|\\{sample = surveyed,\\ satisfied\\}|}{|\\{sample = surveyed,\\ satisfied\\ known\\}|}
    """
    rows = sample["sample"].eq("surveyed").to_numpy() & sample["satisfied"].notna().to_numpy()
    k = float(sample["satisfied"].to_numpy()[rows].astype(bool).sum())
    return rate(k, float(rows.sum()), confidence)


def composite_incidence(poor_persons: float, exited_persons: float, non_registered_persons: float,
                        population: float, wrong_exit: Rate, missed: Rate) -> Rate:
    """综合贫困发生率: (remaining poor + estimated 错退 + estimated 漏评) / rural population.

    .. math:: H_c = \\frac{P + r_{w} E + r_{m} M}{N}

    with P the registered poor persons (poor or returned), E the exited persons, M the persons not
    registered, N the population, r_w the 错退率 and r_m the 漏评率. The interval puts the Wilson bounds
    of r_w and r_m in the same formula (H_c rises with both); it treats persons like the sampled
    households (the rates are shares of households).

    Parameters
    ----------
    poor_persons, exited_persons, non_registered_persons, population : float
        [persons]
    wrong_exit, missed : Rate
        The two sample rates.

    Returns
    -------
    Rate
        [ratio]; numerator P + r_w E + r_m M [persons], denominator N [persons].

    Examples
    --------
    >>> r = composite_incidence(4, 100, 300, 500, rate(1, 50), rate(0, 60))
    >>> round(r.value, 4), round(r.numerator, 4)           # (4 + 0.02·100 + 0) / 500
    (0.012, 6.0)
    """
    def h(rw, rm):
        return (poor_persons + rw * exited_persons + rm * non_registered_persons) / population \
            if population > 0 else math.nan

    num = poor_persons + wrong_exit.value * exited_persons + missed.value * non_registered_persons
    return Rate(h(wrong_exit.value, missed.value), num, float(population), h(wrong_exit.low, missed.low),
                h(wrong_exit.high, missed.high))


def readiness(rates: dict[str, Rate], thresholds: dict) -> pd.DataFrame:
    """Exit readiness: each criterion against its policy threshold.

    ``met`` compares the estimate with the threshold; ``met_with_confidence`` compares the interval's
    unfavourable end (the high end for a ``<``/``<=`` threshold, the low end for ``>``/``>=``), so it
    holds only when the whole interval is on the right side.

    Parameters
    ----------
    rates : dict
        criterion → :class:`Rate` (keys of :data:`CRITERIA`).
    thresholds : dict
        criterion → :class:`village_stats.policy.Rule` (``value``, ``comparison``, ``source``,
        ``verified``).

    Returns
    -------
    DataFrame
        Index criterion; columns ``value``, ``low``, ``high``, ``numerator``, ``denominator``,
        ``comparison``, ``threshold``, ``met``, ``met_with_confidence``, ``source``, ``verified``.
        Criteria without data (NaN) are neither met nor failed: ``met`` is None.
    """
    rows = []
    for c in CRITERIA:
        if c not in rates or c not in thresholds:
            continue
        r, rule = rates[c], thresholds[c]
        if math.isnan(r.value):
            met = sure = None
        else:
            met = rule.met(r.value)
            bound = r.high if rule.comparison in ("<", "<=") else r.low
            sure = rule.met(bound)
        rows.append((c, r.value, r.low, r.high, r.numerator, r.denominator, rule.comparison, rule.value, met, sure,
                     rule.source, rule.verified))
    columns = ["criterion", "value", "low", "high", "numerator", "denominator", "comparison", "threshold", "met",
               "met_with_confidence", "source", "verified"]
    out = pd.DataFrame(rows, columns=columns).set_index("criterion")
    for c in ("met", "met_with_confidence"):  # True, False or None (no data): keep Python objects
        out[c] = pd.Series([r[columns.index(c)] for r in rows], index=out.index, dtype=object)
    return out


def verdict(table: pd.DataFrame) -> str:
    """``ready`` when every criterion is met, ``not_ready`` when one fails, ``incomplete`` when one has no data.

    >>> verdict(pd.DataFrame({"met": [True, True]})), verdict(pd.DataFrame({"met": [True, False, None]}))
    ('ready', 'not_ready')
    """
    met = list(table["met"])
    if any(m is False for m in met):
        return "not_ready"
    if not met or any(m is None for m in met):
        return "incomplete"
    return "ready"
