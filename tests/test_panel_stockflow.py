"""Stock-flow of the poor and the household diff: hand-made registers worked by hand, the identity on the
demo's consecutive periods and on random registers (checked against a plain per-household computation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from village_stats.load import load_period
from village_stats.panel.stockflow import (
    STOCK_FLOW_IDS,
    flows,
    household_diff,
    identity_residual,
    inconsistent_moves,
    match,
    stock_flow,
)
from village_stats.schema import GUARANTEES
from village_stats.synthetic import synthetic_next_period, synthetic_register

from .conftest import DATA

COLUMNS = ["household_id", "members", "category", "status", "income_per_capita_yuan", *GUARANTEES]


def register(rows) -> pd.DataFrame:
    """rows: (id, members, category, status, income, {guarantee: False, ...})."""
    out = []
    for hid, members, category, status, income, *insecure in rows:
        flags = [g not in (insecure[0] if insecure else ()) for g in GUARANTEES]
        out.append([hid, members, category, status, income, *flags])
    return pd.DataFrame(out, columns=COLUMNS)


# Every kind of move at least once (expected flow in the comment), one household leaving (h04, h15),
# households changing size (h01 +1, h09 +1, h10 +1, h13 -2), two entering (h11, h12).
BEFORE = register([
    ("h01", 3, "general", "poor", 2000.0),            # stayed, 3 -> 4 persons
    ("h02", 2, "general", "poor", 2500.0, ("water_secure",)),  # exited, income up, water gained
    ("h03", 5, "dibao", "returned", 2800.0),          # exited
    ("h04", 1, "tekun", "poor", 1500.0),              # removed: leaves the register
    ("h05", 4, "general", "poor", 2900.0),            # removed: non_poor (category to non_poor)
    ("h06", 3, "general", "exited", 3500.0),          # returned, income down
    ("h07", 2, "general", "exited", 4000.0),          # inconsistent_in (exited -> poor), medical lost
    ("h08", 6, "non_poor", "non_poor", 5000.0),       # inconsistent_in (non_poor -> returned)
    ("h09", 2, "general", "poor", 2000.0),            # inconsistent_out_in (poor -> returned), 2 -> 3
    ("h10", 4, "non_poor", "non_poor", 3100.0),       # new (non_poor -> poor), 4 -> 5
    ("h13", 4, "dibao", "returned", 2000.0),          # stayed, 4 -> 2
    ("h14", 3, "non_poor", "non_poor", 3100.0),       # outside; income 3100 >= 3000 then 3150 < 3200: down
    ("h15", 1, "non_poor", "exited", 6000.0),         # outside, leaves
])
AFTER = register([
    ("h01", 4, "general", "poor", 3100.0),            # 3100 < 3200: still below the later line
    ("h02", 2, "general", "exited", 3500.0),
    ("h03", 5, "dibao", "exited", 2800.0),
    ("h05", 4, "non_poor", "non_poor", 2900.0),
    ("h06", 3, "general", "returned", 2000.0),
    ("h07", 2, "general", "poor", 4000.0, ("medical_secure",)),
    ("h08", 6, "general", "returned", 5000.0),
    ("h09", 3, "general", "returned", 2000.0),
    ("h10", 5, "general", "poor", 3100.0),
    ("h11", 3, "general", "poor", 1000.0),            # new (absent -> poor)
    ("h12", 2, "general", "returned", 1000.0),        # inconsistent_in (absent -> returned)
    ("h13", 2, "dibao", "returned", 2000.0),
    ("h14", 3, "non_poor", "non_poor", 3150.0),
])
Z0, Z1 = 3000.0, 3200.0

# Worked by hand from the rows above.
# poor before: h01 3, h02 2, h03 5, h04 1, h05 4, h09 2, h13 4          -> 7 households, 21 persons
# poor after:  h01 4, h06 3, h07 2, h08 6, h09 3, h10 5, h11 3, h12 2, h13 2 -> 9 households, 30 persons
EXPECTED = {
    "poor_households_start": 7, "poor_households_new": 2, "poor_households_returned": 1,
    "poor_households_inconsistent_in": 4, "poor_households_exited": 2, "poor_households_removed": 2,
    "poor_households_inconsistent_out": 1, "poor_households_end": 9,
    "poor_population_start": 21, "poor_population_new": 5 + 3, "poor_population_returned": 3,
    "poor_population_inconsistent_in": 2 + 6 + 2 + 3, "poor_population_exited": 2 + 5,
    "poor_population_removed": 1 + 4, "poor_population_inconsistent_out": 2,
    "poor_population_size_change": (4 - 3) + (2 - 4), "poor_population_end": 30,
}


def test_every_term_of_the_hand_made_registers():
    got = stock_flow(BEFORE, AFTER)
    assert list(got.index) == list(STOCK_FLOW_IDS)
    assert got.to_dict() == {k: float(v) for k, v in EXPECTED.items()}
    assert identity_residual(got) == {"households": 0.0, "persons": 0.0}


def test_each_household_flow():
    f = flows(BEFORE, AFTER).set_index("household_id")["flow"].to_dict()
    assert f == {"h01": "stayed", "h02": "exited", "h03": "exited", "h04": "removed", "h05": "removed",
                 "h06": "returned", "h07": "inconsistent_in", "h08": "inconsistent_in",
                 "h09": "inconsistent_out_in", "h10": "new", "h13": "stayed", "h14": "outside",
                 "h15": "outside", "h11": "new", "h12": "inconsistent_in"}
    moves = inconsistent_moves(BEFORE, AFTER)
    assert moves.values.tolist() == [["h07", "exited", "poor", "inconsistent_in"],
                                     ["h08", "non_poor", "returned", "inconsistent_in"],
                                     ["h09", "poor", "returned", "inconsistent_out_in"],
                                     ["h12", "absent", "returned", "inconsistent_in"]]


def test_household_diff_of_the_hand_made_registers():
    d = household_diff(BEFORE, AFTER, Z0, Z1)
    rows = [tuple(r) for r in d.itertuples(index=False)]
    assert rows == [
        ("h01", "members", "3", "4"),
        ("h02", "status", "poor", "exited"), ("h02", "income_up", "2500", "3500"),
        ("h02", "water_secure_gained", "false", "true"),
        ("h03", "status", "returned", "exited"),
        ("h04", "left", "poor", ""),
        ("h05", "status", "poor", "non_poor"), ("h05", "category", "general", "non_poor"),
        ("h06", "status", "exited", "returned"), ("h06", "income_down", "3500", "2000"),
        ("h07", "status", "exited", "poor"), ("h07", "medical_secure_lost", "true", "false"),
        ("h08", "status", "non_poor", "returned"), ("h08", "category", "non_poor", "general"),
        ("h09", "status", "poor", "returned"), ("h09", "members", "2", "3"),
        ("h10", "status", "non_poor", "poor"), ("h10", "category", "non_poor", "general"),
        ("h10", "members", "4", "5"), ("h10", "income_down", "3100", "3100"),   # the line rose past it
        ("h13", "members", "4", "2"),
        ("h14", "income_down", "3100", "3150"),      # above 3000, then below the later line 3200
        ("h15", "left", "exited", ""),
        ("h11", "entered", "", "poor"), ("h12", "entered", "", "returned"),
    ]
    assert "head_name" not in d.columns and "id_number" not in d.columns


def test_nothing_changes_between_identical_registers():
    assert household_diff(BEFORE, BEFORE, Z0, Z0).empty
    sf = stock_flow(BEFORE, BEFORE)
    assert sf["poor_households_start"] == sf["poor_households_end"] == 7
    assert sf.drop(["poor_households_start", "poor_households_end", "poor_population_start",
                    "poor_population_end"]).eq(0).all()


def test_inputs_are_not_modified_and_duplicates_refused():
    before = BEFORE.copy()
    stock_flow(BEFORE, AFTER)
    household_diff(BEFORE, AFTER, Z0, Z1)
    pd.testing.assert_frame_equal(BEFORE, before)
    with pytest.raises(ValueError, match="twice"):
        match(pd.concat([BEFORE, BEFORE.iloc[:1]]), AFTER)
    with pytest.raises(ValueError, match="status"):
        stock_flow(BEFORE.assign(status="gone"), AFTER)


@pytest.mark.parametrize("p0, p1", [("2017H1", "2017H2"), ("2017H2", "2018H1"), ("2018H1", "2018H2")])
def test_identity_on_the_demo(p0, p1):
    before = load_period("demo", p0, DATA).table("households")
    after = load_period("demo", p1, DATA).table("households")
    sf = stock_flow(before, after)
    assert identity_residual(sf) == {"households": 0.0, "persons": 0.0}
    poor0 = before["status"].isin(["poor", "returned"])
    poor1 = after["status"].isin(["poor", "returned"])
    assert sf["poor_households_start"] == poor0.sum() and sf["poor_households_end"] == poor1.sum()
    assert sf["poor_population_end"] == after.loc[poor1, "members"].sum()


def plain_terms(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, float]:
    """The stock-flow terms by a plain loop over households, straight from the issue's definitions."""
    s0 = dict(zip(before["household_id"], before["status"]))
    s1 = dict(zip(after["household_id"], after["status"]))
    m0 = dict(zip(before["household_id"], before["members"]))
    m1 = dict(zip(after["household_id"], after["members"]))
    poor = {"poor", "returned"}
    t = {k: 0.0 for k in STOCK_FLOW_IDS}

    def add(term, persons):
        t[f"poor_households_{term}"] += 1
        t[f"poor_population_{term}"] += persons

    for hid in set(s0) | set(s1):
        a, b = s0.get(hid, "absent"), s1.get(hid, "absent")
        if a in poor:
            add("start", m0[hid])
        if b in poor:
            add("end", m1[hid])
        if a in ("absent", "non_poor") and b == "poor":
            add("new", m1[hid])
        elif a == "exited" and b == "returned":
            add("returned", m1[hid])
        elif a in poor and b == "exited":
            add("exited", m0[hid])
        elif a in poor and b in ("absent", "non_poor"):
            add("removed", m0[hid])
        elif a == "poor" and b == "returned":          # out as poor, in as returned (never exited)
            add("inconsistent_out", m0[hid])
            add("inconsistent_in", m1[hid])
        elif a in poor and b in poor:
            t["poor_population_size_change"] += m1[hid] - m0[hid]
        elif b in poor:
            add("inconsistent_in", m1[hid])
    return t


@pytest.mark.parametrize("seed", range(8))
def test_identity_on_random_registers(seed):
    rng = np.random.default_rng(seed)
    statuses = np.array(["poor", "exited", "returned", "non_poor"])

    def random_register(ids):
        return pd.DataFrame({"household_id": ids, "members": rng.integers(1, 7, len(ids)),
                             "status": statuses[rng.integers(0, 4, len(ids))]})

    ids = np.array([f"{i:05d}" for i in range(300)])
    before = random_register(rng.choice(ids, 200, replace=False))
    after = random_register(rng.choice(ids, 200, replace=False))
    sf = stock_flow(before, after)
    assert identity_residual(sf) == {"households": 0.0, "persons": 0.0}
    assert sf.to_dict() == plain_terms(before, after)


def test_synthetic_churn_has_every_flow_and_closes():
    before = synthetic_register(20_000, 3, seed=5)
    after = synthetic_next_period(before, seed=6)
    assert len(before) == 20_000                            # the earlier frame is untouched
    sf = stock_flow(before, after)
    assert identity_residual(sf) == {"households": 0.0, "persons": 0.0}
    assert sf.to_dict() == plain_terms(before, after)
    kinds = set(flows(before, after)["flow"])
    assert kinds == {"outside", "stayed", "new", "returned", "exited", "removed", "inconsistent_in",
                     "inconsistent_out_in"}
    changes = set(household_diff(before, after, 3000, 3000)["change"])
    assert {"entered", "left", "status", "category", "members", "income_up", "income_down"} <= changes
