"""The catalogue's vocabulary: every unit an indicator is in, and how an indicator combines over villages.

A **unit** (:class:`Unit`, all of them in :data:`UNITS`) says what its values are: its Chinese and English
names (read from :data:`village_stats.labels.UNIT_NAMES`, where every word lives), whether values add up over villages (``additive``), whether they count households or persons
(``head_count``: what disclosure control protects), how a value is shown to people (:func:`format_value`)
and its spreadsheet number format (``xlsx_format``). Nothing else in the package keeps a list of units:
the roll-up, suppression, the trend's changes, formatting and the workbook read these declarations.

A **combination** says how the villages' values of one indicator give the value of a group of villages
(a township, the county); each catalogue entry (:class:`village_stats.indicators.Indicator`) declares one:

* :class:`Sum` — the group's value is the sum of its villages' values (the default of an additive unit);
  ``part_of``/``by`` name the total a breakdown adds up to (households by status add up to the register's
  households), which complementary suppression protects;
* :class:`Ratio` — Σ numerators / Σ denominators over the villages where both are known (never a mean of
  the villages' ratios); it names the indicators that are its parts, or the unit its parts are in when
  they are not indicators of the sheet (an evaluation rate's sampled households);
* :class:`Pooled` — a register measure (FGT, Watts, Gini, Alkire–Foster, deprivation rates) computed
  again on the group's pooled register; a share of persons declares its parts' unit, and a measure that
  describes only some persons (the poverty gap describes the poor) names the share that counts them;
* :class:`Setting` — a policy setting (threshold, poverty line): the common value when every village of
  the group has the same, else unknown (a group of villages under different lines has no line);
* :class:`Bound` — an end of a rate's confidence interval: the villages' bounds weighted like the rate
  itself (Σ bound × denominator / Σ denominator), so the group's bounds contain the group's rate.

This module is on the ground floor: it imports only :mod:`village_stats.labels` (unit names, and the
choice of one in a language: :func:`village_stats.labels.unit_name`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .labels import UNIT_NAMES, unit_name

#: How a unit's values are shown: a share as percent, an index with 4 decimals, or a number.
DISPLAYS = ("percent", "index", "number")


@dataclass(frozen=True)
class Unit:
    """One unit of the catalogue.

    Attributes
    ----------
    id : str
        The unit id written in the indicator sheet's ``unit`` column and in docstrings in brackets; its
        names after a number (``户``, ``households``; empty for a dimensionless index) are the row of
        :data:`village_stats.labels.UNIT_NAMES` (:attr:`zh`, :attr:`en`, :attr:`en_one`).
    additive : bool
        Values add up over villages (counts and amounts); a per-unit amount, a share or an index does not.
    head_count : bool
        Values count households or persons: small values identify them, so disclosure control hides them.
    display : str
        ``percent`` (a share between 0 and 1 shown ×100 with ``digits`` decimals), ``index`` (4 decimals,
        no name) or ``number`` (thousands separators; whole numbers without decimals).
    decimals : int or None
        Decimals of a non-whole ``number`` (2 for money); None: the caller's ``digits``, at least 2.
    xlsx_format : str
        The spreadsheet number format of its values.
    """

    id: str
    additive: bool
    head_count: bool
    display: str
    xlsx_format: str
    decimals: int | None = None

    @property
    def zh(self) -> str:
        """The Chinese name after a number (``户``)."""
        return UNIT_NAMES[self.id][0] if self.id else ""

    @property
    def en(self) -> str:
        """The English name after a number (``households``)."""
        return UNIT_NAMES[self.id][1] if self.id else ""

    @property
    def en_one(self) -> str:
        """The English name for exactly 1 (``household``), '' where it is the same as :attr:`en`."""
        row = UNIT_NAMES[self.id] if self.id else ()
        return row[2] if len(row) > 2 else ""

    def __post_init__(self):
        if self.display not in DISPLAYS:
            raise ValueError(f"unit {self.id!r}: display {self.display!r} is not one of {DISPLAYS}")
        if self.head_count and not self.additive:
            raise ValueError(f"unit {self.id!r}: a head count adds up over villages")

    def name(self, lang: str = "zh", value: float | None = None) -> str:
        """The unit's name after ``value`` in ``lang`` (English singular for exactly 1).

        >>> UNITS["households"].name("en", 1), UNITS["households"].name("zh", 1), UNITS["index"].name("en")
        ('household', '户', '')
        """
        return unit_name(self.id, lang, count=value)

    @property
    def relative_change(self) -> bool:
        """Whether a change between periods is also given relative to the earlier value: yes for counts and
        amounts; no for shares (they change in percentage points) and indices (index points)."""
        return self.display == "number"


_COUNT, _AMOUNT = "#,##0", "#,##0.00"

#: Every unit of the catalogue: id → :class:`Unit`.
UNITS: dict[str, Unit] = {u.id: u for u in (
    Unit("households", True, True, "number", _COUNT),
    Unit("persons", True, True, "number", _COUNT),
    Unit("ratio", False, False, "percent", "0.0%"),
    Unit("persons_per_household", False, False, "number", "0.00"),
    Unit("household_visits", True, False, "number", _COUNT),
    Unit("meetings", True, False, "number", _COUNT),
    Unit("mu", True, False, "number", _AMOUNT),
    Unit("ha", True, False, "number", _AMOUNT),
    Unit("yuan", True, False, "number", _AMOUNT, decimals=2),
    Unit("yuan_per_person", False, False, "number", _AMOUNT, decimals=2),
    Unit("yuan_per_person_year", False, False, "number", _AMOUNT, decimals=2),
    Unit("projects", True, False, "number", _COUNT),
    Unit("count", True, False, "number", _COUNT),
    Unit("crop_groups", True, False, "number", _COUNT),
    Unit("index", False, False, "index", "0.0000"),
    Unit("days", False, False, "number", "0.0"),
    Unit("person_months", True, False, "number", _AMOUNT),
)}

#: What :func:`format_value` does with a unit id that is not in :data:`UNITS` (a number, no name).
_PLAIN = Unit("", False, False, "number", "General")


def format_value(value: float, unit: str, lang: str = "zh", *, digits: int = 1) -> str:
    """A value for people: ratios as percent, amounts with separators, unknown as a dash.

    Parameters
    ----------
    value : float
        The value, in ``unit``; None or NaN is unknown.
    unit : str
        A unit id of :data:`UNITS` (another id gives the number without a name).
    lang : {"zh", "en"}
        Language of the unit's name.
    digits : int
        Decimals of a percent, and the least decimals (at least 2) of a non-whole number whose unit does
        not fix them.

    Examples
    --------
    >>> format_value(0.478049, "ratio"), format_value(3097200, "yuan"), format_value(float("nan"), "mu")
    ('47.8%', '3,097,200 元', '—')
    >>> format_value(15802.0408, "yuan_per_person", "en")
    '15,802.04 yuan per person'
    >>> format_value(0.123456, "index"), format_value(2.5, "persons_per_household", "en")
    ('0.1235', '2.50 persons per household')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    u = UNITS.get(unit, _PLAIN)
    if u.display == "percent":
        return f"{value * 100:.{digits}f}%"
    if u.display == "index":
        return f"{value:.4f}"
    label = u.name(lang)
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{u.decimals if u.decimals is not None else max(digits, 2)}f}"
    return f"{text} {label}" if label else text


# --------------------------------------------------------------------------- how indicators combine

@dataclass(frozen=True)
class Sum:
    """The group's value is the sum of its villages' values (unknown values are left out; a sum of only
    unknown values is unknown).

    ``part_of`` and ``by``: the indicator is one part of the breakdown of the total ``part_of`` by ``by``
    (e.g. ``households_by_status_poor`` is part of ``register_households`` by ``status``).

    ``plus`` and ``minus``: an identity between indicators, value = Σ ``plus`` − Σ ``minus`` in every
    village where all of them are known (a reconciliation difference is the register's count minus the
    reported one; the registered poor are the households of status poor plus returned); ``clipped``: the
    value is max(0, Σ plus − Σ minus), so the identity holds where the value is above 0. Disclosure
    control reads these identities (:mod:`village_stats.panel.disclosure`); the roll-up still sums.
    """

    part_of: str | None = None
    by: str | None = None
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()
    clipped: bool = False

    def describe(self) -> str:
        text = f"sum (part of `{self.part_of}` by {self.by})" if self.part_of else "sum"
        if self.plus or self.minus:
            terms = " + ".join(f"`{i}`" for i in self.plus) + "".join(f" − `{i}`" for i in self.minus)
            text += f"; = max(0, {terms})" if self.clipped else f"; = {terms}"
        return text


@dataclass(frozen=True)
class Ratio:
    """Σ numerators / Σ denominators over the group's villages where both are known.

    ``numerator`` and ``denominator`` name the indicators that are the parts (the village rows'
    ``numerator`` and ``denominator`` columns carry their values); a part that is not an indicator of the
    sheet (sampled households, resident poor households) is None, and ``parts_unit`` gives the unit it is
    in, so disclosure control knows whether it is a head count.
    """

    numerator: str | None = None
    denominator: str | None = None
    parts_unit: str | None = None

    def describe(self) -> str:
        num = f"`{self.numerator}`" if self.numerator else f"[{self.parts_unit}]"
        den = f"`{self.denominator}`" if self.denominator else f"[{self.parts_unit}]"
        return f"ratio Σ {num} / Σ {den}"


@dataclass(frozen=True)
class Pooled:
    """A register measure computed again on the group's pooled register (person-weighted, each household
    against its own village's poverty line).

    ``parts_unit``: the measure is a share of the register's persons; the roll-up gives its numerator and
    denominator in this unit; ``denominator``: the indicator that denominator equals (the register's
    persons). ``within``: the measure describes only the persons counted by the numerator of that (pooled)
    indicator (the poverty gap describes the persons below the line), so it is hidden whenever that
    numerator is.
    """

    parts_unit: str | None = None
    within: str | None = None
    denominator: str | None = None

    def describe(self) -> str:
        share = f" (share of {self.parts_unit}" + (f" of `{self.denominator}`" if self.denominator else "") + ")"
        return "pooled register" + (share if self.parts_unit else "") + (
            f" (describes the persons of `{self.within}`)" if self.within else "")


@dataclass(frozen=True)
class Setting:
    """A policy setting: the group's value is the common value of its villages, unknown when they differ."""

    def describe(self) -> str:
        return "common setting"


@dataclass(frozen=True)
class Bound:
    """The ``end`` (``low`` or ``high``) of the confidence interval of the ratio ``of``.

    The group's bound is Σ bound × denominator / Σ denominator over the villages where both are known,
    the denominator being that of ``of``: the same weights that make the group's rate, so the group's
    bounds contain the group's rate. It is not an interval of the pooled sample: each village is sampled
    on its own.
    """

    of: str
    end: str

    def describe(self) -> str:
        return f"{self.end} bound of `{self.of}`"


@dataclass(frozen=True)
class Local:
    """A figure of one village that does not combine from the villages' sheets (a median of days, a growth on
    the register of a year before): the group's value is unknown (NaN) in a roll-up."""

    def describe(self) -> str:
        return "not combined (village figure)"


Combine = Sum | Ratio | Pooled | Setting | Bound | Local


def default_combine(unit: str) -> Combine | None:
    """The combination an indicator in ``unit`` gets when it declares none: :class:`Sum` for an additive
    unit, else None (a share, per-unit amount or index must say how it combines).

    >>> default_combine("households"), default_combine("ratio")
    (Sum(part_of=None, by=None, plus=(), minus=(), clipped=False), None)
    """
    return Sum() if UNITS[unit].additive else None


def catalogue_problems(catalogue: Mapping[str, Any]) -> list[str]:
    """What is wrong with the combinations declared by ``catalogue`` (id → entry with ``unit`` and
    ``combine``): a missing declaration, a part, total or rate that is not an indicator, a unit that is
    not one of :data:`UNITS`, a sum of a unit that does not add up. Empty when all is well."""
    problems = []

    def known(ind_id: str, ref: str | None, what: str) -> None:
        if ref is not None and ref not in catalogue:
            problems.append(f"{ind_id}: its {what} {ref!r} is not an indicator")

    for ind_id, ind in catalogue.items():
        c = ind.combine
        if ind.unit not in UNITS:
            problems.append(f"{ind_id}: unknown unit {ind.unit!r}")
            continue
        if not isinstance(c, (Sum, Ratio, Pooled, Setting, Bound, Local)):
            problems.append(f"{ind_id}: no combination declared")
        elif isinstance(c, Sum):
            if not UNITS[ind.unit].additive:
                problems.append(f"{ind_id}: a sum of {ind.unit}, which does not add up")
            known(ind_id, c.part_of, "total")
            if (c.part_of is None) != (c.by is None):
                problems.append(f"{ind_id}: a breakdown names both its total and what it is by")
            for term in (*c.plus, *c.minus):
                known(ind_id, term, "term")
            if c.clipped and not (c.plus or c.minus):
                problems.append(f"{ind_id}: clipped, but no identity (plus, minus) to clip")
        elif isinstance(c, Ratio):
            known(ind_id, c.numerator, "numerator")
            known(ind_id, c.denominator, "denominator")
            if (c.numerator is None or c.denominator is None) and c.parts_unit not in UNITS:
                problems.append(f"{ind_id}: a part that is not an indicator needs parts_unit (one of UNITS)")
        elif isinstance(c, Pooled):
            known(ind_id, c.within, "share")
            known(ind_id, c.denominator, "denominator")
            if c.parts_unit is not None and c.parts_unit not in UNITS:
                problems.append(f"{ind_id}: unknown parts_unit {c.parts_unit!r}")
        elif isinstance(c, Bound):
            known(ind_id, c.of, "rate")
            if c.of in catalogue and not isinstance(catalogue[c.of].combine, Ratio):
                problems.append(f"{ind_id}: bounds a rate {c.of!r} that is not a ratio")
            if c.end not in ("low", "high"):
                problems.append(f"{ind_id}: end {c.end!r} is not low or high")
    return problems
