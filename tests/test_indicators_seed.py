"""Every indicator of Suoluoyu 2017 H1 against the figures of the seed (work summary)."""

import math

import pytest

from village_stats.indicators import CATALOGUE, SHEET_COLUMNS, values
from village_stats.units import UNITS

from .conftest import SEED_QUOTES

EXPECTED = {
    "households_total": 176, "population_total": 410, "poor_households": 86, "poor_population": 196,
    "poor_household_share": 0.48864, "poverty_incidence": 0.47805, "avg_household_size": 2.32955,
    "avg_poor_household_size": 2.27907, "wubao_households": 3, "dibao_households": 2,
    "absent_poor_households": 33, "exit_threshold": 0.02, "max_poor_population_at_exit": 8,
    "poverty_reduction_needed": 188, "contacted_poor_households": 53, "contact_rate": 0.61628,
    "resident_contact_rate": 1.0, "household_visits": 80, "meetings_total": 12,
    "crop_target_new_area_mu": 390, "crop_target_new_area_ha": 26.0,
    "investment_committed_yuan": 3097200, "investment_planned_yuan": 100000,
    "investment_committed_per_poor_person_yuan": 15802.04, "investment_industry_yuan": 670000,
    "investment_infrastructure_yuan": 1100000, "investment_living_environment_yuan": 227200,
    "investment_public_service_yuan": 1100000, "projects_total": 8, "projects_without_investment": 1,
}


@pytest.mark.parametrize("indicator,expected", sorted(EXPECTED.items()))
def test_seed_figure(sheet, indicator, expected):
    got = values(sheet)[indicator]
    assert got == pytest.approx(expected, abs=5e-6 if expected < 10 else 5e-3)


def test_unknown_stays_unknown(sheet):
    v = values(sheet)
    assert math.isnan(v["crop_achieved_new_area_mu"])  # nothing achieved recorded: empty, not zero
    assert math.isnan(v["crop_achievement_share"])


def test_seed_rounded_percentages_match(sheet):
    """The seed itself prints 占比达到49% and 47.8%."""
    v = values(sheet)
    text = "".join(SEED_QUOTES)
    assert f"{v['poor_household_share'] * 100:.0f}%" in text
    assert f"{v['poverty_incidence'] * 100:.1f}%" in text


def test_sheet_shape(sheet):
    assert tuple(sheet.columns) == SHEET_COLUMNS
    assert set(sheet["village_id"]) == {"suoluoyu"} and set(sheet["period"]) == {"2017H1"}
    assert sheet["indicator"].is_unique
    assert set(sheet["unit"]) <= set(UNITS)
    assert (sheet["label_zh"] != "").all() and (sheet["label_en"] != "").all()
    ratio_rows = sheet.set_index("indicator").loc[["poverty_incidence", "contact_rate"]]
    assert ratio_rows["numerator"].tolist() == [196, 53]
    assert ratio_rows["denominator"].tolist() == [410, 86]


def test_catalogue_names_agree_with_units():
    """Units go in names: every *_yuan indicator is in yuan, every *_mu in mu."""
    for ind in CATALOGUE.values():
        if ind.id.endswith("_per_poor_person_yuan"):
            assert ind.unit == "yuan_per_person"
        elif ind.id.endswith("_yuan"):
            assert ind.unit.startswith("yuan"), ind.id
        if ind.id.endswith("_mu"):
            assert ind.unit == "mu", ind.id
