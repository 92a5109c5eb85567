"""Reading rules: Chinese headers, encodings, 万 amounts, Excel workbooks, unknown vs zero."""

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from village_stats.errors import DataError
from village_stats.evaluate import indicator_sheet
from village_stats.indicators import values
from village_stats.load import list_periods, load_period, validate

from .conftest import DATA, tree_digest, with_policy

VILLAGE_YAML = """\
id: {id}
name_zh: 东山村
name_en: Dongshan
township_zh: 某镇
county_zh: 某县
city_zh: 某市
province_zh: 甘肃省
region: 西部
supported_by_zh: 某市审计局
"""


def write_village(root: Path, vid: str = "dongshan") -> Path:
    d = root / vid
    d.mkdir(parents=True)
    (d / "village.yaml").write_text(VILLAGE_YAML.format(id=vid), encoding="utf-8")
    with_policy(root)
    return d


def test_chinese_headers_gbk_bom_and_wan(tmp_path):
    """Another village, written by someone else: Chinese headers and vocabularies, GBK, BOM, 万."""
    v = write_village(tmp_path)
    p = v / "2018Q2"
    p.mkdir()
    # GBK with Chinese measure names and a full-width parenthesis in a header
    (p / "population.csv").write_bytes(
        "指标,数值,备注\n农业户数,\"1,000\",\n农业人口,2500,\n贫困户数,100,\n贫困人口,250,\n长期不在村贫困户数,20,\n"
        .encode("gbk"))
    # UTF-8 with BOM, headers with full-width parentheses and surrounding spaces
    (p / "projects.csv").write_bytes(
        "\ufeff项目编号, 项目名称 ,类别,状态,投资（元）\n"
        "p1,大棚,产业发展,在建,110万\n"
        "p2,道路,基础设施,完工,\"27,200\"\n"
        "p3,广场,公共服务,计划,1.5万元\n"
        "p4,水井,基础设施,计划,\n".encode("utf-8"))
    (p / "work_log.csv").write_text("工作类型,数量,单位\n入户对接,60,户\n入户对接,20,户\n村两委会议,3,次\n"
                                    "村民代表大会,2,次\n培训,5,次\n", encoding="utf-8")
    (p / "crops.csv").write_text("作物类别,名称,计划新增面积(亩),已完成面积（亩）\nbeans,豆类,30,15\nherbs,中药材,15,0\n",
                                 encoding="gbk")
    before = tree_digest(tmp_path)
    data = load_period("dongshan", "2018Q2", tmp_path)
    v = values(indicator_sheet(data))
    assert data.village.region == "western" and data.village.exit_threshold == 0.03
    assert v["households_total"] == 1000
    assert v["poverty_incidence"] == 0.1
    assert v["max_poor_population_at_exit"] == 74          # 74/2500 = 2.96% < 3%, 75/2500 = 3%
    assert v["poverty_reduction_needed"] == 176
    assert v["contacted_poor_households"] == 80
    assert v["contact_rate"] == 0.8
    assert v["resident_contact_rate"] == 1.0               # 80 / (100 - 20)
    assert v["meetings_total"] == 5                        # training is not a meeting
    assert v["investment_committed_yuan"] == 1_127_200     # 110万 + 27,200
    assert v["investment_planned_yuan"] == 15_000          # 1.5万元
    assert v["projects_without_investment"] == 1
    assert v["investment_committed_per_poor_person_yuan"] == pytest.approx(4508.8)
    assert v["crop_target_new_area_mu"] == 45 and v["crop_achieved_new_area_mu"] == 15  # 0 is a value
    assert v["crop_target_new_area_ha"] == 3
    assert math.isnan(v["household_visits"])               # no visit row: unknown, not zero
    assert "dibao_households" in v and math.isnan(v["dibao_households"])
    assert tree_digest(tmp_path) == before


def test_excel_workbook_equals_csv_folder(tmp_path, sheet):
    """The Suoluoyu data as one workbook (Chinese sheet names allowed) gives the same sheet."""
    v = tmp_path / "suoluoyu"
    v.mkdir()
    with_policy(tmp_path)
    shutil.copy(DATA / "suoluoyu" / "village.yaml", v / "village.yaml")
    src = DATA / "suoluoyu" / "2017H1"
    with pd.ExcelWriter(v / "2017H1.xlsx", engine="xlsxwriter") as xw:
        for f in sorted(src.glob("*.csv")):
            df = pd.read_csv(f, dtype=str, keep_default_na=False)
            # numbers as real numbers, as a spreadsheet would hold them
            for c in df.columns:
                conv = pd.to_numeric(df[c], errors="coerce")
                if conv.notna().sum() == (df[c] != "").sum() and c not in ("note",):
                    df[c] = conv
            name = "人口与贫困基本情况" if f.stem == "population" else f.stem
            df.to_excel(xw, sheet_name=name, index=False)
    data = load_period("suoluoyu", "2017H1", tmp_path)
    got = indicator_sheet(data)
    pd.testing.assert_frame_equal(got, sheet)
    assert [p.code for p in list_periods(tmp_path, "suoluoyu")] == ["2017H1"]


def test_excel_error_names_sheet_and_row(tmp_path):
    v = write_village(tmp_path)
    pop = pd.DataFrame({"measure": ["households_total", "population_total", "poor_households", "poor_population"],
                        "value": [10, 20, 30, 5]})
    with pd.ExcelWriter(v / "2017.xlsx", engine="xlsxwriter") as xw:
        pop.to_excel(xw, sheet_name="population", index=False)
    with pytest.raises(DataError) as info:
        load_period("dongshan", "2017", tmp_path)
    msg = str(info.value)
    assert "2017.xlsx, sheet population, cell B4 (value): " in msg
    assert "poor_households = 30 is larger than households_total = 10" in msg


def test_folder_and_workbook_for_one_period_is_ambiguous(tmp_path):
    v = write_village(tmp_path)
    (v / "2017H1").mkdir()
    (v / "2017H1.xlsx").write_bytes(b"")
    with pytest.raises(DataError, match="both as a folder and as a workbook"):
        load_period("dongshan", "2017H1", tmp_path)


def test_empty_trailing_rows_are_ignored(tmp_path):
    v = write_village(tmp_path)
    (v / "2017H1").mkdir()
    (v / "2017H1" / "population.csv").write_text(
        "measure,value,note\nhouseholds_total,10,\npopulation_total,20,\npoor_households,3,\npoor_population,5,\n,,\n , ,\n")
    assert values(indicator_sheet(load_period("dongshan", "2017H1", tmp_path)))["poverty_incidence"] == 0.25


def test_bad_village_id_rejected_before_paths(tmp_path):
    with pytest.raises(DataError, match="village id '../etc' is not valid"):
        load_period("../etc", "2017H1", tmp_path)


def test_validate_everything_in_the_repository():
    results = validate(DATA)
    assert results and all(r.problem == "" for r in results), results
    assert ("suoluoyu", "2017H1", "") in [(r.village, r.period, r.problem) for r in results]


def test_validate_flags_folder_that_is_not_a_period(tmp_path):
    v = write_village(tmp_path)
    (v / "2017h1").mkdir()
    results = validate(tmp_path)
    assert results[0].village == "dongshan" and "'2017h1' is not a period code" in results[0].problem


def test_gbk_village_yaml(tmp_path):
    d = tmp_path / "gbk"
    d.mkdir()
    with_policy(tmp_path)
    (d / "village.yaml").write_bytes(VILLAGE_YAML.format(id="gbk").encode("gbk"))
    (d / "2017").mkdir()
    (d / "2017" / "population.csv").write_text(
        "measure,value\nhouseholds_total,10\npopulation_total,20\npoor_households,3\npoor_population,5\n")
    data = load_period("gbk", "2017", tmp_path)
    assert data.village.name_zh == "东山村"


def test_bad_data_two_periods_back_does_not_stop_a_period(tmp_path):
    """A period with monitoring fields reads its previous period, never the one before that: bad data in
    demo 2021H1 stops 2021H2 (whose previous it is), not 2022H2 (whose previous is 2022H1)."""
    shutil.copytree(DATA / "demo", tmp_path / "demo")
    with_policy(tmp_path)
    hh = tmp_path / "demo" / "2021H1" / "households.csv"
    lines = hh.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("members")] = "x"
    hh.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    later = load_period("demo", "2022H2", tmp_path)
    assert later.previous.period.code == "2022H1" and later.previous.previous is None
    with pytest.raises(DataError, match="members") as info:
        load_period("demo", "2021H2", tmp_path)
    assert Path(info.value.path) == tmp_path / "demo" / "2021H1" / "households.csv"
