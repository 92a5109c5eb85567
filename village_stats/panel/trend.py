"""Several periods of a village as a panel: the long sheet, changes since the previous period, exit pace.

The long sheet stacks the tidy indicator sheet of each period (same columns, one block per period) and adds,
per indicator, the change against the previous period *of the same kind* (half-year after half-year,
quarter after quarter) that has a value: ``previous_period``, ``previous_value``, ``change``,
``change_unit`` and ``change_rel``. Ratios change in percentage points (``change_unit`` =
``percentage_points``, no relative change); counts and amounts change in their own unit, with
``change_rel`` = change / previous value [ratio]; indices change in index points.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import DataError
from ..indicators import SHEET_COLUMNS, IndicatorSheet
from ..labels import unit_name
from ..load import OK, PeriodData, Source, check_panel_ids
from ..periods import PER_YEAR, Period, parse_period
from ..units import UNITS, format_value

#: Columns the long sheet adds to :data:`village_stats.indicators.SHEET_COLUMNS`.
CHANGE_COLUMNS = ("previous_period", "previous_value", "change", "change_unit", "change_rel")
LONG_COLUMNS = SHEET_COLUMNS + CHANGE_COLUMNS


def select_periods(periods: list[Period], from_period: Period | None = None,
                   to_period: Period | None = None) -> list[Period]:
    """The periods from ``from_period`` to ``to_period`` (inclusive, by start date; None = open end).

    >>> ps = [parse_period(c) for c in ("2017H1", "2017H2", "2018H1", "2018H2")]
    >>> [p.code for p in select_periods(ps, parse_period("2017H2"), parse_period("2018H1"))]
    ['2017H2', '2018H1']
    >>> [p.code for p in select_periods(ps, to_period=parse_period("2017H2"))]
    ['2017H1', '2017H2']
    """
    out = [p for p in periods
           if (from_period is None or p.start >= from_period.start)
           and (to_period is None or p.end <= to_period.end)]
    return sorted(out, key=lambda p: (p.start, p.end))


def load_panel(source: Source, village: str, from_period: str | Period | None = None,
               to_period: str | Period | None = None) -> list[PeriodData]:
    """Read (and so validate) every period of a village with data, or those from/to the ones given.

    ``from_period``/``to_period`` accept codes, ``latest`` and ``previous``. Raises :class:`DataError`
    for the first bad period, or when no period is left.
    """
    first = source.resolve(from_period, village) if from_period is not None else None
    last = source.resolve(to_period, village) if to_period is not None else None
    if first is not None and last is not None and first.start > last.start:
        raise DataError(f"--from {first.code} comes after --to {last.code}")
    chosen = [p for p in select_periods(source.stored(village), first, last)
              if source.status(village, p) == OK]  # an unfilled template is never part of a trend
    if not chosen:
        span = f" from {first.code if first else '…'} to {last.code if last else '…'}" if first or last else ""
        raise DataError(f"no period with data for village '{village}'{span}", path=source.data_dir / village)
    panel = [source.period(village, p) for p in chosen]
    for kind in {p.kind for p in chosen}:  # registers compared by household id: ids spelt alike
        check_panel_ids([d for d in panel if d.period.kind == kind])
    return panel


def add_changes(long: pd.DataFrame) -> pd.DataFrame:
    """The long sheet with :data:`CHANGE_COLUMNS`: each value against the previous period of the same kind.

    .. math::

        change = v_t - v_{prev}, \\quad change\\_rel = change / v_{prev}

    for counts and amounts (``change_unit`` = the indicator's unit; change_rel NaN when v_prev = 0), and
    change = 100 (v_t − v_prev) [percentage points] for ratios (no change_rel); indices change in index
    points. v_prev is the value of the latest earlier period of the same kind (H, Q, M or Y) with a value
    for the indicator (periods without one are skipped); NaN when there is none. A row without a value
    gets no change.

    Parameters
    ----------
    long : DataFrame
        Stacked indicator sheets (columns :data:`~village_stats.indicators.SHEET_COLUMNS`).

    Returns
    -------
    DataFrame
        A new frame, rows sorted by village, period start and catalogue order within a period.

    Examples
    --------
    >>> long = pd.DataFrame({"village_id": "v", "period": ["2017H1", "2017H2", "2017H1", "2017H2"],
    ...                      "indicator": ["poor_households", "poor_households", "poverty_incidence",
    ...                                    "poverty_incidence"], "value": [40.0, 30.0, 0.12, 0.09],
    ...                      "unit": ["households", "households", "ratio", "ratio"]})
    >>> out = add_changes(long)
    >>> out[["period", "indicator", "change", "change_unit", "change_rel"]].round(4).values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['2017H1', 'poor_households', nan, 'households', nan], ['2017H1', 'poverty_incidence', nan,
      'percentage_points', nan], ['2017H2', 'poor_households', -10.0, 'households', -0.25],
     ['2017H2', 'poverty_incidence', -3.0, 'percentage_points', nan]]
    """
    out = long.copy()
    codes = pd.unique(out["period"])
    parsed = {c: parse_period(c) for c in codes}
    out["_kind"] = out["period"].map({c: p.kind for c, p in parsed.items()})
    out["_start"] = out["period"].map({c: p.start for c, p in parsed.items()})
    out["_row"] = np.arange(len(out))
    out = out.sort_values(["village_id", "_start", "_row"], kind="stable").reset_index(drop=True)
    has = out["value"].notna()
    valued = out.loc[has, ["village_id", "indicator", "_kind", "period", "value"]]
    previous = valued.groupby(["village_id", "indicator", "_kind"], sort=False)[["period", "value"]].shift(1)
    out["previous_period"] = previous["period"].reindex(out.index)
    out["previous_value"] = previous["value"].reindex(out.index).astype(float)
    diff = out["value"] - out["previous_value"]
    unit = {u: UNITS.get(u) for u in pd.unique(out["unit"])}
    ratio = out["unit"].map({u: x is not None and x.display == "percent" for u, x in unit.items()}).astype(bool)
    out["change"] = np.where(ratio, diff * 100.0, diff)
    out["change_unit"] = np.where(ratio, "percentage_points", out["unit"])
    relative = out["unit"].map({u: x is None or x.relative_change for u, x in unit.items()}).astype(bool) \
        & out["previous_value"].ne(0)
    out["change_rel"] = np.where(relative, diff / out["previous_value"].where(relative, np.nan), np.nan)
    return out.drop(columns=["_kind", "_start", "_row"])


def long_sheet(sheets: list[pd.DataFrame]) -> IndicatorSheet:
    """Indicator sheets of one village's periods (oldest first) stacked, with the changes of
    :func:`add_changes`: the long sheet of the trends report, and of a period report with its history
    (``long_sheet([r.sheet for r in earlier] + [results.sheet])``). Nothing is computed again here.

    Returns
    -------
    IndicatorSheet
        Columns :data:`LONG_COLUMNS`; one block of rows per period, oldest first.
    """
    stacked = pd.concat([pd.DataFrame(s) for s in sheets], ignore_index=True)
    return IndicatorSheet(add_changes(stacked)[list(LONG_COLUMNS)])


def period_steps(first: Period | str, last: Period | str) -> int:
    """Periods from ``first`` to ``last`` (both of one kind): 2017H1 → 2018H1 is 2 half-years.

    >>> period_steps("2017H1", "2018H1"), period_steps("2018Q4", "2018Q1")
    (2, -3)
    """
    a, b = parse_period(str(first)), parse_period(str(last))
    if a.kind != b.kind:
        raise ValueError(f"{a.code} and {b.code} are periods of different kinds")
    per = PER_YEAR[a.kind]
    return (b.year * per + b.index) - (a.year * per + a.index)


def exit_pace(incidence: pd.Series, exit_threshold: float, target: Period | str) -> dict:
    """The pace of poverty reduction so far against the pace needed to reach the exit threshold by ``target``.

    .. math::

        pace\\_so\\_far = \\frac{I_{last} - I_{first}}{n_{elapsed}}, \\quad
        pace\\_needed = \\frac{T - I_{last}}{n_{left}}

    with I the poverty incidence [ratio], T the exit threshold [ratio], n_elapsed the periods from the
    first to the last period of ``incidence`` and n_left those from the last to ``target``; both paces in
    [ratio per period] (negative = falling). pace_needed is 0 when I_last < T already (the exit test is
    incidence *below* the threshold), NaN when the target is not after the last period; pace_so_far is NaN
    with fewer than two periods. ``on_course``: I_last < T, or pace_so_far ≤ pace_needed (falling at least
    as fast as needed).

    Parameters
    ----------
    incidence : Series
        Poverty incidence by period code (one kind), NaN entries are dropped. [ratio]
    exit_threshold : float
        The village's exit threshold. [ratio]
    target : Period or str
        The period by which the village should be below the threshold.

    Returns
    -------
    dict
        ``first_period``, ``last_period``, ``incidence_first``, ``incidence_last`` [ratio],
        ``periods_elapsed``, ``pace_so_far`` [ratio per period], ``target_period``, ``periods_left``,
        ``pace_needed`` [ratio per period], ``projected_at_target`` (I_last + pace_so_far · n_left) [ratio],
        ``on_course`` (bool).

    Examples
    --------
    >>> p = exit_pace(pd.Series({"2017H1": 0.30, "2017H2": 0.25, "2018H1": 0.20}), 0.03, "2019H2")
    >>> round(p["pace_so_far"], 4), p["periods_left"], round(p["pace_needed"], 4), p["on_course"]
    (-0.05, 3, -0.0567, False)
    >>> round(p["projected_at_target"], 4)
    0.05
    """
    s = incidence.dropna()
    if s.empty:
        raise ValueError("no incidence value")
    order = sorted(s.index, key=lambda c: parse_period(str(c)).start)
    s = s[order]
    first, last = str(s.index[0]), str(s.index[-1])
    target = parse_period(str(target))
    elapsed = period_steps(first, last)
    left = period_steps(last, target)
    i0, i1 = float(s.iloc[0]), float(s.iloc[-1])
    so_far = (i1 - i0) / elapsed if elapsed > 0 else math.nan
    if i1 < exit_threshold:
        needed = 0.0
    else:
        needed = (exit_threshold - i1) / left if left > 0 else math.nan
    reached = i1 < exit_threshold
    on_course = bool(reached or (not math.isnan(so_far) and not math.isnan(needed) and so_far <= needed))
    return {"first_period": first, "last_period": last, "incidence_first": i0, "incidence_last": i1,
            "periods_elapsed": elapsed, "pace_so_far": so_far, "target_period": target.code,
            "periods_left": left, "pace_needed": needed,
            "projected_at_target": i1 + so_far * left if not math.isnan(so_far) else math.nan,
            "on_course": on_course}


def series(long: pd.DataFrame, indicator: str) -> pd.Series:
    """One indicator's value by period code from a long sheet (oldest first).

    >>> long = pd.DataFrame({"period": ["2017H1", "2017H2"], "indicator": "x", "value": [1.0, 2.0]})
    >>> series(long, "x").to_dict()
    {'2017H1': 1.0, '2017H2': 2.0}
    """
    rows = long[long["indicator"] == indicator]
    return pd.Series(rows["value"].to_numpy(dtype=float), index=rows["period"].to_numpy(), name=indicator)


def format_change(change: float, change_unit: str, lang: str = "zh") -> str:
    """A change for people, with its sign: ``-3.0 个百分点``, ``+2 户``; a dash when unknown.

    >>> format_change(-3.0, "percentage_points"), format_change(2.0, "households", "en")
    ('-3.0 个百分点', '+2 households')
    """
    if change is None or pd.isna(change):
        return "—"
    sign = "+" if change > 0 else ""
    if change_unit == "percentage_points":
        return f"{sign}{change:.1f} {unit_name('percentage_points', lang)}"
    return sign + format_value(change, change_unit, lang)
