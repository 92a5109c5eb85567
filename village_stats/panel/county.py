"""A county read once: every village of a data root for one period, evaluated once, and its previous period.

The county report and the ``rollup`` command read a county here, through one
:class:`~village_stats.load.Source`: each village's ``village.yaml`` and each village-period's files are
opened once per process, and each village-period is evaluated once (:func:`village_stats.evaluate.evaluate`);
the roll-ups read the :class:`~village_stats.panel.rollup.County` built from those results.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import DataError
from ..evaluate import evaluate_in
from ..load import PeriodData, Source, as_period, village_folders
from ..periods import Period
from .rollup import LEVELS, County, register_of, rollup


def read_county(source: Source, period: Period | str, township: str | None = None
                ) -> tuple[pd.DataFrame, dict[str, PeriodData]]:
    """Read (and so validate) every village of the data root, or of one ``township`` (its ``township_zh``),
    for ``period``: the villages table and each village-period that exists. Nothing is evaluated.

    A village without the period is simply absent from the dict (listed as missing by the roll-up); bad data
    raises :class:`DataError` naming the file, and so does a village folder without ``village.yaml``: a
    county whose villages cannot all be placed in a township is never rolled up silently without one.
    """
    period = as_period(period)
    rows, data = [], {}
    for v in village_folders(source.data_dir):
        info = source.village(v)
        if township and info.township_zh != township:
            continue
        rows.append((v, info.name_zh, info.name_en, info.township_zh, info.county_zh, info.exit_threshold,
                     info.fictional))
        if period in source.periods(v):
            data[v] = source.period(v, period)
    if township and not rows:
        raise DataError(f"no village of township '{township}' in {source.data_dir}")
    if not rows:
        raise DataError("no village folder (with a village.yaml) found", path=source.data_dir)
    if not data:
        raise DataError(f"no village has data for period {period.code}", path=source.data_dir)
    villages = pd.DataFrame(rows, columns=["village_id", "name_zh", "name_en", "township_zh", "county_zh",
                                           "exit_threshold", "fictional"])
    return villages, data


def load_county(source: Source, period: Period | str, township: str | None = None) -> County:
    """Every village of the data root (or of one ``township``) for ``period``, each village-period
    evaluated once (:func:`read_county`, then :func:`village_stats.evaluate.evaluate_in`: with the data root's
    rule settings)."""
    villages, data = read_county(source, period, township)
    sheets, registers = {}, {}
    for v, d in data.items():
        sheets[v] = evaluate_in(source, d).sheet
        if d.has("households"):
            registers[v] = register_of(d)
    return County(as_period(period).code, villages, sheets, registers)


def previous_period_of(source: Source, villages: pd.DataFrame, period: Period | str) -> Period | None:
    """The period before ``period`` when one of ``villages`` has data for it, else None."""
    before = as_period(period).previous()
    return before if any(before in source.periods(v) for v in villages["village_id"]) else None


def previous_county(source: Source, county: County, township: str | None = None) -> County | None:
    """The same villages one period earlier, or None when none of them has data for that period."""
    before = previous_period_of(source, county.villages, county.period)
    return None if before is None else load_county(source, before, township)


@dataclass(frozen=True)
class CountyReport:
    """What the county report shows: the county, its roll-ups at every level, the previous period."""

    county: County
    village_sheet: pd.DataFrame
    township_sheet: pd.DataFrame
    county_sheet: pd.DataFrame
    previous: County | None


def county_report(source: Source, period: Period | str, township: str | None = None) -> CountyReport:
    """Read the county and its previous period and roll it up at every level (the tie-out runs on each:
    a failure raises before anything is shown)."""
    county = load_county(source, period, township)
    sheets = {by: rollup(county, by) for by in LEVELS}
    return CountyReport(county, sheets["village"], sheets["township"], sheets["county"],
                        previous_county(source, county, township))
