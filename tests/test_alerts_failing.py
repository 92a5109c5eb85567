"""Alerts from every failing test (issue 23): each indicator with a stated standard that fails produces an
alert and enters the page-1 summary; a share of households above 100% is a serious alert naming its counts.

Known values: the demo's 2022H2 report as issue 23 describes it (错退率 10.0% against < 2%, 综合贫困发生率
5.7%, 4 possible 漏监测 households, the verdict 有指标未达到退出标准); Suoluoyu 2017H1 (86 poor households, 33
long absent, so 53 resident: the seed's work summary) with 92 contacts entered: 92 / 53 = 173.6%.
"""

from __future__ import annotations

import re
import shutil

import pytest

from village_stats.alerts import alerts_of, standard_text
from village_stats.display.summary import summary_text
from village_stats.evaluate import evaluate
from village_stats.load import Source, load_period

from .conftest import DATA

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def demo_2022h2():
    return evaluate(load_period("demo", "2022H2", DATA))


def test_every_failing_standard_of_the_demo_is_an_alert(demo_2022h2):
    a = alerts_of(demo_2022h2).set_index("alert")
    assert a.loc["evaluation_wrong_exit_rate", "level"] == "serious"
    assert "错退率10.0%" in a.loc["evaluation_wrong_exit_rate", "message_zh"]
    assert "低于2.0%" in a.loc["evaluation_wrong_exit_rate", "message_zh"]
    assert "综合贫困发生率5.7%" in a.loc["evaluation_composite_incidence", "message_zh"]
    assert "有指标未达到退出标准" in a.loc["exit_verdict_not_ready", "message_zh"]
    assert a.loc["monitoring_candidates", "message_zh"].startswith("4户")
    # criteria that pass are not alerts: 漏评率 0.0%, 群众认可度 95.0%
    assert "evaluation_missed_rate" not in a.index and "evaluation_satisfaction_rate" not in a.index
    for message in a["message_en"]:
        assert not CJK.search(message), message


def test_page_one_summary_names_the_failures(demo_2022h2):
    a = alerts_of(demo_2022h2)
    zh = summary_text(demo_2022h2.sheet, demo_2022h2.data.period, "zh", a)
    for phrase in ("错退率10.0%", "综合贫困发生率5.7%", "4户符合监测条件", "有指标未达到退出标准"):
        assert phrase in zh, phrase
    en = summary_text(demo_2022h2.sheet, demo_2022h2.data.period, "en", a)
    assert "Wrong-exit rate is 10.0%" in en and not CJK.search(en)
    # notes stay in section 五: the unverified poverty line is not in the summary's list
    assert "尚未核实" not in zh.split("本期需关注")[1]


def test_contacts_above_resident_poor_households_is_a_serious_alert(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA / "suoluoyu", root / "suoluoyu")
    shutil.copytree(DATA / "policy", root / "policy")
    log = root / "suoluoyu" / "2017H1" / "work_log.csv"
    log.write_text(log.read_text(encoding="utf-8").replace("household_contact,53,", "household_contact,92,"),
                   encoding="utf-8")
    r = evaluate(Source(root).period("suoluoyu", "2017H1"))
    a = alerts_of(r)
    shares = a[a["alert"].str.startswith("share_above_100")]
    assert list(shares["alert"]) == ["share_above_100_resident_contact_rate"]  # one alert for the one count
    row = shares.iloc[0]
    assert row["level"] == "serious"
    assert "173.6%" in row["message_zh"] and "92" in row["message_zh"] and "53" in row["message_zh"]
    assert "173.6%" in row["message_en"] and not CJK.search(row["message_en"])


def test_the_seed_period_has_no_impossible_share():
    a = alerts_of(evaluate(load_period("suoluoyu", "2017H1", DATA)))
    assert not a["alert"].str.startswith("share_above_100").any()
    assert not a["alert"].str.startswith("evaluation_").any()


def test_standards_read_in_words():
    assert standard_text(">=", 0.9) == "不低于90.0%" and standard_text("<", 0.02) == "低于2.0%"
    assert standard_text(">=", 0.9, "en") == "at least 90.0%"
