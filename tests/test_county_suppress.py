"""The county report for publishing (``run --report county --suppress-below N``): every cell the protected
roll-up hides at village, township and county level prints as the suppressed mark, no head count below N
appears in a table, the summary states no hidden figure; the request and the manifest carry the threshold.

One report run (HTML only) on the example county; the reference of what is hidden is
:func:`village_stats.panel.rollup.rollup_levels` at the same threshold.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.document import build_document, number_text, table_view
from village_stats.errors import DataError
from village_stats.labels import t
from village_stats.load import Source
from village_stats.panel.county import load_county
from village_stats.panel.rollup import rollup_levels
from village_stats.request import Request

from .conftest import ROOT, tree_digest

COUNTY = ROOT / "examples" / "demo_county"
PERIOD, N = "2018H2", 10
MARK = t("suppressed", "zh")
HEAD_COUNTS = {"persons", "households"}

#: Villages table header → indicator (the report's columns, labels.py's zh wording).
VILLAGE_COLUMNS = {"贫困发生率": "poverty_incidence", "贫困人口(人)": "poor_population", "尚需脱贫(人)": "poverty_reduction_needed",
                   "已投入(元)": "investment_committed_yuan", "人均投入(元)": "investment_committed_per_poor_person_yuan",
                   "对接率": "contact_rate", "FGT0": "fgt0", "FGT1": "fgt1", "多维H": "mpi_h"}


def test_request_carries_the_threshold_for_the_county_report_only():
    r = Request.build("county", data_dir=COUNTY, period=PERIOD, suppress_below="10")
    assert r.suppress_below == 10 and r.parameters()["suppress_below"] == "10"
    assert Request.from_parameters("county", **r.parameters()).suppress_below == 10  # a notebook resolves the same
    plain = Request.build("county", data_dir=COUNTY, period=PERIOD, suppress_below="")
    assert plain.suppress_below is None and "suppress_below" not in plain.parameters()  # unchanged without it
    for bad in ("0", "x", "-3"):
        with pytest.raises(DataError, match="--suppress-below"):
            Request.build("county", data_dir=COUNTY, period=PERIOD, suppress_below=bad)
    res = CliRunner().invoke(main, ["run", "--report", "period", "--village", "suoluoyu", "--period", "2017H1",
                                    "--data-dir", str(ROOT / "examples" / "demo"), "--suppress-below", "5"])
    assert res.exit_code == 2 and "--suppress-below" in res.output and len(res.output.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def hidden():
    """(level, group, indicator) → value of every row the protected roll-up hides (values from the plain one)."""
    county = load_county(Source(COUNTY), PERIOD)
    plain, protected = rollup_levels(county), rollup_levels(county, suppress_below=N)
    assert (plain["indicator"].to_numpy() == protected["indicator"].to_numpy()).all()
    rows = protected["suppressed"].to_numpy()
    return {(lvl, g, i): v for lvl, g, i, v in zip(plain.loc[rows, "group_level"], plain.loc[rows, "group_id"],
                                                   plain.loc[rows, "indicator"], plain.loc[rows, "value"], strict=True)}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    import nbformat

    out = tmp_path_factory.mktemp("county_public")
    before = tree_digest(COUNTY)
    res = CliRunner().invoke(main, ["run", "--report", "county", "--period", PERIOD, "--data-dir", str(COUNTY),
                                    "--output-dir", str(out), "--formats", "ipynb,html", "--suppress-below", str(N)])
    assert res.exit_code == 0, res.output
    assert tree_digest(COUNTY) == before
    folder = out / "county" / PERIOD
    doc = build_document(nbformat.read(folder / "report.ipynb", as_version=4), lang="zh", header="")
    html = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>|<img[^>]*>", "",
                                          (folder / "report.html").read_text(encoding="utf-8"), flags=re.S))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables = {b["caption"]: b for b in doc["blocks"] if b["type"] == "table" and b.get("caption")}
    return tables, html, manifest


def _table(tables: dict, caption_part: str) -> tuple[list[str], list[dict]]:
    """A table's printed rows as dicts header → text (table_view), found by part of its caption."""
    [block] = [b for c, b in tables.items() if caption_part in c]
    view = table_view(block)
    names = [c["name"] for c in view["columns"]]
    return names, [dict(zip(names, r, strict=True)) for r in view["rows"]]


def test_manifest_records_the_threshold(report):
    assert report[2]["parameters"]["suppress_below"] == str(N)


def test_villages_table_hides_what_the_rollup_hides(report, hidden):
    names = {Source(COUNTY).village(v).name_zh: v for v in _village_ids()}
    _, rows = _table(report[0], "各村主要指标")
    checked = 0
    for row in rows:
        v = names[row["村"]]
        for header, ind in VILLAGE_COLUMNS.items():
            if ("village", v, ind) in hidden:
                assert row[header] == MARK, (v, ind, row[header])
                checked += 1
            else:
                assert row[header] != MARK, (v, ind)
        if ("village", v, "poverty_reduction_needed") in hidden:  # whether it is 0 would show
            assert row["可退出"] == MARK
    assert checked >= 5  # the example county at N = 10 hides some of these cells


def test_key_figures_and_townships_hide_what_the_rollup_hides(report, hidden):
    from village_stats.indicators import label

    _, key = _table(report[0], "全县主要指标")
    shown = {r["指标"]: r["数值"] for r in key}
    county_hidden = {i for lvl, _, i in hidden if lvl == "county"}
    for ind in ("population_total", "poor_population", "poverty_incidence", "poverty_reduction_needed",
                "investment_committed_per_poor_person_yuan", "fgt0", "mpi_h"):
        assert (shown[label(ind, "zh")] == MARK) == (ind in county_hidden), ind
    assert county_hidden & {"poor_population", "poverty_incidence"}  # the example hides some key figures
    _, towns = _table(report[0], "各乡镇退出进度")
    town_hidden = 0
    for row in towns:
        for header, ind in (("贫困发生率", "poverty_incidence"), (label("poverty_reduction_needed", "zh"),
                                                                "poverty_reduction_needed")):
            assert (row[header] == MARK) == (("township", row["乡镇"], ind) in hidden), (row["乡镇"], ind)
            town_hidden += row[header] == MARK
    assert town_hidden  # some township figure is hidden at N = 10


def test_summary_states_no_hidden_figure(report, hidden):
    html = report[1]
    summary = html[html.index("本期共"):html.index("。", html.index("已投入项目资金")) + 1]
    county = {(i, v) for (lvl, _, i), v in hidden.items() if lvl == "county"}
    assert county
    from village_stats.indicators import CATALOGUE

    for ind, value in county:
        assert number_text(value, CATALOGUE[ind].unit, "zh") not in summary, ind
    assert summary.count(MARK) >= 2


def test_changes_hide_this_periods_hidden_values(report, hidden):
    names = {Source(COUNTY).village(v).name_zh: v for v in _village_ids()}
    _, rows = _table(report[0], "相比")
    assert rows
    for row in rows:
        v = names[row["村"]]
        for header, change, ind in (("贫困发生率", "变化(百分点)", "poverty_incidence"),
                                    ("贫困人口(人)", "变化(人)", "poor_population")):
            if ("village", v, ind) in hidden:
                assert row[header] == MARK and row[change] == MARK


def test_no_head_count_below_the_threshold_in_any_table(report):
    found = []
    for caption, block in report[0].items():
        for j, col in enumerate(block["columns"]):
            if col.get("signed") or col["name"] == t("county_difference", "zh"):
                continue  # a change or a register's difference counts nobody (docs/disclosure.md)
            units = col.get("units") or [col.get("unit")] * len(block["rows"])
            for row, unit in zip(block["rows"], units, strict=True):
                x = row[j]
                if unit in HEAD_COUNTS and isinstance(x, (int, float)) and not math.isnan(x) and 0 < x < N:
                    found.append((caption, col["name"], x))
    assert not found
    assert any(MARK in r for b in report[0].values() for row in b["rows"] for r in row if isinstance(r, str))


def _village_ids() -> list[str]:
    return sorted(p.name for p in COUNTY.iterdir() if (p / "village.yaml").is_file())
