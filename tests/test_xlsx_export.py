"""indicators.xlsx, opened with openpyxl as the bureau would open it in Excel."""

import shutil

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.evaluate import evaluate, indicator_sheet
from village_stats.export.xlsx import write_period_workbook, write_workbook
from village_stats.load import load_period

from .conftest import DATA, with_policy


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def write_xlsx(data, path, lang="zh"):
    """The workbook ``village-stats indicators --format xlsx`` writes, by the same function."""
    return write_period_workbook(path, evaluate(data), lang)


@pytest.fixture(scope="module")
def suoluoyu_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "indicators.xlsx"
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", DATA, "--format", "xlsx",
            "--output", path)
    assert r.exit_code == 0, r.output
    return openpyxl.load_workbook(path)


def table(ws) -> pd.DataFrame:
    rows = list(ws.values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_summary_sheet(suoluoyu_book):
    wb = suoluoyu_book
    assert wb.sheetnames == ["汇总", "项目", "项目产出", "种植结构调整", "帮扶工作记录"]
    ws = wb["汇总"]
    assert [c.value for c in ws[1]] == ["指标", "数值", "单位", "万元", "计算依据：分子", "计算依据：分母", "指标编号"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    incidence = rows["贫困发生率"]
    value = ws.cell(incidence, 2)
    assert round(value.value, 5) == 0.47805 and value.number_format == "0.0%"  # 196 / 410
    assert [ws.cell(incidence, j).value for j in (5, 6, 7)] == [196, 410, "poverty_incidence"]
    committed = rows["已投入（在建及完工）项目投资"]
    assert ws.cell(committed, 2).value == 3_097_200 and ws.cell(committed, 2).number_format == "#,##0.00"
    assert ws.cell(committed, 3).value == "元"
    assert ws.cell(committed, 4).value == pytest.approx(309.72) and ws.cell(committed, 4).number_format == "#,##0.00"
    assert ws.cell(rows["农业人口"], 2).number_format == "#,##0" and ws.cell(rows["农业人口"], 4).value is None
    assert ws.cell(rows["计划新增种植面积"], 2).value == 390
    assert ws.cell(rows["已完成新增种植面积"], 2).value is None  # unknown stays empty, never 0
    # print set-up, frozen header, filter
    assert ws.freeze_panes == "A2"
    assert ws.print_area == f"'汇总'!$A$1:$G${ws.max_row}"
    assert ws.auto_filter.ref == f"A1:G{ws.max_row}"
    assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddHeader.center.text == "梭罗峪村 · 2017年上半年"
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"


def test_report_tables(suoluoyu_book):
    wb = suoluoyu_book
    projects = table(wb["项目"]).set_index("项目编号")
    assert projects.loc["cattle_farm", "项目"] == "百头肉牛养殖场" and projects.loc["cattle_farm", "状态"] == "在建"
    assert projects.loc["cattle_farm", "投资（元）"] == 600000 and projects.loc["cattle_farm", "万元"] == 60
    assert wb["项目"].cell(9, 5).value is None and projects.index[7] == "road_widening"  # unknown: an empty cell
    assert projects.loc["broadcast_speakers", "万元"] == pytest.approx(2.72)
    assert sum(v for v, s in zip(projects["投资（元）"], projects["状态"]) if v and s != "计划") == 3_097_200
    crops = table(wb["种植结构调整"])
    assert list(crops["作物类别"]) == ["杂粮", "中药材", "其它非玉米作物", "合计"]
    assert list(crops["计划新增（亩）"]) == [120, 70, 200, 390]
    log = table(wb["帮扶工作记录"])
    assert log.loc[0, "工作类型"] == "入户对接" and log.loc[0, "数量"] == 53
    assert str(log.loc[0, "结束日期"])[:10] == "2017-03-31"  # a real date cell
    outputs = table(wb["项目产出"])
    assert len(outputs) == 15 and (outputs["数量"] == 56000).any()
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.print_area and ws.auto_filter.ref


def test_english(tmp_path):
    data = load_period("suoluoyu", "2017H1", DATA)
    wb = openpyxl.load_workbook(write_xlsx(data, tmp_path / "en.xlsx", lang="en"))
    assert wb.sheetnames == ["Summary", "Projects", "Project outputs", "Crops", "Work log"]
    ws = wb["Summary"]
    assert ws["A1"].value == "Indicator" and "Poverty incidence" in [c.value for c in ws["A"]]
    assert ws.oddHeader.center.text == "Suoluoyu · 2017 H1" and ws.oddFooter.center.text == "Page &P of &N"


def test_register_sheets_name_households_by_id_only(tmp_path):
    data = load_period("demo", "2018H1", DATA)
    sheet = indicator_sheet(data)
    wb = openpyxl.load_workbook(write_xlsx(data, tmp_path / "demo.xlsx"))
    assert wb.sheetnames == ["汇总", "建档立卡指标", "登记册核对", "整改清单", "脱贫核查"]
    findings = table(wb["整改清单"])
    assert list(findings.columns) == ["户编号", "核查规则", "规则编号"]
    audit_count = sheet.set_index("indicator").loc["audit_findings", "value"]
    assert len(findings) == audit_count > 0
    # the deliberate mismatch of the demo data: 2018H1 poor_population reported 2 higher than the register
    recon = table(wb["登记册核对"]).set_index("项目")
    assert recon.loc["贫困人口", "上报"] - recon.loc["贫困人口", "登记册"] == 2
    assert recon.loc["贫困人口", "差异"] == -2
    source = pd.read_csv(DATA / "demo" / "2018H1" / "households.csv", dtype=str)
    secret = set(source["head_name"]) | set(source["id_number"])
    cells = {str(c.value) for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None}
    assert not secret & cells
    assert set(table(wb["脱贫核查"])["户编号"]) <= set(source["household_id"])


def test_planted_formula_is_text(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA / "suoluoyu", root / "suoluoyu")
    with_policy(root)
    path = root / "suoluoyu" / "2017H1" / "projects.csv"
    planted = '=HYPERLINK("http://x.example","点击")'
    path.write_text(path.read_text(encoding="utf-8").replace("百头肉牛养殖场", '"' + planted.replace('"', '""') + '"'),
                    encoding="utf-8")
    data = load_period("suoluoyu", "2017H1", root)
    ws = openpyxl.load_workbook(write_xlsx(data, tmp_path / "x.xlsx"))["项目"]
    cell = next(c for c in ws["B"] if c.value == planted)
    assert cell.data_type == "s" and cell.quotePrefix
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)


def test_tables_in_the_same_style_for_roll_ups(tmp_path, sheet):
    from village_stats.export.xlsx import write_tables

    demo = indicator_sheet(load_period("demo", "2018H2", DATA))
    stacked = pd.concat([sheet, demo], ignore_index=True)
    shares = pd.DataFrame({"village_id": ["suoluoyu", "demo"], "poor_households": [86.0, 26.0],
                           "poor_household_share": [86 / 176, 26 / 150], "investment_yuan": [3097200.0, 0.5]})
    path = write_tables(tmp_path / "county.xlsx", {"村": stacked, "占比": shares}, "昔阳县 · 2017年上半年",
                        formats={"poor_household_share": "ratio"})
    wb = openpyxl.load_workbook(path)
    ws = wb["村"]
    assert [c.value for c in ws[1]][:3] == ["村", "期间", "指标"]
    first_demo = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "demo")
    assert first_demo[1].value == "2018H2" and first_demo[2].value == "农业户数" and first_demo[3].value == 150
    ws = wb["占比"]
    assert [c.number_format for c in ws[2]] == ["General", "#,##0", "0.0%", "#,##0.00"]
    assert ws["C3"].value == pytest.approx(26 / 150)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.oddHeader.center.text == "昔阳县 · 2017年上半年"


@pytest.mark.notebook
def test_run_workbook_reads_the_document_not_the_data(tmp_path, monkeypatch):
    """The run's workbook is written from the executed notebook alone: no PeriodData, and every measure that
    could compute it again raises. The register sheets still hold what demo 2018H1's files say."""
    import nbformat

    from village_stats import load
    from village_stats.checks import engine as checks_engine
    from village_stats.export import FORMATS, ExecutedReport
    from village_stats.measures import register
    from village_stats.run import run_report

    run = run_report("demo", "2018H1", data_dir=DATA, output_dir=tmp_path / "out", formats=("ipynb",))
    nb = nbformat.read(run.files["ipynb"], as_version=4)

    def forbidden(*args, **kwargs):
        raise AssertionError("the workbook computed a figure again")

    for name in ("reconcile", "exit_eligible", "exited_failing_criteria"):
        monkeypatch.setattr(register, name, forbidden)
    monkeypatch.setattr(checks_engine, "run_frames", forbidden)     # the audit is the checks' findings
    monkeypatch.setattr(load, "load_period", forbidden)
    path = tmp_path / "indicators.xlsx"
    FORMATS["xlsx"].write(ExecutedReport(nb, lang="zh", title="示例村 · 2018年上半年"), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "建档立卡指标", "登记册核对", "整改清单", "脱贫核查"]

    # worked from the files: households.csv and the 2018 poverty line of data/policy/poverty_lines.csv
    hh = pd.read_csv(DATA / "demo" / "2018H1" / "households.csv", dtype={"household_id": str})
    line = 2995.0
    assert "2995" in (DATA / "policy" / "poverty_lines.csv").read_text(encoding="utf-8")
    secure = (hh[["food_clothing_secure", "education_secure", "medical_secure", "housing_secure",
                  "water_secure"]] == "是").all(axis=1)
    meets = (hh["income_per_capita_yuan"] > line) & secure
    eligible = set(hh.loc[(hh["status"] == "poor") & meets, "household_id"])
    failing = set(hh.loc[(hh["status"] == "exited") & ~meets, "household_id"])
    lists = table(wb["脱贫核查"])
    assert set(lists.loc[lists["名单"] == "符合脱贫条件的贫困户", "户编号"]) == eligible and len(eligible) == 5
    assert set(lists.loc[lists["名单"] != "符合脱贫条件的贫困户", "户编号"]) == failing and len(failing) == 6
    findings = set(map(tuple, table(wb["整改清单"])[["户编号", "规则编号"]].to_numpy()))
    assert {(h, "exited_failing_criteria") for h in failing} <= findings
    nonpositive = hh.loc[hh["income_per_capita_yuan"] <= 0, "household_id"]
    assert {(h, "income_nonpositive") for h in nonpositive} <= findings and len(nonpositive) == 1
    no_year = hh.loc[(hh["status"] == "exited") & hh["exit_year"].isna(), "household_id"]
    assert {(h, "exited_without_year") for h in no_year} == {("0000004", "exited_without_year")}
    recon = table(wb["登记册核对"]).set_index("项目")
    reported = pd.read_csv(DATA / "demo" / "2018H1" / "population.csv").set_index("measure")["value"]
    poor_persons = hh.loc[hh["status"].isin(["poor", "returned"]), "members"].sum()
    assert recon.loc["贫困人口", "上报"] == reported["poor_population"]
    assert recon.loc["贫困人口", "登记册"] == poor_persons == reported["poor_population"] - 2
    assert recon.loc["贫困人口", "差异"] == -2 and wb["登记册核对"]["D5"].number_format == "+#,##0;-#,##0;0"


def test_an_empty_table_prints_a_dash_and_keeps_its_sheet(monkeypatch, tmp_path):
    """A register with no audit findings: the report prints a dash, the workbook still has 整改清单 (headers only)."""
    from village_stats.display import tables, views

    published = []
    monkeypatch.setattr(views, "_publish", lambda block, html_text, **kw: published.append(block))
    empty = pd.DataFrame({"household_id": pd.Series([], dtype=str), "rule": pd.Series([], dtype=str)})
    views.show_table(tables.audit_table(empty), "登记册核查发现")
    assert [b["type"] for b in published] == ["paragraph", "table"] and published[0]["text"] == "—"
    assert published[1]["sheet"] == "audit" and published[1]["only"] == "workbook" and published[1]["rows"] == []
    sheet = indicator_sheet(load_period("suoluoyu", "2017H1", DATA))
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "x.xlsx", sheet, published, "村 · 期"))
    assert wb.sheetnames == ["汇总", "整改清单"] and [c.value for c in wb["整改清单"][1]] == ["户编号", "核查规则", "规则编号"]


def test_a_prefix_and_a_joined_column_stay_numbers(tmp_path):
    """A threshold's comparison (``prefix``) is in the number format and the cell is the number; a column printed
    inside the cell before it (``join``: an interval's upper end) is a column of its own in the workbook."""
    from village_stats.display.tables import table_block, typed
    from village_stats.document import table_view

    frame = pd.DataFrame({"指标": ["错退率", "群众认可度"], "下限": [0.035, 0.835], "上限": [0.256, 0.986],
                          "标准": [0.02, 0.9]})
    typed(frame, units={"下限": "ratio", "上限": "ratio", "标准": "ratio"}, join={"上限": " – {}"},
          prefix={"标准": ["< ", ">= "]}, sheet="evaluation")
    block = table_block(frame)
    assert table_view(block)["rows"] == [["错退率", "3.5% – 25.6%", "< 2.0%"], ["群众认可度", "83.5% – 98.6%", ">= 90.0%"]]
    assert [c["name"] for c in table_view(block)["columns"]] == ["指标", "下限", "标准"]
    sheet = indicator_sheet(load_period("suoluoyu", "2017H1", DATA))
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "x.xlsx", sheet, [block], "村 · 期"))
    ws = wb["evaluation"]
    assert [c.value for c in ws[1]] == ["指标", "下限", "上限", "标准"]
    assert [c.value for c in ws[2]] == ["错退率", 0.035, 0.256, 0.02]
    assert ws["D2"].number_format == '"< "0.0%' and ws["D3"].number_format == '">= "0.0%'
    assert ws["C2"].number_format == "0.0%"
