"""Complementary (secondary) cell suppression over linear identities: the audit of a table and the greedy
choice of the cells to hide so that no protected cell can be worked out from the shown ones.

The problem is generic (no indicator or level is known here): **cells** with true values, each shown on one
**row** of a published sheet (a sheet row is shown or hidden as a whole); **identities** Σ c_k x_k = 0 that
hold between cells (a township = the sum of its villages, a count = the sum of its parts, ...); the
**protected** cells (the primary ones). :func:`audit` says which protected cells a reader of the shown cells
can solve for exactly, or pin to an interval narrower than the protection width; :func:`complete` hides
further rows until none can.

The audit of one hidden set H (the cells of the hidden rows):

* *Exact*: a hidden cell x_i is determined iff the unit vector e_i lies in the row space of the identities
  restricted to H, i.e. iff every vector of the null space of A_H has a zero i-th component (A_H: the
  identities' coefficients on the hidden cells; the shown cells move to the right-hand side). The null
  space comes from the singular value decomposition of A_H, one connected component of hidden cells at a
  time.
* *Interval*: for a protected cell that is not determined, the least and greatest values it can take under
  A_H x = b and the cells' lower bounds (0 for a count) are two linear programmes (HiGHS through
  :func:`scipy.optimize.linprog`); rounded inwards to whole numbers (counts are integers), their distance
  must be at least the protection width.

The greedy completion hides, for every protected cell found unsafe, one more cell of each identity in which
it is the only hidden cell (else of the identity with the fewest hidden cells): among those the caller's
cheapest (``rank``: details before totals), then the smallest value at least the width (else the largest),
and repeats the audit until every protected cell is safe. This is the classical audit-and-complete scheme
of complementary suppression (Cox 1980; Hundepool et al. 2012, §4.2–4.4, the hypercube and modular methods
of τ-ARGUS being other heuristics for the same problem): not the cheapest suppression pattern, but one that
the audit proves safe.

References
----------
.. [1] L. H. Cox, "Suppression methodology and statistical disclosure control", Journal of the American
   Statistical Association 75(370), 377–385, 1980. doi:10.1080/01621459.1980.10477481
.. [2] A. Hundepool et al., *Statistical Disclosure Control*, Wiley, 2012, ch. 4 (magnitude and frequency
   tables, secondary cell suppression, audit by linear programming). doi:10.1002/9781118348239
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: A protected cell's interval (integer ends) narrower than this many units is unsafe; set per call.
_TOL = 1e-8


@dataclass
class Table:
    """Cells, the sheet rows they are shown on, and the identities between them.

    Attributes
    ----------
    value : ndarray of float
        Each cell's true value (finite).
    rows : list of ndarray of int
        The sheet rows each cell is shown on (a count printed as an indicator's value and as a ratio's
        numerator is one cell): it is hidden when all of them are.
    lower : ndarray of float
        Each cell's least possible value (0 for a count, −inf for a difference).
    identities : list of (ndarray of int, ndarray of float)
        Each identity's cells and coefficients: Σ coef · value = 0.
    rank : ndarray of float
        Per sheet row, how reluctantly it is hidden as a complement (lower: hidden first).
    """

    value: np.ndarray
    rows: list[np.ndarray]
    lower: np.ndarray
    identities: list[tuple[np.ndarray, np.ndarray]]
    rank: np.ndarray

    def __post_init__(self):
        self.member: list[list[int]] = [[] for _ in range(len(self.value))]
        for k, (cells, _) in enumerate(self.identities):
            for c in cells:
                self.member[c].append(k)
        self.cost = np.array([max(self.rank[r]) if len(r) else 0.0 for r in self.rows])

    def hidden(self, hidden_rows: np.ndarray) -> np.ndarray:
        """Per cell: hidden on every row it is shown on."""
        return np.array([hidden_rows[r].all() for r in self.rows], dtype=bool)


@dataclass(frozen=True)
class Finding:
    """Why a protected cell is unsafe: ``determined`` (solved exactly) or its interval [low, high]; ``via``:
    the identities that give it away (those of the combination that solves it, or those binding its
    interval), most telling first."""

    cell: int
    determined: bool
    low: float
    high: float
    via: tuple[int, ...] = ()


def _components(table: Table, hidden: np.ndarray) -> list[tuple[list[int], list[int]]]:
    """Connected components of the hidden cells (linked by identities): (cells, identities) each."""
    parent = {c: c for c in np.flatnonzero(hidden)}

    def find(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching: list[int] = []
    for k, (cells, _) in enumerate(table.identities):
        h = [c for c in cells if hidden[c]]
        if not h:
            continue
        touching.append(k)
        root = find(h[0])
        for c in h[1:]:
            other = find(c)
            if other != root:
                parent[other] = root
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for c in parent:
        groups.setdefault(find(c), ([], []))[0].append(c)
    for k in touching:
        cells = table.identities[k][0]
        groups[find(next(c for c in cells if hidden[c]))][1].append(k)
    return list(groups.values())


def _system(table: Table, hidden: np.ndarray, cells: list[int], ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """A_H and b of one component: the identities on its hidden cells, the shown cells moved right."""
    where = {c: j for j, c in enumerate(cells)}
    a = np.zeros((len(ids), len(cells)))
    b = np.zeros(len(ids))
    for r, k in enumerate(ids):
        members, coef = table.identities[k]
        for c, w in zip(members, coef, strict=True):
            if hidden[c]:
                a[r, where[c]] += w
            else:
                b[r] -= w * table.value[c]
    return a, b


def null_space(a: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the null space of ``a`` (columns), from its singular value decomposition."""
    m, n = a.shape
    if m == 0:
        return np.eye(n)
    if m < n:
        a = np.vstack([a, np.zeros((n - m, n))])
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    r = int((s > _TOL * max(1.0, s[0])).sum())
    return vt[r:].T


def determined(a: np.ndarray) -> np.ndarray:
    """Which unknowns of A x = b are fixed by it: those whose unit vector lies in A's row space.

    Examples
    --------
    >>> determined(np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])).tolist()   # x0 + x1 known, x2 known
    [False, False, True]
    >>> determined(np.zeros((0, 2))).tolist()
    [False, False]
    """
    return np.linalg.norm(null_space(a), axis=1) < 1e-7


def _witness(null: np.ndarray, x: np.ndarray, lower: np.ndarray, j: int, width: float, tries: int = 1) -> bool:
    """Whether x_j can surely move over ``width`` without leaving the feasible set (then the linear
    programmes need not run).

    Moves along the projection of e_j on the null space as far as the lower bounds let every cell go, up and
    down; when a cell stops it short, that cell is held fixed (the directions are taken again in the null
    space of the identities plus that cell) and it tries again. A lower bound of the interval's width.
    """
    slack = x - lower
    basis = null
    for attempt in range(tries):
        if not basis.shape[1] or np.abs(basis[j]).max() < 1e-9:
            return False
        dirs = np.column_stack([basis @ basis[j], basis[:, np.abs(basis[j]) > 1e-9]])
        dirs = dirs / dirs[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            all_up = np.min(np.where(dirs < -1e-9, slack[:, None] / -dirs, np.inf), axis=0)
            all_down = np.min(np.where(dirs > 1e-9, slack[:, None] / dirs, np.inf), axis=0)
        if np.floor(all_up.max() + 1e-6) + np.floor(all_down.max() + 1e-6) >= width:
            return True                                    # the best move up and the best move down
        v = dirs[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            steps_up = np.where(v < -1e-9, slack / -v, np.inf)
            steps_down = np.where(v > 1e-9, slack / v, np.inf)
        if attempt == tries - 1:
            return False
        stop = np.flatnonzero((steps_up < width) | (steps_down < width))
        stop = stop[stop != j]
        if not len(stop):
            return False
        z = null_space(basis[stop])                        # directions that leave those cells where they are
        basis = basis @ z
        if basis.shape[1]:
            basis, _ = np.linalg.qr(basis)
    return False


def interval(a: np.ndarray, b: np.ndarray, lower: np.ndarray, j: int, known: float | None = None,
             width: float = 0.0) -> tuple[float, float, np.ndarray]:
    """The least and greatest x_j with A x = b and x ≥ lower (linear programmes; ±inf when unbounded), and
    the size of each identity's shadow price in them (which identities bind the interval).

    With ``known`` (the true x_j) and ``width``, the least value is not computed when the greatest decides:
    greatest − lower bound < width (too narrow whatever the least; the least is then reported as the lower
    bound) or greatest ≥ known + width (wide enough; the least as −inf).

    Examples
    --------
    >>> lo, hi, _ = interval(np.array([[1.0, 1.0]]), np.array([7.0]), np.zeros(2), 0)
    >>> lo, hi
    (0.0, 7.0)
    """
    from scipy.optimize import linprog

    bounds = [(None if not np.isfinite(lo) else float(lo), None) for lo in lower]
    lowest = float(lower[j]) if np.isfinite(lower[j]) else None
    c = np.zeros(a.shape[1])
    c[j] = 1.0
    ends, binding = [], np.zeros(a.shape[0])
    for sign in (-1.0, 1.0):                               # the greatest value first
        if sign > 0 and known is not None and lowest is not None:
            if ends[0] - lowest < width or ends[0] >= known + width:   # decided without the least value
                ends.append(lowest if ends[0] - lowest < width else -np.inf)
                break
        res = linprog(sign * c, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        if res.status == 0:
            ends.append(sign * res.fun)
            binding += np.abs(res.eqlin.marginals)
        else:                                              # unbounded (or failed: claim nothing)
            ends.append(-sign * np.inf)
    return float(ends[1]), float(ends[0]), binding


def audit(table: Table, hidden_rows: np.ndarray, protected: np.ndarray, width: float,
          cache: dict | None = None, intervals: bool = True) -> list[Finding]:
    """The protected hidden cells a reader can solve for, or pin to fewer than ``width`` whole units.

    ``hidden_rows``: per sheet row, whether it is hidden; ``protected``: per cell. A protected cell on a
    shown row is reported as determined (it is printed).
    """
    cache = {} if cache is None else cache
    hidden = table.hidden(hidden_rows)
    found = [Finding(int(c), True, table.value[c], table.value[c]) for c in np.flatnonzero(protected & ~hidden)]
    for cells, ids in _components(table, hidden):
        mine = [j for j, c in enumerate(cells) if protected[c]]
        if not mine:
            continue
        key = (tuple(sorted(cells)), tuple(sorted(ids)))
        if key not in cache:
            a, b = _system(table, hidden, cells, ids)
            null = null_space(a)
            cache[key] = (a, b, null)
        a, b, null = cache[key]
        if (*key, intervals) not in cache:
            fixed = np.linalg.norm(null, axis=1) < 1e-7
            out = []
            for j in mine:
                if fixed[j]:                               # the combination y of identities with yᵀA = e_j
                    unit = np.zeros(len(cells))
                    unit[j] = 1.0
                    y = np.linalg.lstsq(a.T, unit, rcond=None)[0]
                    order = np.argsort(-np.abs(y))
                    out.append(Finding(cells[j], True, table.value[cells[j]], table.value[cells[j]],
                                       tuple(ids[k] for k in order if abs(y[k]) > 1e-9)))
            if not out and intervals:                      # intervals only once nothing is solved for exactly
                x, lower = table.value[cells], table.lower[cells]
                for j in mine:
                    if _witness(null, x, lower, j, width):
                        continue
                    lo, hi, binding = interval(a, b, lower, j, x[j], width)
                    if np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) < width:
                        order = np.argsort(-binding)
                        out.append(Finding(cells[j], False, lo, hi,
                                           tuple(ids[k] for k in order if binding[k] > 1e-9)))
            cache[*key, intervals] = out
        found.extend(cache[*key, intervals])
    return found


def _candidate(table: Table, hidden: np.ndarray, k: int, width: float) -> int | None:
    """The cell to hide so that identity ``k`` gets one more hidden cell (None: none is left)."""
    cells, _ = table.identities[k]
    options = [c for c in cells if not hidden[c]]
    if not options:
        return None
    best = min(table.cost[c] for c in options)
    options = [c for c in options if table.cost[c] == best]
    size = np.abs(table.value[options])
    wide = size >= width
    return int(options[int(np.argmin(np.where(wide, size, np.inf)))] if wide.any() else options[int(np.argmax(size))])


def _nearest(table: Table, hidden: np.ndarray, cell: int):
    """The identities reachable from ``cell`` through hidden cells, nearest first (fewest hidden cells first
    among equally near ones)."""
    seen_cells, seen_ids = {cell}, set()
    frontier = [cell]
    while frontier:
        ring = sorted({k for c in frontier for k in table.member[c]} - seen_ids,
                      key=lambda k: sum(hidden[x] for x in table.identities[k][0]))
        seen_ids.update(ring)
        yield from ring
        frontier = [x for k in ring for x in table.identities[k][0] if hidden[x] and x not in seen_cells]
        seen_cells.update(frontier)


def complete(table: Table, hidden_rows: np.ndarray, protected: np.ndarray, width: float,
             follow: Callable[[np.ndarray], np.ndarray] = lambda h: h, max_rounds: int = 200) -> np.ndarray:
    """Hide rows (greedily, see the module) until :func:`audit` finds no unsafe protected cell.

    Parameters
    ----------
    table : Table
    hidden_rows : ndarray of bool
        The rows hidden to start with (the primary ones and those that follow from them).
    protected : ndarray of bool
        Per cell: must be neither determined nor pinned closer than ``width``.
    width : float
        The protection width [the cells' unit].
    follow : callable
        Rows hidden → rows hidden with everything that follows (a ratio whose part is hidden, ...).

    Returns
    -------
    ndarray of bool
        The hidden rows.
    """
    hidden_rows = follow(hidden_rows.copy())
    cache: dict = {}
    # hiding more only widens what a cell can be, so a cell once shown safe stays safe: check it no more
    unsolved = np.zeros(len(table.value), dtype=bool)     # proven not determined
    safe = np.zeros(len(table.value), dtype=bool)         # proven not determined and wide enough
    for _ in range(max_rounds):
        todo = protected & ~unsolved
        findings = audit(table, hidden_rows, todo, width, cache, intervals=False)
        unsolved |= todo & table.hidden(hidden_rows)
        unsolved[[f.cell for f in findings]] = False
        if not findings:                                   # nothing solved for exactly: now the intervals
            todo = protected & ~safe
            findings = audit(table, hidden_rows, todo, width, cache)
            safe |= todo
            safe[[f.cell for f in findings]] = False
        if not findings:
            return hidden_rows
        hidden = table.hidden(hidden_rows)
        add = np.zeros(len(table.value), dtype=bool)
        touched: set[int] = set()
        for f in findings:
            c = f.cell
            if not hidden[c]:                              # a shown protected cell: hide it
                add[c] = True
                continue
            ids = table.member[c]
            if touched.intersection(ids):
                continue
            alone = [k for k in ids if sum(hidden[x] for x in table.identities[k][0]) == 1]
            for k in alone or [*f.via, *_nearest(table, hidden, c)]:  # every identity that gives it away on
                x = _candidate(table, hidden | add, k, width)  # its own, else one more cell in those that do
                if x is not None:
                    add[x] = True
                    touched.add(k)
                    if not alone:
                        break
        new = hidden_rows.copy()
        for c in np.flatnonzero(add):
            new[table.rows[c]] = True
        new = follow(new)
        if (new == hidden_rows).all():
            raise RuntimeError("complementary suppression made no progress")
        hidden_rows = new
    raise RuntimeError("complementary suppression did not converge")
