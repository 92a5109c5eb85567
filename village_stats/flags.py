"""Alerts for section 五、问题与提示, computed from the indicator sheet and the period's tables.

Each alert is a row: ``alert`` id, ``level`` (``warning`` or ``info``), ``value`` (the figure that
triggered it) and the message in Chinese and English. Thresholds are arguments, not constants buried
in text.
"""

from __future__ import annotations

import math

import pandas as pd

from . import crops
from .indicators import values
from .io import PeriodData

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
                         f"{', '.join(_names_en(unknown))}."))
    if data.has("crops"):
        stalled = crops.groups_without_progress(data.table("crops"))
        if len(stalled):
            area = stalled["target_new_area_mu"].sum()
            rows.append(("crop_targets_without_progress", "warning", float(area),
                         f"{'、'.join(stalled['name_zh'])}共{area:g}亩计划新增面积尚无完成记录。",
                         f"No achieved area recorded yet for {', '.join(_names_en(stalled))} "
                         f"({area:g} mu planned)."))
    for extra in _EXTRA_ALERTS:
        rows.extend(extra(sheet, data))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["_order"] = out["level"].map({"warning": 0, "info": 1})
    return out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _names_en(frame: pd.DataFrame) -> list[str]:
    if "name_en" in frame:
        return [en if isinstance(en, str) and en else zh for zh, en in zip(frame["name_zh"], frame["name_en"])]
    return list(frame["name_zh"])


#: Further alert producers (e.g. register reconciliation), each ``f(sheet, data) -> list of rows``.
_EXTRA_ALERTS: list = []
