"""Sections of the county report (notebooks/county_report.ipynb): labelled tables, charts and text.

Every number comes from :mod:`village_stats.panel.rollup` (the roll-up sheets and the overview built from
them); this module only labels, formats and shows, with the primitives of :mod:`village_stats.display.views`.
A protected roll-up (``--suppress-below``) hides rows (``suppressed``): a table prints the suppressed mark
(``labels.TEXT["suppressed"]``) in their cells, a chart leaves them out, the summary never states them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..document import number_text
from ..indicators import CATALOGUE, label
from ..labels import column, place, t, unit_name
from ..panel.rollup import County, exit_readiness, hidden_by_group, register_disagreements, village_overview, wide
from ..periods import parse_period
from . import chartstyle, plotting, views
from .chartstyle import BLUE, GREEN, GREY, ORANGE, WIDTH_IN  # noqa: F401  (the one chart style)
from .tables import typed

KEY_INDICATORS = ("households_total", "population_total", "poor_households", "poor_population", "poverty_incidence",
                  "poverty_reduction_needed", "contact_rate", "investment_committed_yuan",
                  "investment_committed_per_poor_person_yuan", "register_population", "fgt0", "fgt1", "mpi_h")


def _name(county: County, village_id: str, lang: str) -> str:
    row = county.villages.set_index("village_id").loc[village_id]
    return row[column("name", lang)]


def _place(county: County, township: str | None, lang: str = "zh") -> str:
    """The county (and township) as the report names it: in English the English names, else pinyin."""
    if not len(county.villages):
        return ""
    first = county.villages.iloc[0]
    name = place(first["county_zh"], first.get("county_en", "") or "", lang)
    return name + ((t("clause_sep_place", lang) + township_name(county, township, lang)) if township else "")


def township_name(county: County, township_zh: str, lang: str = "zh") -> str:
    """A township (its ``township_zh``, the roll-up's group id) in ``lang``: village.yaml's township_en of
    one of its villages, else pinyin (:func:`village_stats.labels.place`)."""
    v = county.villages
    rows = v[v["township_zh"] == township_zh] if "township_en" in v else v.iloc[0:0]
    en = next((x for x in rows.get("township_en", []) if isinstance(x, str) and x), "")
    return place(township_zh, en, lang)


# --------------------------------------------------------------------------- tables and text (pure)

def key_figures_table(county_sheet: pd.DataFrame, county: County, lang: str = "zh") -> pd.DataFrame:
    """The county's key figures (one roll-up row per indicator, each value in its own unit) after the villages
    with data (of all villages: ``23 / 24``) and the villages missing."""
    s = county_sheet.set_index("indicator")
    value, of = t("value", lang), t("villages_count", lang)
    rows = [(t("villages_with_data", lang), float(len(county.sheets)), float(len(county.villages))),
            (t("villages_missing", lang), float(len(county.missing)), None)]
    units = ["number", "number"]
    hidden = set().union(*hidden_by_group(county_sheet).values())
    for ind in KEY_INDICATORS:
        if ind in s.index:
            rows.append((label(ind, lang), _cell(s.loc[ind, "value"], ind in hidden, lang), None))
            units.append(s.loc[ind, "unit"])
    frame = pd.DataFrame(rows, columns=[t("indicator", lang), value, of])
    return typed(frame, lang=lang, units={value: units, of: "number"}, join={of: " / {}"})


def summary_text(county_sheet: pd.DataFrame, overview: pd.DataFrame, county: County, lang: str = "zh") -> str:
    """The summary paragraph of the county: coverage, incidence, villages exit-ready, investment."""
    v = wide(county_sheet).iloc[0]
    hidden = set().union(*hidden_by_group(county_sheet).values())

    def f(ind):  # as the tables print it (per-person money in whole yuan); a hidden figure is never stated
        if ind in hidden:
            return t("suppressed", lang)
        return number_text(float(v.get(ind, math.nan)), county_sheet.set_index("indicator").loc[ind, "unit"]
                           if ind in v.index else "count", lang)

    ready_hidden = "hidden" in overview and any("exit_ready" in h for h in overview["hidden"])
    return t("county_summary_ready_hidden" if ready_hidden else "county_summary", lang, covered=len(county.sheets),
             villages=len(county.villages), population=f("population_total"), poor=f("poor_population"),
             incidence=f("poverty_incidence"), ready=int(overview["exit_ready"].sum()),
             needed=f("poverty_reduction_needed"),
             invested=f("investment_committed_yuan"), per_poor=f("investment_committed_per_poor_person_yuan"))


#: Columns of the village table: overview column, short header key (naming the unit), unit id (``yes_no``:
#: text).
VILLAGE_COLUMNS = (("poverty_incidence", "col_incidence", "ratio"), ("poor_population", "col_poor", "persons"),
                   ("poverty_reduction_needed", "col_to_lift", "persons"), ("exit_ready", "exit_ready", "yes_no"),
                   ("investment_committed_yuan", "col_committed", "yuan"),
                   ("investment_committed_per_poor_person_yuan", "col_per_poor", "yuan_per_person"),
                   ("contact_rate", "col_contacts", "ratio"), ("fgt0", "col_fgt0", "ratio"),
                   ("fgt1", "col_fgt1", "index"), ("mpi_h", "col_mpi_h", "ratio"))


def _number(value) -> float:
    """A value of the roll-up as a table stores it (None for unknown)."""
    return math.nan if value is None else float(value)


def _cell(value, hidden: bool, lang: str):
    """A table cell: the suppressed mark for a value a protected roll-up hides, else the number."""
    return t("suppressed", lang) if hidden else _number(value)


def villages_table(overview: pd.DataFrame, lang: str = "zh", county: County | None = None) -> pd.DataFrame:
    """Every village with data, sorted by incidence: :data:`VILLAGE_COLUMNS`, short headers with units."""
    out = pd.DataFrame({
        t("village", lang): list(overview[column("name", lang)]),
        t("township", lang): [place(z, "", lang) if county is None else township_name(county, z, lang)
                              for z in overview["township_zh"]],
    })
    units = {}
    hidden = list(overview["hidden"]) if "hidden" in overview else [frozenset()] * len(overview)
    for col, key, unit in VILLAGE_COLUMNS:
        if unit == "yes_no":
            out[t(key, lang)] = [t("suppressed", lang) if col in h else "—" if pd.isna(x)
                                 else t("yes" if x else "no", lang) for x, h in zip(overview[col], hidden, strict=True)]
            units[t(key, lang)] = "text"
        else:
            out[t(key, lang)] = [_cell(x, col in h, lang) for x, h in zip(overview[col], hidden, strict=True)]
            units[t(key, lang)] = unit
    return typed(out, lang=lang, units=units, nowrap=(t("village", lang), t("township", lang)))


def exit_table(readiness: pd.DataFrame, lang: str = "zh", county: County | None = None) -> pd.DataFrame:
    """Exit readiness by township, labelled: villages, exit-ready villages and their share, incidence, and the
    persons still to lift (each cell naming its unit)."""
    needed = label("poverty_reduction_needed", lang)
    hidden = list(readiness["hidden"]) if "hidden" in readiness else [frozenset()] * len(readiness)

    def cells(col: str, key: str | None = None) -> list:
        return [_cell(x, (key or col) in h, lang) for x, h in zip(readiness[col], hidden, strict=True)]

    frame = pd.DataFrame({
        t("township", lang): [place(z, "", lang) if county is None else township_name(county, z, lang)
                              for z in readiness.index],
        t("villages_count", lang): [float(x) for x in readiness["villages"]],
        t("exit_ready", lang): cells("exit_ready"),
        t("exit_ready_share", lang): cells("exit_ready_share", "exit_ready"),
        label("poverty_incidence", lang): cells("poverty_incidence"),
        needed: cells("poverty_reduction_needed"),
    })
    return typed(frame, lang=lang, units={t("exit_ready_share", lang): "ratio", label("poverty_incidence", lang): "ratio",
                                          needed: ["persons"] * len(frame)})


def disagreements_table(disagreements: pd.DataFrame, county: County, lang: str = "zh") -> pd.DataFrame:
    """Villages whose register disagrees with the reported figures, labelled; each difference in the reported
    measure's own unit."""
    difference = t("county_difference", lang)
    out = pd.DataFrame({
        t("village", lang): [_name(county, v, lang) for v in disagreements["village_id"]],
        t("county_measure", lang): [label(m, lang) for m in disagreements["measure"]],
        difference: [d if isinstance(d, str) else _number(d) for d in disagreements["difference"]],
    })
    return typed(out, lang=lang, units={difference: [CATALOGUE[m].unit for m in disagreements["measure"]]},
                 nowrap=(t("village", lang),))


def missing_text(county: County, lang: str = "zh") -> str:
    """The villages lacking the period, named."""
    if not county.missing:
        return t("none_missing", lang)
    return t("missing_list", lang, n=len(county.missing),
             names=t("list_sep", lang).join(t("with_note", lang, text=_name(county, v, lang), note=v)
                                            for v in county.missing))


# --------------------------------------------------------------------------- charts

def _figure(rows: int) -> tuple[Figure, object]:
    fig = chartstyle.figure(max(2.5, 0.24 * rows + 1.0))
    return fig, fig.add_subplot()


def _finish(fig: Figure, ax, title_key: str, lang: str) -> Figure:
    return plotting.finish_chart(fig, ax, t(title_key, lang))


def incidence_dot_chart(overview: pd.DataFrame, lang: str = "zh") -> Figure:
    """Poverty incidence of each village (dots, percent) against its own exit threshold (bars)."""
    names = overview[column("name", lang)].tolist()
    fig, ax = _figure(len(names))
    y = np.arange(len(names))
    ax.scatter(overview["exit_threshold"] * 100, y, marker="|", s=160, color=GREY, label=t("threshold", lang))
    colours = [GREEN if r == 1 else ORANGE if r == 0 else GREY for r in overview["exit_ready"]]
    ax.scatter(overview["poverty_incidence"] * 100, y, color=colours, s=28, zorder=3, label=t("incidence", lang))
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    high = np.nanmax(np.concatenate([overview["poverty_incidence"].to_numpy(dtype=float) * 100,
                                     overview["exit_threshold"].to_numpy(dtype=float) * 100, [1.0]]))
    chartstyle.percent_axis(ax, "x", high=high * 1.1)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="x", color="#e5e5e5")
    chartstyle.legend_below(fig, 2)
    return _finish(fig, ax, "chart_incidence_villages", lang)


def per_poor_chart(overview: pd.DataFrame, lang: str = "zh") -> Figure:
    """Committed investment per poor person by village (horizontal bars, highest first)."""
    o = overview.sort_values("investment_committed_per_poor_person_yuan", ascending=False, na_position="last")
    names = o[column("name", lang)].tolist()
    vals = o["investment_committed_per_poor_person_yuan"].to_numpy(dtype=float)
    fig, ax = _figure(len(names))
    y = np.arange(len(names))
    ax.barh(y, np.nan_to_num(vals), color=BLUE, height=0.6)
    top = np.nanmax(np.concatenate([vals, [1.0]]))
    hidden = [("investment_committed_per_poor_person_yuan" in h) for h in o["hidden"]] if "hidden" in o \
        else [False] * len(o)
    for i, (v, h) in enumerate(zip(vals, hidden, strict=True)):  # a hidden value is not drawn, only marked
        ax.text((0 if math.isnan(v) else v) + top * 0.01, i,
                t("suppressed", lang) if h else "—" if math.isnan(v) else f"{v:,.0f}", va="center", fontsize=7)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    chartstyle.money_axis(ax, "x", high=top * 1.18)
    ax.set_xlabel(unit_name("yuan_per_person", lang))
    return _finish(fig, ax, "chart_per_poor", lang)


# --------------------------------------------------------------------------- sections (show)

def show_title(county: County, lang: str = "zh", township: str | None = None, data_dir: str = "") -> None:
    """Title, provenance and (for a fictional county) a warning."""
    period = parse_period(county.period)
    views.show_subheading("county_title", lang, place=_place(county, township, lang), period=period.label(lang))
    from .tables import data_root_text

    views.show_text(t("county_note", lang, data_dir=data_root_text(data_dir, lang), period_code=county.period))
    if "fictional" in county.villages and county.villages["fictional"].all():
        views.show_text(t("county_fictional", lang))


def show_key_figures(county_sheet, overview, county, lang: str = "zh") -> None:
    views.show_heading("sec_county_key", lang)
    views.show_text(summary_text(county_sheet, overview, county, lang))
    views.show_table(key_figures_table(county_sheet, county, lang), t("tab_county_key", lang))


def show_villages(overview, lang: str = "zh") -> None:
    views.show_heading("sec_county_villages", lang)
    views.show_table(villages_table(overview, lang), t("tab_county_villages", lang))
    views.show_text(t("register_note", lang))
    views.show_figure(incidence_dot_chart(overview, lang))


def show_exit_readiness(overview, township_sheet, lang: str = "zh") -> None:
    views.show_heading("sec_county_exit", lang)
    views.show_table(exit_table(exit_readiness(overview, township_sheet), lang), t("tab_county_exit", lang))


def show_investment(overview, lang: str = "zh") -> None:
    views.show_heading("sec_county_investment", lang)
    views.show_figure(per_poor_chart(overview, lang))


def show_disagreements(village_sheet, county, lang: str = "zh") -> None:
    views.show_heading("sec_county_register", lang)
    d = register_disagreements(village_sheet)
    hidden = village_sheet.iloc[0:0] if "suppressed" not in village_sheet else village_sheet[
        village_sheet["indicator"].str.startswith("reconciliation_") & village_sheet["suppressed"].astype(bool)]
    if len(hidden):  # a hidden difference is listed as hidden, zero or not
        d = pd.concat([d, pd.DataFrame({
            "village_id": hidden["group_id"].to_numpy(),
            "measure": hidden["indicator"].str.removeprefix("reconciliation_").str.removesuffix("_difference")
            .to_numpy(), "difference": t("suppressed", lang)})], ignore_index=True)
    if d.empty:
        views.show_text(t("no_disagreement", lang))
    else:
        views.show_table(disagreements_table(d, county, lang), t("tab_county_register", lang))


def show_missing(county, lang: str = "zh") -> None:
    views.show_heading("sec_county_missing", lang)
    views.show_text(missing_text(county, lang))


def changes_table(changes: pd.DataFrame, county: County, lang: str = "zh",
                  hidden: dict[str, set[str]] | None = None, hidden_before: dict[str, set[str]] | None = None
                  ) -> pd.DataFrame:
    """Incidence and poor population per village, the previous period and now, with the change (in
    percentage points and persons, signed). ``hidden``/``hidden_before``: what the protected roll-ups of the
    two periods hide, by village (:func:`~village_stats.panel.rollup.hidden_by_group`); a change involving a
    hidden value is hidden too."""
    points, persons = t("change_points", lang), t("change_persons", lang)
    hidden, hidden_before = hidden or {}, hidden_before or {}

    def cells(ind: str, part: str, scale: float = 1.0) -> list:
        out = []
        for v, x in zip(changes.index, changes[ind + part], strict=True):
            now, before = ind in hidden.get(v, set()), ind in hidden_before.get(v, set())
            gone = {"": now, "_before": before, "_change": now or before}[part]
            out.append(t("suppressed", lang) if gone else _number(x) * scale)
        return out

    out = pd.DataFrame({
        t("village", lang): [_name(county, v, lang) for v in changes.index],
        t("incidence_before", lang): cells("poverty_incidence", "_before"),
        t("col_incidence", lang): cells("poverty_incidence", ""),
        points: cells("poverty_incidence", "_change", 100),
        t("poor_before", lang): cells("poor_population", "_before"),
        t("col_poor", lang): cells("poor_population", ""),
        persons: cells("poor_population", "_change"),
    })
    return typed(out, lang=lang, units={t("incidence_before", lang): "ratio", t("col_incidence", lang): "ratio",
                                        points: "percentage_points", t("poor_before", lang): "persons",
                                        t("col_poor", lang): "persons", persons: "persons"},
                 signed=(points, persons), nowrap=(t("village", lang),))


def show_changes(village_sheet, county, previous, lang: str = "zh", previous_sheet=None) -> None:
    """Change since the previous period per village (villages with both periods); ``previous_sheet``: the
    previous period's village roll-up (protected with the report's threshold), by default rolled up here."""
    from ..panel.rollup import change_since, rollup

    views.show_heading("sec_county_change", lang)
    if previous is None:
        views.show_text(t("county_no_previous", lang, period=parse_period(county.period).previous().label(lang)))
        return
    before = rollup(previous, "village") if previous_sheet is None else previous_sheet
    changes = change_since(village_sheet, before)
    views.show_text(t("change_note", lang, before=parse_period(previous.period).label(lang)))
    views.show_table(changes_table(changes.loc[[v for v in county.sheets if v in changes.index]], county, lang,
                                   hidden_by_group(village_sheet), hidden_by_group(before)),
                     t("tab_county_change", lang, before=parse_period(previous.period).label(lang)))


__all__ = ["show_changes", "village_overview", "show_title", "show_key_figures", "show_villages", "show_exit_readiness",
           "show_investment", "show_disagreements", "show_missing"]
