"""The checks in the reports: the period report's counts by rule and severity, the county's villages ranked
by findings per 100 households (the roll-up sums the catalogue indicators), the trends' findings by period."""

from __future__ import annotations

import pandas as pd
import pytest

from village_stats import checks
from village_stats.display.checks import summary_table, village_checks_table
from village_stats.load import Source
from village_stats.panel.rollup import County, rollup

from . import fixtures_2026 as fx
from .conftest import ROOT


def _sheet(village_id, households, findings, errors):
    rows = [("register_households", households), ("check_findings", findings), ("check_errors", errors)]
    return pd.DataFrame({"group_id": village_id, "indicator": [r[0] for r in rows],
                         "value": [float(r[1]) for r in rows]})


def test_villages_ranked_by_findings_per_100_households():
    sheet = pd.concat([_sheet("a", 200, 6, 1), _sheet("b", 50, 4, 4), _sheet("c", 100, 3, 0)])
    villages = pd.DataFrame({"village_id": ["a", "b", "c"], "name_zh": ["甲村", "乙村", "丙村"],
                             "name_en": ["A", "B", "C"]})
    table = village_checks_table(sheet, County("2026H1", villages), "zh")
    # per 100 households: a 3, b 8, c 3 → b first, a and c share rank 2 (a has more errors)
    assert table["村"].tolist() == ["乙村", "甲村", "丙村"]
    assert table["排名"].tolist() == [1, 2, 2] and table["每百户(条)"].tolist() == [8, 3, 3]
    assert table["错误(条)"].tolist() == [4, 1, 0]


def test_period_summary_by_rule_and_severity():
    frames = fx.tables()
    frames["households"].loc[0, "income_per_capita_yuan"] = 0.0      # HH-001 (and HH-007, HH-008 on H1)
    frames["members"].loc[1, "medical_insured"] = False                # MB-009 on H1 member 2
    found = checks.run(fx.period_data(frames))
    table = summary_table(found, "en")
    assert table["Rule"].tolist() == ["HH-001", "HH-007", "HH-008", "MB-009"]
    assert table["Severity"].tolist() == ["Error", "Doubt", "Doubt", "Error"]
    assert table["Findings"].tolist() == [1, 1, 1, 1] and table["Households"].tolist() == [1, 1, 1, 1]


def test_rollup_sums_the_findings_and_recomputes_the_share():
    """Two fixture villages, one with two planted findings: the county has 2 findings in 8 households."""
    from village_stats.evaluate import evaluate
    from village_stats.panel.rollup import register_of

    bad = fx.tables("b")
    bad["households"].loc[3, "members"] = 2.0                          # MB-001 on H4
    bad["help_measures"].loc[0, "amount_yuan"] = -5.0                  # HM-003 on H1
    demo = Source(ROOT / "data").period("demo", "2022H2")     # any valid population.csv and monitoring rules
    good = fx.tables("a")
    good["population"] = bad["population"] = demo.table("population")
    datas = [fx.period_data(good, "a", monitoring=demo.rules.monitoring),
             fx.period_data(bad, "b", monitoring=demo.rules.monitoring)]
    for d in datas:
        assert evaluate(d).values["check_findings"] == (0 if d.village.id == "a" else 2)
    villages = pd.DataFrame({"village_id": ["a", "b"], "name_zh": ["甲", "乙"], "name_en": ["A", "B"],
                             "township_zh": ["t", "t"], "county_zh": ["c", "c"], "exit_threshold": [0.02, 0.02]})
    county = County("2026H1", villages, {d.village.id: evaluate(d).sheet for d in datas},
                    {d.village.id: register_of(d) for d in datas})
    total = rollup(county, "county").set_index("indicator")
    assert total.loc["check_findings", "value"] == 2 and total.loc["check_errors", "value"] == 2
    assert total.loc["check_findings_per_household", "value"] == pytest.approx(2 / 8)


def _published(monkeypatch):
    from village_stats.display import views

    blocks = []
    monkeypatch.setattr(views, "_publish", lambda block, html_text, **kw: blocks.append(block))
    return blocks


def test_period_report_section_counts_by_rule(monkeypatch):
    """demo 2022H2 (data/README.md): HH-003 once (错误), HH-006 once, HH-007 four times (疑点)."""
    from village_stats.display.checks import show_checks_section
    from village_stats.evaluate import evaluate

    source = Source(ROOT / "data")
    blocks = _published(monkeypatch)
    show_checks_section(evaluate(source.period("demo", "2022H2")), "zh")
    assert [b["type"] for b in blocks] == ["heading", "table", "paragraph"]
    assert blocks[0]["text"] == "疑点核查"
    assert "共 6 条（错误 1 条，疑点 5 条，提示 0 条）" in blocks[2]["text"]
    blocks.clear()
    show_checks_section(evaluate(source.period("suoluoyu", "2017H1")), "zh")   # no register: nothing
    assert blocks == []


def test_trends_show_findings_by_period(monkeypatch):
    from village_stats.display.checks import show_trend_checks
    from village_stats.evaluate import evaluate
    from village_stats.panel.trend import long_sheet

    source = Source(ROOT / "data")
    long = long_sheet([evaluate(source.period("demo", p)).sheet for p in ("2022H1", "2022H2")])
    blocks = _published(monkeypatch)
    show_trend_checks(long, "en")
    assert [b["type"] for b in blocks] == ["heading", "table"] and blocks[0]["text"] == "Data-quality findings by period"


def test_the_notebooks_show_the_checks():
    for name, call in (("period_report", "show_checks_section(results, lang)"),
                       ("county_report", "show_county_checks(village_sheet, county, lang)"),
                       ("village_trends", "show_trend_checks(long_sheet, lang)")):
        assert call in (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
