"""Charts for the period report. Each function takes frames or the indicator sheet and returns a Figure.

No arithmetic a measure should own happens here: values come from the sheet or from measure functions.
Figures are made with :class:`matplotlib.figure.Figure` (not pyplot), so nothing is shown or kept
behind the caller's back; :func:`village_stats.display.views.show_figure` renders them at print resolution.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..indicators import values
from ..labels import MPI_LABELS, display_names, pick, t, unit_name
from ..measures import investment
from ..schema import PROJECT_CATEGORIES, PROJECT_STATUSES
from . import chartstyle
from .chartstyle import BLUE, GREEN, GREY, ORANGE, RED, WIDTH_IN  # noqa: F401  (the one chart style)

STATUS_COLOURS = {"completed": GREEN, "in_progress": BLUE, "planned": GREY}


def _figure(height: float) -> Figure:
    return chartstyle.figure(height)


def finish_chart(fig: Figure, ax, title: str, *, alt: str = "", xlabel: str | None = None) -> Figure:
    """The finish of every chart of the package: x label, no top/right spines; the title becomes the figure's
    label (reports print it as the numbered caption, not inside the image) and ``alt`` its alt text
    (``fig.vs_alt``: what the chart shows and its key number); x tick labels that would overlap are
    rotated or thinned (:func:`village_stats.display.chartstyle.fit_tick_labels`)."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    fig.set_label(title)
    fig.vs_alt = alt or title
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    chartstyle.fit_tick_labels(fig, ax, "x")
    return fig


def _finish(fig: Figure, ax, title_key: str, lang: str, xlabel: str | None = None, alt: str = "") -> Figure:
    """:func:`finish_chart` with the title of a wording key."""
    return finish_chart(fig, ax, t(title_key, lang), alt=alt, xlabel=xlabel)


def _paired_bars(ax, names, first, second) -> list[str]:
    """Two horizontal bars per row, each (values, colour, legend label, number format). A series with no
    known value is not drawn (and gets no legend entry); an unknown value gets no bar and no label (the
    report says so once, in the text). Returns the labels of the series drawn."""
    y = np.arange(len(names))
    known = [s for s in (first, second) if np.isfinite(s[0]).any()]
    top = max([np.nanmax(s[0]) for s in known] + [1.0])
    drawn = []
    for offset, (vals, colour, label, fmt) in zip((-0.18, 0.18) if len(known) == 2 else (0.0,), known):
        ax.barh(y + offset, np.nan_to_num(vals), height=0.34 if len(known) == 2 else 0.5, color=colour, label=label)
        drawn.append(label)
        for i, val in enumerate(vals):
            if not math.isnan(val):
                ax.text(val + top * 0.01, i + offset, fmt.format(val), va="center")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.25)  # room for the value labels: they never reach the edge
    return drawn


def _percent_axis(ax) -> None:
    """x axis in percent with a % sign on each tick (values are already × 100), round steps, no repeats."""
    chartstyle.percent_axis(ax, "x")


def incidence_chart(sheet: pd.DataFrame, lang: str = "zh") -> Figure | None:
    """Poverty incidence against the exit threshold (horizontal bars, percent axis); None when the incidence
    is unknown (a village with no population): there is nothing to draw, the tables say "—"."""
    v = values(sheet)
    if not (math.isfinite(v["poverty_incidence"]) and math.isfinite(v["exit_threshold"])):
        return None
    fig = _figure(2.2)
    ax = fig.subplots()
    labels = [t("incidence", lang), t("threshold", lang)]
    vals = [v["poverty_incidence"] * 100, v["exit_threshold"] * 100]
    bars = ax.barh(labels[::-1], vals[::-1], color=[GREY, RED], height=0.55)
    for bar, val in zip(bars, vals[::-1]):
        ax.text(bar.get_width() + max(vals) * 0.01, bar.get_y() + bar.get_height() / 2, f"{val:.1f}%", va="center")
    ax.set_xlim(0, max(vals) * 1.18 + 1)
    _percent_axis(ax)
    alt = t("alt_incidence", lang, incidence=f"{vals[0]:.1f}", threshold=f"{vals[1]:.1f}")
    return _finish(fig, ax, "chart_incidence", lang, alt=alt)


def household_chart(sheet: pd.DataFrame, lang: str = "zh") -> Figure | None:
    """Households: not poor, poor resident, poor long absent (one stacked bar); None without households."""
    v = values(sheet)
    absent = v.get("absent_poor_households", math.nan)
    absent = 0.0 if math.isnan(absent) else absent
    parts = [(t("non_poor", lang), v["households_total"] - v["poor_households"], GREY),
             (t("poor_resident", lang), v["poor_households"] - absent, BLUE),
             (t("poor_absent", lang), absent, ORANGE)]
    if not any(n > 0 for _, n, _ in parts):
        return None
    fig = _figure(2.1)
    ax = fig.subplots()
    left = 0.0
    for name, n, colour in parts:
        if n <= 0:
            continue
        ax.barh([0], [n], left=left, color=colour, label=f"{name} {n:.0f}", height=0.5)
        ax.text(left + n / 2, 0, f"{n:.0f}", ha="center", va="center", color="white")
        left += n
    ax.set_yticks([])
    chartstyle.count_axis(ax, "x", high=max(left, 1.0))
    chartstyle.legend_below(fig, 3)
    alt = t("alt_households", lang, total=f"{left:.0f}",
            parts=t("comma", lang).join(f"{name} {n:.0f}" for name, n, _ in parts if n > 0))
    return _finish(fig, ax, "chart_households", lang, t("households", lang), alt=alt)


def crop_chart(crops: pd.DataFrame, lang: str = "zh") -> Figure | None:
    """Planned versus achieved new area per crop group [mu]; a series with nothing recorded is not drawn;
    None for a table without rows."""
    if crops.empty:
        return None
    target = crops["target_new_area_mu"].to_numpy(dtype=float)
    achieved = crops["achieved_new_area_mu"].to_numpy(dtype=float) if "achieved_new_area_mu" in crops \
        else np.full(len(crops), np.nan)
    fig = _figure(2.9)
    ax = fig.subplots()
    names = display_names(crops, lang)
    drawn = _paired_bars(ax, names, (target, BLUE, t("target_mu", lang), "{:g}"),
                         (achieved, GREEN, t("achieved_mu", lang), "{:g}"))
    chartstyle.number_axis(ax, "x")
    if len(drawn) > 1:
        chartstyle.legend_below(fig, 2)
    total, done = np.nansum(target), np.nansum(achieved)
    alt = t("alt_crops", lang, groups=len(names), total=f"{total:g}") + (
        t("alt_crops_done", lang, done=f"{done:g}") if np.isfinite(achieved).any() else t("alt_crops_none", lang))
    return _finish(fig, ax, "chart_crops", lang, unit_name("mu", lang), alt=alt)


def investment_chart(projects: pd.DataFrame, lang: str = "zh") -> Figure | None:
    """Investment per category [10,000 yuan]: committed (completed, in progress) stacked, planned apart;
    None for a table without rows.

    The number at a bar is the committed amount, as in the investment table; planned money is a separate,
    hatched bar with its own number, so the two are never added up.
    """
    if projects.empty:
        return None
    table = investment.investment_by_category_status(projects) / 10000.0
    fig = _figure(3.0)
    ax = fig.subplots()
    cats = [PROJECT_CATEGORIES.label(c, lang) for c in table.index]
    y = np.arange(len(table))
    committed = np.zeros(len(table))
    for status in ("completed", "in_progress"):
        if status in table.columns and table[status].to_numpy(dtype=float).sum() > 0:
            vals = table[status].to_numpy(dtype=float)
            ax.barh(y - 0.15, vals, left=committed, color=STATUS_COLOURS[status], height=0.4,
                    label=PROJECT_STATUSES.label(status, lang))
            committed += vals
    planned = table["planned"].to_numpy(dtype=float) if "planned" in table.columns else np.zeros(len(table))
    if planned.sum() > 0:
        ax.barh(y + 0.25, planned, color="white", edgecolor=GREY, hatch="///", height=0.2,
                label=PROJECT_STATUSES.label("planned", lang))
    top = max(committed.max(initial=0), planned.max(initial=0), 1)
    for i in range(len(table)):
        if committed[i] > 0:
            ax.text(committed[i] + top * 0.01, i - 0.15, f"{committed[i]:,.2f}", va="center")
        if planned[i] > 0:
            ax.text(planned[i] + top * 0.01, i + 0.25, f"{planned[i]:,.2f}", va="center", color="#666666",
                    fontsize="small")
    ax.set_yticks(y, cats)
    ax.invert_yaxis()
    chartstyle.money_axis(ax, "x", high=top * 1.22)
    chartstyle.legend_below(fig, 3)
    alt = t("alt_investment", lang, committed=f"{committed.sum():,.2f}", planned=f"{planned.sum():,.2f}")
    return _finish(fig, ax, "chart_investment", lang, unit_name("wan_yuan", lang), alt=alt)


def income_bins(y, poverty_line_yuan: float, n: int = 24) -> np.ndarray:
    """Histogram edges for income per person: from min(0, lowest) to a round top at or above the 98th
    percentile and 1.5 × the line; incomes above the top fall into an open last bin (≥ top). [yuan]

    >>> e = income_bins(np.array([100.0, 5000.0, 11000.0, 90000.0]), 3300.0)
    >>> float(e[0]), float(e[-2]) <= 90000.0
    (0.0, True)
    """
    y = np.asarray(y, dtype=float)
    low = min(0.0, float(np.nanmin(y))) if len(y) else 0.0
    top = max(float(np.nanpercentile(y, 98)) if len(y) else 1.0, poverty_line_yuan * 1.5)
    step = 10 ** math.floor(math.log10(max(top - low, 1.0) / n))
    step = next(m * step for m in (1, 2, 2.5, 5, 10) if (top - low) / (m * step) <= n)
    top = math.ceil(top / step) * step
    edges = np.arange(low, top + step / 2, step)
    return np.append(edges, top + step)  # the open bin [top, ∞) drawn one step wide


def income_chart(households: pd.DataFrame, poverty_line_yuan: float, lang: str = "zh") -> Figure | None:
    """Person-weighted histogram of income per person with the poverty line; the last bin is open (≥ top).
    None for a register without households."""
    if households.empty:
        return None
    y = households["income_per_capita_yuan"].to_numpy(dtype=float)
    w = households["members"].to_numpy(dtype=float)
    fig = _figure(2.8)
    ax = fig.subplots()
    edges = income_bins(y, poverty_line_yuan)
    top = edges[-2]
    counts, _ = np.histogram(np.clip(y, edges[0], edges[-1] - 1e-9), bins=edges, weights=w)
    ax.bar(edges[:-2], counts[:-1], width=np.diff(edges)[:-1], align="edge", color=BLUE, edgecolor="white")
    ax.bar([top], [counts[-1]], width=edges[-1] - top, align="edge", color=ORANGE, edgecolor="white",
           label=t("open_bin", lang, x=f"{top:,.0f}"))
    ax.set_ylim(0, max(counts.max(initial=0), 1) * 1.25)
    ax.axvline(poverty_line_yuan, color=RED, linewidth=1.6)
    ax.annotate(f"{t('poverty_line', lang)} {poverty_line_yuan:,.0f}", xy=(poverty_line_yuan, ax.get_ylim()[1] * 0.97),
                xytext=(6, 0), textcoords="offset points", color=RED, va="top", ha="left",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
    span = edges[-1] - edges[0]
    middle = (top + edges[-1]) / 2  # the open bin's label sits under its bar, clear of the other ticks
    ticks = [x for x in ax.get_xticks() if edges[0] <= x <= middle - 0.12 * span] + [middle]
    ax.set_xticks(ticks, [f"{x:,.0f}" for x in ticks[:-1]] + [t("open_bin", lang, x=f"{top:,.0f}")])
    ax.set_xlim(edges[0], edges[-1])
    chartstyle.count_axis(ax, "y")
    ax.set_ylabel(t("persons_axis", lang))
    below = float(w[y <= poverty_line_yuan].sum()) if len(y) else 0.0
    alt = t("alt_income", lang, line=f"{poverty_line_yuan:,.0f}", below=f"{below:.0f}", top=f"{top:,.0f}",
            last=f"{counts[-1]:.0f}")
    return _finish(fig, ax, "chart_income", lang, t("income_axis", lang), alt=alt)


def mpi_chart(sheet: pd.DataFrame, lang: str = "zh") -> Figure | None:
    """Deprivation rate and contribution to M0 of each indicator (percent); None when no rate is known
    (a register without persons)."""
    from ..measures.register import MPI_INDICATORS

    v = values(sheet)
    names = [pick(MPI_LABELS[i], lang) for i in MPI_INDICATORS]
    rates = np.array([v[f"deprivation_rate_{i}"] * 100 for i in MPI_INDICATORS])
    contrib = np.array([0.0 if math.isnan(v[f"mpi_contribution_{i}"]) else v[f"mpi_contribution_{i}"] * 100
                        for i in MPI_INDICATORS])
    if not np.isfinite(rates).any():
        return None
    fig = _figure(3.0)
    ax = fig.subplots()
    _paired_bars(ax, names, (rates, ORANGE, t("deprivation_rate", lang), "{:.1f}%"),
                 (contrib, BLUE, t("contribution", lang), "{:.1f}%"))
    _percent_axis(ax)
    chartstyle.legend_below(fig, 2)
    worst = names[int(np.nanargmax(rates))] if np.isfinite(rates).any() else "—"
    alt = t("alt_mpi", lang, worst=worst, rate=f"{np.nanmax(rates):.1f}")
    return _finish(fig, ax, "chart_mpi", lang, alt=alt)


def causes_chart(households: pd.DataFrame, lang: str = "zh") -> Figure | None:
    """Registered households (not non-poor) by main cause of poverty; None when the register lists none
    (a register of non-poor households only, the normal case after 2020): there is nothing to draw."""
    from ..measures.register import breakdown
    from ..schema import CAUSES

    registered = households.loc[households["category"].ne("non_poor")]
    counts = breakdown(registered, "main_cause")["households"]
    counts = counts[counts > 0].sort_values(ascending=True)
    if counts.empty:
        return None
    fig = _figure(max(2.0, 0.32 * len(counts) + 1.0))
    ax = fig.subplots()
    labels = [CAUSES.label(c, lang) if c != "unknown" else t("unknown", lang) for c in counts.index]
    ax.barh(labels, counts.to_numpy(), color=BLUE, height=0.6)
    for i, n in enumerate(counts.to_numpy()):
        ax.text(n + counts.max() * 0.01, i, f"{n:.0f}", va="center")
    chartstyle.count_axis(ax, "x", high=max(counts.max(), 1) * 1.15)
    alt = t("alt_causes", lang, cause=labels[-1], n=f"{counts.iloc[-1]:.0f}") if len(counts) else ""
    return _finish(fig, ax, "chart_causes", lang, t("households", lang), alt=alt)
