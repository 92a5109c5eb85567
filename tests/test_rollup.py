"""Roll-up of a small hand-made county: sums, recomputed ratios, pooled register measures, tie-out, suppression.

The county (poverty line 3,000 yuan, set in each village.yaml):

| village | township | households | persons | poor hh | poor persons | committed yuan | register |
|---|---|---|---|---|---|---|---|
| a1 | 甲乡 | 30 | 100 | 4 | 10 | 50,000 | 3 households |
| a2 | 甲乡 | 100 | 400 | 8 | 20 | 150,000 | 3 households |
| b1 | 乙乡 | 50 | 200 | 1 | 2 | — | none |
| b2 | 乙乡 | (no data for 2018H2) | | | | | |

Crops: a1 plans 50 mu of maize and 20 mu of beans with nothing achieved (2 groups without progress);
a2 plans 30 mu of herbs and achieves all 30 (0 groups without progress); b1 has no crops table.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.load import Source
from village_stats.measures import register
from village_stats.panel.county import load_county
from village_stats.panel.rollup import TieOutError, combination, rollup, tie_out, wide
from village_stats.units import Pooled, Ratio, Sum

from .conftest import with_policy

PERIOD = "2018H2"
GUARANTEES = "food_clothing_secure,education_secure,medical_secure,housing_secure,water_secure"
HH_HEADER = f"household_id,members,category,status,income_per_capita_yuan,{GUARANTEES}\n"
REGISTERS = {
    "a1": "h1,2,general,poor,1000,是,是,是,是,是\nh2,1,general,exited,4000,是,是,是,是,是\n"
          "h3,3,dibao,poor,2500,是,是,是,否,是\n",
    "a2": "h1,4,general,poor,1500,是,是,是,是,是\nh2,2,non_poor,non_poor,6000,是,是,是,是,是\n"
          "h3,1,non_poor,non_poor,5000,是,是,是,是,是\n",
}
POPULATION = {"a1": (30, 100, 4, 10), "a2": (100, 400, 8, 20), "b1": (50, 200, 1, 2)}
PROJECTS = {"a1": 50_000, "a2": 150_000}
TOWNSHIP = {"a1": "甲乡", "a2": "甲乡", "b1": "乙乡", "b2": "乙乡"}
CROPS = {"a1": "maize,玉米,50,\nbeans,豆类,20,0\n", "a2": "herbs,中药材,30,30\n"}


def make_county(root):
    with_policy(root)
    for v, town in TOWNSHIP.items():
        d = root / v
        d.mkdir(parents=True)
        (d / "village.yaml").write_text(
            f"id: {v}\nname_zh: {v}村\nname_en: {v}\ntownship_zh: {town}\ncounty_zh: 测试县\ncity_zh: 测试市\n"
            f"province_zh: 测试省\nregion: central\nsupported_by_zh: 测试单位\npoverty_line_yuan: 3000\n"
            "fictional: true\n", encoding="utf-8")
        p = d / (PERIOD if v in POPULATION else "2018H1")
        p.mkdir()
        hh, persons, poor_hh, poor_p = POPULATION.get(v, (10, 30, 1, 3))
        (p / "population.csv").write_text(
            f"measure,value\nhouseholds_total,{hh}\npopulation_total,{persons}\npoor_households,{poor_hh}\n"
            f"poor_population,{poor_p}\n", encoding="utf-8")
        if v in PROJECTS:
            (p / "projects.csv").write_text(
                "project_id,name_zh,category,status,investment_yuan\n"
                f"road,道路,infrastructure,completed,{PROJECTS[v]}\nplan,计划,industry,planned,99999\n",
                encoding="utf-8")
        if v in REGISTERS:
            (p / "households.csv").write_text(HH_HEADER + REGISTERS[v], encoding="utf-8")
        if v in CROPS:
            (p / "crops.csv").write_text("crop_group,name_zh,target_new_area_mu,achieved_new_area_mu\n" + CROPS[v],
                                         encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def county_dir(tmp_path_factory):
    return make_county(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def county(county_dir):
    return load_county(Source(county_dir), PERIOD)


def test_combination_comes_from_the_catalogue_declarations():
    assert combination("poor_population") == Sum()
    assert combination("investment_committed_yuan") == Sum()
    assert combination("poverty_incidence") == Ratio("poor_population", "population_total")
    assert combination("investment_committed_per_poor_person_yuan") == Ratio("investment_committed_yuan",
                                                                              "poor_population")
    assert isinstance(combination("gini"), Pooled) and isinstance(combination("fgt0"), Pooled)


def test_sums_and_recomputed_ratios(county):
    t = wide(rollup(county, "township"))
    assert t.loc["甲乡", "poor_population"] == 30 and t.loc["甲乡", "population_total"] == 500
    assert t.loc["甲乡", "investment_committed_yuan"] == 200_000
    # 30 / 500, not the mean of 10/100 and 20/400 (0.075)
    assert t.loc["甲乡", "poverty_incidence"] == pytest.approx(0.06, abs=1e-12)
    assert t.loc["甲乡", "investment_committed_per_poor_person_yuan"] == pytest.approx(200_000 / 30)
    assert t.loc["乙乡", "poverty_incidence"] == pytest.approx(0.01)
    c = wide(rollup(county, "county"))
    assert c.loc["测试县", "poor_population"] == 32
    assert c.loc["测试县", "poverty_incidence"] == pytest.approx(32 / 700)
    assert c.loc["测试县", "exit_threshold"] == pytest.approx(0.02)


def test_a_count_of_crop_groups_adds_up_over_villages(county):
    # a1 has 2 crop groups without progress and a2 has 0: the township and the county have 2, not NaN
    t = wide(rollup(county, "township"))
    assert t.loc["甲乡", "crop_groups_without_progress"] == 2
    assert t.loc["甲乡", "crop_target_without_progress_mu"] == 70
    assert t.loc["甲乡", "crop_achievement_share"] == pytest.approx(30 / 100)   # (0 + 30) / (70 + 30)
    c = wide(rollup(county, "county"))
    assert c.loc["测试县", "crop_groups_without_progress"] == 2


def test_villages_covered_and_missing(county):
    s = rollup(county, "township").drop_duplicates("group_id").set_index("group_id")
    assert s.loc["甲乡", "villages_covered"] == 2 and s.loc["甲乡", "villages_missing"] == ""
    assert s.loc["乙乡", "villages_covered"] == 1 and s.loc["乙乡", "villages_missing"] == "b2"
    assert county.missing == ["b2"]


def test_pooled_register_measures_equal_those_of_the_concatenated_register(county):
    t = wide(rollup(county, "township"))
    # by hand, z = 3000, persons 2, 1, 3 | 4, 2, 1 (13): gaps 2/3, 0, 1/6 | 1/2, 0, 0
    assert t.loc["甲乡", "fgt0"] == pytest.approx(9 / 13)
    assert t.loc["甲乡", "fgt1"] == pytest.approx((2 * 2 / 3 + 3 / 6 + 4 / 2) / 13)
    assert t.loc["甲乡", "fgt2"] == pytest.approx((2 * 4 / 9 + 3 / 36 + 4 / 4) / 13)
    # the same as the one-village measures applied to the two registers stacked
    y = np.array([1000, 4000, 2500, 1500, 6000, 5000.0])
    w = np.array([2, 1, 3, 4, 2, 1.0])
    assert t.loc["甲乡", "gini"] == pytest.approx(register.gini(y, w), abs=1e-12)
    assert t.loc["甲乡", "watts"] == pytest.approx(register.watts(y, w, 3000.0), abs=1e-12)
    # person-weighted, not the mean of the two villages' values
    assert t.loc["甲乡", "fgt0"] != pytest.approx((5 / 6 + 4 / 7) / 2)
    assert t.loc["甲乡", "register_population"] == 13 and t.loc["甲乡", "register_households"] == 6
    # the Alkire–Foster headcount: deprived in ≥ 1/3 of six indicators; only h3 of a1 (income and housing)
    assert t.loc["甲乡", "mpi_h"] == pytest.approx(3 / 13)
    assert math.isnan(t.loc["乙乡", "fgt1"])  # 乙乡 has no register


def test_tie_out_fails_on_a_planted_inconsistency(county):
    sheet = rollup(county, "township")
    tie_out(county, sheet)  # consistent
    planted = sheet.copy()
    planted.loc[(planted["group_id"] == "甲乡") & (planted["indicator"] == "poor_population"), "value"] = 31
    with pytest.raises(TieOutError, match="poor_population"):
        tie_out(county, planted)


def test_tie_out_runs_on_every_rollup(county, monkeypatch):
    import village_stats.panel.rollup as r

    calls = []
    monkeypatch.setattr(r, "tie_out", lambda *a: calls.append(a))
    for by in ("village", "township", "county"):
        r.rollup(county, by)
    assert len(calls) == 3


def _assert_not_derivable(county, below):
    """The attack of tests/test_disclosure.py on the three published levels pins down no primary cell."""
    from village_stats.panel.disclosure import protect
    from village_stats.panel.rollup import rollup_levels

    from .test_disclosure import attack

    truth = rollup_levels(county)
    published = protect(truth, below, county.villages)
    hidden = published[published["suppressed"]]
    assert hidden["value"].isna().all() and hidden["numerator"].isna().all()
    assert attack(published, truth, county.villages, below) == []


def test_suppression_hides_small_counts_and_their_complements(county):
    s = rollup(county, "village", suppress_below=5)
    cell = s.set_index(["group_id", "indicator"])
    # primary: a1 has 4 poor households, b1 has 1; complementary: a2 (the only other village of 甲乡)
    assert cell.loc[("a1", "poor_households"), "suppressed"]
    assert cell.loc[("b1", "poor_households"), "suppressed"]
    assert cell.loc[("a2", "poor_households"), "suppressed"]
    # ratios built on a hidden count are hidden too
    assert cell.loc[("b1", "poverty_incidence"), "suppressed"]  # poor_population 2 < 5
    assert not cell.loc[("a1", "population_total"), "suppressed"]
    _assert_not_derivable(county, 5)


def test_suppression_at_township_level_is_not_derivable_from_the_county(county):
    s = rollup(county, "township", suppress_below=5)
    cell = s.set_index(["group_id", "indicator"])
    assert cell.loc[("乙乡", "poor_households"), "suppressed"]      # 1 < 5
    # 甲乡's 12 and the county's 13 would give 乙乡's 1: one of them is hidden
    county_row = rollup(county, "county", suppress_below=5).set_index("indicator").loc["poor_households"]
    assert cell.loc[("甲乡", "poor_households"), "suppressed"] or county_row["suppressed"]


def test_cli_rollup_formats(county_dir):
    runner = CliRunner()
    res = runner.invoke(main, ["rollup", "--period", PERIOD, "--data-dir", str(county_dir), "--by", "county",
                               "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["indicator"]: r for r in json.loads(res.output)}
    assert rows["poor_population"]["value"] == 32 and rows["poor_population"]["group_id"] == "测试县"
    res = runner.invoke(main, ["rollup", "--period", PERIOD, "--data-dir", str(county_dir), "--by", "village",
                               "--format", "csv", "--suppress-below", "5"])
    assert res.exit_code == 0
    frame = pd.read_csv(__import__("io").StringIO(res.output), dtype=str)
    hidden = frame[frame["suppressed"] == "True"]
    assert len(hidden) and (hidden["value"] == "suppressed").all()
    res = runner.invoke(main, ["rollup", "--period", PERIOD, "--data-dir", str(county_dir)])
    assert res.exit_code == 0 and "乙乡" in res.output and "b2" in res.output


def test_cli_rollup_bad_period_exits_2(county_dir):
    res = CliRunner().invoke(main, ["rollup", "--period", "2018X9", "--data-dir", str(county_dir)])
    assert res.exit_code == 2


def test_the_fictional_warning_shows_when_every_village_is_fictional(tmp_path, monkeypatch):
    """show_title reads the villages' ``fictional`` flags the county was read with (village.yaml, read once):
    shown when every village is fictional, not when one is real; nothing is read again, so nothing can
    make the warning vanish silently."""
    from village_stats.display import county as sections
    from village_stats.display import views
    from village_stats.labels import t

    make_county(tmp_path)
    shown = []
    monkeypatch.setattr(views, "show_text", lambda text, style="": shown.append(text))
    monkeypatch.setattr(views, "show_subheading", lambda *args, **kwargs: None)
    county = load_county(Source(tmp_path), PERIOD)
    assert county.villages["fictional"].all()          # make_county writes fictional: true
    sections.show_title(county, "zh", None, str(tmp_path))
    assert t("county_fictional", "zh") in shown
    shown.clear()
    y = tmp_path / "b1" / "village.yaml"
    y.write_text(y.read_text(encoding="utf-8").replace("fictional: true\n", ""), encoding="utf-8")
    sections.show_title(load_county(Source(tmp_path), PERIOD), "zh", None, str(tmp_path))
    assert t("county_fictional", "zh") not in shown


# --------------------------------------------------------------------------- combination by declaration

def _hand_county():
    """Two villages of one township, sheets written by hand (values, parts) rather than computed.

    | indicator | x1 | x2 |
    |---|---|---|
    | wrong_exit_rate (numerator / denominator) | 0.1 (3 / 30) | 0.05 (1 / 20) |
    | wrong_exit_rate_low, _high | 0.05, 0.25 | 0.02, 0.20 |
    | resident_contact_rate | 0.8 (16 / 20) | 1.0 (25 / 25) |
    | poverty_line_yuan, exit_threshold | 3000, 0.02 | 2800, 0.02 |
    | crop_groups_without_progress | 2 | 0 |
    | poor_households | 0 | 12 |
    | reconciliation_poor_population_difference | −5 | 20 |
    """
    from village_stats.indicators import CATALOGUE, SHEET_COLUMNS
    from village_stats.panel.rollup import County

    nan = math.nan
    rows = {"x1": [("wrong_exit_rate", 0.1, 3, 30), ("wrong_exit_rate_low", 0.05, nan, nan),
                   ("wrong_exit_rate_high", 0.25, nan, nan), ("resident_contact_rate", 0.8, 16, 20),
                   ("poverty_line_yuan", 3000, nan, nan), ("exit_threshold", 0.02, nan, nan),
                   ("crop_groups_without_progress", 2, nan, nan), ("poor_households", 0, nan, nan),
                   ("reconciliation_poor_population_difference", -5, nan, nan)],
            "x2": [("wrong_exit_rate", 0.05, 1, 20), ("wrong_exit_rate_low", 0.02, nan, nan),
                   ("wrong_exit_rate_high", 0.2, nan, nan), ("resident_contact_rate", 1.0, 25, 25),
                   ("poverty_line_yuan", 2800, nan, nan), ("exit_threshold", 0.02, nan, nan),
                   ("crop_groups_without_progress", 0, nan, nan), ("poor_households", 12, nan, nan),
                   ("reconciliation_poor_population_difference", 20, nan, nan)]}
    sheets = {v: pd.DataFrame([(v, PERIOD, i, float(x), CATALOGUE[i].unit, float(n), float(d), CATALOGUE[i].label_zh,
                                CATALOGUE[i].label_en) for i, x, n, d in r], columns=list(SHEET_COLUMNS))
              for v, r in rows.items()}
    villages = pd.DataFrame({"village_id": ["x1", "x2"], "name_zh": ["一村", "二村"], "name_en": ["One", "Two"],
                             "township_zh": "一乡", "county_zh": "一县", "exit_threshold": 0.02})
    return County(PERIOD, villages, sheets, {})


def test_each_kind_of_declaration_combines_as_declared():
    c = wide(rollup(_hand_county(), "county")).loc["一县"]
    assert c["wrong_exit_rate"] == pytest.approx(4 / 50)                      # (3 + 1) / (30 + 20)
    assert c["wrong_exit_rate_low"] == pytest.approx((0.05 * 30 + 0.02 * 20) / 50)   # 0.038
    assert c["wrong_exit_rate_high"] == pytest.approx((0.25 * 30 + 0.2 * 20) / 50)   # 0.23
    assert c["resident_contact_rate"] == pytest.approx(41 / 45)               # parts not indicators of the sheet
    assert c["exit_threshold"] == 0.02 and math.isnan(c["poverty_line_yuan"])  # settings: common value or none
    assert c["crop_groups_without_progress"] == 2
    row = rollup(_hand_county(), "county").set_index("indicator").loc["wrong_exit_rate"]
    assert (row["numerator"], row["denominator"]) == (4, 50)


def test_suppression_hides_ratio_parts_their_bounds_and_small_differences():
    s = rollup(_hand_county(), "county", suppress_below=10).set_index("indicator")
    # 4 wrongly exited households: the rate, its parts and its interval (which gives k and n away) are hidden
    for i in ("wrong_exit_rate", "wrong_exit_rate_low", "wrong_exit_rate_high"):
        assert s.loc[i, "suppressed"] and math.isnan(s.loc[i, "value"]) and math.isnan(s.loc[i, "numerator"])
    assert not s.loc["resident_contact_rate", "suppressed"]                  # 41 / 45
    assert s.loc["reconciliation_poor_population_difference", "value"] == 15 # −5 + 20
    v = rollup(_hand_county(), "village", suppress_below=10).set_index(["group_id", "indicator"])
    assert v.loc[("x1", "wrong_exit_rate"), "suppressed"] and v.loc[("x2", "wrong_exit_rate"), "suppressed"]
    assert v.loc[("x1", "wrong_exit_rate_high"), "suppressed"]
    assert v.loc[("x1", "poor_households"), "value"] == 0                    # a zero reveals nobody: shown
    # a difference of two counts counts nobody: shown unless it would give a hidden term away (here none is)
    assert v.loc[("x1", "reconciliation_poor_population_difference"), "value"] == -5
    assert not v.loc[("x1", "resident_contact_rate"), "suppressed"]           # 16 / 20


@pytest.mark.parametrize("root, period", [("data", "2022H2"), ("examples/demo_county", "2018H2")])
def test_no_head_count_below_n_in_any_column_at_any_level(root, period):
    """--suppress-below 10 prints no head count from 1 to 9 as a value, numerator or denominator, at any level.

    Every numerator and denominator of the roll-up counts households or persons, except the areas of the crop
    achievement share, the yuan of the investment per poor person and the data-quality findings per household;
    values are checked by their unit. A signed difference of two counts (``reconciliation_*_difference``,
    declared ``Sum(plus=, minus=)``) counts nobody and may be shown (it is protected through its terms:
    tests/test_disclosure.py).
    """
    from pathlib import Path

    from village_stats.panel.rollup import rollup_levels

    data = Path(__file__).resolve().parent.parent / root
    not_counts = {"numerator": {"crop_achievement_share", "investment_committed_per_poor_person_yuan",
                                "check_findings_per_household"},   # findings of the data checks, not people
                  "denominator": {"crop_achievement_share"}}
    frame = rollup_levels(load_county(Source(data), period), suppress_below=10)
    assert frame["suppressed"].any()
    shown = []
    for r in frame[~frame["suppressed"]].itertuples():
        signed = bool(getattr(combination(r.indicator), "minus", ()))
        cells = [("value", r.value)] if r.unit in ("households", "persons") and not signed else []
        cells += [(c, getattr(r, c)) for c in ("numerator", "denominator") if r.indicator not in not_counts[c]]
        for column, x in cells:
            if 0 < x < 10:
                shown.append((r.group_level, r.group_id, r.indicator, column, x))
    assert shown == []


# --------------------------------------------------------------------------- the tie-out's three comparisons

def _with(county, **villages_columns):
    """The county with some villages' township or county changed: {column: {village: value}}."""
    from village_stats.panel.rollup import County

    villages = county.villages.copy()
    for column, change in villages_columns.items():
        for v, value in change.items():
            villages.loc[villages["village_id"] == v, column] = value
    return County(county.period, villages, county.sheets, dict(county.registers))


def test_tie_out_fails_when_the_county_is_not_the_sum_of_its_townships(county):
    # b1 lies in 乙乡 but in no county: 乙乡 (of 测试县 through b2) counts its 2 poor persons, the county does not
    planted = _with(county, county_zh={"b1": None})
    with pytest.raises(TieOutError, match="county ≠ Σ townships"):
        rollup(planted, "township")


def test_tie_out_fails_when_the_townships_are_not_the_sum_of_the_villages(county):
    # b1 lies in no township: the villages count 32 poor persons, the townships 30
    planted = _with(county, township_zh={"b1": None})
    with pytest.raises(TieOutError, match="Σ townships ≠ Σ villages"):
        rollup(planted, "village")


def test_tie_out_fails_when_the_pooled_register_misses_a_village(county):
    # a1's sheet counts 3 register households and 6 persons, but its register is not in the pool
    planted = _with(county)
    del planted.registers["a1"]
    with pytest.raises(TieOutError, match="pooled register"):
        rollup(planted, "village")
    with pytest.raises(TieOutError, match="pooled register"):
        tie_out(planted, rollup(county, "township"))      # recomputed from the villages' registers


# --------------------------------------------------------------------------- loading: no cache, honest checks

def test_load_county_writes_no_cache(county_dir, tmp_path, monkeypatch):
    import inspect

    monkeypatch.setenv("VILLAGE_STATS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    c = load_county(Source(county_dir), PERIOD)
    assert sorted(c.sheets) == ["a1", "a2", "b1"]
    assert not (tmp_path / "cache").exists() and not (tmp_path / "xdg").exists()
    assert "cache" not in inspect.signature(load_county).parameters


def test_previous_county_asks_which_periods_exist(county_dir, tmp_path):
    import shutil

    from village_stats.errors import DataError
    from village_stats.panel.county import previous_county

    source = Source(county_dir)
    before = previous_county(source, load_county(source, PERIOD))           # only b2 has 2018H1
    assert sorted(before.sheets) == ["b2"]
    assert previous_county(source, before) is None                          # nobody has 2017H2
    broken = tmp_path / "broken"
    shutil.copytree(county_dir, broken)
    (broken / "b2" / "2018H1" / "population.csv").write_text("measure,value\nno_such_measure,1\n", encoding="utf-8")
    with pytest.raises(DataError):
        previous_county(Source(broken), load_county(Source(broken), PERIOD))


def test_a_village_folder_without_village_yaml_stops_the_county(county_dir, tmp_path):
    """A folder the roll-up cannot place in a township is an error naming it, never a village left out."""
    import shutil

    from village_stats.errors import DataError

    root = tmp_path / "county"
    shutil.copytree(county_dir, root)
    (root / "b9" / PERIOD).mkdir(parents=True)
    shutil.copy(root / "a1" / PERIOD / "population.csv", root / "b9" / PERIOD / "population.csv")
    with pytest.raises(DataError, match="village.yaml is missing") as info:
        load_county(Source(root), PERIOD)
    assert "b9" in str(info.value.path)


@pytest.mark.parametrize("by", ["township", "county"])
def test_tie_out_fails_on_a_wrong_figure_in_the_rolled_up_sheet(county, by):
    """A group's figure that is not the sum of its villages (one person more) fails the tie-out, whichever
    level the sheet is; the true sheet passes."""
    sheet = rollup(county, by)
    tie_out(county, sheet)                                   # the true sheet ties out
    wrong = sheet.copy()
    row = wrong.index[(wrong["indicator"] == "poor_population")][0]
    wrong.loc[row, "value"] += 1
    with pytest.raises(TieOutError, match="poor_population"):
        tie_out(county, wrong)
