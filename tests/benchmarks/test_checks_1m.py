"""checks_1m: every rule of the check catalogue on 1,000,000 households, 3,000,000 members and 1,000,000 help
measures (one data root of 1,000 villages, period 2026H1), against DuckDB SQL computing the same findings.

Ours: :func:`village_stats.checks.engine.run_frames` (every local rule, findings with their offending values
as text) plus the three rules across villages on :class:`~village_stats.checks.Across`. Baseline: DuckDB
(in-process, 2 threads) computing ``rule, household_id, member_no`` of every finding in one SQL query over
the same frames. The two must give the same multiset of findings before any time is taken.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from village_stats.checks import RULES, Across, Frames
from village_stats.checks.engine import _finish, run_frames
from village_stats.checks.settings import default
from village_stats.periods import parse_period

from .conftest import interleaved, record, traced_peak

duckdb = pytest.importorskip("duckdb")

N, VILLAGES, REPEATS, SEED = 1_000_000, 1_000, 5, 2026
PERIOD = parse_period("2026H1")
LINE, THRESHOLD = 4000.0, 7000.0


def _maybe(rng, values, p_none, n):
    out = np.asarray(values, dtype=object)
    out[rng.random(n) < p_none] = None
    return out


def _dates(rng, start, days, n, p_nat=0.0):
    d = pd.to_datetime(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return pd.Series(d).where(rng.random(n) >= p_nat, pd.NaT).to_numpy()


def _slip(rng, n, share=0.002):
    """A random ``share`` of rows: where the synthetic data is made wrong on purpose."""
    return rng.random(n) < share


def synthetic(n=N, seed=SEED):
    """A data root of ``n`` households (3 members each, one help measure each and one more for each
    monitored household), consistent by every rule except for random slips in about 0.1–1% of the rows, as
    in a real export: most rules find a few hundred to a few thousand rows."""
    rng = np.random.default_rng(seed)
    nat = np.datetime64("NaT")
    ids = np.char.add("H", np.arange(n).astype(str)).astype(object)
    income = np.round(rng.lognormal(9.4, 0.5, n))
    income[_slip(rng, n, 0.001)] = 0.0
    income[_slip(rng, n, 0.001)] = 150_000.0
    wage, business, prop = np.round(income * 0.6), np.round(income * 0.2), np.round(income * 0.05)
    transfer = income - wage - business - prop
    transfer[_slip(rng, n, 0.01)] += 2000.0
    status = rng.choice(np.array(["exited", "non_poor", "poor"], dtype=object), n, p=[0.5, 0.45, 0.05])
    category = np.where(status == "non_poor", "non_poor", "general").astype(object)
    category[_slip(rng, n, 0.001)] = "non_poor"
    exit_year = np.where(status == "exited", rng.integers(2014, 2027, n), np.nan).astype(float)
    exit_year[(status == "exited") & _slip(rng, n, 0.001)] = np.nan
    exit_year[(status == "exited") & _slip(rng, n, 0.001)] = 2027.0
    monitored = rng.random(n) < 0.08
    found = _dates(rng, "2021-01-01", 1900, n)
    since = found + pd.to_timedelta(np.where(_slip(rng, n, 0.01), rng.integers(-2, 40, n), rng.integers(0, 16, n)),
                                    unit="D").to_numpy()
    pub_from = found + pd.to_timedelta(rng.integers(0, 3, n), unit="D").to_numpy()
    pub_to = pub_from + pd.to_timedelta(np.where(_slip(rng, n, 0.01), rng.integers(-2, 4, n),
                                                 rng.integers(4, 10, n)), unit="D").to_numpy()
    elim = since + pd.to_timedelta(np.where(_slip(rng, n, 0.01), rng.integers(-5, 180, n),
                                            rng.integers(184, 700, n)), unit="D").to_numpy()
    end = np.datetime64("2026-06-30")
    eliminated = monitored & (rng.random(n) < 0.5) & ((income >= THRESHOLD) | _slip(rng, n, 0.01))
    elim = np.where(eliminated & ((elim <= end) | _slip(rng, n, 0.01)), elim, nat)
    g = {}
    for k in ("food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure"):
        g[k] = np.where(_slip(rng, n, 0.003), False, True).astype(object)
        g[k][_slip(rng, n, 0.001)] = None
    members = np.where(_slip(rng, n, 0.005), rng.integers(0, 6, n), 3).astype(float)
    dibao = (income < 10000) & (rng.random(n) < 0.1) | _slip(rng, n, 0.001)
    hardship = rng.random(n) < 0.02
    spending = np.where(hardship & ~_slip(rng, n, 0.05), rng.integers(5000, 30000, n), np.nan).astype(float)
    cause = np.where(rng.random(n) < 0.97, "lack_of_funds",
                     rng.choice(np.array(["illness", "disability", "schooling"], dtype=object), n)).astype(object)
    monitoring = monitored | _slip(rng, n, 0.001)
    households = pd.DataFrame({
        "household_id": ids, "village_id": np.char.add("v", (np.arange(n) % VILLAGES).astype(str)).astype(object),
        "members": members, "category": category, "status": status, "exit_year": exit_year, "main_cause": cause,
        "income_per_capita_yuan": income, **g,
        "monitoring_type": np.where(monitoring, "marginal", None).astype(object),
        "monitoring_since": np.where(monitored | _slip(rng, n, 0.001), since, nat),
        "risk_eliminated_on": elim,
        "risk_found_on": np.where(monitored, found, nat), "publicised_from": np.where(monitored, pub_from, nat),
        "publicised_to": np.where(monitored, pub_to, nat),
        "rigid_spending_yuan": spending,
        "id_number_status": rng.choice(np.array(["valid", "bad_check_digit", "fifteen_digits"], dtype=object), n,
                                       p=[0.998, 0.001, 0.001]),
        "id_key": np.char.add("k", rng.integers(0, n * 50, n).astype(str)).astype(object),
        "wage_income_yuan": wage, "business_income_yuan": business, "property_income_yuan": prop,
        "transfer_income_yuan": transfer,
        "dibao": dibao, "tekun": rng.random(n) < 0.002, "dibao_edge": ~dibao & (rng.random(n) < 0.02) |
        _slip(rng, n, 0.0005), "rigid_spending_hardship": hardship,
    })
    for c in ("dibao", "tekun", "dibao_edge", "rigid_spending_hardship"):
        households[c] = households[c].astype(object)
    # members: head and spouse 30–80, a child 0–25; schooling, labour and work as the age says, bar slips
    m = 3 * n
    hid = np.repeat(ids, 3)
    hid[_slip(rng, m, 0.0005)] = "X"                         # a member of no registered household
    hid[np.repeat(_slip(rng, n, 0.0005), 3)] = "Y"           # households without a member row
    no = np.tile(np.array([1, 2, 3]), n)
    age_days = np.where(no < 3, rng.integers(30 * 365, 80 * 365, m), rng.integers(0, 25 * 365, m))
    birth = (end - age_days.astype("timedelta64[D]")).astype("datetime64[ns]")
    birth[_slip(rng, m, 0.0005)] = np.datetime64("2026-08-01")
    age = (end - birth.astype("datetime64[D]")).astype(int) / 365.25
    relation = np.choose(no - 1, [np.full(m, "head", object), np.full(m, "spouse", object),
                                  np.full(m, "child", object)]).astype(object)
    relation[_slip(rng, m, 0.001)] = "head"
    sex = rng.choice(np.array(["male", "female"], dtype=object), m)
    id_sex = sex.copy()
    id_sex[_slip(rng, m, 0.001)] = "male"
    id_birth = birth.copy()
    id_birth[_slip(rng, m, 0.001)] = np.datetime64("1970-01-01")
    school_age = (age >= 6) & (age < 16)
    in_school = np.where(school_age, rng.choice(np.array(["primary", "junior"], dtype=object), m),
                         np.where((age >= 16) & (age < 22), "senior", "not_in_school")).astype(object)
    in_school[school_age & _slip(rng, m, 0.003)] = "dropped_out"
    adult = (age >= 16) & (age < 66)
    labour = np.where(adult, rng.choice(np.array(["ordinary", "skilled", "weak"], dtype=object), m),
                      "none").astype(object)
    labour[~adult & _slip(rng, m, 0.002)] = "ordinary"
    place = np.where(adult & (rng.random(m) < 0.5),
                     rng.choice(np.array(["in_county", "in_province", "out_of_province"], dtype=object), m),
                     "not_working").astype(object)
    place[~adult & _slip(rng, m, 0.001)] = "in_county"
    months = np.where(place == "not_working", 0.0, rng.integers(1, 13, m)).astype(float)
    months[_slip(rng, m, 0.001)] = 13.0
    months[(place == "not_working") & _slip(rng, m, 0.001)] = 3.0
    health = rng.choice(np.array(["healthy", "chronic", "serious_illness", "disabled"], dtype=object), m,
                        p=[0.9, 0.06, 0.03, 0.01])
    grade = np.where(health == "disabled", rng.integers(1, 5, m), np.nan).astype(float)
    insured = np.where(_slip(rng, m, 0.003), False, True).astype(object)
    insured[_slip(rng, m, 0.001)] = None
    members_frame = pd.DataFrame({
        "household_id": hid, "member_no": no, "relation": relation, "sex": sex, "birth_date": birth,
        "in_school": in_school, "health": health, "disability_grade": grade, "labour": labour,
        "work_place": place, "work_months": months, "medical_insured": insured,
        "pension_insured": (rng.random(m) > 0.1).astype(object),
        "id_number_status": rng.choice(np.array(["valid", "bad_check_digit", "fifteen_digits"], dtype=object), m,
                                       p=[0.998, 0.001, 0.001]),
        "id_birth_date": id_birth, "id_sex": id_sex,
        "id_key": np.char.add("k", rng.integers(0, m * 50, m).astype(str)).astype(object),
    })
    # help measures: one a household at random, plus an open one for each monitored household and each
    # household with a member of disability grade 1–2 (most: a few are left out)
    kinds = np.array(["industry", "employment", "education", "health", "social_security", "public_welfare_job"],
                     dtype=object)
    started = _dates(rng, "2022-01-01", 1600, n)
    ended = started + pd.to_timedelta(np.where(_slip(rng, n, 0.001), -3, rng.integers(30, 900, n)),
                                      unit="D").to_numpy()
    xh = ids.copy()
    xh[_slip(rng, n, 0.0005)] = "X"
    random_kind = rng.choice(kinds[[0, 1, 3, 4, 5]], n, p=[0.3, 0.3, 0.15, 0.2, 0.05])   # education: below
    severe = pd.Series(np.isin(grade, (1, 2))).groupby(hid).any()
    needs = np.flatnonzero((monitored | severe.reindex(ids, fill_value=False).to_numpy()) & ~_slip(rng, n, 0.01))
    child_school = pd.Series(np.isin(in_school, ("primary", "junior", "senior"))).groupby(hid).any()
    schooled = np.flatnonzero(child_school.reindex(ids, fill_value=False).to_numpy() & (rng.random(n) < 0.2))
    measures = pd.concat([
        pd.DataFrame({"household_id": xh, "measure": random_kind, "started_on": started,
                      "ended_on": np.where(rng.random(n) < 0.6, nat, ended)}),
        pd.DataFrame({"household_id": ids[needs], "measure": "social_security",
                      "started_on": np.datetime64("2025-01-01", "ns"), "ended_on": nat}),
        pd.DataFrame({"household_id": ids[schooled], "measure": "education",
                      "started_on": np.datetime64("2025-09-01", "ns"), "ended_on": nat}),
    ], ignore_index=True)
    x = len(measures)
    measures["started_on"] = measures["started_on"].astype("datetime64[ns]")
    measures["ended_on"] = measures["ended_on"].astype("datetime64[ns]")
    measures.loc[_slip(rng, x, 0.0005), "started_on"] = pd.Timestamp("2026-08-01")
    measures.loc[_slip(rng, x, 0.0005), "measure"] = "public_welfare_job"
    measures.loc[_slip(rng, x, 0.0005), "measure"] = "education"
    measures["amount_yuan"] = np.where(_slip(rng, x, 0.001), 0.0, rng.integers(100, 20000, x)).astype(float)
    previous_heads = households[["village_id", "household_id", "id_key"]].copy()
    previous_heads.loc[_slip(rng, n, 0.001), "village_id"] = "v_elsewhere"
    return households, members_frame, measures, previous_heads


def ours_all(households, members, measures, previous_heads):
    f = Frames(households, members, measures, period=PERIOD, poverty_line=LINE, monitoring_threshold=THRESHOLD)
    local = run_frames(f, village_id="root")
    heads = households.loc[households["id_key"].notna(), ["village_id", "household_id", "id_key"]]
    registered = f.member_row >= 0
    mem = members.loc[registered, ["household_id", "member_no", "id_key"]]
    mem.insert(0, "village_id", households["village_id"].to_numpy()[f.member_row[registered]])
    a = Across(heads.reset_index(drop=True), mem.loc[mem["id_key"].notna()].reset_index(drop=True),
               previous_heads)
    parts = [local]
    for rid in ("XV-001", "XV-002", "XV-003"):
        r = RULES[rid]
        parts.append(_finish(r, default(r), r.fn(a, r.params), None, PERIOD.code))
    return pd.concat(parts, ignore_index=True)


E, S = "DATE '2026-06-30'", "DATE '2026-01-01'"
AGE = (f"(year({E}) - year(birth_date) - CASE WHEN month(birth_date) * 100 + day(birth_date) > 630 THEN 1 "
       "ELSE 0 END)")
RUN = f"(NOT coalesce(started_on > {E}, false) AND NOT coalesce(ended_on < {S}, false))"
WORKING = "('in_county', 'in_province', 'out_of_province')"
ELIM = f"(risk_eliminated_on IS NOT NULL AND risk_eliminated_on <= {E})"
G = ("food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure")
SECURE = " AND ".join(f"coalesce({g}, false)" for g in G)


def _hh(rule, where):
    return f"SELECT '{rule}' AS rule, household_id, NULL::BIGINT AS member_no FROM h WHERE {where}"


def _mb(rule, where):
    return f"SELECT '{rule}', household_id, member_no FROM ma WHERE {where}"


def _x(rule, where):
    return f"SELECT '{rule}', household_id, NULL::BIGINT FROM x WHERE {where}"


def _agg(rule, where):
    return f"SELECT '{rule}', household_id, NULL::BIGINT FROM hx WHERE {where}"


QUERIES = [
    _hh("HH-001", "income_per_capita_yuan <= 0"),
    _hh("HH-002", "income_per_capita_yuan > 100000"),
    _hh("HH-003", "id_number_status = 'bad_check_digit'"),
    _hh("HH-004", "id_number_status = 'fifteen_digits'"),
    _hh("HH-005", "coalesce(category = 'non_poor', false) <> coalesce(status = 'non_poor', false)"),
    _hh("HH-006", "status = 'exited' AND exit_year IS NULL"),
    _hh("HH-007", f"status = 'exited' AND (coalesce(income_per_capita_yuan <= {LINE}, false) OR NOT ({SECURE}))"),
    _hh("HH-008", "abs(wage_income_yuan + business_income_yuan + property_income_yuan + transfer_income_yuan "
                  "- income_per_capita_yuan) > greatest(1, 0.05 * abs(income_per_capita_yuan))"),
    _hh("HH-009", f"{ELIM} AND income_per_capita_yuan < {THRESHOLD}"),
    _hh("HH-010", f"{ELIM} AND (" + " OR ".join(f"coalesce({g} = false, false)" for g in G) + ")"),
    _hh("HH-011", f"{ELIM} AND monitoring_since IS NOT NULL AND risk_eliminated_on < monitoring_since + "
                  "INTERVAL 6 MONTH"),
    _hh("HH-012", "date_diff('day', risk_found_on, monitoring_since) > 15"),
    _hh("HH-013", "date_diff('day', publicised_from, publicised_to) + 1 BETWEEN 1 AND 4"),
    _hh("HH-014", "publicised_to < publicised_from"),
    _hh("HH-015", "risk_found_on > monitoring_since"),
    _hh("HH-016", "risk_eliminated_on < monitoring_since"),
    _hh("HH-017", " OR ".join(f"coalesce({c} > {E}, false)" for c in
                              ("monitoring_since", "risk_eliminated_on", "risk_found_on", "publicised_from",
                               "publicised_to"))),
    _hh("HH-018", f"coalesce(dibao, false) AND income_per_capita_yuan > {2 * THRESHOLD}"),
    _hh("HH-019", "monitoring_type IS NOT NULL AND monitoring_since IS NULL"),
    _hh("HH-020", "monitoring_type IS NULL AND monitoring_since IS NOT NULL"),
    _hh("HH-021", "members < 1"),
    _hh("HH-022", "coalesce(dibao, false) AND coalesce(dibao_edge, false)"),
    _hh("HH-023", "coalesce(rigid_spending_hardship, false) AND NOT coalesce(rigid_spending_yuan > 0, false)"),
    _hh("HH-024", "exit_year > 2026"),
    _agg("MB-001", "listed > 0 AND members IS NOT NULL AND members <> listed"),
    _agg("MB-002", "listed = 0"),
    "SELECT 'MB-003', household_id, member_no FROM m WHERE household_id NOT IN (SELECT household_id FROM h)",
    _agg("MB-004", "heads = 0 AND listed > 0"),  # households with member rows only: none at all is MB-002
    _agg("MB-005", "heads > 1"),
    "SELECT 'MB-006', household_id, member_no FROM (SELECT household_id, member_no, row_number() OVER "
    "(PARTITION BY household_id, member_no ORDER BY rid) AS k FROM m) WHERE k > 1",
    _mb("MB-007", f"birth_date > {E} OR age > 120"),
    _mb("MB-008", "age BETWEEN 6 AND 15 AND in_school IN ('dropped_out', 'not_in_school') "
                  "AND coalesce(education_secure, false)"),
    _mb("MB-009", "coalesce(medical_insured = false, false) AND coalesce(medical_secure, false)"),
    _mb("MB-010", "disability_grade IN (1, 2) AND registered AND support = 0"),
    _mb("MB-011", f"age < 16 AND (work_place IN {WORKING} OR work_months > 0)"),
    _agg("MB-012", "jobs > 0 AND adults = 0"),
    _mb("MB-013", "work_months < 0 OR work_months > 12"),
    _mb("MB-014", f"work_months > 0 AND NOT coalesce(work_place IN {WORKING}, false)"),
    _mb("MB-015", "birth_date IS NOT NULL AND id_birth_date IS NOT NULL AND birth_date <> id_birth_date"),
    _mb("MB-016", "sex IS NOT NULL AND id_sex IS NOT NULL AND sex <> id_sex"),
    _mb("MB-017", "id_number_status = 'bad_check_digit'"),
    _mb("MB-018", "id_number_status = 'fifteen_digits'"),
    _mb("MB-019", "age < 16 AND labour IN ('ordinary', 'skilled')"),
    _mb("MB-020", "relation = 'head' AND age < 16"),
    _agg("MB-021", "coalesce(tekun, false) AND able > 0"),
    _agg("MB-022", "main_cause = 'illness' AND ill = 0"),
    _agg("MB-023", "main_cause = 'schooling' AND students = 0"),
    _agg("MB-024", "main_cause = 'disability' AND disabled = 0"),
    _x("HM-001", "ended_on < started_on"),
    _x("HM-002", "household_id NOT IN (SELECT household_id FROM h)"),
    _x("HM-003", "amount_yuan <= 0"),
    _agg("HM-004", f"monitoring_type IS NOT NULL AND NOT coalesce(risk_eliminated_on <= {E}, false) AND running = 0"),
    _x("HM-005", f"started_on > {E}"),
    _agg("HM-006", "education > 0 AND students = 0"),
    "SELECT 'XV-001', household_id, NULL::BIGINT FROM h WHERE id_key IN (SELECT id_key FROM h WHERE id_key IS NOT "
    "NULL GROUP BY id_key HAVING count(DISTINCT (village_id, household_id)) > 1)",
    "SELECT 'XV-002', household_id, member_no FROM ma WHERE registered AND id_key IN (SELECT id_key FROM ma WHERE "
    "registered AND id_key IS NOT NULL GROUP BY id_key HAVING count(DISTINCT (village_id, household_id)) > 1)",
    "SELECT 'XV-003', h.household_id, NULL::BIGINT FROM h JOIN (SELECT id_key, any_value(village_id) AS pv FROM p "
    "GROUP BY id_key HAVING count(*) = 1) q USING (id_key) WHERE q.pv <> h.village_id",
]

SQL = f"""
WITH ma AS (
  SELECT m.*, {AGE} AS age, h.education_secure, h.medical_secure, h.village_id, h.household_id IS NOT NULL AS registered,
         coalesce(s.support, 0) AS support
  FROM m LEFT JOIN h USING (household_id)
  LEFT JOIN (SELECT household_id, count(*) AS support FROM x WHERE {RUN} AND measure IN ('social_security', 'health')
             GROUP BY household_id) s USING (household_id)
), per_m AS (
  SELECT household_id, count(*) AS listed, count(*) FILTER (relation = 'head') AS heads,
         count(*) FILTER (age >= 16) AS adults,
         count(*) FILTER (age BETWEEN 16 AND 65 AND labour IN ('ordinary', 'skilled')) AS able,
         count(*) FILTER (health IN ('chronic', 'serious_illness')) AS ill,
         count(*) FILTER (in_school IN ('primary', 'junior', 'senior', 'college')) AS students,
         count(*) FILTER (health = 'disabled' OR disability_grade IS NOT NULL) AS disabled
  FROM ma WHERE registered GROUP BY household_id
), per_x AS (
  SELECT household_id, count(*) FILTER ({RUN}) AS running,
         count(*) FILTER ({RUN} AND measure = 'public_welfare_job') AS jobs,
         count(*) FILTER ({RUN} AND measure = 'education') AS education
  FROM x GROUP BY household_id
), hx AS (
  SELECT h.*, coalesce(listed, 0) AS listed, coalesce(heads, 0) AS heads, coalesce(adults, 0) AS adults,
         coalesce(able, 0) AS able, coalesce(ill, 0) AS ill, coalesce(students, 0) AS students,
         coalesce(disabled, 0) AS disabled, coalesce(running, 0) AS running, coalesce(jobs, 0) AS jobs,
         coalesce(education, 0) AS education
  FROM h LEFT JOIN per_m USING (household_id) LEFT JOIN per_x USING (household_id)
)
{' UNION ALL '.join(QUERIES)}
"""


def _canonical(frame):
    """``rule, household_id, member_no`` (-1 for none), sorted: what both sides must agree on."""
    if "severity" in frame:
        frame = frame[["rule", "household_id", "member_no"]]
    f = pd.DataFrame({"rule": frame.iloc[:, 0].astype(str).to_numpy(), "household_id": frame.iloc[:, 1].astype(str)
                      .to_numpy(), "member_no": pd.array(frame.iloc[:, 2], dtype="Int64").fillna(-1).to_numpy()})
    return f.sort_values(["rule", "household_id", "member_no"], kind="stable").reset_index(drop=True)


def test_checks_1m():
    households, members, measures, previous = synthetic()
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("h", households)
    con.register("m", members.assign(rid=np.arange(len(members))))
    con.register("x", measures)
    con.register("p", previous)

    def ours():
        return ours_all(households, members, measures, previous)

    def baseline():
        return con.execute(SQL).df()

    a, b = _canonical(ours()), _canonical(baseline())
    assert len(a) > 0
    counts = a.groupby("rule").size()
    assert set(counts.index) == set(RULES), f"rules without a finding: {sorted(set(RULES) - set(counts.index))}"
    pd.testing.assert_frame_equal(a, b)
    ours_s, base_s = interleaved(ours, baseline, REPEATS)
    peak = traced_peak(ours)
    frame_mb = sum(int(f.memory_usage(deep=True).sum()) for f in (households, members, measures)) / 2 ** 20
    ratio = float(np.median(ours_s) / np.median(base_s))
    record("checks_1m", f"{N:,} households, {len(members):,} members, {len(measures):,} measures; {len(RULES)} rules, "
           f"{len(a):,} findings", ours_s, base_s, "duckdb_sql", peak, "ratio <= 1.0", ratio <= 1.0,
           frames_mb=round(frame_mb, 1), findings=int(len(a)))
