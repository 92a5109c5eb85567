"""Exit-evaluation rates, Wilson intervals and the verdict, against values worked by hand.

Wilson 95%: (p̂ + z²/2n ± z·sqrt(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.96 (z² = 3.8415).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from village_stats import policy
from village_stats.load import read_village
from village_stats.measures import evaluation as ev

from .conftest import DATA


def sample(exited=(60, 1), non_registered=(60, 0), surveyed=(40, 37)) -> pd.DataFrame:
    rows = []
    n, k = exited
    rows += [(f"e{i}", "exited", "wrongly_exited" if i < k else "correct", None) for i in range(n)]
    n, k = non_registered
    rows += [(f"n{i}", "non_registered", "missed" if i < k else "correct", None) for i in range(n)]
    n, k = surveyed
    rows += [(f"s{i}", "surveyed", None, i < k) for i in range(n)]
    return pd.DataFrame(rows, columns=["household_id", "sample", "finding", "satisfied"])


@pytest.mark.parametrize("k, n, low, high", [
    (1, 60, 0.002948, 0.088553),  # centre .016667 + .032013; half 1.96·sqrt(.00027315 + .00026677) = .045543; / 1.064025
    (1, 50, 0.00354, 0.10496),   # centre .02 + .038415 = .058415; half 1.96·sqrt(.000392 + .000384) = .054604; / 1.07683
    (0, 60, 0.0, 0.06017),       # k = 0: high = (z²/n) / (1 + z²/n) = .064025 / 1.064025
    (37, 40, 0.80137, 0.97417),  # centre .925 + .048019; half 1.96·sqrt(.0017344 + .0006002) = .094703; / 1.096037
    (5, 10, 0.23659, 0.76341),
])
def test_wilson_by_hand(k, n, low, high):
    lo, hi = ev.wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=2e-5) and hi == pytest.approx(high, abs=2e-5)


def test_wilson_limits():
    assert all(math.isnan(x) for x in ev.wilson_interval(0, 0))
    assert ev.wilson_interval(10, 10)[1] == 1.0
    narrow, wide = ev.wilson_interval(50, 100, 0.90), ev.wilson_interval(50, 100, 0.99)
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


def test_sample_rates():
    s = sample()
    w, m, a = ev.wrong_exit_rate(s), ev.missed_rate(s), ev.satisfaction_rate(s)
    assert (w.value, w.numerator, w.denominator) == (pytest.approx(1 / 60), 1, 60)
    assert (m.value, m.numerator, m.denominator) == (0.0, 0, 60)
    assert (a.value, a.numerator, a.denominator) == (0.925, 37, 40)
    assert (w.low, w.high) == (pytest.approx(0.002948, abs=2e-5), pytest.approx(0.088553, abs=2e-5))


def test_unanswered_survey_rows_are_left_out():
    s = sample(surveyed=(4, 3))
    s.loc[s["household_id"] == "s3", "satisfied"] = None
    a = ev.satisfaction_rate(s)
    assert (a.value, a.denominator) == (1.0, 3)


def test_composite_incidence_by_hand():
    s = sample()
    c = ev.composite_incidence(4, 100, 300, 500, ev.wrong_exit_rate(s), ev.missed_rate(s))
    assert c.value == pytest.approx((4 + 100 / 60 + 0) / 500)                        # 0.011333
    assert c.low == pytest.approx((4 + 0.002948 * 100) / 500, abs=1e-5)            # 0.008590
    assert c.high == pytest.approx((4 + 0.088553 * 100 + 0.060173 * 300) / 500, abs=1e-4)  # 0.061815


def _verdict_table(s):
    village = read_village(DATA, "demo")
    w, m = ev.wrong_exit_rate(s), ev.missed_rate(s)
    rates = {"wrong_exit_rate": w, "missed_rate": m, "satisfaction_rate": ev.satisfaction_rate(s),
             "composite_incidence": ev.composite_incidence(4, 100, 300, 500, w, m)}
    return ev.readiness(rates, policy.PolicyBook(DATA).evaluation_thresholds(village))


def test_readiness_each_criterion_shown():
    t = _verdict_table(sample())
    assert list(t.index) == list(ev.CRITERIA)
    assert t["met"].tolist() == [True, True, True, True]
    assert t.loc["satisfaction_rate", "met_with_confidence"] is False   # low end .80 < .90
    assert t.loc["wrong_exit_rate", "threshold"] == 0.02 and t.loc["composite_incidence", "threshold"] == 0.02
    assert ev.verdict(t) == "ready"
    assert t["source"].str.contains("贫困县退出专项评估检查实施办法").all()


def test_readiness_fails_on_one_criterion():
    t = _verdict_table(sample(exited=(50, 1)))                  # 错退率 1/50 = 2% is not below 2%
    assert t.loc["wrong_exit_rate", "met"] is False
    assert ev.verdict(t) == "not_ready"
    t = _verdict_table(sample(surveyed=(0, 0)))                 # nobody surveyed
    assert t.loc["satisfaction_rate", "met"] is None and ev.verdict(t) == "incomplete"
