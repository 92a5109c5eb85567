"""The report section 常态化帮扶 (Regular help, from 2026): 防止返贫致贫对象, identification speed and 公示,
help measures and 务工, income of exited households against rural income, the low-income layers, members.

One call from the notebook: :func:`show_regular_help_section`, shown only when the period's data carry the
2026 fields (:func:`village_stats.indicators.regular_help.has_regular_help`). Tables come from the
indicator sheet (labelled by the catalogue) and from :func:`village_stats.measures.regular_help.layer_overlap`;
the alerts follow the rules the period applied (15 days, 公示 ≥ 5 days, 风险消除 rule). Households are never
named here; members never (names and ID numbers were dropped at load).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..evaluate import Results
from ..indicators.regular_help import has_regular_help
from ..labels import t
from ..measures import regular_help as rh
from ..units import format_value
from . import plotting, views
from .tables import typed

OBJECT_INDICATORS = ("unresolved_objects", "unresolved_object_persons", "monitored_households_non_registered",
                     "monitored_persons_non_registered", "object_population_share", "objects_below_standard",
                     "objects_ever", "risk_eliminated_by_end", "risk_elimination_rate", "risk_eliminated_in_period",
                     "risk_elimination_rule_breaks")
IDENTIFICATION_INDICATORS = ("identified_in_period", "identification_days_median", "identified_within_15_days",
                             "identified_within_15_days_share", "publicity_short_households",
                             "identified_by_self_report", "identified_by_routine_check", "identified_by_data_alert")
HELP_INDICATORS = ("help_covered_objects", "help_coverage_share", "industry_help_households", "industry_help_share",
                   "help_measures_amount_yuan", "migrant_workers", "migrant_worker_months", "migrant_workers_change")
INCOME_INDICATORS = ("exited_income_per_capita_yuan", "exited_income_growth", "rural_income_growth",
                     "wage_income_share", "business_income_share", "property_income_share", "transfer_income_share")
LAYER_INDICATORS = ("low_income_layer_households", "low_income_layer_persons", "multi_layer_households",
                    "layer_households_dibao", "layer_households_tekun", "layer_households_dibao_edge",
                    "layer_households_rigid_spending_hardship")
MEMBER_INDICATORS = ("member_rows", "school_age_not_in_school", "medical_insured_share", "pension_insured_share",
                     "member_audit_findings")


def _v(values: dict, key: str) -> float:
    return float(values.get(key, math.nan))


def _rule(results: Results, rule: str, default: float) -> float:
    r = results.data.rules.monitoring.get(rule)
    return default if r is None else r.value


def combination_name(row: pd.Series, lang: str = "zh") -> str:
    """The layers of one overlap row, joined (``低保 + 防止返贫致贫对象``)."""
    return " + ".join(t(f"layer_{layer}", lang) for layer in rh.OVERLAP_LAYERS if bool(row[layer]))


def overlap_table(overlap: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Each combination of layers that occurs: households and persons."""
    frame = pd.DataFrame({t("rh_combination", lang): [combination_name(r, lang) for _, r in overlap.iterrows()],
                          t("rh_households", lang): overlap["households"].astype(float).to_numpy(),
                          t("rh_persons", lang): overlap["persons"].astype(float).to_numpy()})
    return typed(frame, lang=lang, units={t("rh_households", lang): "households", t("rh_persons", lang): "persons"})


def overlap_chart(overlap: pd.DataFrame, lang: str = "zh") -> Figure | None:
    """Persons in each combination of layers (horizontal bars), most first; None with no household in a layer."""
    if overlap.empty:
        return None
    names = [combination_name(r, lang) for _, r in overlap.iterrows()]
    persons = overlap["persons"].astype(float).to_numpy()
    fig = plotting._figure(0.9 + 0.35 * len(names))
    ax = fig.add_subplot()
    ax.barh(np.arange(len(names)), persons, color=plotting.BLUE)
    for i, p in enumerate(persons):
        ax.text(p + persons.max() * 0.01, i, f"{p:,.0f}", va="center")
    ax.set_yticks(np.arange(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, persons.max() * 1.2)
    alt = t("alt_rh_layers", lang, top=names[0], n=f"{persons[0]:,.0f}")
    return plotting.finish_chart(fig, ax, t("rh_chart_layers", lang), alt=alt, xlabel=t("rh_persons", lang))


def growth_chart(own: float, rural: float, lang: str = "zh") -> Figure | None:
    """Growth of exited people's income next to rural per-capita disposable income's (percent bars); None when
    neither is known."""
    if math.isnan(own) and math.isnan(rural):
        return None
    fig = plotting._figure(1.6)
    ax = fig.add_subplot()
    names = [t("rh_chart_growth_own", lang), t("rh_chart_growth_rural", lang)]
    vals = np.array([own, rural]) * 100
    ax.barh([0, 1], np.nan_to_num(vals), color=[plotting.BLUE, plotting.GREY], height=0.5)
    for i, v in enumerate(vals):
        if not math.isnan(v):
            ax.text(v, i, f" {v:.1f}%", va="center")
    ax.set_yticks([0, 1], names)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.6)
    plotting._percent_axis(ax)
    alt = t("alt_rh_growth", lang, own=format_value(own, "ratio", lang), rural=format_value(rural, "ratio", lang))
    return plotting.finish_chart(fig, ax, t("rh_chart_growth", lang), alt=alt)


def alerts(results: Results, lang: str = "zh") -> list[str]:
    """The section's alerts by the rules the period applied, in report order (empty when all is well)."""
    v = results.values
    days, publicity = _rule(results, "identification_days_max", 15), _rule(results, "publicity_days_min", 5)
    out = []
    late = _v(v, "identified_in_period") - _v(v, "identified_within_15_days")
    checks = (("rh_alert_late", late, {"days": f"{days:g}"}),
              ("rh_alert_publicity", _v(v, "publicity_short_households"), {"days": f"{publicity:g}"}),
              ("rh_alert_breaks", _v(v, "risk_elimination_rule_breaks"), {}),
              ("rh_alert_uncovered", _v(v, "unresolved_objects") - _v(v, "help_covered_objects"), {}),
              ("rh_alert_school", _v(v, "school_age_not_in_school"), {}),
              ("rh_alert_members", _v(v, "member_audit_findings"), {}))
    for key, n, fields in checks:
        if n > 0:
            out.append(t(key, lang, n=f"{n:,.0f}", **fields))
    own, rural = _v(v, "exited_income_growth"), _v(v, "rural_income_growth")
    if own < rural:
        out.append(t("rh_alert_income", lang, own=format_value(own, "ratio", lang),
                     rural=format_value(rural, "ratio", lang)))
    return out


def show_regular_help_section(results: Results, lang: str = "zh") -> None:
    """Show the section 常态化帮扶 when the period's data carry the 2026 fields (else nothing).

    Parameters
    ----------
    results : Results
        The period's results (:func:`village_stats.evaluate.evaluate`): its sheet and data.
    lang : str
        ``zh`` or ``en``.
    """
    data, sheet, values = results.data, results.sheet, results.values
    if not has_regular_help(data):
        return
    views.show_heading("sec_regular_help", lang)
    views.show_text(t("rh_intro", lang, days=f"{_rule(results, 'identification_days_max', 15):g}",
                      publicity=f"{_rule(results, 'publicity_days_min', 5):g}"))
    views.show_subheading("rh_objects", lang)
    views.show_table(views.indicator_table(sheet, OBJECT_INDICATORS, lang))
    views.show_subheading("rh_identification", lang)
    views.show_table(views.indicator_table(sheet, IDENTIFICATION_INDICATORS, lang))
    views.show_subheading("rh_help", lang)
    views.show_table(views.indicator_table(sheet, HELP_INDICATORS, lang))
    views.show_subheading("rh_income", lang)
    views.show_table(views.indicator_table(sheet, INCOME_INDICATORS, lang))
    own, rural = _v(values, "exited_income_growth"), _v(values, "rural_income_growth")
    rule = data.rules.rural_income.get(data.period.year)
    if math.isnan(own) or math.isnan(rural):
        views.show_text(t("rh_no_growth", lang))
    else:
        views.show_text(t("rh_growth_text", lang,
                          value=format_value(_v(values, "exited_income_per_capita_yuan"), "yuan_per_person_year", lang),
                          own=format_value(own, "ratio", lang), rural=format_value(rural, "ratio", lang),
                          source=f"{rule.origin}: {rule.source}"))
    chart = growth_chart(own, rural, lang)
    if chart is not None:
        views.show_figure(chart)
    views.show_subheading("rh_layers", lang)
    views.show_table(views.indicator_table(sheet, LAYER_INDICATORS, lang))
    overlap = rh.layer_overlap(data.table("households"), data.period.end)
    if not overlap.empty:
        views.show_table(overlap_table(overlap, lang))
        views.show_figure(overlap_chart(overlap, lang))
    if data.has("members"):
        views.show_subheading("rh_members", lang)
        views.show_table(views.indicator_table(sheet, MEMBER_INDICATORS, lang))
    views.show_subheading("rh_alerts", lang)
    found = alerts(results, lang)
    for line in found or [t("rh_no_alerts", lang)]:
        views.show_text(line)


#: The 常态化帮扶 indicators the trends report follows over periods (income and 务工).
TREND_INDICATORS = ("exited_income_per_capita_yuan", "exited_income_growth", "transfer_income_share",
                    "migrant_workers", "migrant_worker_months", "unresolved_objects", "help_coverage_share",
                    "industry_help_share")


def show_regular_help_trend(long: pd.DataFrame, lang: str = "zh") -> None:
    """The trends report's table of income and 务工 over the periods that have the 2026 data (else nothing)."""
    from .change import trend_table

    with_data = long.loc[long["indicator"].isin(TREND_INDICATORS)]
    if with_data.empty:
        return
    periods = set(with_data["period"])
    views.show_subheading("rh_trend", lang)
    views.show_table(trend_table(long.loc[long["period"].isin(periods)], TREND_INDICATORS, lang))


#: The 常态化帮扶 figures of the county report (ratios from summed parts, persons and households summed).
COUNTY_INDICATORS = ("unresolved_objects", "unresolved_object_persons", "monitored_households_non_registered",
                     "object_population_share", "risk_elimination_rate", "risk_elimination_rule_breaks",
                     "identified_within_15_days_share", "publicity_short_households", "help_coverage_share",
                     "industry_help_share", "migrant_workers", "migrant_worker_months",
                     "exited_income_per_capita_yuan", "transfer_income_share", "low_income_layer_households",
                     "low_income_layer_persons", "school_age_not_in_school", "medical_insured_share")


def show_regular_help_county(county_sheet: pd.DataFrame, lang: str = "zh") -> None:
    """The county report's table of 常态化帮扶 figures (the roll-up's: ratios recomputed from the summed parts),
    one table per county of the sheet; nothing when no village has the 2026 data."""
    rows = county_sheet.loc[county_sheet["indicator"].isin(COUNTY_INDICATORS)]
    if rows.empty or rows["value"].isna().all():
        return
    views.show_heading("sec_regular_help_county", lang)
    for _, group in rows.groupby("group_id", sort=True):
        views.show_table(views.indicator_table(group, COUNTY_INDICATORS, lang))
    views.show_text(t("rh_county_note", lang))
