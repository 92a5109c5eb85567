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
from ..labels import MPI_LABELS, display_names, t
from ..measures import investment
from ..schema import PROJECT_CATEGORIES, PROJECT_STATUSES
from . import fonts

#: Colours (colour-blind safe, print well in grey).
BLUE, ORANGE, GREY, GREEN, RED = "#3b6ea5", "#e08a2c", "#b8b8b8", "#4f9a6a", "#c0392b"
STATUS_COLOURS = {"completed": GREEN, "in_progress": BLUE, "planned": GREY}
WIDTH_IN = 7.0


def _figure(height: float) -> Figure:
    fonts.setup_matplotlib()
    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    return fig


def _finish(fig: Figure, ax, title_key: str, lang: str, xlabel: str | None = None, alt: str = "") -> Figure:
    """Common finish: x label, no top/right spines; the title in the report language becomes the figure's
    label (the report prints it as the numbered caption, not inside the image) and ``alt`` its alt text
    (``fig.vs_alt``: what the chart shows and its key number)."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    fig.set_label(t(title_key, lang))
    fig.vs_alt = alt or t(title_key, lang)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _paired_bars(ax, names, first, second) -> None:
    """Two horizontal bars per row, each (values, colour, legend label, number format, text when NaN)."""
    y = np.arange(len(names))
    top = np.nanmax(np.concatenate([first[0], second[0], [1.0]]))
    for offset, (vals, colour, label, fmt, missing) in ((-0.18, first), (0.18, second)):
        ax.barh(y + offset, np.nan_to_num(vals), height=0.34, color=colour, label=label)
        for i, val in enumerate(vals):
            ax.text((0 if math.isnan(val) else val) + top * 0.01, i + offset,
                    missing if math.isnan(val) else fmt.format(val), va="center")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.25)


def incidence_chart(sheet: pd.DataFrame, lang: str = "zh") -> Figure:
    """Poverty incidence against the exit threshold (horizontal bars, percent)."""
    v = values(sheet)
    fig = _figure(2.2)
    ax = fig.subplots()
    labels = [t("incidence", lang), t("threshold", lang)]
    vals = [v["poverty_incidence"] * 100, v["exit_threshold"] * 100]
    bars = ax.barh(labels[::-1], vals[::-1], color=[GREY, RED], height=0.55)
    for bar, val in zip(bars, vals[::-1]):
        ax.text(bar.get_width() + 0.6, bar.get_y() + bar.get_height() / 2, f"{val:.1f}%", va="center")
    ax.set_xlim(0, max(vals) * 1.18 + 1)
    return _finish(fig, ax, "chart_incidence", lang, t("percent", lang))


def household_chart(sheet: pd.DataFrame, lang: str = "zh") -> Figure:
    """Households: not poor, poor resident, poor long absent (one stacked bar)."""
    v = values(sheet)
    absent = v.get("absent_poor_households", math.nan)
    absent = 0.0 if math.isnan(absent) else absent
    parts = [(t("non_poor", lang), v["households_total"] - v["poor_households"], GREY),
             (t("poor_resident", lang), v["poor_households"] - absent, BLUE),
             (t("poor_absent", lang), absent, ORANGE)]
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
    ax.set_xlim(0, left)
    fig.legend(loc="outside lower center", ncol=3, frameon=False)
    return _finish(fig, ax, "chart_households", lang, t("households", lang))


def crop_chart(crops: pd.DataFrame, lang: str = "zh") -> Figure:
    """Planned versus achieved new area per crop group [mu]; unknown achievement is marked."""
    target = crops["target_new_area_mu"].to_numpy(dtype=float)
    achieved = crops["achieved_new_area_mu"].to_numpy(dtype=float) if "achieved_new_area_mu" in crops \
        else np.full(len(crops), np.nan)
    fig = _figure(2.9)
    ax = fig.subplots()
    _paired_bars(ax, display_names(crops, lang), (target, BLUE, t("target_mu", lang), "{:g}", "—"),
                 (achieved, GREEN, t("achieved_mu", lang), "{:g}", t("not_recorded", lang)))
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    return _finish(fig, ax, "chart_crops", lang, t("mu", lang))


def investment_chart(projects: pd.DataFrame, lang: str = "zh") -> Figure:
    """Known investment per category, stacked by status [10,000 yuan]."""
    table = investment.investment_by_category_status(projects) / 10000.0
    fig = _figure(3.0)
    ax = fig.subplots()
    cats = [PROJECT_CATEGORIES.label(c, lang) for c in table.index]
    left = np.zeros(len(table))
    for status in PROJECT_STATUSES.ids:
        if status not in table.columns:
            continue
        vals = table[status].to_numpy(dtype=float)
        ax.barh(cats, vals, left=left, color=STATUS_COLOURS[status], label=PROJECT_STATUSES.label(status, lang),
                height=0.55)
        left += vals
    for i, total in enumerate(left):
        ax.text(total + left.max() * 0.01, i, f"{total:g}", va="center")
    ax.invert_yaxis()
    ax.set_xlim(0, max(left.max(), 1) * 1.18)
    fig.legend(loc="outside lower center", ncol=3, frameon=False)
    return _finish(fig, ax, "chart_investment", lang, t("wan_yuan", lang))




def income_chart(households: pd.DataFrame, line_yuan: float, lang: str = "zh") -> Figure:
    """Person-weighted histogram of income per person, with the poverty line."""
    y = households["income_per_capita_yuan"].to_numpy(dtype=float)
    w = households["members"].to_numpy(dtype=float)
    fig = _figure(2.8)
    ax = fig.subplots()
    top = np.nanpercentile(y, 98) if len(y) else 1.0
    bins = np.linspace(min(0.0, np.nanmin(y)) if len(y) else 0.0, max(top, line_yuan * 1.5), 31)
    ax.hist(np.clip(y, bins[0], bins[-1]), bins=bins, weights=w, color=BLUE, edgecolor="white")
    ax.axvline(line_yuan, color=RED, linewidth=1.6)
    ax.text(line_yuan, ax.get_ylim()[1] * 0.95, f" {t('poverty_line', lang)} {line_yuan:,.0f}", color=RED, va="top")
    ax.set_ylabel(t("persons_axis", lang))
    return _finish(fig, ax, "chart_income", lang, t("income_axis", lang))


def mpi_chart(sheet: pd.DataFrame, lang: str = "zh") -> Figure:
    """Deprivation rate and contribution to M0 of each indicator (percent)."""
    from ..measures.register import MPI_INDICATORS

    v = values(sheet)
    names = [MPI_LABELS[i][0 if lang == "zh" else 1] for i in MPI_INDICATORS]
    rates = np.array([v[f"deprivation_rate_{i}"] * 100 for i in MPI_INDICATORS])
    contrib = np.array([0.0 if math.isnan(v[f"mpi_contribution_{i}"]) else v[f"mpi_contribution_{i}"] * 100
                        for i in MPI_INDICATORS])
    fig = _figure(3.0)
    ax = fig.subplots()
    _paired_bars(ax, names, (rates, ORANGE, t("deprivation_rate", lang), "{:.1f}%", "—"),
                 (contrib, BLUE, t("contribution", lang), "{:.1f}%", "—"))
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    return _finish(fig, ax, "chart_mpi", lang, t("percent", lang))


def causes_chart(households: pd.DataFrame, lang: str = "zh") -> Figure:
    """Registered households (not non-poor) by main cause of poverty."""
    from ..measures.register import breakdown
    from ..schema import CAUSES

    registered = households.loc[households["category"].ne("non_poor")]
    counts = breakdown(registered, "main_cause")["households"]
    counts = counts[counts > 0].sort_values(ascending=True)
    fig = _figure(max(2.0, 0.32 * len(counts) + 1.0))
    ax = fig.subplots()
    labels = [CAUSES.label(c, lang) if c != "unknown" else t("unknown", lang) for c in counts.index]
    ax.barh(labels, counts.to_numpy(), color=BLUE, height=0.6)
    for i, n in enumerate(counts.to_numpy()):
        ax.text(n + counts.max() * 0.01, i, f"{n:.0f}", va="center")
    ax.set_xlim(0, max(counts.max(), 1) * 1.15)
    return _finish(fig, ax, "chart_causes", lang, t("households", lang))
