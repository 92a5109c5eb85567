"""The report section 监测与评估 (Monitoring and evaluation), for registers from 2021 on.

One call from the notebook: :func:`show_monitoring_section`. Tables are built by the ``*_table``
functions (labelled DataFrames, households by ``household_id`` only) and shown with the primitives of
:mod:`village_stats.display.views`. Every number comes from the period's
:class:`~village_stats.evaluate.Results` (its sheet, screening, 风险消除 test, transitions, evaluation and
the rules applied); nothing here computes a measure or reads a file.
"""

from __future__ import annotations

import math

import pandas as pd

from ..evaluate import Results
from ..indicators import has_monitoring
from ..labels import MONITORING_LABELS, pick, t
from ..measures import monitoring as mon
from ..policy import Rule
from ..schema import MONITORING_TYPES
from ..units import format_value
from . import views
from .tables import typed

MONITORING_INDICATORS = ("monitoring_threshold_yuan", "monitored_households", "monitored_persons",
                         *(f"monitored_households_{x}" for x in MONITORING_TYPES.ids),
                         "monitored_share", "risk_eliminated_households", "monitoring_candidates",
                         "risk_elimination_eligible", "risk_elimination_no_labour_hold", "return_rate",
                         "impoverishment_rate")


def _label(key: str, lang: str) -> str:
    if key in MONITORING_TYPES.ids:
        return MONITORING_TYPES.label(key, lang)
    return pick(MONITORING_LABELS[key], lang)


def _yes_no(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return t("yes" if value else "no", lang)


def _scope(rule: Rule, lang: str) -> str:
    return t("national", lang) if rule.scope == "national" else rule.scope


def policy_table(rules: list[Rule], lang: str = "zh") -> pd.DataFrame:
    """The policy rules a section used: rule, value (in its rule's unit, after its comparison: ``< 2.0%``),
    scope, source (the published text, or 未找到官方原文), verified, and the row's note in the reader's
    language — in full in the HTML and the workbook; the PDF prints only 未核实 with the table file and row
    (the column's ``brief``)."""
    rows = []
    for r in rules:
        year = f"{r.year}" if r.year else ""
        rows.append((_label(r.name, lang), float(r.value), " ".join(x for x in (_scope(r, lang), year) if x),
                     r.source or t("no_source", lang), _yes_no(r.verified, lang), views.policy_note(r, lang)))
    note = t("note_col", lang)
    frame = pd.DataFrame(rows, columns=[t("rule_name", lang), t("value", lang), t("scope", lang), t("source", lang),
                                        t("verified_col", lang), note])
    value = t("value", lang)
    return typed(frame, lang=lang, units={value: [r.unit for r in rules], t("verified_col", lang): "text"},
                 prefix={value: [_comparison(r.comparison) for r in rules]}, sheet="policy",
                 brief={note: [views.policy_note_brief(r, lang) for r in rules]})


def _comparison(comparison: str) -> str:
    """The text printed before a threshold: its comparison as people write it and a space (``< ``, ``≥ ``
    for the policy table's ``>=``), or nothing."""
    return f"{ {'>=': '≥', '<=': '≤'}.get(comparison, comparison)} " if comparison else ""


def screening_table(found: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Possible 漏监测 by household id, with the rules met."""
    sep = t("clause_sep", lang)
    frame = pd.DataFrame({
        t("household_id", lang): list(found["household_id"]),
        t("rules_met", lang): [sep.join(_label(r, lang) for r in rules.split("|")) for rules in found["rules"]],
    })
    return typed(frame, lang=lang, units={c: "text" for c in frame.columns})


def risk_table(result: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """风险消除 test per monitored household: each criterion (yes/no) and the outcome."""
    out = pd.DataFrame({t("household_id", lang): list(result["household_id"]),
                        t("monitoring_type", lang): [MONITORING_TYPES.label(x, lang) for x in result["monitoring_type"]]})
    for c in mon.RISK_CRITERIA:
        out[_label(c, lang)] = [_yes_no(bool(v), lang) for v in result[c]]
    out[t("outcome", lang)] = [_label(x, lang) for x in result["outcome"]]
    return typed(out, lang=lang, units={c: "text" for c in out.columns})


def transition_table(matrix: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The transition matrix with labelled states (rows: previous period, columns: now), in households."""
    out = pd.DataFrame({t("previous_state", lang): [_label(s, lang) for s in matrix.index]})
    for s in matrix.columns:
        out[_label(s, lang)] = [float(v) for v in matrix[s]]
    return typed(out, lang=lang, units={_label(s, lang): "households" for s in matrix.columns})


def evaluation_display_table(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Each evaluation criterion: value, sample (n / N households), Wilson interval, threshold (after its
    comparison), met, met over the interval, source.

    The sample and the interval are two numbers each, printed in one cell (``3 / 30``, ``3.5% – 25.6%``;
    the workbook would keep them apart); the composite incidence has no sample of its own.
    """
    rows = []
    for c, r in table.iterrows():
        n, size = (None, None) if c == "composite_incidence" else (float(r["numerator"]), float(r["denominator"]))
        low = float(r["low"])
        high = None if math.isnan(low) else float(r["high"])
        rows.append((_label(c, lang), float(r["value"]), n, size, low, high, float(r["threshold"]),
                     _yes_no(r["met"], lang), _yes_no(r["met_with_confidence"], lang),
                     r["source"] + ("" if r["verified"] else f" ({t('unverified', lang)})")))
    value, sample, size, low, high, threshold = (t(k, lang) for k in ("value", "sample_n", "sample_total", "interval",
                                                                     "interval_high", "threshold_col"))
    frame = pd.DataFrame(rows, columns=[t("criterion", lang), value, sample, size, low, high, threshold,
                                        t("met", lang), t("met_sure", lang), t("source", lang)])
    return typed(frame, lang=lang,
                 units={value: "ratio", sample: "households", size: "households", low: "ratio", high: "ratio",
                        threshold: "ratio", t("met", lang): "text", t("met_sure", lang): "text"},
                 join={size: " / {}", high: " – {}"}, unknown={sample: ""},
                 prefix={threshold: [_comparison(x) for x in table["comparison"]]})


def show_monitoring_section(results: Results, lang: str = "zh") -> None:
    """Show the section 监测与评估 when the period has monitoring fields or an evaluation sample.

    Parameters
    ----------
    results : Results
        The period's results (:func:`village_stats.evaluate.evaluate`): the monitoring indicators of its
        sheet, the screening, the 风险消除 test, the transitions (with a previous period), the evaluation
        and the rules applied.
    lang : str
        ``zh`` or ``en``.
    """
    data, sheet = results.data, results.sheet
    monitoring, evaluation = has_monitoring(data), data.has("evaluation_sample")
    if not (monitoring or evaluation):
        return
    views.show_heading("sec_monitoring", lang)
    views.show_subheading("mon_policy", lang)
    views.show_table(policy_table(results.rules, lang), t("mon_policy", lang))
    if monitoring:
        threshold = data.rules.monitoring_threshold
        values = results.values
        views.show_subheading("mon_objects", lang)
        views.show_text(t("mon_threshold_text", lang, value=format_value(threshold.value, "yuan_per_person_year", lang),
                          year=threshold.year, scope=views.policy_origin(threshold, lang),
                          source=threshold.source or t("no_source", lang),
                          verified=t("verified" if threshold.verified else "unverified", lang)))
        views.show_table(views.indicator_table(sheet, MONITORING_INDICATORS, lang), t("tab_mon_indicators", lang))
        share, ceiling = values.get("monitored_share", math.nan), values.get("monitored_share_ceiling", math.nan)
        if "monitored_share_ceiling" not in data.rules.monitoring:  # from 2026: no cap (应纳尽纳)
            views.show_text(t("mon_share_no_cap", lang, year=data.period.year, share=format_value(share, "ratio", lang),
                              persons=format_value(values.get("monitored_persons"), "persons", lang)))
        else:
            views.show_text(t("mon_share_text", lang,
                              persons=format_value(values.get("monitored_persons"), "persons", lang),
                              share=format_value(share, "ratio", lang),
                              expected=format_value(values.get("monitored_share_expected"), "ratio", lang),
                              ceiling=format_value(ceiling, "ratio", lang),
                              verdict=t("mon_share_within" if not share > ceiling else "mon_share_above", lang)))
        if results.transitions is None:
            views.show_text(t("mon_no_previous", lang))
        views.show_subheading("mon_candidates", lang)
        views.show_table(screening_table(results.screening, lang), t("mon_candidates", lang))
        views.show_subheading("mon_risk", lang)
        views.show_table(risk_table(results.risk_elimination, lang), t("mon_risk", lang))
        if results.transitions is not None:
            before = data.period.previous()
            views.show_subheading("mon_transitions", lang, before=before.label(lang), now=data.period.label(lang))
            views.show_table(transition_table(results.transitions, lang),
                             t("mon_transitions", lang, before=before.label(lang), now=data.period.label(lang)))
            views.show_text(t("mon_rates_text", lang, returned=format_value(values.get("return_rate"), "ratio", lang),
                              newly=format_value(values.get("impoverishment_rate"), "ratio", lang)))
    if evaluation:
        table = results.evaluation
        views.show_subheading("mon_evaluation", lang)
        views.show_table(evaluation_display_table(table, lang), t("mon_evaluation", lang))
        views.show_text(t("mon_interval_note", lang))
        readiness = results.values.get("exit_readiness", math.nan)  # the sheet's verdict: 1, 0, or unknown
        verdict = "incomplete" if math.isnan(readiness) else ("ready" if readiness == 1 else "not_ready")
        views.show_text(t(f"mon_verdict_{verdict}", lang))
