"""Frames of the 2026 data interface (helpers/CONTRACT-2026: households with the new fields, members.csv,
help_measures.csv), built by hand for the checks' tests until the loaders of issue 19 are merged.

A clean village of four households, consistent by every rule of the catalogue, period 2026H1 (last day
2026-06-30), poverty line 4,000 and monitoring standard 7,000 yuan per person per year:

- H1 exited general household, 3 members (head 46, spouse 44 with a chronic illness, child 11 in primary
  school), main cause illness, income 12,000 = 8,000 + 2,000 + 500 + 1,500; measures: industry, education,
  a public-welfare job.
- H2 monitored (边缘易致贫户) non-poor household on dibao: found 2025-11-01, publicised 11-03 … 11-09,
  identified 11-10; head 76, spouse 74 with a grade-2 disability; a social-security measure; income 7,500.
- H3 exited, monitored since 2025-01-10 and risk eliminated 2026-03-01; head 55 working 12 months outside
  the province; an employment measure that ended in 2025.
- H4 tekun household, head 86 with a grade-3 disability, main cause disability, income 9,000 (transfers).
"""

from __future__ import annotations

import math

import pandas as pd

from village_stats.load import PeriodData
from village_stats.parse import PovertyLine, Village
from village_stats.periods import parse_period
from village_stats.policy import AppliedRules, Rule

PERIOD = parse_period("2026H1")
POVERTY_LINE = 4000.0
MONITORING_THRESHOLD = 7000.0
NaT = pd.NaT
T = pd.Timestamp
GUARANTEES = dict(food_clothing_secure=True, education_secure=True, medical_secure=True, housing_secure=True,
                  water_secure=True)
NO_MONITORING = dict(monitoring_type=None, monitoring_since=NaT, risk_eliminated_on=NaT, risk_types=None,
                     risk_found_on=NaT, discovery_channel=None, publicised_from=NaT, publicised_to=NaT)


def households(prefix: str = "a") -> pd.DataFrame:
    rows = [
        dict(household_id="H1", members=3.0, category="general", status="exited", exit_year=2019.0,
             main_cause="illness", income_per_capita_yuan=12000.0, absent=False, **GUARANTEES, **NO_MONITORING,
             has_labour=True, rigid_spending_yuan=math.nan, wage_income_yuan=8000.0, business_income_yuan=2000.0,
             property_income_yuan=500.0, transfer_income_yuan=1500.0, dibao=False, tekun=False, dibao_edge=False,
             rigid_spending_hardship=False),
        dict(household_id="H2", members=2.0, category="non_poor", status="non_poor", exit_year=math.nan,
             main_cause=None, income_per_capita_yuan=7500.0, absent=False, **GUARANTEES,
             **{**NO_MONITORING, "monitoring_type": "marginal", "monitoring_since": T("2025-11-10"),
                "risk_types": "illness", "risk_found_on": T("2025-11-01"), "discovery_channel": "routine_check",
                "publicised_from": T("2025-11-03"), "publicised_to": T("2025-11-09")},
             has_labour=False, rigid_spending_yuan=20000.0, wage_income_yuan=0.0, business_income_yuan=1500.0,
             property_income_yuan=0.0, transfer_income_yuan=6000.0, dibao=True, tekun=False, dibao_edge=False,
             rigid_spending_hardship=True),
        dict(household_id="H3", members=1.0, category="general", status="exited", exit_year=2018.0,
             main_cause="lack_of_skills", income_per_capita_yuan=9000.0, absent=False, **GUARANTEES,
             **{**NO_MONITORING, "monitoring_type": "unstable_exited", "monitoring_since": T("2025-01-10"),
                "risk_eliminated_on": T("2026-03-01"), "risk_types": "unemployment",
                "risk_found_on": T("2025-01-02"), "discovery_channel": "self_report",
                "publicised_from": T("2025-01-03"), "publicised_to": T("2025-01-08")},
             has_labour=True, rigid_spending_yuan=math.nan, wage_income_yuan=9000.0, business_income_yuan=0.0,
             property_income_yuan=0.0, transfer_income_yuan=0.0, dibao=False, tekun=False, dibao_edge=False,
             rigid_spending_hardship=False),
        dict(household_id="H4", members=1.0, category="tekun", status="exited", exit_year=2019.0,
             main_cause="disability", income_per_capita_yuan=9000.0, absent=False, **GUARANTEES, **NO_MONITORING,
             has_labour=False, rigid_spending_yuan=math.nan, wage_income_yuan=0.0, business_income_yuan=0.0,
             property_income_yuan=0.0, transfer_income_yuan=9000.0, dibao=False, tekun=True, dibao_edge=False,
             rigid_spending_hardship=False),
    ]
    frame = pd.DataFrame(rows)
    frame["id_number_status"] = "valid"
    frame["id_key"] = [f"{prefix}-{h}-1" for h in frame["household_id"]]   # the head's key, as the head member's
    return frame


MEMBER = dict(in_school="not_in_school", health="healthy", disability_grade=math.nan, labour="ordinary",
              work_place="not_working", work_months=0.0, medical_insured=True, pension_insured=True,
              id_number_status="valid")


def member(household_id: str, member_no: int, relation: str, sex: str, birth: str, prefix: str = "a",
           **values) -> dict:
    """One member row; the ID-derived fields agree with the stated ones unless ``values`` say otherwise."""
    row = dict(household_id=household_id, member_no=member_no, relation=relation, sex=sex, birth_date=T(birth),
               **MEMBER, id_birth_date=T(birth), id_sex=sex, id_key=f"{prefix}-{household_id}-{member_no}")
    row.update(values)
    return row


def members(prefix: str = "a") -> pd.DataFrame:
    p = prefix
    return pd.DataFrame([
        member("H1", 1, "head", "male", "1980-05-01", p, work_place="in_county", work_months=10.0),
        member("H1", 2, "spouse", "female", "1982-03-03", p, health="chronic"),
        member("H1", 3, "child", "male", "2014-09-01", p, in_school="primary", labour="none"),
        member("H2", 1, "head", "female", "1950-02-02", p, labour="lost"),
        member("H2", 2, "spouse", "male", "1952-04-04", p, health="disabled", disability_grade=2.0, labour="none"),
        member("H3", 1, "head", "male", "1970-07-15", p, work_place="out_of_province", work_months=12.0),
        member("H4", 1, "head", "female", "1940-01-01", p, health="disabled", disability_grade=3.0, labour="lost"),
    ])


def help_measures() -> pd.DataFrame:
    return pd.DataFrame([
        dict(household_id="H1", measure="industry", started_on=T("2025-03-01"), ended_on=NaT, amount_yuan=3000.0),
        dict(household_id="H1", measure="education", started_on=T("2025-09-01"), ended_on=NaT, amount_yuan=1000.0),
        dict(household_id="H1", measure="public_welfare_job", started_on=T("2025-04-01"), ended_on=NaT,
             amount_yuan=6000.0),
        dict(household_id="H2", measure="social_security", started_on=T("2025-12-01"), ended_on=NaT,
             amount_yuan=1200.0),
        dict(household_id="H3", measure="employment", started_on=T("2025-02-01"), ended_on=T("2025-12-31"),
             amount_yuan=500.0),
    ])


def tables(prefix: str = "a") -> dict[str, pd.DataFrame]:
    """The three tables of a clean village (fresh copies)."""
    return {"households": households(prefix), "members": members(prefix), "help_measures": help_measures()}


def village(village_id: str = "a", county_code: str | None = "140724") -> Village:
    return Village(village_id, "示例村", "Demo", "", "", "", "", "central", "", 0.02, fictional=True,
                   county_code=county_code)


def period_data(frames: dict[str, pd.DataFrame], village_id: str = "a", period=PERIOD,
                monitoring_threshold: float | None = MONITORING_THRESHOLD, monitoring=None) -> PeriodData:
    """A PeriodData of the tables, with the poverty line and monitoring standard of the fixture (and the
    monitoring rules ``monitoring`` when an evaluation needs them)."""
    line = Rule("poverty_line_yuan", POVERTY_LINE, "national", period.year, "", "fixture", True, "fixture",
                unit="yuan_per_person_year")
    threshold = None if monitoring_threshold is None else Rule(
        "monitoring_threshold_yuan", monitoring_threshold, "national", period.year, "", "fixture", True, "fixture",
        unit="yuan_per_person_year")
    return PeriodData(village=village(village_id), period=period, tables=dict(frames),
                      poverty_line=PovertyLine(POVERTY_LINE, period.year, "", "fixture", True, "fixture"),
                      rules=AppliedRules(poverty_line=line, monitoring_threshold=threshold,
                                         monitoring=dict(monitoring or {})))
