"""A county read once: every village of a data root for one period, evaluated once, and its previous period.

The county report and the ``rollup`` command read a county here, through one
:class:`~village_stats.load.Source`: each village's ``village.yaml`` and each village-period's files are
opened once per process, and each village-period is evaluated once (:func:`village_stats.evaluate.evaluate`);
the roll-ups read the :class:`~village_stats.panel.rollup.County` built from those results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..errors import DataError
from ..evaluate import Results, evaluate
from ..load import OK, PeriodData, Source, as_period, village_folders
from ..periods import Period
from ..personal import shown
from .rollup import LEVELS, County, register_of, rollup, rollup_levels


def read_county(source: Source, period: Period | str, township: str | None = None
                ) -> tuple[pd.DataFrame, dict[str, PeriodData]]:
    """Read (and so validate) every village of the data root, or of one ``township`` (its ``township_zh``),
    for ``period``: the villages table and each village-period that exists. Nothing is evaluated.

    A village without the period is simply absent from the dict (listed as missing by the roll-up); bad data
    raises :class:`DataError` naming the file, and so does a village folder without ``village.yaml``: a
    county whose villages cannot all be placed in a township is never rolled up silently without one.
    """
    period = as_period(period)
    ids, data = [], {}
    for v in village_folders(source.data_dir):
        if township and source.village(v).township_zh != township:
            continue
        ids.append(v)
        if source.status(v, period) == OK:  # missing or an unfilled template: listed as missing
            data[v] = source.period(v, period)
    if township and not ids:
        raise DataError(f"no village of township {shown(township)} in {source.data_dir}")
    if not ids:
        raise DataError("no village folder (with a village.yaml) found", path=source.data_dir)
    if not data:
        raise DataError(f"no village has data for period {period.code}", path=source.data_dir)
    villages = villages_frame(source, ids)
    check_counties(source, villages)
    return villages, data


#: Columns of the villages table of a county (:func:`villages_frame`).
VILLAGE_COLUMNS = ("village_id", "name_zh", "name_en", "township_zh", "county_zh", "exit_threshold", "fictional",
                   "township_en", "county_en")


def villages_frame(source: Source, ids) -> pd.DataFrame:
    """The villages table of a county: one row per village id (:data:`VILLAGE_COLUMNS`), from each
    ``village.yaml`` (read once by ``source``; a bad one raises :class:`DataError`)."""
    rows = []
    for v in ids:
        info = source.village(v)
        rows.append((v, info.name_zh, info.name_en, info.township_zh, info.county_zh, info.exit_threshold,
                     info.fictional, info.township_en, info.county_en))
    return pd.DataFrame(rows, columns=list(VILLAGE_COLUMNS))


def check_counties(source: Source, villages: pd.DataFrame, *, one_county: bool = False) -> None:
    """Every township lies in one county (and, with ``one_county``, all villages in one county), else a
    :class:`DataError` naming the village.yaml that declares another county than the most villages around it.

    A village that declares another county by mistake would otherwise split its township over two
    counties, which the roll-up's tie-out cannot add up (and a county report cannot title).
    """
    groups = [villages] if one_county else [g for _, g in villages.groupby("township_zh", sort=True)]
    for group in groups:
        counts = group["county_zh"].value_counts()
        if len(counts) < 2:
            continue
        usual = str(counts.index[0])
        odd = group.loc[group["county_zh"] != usual].iloc[0]
        raise DataError.said("msg_other_county_report" if one_county else "msg_other_county",
                           path=source.data_dir / odd["village_id"] / "village.yaml", county=odd["county_zh"],
                           township=odd["township_zh"], n=int(counts.iloc[0]), usual=usual)


def load_county(source: Source, period: Period | str, township: str | None = None) -> County:
    """Every village of the data root (or of one ``township``) for ``period``, each village-period
    evaluated once (:func:`read_county`, then :func:`village_stats.evaluate.evaluate`: with the data root's
    rule settings)."""
    villages, data = read_county(source, period, township)
    return county_of(period, villages, {v: evaluate(d) for v, d in data.items()})


def county_of(period: Period | str, villages: pd.DataFrame, results: Mapping[str, Results]) -> County:
    """A :class:`County` from results already evaluated: each village's sheet and, for a period with a
    register, the register columns the pooled measures need (nothing is evaluated again).

    ``villages`` lists every village (also those lacking the period); ``results`` the village-periods
    that exist, by village id.
    """
    sheets = {v: r.sheet for v, r in results.items()}
    registers = {v: register_of(r.data) for v, r in results.items() if r.data.has("households")}
    return County(as_period(period).code, villages, sheets, registers)


def previous_period_of(source: Source, villages: pd.DataFrame, period: Period | str) -> Period | None:
    """The period before ``period`` when one of ``villages`` has data for it, else None."""
    before = as_period(period).previous()
    return before if any(source.status(v, before) == OK for v in villages["village_id"]) else None


def previous_county(source: Source, county: County, township: str | None = None) -> County | None:
    """The same villages one period earlier, or None when none of them has data for that period."""
    before = previous_period_of(source, county.villages, county.period)
    return None if before is None else load_county(source, before, township)


@dataclass(frozen=True)
class CountyReport:
    """What the county report shows: the county, its roll-ups at every level, the previous period.

    With a threshold (``suppress_below``) every sheet is protected (rows ``suppressed`` and emptied as
    :func:`~village_stats.panel.rollup.rollup_levels` hides them at that threshold), and
    ``previous_sheet``, the previous period's village roll-up, too.
    """

    county: County
    village_sheet: pd.DataFrame
    township_sheet: pd.DataFrame
    county_sheet: pd.DataFrame
    previous: County | None
    previous_sheet: pd.DataFrame | None = None
    suppress_below: int | None = None


def protected_levels(source: Source, county: County, township: str | None, below: int | None
                     ) -> dict[str, pd.DataFrame]:
    """The roll-up of ``county`` at every level, by level; with ``below``, hidden as the protected roll-up of
    the whole data root hides them (for one township, the whole county's mask carried over:
    :func:`village_stats.panel.disclosure.carry_over`, so a township's report never differs from the county's)."""
    if not below:
        return {by: rollup(county, by) for by in LEVELS}
    if township:
        from .disclosure import carry_over

        whole = rollup_levels(load_county(source, county.period), suppress_below=below)
        sheets = {by: carry_over(rollup(county, by), whole, township) for by in LEVELS}
    else:
        levels = rollup_levels(county, suppress_below=below)
        sheets = {by: levels[levels["group_level"] == by].reset_index(drop=True) for by in LEVELS}
    return sheets


def county_report(source: Source, period: Period | str, township: str | None = None,
                  suppress_below: int | None = None) -> CountyReport:
    """Read the county and its previous period and roll it up at every level (the tie-out runs on each:
    a failure raises before anything is shown); with ``suppress_below``, protected (:func:`protected_levels`)."""
    county = load_county(source, period, township)
    sheets = protected_levels(source, county, township, suppress_below)
    previous = previous_county(source, county, township)
    before = None if previous is None else protected_levels(source, previous, township, suppress_below)["village"]
    return CountyReport(county, sheets["village"], sheets["township"], sheets["county"], previous, before,
                        suppress_below)
