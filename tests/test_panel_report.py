"""The change section and the trends report: display calls recorded, and one real run of the trends notebook."""

from __future__ import annotations

import pandas as pd
import pytest

from village_stats.display import change, views
from village_stats.display.tables import table_block
from village_stats.document import table_view
from village_stats.errors import DataError
from village_stats.evaluate import evaluate
from village_stats.labels import t
from village_stats.load import Source
from village_stats.panel.trend import load_panel, long_sheet

from .conftest import DATA, tree_digest


@pytest.fixture()
def shown(monkeypatch):
    """Record what the section shows instead of displaying it."""
    calls = []
    for name in ("show_heading", "show_subheading", "show_text", "show_table", "show_figure"):
        monkeypatch.setattr(views, name, lambda *a, _n=name, **k: calls.append((_n, a, k)))
    return calls


def printed(frame: pd.DataFrame, lang: str = "zh") -> list[list[str]]:
    """The rows of a table as the report prints them (its typed block through the document's formatting)."""
    return table_view(table_block(frame), lang)["rows"]


def period_results(code: str):
    """The demo period's results and those of the earlier periods of its kind, as a report has them."""
    source = Source(DATA)
    data = source.period("demo", code)
    return evaluate(data), [evaluate(d) for d in source.earlier(data)]


def test_change_section_of_the_demo_2018h1(shown):
    change.show_change_section(*period_results("2018H1"), "zh", exit_target="2019H2")
    kinds = [c[0] for c in shown]
    assert kinds[:5] == ["show_heading", "show_subheading", "show_table", "show_figure", "show_text"]
    assert shown[0][1] == ("sec_change", "zh")
    table = printed(shown[2][1][0])
    assert [r[0] for r in table] == ["期初", "新识别", "返贫", "不一致转入", "脱贫", "清退或迁出", "不一致转出",
                                     "户内人口增减", "期末"]
    assert [r[1] for r in table] == ["37 户", "0 户", "0 户", "+1 户", "−6 户", "0 户", "−1 户", "—", "31 户"]
    texts = [c[1][0] for c in shown if c[0] == "show_text"]
    # the register's 97 poor persons against population.csv's 99 (the demo's deliberate mismatch): said, not hidden
    assert "97 人" in texts[0] and "99 人" in texts[0] and "两者不一致" in texts[0]
    assert "0000094（未脱贫 → 返贫）" in texts[1]
    # pace: incidence 31.9% (2017H1) -> 21.8% (2018H1) over 2 half-years; threshold 2% by 2019H2, 3 half-years left
    so_far = (99 / 455 - 145 / 455) / 2 * 100
    needed = (0.02 - 99 / 455) / 3 * 100
    assert f"{so_far:+.1f}" in texts[-1] and f"{needed:+.1f}" in texts[-1] and "不能按期达到" in texts[-1]
    assert kinds.count("show_figure") == 2


def test_change_section_without_an_earlier_period(shown):
    change.show_change_section(*period_results("2017H1"), "en")
    assert shown[1] == ("show_text", (t("no_previous", "en"),), {})
    assert [c[0] for c in shown] == ["show_heading", "show_text", "show_subheading", "show_figure"]


def test_change_column():
    long = long_sheet([evaluate(d).sheet for d in load_panel(Source(DATA), "demo")])
    table = change.change_table(long, "2018H2", ["poor_households", "poverty_incidence"], "zh")
    assert list(table.columns)[-1] == "比上期"
    # 31 -> 26 poor households; incidence 99/455 -> 77/455 = -4.835 percentage points
    assert [r[-1] for r in printed(table)] == ["-5 户", f"{(77 - 99) / 455 * 100:.1f} 个百分点"]
    first = change.change_table(long, "2017H1", ["poor_households"], "en")
    assert [r[-1] for r in printed(first, "en")] == ["—"]


def test_change_and_trend_tables_carry_numbers_with_unit_ids():
    """比上期 and the trends table hold the changes as numbers in their change units (signed), not text; the
    trends table joins each change to its value in print: ``37 户（-9 户）``."""
    long = long_sheet([evaluate(d).sheet for d in load_panel(Source(DATA), "demo")])
    block = table_block(change.change_table(long, "2018H2", ["poor_households", "poverty_incidence"], "zh"))
    column = block["columns"][-1]
    assert column["units"] == ["households", "percentage_points"] and column["signed"]
    assert [r[-1] for r in block["rows"]] == [-5, pytest.approx((77 - 99) / 455 * 100)]
    trends = table_block(change.trend_table(long, ["poor_households", "poverty_incidence"], "zh"))
    names = [c["name"] for c in trends["columns"]]
    assert names[:5] == ["指标", "2017年上半年", "2017年上半年（比上期）", "2017年下半年", "2017年下半年（比上期）"]
    assert trends["rows"][0][3:5] == [37, -9] and trends["columns"][4]["join"] == "（{}）"
    assert table_view(trends)["rows"][0][:3] == ["贫困户数", "46 户", "37 户（-9 户）"]
    assert table_view(trends, "zh")["rows"][1][2] == "24.8%（-7.0 个百分点）"


@pytest.mark.notebook
def test_trends_report_run_writes_its_outputs(tmp_path):
    from pypdf import PdfReader

    from village_stats.request import Request
    from village_stats.run import run

    before = tree_digest(DATA / "demo")
    with pytest.raises(DataError, match="no period with data"):
        run(Request.build("trends", village="demo", from_period="2027H1", data_dir=DATA), output_dir=tmp_path)
    assert not any(tmp_path.iterdir())                       # bad input: nothing written, no kernel started
    result = run(Request.build("trends", village="demo", to_period="2018H2", data_dir=DATA), output_dir=tmp_path,
                 formats=("ipynb", "pdf", "csv"))
    folder = tmp_path / "demo" / "trends"
    assert result.folder == folder
    assert sorted(p.name for p in folder.iterdir()) == ["indicators.csv", "manifest.json", "report.ipynb",
                                                        "report.pdf"]
    text = "".join(page.extract_text() for page in PdfReader(folder / "report.pdf").pages)
    for phrase in ("示例村贫困变化趋势（2017年上半年至2018年下半年）", "变化与趋势", "各期指标及比上期变化",
                   "贫困存量与流量：2017年下半年 → 2018年上半年", "0000094（未脱贫 → 返贫）", "第 1 页"):
        assert phrase in text, phrase
    got = pd.read_csv(folder / "indicators.csv", encoding="utf-8-sig", dtype={"period": str,
                                                                               "previous_period": str})
    rows = got.set_index(["period", "indicator"])
    assert rows.loc[("2018H2", "register_poor_households"), "value"] == 26
    assert rows.loc[("2018H2", "register_poor_households"), "change"] == -5
    assert result.manifest["parameters"]["from_period"] == "2017H1"
    assert result.manifest["parameters"]["to_period"] == "2018H2"
    assert tree_digest(DATA / "demo") == before


def test_waterfall_bars_close_on_the_end():
    terms = pd.Series({"poor_households_start": 7.0, "poor_households_new": 2.0, "poor_households_returned": 1.0,
                       "poor_households_inconsistent_in": 4.0, "poor_households_exited": 2.0,
                       "poor_households_removed": 2.0, "poor_households_inconsistent_out": 1.0,
                       "poor_households_end": 9.0})
    fig = change.waterfall_chart(terms, "2017H1", "2017H2", "en")
    ax = fig.axes[0]
    bars = [(round(p.get_y(), 6), round(p.get_height(), 6)) for p in ax.patches]
    # 7 | +2 (7..9) | +1 (9..10) | +4 (10..14) | -2 (12..14) | -2 (10..12) | -1 (9..10) | 9
    assert bars == [(0, 7), (7, 2), (9, 1), (10, 4), (12, 2), (10, 2), (9, 1), (0, 9)]
    shown = [x.get_text().replace("\n", " ") for x in ax.get_xticklabels()]  # long labels wrap on two lines
    assert shown == ["Start", "New", "Returned", "Inconsistent in", "Exited", "Removed or gone", "Inconsistent out",
                     "End"]


@pytest.mark.notebook
def test_period_report_compares_with_the_previous_period(tmp_path):
    """The demo's 2018H2 period report: 比上期 in the key figures and tables, the waterfall and the trend chart."""
    import csv

    from pypdf import PdfReader

    from village_stats.run import run_report

    def population(period):
        with open(DATA / "demo" / period / "population.csv", encoding="utf-8") as f:
            return {r["measure"]: float(r["value"]) for r in csv.DictReader(f)}

    now, before = population("2018H2"), population("2018H1")
    points = 100 * (now["poor_population"] / now["population_total"]
                    - before["poor_population"] / before["population_total"])
    result = run_report("demo", "2018H2", data_dir=DATA, output_dir=tmp_path, formats=("pdf",))
    text = "".join(page.extract_text() for page in PdfReader(result.files["pdf"]).pages)
    page1 = PdfReader(result.files["pdf"]).pages[0].extract_text()
    households_change = now["poor_households"] - before["poor_households"]
    assert points < 0 and households_change < 0  # the demo's poor shrink every half-year
    assert f"比上期 {points:.1f} 个百分点" in page1 and f"比上期 {households_change:.0f} 户" in page1
    assert "指标 数值 计算依据 比上期" in text  # the basic table has the column
    assert "变化与趋势" in text and "贫困存量与流量：2018年上半年 → 2018年下半年" in text
    assert "贫困户变化（2018年上半年 → 2018年下半年）" in text   # the waterfall's caption
    assert "贫困发生率趋势与退出标准" in text                        # the trend chart's caption
