"""Disclosure control of roll-up sheets: no head count below N can be read, or worked out, from what is shown.

One function, :func:`protect`, is called wherever a threshold is given (``rollup --suppress-below``,
``trend`` and ``diff`` with it, the county report, the site): it takes the roll-up rows of every level at
once (village, township, county) and hides rows until no small head count can be solved for from the shown
rows of all levels together and the identities the catalogue declares.

Which cells count persons or households, and which identities hold between cells, is read from the
catalogue's declarations (:mod:`village_stats.units`), never from a list kept here:

* **cells**: the value of a sum whose unit is a head count (:attr:`village_stats.units.Unit.head_count`),
  and the numerator and denominator of a ratio or pooled share whose parts are head counts
  (:func:`part_units`);
* **identities** (:func:`identities`): a group = the sum of the groups of the level below (each township
  of its villages, the county of its townships; a ratio's parts over the villages where both are known);
  a total = the sum of its breakdown's parts (``Sum(part_of=, by=)``); a declared identity between
  indicators (``Sum(plus=, minus=)``: a reconciliation difference = the register's count − the reported
  one; registered poor = status poor + returned; a ``clipped`` one where it is above 0); a ratio's
  numerator and denominator = the indicators it names (``Ratio(numerator, denominator)``, a pooled share's
  ``denominator``). An identity is used where it holds on the data (all its cells known).

The rules (the primary and complementary cell suppression of tabular data, Hundepool et al. 2012, ch. 4):

1. **Primary**: every row with a head count 0 < \\|x\\| < N in its value, numerator or denominator, at any
   level. Zeros are shown: the threshold rule protects cells to which 1 to N − 1 households or persons
   contribute, and a zero has no contributor (a zero can still tell that no household of a village is
   poor: group disclosure, not protected here). A ratio of a small population is primary through its
   denominator. A negative count (a reconciliation difference) is judged by its size.
2. **Dependent** rows are hidden with the rows they depend on (:func:`follow`): a ratio or pooled share
   whose named numerator or denominator row is hidden (its columns would print it); a pooled measure that
   describes the persons of a hidden share (``within``: the poverty gap of hidden poor); every pooled
   register measure of a group whose register has fewer than N persons; an interval end of a hidden rate.
   A shown ratio therefore always shows its two parts, so a rate never gives a hidden count by
   rate × population.
3. **Complementary**: further rows are hidden (:func:`village_stats.panel.secondary.complete`) until no
   primary cell is determined by the shown cells through the identities (exact check: the cell's unit
   vector is not in the row space of the identities on the hidden cells) and each one's feasible interval
   under the identities, with counts ≥ 0 and whole, is at least the **protection width** w = N wide: a
   reader can narrow a hidden count of 3 (N = 10) to no less than, say, 0–10. Details are hidden before
   totals (villages before townships before the county).

A hidden row has ``suppressed`` True and value, numerator and denominator empty; tables print it as the
suppressed mark (:func:`village_stats.labels.t` ``suppressed``), never as a number. Policy settings and
amounts that are not head counts are never hidden.

References
----------
.. [1] A. Hundepool et al., *Statistical Disclosure Control*, Wiley, 2012, ch. 4. doi:10.1002/9781118348239
.. [2] L. H. Cox, "Suppression methodology and statistical disclosure control", JASA 75(370), 377–385, 1980.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..indicators import CATALOGUE
from ..units import UNITS, Bound, Pooled, Ratio, Sum
from .secondary import Table, complete

LEVEL_ORDER = ("village", "township", "county")
_COLUMNS = ("value", "numerator", "denominator")


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


def _parts(indicator_id: str) -> tuple[str | None, str | None]:
    """The indicators a row's numerator and denominator columns equal (None: not an indicator)."""
    c = CATALOGUE[indicator_id].combine
    if isinstance(c, Ratio):
        return c.numerator, c.denominator
    if isinstance(c, Pooled) and c.parts_unit:
        return None, c.denominator
    return None, None


# --------------------------------------------------------------------------- cells and identities

@dataclass
class Cells:
    """The head-count cells of a set of roll-up rows: row position and column of each, and the lookup."""

    row: np.ndarray
    column: np.ndarray
    value: np.ndarray
    at: dict[tuple[str, str, str, str], int]          # (level, group, indicator, column) → cell


def cells_of(sheet: pd.DataFrame) -> Cells:
    """Every known head count of ``sheet`` (rows of any levels, :data:`~village_stats.panel.rollup.ROLLUP_COLUMNS`)."""
    rows, cols, vals, at = [], [], [], {}
    heads = {i: (isinstance(CATALOGUE[i].combine, Sum) and _head(CATALOGUE[i].unit),
                 *(_head(u) for u in part_units(i))) for i in pd.unique(sheet["indicator"]) if i in CATALOGUE}
    for r, (lvl, g, i, *xs) in enumerate(zip(sheet["group_level"], sheet["group_id"], sheet["indicator"],
                                             sheet["value"], sheet["numerator"], sheet["denominator"], strict=True)):
        for col, is_head, x in zip(_COLUMNS, heads.get(i, (False, False, False)), xs, strict=True):
            if is_head and pd.notna(x) and np.isfinite(x):
                at[lvl, g, i, col] = len(rows)
                rows.append(r)
                cols.append(col)
                vals.append(float(x))
    return Cells(np.array(rows, dtype=int), np.array(cols, dtype=object), np.array(vals, dtype=float), at)


def _parents(villages: pd.DataFrame | None, sheet: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Per level, each group's group at the next level up that ``sheet`` holds."""
    levels = [lvl for lvl in LEVEL_ORDER if (sheet["group_level"] == lvl).any()]
    out: dict[str, dict[str, str]] = {}
    if villages is None:
        return out
    v = villages.dropna(subset=["township_zh", "county_zh"])
    to = {("village", "township"): dict(zip(v["village_id"], v["township_zh"], strict=True)),
          ("village", "county"): dict(zip(v["village_id"], v["county_zh"], strict=True)),
          ("township", "county"): dict(zip(v["township_zh"], v["county_zh"], strict=True))}
    for lower, upper in zip(levels, levels[1:], strict=False):
        out[lower] = to[lower, upper]
    return out


def identities(sheet: pd.DataFrame, cells: Cells, villages: pd.DataFrame | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """The identities between the cells that follow from the catalogue's declarations and the levels,
    each kept where it holds on the data (see the module)."""
    at, value = cells.at, cells.value
    found: list[tuple[list[int], list[float]]] = []

    def add(terms: list[tuple[tuple, float]]) -> None:
        if all(key in at for key, _ in terms):
            found.append(([at[key] for key, _ in terms], [w for _, w in terms]))

    groups: dict[str, list[str]] = {lvl: list(pd.unique(sheet.loc[sheet["group_level"] == lvl, "group_id"]))
                                    for lvl in LEVEL_ORDER}
    indicators = [i for i in pd.unique(sheet["indicator"]) if i in CATALOGUE]
    families: dict[tuple[str, str], list[str]] = {}
    for i in indicators:
        c = CATALOGUE[i].combine
        if isinstance(c, Sum) and c.part_of is not None:
            families.setdefault((c.part_of, c.by), []).append(i)
    # 1. each group = Σ of its groups one level down (a ratio's parts: where both are known)
    both = {(lvl, g, i) for lvl, g, i, n, d in zip(sheet["group_level"], sheet["group_id"], sheet["indicator"],
                                                   sheet["numerator"], sheet["denominator"], strict=True)
            if np.isfinite(n) and np.isfinite(d)}
    for lower, parent in _parents(villages, sheet).items():
        upper = next(lvl for lvl in LEVEL_ORDER[LEVEL_ORDER.index(lower) + 1:] if groups[lvl])
        children: dict[str, list[str]] = {}
        for g in groups[lower]:
            if g in parent:
                children.setdefault(parent[g], []).append(g)
        for i in indicators:
            for col in _COLUMNS:
                for p in groups[upper]:
                    if (upper, p, i, col) not in at:
                        continue
                    kids = [g for g in children.get(p, []) if (lower, g, i, col) in at
                            and (col == "value" or (lower, g, i) in both)]
                    add([((upper, p, i, col), 1.0)] + [((lower, g, i, col), -1.0) for g in kids])
    for lvl in LEVEL_ORDER:
        for g in groups[lvl]:
            for i in indicators:
                c = CATALOGUE[i].combine
                me = (lvl, g, i, "value")
                # 2. declared identities between indicators
                if isinstance(c, Sum) and (c.plus or c.minus):   # (a clipped one is kept where it holds)
                    add([(me, 1.0)] + [((lvl, g, t, "value"), -1.0) for t in c.plus]
                        + [((lvl, g, t, "value"), 1.0) for t in c.minus])
                # 3. a ratio's parts are the indicators it names
                for col, part in zip(("numerator", "denominator"), _parts(i), strict=True):
                    if part is not None:
                        add([((lvl, g, i, col), 1.0), ((lvl, g, part, "value"), -1.0)])
            for (total, _), members in families.items():   # 4. a breakdown's parts add up to its total
                add([((lvl, g, total, "value"), 1.0)] + [((lvl, g, m, "value"), -1.0) for m in members])
    kept = []
    for idx, coef in found:
        idx_a, coef_a = np.array(idx, dtype=int), np.array(coef, dtype=float)
        terms = coef_a * value[idx_a]
        if len(idx_a) > 1 and abs(terms.sum()) <= 1e-6 * (1.0 + np.abs(terms).sum()):
            kept.append((idx_a, coef_a))
    return kept


# --------------------------------------------------------------------------- the rules

def primary(sheet: pd.DataFrame, below: int) -> np.ndarray:
    """Rows with a head count 0 < |x| < ``below`` in the value, numerator or denominator (rule 1)."""
    out = np.zeros(len(sheet), dtype=bool)
    cells = cells_of(sheet)
    out[cells.row[_small(sheet, cells.row, cells.value, below)]] = True
    return out


def _small(sheet: pd.DataFrame, rows: np.ndarray, values: np.ndarray, below: int) -> np.ndarray:
    """Head counts 0 < x < below, a signed difference of two counts left out (it counts nobody: it is
    protected through its terms)."""
    signed = np.array([_signed(i) for i in sheet["indicator"].to_numpy()[rows]], dtype=bool)
    return ~signed & (values > 0) & (values < below)


def follow(sheet: pd.DataFrame, below: int):
    """The function of rule 2: hidden rows → hidden rows with every row that depends on a hidden one."""
    key = {(lvl, g, i): r for r, (lvl, g, i) in enumerate(zip(sheet["group_level"], sheet["group_id"],
                                                             sheet["indicator"], strict=True))}
    depends: list[tuple[int, int]] = []                    # (row, the row it depends on)
    always = np.zeros(len(sheet), dtype=bool)
    persons = {(lvl, g): x for lvl, g, i, x in zip(sheet["group_level"], sheet["group_id"], sheet["indicator"],
                                                   sheet["value"], strict=True) if i == "register_population"}
    for (lvl, g, i), r in key.items():
        c = CATALOGUE[i].combine if i in CATALOGUE else None
        on: list[str | None] = []
        if isinstance(c, Ratio):
            on = [c.numerator, c.denominator]
        elif isinstance(c, Pooled):
            on = [c.within, c.denominator]
            n = persons.get((lvl, g))
            if n is not None and pd.notna(n) and n < below:
                always[r] = True
        elif isinstance(c, Bound):
            on = [c.of]
        depends += [(r, key[lvl, g, p]) for p in on if p is not None and (lvl, g, p) in key]
    dep = np.array(depends, dtype=int).reshape(-1, 2)

    def closure(hidden: np.ndarray) -> np.ndarray:
        hidden = hidden | always
        while True:
            grow = dep[hidden[dep[:, 1]] & ~hidden[dep[:, 0]], 0]
            if not len(grow):
                return hidden
            hidden = hidden.copy()
            hidden[grow] = True

    return closure


def protect(sheet: pd.DataFrame, below: int, villages: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hide every head count below ``below`` and every row that would let one be worked out (rules above).

    Parameters
    ----------
    sheet : DataFrame
        Roll-up rows (:data:`village_stats.panel.rollup.ROLLUP_COLUMNS`) of one or more levels; protect
        the levels that are published together in one call (:func:`village_stats.panel.rollup.rollup_levels`
        gives all three), so that no level gives away what another hides.
    below : int
        The threshold N, and the protection width. [households or persons]
    villages : DataFrame, optional
        The county's villages (``village_id``, ``township_zh``, ``county_zh``): which groups add up to
        which. Without it no identity between levels is known, so give it whenever there are several levels.

    Returns
    -------
    DataFrame
        A copy with ``suppressed`` set and the hidden rows' value, numerator and denominator empty.

    Examples
    --------
    A township of two villages with 3 and 40 poor households: 3 is primary; the township shows 43, so 40 must
    go too (else 43 − 40 = 3).

    >>> v = pd.DataFrame({"village_id": ["a", "b"], "township_zh": "T", "county_zh": "C"})
    >>> s = pd.DataFrame({"group_level": ["village", "village", "township"], "group_id": ["a", "b", "T"],
    ...                   "indicator": "poor_households", "value": [3.0, 40.0, 43.0], "unit": "households",
    ...                   "numerator": float("nan"), "denominator": float("nan"), "suppressed": False})
    >>> protect(s, 5, v)["suppressed"].tolist()
    [True, True, False]
    """
    sheet = sheet.copy().reset_index(drop=True)
    hidden = masked(sheet, below, villages)
    sheet["suppressed"] = hidden
    sheet.loc[hidden, ["value", "numerator", "denominator"]] = np.nan
    return sheet


def carry_over(sheet: pd.DataFrame, protected: pd.DataFrame, township: str) -> pd.DataFrame:
    """The mask of the whole county's protected levels (``protected``) put on the roll-up of one of its
    townships (``sheet``: villages, the township, and the "county" of those villages only, which is the
    township), so that a township's tables hide exactly what the county's hide.

    Examples
    --------
    >>> full = pd.DataFrame({"group_level": ["village", "township"], "group_id": ["a", "T"],
    ...                      "indicator": "poor_households", "suppressed": [True, False]})
    >>> part = pd.DataFrame({"group_level": ["county"], "group_id": ["C"], "indicator": ["poor_households"],
    ...                      "value": [43.0], "numerator": float("nan"), "denominator": float("nan")})
    >>> carry_over(part, full, "T")["suppressed"].tolist()
    [False]
    """
    hidden = {(lvl, g, i) for lvl, g, i, h in zip(protected["group_level"], protected["group_id"],
                                                   protected["indicator"], protected["suppressed"], strict=True) if h}
    out = sheet.copy()
    keys = [("township", township, i) if lvl == "county" else (lvl, g, i)
            for lvl, g, i in zip(out["group_level"], out["group_id"], out["indicator"], strict=True)]
    flags = np.array([k in hidden for k in keys], dtype=bool)
    out["suppressed"] = flags
    out.loc[flags, ["value", "numerator", "denominator"]] = np.nan
    return out


def masked(sheet: pd.DataFrame, below: int, villages: pd.DataFrame | None = None) -> np.ndarray:
    """Which rows of ``sheet`` :func:`protect` hides (positions of a sheet with a default index)."""
    sheet = sheet.reset_index(drop=True)
    cells = cells_of(sheet)
    table = _table(sheet, cells, identities(sheet, cells, villages))
    protected = np.array([_small(sheet, r, np.full(len(r), x), below).any() for r, x in zip(table.rows, table.value,
                                                                                            strict=True)])
    return complete(table, primary(sheet, below), protected, float(below), follow(sheet, below))


def _table(sheet: pd.DataFrame, cells: Cells, found: list[tuple[np.ndarray, np.ndarray]]) -> Table:
    """The cells as :class:`~village_stats.panel.secondary.Table`, with the cells an identity says are equal
    (a ratio's numerator and the count it names, ...) made one cell shown on several rows."""
    n = len(cells.value)
    parent = np.arange(n)

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for idx, coef in found:
        if len(idx) == 2 and coef[0] == -coef[1]:
            a, b = find(idx[0]), find(idx[1])
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots = np.array([find(c) for c in range(n)])
    keep, index = np.unique(roots, return_inverse=True)
    rows = [np.unique(cells.row[index == k]) for k in range(len(keep))]
    signed = np.array([_signed(i) for i in sheet["indicator"].to_numpy()[cells.row]], dtype=bool)
    lower = np.zeros(len(keep))
    for k in range(len(keep)):
        if signed[index == k].all():
            lower[k] = -np.inf
    merged, seen = [], set()
    for idx, coef in found:
        terms: dict[int, float] = {}
        for c, w in zip(index[idx], coef, strict=True):
            terms[int(c)] = terms.get(int(c), 0.0) + float(w)
        terms = {c: w for c, w in terms.items() if w != 0}
        key = tuple(sorted(terms.items()))
        if len(terms) > 1 and key not in seen:
            seen.add(key)
            merged.append((np.array(list(terms), dtype=int), np.array(list(terms.values()))))
    rank = sheet["group_level"].map({lvl: k for k, lvl in enumerate(LEVEL_ORDER)}).fillna(0).to_numpy(float)
    return Table(cells.value[keep], rows, lower, merged, rank)


def _signed(indicator_id: str) -> bool:
    """Whether an indicator's value can be below 0 (an unclipped difference)."""
    c = CATALOGUE[indicator_id].combine if indicator_id in CATALOGUE else None
    return isinstance(c, Sum) and bool(c.minus) and not c.clipped
