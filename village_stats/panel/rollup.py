"""Roll-up of many villages' indicator sheets to townships and the county, with a tie-out check.

How each indicator combines is read from its catalogue entry, ``CATALOGUE[id].combine`` (the kinds are
declared in :mod:`village_stats.units`); this module keeps no list of units or indicators of its own and
reads no descriptions:

* :class:`~village_stats.units.Sum` — the group's value is the sum of its villages' values (unknown values
  are left out; a sum over only unknown values is unknown);
* :class:`~village_stats.units.Ratio` — Σ numerators / Σ denominators of the declared parts over the
  villages where both are known (never a mean of the villages' ratios); the group's row carries both sums;
* :class:`~village_stats.units.Pooled` — a register measure (FGT, Watts, Gini, Alkire–Foster, deprivation
  rates) computed again on the group's pooled register, person-weighted, each household against its own
  village's poverty line (:func:`pooled_register_measures`); a share of persons also gets its numerator
  (value × the pooled register's persons) and denominator;
* :class:`~village_stats.units.Setting` — ``exit_threshold``, ``poverty_line_yuan`` and the other policy
  settings: the common value when every village of the group has the same, else unknown (villages under
  different settings have no common one);
* :class:`~village_stats.units.Bound` — an end of a rate's interval: Σ bound × denominator of the rate /
  Σ denominator.

So a group's value is unknown only when its villages' values are (or, for a setting, disagree).

The tie-out (:func:`tie_out`) runs on every roll-up and recomputes from the villages' own sheets and
registers: for every summed indicator, each group equals the sum of its villages, the county equals the
sum of its townships, the townships together equal the villages together, and the pooled register's
households and persons equal the sums of the villages' register counts; otherwise :class:`TieOutError`.

Each village-period is loaded and computed directly (no cache). Publish-safe output
(``suppress_below``) is :func:`village_stats.panel.disclosure.protect`, run on the three levels at once
(:func:`rollup_levels`) so that a level never gives away what another hides.

Pooling is exact for the FGT family because it is additively decomposable: the pooled index is the
population-share-weighted sum of the villages' indices (Foster, Greer and Thorbecke 1984); the Gini is not
decomposable and is computed on the pooled incomes.

References
----------
.. [1] J. Foster, J. Greer and E. Thorbecke, "A class of decomposable poverty measures", Econometrica
   52(3), 761–766, 1984. doi:10.2307/1913475
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, ReportError
from ..evaluate import indicator_sheet
from ..indicators import CATALOGUE
from ..load import PeriodData
from ..measures.register import (
    DEFAULT_MPI_K,
    DEFAULT_MPI_WEIGHTS,
    GUARANTEES,
    MPI_INDICATORS,
    grouped_measures,
)
from ..units import Bound, Pooled, Ratio, Setting, Sum
from .disclosure import protect

LEVELS = ("village", "township", "county")
ROLLUP_COLUMNS = ("group_level", "group_id", "period", "indicator", "value", "unit", "numerator", "denominator",
                  "label_zh", "label_en", "villages_covered", "villages_missing", "suppressed")
#: Relative tolerance of the tie-out (sums of floats in a different order).
TIE_OUT_RTOL = 1e-9


class TieOutError(ReportError):
    """A roll-up whose totals do not add up (county ≠ Σ townships ≠ Σ villages, or the pooled register's
    counts ≠ the villages' register counts)."""


def combination(indicator_id: str):
    """How an indicator combines over villages: its catalogue declaration.

    Examples
    --------
    >>> [type(combination(i)).__name__ for i in ("poor_population", "fgt1", "poverty_incidence", "exit_threshold")]
    ['Sum', 'Pooled', 'Ratio', 'Setting']
    >>> combination("poverty_incidence")
    Ratio(numerator='poor_population', denominator='population_total', parts_unit=None)
    """
    return CATALOGUE[indicator_id].combine


# --------------------------------------------------------------------------- a county's data

@dataclass
class County:
    """Every village of a data root for one period: who lies where, their sheets and registers.

    ``villages``: one row per village (``village_id, name_zh, name_en, township_zh, county_zh,
    exit_threshold``); ``sheets``: village → its indicator sheet (villages with the period only);
    ``registers``: village → its register (``members, income_per_capita_yuan, status``, the guarantees
    and ``poverty_line_yuan``), for villages with one.
    """

    period: str
    villages: pd.DataFrame
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)
    registers: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """Villages without data for the period, in id order."""
        return [v for v in self.villages["village_id"] if v not in self.sheets]


REGISTER_COLUMNS = ("members", "income_per_capita_yuan", "status", *GUARANTEES)


def register_of(data: PeriodData) -> pd.DataFrame:
    """The register columns the pooled measures need, with the village's poverty line on every row."""
    return data.table("households")[list(REGISTER_COLUMNS)].assign(
        poverty_line_yuan=data.poverty_line.poverty_line_yuan).reset_index(drop=True)


# --------------------------------------------------------------------------- pooled register measures

def pooled_register_measures(register: pd.DataFrame, group: np.ndarray | pd.Series, poverty_line_yuan, k: float = DEFAULT_MPI_K,
                             weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Register measures of pooled registers, one row per group, person-weighted.

    FGT0/1/2, Watts, Gini and Alkire–Foster H/A/M0 come from
    :func:`village_stats.measures.register.grouped_measures` (the groups coded once); the
    uncensored deprivation rates d_j = Σ w g_j / N and the contributions w_j h_j / M0 (h_j the censored
    headcount ratio Σ w g_j [c ≥ k] / N) are added with the same bincounts.

    Parameters
    ----------
    register : DataFrame
        Columns ``members``, ``income_per_capita_yuan``, ``status`` and the five guarantees.
    group : array
        The group of each household (e.g. its township).
    poverty_line_yuan : float or array
        Poverty line, per household when villages use different lines (the gap (z − y)/z is each
        household's own). [yuan per person per year]

    Returns
    -------
    DataFrame
        Index ``group`` (sorted); columns of ``measures_by_village`` plus ``deprivation_rate_<j>`` and
        ``mpi_contribution_<j>`` [ratio].

    Examples
    --------
    >>> reg = pd.DataFrame({"members": [1, 3], "income_per_capita_yuan": [1000.0, 5000.0], "status": "poor",
    ...                     **{g: True for g in GUARANTEES}})
    >>> round(float(pooled_register_measures(reg, np.array(["a", "a"]), 2000.0).loc["a", "fgt1"]), 4)
    0.125
    """
    weights = dict(DEFAULT_MPI_WEIGHTS if weights is None else weights)
    poverty_line_yuan = np.asarray(poverty_line_yuan, dtype=np.float64) if np.ndim(poverty_line_yuan) else float(poverty_line_yuan)
    codes, groups = pd.factorize(np.asarray(group), sort=True)      # the groups coded once, for every sum
    grouped = grouped_measures(register, codes, pd.Index(groups, name="village_id"), poverty_line_yuan, k, weights)
    out, deprived, poor = grouped.measures, grouped.deprived, grouped.multidimensionally_poor
    w = register["members"].to_numpy(dtype=np.float64)
    n = np.bincount(codes, weights=w, minlength=len(groups))
    m0 = out["mpi_m0"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in MPI_INDICATORS:
            g = deprived[j].to_numpy()
            out[f"deprivation_rate_{j}"] = np.bincount(codes, weights=w * g, minlength=len(groups)) / n
            h = np.bincount(codes, weights=w * (g & poor), minlength=len(groups)) / n
            out[f"mpi_contribution_{j}"] = np.where(m0 > 0, weights[j] * h / np.where(m0 > 0, m0, 1.0), np.nan)
    return out




# --------------------------------------------------------------------------- the roll-up

def _group_of(villages: pd.DataFrame, by: str) -> pd.Series:
    if by not in LEVELS:
        raise DataError(f"unknown roll-up level {by!r}: expected one of {', '.join(LEVELS)}")
    if by == "village":
        return pd.Series(villages["village_id"].to_numpy(), index=villages["village_id"].to_numpy(), name="group")
    column = {"township": "township_zh", "county": "county_zh"}[by]
    return villages.set_index("village_id")[column]


def rollup(county: County, by: str = "township", *, suppress_below: int | None = None,
           check: bool = True) -> pd.DataFrame:
    """The tidy indicator sheet of every group of villages (``by`` village, township or county).

    Parameters
    ----------
    county : County
        From :func:`load_county` (or built by hand: villages, data and sheets).
    by : str
        ``village``, ``township`` or ``county``.
    suppress_below : int, optional
        Publish-safe output: every head count below this, in any column, and the rows that would let one be
        worked out from any level are suppressed (:func:`village_stats.panel.disclosure.protect` over the
        three levels, :func:`rollup_levels`; the mask of a level is the same whichever level is asked for).
        [households or persons]
    check : bool
        Run :func:`tie_out` (always on; off only for tests of the check itself).

    Returns
    -------
    DataFrame
        Columns :data:`ROLLUP_COLUMNS`, one row per group and indicator, groups in name order and
        indicators in catalogue order.

    Raises
    ------
    TieOutError
        When a sum does not tie out.
    """
    if suppress_below:
        levels = rollup_levels(county, suppress_below=suppress_below, check=check)
        return levels[levels["group_level"] == by].reset_index(drop=True)
    villages = county.villages
    group = _group_of(villages, by)
    present = [v for v in villages["village_id"] if v in county.sheets]
    if not present:
        raise DataError(f"no village has data for period {county.period}")
    long = pd.concat([county.sheets[v] for v in present], ignore_index=True)
    long["group_id"] = long["village_id"].map(group)
    registers = _pooled_register(county, group)
    sheet = _combine(long, registers)
    members = villages.assign(group_id=villages["village_id"].map(group))
    missing = members[~members["village_id"].isin(list(county.sheets))].groupby("group_id")["village_id"].agg(
        ",".join)
    covered = long.groupby("group_id")["village_id"].nunique()
    sheet.insert(0, "group_level", by)
    sheet.insert(2, "period", county.period)
    sheet["unit"] = sheet["indicator"].map(lambda i: CATALOGUE[i].unit)
    sheet["label_zh"] = sheet["indicator"].map(lambda i: CATALOGUE[i].label_zh)
    sheet["label_en"] = sheet["indicator"].map(lambda i: CATALOGUE[i].label_en)
    sheet["villages_covered"] = sheet["group_id"].map(covered).astype(int)
    sheet["villages_missing"] = [missing.get(g, "") for g in sheet["group_id"]]
    sheet["suppressed"] = False
    sheet = sheet[list(ROLLUP_COLUMNS)]
    order = {k: i for i, k in enumerate(CATALOGUE)}
    sheet = sheet.sort_values(["group_id", "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s,
                              kind="stable").reset_index(drop=True)
    if check:
        tie_out(county, sheet, registers)
    return sheet


def rollup_levels(county: County, *, suppress_below: int | None = None, check: bool = True) -> pd.DataFrame:
    """The roll-up sheets of every level (village, township, county) in one frame, protected together when
    ``suppress_below`` is given (:func:`village_stats.panel.disclosure.protect`): what anything publishes
    from one county and period at a threshold should be cut from this frame."""
    sheet = pd.concat([rollup(county, by, check=check) for by in LEVELS], ignore_index=True)
    return protect(sheet, suppress_below, county.villages) if suppress_below else sheet


def _combine(long: pd.DataFrame, registers: pd.DataFrame | None) -> pd.DataFrame:
    """Group the villages' rows (``group_id``, ``indicator``) as each indicator's declaration says, vectorised.

    Returns ``group_id, indicator, value, numerator, denominator``.
    """
    declared = {i: CATALOGUE[i].combine for i in long["indicator"].unique()}
    keys = [long["group_id"], long["indicator"]]
    value, num, den = long["value"], long["numerator"], long["denominator"]
    finite = np.isfinite(num) & np.isfinite(den)
    # a bound is weighted by its rate's denominator in the same village
    rate_of = long["indicator"].map({i: c.of for i, c in declared.items() if isinstance(c, Bound)})
    weight = pd.Series(np.nan, index=long.index)
    bounds = rate_of.notna().to_numpy()
    if bounds.any():
        dens = long.set_index(["village_id", "indicator"])["denominator"]
        at = pd.MultiIndex.from_arrays([long["village_id"][bounds], rate_of[bounds]])
        weight[bounds] = dens.reindex(at).to_numpy(dtype=float)
    weighted = np.isfinite(value) & np.isfinite(weight)
    g = pd.DataFrame({
        "sum": value.groupby(keys, sort=True).sum(min_count=1),
        "num": num.where(finite).groupby(keys, sort=True).sum(min_count=1),
        "den": den.where(finite).groupby(keys, sort=True).sum(min_count=1),
        "bound": (value * weight).where(weighted).groupby(keys, sort=True).sum(min_count=1),
        "weight": weight.where(weighted).groupby(keys, sort=True).sum(min_count=1),
        "lo": value.groupby(keys, sort=True).min(),
        "hi": value.groupby(keys, sort=True).max(),
        "known": value.groupby(keys, sort=True).count(),
        "rows": value.groupby(keys, sort=True).size(),
    })
    gid = g.index.get_level_values(0)
    ind = g.index.get_level_values(1)
    def of_kind(kind) -> np.ndarray:
        return np.array([isinstance(declared[i], kind) for i in ind], dtype=bool)

    is_sum, is_ratio, is_pooled, is_setting, is_bound = (of_kind(k) for k in (Sum, Ratio, Pooled, Setting, Bound))
    pooled = np.full(len(g), np.nan)
    persons = np.full(len(g), np.nan)
    if registers is not None:
        stacked = registers.stack()
        lookup = pd.MultiIndex.from_arrays([gid, ind])
        found = lookup.isin(stacked.index)
        pooled[found] = stacked.reindex(lookup[found]).to_numpy(dtype=float)
        persons = registers["register_population"].reindex(gid).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.where(g["den"].to_numpy() != 0, g["num"].to_numpy() / g["den"].to_numpy(), np.nan)
        mean_bound = np.where(g["weight"].to_numpy() != 0, g["bound"].to_numpy() / g["weight"].to_numpy(), np.nan)
    common = np.where((g["lo"] == g["hi"]).to_numpy() & (g["known"] == g["rows"]).to_numpy(), g["lo"].to_numpy(),
                      np.nan)
    out = np.select([is_sum, is_ratio, is_pooled, is_setting, is_bound],
                    [g["sum"].to_numpy(), quotient, pooled, common, mean_bound], np.nan)
    numerator = np.where(is_ratio, g["num"].to_numpy(), np.nan)
    denominator = np.where(is_ratio, g["den"].to_numpy(), np.nan)
    shares = is_pooled & np.array([getattr(declared[i], "parts_unit", None) is not None for i in ind], dtype=bool)
    # a share of the pooled register's persons: its parts are persons (rounded off the float error)
    numerator[shares] = np.round(out[shares] * persons[shares], 6)
    denominator[shares] = persons[shares]
    return pd.DataFrame({"group_id": gid, "indicator": ind, "value": out.astype(float), "numerator": numerator,
                         "denominator": denominator})


def _pooled_register(county: County, group: pd.Series) -> pd.DataFrame | None:
    """Pooled register measures per group, over the villages of a group that have a register for the period."""
    parts = [r.assign(group=group[v]) for v, r in county.registers.items()
             if v in group.index and pd.notna(group[v])]
    if not parts:
        return None
    reg = pd.concat(parts, ignore_index=True)
    return pooled_register_measures(reg, reg["group"].to_numpy(), reg["poverty_line_yuan"].to_numpy())


# --------------------------------------------------------------------------- the tie-out

def tie_out(county: County, sheet: pd.DataFrame, registers: pd.DataFrame | None = None) -> None:
    """Check that a roll-up sheet ties out with the villages it was made from; raise :class:`TieOutError` if not.

    Every comparison is over the summed indicators (:class:`~village_stats.units.Sum`) and is recomputed
    from the villages' own sheets and registers (:attr:`County.sheets`, :attr:`County.registers`); the
    levels other than the sheet's are grouped again from the villages:

    0. each group of ``sheet`` = Σ of its villages;
    1. each county = Σ of its townships (and all counties together = all townships together); a
       township whose villages lie in two counties does not tie out;
    2. all townships together = all villages together (a village in no township, or a township figure
       that is not its villages', shows here);
    3. the pooled register of each group (``registers``, else pooled again from the villages' registers)
       has as many households and persons as its villages' sheets count (``register_households``,
       ``register_population``).

    Raises
    ------
    TieOutError
        Listing the first problems found.
    """
    by = sheet["group_level"].iloc[0]
    sums = [i for i in sheet["indicator"].unique() if isinstance(CATALOGUE[i].combine, Sum)]
    long = pd.concat(list(county.sheets.values()), ignore_index=True)
    v = long[long["indicator"].isin(sums)]
    shown = sheet[sheet["indicator"].isin(sums)].set_index(["group_id", "indicator"])["value"]
    problems: dict[str, list[str]] = {}

    def per(level: str) -> pd.Series:
        """The level's summed figures: the sheet's own, else grouped again from the villages."""
        if level == by:
            return shown
        return v.assign(group_id=v["village_id"].map(_group_of(county.villages, level))).groupby(
            ["group_id", "indicator"])["value"].sum(min_count=1)

    def compare(a: pd.Series, b: pd.Series, what: str) -> None:
        joined = pd.concat([a.rename("a"), b.rename("b")], axis=1)
        x, y = joined["a"].to_numpy(dtype=float), joined["b"].to_numpy(dtype=float)
        bad = ~np.isclose(x, y, rtol=TIE_OUT_RTOL, atol=1e-9, equal_nan=True)
        for key, p, q in zip(joined.index[bad], x[bad], y[bad]):
            problems.setdefault(what, []).append(f"{key}: {p:g} ≠ {q:g}")

    # 0. the sheet's groups against their villages
    group = _group_of(county.villages, by)
    compare(shown, v.assign(group_id=v["village_id"].map(group)).groupby(["group_id", "indicator"])["value"].sum(
        min_count=1), f"{by} ≠ Σ its villages")
    # 1. county = Σ townships
    townships, counties = per("township"), per("county")
    places = county.villages.dropna(subset=["township_zh"]).groupby("township_zh")["county_zh"].agg(
        lambda c: list(pd.unique(c.dropna())))
    for t, cs in places.items():
        if len(cs) > 1:
            problems.setdefault("county ≠ Σ townships", []).append(f"township {t} lies in counties {', '.join(cs)}")
    county_of = places.map(lambda cs: cs[0] if cs else None)
    t = townships.reset_index()
    t["county"] = t["group_id"].map(county_of)
    compare(counties, t.groupby(["county", "indicator"])["value"].sum(min_count=1), "county ≠ Σ townships")
    compare(counties.groupby(level="indicator").sum(min_count=1),
            townships.groupby(level="indicator").sum(min_count=1), "county ≠ Σ townships")
    # 2. Σ townships = Σ villages
    compare(townships.groupby(level="indicator").sum(min_count=1), v.groupby("indicator")["value"].sum(min_count=1),
            "Σ townships ≠ Σ villages")
    # 3. the pooled register against the villages' register counts
    if registers is None:
        registers = _pooled_register(county, group)
    counted = v[v["indicator"].isin(["register_households", "register_population"])]
    counted = counted.assign(group_id=counted["village_id"].map(group)).pivot_table(
        index="group_id", columns="indicator", values="value", aggfunc="sum")
    for col in ("register_households", "register_population"):
        if col not in counted:
            continue
        pooled = registers[col] if registers is not None else pd.Series(dtype=float)
        compare(pooled.reindex(counted.index).fillna(0.0), counted[col],
                f"pooled register ≠ Σ villages' {col}")
    if problems:
        raise TieOutError("roll-up does not tie out: " + "; ".join(
            f"{what} ({len(found)}×, e.g. {found[0]})" for what, found in problems.items()))


# --------------------------------------------------------------------------- small helpers for callers

def villages_table(county: County) -> pd.DataFrame:
    """The villages of the county with township and whether they have the period."""
    out = county.villages.copy()
    out["has_period"] = out["village_id"].isin(list(county.sheets))
    return out


def wide(sheet: pd.DataFrame, indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """A roll-up sheet as one row per group and one column per indicator (values)."""
    w = sheet.pivot(index="group_id", columns="indicator", values="value")
    if indicators is not None:
        w = w.reindex(columns=list(indicators))
    return w


def from_data(data: Iterable[PeriodData], villages: pd.DataFrame | None = None) -> County:
    """A :class:`County` from loaded village-periods (e.g. a hand-made county in tests).

    ``villages`` lists every village (also those lacking the period); by default the villages of ``data``.
    """
    data = list(data)
    periods = {d.period.code for d in data}
    if len(periods) != 1:
        raise DataError(f"a roll-up needs one period, got {', '.join(sorted(periods))}")
    if villages is None:
        villages = pd.DataFrame([(d.village.id, d.village.name_zh, d.village.name_en, d.village.township_zh,
                                  d.village.county_zh, d.village.exit_threshold) for d in data],
                                columns=["village_id", "name_zh", "name_en", "township_zh", "county_zh",
                                         "exit_threshold"])
    sheets = {d.village.id: indicator_sheet(d) for d in data}
    registers = {d.village.id: register_of(d) for d in data if d.has("households")}
    return County(periods.pop(), villages.reset_index(drop=True), sheets, registers)



__all__ = ["County", "ROLLUP_COLUMNS", "TieOutError", "combination", "from_data",
           "pooled_register_measures", "rollup", "rollup_levels", "tie_out", "villages_table", "wide"]


# --------------------------------------------------------------------------- what the county report shows

OVERVIEW_INDICATORS = ("population_total", "poverty_incidence", "poor_population", "poverty_reduction_needed",
                       "exit_threshold", "investment_committed_yuan", "investment_committed_per_poor_person_yuan",
                       "contact_rate", "fgt0", "fgt1", "mpi_h", "register_households")


def village_overview(village_sheet: pd.DataFrame, county: County) -> pd.DataFrame:
    """One row per village with data: township, the :data:`OVERVIEW_INDICATORS` and ``exit_ready``.

    ``exit_ready`` is 1 when no one is left to lift before the exit threshold
    (``poverty_reduction_needed`` = 0, i.e. incidence below the village's own threshold), 0 when someone is,
    NaN when the incidence is unknown (a village of 0 persons: nothing says it may exit). Sorted by
    incidence, highest first. Register measures are empty for villages without a register.

    ``hidden``: the indicators a protected sheet hides for the village (``suppressed`` rows; empty without
    suppression), and ``exit_ready`` when ``poverty_reduction_needed`` is hidden (whether it is 0 would show).
    """
    w = wide(village_sheet, OVERVIEW_INDICATORS)
    info = county.villages.set_index("village_id")
    out = info.loc[w.index, ["name_zh", "name_en", "township_zh"]].join(w)
    out["exit_ready"] = out["poverty_reduction_needed"].eq(0).astype(float).where(out["poverty_incidence"].notna())
    hidden = hidden_by_group(village_sheet)
    out["hidden"] = [frozenset(hidden.get(g, set()) | ({"exit_ready"} if "poverty_reduction_needed" in
                                                        hidden.get(g, set()) else set())) for g in out.index]
    out.loc[[bool(h) and "exit_ready" in h for h in out["hidden"]], "exit_ready"] = np.nan
    out = out.sort_values("poverty_incidence", ascending=False, kind="stable")
    out.index.name = "village_id"
    return out


def exit_readiness(overview: pd.DataFrame, township_sheet: pd.DataFrame) -> pd.DataFrame:
    """Per township: villages with data, villages exit-ready, their share [ratio], people still to lift
    [persons] and the township's pooled incidence [ratio] (from the township roll-up).

    ``hidden``: what a protected roll-up hides of the township, and ``exit_ready`` (count and share) when a
    village's readiness is hidden (the count would tell it)."""
    g = overview.groupby("township_zh", sort=True)
    out = pd.DataFrame({"villages": g.size(), "exit_ready": g["exit_ready"].sum().astype(int)})
    out["exit_ready_share"] = out["exit_ready"] / out["villages"]
    t = wide(township_sheet, ("poverty_reduction_needed", "poverty_incidence"))
    out = out.join(t)
    hidden = hidden_by_group(township_sheet)
    ready_hidden = (overview["hidden"].map(lambda h: "exit_ready" in h).groupby(overview["township_zh"]).any()
                    if "hidden" in overview else pd.Series(dtype=bool))
    out["hidden"] = [frozenset(hidden.get(z, set()) | ({"exit_ready"} if ready_hidden.get(z, False) else set()))
                     for z in out.index]
    return out


def hidden_by_group(sheet: pd.DataFrame) -> dict[str, set[str]]:
    """The indicators a protected roll-up sheet hides (``suppressed`` rows), by group id; empty when none.

    >>> hidden_by_group(pd.DataFrame({"group_id": ["a", "a"], "indicator": ["x", "y"], "suppressed": [True, False]}))
    {'a': {'x'}}
    """
    out: dict[str, set[str]] = {}
    if "suppressed" not in sheet:
        return out
    for g, i in zip(sheet.loc[sheet["suppressed"].astype(bool), "group_id"],
                    sheet.loc[sheet["suppressed"].astype(bool), "indicator"], strict=True):
        out.setdefault(g, set()).add(i)
    return out


def register_disagreements(village_sheet: pd.DataFrame) -> pd.DataFrame:
    """Villages whose register disagrees with their reported aggregates: one row per village and
    measure with a non-zero ``reconciliation_<measure>_difference`` (register − reported)."""
    rec = village_sheet[village_sheet["indicator"].str.startswith("reconciliation_")
                        & village_sheet["value"].fillna(0).ne(0)]
    return pd.DataFrame({
        "village_id": rec["group_id"].to_numpy(),
        "measure": rec["indicator"].str.removeprefix("reconciliation_").str.removesuffix("_difference").to_numpy(),
        "difference": rec["value"].to_numpy(),
    })


def change_since(now: pd.DataFrame, before: pd.DataFrame,
                 indicators: Iterable[str] = ("poverty_incidence", "poor_population")) -> pd.DataFrame:
    """Change per village between two village-level roll-ups, for villages present in both.

    Columns ``<indicator>_before``, ``<indicator>`` and ``<indicator>_change`` (now − before, in the
    indicator's unit; a ratio's change is in ratio points).

    Examples
    --------
    >>> def s(v):
    ...     return pd.DataFrame({"group_id": ["a"], "indicator": ["poor_population"], "value": [v]})
    >>> change_since(s(30.0), s(42.0), ["poor_population"]).iloc[0].tolist()
    [42.0, 30.0, -12.0]
    """
    indicators = list(indicators)
    a, b = wide(now, indicators), wide(before, indicators)
    common = [g for g in a.index if g in b.index]
    out = pd.DataFrame(index=pd.Index(common, name="village_id"))
    for ind in indicators:
        out[f"{ind}_before"] = b.loc[common, ind]
        out[ind] = a.loc[common, ind]
        out[f"{ind}_change"] = out[ind] - out[f"{ind}_before"]
    return out
