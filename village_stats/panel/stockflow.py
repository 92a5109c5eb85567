"""Stock-flow of the poor between two household registers, and the household-level diff.

Two registers (``households`` tables of an earlier and a later period) are matched by ``household_id``.
With s0, s1 the status in the earlier and the later period (``absent`` when the household is not listed)
and Poor = {poor, returned}, each household makes one *flow*:

======================= ============================================= ====================================
flow                    s0 → s1                                       terms it enters
======================= ============================================= ====================================
``new``                 absent or non_poor → poor                     +new
``returned``            exited → returned                             +returned
``exited``              poor or returned → exited                     −exited
``removed``             poor or returned → absent or non_poor         −removed
``inconsistent_in``     exited → poor; absent or non_poor → returned  +inconsistent_in
``inconsistent_out_in`` poor → returned (never exited)                −inconsistent_out, +inconsistent_in
``stayed``              poor → poor; returned → returned or poor      (persons: size_change)
``outside``             every other move (not poor in either period)  none
======================= ============================================= ====================================

so that, for households,

.. math:: start + new + returned + inconsistent\\_in - exited - removed - inconsistent\\_out = end

and for persons (members as listed in each period: inflows weighted by the later members, outflows by the
earlier ones) the same terms plus ``size_change`` = Σ over ``stayed`` households of (members1 − members0).
A move out of Poor other than ``exited``/``removed`` cannot happen (every later status is one of them), so
``inconsistent_out`` counts only the poor → returned households, which leave "poor" without an exit and
come back in as "returned". Every function is vectorised: a join by factorising the two id columns once,
then table look-ups and ``bincount``; no Python loop over households.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..indicators import SHEET_COLUMNS
from ..load import PeriodData, check_household_ids
from ..measures.ids import full_join, take
from ..schema import GUARANTEES, HOUSEHOLD_STATUSES

#: Status codes: 0 absent, then the vocabulary in order (poor, exited, returned, non_poor).
STATUSES = ("absent",) + HOUSEHOLD_STATUSES.ids
_CODE = {s: i for i, s in enumerate(STATUSES)}

#: Household flows, in the order of :data:`_FLOW_TABLE`'s codes.
FLOWS = ("outside", "stayed", "new", "returned", "exited", "removed", "inconsistent_in", "inconsistent_out_in")
_F = {f: i for i, f in enumerate(FLOWS)}


def _flow_table() -> np.ndarray:
    """flow code by (s0 code, s1 code), a 5 × 5 table."""
    table = np.full((len(STATUSES), len(STATUSES)), _F["outside"], dtype=np.int8)
    rules = {
        ("absent", "poor"): "new", ("non_poor", "poor"): "new",
        ("exited", "returned"): "returned",
        ("poor", "exited"): "exited", ("returned", "exited"): "exited",
        ("poor", "absent"): "removed", ("poor", "non_poor"): "removed",
        ("returned", "absent"): "removed", ("returned", "non_poor"): "removed",
        ("exited", "poor"): "inconsistent_in", ("absent", "returned"): "inconsistent_in",
        ("non_poor", "returned"): "inconsistent_in",
        ("poor", "returned"): "inconsistent_out_in",
        ("poor", "poor"): "stayed", ("returned", "returned"): "stayed", ("returned", "poor"): "stayed",
    }
    for (s0, s1), flow in rules.items():
        table[_CODE[s0], _CODE[s1]] = _F[flow]
    return table


_FLOW_TABLE = _flow_table()

#: Indicator ids of the stock-flow sheet: (id, unit, 中文, English), in sheet order.
STOCK_FLOW_INDICATORS: tuple[tuple[str, str, str, str], ...] = (
    ("poor_households_start", "households", "期初贫困户", "Poor households at the start"),
    ("poor_households_new", "households", "新识别贫困户", "New poor households"),
    ("poor_households_returned", "households", "返贫户", "Households returned to poverty"),
    ("poor_households_inconsistent_in", "households", "不一致转入（未按程序进入贫困）",
     "Inconsistent moves into poverty"),
    ("poor_households_exited", "households", "脱贫户", "Households exited"),
    ("poor_households_removed", "households", "清退或迁出贫困户", "Poor households removed or gone"),
    ("poor_households_inconsistent_out", "households", "不一致转出（未按程序离开贫困）",
     "Inconsistent moves out of poverty"),
    ("poor_households_end", "households", "期末贫困户", "Poor households at the end"),
    ("poor_population_start", "persons", "期初贫困人口", "Poor persons at the start"),
    ("poor_population_new", "persons", "新识别贫困人口", "New poor persons"),
    ("poor_population_returned", "persons", "返贫人口", "Persons returned to poverty"),
    ("poor_population_inconsistent_in", "persons", "不一致转入人口", "Persons in inconsistent moves in"),
    ("poor_population_exited", "persons", "脱贫人口", "Persons exited"),
    ("poor_population_removed", "persons", "清退或迁出贫困人口", "Poor persons removed or gone"),
    ("poor_population_inconsistent_out", "persons", "不一致转出人口", "Persons in inconsistent moves out"),
    ("poor_population_size_change", "persons", "在贫困户家庭人口增减", "Change in size of households poor in both"),
    ("poor_population_end", "persons", "期末贫困人口", "Poor persons at the end"),
)
STOCK_FLOW_IDS = tuple(i[0] for i in STOCK_FLOW_INDICATORS)

#: Kinds of household change, in the order the diff lists them for one household.
CHANGES = (("entered", "left", "status", "category", "members", "income_up", "income_down")
           + tuple(f"{g}_{d}" for g in GUARANTEES for d in ("gained", "lost")))


@dataclass(frozen=True)
class Matched:
    """Two registers matched by ``household_id`` (a full outer join, kept as row positions).

    Attributes
    ----------
    household_id : ndarray
        Every id listed in either period: the earlier register's in its order, then the new ones.
    before, after : ndarray of int
        Row position of each id in the earlier / later register, −1 when not listed there.
    statuses : tuple of two ndarrays, or None
        :func:`status_codes` of each register's rows (read once for every measure of the pair); None when a
        register has no ``status`` column.
    """

    household_id: np.ndarray
    before: np.ndarray
    after: np.ndarray
    statuses: tuple[np.ndarray, np.ndarray] | None = None


def match(before: pd.DataFrame, after: pd.DataFrame) -> Matched:
    """Match two registers by ``household_id`` (a full outer join: :func:`~village_stats.measures.ids.full_join`,
    ASCII ids hashed as 64-bit words, not as Python strings) and read their statuses as codes.

    Raises
    ------
    ValueError
        When a ``household_id`` is listed twice in one register, or a status is not of the vocabulary.

    Examples
    --------
    >>> m = match(pd.DataFrame({"household_id": ["a", "b"]}), pd.DataFrame({"household_id": ["c", "a"]}))
    >>> list(m.household_id), m.before.tolist(), m.after.tolist()
    (['a', 'b', 'c'], [0, 1, -1], [1, -1, 0])
    """
    order, pos0, pos1 = full_join(before["household_id"].to_numpy(dtype=object),
                                  after["household_id"].to_numpy(dtype=object))
    statuses = None
    if "status" in before and "status" in after:
        statuses = (status_codes(before["status"]), status_codes(after["status"]))
    return Matched(order, pos0, pos1, statuses)


def _statuses(m: Matched, before: pd.DataFrame, after: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The status codes of each register's rows (those ``m`` read, when it did)."""
    if m.statuses is not None:
        return m.statuses
    return status_codes(before["status"]), status_codes(after["status"])


def status_codes(status) -> np.ndarray:
    """Codes of :data:`STATUSES` (1 poor, 2 exited, 3 returned, 4 non_poor) of a status column.

    >>> status_codes(pd.Series(["poor", "non_poor", "returned"])).tolist()
    [1, 4, 3]
    """
    codes = pd.Index(HOUSEHOLD_STATUSES.ids).get_indexer(pd.Series(status).to_numpy(dtype=object))
    if (codes < 0).any():
        raise ValueError(f"a status is not one of {', '.join(HOUSEHOLD_STATUSES.ids)}")
    return codes.astype(np.int8) + 1


def flows(before: pd.DataFrame, after: pd.DataFrame, matched: Matched | None = None) -> pd.DataFrame:
    """Each household's flow (see the module docstring) with its statuses and members in both periods.

    Parameters
    ----------
    before, after : DataFrame
        Registers with ``household_id``, ``status`` and ``members`` [persons].
    matched : Matched, optional
        The result of :func:`match` when already computed.

    Returns
    -------
    DataFrame
        ``household_id``, ``status_before``, ``status_after`` (``absent`` when not listed),
        ``members_before``, ``members_after`` [persons] (0 when not listed), ``flow`` (one of :data:`FLOWS`);
        one row per household listed in either period, earlier register's order first.

    Examples
    --------
    >>> b = pd.DataFrame({"household_id": ["1", "2"], "status": ["poor", "exited"], "members": [3, 2]})
    >>> a = pd.DataFrame({"household_id": ["2", "3"], "status": ["returned", "poor"], "members": [2, 4]})
    >>> flows(b, a)["flow"].tolist()
    ['removed', 'returned', 'new']
    """
    m = matched if matched is not None else match(before, after)
    s0_rows, s1_rows = _statuses(m, before, after)
    s0 = take(s0_rows, m.before, 0)
    s1 = take(s1_rows, m.after, 0)
    names = np.asarray(STATUSES, dtype=object)
    return pd.DataFrame({
        "household_id": m.household_id,
        "status_before": names[s0], "status_after": names[s1],
        "members_before": take(before["members"].to_numpy(dtype=float), m.before, 0.0),
        "members_after": take(after["members"].to_numpy(dtype=float), m.after, 0.0),
        "flow": np.asarray(FLOWS, dtype=object)[_FLOW_TABLE[s0, s1]],
    })


def stock_flow(before: pd.DataFrame, after: pd.DataFrame, matched: Matched | None = None) -> pd.Series:
    """The stock-flow of the poor between two registers: every term of :data:`STOCK_FLOW_IDS`.

    .. math::

        H_1 = H_0 + new + returned + inconsistent\\_in - exited - removed - inconsistent\\_out

        P_1 = P_0 + (\\text{same terms weighted by members}) + size\\_change

    with H the poor households (status poor or returned) and P their members; inflows are weighted by the
    later members, outflows by the earlier ones, and size_change = Σ (members1 − members0) over the
    households that stay poor. Both identities hold exactly.

    Parameters
    ----------
    before, after : DataFrame
        Registers with ``household_id``, ``status`` and ``members`` [persons].
    matched : Matched, optional
        The result of :func:`match` when already computed.

    Returns
    -------
    Series
        Indexed by :data:`STOCK_FLOW_IDS`: ``poor_households_*`` [households], ``poor_population_*``
        [persons]. Empty registers give zeros.

    Examples
    --------
    >>> b = pd.DataFrame({"household_id": ["1", "2", "3"], "status": ["poor", "exited", "poor"],
    ...                   "members": [3, 2, 5]})
    >>> a = pd.DataFrame({"household_id": ["2", "3", "4"], "status": ["returned", "poor", "poor"],
    ...                   "members": [2, 6, 1]})
    >>> sf = stock_flow(b, a)
    >>> sf[["poor_households_start", "poor_households_new", "poor_households_returned",
    ...     "poor_households_removed", "poor_households_end"]].tolist()
    [2.0, 1.0, 1.0, 1.0, 3.0]
    >>> sf[["poor_population_start", "poor_population_removed", "poor_population_size_change",
    ...     "poor_population_end"]].tolist()
    [8.0, 3.0, 1.0, 9.0]
    """
    m = matched if matched is not None else match(before, after)
    s0_rows, s1_rows = _statuses(m, before, after)
    m0_rows = before["members"].to_numpy(dtype=float)
    m1_rows = after["members"].to_numpy(dtype=float)
    s0 = take(s0_rows, m.before, 0)
    s1 = take(s1_rows, m.after, 0)
    m0 = take(m0_rows, m.before, 0.0)
    m1 = take(m1_rows, m.after, 0.0)
    flow = _FLOW_TABLE[s0, s1]
    n = len(FLOWS)
    count = np.bincount(flow, minlength=n).astype(float)
    persons_in = np.bincount(flow, weights=m1, minlength=n)
    persons_out = np.bincount(flow, weights=m0, minlength=n)
    poor0 = (s0_rows == _CODE["poor"]) | (s0_rows == _CODE["returned"])
    poor1 = (s1_rows == _CODE["poor"]) | (s1_rows == _CODE["returned"])
    f = _F
    values = {
        "poor_households_start": float(poor0.sum()),
        "poor_households_new": count[f["new"]],
        "poor_households_returned": count[f["returned"]],
        "poor_households_inconsistent_in": count[f["inconsistent_in"]] + count[f["inconsistent_out_in"]],
        "poor_households_exited": count[f["exited"]],
        "poor_households_removed": count[f["removed"]],
        "poor_households_inconsistent_out": count[f["inconsistent_out_in"]],
        "poor_households_end": float(poor1.sum()),
        "poor_population_start": float(m0_rows[poor0].sum()),
        "poor_population_new": persons_in[f["new"]],
        "poor_population_returned": persons_in[f["returned"]],
        "poor_population_inconsistent_in": persons_in[f["inconsistent_in"]] + persons_in[f["inconsistent_out_in"]],
        "poor_population_exited": persons_out[f["exited"]],
        "poor_population_removed": persons_out[f["removed"]],
        "poor_population_inconsistent_out": persons_out[f["inconsistent_out_in"]],
        "poor_population_size_change": persons_in[f["stayed"]] - persons_out[f["stayed"]],
        "poor_population_end": float(m1_rows[poor1].sum()),
    }
    return pd.Series({k: float(values[k]) for k in STOCK_FLOW_IDS}, dtype=float)


def identity_residual(terms: pd.Series) -> dict[str, float]:
    """end − (start + inflows − outflows [+ size_change]) for households and persons; 0 when the books close.

    >>> identity_residual(pd.Series({"poor_households_start": 5, "poor_households_new": 1, "poor_households_end": 6}))
    {'households': 0.0, 'persons': 0.0}
    """
    out = {}
    for unit, prefix, extra in (("households", "poor_households_", ()), ("persons", "poor_population_", ("size_change",))):
        def g(name, prefix=prefix):
            return float(terms.get(prefix + name, 0.0))

        implied = (g("start") + g("new") + g("returned") + g("inconsistent_in") - g("exited") - g("removed")
                   - g("inconsistent_out") + sum(g(e) for e in extra))
        out[unit] = g("end") - implied
    return out


def inconsistent_moves(before: pd.DataFrame, after: pd.DataFrame, matched: Matched | None = None) -> pd.DataFrame:
    """Households whose move into or out of Poor is not new/returned/exited/removed, by household id only.

    Returns
    -------
    DataFrame
        ``household_id``, ``status_before``, ``status_after`` (``absent`` when not listed), ``flow``
        (``inconsistent_in`` or ``inconsistent_out_in``).

    Examples
    --------
    >>> b = pd.DataFrame({"household_id": ["1", "2"], "status": ["exited", "poor"], "members": [1, 1]})
    >>> a = pd.DataFrame({"household_id": ["1", "2"], "status": ["poor", "returned"], "members": [1, 1]})
    >>> inconsistent_moves(b, a)[["household_id", "flow"]].values.tolist()
    [['1', 'inconsistent_in'], ['2', 'inconsistent_out_in']]
    """
    f = flows(before, after, matched)
    keep = f["flow"].isin(["inconsistent_in", "inconsistent_out_in"]).to_numpy()
    return f.loc[keep, ["household_id", "status_before", "status_after", "flow"]].reset_index(drop=True)


_TRUE_FALSE = np.array(["false", "true"], dtype=object)


def _text(values: np.ndarray) -> np.ndarray:
    """Values as text for the diff: whole numbers without '.0', booleans as true/false.

    >>> _text(np.array([3.0, 2.5, np.nan])).tolist(), _text(np.array([True, False])).tolist()
    (['3', '2.5', 'nan'], ['true', 'false'])
    """
    if values.dtype == bool:
        return _TRUE_FALSE[values.view(np.uint8)]
    if values.dtype.kind == "f":
        whole = np.isfinite(values) & (values == np.round(values))
        out = np.empty(len(values), dtype=object)
        out[whole] = list(map(str, values[whole].astype(np.int64).tolist()))
        out[~whole] = values[~whole].astype(str)
        return out
    if values.dtype.kind in "iu":
        return np.fromiter(map(str, values.tolist()), dtype=object, count=len(values))
    return values.astype(object)


def _by_household_then_kind(pieces, where: np.ndarray, households: int) -> np.ndarray:
    """The order of the concatenated pieces by household, then kind of change: a counting sort (each piece
    is one kind, added in :data:`CHANGES` order, naming a household at most once), in place of a lexsort
    of every row (a fifth of the diff's time at 1,000,000 households)."""
    kinds = [p[1] for p in pieces]
    if kinds != sorted(kinds):  # not added in the kinds' order: sort every row
        kind = np.concatenate([np.full(len(p[0]), p[1], dtype=np.int16) for p in pieces])
        return np.lexsort((kind, where))
    slots = np.zeros(households + 1, dtype=np.int64)
    np.cumsum(np.bincount(where, minlength=households), out=slots[1:])   # each household's first row
    target = np.empty(len(where), dtype=np.int64)
    start = 0
    for rows, _, _, _ in pieces:
        target[start:start + len(rows)] = slots[rows]
        slots[rows] += 1
        start += len(rows)
    order = np.empty(len(where), dtype=np.int64)
    order[target] = np.arange(len(where))
    return order


def household_diff(before: pd.DataFrame, after: pd.DataFrame, poverty_line_yuan_before: float,
                   poverty_line_yuan_after: float, matched: Matched | None = None) -> pd.DataFrame:
    """Per household, each kind of change between two registers (by household id only, no names).

    Kinds (:data:`CHANGES`): ``entered`` (listed only later), ``left`` (listed only earlier); for households
    listed in both: ``status``, ``category``, ``members`` when they differ; ``income_up`` when y0 < z0 and
    y1 ≥ z1, ``income_down`` when y0 ≥ z0 and y1 < z1 (y income per person, z the poverty line of each
    period; below the line means y < z, as in FGT0); ``<guarantee>_gained`` / ``_lost`` for each of the five
    guarantees.

    Parameters
    ----------
    before, after : DataFrame
        Registers (canonical ``households`` columns).
    poverty_line_yuan_before, poverty_line_yuan_after : float
        Poverty line of each period. [yuan per person per year]
    matched : Matched, optional
        The result of :func:`match` when already computed.

    Returns
    -------
    DataFrame
        ``household_id``, ``change``, ``value_before``, ``value_after`` (text; the status on entering or
        leaving, the income per person [yuan] for crossings, ``true``/``false`` for guarantees). One row per
        change, households in the earlier register's order (then new ones), changes in :data:`CHANGES` order.

    Examples
    --------
    >>> cols = ["household_id", "members", "category", "status", "income_per_capita_yuan", *GUARANTEES]
    >>> b = pd.DataFrame([["1", 3, "general", "poor", 2000.0] + [True] * 5,
    ...                   ["2", 2, "non_poor", "non_poor", 9000.0] + [True] * 5], columns=cols)
    >>> a = pd.DataFrame([["1", 4, "general", "exited", 3500.0] + [True] * 4 + [False]], columns=cols)
    >>> household_diff(b, a, 3000, 3000).values.tolist()    # doctest: +NORMALIZE_WHITESPACE
    [['1', 'status', 'poor', 'exited'], ['1', 'members', '3', '4'], ['1', 'income_up', '2000', '3500'],
     ['1', 'water_secure_lost', 'true', 'false'], ['2', 'left', 'non_poor', '']]
    """
    m = matched if matched is not None else match(before, after)
    p0, p1 = m.before, m.after
    in0, in1 = p0 >= 0, p1 >= 0
    both = in0 & in1
    i0, i1 = p0[both], p1[both]      # row positions of the households listed in both
    idx_both = np.flatnonzero(both)
    pieces: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []

    def add(kind: str, where: np.ndarray, b: np.ndarray, a: np.ndarray) -> None:
        pieces.append((where, CHANGES.index(kind), b, a))

    status0, status1 = _statuses(m, before, after)
    names = np.asarray(STATUSES, dtype=object)
    entered = np.flatnonzero(~in0)
    left = np.flatnonzero(~in1)
    add("entered", entered, np.full(len(entered), "", dtype=object), names[status1[p1[entered]]])
    add("left", left, names[status0[p0[left]]], np.full(len(left), "", dtype=object))
    s0, s1 = status0[i0], status1[i1]
    differ = s0 != s1
    add("status", idx_both[differ], names[s0[differ]], names[s1[differ]])
    for kind, column in (("category", "category"), ("members", "members")):
        v0 = before[column].to_numpy()[i0]
        v1 = after[column].to_numpy()[i1]
        differ = v0 != v1
        add(kind, idx_both[differ], _text(v0[differ]), _text(v1[differ]))
    y0 = before["income_per_capita_yuan"].to_numpy(dtype=float)[i0]
    y1 = after["income_per_capita_yuan"].to_numpy(dtype=float)[i1]
    below0, below1 = y0 < poverty_line_yuan_before, y1 < poverty_line_yuan_after
    for kind, sel in (("income_up", below0 & ~below1), ("income_down", ~below0 & below1)):
        add(kind, idx_both[sel], _text(y0[sel]), _text(y1[sel]))
    for g in GUARANTEES:
        g0 = before[g].to_numpy(dtype=bool)[i0]
        g1 = after[g].to_numpy(dtype=bool)[i1]
        for kind, sel in ((f"{g}_gained", ~g0 & g1), (f"{g}_lost", g0 & ~g1)):
            add(kind, idx_both[sel], _text(g0[sel]), _text(g1[sel]))
    where = np.concatenate([p[0] for p in pieces])
    kind = np.concatenate([np.full(len(p[0]), p[1], dtype=np.int16) for p in pieces])
    order = _by_household_then_kind(pieces, where, len(m.household_id))
    return pd.DataFrame({
        "household_id": m.household_id[where[order]],
        "change": np.asarray(CHANGES, dtype=object)[kind[order]],
        "value_before": np.concatenate([p[2] for p in pieces])[order],
        "value_after": np.concatenate([p[3] for p in pieces])[order],
    })


def compare(before: pd.DataFrame, after: pd.DataFrame, poverty_line_yuan_before: float,
            poverty_line_yuan_after: float) -> tuple[pd.Series, pd.DataFrame]:
    """:func:`stock_flow` and :func:`household_diff` of two registers, matching them once."""
    m = match(before, after)
    return (stock_flow(before, after, m),
            household_diff(before, after, poverty_line_yuan_before, poverty_line_yuan_after, m))



# --------------------------------------------------------------------------- sheets of two periods

#: Columns of the stock-flow sheet: those of the indicator sheet, then the earlier period.
STOCK_FLOW_COLUMNS = SHEET_COLUMNS + ("from_period",)


def registers(before: PeriodData, after: PeriodData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two periods' registers; a :class:`DataError` naming the period without one."""
    for d in (before, after):
        if not d.has("households"):
            raise DataError(f"period {d.period.code} of village '{d.village.id}' has no household register "
                            f"(households.csv): the stock-flow needs one in both periods")
    check_household_ids(before, after)
    return before.table("households"), after.table("households")


def stock_flow_sheet(before: PeriodData, after: PeriodData) -> pd.DataFrame:
    """The stock-flow of two periods as a tidy sheet (:data:`STOCK_FLOW_COLUMNS`, ids of :data:`STOCK_FLOW_IDS`).

    ``period`` is the later period, ``from_period`` the earlier one; numerator and denominator are empty.
    """
    b, a = registers(before, after)
    terms = stock_flow(b, a)
    rows = [(after.village.id, after.period.code, i, terms[i], unit, np.nan, np.nan, zh, en, before.period.code)
            for i, unit, zh, en in STOCK_FLOW_INDICATORS]
    sheet = pd.DataFrame(rows, columns=list(STOCK_FLOW_COLUMNS))
    sheet["value"] = sheet["value"].astype(float)
    return sheet


def household_diff_sheet(before: PeriodData, after: PeriodData) -> pd.DataFrame:
    """:func:`household_diff` of two periods, each with its own poverty line."""
    b, a = registers(before, after)
    return household_diff(b, a, before.poverty_line.poverty_line_yuan, after.poverty_line.poverty_line_yuan)
