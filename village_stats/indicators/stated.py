"""Figures the alerts state: the alerts read the sheet only, so every figure an alert states is one of these
or another indicator."""

from __future__ import annotations

from ..measures import arith, crops, register, worklog
from ..schema import POPULATION_MEASURES as _POP
from ..units import Ratio, Setting, Sum
from .catalogue import CATALOGUE, Value, cached, indicator
from .households import households_table

# --------------------------------------------------------------------------- figures the alerts state
# (alerts read the sheet only: every figure an alert states is one of these or another indicator)

@indicator("absent_poor_household_share", "ratio", "长期不在村贫困户占贫困户比例", "Share of poor households long absent",
           combine=Ratio("absent_poor_households", "poor_households"))
def _absent_share(ctx):
    """absent_poor_households / poor_households."""
    return Value(arith.ratio(ctx.measure("absent_poor_households"), ctx["poor_households"]),
                 ctx.measure("absent_poor_households"), ctx["poor_households"])


@indicator("uncontacted_resident_poor_households", "households", "本期未对接的在村贫困户数",
           "Resident poor households not contacted", "work_log",
           combine=Sum(plus=("poor_households",), minus=("absent_poor_households", "contacted_poor_households"),
                       clipped=True))
def _uncontacted(ctx):
    """(poor − absent) − contacted, at least 0 (worklog.uncontacted_resident_poor_households)."""
    return worklog.uncontacted_resident_poor_households(ctx["poor_households"], ctx.measure("absent_poor_households"),
                                                       ctx["contacted_poor_households"])


@indicator("crop_groups_without_progress", "crop_groups", "尚无完成面积记录的作物类别数",
           "Crop groups without recorded progress", "crops")
def _crop_groups_stalled(ctx):
    """Crop groups with a target and no achieved area recorded (crops.groups_without_progress)."""
    return float(len(crops.groups_without_progress(ctx.data.table("crops"))))


@indicator("crop_target_without_progress_mu", "mu", "尚无完成记录的计划新增面积", "Planned new area without recorded progress",
           "crops")
def _crop_area_stalled(ctx):
    """Σ target_new_area_mu of the groups without progress (crops.target_without_progress_mu)."""
    return crops.target_without_progress_mu(ctx.data.table("crops"))



#: The register's own count of a reported measure is, where the register gives it, the register indicator.
_SAME_COUNT = {"households_total": "register_households", "population_total": "register_population",
               "poor_households": "register_poor_households", "poor_population": "register_poor_population"}

for _measure, _how, _ in register.RECONCILED:
    def _derived(ctx, _measure=_measure):
        """The register's own count (register.reconcile, derived); empty when the register cannot give it."""
        return float(cached(ctx, "reconcile", register.reconcile, households_table(ctx), ctx.measures).loc[_measure, "derived"])

    indicator(f"register_count_{_measure}", CATALOGUE[_measure].unit,
              f"登记册计数：{_POP.label(_measure, 'zh')}", f"Register count: {_POP.label(_measure, 'en').lower()}",
              "households", combine=Sum(plus=(_SAME_COUNT[_measure],) if _measure in _SAME_COUNT else ()))(_derived)


@indicator("poverty_line_verified", "index", "贫困标准已核实（1 是，0 否）", "Poverty line verified (1 yes, 0 no)",
           "households", combine=Setting())
def _line_verified(ctx):
    """1 when the poverty line used was checked against an official source, else 0."""
    return 1.0 if ctx.data.poverty_line.verified else 0.0
