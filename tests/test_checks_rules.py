"""Every rule of the check catalogue, by hand: a planted hit (the rows it must name) and a near miss (the
closest clean case: no finding of that rule), on the clean village of :mod:`tests.fixtures_2026`.

Edits are ``(table, key, {column: value})``: ``key`` is a household id (households), ``(household id,
member no)`` (members), a row number (help measures), or None to append a row (members: built by
:func:`fixtures_2026.member`; help measures: the dict itself). Ages are at 2026-06-30.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from village_stats import checks

from . import fixtures_2026 as fx

T = pd.Timestamp
NaT = pd.NaT


def m(hid, no, relation, sex, birth, **values):
    return ("members", None, fx.member(hid, no, relation, sex, birth, **values))


def job(hid, measure, start, end=NaT, amount=100.0):
    return ("help_measures", None, dict(household_id=hid, measure=measure, started_on=T(start), ended_on=end,
                                        amount_yuan=amount))


def hh(hid, **values):
    return ("households", hid, values)


def mb(hid, no, **values):
    return ("members", (hid, no), values)


def hm(row, **values):
    return ("help_measures", row, values)


#: rule → (hit edits, the (household id, member no or None) it must find, near-miss edits)
CASES: dict[str, tuple[list, set, list]] = {
    "HH-001": ([hh("H1", income_per_capita_yuan=0.0)], {("H1", None)}, [hh("H1", income_per_capita_yuan=1.0)]),
    "HH-002": ([hh("H1", income_per_capita_yuan=100001.0)], {("H1", None)},
               [hh("H1", income_per_capita_yuan=100000.0)]),
    "HH-003": ([hh("H1", id_number_status="bad_check_digit")], {("H1", None)},
               [hh("H1", id_number_status="fifteen_digits")]),
    "HH-004": ([hh("H1", id_number_status="fifteen_digits")], {("H1", None)},
               [hh("H1", id_number_status="bad_check_digit")]),
    "HH-005": ([hh("H1", category="non_poor")], {("H1", None)}, [hh("H1", category="dibao")]),
    "HH-006": ([hh("H1", exit_year=math.nan)], {("H1", None)}, [hh("H1", exit_year=math.nan, status="poor")]),
    "HH-007": ([hh("H1", income_per_capita_yuan=4000.0)], {("H1", None)}, [hh("H1", income_per_capita_yuan=4001.0)]),
    # parts 12,000, tolerance 5% of income: y − 12,000 > 0.05 y from y = 12,632 (0.95 × 12,632 = 12,000.4)
    "HH-008": ([hh("H1", income_per_capita_yuan=12632.0)], {("H1", None)},
               [hh("H1", income_per_capita_yuan=12631.0)]),
    "HH-009": ([hh("H3", income_per_capita_yuan=6999.0, wage_income_yuan=6999.0)], {("H3", None)},
               [hh("H3", income_per_capita_yuan=7000.0, wage_income_yuan=7000.0)]),
    "HH-010": ([hh("H3", water_secure=False)], {("H3", None)}, [hh("H3", water_secure=None)]),
    "HH-011": ([hh("H3", risk_eliminated_on=T("2025-07-09"))], {("H3", None)},
               [hh("H3", risk_eliminated_on=T("2025-07-10"))]),
    "HH-012": ([hh("H2", risk_found_on=T("2025-10-25"))], {("H2", None)}, [hh("H2", risk_found_on=T("2025-10-26"))]),
    "HH-013": ([hh("H2", publicised_to=T("2025-11-06"))], {("H2", None)}, [hh("H2", publicised_to=T("2025-11-07"))]),
    "HH-014": ([hh("H2", publicised_to=T("2025-11-02"))], {("H2", None)}, [hh("H2", publicised_to=T("2025-11-03"))]),
    "HH-015": ([hh("H2", risk_found_on=T("2025-11-11"))], {("H2", None)}, [hh("H2", risk_found_on=T("2025-11-10"))]),
    "HH-016": ([hh("H3", risk_eliminated_on=T("2025-01-09"))], {("H3", None)},
               [hh("H3", risk_eliminated_on=T("2025-01-10"))]),
    "HH-017": ([hh("H3", risk_eliminated_on=T("2026-07-01"))], {("H3", None)},
               [hh("H3", risk_eliminated_on=T("2026-06-30"))]),
    "HH-018": ([hh("H2", income_per_capita_yuan=14001.0)], {("H2", None)}, [hh("H2", income_per_capita_yuan=14000.0)]),
    "HH-019": ([hh("H2", monitoring_since=NaT)], {("H2", None)}, [hh("H2", monitoring_since=NaT, monitoring_type=None)]),
    "HH-020": ([hh("H1", monitoring_since=T("2025-05-01"))], {("H1", None)},
               [hh("H1", monitoring_since=T("2025-05-01"), monitoring_type="marginal")]),
    "HH-021": ([hh("H4", members=0.0)], {("H4", None)}, [hh("H4", members=1.0)]),
    "HH-022": ([hh("H2", dibao_edge=True)], {("H2", None)}, [hh("H1", dibao_edge=True)]),
    "HH-023": ([hh("H1", rigid_spending_hardship=True)], {("H1", None)},           # H2 records its amount
               [hh("H1", rigid_spending_hardship=True, rigid_spending_yuan=1.0)]),
    "HH-024": ([hh("H1", exit_year=2027.0)], {("H1", None)}, [hh("H1", exit_year=2026.0)]),
    "MB-001": ([hh("H1", members=4.0)], {("H1", None)},
               [hh("H1", members=4.0), m("H1", 4, "child", "female", "2016-01-01", in_school="primary",
                                         labour="none")]),
    "MB-002": ([("members", ("H4", 1), None)], {("H4", None)}, [mb("H4", 1, member_no=2)]),
    "MB-003": ([m("H9", 1, "head", "male", "1980-01-01")], {("H9", 1)}, [m("H4", 2, "child", "male", "1980-01-01")]),
    "MB-004": ([mb("H4", 1, relation="other")], {("H4", None)}, [mb("H1", 1, relation="spouse"),
                                                                 mb("H1", 2, relation="head")]),
    "MB-005": ([mb("H1", 2, relation="head")], {("H1", None)}, [mb("H1", 2, relation="other")]),
    "MB-006": ([mb("H1", 3, member_no=2)], {("H1", 2)}, [mb("H1", 3, member_no=4)]),
    "MB-007": ([mb("H1", 3, birth_date=T("2026-07-01"))], {("H1", 3)}, [mb("H1", 3, birth_date=T("2026-06-30"))]),
    "MB-008": ([mb("H1", 3, birth_date=T("2010-07-01"), in_school="dropped_out")], {("H1", 3)},
               [mb("H1", 3, birth_date=T("2010-06-30"), in_school="dropped_out")]),
    "MB-009": ([mb("H1", 2, medical_insured=False)], {("H1", 2)},
               [mb("H1", 2, medical_insured=False), hh("H1", medical_secure=False)]),
    "MB-010": ([hm(3, measure="industry")], {("H2", 2)}, [hm(3, measure="health")]),
    "MB-011": ([mb("H1", 3, work_place="in_county")], {("H1", 3)},
               [mb("H1", 3, work_place="in_county", birth_date=T("2010-06-30"))]),
    "MB-012": ([mb("H4", 1, birth_date=T("2010-07-01")), job("H4", "public_welfare_job", "2026-01-01")],
               {("H4", None)},
               [mb("H4", 1, birth_date=T("2010-06-30")), job("H4", "public_welfare_job", "2026-01-01")]),
    "MB-013": ([mb("H3", 1, work_months=13.0)], {("H3", 1)}, [mb("H3", 1, work_months=12.0)]),
    "MB-014": ([mb("H1", 2, work_months=1.0)], {("H1", 2)}, [mb("H1", 2, work_months=0.0)]),
    "MB-015": ([mb("H1", 1, birth_date=T("1980-05-02"))], {("H1", 1)},
               [mb("H1", 1, birth_date=T("1980-05-02"), id_birth_date=NaT)]),
    "MB-016": ([mb("H1", 1, sex="female")], {("H1", 1)}, [mb("H1", 1, sex="female", id_sex=None)]),
    "MB-017": ([mb("H1", 2, id_number_status="bad_check_digit")], {("H1", 2)},
               [mb("H1", 2, id_number_status="fifteen_digits")]),
    "MB-018": ([mb("H1", 2, id_number_status="fifteen_digits")], {("H1", 2)},
               [mb("H1", 2, id_number_status="bad_check_digit")]),
    "MB-019": ([mb("H1", 3, labour="ordinary")], {("H1", 3)}, [mb("H1", 3, labour="weak")]),
    "MB-020": ([mb("H1", 3, relation="head")], {("H1", 3)}, [mb("H1", 2, relation="head")]),
    "MB-021": ([m("H4", 2, "child", "male", "1961-01-01")], {("H4", None)}, [m("H4", 2, "child", "male", "1960-06-30")]),
    "MB-022": ([mb("H1", 2, health="healthy")], {("H1", None)}, [mb("H1", 2, health="serious_illness")]),
    "MB-023": ([hh("H2", main_cause="schooling")], {("H2", None)}, [hh("H1", main_cause="schooling")]),
    "MB-024": ([mb("H4", 1, health="healthy", disability_grade=math.nan)], {("H4", None)},
               [mb("H4", 1, health="healthy")]),
    "HM-001": ([hm(4, ended_on=T("2025-01-31"))], {("H3", None)}, [hm(4, ended_on=T("2025-02-01"))]),
    "HM-002": ([hm(0, household_id="H9")], {("H9", None)}, [hm(0, household_id="H4")]),
    "HM-003": ([hm(0, amount_yuan=0.0)], {("H1", None)}, [hm(0, amount_yuan=math.nan)]),
    "HM-004": ([hm(3, ended_on=T("2025-12-31"))], {("H2", None)}, [hm(3, ended_on=T("2026-01-01"))]),
    "HM-005": ([hm(0, started_on=T("2026-07-01"))], {("H1", None)}, [hm(0, started_on=T("2026-06-30"))]),
    "HM-006": ([hm(1, household_id="H2")], {("H2", None)}, [hm(1, household_id="H2", ended_on=T("2025-12-31"))]),
}


def edited(edits: list) -> dict[str, pd.DataFrame]:
    """The clean tables with ``edits`` applied."""
    frames = fx.tables()
    for table, key, values in edits:
        f = frames[table]
        if key is None:
            frames[table] = pd.concat([f, pd.DataFrame([values])], ignore_index=True)
            continue
        if table == "households":
            rows = f.index[f["household_id"] == key]
        elif table == "members":
            rows = f.index[(f["household_id"] == key[0]) & (f["member_no"] == key[1])]
        else:
            rows = [key]
        assert len(rows) == 1, (table, key)
        if values is None:
            frames[table] = f.drop(index=rows).reset_index(drop=True)
            continue
        for column, value in values.items():
            if column not in f or f[column].dtype != object and value is None:
                f[column] = f[column].astype(object)
            f.loc[rows[0], column] = value
    return frames


def found(edits: list, rule_id: str) -> set:
    """(household id, member no or None) of the findings of ``rule_id`` on the edited village."""
    f = checks.run(fx.period_data(edited(edits)), rules=[rule_id]).frame
    f = f.loc[f["rule"] == rule_id]
    return {(h, None if pd.isna(n) else int(n)) for h, n in zip(f["household_id"], f["member_no"])}


LOCAL = [rid for rid, r in checks.RULES.items() if not r.across]


def test_every_rule_has_a_case():
    """A rule without a hand-worked hit and near miss fails here (rules across villages: test_checks.py)."""
    assert sorted(set(LOCAL) - set(CASES)) == []
    assert sorted(set(CASES) - set(LOCAL)) == []


def test_the_clean_village_gives_no_finding_and_every_rule_runs_on_it():
    from village_stats.checks.engine import applies, frames_of

    data = fx.period_data(fx.tables())
    assert checks.run(data).frame.empty
    frames = frames_of(data)
    assert [rid for rid in LOCAL if not applies(checks.RULES[rid], frames)] == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_planted_hit(rule_id):
    hit, expected, _ = CASES[rule_id]
    assert found(hit, rule_id) == expected


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss(rule_id):
    _, _, miss = CASES[rule_id]
    assert found(miss, rule_id) == set()
