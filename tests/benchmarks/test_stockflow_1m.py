"""stockflow_1m: stock-flow of the poor + household diff between two periods of 1,000,000 households each.

Ours: village_stats.panel.stockflow.compare (numpy: one factorisation of the ids, table look-ups, bincount).
Baseline: DuckDB (in-process, 2 threads) over the same two frames: a FULL OUTER JOIN on household_id
materialised once per run as a temporary table, then the flow as a CASE expression with the terms as sums,
and the diff as a UNION ALL of one SELECT per kind of change (both results fetched as DataFrames).
The two must agree (every term, and the diff as a set of rows) before anything is timed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from village_stats.panel.stockflow import STOCK_FLOW_IDS, compare
from village_stats.schema import GUARANTEES
from village_stats.synthetic import synthetic_next_period, synthetic_register

from .conftest import interleaved, record, traced_peak

duckdb = pytest.importorskip("duckdb")

N, Z0, Z1, REPEATS = 1_000_000, 3000.0, 3200.0, 5

FLOW_SQL = """
CREATE OR REPLACE TEMP TABLE j AS
SELECT COALESCE(b.household_id, a.household_id) AS household_id,
       b.household_id IS NOT NULL AS in0, a.household_id IS NOT NULL AS in1,
       COALESCE(b.status, 'absent') AS s0, COALESCE(a.status, 'absent') AS s1,
       COALESCE(b.members, 0)::DOUBLE AS m0, COALESCE(a.members, 0)::DOUBLE AS m1,
       b.category AS c0, a.category AS c1, b.income_per_capita_yuan AS y0, a.income_per_capita_yuan AS y1,
       {guarantee_columns}
FROM b FULL OUTER JOIN a USING (household_id)
"""

TERMS_SQL = """
WITH f AS (
  SELECT s0, s1, m0, m1,
    CASE WHEN s0 IN ('absent', 'non_poor') AND s1 = 'poor' THEN 'new'
         WHEN s0 = 'exited' AND s1 = 'returned' THEN 'returned'
         WHEN s0 IN ('poor', 'returned') AND s1 = 'exited' THEN 'exited'
         WHEN s0 IN ('poor', 'returned') AND s1 IN ('absent', 'non_poor') THEN 'removed'
         WHEN s0 = 'poor' AND s1 = 'returned' THEN 'inconsistent_out_in'
         WHEN s0 IN ('poor', 'returned') AND s1 IN ('poor', 'returned') THEN 'stayed'
         WHEN s1 IN ('poor', 'returned') THEN 'inconsistent_in'
         ELSE 'outside' END AS flow
  FROM j
)
SELECT
  SUM(CASE WHEN s0 IN ('poor', 'returned') THEN 1 ELSE 0 END)::DOUBLE AS poor_households_start,
  SUM(CASE WHEN flow = 'new' THEN 1 ELSE 0 END)::DOUBLE AS poor_households_new,
  SUM(CASE WHEN flow = 'returned' THEN 1 ELSE 0 END)::DOUBLE AS poor_households_returned,
  SUM(CASE WHEN flow IN ('inconsistent_in', 'inconsistent_out_in') THEN 1 ELSE 0 END)::DOUBLE
      AS poor_households_inconsistent_in,
  SUM(CASE WHEN flow = 'exited' THEN 1 ELSE 0 END)::DOUBLE AS poor_households_exited,
  SUM(CASE WHEN flow = 'removed' THEN 1 ELSE 0 END)::DOUBLE AS poor_households_removed,
  SUM(CASE WHEN flow = 'inconsistent_out_in' THEN 1 ELSE 0 END)::DOUBLE AS poor_households_inconsistent_out,
  SUM(CASE WHEN s1 IN ('poor', 'returned') THEN 1 ELSE 0 END)::DOUBLE AS poor_households_end,
  SUM(CASE WHEN s0 IN ('poor', 'returned') THEN m0 ELSE 0 END) AS poor_population_start,
  SUM(CASE WHEN flow = 'new' THEN m1 ELSE 0 END) AS poor_population_new,
  SUM(CASE WHEN flow = 'returned' THEN m1 ELSE 0 END) AS poor_population_returned,
  SUM(CASE WHEN flow IN ('inconsistent_in', 'inconsistent_out_in') THEN m1 ELSE 0 END)
      AS poor_population_inconsistent_in,
  SUM(CASE WHEN flow = 'exited' THEN m0 ELSE 0 END) AS poor_population_exited,
  SUM(CASE WHEN flow = 'removed' THEN m0 ELSE 0 END) AS poor_population_removed,
  SUM(CASE WHEN flow = 'inconsistent_out_in' THEN m0 ELSE 0 END) AS poor_population_inconsistent_out,
  SUM(CASE WHEN flow = 'stayed' THEN m1 - m0 ELSE 0 END) AS poor_population_size_change,
  SUM(CASE WHEN s1 IN ('poor', 'returned') THEN m1 ELSE 0 END) AS poor_population_end
FROM f
"""


def _num(col: str) -> str:
    """A number as the diff writes it: whole numbers without '.0'."""
    return f"CASE WHEN {col} = ROUND({col}) THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END"


def _diff_sql() -> str:
    parts = [
        "SELECT household_id, 'entered' AS change, '' AS value_before, s1 AS value_after FROM j WHERE NOT in0",
        "SELECT household_id, 'left', s0, '' FROM j WHERE NOT in1",
        "SELECT household_id, 'status', s0, s1 FROM j WHERE in0 AND in1 AND s0 <> s1",
        "SELECT household_id, 'category', c0, c1 FROM j WHERE in0 AND in1 AND c0 <> c1",
        f"SELECT household_id, 'members', {_num('m0')}, {_num('m1')} FROM j WHERE in0 AND in1 AND m0 <> m1",
        f"SELECT household_id, 'income_up', {_num('y0')}, {_num('y1')} FROM j "
        "WHERE in0 AND in1 AND y0 < $z0 AND y1 >= $z1",
        f"SELECT household_id, 'income_down', {_num('y0')}, {_num('y1')} FROM j "
        "WHERE in0 AND in1 AND y0 >= $z0 AND y1 < $z1",
    ]
    for g in GUARANTEES:
        parts.append(f"SELECT household_id, '{g}_gained', 'false', 'true' FROM j WHERE in0 AND in1 AND NOT {g}0 AND {g}1")
        parts.append(f"SELECT household_id, '{g}_lost', 'true', 'false' FROM j WHERE in0 AND in1 AND {g}0 AND NOT {g}1")
    return "\nUNION ALL\n".join(parts)


def _frames():
    before = synthetic_register(N, 1, seed=2017, poverty_line_yuan=Z0).drop(columns=["village_id", "head_name", "id_number"])
    after = synthetic_next_period(before, seed=2018, poverty_line_yuan=Z1)
    return before, after


def test_stockflow_1m():
    before, after = _frames()
    frames_bytes = int(before.memory_usage(deep=True).sum() + after.memory_usage(deep=True).sum())
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("b", before)
    con.register("a", after)
    guarantee_columns = ", ".join(f"b.{g} AS {g}0, a.{g} AS {g}1" for g in GUARANTEES)
    join_sql = FLOW_SQL.format(guarantee_columns=guarantee_columns)
    diff_sql = _diff_sql()

    def ours():
        return compare(before, after, Z0, Z1)

    def baseline():
        con.execute(join_sql)                     # the join, materialised once per run, read by both queries
        terms = con.execute(TERMS_SQL).df()
        diff = con.execute(diff_sql, {"z0": Z0, "z1": Z1}).df()
        return terms, diff

    # agreement first (the benchmark is void if the two disagree)
    terms, diff = ours()
    b_terms, b_diff = baseline()
    assert list(b_terms.columns) == list(STOCK_FLOW_IDS)
    np.testing.assert_array_equal(terms.to_numpy(), b_terms.iloc[0].to_numpy(dtype=float))
    key = ["household_id", "change", "value_before", "value_after"]
    b_diff.columns = key
    pd.testing.assert_frame_equal(diff.astype(str).sort_values(key).reset_index(drop=True),
                                  b_diff.astype(str).sort_values(key).reset_index(drop=True))
    ours_s, base_s = interleaved(ours, baseline, REPEATS)
    peak = traced_peak(ours)
    ratio = np.median(ours_s) / np.median(base_s)
    record("stockflow_1m", f"{N:,} + {len(after):,} households ({len(diff):,} diff rows)", ours_s, base_s,
           f"duckdb {duckdb.__version__} SQL (2 threads)", peak,
           "ratio <= 1.0 and peak memory <= 3x the two frames", ratio <= 1.0 and peak <= 3 * frames_bytes,
           frames_memory_mb=round(frames_bytes / 2 ** 20, 1), peak_over_frames=round(peak / frames_bytes, 3))
