"""new-period and new-village: the workbook people fill in, read back as a person would (openpyxl) and
by the loader; the figures filled in are the figures the indicators show (worked by hand below)."""

import csv
import hashlib
import io
import shutil

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from village_stats import schema
from village_stats.cli import main
from village_stats.evaluate import indicator_sheet
from village_stats.indicators import values
from village_stats.load import load_period, read_village
from village_stats.schema import TABLES as _TABLES  # noqa: E402

from .conftest import DATA, tree_digest

#: Sheet names of the new-period workbook (Chinese titles) and back to the table ids.
ZH = {name: table.zh for name, table in _TABLES.items()}
IDS = {zh: name for name, zh in ZH.items()}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def data_dir(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    for name in ("suoluoyu", "demo"):
        shutil.copytree(DATA / name, root / name)
    shutil.copytree(DATA / "policy", root / "policy")
    return root


def header_index(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value is not None}


def rows_by_key(ws, key_header: str) -> dict[str, int]:
    col = header_index(ws)[key_header]
    return {ws.cell(r, col).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value is not None}


# What an analyst fills in for Suoluoyu 2017H2 (made-up figures): sheet → key column → key → {column: value}.
FILL = {
    "population": ("指标", {"农业户数": {"数值": 176}, "农业人口": {"数值": 412}, "贫困户数": {"数值": 60},
                           "贫困人口": {"数值": 131}, "五保户数": {"数值": 3}, "低保户数": {"数值": 2},
                           "长期不在村贫困户数": {"数值": 20}}),
    "work_log": ("工作类型", {"入户对接": {"数量": 40}, "入户走访": {"数量": 90}, "节日慰问": {"数量": 60},
                            "村两委会议": {"数量": 6}, "老党员老干部座谈会": {"数量": 1}, "党员支部大会": {"数量": 2},
                            "基层党组织建设会议": {"数量": 1}}),
    "crops": ("作物类别", {"minor_grains": {"已完成面积(亩)": 100}, "medicinal_herbs": {"已完成面积(亩)": 70},
                         "other_non_maize": {"已完成面积(亩)": 150}}),
    "projects": ("项目编号", {"road_widening": {"状态": "在建", "投资(元)": 500000}}),
}

# The same figures worked by hand.
EXPECTED = {
    "households_total": 176, "population_total": 412, "poor_households": 60, "poor_population": 131,
    "poverty_incidence": 131 / 412, "poor_household_share": 60 / 176,
    "contacted_poor_households": 40, "contact_rate": 40 / 60, "resident_contact_rate": 40 / (60 - 20),
    "household_visits": 90, "meetings_total": 6 + 1 + 2 + 1,
    "crop_target_new_area_mu": 120 + 70 + 200, "crop_achieved_new_area_mu": 100 + 70 + 150,
    "crop_achievement_share": 320 / 390,
    # 2017H1's committed 3,097,200 plus the road widening, now in progress at 500,000
    "investment_committed_yuan": 3_597_200, "investment_planned_yuan": 100_000, "projects_total": 8,
    "projects_without_investment": 0,
    "max_poor_population_at_exit": 8,  # largest p with p / 412 < 0.02 (8.24)
    "poverty_reduction_needed": 131 - 8,
}


def fill_workbook(path):
    wb = openpyxl.load_workbook(path)
    for sheet, (key, rows) in FILL.items():
        ws = wb[ZH[sheet]]
        cols, where = header_index(ws), rows_by_key(ws, key)
        for k, cells in rows.items():
            for header, v in cells.items():
                ws.cell(where[k], cols[header]).value = v
    wb.save(path)


def fill_csv_folder(folder):
    for sheet, (key, rows) in FILL.items():
        path = folder / f"{sheet}.csv"
        with open(path, encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
        cols = {h: j for j, h in enumerate(table[0])}
        for line in table[1:]:
            for header, v in rows.get(line[cols[key]], {}).items():
                line[cols[header]] = str(v)
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(table)


def test_new_period_workbook_for_suoluoyu_2017h2(data_dir):
    before = tree_digest(data_dir / "suoluoyu")
    r = run("new-period", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", data_dir)
    assert r.exit_code == 0, r.output
    assert "carried over from 2017H1" in r.output
    path = data_dir / "suoluoyu" / "2017H2.xlsx"
    after = tree_digest(data_dir / "suoluoyu")
    assert {k: v for k, v in after.items() if k != "2017H2.xlsx"} == before  # the source is untouched

    wb = openpyxl.load_workbook(path)
    # sheets named in Chinese (issue 23); reading accepts these titles and the ids alike
    assert wb.sheetnames == ["填表说明"] + [ZH[n] for n in ("population", "work_log", "crops", "projects",
                                                           "project_outputs")]
    assert wb.sheetnames[1:3] == ["人口与贫困基本情况", "帮扶工作记录"]
    projects, population = wb[ZH["projects"]], wb[ZH["population"]]
    assert [c.value for c in projects[1]] == ["项目编号", "项目名称", "英文名称", "类别", "状态", "投资(元)", "备注"]
    assert [c.value for c in population[1]] == ["指标", "数值", "上期数值(参考)", "备注"]
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A2"
    # canonical name, unit and meaning in the header comment
    assert projects["F1"].comment.text.startswith("字段名 investment_yuan\n单位：元 [yuan]")
    # drop-down lists of Chinese labels; whole numbers for counts; input messages from the codebook
    dv = {(IDS[ws.title], str(v.sqref).split(":")[0]): v for ws in (projects, population)
          for v in ws.data_validations.dataValidation}
    assert dv["projects", "D2"].type == "list" and dv["projects", "D2"].formula1 == '"产业发展,基础设施,人居环境,公共服务"'
    assert dv["projects", "E2"].type == "list" and dv["projects", "E2"].formula1 == '"计划,在建,完工"'
    assert dv["population", "B2"].type == "whole" and dv["population", "B2"].operator in (None, "between")
    assert dv["population", "B2"].formula1 == "0"  # whole numbers from 0 ("between" is the default operator)
    assert dv["projects", "F2"].type == "decimal" and "总投资（估算，元）" in dv["projects", "F2"].prompt  # in Chinese
    assert dv["population", "A2"].type == "list" and "农业户数" in dv["population", "A2"].formula1
    # widths fit the Chinese text: 合作社办公及农产品展销室 is 12 wide characters
    assert projects.column_dimensions["B"].width >= 24

    # carried over: projects with category, status, investment; crops with targets; last values beside empty cells
    row = rows_by_key(projects, "项目编号")["cattle_farm"]
    assert [projects.cell(row, j).value for j in (2, 4, 5, 6, 7)] == ["百头肉牛养殖场", "产业发展", "在建", 600000, None]
    assert rows_by_key(projects, "项目编号").keys() == {"cattle_farm", "coop_office", "gully_fill", "environment",
                                                       "broadcast_speakers", "environment_phase2", "culture_square",
                                                       "road_widening"}
    crops = wb[ZH["crops"]]
    assert [crops.cell(rows_by_key(crops, "作物类别")["minor_grains"], j).value for j in (2, 4, 5)] == ["杂粮", 120, None]
    where = rows_by_key(population, "指标")
    assert [population.cell(where["贫困人口"], j).value for j in (2, 3)] == [None, 196]
    assert population.cell(where["长期不在村贫困户数"], 3).value == 33
    log = wb[ZH["work_log"]]
    assert [log.cell(rows_by_key(log, "工作类型")["村两委会议"], j).value for j in (2, 3, 4)] == [None, 9, "次"]

    # the instructions, generated from the codebook
    text = "\n".join(str(c.value) for r in wb["填表说明"].iter_rows() for c in r if c.value is not None)
    assert "梭罗峪村 2017年下半年 数据填报表" in text and "空白单元格表示“未知”" in text
    assert "investment_yuan" in text and "在建" in text and "in_progress" in text

    # not filled yet: a blank template, listed as unfilled (and unusable when asked for by name)
    r = run("validate", "--data-dir", data_dir, "--village", "suoluoyu", "--period", "2017H2")
    assert r.exit_code == 2 and "UNFILLED  suoluoyu 2017H2" in r.output

    fill_workbook(path)
    r = run("validate", "--data-dir", data_dir, "--village", "suoluoyu", "--period", "2017H2")
    assert r.exit_code == 0, r.output
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", data_dir, "--format", "csv")
    got = pd.read_csv(io.StringIO(r.stdout)).set_index("indicator")["value"]
    for k, v in EXPECTED.items():
        assert got[k] == pytest.approx(v, rel=1e-11), k  # the CSV has 12 significant digits


def test_filled_workbook_and_csv_folder_give_the_same_sheet(data_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(data_dir, other)
    assert run("new-period", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", data_dir).exit_code == 0
    r = run("new-period", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", other, "--as", "csv")
    assert r.exit_code == 0, r.output
    folder = other / "suoluoyu" / "2017H2"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["population.csv", "work_log.csv", "crops.csv", "projects.csv", "project_outputs.csv", "填表说明.txt"])
    assert (folder / "projects.csv").read_bytes().startswith("\ufeff项目编号,".encode())
    fill_workbook(data_dir / "suoluoyu" / "2017H2.xlsx")
    fill_csv_folder(folder)
    from_xlsx = indicator_sheet(load_period("suoluoyu", "2017H2", data_dir))
    from_csv = indicator_sheet(load_period("suoluoyu", "2017H2", other))
    pd.testing.assert_frame_equal(from_xlsx, from_csv)
    assert values(from_csv)["investment_committed_yuan"] == 3_597_200


def test_never_overwrites(data_dir):
    assert run("new-period", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", data_dir).exit_code == 0
    path = data_dir / "suoluoyu" / "2017H2.xlsx"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for how in ("xlsx", "csv"):
        r = run("new-period", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", data_dir, "--as", how)
        assert r.exit_code == 2 and "already exists" in r.output and "nothing is overwritten" in r.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert not (data_dir / "suoluoyu" / "2017H2").exists()
    r = run("new-period", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", data_dir)
    assert r.exit_code == 2 and "already exists" in r.output
    # an unknown village or source period is bad input too; nothing is left behind
    assert run("new-period", "--village", "nowhere", "--period", "2017H2", "--data-dir", data_dir).exit_code == 2
    r = run("new-period", "--village", "suoluoyu", "--period", "2018H1", "--from", "2016H2", "--data-dir", data_dir)
    assert r.exit_code == 2 and "no data for period 2016H2" in r.output
    assert sorted(p.name for p in (data_dir / "suoluoyu").iterdir()) == ["2017H1", "2017H2.xlsx", "village.yaml"]


def test_blank_template_lists_every_measure_and_activity(data_dir):
    r = run("new-period", "--village", "suoluoyu", "--period", "2016H2", "--from", "none", "--data-dir", data_dir)
    assert r.exit_code == 0 and "blank" in r.output
    wb = openpyxl.load_workbook(data_dir / "suoluoyu" / "2016H2.xlsx")
    assert ZH["households"] not in wb.sheetnames
    assert list(rows_by_key(wb[ZH["population"]], "指标")) == ["农业户数", "农业人口", "贫困户数", "贫困人口", "五保户数",
                                                       "低保户数", "长期不在村贫困户数"]
    assert len(rows_by_key(wb[ZH["work_log"]], "工作类型")) == 9 and wb[ZH["projects"]].max_row == 1


@pytest.mark.parametrize("how", ["xlsx", "csv"])
def test_register_carried_with_personal_data_only_in_its_sheet(data_dir, how):
    r = run("new-period", "--village", "demo", "--period", "2019H1", "--data-dir", data_dir, "--as", how)
    assert r.exit_code == 0, r.output
    source = pd.read_csv(DATA / "demo" / "2018H2" / "households.csv", dtype=str)
    if how == "xlsx":
        wb = openpyxl.load_workbook(data_dir / "demo" / "2019H1.xlsx")
        assert wb.sheetnames == ["填表说明", ZH["population"], ZH["households"]]
        sheets = {IDS[ws.title]: pd.DataFrame(list(ws.values)[1:], columns=list(ws.values)[0]) for ws in wb.worksheets[1:]}
    else:
        folder = data_dir / "demo" / "2019H1"
        sheets = {p.stem: pd.read_csv(p, dtype=object, encoding="utf-8-sig") for p in folder.glob("*.csv")}
    hh = sheets["households"]
    assert len(hh) == 150 and list(hh["户编号"].astype(str)) == list(source["household_id"])
    assert list(hh["户主姓名"]) == list(source["head_name"])  # as in the source, inside the register sheet
    assert hh["人均纯收入(元)"].isna().all()  # income is collected anew
    assert [float(v) for v in hh["上期人均纯收入(元)(参考)"]] == [float(v) for v in source["income_per_capita_yuan"]]
    assert list(hh["贫困户属性"][:4]) == ["非贫困户", "非贫困户", "非贫困户", "一般贫困户"]
    names = set(source["head_name"]) | set(source["id_number"])
    others = [str(v) for name, f in sheets.items() if name != "households" for v in f.to_numpy().ravel()]
    assert not names & set(others)


def test_text_that_looks_like_a_formula_stays_text(data_dir):
    path = data_dir / "suoluoyu" / "2017H1" / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("百头肉牛养殖场", '"=HYPERLINK(""http://x.example"",""点击"")"'),
                    encoding="utf-8")
    assert run("new-period", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", data_dir).exit_code == 0
    ws = openpyxl.load_workbook(data_dir / "suoluoyu" / "2017H2.xlsx")[ZH["projects"]]
    cell = ws.cell(rows_by_key(ws, "项目编号")["cattle_farm"], 2)
    assert cell.value == '=HYPERLINK("http://x.example","点击")' and cell.data_type == "s" and cell.quotePrefix


def test_loader_skips_reference_columns(tmp_path):
    from village_stats import schema
    from village_stats.parse import read_table
    from village_stats.readers import read_csv_raw

    path = tmp_path / "population.csv"
    path.write_text("指标,数值,上期数值（参考）\n农业户数,180,not a number\n", encoding="utf-8")
    frame = read_table(read_csv_raw(path), schema.POPULATION, path)
    assert list(frame.columns) == ["measure", "value", "note"] and frame["value"].tolist() == [180]


def test_new_village(data_dir):
    args = ["new-village", "--data-dir", data_dir, "--id", "xinzhuang", "--name-zh", "新庄村", "--region", "中部"]
    r = run(*args)
    assert r.exit_code == 0 and "still to fill in: name_en, township_zh" in r.output
    text = (data_dir / "xinzhuang" / "village.yaml").read_text(encoding="utf-8")
    assert "name_zh: 新庄村\n" in text and "region: central\n" in text and "# Chinese name, e.g. 梭罗峪村." in text
    assert run(*args).exit_code == 2  # never over an existing village.yaml
    assert (data_dir / "xinzhuang" / "village.yaml").read_text(encoding="utf-8") == text
    assert run("new-village", "--data-dir", data_dir, "--id", "x2", "--region", "北部").exit_code == 2
    assert run("new-village", "--data-dir", data_dir, "--id", "../x").exit_code == 2
    full = ["--id", "nanzhuang", "--name-zh", "南庄村", "--name-en", "Nanzhuang", "--township-zh", "赵壁乡",
            "--county-zh", "昔阳县", "--city-zh", "晋中市", "--province-zh", "山西省", "--region", "central",
            "--supported-by-zh", "某局", "--note", "a: colon, and # hash"]
    r = run("new-village", "--data-dir", data_dir, *full)
    assert r.exit_code == 0 and "still to fill" not in r.output
    v = read_village(data_dir, "nanzhuang")
    assert (v.name_zh, v.region, v.exit_threshold, v.note) == ("南庄村", "central", 0.02, "a: colon, and # hash")


def test_next_period_carries_over_from_a_filled_workbook(data_dir):
    assert run("new-period", "--village", "suoluoyu", "--period", "2017H2", "--data-dir", data_dir).exit_code == 0
    fill_workbook(data_dir / "suoluoyu" / "2017H2.xlsx")
    r = run("new-period", "--village", "suoluoyu", "--period", "2018H1", "--data-dir", data_dir)
    assert r.exit_code == 0 and "carried over from 2017H2" in r.output
    wb = openpyxl.load_workbook(data_dir / "suoluoyu" / "2018H1.xlsx")
    population = wb[ZH["population"]]
    where = rows_by_key(population, "指标")
    assert [population.cell(where["贫困人口"], j).value for j in (2, 3)] == [None, 131]
    projects = wb[ZH["projects"]]
    row = rows_by_key(projects, "项目编号")["road_widening"]
    assert [projects.cell(row, j).value for j in (5, 6)] == ["在建", 500000]
    crops = wb[ZH["crops"]]
    assert crops.cell(rows_by_key(crops, "作物类别")["other_non_maize"], 5).value == 150
    log = wb[ZH["work_log"]]
    assert log.cell(rows_by_key(log, "工作类型")["入户走访"], 3).value == 90


def test_a_failed_write_leaves_nothing_behind(data_dir, monkeypatch):
    from village_stats import workbook

    def broken(sheets, path, title):
        path.write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(workbook, "write_period_workbook", broken)
    before = sorted(p.name for p in (data_dir / "suoluoyu").iterdir())
    with pytest.raises(OSError):
        workbook.new_period(data_dir, "suoluoyu", "2017H2")
    assert sorted(p.name for p in (data_dir / "suoluoyu").iterdir()) == before


@pytest.mark.parametrize("how", ["xlsx", "csv"])
def test_2026_tables_carried_with_drop_downs_and_members_personal_data_only_in_their_sheet(data_dir, how):
    """new-period after the demo's 2026H2: members (names and numbers as in the source, work in the year left
    empty), the measures still running, drop-downs for the new vocabularies."""
    r = run("new-period", "--village", "demo", "--period", "2027H1", "--data-dir", data_dir, "--as", how)
    assert r.exit_code == 0, r.output
    source = pd.read_csv(DATA / "demo" / "2026H2" / "members.csv", dtype=str, keep_default_na=False)
    measures = pd.read_csv(DATA / "demo" / "2026H2" / "help_measures.csv", dtype=str, keep_default_na=False)
    if how == "xlsx":
        wb = openpyxl.load_workbook(data_dir / "demo" / "2027H1.xlsx")
        assert wb.sheetnames[-2:] == ["家庭成员", "帮扶措施"]  # sheets named in Chinese (read by either name)
        ws = wb["家庭成员"]
        lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
        assert any("户主" in (f or "") for f in lists) and any("未务工" in (f or "") for f in lists)
        table_of = {t.zh: t.name for t in schema.TABLES.values()}
        sheets = {table_of.get(w.title, w.title): pd.DataFrame(list(w.values)[1:], columns=list(w.values)[0])
                  for w in wb.worksheets[1:]}
    else:
        folder = data_dir / "demo" / "2027H1"
        sheets = {p.stem: pd.read_csv(p, dtype=object, encoding="utf-8-sig") for p in folder.glob("*.csv")}
    m = sheets["members"]
    assert len(m) == len(source) and list(m["姓名"]) == list(source["name"])
    assert m["务工时间(月)"].isna().all() and m["务工区域"].isna().all()
    assert len(sheets["help_measures"]) == (measures["ended_on"] == "").sum()
    secrets = set(source["name"]) | set(source["id_number"])
    others = [str(v) for name, f in sheets.items() if name not in ("members", "households") for v in f.to_numpy().ravel()]
    assert not secrets & set(others)
