"""Monitoring measures on hand-made registers: each screening rule, each 风险消除 criterion, transitions."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from village_stats.measures import monitoring as mon
from village_stats.schema import GUARANTEES

M, D = 6000.0, 0.3   # monitoring threshold [yuan], sharp income drop [ratio]


def register(rows: list[dict]) -> pd.DataFrame:
    """A register from short rows; unspecified guarantees are secure, other fields empty."""
    base = {"members": 2, "category": "general", "status": "exited", "monitoring_type": None,
            "risk_eliminated_on": pd.NaT, "has_labour": True, "rigid_spending_yuan": math.nan}
    out = []
    for r in rows:
        row = {**base, **{g: True for g in GUARANTEES}, **r}
        out.append(row)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- screening

PREVIOUS = register([
    {"household_id": "h1", "income_per_capita_yuan": 7000},
    {"household_id": "h2", "income_per_capita_yuan": 10000},
    {"household_id": "h3", "income_per_capita_yuan": 8000, "members": 3},
    {"household_id": "h4", "income_per_capita_yuan": 9000},
    {"household_id": "h5", "income_per_capita_yuan": 5000, "monitoring_type": "marginal"},
    {"household_id": "h6", "income_per_capita_yuan": 9000},
    {"household_id": "h7", "income_per_capita_yuan": 5500, "monitoring_type": "marginal"},
])
CURRENT = register([
    {"household_id": "h1", "income_per_capita_yuan": 5000},              # below m; drop 28.6% < 30%
    {"household_id": "h2", "income_per_capita_yuan": 7000},              # drop exactly 30%
    {"household_id": "h3", "income_per_capita_yuan": 8000, "members": 3,  # income 24,000 < rigid 30,000
     "rigid_spending_yuan": 30000},
    {"household_id": "h4", "income_per_capita_yuan": 9000, "housing_secure": False},   # guarantee lost
    {"household_id": "h5", "income_per_capita_yuan": 5000, "monitoring_type": "marginal"},  # monitored
    {"household_id": "h6", "income_per_capita_yuan": 9000},              # nothing
    {"household_id": "h7", "income_per_capita_yuan": 5500, "monitoring_type": "marginal",  # risk eliminated
     "risk_eliminated_on": pd.Timestamp("2022-03-01")},
    {"household_id": "h8", "income_per_capita_yuan": 9500, "rigid_spending_yuan": 19000},  # new; 19,000 = income
])


def test_each_screening_rule():
    flags = mon.screening_rules(CURRENT, PREVIOUS, M, D).set_index(CURRENT["household_id"])
    met = {h: [r for r in mon.SCREENING_RULES if flags.loc[h, r]] for h in flags.index}
    assert met == {
        "h1": ["income_below_threshold"],
        "h2": ["income_drop"],
        "h3": ["rigid_spending_above_income"],
        "h4": ["guarantee_lost"],
        "h5": ["income_below_threshold"],
        "h6": [],
        "h7": ["income_below_threshold"],
        "h8": [],             # rigid spending equal to income is not above it; no previous record
    }


def test_screening_lists_only_households_not_monitored():
    found = mon.screening(CURRENT, PREVIOUS, M, D)
    assert found[["household_id", "rules"]].values.tolist() == [
        ["h1", "income_below_threshold"], ["h2", "income_drop"], ["h3", "rigid_spending_above_income"],
        ["h4", "guarantee_lost"], ["h7", "income_below_threshold"]]   # h5 is monitored; h7's risk was eliminated


def test_screening_joins_several_rules_and_works_without_previous():
    hh = register([{"household_id": "x", "income_per_capita_yuan": 1000, "rigid_spending_yuan": 5000}])
    found = mon.screening(hh, None, M, D)
    assert found["rules"].tolist() == ["income_below_threshold|rigid_spending_above_income"]
    assert not found["income_drop"].any() and not found["guarantee_lost"].any()


# --------------------------------------------------------------------------- 风险消除

RE_PREVIOUS = register([
    {"household_id": f"r{i}", "income_per_capita_yuan": y, "monitoring_type": "unstable_exited"}
    for i, y in [(1, 6500), (2, 5800), (3, 6500), (4, 6500), (5, 6500), (7, 6500), (8, 6500)]
])
RE_CURRENT = register([
    {"household_id": "r1", "income_per_capita_yuan": 7000, "monitoring_type": "unstable_exited"},
    {"household_id": "r2", "income_per_capita_yuan": 7000, "monitoring_type": "unstable_exited"},
    {"household_id": "r3", "income_per_capita_yuan": 7000, "monitoring_type": "marginal",
     "education_secure": False},
    {"household_id": "r4", "income_per_capita_yuan": 7000, "monitoring_type": "sudden_hardship",
     "rigid_spending_yuan": 20000},
    {"household_id": "r5", "income_per_capita_yuan": 7000, "monitoring_type": "marginal", "has_labour": False},
    {"household_id": "r6", "income_per_capita_yuan": 7000, "monitoring_type": "marginal"},
    {"household_id": "r7", "income_per_capita_yuan": 6000, "monitoring_type": "marginal"},
    {"household_id": "r8", "income_per_capita_yuan": 7000, "monitoring_type": "marginal", "has_labour": None},
    {"household_id": "n1", "income_per_capita_yuan": 9000},                       # not monitored: not listed
])


def test_each_risk_elimination_criterion():
    t = mon.risk_elimination(RE_CURRENT, RE_PREVIOUS, M).set_index("household_id")
    assert list(t.index) == ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"]
    failing = {h: [c for c in mon.RISK_CRITERIA if not t.loc[h, c]] for h in t.index}
    assert failing == {
        "r1": [],
        "r2": ["income_stable"],          # six-month rule: previous period 5,800 ≤ 6,000
        "r3": ["guarantees_met"],
        "r4": ["no_rigid_spending_risk"],  # rigid 20,000 > household income 7,000 × 2
        "r5": ["has_labour"],
        "r6": ["income_stable"],          # no previous record: six months not shown
        "r7": ["income_stable"],          # 6,000 is not above 6,000
        "r8": ["has_labour"],             # unknown labour is not labour
    }
    assert t["outcome"].to_dict() == {
        "r1": "eligible", "r2": "not_eligible", "r3": "not_eligible", "r4": "not_eligible",
        "r5": "no_labour_hold", "r6": "not_eligible", "r7": "not_eligible", "r8": "no_labour_hold"}


def test_no_labour_and_another_failure_is_not_eligible():
    prev = register([{"household_id": "a", "income_per_capita_yuan": 5000, "monitoring_type": "marginal"}])
    now = register([{"household_id": "a", "income_per_capita_yuan": 7000, "monitoring_type": "marginal",
                     "has_labour": False}])
    assert mon.risk_elimination(now, prev, M)["outcome"].tolist() == ["not_eligible"]


# --------------------------------------------------------------------------- counts and share

def test_monitored_by_type_and_share():
    hh = register([
        {"household_id": "a", "income_per_capita_yuan": 1, "members": 4, "monitoring_type": "unstable_exited"},
        {"household_id": "b", "income_per_capita_yuan": 1, "members": 3, "monitoring_type": "marginal",
         "category": "non_poor", "status": "non_poor"},
        {"household_id": "c", "income_per_capita_yuan": 1, "members": 5, "monitoring_type": "marginal",
         "risk_eliminated_on": pd.Timestamp("2022-01-01")},
        {"household_id": "d", "income_per_capita_yuan": 1, "members": 11},
        {"household_id": "e", "income_per_capita_yuan": 1, "members": 6, "category": "non_poor",
         "status": "non_poor"},
    ])
    by = mon.monitored_by_type(hh)
    assert by.loc["unstable_exited"].tolist() == [1, 4]
    assert by.loc["marginal"].tolist() == [1, 3]          # c's risk is eliminated
    assert by.loc["sudden_hardship"].tolist() == [0, 0]
    # monitored persons 4 + 3 = 7; registered persons (category not non_poor) 4 + 5 + 11 = 20
    assert mon.monitored_share(hh) == (pytest.approx(0.35), 7.0, 20.0)


# --------------------------------------------------------------------------- transitions

def test_transition_counts_and_rates():
    before = register([
        {"household_id": "a", "income_per_capita_yuan": 1, "status": "exited"},
        {"household_id": "b", "income_per_capita_yuan": 1, "status": "exited", "monitoring_type": "marginal"},
        {"household_id": "c", "income_per_capita_yuan": 1, "status": "exited", "monitoring_type": "marginal"},
        {"household_id": "d", "income_per_capita_yuan": 1, "status": "non_poor", "category": "non_poor"},
        {"household_id": "e", "income_per_capita_yuan": 1, "status": "non_poor", "category": "non_poor"},
        {"household_id": "f", "income_per_capita_yuan": 1, "status": "poor"},
        {"household_id": "gone", "income_per_capita_yuan": 1, "status": "exited"},
    ])
    now = register([
        {"household_id": "a", "income_per_capita_yuan": 1, "status": "returned"},                  # exited → poor
        {"household_id": "b", "income_per_capita_yuan": 1, "status": "exited", "monitoring_type": "marginal",
         "risk_eliminated_on": pd.Timestamp("2022-06-01")},                                     # → eliminated
        {"household_id": "c", "income_per_capita_yuan": 1, "status": "exited", "monitoring_type": "marginal"},
        {"household_id": "d", "income_per_capita_yuan": 1, "status": "non_poor", "category": "non_poor",
         "monitoring_type": "sudden_hardship"},                                                 # → monitored
        {"household_id": "e", "income_per_capita_yuan": 1, "status": "poor", "category": "general"},  # → poor
        {"household_id": "f", "income_per_capita_yuan": 1, "status": "poor"},
        {"household_id": "new", "income_per_capita_yuan": 1, "status": "non_poor"},
    ])
    m = mon.transitions(before, now)
    assert m.to_numpy().sum() == 6                              # households in both periods
    assert m.loc["not_monitored", "poor"] == 2                  # a and e
    assert m.loc["marginal", "risk_eliminated"] == 1            # b
    assert m.loc["marginal", "marginal"] == 1                   # c
    assert m.loc["not_monitored", "sudden_hardship"] == 1       # d
    assert m.loc["poor", "poor"] == 1                           # f
    # 返贫率: of a, b, c (exited before, in both periods) a is poor now → 1/3
    assert mon.return_rate(before, now) == (pytest.approx(1 / 3), 1.0, 3.0)
    # 致贫率: of d, e (non_poor before) e is poor now → 1/2
    assert mon.impoverishment_rate(before, now) == (0.5, 1.0, 2.0)


def test_rates_without_a_base_are_unknown():
    hh = register([{"household_id": "a", "income_per_capita_yuan": 1, "status": "poor"}])
    r, num, den = mon.return_rate(hh, hh)
    assert math.isnan(r) and (num, den) == (0, 0)


def test_previous_matched_by_id_not_position():
    before = register([{"household_id": "b", "income_per_capita_yuan": 10000},
                       {"household_id": "a", "income_per_capita_yuan": 7000}])
    now = register([{"household_id": "a", "income_per_capita_yuan": 7000},
                    {"household_id": "b", "income_per_capita_yuan": 7000}])
    assert mon.screening(now, before, M, D)["household_id"].tolist() == ["b"]


# --------------------------------------------------------------------------- the demo village and the report section

def test_demo_monitoring_periods_are_what_the_generator_makes():
    from village_stats.load import load_period
    from village_stats.policy import PolicyBook
    from village_stats.synthetic import DEMO_MONITORING_PERIODS, demo_monitoring_registers, demo_registers

    from .conftest import DATA

    lines = PolicyBook(DATA).table("poverty_lines").set_index("year")["poverty_line_yuan"].to_dict()
    thresholds = PolicyBook(DATA).table("monitoring_thresholds").set_index("year")["monitoring_threshold_yuan"]
    regs = demo_registers(lines)
    later = demo_monitoring_registers(regs[max(regs)], lines, thresholds.to_dict())
    assert tuple(later) == DEMO_MONITORING_PERIODS
    for code, reg in later.items():
        loaded = load_period("demo", code, DATA).table("households")
        assert loaded["household_id"].tolist() == reg["household_id"].tolist()
        assert loaded["income_per_capita_yuan"].tolist() == reg["income_per_capita_yuan"].tolist()
        assert loaded["monitoring_type"].tolist() == reg["monitoring_type"].tolist()


def test_demo_monitoring_facts_by_construction():
    from village_stats.evaluate import indicator_sheet
    from village_stats.indicators import values
    from village_stats.load import load_period

    from .conftest import DATA

    first = values(indicator_sheet(load_period("demo", "2021H1", DATA)))
    assert first["monitoring_threshold_yuan"] == 6000                 # policy table, 2021, national
    assert first["monitored_households_sudden_hardship"] == 1         # one household with a large medical bill
    assert first["risk_elimination_eligible"] == 0                    # no 2020H2 register: six months not shown
    assert math.isnan(first["return_rate"])
    assert first["monitoring_candidates_income_below_threshold"] == 2  # the two left unmonitored
    mid = values(indicator_sheet(load_period("demo", "2022H1", DATA)))
    assert mid["monitoring_threshold_yuan"] == 6300
    assert mid["return_rate"] > 0                                     # one household returns in 2022H1
    assert indicator_sheet(load_period("demo", "2022H1", DATA)).set_index("indicator").loc[
        "return_rate", "numerator"] == 1
    last = values(indicator_sheet(load_period("demo", "2022H2", DATA)))
    assert last["risk_elimination_no_labour_hold"] == 1               # the household without labour
    assert {"wrong_exit_rate", "missed_rate", "satisfaction_rate", "composite_incidence", "exit_readiness"} <= set(last)
    older = values(indicator_sheet(load_period("demo", "2018H2", DATA)))
    assert "monitored_households" not in older and "wrong_exit_rate" not in older


def test_indicators_cli_prints_monitoring(tmp_path):
    from click.testing import CliRunner

    from village_stats.cli import main

    result = CliRunner().invoke(main, ["indicators", "--village", "demo", "--period", "2022H2", "--lang", "en"])
    assert result.exit_code == 0, result.output
    for ind in ("monitored_households", "monitored_share", "monitoring_candidates", "risk_elimination_eligible",
                "return_rate", "wrong_exit_rate_high", "exit_readiness"):
        assert ind in result.output


@pytest.mark.parametrize("lang, needles", [
    ("zh", ("监测与评估", "政策依据", "policy/monitoring_thresholds.csv", "未核实", "疑似漏监测", "风险消除",
            "暂不标注风险消除", "监测状态变化", "错退率", "95%置信区间", "结论：")),
    ("en", ("Monitoring and evaluation", "Policy rules used", "policy/monitoring_thresholds.csv", "NOT verified",
            "Possible missed monitoring", "stays flagged", "Changes of state", "Wrong-exit rate", "Verdict:")),
])
def test_monitoring_section_by_household_id_only(monkeypatch, lang, needles):
    import re

    from village_stats.display import monitoring as section
    from village_stats.display import views
    from village_stats.evaluate import evaluate
    from village_stats.load import load_period
    from village_stats.readers import read_csv_raw

    from .conftest import DATA

    shown: list[str] = []
    monkeypatch.setattr(views, "_html", shown.append)
    section.show_monitoring_section(evaluate(load_period("demo", "2022H2", DATA)), lang)
    text = re.sub(r"<[^>]+>", " ", "\n".join(shown))
    for needle in needles:
        assert needle in text, needle
    raw = read_csv_raw(DATA / "demo" / "2022H2" / "households.csv")
    assert not any(name in text for name in raw["head_name"])
    assert not any(number in text for number in raw["id_number"])
    # nothing for a period without monitoring fields or a sample
    shown.clear()
    section.show_monitoring_section(evaluate(load_period("demo", "2018H2", DATA)), "en")
    assert shown == []


def test_monitoring_tables_carry_numbers_with_unit_ids():
    """The section's tables hold numbers with their unit ids, not text: the evaluation's rate is a ratio, its
    sample two counts and its threshold a ratio after its comparison; the policy rules' values are in each
    rule's unit; the transitions are counts of households. The report prints them as before."""
    from village_stats.display import monitoring as section
    from village_stats.display.tables import table_block
    from village_stats.document import table_view
    from village_stats.evaluate import evaluate
    from village_stats.load import load_period

    from .conftest import DATA

    results = evaluate(load_period("demo", "2022H2", DATA))
    evaluation = table_block(section.evaluation_display_table(results.evaluation, "zh"))
    columns = {c["name"]: (j, c) for j, c in enumerate(evaluation["columns"])}
    j, rate = columns["数值"]
    assert (rate["type"], rate["unit"]) == ("number", "ratio") and evaluation["rows"][0][j] == pytest.approx(0.1)
    j, threshold = columns["标准"]
    assert threshold["unit"] == "ratio" and threshold["prefix"][0] == "< " and evaluation["rows"][0][j] == 0.02
    assert [evaluation["rows"][0][columns[k][0]] for k in ("样本", "样本量")] == [3, 30]
    assert table_view(evaluation)["rows"][0][:5] == ["错退率", "10.0%", "3 / 30", "3.5% – 25.6%", "< 2.0%"]
    policy = table_block(section.policy_table(results.rules, "en"))
    value = policy["columns"][1]
    assert value["units"][:2] == ["yuan_per_person_year", "yuan_per_person_year"] and policy["rows"][0][1] == 4000
    assert [r[1] for r in table_view(policy, "en")["rows"]][::4] == ["4,000 yuan per person per year", "30.0%",
                                                                     "< 2.0%"]
    transitions = table_block(section.transition_table(results.transitions, "zh"))
    assert {c.get("unit") for c in transitions["columns"][1:]} == {"households"} and transitions["rows"][0][1] == 139


def test_section_in_a_real_report(tmp_path):
    """The section through papermill, HTML and PDF: the period report of the demo's 2022H2."""
    from pypdf import PdfReader

    from village_stats.readers import read_csv_raw
    from village_stats.run import run_report

    from .conftest import DATA

    run_report("demo", "2022H2", data_dir=DATA, output_dir=tmp_path / "out", formats=("html", "pdf"))
    folder = tmp_path / "out" / "demo" / "2022H2"
    html = (folder / "report.html").read_text(encoding="utf-8")
    pdf = "".join(p.extract_text() for p in PdfReader(folder / "report.pdf").pages)
    pdf = "".join(pdf.split())   # table cells wrap: compare without line breaks and spaces
    for text in (html, pdf):
        for needle in ("监测与评估", "政策依据", "monitoring_thresholds.csv", "防止返贫监测和帮扶机制", "疑似漏监测",
                       "暂不标注风险消除", "错退率", "结论："):
            assert needle in text, needle
    raw = read_csv_raw(DATA / "demo" / "2022H2" / "households.csv")
    for output in folder.iterdir():
        if output.is_file():
            content = output.read_bytes().decode("utf-8", errors="ignore")
            assert not any(n in content for n in raw["head_name"]), output
            assert not any(n in content for n in raw["id_number"]), output


def test_risk_types_list_is_read_with_any_separator():
    from village_stats.parse import parse_column
    from village_stats.schema import HOUSEHOLDS

    raw = pd.Series(["因病、因学", "illness|schooling|illness", "disaster; 其他", None, "因病|洪水"], dtype=object)
    values, bad, _ = parse_column(raw, HOUSEHOLDS.column("risk_types"))
    assert values.tolist()[:4] == ["illness|schooling", "illness|schooling", "disaster|other", None]
    assert bad.tolist() == [False, False, False, False, True]
