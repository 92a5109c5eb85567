"""Household-register measures (建档立卡): depth of poverty, inequality, 两不愁三保障, exits, audits.

Notation of the formulas: incomes per person y_i [yuan], household sizes w_i (``members``) [persons] used
as weights, the poverty line :math:`z` = ``poverty_line_yuan`` [yuan per person per year], N = Σ w_i. A
household is income-poor when its income per person is below ``poverty_line_yuan`` (strictly), and meets
the income exit test when it is above it. Conventions and their sources: ``docs/methods.md``.
All functions are pure: frames and arrays in, numbers or frames out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import CAUSES, GUARANTEES, HOUSEHOLD_CATEGORIES, HOUSEHOLD_STATUSES, POOR_STATUSES

#: The Alkire–Foster indicators: income plus the five guarantees, equally weighted by default.
MPI_INDICATORS = ("income",) + GUARANTEES
DEFAULT_MPI_WEIGHTS = {name: 1.0 / len(MPI_INDICATORS) for name in MPI_INDICATORS}
DEFAULT_MPI_K = 1.0 / 3.0
#: Tolerance of the cut-off comparison c >= k (so 2/6 >= 1/3 holds in floating point).
K_TOLERANCE = 1e-9
#: Income per head above which a register entry is implausible (national audit rule). [yuan]
MAX_PLAUSIBLE_INCOME = 100_000.0


def _arrays(y, w):
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    if y.shape != w.shape:
        raise ValueError("incomes and weights must have the same length")
    return y, w


def fgt(y, w, poverty_line_yuan: float, alpha: float) -> float:
    """Foster–Greer–Thorbecke index FGT(α).

    .. math:: FGT_\\alpha = \\frac{1}{N} \\sum_{y_i < z} w_i \\left(\\frac{z - y_i}{z}\\right)^\\alpha

    Parameters
    ----------
    y : array_like
        Income per person of each household. [yuan]
    w : array_like or None
        Household sizes (weights). [persons]; None for 1 each.
    poverty_line_yuan : float
        Poverty line (> 0), :math:`z` in the formula. [yuan per person per year]
    alpha : float
        0 headcount ratio, 1 poverty gap, 2 squared gap (severity).

    Returns
    -------
    float
        [ratio] for α = 0 (a share of persons); [index] for α ≥ 1. NaN when N = 0.

    Notes
    -----
    Poor means an income per person below ``poverty_line_yuan``, strictly (an income equal to the line is
    not poor). Incomes ≤ 0 count with a gap ≥ 1 (they are not left out).

    Examples
    --------
    >>> round(fgt([50, 100, 200, 400], [1, 1, 1, 1], 100, 0), 4)   # only 50 is below 100
    0.25
    >>> round(fgt([50, 100, 200, 400], None, 100, 1), 4)          # (0.5) / 4
    0.125
    >>> round(fgt([50, 100, 200, 400], None, 100, 2), 4)          # (0.25) / 4
    0.0625
    """
    y, w = _arrays(y, w)
    if not poverty_line_yuan > 0:
        raise ValueError("the poverty line must be positive")
    n = w.sum()
    if n == 0:
        return float("nan")
    poor = y < poverty_line_yuan
    gap = (poverty_line_yuan - y[poor]) / poverty_line_yuan
    return float(np.sum(w[poor] * gap ** alpha) / n)


def fgt0(y, w, poverty_line_yuan):
    """Headcount ratio FGT(0): share of persons with income per person below ``poverty_line_yuan``. [ratio]"""
    return fgt(y, w, poverty_line_yuan, 0)


def fgt1(y, w, poverty_line_yuan):
    """Poverty gap index FGT(1). [index]"""
    return fgt(y, w, poverty_line_yuan, 1)


def fgt2(y, w, poverty_line_yuan):
    """Squared poverty gap (severity) FGT(2). [index]"""
    return fgt(y, w, poverty_line_yuan, 2)


def watts(y, w, poverty_line_yuan: float) -> float:
    """Watts index.

    .. math:: W = \\frac{1}{N} \\sum_{0 < y_i < z} w_i \\ln(z / y_i)

    Households with y ≤ 0 stay in N but are left out of the sum (ln is undefined there); count them
    with :func:`nonpositive_income_households` and report it beside the index.

    Examples
    --------
    >>> round(watts([50, 100, 200, 0], None, 100), 6)   # ln(2) / 4; the 0 is left out of the sum
    0.173287
    """
    y, w = _arrays(y, w)
    n = w.sum()
    if n == 0:
        return float("nan")
    sel = (y > 0) & (y < poverty_line_yuan)
    return float(np.sum(w[sel] * np.log(poverty_line_yuan / y[sel])) / n)


def nonpositive_income_households(y) -> int:
    """Households with income ≤ 0 (left out of the Watts sum). [households]

    >>> nonpositive_income_households([0, -5, 10])
    2
    """
    return int(np.sum(np.asarray(y, dtype=float) <= 0))


def gini(y, w=None) -> float:
    """Gini coefficient of income per person, weighted by persons (population formula).

    .. math:: G = \\frac{\\sum_i \\sum_j w_i w_j |y_i - y_j|}{2 W^2 \\mu}, \\quad \\mu = \\frac{\\sum_i w_i y_i}{W}

    computed in O(n log n) from the sorted incomes as
    :math:`G = \\sum_i w_i y_i (2 C_i - w_i - W) / (W \\sum_i w_i y_i)`, C_i the cumulative weight.
    No n/(n−1) correction.

    Returns
    -------
    float
        [index]; 0 when all incomes are equal; NaN when μ ≤ 0 or there is nobody.

    Examples
    --------
    >>> gini([5, 5, 5])
    0.0
    >>> round(gini([0, 0, 0, 10]), 6)      # one person holds everything: (N-1)/N
    0.75
    >>> round(gini([1, 3], [1, 1]), 6)     # |1-3|·2 / (2·4·2)
    0.25
    """
    y, w = _arrays(y, w)
    order = np.argsort(y, kind="stable")
    y, w = y[order], w[order]
    total_w = w.sum()
    wy = w * y
    total_wy = wy.sum()
    if total_w == 0 or total_wy <= 0:
        return float("nan")
    c = np.cumsum(w)
    return float(np.sum(wy * (2 * c - w - total_w)) / (total_w * total_wy))


def deprivations(households: pd.DataFrame, poverty_line_yuan: float) -> pd.DataFrame:
    """Deprivation matrix g: one boolean column per indicator of :data:`MPI_INDICATORS`.

    income: income per person below ``poverty_line_yuan``; each guarantee: not secure.
    """
    g = pd.DataFrame({"income": households["income_per_capita_yuan"].to_numpy(dtype=float) < poverty_line_yuan},
                     index=households.index)
    for name in GUARANTEES:
        g[name] = ~households[name].astype(bool).to_numpy()
    return g


def deprivation_score(deprived: pd.DataFrame, weights: dict[str, float] | None = None,
                      k: float = DEFAULT_MPI_K) -> tuple[np.ndarray, np.ndarray]:
    """The Alkire–Foster deprivation score of each person and whether they are multidimensionally poor.

    .. math:: c_i = \\sum_j w_j g_{ij}, \\qquad \\text{poor}_i = c_i \\ge k

    with a tolerance of :data:`K_TOLERANCE` (so 2/6 ≥ 1/3). The one place the score is computed: the
    village measures (:func:`alkire_foster`), the grouped ones (:func:`measures_by_village`) and the
    roll-up's pooled contributions all call it.

    Parameters
    ----------
    deprived : DataFrame
        The deprivation matrix g (:func:`deprivations`): one boolean column per indicator of
        :data:`MPI_INDICATORS`.
    weights : dict, optional
        Indicator weights summing to 1; default equal (1/6 each).
    k : float
        Poverty cut-off on the score. [ratio]

    Returns
    -------
    score : ndarray
        c_i. [ratio]
    poor : ndarray of bool
        c_i ≥ k.

    Examples
    --------
    >>> g = pd.DataFrame({j: [j in ("income", "education_secure"), False] for j in MPI_INDICATORS})
    >>> score, poor = deprivation_score(g)
    >>> [round(float(x), 4) for x in score], poor.tolist()
    ([0.3333, 0.0], [True, False])
    """
    weights = dict(DEFAULT_MPI_WEIGHTS if weights is None else weights)
    score = deprived[list(MPI_INDICATORS)].to_numpy(dtype=float) @ np.array([weights[j] for j in MPI_INDICATORS])
    return score, score >= k - K_TOLERANCE


def alkire_foster(households: pd.DataFrame, poverty_line_yuan: float, k: float = DEFAULT_MPI_K,
                  weights: dict[str, float] | None = None) -> dict[str, float]:
    """Alkire–Foster multidimensional poverty over income and the five guarantees.

    c_i = Σ_j w_j g_ij (weights sum to 1); person i is poor when c_i ≥ k (with a 1e-9 tolerance, so
    2/6 ≥ 1/3). H = q/N (persons), A = mean c_i of the poor (person-weighted), M0 = H·A = Σ_j w_j h_j,
    with h_j the censored headcount ratio of indicator j. The contribution of j is w_j h_j / M0.

    Parameters
    ----------
    households : DataFrame
        Columns ``members``, ``income_per_capita_yuan`` and the five guarantees.
    poverty_line_yuan : float
        Poverty line. [yuan per person per year]
    k : float
        Poverty cut-off on the deprivation score, default 1/3. [ratio]
    weights : dict, optional
        Indicator weights; default equal (1/6 each). Must sum to 1.

    Returns
    -------
    dict
        ``mpi_h`` [ratio], ``mpi_a`` and ``mpi_m0`` [index], ``contribution_<indicator>`` [ratio]; ``censored_<indicator>``
        h_j [ratio]; contributions NaN when M0 = 0; every value NaN for a register without persons (a header
        only: nothing to measure, never an error).

    Examples
    --------
    >>> empty = pd.DataFrame(columns=["members", "income_per_capita_yuan", *GUARANTEES], dtype=float)
    >>> r = alkire_foster(empty, 4000.0)
    >>> math.isnan(r["mpi_h"]) and math.isnan(r["contribution_income"]) and len(r) == 3 + 2 * len(MPI_INDICATORS)
    True
    """
    weights = dict(DEFAULT_MPI_WEIGHTS if weights is None else weights)
    if set(weights) != set(MPI_INDICATORS):
        raise ValueError(f"weights must name exactly {', '.join(MPI_INDICATORS)}")
    if not math.isclose(sum(weights.values()), 1.0, abs_tol=1e-9):
        raise ValueError("weights must sum to 1")
    deprived = deprivations(households, poverty_line_yuan)
    score, poor = deprivation_score(deprived, weights, k)
    g = deprived.to_numpy(dtype=float)
    wv = np.array([weights[j] for j in MPI_INDICATORS])
    persons = households["members"].to_numpy(dtype=float)
    n = persons.sum()
    out: dict[str, float] = {}
    if n == 0:
        return dict.fromkeys(("mpi_h", "mpi_a", "mpi_m0", *(f"{kind}_{j}" for j in MPI_INDICATORS
                                                            for kind in ("censored", "contribution"))), math.nan)
    q = persons[poor].sum()
    h = q / n
    a = float(np.sum(persons[poor] * score[poor]) / q) if q > 0 else 0.0
    m0 = h * a
    out.update(mpi_h=float(h), mpi_a=float(a), mpi_m0=float(m0))
    censored = (persons[:, None] * g * poor[:, None]).sum(axis=0) / n
    for j, name in enumerate(MPI_INDICATORS):
        out[f"censored_{name}"] = float(censored[j])
        out[f"contribution_{name}"] = float(wv[j] * censored[j] / m0) if m0 > 0 else math.nan
    return out


def deprivation_rates(households: pd.DataFrame, poverty_line_yuan: float) -> pd.Series:
    """Uncensored deprivation rate of each indicator (share of persons deprived) [ratio]; NaN without persons."""
    g = deprivations(households, poverty_line_yuan)
    persons = households["members"].to_numpy(dtype=float)
    n = persons.sum()
    deprived = (g.to_numpy(dtype=float) * persons[:, None]).sum(axis=0)
    return pd.Series(deprived / n if n > 0 else np.full(len(g.columns), np.nan), index=g.columns)


def household_count(households: pd.DataFrame, mask: pd.Series | None = None) -> int:
    """Households listed (where ``mask`` holds, when given). [households]"""
    return int(len(households) if mask is None else mask.sum())


def person_count(households: pd.DataFrame, mask: pd.Series | None = None) -> float:
    """Σ members of the households listed (where ``mask`` holds, when given). [persons]

    Examples
    --------
    >>> hh = pd.DataFrame({"members": [3, 2, 4], "status": ["poor", "exited", "returned"]})
    >>> person_count(hh), person_count(hh, is_poor(hh))
    (9.0, 7.0)
    """
    members = households["members"].astype(float)
    return float(members.sum() if mask is None else members[mask.to_numpy(dtype=bool)].sum())


def persons_below_line(households: pd.DataFrame, poverty_line_yuan: float) -> float:
    """Persons in households with income per person below ``poverty_line_yuan`` (the numerator of FGT0). [persons]"""
    return person_count(households, households["income_per_capita_yuan"] < poverty_line_yuan)


def is_poor(households: pd.DataFrame) -> pd.Series:
    """Registered poor: status poor or returned."""
    return households["status"].isin(POOR_STATUSES)


def all_secure(households: pd.DataFrame) -> pd.Series:
    """All five guarantees secure (两不愁三保障 and safe water)."""
    return households[list(GUARANTEES)].astype(bool).all(axis=1)


def exit_eligible(households: pd.DataFrame, poverty_line_yuan: float) -> pd.Series:
    """Households that meet the exit test: poor or returned, income per person above ``poverty_line_yuan``,
    all five guarantees secure."""
    return is_poor(households) & (households["income_per_capita_yuan"] > poverty_line_yuan) & all_secure(households)


def exited_failing_criteria(households: pd.DataFrame, poverty_line_yuan: float) -> pd.Series:
    """Exited households that fail the exit test: income per person at or below ``poverty_line_yuan``, or a
    guarantee not secure (脱贫户未解决两不愁三保障)."""
    return households["status"].eq("exited") & ((households["income_per_capita_yuan"] <= poverty_line_yuan) | ~all_secure(households))


def breakdown(households: pd.DataFrame, by: str) -> pd.DataFrame:
    """Households and persons per value of ``by`` (category, status or main_cause), every vocabulary value.

    Returns
    -------
    DataFrame
        Index: vocabulary ids (plus ``unknown`` for empty cells when there are any); columns
        ``households`` [households] and ``persons`` [persons].
    """
    vocab = {"category": HOUSEHOLD_CATEGORIES, "status": HOUSEHOLD_STATUSES, "main_cause": CAUSES}[by]
    if by in households:
        key = households[by].fillna("unknown")
    else:
        key = pd.Series("unknown", index=households.index)
    grouped = pd.DataFrame({"key": key.to_numpy(), "members": households["members"].to_numpy(dtype=float)}) \
        .groupby("key")["members"].agg(["size", "sum"])
    index = list(vocab.ids) + (["unknown"] if "unknown" in grouped.index else [])
    grouped = grouped.reindex(index, fill_value=0)
    return pd.DataFrame({"households": grouped["size"].astype(float), "persons": grouped["sum"].astype(float)})


#: Reconciliation rows: reported measure, how the register derives it, and whether it needs a full register.
RECONCILED = (
    ("households_total", "every listed household", True),
    ("population_total", "Σ members", True),
    ("poor_households", "status poor or returned", False),
    ("poor_population", "Σ members, status poor or returned", False),
    ("wubao_households", "category tekun, status poor or returned", False),
    ("dibao_households", "category dibao, status poor or returned", False),
    ("absent_poor_households", "absent, status poor or returned", False),
)


def register_covers_all(households: pd.DataFrame) -> bool:
    """Whether the register lists every household (it holds non-poor households too)."""
    return bool(households["category"].eq("non_poor").any() or households["status"].eq("non_poor").any())


def reconcile(households: pd.DataFrame, reported: pd.Series) -> pd.DataFrame:
    """The register against the reported head counts (population.csv).

    Parameters
    ----------
    households : DataFrame
        The register.
    reported : Series
        measure id → reported value (NaN unknown).

    Returns
    -------
    DataFrame
        Index: measure; columns ``reported``, ``derived``, ``difference`` (derived − reported) and
        ``comparable``. Totals are only comparable when the register lists every household.
    """
    poor = is_poor(households)
    members = households["members"].astype(float)
    absent = households["absent"].fillna(False).astype(bool) if "absent" in households else None
    derived = {
        "households_total": float(len(households)),
        "population_total": float(members.sum()),
        "poor_households": float(poor.sum()),
        "poor_population": float(members[poor].sum()),
        "wubao_households": float((poor & households["category"].eq("tekun")).sum()),
        "dibao_households": float((poor & households["category"].eq("dibao")).sum()),
        "absent_poor_households": math.nan if absent is None else float((poor & absent).sum()),
    }
    covers = register_covers_all(households)
    rows = []
    for measure, _, needs_all in RECONCILED:
        rep = float(reported.get(measure, math.nan))
        der = derived[measure] if (covers or not needs_all) else math.nan
        comparable = not (math.isnan(rep) or math.isnan(der))
        rows.append((measure, rep, der, der - rep if comparable else math.nan, comparable))
    return pd.DataFrame(rows, columns=["measure", "reported", "derived", "difference", "comparable"]) \
        .set_index("measure")


# --------------------------------------------------------------------------- audit rules

#: The register audit rules of before, by key: their words (the rules themselves are HH-001 … HH-007 of
#: the check catalogue, :mod:`village_stats.checks`, whose findings carry these keys in ``Results.audit``).
AUDIT_RULES = {
    "income_nonpositive": ("人均纯收入不大于0", "Income per person is zero or negative"),
    "income_implausible": ("人均纯收入超过10万元", "Income per person above 100,000 yuan"),
    "id_check_digit": ("身份证号码校验位错误", "Identity number check digit is wrong"),
    "id_fifteen_digits": ("身份证号码为15位，应升级为18位", "15-digit identity number (upgrade to 18)"),
    "category_status_mismatch": ("贫困户属性与脱贫状态不一致", "Category and status disagree"),
    "exited_without_year": ("已脱贫但无脱贫年度", "Exited with no exit year"),
    "exited_failing_criteria": ("脱贫户未解决两不愁三保障或收入未达标",
                                "Exited household fails the exit test (income or guarantees)"),
}


# --------------------------------------------------------------------------- many villages at once

BY_VILLAGE_COLUMNS = ("fgt0", "fgt1", "fgt2", "watts", "gini", "mpi_h", "mpi_a", "mpi_m0",
                      "exit_eligible_households", "register_households", "register_population")


def measures_by_village(register: pd.DataFrame, poverty_line_yuan: float, k: float = DEFAULT_MPI_K,
                        weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Register measures for many villages at once, one row per ``village_id``.

    Same definitions as :func:`fgt`, :func:`watts`, :func:`gini`, :func:`alkire_foster` and
    :func:`exit_eligible`, vectorised: per-village sums are weighted bincounts over integer village
    codes, and the Gini needs one sort (incomes, then a stable radix sort on the codes). No Python loop
    over villages or households.

    Parameters
    ----------
    register : DataFrame
        Columns ``village_id``, ``members``, ``income_per_capita_yuan``, ``status`` and the five guarantees.
    poverty_line_yuan : float
        Poverty line. [yuan per person per year]
    k, weights
        Alkire–Foster cut-off and indicator weights (see :func:`alkire_foster`).

    Returns
    -------
    DataFrame
        Index ``village_id`` (sorted); columns :data:`BY_VILLAGE_COLUMNS`.
    """
    codes, villages = pd.factorize(register["village_id"], sort=True)
    return grouped_measures(register, codes, pd.Index(villages, name="village_id"), poverty_line_yuan, k,
                            weights).measures


@dataclass(frozen=True)
class Grouped:
    """What :func:`grouped_measures` computed: the measures and the household-level parts they share with
    other grouped sums (a roll-up's deprivation rates)."""

    measures: pd.DataFrame
    deprived: pd.DataFrame        #: :func:`deprivations` of each household
    multidimensionally_poor: np.ndarray   #: c ≥ k of each household [bool]


def grouped_measures(register: pd.DataFrame, codes: np.ndarray, index: pd.Index, poverty_line_yuan,
                     k: float = DEFAULT_MPI_K, weights: dict[str, float] | None = None) -> Grouped:
    """:func:`measures_by_village` for households already coded by group (``codes`` 0 … len(index) − 1,
    sorted as ``index``): the same sums, and what they share with a caller's own (see :class:`Grouped`).

    ``poverty_line_yuan`` may be one line or one per household. [yuan per person per year]

    >>> reg = pd.DataFrame({"members": [1, 3], "income_per_capita_yuan": [1000.0, 5000.0], "status": "poor",
    ...                     **{g: True for g in GUARANTEES}})
    >>> round(float(grouped_measures(reg, np.array([0, 0]), pd.Index(["a"]), 2000.0).measures.loc["a", "fgt0"]), 4)
    0.25
    """
    weights = dict(DEFAULT_MPI_WEIGHTS if weights is None else weights)
    groups = len(index)
    y = register["income_per_capita_yuan"].to_numpy(dtype=np.float64)
    w = register["members"].to_numpy(dtype=np.float64)

    def total(values=None):
        return np.bincount(codes, weights=values, minlength=groups)

    n = total(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.maximum(poverty_line_yuan - y, 0.0) / poverty_line_yuan                     # 0 at or above the line; poor ⇔ gap > 0
        fgt0 = total(w * (y < poverty_line_yuan)) / n
        fgt1 = total(w * gap) / n
        fgt2 = total(w * gap * gap) / n
        ratio = np.where((y > 0) & (y < poverty_line_yuan), poverty_line_yuan / np.where(y > 0, y, 1.0), 1.0)
        watts_ = total(w * np.log(ratio)) / n

        # Gini: sort by income, then stably by village (radix sort on small integer codes)
        order = np.argsort(y, kind="quicksort")
        code_dtype = np.int16 if groups < 2 ** 15 else np.int32
        order = order[np.argsort(codes[order].astype(code_dtype), kind="stable")]
        cs, ws = codes[order], w[order]
        wy_sorted = ws * y[order]
        del order
        cum = np.cumsum(ws)
        start = np.concatenate(([0.0], np.cumsum(n)[:-1]))   # cumulative weight before each village
        cum -= start[cs]
        num = np.bincount(cs, weights=wy_sorted * (2.0 * cum - ws - n[cs]), minlength=groups)
        del cum, ws, wy_sorted, cs
        total_wy = total(w * y)
        gini_ = np.where(total_wy > 0, num / (n * total_wy), np.nan)

        # Alkire–Foster and the exit test
        deprived = deprivations(register, poverty_line_yuan)
        secure = ~deprived[list(GUARANTEES)].to_numpy().any(axis=1)
        score, mpoor = deprivation_score(deprived, weights, k)
        q = total(w * mpoor)
        mpi_h = q / n
        mpi_a = np.where(q > 0, total(w * mpoor * score) / np.where(q > 0, q, 1.0), 0.0)
        poor_status = register["status"].isin(POOR_STATUSES).to_numpy()
        eligible = total(poor_status & (y > poverty_line_yuan) & secure)
    measures = pd.DataFrame({
        "fgt0": fgt0, "fgt1": fgt1, "fgt2": fgt2, "watts": watts_, "gini": gini_,
        "mpi_h": mpi_h, "mpi_a": mpi_a, "mpi_m0": mpi_h * mpi_a,
        "exit_eligible_households": eligible, "register_households": total().astype(float),
        "register_population": n,
    }, index=index)
    return Grouped(measures, deprived, mpoor)
