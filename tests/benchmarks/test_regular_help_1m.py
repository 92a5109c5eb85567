"""regular_help_1m: the 常态化帮扶 figures on 1,000,000 households, 3,000,000 members and 1,000,000 help measures.

Ours: :func:`village_stats.measures.regular_help.figures` (the measures of the period report's section, over
frames as the loader gives them). Baseline: DuckDB (in-process, 2 threads) computing the same figures in SQL
over the same three frames. The two must agree before anything is timed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from village_stats.measures import regular_help as rh
from village_stats.schema import GUARANTEES

from .conftest import interleaved, record, traced_peak

duckdb = pytest.importorskip("duckdb")

N, MEMBERS, MEASURES, REPEATS = 1_000_000, 3_000_000, 1_000_000, 5
START, END = dt.date(2026, 7, 1), dt.date(2026, 12, 31)
STANDARD, DAYS, PUBLICITY = 7900.0, 15, 5


def frames(seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A fictional county's register, members and measures for 2026H2 (ids as strings, as loaded)."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("H", np.arange(N).astype("U7"))
    day0 = np.datetime64("2025-01-01")
    members = rng.integers(1, 6, N).astype(float)
    obj = rng.random(N) < 0.08
    since = np.where(obj, day0 + rng.integers(0, 730, N).astype("timedelta64[D]"), np.datetime64("NaT"))
    found = since - rng.integers(0, 40, N).astype("timedelta64[D]")
    eliminated = np.where(obj & (rng.random(N) < 0.4), since + rng.integers(60, 400, N).astype("timedelta64[D]"),
                          np.datetime64("NaT"))
    pub_to = since - np.timedelta64(2, "D")
    pub_from = pub_to - rng.integers(2, 8, N).astype("timedelta64[D]")
    income = np.round(rng.lognormal(9.4, 0.5, N))
    share = rng.dirichlet([11, 4, 0.6, 4.4], N)
    hh = pd.DataFrame({
        "household_id": pd.Series(ids, dtype=object), "members": members,
        "category": pd.Series(np.array(["general", "dibao", "tekun", "non_poor"], dtype=object)[
            rng.choice(4, N, p=[0.2, 0.05, 0.02, 0.73])]),
        "status": pd.Series(np.array(["exited", "poor", "non_poor"], dtype=object)[rng.choice(3, N, p=[0.25, 0.01, 0.74])]),
        "income_per_capita_yuan": income,
        "monitoring_type": pd.Series(np.where(obj, "marginal", None), dtype=object),
        "monitoring_since": pd.Series(since, dtype="datetime64[us]"),
        "risk_eliminated_on": pd.Series(eliminated, dtype="datetime64[us]"),
        "risk_found_on": pd.Series(found, dtype="datetime64[us]"),
        "publicised_from": pd.Series(pub_from, dtype="datetime64[us]"),
        "publicised_to": pd.Series(pub_to, dtype="datetime64[us]"),
        "discovery_channel": pd.Series(np.where(obj, np.array(["self_report", "routine_check", "data_alert"],
                                                              dtype=object)[rng.integers(0, 3, N)], None), dtype=object),
    })
    for j, part in enumerate(rh.INCOME_PARTS):
        hh[part] = np.round(share[:, j] * income)
    for g in GUARANTEES:
        hh[g] = rng.random(N) < 0.99
    for layer, p in zip(rh.LAYERS, (0.05, 0.01, 0.03, 0.02)):
        hh[layer] = pd.Series(np.where(rng.random(N) < p, True, None), dtype=object)
    owner = np.sort(rng.integers(0, N, MEMBERS))
    birth = np.datetime64("1940-01-01") + rng.integers(0, 31000, MEMBERS).astype("timedelta64[D]")
    m = pd.DataFrame({
        "household_id": pd.Series(ids[owner], dtype=object),
        "member_no": np.ones(MEMBERS),
        "relation": pd.Series(np.where(rng.random(MEMBERS) < 0.35, "head", "child"), dtype=object),
        "birth_date": pd.Series(birth, dtype="datetime64[us]"),
        "in_school": pd.Series(np.array(["primary", "junior", "not_in_school", "dropped_out"], dtype=object)[
            rng.choice(4, MEMBERS, p=[0.1, 0.05, 0.84, 0.01])]),
        "work_place": pd.Series(np.array(["in_county", "in_province", "out_of_province", "not_working"], dtype=object)[
            rng.choice(4, MEMBERS, p=[0.1, 0.1, 0.15, 0.65])]),
        "work_months": rng.integers(0, 13, MEMBERS).astype(float),
        "medical_insured": pd.Series(np.where(rng.random(MEMBERS) < 0.97, True, False), dtype=object),
        "pension_insured": pd.Series(np.where(rng.random(MEMBERS) < 0.8, True, None), dtype=object),
        "id_birth_date": pd.Series(birth, dtype="datetime64[us]"),
    })
    started = np.datetime64("2024-01-01") + rng.integers(0, 1100, MEASURES).astype("timedelta64[D]")
    ended = np.where(rng.random(MEASURES) < 0.3, started + rng.integers(30, 400, MEASURES).astype("timedelta64[D]"),
                     np.datetime64("NaT"))
    ms = pd.DataFrame({
        "household_id": pd.Series(ids[rng.integers(0, N, MEASURES)], dtype=object),
        "measure": pd.Series(np.array(["industry", "employment", "health", "education"], dtype=object)[
            rng.choice(4, MEASURES, p=[0.5, 0.2, 0.2, 0.1])]),
        "started_on": pd.Series(started, dtype="datetime64[us]"),
        "ended_on": pd.Series(ended, dtype="datetime64[us]"),
        "amount_yuan": np.round(rng.uniform(100, 5000, MEASURES)),
    })
    return hh, m, ms


SQL = f"""
WITH h AS (
  SELECT *, monitoring_type IS NOT NULL AS obj,
         monitoring_type IS NOT NULL AND NOT COALESCE(risk_eliminated_on <= DATE '{END}', false) AS open_,
         monitoring_since BETWEEN DATE '{START}' AND DATE '{END}' AND monitoring_type IS NOT NULL AS new_,
         status = 'exited' OR monitoring_type IS NOT NULL AS base
  FROM hh
), run AS (
  SELECT household_id, bool_or(measure = 'industry') AS industry
  FROM ms WHERE started_on <= DATE '{END}' AND NOT COALESCE(ended_on < DATE '{START}', false)
  GROUP BY household_id
), hm AS (
  SELECT h.*, run.household_id IS NOT NULL AS helped, COALESCE(run.industry, false) AS industry
  FROM h LEFT JOIN run USING (household_id)
), mm AS (
  SELECT m.*, h.base,
         date_diff('year', COALESCE(m.birth_date, m.id_birth_date), DATE '{END}')
           - CASE WHEN strftime(COALESCE(m.birth_date, m.id_birth_date), '%m%d') > '{END:%m%d}' THEN 1 ELSE 0 END AS age
  FROM m LEFT JOIN h USING (household_id)
)
SELECT
  (SELECT count(*) FILTER (WHERE open_) FROM h) AS unresolved_objects,
  (SELECT sum(members) FILTER (WHERE open_) FROM h) AS unresolved_object_persons,
  (SELECT count(*) FILTER (WHERE open_ AND category = 'non_poor') FROM h) AS non_registered,
  (SELECT count(*) FILTER (WHERE open_ AND income_per_capita_yuan < {STANDARD}) FROM h) AS below_standard,
  (SELECT count(*) FILTER (WHERE obj AND risk_eliminated_on <= DATE '{END}') FROM h) AS eliminated_by_end,
  (SELECT count(*) FILTER (WHERE obj) FROM h) AS objects_ever,
  (SELECT count(*) FILTER (WHERE obj AND risk_eliminated_on BETWEEN DATE '{START}' AND DATE '{END}' AND (
      income_per_capita_yuan < {STANDARD} OR NOT ({' AND '.join(GUARANTEES)})
      OR risk_eliminated_on < monitoring_since + INTERVAL 6 MONTH)) FROM h) AS rule_breaks,
  (SELECT median(date_diff('day', risk_found_on, monitoring_since)) FILTER (WHERE new_ AND risk_found_on IS NOT NULL)
   FROM h) AS days_median,
  (SELECT count(*) FILTER (WHERE new_ AND risk_found_on IS NOT NULL
                           AND date_diff('day', risk_found_on, monitoring_since) <= {DAYS}) FROM h) AS within,
  (SELECT count(*) FILTER (WHERE new_ AND risk_found_on IS NOT NULL) FROM h) AS identified,
  (SELECT count(*) FILTER (WHERE new_ AND date_diff('day', publicised_from, publicised_to) + 1 < {PUBLICITY}) FROM h)
    AS publicity_short,
  (SELECT count(*) FILTER (WHERE open_ AND helped) FROM hm) AS covered,
  (SELECT count(*) FILTER (WHERE base AND industry) FROM hm) AS industry,
  (SELECT count(*) FILTER (WHERE base) FROM h) AS base,
  (SELECT sum(members * income_per_capita_yuan) FILTER (WHERE status = 'exited') FROM h) AS exited_income,
  (SELECT sum(members) FILTER (WHERE status = 'exited') FROM h) AS exited_persons,
  (SELECT sum(members * transfer_income_yuan) FILTER (WHERE wage_income_yuan IS NOT NULL AND business_income_yuan
     IS NOT NULL AND property_income_yuan IS NOT NULL AND transfer_income_yuan IS NOT NULL) FROM h) AS transfer,
  (SELECT sum(members * income_per_capita_yuan) FILTER (WHERE wage_income_yuan IS NOT NULL AND business_income_yuan
     IS NOT NULL AND property_income_yuan IS NOT NULL AND transfer_income_yuan IS NOT NULL) FROM h) AS parts_income,
  (SELECT count(*) FILTER (WHERE dibao OR tekun OR dibao_edge OR rigid_spending_hardship OR open_) FROM h) AS layered,
  (SELECT count(*) FILTER (WHERE base AND work_place IS NOT NULL AND work_place <> 'not_working' AND work_months > 0)
   FROM mm) AS migrants,
  (SELECT sum(work_months) FILTER (WHERE base AND work_place IS NOT NULL AND work_place <> 'not_working'
                                   AND work_months > 0) FROM mm) AS migrant_months,
  (SELECT count(*) FILTER (WHERE age BETWEEN 6 AND 15 AND in_school IN ('not_in_school', 'dropped_out')) FROM mm)
    AS school,
  (SELECT count(*) FILTER (WHERE medical_insured) FROM m) AS medical,
  (SELECT count(*) FROM m) AS member_rows
"""

#: Our figure → the baseline's column.
PAIRS = {"unresolved_objects": "unresolved_objects", "unresolved_object_persons": "unresolved_object_persons",
         "monitored_households_non_registered": "non_registered", "objects_below_standard": "below_standard",
         "risk_eliminated_by_end": "eliminated_by_end", "objects_ever": "objects_ever",
         "risk_elimination_rule_breaks": "rule_breaks", "identification_days_median": "days_median",
         "identified_within_15_days": "within", "identified_in_period": "identified",
         "publicity_short_households": "publicity_short", "help_covered_objects": "covered",
         "industry_help_households": "industry", "exited_or_object_households": "base",
         "exited_income_total_yuan": "exited_income", "exited_persons": "exited_persons",
         "transfer_income_total_yuan": "transfer", "parts_income_total_yuan": "parts_income",
         "low_income_layer_households": "layered", "migrant_workers": "migrants",
         "migrant_worker_months": "migrant_months", "school_age_not_in_school": "school",
         "medical_insured_members": "medical", "member_rows": "member_rows"}


def test_regular_help_1m():
    hh, m, ms = frames()
    frame_bytes = int(sum(f.memory_usage(deep=True).sum() for f in (hh, m, ms)))
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("hh", hh)
    con.register("m", m)
    con.register("ms", ms)

    def ours():
        return rh.figures(hh, m, ms, START, END, STANDARD, DAYS, PUBLICITY)

    def baseline():
        return con.execute(SQL).df().iloc[0]

    a, b = ours(), baseline()
    assert a["unresolved_objects"] > 10_000 and a["migrant_workers"] > 100_000 and a["risk_elimination_rule_breaks"] > 0
    for ours_key, sql_key in PAIRS.items():
        assert a[ours_key] == pytest.approx(float(b[sql_key]), rel=1e-9), ours_key
    ours_s, base_s = interleaved(ours, baseline, REPEATS)
    peak = traced_peak(ours)
    ratio = np.median(ours_s) / np.median(base_s)
    record("regular_help_1m", f"{N:,} households, {MEMBERS:,} members, {MEASURES:,} help measures", ours_s, base_s,
           f"duckdb {duckdb.__version__} SQL (2 threads)", peak, "ratio <= 1.0", ratio <= 1.0,
           frames_memory_mb=round(frame_bytes / 2 ** 20, 1), figures=len(PAIRS),
           ours_spread_s=[round(min(ours_s), 3), round(max(ours_s), 3)],
           baseline_spread_s=[round(min(base_s), 3), round(max(base_s), 3)])
