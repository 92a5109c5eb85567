"""Alerts for section 五、问题与提示, computed from the indicator sheet and the period's tables.

Each alert is a row: ``alert`` id, ``level`` (``warning`` or ``info``), ``value`` (the figure that
triggered it) and the message in Chinese and English. Thresholds are arguments, not constants buried
in text.
"""

from __future__ import annotations

import math

import pandas as pd

from .indicators import values
from .labels import display_names
from .load import PeriodData
from .measures import crops, register

COLUMNS = ("alert", "level", "value", "message_zh", "message_en")


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def alerts(sheet: pd.DataFrame, data: PeriodData, *, far_above: float = 2.0,
           absent_share_warning: float = 0.2) -> pd.DataFrame:
    """Alerts for the period.

    Parameters
    ----------
    sheet : DataFrame
        The period's indicator sheet.
    data : PeriodData
        The period's tables (for names of projects and crop groups).
    far_above : float
        Incidence at or above ``far_above`` × the exit threshold is a warning. [ratio]
    absent_share_warning : float
        Share of poor households long absent at or above which it is a warning. [ratio]

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`; warnings first.
    """
    v = values(sheet)
    rows: list[tuple] = []
    h, z = v["poverty_incidence"], v["exit_threshold"]
    if not math.isnan(h):
        if h >= z:
            times = h / z
            rows.append(("incidence_above_threshold", "warning" if times >= far_above else "info", times,
                         f"贫困发生率{_pct(h)}，是退出标准（低于{_pct(z)}）的{times:.1f}倍；"
                         f"达到退出标准尚需脱贫{v['poverty_reduction_needed']:.0f}人。",
                         f"Poverty incidence is {_pct(h)}, {times:.1f} times the exit threshold ({_pct(z)}); "
                         f"{v['poverty_reduction_needed']:.0f} people still need to exit poverty."))
        else:
            rows.append(("incidence_below_threshold", "info", h,
                         f"贫困发生率{_pct(h)}，已低于退出标准{_pct(z)}。",
                         f"Poverty incidence {_pct(h)} is below the exit threshold {_pct(z)}."))
    absent, poor = v.get("absent_poor_households", math.nan), v["poor_households"]
    if not math.isnan(absent) and poor > 0 and absent > 0:
        share = absent / poor
        rows.append(("absent_poor_households", "warning" if share >= absent_share_warning else "info", share,
                     f"{absent:.0f}户贫困户长期不在村，占贫困户的{_pct(share)}，入户帮扶难以覆盖。",
                     f"{absent:.0f} poor households ({_pct(share)}) are long absent from the village and hard "
                     f"to reach."))
    if "contacted_poor_households" in v and not math.isnan(v["contacted_poor_households"]):
        resident = poor - (0 if math.isnan(absent) else absent)
        missing = resident - v["contacted_poor_households"]
        if missing > 0:
            rows.append(("resident_poor_not_contacted", "warning", missing,
                         f"在村贫困户中有{missing:.0f}户本期未对接。",
                         f"{missing:.0f} resident poor households were not contacted this period."))
    if data.has("projects"):
        projects = data.table("projects")
        unknown = projects.loc[projects["investment_yuan"].isna()]
        if len(unknown):
            rows.append(("projects_without_investment", "warning", float(len(unknown)),
                         f"{len(unknown)}个项目投资额未知：{'、'.join(unknown['name_zh'])}。",
                         f"{len(unknown)} project(s) with unknown investment: "
                         f"{', '.join(display_names(unknown, 'en'))}."))
    if data.has("crops"):
        stalled = crops.groups_without_progress(data.table("crops"))
        if len(stalled):
            area = stalled["target_new_area_mu"].sum()
            rows.append(("crop_targets_without_progress", "warning", float(area),
                         f"{'、'.join(stalled['name_zh'])}共{area:g}亩计划新增面积尚无完成记录。",
                         f"No achieved area recorded yet for {', '.join(display_names(stalled, 'en'))} "
                         f"({area:g} mu planned)."))
    if data.has("households"):
        rows.extend(_register_alerts(v, data))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["_order"] = out["level"].map({"warning": 0, "info": 1})
    return out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _register_alerts(v: dict, data: PeriodData) -> list[tuple]:
    from .schema import POPULATION_MEASURES

    rows = []
    hh = data.table("households")
    recon = register.reconcile(hh, data.measures())
    for measure, r in recon.loc[recon["comparable"] & recon["difference"].ne(0)].iterrows():
        zh, en = POPULATION_MEASURES.label(measure, "zh"), POPULATION_MEASURES.label(measure, "en")
        rows.append((f"reconciliation_{measure}", "warning", float(r["difference"]),
                     f"登记册与上报数据不一致：{zh}上报{r['reported']:g}，登记册{r['derived']:g}（差{r['difference']:+g}）。",
                     f"Register and reported counts disagree: {en.lower()} reported {r['reported']:g}, "
                     f"register {r['derived']:g} ({r['difference']:+g})."))
    failing = v.get("exited_failing_criteria_households", 0)
    if failing > 0:
        rows.append(("exited_failing_criteria", "warning", failing,
                     f"{failing:.0f}户已脱贫户收入未超过贫困标准或两不愁三保障未全部解决。",
                     f"{failing:.0f} exited households have income not above the line or a guarantee not secure."))
    eligible = v.get("exit_eligible_households", 0)
    if eligible > 0:
        rows.append(("exit_eligible", "info", eligible,
                     f"{eligible:.0f}户贫困户已符合脱贫条件，可启动退出程序。",
                     f"{eligible:.0f} poor households meet the exit test and can start the exit procedure."))
    findings = v.get("audit_findings", 0)
    if findings > 0:
        rows.append(("audit_findings", "warning", findings, f"登记册核查发现{findings:.0f}条问题，见第六部分。",
                     f"The register audit found {findings:.0f} issues (section 6)."))
    if data.poverty_line is not None and not data.poverty_line.verified:
        rows.append(("poverty_line_unverified", "info", data.poverty_line.line_yuan,
                     f"{data.poverty_line.year}年贫困标准{data.poverty_line.line_yuan:,.0f}元尚未核实，请以官方数字为准。",
                     f"The {data.poverty_line.year} poverty line ({data.poverty_line.line_yuan:,.0f} yuan) is not "
                     f"verified against an official source."))
    return rows
