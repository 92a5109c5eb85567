"""常态化帮扶 measures (from 2026): 防止返贫致贫对象, identification time, help coverage, 务工, income of
exited households and its parts, the low-income layers, members' schooling and insurance.

Every function is pure: frames in (the register ``households``, ``members``, ``help_measures`` as
:class:`~village_stats.load.PeriodData` holds them), numbers or small frames out. Terms:

* an **object** (防止返贫致贫对象) is a household with a ``monitoring_type``, whatever its status or category;
* an object is **unresolved** at a day when it has no ``risk_eliminated_on`` on or before that day;
* a measure **runs in a period** when it started by the period's end and did not end before its start.

Sources: 2026 中央一号文件 and 农业农村部's implementing opinions (re-posts), county procedures (15 days,
公示 ≥ 5 days), 风险消除 criteria; see ``docs/policy.md`` and the reference §8.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from ..schema import GUARANTEES, INCOME_PARTS, LAYERS, OUT_OF_SCHOOL
from . import ids as _ids

#: The layers of the overlap table: the four 民政 layers and the unresolved objects, in report order.
OVERLAP_LAYERS = (*LAYERS, "object")


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _is(values: pd.Series, value) -> np.ndarray:
    """``values == value`` element by element on the raw array (unknown is False), without pandas' dispatch."""
    return np.asarray(values.to_numpy(dtype=object) == value, dtype=bool)


def household_positions(register_ids: pd.Series, *ids: pd.Series) -> list[np.ndarray]:
    """For each series of ``ids``: the row of the register holding each id (−1 where none), the register
    hashed once for all (:func:`village_stats.measures.ids.positions_of`: ASCII ids as 64-bit words, every
    match checked). The register's ids are unique (the loader checks it).

    >>> household_positions(pd.Series(["0001", "0002", "A-17"]), pd.Series(["A-17", "0009", "0001"]))[0].tolist()
    [2, -1, 0]
    """
    return _ids.positions_of(register_ids.to_numpy(dtype=object), *(i.to_numpy(dtype=object) for i in ids))


def _flag(households: pd.DataFrame, column: str) -> pd.Series:
    """A bool column as True/False (unknown is False)."""
    if column not in households:
        return pd.Series(False, index=households.index)
    return pd.Series(_is(households[column], True), index=households.index)


def is_object(households: pd.DataFrame) -> pd.Series:
    """防止返贫致贫对象: households with a ``monitoring_type`` (ever identified, resolved or not)."""
    if "monitoring_type" not in households:
        return pd.Series(False, index=households.index)
    return households["monitoring_type"].notna()


def unresolved(households: pd.DataFrame, day: dt.date) -> pd.Series:
    """Objects without a ``risk_eliminated_on`` on or before ``day`` (the period's end).

    >>> hh = pd.DataFrame({"monitoring_type": ["marginal", "marginal", None],
    ...                    "risk_eliminated_on": pd.to_datetime(["2026-05-01", None, None])})
    >>> unresolved(hh, dt.date(2026, 6, 30)).tolist(), unresolved(hh, dt.date(2026, 4, 30)).tolist()
    ([False, True, False], [True, True, False])
    """
    done = pd.to_datetime(households.get("risk_eliminated_on"), errors="coerce")
    if done is None:
        return is_object(households)
    return is_object(households) & ~(done <= _ts(day)).fillna(False).astype(bool)


def count_persons(households: pd.DataFrame, mask: pd.Series) -> tuple[float, float]:
    """(households, persons) where ``mask``. [households], [persons]"""
    m = mask.to_numpy(dtype=bool)
    return float(m.sum()), float(households["members"].to_numpy(dtype=float)[m].sum())


def in_period(values: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    """Dates that fall in ``start`` … ``end`` (both included); NaT is False."""
    d = pd.to_datetime(values, errors="coerce")
    return ((d >= _ts(start)) & (d <= _ts(end))).fillna(False).astype(bool)


# --------------------------------------------------------------------------- identification time

def identification_days(households: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """Days from the first risk clue to monitoring, for the objects identified in the period.

    days = ``monitoring_since`` − ``risk_found_on`` [days], over objects whose ``monitoring_since`` falls in
    ``start`` … ``end`` and that have a ``risk_found_on``. Index: the households' index.

    References: 2026 rule "from the first risk clue to 认定 within 15 days" (county procedure, 秦安县).

    >>> hh = pd.DataFrame({"monitoring_type": ["marginal"] * 3,
    ...     "monitoring_since": pd.to_datetime(["2026-03-20", "2026-04-30", "2025-12-01"]),
    ...     "risk_found_on": pd.to_datetime(["2026-03-10", "2026-03-01", "2025-11-20"])})
    >>> identification_days(hh, dt.date(2026, 1, 1), dt.date(2026, 6, 30)).tolist()
    [10.0, 60.0]
    """
    since = pd.to_datetime(households.get("monitoring_since"), errors="coerce")
    found = pd.to_datetime(households.get("risk_found_on"), errors="coerce")
    if since is None or found is None:
        return pd.Series(dtype=float)
    keep = is_object(households) & in_period(since, start, end) & found.notna()
    return (since[keep] - found[keep]).dt.days.astype(float)


def identification_summary(days: pd.Series, limit_days: float = 15) -> tuple[float, float, float]:
    """(median days, identified within ``limit_days``, identified) of :func:`identification_days`.

    The median is NaN with no object identified. [days], [households], [households]

    >>> identification_summary(pd.Series([10.0, 60.0, 15.0]))
    (15.0, 2.0, 3.0)
    """
    if days.empty:
        return float("nan"), 0.0, 0.0
    return float(days.median()), float((days <= limit_days).sum()), float(len(days))


def publicity_days(households: pd.DataFrame) -> pd.Series:
    """Days of the village 公示, both dates counted: ``publicised_to`` − ``publicised_from`` + 1 [days]
    (NaN where a date is missing).

    >>> publicity_days(pd.DataFrame({"publicised_from": pd.to_datetime(["2026-03-04", None]),
    ...                              "publicised_to": pd.to_datetime(["2026-03-08", "2026-03-08"])})).tolist()
    [5.0, nan]
    """
    a = pd.to_datetime(households.get("publicised_from"), errors="coerce")
    b = pd.to_datetime(households.get("publicised_to"), errors="coerce")
    if a is None or b is None:
        return pd.Series(np.nan, index=households.index)
    return ((b - a).dt.days + 1).astype(float)


def publicity_short(households: pd.DataFrame, start: dt.date, end: dt.date, min_days: float = 5) -> pd.Series:
    """Objects identified in the period (``monitoring_since`` in it) whose 公示 lasted fewer than ``min_days``
    days, both dates counted (``publicity_short_households``). Unknown dates are not counted."""
    since = households.get("monitoring_since")
    identified = is_object(households) & (in_period(since, start, end) if since is not None else False)
    return identified & (publicity_days(households) < min_days).fillna(False).astype(bool)


# --------------------------------------------------------------------------- 风险消除

def risk_elimination_breaks(households: pd.DataFrame, start: dt.date, end: dt.date,
                            threshold_yuan: float) -> pd.DataFrame:
    """风险消除 marks dated in the period that break the rule, one row per mark, with the broken criteria.

    A mark breaks the rule when, at the mark, income is below the year's standard (``threshold_yuan``
    [yuan per person per year]), a guarantee (两不愁三保障, water) is not secure, or it comes less than six
    months after ``monitoring_since``.

    Returns
    -------
    DataFrame
        Index as ``households``' (marks in the period only); bool columns ``income_below``,
        ``guarantee_missing``, ``under_six_months`` and ``breaks`` (any of them).

    >>> hh = pd.DataFrame({"monitoring_type": ["marginal"] * 2, "income_per_capita_yuan": [9000.0, 6000.0],
    ...     "monitoring_since": pd.to_datetime(["2025-01-10", "2026-02-01"]),
    ...     "risk_eliminated_on": pd.to_datetime(["2026-03-01", "2026-05-01"]),
    ...     **{g: [True, True] for g in GUARANTEES}})
    >>> risk_elimination_breaks(hh, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 7900)["breaks"].tolist()
    [False, True]
    """
    marked = is_object(households) & in_period(households.get("risk_eliminated_on"), start, end)
    hh = households.loc[marked]
    on = pd.to_datetime(hh["risk_eliminated_on"])
    since = pd.to_datetime(hh.get("monitoring_since"), errors="coerce")
    income_below = (hh["income_per_capita_yuan"] < threshold_yuan).to_numpy(dtype=bool)
    missing = np.zeros(len(hh), dtype=bool)
    for g in GUARANTEES:
        missing |= ~hh[g].eq(True).to_numpy(dtype=bool)
    six = (on < since + pd.DateOffset(months=6)).fillna(False).to_numpy(dtype=bool)
    out = pd.DataFrame({"income_below": income_below, "guarantee_missing": missing, "under_six_months": six},
                       index=hh.index)
    out["breaks"] = out.any(axis=1)
    return out


# --------------------------------------------------------------------------- help measures

def running(measures: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """Measures running in the period: ``started_on`` ≤ end and not (``ended_on`` < start)."""
    started = pd.to_datetime(measures["started_on"]) <= _ts(end)
    ended = pd.to_datetime(measures["ended_on"], errors="coerce") < _ts(start)
    return (started & ~ended.fillna(False).astype(bool)).astype(bool)


def households_with_help(households: pd.DataFrame, measures: pd.DataFrame, start: dt.date, end: dt.date,
                         kind: str | None = None) -> pd.Series:
    """Whether each household has at least one measure (of ``kind``, or any) running in the period.

    >>> hh = pd.DataFrame({"household_id": ["a", "b", "c"]})
    >>> m = pd.DataFrame({"household_id": ["a", "b"], "measure": ["industry", "employment"],
    ...     "started_on": pd.to_datetime(["2026-01-05", "2025-01-01"]),
    ...     "ended_on": pd.to_datetime([None, "2025-12-31"])})
    >>> households_with_help(hh, m, dt.date(2026, 1, 1), dt.date(2026, 6, 30)).tolist()
    [True, False, False]
    """
    run = running(measures, start, end)
    if kind is not None:
        run &= measures["measure"].eq(kind)
    ids = set(measures.loc[run, "household_id"])
    return households["household_id"].isin(ids)


def help_coverage(households: pd.DataFrame, measures: pd.DataFrame, start: dt.date,
                  end: dt.date) -> tuple[float, float]:
    """(unresolved objects with a measure running in the period, unresolved objects) [households]
    (``help_coverage_share`` = the first / the second)."""
    open_ = unresolved(households, end)
    helped = households_with_help(households, measures, start, end) & open_
    return float(helped.sum()), float(open_.sum())


def exited_or_object(households: pd.DataFrame) -> pd.Series:
    """脱贫户 (status exited) and objects: the households 产业帮扶 coverage and 务工 are counted over."""
    return pd.Series(_is(households["status"], "exited"), index=households.index) | is_object(households)


def industry_help(households: pd.DataFrame, measures: pd.DataFrame, start: dt.date,
                  end: dt.date) -> tuple[float, float]:
    """(脱贫户 and objects with a 产业帮扶 running in the period, 脱贫户 and objects) [households]
    (``industry_help_share``; counties report > 85%)."""
    base = exited_or_object(households)
    hit = households_with_help(households, measures, start, end, "industry") & base
    return float(hit.sum()), float(base.sum())


# --------------------------------------------------------------------------- members

def members_of(households: pd.DataFrame, members: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """Whether each member belongs to a household where ``mask``."""
    return members["household_id"].isin(set(households.loc[mask.to_numpy(dtype=bool), "household_id"]))


def migrant_workers(households: pd.DataFrame, members: pd.DataFrame) -> tuple[float, float]:
    """务工规模: (members of 脱贫户 and objects who worked away, their months of work) [persons], [months].

    A member worked away when ``work_place`` is given and not ``not_working`` and ``work_months`` > 0.

    >>> hh = pd.DataFrame({"household_id": ["a", "b"], "status": ["exited", "non_poor"],
    ...                    "monitoring_type": [None, None]})
    >>> m = pd.DataFrame({"household_id": ["a", "a", "b"], "work_place": ["out_of_province", "not_working",
    ...                   "in_county"], "work_months": [10.0, 0.0, 12.0]})
    >>> migrant_workers(hh, m)
    (1.0, 10.0)
    """
    base = members_of(households, members, exited_or_object(households))
    months = members["work_months"].astype(float)
    worked = base & members["work_place"].notna() & members["work_place"].ne("not_working") & (months > 0)
    return float(worked.sum()), float(months[worked].sum())


def age_at(birth: pd.Series, day: dt.date) -> pd.Series:
    """Full years of age at ``day`` (NaN without a birth date).

    >>> age_at(pd.to_datetime(pd.Series(["2010-12-31", "2011-01-01", None])), dt.date(2026, 12, 31)).tolist()
    [16.0, 15.0, nan]
    """
    b = pd.to_datetime(birth, errors="coerce")
    before_birthday = (b.dt.month > day.month) | ((b.dt.month == day.month) & (b.dt.day > day.day))
    age = day.year - b.dt.year - before_birthday.astype(float)
    return age.where(b.notna()).astype(float)


def birth_dates(members: pd.DataFrame) -> pd.Series:
    """``birth_date``, else the date the ID number encoded (``id_birth_date``)."""
    b = pd.to_datetime(members["birth_date"], errors="coerce")
    if "id_birth_date" in members:
        b = b.fillna(pd.to_datetime(members["id_birth_date"], errors="coerce"))
    return b


def school_age_not_in_school(members: pd.DataFrame, day: dt.date) -> pd.Series:
    """Members aged 6–15 at ``day`` (the period's end) who are 辍学 or 未在校.

    Aged 6–15 in full years ⇔ born after ``day`` − 16 years and on or before ``day`` − 6 years (the same
    as :func:`age_at`, without computing every age).
    """
    born = birth_dates(members)
    school_age = (born > _ts(day) - pd.DateOffset(years=16)) & (born <= _ts(day) - pd.DateOffset(years=6))
    return (school_age & members["in_school"].isin(OUT_OF_SCHOOL)).fillna(False).astype(bool)


def insured_share(members: pd.DataFrame, column: str) -> tuple[float, float]:
    """(insured members, members) [persons] for ``medical_insured`` or ``pension_insured``; an unknown
    answer counts as not insured (it is not shown to be)."""
    return float(_is(members[column], True).sum()), float(len(members))


# --------------------------------------------------------------------------- income

def weighted_income(households: pd.DataFrame, mask: pd.Series, column: str = "income_per_capita_yuan"
                    ) -> tuple[float, float]:
    """(Σ members × ``column``, Σ members) over the households where ``mask`` and ``column`` is known
    [yuan per year], [persons]: their quotient is the person-weighted mean [yuan per person per year]."""
    y = households[column].astype(float)
    m = mask.to_numpy(dtype=bool) & y.notna().to_numpy()
    w = households["members"].to_numpy(dtype=float)[m]
    return float((w * y.to_numpy()[m]).sum()), float(w.sum())


def exited_income(households: pd.DataFrame) -> tuple[float, float]:
    """脱贫人口人均纯收入 parts: (Σ members × income, Σ members) over 脱贫户 (status exited).

    >>> exited_income(pd.DataFrame({"status": ["exited", "exited", "poor"], "members": [2.0, 3.0, 1.0],
    ...                             "income_per_capita_yuan": [10000.0, 15000.0, 3000.0]}))
    (65000.0, 5.0)
    """
    return weighted_income(households, households["status"].eq("exited"))


def growth(current: float, previous: float) -> float:
    """current / previous − 1 [ratio]; NaN when previous is not a positive number.

    >>> round(growth(14342, 12548), 3)
    0.143
    """
    if not (previous > 0) or not np.isfinite(current):
        return float("nan")
    return current / previous - 1


def income_parts(households: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each income part's share of income, person-weighted: part → (Σ members × part, Σ members × income)
    over the households with all four parts and the income known [yuan per year]
    (``transfer_income_share`` is 政策性收入占比).

    >>> hh = pd.DataFrame({"members": [2.0, 1.0], "income_per_capita_yuan": [10000.0, 8000.0],
    ...     "wage_income_yuan": [6000.0, None], "business_income_yuan": [2000.0, 1.0],
    ...     "property_income_yuan": [0.0, 1.0], "transfer_income_yuan": [2000.0, 1.0]})
    >>> income_parts(hh)["transfer_income_yuan"]
    (4000.0, 20000.0)
    """
    known = households["income_per_capita_yuan"].notna()
    for part in INCOME_PARTS:
        known &= households[part].astype(float).notna()
    w = households["members"].to_numpy(dtype=float)[known.to_numpy()]
    total = float((w * households.loc[known, "income_per_capita_yuan"].to_numpy(dtype=float)).sum())
    return {part: (float((w * households.loc[known, part].to_numpy(dtype=float)).sum()), total)
            for part in INCOME_PARTS}


# --------------------------------------------------------------------------- layers

def layer_flags(households: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """One bool column per layer of :data:`OVERLAP_LAYERS` (``object``: unresolved at ``end``)."""
    out = pd.DataFrame({layer: _flag(households, layer) for layer in LAYERS}, index=households.index)
    out["object"] = unresolved(households, end)
    return out


def layer_overlap(households: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """Households and persons in each combination of the layers (低保 · 特困 · 低保边缘 · 刚性支出困难 ·
    unresolved 防止返贫致贫对象), the combinations that occur, most persons first.

    Returns
    -------
    DataFrame
        One bool column per layer, ``households`` [households] and ``persons`` [persons]; households in no
        layer are left out.

    >>> hh = pd.DataFrame({"members": [3.0, 2.0, 4.0], "dibao": [True, True, None], "tekun": [None] * 3,
    ...     "dibao_edge": [None] * 3, "rigid_spending_hardship": [True, None, None],
    ...     "monitoring_type": ["marginal", None, None], "risk_eliminated_on": pd.to_datetime([None] * 3)})
    >>> layer_overlap(hh, dt.date(2026, 6, 30))[["dibao", "object", "households", "persons"]].values.tolist()
    [[True, True, 1.0, 3.0], [True, False, 1.0, 2.0]]
    """
    flags = layer_flags(households, end)
    anyl = flags.any(axis=1)
    f = flags.loc[anyl]
    w = households.loc[anyl, "members"].astype(float)
    if f.empty:
        return pd.DataFrame(columns=[*OVERLAP_LAYERS, "households", "persons"])
    g = pd.DataFrame({"households": 1.0, "persons": w}).groupby([f[c] for c in OVERLAP_LAYERS]).sum()
    return g.reset_index().sort_values(["persons", "households"], ascending=False, kind="stable") \
        .reset_index(drop=True)


def layer_combinations() -> list[tuple[bool, ...]]:
    """Every combination of the five layers with at least one (31), for a full overlap table."""
    return [c for c in itertools.product((True, False), repeat=len(OVERLAP_LAYERS)) if any(c)]


def channels(households: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """Objects identified in the period (``monitoring_since`` in it) by ``discovery_channel`` [households]
    (NaN channel: unknown)."""
    since = households.get("monitoring_since")
    if since is None or "discovery_channel" not in households:
        return pd.Series(dtype=float)
    new = is_object(households) & in_period(since, start, end)
    return households.loc[new, "discovery_channel"].value_counts(dropna=False).astype(float)


# --------------------------------------------------------------------------- all at once (a county's register)

def figures(households: pd.DataFrame, members: pd.DataFrame, measures: pd.DataFrame, start: dt.date, end: dt.date,
            threshold_yuan: float, limit_days: float = 15, publicity_min_days: float = 5) -> dict[str, float]:
    """The section's figures in one pass, for a register of any size: the same definitions as the functions
    above (and the catalogue's indicators of the same ids), with the members' and measures' households
    found once (one hash lookup of their ``household_id`` in the register).

    Returns
    -------
    dict
        Indicator id → value: counts [households], [persons], sums [yuan per year], [months] and the
        median [days]; ratios are left to the caller (their parts are here).
    """
    hh = households
    w = hh["members"].to_numpy(dtype=float)
    y = hh["income_per_capita_yuan"].to_numpy(dtype=float)
    obj = is_object(hh).to_numpy()
    open_ = unresolved(hh, end).to_numpy()
    base = exited_or_object(hh).to_numpy()
    exited = _is(hh["status"], "exited")
    out: dict[str, float] = {
        "unresolved_objects": float(open_.sum()), "unresolved_object_persons": float(w[open_].sum()),
        "monitored_households_non_registered": float((open_ & _is(hh["category"], "non_poor")).sum()),
        "objects_below_standard": float((open_ & (y < threshold_yuan)).sum()),
        "objects_ever": float(obj.sum()), "risk_eliminated_by_end": float((obj & ~open_).sum()),
        "exited_or_object_households": float(base.sum()),
    }
    out["risk_elimination_rule_breaks"] = float(risk_elimination_breaks(hh, start, end, threshold_yuan)["breaks"].sum())
    days = identification_days(hh, start, end)
    out["identification_days_median"], out["identified_within_15_days"], out["identified_in_period"] = \
        identification_summary(days, limit_days)
    out["publicity_short_households"] = float(publicity_short(hh, start, end, publicity_min_days).sum())
    known = np.isfinite(y)
    ex = exited & known
    out["exited_income_total_yuan"], out["exited_persons"] = float((w[ex] * y[ex]).sum()), float(w[ex].sum())
    parts = income_parts(hh)
    out["transfer_income_total_yuan"], out["parts_income_total_yuan"] = parts["transfer_income_yuan"]
    out["low_income_layer_households"] = float(layer_flags(hh, end).to_numpy().any(axis=1).sum())
    # members and measures: their households' positions in the register, found once
    run = running(measures, start, end).to_numpy()
    at, pos = household_positions(hh["household_id"], measures["household_id"][run], members["household_id"])
    at_ok = at >= 0
    helped = np.zeros(len(hh), dtype=bool)
    helped[at[at_ok]] = True
    industry = np.zeros(len(hh), dtype=bool)
    industry[at[at_ok & _is(measures["measure"][run], "industry")]] = True
    out["help_covered_objects"] = float((open_ & helped).sum())
    out["industry_help_households"] = float((base & industry).sum())
    in_base = np.zeros(len(members), dtype=bool)
    in_base[pos >= 0] = base[pos[pos >= 0]]
    place = members["work_place"]
    months = members["work_months"].to_numpy(dtype=float)
    raw = place.to_numpy(dtype=object)
    worked = in_base & (months > 0) & ~_is(place, "not_working") & ~_is(place, None) & (raw == raw)
    out["migrant_workers"], out["migrant_worker_months"] = float(worked.sum()), float(months[worked].sum())
    out["school_age_not_in_school"] = float(school_age_not_in_school(members, end).sum())
    out["medical_insured_members"] = float(_is(members["medical_insured"], True).sum())
    out["member_rows"] = float(len(members))
    return out
