"""The demo's 2026H2 figures worked out from its CSV files with plain Python (csv, datetime, statistics),
independently of the package's measures, and compared with the report's indicators."""

from __future__ import annotations

import csv
import datetime as dt
import statistics

import pandas as pd
import pytest

from village_stats.evaluate import evaluate
from village_stats.load import load_period

from .conftest import DATA

START, END = dt.date(2026, 7, 1), dt.date(2026, 12, 31)
YES = "是"


def rows(period: str, table: str) -> list[dict]:
    with open(DATA / "demo" / period / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def standard(year: int) -> float:
    """The fictional county's standard (scope 990000) from data/policy/monitoring_thresholds.csv."""
    with open(DATA / "policy" / "monitoring_thresholds.csv", encoding="utf-8", newline="") as f:
        return next(float(r["monitoring_threshold_yuan"]) for r in csv.DictReader(f)
                    if r["scope"] == "990000" and r["year"] == str(year))


def by_hand(period: str = "2026H2") -> dict[str, float]:
    hh = rows(period, "households")
    members = rows(period, "members")
    measures = rows(period, "help_measures")
    out: dict[str, float] = {}
    obj = [h for h in hh if h["monitoring_type"]]
    open_ = [h for h in obj if not (day(h["risk_eliminated_on"]) and day(h["risk_eliminated_on"]) <= END)]
    out["unresolved_objects"] = len(open_)
    out["unresolved_object_persons"] = sum(int(h["members"]) for h in open_)
    out["monitored_households_non_registered"] = sum(h["category"] == "non_poor" for h in open_)
    out["objects_below_standard"] = sum(float(h["income_per_capita_yuan"]) < standard(2026) for h in open_)
    new = [h for h in obj if START <= day(h["monitoring_since"]) <= END]
    days = [(day(h["monitoring_since"]) - day(h["risk_found_on"])).days for h in new if h["risk_found_on"]]
    out["identification_days_median"] = statistics.median(days)
    out["identified_within_15_days_share"] = sum(d <= 15 for d in days) / len(days)
    out["publicity_short_households"] = sum(
        1 for h in new if h["publicised_from"] and h["publicised_to"]
        and (day(h["publicised_to"]) - day(h["publicised_from"])).days + 1 < 5)
    guarantees = ("food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure")
    breaks = 0
    for h in obj:
        on = day(h["risk_eliminated_on"])
        if on and START <= on <= END:
            since = day(h["monitoring_since"])
            six = dt.date(since.year + (since.month + 5) // 12, (since.month + 5) % 12 + 1, since.day)
            breaks += (float(h["income_per_capita_yuan"]) < standard(2026) or any(h[g] != YES for g in guarantees)
                       or on < six)
    out["risk_elimination_rule_breaks"] = breaks

    def running(m) -> bool:
        return day(m["started_on"]) <= END and not (m["ended_on"] and day(m["ended_on"]) < START)

    helped = {m["household_id"] for m in measures if running(m)}
    industry = {m["household_id"] for m in measures if running(m) and m["measure"] == "产业帮扶"}
    out["help_coverage_share"] = sum(h["household_id"] in helped for h in open_) / len(open_)
    base = [h for h in hh if h["status"] == "exited" or h["monitoring_type"]]
    out["industry_help_share"] = sum(h["household_id"] in industry for h in base) / len(base)
    base_ids = {h["household_id"] for h in base}

    def workers(ms, ids):
        w = [m for m in ms if m["household_id"] in ids and m["work_place"] and m["work_place"] != "未务工"
             and m["work_months"] and float(m["work_months"]) > 0]
        return len(w), sum(float(m["work_months"]) for m in w)

    out["migrant_workers"], out["migrant_worker_months"] = workers(members, base_ids)
    prev_hh = rows("2026H1", "households")
    prev_ids = {h["household_id"] for h in prev_hh if h["status"] == "exited" or h["monitoring_type"]}
    out["migrant_workers_change"] = out["migrant_workers"] - workers(rows("2026H1", "members"), prev_ids)[0]

    def exited_income(hs):
        e = [h for h in hs if h["status"] == "exited"]
        return sum(int(h["members"]) * float(h["income_per_capita_yuan"]) for h in e) / sum(int(h["members"]) for h in e)

    out["exited_income_per_capita_yuan"] = exited_income(hh)
    out["exited_income_growth"] = exited_income(hh) / exited_income(rows("2025H2", "households")) - 1
    parts = [h for h in hh if all(h[p] for p in ("wage_income_yuan", "business_income_yuan", "property_income_yuan",
                                                 "transfer_income_yuan"))]
    out["transfer_income_share"] = sum(int(h["members"]) * float(h["transfer_income_yuan"]) for h in parts) / \
        sum(int(h["members"]) * float(h["income_per_capita_yuan"]) for h in parts)
    out["medical_insured_share"] = sum(m["medical_insured"] == YES for m in members) / len(members)

    def age(born: dt.date) -> int:
        return END.year - born.year - ((END.month, END.day) < (born.month, born.day))

    out["school_age_not_in_school"] = sum(1 for m in members if m["birth_date"] and 6 <= age(day(m["birth_date"])) <= 15
                                          and m["in_school"] in ("辍学", "未在校"))
    open_ids = {h["household_id"] for h in open_}
    layered = [h for h in hh if h["household_id"] in open_ids or any(
        h[c] == YES for c in ("dibao", "tekun", "dibao_edge", "rigid_spending_hardship"))]
    out["low_income_layer_households"] = len(layered)
    three = [h for h in layered if (h["household_id"] in open_ids) + sum(
        h[c] == YES for c in ("dibao", "tekun", "dibao_edge", "rigid_spending_hardship")) >= 3]
    out["households_in_three_layers"] = len(three)
    return out


def test_demo_2026h2_figures_equal_the_hand_worked_ones():
    hand = by_hand()
    values = evaluate(load_period("demo", "2026H2", DATA)).values
    report = {k: values[k] for k in hand if k in values}
    assert set(hand) - set(report) == {"households_in_three_layers"}
    assert report == pytest.approx({k: hand[k] for k in report})


def test_the_demo_has_its_deliberate_features():
    """Non-建档立卡 objects, a late identification, a rule-breaking 风险消除, a household in three layers."""
    hand = by_hand()
    assert hand["monitored_households_non_registered"] >= 3
    assert hand["identified_within_15_days_share"] < 1 and hand["publicity_short_households"] == 1
    assert hand["risk_elimination_rule_breaks"] == 1
    assert hand["households_in_three_layers"] >= 1 and hand["school_age_not_in_school"] >= 1
    assert 0 < hand["help_coverage_share"] < 1


@pytest.mark.notebook
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_2026h2_report_shows_the_section_without_personal_data(tmp_path, lang):
    """The period report of the demo's 2026H2 (zh and en): the section with the hand-worked figures, and no
    member's (or head's) name or ID number in any output file."""
    import json

    from pypdf import PdfReader

    from village_stats.run import run_report

    result = run_report("demo", "2026H2", data_dir=DATA, output_dir=tmp_path, lang=lang)
    files = [p for p in result.folder.rglob("*") if p.is_file()]
    texts = {}
    for p in files:
        raw = p.read_bytes()
        texts[p.name] = raw.decode("utf-8", errors="replace")
        if p.suffix == ".ipynb":
            texts[p.name + " (json)"] = json.dumps(json.loads(raw), ensure_ascii=False)
        if p.suffix == ".pdf":
            texts[p.name + " (text)"] = "".join("".join(pg.extract_text().split()) for pg in PdfReader(str(p)).pages)
    secrets = {m["name"] for m in rows("2026H2", "members")} | {m["id_number"] for m in rows("2026H2", "members")}
    secrets |= {h["head_name"] for h in rows("2026H2", "households")} | {h["id_number"] for h in rows("2026H2",
                                                                                                    "households")}
    for name, text in texts.items():
        leaked = [s for s in secrets if s and s in text]
        assert not leaked, (name, len(leaked))
    pdf = texts[next(k for k in texts if k.endswith("(text)"))]
    hand = by_hand()
    if lang == "zh":
        for needle in ("八、常态化帮扶", "防止返贫致贫对象", "15天内完成识别的比例", "公示不足5天的对象户数",
                       "低保+刚性支出困难+防止返贫致贫对象", "需关注的问题"):
            assert needle in pdf, needle
    else:
        for needle in ("8.Regularhelp", "Shareidentifiedwithin15days", "dibao+rigid-spendinghardship+atrisk",
                       "Pointstocheck", "Migrantworkers"):
            assert needle in pdf, needle
    assert f"{hand['identified_within_15_days_share'] * 100:.1f}%" in pdf
    assert f"{hand['help_coverage_share'] * 100:.1f}%" in pdf
    assert f"{hand['exited_income_per_capita_yuan']:,.0f}" in pdf


def test_roll_up_recomputes_ratios_from_summed_parts_and_sums_persons(tmp_path):
    """Two villages: the demo's 2026H2, and a copy whose 2026H2 holds the demo's 2026H1 files. The county's
    figures are sums of persons and ratios of summed parts (checked against the villages' own sheets)."""
    import shutil

    from village_stats.load import Source
    from village_stats.panel.county import county_report

    shutil.copytree(DATA / "policy", tmp_path / "policy")
    shutil.copytree(DATA / "demo", tmp_path / "demo", ignore=shutil.ignore_patterns("201*", "202[12]*"))
    shutil.copytree(DATA / "demo", tmp_path / "other", ignore=shutil.ignore_patterns("201*", "202[12]*", "2026H2"))
    (tmp_path / "other" / "2026H1").rename(tmp_path / "other" / "2026H2")
    y = tmp_path / "other" / "village.yaml"
    y.write_text(y.read_text(encoding="utf-8").replace("id: demo", "id: other"), encoding="utf-8")
    a = evaluate(load_period("demo", "2026H2", tmp_path)).values
    b = evaluate(load_period("other", "2026H2", tmp_path)).values
    county = county_report(Source(tmp_path), "2026H2", None).county_sheet.set_index("indicator")["value"]
    assert county["migrant_workers"] == a["migrant_workers"] + b["migrant_workers"]
    assert county["unresolved_object_persons"] == a["unresolved_object_persons"] + b["unresolved_object_persons"]
    assert county["exited_income_per_capita_yuan"] == pytest.approx(
        (a["exited_income_total_yuan"] + b["exited_income_total_yuan"]) / (a["exited_persons"] + b["exited_persons"]))
    assert county["help_coverage_share"] == pytest.approx(
        (a["help_covered_objects"] + b["help_covered_objects"]) / (a["unresolved_objects"] + b["unresolved_objects"]))
    assert pd.isna(county["identification_days_median"])   # a median is not combined over villages


def test_trends_follow_income_and_migrant_work():
    """The trends table of the 2026 figures: 务工 of 2026H2 with its change on 2026H1, both worked by hand."""
    from village_stats.display.change import trend_table
    from village_stats.display.regular_help import TREND_INDICATORS
    from village_stats.load import Source
    from village_stats.panel import trend

    panel = trend.load_panel(Source(DATA), "demo", "2026H1", "2026H2")
    long = trend.long_sheet([evaluate(d).sheet for d in panel])
    table = trend_table(long, TREND_INDICATORS, "en").set_index("Indicator")
    hand = by_hand()
    row = table.loc["Migrant workers (members of exited households and objects)"]
    assert row.iloc[2] == hand["migrant_workers"] and row.iloc[3] == hand["migrant_workers_change"]
    assert table.loc["Net income per person of exited households"].iloc[2] == pytest.approx(
        hand["exited_income_per_capita_yuan"])
