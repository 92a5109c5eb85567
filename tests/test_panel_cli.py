"""``village-stats trend`` and ``village-stats diff`` on the demo village, against values computed here
straight from the CSV files with the csv module (no village_stats code)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from village_stats.cli import main

from .conftest import DATA, tree_digest

PERIODS = ("2017H1", "2017H2", "2018H1", "2018H2")
POOR = {"poor", "returned"}


def run(*args):
    return CliRunner().invoke(main, [*args, "--data-dir", str(DATA)])


def register(period: str) -> dict[str, tuple[str, int]]:
    """household_id -> (status, members), read with the csv module."""
    with open(DATA / "demo" / period / "households.csv", encoding="utf-8") as f:
        return {r["household_id"]: (r["status"], int(r["members"])) for r in csv.DictReader(f)}


def population(period: str) -> dict[str, float]:
    with open(DATA / "demo" / period / "population.csv", encoding="utf-8") as f:
        return {r["measure"]: float(r["value"]) for r in csv.DictReader(f)}


def test_trend_csv_gives_the_changes_computed_from_the_registers():
    r = run("trend", "--village", "demo", "--to", PERIODS[-1], "--format", "csv")
    assert r.exit_code == 0, r.output
    got = pd.read_csv(io.StringIO(r.stdout), dtype={"period": str, "previous_period": str})
    assert list(got["period"].unique()) == list(PERIODS)
    assert list(got.columns[-5:]) == ["previous_period", "previous_value", "change", "change_unit", "change_rel"]
    rows = got.set_index(["period", "indicator"])
    for i, p in enumerate(PERIODS):
        reg = register(p)
        poor_hh = sum(1 for s, _ in reg.values() if s in POOR)
        poor_pp = sum(m for s, m in reg.values() if s in POOR)
        assert rows.loc[(p, "register_poor_households"), "value"] == poor_hh
        assert rows.loc[(p, "register_poor_population"), "value"] == poor_pp
        pop = population(p)
        incidence = pop["poor_population"] / pop["population_total"]
        assert rows.loc[(p, "poverty_incidence"), "value"] == pytest.approx(incidence, abs=1e-12)
        if i == 0:
            assert pd.isna(rows.loc[(p, "register_poor_households"), "change"])
            continue
        prev = PERIODS[i - 1]
        prev_reg = register(prev)
        prev_hh = sum(1 for s, _ in prev_reg.values() if s in POOR)
        row = rows.loc[(p, "register_poor_households")]
        assert row["previous_period"] == prev and row["previous_value"] == prev_hh
        assert row["change"] == poor_hh - prev_hh and row["change_unit"] == "households"
        assert row["change_rel"] == pytest.approx((poor_hh - prev_hh) / prev_hh, abs=1e-12)
        prev_pop = population(prev)
        prev_incidence = prev_pop["poor_population"] / prev_pop["population_total"]
        row = rows.loc[(p, "poverty_incidence")]
        assert row["change_unit"] == "percentage_points" and pd.isna(row["change_rel"])
        assert row["change"] == pytest.approx(100 * (incidence - prev_incidence), abs=1e-9)


def plain_stock_flow(p0: str, p1: str) -> dict[str, float]:
    """The issue's definitions, household by household, from the two CSV files."""
    a, b = register(p0), register(p1)
    t: dict[str, float] = {}

    def add(term, persons):
        t[f"poor_households_{term}"] = t.get(f"poor_households_{term}", 0) + 1
        t[f"poor_population_{term}"] = t.get(f"poor_population_{term}", 0) + persons

    for hid in set(a) | set(b):
        s0, m0 = a.get(hid, ("absent", 0))
        s1, m1 = b.get(hid, ("absent", 0))
        if s0 in POOR:
            add("start", m0)
        if s1 in POOR:
            add("end", m1)
        if s0 in ("absent", "non_poor") and s1 == "poor":
            add("new", m1)
        elif s0 == "exited" and s1 == "returned":
            add("returned", m1)
        elif s0 in POOR and s1 == "exited":
            add("exited", m0)
        elif s0 in POOR and s1 in ("absent", "non_poor"):
            add("removed", m0)
        elif s0 == "poor" and s1 == "returned":
            add("inconsistent_out", m0)
            add("inconsistent_in", m1)
        elif s0 in POOR and s1 in POOR:
            t["poor_population_size_change"] = t.get("poor_population_size_change", 0) + m1 - m0
        elif s1 in POOR:
            add("inconsistent_in", m1)
    return t


def test_diff_csv_gives_the_stock_flow_computed_from_the_registers():
    r = run("diff", "--village", "demo", "--from", "2017H2", "--to", "2018H1", "--format", "csv")
    assert r.exit_code == 0, r.output
    got = pd.read_csv(io.StringIO(r.stdout), dtype={"period": str, "from_period": str})
    assert list(got.columns) == ["village_id", "period", "indicator", "value", "unit", "numerator", "denominator",
                                 "label_zh", "label_en", "from_period"]
    assert set(got["period"]) == {"2018H1"} and set(got["from_period"]) == {"2017H2"}
    values = dict(zip(got["indicator"], got["value"]))
    expected = plain_stock_flow("2017H2", "2018H1")
    assert values == {k: float(expected.get(k, 0)) for k in values}
    assert len(values) == 17
    # the demo's one return happens without an exit first: listed as an inconsistent move, not hidden
    assert values["poor_households_inconsistent_in"] == values["poor_households_inconsistent_out"] == 1


def test_diff_households_lists_by_id_only():
    r = run("diff", "--village", "demo", "--from", "2017H2", "--to", "2018H2", "--households", "--format", "json")
    assert r.exit_code == 0, r.output
    records = json.loads(r.stdout)
    assert set(records[0]) == {"household_id", "change", "value_before", "value_after"}
    a, b = register("2017H2"), register("2018H2")
    status_changes = {(hid, a[hid][0], b[hid][0]) for hid in a if hid in b and a[hid][0] != b[hid][0]}
    assert {(d["household_id"], d["value_before"], d["value_after"]) for d in records
            if d["change"] == "status"} == status_changes
    text = r.stdout
    with open(DATA / "demo" / "2018H2" / "households.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert not any(row["head_name"] in text or row["id_number"] in text for row in rows)


def test_table_output_and_bad_input():
    before = tree_digest(DATA / "demo")
    r = run("trend", "--village", "demo", "--from", "2018H1", "--to", "2018H2", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "2017H2" not in r.stdout and "percentage points" in r.stdout and "Poverty incidence" in r.stdout
    r = run("diff", "--village", "demo", "--from", "2018H1", "--to", "2017H2")
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "must come before" in r.output
    r = run("diff", "--village", "demo", "--from", "2016H1", "--to", "2017H2")
    assert r.exit_code == 2 and "2016H1" in r.output
    r = run("trend", "--village", "demo", "--from", "2027H1")
    assert r.exit_code == 2 and "no period with data" in r.output
    r = run("diff", "--village", "suoluoyu", "--from", "2016H2", "--to", "2017H1")
    assert r.exit_code == 2
    assert tree_digest(DATA / "demo") == before


def test_xlsx_workbooks(tmp_path):
    target = tmp_path / "diff.xlsx"
    r = run("diff", "--village", "demo", "--from", "2017H2", "--to", "2018H1", "--households", "--format", "xlsx",
            "--output", str(target))
    assert r.exit_code == 0, r.output
    book = pd.read_excel(target, sheet_name=None, engine="calamine", dtype=str)
    assert list(book) == ["逐户变化"]
    rows = book["逐户变化"]
    # the workbook speaks the report's language (issue 23): 状态 未脱贫 → 返贫, not status poor → returned
    assert list(rows.columns) == ["户编号", "变化", "上期", "本期"]
    assert ("0000094", "状态", "未脱贫", "返贫") in set(rows.itertuples(index=False, name=None))
    target = tmp_path / "trend.xlsx"
    r = run("trend", "--village", "demo", "--format", "xlsx", "--output", str(target), "--lang", "en")
    assert r.exit_code == 0, r.output
    book = pd.read_excel(target, sheet_name=None, engine="calamine")
    assert list(book) == ["indicators", "changes"] and len(book["changes"]) == len(book["indicators"])
    r = run("trend", "--village", "demo", "--format", "xlsx")
    assert r.exit_code == 2 and "--output" in r.output
