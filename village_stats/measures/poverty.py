"""Aggregate poverty indicators from head counts (农业户数, 农业人口, 贫困户数, 贫困人口).

All functions take numbers or aligned Series, so the same call serves one village or many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .arith import ratio


def poverty_incidence(poor_population, population_total):
    """Poverty incidence (贫困发生率) H = q / n.

    Parameters
    ----------
    poor_population : numeric
        Registered poor people who have not exited, q. [persons]
    population_total : numeric
        Reference population n: the village's agricultural population (农业人口). [persons]

    Returns
    -------
    numeric
        H. [ratio]; NaN when n is 0 or unknown.

    Notes
    -----
    The denominator is a convention (see ``docs/methods.md``, "Poverty incidence"): village
    practice divides by the agricultural population, which is what the data's
    ``population_total`` holds.

    Examples
    --------
    >>> round(poverty_incidence(196, 410), 5)
    0.47805
    """
    return ratio(poor_population, population_total)


def poor_household_share(poor_households, households_total):
    """Share of households that are poor, poor_households / households_total. [ratio]

    Examples
    --------
    >>> round(poor_household_share(86, 176), 5)
    0.48864
    """
    return ratio(poor_households, households_total)


def average_household_size(population, households):
    """Persons per household, population / households. [persons per household]

    Examples
    --------
    >>> round(average_household_size(410, 176), 5), round(average_household_size(196, 86), 5)
    (2.32955, 2.27907)
    """
    return ratio(population, households)


def max_poor_population_at_exit(population_total, exit_threshold):
    """The largest number of poor people p with p / n < t, the village exit test.

    Parameters
    ----------
    population_total : numeric
        n. [persons]
    exit_threshold : numeric
        t, e.g. 0.02 in the central region. [ratio]

    Returns
    -------
    numeric
        p = ⌈t·n⌉ − 1, computed so that p/n < t holds exactly as a float comparison;
        never below 0. [persons]

    Notes
    -----
    The test is strict ("below 2%"): with n = 100 and t = 0.02, p is 1, not 2.

    Examples
    --------
    >>> int(max_poor_population_at_exit(410, 0.02)), int(max_poor_population_at_exit(100, 0.02))
    (8, 1)
    >>> int(max_poor_population_at_exit(100, 0.03))
    2
    """
    n = np.asarray(population_total, dtype=float)
    t = np.asarray(exit_threshold, dtype=float)
    p = np.floor(t * n)
    p = np.where((n > 0) & (p / np.where(n > 0, n, 1) >= t), p - 1, p)
    p = np.where((n > 0) & ((p + 1) / np.where(n > 0, n, 1) < t), p + 1, p)
    p = np.maximum(p, 0)
    if isinstance(population_total, pd.Series):
        return pd.Series(p, index=population_total.index)
    return float(p)


def poverty_reduction_needed(poor_population, max_poor_at_exit):
    """People still to lift out of poverty before the village can exit, max(0, q − p). [persons]

    Examples
    --------
    >>> poverty_reduction_needed(196, 8), poverty_reduction_needed(5, 8)
    (188.0, 0.0)
    """
    q = np.asarray(poor_population, dtype=float)
    out = np.maximum(q - np.asarray(max_poor_at_exit, dtype=float), 0.0)
    if isinstance(poor_population, pd.Series):
        return pd.Series(out, index=poor_population.index)
    return float(out)
