"""Measures on closed-form cases worked by hand."""

import math

import pandas as pd
import pytest

from village_stats.measures import crops, investment, poverty, worklog
from village_stats.measures.arith import known_sum, ratio


def test_incidence_and_shares():
    assert poverty.poverty_incidence(1, 4) == 0.25
    assert poverty.poor_household_share(3, 12) == 0.25
    assert poverty.average_household_size(10, 4) == 2.5
    assert math.isnan(poverty.poverty_incidence(1, 0))
    assert math.isnan(poverty.poverty_incidence(float("nan"), 4))


def test_incidence_on_series_keeps_index():
    q = pd.Series([1, 2], index=["a", "b"])
    n = pd.Series([4, 0], index=["a", "b"])
    out = poverty.poverty_incidence(q, n)
    assert list(out.index) == ["a", "b"]
    assert out["a"] == 0.25 and math.isnan(out["b"])


@pytest.mark.parametrize("n,t,expected", [
    (410, 0.02, 8),    # 8/410 = 1.95% < 2%, 9/410 = 2.2%
    (100, 0.02, 1),    # strict: 2/100 is not below 2%
    (100, 0.03, 2),    # 0.03*100 = 3.0000000000000004 in floats; still 2
    (50, 0.02, 0),     # 1/50 = 2% is not below 2%
    (49, 0.02, 0),     # 0.98 → 0
    (51, 0.02, 1),     # 1/51 = 1.96%
    (0, 0.02, 0),
])
def test_max_poor_population_at_exit(n, t, expected):
    p = poverty.max_poor_population_at_exit(n, t)
    assert p == expected
    if n:
        assert p / n < t and (p + 1) / n >= t


def test_poverty_reduction_needed_never_negative():
    assert poverty.poverty_reduction_needed(10, 8) == 2
    assert poverty.poverty_reduction_needed(3, 8) == 0


def test_known_sum_keeps_unknown_unknown():
    assert known_sum([1, float("nan"), 2]) == 3
    assert math.isnan(known_sum([float("nan"), float("nan")]))
    assert math.isnan(known_sum([]))
    assert known_sum([0, 0]) == 0  # zero is a value, not unknown


def test_ratio_zero_denominator():
    assert math.isnan(ratio(3, 0))
    assert ratio(3, 4) == 0.75


def test_worklog_totals():
    log = pd.DataFrame({"activity": ["household_contact", "household_contact", "committee_meeting",
                                     "villager_representative_meeting", "training", "household_visit"],
                        "count": [10, 5, 2, 1, 4, float("nan")]})
    assert worklog.activity_total(log, "household_contact") == 15
    assert worklog.meetings_total(log) == 3  # training is not a meeting
    assert math.isnan(worklog.activity_total(log, "household_visit"))  # only an unknown count
    assert math.isnan(worklog.activity_total(log, "veterans_forum"))   # no row at all
    assert worklog.contact_rate(15, 20) == 0.75
    assert worklog.resident_contact_rate(15, 20, 5) == 1.0
    assert list(worklog.meetings_by_activity(log).index) == ["committee_meeting", "villager_representative_meeting"]


def test_crops():
    c = pd.DataFrame({"target_new_area_mu": [30.0, 15.0, float("nan")],
                      "achieved_new_area_mu": [15.0, float("nan"), float("nan")]})
    assert crops.target_new_area_mu(c) == 45
    assert crops.achieved_new_area_mu(c) == 15
    assert crops.mu_to_ha(45) == 3.0
    assert crops.achievement_share(15, 45) == pytest.approx(1 / 3)
    assert len(crops.groups_without_progress(c)) == 1
    assert crops.M2_PER_MU * 15 == pytest.approx(10000)


def test_investment():
    p = pd.DataFrame({
        "category": ["industry", "industry", "infrastructure", "public_service", "living_environment"],
        "status": ["completed", "planned", "in_progress", "in_progress", "in_progress"],
        "investment_yuan": [100.0, 50.0, float("nan"), 30.0, 20.0],
    })
    assert investment.committed_yuan(p) == 150
    assert investment.planned_yuan(p) == 50
    by = investment.committed_by_category(p)
    assert by.to_dict() == {"industry": 100, "infrastructure": 0, "living_environment": 20, "public_service": 30}
    assert investment.projects_without_investment(p) == 1
    assert investment.per_person(150, 3) == 50
    table = investment.investment_by_category_status(p)
    assert table.loc["industry", "planned"] == 50 and table.loc["industry", "completed"] == 100


def test_measures_do_not_mutate_inputs():
    p = pd.DataFrame({"category": ["industry"], "status": ["completed"], "investment_yuan": [1.0]})
    before = p.copy()
    investment.committed_by_category(p)
    investment.committed_yuan(p)
    pd.testing.assert_frame_equal(p, before)
