"""monitoring_1m: screening (possible 漏监测) + 风险消除 eligibility on 1,000,000 households over two periods.

Ours: village_stats.measures.monitoring.screening and risk_elimination (numpy; the previous period is
matched by household_id). Baseline: DuckDB (in-process, 2 threads) applying the same rules in SQL to the
same two frames (a LEFT JOIN on household_id, materialised once for both queries). Two cases: the
previous register lists the same households in the same order (a register carried over between periods:
ours then needs no hash join) and the previous register shuffled (both sides really join). The two must
agree in both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from village_stats.measures import monitoring as mon
from village_stats.schema import GUARANTEES
from village_stats.synthetic import synthetic_register

from .conftest import interleaved, record, traced_peak

duckdb = pytest.importorskip("duckdb")

N, VILLAGES, REPEATS = 1_000_000, 2_000, 7
M, D = 6000.0, 0.3   # monitoring threshold [yuan], sharp income drop [ratio] (fixed here: not read from policy)

_G = ["food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure"]
_LOST = " OR ".join(f"(p_{g} AND NOT {g})" for g in _G)
_ALL = " AND ".join(_G)
JOIN = f"""
CREATE OR REPLACE TEMP TABLE j AS
SELECT c.row, c.household_id, c.members::DOUBLE AS w, c.income_per_capita_yuan AS y, c.monitoring_type,
       c.rigid_spending_yuan AS rigid, c.has_labour, {", ".join(f"c.{g}" for g in _G)},
       p.income_per_capita_yuan AS y_prev, p.household_id IS NOT NULL AS known,
       {", ".join(f"p.{g} AS p_{g}" for g in _G)},
       (c.monitoring_type IS NOT NULL AND c.risk_eliminated_on IS NULL) AS monitored
FROM cur c LEFT JOIN prev p USING (household_id)
"""
SCREENING = f"""
WITH f AS (
  SELECT row, household_id, monitored,
         y < $m AS income_below_threshold,
         COALESCE(y_prev > 0 AND y_prev - y >= $d * y_prev * (1 - 1e-9), false) AS income_drop,
         COALESCE(rigid > y * w, false) AS rigid_spending_above_income,
         COALESCE(known AND ({_LOST}), false) AS guarantee_lost
  FROM j
)
SELECT household_id,
       concat_ws('|', CASE WHEN income_below_threshold THEN 'income_below_threshold' END,
                      CASE WHEN income_drop THEN 'income_drop' END,
                      CASE WHEN rigid_spending_above_income THEN 'rigid_spending_above_income' END,
                      CASE WHEN guarantee_lost THEN 'guarantee_lost' END) AS rules,
       income_below_threshold, income_drop, rigid_spending_above_income, guarantee_lost
FROM f
WHERE NOT monitored AND (income_below_threshold OR income_drop OR rigid_spending_above_income OR guarantee_lost)
ORDER BY row
"""
RISK = f"""
WITH r AS (
  SELECT row, household_id, monitoring_type,
         (y > $m AND COALESCE(y_prev > $m, false)) AS income_stable,
         ({_ALL}) AS guarantees_met,
         NOT COALESCE(rigid > y * w, false) AS no_rigid_spending_risk,
         COALESCE(has_labour, false) AS has_labour
  FROM j WHERE monitored
)
SELECT household_id, monitoring_type, income_stable, guarantees_met, no_rigid_spending_risk, has_labour,
       CASE WHEN income_stable AND guarantees_met AND no_rigid_spending_risk
            THEN CASE WHEN has_labour THEN 'eligible' ELSE 'no_labour_hold' END
            ELSE 'not_eligible' END AS outcome
FROM r ORDER BY row
"""


def two_periods(shuffle: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two half-years of a fictional county register with monitoring fields."""
    rng = np.random.default_rng(20211)
    prev = synthetic_register(N, VILLAGES, seed=20211, poverty_line_yuan=4000.0).drop(columns=["head_name", "id_number"])
    prev["income_per_capita_yuan"] = np.round(prev["income_per_capita_yuan"] * 2.4)
    cur = prev.copy()
    cur["income_per_capita_yuan"] = np.round(cur["income_per_capita_yuan"] * rng.uniform(0.6, 1.3, N))
    for g in GUARANTEES:
        flip = rng.random(N) < 0.01
        cur[g] = np.where(flip, ~cur[g].to_numpy(), cur[g].to_numpy())
    kind = np.array([None, "unstable_exited", "marginal", "sudden_hardship"], dtype=object)
    cur["monitoring_type"] = kind[rng.choice(4, N, p=[0.92, 0.05, 0.025, 0.005])]
    eliminated = pd.notna(cur["monitoring_type"]).to_numpy() & (rng.random(N) < 0.3)
    cur["risk_eliminated_on"] = pd.Series(np.where(eliminated, np.datetime64("2022-05-15"), np.datetime64("NaT")),
                                          dtype="datetime64[ns]")
    cur["has_labour"] = rng.random(N) < 0.9
    rigid = rng.random(N) < 0.05
    cur["rigid_spending_yuan"] = np.where(rigid, np.round(rng.uniform(1000, 60000, N)), np.nan)
    cur["row"] = np.arange(N)
    if shuffle:
        prev = prev.iloc[rng.permutation(N)].reset_index(drop=True)
    return prev, cur


@pytest.mark.parametrize("order", ["same_order", "shuffled"])
def test_monitoring_1m(order):
    prev, cur = two_periods(shuffle=order == "shuffled")
    frame_bytes = int(cur.memory_usage(deep=True).sum() + prev.memory_usage(deep=True).sum())
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("cur", cur.drop(columns="village_id"))
    con.register("prev", prev.drop(columns="village_id"))

    def ours():
        positions = mon.previous_positions(cur, prev)   # match ids once for both
        return mon.screening(cur, prev, M, D, positions), mon.risk_elimination(cur, prev, M, positions)

    def baseline():
        con.execute(JOIN)   # the join once, then both queries
        return (con.execute(SCREENING, {"m": M, "d": D}).df(), con.execute(RISK, {"m": M}).df())

    # agreement first (the benchmark is void if the two disagree)
    (a_scr, a_risk), (b_scr, b_risk) = ours(), baseline()
    assert len(a_scr) > 10_000 and len(a_risk) > 10_000
    assert a_scr["household_id"].tolist() == b_scr["household_id"].tolist()
    assert a_scr["rules"].tolist() == b_scr["rules"].tolist()
    for c in mon.SCREENING_RULES:
        np.testing.assert_array_equal(a_scr[c].to_numpy(), b_scr[c].to_numpy(dtype=bool), err_msg=c)
    assert a_risk["household_id"].tolist() == b_risk["household_id"].tolist()
    for c in (*mon.RISK_CRITERIA, "outcome", "monitoring_type"):
        np.testing.assert_array_equal(a_risk[c].to_numpy(), b_risk[c].to_numpy(), err_msg=c)
    ours_s, base_s = interleaved(ours, baseline, REPEATS)
    peak = traced_peak(ours)
    ratio = np.median(ours_s) / np.median(base_s)
    name = "monitoring_1m" if order == "same_order" else "monitoring_1m_shuffled"
    record(name, f"{N:,} households in two periods (previous register {order.replace('_', ' ')})", ours_s, base_s,
           f"duckdb {duckdb.__version__} SQL (2 threads, LEFT JOIN on household_id materialised once)", peak,
           "ratio <= 1.0", ratio <= 1.0,
           frames_memory_mb=round(frame_bytes / 2 ** 20, 1), candidates=len(a_scr), monitored=len(a_risk),
           eligible=int(a_risk["outcome"].eq("eligible").sum()))
