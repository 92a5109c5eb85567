"""Monitoring of households at risk (防返贫动态监测): counts, screening, 风险消除 and transitions.

Notation: the register of one period (``households``) with the monitoring columns of
:data:`village_stats.schema.HOUSEHOLDS`; income per person y [yuan per person per year], household
size w (``members``) [persons], the monitoring threshold m [yuan per person per year]. Household
income is y·w [yuan per household per year]. Measures that compare two periods take the previous
period's register as an argument (``previous``); households are matched by ``household_id``. The
numbers of the rules (m, the income-drop share, the expected and highest monitored shares) are policy
data (``data/policy/``, :mod:`village_stats.policy`), passed in by the caller.

References: 国务院扶贫开发领导小组《关于建立防止返贫监测和帮扶机制的指导意见》 (2020); 中农组发〔2021〕7号
(the three types); county texts on 风险消除 (see ``docs/policy.md``). All functions are pure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..schema import GUARANTEES, MONITORING_TYPES, POOR_STATUSES
from . import ids as _ids

#: Monitoring types, in report order.
TYPES = MONITORING_TYPES.ids
#: States of a household for transitions: not monitored, monitored by type, risk eliminated, poor.
STATES = ("not_monitored",) + TYPES + ("risk_eliminated", "poor")
#: Screening rules (possible 漏监测), in report order.
SCREENING_RULES = ("income_below_threshold", "income_drop", "rigid_spending_above_income", "guarantee_lost")
#: 风险消除 criteria, in report order.
RISK_CRITERIA = ("income_stable", "guarantees_met", "no_rigid_spending_risk", "has_labour")
#: Outcomes of the 风险消除 test.
OUTCOMES = ("eligible", "no_labour_hold", "not_eligible")
#: Relative tolerance of the income-drop comparison (so a drop of exactly the share counts).
DROP_TOLERANCE = 1e-9


def _column(households: pd.DataFrame, name: str, fill) -> np.ndarray:
    if name in households:
        return households[name].to_numpy()
    return np.full(len(households), fill, dtype=object)


def _float(households: pd.DataFrame, name: str) -> np.ndarray:
    if name not in households:
        return np.full(len(households), np.nan)
    return households[name].to_numpy(dtype=float, na_value=np.nan)


def _flag(households: pd.DataFrame, name: str) -> np.ndarray:
    """A yes/no column as bool, unknown (empty) as False."""
    if name not in households:
        return np.zeros(len(households), dtype=bool)
    return households[name].eq(True).to_numpy(dtype=bool)


def is_monitored(households: pd.DataFrame) -> np.ndarray:
    """Households under monitoring now: a ``monitoring_type`` and no ``risk_eliminated_on``. [bool]

    >>> hh = pd.DataFrame({"monitoring_type": ["marginal", None, "marginal"],
    ...                    "risk_eliminated_on": [pd.NaT, pd.NaT, pd.Timestamp("2022-06-30")]})
    >>> is_monitored(hh).tolist()
    [True, False, False]
    """
    typed = pd.notna(_column(households, "monitoring_type", None))
    eliminated = pd.notna(_column(households, "risk_eliminated_on", None))
    return typed & ~eliminated


def states(households: pd.DataFrame) -> np.ndarray:
    """State of each household, one of :data:`STATES`.

    ``poor`` (status poor or returned) comes first, then ``risk_eliminated`` (a type and a
    ``risk_eliminated_on`` date), then the monitoring type, else ``not_monitored``.

    >>> hh = pd.DataFrame({"status": ["exited", "returned", "exited", "non_poor"],
    ...                    "monitoring_type": ["unstable_exited", None, "marginal", None],
    ...                    "risk_eliminated_on": [pd.NaT, pd.NaT, pd.Timestamp("2022-06-30"), pd.NaT]})
    >>> states(hh).tolist()
    ['unstable_exited', 'poor', 'risk_eliminated', 'not_monitored']
    """
    kind = _column(households, "monitoring_type", None)
    typed = pd.notna(kind)
    eliminated = typed & pd.notna(_column(households, "risk_eliminated_on", None))
    poor = households["status"].isin(POOR_STATUSES).to_numpy()
    out = np.where(typed, kind, "not_monitored").astype(object)
    out[eliminated] = "risk_eliminated"
    out[poor] = "poor"
    return out


def monitored_by_type(households: pd.DataFrame) -> pd.DataFrame:
    """Monitored households and persons by type (every type, 0 where none).

    Returns
    -------
    DataFrame
        Index :data:`TYPES`; columns ``households`` [households] and ``persons`` [persons].

    Examples
    --------
    >>> hh = pd.DataFrame({"members": [3, 2, 4], "monitoring_type": ["marginal", "marginal", None]})
    >>> monitored_by_type(hh).loc["marginal"].tolist()
    [2.0, 5.0]
    """
    on = is_monitored(households)
    kind = _column(households, "monitoring_type", None)[on]
    persons = households["members"].to_numpy(dtype=float)[on]
    frame = pd.DataFrame({"type": kind, "persons": persons}).groupby("type")["persons"].agg(["size", "sum"])
    frame = frame.reindex(list(TYPES), fill_value=0)
    return pd.DataFrame({"households": frame["size"].astype(float), "persons": frame["sum"].astype(float)})


def registered_population(households: pd.DataFrame) -> float:
    """Persons of registered (建档立卡) households: category other than ``non_poor``, any status. [persons]

    >>> registered_population(pd.DataFrame({"members": [3, 2], "category": ["general", "non_poor"]}))
    3.0
    """
    return float(households.loc[households["category"].ne("non_poor").to_numpy(), "members"].sum())


def monitored_share(households: pd.DataFrame) -> tuple[float, float, float]:
    """Monitored persons as a share of the registered population.

    .. math:: s = \\frac{\\sum_{i \\in \\text{monitored}} w_i}{\\sum_{i \\in \\text{registered}} w_i}

    The 2020 guidance expects s around 5% and at most 10% (policy table ``monitoring_rules``).
    Monitored households need not be registered (边缘易致贫户 are not), so s may exceed what the
    registered households alone would give.

    Returns
    -------
    tuple of float
        (s [ratio], monitored persons [persons], registered persons [persons]); s is NaN when nobody is
        registered.

    Examples
    --------
    >>> hh = pd.DataFrame({"members": [4, 4, 2], "category": ["general", "general", "non_poor"],
    ...                    "monitoring_type": [None, None, "marginal"]})
    >>> monitored_share(hh)
    (0.25, 2.0, 8.0)
    """
    num = float(households["members"].to_numpy(dtype=float)[is_monitored(households)].sum())
    den = registered_population(households)
    return (num / den if den > 0 else math.nan), num, den


def previous_positions(households: pd.DataFrame, previous: pd.DataFrame | None) -> np.ndarray:
    """Row of each household in ``previous`` (matched by ``household_id``), -1 when absent there.

    >>> previous_positions(pd.DataFrame({"household_id": ["a", "b"]}), pd.DataFrame({"household_id": ["b"]}))
    array([-1,  0])
    """
    ids = households["household_id"].to_numpy()
    if previous is None:
        return np.full(len(ids), -1, dtype=np.int64)
    before = previous["household_id"].to_numpy()
    if len(before) == len(ids) and (len(ids) == 0 or before[0] == ids[0]) and np.array_equal(before, ids):
        return np.arange(len(ids), dtype=np.int64)
    return _ids.positions(before, ids)


def screening_rules(households: pd.DataFrame, previous: pd.DataFrame | None, threshold_yuan: float,
                    income_drop_share: float, positions: np.ndarray | None = None) -> pd.DataFrame:
    """Which monitoring rule each household meets (monitored or not).

    - ``income_below_threshold``: y < m.
    - ``income_drop``: y fell by at least the share d against the previous period,
      :math:`y_{prev} > 0` and :math:`y_{prev} - y \\ge d\\,y_{prev}` (false without a previous record).
    - ``rigid_spending_above_income``: rigid spending > household income y·w (false when unknown).
    - ``guarantee_lost``: a guarantee (两不愁三保障 or safe water) secure in the previous period is not
      secure now (false without a previous record).

    Parameters
    ----------
    households, previous : DataFrame
        This period's and the previous period's registers (``previous`` may be None).
    threshold_yuan : float
        Monitoring threshold m. [yuan per person per year]
    income_drop_share : float
        Share d of a drop counted as sharp. [ratio]
    positions : ndarray, optional
        :func:`previous_positions` of the two registers, when already computed (matching ids is the
        costly step: compute it once for :func:`screening` and :func:`risk_elimination`).

    Returns
    -------
    DataFrame
        One bool column per rule of :data:`SCREENING_RULES`, index as ``households``.
    """
    y = households["income_per_capita_yuan"].to_numpy(dtype=float)
    w = households["members"].to_numpy(dtype=float)
    pos = previous_positions(households, previous) if positions is None else positions
    out = {"income_below_threshold": y < threshold_yuan}
    if previous is not None:
        y_prev = _ids.take(previous["income_per_capita_yuan"].to_numpy(dtype=float), pos, np.nan)
        with np.errstate(invalid="ignore"):
            out["income_drop"] = (y_prev > 0) & (y_prev - y >= income_drop_share * y_prev * (1 - DROP_TOLERANCE))
    else:
        out["income_drop"] = np.zeros(len(y), dtype=bool)
    rigid = _float(households, "rigid_spending_yuan")
    with np.errstate(invalid="ignore"):
        out["rigid_spending_above_income"] = rigid > y * w
    lost = np.zeros(len(y), dtype=bool)
    if previous is not None:
        known = pos >= 0
        for g in GUARANTEES:
            before = _ids.take(previous[g].to_numpy(dtype=bool), pos, False)
            lost |= known & before & ~households[g].to_numpy(dtype=bool)
    out["guarantee_lost"] = lost
    return pd.DataFrame(out, index=households.index)


def _joined(flags: pd.DataFrame, names) -> np.ndarray:
    """'|'-joined names of the true columns of each row (vectorised over the 2^k combinations)."""
    code = np.zeros(len(flags), dtype=np.int64)
    for bit, name in enumerate(names):
        code |= flags[name].to_numpy(dtype=np.int64) << bit
    combos = np.array(["|".join(n for b, n in enumerate(names) if c >> b & 1) for c in range(2 ** len(names))],
                      dtype=object)
    return combos[code]


def screening(households: pd.DataFrame, previous: pd.DataFrame | None, threshold_yuan: float,
              income_drop_share: float, positions: np.ndarray | None = None) -> pd.DataFrame:
    """Possible 漏监测: households meeting a monitoring rule that are not monitored now.

    A household whose risk was eliminated counts as not monitored. See :func:`screening_rules` for the
    rules.

    Returns
    -------
    DataFrame
        Columns ``household_id``, ``rules`` ('|'-joined ids of the rules met) and one bool column per
        rule; one row per candidate, register order.

    Examples
    --------
    >>> hh = pd.DataFrame({"household_id": ["a", "b"], "members": [2, 2], "status": ["exited", "exited"],
    ...     "income_per_capita_yuan": [5000.0, 5000.0], "monitoring_type": [None, "marginal"],
    ...     **{g: [True, True] for g in GUARANTEES}})
    >>> screening(hh, None, 6000, 0.3)[["household_id", "rules"]].values.tolist()
    [['a', 'income_below_threshold']]
    """
    flags = screening_rules(households, previous, threshold_yuan, income_drop_share, positions)
    any_rule = flags.to_numpy().any(axis=1)
    keep = any_rule & ~is_monitored(households)
    flags = flags.loc[keep]
    out = pd.DataFrame({"household_id": households["household_id"][keep].reset_index(drop=True),
                        "rules": pd.Series(_joined(flags, SCREENING_RULES), dtype=object)})
    for name in SCREENING_RULES:
        out[name] = flags[name].to_numpy()
    return out


def risk_elimination(households: pd.DataFrame, previous: pd.DataFrame | None,
                     threshold_yuan: float, positions: np.ndarray | None = None) -> pd.DataFrame:
    """风险消除 test of each monitored household, criterion by criterion.

    - ``income_stable``: y > m now **and** in the previous period (at least six months with half-year
      periods; false without a previous record). Both periods are compared with this year's m.
    - ``guarantees_met``: all five guarantees secure now.
    - ``no_rigid_spending_risk``: rigid spending not above household income y·w (true when unknown:
      nothing recorded).
    - ``has_labour``: the household has labour capacity (false when unknown).

    Outcome: ``eligible`` when all four hold; ``no_labour_hold`` (暂不标注风险消除) when the first three
    hold and the household has no labour (or it is unknown); else ``not_eligible``.

    Parameters
    ----------
    households, previous : DataFrame
        This period's and the previous period's registers.
    threshold_yuan : float
        This year's monitoring threshold m. [yuan per person per year]
    positions : ndarray, optional
        :func:`previous_positions` of the two registers, when already computed.

    Returns
    -------
    DataFrame
        Columns ``household_id``, ``monitoring_type``, one bool column per criterion of
        :data:`RISK_CRITERIA` and ``outcome`` (one of :data:`OUTCOMES`); one row per monitored household.
    """
    on = is_monitored(households)
    y = households["income_per_capita_yuan"].to_numpy(dtype=float)
    w = households["members"].to_numpy(dtype=float)
    if previous is not None:
        pos = previous_positions(households, previous) if positions is None else positions
        y_prev = _ids.take(previous["income_per_capita_yuan"].to_numpy(dtype=float), pos, np.nan)
    else:
        y_prev = np.full(len(y), np.nan)
    income_stable = (y > threshold_yuan) & (y_prev > threshold_yuan)
    secure = np.ones(len(y), dtype=bool)
    for g in GUARANTEES:
        secure &= households[g].to_numpy(dtype=bool)
    rigid = _float(households, "rigid_spending_yuan")
    with np.errstate(invalid="ignore"):
        no_rigid = ~(rigid > y * w)
    labour = _flag(households, "has_labour")
    others = (income_stable & secure & no_rigid)[on]
    code = np.where(others & labour[on], 0, np.where(others, 1, 2))
    return pd.DataFrame({
        "household_id": households["household_id"][on].reset_index(drop=True),
        "monitoring_type": pd.Series(_column(households, "monitoring_type", None)[on], dtype=object),
        "income_stable": income_stable[on], "guarantees_met": secure[on], "no_rigid_spending_risk": no_rigid[on],
        "has_labour": labour[on], "outcome": pd.Series(np.array(OUTCOMES, dtype=object)[code], dtype=object),
    })


def transitions(previous: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """Households moving between :data:`STATES` from the previous period to this one.

    Only households present in both registers are counted.

    Returns
    -------
    DataFrame
        Rows: state in the previous period; columns: state now; cells [households].

    Examples
    --------
    >>> before = pd.DataFrame({"household_id": ["a", "b"], "status": ["exited", "exited"],
    ...                        "monitoring_type": ["marginal", None]})
    >>> now = pd.DataFrame({"household_id": ["a", "b"], "status": ["exited", "returned"],
    ...                     "monitoring_type": ["marginal", None]})
    >>> m = transitions(before, now)
    >>> int(m.loc["marginal", "marginal"]), int(m.loc["not_monitored", "poor"]), int(m.to_numpy().sum())
    (1, 1, 2)
    """
    pos = previous_positions(households, previous)
    both = pos >= 0
    code = {s: i for i, s in enumerate(STATES)}
    now = pd.Series(states(households)[both]).map(code).to_numpy(dtype=np.int64)
    before = pd.Series(states(previous)[pos[both]]).map(code).to_numpy(dtype=np.int64)
    k = len(STATES)
    counts = np.bincount(before * k + now, minlength=k * k).reshape(k, k).astype(float)
    return pd.DataFrame(counts, index=pd.Index(STATES, name="previous"), columns=pd.Index(STATES, name="now"))


def _status_rate(previous: pd.DataFrame, households: pd.DataFrame, before: tuple[str, ...]):
    pos = previous_positions(households, previous)
    both = pos >= 0
    was = previous["status"].to_numpy()[pos[both]]
    base = np.isin(was, before)
    poor_now = households["status"].isin(POOR_STATUSES).to_numpy()[both]
    den = float(base.sum())
    num = float((base & poor_now).sum())
    return (num / den if den > 0 else math.nan), num, den


def return_rate(previous: pd.DataFrame, households: pd.DataFrame) -> tuple[float, float, float]:
    """返贫率: households exited in the previous period that are poor (poor or returned) now.

    .. math:: r = \\frac{|\\{i: s_{prev,i} = exited,\\ s_i \\in \\{poor, returned\\}\\}|}{|\\{i: s_{prev,i} = exited\\}|}

    Returns
    -------
    tuple of float
        (r [ratio], returned [households], exited before [households]); r NaN when none exited.

    Examples
    --------
    >>> before = pd.DataFrame({"household_id": ["a", "b", "c"], "status": ["exited", "exited", "non_poor"]})
    >>> now = pd.DataFrame({"household_id": ["a", "b", "c"], "status": ["returned", "exited", "poor"]})
    >>> return_rate(before, now)
    (0.5, 1.0, 2.0)
    """
    return _status_rate(previous, households, ("exited",))


def impoverishment_rate(previous: pd.DataFrame, households: pd.DataFrame) -> tuple[float, float, float]:
    """致贫率: households not poor (status non_poor) in the previous period that are poor now.

    .. math:: r = \\frac{|\\{i: s_{prev,i} = non\\_poor,\\ s_i \\in \\{poor, returned\\}\\}|}{|\\{i: s_{prev,i} = non\\_poor\\}|}

    Returns
    -------
    tuple of float
        (r [ratio], newly poor [households], non-poor before [households]).

    Examples
    --------
    >>> before = pd.DataFrame({"household_id": ["a", "b", "c"], "status": ["exited", "exited", "non_poor"]})
    >>> now = pd.DataFrame({"household_id": ["a", "b", "c"], "status": ["returned", "exited", "poor"]})
    >>> impoverishment_rate(before, now)
    (1.0, 1.0, 1.0)
    """
    return _status_rate(previous, households, ("non_poor",))
