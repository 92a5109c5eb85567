"""Policy rules as data: the most specific row wins, village.yaml overrides, every rule carries its source."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from village_stats import policy
from village_stats.errors import DataError
from village_stats.load import load_period, read_village
from village_stats.parse import Village

from .conftest import DATA

LINES = """scope,year,poverty_line_yuan,basis,source,verified
national,2021,4000,national,national text,false
14,2021,4500,province,provincial text,true
140724,2021,5000,county,county text,true
national,2022,4100,national,national text,false
"""


@pytest.fixture()
def village():
    return read_village(DATA, "demo")


@pytest.fixture()
def own_policy(tmp_path):
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "poverty_lines.csv").write_text(LINES, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("codes, year, expected, scope", [
    ({"county_code": "140724"}, 2021, 5000, "140724"),          # county row
    ({"county_code": "140799"}, 2021, 4500, "14"),              # other county of the province: province row
    ({"province_code": "14"}, 2021, 4500, "14"),
    ({"province_code": "15"}, 2021, 4000, "national"),          # other province: national
    ({}, 2021, 4000, "national"),
    ({"county_code": "140724"}, 2022, 4100, "national"),        # no county/province row that year
])
def test_most_specific_row_wins(own_policy, village, codes, year, expected, scope):
    v = dataclasses.replace(village, **{"poverty_line_yuan": None, "province_code": None, "county_code": None, **codes})
    rule = policy.PolicyBook(own_policy).poverty_line_rule(v, year)
    assert (rule.value, rule.scope, rule.year) == (expected, scope, year)
    assert rule.origin == "policy/poverty_lines.csv"
    assert rule.source == {"140724": "county text", "14": "provincial text", "national": "national text"}[scope]


def test_village_yaml_wins(own_policy, village):
    v = dataclasses.replace(village, poverty_line_yuan=4800.0, county_code="140724")
    rule = policy.PolicyBook(own_policy).poverty_line_rule(v, 2021)
    assert (rule.value, rule.origin) == (4800, "village.yaml")
    m = policy.PolicyBook(own_policy).monitoring_threshold(dataclasses.replace(village, monitoring_threshold_yuan=7000.0), 2021)
    assert (m.value, m.origin) == (7000, "village.yaml")


def test_missing_year_names_the_table(own_policy, village):
    with pytest.raises(DataError, match="no poverty_line_yuan for 2030") as info:
        policy.PolicyBook(own_policy).poverty_line_rule(village, 2030)
    assert Path(info.value.path) == own_policy / "policy" / "poverty_lines.csv"


def test_a_table_missing_from_the_data_folder_is_an_error_naming_it(own_policy, village):
    """No silent fall-back to the project's data/policy/: the data root's own table, or one clear error."""
    with pytest.raises(DataError, match="monitoring_thresholds.csv is missing") as info:
        policy.PolicyBook(own_policy).monitoring_threshold(village, 2021)
    assert Path(info.value.path) == own_policy / "policy" / "monitoring_thresholds.csv"


def test_the_project_tables_give_the_2021_monitoring_threshold(village):
    rule = policy.PolicyBook(DATA).monitoring_threshold(village, 2021)
    assert (rule.value, rule.verified, rule.scope) == (6000, True, "national")
    assert "防止返贫监测和帮扶机制" in rule.source


def test_project_rules_with_sources(village):
    assert policy.PolicyBook(DATA).exit_threshold("central").value == 0.02
    assert policy.PolicyBook(DATA).exit_threshold("western").value == 0.03
    assert not policy.PolicyBook(DATA).monitoring_threshold(village, 2022).verified
    share = policy.PolicyBook(DATA).monitoring_rule(village, "monitored_share_ceiling")
    assert share.value == 0.10 and share.verified
    ev = policy.PolicyBook(DATA).evaluation_thresholds(village)
    assert ev["wrong_exit_rate"].met(0.019) and not ev["wrong_exit_rate"].met(0.02)
    assert ev["satisfaction_rate"].met(0.90) and not ev["satisfaction_rate"].met(0.899)
    assert ev["composite_incidence"].value == village.exit_threshold == 0.02
    for rules in (ev.values(), [policy.PolicyBook(DATA).poverty_line_rule(village, 2018)]):
        for r in rules:
            # a verified rule cites its text; one without a text says why, in both languages
            assert (r.source or not r.verified) and (r.source or (r.note_zh and r.note_en))
            assert r.origin.startswith("policy/") and r.row >= 2


def test_exit_threshold_of_village_yaml_comes_from_the_table(tmp_path):
    shutil.copytree(DATA / "demo", tmp_path / "demo")
    shutil.copytree(DATA / "policy", tmp_path / "policy")
    (tmp_path / "policy" / "exit_thresholds.csv").write_text(
        "region,exit_threshold,basis,source,verified\neastern,0.02,,a,true\ncentral,0.025,,b,false\n"
        "western,0.03,,c,true\n", encoding="utf-8")
    assert read_village(tmp_path, "demo").exit_threshold == 0.025
    assert load_period("demo", "2018H2", tmp_path).village.exit_threshold == 0.025


@pytest.mark.parametrize("row, message, column", [
    ("province,2021,4000,,src,true", "scope 'province'", "scope"),
    ("national,2016,4000,,src,true", "duplicate scope and year", "year"),
    ("national,2021,-5,,src,true", "expected an amount >= 0", "poverty_line_yuan"),
])
def test_bad_policy_rows_name_file_row_column(tmp_path, village, row, message, column):
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "poverty_lines.csv").write_text(
        "scope,year,poverty_line_yuan,basis,source,verified\nnational,2016,2952,,src,true\n" + row + "\n",
        encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        policy.PolicyBook(tmp_path).poverty_line_rule(village, 2016)
    assert (info.value.row, info.value.column) == (3, column)


def test_bad_division_code_in_village_yaml(tmp_path):
    shutil.copytree(DATA / "demo", tmp_path / "demo")
    y = tmp_path / "demo" / "village.yaml"
    y.write_text(y.read_text(encoding="utf-8").replace('county_code: "990000"\n', "") + "county_code: 14072\n",
                 encoding="utf-8")
    with pytest.raises(DataError, match="county_code 14072: expected a 6-digit"):
        read_village(tmp_path, "demo")


def test_inputs_name_the_policy_tables_and_previous_period():
    names = {p.relative_to(DATA).as_posix() for p in load_period("demo", "2022H2", DATA).sources}
    assert {"policy/poverty_lines.csv", "policy/exit_thresholds.csv", "policy/monitoring_thresholds.csv",
            "policy/monitoring_rules.csv", "policy/evaluation_thresholds.csv", "demo/2022H1/households.csv",
            "demo/2022H2/evaluation_sample.csv"} <= names
    older = {p.relative_to(DATA).as_posix() for p in load_period("demo", "2018H2", DATA).sources}
    assert "policy/monitoring_thresholds.csv" not in older and "demo/2018H1/households.csv" not in older


def test_policy_notes_in_both_languages_and_rows_named():
    """Issue 23: a policy row's remark exists in Chinese and English; the unverified warning reads 未核实 in
    Chinese and UNVERIFIED in English; a rule knows its file row (poverty_lines.csv: 2022 is row 13, the
    header being row 1 and 2011 row 2)."""
    import re

    v = Village("v", "村", "乡", "县", "市", "省", "", "central", "", 0.02)
    line = policy.PolicyBook(DATA).poverty_line_rule(v, 2022)
    assert line.row == 13 and not line.verified
    assert line.note_zh.startswith("未核实") and line.note_en.startswith("UNVERIFIED")
    assert not re.search(r"[A-Za-z]{4,}", line.note_zh)  # no English words in the Chinese note
    assert not re.search(r"[\u3400-\u9fff]", line.note_en)
