"""Disclosure control of roll-up sheets: every head count below N hidden wherever it shows.

What is a head count is read from the catalogue, never from a list kept here: a **value** is one when its
unit is (:attr:`village_stats.units.Unit.head_count`: households, persons); a **numerator** or
**denominator** is one when the unit of that part is (:func:`part_units`: the unit of the part an indicator
names, or the ``parts_unit`` it declares when the part is not an indicator of the sheet, like the sampled
households of the evaluation rates).

The rules follow the primary plus complementary cell suppression of tabular data (Hundepool et al. 2012,
ch. 4 and 5):

1. *Primary* (the threshold rule): a head count with 0 < \\|x\\| < N in the value, numerator or denominator
   column of any row, at any level. Zeros are shown: the threshold rule protects cells that 1 to N − 1
   households or persons contribute to, and a zero has no contributor. (A zero can still tell something of
   a whole group — no household of the village is non-poor — which is group disclosure, not protected
   here.) A negative count (a reconciliation difference) is judged by its size.
2. *Dependent*: a ratio whose named numerator or denominator is hidden (value × denominator would reveal
   the numerator); a pooled register measure of a group whose pooled register has fewer than N persons;
   a pooled measure that describes the persons counted by a hidden share (the poverty gap when the persons
   below the line are hidden); an interval bound of a hidden rate.
3. *Complementary, within a breakdown*: when a total is shown and exactly one part of a breakdown that adds
   up to it (declared ``Sum(part_of=..., by=...)``: households by status, category, cause, monitoring type;
   persons likewise) is hidden, the smallest other part is hidden too.
4. *Complementary, across groups*: the groups' parent total (each township's villages add up to the
   township, townships to the county, and parents are published elsewhere) would reveal a single hidden
   group; the smallest other group is hidden too. This covers the value of a sum and the head-count parts
   of a ratio or share (they add up over groups like sums).

Steps 2–4 repeat until nothing changes. A hidden row has ``suppressed`` True and value, numerator and
denominator empty; tables print it as "suppressed", never as a number. Differences between published
tables at several levels beyond step 4 (differencing attacks) are not addressed here.

References
----------
.. [1] A. Hundepool et al., *Statistical Disclosure Control*, Wiley, 2012. doi:10.1002/9781118348239
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..indicators import CATALOGUE
from ..units import UNITS, Bound, Pooled, Ratio, Sum


def part_units(indicator_id: str) -> tuple[str | None, str | None]:
    """The units of an indicator's numerator and denominator columns, from its declaration (None: the
    indicator has no parts).

    Examples
    --------
    >>> part_units("poverty_incidence"), part_units("wrong_exit_rate"), part_units("fgt0")
    (('persons', 'persons'), ('households', 'households'), ('persons', 'persons'))
    >>> part_units("investment_committed_per_poor_person_yuan"), part_units("poor_population")
    (('yuan', 'persons'), (None, None))
    """
    c = CATALOGUE[indicator_id].combine
    if isinstance(c, Ratio):
        return (CATALOGUE[c.numerator].unit if c.numerator else c.parts_unit,
                CATALOGUE[c.denominator].unit if c.denominator else c.parts_unit)
    if isinstance(c, Pooled) and c.parts_unit:
        return c.parts_unit, c.parts_unit
    return None, None


def _head(unit: str | None) -> bool:
    return unit in UNITS and UNITS[unit].head_count


def suppress(sheet: pd.DataFrame, below: int, villages: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hide every head count below ``below`` and every cell that would reveal one (rules above).

    Parameters
    ----------
    sheet : DataFrame
        A roll-up sheet of one level (:data:`village_stats.panel.rollup.ROLLUP_COLUMNS`).
    below : int
        The threshold N. [households or persons]
    villages : DataFrame, optional
        The county's villages (``village_id``, ``township_zh``, ``county_zh``): which groups add up to
        which parent. Without it all groups are taken to add up to one total.

    Returns
    -------
    DataFrame
        A copy with ``suppressed`` set and the hidden rows' value, numerator and denominator empty.

    Examples
    --------
    >>> s = pd.DataFrame({"group_level": "township", "group_id": ["a", "b", "c"], "indicator": "poor_households",
    ...                   "value": [2.0, 40.0, 50.0], "unit": "households", "numerator": float("nan"),
    ...                   "denominator": float("nan"), "suppressed": False})
    >>> suppress(s, 5)["suppressed"].tolist()
    [True, True, False]
    """
    sheet = sheet.copy().reset_index(drop=True)
    ids = sheet["indicator"].to_numpy()
    declared = {i: CATALOGUE[i].combine if i in CATALOGUE else Sum() for i in pd.unique(ids)}
    unit = {i: CATALOGUE[i].unit if i in CATALOGUE else sheet.loc[sheet["indicator"] == i, "unit"].iloc[0]
            for i in declared}
    parts = {i: part_units(i) if i in CATALOGUE else (None, None) for i in declared}

    def small(column: str, head: dict[str, bool]) -> np.ndarray:
        x = sheet[column].to_numpy(dtype=float)
        flagged = np.array([head[i] for i in ids], dtype=bool)
        with np.errstate(invalid="ignore"):
            return flagged & (np.abs(x) > 0) & (np.abs(x) < below)

    primary = (small("value", {i: _head(unit[i]) for i in declared})
               | small("numerator", {i: _head(parts[i][0]) for i in declared})
               | small("denominator", {i: _head(parts[i][1]) for i in declared}))
    hidden = {(g, i) for g, i, p in zip(sheet["group_id"], ids, primary, strict=True) if p}

    # the magnitude of each cell that adds up over groups: a sum's value, a ratio's head-count part
    size: dict[tuple[str, str], float] = {}
    for g, i, val, num, den in zip(sheet["group_id"], ids, sheet["value"], sheet["numerator"],
                                   sheet["denominator"], strict=True):
        if isinstance(declared[i], Sum):
            size[g, i] = val
        elif _head(parts[i][0]):
            size[g, i] = num
        elif _head(parts[i][1]):
            size[g, i] = den
    groups = list(pd.unique(sheet["group_id"]))
    additive = [i for i in declared if any((g, i) in size for g in groups)]
    families: dict[tuple[str, str], list[str]] = {}
    for i, c in declared.items():
        if isinstance(c, Sum) and c.part_of is not None and c.part_of in declared:
            families.setdefault((c.part_of, c.by), []).append(i)
    siblings = _siblings(sheet, groups, villages)
    register_persons = {g: x for g, i, x in zip(sheet["group_id"], ids, sheet["value"], strict=True)
                        if i == "register_population"}
    small_register = {g for g, x in register_persons.items() if pd.notna(x) and x < below}

    def hide_smallest(cells: list[tuple[str, str]]) -> bool:
        shown = [(size[c], c) for c in cells if c in size and c not in hidden and pd.notna(size[c]) and size[c] > 0]
        if not shown:
            return False
        hidden.add(min(shown)[1])
        return True

    changed = True
    while changed:
        changed = False
        for g in groups:                                   # step 2: cells that depend on hidden ones
            for i, c in declared.items():
                if (g, i) in hidden:
                    continue
                if isinstance(c, Ratio):
                    hide = any((g, p) in hidden for p in (c.numerator, c.denominator) if p)
                elif isinstance(c, Pooled):
                    hide = g in small_register or (c.within is not None and (g, c.within) in hidden)
                elif isinstance(c, Bound):
                    hide = (g, c.of) in hidden
                else:
                    hide = False
                if hide:
                    hidden.add((g, i))
                    changed = True
        for (total, _), members in families.items():       # step 3
            for g in groups:
                if (g, total) in hidden:
                    continue
                cut = [m for m in members if (g, m) in hidden]
                if len(cut) == 1:
                    changed |= hide_smallest([(g, m) for m in members if m != cut[0]])
        for ids_ in siblings:                              # step 4
            for i in additive:
                cut = [g for g in ids_ if (g, i) in hidden]
                if len(cut) == 1:
                    changed |= hide_smallest([(g, i) for g in ids_ if g != cut[0]])
    flags = np.array([(g, i) in hidden for g, i in zip(sheet["group_id"], ids, strict=True)], dtype=bool)
    sheet["suppressed"] = flags
    sheet.loc[flags, ["value", "numerator", "denominator"]] = np.nan
    return sheet


def _siblings(sheet: pd.DataFrame, groups: list[str], villages: pd.DataFrame | None) -> list[list[str]]:
    """The groups of ``sheet`` that add up to one parent total, one list per parent."""
    level = sheet["group_level"].iloc[0]
    if villages is None:                                   # unknown structure: one total
        return [groups]
    if level == "village":
        parent = villages.set_index("village_id")["township_zh"]
    elif level == "township":
        parent = villages.drop_duplicates("township_zh").set_index("township_zh")["county_zh"]
    else:
        return []
    keyed = parent.reindex(groups)
    return [list(members.index) for _, members in keyed.groupby(keyed)]
