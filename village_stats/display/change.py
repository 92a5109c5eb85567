"""Change and trends for reports: the stock-flow table and waterfall, the incidence trend against the exit
threshold with the pace needed, a "比上期" column for indicator tables, and the section 变化与趋势.

Charts return :class:`matplotlib.figure.Figure`; the section is shown only with the display primitives of
:mod:`village_stats.display.views`. Every number comes from :mod:`village_stats.panel`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..evaluate import Results
from ..indicators import CATALOGUE, label
from ..labels import t
from ..load import PeriodData
from ..panel import stockflow, trend
from ..periods import Period, parse_period
from ..schema import HOUSEHOLD_STATUSES
from ..units import format_value
from . import chartstyle, plotting, views
from .chartstyle import BLUE, GREEN, GREY, ORANGE, RED, WIDTH_IN  # noqa: F401  (the one chart style)
from .tables import typed

#: Terms of the stock-flow, in table and waterfall order, with their sign in the waterfall.
TERMS = (("start", 0), ("new", 1), ("returned", 1), ("inconsistent_in", 1), ("exited", -1), ("removed", -1),
         ("inconsistent_out", -1), ("size_change", 1), ("end", 0))


def _figure(height: float) -> Figure:
    return chartstyle.figure(height)


def _finish(fig: Figure, ax, title: str) -> Figure:
    return plotting.finish_chart(fig, ax, title)


def stock_flow_table(terms: pd.Series, lang: str = "zh") -> pd.DataFrame:
    """The stock-flow terms as a labelled table: term, households, persons (size change: persons only).

    Each cell is the term's size, named by its unit, after its direction: ``+`` for what adds to the
    poor, ``−`` for what leaves them, nothing for the start, the end and a zero.
    """
    hh_head, pp_head = t("sf_households", lang), t("sf_persons", lang)
    rows, directions = [], {hh_head: [], pp_head: []}
    for term, sign in TERMS:
        hh = float(terms.get(f"poor_households_{term}", math.nan))
        pp = float(terms.get(f"poor_population_{term}", math.nan))
        rows.append((t(f"sf_{term}", lang), hh, pp))
        for head, v in ((hh_head, hh), (pp_head, pp)):
            directions[head].append({1: "+", -1: "−", 0: ""}[sign] if v and not math.isnan(v) else "")
    frame = pd.DataFrame(rows, columns=[t("sf_term", lang), hh_head, pp_head])
    return typed(frame, lang=lang, units={hh_head: ["households"] * len(rows), pp_head: ["persons"] * len(rows)},
                 prefix=directions)


def waterfall_chart(terms: pd.Series, before: str, after: str, lang: str = "zh", unit: str = "households") -> Figure:
    """Waterfall of the poor: start → +new → +returned → −exited → −removed → end.

    The inconsistent moves (and, for persons, the size change) get their own bars when not zero, so the
    bars always close on the end value.

    Parameters
    ----------
    terms : Series
        :func:`village_stats.panel.stockflow.stock_flow` terms.
    before, after : str
        Period codes (for the title).
    unit : str
        ``households`` or ``persons``.
    """
    prefix = "poor_households_" if unit == "households" else "poor_population_"
    names, bottoms, heights, colours, texts = [], [], [], [], []
    level = 0.0
    for term, sign in TERMS:
        key = prefix + term
        if key not in terms.index:
            continue
        v = float(terms[key])
        if sign and v == 0 and term not in ("new", "returned", "exited", "removed"):
            continue
        names.append(t(f"sf_{term}", lang))
        if sign == 0:
            bottoms.append(0.0)
            heights.append(v)
            colours.append(BLUE)
            texts.append(f"{v:,.0f}")
            level = v
        else:
            delta = sign * v
            bottoms.append(min(level, level + delta))
            heights.append(abs(delta))
            colours.append(GREEN if delta > 0 else (RED if delta < 0 else GREY))
            texts.append(chartstyle.no_zero_sign(f"{'+' if sign > 0 else '−'}{v:,.0f}"))
            level += delta
    fig = _figure(2.8)
    ax = fig.subplots()
    x = np.arange(len(names))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    top = max([b + h for b, h in zip(bottoms, heights)] + [1.0])
    for i, (b, h, text) in enumerate(zip(bottoms, heights, texts)):
        ax.text(i, b + h + top * 0.015, text, ha="center", va="bottom")
    ax.set_xticks(x, names)
    chartstyle.count_axis(ax, "y", high=top * 1.15)
    ax.set_ylabel(t("households" if unit == "households" else "persons_axis", lang))
    return _finish(fig, ax, t("chart_waterfall", lang, before=before, after=after))


def trend_chart(long: pd.DataFrame, lang: str = "zh", exit_target: str | Period | None = None) -> Figure:
    """Poverty incidence over the periods of a long sheet against the exit threshold [percent].

    Periods with no data are a visible gap (shaded, marked 无数据): the incidence and the threshold are
    drawn only within runs of consecutive periods, never as a line across the gap. Period labels are
    short (``17上``) when many (:func:`village_stats.display.chartstyle.period_axis`); with more than
    eight periods only the first and last of each run carry their value.

    With ``exit_target``, two lines from the last period to the target: the pace needed to be at the
    threshold by then and the pace so far (:func:`village_stats.panel.trend.exit_pace`).
    """
    inc = trend.series(long, "poverty_incidence").dropna()
    thr = trend.series(long, "exit_threshold").reindex(inc.index)
    first = str(inc.index[0])
    pos = np.array([trend.period_steps(first, str(c)) for c in inc.index])
    values = inc.to_numpy() * 100
    fig = _figure(3.0)
    ax = fig.subplots()
    stretches = chartstyle.runs(pos)
    chartstyle.mark_gaps(ax, pos, lang)
    for k, idx in enumerate(stretches):
        ax.plot(pos[idx], values[idx], color=BLUE, marker="o", label=t("incidence", lang) if k == 0 else "_")
        th = thr.to_numpy()[idx] * 100
        if np.isfinite(th).any():
            xs = np.concatenate([[pos[idx][0] - 0.3], pos[idx], [pos[idx][-1] + 0.3]])
            ax.step(xs, np.concatenate([[th[0]], th, [th[-1]]]), where="mid", color=RED, linewidth=1.4,
                    label=t("threshold", lang) if k == 0 else "_")
    annotated = set(range(len(pos))) if len(pos) <= 8 else {int(i) for r in stretches for i in (r[0], r[-1])}
    for i in sorted(annotated):
        ax.annotate(f"{values[i]:.1f}%", (pos[i], values[i]), textcoords="offset points", xytext=(0, 6),
                    ha="center", fontsize="small")
    threshold = float(thr.dropna().iloc[-1]) if thr.notna().any() else math.nan
    extra: dict[int, str] = {}
    top = float(np.nanmax(values)) if len(values) else 0.0
    if exit_target is not None and not math.isnan(threshold):
        pace = trend.exit_pace(inc, threshold, exit_target)
        left = pace["periods_left"]
        if left > 0:
            end = pos[-1] + left
            extra[int(end)] = chartstyle.short_period_label(pace["target_period"], lang) if len(pos) > 3 \
                else parse_period(pace["target_period"]).label(lang)
            last = values[-1]
            needed_end = last + pace["pace_needed"] * left * 100
            ax.plot([pos[-1], end], [last, needed_end], color=ORANGE, linestyle="--", label=t("pace_needed", lang))
            ax.plot([pos[-1], end], [threshold * 100] * 2, color=RED, linewidth=1.0, linestyle=(0, (1, 2)))
            if not math.isnan(pace["pace_so_far"]):
                ax.plot([pos[-1], end], [last, max(0.0, pace["projected_at_target"] * 100)], color=GREY,
                        linestyle=":", label=t("pace_so_far", lang))
    chartstyle.period_axis(ax, pos, inc.index, lang, extra)
    high = max(top, threshold * 100 if not math.isnan(threshold) else 0.0) * 1.2
    chartstyle.percent_axis(ax, "y", high=max(high, 1.0))
    ax.set_ylabel(t("percent", lang))
    chartstyle.legend_below(fig, 4)
    return _finish(fig, ax, t("chart_trend", lang))


def change_table(long: pd.DataFrame, period: str, indicators, lang: str = "zh") -> pd.DataFrame:
    """:func:`views.indicator_table` of one period of a long sheet plus the column 比上期 (change since the
    previous period of the same kind, in its change unit and signed: ``+2 户``, ``-3.0 个百分点``; a dash
    when there is none)."""
    rows = long[long["period"] == str(period)]
    table = views.indicator_table(rows, indicators, lang)
    by_id = rows.set_index("indicator")
    shown = [i for i in indicators if i in by_id.index]
    head = since_text(period, compared_with(long, period), lang)
    table[head] = [float(by_id.loc[i, "change"]) for i in shown]
    spec = table.attrs["table"]
    spec["units"][head] = [_change_unit(by_id.loc[i, "change_unit"]) for i in shown]
    spec["signed"] = [*spec["signed"], head]
    return table


def _change_unit(unit) -> str:
    """The unit of a change as the long sheet gives it (a plain number where it gives none)."""
    return unit if isinstance(unit, str) else "number"


def _status(s: str, lang: str) -> str:
    return t("sf_absent", lang) if s == "absent" else HOUSEHOLD_STATUSES.label(s, lang)


def previous_with_register(panel: list[PeriodData], period: Period) -> PeriodData | None:
    """The latest period before ``period`` of the same kind that has a household register."""
    earlier = [d for d in panel if d.period.kind == period.kind and d.period.start < period.start
               and d.has("households")]
    return earlier[-1] if earlier else None


def show_stock_flow(previous: PeriodData, current: PeriodData, lang: str = "zh") -> None:
    """The stock-flow of the poor between two periods: table, waterfall, the register's end against
    population.csv, and the inconsistent moves by household id."""
    b, a = stockflow.registers(previous, current)
    m = stockflow.match(b, a)
    terms = stockflow.stock_flow(b, a, m)
    before, after = previous.period.label(lang), current.period.label(lang)
    views.show_subheading("sf_title", lang, before=before, after=after)
    views.show_table(stock_flow_table(terms, lang), t("sf_title", lang, before=before, after=after))
    views.show_figure(waterfall_chart(terms, before, after, lang))
    reported = current.measures()
    hh, pp = reported.get("poor_households", math.nan), reported.get("poor_population", math.nan)
    text = t("sf_reconcile", lang, register=f"{terms['poor_households_end']:,.0f}",
             register_persons=f"{terms['poor_population_end']:,.0f}",
             reported="—" if math.isnan(hh) else f"{hh:,.0f}", reported_persons="—" if math.isnan(pp) else f"{pp:,.0f}")
    if (hh, pp) != (terms["poor_households_end"], terms["poor_population_end"]):
        text += t("sf_reconcile_differs", lang)
    views.show_text(text)
    views.show_subheading("inconsistent_title", lang)
    moves = stockflow.inconsistent_moves(b, a, m)
    ids = t("list_sep", lang).join(
        t("with_note", lang, text=r.household_id,
          note=f"{_status(r.status_before, lang)} → {_status(r.status_after, lang)}")
        for r in moves.itertuples(index=False))
    views.show_text(t("inconsistent_list", lang, ids=ids or t("none", lang)))


def show_trend(long: pd.DataFrame, lang: str = "zh", exit_target: str | Period | None = None) -> None:
    """The incidence trend of a long sheet against the exit threshold, and with ``exit_target`` the pace
    so far against the pace needed, in a sentence."""
    if not trend.series(long, "poverty_incidence").notna().any():
        return
    views.show_subheading("trend_title", lang)
    views.show_figure(trend_chart(long, lang, exit_target))
    threshold = trend.series(long, "exit_threshold").dropna()
    if exit_target is None or threshold.empty:
        return
    pace = trend.exit_pace(trend.series(long, "poverty_incidence"), float(threshold.iloc[-1]), exit_target)
    if not math.isnan(pace["pace_so_far"]) and not math.isnan(pace["pace_needed"]):
        views.show_text(t("pace_text", lang, so_far=f"{pace['pace_so_far'] * 100:+.1f}",
                          needed=f"{pace['pace_needed'] * 100:+.1f}",
                          target=parse_period(pace["target_period"]).label(lang),
                          verdict=t("on_course" if pace["on_course"] else "off_course", lang)))


def show_change_section(current: Results, earlier: list[Results], lang: str = "zh",
                        exit_target: str | Period | None = None, long: pd.DataFrame | None = None) -> None:
    """The section 变化与趋势 / Change and trends of a period report.

    The stock-flow of the poor since the previous period of the same kind with a register (table and
    waterfall), the households with inconsistent moves (by id), the register's end against population.csv,
    and the incidence trend over every period so far against the exit threshold (with the pace needed by
    ``exit_target`` when given). ``earlier`` are the results of the periods of the same kind before this
    one (oldest first) and ``long`` their long sheet with this one's (:func:`village_stats.panel.trend.long_sheet`).
    Nothing is read again and no indicator is evaluated again; the one thing computed here is the
    stock-flow between the two registers (:mod:`village_stats.panel.stockflow`), which no indicator holds.
    """
    data = current.data
    views.show_heading("sec_change", lang)
    previous = previous_with_register([r.data for r in earlier] + [data], data.period) \
        if data.has("households") else None
    if previous is None:
        views.show_text(t("no_previous", lang))
    else:
        show_stock_flow(previous, data, lang)
    show_trend(long if long is not None else trend.long_sheet([r.sheet for r in [*earlier, current]]), lang,
               exit_target)


def compared_with(long: pd.DataFrame, period: str | Period) -> str | None:
    """The period a period's changes in a long sheet are computed against (its ``previous_period``), or None."""
    prev = long.loc[long["period"] == str(period), "previous_period"].dropna()
    prev = prev[prev.astype(str) != ""]
    return str(prev.iloc[0]) if len(prev) else None


def adjacent(period: str | Period, previous: str | None) -> bool:
    """Whether ``previous`` is the period just before ``period`` (so 比上期 says the truth).

    >>> adjacent("2018H2", "2018H1"), adjacent("2021H1", "2018H2"), adjacent("2018H1", None)
    (True, False, True)
    """
    return previous is None or parse_period(str(period)).previous().code == str(previous)


def since_text(period: str | Period, previous: str | None, lang: str = "zh") -> str:
    """The head of a change column: 比上期 when ``previous`` is the period just before, else the period named
    (较2018年下半年: across a gap of periods).

    >>> since_text("2021H1", "2018H2"), since_text("2018H2", "2018H1")
    ('较2018年下半年', '比上期')
    """
    if adjacent(period, previous):
        return t("change_since", lang)
    return t("change_since_period", lang, period=parse_period(str(previous)).label(lang))


def key_changes(long: pd.DataFrame | None, period: str | Period, lang: str = "zh") -> dict:
    """Indicator id → its change since the previous period as people read it (``-1.2 个百分点``), for the
    key-figure box; when the period compared with is not the one just before, (change, that period's
    label), so the box names it (较2018年下半年 -26 户). Empty without an earlier period."""
    if long is None:
        return {}
    rows = long[long["period"] == str(period)].set_index("indicator")
    previous = compared_with(long, period)
    named = None if adjacent(period, previous) else parse_period(str(previous)).label(lang)
    return {i: (text if named is None else (text, named))
            for i, r in rows.iterrows()
            if isinstance(r["change_unit"], str) and not (isinstance(r["change"], float) and math.isnan(r["change"]))
            for text in [trend.format_change(r["change"], r["change_unit"], lang)]}


def table_with_change(sheet: pd.DataFrame, long: pd.DataFrame | None, period: str | Period, indicators,
                      lang: str = "zh") -> pd.DataFrame:
    """An indicator table of this period with the column 比上期 when an earlier period exists
    (:func:`change_table`), else :func:`views.indicator_table` of ``sheet``."""
    if long is None:
        return views.indicator_table(sheet, indicators, lang)
    return change_table(long, str(period), indicators, lang)


#: Indicators of the trends report's table (those a period has are shown).
TREND_INDICATORS = ("households_total", "population_total", "poor_households", "poor_population", "poverty_incidence",
                    "exit_threshold", "poverty_reduction_needed", "register_poor_households",
                    "register_poor_population", "fgt0", "fgt1", "gini", "mpi_h", "mpi_m0",
                    "exit_eligible_households", "exited_failing_criteria_households")


def trend_table(long: pd.DataFrame, indicators=TREND_INDICATORS, lang: str = "zh", periods=None) -> pd.DataFrame:
    """Indicators (rows) by period (columns): each value in its unit, with its change since the previous
    period (signed, in its change unit) printed after it in the same cell: ``26 户（-5 户）``. The change is
    a column of its own (headed by the period and 比上期) that the report joins to the value's. A period
    whose change is against an earlier one than the period just before names it in its header:
    ``2021年上半年（较2018年下半年）``. ``periods``: the period codes to show (default: all)."""
    from ..indicators import label

    periods = list(pd.unique(long["period"])) if periods is None else [str(p) for p in periods]
    by_key = long.set_index(["indicator", "period"])
    chosen = [ind for ind in indicators if ind in set(long["indicator"])]
    frame = pd.DataFrame({t("indicator", lang): [label(ind, lang) for ind in chosen]})
    units, join = {}, {}
    note = t("with_note", lang, text="", note="{}")
    for p in periods:
        rows = [by_key.loc[(ind, p)] if (ind, p) in by_key.index else None for ind in chosen]
        value = parse_period(p).label(lang)
        previous = compared_with(long, p)
        change = t("with_note", lang, text=value, note=since_text(p, previous, lang))
        if not adjacent(p, previous):  # the header names the period compared with; the cells stay short
            value = change
            change = t("with_note", lang, text=change, note=t("change_since", lang))
        frame[value] = [math.nan if r is None else float(r["value"]) for r in rows]
        frame[change] = [math.nan if r is None else float(r["change"]) for r in rows]
        units[value] = [by_key.loc[ind, "unit"].iloc[0] if r is None else r["unit"] for ind, r in zip(chosen, rows)]
        units[change] = [_change_unit(None if r is None else r["change_unit"]) for r in rows]
        join[change] = note
    return typed(frame, lang=lang, units=units, join=join, signed=list(join))


#: Periods per block of the trends table: wider tables wrap every cell on portrait A4.
PERIODS_PER_BLOCK = 4


def show_trend_tables(long: pd.DataFrame, indicators=TREND_INDICATORS, lang: str = "zh",
                      per_block: int = PERIODS_PER_BLOCK) -> None:
    """The trends table in blocks of at most ``per_block`` periods (:func:`trend_table`), each a numbered
    table captioned with its span, so eight periods never squeeze into one portrait page's width."""
    periods = list(pd.unique(long["period"]))
    n = max(1, math.ceil(len(periods) / per_block))
    size = math.ceil(len(periods) / n)  # blocks of even size: 8 → 4 + 4, 5 → 3 + 2
    for i in range(0, len(periods), size):
        part = periods[i:i + size]
        caption = t("tab_trends_block", lang, first=parse_period(part[0]).label(lang),
                    last=parse_period(part[-1]).label(lang))
        views.show_table(trend_table(long, indicators, lang, periods=part), caption)


def show_trends_title(panel: list[PeriodData], lang: str = "zh") -> None:
    """Title of the trends report: the village and the span of periods."""
    v = panel[-1].village
    title = t("trends_title", lang, village=v.name(lang), first=panel[0].period.label(lang),
              last=panel[-1].period.label(lang))
    views.show_title_block(title, warning=t("fictional", lang) if v.fictional else "")


def show_stock_flows(panel: list[PeriodData], lang: str = "zh") -> None:
    """The stock-flow of every consecutive pair of periods of one kind that both have a register."""
    shown = False
    for i, current in enumerate(panel):
        previous = previous_with_register(panel[:i], current.period) if current.has("households") else None
        if previous is not None:
            show_stock_flow(previous, current, lang)
            shown = True
    if not shown:
        views.show_text(t("no_previous", lang))


def count_trend_chart(long: pd.DataFrame, indicator: str = "poor_population", lang: str = "zh") -> Figure:
    """One count or amount over the periods of a long sheet (bars, the value on each): e.g. the poor
    population by period [persons]. A period without a value gets no bar; the alt text lists the values.

    Parameters
    ----------
    long : DataFrame
        Columns ``period``, ``indicator``, ``value`` (a long sheet, or a village's rows of roll-ups).
    indicator : str
        The indicator drawn (its catalogue label names the chart; its unit formats the values).
    """
    values = trend.series(long, indicator)
    unit = CATALOGUE[indicator].unit
    codes = [str(c) for c in values.index]
    pos = np.array([trend.period_steps(codes[0], c) for c in codes]) if codes else np.array([])
    known = values.notna().to_numpy()
    fig = _figure(2.6)
    ax = fig.subplots()
    ax.bar(pos[known], values.to_numpy()[known], color=BLUE, width=0.6)
    top = float(np.nanmax(values.to_numpy())) if known.any() else 1.0
    for p, v in zip(pos[known], values.to_numpy()[known]):
        ax.annotate(f"{v:,.0f}", (p, v), textcoords="offset points", xytext=(0, 3), ha="center", va="bottom")
    chartstyle.mark_gaps(ax, pos, lang)
    chartstyle.period_axis(ax, pos, codes, lang)
    chartstyle.count_axis(ax, "y", high=max(top, 1.0) * 1.2)
    name = label(indicator, lang)
    alt = t("site_alt_count_trend", lang, indicator=name, values=t("list_sep", lang).join(
        f"{parse_period(c).label(lang)} {format_value(v, unit, lang)}" for c, v in zip(codes, values.to_numpy())))
    fig = plotting.finish_chart(fig, ax, t("site_chart_count_trend", lang, indicator=name), alt=alt)
    return fig
