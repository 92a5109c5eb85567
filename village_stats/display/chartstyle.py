"""One chart style for every report: the figure, its colours, and axes that hold for any number of periods.

Every chart of :mod:`village_stats.display` (period report, change and trends, county) makes its figure with
:func:`figure` and formats its axes with the helpers here, so that a reader never meets

- period labels running into each other (:func:`period_axis`: full labels when they fit, short ones such
  as ``17上`` / ``17 H1`` when not, every k-th label when even those do not fit);
- a line drawn across periods with no data (:func:`runs`: the consecutive stretches of a series; draw
  each apart, and :func:`mark_gaps` shades what is missing);
- percent ticks that repeat (``0% 0% 1%``): :func:`percent_axis` picks round steps and as many decimals as
  the step needs;
- money in scientific notation (``×1e6``): :func:`money_axis` prints 元 or 万元 with thousands separators;
- fractions of a household: :func:`count_axis` puts ticks on whole numbers only;
- legends over the data: :func:`legend_below` puts them under the axes, outside.

Tick labels are checked after layout: :func:`fit_tick_labels` rotates, then thins, the labels of an axis
whose labels overlap. The words come from :mod:`village_stats.labels`.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ..labels import t
from ..periods import Period, parse_period
from . import fonts

#: Colours (colour-blind safe, print well in grey).
BLUE, ORANGE, GREY, GREEN, RED = "#3b6ea5", "#e08a2c", "#b8b8b8", "#4f9a6a", "#c0392b"
#: Width of every chart [inch]: the A4 text column at print resolution.
WIDTH_IN = 7.0
#: Round steps of an axis (× a power of ten).
STEPS = [1, 2, 2.5, 5, 10]


def figure(height: float, width: float = WIDTH_IN) -> Figure:
    """A chart's figure [inch]: the package's fonts, constrained layout (legends outside fit in)."""
    fonts.setup_matplotlib()
    return Figure(figsize=(width, height), layout="constrained")


def _axis(ax, which: str):
    return ax.xaxis if which == "x" else ax.yaxis


def step_decimals(step: float) -> int:
    """Decimals needed to tell ticks ``step`` apart: 0 for 1, 2, 5…; 1 for 0.5; 2 for 0.25.

    >>> step_decimals(1.0), step_decimals(0.5), step_decimals(0.25), step_decimals(2000.0)
    (0, 1, 2, 0)
    """
    if not step or not math.isfinite(step) or step >= 1:
        return 0
    for d in range(0, 6):
        if abs(round(step * 10 ** d) - step * 10 ** d) < 1e-6:
            return d
    return 6


def _ticks(low: float, high: float, nbins: int, integer: bool = False) -> np.ndarray:
    locator = MaxNLocator(nbins=nbins, steps=STEPS, integer=integer, min_n_ticks=2)
    ticks = locator.tick_values(low, high)
    return ticks[(ticks >= low - 1e-9) & (ticks <= high + 1e-9)]


def _fixed(ax, which: str, low: float, high: float, fmt, nbins: int = 6, integer: bool = False) -> np.ndarray:
    """Fixed round ticks over [low, high] with ``fmt(value, decimals)``; the limits are set to [low, high]."""
    if not high > low:
        high = low + 1
    ticks = _ticks(low, high, nbins, integer)
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
    decimals = step_decimals(step)
    axis = _axis(ax, which)
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt(x, decimals)))
    (ax.set_xlim if which == "x" else ax.set_ylim)(low, high)
    return ticks


def percent_text(x: float, decimals: int = 0) -> str:
    """A tick in percent (the value already × 100), never ``-0%``.

    >>> percent_text(2.5, 1), percent_text(-0.0, 0)
    ('2.5%', '0%')
    """
    s = f"{x:.{decimals}f}"
    return ("0" if float(s) == 0 else s) + "%"


def percent_axis(ax, which: str = "x", high: float | None = None, low: float = 0.0, nbins: int = 6) -> np.ndarray:
    """A percent axis (values already × 100) from ``low`` to ``high`` (default: the current upper limit):
    round steps (1, 2, 2.5, 5 × 10ⁿ) and just the decimals the step needs, so no two ticks read alike."""
    high = (ax.get_xlim() if which == "x" else ax.get_ylim())[1] if high is None else high
    return _fixed(ax, which, low, high, percent_text, nbins)


def money_text(x: float, decimals: int = 0) -> str:
    """A money tick with thousands separators, never scientific notation.

    >>> money_text(1600000.0), money_text(12.5, 1)
    ('1,600,000', '12.5')
    """
    s = f"{x:,.{decimals}f}"
    return "0" if float(s.replace(",", "")) == 0 else s


def money_axis(ax, which: str = "x", high: float | None = None, low: float = 0.0, nbins: int = 6) -> np.ndarray:
    """An axis of money (元 or 万元: the caller's label says which): round ticks with thousands separators,
    no offset and no ``×1e6``."""
    high = (ax.get_xlim() if which == "x" else ax.get_ylim())[1] if high is None else high
    return _fixed(ax, which, low, high, money_text, nbins)


def number_axis(ax, which: str = "x", high: float | None = None, low: float = 0.0, nbins: int = 6) -> np.ndarray:
    """An axis of plain quantities (areas [mu]…): round ticks with separators, as :func:`money_axis`."""
    return money_axis(ax, which, high, low, nbins)


def count_text(x: float, decimals: int = 0) -> str:
    """A count tick: a whole number with thousands separators.

    >>> count_text(1200.0)
    '1,200'
    """
    return f"{x:,.0f}"


def count_axis(ax, which: str = "y", high: float | None = None, low: float = 0.0, nbins: int = 6) -> np.ndarray:
    """An axis of counts (households, persons): ticks on whole numbers only (never 0.2 of a household)."""
    high = (ax.get_xlim() if which == "x" else ax.get_ylim())[1] if high is None else high
    high = max(math.ceil(high), low + 1)
    return _fixed(ax, which, low, high, count_text, nbins, integer=True)


def legend_below(fig: Figure, ncol: int = 3) -> None:
    """The figure's legend under the axes, outside the data (nothing when nothing is labelled)."""
    handles, labels = [], []
    for ax in fig.axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab and not lab.startswith("_") and lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(ncol, len(labels)), frameon=False)


def short_period_label(period: Period | str, lang: str = "zh") -> str:
    """The short label of a period for a crowded axis (wording: the ``period_short_*`` keys).

    >>> short_period_label("2017H1"), short_period_label("2017H2", "en"), short_period_label("2018Q3", "en")
    ('17上', '17H2', '18Q3')
    """
    p = parse_period(str(period))
    yy = f"{p.year % 100:02d}"
    if p.kind == "H":
        return t(f"period_short_h{p.index}", lang, yy=yy)
    if p.kind == "Q":
        return t("period_short_q", lang, yy=yy, q=p.index)
    if p.kind == "M":
        return t("period_short_m", lang, yy=yy, month=p.index)
    return str(p.year)


def runs(positions) -> list[np.ndarray]:
    """Indexes of the consecutive stretches of integer positions: a line is drawn within a stretch only.

    >>> [r.tolist() for r in runs([0, 1, 2, 5, 6, 9])]
    [[0, 1, 2], [3, 4], [5]]
    """
    pos = np.asarray(positions, dtype=int)
    if len(pos) == 0:
        return []
    cuts = np.flatnonzero(np.diff(pos) != 1) + 1
    return np.split(np.arange(len(pos)), cuts)


def gaps(positions) -> list[tuple[int, int]]:
    """The missing stretches between consecutive positions, as (first missing, last missing).

    >>> gaps([0, 1, 2, 5, 6, 9])
    [(3, 4), (7, 8)]
    """
    pos = np.asarray(positions, dtype=int)
    return [(int(a) + 1, int(b) - 1) for a, b in zip(pos[:-1], pos[1:]) if b - a > 1]


def mark_gaps(ax, positions, lang: str = "zh") -> None:
    """Shade the periods with no data and say so, so a gap reads as a gap."""
    for first, last in gaps(positions):
        ax.axvspan(first - 0.5, last + 0.5, color="#f1f1f1", zorder=0, linewidth=0)
        ax.text((first + last) / 2, 0.5, t("chart_no_data", lang), transform=ax.get_xaxis_transform(),
                ha="center", va="center", color="#888888", fontsize="small", rotation=90 if last == first else 0)


def period_axis(ax, positions, periods, lang: str = "zh", extra: dict[int, str] | None = None) -> None:
    """Ticks at ``positions`` labelled with the periods: full labels (``2017年上半年``) for up to four
    ticks, short ones (``17上``) beyond; ``extra`` adds labelled ticks (e.g. the exit target).
    :func:`fit_tick_labels` thins them if they still do not fit."""
    labels = {int(p): str(c) for p, c in zip(positions, periods)}
    n = len(labels) + len(extra or {})
    text = {p: (parse_period(c).label(lang) if n <= 4 else short_period_label(c, lang)) for p, c in labels.items()}
    for p, lab in (extra or {}).items():
        text[int(p)] = lab
    ticks = sorted(text)
    ax.set_xticks(ticks, [text[k] for k in ticks])
    low, high = (ticks[0], ticks[-1]) if ticks else (0, 1)
    ax.set_xlim(low - 0.6, high + 0.6)


def _overlaps(boxes) -> bool:
    boxes = [b for b in boxes if b.width > 0]
    return any(a.overlaps(b) for a, b in zip(boxes[:-1], boxes[1:]))


def tick_label_boxes(fig: Figure, ax, which: str = "x"):
    """Window extents of the visible tick labels of an axis, in axis order (the figure is drawn first)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    fig.draw_without_rendering()
    labels = ax.get_xticklabels() if which == "x" else ax.get_yticklabels()
    return [lab.get_window_extent(renderer) for lab in labels if lab.get_visible() and lab.get_text()]


def wrap_label(text: str) -> str:
    r"""A tick label on two lines: at the space nearest the middle, or (Chinese) after half its characters.

    >>> wrap_label("Removed or gone"), wrap_label("清退或迁出"), wrap_label("期初")
    ('Removed\nor gone', '清退或\n迁出', '期初')
    """
    if "\n" in text or len(text) <= 3:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    if spaces:
        i = min(spaces, key=lambda k: abs(k - len(text) / 2))
        return text[:i] + "\n" + text[i + 1:]
    if text.isascii():
        return text
    half = (len(text) + 1) // 2
    return text[:half] + "\n" + text[half:]


def fit_tick_labels(fig: Figure, ax, which: str = "x") -> None:
    """Make an axis's tick labels fit side by side: as they are, else on two lines, else rotated 30°, else
    every k-th shown (the labels of a period axis; a reader counts on from the ones shown)."""
    if not _overlaps(tick_label_boxes(fig, ax, which)):
        return
    labels = ax.get_xticklabels() if which == "x" else ax.get_yticklabels()
    if which == "x":
        texts = [lab.get_text() for lab in labels]
        ax.set_xticks(ax.get_xticks(), [wrap_label(s) for s in texts])
        if not _overlaps(tick_label_boxes(fig, ax, which)):
            return
        ax.set_xticks(ax.get_xticks(), texts)
        labels = ax.get_xticklabels()
        for lab in labels:
            lab.set_rotation(30)
            lab.set_ha("right")
            lab.set_rotation_mode("anchor")
        if not _overlaps(tick_label_boxes(fig, ax, which)):
            return
    for k in range(2, len(labels) + 1):
        for i, lab in enumerate(labels):
            lab.set_visible(i % k == 0)
        if not _overlaps(tick_label_boxes(fig, ax, which)):
            return


def no_zero_sign(text: str) -> str:
    """A signed count without a sign on zero: ``+0`` and ``−0`` read ``0``.

    >>> no_zero_sign("+0"), no_zero_sign("−0"), no_zero_sign("+3")
    ('0', '0', '+3')
    """
    return "0" if text.lstrip("+−-±") in ("0", "0.0") else text
