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
from ..labels import plural
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
    if lang == "zh":
        return f"{end.year}年{end.month}月底"
    return f"end of {end:%B} {end.year}"


def _v(v: dict, key: str) -> float:
    return float(v.get(key, math.nan))


def key_figures(sheet: pd.DataFrame, lang: str = "zh", changes: dict[str, str] | None = None) -> list[dict]:
    """The key-figure box of page 1: label, value and a short note per figure (from the sheet only).

    Items: poverty incidence against the exit threshold, people still to lift, poor households,
    committed investment (万元; and per poor person in whole 元), contacts coverage of poor households.
    An item whose indicator is not in the sheet (no work log, no projects) is left out. ``changes``
    (indicator id → the change since the previous period, as text) adds "比上期 …" to an item's note.
    """
    v = values(sheet)
    zh = lang == "zh"
    h, z = _v(v, "poverty_incidence"), _v(v, "exit_threshold")
    items = [{"id": "poverty_incidence", "label": "贫困发生率" if zh else "Poverty incidence", "value": pct(h),
              "note": (f"退出标准 {pct(z)}" if zh else f"exit threshold {pct(z)}")}]
    need = _v(v, "poverty_reduction_needed")
    items.append({"id": "poverty_reduction_needed", "label": "距退出尚需脱贫" if zh else "Still to lift",
                  "value": f"{whole(need)} 人" if zh else plural(need, "person", "people"),
                  "note": (f"贫困人口 {whole(_v(v, 'poor_population'))} 人" if zh
                           else f"of {plural(_v(v, 'poor_population'), 'poor person', 'poor people')}")})
    items.append({"id": "poor_households", "label": "贫困户" if zh else "Poor households",
                  "value": f"{whole(_v(v, 'poor_households'))} 户" if zh else whole(_v(v, "poor_households")),
                  "note": (f"全村 {whole(_v(v, 'households_total'))} 户" if zh
                           else f"of {plural(_v(v, 'households_total'), 'household')}")})
    if "investment_committed_yuan" in v:
        inv, per = _v(v, "investment_committed_yuan"), _v(v, "investment_committed_per_poor_person_yuan")
        items.append({"id": "investment_committed_yuan", "label": "已投入项目资金" if zh else "Committed investment",
                      "value": f"{wan_yuan(inv)} 万元" if zh else f"{whole(inv)} yuan",
                      "note": (f"{whole(inv)} 元；人均 {whole(per)} 元" if zh
                               else f"{wan_yuan(inv)} ×10,000 yuan; {whole(per)} yuan per poor person")})
    if "contact_rate" in v:
        items.append({"id": "contact_rate", "label": "贫困户对接率" if zh else "Poor households contacted",
                      "value": pct(_v(v, "contact_rate")),
                      "note": (f"{whole(_v(v, 'contacted_poor_households'))} / {whole(_v(v, 'poor_households'))} 户"
                               if zh else f"{whole(_v(v, 'contacted_poor_households'))} of "
                               f"{whole(_v(v, 'poor_households'))}")})
    for item in items:
        if changes and item["id"] in changes:
            item["note"] += f"；比上期 {changes[item['id']]}" if zh else f"; {changes[item['id']]} on previous"
    return items


def summary_text(sheet: pd.DataFrame, period: Period, lang: str = "zh") -> str:
    """The summary paragraph of page 1, every number read from the sheet.

    Zh, e.g. "截至2017年6月底，全村农业户176户410人，其中建档立卡贫困户86户196人，贫困发生率47.8%，高于退出标准
    （2%）45.8个百分点，距退出尚需脱贫188人。" followed by the work, crops and investment sentences of the
    tables present. The gap is in percentage points: (incidence − threshold) × 100.
    """
    v = values(sheet)
    h, z = _v(v, "poverty_incidence"), _v(v, "exit_threshold")
    gap = abs(h - z) * 100
    above = h >= z
    hh, pop = _v(v, "households_total"), _v(v, "population_total")
    ph, pp = _v(v, "poor_households"), _v(v, "poor_population")
    need = _v(v, "poverty_reduction_needed")
    if lang == "zh":
        s = (f"截至{cutoff_text(period)}，全村农业户{whole(hh)}户{whole(pop)}人，其中建档立卡贫困户{whole(ph)}户"
             f"{whole(pp)}人，贫困发生率{pct(h)}，")
        if above:
            s += f"高于退出标准（{pct(z)}）{gap:.1f}个百分点，距退出尚需脱贫{whole(need)}人。"
        else:
            s += f"低于退出标准（{pct(z)}）{gap:.1f}个百分点，已达到贫困村退出的发生率标准。"
        if "contacted_poor_households" in v:
            s += (f"本期入户对接贫困户{whole(_v(v, 'contacted_poor_households'))}户，对接率{pct(_v(v, 'contact_rate'))}"
                  f"，召开各类会议{whole(_v(v, 'meetings_total'))}次。")
        if "crop_target_new_area_mu" in v:
            s += f"计划新增种植面积{whole(_v(v, 'crop_target_new_area_mu'))}亩"
            done = _v(v, "crop_achieved_new_area_mu")
            s += f"，已完成{whole(done)}亩。" if not math.isnan(done) else "，完成面积尚未记录。"
        if "investment_committed_yuan" in v:
            s += (f"列入项目{whole(_v(v, 'projects_total'))}个，已投入（在建及完工）项目资金"
                  f"{wan_yuan(_v(v, 'investment_committed_yuan'))}万元，贫困人口人均"
                  f"{whole(_v(v, 'investment_committed_per_poor_person_yuan'))}元。")
        return s
    s = (f"As of the {cutoff_text(period, 'en')}, the village had {plural(hh, 'agricultural household')} "
         f"({plural(pop, 'person', 'people')}), of which {plural(ph, 'registered poor household')} "
         f"({plural(pp, 'person', 'people')}). Poverty incidence was {pct(h)}, ")
    if above:
        s += (f"{gap:.1f} percentage points above the exit threshold ({pct(z)}); "
              f"{plural(need, 'person', 'people')} still need to be lifted out of poverty before the village can exit.")
    else:
        s += f"{gap:.1f} percentage points below the exit threshold ({pct(z)}): the incidence test for exit is met."
    if "contacted_poor_households" in v:
        s += (f" The team contacted {plural(_v(v, 'contacted_poor_households'), 'poor household')} "
              f"({pct(_v(v, 'contact_rate'))}) and held {plural(_v(v, 'meetings_total'), 'meeting')}.")
    if "crop_target_new_area_mu" in v:
        done = _v(v, "crop_achieved_new_area_mu")
        s += f" New crop area planned: {whole(_v(v, 'crop_target_new_area_mu'))} mu"
        s += f", {whole(done)} mu achieved." if not math.isnan(done) else "; achieved area not yet recorded."
    if "investment_committed_yuan" in v:
        s += (f" Of the {plural(_v(v, 'projects_total'), 'project')} listed, those in progress or completed commit "
              f"{whole(_v(v, 'investment_committed_yuan'))} yuan, "
              f"{whole(_v(v, 'investment_committed_per_poor_person_yuan'))} yuan per poor person.")
    return s
