"""Property: adding a valid household (register row, members and measures consistent by the catalogue's
rules) to a clean village adds no finding, whatever its income parts, size, ages and monitoring dates."""

from __future__ import annotations

import pandas as pd
import pytest

from village_stats import checks

from . import fixtures_2026 as fx

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

END = pd.Timestamp("2026-06-30")


def _age(birth: pd.Timestamp) -> int:
    return END.year - birth.year - ((birth.month, birth.day) > (END.month, END.day))


@st.composite
def valid_household(draw):
    hid = "H5"
    wage, business, prop, transfer = (draw(st.integers(0, 20_000)) for _ in range(4))
    income = float(wage + business + prop + transfer)
    income = max(income, fx.MONITORING_THRESHOLD + 1)   # above the monitoring standard: 风险消除 may be marked
    transfer = income - wage - business - prop
    head_birth = pd.Timestamp(draw(st.dates(pd.Timestamp("1936-01-01").date(), pd.Timestamp("1990-12-31").date())))
    others = draw(st.lists(st.dates(pd.Timestamp("1930-01-01").date(), pd.Timestamp("2026-06-30").date()),
                           max_size=4))
    rows = [fx.member(hid, 1, "head", draw(st.sampled_from(["male", "female"])), str(head_birth.date()),
                      labour="ordinary" if _age(head_birth) <= 65 else "weak")]
    for i, d in enumerate(others, start=2):
        birth = pd.Timestamp(d)
        age = _age(birth)
        school = "primary" if 6 <= age <= 11 else "junior" if 12 <= age <= 15 else "not_in_school"
        working = 16 <= age <= 65 and draw(st.booleans())
        rows.append(fx.member(hid, i, "child", draw(st.sampled_from(["male", "female"])), str(birth.date()),
                              in_school=school, labour="ordinary" if 16 <= age <= 65 else "none",
                              work_place="in_province" if working else "not_working",
                              work_months=float(draw(st.integers(1, 12))) if working else 0.0))
    monitored = draw(st.booleans())
    found = pd.Timestamp(draw(st.dates(pd.Timestamp("2021-01-01").date(), pd.Timestamp("2026-06-01").date())))
    since = found + pd.Timedelta(days=draw(st.integers(0, 15)))
    public_from = found + pd.Timedelta(days=draw(st.integers(0, 3)))
    public_to = public_from + pd.Timedelta(days=draw(st.integers(4, 10)))
    eliminated = since + pd.DateOffset(months=draw(st.integers(6, 30)))
    eliminated = eliminated if monitored and eliminated <= END and draw(st.booleans()) else pd.NaT
    household = fx.households().iloc[[0]].copy()
    household.loc[:, ["household_id", "members", "main_cause", "income_per_capita_yuan", "wage_income_yuan",
                      "business_income_yuan", "property_income_yuan", "transfer_income_yuan", "id_key"]] = \
        [hid, float(len(rows)), "lack_of_funds", income, float(wage), float(business), float(prop), transfer,
         "a-H5-1"]
    if monitored:
        household["monitoring_type"] = "marginal"
        for column, value in (("risk_found_on", found), ("monitoring_since", since), ("publicised_from", public_from),
                              ("publicised_to", public_to), ("risk_eliminated_on", eliminated)):
            household[column] = value
        household["risk_types"] = "illness"
    measures = [dict(household_id=hid, measure="industry", started_on=pd.Timestamp("2025-01-01"), ended_on=pd.NaT,
                     amount_yuan=float(draw(st.integers(1, 50_000))))]
    return household, pd.DataFrame(rows), pd.DataFrame(measures)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_household())
def test_adding_a_valid_household_adds_no_finding(new):
    household, members, measures = new
    frames = fx.tables()
    frames["households"] = pd.concat([frames["households"], household], ignore_index=True)
    frames["members"] = pd.concat([frames["members"], members], ignore_index=True)
    frames["help_measures"] = pd.concat([frames["help_measures"], measures], ignore_index=True)
    found = checks.run(fx.period_data(frames)).frame
    assert found.empty, found.to_string()
