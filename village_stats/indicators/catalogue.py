"""The catalogue's machinery: an entry (:class:`Indicator`), its registration (:func:`indicator`), and the
:class:`Context` an indicator function computes in.

The entries themselves are declared by section in the sibling modules (``aggregates``, ``households``,
``stated``, ``monitoring``); :mod:`village_stats.indicators` imports them in catalogue order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import units
from ..load import PeriodData
from ..units import Combine

SHEET_COLUMNS = ("village_id", "period", "indicator", "value", "unit", "numerator", "denominator",
                 "label_zh", "label_en")

@dataclass(frozen=True)
class Indicator:
    """One catalogue entry.

    ``unit`` is an id of :data:`village_stats.units.UNITS`; ``combine`` says how the villages' values
    combine over a group of villages (:class:`~village_stats.units.Sum`, :class:`~village_stats.units.Ratio`,
    :class:`~village_stats.units.Pooled`, :class:`~village_stats.units.Setting` or
    :class:`~village_stats.units.Bound`).
    """

    id: str
    unit: str
    label_zh: str
    label_en: str
    table: str
    description: str = ""
    combine: Combine | None = None


@dataclass(frozen=True)
class Value:
    """A computed indicator value with the parts of a ratio."""

    value: float
    numerator: float = float("nan")
    denominator: float = float("nan")


CATALOGUE: dict[str, Indicator] = {}
_FUNCTIONS: dict[str, Callable[[Context], Value | float]] = {}
#: Indicator groups that are not a table of their own: name → whether a village-period has their data.
GROUPS: dict[str, Callable[[PeriodData], bool]] = {}


def indicator(id: str, unit: str, label_zh: str, label_en: str, table: str = "population",
              description: str = "", combine: Combine | None = None):
    """Register an indicator: its catalogue entry and the function that computes it.

    ``combine`` may be left out for an additive unit (then :class:`~village_stats.units.Sum`); every
    other unit must declare how the indicator combines over villages.
    """
    if unit not in units.UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    combine = combine if combine is not None else units.default_combine(unit)
    if combine is None:
        raise ValueError(f"indicator {id!r}: unit {unit!r} does not add up, so declare combine=")

    def register(fn):
        if id in CATALOGUE:
            raise ValueError(f"indicator {id!r} registered twice")
        CATALOGUE[id] = Indicator(id, unit, label_zh, label_en, table, description or (fn.__doc__ or "").strip(),
                                  combine)
        _FUNCTIONS[id] = fn
        return fn

    return register


def cached(ctx: Context, key: str, measure: Callable, *args):
    """``measure(*args)``, computed once per context and kept as ``ctx.cache[key]`` (a detail frame that
    indicators count and the report shows: :func:`village_stats.evaluate.evaluate` hands it on)."""
    if key not in ctx.cache:
        ctx.cache[key] = measure(*args)
    return ctx.cache[key]


class Context:
    """What indicator functions see: the period data plus already computed indicator values.

    Made only by :func:`village_stats.evaluate.evaluate`; ``cache`` holds the detail frames the
    indicators share (audit findings, exit lists, screening, ...), which the results hand on.
    """

    def __init__(self, data: PeriodData, **options):
        self.data = data
        self.options = options
        self.measures = data.measures()
        self._values: dict[str, Value] = {}
        self._computing: list[str] = []
        self.cache: dict[str, object] = {}

    def measure(self, name: str) -> float:
        return float(self.measures.get(name, float("nan")))

    def __getitem__(self, indicator_id: str) -> float:
        return self.get(indicator_id).value

    def ratio(self, measure) -> Value:
        """``measure(numerator, denominator)`` of the two indicators the entry being computed declares as its
        parts (``combine=Ratio(numerator, denominator)``: the parts are named once), keeping both parts."""
        combine = CATALOGUE[self._computing[-1]].combine
        num, den = self[combine.numerator], self[combine.denominator]
        return Value(measure(num, den), num, den)

    def get(self, indicator_id: str) -> Value:
        if indicator_id not in self._values:
            self._computing.append(indicator_id)
            try:
                result = _FUNCTIONS[indicator_id](self)
            finally:
                self._computing.pop()
            if not isinstance(result, Value):
                result = Value(float(result))
            self._values[indicator_id] = result
        return self._values[indicator_id]


