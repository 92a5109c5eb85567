"""The data-quality checks in the reports: counts by rule and severity in the period report (the list by
household id is the workbook of ``village-stats check``), findings per village ranked in the county
report, findings over periods in the trends report. Everything is read from Results, the roll-up's village
sheet or the long sheet (the catalogue indicators ``check_*``); nothing is computed again."""

from __future__ import annotations

import pandas as pd

from ..checks import Findings, rule_words, wording
from ..labels import column, pick, t
from ..panel.rollup import County, wide
from . import views
from .change import trend_table
from .tables import typed

#: The catalogue indicators of the checks, in the order the tables show them.
CHECK_INDICATORS = ("check_findings", "check_errors", "check_doubts", "check_hints", "check_findings_per_household")


def summary_table(findings: Findings, lang: str = "zh") -> pd.DataFrame:
    """Findings by rule: rule id, severity, what is wrong, findings, households concerned (catalogue order)."""
    s = findings.summary()
    frame = pd.DataFrame({
        t("col_check_rule", lang): list(s["rule"]),
        t("col_check_severity", lang): [pick(wording.SEVERITIES[x], lang) for x in s["severity"]],
        t("col_check_what", lang): [rule_words(r, lang)[0] for r in s["rule"]],
        t("col_check_findings", lang): [float(x) for x in s["findings"]],
        t("col_check_households", lang): [float(x) for x in s["households_hit"]],
    })
    units = {t("col_check_rule", lang): "text", t("col_check_severity", lang): "text",
             t("col_check_what", lang): "text", t("col_check_findings", lang): "count",
             t("col_check_households", lang): "households"}
    return typed(frame, lang=lang, units=units, nowrap=(t("col_check_rule", lang),))


def show_checks_section(results, lang: str = "zh") -> None:
    """The period report's data-quality checks: a table of findings by rule and severity, and their total."""
    found = results.checks
    if found is None:
        return
    views.show_subheading("reg_checks", lang)
    if not len(found):
        views.show_text(t("checks_none", lang))
        return
    views.show_table(summary_table(found, lang), t("tab_checks", lang))
    views.show_text(t("checks_note", lang, n=len(found), errors=found.count("error"), doubts=found.count("doubt"),
                      hints=found.count("hint")), style="note")


def village_checks_table(village_sheet: pd.DataFrame, county: County, lang: str = "zh") -> pd.DataFrame:
    """Villages with a register by findings per 100 households (most first): households, findings, errors,
    per 100 households and rank (1 = most per 100 households; ties share the rank)."""
    w = wide(village_sheet, ["register_households", "check_findings", "check_errors"]).dropna(
        subset=["check_findings"])
    per_100 = 100 * w["check_findings"] / w["register_households"].where(w["register_households"] > 0)
    w = w.assign(per_100=per_100, rank=per_100.rank(ascending=False, method="min"))
    w = w.sort_values(["rank", "check_errors"], ascending=[True, False], kind="stable")
    names = county.villages.set_index("village_id")[column("name", lang)]
    frame = pd.DataFrame({
        t("village", lang): [names[v] for v in w.index],
        t("col_check_rank", lang): [float(x) for x in w["rank"]],
        t("col_check_findings", lang): [float(x) for x in w["check_findings"]],
        t("col_check_errors", lang): [float(x) for x in w["check_errors"]],
        t("col_check_per_100", lang): [round(float(x), 2) for x in w["per_100"]],   # two places suffice
    })
    units = {t("col_check_rank", lang): "count", t("col_check_findings", lang): "count",
             t("col_check_errors", lang): "count", t("col_check_per_100", lang): "number"}
    return typed(frame, lang=lang, units=units, nowrap=(t("village", lang),))


def show_county_checks(village_sheet: pd.DataFrame, county: County, lang: str = "zh") -> None:
    """The county report's section on the checks: villages ranked by findings per 100 households."""
    table = village_checks_table(village_sheet, county, lang)
    if table.empty:
        return
    views.show_heading("sec_county_checks", lang)
    views.show_table(table)
    views.show_text(t("county_checks_note", lang), style="note")


def show_trend_checks(long_sheet: pd.DataFrame, lang: str = "zh") -> None:
    """The trends report's findings over periods (the catalogue indicators, with the change)."""
    if not set(CHECK_INDICATORS) & set(long_sheet["indicator"]):
        return
    views.show_subheading("trend_checks", lang)
    views.show_table(trend_table(long_sheet, CHECK_INDICATORS, lang))
