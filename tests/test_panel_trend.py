"""The long sheet and its changes, and the exit pace, on small frames worked by hand and on the demo."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from village_stats.errors import DataError
from village_stats.evaluate import evaluate
from village_stats.indicators import SHEET_COLUMNS
from village_stats.load import Source
from village_stats.panel.trend import LONG_COLUMNS, add_changes, exit_pace, load_panel, long_sheet, period_steps, series

from .conftest import DATA


def frame(rows):
    return pd.DataFrame(rows, columns=["village_id", "period", "indicator", "value", "unit"])


def test_changes_skip_periods_without_a_value_and_other_kinds():
    long = frame([
        ("v", "2017H1", "poor_households", 40.0, "households"),
        ("v", "2017", "poor_households", 99.0, "households"),       # a year: not compared with half-years
        ("v", "2017H2", "poor_households", float("nan"), "households"),
        ("v", "2018H1", "poor_households", 30.0, "households"),
        ("v", "2018", "poor_households", 90.0, "households"),
        ("v", "2017H1", "gini", 0.40, "index"),
        ("v", "2018H1", "gini", 0.35, "index"),
        ("v", "2017H1", "investment_committed_yuan", 0.0, "yuan"),
        ("v", "2018H1", "investment_committed_yuan", 5000.0, "yuan"),
    ])
    out = add_changes(long).set_index(["period", "indicator"])
    r = out.loc[("2018H1", "poor_households")]
    assert r["previous_period"] == "2017H1" and r["previous_value"] == 40.0   # 2017H2 has no value: skipped
    assert r["change"] == -10.0 and r["change_rel"] == pytest.approx(-0.25)
    assert math.isnan(out.loc[("2017H2", "poor_households"), "change"])
    r = out.loc[("2018", "poor_households")]
    assert r["previous_period"] == "2017" and r["change"] == -9.0 and r["change_rel"] == pytest.approx(-9 / 99)
    r = out.loc[("2018H1", "gini")]
    assert r["change"] == pytest.approx(-0.05) and r["change_unit"] == "index" and math.isnan(r["change_rel"])
    r = out.loc[("2018H1", "investment_committed_yuan")]
    assert r["change"] == 5000.0 and math.isnan(r["change_rel"])            # from 0: no relative change
    assert len(long) == 9 and "change" not in long.columns                   # input untouched


def test_demo_long_sheet():
    assert [d.period.code for d in load_panel(Source(DATA), "demo")][:5] == ["2017H1", "2017H2", "2018H1", "2018H2", "2021H1"]
    panel = load_panel(Source(DATA), "demo", to_period="2018H2")
    assert [d.period.code for d in panel] == ["2017H1", "2017H2", "2018H1", "2018H2"]
    long = long_sheet([evaluate(d).sheet for d in panel])
    assert tuple(long.columns) == LONG_COLUMNS and LONG_COLUMNS[:len(SHEET_COLUMNS)] == SHEET_COLUMNS
    assert long["indicator"].value_counts().eq(4).all()
    inc = series(long, "poverty_incidence")
    assert list(inc.index) == ["2017H1", "2017H2", "2018H1", "2018H2"]
    assert [d.period.code for d in load_panel(Source(DATA), "demo", "2017H2", "2018H1")] == ["2017H2", "2018H1"]
    assert [d.period.code for d in load_panel(Source(DATA), "demo", to_period="latest")][-1] == "2026H2"
    with pytest.raises(DataError, match="comes after"):
        load_panel(Source(DATA), "demo", "2018H2", "2017H1")


def test_exit_pace_worked_by_hand():
    inc = pd.Series({"2017H1": 0.20, "2017H2": 0.16, "2018H1": 0.12})
    p = exit_pace(inc, 0.02, "2019H1")
    # so far: (0.12 - 0.20) / 2 half-years = -0.04; needed: (0.02 - 0.12) / 2 = -0.05 -> not on course
    assert p["periods_elapsed"] == 2 and p["periods_left"] == 2
    assert p["pace_so_far"] == pytest.approx(-0.04) and p["pace_needed"] == pytest.approx(-0.05)
    assert p["projected_at_target"] == pytest.approx(0.04) and p["on_course"] is False
    p = exit_pace(inc, 0.02, "2019H2")           # three half-years left: -0.0333 needed, -0.04 achieved
    assert p["pace_needed"] == pytest.approx(-0.1 / 3) and p["on_course"] is True
    p = exit_pace(pd.Series({"2017H1": 0.05, "2017H2": 0.01}), 0.02, "2018H2")
    assert p["pace_needed"] == 0.0 and p["on_course"] is True                # already below the threshold
    p = exit_pace(pd.Series({"2017H1": 0.05}), 0.02, "2017H1")
    assert math.isnan(p["pace_so_far"]) and math.isnan(p["pace_needed"]) and p["on_course"] is False
    assert period_steps("2017H2", "2020H1") == 5
    with pytest.raises(ValueError):
        period_steps("2017H1", "2018Q1")
