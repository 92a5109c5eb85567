"""Page 1 of the period report: the key figures and a summary paragraph, both read from the indicator sheet.

Nothing here computes a measure: every number is an indicator of the sheet (so the summary can never
disagree with ``indicators.csv``), formatted for people. The Chinese paragraph follows the register of
an official work summary (工作总结); the English one says the same.

Money rule (``docs/glossary.md``): totals of investment in 万元 (10,000 yuan) with two decimals, amounts
per person in whole 元.
"""

from __future__ import annotations

import math

import pandas as pd

from ..indicators import values
from ..labels import counted, pick, t
from ..periods import Period


def pct(ratio: float) -> str:
    """A ratio as a percent with at most one decimal, trailing zeros dropped. [ratio] → text

    >>> pct(0.478049), pct(0.02), pct(float("nan"))
    ('47.8%', '2%', '—')
    """
    if math.isnan(ratio):
        return "—"
    text = f"{ratio * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def wan_yuan(yuan: float) -> str:
    """An amount in 万元 (10,000 yuan) with two decimals and separators. [yuan] → text

    >>> wan_yuan(3097200), wan_yuan(float("nan"))
    ('309.72', '—')
    """
    return "—" if math.isnan(yuan) else f"{yuan / 10000:,.2f}"


def whole(x: float) -> str:
    """A count or amount rounded to a whole number with separators (half away from zero).

    >>> whole(15802.0408), whole(188.0), whole(2.5), whole(float("nan"))
    ('15,802', '188', '3', '—')
    """
    if math.isnan(x):
        return "—"
    return f"{int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1):,}"


def cutoff_text(period: Period, lang: str = "zh") -> str:
    """The data cut-off (the period's last day) as a report says it.

    >>> from village_stats.periods import parse_period
    >>> cutoff_text(parse_period("2017H1")), cutoff_text(parse_period("2017H1"), "en")
    ('2017年6月底', 'end of June 2017')
    """
    end = period.end
    return t("cutoff", lang, year=end.year, month=end.month, month_name=f"{end:%B}")


def _v(v: dict, key: str) -> float:
    return float(v.get(key, math.nan))


def key_figures(sheet: pd.DataFrame, lang: str = "zh", changes: dict[str, str] | None = None) -> list[dict]:
    """The key-figure box of page 1: label, value and a short note per figure (from the sheet only).

    Items: poverty incidence against the exit threshold, people still to lift, poor households,
    committed investment (万元; and per poor person in whole 元), contacts coverage of poor households.
    An item whose indicator is not in the sheet (no work log, no projects) is left out. ``changes``
    (indicator id → the change since the previous period, as text; or (text, the label of the period compared
    with) when that is not the period just before) adds "比上期 …" (or "较2018年下半年 …") to an item's note.
    The wording (``kf_*`` of :mod:`village_stats.labels`) takes the figures it needs: each language's
    text picks whole numbers or counted English nouns (:func:`~village_stats.labels.counted`).
    """
    v = values(sheet)
    h, z = _v(v, "poverty_incidence"), _v(v, "exit_threshold")
    need, poor = _v(v, "poverty_reduction_needed"), _v(v, "poor_population")
    households, total = _v(v, "poor_households"), _v(v, "households_total")
    items = [{"id": "poverty_incidence", "label": t("incidence", lang), "value": pct(h),
              "note": t("kf_incidence_note", lang, threshold=pct(z))},
             {"id": "poverty_reduction_needed", "label": t("kf_need", lang),
              "value": t("kf_need_value", lang, n=whole(need), people=counted(need, "person")),
              "note": t("kf_need_note", lang, n=whole(poor), people=counted(poor, "poor_person"))},
             {"id": "poor_households", "label": t("kf_poor_households", lang),
              "value": t("kf_poor_households_value", lang, n=whole(households)),
              "note": t("kf_poor_households_note", lang, n=whole(total), households=counted(total, "household"))}]
    if "investment_committed_yuan" in v:
        inv, per = _v(v, "investment_committed_yuan"), _v(v, "investment_committed_per_poor_person_yuan")
        items.append({"id": "investment_committed_yuan", "label": t("kf_investment", lang),
                      "value": t("kf_investment_value", lang, wan=wan_yuan(inv), yuan=whole(inv)),
                      "note": t("kf_investment_note", lang, wan=wan_yuan(inv), yuan=whole(inv), per=whole(per))})
    if "contact_rate" in v:
        items.append({"id": "contact_rate", "label": t("kf_contact", lang), "value": pct(_v(v, "contact_rate")),
                      "note": t("kf_contact_note", lang, contacted=whole(_v(v, "contacted_poor_households")),
                                poor=whole(households))})
    for item in items:
        if changes and item["id"] in changes:
            change = changes[item["id"]]
            if isinstance(change, tuple):  # compared with a period that is not the one just before: named
                item["note"] += t("kf_change_since", lang, change=change[0], period=change[1])
            else:
                item["note"] += t("kf_change", lang, change=change)
    return items


def summary_text(sheet: pd.DataFrame, period: Period, lang: str = "zh", alerts: pd.DataFrame | None = None) -> str:
    """The summary paragraph of page 1, every number read from the sheet.

    Zh, e.g. "截至2017年6月底，全村农业户176户410人，其中建档立卡贫困户86户196人，贫困发生率47.8%，高于退出标准
    （2%）45.8个百分点，距退出尚需脱贫188人。" followed by the work, crops and investment sentences of the
    tables present (``sum_*`` of :mod:`village_stats.labels`). The gap is in percentage points:
    (incidence − threshold) × 100. With ``alerts`` (:func:`village_stats.alerts.alerts`), every serious
    and attention alert follows (本期需关注：…): a failing test is on page 1, not only in section 五.
    """
    v = values(sheet)
    h, z = _v(v, "poverty_incidence"), _v(v, "exit_threshold")
    hh, pop = _v(v, "households_total"), _v(v, "population_total")
    ph, pp = _v(v, "poor_households"), _v(v, "poor_population")
    need = _v(v, "poverty_reduction_needed")
    s = t("sum_intro", lang, cutoff=cutoff_text(period, lang), hh=whole(hh), pop=whole(pop), ph=whole(ph),
          pp=whole(pp), incidence=pct(h), hh_n=counted(hh, "agricultural_household"), pop_n=counted(pop, "person"),
          ph_n=counted(ph, "registered_poor_household"), pp_n=counted(pp, "person"))
    if math.isnan(h) or math.isnan(z):  # no population (or no threshold): nothing to compare
        s += t("sum_unknown", lang, threshold=pct(z))
    else:
        s += t("sum_above" if h >= z else "sum_below", lang, threshold=pct(z), gap=f"{abs(h - z) * 100:.1f}",
               need=whole(need), need_n=counted(need, "person"))
    if "contacted_poor_households" in v:
        contacted, meetings = _v(v, "contacted_poor_households"), _v(v, "meetings_total")
        s += t("sum_work", lang, contacted=whole(contacted), contacted_n=counted(contacted, "poor_household"),
               rate=pct(_v(v, "contact_rate")), meetings=whole(meetings), meetings_n=counted(meetings, "meeting"))
    if "crop_target_new_area_mu" in v:
        done = _v(v, "crop_achieved_new_area_mu")
        s += t("sum_crops", lang, target=whole(_v(v, "crop_target_new_area_mu")))
        s += t("sum_crops_none", lang) if math.isnan(done) else t("sum_crops_done", lang, done=whole(done))
    if "investment_committed_yuan" in v:
        projects = _v(v, "projects_total")
        s += t("sum_investment", lang, projects=whole(projects), projects_n=counted(projects, "project"),
               wan=wan_yuan(_v(v, "investment_committed_yuan")), yuan=whole(_v(v, "investment_committed_yuan")),
               per=whole(_v(v, "investment_committed_per_poor_person_yuan")))
    if alerts is not None and len(alerts):
        urgent = alerts[alerts["level"].isin(("serious", "attention"))]
        if len(urgent):
            messages = urgent[pick(("message_zh", "message_en"), lang)]
            s += t("sum_alerts", lang, items=t("sum_alerts_sep", lang).join(messages))
    return s
