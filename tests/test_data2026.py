"""The 2026 data contract (常态化帮扶): members and help measures, the new household columns, the policy
tables by year, personal data checked then dropped."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from village_stats import schema
from village_stats.load import load_period
from village_stats.policy import PolicyBook

from .conftest import DATA, ROOT

BAD = ROOT / "tests" / "bad_input"


def small_root(tmp_path, members: str | None = None, hh: str | None = None, help_: str | None = None):
    """A data root of one village 2026H1 (the bad-input case's files, fixed where given)."""
    src = BAD / "members_duplicate_member_no" / "data"
    shutil.copytree(src / "v", tmp_path / "v")
    shutil.copytree(DATA / "policy", tmp_path / "policy")
    yaml = tmp_path / "v" / "village.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + 'county_code: "990000"\n', encoding="utf-8")
    d = tmp_path / "v" / "2026H1"
    rows = (d / "members.csv").read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].replace("0001,1,之子", "0001,2,之子")
    (d / "members.csv").write_text(members if members is not None else "\n".join(rows) + "\n", encoding="utf-8")
    if hh is not None:
        (d / "households.csv").write_text(hh, encoding="utf-8")
    if help_ is not None:
        (d / "help_measures.csv").write_text(help_, encoding="utf-8")
    return tmp_path


def test_members_are_read_checked_and_their_personal_columns_dropped(tmp_path):
    data = load_period("v", "2026H1", small_root(tmp_path))
    m = data.table("members")
    assert data.has("members") and not data.has("help_measures")
    assert "name" not in m and "id_number" not in m
    assert m["relation"].tolist() == ["head", "child", "head"]          # 之子 is an alias of 子女
    assert m["work_place"].tolist() == ["in_county", "out_of_province", "not_working"]
    assert m["member_no"].tolist() == [1.0, 2.0, 1.0]
    # derived from the number before it was dropped: 11010519491231002X is a woman born 1949-12-31
    assert m["id_number_status"].tolist() == ["valid", "bad_check_digit", "valid"]
    assert m["id_birth_date"].iloc[0] == pd.Timestamp("1949-12-31") and pd.isna(m["id_birth_date"].iloc[1])
    assert m["id_sex"].iloc[0] == "female" and pd.isna(m["id_sex"].iloc[1]) and m["id_sex"].iloc[2] == "male"
    assert m["id_key"].iloc[0] is not None and len(m["id_key"].iloc[0]) == 16 and pd.isna(m["id_key"].iloc[1])
    hh = data.table("households")
    assert "head_name" not in hh and "id_number" not in hh
    # the head of 0001 in households.csv and in members.csv carries the same number: the same key
    assert hh["id_key"].iloc[0] == m["id_key"].iloc[0]
    assert pd.api.types.is_datetime64_any_dtype(hh["risk_found_on"])
    assert pd.api.types.is_datetime64_any_dtype(m["birth_date"])
    assert hh["publicised_from"].iloc[1] == pd.Timestamp("2026-03-04")
    # a non-poor household can be a 防止返贫致贫对象
    assert hh.loc[1, "category"] == "non_poor" and hh.loc[1, "monitoring_type"] == "marginal"


def test_member_count_mismatch_and_missing_head_are_not_load_errors(tmp_path):
    """Household 0001 says 2 members and lists 1, without 户主: the period loads (an audit finding)."""
    members = ("household_id,member_no,relation,sex\n0001,1,配偶,女\n0002,1,户主,男\n")
    data = load_period("v", "2026H1", small_root(tmp_path, members=members))
    assert len(data.table("members")) == 2


def test_help_measures_dates_and_kinds(tmp_path):
    help_ = "帮扶措施类型,户编号,开始日期,结束日期,帮扶金额(元)\n产业帮扶,0002,2026-03-15,,2万\n公益性岗位,0001,2025-01-01,2025-12-31,\n"
    m = load_period("v", "2026H1", small_root(tmp_path, help_=help_)).table("help_measures")
    assert m["measure"].tolist() == ["industry", "public_welfare_job"]
    assert m["amount_yuan"].iloc[0] == 20000 and pd.isna(m["amount_yuan"].iloc[1])
    assert pd.isna(m["ended_on"].iloc[0]) and m["ended_on"].iloc[1] == pd.Timestamp("2025-12-31")


def test_a_2017_register_gets_the_2026_columns_empty_and_typed():
    hh = load_period("suoluoyu", "2017H1", DATA).tables
    assert not schema.has_2026_fields(hh)
    reg = load_period("demo", "2018H2", DATA).table("households")
    assert reg["risk_found_on"].isna().all() and pd.api.types.is_datetime64_any_dtype(reg["risk_found_on"])
    assert reg["wage_income_yuan"].dtype == float and reg["dibao"].isna().all()


def test_the_2020_share_rules_apply_only_while_in_force():
    from village_stats.parse import Village

    v = Village("v", "", "", "", "", "", "", "central", "", 0.02, province_code="14")
    book = PolicyBook(DATA)
    in_2022 = book.monitoring_rules_in_force(v, 2022)
    in_2026 = book.monitoring_rules_in_force(v, 2026)
    assert in_2022["monitored_share_ceiling"].value == 0.1 and "identification_days_max" not in in_2022
    assert "monitored_share_ceiling" not in in_2026 and "monitored_share_expected" not in in_2026
    assert in_2026["identification_days_max"].value == 15 and in_2026["publicity_days_min"].value == 5
    assert in_2026["no_size_cap"].value == 1 and in_2026["income_drop_share"].value == 0.3


def test_policy_rows_say_what_is_verified():
    """The reference's provincial and county thresholds are there as verified; the national series is not."""
    t = PolicyBook(DATA).table("monitoring_thresholds").set_index(["scope", "year"])
    assert t.loc[("53", 2025), "monitoring_threshold_yuan"] == 8700 and t.loc[("53", 2025), "verified"]
    assert t.loc[("350526", 2024), "monitoring_threshold_yuan"] == 19560
    assert t.loc[("532328", 2023), "verified"]
    assert not t.loc[("national", 2024), "verified"] and not t.loc[("national", 2025), "verified"]
    assert ("national", 2026) not in t.index  # provinces set the 2026 standard
    fictional = t.loc[[s == "990000" for s, _ in t.index]]
    assert len(fictional) and not fictional["verified"].any()
    assert all(n.startswith("虚构") for n in fictional["note_zh"]) and all(n.startswith("FICTIONAL")
                                                                        for n in fictional["note_en"])
    income = PolicyBook(DATA).table("rural_income")
    assert not income.loc[income["scope"] == "national", "verified"].any()


def test_every_data_root_has_the_new_policy_tables():
    for root in (DATA, ROOT / "examples" / "demo_county"):
        for name in ("rural_income", "monitoring_rules"):
            assert (root / "policy" / f"{name}.csv").is_file(), root
        assert (root / "policy" / "monitoring_rules.csv").read_bytes() == \
            (DATA / "policy" / "monitoring_rules.csv").read_bytes()


def test_rural_income_is_resolved_for_a_2026_period(tmp_path):
    data = load_period("v", "2026H1", small_root(tmp_path))
    assert sorted(data.rules.rural_income) == [2025, 2026]
    assert data.rules.rural_income[2026].value == 17640 and not data.rules.rural_income[2026].verified
    assert "rural_income.csv" in {p.name for p in data.sources}


@pytest.mark.parametrize("table", ["members", "help_measures"])
def test_codebook_lists_the_new_tables(table):
    from village_stats.codebook import codebook_markdown

    assert f"### {table}.csv" in codebook_markdown()


def test_an_absent_members_table_has_the_loaded_columns():
    m = load_period("demo", "2022H2", DATA).table("members")
    assert m.empty and "name" not in m and "id_number" not in m
    assert {"household_id", "relation", "id_birth_date", "id_sex", "id_key"} <= set(m.columns)
