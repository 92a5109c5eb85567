"""The catalogue as data: every unit declared once (village_stats.units), every indicator says how it combines."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from village_stats import indicators
from village_stats.evaluate import indicator_sheet
from village_stats.indicators import CATALOGUE
from village_stats.units import (
    UNITS,
    Bound,
    Local,
    Pooled,
    Ratio,
    Setting,
    Sum,
    catalogue_problems,
    default_combine,
    format_value,
)


def test_every_catalogue_indicator_declares_how_it_combines():
    assert catalogue_problems(CATALOGUE) == []
    assert all(isinstance(ind.combine, (Sum, Ratio, Pooled, Setting, Bound, Local)) for ind in CATALOGUE.values())


def test_the_check_finds_a_missing_declaration_and_a_part_that_does_not_exist():
    def entry(unit, combine):
        return SimpleNamespace(unit=unit, combine=combine)

    planted = {"a": entry("households", Sum()), "b": entry("ratio", None),
               "c": entry("ratio", Ratio("a", "nope")), "d": entry("ratio", Ratio("a")),
               "e": entry("ratio", Bound("nope", "low")), "f": entry("ratio", Sum()),
               "g": entry("households", Sum(part_of="a"))}
    problems = catalogue_problems(planted)
    assert len(problems) == 6
    for text in ("b: no combination", "c: its denominator 'nope'", "d: a part that is not an indicator",
                 "e: its rate 'nope'", "f: a sum of ratio", "g: a breakdown names both"):
        assert any(p.startswith(text) for p in problems), (text, problems)


def test_a_unit_that_does_not_add_up_must_declare_its_combination():
    assert default_combine("crop_groups") == Sum()
    with pytest.raises(ValueError, match="declare combine"):
        indicators.indicator("test_share_without_parts", "ratio", "测试", "test")


def test_every_ratio_names_its_parts_or_their_unit():
    ratios = {i: ind.combine for i, ind in CATALOGUE.items() if isinstance(ind.combine, Ratio)}
    # the ratios of counts and amounts, the evaluation rates, monitoring shares and contact rates
    for i in ("poverty_incidence", "poor_household_share", "avg_household_size", "avg_poor_household_size",
              "contact_rate", "resident_contact_rate", "crop_achievement_share", "absent_poor_household_share",
              "investment_committed_per_poor_person_yuan", "monitored_share", "return_rate",
              "impoverishment_rate", "wrong_exit_rate", "missed_rate", "satisfaction_rate", "composite_incidence"):
        assert i in ratios, i
    assert ratios["poverty_incidence"] == Ratio("poor_population", "population_total")
    assert ratios["wrong_exit_rate"] == Ratio(parts_unit="households")
    assert ratios["composite_incidence"] == Ratio(parts_unit="persons")
    assert ratios["resident_contact_rate"] == Ratio("contacted_poor_households", parts_unit="households")
    assert CATALOGUE["wrong_exit_rate_low"].combine == Bound("wrong_exit_rate", "low")
    assert CATALOGUE["crop_groups_without_progress"].combine == Sum()
    for i in ("exit_threshold", "poverty_line_yuan", "monitoring_threshold_yuan", "monitored_share_ceiling"):
        assert CATALOGUE[i].combine == Setting(), i


def test_named_parts_are_the_numerator_and_denominator_the_sheet_carries(suoluoyu):
    sheet = indicator_sheet(suoluoyu).set_index("indicator")
    checked = 0
    for i, row in sheet.iterrows():
        c = CATALOGUE[i].combine
        if not isinstance(c, Ratio):
            continue
        for part, column in ((c.numerator, "numerator"), (c.denominator, "denominator")):
            if part is not None and part in sheet.index:
                assert row[column] == pytest.approx(sheet.loc[part, "value"], nan_ok=True), (i, column)
                checked += 1
    assert checked >= 10


def test_every_pooled_indicator_is_a_pooled_register_measure():
    import numpy as np
    import pandas as pd

    from village_stats.measures.register import GUARANTEES
    from village_stats.panel.rollup import pooled_register_measures

    reg = pd.DataFrame({"members": [2, 3], "income_per_capita_yuan": [1000.0, 5000.0], "status": "poor",
                        **{g: True for g in GUARANTEES}})
    columns = set(pooled_register_measures(reg, np.array(["a", "a"]), 3000.0).columns)
    pooled = [i for i, ind in CATALOGUE.items() if isinstance(ind.combine, Pooled)]
    assert len(pooled) == 20 and set(pooled) <= columns


def test_units_are_declared_once_with_their_facts():
    assert {u for u, x in UNITS.items() if x.head_count} == {"households", "persons"}
    assert {u for u, x in UNITS.items() if x.additive} == {"households", "persons", "household_visits", "meetings",
                                                          "mu", "ha", "yuan", "projects", "count", "crop_groups",
                                                             "person_months"}
    assert UNITS["crop_groups"].zh == "类" and UNITS["ratio"].xlsx_format == "0.0%"
    assert {ind.unit for ind in CATALOGUE.values()} <= set(UNITS)


def test_format_value_by_the_units_display():
    assert format_value(0.0625, "ratio", digits=2) == "6.25%"
    assert format_value(1234.5, "yuan") == "1,234.50 元"
    assert format_value(2.0, "crop_groups", "en") == "2 crop groups"
    assert format_value(3.14159, "mu", digits=3) == "3.142 亩"
    assert format_value(None, "persons") == "—" and format_value(math.nan, "index") == "—"
    assert format_value(7.0, "not_a_unit") == "7"


def test_format_value_lives_in_units_only():
    assert not hasattr(indicators, "format_value") and not hasattr(indicators, "UNITS")
