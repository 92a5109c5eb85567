"""The rule catalogue's machinery: a rule (:class:`CheckRule`), its registration (:func:`rule`), and what a
check sees (:class:`Frames`).

A rule is data: a stable id (``HH-###`` households, ``MB-###`` members and cause against members,
``HM-###`` help measures, ``XV-###`` across villages), a severity (``error`` 错误 must be fixed, ``doubt``
疑点 to verify, ``hint`` 提示), the fields it reads, its basis (``policy`` text, ``register`` convention or
this package's ``choice``) with the source, its numbers (ages, months, shares; an office changes them in
``policy/check_rules.csv``) and a vectorised check: a function of :class:`Frames` and the numbers that
returns the offending rows as a DataFrame (``household_id``, ``member_no`` for a member rule, then the
offending values that are not personal data). The words of each rule are in :mod:`.wording`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..periods import Period

#: Severity ids, most serious first.
SEVERITY_IDS = ("error", "doubt", "hint")
#: Basis kinds.
BASIS_IDS = ("policy", "register", "choice")
#: The tables a rule may read.
TABLES = ("households", "members", "help_measures")
#: Periods values a rule may need besides tables.
NEEDS = ("poverty_line", "monitoring_threshold")


@dataclass(frozen=True)
class CheckRule:
    """One rule of the catalogue.

    Attributes
    ----------
    id : str
        ``HH-001`` …; never reused for another meaning.
    severity : str
        Default severity (:data:`SEVERITY_IDS`); ``policy/check_rules.csv`` may change it by scope.
    reads : tuple of str
        ``table.column`` of every field the check reads; the rule runs only when each is present.
    optional : tuple of str
        Fields read when present (the check works without them).
    basis, source : str
        :data:`BASIS_IDS` and the text it rests on.
    params : Mapping
        Default numbers by name (ages [years], months, days, shares [ratio], amounts [yuan]).
    needs : tuple of str
        Period values needed besides tables (:data:`NEEDS`).
    since : int
        First calendar year the rule applies to (a row of ``check_rules.csv`` may say otherwise).
    legacy : str or None
        For the seven register audit rules: their key in :data:`village_stats.measures.register.AUDIT_RULES`.
    across : bool
        A rule over every village of a data root (``XV``): its check takes :class:`Across`.
    """

    id: str
    severity: str
    reads: tuple[str, ...]
    basis: str
    source: str
    fn: Callable = field(repr=False, compare=False)
    params: Mapping[str, float] = field(default_factory=dict)
    optional: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    since: int = 0
    legacy: str | None = None
    across: bool = False

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables the rule needs, in :data:`TABLES` order."""
        named = {r.split(".")[0] for r in self.reads}
        return tuple(t for t in TABLES if t in named)

    def columns(self, table: str) -> tuple[str, ...]:
        """The columns of ``table`` the rule needs."""
        return tuple(r.split(".", 1)[1] for r in self.reads if r.startswith(table + "."))


RULES: dict[str, CheckRule] = {}


def rule(id: str, severity: str, reads: tuple[str, ...], basis: str, source: str, *,
         params: Mapping[str, float] | None = None, optional: tuple[str, ...] = (), needs: tuple[str, ...] = (),
         since: int = 0, legacy: str | None = None, across: bool = False):
    """Register a rule: its declaration and its vectorised check."""
    if severity not in SEVERITY_IDS or basis not in BASIS_IDS or any(n not in NEEDS for n in needs):
        raise ValueError(f"rule {id}: bad severity, basis or needs")

    def register(fn):
        if id in RULES:
            raise ValueError(f"rule {id!r} registered twice")
        RULES[id] = CheckRule(id, severity, tuple(reads), basis, source, fn, dict(params or {}), tuple(optional),
                              tuple(needs), since, legacy, across)
        return fn

    return register


# --------------------------------------------------------------------------- what a check sees

#: The date columns the checks read, by table (an all-empty column may come as object: made datetime).
DATE_COLUMNS = {
    "households": ("monitoring_since", "risk_eliminated_on", "risk_found_on", "publicised_from", "publicised_to"),
    "members": ("birth_date", "id_birth_date"),
    "help_measures": ("started_on", "ended_on"),
}


def _with_dates(frame: pd.DataFrame | None, table: str) -> pd.DataFrame | None:
    """``frame`` with its date columns as datetime64 (a shallow copy when one is not)."""
    if frame is None:
        return None
    bad = [c for c in DATE_COLUMNS[table] if c in frame and not pd.api.types.is_datetime64_any_dtype(frame[c])]
    if not bad:
        return frame
    frame = frame.copy(deep=False)
    for c in bad:
        frame[c] = pd.to_datetime(frame[c], errors="coerce")
    return frame


class Frames:
    """The tables of one village-period as a check sees them, with the derived columns several rules share
    (member ages, each member's and measure's row of the register), computed once.

    Parameters
    ----------
    households, members, help_measures : DataFrame or None
        The tables (None when absent).
    period : Period
        The period checked; ages are taken at its last day.
    poverty_line, monitoring_threshold : float
        The period's poverty line and monitoring standard [yuan per person per year]; NaN when not set.
    """

    def __init__(self, households: pd.DataFrame | None, members: pd.DataFrame | None = None,
                 help_measures: pd.DataFrame | None = None, *, period: Period,
                 poverty_line: float = np.nan, monitoring_threshold: float = np.nan) -> None:
        self.households = _with_dates(households, "households")
        self.members = _with_dates(members, "members")
        self.help_measures = _with_dates(help_measures, "help_measures")
        self.period = period
        self.poverty_line = poverty_line
        self.monitoring_threshold = monitoring_threshold
        self.end = pd.Timestamp(period.end)
        self.start = pd.Timestamp(period.start)
        self._factorized: dict[tuple[str, str], tuple[np.ndarray, pd.Index]] = {}

    # ----------------------------------------------------------------------- values of text and flag columns

    def _codes(self, table: str, column: str) -> tuple[np.ndarray, pd.Index]:
        """A column factorized once (codes, -1 for unknown; the distinct values)."""
        key = (table, column)
        if key not in self._factorized:
            codes, uniques = pd.factorize(getattr(self, table)[column], use_na_sentinel=True)
            self._factorized[key] = (codes, pd.Index(uniques, dtype=object))
        return self._factorized[key]

    def among(self, table: str, column: str, values) -> np.ndarray:
        """Whether each row's value is one of ``values`` (unknown is not): a vocabulary, text or flag column
        compared through its distinct values, so each column is hashed once however many rules read it."""
        codes, uniques = self._codes(table, column)
        wanted = [i for i, u in enumerate(uniques) if _matches(u, values)]
        return np.isin(codes, wanted) if wanted else np.zeros(len(codes), dtype=bool)

    def known(self, table: str, column: str) -> np.ndarray:
        """Whether each row's value of a text, vocabulary or flag column is known."""
        return self._codes(table, column)[0] >= 0

    def has(self, table: str) -> bool:
        return getattr(self, table) is not None

    def col(self, table: str, name: str) -> pd.Series:
        """A column, or an all-missing one when the table lacks it."""
        frame = getattr(self, table)
        return frame[name] if name in frame else pd.Series(np.nan, index=frame.index, dtype=object)

    # ----------------------------------------------------------------------- members and measures by household

    @cached_property
    def member_row(self) -> np.ndarray:
        """For each member, the position of its household in the register (-1: not in the register)."""
        return pd.Index(self.households["household_id"]).get_indexer(self.members["household_id"])

    @cached_property
    def measure_row(self) -> np.ndarray:
        """For each help measure, the position of its household in the register (-1: not in the register)."""
        return pd.Index(self.households["household_id"]).get_indexer(self.help_measures["household_id"])

    def per_household(self, member_mask, *, measures: bool = False) -> np.ndarray:
        """How many members (or measures) of each register household satisfy ``member_mask``."""
        rows = self.measure_row if measures else self.member_row
        keep = np.asarray(member_mask, dtype=bool) & (rows >= 0)
        return np.bincount(rows[keep], minlength=len(self.households))

    def of_household(self, values) -> np.ndarray:
        """A household-level array (one value per register row) for each member (NaN/None if unregistered)."""
        values = np.asarray(values)
        rows = self.member_row
        out = values[np.where(rows >= 0, rows, 0)]
        if out.dtype == bool:
            return out & (rows >= 0)
        return np.where(rows >= 0, out, None if out.dtype == object else np.nan)

    @cached_property
    def age(self) -> pd.Series:
        """Age of each member at the period's last day [years], whole years; NaN without a birth date."""
        b = self.members["birth_date"]
        years = self.end.year - b.dt.year
        before = (b.dt.month * 100 + b.dt.day) > (self.end.month * 100 + self.end.day)
        return (years - before.astype(float)).where(b.notna())

    @cached_property
    def running(self) -> np.ndarray:
        """Whether each help measure runs during the period (started by its end, not ended before its start;
        an empty start date counts as started)."""
        m = self.help_measures
        started = ~(m["started_on"] > self.end)
        ended = m["ended_on"] < self.start if "ended_on" in m else pd.Series(False, index=m.index)
        return (started & ~ended).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Across:
    """What a rule over villages sees: the head and member digests of every village of a data root.

    Attributes
    ----------
    heads : DataFrame
        ``village_id, household_id, id_key`` of every register household of the period (keys not None).
    members : DataFrame
        ``village_id, household_id, member_no, id_key`` of every member of the period (keys not None).
    previous_heads : DataFrame
        As ``heads`` for the previous period of the same kind (empty when there is none).
    """

    heads: pd.DataFrame
    members: pd.DataFrame
    previous_heads: pd.DataFrame


# --------------------------------------------------------------------------- small helpers for checks

def _matches(value, values) -> bool:
    """Whether a distinct value of a column is one of ``values`` (a flag True/False only matches a bool)."""
    for v in values:
        if isinstance(v, bool):
            if isinstance(value, (bool, np.bool_)) and bool(value) is v:
                return True
        elif value == v:
            return True
    return False


def is_true(s: pd.Series) -> pd.Series:
    """True where the value is True (unknown and False are not)."""
    return s.eq(True) & s.notna()


def is_false(s: pd.Series) -> pd.Series:
    """True where the value is False (unknown is not)."""
    return s.eq(False) & s.notna()


def hits(frame: pd.DataFrame, mask, *values: str, member: bool = False, **extra) -> pd.DataFrame:
    """The offending rows: ``household_id`` (and ``member_no``), then the named value columns and ``extra``
    arrays (aligned to ``frame``)."""
    mask = np.asarray(mask, dtype=bool)
    keys = ["household_id", "member_no"] if member else ["household_id"]
    out = frame.loc[mask, keys + list(values)].reset_index(drop=True)
    for name, array in extra.items():
        out[name] = np.asarray(array)[mask]
    return out


def names_where(matrix: np.ndarray, names) -> np.ndarray:
    """For each row of a boolean matrix, the names of its True columns joined by commas ('' for none); the
    text is built only for the rows with a True column."""
    out = np.full(len(matrix), "", dtype=object)
    rows = np.flatnonzero(matrix.any(axis=1))
    names = list(names)
    out[rows] = [",".join(n for n, hit in zip(names, matrix[r]) if hit) for r in rows]
    return out
