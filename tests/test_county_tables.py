"""The county report's tables as typed blocks: numbers with their unit ids, printed as the report prints them."""

from __future__ import annotations

import pytest

from village_stats.display import county as sections
from village_stats.display.tables import table_block
from village_stats.document import table_view
from village_stats.load import Source
from village_stats.panel.county import load_county
from village_stats.panel.rollup import change_since, exit_readiness, register_disagreements, rollup, village_overview

from .conftest import ROOT

COUNTY = ROOT / "examples" / "demo_county"


@pytest.fixture(scope="module")
def county():
    c = load_county(Source(COUNTY), "2018H2")
    return c, rollup(c, "village"), village_overview(rollup(c, "village"), c)


def by_name(block: dict) -> dict[str, dict]:
    return {c["name"]: c for c in block["columns"]}


def test_villages_table_carries_numbers_with_unit_ids(county):
    """Not strings: the incidence is a ratio, the poor a count of persons, the money in yuan; the names stay
    whole (nowrap) and the report prints what it printed before."""
    _, _, overview = county
    block = table_block(sections.villages_table(overview, "zh"))
    columns = by_name(block)
    assert {k: columns[k].get("unit") for k in ("贫困发生率", "贫困人口(人)", "已投入(元)", "人均投入(元)", "FGT1")} == {
        "贫困发生率": "ratio", "贫困人口(人)": "persons", "已投入(元)": "yuan", "人均投入(元)": "yuan_per_person",
        "FGT1": "index"}
    first = dict(zip(columns, block["rows"][0]))
    assert first["村"] == "白土村" and first["贫困人口(人)"] == 72 and first["已投入(元)"] == 2_610_000
    assert isinstance(first["贫困发生率"], float) and first["可退出"] == "否"
    assert table_view(block)["rows"][0] == ["白土村", "南山乡", "26.9%", "72", "67", "否", "2,610,000", "36,250",
                                            "85.2%", "20.9%", "0.0503", "14.9%"]
    assert columns["村"]["nowrap"] and columns["乡镇"]["nowrap"]
    # and the printed view keeps the mark, which the HTML and Typst templates read
    assert [c.get("nowrap", False) for c in table_view(block)["columns"][:3]] == [True, True, False]


def test_county_tables_print_as_before(county):
    c, village_sheet, overview = county
    exit_block = table_block(sections.exit_table(exit_readiness(overview, rollup(c, "township")), "zh"))
    assert exit_block["rows"][0][1:] == [8, 2, 0.25, pytest.approx(0.05, abs=0.005), 160]
    assert table_view(exit_block)["rows"][0] == ["东岭乡", "8", "2", "25.0%", "5.0%", "160 人"]
    disagreements = table_block(sections.disagreements_table(register_disagreements(village_sheet), c, "zh"))
    assert disagreements["columns"][2]["units"] == ["persons"] and disagreements["rows"][0][2] == -5
    assert table_view(disagreements)["rows"] == [["桃园村", "贫困人口", "-5 人"]]
    key = table_block(sections.key_figures_table(rollup(c, "county"), c, "en"))
    assert key["rows"][0][1:] == [23, 24] and key["columns"][2]["join"] == " / {}"
    assert [r[1] for r in table_view(key, "en")["rows"][:4]] == ["23 / 24", "1", "4,318 households", "12,718 persons"]
    changes = change_since(village_sheet, rollup(load_county(Source(COUNTY), "2018H1"), "village"))
    block = table_block(sections.changes_table(changes.loc[["baitu"]], c, "zh"))
    assert [col.get("signed", False) for col in block["columns"]] == [False] * 3 + [True] + [False] * 2 + [True]
    assert table_view(block)["rows"] == [["白土村", "31.3%", "26.9%", "-4.5", "84", "72", "-12"]]
