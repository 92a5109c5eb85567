"""常态化帮扶 measures on a case worked by hand (six households, 2026H1, standard 7,900 yuan).

h1 exited, 3 persons, income 12,000 (parts 8,000 / 2,000 / 0 / 2,000), no object.
h2 non-poor object (marginal), 2 persons, 7,000; risk found 03-01, monitored 03-10 (9 days), 公示 03-04…03-06
   (3 days), data_alert; 低保 and 刚性支出困难 (three layers with the object); parts 3,000 / 1,000 / 0 / 3,000.
h3 exited object since 2025-06-01, 4 persons, 9,000; 风险消除 2026-04-01 (10 months, income above: fine).
h4 exited object (sudden), 1 person, 6,000; found 2025-12-01, monitored 01-20 (50 days), 公示 7 days;
   风险消除 05-01: below the standard and under six months (breaks the rule); 特困.
h5 non-poor, 2 persons, 20,000. h6 non-poor object, 5 persons, 5,000; found 06-18, monitored 06-20 (2 days),
   公示 06-12…06-16 (5 days), self_report; 低保边缘.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from village_stats.evaluate import evaluate
from village_stats.load import PeriodData
from village_stats.measures import regular_help as rh
from village_stats.parse import Village
from village_stats.periods import parse_period
from village_stats.policy import AppliedRules, Rule
from village_stats.schema import GUARANTEES

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
D = pd.to_datetime
N = None


def households() -> pd.DataFrame:
    hh = pd.DataFrame({
        "household_id": ["h1", "h2", "h3", "h4", "h5", "h6"],
        "members": [3.0, 2.0, 4.0, 1.0, 2.0, 5.0],
        "category": ["general", "non_poor", "general", "dibao", "non_poor", "non_poor"],
        "status": ["exited", "non_poor", "exited", "exited", "non_poor", "non_poor"],
        "income_per_capita_yuan": [12000.0, 7000.0, 9000.0, 6000.0, 20000.0, 5000.0],
        "monitoring_type": [N, "marginal", "unstable_exited", "sudden_hardship", N, "marginal"],
        "monitoring_since": D([N, "2026-03-10", "2025-06-01", "2026-01-20", N, "2026-06-20"]),
        "risk_eliminated_on": D([N, N, "2026-04-01", "2026-05-01", N, N]),
        "risk_found_on": D([N, "2026-03-01", "2025-05-20", "2025-12-01", N, "2026-06-18"]),
        "discovery_channel": [N, "data_alert", "routine_check", N, N, "self_report"],
        "publicised_from": D([N, "2026-03-04", N, "2026-01-10", N, "2026-06-12"]),
        "publicised_to": D([N, "2026-03-06", N, "2026-01-16", N, "2026-06-16"]),
        "wage_income_yuan": [8000.0, 3000.0, N, N, N, N],
        "business_income_yuan": [2000.0, 1000.0, N, N, N, N],
        "property_income_yuan": [0.0, 0.0, N, N, N, N],
        "transfer_income_yuan": [2000.0, 3000.0, N, N, N, N],
        "dibao": [N, True, N, N, N, N], "tekun": [N, N, N, True, N, N],
        "dibao_edge": [N, N, N, N, N, True], "rigid_spending_hardship": [N, True, N, N, False, N],
    })
    for g in GUARANTEES:
        hh[g] = True
    hh["exit_year"] = [2019.0, N, 2018.0, 2019.0, N, N]
    return hh


def members() -> pd.DataFrame:
    return pd.DataFrame({
        "household_id": ["h1", "h1", "h1", "h2", "h5", "h5"],
        "member_no": [1.0, 2.0, 3.0, 1.0, 1.0, 2.0],
        "relation": ["head", "spouse", "child", "head", "head", "child"],
        "birth_date": D(["1970-05-05", "1972-01-01", "2012-07-01", "1980-01-01", "1990-01-01", "2020-06-30"]),
        "in_school": ["not_in_school", "not_in_school", "dropped_out", "not_in_school", "not_in_school",
                      "not_in_school"],
        "work_place": ["out_of_province", "not_working", N, "in_county", "out_of_province", N],
        "work_months": [10.0, 0.0, N, 6.0, 12.0, N],
        "medical_insured": [True, True, True, False, True, N],
        "pension_insured": [True, False, False, False, False, N],
    })


def measures() -> pd.DataFrame:
    return pd.DataFrame({
        "household_id": ["h2", "h6", "h1", "h4"],
        "measure": ["industry", "employment", "industry", "public_welfare_job"],
        "started_on": D(["2026-03-15", "2025-01-01", "2024-03-01", "2026-02-01"]),
        "ended_on": D([N, "2025-12-31", "2026-02-01", N]),
        "amount_yuan": [3000.0, 500.0, N, 1200.0],
    })


def test_identification_time_and_publicity():
    days = rh.identification_days(households(), START, END)
    assert sorted(days) == [2.0, 9.0, 50.0]            # h6, h2, h4 (h3 was identified in 2025)
    assert rh.identification_summary(days) == (9.0, 2.0, 3.0)
    assert rh.publicity_short(households(), START, END).tolist() == [False, True, False, False, False, False]
    ch = rh.channels(households(), START, END)     # h4 has no channel; h3's routine_check was in 2025
    assert (ch.get("data_alert"), ch.get("self_report"), ch.get("routine_check", 0.0), ch.sum()) == (1, 1, 0, 3)


def test_risk_elimination_breaks_by_hand():
    b = rh.risk_elimination_breaks(households(), START, END, 7900)
    assert list(b.index) == [2, 3]                     # h3 and h4 were marked in the period
    assert b.loc[3, ["income_below", "under_six_months", "guarantee_missing"]].tolist() == [True, True, False]
    assert not b.loc[2, "breaks"] and b.loc[3, "breaks"]


def test_help_coverage_and_industry_by_hand():
    assert rh.help_coverage(households(), measures(), START, END) == (1.0, 2.0)   # h2 of h2, h6
    assert rh.industry_help(households(), measures(), START, END) == (2.0, 5.0)   # h1, h2 of h1 h2 h3 h4 h6


def test_members_by_hand():
    assert rh.migrant_workers(households(), members()) == (2.0, 16.0)            # h1 head 10, h2 head 6
    assert rh.school_age_not_in_school(members(), END).tolist() == [False, False, True, False, False, True]
    assert rh.insured_share(members(), "medical_insured") == (4.0, 6.0)


def test_income_by_hand():
    assert rh.exited_income(households()) == (78000.0, 8.0)                       # 36,000 + 36,000 + 6,000
    parts = rh.income_parts(households())
    assert parts["transfer_income_yuan"] == (12000.0, 50000.0)
    assert parts["wage_income_yuan"] == (30000.0, 50000.0)


def test_layer_overlap_by_hand():
    o = rh.layer_overlap(households(), END)
    assert o[["households", "persons"]].values.tolist() == [[1.0, 5.0], [1.0, 2.0], [1.0, 1.0]]
    assert o.iloc[0][["dibao_edge", "object", "dibao"]].tolist() == [True, True, False]           # h6
    assert o.iloc[1][["dibao", "rigid_spending_hardship", "object", "tekun"]].tolist() == [True, True, True, False]


def period_data() -> PeriodData:
    village = Village("t", "测试村", "Test", "", "", "", "", "central", "", 0.02)
    rule = Rule("monitoring_threshold_yuan", 7900.0, "national", 2026, "", "", False, "test")
    days = Rule("identification_days_max", 15.0, "national", 2026, "", "", True, "test", unit="days")
    income = {2025: Rule("rural_income_yuan", 20000.0, "national", 2025, "", "", False, "test"),
              2026: Rule("rural_income_yuan", 21000.0, "national", 2026, "", "", False, "test")}
    pop = pd.DataFrame({"measure": ["households_total", "population_total", "poor_households", "poor_population"],
                        "value": [6.0, 20.0, 0.0, 0.0]})
    rules = AppliedRules(monitoring_threshold=rule, monitoring={"identification_days_max": days,
                                                                "income_drop_share": days}, rural_income=income)
    return PeriodData(village, parse_period("2026H1"), {"population": pop, "households": households(),
                                                        "members": members(), "help_measures": measures()},
                      rules=rules)


def test_indicators_by_hand():
    from village_stats.indicators import Context

    data = period_data()

    ctx = Context(data)
    v = {i: ctx[i] for i in (
        "unresolved_objects", "unresolved_object_persons", "monitored_households_non_registered",
        "monitored_persons_non_registered", "object_population_share", "objects_below_standard", "objects_ever",
        "risk_eliminated_by_end", "risk_elimination_rate", "risk_eliminated_in_period",
        "risk_elimination_rule_breaks", "identified_in_period", "identified_within_15_days_share",
        "identification_days_median", "publicity_short_households", "help_coverage_share", "industry_help_share",
        "migrant_workers", "migrant_worker_months", "school_age_not_in_school", "medical_insured_share",
        "pension_insured_share", "exited_income_per_capita_yuan", "transfer_income_share", "wage_income_share",
        "low_income_layer_households", "low_income_layer_persons", "multi_layer_households",
        "rural_income_growth", "member_audit_findings", "identified_by_data_alert", "help_measures_amount_yuan")}
    assert v == pytest.approx({
        "unresolved_objects": 2, "unresolved_object_persons": 7, "monitored_households_non_registered": 2,
        "monitored_persons_non_registered": 7, "object_population_share": 7 / 20, "objects_below_standard": 2,
        "objects_ever": 4, "risk_eliminated_by_end": 2, "risk_elimination_rate": 0.5, "risk_eliminated_in_period": 2,
        "risk_elimination_rule_breaks": 1, "identified_in_period": 3, "identified_within_15_days_share": 2 / 3,
        "identification_days_median": 9, "publicity_short_households": 1, "help_coverage_share": 0.5,
        "industry_help_share": 0.4, "migrant_workers": 2, "migrant_worker_months": 16,
        "school_age_not_in_school": 2, "medical_insured_share": 4 / 6, "pension_insured_share": 1 / 6,
        "exited_income_per_capita_yuan": 9750, "transfer_income_share": 0.24, "wage_income_share": 0.6,
        "low_income_layer_households": 3, "low_income_layer_persons": 8, "multi_layer_households": 2,
        "rural_income_growth": 0.05, "member_audit_findings": 1, "identified_by_data_alert": 1,
        "help_measures_amount_yuan": 4200})


def test_a_register_without_2026_fields_has_none_of_these_indicators():
    from village_stats.indicators import CATALOGUE
    from village_stats.load import load_period

    from .conftest import DATA

    sheet = evaluate(load_period("demo", "2022H2", DATA)).sheet
    new = {i for i, e in CATALOGUE.items() if e.table == "regular_help"}
    assert len(new) > 40 and not new & set(sheet["indicator"])


def test_figures_in_one_pass_equal_the_indicators():
    """measures.regular_help.figures (the county-sized path the benchmark times) gives the hand-worked values."""
    f = rh.figures(households(), members(), measures(), START, END, 7900)
    assert f == pytest.approx({
        "unresolved_objects": 2, "unresolved_object_persons": 7, "monitored_households_non_registered": 2,
        "objects_below_standard": 2, "objects_ever": 4, "risk_eliminated_by_end": 2, "exited_or_object_households": 5,
        "risk_elimination_rule_breaks": 1, "identification_days_median": 9, "identified_within_15_days": 2,
        "identified_in_period": 3, "publicity_short_households": 1, "exited_income_total_yuan": 78000,
        "exited_persons": 8, "transfer_income_total_yuan": 12000, "parts_income_total_yuan": 50000,
        "low_income_layer_households": 3, "help_covered_objects": 1, "industry_help_households": 2,
        "migrant_workers": 2, "migrant_worker_months": 16, "school_age_not_in_school": 2,
        "medical_insured_members": 4, "member_rows": 6})


def test_the_2017_register_is_untouched_by_the_2026_section():
    """Suoluoyu 2017H1 (2017 columns only): no 2026 indicator, no section, the 2020 share rules not applied."""
    from village_stats.indicators.regular_help import has_regular_help
    from village_stats.load import load_period

    from .conftest import DATA

    data = load_period("suoluoyu", "2017H1", DATA)
    assert not has_regular_help(data) and data.year_ago is None and data.rules.rural_income == {}
    sheet = evaluate(data).sheet
    assert len(sheet) == 36 and not sheet["indicator"].str.startswith(("unresolved_", "help_", "migrant")).any()


def test_an_indicator_group_is_tested_once_per_sheet(monkeypatch):
    """Whether a period has the 常态化帮扶 (and monitoring) indicators is decided once per indicator sheet,
    not once per indicator of the group (57 times: a sixth of a report's cells in the profile)."""
    from village_stats import Source, evaluate
    from village_stats.indicators import GROUPS

    from .conftest import DATA

    calls = {}
    for group, present in list(GROUPS.items()):
        def counted(data, present=present, group=group):
            calls[group] = calls.get(group, 0) + 1
            return present(data)
        monkeypatch.setitem(GROUPS, group, counted)
    results = evaluate(Source(DATA).period("demo", "2026H2"))
    assert calls == {"monitoring": 1, "regular_help": 1}
    from village_stats.indicators import CATALOGUE

    group = {i.id for i in CATALOGUE.values() if i.table == "regular_help"}
    assert len(group) > 20 and group <= set(results.sheet["indicator"])   # and the group's indicators are there
