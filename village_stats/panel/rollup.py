"""Roll-up of many villages' indicator sheets to townships and the county, with a tie-out check.

How each indicator is combined follows from its catalogue entry (:data:`village_stats.indicators.CATALOGUE`),
never from a second list of indicator ids:

* **additive** — the unit is a count or an amount (:data:`ADDITIVE_UNITS`: households, persons, yuan,
  mu, ...): the group's value is the sum of its villages' values (unknown values are left out; a sum
  over only unknown values is unknown);
* **register measures** — the indicator is computed from ``households`` and its unit is not additive
  (FGT, Watts, Gini, Alkire–Foster, deprivation rates): computed again on the group's pooled register,
  person-weighted, each household against its own village's poverty line (:func:`pooled_register_measures`);
* **ratios** — any other indicator whose village rows carry a numerator and a denominator: Σ numerators
  / Σ denominators over the villages where both are known (never an average of the villages' ratios);
* **settings** — a non-additive indicator with neither parts nor a pooled register measure
  (``exit_threshold``, ``poverty_line_yuan``): the common value when every village of the group has the
  same, else unknown.

The tie-out (:func:`tie_out`) runs on every roll-up: for every additive indicator the county equals the
sum of its townships equals the sum of its villages, and the pooled register's households and persons
equal the sums of the villages' register counts; otherwise :class:`TieOutError`.

Pooling is exact for the FGT family because it is additively decomposable: the pooled index is the
population-share-weighted sum of the villages' indices (Foster, Greer and Thorbecke 1984); the Gini is not
decomposable and is computed on the pooled incomes. Suppression follows the usual primary plus
complementary cell suppression of tabular data (Hundepool et al. 2012, ch. 4).

References
----------
.. [1] J. Foster, J. Greer and E. Thorbecke, "A class of decomposable poverty measures", Econometrica
   52(3), 761–766, 1984. doi:10.2307/1913475
.. [2] A. Hundepool et al., *Statistical Disclosure Control*, Wiley, 2012. doi:10.1002/9781118348239
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, ReportError
from ..indicators import CATALOGUE, indicator_sheet
from ..load import PeriodData, as_period, list_villages, load_period, read_village
from ..measures.register import (
    DEFAULT_MPI_K,
    DEFAULT_MPI_WEIGHTS,
    GUARANTEES,
    K_TOLERANCE,
    MPI_INDICATORS,
    measures_by_village,
)
from ..policy import table_path
from ..units import UNITS

LEVELS = ("village", "township", "county")
#: Units whose values add up over villages (counts and amounts), as :data:`village_stats.units.UNITS` declares.
#: Every other unit is a ratio, an index or a per-unit amount and is recomputed.
ADDITIVE_UNITS = frozenset(u for u, x in UNITS.items() if x.additive)
#: Units of head counts that suppression protects (small cells identify households).
COUNT_UNITS = frozenset(u for u, x in UNITS.items() if x.head_count)
ROLLUP_COLUMNS = ("group_level", "group_id", "period", "indicator", "value", "unit", "numerator", "denominator",
                  "label_zh", "label_en", "villages_covered", "villages_missing", "suppressed")
#: Relative tolerance of the tie-out (sums of floats in a different order).
TIE_OUT_RTOL = 1e-9


class TieOutError(ReportError):
    """A roll-up whose totals do not add up (county ≠ Σ townships ≠ Σ villages)."""


def combination(indicator_id: str) -> str:
    """How an indicator is combined over villages, from its catalogue entry: ``additive`` (unit in
    :data:`ADDITIVE_UNITS`), ``register`` (any other indicator of the ``households`` table) or ``ratio``.

    A ``ratio`` whose village rows carry no numerator and denominator, and a ``register`` indicator the
    pooled measures do not compute, are settings: the group shows their common value.

    Examples
    --------
    >>> [combination(i) for i in ("poor_population", "fgt1", "poverty_incidence", "exit_threshold")]
    ['additive', 'register', 'ratio', 'ratio']
    """
    ind = CATALOGUE[indicator_id]
    if ind.unit in ADDITIVE_UNITS:
        return "additive"
    if ind.table == "households":
        return "register"
    return "ratio"


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


def load_county(data_dir: str | Path, period: str, township: str | None = None, *, cache: bool = True) -> County:
    """Load and validate every village of ``data_dir`` for ``period`` (bad data raises :class:`DataError`).

    A village without the period is listed in :attr:`County.missing`, not an error. ``township`` keeps
    the villages of one township (its ``township_zh``). With ``cache``, each village-period's sheet and
    register are kept in the cache folder under the SHA-256 of its input files and of the package's code
    (:func:`village_period`), so unchanged villages are not loaded again.
    """
    data_dir = Path(data_dir)
    period = as_period(period).code
    rows, sheets, registers = [], {}, {}
    for v in list_villages(data_dir):
        info = read_village(data_dir, v)
        if township and info.township_zh != township:
            continue
        rows.append((v, info.name_zh, info.name_en, info.township_zh, info.county_zh, info.exit_threshold))
        if (data_dir / v / period).is_dir() or (data_dir / v / f"{period}.xlsx").is_file():
            sheet, reg = village_period(data_dir, v, period, cache=cache)
            sheets[v] = sheet
            if reg is not None:
                registers[v] = reg
    if township and not rows:
        raise DataError(f"no village of township '{township}' in {data_dir}")
    if not rows:
        raise DataError("no village folder (with a village.yaml) found", path=data_dir)
    if not sheets:
        raise DataError(f"no village has data for period {period}", path=data_dir)
    villages = pd.DataFrame(rows, columns=["village_id", "name_zh", "name_en", "township_zh", "county_zh",
                                           "exit_threshold"])
    return County(period, villages, sheets, registers)


def village_period(data_dir: Path, village: str, period: str, *, cache: bool = True
                   ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One village-period's indicator sheet and register columns, from the cache when the inputs are unchanged.

    The cache key is the SHA-256 of the package's source files, the village's ``village.yaml``, the
    period's files and the policy tables it uses; files are written atomically, so parallel runs can share
    them. Without ``cache`` (or when the cache folder is not writable) it loads and computes directly.
    """
    import hashlib
    import os
    import pickle
    import uuid

    from ..load import period_source

    source = period_source(data_dir, village, period)
    files = [data_dir / village / "village.yaml", table_path(data_dir, "poverty_lines"),
             table_path(data_dir, "exit_thresholds")]
    files += sorted(source.iterdir()) if source.is_dir() else [source]
    digest = hashlib.sha256(_code_fingerprint().encode())
    for f in files:
        if f.is_file():
            digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    path = _cache_dir() / "rollup" / f"{digest.hexdigest()}.pkl"
    if cache and path.is_file():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a damaged cache file is recomputed
            pass
    data = load_period(village, period, data_dir)
    sheet = indicator_sheet(data)
    reg = None
    if data.has("households"):
        reg = data.table("households")[list(REGISTER_COLUMNS)].assign(
            poverty_line_yuan=data.poverty_line.poverty_line_yuan).reset_index(drop=True)
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
            with open(tmp, "wb") as fh:
                pickle.dump((sheet, reg), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
    return sheet, reg


def _cache_dir() -> Path:
    """``$VILLAGE_STATS_CACHE``, else ``$XDG_CACHE_HOME/village_stats``, else ``~/.cache/village_stats``
    (the same folder as the font cache)."""
    import os

    if os.environ.get("VILLAGE_STATS_CACHE"):
        return Path(os.environ["VILLAGE_STATS_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")) / "village_stats"


@functools.cache
def _code_fingerprint() -> str:
    """SHA-256 of the package's Python sources: a code change invalidates every cached sheet."""
    import hashlib

    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + f.read_bytes())
    return h.hexdigest()


def resolve_county_period(period: str, data_dir: str | Path) -> str:
    """A period code, or ``latest``: the newest period any village of ``data_dir`` has."""
    from ..load import list_periods

    if period == "latest":
        found = [p for v in list_villages(Path(data_dir)) for p in list_periods(Path(data_dir), v)]
        if not found:
            raise DataError("no village has any period", path=data_dir)
        return max(found, key=lambda p: (p.end, p.start)).code
    return as_period(period).code


# --------------------------------------------------------------------------- pooled register measures

def pooled_register_measures(register: pd.DataFrame, group: np.ndarray | pd.Series, poverty_line_yuan, k: float = DEFAULT_MPI_K,
                             weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Register measures of pooled registers, one row per group, person-weighted.

    FGT0/1/2, Watts, Gini and Alkire–Foster H/A/M0 come from
    :func:`village_stats.measures.register.measures_by_village` (the group as its ``village_id``); the
    uncensored deprivation rates d_j = Σ w g_j / N and the contributions w_j h_j / M0 (h_j the censored
    headcount ratio Σ w g_j [c ≥ k] / N) are added with the same bincounts.

    Parameters
    ----------
    register : DataFrame
        Columns ``members``, ``income_per_capita_yuan``, ``status`` and the five guarantees.
    group : array
        The group of each household (e.g. its township).
    z : float or array
        Poverty line, per household when villages use different lines (the gap (z − y)/z is each
        household's own). [yuan]

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
    frame = register.assign(village_id=np.asarray(group))
    poverty_line_yuan = np.asarray(poverty_line_yuan, dtype=np.float64) if np.ndim(poverty_line_yuan) else float(poverty_line_yuan)
    out = measures_by_village(frame, poverty_line_yuan, k, weights)
    codes, groups = pd.factorize(frame["village_id"], sort=True)
    w = frame["members"].to_numpy(dtype=np.float64)
    y = frame["income_per_capita_yuan"].to_numpy(dtype=np.float64)
    n = np.bincount(codes, weights=w, minlength=len(groups))
    deprived = {"income": y < poverty_line_yuan, **{g: ~frame[g].to_numpy(dtype=bool) for g in GUARANTEES}}
    score = sum(weights[j] * deprived[j] for j in MPI_INDICATORS)
    poor = score >= k - K_TOLERANCE
    m0 = out["mpi_m0"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in MPI_INDICATORS:
            out[f"deprivation_rate_{j}"] = np.bincount(codes, weights=w * deprived[j], minlength=len(groups)) / n
            h = np.bincount(codes, weights=w * (deprived[j] & poor), minlength=len(groups)) / n
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
        Publish-safe output: head counts below this (and the cells that would reveal them) are
        suppressed (see :func:`suppress`). [persons or households]
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
    sheet["villages_missing"] = sheet["group_id"].map(missing).fillna("")
    sheet["suppressed"] = False
    sheet = sheet[list(ROLLUP_COLUMNS)]
    order = {k: i for i, k in enumerate(CATALOGUE)}
    sheet = sheet.sort_values(["group_id", "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s,
                              kind="stable").reset_index(drop=True)
    if check:
        tie_out(county, sheet, registers)
    if suppress_below:
        sheet = suppress(sheet, suppress_below, county)
    return sheet


def _combine(long: pd.DataFrame, registers: pd.DataFrame | None) -> pd.DataFrame:
    """Group the villages' rows (``group_id``, ``indicator``) as :func:`combination` says, vectorised.

    Returns ``group_id, indicator, value, numerator, denominator``.
    """
    keys = [long["group_id"], long["indicator"]]
    how = long["indicator"].map({i: combination(i) for i in long["indicator"].unique()})
    finite = np.isfinite(long["numerator"]) & np.isfinite(long["denominator"])
    g = pd.DataFrame({
        "sum": long["value"].groupby(keys, sort=True).sum(min_count=1),
        "num": long["numerator"].where(finite).groupby(keys, sort=True).sum(min_count=1),
        "den": long["denominator"].where(finite).groupby(keys, sort=True).sum(min_count=1),
        "has_parts": finite.groupby(keys, sort=True).any(),
        "lo": long["value"].groupby(keys, sort=True).min(),
        "hi": long["value"].groupby(keys, sort=True).max(),
        "known": long["value"].groupby(keys, sort=True).count(),
        "rows": long["value"].groupby(keys, sort=True).size(),
        "how": how.groupby(keys, sort=True).first(),
    })
    gid = g.index.get_level_values(0)
    ind = g.index.get_level_values(1)
    pooled = np.full(len(g), np.nan)
    is_pooled = np.zeros(len(g), dtype=bool)
    if registers is not None:
        stacked = registers.stack()
        lookup = pd.MultiIndex.from_arrays([gid, ind])
        found = lookup.isin(stacked.index)
        pooled[found] = stacked.reindex(lookup[found]).to_numpy(dtype=float)
        is_pooled = (g["how"].to_numpy() == "register") & found
    additive = g["how"].to_numpy() == "additive"
    ratio = ~additive & ~is_pooled & g["has_parts"].to_numpy()
    setting = ~additive & ~is_pooled & ~ratio
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.where(g["den"].to_numpy() != 0, g["num"].to_numpy() / g["den"].to_numpy(), np.nan)
    common = np.where((g["lo"] == g["hi"]).to_numpy() & (g["known"] == g["rows"]).to_numpy(), g["lo"].to_numpy(),
                      np.nan)
    value = np.select([additive, is_pooled, ratio, setting], [g["sum"].to_numpy(), pooled, quotient, common])
    num = np.where(ratio, g["num"].to_numpy(), np.nan)
    den = np.where(ratio, g["den"].to_numpy(), np.nan)
    if registers is not None and "register_population" in registers:   # FGT0's parts: poor persons / persons
        fgt0 = is_pooled & (ind == "fgt0")
        persons = registers["register_population"].reindex(gid[fgt0]).to_numpy(dtype=float)
        num[fgt0], den[fgt0] = value[fgt0] * persons, persons
    return pd.DataFrame({"group_id": gid, "indicator": ind, "value": value.astype(float), "numerator": num,
                         "denominator": den})


def _pooled_register(county: County, group: pd.Series) -> pd.DataFrame | None:
    """Pooled register measures per group, over the villages that have a register for the period."""
    if not county.registers:
        return None
    parts = [r.assign(group=group[v]) for v, r in county.registers.items()]
    reg = pd.concat(parts, ignore_index=True)
    return pooled_register_measures(reg, reg["group"].to_numpy(), reg["poverty_line_yuan"].to_numpy())


# --------------------------------------------------------------------------- the tie-out

def tie_out(county: County, sheet: pd.DataFrame, registers: pd.DataFrame | None = None) -> None:
    """Check that every additive indicator of ``sheet`` ties out; raise :class:`TieOutError` if not.

    For each additive indicator: Σ over the groups of ``sheet`` = Σ over the villages' own sheets =
    the county total computed separately from the villages grouped by county; each group's value =
    Σ of its villages. With ``registers`` (pooled measures per group): its households and persons equal
    the groups' ``register_households`` and ``register_population``.
    """
    by = sheet["group_level"].iloc[0]
    group = _group_of(county.villages, by)
    village_long = pd.concat(list(county.sheets.values()), ignore_index=True)
    additive = [i for i in sheet["indicator"].unique() if combination(i) == "additive"]
    v = village_long[village_long["indicator"].isin(additive)]
    per_group = v.assign(group_id=v["village_id"].map(group)).groupby(["group_id", "indicator"])["value"].sum(
        min_count=1)
    g = sheet[sheet["indicator"].isin(additive)].set_index(["group_id", "indicator"])["value"]
    county_of = _group_of(county.villages, "county")
    county_total = v.assign(c=v["village_id"].map(county_of)).groupby("indicator")["value"].sum(min_count=1)
    village_total = v.groupby("indicator")["value"].sum(min_count=1)
    group_total = g.groupby(level="indicator").sum(min_count=1)
    problems = []
    for ind in additive:
        a, b, c = group_total.get(ind, math.nan), village_total.get(ind, math.nan), county_total.get(ind, math.nan)
        if not (_same(a, b) and _same(b, c)):
            problems.append(f"{ind}: Σ {by} groups = {a:g}, Σ villages = {b:g}, county = {c:g}")
    joined = pd.concat([g.rename("sheet"), per_group.rename("villages")], axis=1)
    for (gid, ind), r in joined.iterrows():
        if not _same(r["sheet"], r["villages"]):
            problems.append(f"{ind} of {gid}: {r['sheet']:g} ≠ Σ its villages {r['villages']:g}")
    if registers is not None:
        for col in ("register_households", "register_population"):
            want = g.xs(col, level="indicator") if col in g.index.get_level_values("indicator") else None
            if want is not None:
                for gid, value in want.items():
                    if gid in registers.index and not _same(value, registers.loc[gid, col]):
                        problems.append(f"{col} of {gid}: {value:g} ≠ pooled register {registers.loc[gid, col]:g}")
    if problems:
        raise TieOutError(f"roll-up does not tie out ({len(problems)} problems): " + "; ".join(problems[:3]))


def _same(a: float, b: float) -> bool:
    if isinstance(a, float) and math.isnan(a) or isinstance(b, float) and math.isnan(b):
        return (isinstance(a, float) and math.isnan(a)) and (isinstance(b, float) and math.isnan(b))
    return math.isclose(float(a), float(b), rel_tol=TIE_OUT_RTOL, abs_tol=1e-9)


# --------------------------------------------------------------------------- suppression

def _families() -> dict[str, tuple[str, list[str]]]:
    """Breakdowns that add up to a total: family name → (total indicator, parts), from the catalogue ids."""
    fam: dict[str, tuple[str, list[str]]] = {}
    for ind in CATALOGUE:
        for kind, total in (("households_by_", "register_households"), ("population_by_", "register_population")):
            if ind.startswith(kind):
                by = ind[len(kind):].split("_", 1)[0]
                fam.setdefault(f"{kind}{by}", (total, []))[1].append(ind)
    return fam


def suppress(sheet: pd.DataFrame, below: int, county: County | None = None) -> pd.DataFrame:
    """Suppress small head counts and every cell that would reveal one.

    1. *Primary*: a head count (unit households or persons) with 0 < value < ``below``. Zeros are shown:
       they reveal nobody.
    2. *Ratios and register measures*: a ratio whose numerator or denominator is a suppressed cell of
       the same group (poverty_incidence when poor_population is suppressed), and every register
       measure of a group whose register population is below ``below``.
    3. *Complementary, within a breakdown*: when a total is shown and exactly one part of a breakdown
       that adds up to it (households by status, category, cause; persons likewise) is suppressed, the
       smallest other part is suppressed too.
    4. *Complementary, across groups*: the groups' parent total (each township's villages add up to
       the township, townships to the county, and parents are published elsewhere) would reveal a single
       suppressed group; the smallest other group with a value is suppressed too. Without ``county``
       all groups are taken to add up to one total.

    Steps 3 and 4 repeat until nothing changes. A suppressed cell has ``suppressed`` True and value,
    numerator and denominator empty; tables print it as "suppressed", never as a number.

    Examples
    --------
    >>> s = pd.DataFrame({"group_level": "township", "group_id": ["a", "b", "c"], "indicator": "poor_households",
    ...                   "value": [2.0, 40.0, 50.0], "unit": "households", "numerator": float("nan"),
    ...                   "denominator": float("nan"), "suppressed": False})
    >>> suppress(s, 5)["suppressed"].tolist()
    [True, True, False]
    """
    sheet = sheet.copy()
    wide = sheet.pivot(index="group_id", columns="indicator", values="value")
    mask = pd.DataFrame(False, index=wide.index, columns=wide.columns)
    units = {i: CATALOGUE[i].unit if i in CATALOGUE else sheet.loc[sheet["indicator"] == i, "unit"].iloc[0]
             for i in wide.columns}
    counts = [i for i in wide.columns if units[i] in COUNT_UNITS]
    mask[counts] = (wide[counts] > 0) & (wide[counts] < below)
    parent = None                                  # group → the total it adds up to
    level = sheet["group_level"].iloc[0]
    if county is not None and level == "village":
        parent = county.villages.set_index("village_id")["township_zh"]
    elif county is not None and level == "township":
        parent = county.villages.drop_duplicates("township_zh").set_index("township_zh")["county_zh"]
    elif county is None:                           # unknown structure: the groups add up to one total
        parent = pd.Series("total", index=wide.index)
    families = [(t, [p for p in parts if p in wide.columns]) for t, parts in _families().values()
                if t in wide.columns]
    changed = True
    while changed:
        changed = False
        for total, parts in families:              # step 3
            for gid in wide.index:
                if mask.at[gid, total] or not parts:
                    continue
                hidden = [p for p in parts if mask.at[gid, p]]
                if len(hidden) == 1:
                    changed |= _hide_smallest(wide, mask, [(gid, p) for p in parts if p not in hidden])
        if parent is not None:                     # step 4
            keyed = parent.reindex(wide.index)
            for _, members in keyed.groupby(keyed):
                ids = list(members.index)
                for ind in counts + [i for i in wide.columns if units[i] in ADDITIVE_UNITS and i not in counts]:
                    hidden = [g for g in ids if mask.at[g, ind]]
                    if len(hidden) == 1:
                        changed |= _hide_smallest(wide, mask, [(g, ind) for g in ids if g not in hidden])
    # step 2: ratios built on a hidden count, register measures of a small register
    hidden_rows = set(zip(*np.nonzero(mask.to_numpy()))) if mask.to_numpy().any() else set()
    hidden_cells = {(wide.index[r], wide.columns[c]) for r, c in hidden_rows}
    small_register = set()
    if "register_population" in wide.columns:
        small_register = set(wide.index[(wide["register_population"] < below).fillna(False)])
    parts_of = _ratio_parts()
    flags = []
    for r in sheet.itertuples():
        hide = (r.group_id, r.indicator) in hidden_cells
        if not hide and r.indicator in CATALOGUE and combination(r.indicator) == "register":
            hide = r.group_id in small_register
        if not hide and r.indicator in parts_of:
            hide = any((r.group_id, p) in hidden_cells for p in parts_of[r.indicator])
        flags.append(hide)
    flags = np.array(flags, dtype=bool)
    sheet["suppressed"] = flags
    sheet.loc[flags, ["value", "numerator", "denominator"]] = np.nan
    return sheet


def _hide_smallest(wide: pd.DataFrame, mask: pd.DataFrame, cells: list[tuple[str, str]]) -> bool:
    """Suppress the smallest shown, non-zero cell among ``cells``; True when one was suppressed."""
    shown = [(wide.at[g, i], g, i) for g, i in cells
             if not mask.at[g, i] and pd.notna(wide.at[g, i]) and wide.at[g, i] > 0]
    if not shown:
        return False
    _, g, i = min(shown)
    mask.at[g, i] = True
    return True


def _ratio_parts() -> dict[str, tuple[str, ...]]:
    """Ratio indicator → the head counts it divides, read from the catalogue descriptions ("a / b")."""
    parts: dict[str, tuple[str, ...]] = {}
    for ind in CATALOGUE.values():
        if combination(ind.id) != "ratio" and ind.id != "max_poor_population_at_exit":
            continue
        words = [w.strip("().,;") for w in ind.description.replace("/", " ").replace("−", " ").split()]
        found = tuple(w for w in words if w in CATALOGUE and CATALOGUE[w].unit in COUNT_UNITS)
        if found:
            parts[ind.id] = found
    return parts


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
    registers = {d.village.id: d.table("households")[list(REGISTER_COLUMNS)].assign(
        poverty_line_yuan=d.poverty_line.poverty_line_yuan) for d in data if d.has("households")}
    return County(periods.pop(), villages.reset_index(drop=True), sheets, registers)


__all__ = ["ADDITIVE_UNITS", "County", "ROLLUP_COLUMNS", "TieOutError", "combination", "from_data",
           "load_county", "pooled_register_measures", "rollup", "suppress", "tie_out", "villages_table", "wide"]


# --------------------------------------------------------------------------- what the county report shows

OVERVIEW_INDICATORS = ("population_total", "poverty_incidence", "poor_population", "poverty_reduction_needed",
                       "exit_threshold", "investment_committed_yuan", "investment_committed_per_poor_person_yuan",
                       "contact_rate", "fgt0", "fgt1", "mpi_h", "register_households")


def village_overview(village_sheet: pd.DataFrame, county: County) -> pd.DataFrame:
    """One row per village with data: township, the :data:`OVERVIEW_INDICATORS` and ``exit_ready``.

    ``exit_ready`` is True when no one is left to lift before the exit threshold
    (``poverty_reduction_needed`` = 0, i.e. incidence below the village's own threshold). Sorted by
    incidence, highest first. Register measures are empty for villages without a register.
    """
    w = wide(village_sheet, OVERVIEW_INDICATORS)
    info = county.villages.set_index("village_id")
    out = info.loc[w.index, ["name_zh", "name_en", "township_zh"]].join(w)
    out["exit_ready"] = out["poverty_reduction_needed"].eq(0)
    out = out.sort_values("poverty_incidence", ascending=False, kind="stable")
    out.index.name = "village_id"
    return out


def exit_readiness(overview: pd.DataFrame, township_sheet: pd.DataFrame) -> pd.DataFrame:
    """Per township: villages with data, villages exit-ready, their share [ratio], people still to lift
    [persons] and the township's pooled incidence [ratio] (from the township roll-up)."""
    g = overview.groupby("township_zh", sort=True)
    out = pd.DataFrame({"villages": g.size(), "exit_ready": g["exit_ready"].sum().astype(int)})
    out["exit_ready_share"] = out["exit_ready"] / out["villages"]
    t = wide(township_sheet, ("poverty_reduction_needed", "poverty_incidence"))
    return out.join(t)


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


def previous_county(data_dir: str | Path, county: County, township: str | None = None) -> County | None:
    """The same villages one period earlier, or None when no village has data for that period."""
    before = as_period(county.period).previous().code
    try:
        return load_county(data_dir, before, township)
    except DataError as exc:
        if "no village has data" in str(exc):
            return None
        raise


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
