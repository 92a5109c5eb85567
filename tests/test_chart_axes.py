"""Charts that hold (issue 23): every chart type drawn with 1, 2, 8 and 20 periods (or villages), read back
from the figure objects as a reader would see them: tick labels that do not overlap, percent ticks that
do not repeat, money without scientific notation and with thousands separators, whole-number ticks for
counts, no ``+0``/``−0`` on a waterfall, no line across periods with no data, legends outside the axes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from village_stats.display import change, county, plotting
from village_stats.periods import parse_period

SIZES = (1, 2, 8, 20)


def _draw(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _shown(ax, which):
    labels = ax.get_xticklabels() if which == "x" else ax.get_yticklabels()
    return [lab for lab in labels if lab.get_visible() and lab.get_text()]


def assert_readable(fig):
    """Tick labels of every axis apart; no offset / scientific text; legends outside the axes."""
    renderer = _draw(fig)
    for ax in fig.axes:
        for which in ("x", "y"):
            labels = _shown(ax, which)
            boxes = [lab.get_window_extent(renderer) for lab in labels]
            for a, b in zip(boxes[:-1], boxes[1:]):
                assert not a.overlaps(b), f"{which} tick labels overlap: {[lab.get_text() for lab in labels]}"
            texts = [lab.get_text() for lab in labels]
            assert not any(re.search(r"\de[+-]?\d|×|1e\d", s) for s in texts), texts
            assert (ax.xaxis if which == "x" else ax.yaxis).get_offset_text().get_text() == ""
            percent = [s for s in texts if s.endswith("%")]
            assert len(percent) == len(set(percent)), f"repeated percent ticks {percent}"
        assert ax.get_legend() is None, "a legend inside the axes can cover data"
        frame = ax.get_window_extent(renderer)
        for legend in fig.legends:
            assert not legend.get_window_extent(renderer).overlaps(frame), "the legend overlaps the axes"


def _numbers(texts):
    return [float(s.replace(",", "").rstrip("%")) for s in texts]


# --------------------------------------------------------------------------- trend (periods on the x axis)

def _codes(n, gap=False):
    """n half-year codes from 2013H1; with ``gap`` the middle third is missing (as 2019–2020 in the demo)."""
    codes = [parse_period("2013H1")]
    while len(codes) < n + (n // 3 if gap else 0):
        codes.append(codes[-1].next())
    codes = [c.code for c in codes]
    if gap and n >= 3:
        k = n // 3
        codes = codes[:k] + codes[2 * k:]
    return codes[:n] if not gap else codes


def _long(codes, incidence=None, threshold=0.02):
    incidence = incidence if incidence is not None else np.linspace(0.32, 0.007, len(codes))
    rows = []
    for c, v in zip(codes, incidence):
        rows += [(c, "poverty_incidence", v), (c, "exit_threshold", threshold)]
    return pd.DataFrame(rows, columns=["period", "indicator", "value"])


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("gap", [False, True])
def test_trend_chart_holds_for_many_periods(n, gap, lang):
    codes = _codes(n, gap)
    target = parse_period(codes[-1]).next().next().code
    fig = change.trend_chart(_long(codes), lang, exit_target=target if n > 1 else None)
    assert_readable(fig)
    ax = fig.axes[0]
    # every period present has a tick; the labels shown name periods (short or full), none repeats
    assert len(ax.get_xticks()) >= len(codes)
    shown = [lab.get_text() for lab in _shown(ax, "x")]
    assert len(shown) == len(set(shown)) and len(shown) >= min(len(codes), 5)
    # no solid line joins two points more than one period apart: a gap is a gap
    for line in ax.get_lines():
        if line.get_linestyle() == "-":
            x = np.asarray(line.get_xdata(), dtype=float)
            assert (np.diff(x) <= 1.0 + 1e-9).all(), f"a line crosses a gap: {x}"
    if gap and n >= 3:
        words = {t.get_text() for t in ax.texts}
        assert ("无数据" if lang == "zh" else "no data") in words  # the gap is marked
    y = [lab.get_text() for lab in _shown(ax, "y")]
    assert all(s.endswith("%") for s in y)


def test_many_periods_use_short_labels():
    fig = change.trend_chart(_long(_codes(8)), "zh")
    shown = [lab.get_text() for lab in _shown(fig.axes[0], "x")]
    assert "13上" in shown and "13下" in shown  # 2013H1, 2013H2 as 13上, 13下 (worked by hand)


def test_small_incidence_has_distinct_percent_ticks():
    """The demo 2022H2 case: 0.7% against 2%; the old axis read 0% 0% 1% 2% 2% 2% 3%."""
    sheet = pd.DataFrame({"indicator": ["poverty_incidence", "exit_threshold"], "value": [3 / 455, 0.02]})
    for fig in (plotting.incidence_chart(sheet, "zh"), change.trend_chart(_long(["2022H1", "2022H2"],
                                                                                 [0.0066, 0.0066]), "zh")):
        assert_readable(fig)
        ax = fig.axes[0]
        texts = [lab.get_text() for lab in _shown(ax, "x" if fig.axes[0].get_yticklabels()[0].get_text() == ""
                                                  or not _shown(ax, "y")[0].get_text().endswith("%") else "y")]
        vals = _numbers(texts)
        assert vals == sorted(vals) and len(set(vals)) == len(vals) >= 3


# --------------------------------------------------------------------------- waterfall (counts)

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("start,new,exited,end", [(1, 0, 0, 1), (150, 3, 40, 113), (0, 0, 0, 0)])
def test_waterfall_has_no_signed_zero_and_whole_ticks(start, new, exited, end, lang):
    terms = pd.Series({"poor_households_start": start, "poor_households_new": new, "poor_households_returned": 0,
                       "poor_households_exited": exited, "poor_households_removed": 0, "poor_households_end": end})
    fig = change.waterfall_chart(terms, "2022年上半年", "2022年下半年", lang)
    assert_readable(fig)
    ax = fig.axes[0]
    bar_texts = [t.get_text() for t in ax.texts]
    assert not any(s in ("+0", "−0", "-0", "±0") for s in bar_texts), bar_texts
    assert bar_texts.count("0") >= 2  # returned and removed are 0 without a sign
    ticks = _numbers([lab.get_text() for lab in _shown(ax, "y")])
    assert all(v == int(v) for v in ticks) and len(ticks) >= 2


# --------------------------------------------------------------------------- county (villages on the y axis)

def _overview(n):
    rng = np.random.default_rng(n)
    return pd.DataFrame({
        "name_zh": [f"{'东西南北中'[i % 5]}{'岭庄沟峪坪'[i // 5 % 5]}村{i}" for i in range(n)],
        "name_en": [f"Village {i}" for i in range(n)], "township_zh": ["东岭乡"] * n,
        "poverty_incidence": rng.uniform(0.001, 0.3, n), "exit_threshold": np.full(n, 0.03),
        "exit_ready": rng.uniform(size=n) > 0.5,
        "investment_committed_per_poor_person_yuan": rng.uniform(1000, 1_600_000, n)})


@pytest.mark.parametrize("n", SIZES)
def test_county_charts_hold(n):
    o = _overview(n)
    dots = county.incidence_dot_chart(o, "zh")
    assert_readable(dots)
    assert all(lab.get_text().endswith("%") for lab in _shown(dots.axes[0], "x"))
    money = county.per_poor_chart(o, "zh")
    assert_readable(money)
    texts = [lab.get_text() for lab in _shown(money.axes[0], "x")]
    big = [s for s in texts if abs(float(s.replace(",", ""))) >= 1000]
    assert big and all("," in s for s in big), texts  # 1,600,000 not 1.6 ×1e6
    assert money.axes[0].get_xlabel() == "元/人"


def test_investment_chart_in_wan_yuan_with_separators(suoluoyu):
    projects = suoluoyu.table("projects").copy()
    projects["investment_yuan"] = projects["investment_yuan"] * 1000  # hundreds of millions of yuan
    fig = plotting.investment_chart(projects, "zh")
    assert_readable(fig)
    texts = [lab.get_text() for lab in _shown(fig.axes[0], "x")]
    assert any("," in s for s in texts), texts


def test_count_charts_have_whole_ticks(suoluoyu, sheet):
    for fig in (plotting.household_chart(sheet, "zh"),):
        assert_readable(fig)
        ticks = _numbers([lab.get_text() for lab in _shown(fig.axes[0], "x")])
        assert all(v == int(v) for v in ticks)
