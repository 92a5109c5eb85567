"""The check catalogue as a whole: words, rules across villages, the settings of policy/check_rules.csv,
the findings' summaries, the register audit it replaces, the demo and example data, docs/checks.md."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from village_stats import checks
from village_stats.checks import wording
from village_stats.checks.settings import check_rows, parse_parameters, resolve
from village_stats.errors import DataError
from village_stats.load import Source
from village_stats.policy import PolicyBook
from village_stats.schema import CHECK_RULES

from . import fixtures_2026 as fx
from .conftest import ROOT


def test_at_least_forty_rules_with_stable_ids_and_words():
    ids = list(checks.RULES)
    assert len(ids) >= 40
    assert all(pd.Series(ids).str.fullmatch(r"(HH|MB|HM|XV)-\d{3}"))
    assert set(wording.RULE_TEXT) == set(ids)
    for rid, r in checks.RULES.items():
        what_zh, what_en, _, _ = wording.RULE_TEXT[rid]
        what_zh.format(**r.params), what_en.format(**r.params)     # every number named in the words exists
        assert r.source.strip() and r.reads


def test_the_seven_audit_rules_have_ids():
    from village_stats.measures.register import AUDIT_RULES

    assert checks.LEGACY == {"HH-001": "income_nonpositive", "HH-002": "income_implausible",
                             "HH-003": "id_check_digit", "HH-004": "id_fifteen_digits",
                             "HH-005": "category_status_mismatch", "HH-006": "exited_without_year",
                             "HH-007": "exited_failing_criteria"}
    assert set(checks.LEGACY.values()) == set(AUDIT_RULES)


# --------------------------------------------------------------------------- across villages

def _villages(edit=None, previous_edit=None):
    """Villages a and b (fixture tables with their own keys), and a's previous period."""
    a, b, before = fx.tables("a"), fx.tables("b"), fx.tables("a")
    if edit:
        edit(a, b)
    if previous_edit:
        previous_edit(before, b)
    now = [fx.period_data(a, "a"), fx.period_data(b, "b")]
    prev = [fx.period_data(before, "a", period=fx.PERIOD.previous())]
    return checks.run_villages(now, prev).frame


def _keys(frame, rule):
    f = frame.loc[frame["rule"] == rule]
    return {(v, h, None if pd.isna(n) else int(n), val) for v, h, n, val in
            zip(f["village_id"], f["household_id"], f["member_no"], f["values"])}


def test_across_clean_villages_nothing():
    assert _villages().empty


def test_xv001_one_head_key_in_two_villages():
    def same_head(a, b):
        b["households"].loc[0, "id_key"] = a["households"].loc[0, "id_key"]
    assert _keys(_villages(same_head), "XV-001") == {("a", "H1", None, "other_villages=b"),
                                                     ("b", "H1", None, "other_villages=a")}

    def head_is_a_member_elsewhere(a, b):   # near miss: heads are compared with heads only
        b["households"].loc[0, "id_key"] = a["members"].loc[4, "id_key"]
    assert _keys(_villages(head_is_a_member_elsewhere), "XV-001") == set()


def test_xv002_one_member_key_in_two_households():
    def same_member(a, b):
        b["members"].loc[1, "id_key"] = a["members"].loc[1, "id_key"]
    assert _keys(_villages(same_member), "XV-002") == {("a", "H1", 2, "other_villages=b"),
                                                       ("b", "H1", 2, "other_villages=a")}

    def twice_in_one_household(a, b):        # near miss: one household (MB-006's business, not XV-002's)
        b["members"].loc[2, "id_key"] = b["members"].loc[1, "id_key"]
    assert _keys(_villages(twice_in_one_household), "XV-002") == set()


def test_xv003_head_moved_from_another_village():
    def moved(before, b):
        b["households"].loc[2, "id_key"] = before["households"].loc[2, "id_key"]   # a's H3 now in b

    def a_drops_h3(a, b):
        a["households"].loc[2, "id_key"] = None
    frame = _villages(a_drops_h3, moved)
    assert _keys(frame, "XV-003") == {("b", "H3", None, "previous_village=a")}
    assert _keys(_villages(), "XV-003") == set()   # near miss: a's H3 was in a before and is in a now


# --------------------------------------------------------------------------- settings

def _village(county="140724"):
    return fx.village("a", county)


def test_settings_switch_off_change_severity_and_numbers_by_scope():
    table = pd.DataFrame({
        "scope": ["national", "14", "140724", "140724", "99"],
        "rule": ["MB-008", "MB-008", "MB-008", "HH-001", "HH-001"],
        "from_year": [2020, 2020, 2027, 2020, 2020],
        "enabled": [None, None, None, False, None], "severity": [None, "hint", None, None, "hint"],
        "parameters": ["max_age=14", None, "max_age=17", None, None], "verified": [True, False, True, True, True]})
    s = resolve(table, _village(), 2026)
    assert s["MB-008"].params == {"min_age": 6, "max_age": 14}      # the county row starts in 2027
    assert s["MB-008"].severity == "hint" and s["MB-008"].origins == ("national 2020", "14 2020 unverified")
    assert not s["HH-001"].enabled and s["HH-001"].severity == "error"   # province 99 is not the village's
    assert resolve(table, _village(), 2027)["MB-008"].params["max_age"] == 17
    # a child of 15 out of school: found with the defaults (6–15), not with max_age 14
    frames = fx.tables()
    frames["members"].loc[2, ["birth_date", "in_school"]] = [pd.Timestamp("2010-07-01"), "dropped_out"]
    data = fx.period_data(frames)
    assert checks.run(data, rules=["MB-008"]).count() == 1
    assert checks.run(data, s, rules=["MB-008"]).count() == 0


def test_rules_start_in_their_year():
    assert not resolve(None, _village(), 2025)["HH-012"].enabled    # the 15-day rule is of 2026
    assert resolve(None, _village(), 2026)["HH-012"].enabled


def test_parameters_are_checked():
    assert parse_parameters("days = 20；", checks.RULES["HH-012"]) == {"days": 20.0}
    with pytest.raises(ValueError, match="HH-012"):
        parse_parameters("weeks=3", checks.RULES["HH-012"])
    with pytest.raises(ValueError, match="number"):
        parse_parameters("days=many", checks.RULES["HH-012"])


def test_project_check_rules_table_reads_and_every_row_names_a_rule():
    book = PolicyBook(ROOT / "data")
    table = book.table("check_rules")
    check_rows(table, book.path("check_rules"))
    assert set(table["rule"]) <= set(checks.RULES)
    assert table.loc[table["rule"].eq("HH-012") & table["scope"].eq("national"), "parameters"].item() == "days=15"
    assert (ROOT / "examples" / "demo_county" / "policy" / "check_rules.csv").read_bytes() == \
        (ROOT / "data" / "policy" / "check_rules.csv").read_bytes()


def test_project_check_rules_sources_hold_only_published_texts():
    """The policy convention (docs/policy.md): ``source`` names a published text or is empty; a developer's
    remark (not verified, this package's choice) is in note_zh / note_en, and an unverified row has one."""
    table = PolicyBook(ROOT / "data").table("check_rules")
    assert not table["source"].fillna("").str.contains("UNVERIFIED|project|choice|未核实|本软件包", case=False).any()
    unverified = table.loc[~table["verified"].astype(bool)]
    assert len(unverified) and unverified["note_zh"].str.contains("未核实").all()
    assert unverified["note_en"].str.startswith("UNVERIFIED").all()


@pytest.mark.parametrize("row,column,message", [
    ("national,HH-999,2020,,,,x,y,true,,", "rule", "unknown rule 'HH-999'"),
    ("national,HH-012,2020,,,weeks=2,x,y,true,,", "parameters", "parameter 'weeks=2'"),
    ("national,HH-012,2020,,urgent,,x,y,true,,", "severity", "expected one of"),
    ("national,HH-012,2026,,,days=20,x,y,true,,", "from_year", "duplicate"),
])
def test_bad_check_rules_row_is_one_clear_error(tmp_path, row, column, message):
    """What the loader applies to a village-year (PolicyBook.check_rules), then turns into settings."""
    (tmp_path / "policy").mkdir()
    header = ",".join(CHECK_RULES.names)
    (tmp_path / "policy" / "check_rules.csv").write_text(
        f"{header}\nnational,HH-012,2026,,,days=15,x,y,true,,\n{row}\n", encoding="utf-8")
    book = PolicyBook(tmp_path)
    with pytest.raises(DataError) as e:
        resolve(book.check_rules(_village(), 2026), _village(), 2026, path=book.path("check_rules"))
    assert e.value.row == 3 and e.value.column == column and message in str(e.value)
    assert str(e.value.path).endswith("check_rules.csv")


def test_a_data_root_without_the_table_gets_the_defaults(tmp_path):
    assert PolicyBook(tmp_path).check_rules(_village(), 2026) is None
    s = resolve(None, _village(), 2026)
    assert s["HH-012"].params == {"days": 15} and s["HH-012"].enabled


def _demo_root(tmp_path, rows: str):
    """A data root with data/demo's 2022H2 and the project's policy tables, ``rows`` added to check_rules.csv."""
    shutil.copytree(ROOT / "data" / "policy", tmp_path / "policy")
    (tmp_path / "demo").mkdir()
    shutil.copy(ROOT / "data" / "demo" / "village.yaml", tmp_path / "demo" / "village.yaml")
    shutil.copytree(ROOT / "data" / "demo" / "2022H2", tmp_path / "demo" / "2022H2")
    with open(tmp_path / "policy" / "check_rules.csv", "a", encoding="utf-8") as f:
        f.write(rows)
    return Source(tmp_path)


def test_the_loader_applies_the_data_roots_settings_to_every_figure(tmp_path):
    """An office switches HH-007 off (the four exited households below the line, data/README.md) and makes
    HH-003 a hint: the period's rules carry the rows, and evaluate, the data root's check and the register
    audit all follow them (one evaluation path)."""
    from village_stats.evaluate import evaluate

    source = _demo_root(tmp_path, "national,HH-007,2022,false,,,x,,true,,\nnational,HH-003,2022,,hint,,x,,true,,\n")
    data = source.period("demo", "2022H2")
    assert set(data.rules.check_rules["rule"]) >= {"HH-007", "HH-003"}
    assert tmp_path / "policy" / "check_rules.csv" in data.sources
    r = evaluate(data)
    assert r.values["check_findings"] == 2 and r.values["check_errors"] == 0 and r.values["check_hints"] == 1
    assert set(r.audit["rule"]) == {"id_check_digit", "exited_without_year"}
    found = checks.check_root(source, fx.parse_period("2022H2"))
    assert sorted(found.frame["rule"]) == ["HH-003", "HH-006"]
    from click.testing import CliRunner

    from village_stats.cli import main

    r = CliRunner().invoke(main, ["validate", "--data-dir", str(tmp_path), "--period", "2022H2"],
                           env={"VILLAGE_STATS_LANG": "en"})
    assert r.exit_code == 0 and "(2 register audit findings)" in r.output   # validate too: not 6


# --------------------------------------------------------------------------- findings

def test_summary_and_by_village_worked_by_hand():
    frame = pd.DataFrame({
        "rule": ["HH-001", "MB-008", "MB-008", "HH-001"], "severity": ["error", "error", "error", "error"],
        "village_id": ["a", "a", "a", "b"], "period": "2026H1", "household_id": ["H1", "H1", "H1", "H7"],
        "member_no": pd.array([pd.NA, 3, 4, pd.NA], dtype="Int64"), "values": ""})
    f = checks.Findings(frame, {"a": 4, "b": 50, "c": 10})
    s = f.summary()
    assert s[["rule", "findings", "households_hit"]].values.tolist() == [["HH-001", 2, 2], ["MB-008", 2, 1]]
    v = f.by_village()
    assert v["findings"].tolist() == [3, 1, 0] and v["per_100"].tolist() == [75.0, 2.0, 0.0]
    assert v["rank"].tolist() == [1, 2, 3]
    assert f.only(villages=["b"]).households == {"b": 50}


def test_a_rule_needing_members_does_not_run_without_them():
    frames = fx.tables()
    del frames["members"]
    frames["households"].loc[0, "members"] = 9.0     # would be MB-001 with a member list
    assert "MB-001" not in set(checks.run(fx.period_data(frames)).frame["rule"])


def test_no_name_or_id_number_reaches_a_finding():
    data = Source(ROOT / "data").period("demo", "2022H2")
    text = checks.run(data).table("zh").to_csv()
    raw = pd.read_csv(ROOT / "data" / "demo" / "2022H2" / "households.csv", dtype=str)
    assert not any(v in text for v in raw["id_number"].dropna()), "an ID number in the findings"
    assert not any(v in text for v in raw["head_name"].dropna()), "a name in the findings"


# --------------------------------------------------------------------------- the data of the repository

#: The planted findings of data/demo's latest period (data/README.md, 示例村): the audit's four cases.
DEMO_2022H2 = {("HH-003", "0000003"), ("HH-006", "0000004"), ("HH-007", "0000062"), ("HH-007", "0000102"),
               ("HH-007", "0000107"), ("HH-007", "0000132")}


def test_demo_latest_period_lists_exactly_the_planted_findings():
    found = checks.check_root(Source(ROOT / "data"), fx.parse_period("2022H2"))
    assert set(zip(found.frame["rule"], found.frame["household_id"])) == DEMO_2022H2


#: data/README.md: what data/demo's 2026H2 plants on purpose (rule, household), beside 2022H2's audit cases.
DEMO_2026H2_PLANTED = {("MB-001", "0000001"), ("MB-017", "0000003"), ("HH-009", "0000005"), ("HH-011", "0000005"),
                       ("HH-012", "0000004"), ("HH-013", "0000007"), ("MB-008", "0000013"), ("MB-019", "0000013"),
                       ("HM-004", "0000010")}
def _csv(*parts):
    return pd.read_csv(ROOT.joinpath(*parts), dtype=str, keep_default_na=False)


def test_demo_2026h2_lists_exactly_the_planted_findings():
    found = checks.check_root(Source(ROOT / "data"), fx.parse_period("2026H2")).frame
    assert set(zip(found["rule"], found["household_id"])) == DEMO_2026H2_PLANTED | DEMO_2022H2
    # worked from the CSV files: no member uninsured in a household marked 基本医疗有保障, no 低保 household
    # above twice the fictional county's standard (7,900 yuan, policy/monitoring_thresholds.csv), an ill member
    # in every 因病 household
    hh, m = _csv("data", "demo", "2026H2", "households.csv"), _csv("data", "demo", "2026H2", "members.csv")
    secure = set(hh.loc[hh["medical_secure"] == "是", "household_id"])
    assert ((m["medical_insured"] == "否") & m["household_id"].isin(secure)).sum() == 0
    assert ((hh["dibao"] == "是") & (hh["income_per_capita_yuan"].astype(float) > 2 * 7900)).sum() == 0
    ill = set(m.loc[m["health"].isin(["长期慢性病", "大病"]), "household_id"])
    assert not (hh["main_cause"].eq("因病") & ~hh["household_id"].isin(ill)).any()


def test_example_county_the_documented_findings():
    """examples/demo_county/README.md: the audit's wrong check digits (the register's and the same heads' rows
    in members.csv), incomes of 0, exited households below the line; nothing else."""
    found = checks.check_root(Source(ROOT / "examples" / "demo_county"), fx.parse_period("2018H2")).frame
    assert set(found["rule"]) == {"HH-001", "HH-003", "HH-007", "MB-017"}
    pairs = lambda rule: set(zip(found.loc[found["rule"] == rule, "village_id"],  # noqa: E731
                                 found.loc[found["rule"] == rule, "household_id"]))
    assert pairs("MB-017") == pairs("HH-003")
    heads = pd.concat([_csv(*f.relative_to(ROOT).parts).assign(v=f.parts[-3])
                       for f in sorted((ROOT / "examples" / "demo_county").glob("*/2018H2/households.csv"))])
    members = pd.concat([_csv(*f.relative_to(ROOT).parts).assign(v=f.parts[-3])
                         for f in sorted((ROOT / "examples" / "demo_county").glob("*/2018H2/members.csv"))])
    for frame in (heads, members):                 # no ID number in two villages (XV-001, XV-002)
        assert frame.groupby(frame["id_number"].str.upper())["v"].nunique().max() == 1
    assert not found["rule"].eq("HH-023").any()     # 2018H2 has the 2026 layers but records no spending amounts


def test_evaluation_audit_reads_the_catalogue():
    from village_stats.evaluate import evaluate

    r = evaluate(Source(ROOT / "data").period("demo", "2022H2"))
    assert set(zip(r.audit["rule"], r.audit["household_id"])) == {
        ("id_check_digit", "0000003"), ("exited_without_year", "0000004"), ("exited_failing_criteria", "0000062"),
        ("exited_failing_criteria", "0000102"), ("exited_failing_criteria", "0000107"),
        ("exited_failing_criteria", "0000132")}
    assert r.values["audit_findings"] == 6 and r.values["check_findings"] == 6
    assert r.values["check_errors"] == 1 and r.values["check_doubts"] == 5
    assert r.values["check_findings_per_household"] == pytest.approx(6 / 150)


def test_docs_checks_md_is_generated_from_the_catalogue():
    from village_stats.checks.docs import catalogue_markdown

    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert text == catalogue_markdown(), "run `make codebook` (writes docs/checks.md)"


def test_demo_county_script_copies_the_policy_folder(tmp_path):
    """make demo-county copies data/policy whole, so check_rules.csv comes along."""
    text = (ROOT / "scripts" / "make_demo_county.py").read_text(encoding="utf-8")
    assert 'shutil.copytree(ROOT / "data" / "policy", TARGET / "policy")' in text
    shutil.copytree(ROOT / "data" / "policy", tmp_path / "policy")
    assert (tmp_path / "policy" / "check_rules.csv").is_file()


def test_bad_input_cases_link_the_project_policy_folder():
    links = [p for p in (ROOT / "tests" / "bad_input").glob("*/data/policy") if p.is_symlink()]
    assert links and all((p / "check_rules.csv").is_file() for p in links)

