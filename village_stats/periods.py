"""Reporting periods: codes such as ``2017H1``, ``2017Q3``, ``2017-06`` and ``2017``.

A period is a half-year (``H``), a quarter (``Q``), a month (``M``) or a year (``Y``).
Codes are strict: anything else (``2017h1``, ``../x``) is rejected before a path is built.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .labels import t

_PATTERNS = (
    (re.compile(r"^(\d{4})H([12])$"), "H"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "Q"),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "M"),
    (re.compile(r"^(\d{4})$"), "Y"),
)
#: Number of sub-periods of each kind in a year.
PER_YEAR = {"H": 2, "Q": 4, "M": 12, "Y": 1}
#: Months spanned by one period of each kind.
MONTHS = {"H": 6, "Q": 3, "M": 1, "Y": 12}
_EN_MONTHS = tuple(calendar.month_name)[1:]

PERIOD_FORMS = "YYYYH1|YYYYH2, YYYYQ1..YYYYQ4, YYYY-MM or YYYY"


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period.

    Attributes
    ----------
    year : int
        Calendar year.
    kind : str
        ``"H"`` half-year, ``"Q"`` quarter, ``"M"`` month, ``"Y"`` year.
    index : int
        1-based position inside the year (1 for a year).
    """

    year: int
    kind: str
    index: int

    @property
    def code(self) -> str:
        """The period code, e.g. ``2017H1``."""
        if self.kind == "H":
            return f"{self.year}H{self.index}"
        if self.kind == "Q":
            return f"{self.year}Q{self.index}"
        if self.kind == "M":
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}"

    def __str__(self) -> str:
        return self.code

    @property
    def start(self) -> dt.date:
        """First day of the period."""
        return dt.date(self.year, (self.index - 1) * MONTHS[self.kind] + 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        month = self.index * MONTHS[self.kind]
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def label(self, lang: str = "zh") -> str:
        """Human label of the period (wording: the ``period_*`` keys of :data:`village_stats.labels.TEXT`).

        Examples
        --------
        >>> parse_period("2017H1").label("zh"), parse_period("2017H1").label("en")
        ('2017年上半年', '2017 H1')
        >>> parse_period("2017Q3").label("zh"), parse_period("2017-06").label("en")
        ('2017年第三季度', 'June 2017')
        """
        if self.kind in ("H", "Q"):
            return t(f"period_{self.kind.lower()}{self.index}", lang, year=self.year)
        if self.kind == "M":
            return t("period_month", lang, year=self.year, month=self.index, month_name=_EN_MONTHS[self.index - 1])
        return t("period_year", lang, year=self.year)

    def _ordinal(self) -> int:
        return self.year * PER_YEAR[self.kind] + self.index - 1

    @classmethod
    def _from_ordinal(cls, kind: str, ordinal: int) -> Period:
        year, i = divmod(ordinal, PER_YEAR[kind])
        return cls(year, kind, i + 1)

    def previous(self) -> Period:
        """The period of the same kind just before this one.

        >>> parse_period("2017H1").previous().code, parse_period("2017-01").previous().code
        ('2016H2', '2016-12')
        """
        return Period._from_ordinal(self.kind, self._ordinal() - 1)

    def next(self) -> Period:
        """The period of the same kind just after this one.

        >>> parse_period("2017Q4").next().code
        '2018Q1'
        """
        return Period._from_ordinal(self.kind, self._ordinal() + 1)


def is_period_code(code: object) -> bool:
    """Whether ``code`` is a valid period code.

    >>> is_period_code("2017H1"), is_period_code("../x"), is_period_code("2017h1")
    (True, False, False)
    """
    return isinstance(code, str) and any(p.match(code) for p, _ in _PATTERNS)


def parse_period(code: str) -> Period:
    """Parse a period code.

    Parameters
    ----------
    code : str
        ``YYYYH1``/``YYYYH2``, ``YYYYQ1``..``YYYYQ4``, ``YYYY-MM`` or ``YYYY``.

    Raises
    ------
    ValueError
        When ``code`` is not one of these forms.

    Examples
    --------
    >>> parse_period("2017H2")
    Period(year=2017, kind='H', index=2)
    """
    if isinstance(code, str):
        for pattern, kind in _PATTERNS:
            m = pattern.match(code)
            if m:
                year = int(m.group(1))
                index = int(m.group(2)) if kind != "Y" else 1
                return Period(year, kind, index)
    raise ValueError(f"{code!r} is not a period code: expected {PERIOD_FORMS}")


def containing(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that contains ``day``.

    >>> containing("H", dt.date(2017, 7, 5)).code
    '2017H2'
    """
    if kind not in PER_YEAR:
        raise ValueError(f"unknown period kind {kind!r}: expected one of H, Q, M, Y")
    index = (day.month - 1) // MONTHS[kind] + 1
    return Period(day.year, kind, index)


def last_complete(kind: str, today: dt.date) -> Period:
    """The last period of ``kind`` that ended before ``today``.

    A cron job on 2017-07-05 asking for the last complete half-year gets 2017H1.

    >>> last_complete("H", dt.date(2017, 7, 5)).code
    '2017H1'
    >>> last_complete("Q", dt.date(2017, 6, 30)).code
    '2017Q1'
    """
    return containing(kind, today).previous()
