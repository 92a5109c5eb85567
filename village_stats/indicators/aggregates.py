"""Indicators of the village aggregates: population, the work log, crops and investment."""

from __future__ import annotations

from ..measures import crops, investment, poverty, worklog
from ..schema import (
    PROJECT_CATEGORIES,
)
from ..units import Ratio, Setting, Sum
from .catalogue import Value, indicator

# --------------------------------------------------------------------------- population

for _m, _zh, _en, _unit in (
    ("households_total", "农业户数", "Agricultural households", "households"),
    ("population_total", "农业人口", "Agricultural population", "persons"),
    ("poor_households", "贫困户数", "Poor households", "households"),
    ("poor_population", "贫困人口", "Poor population", "persons"),
):
    indicator(_m, _unit, _zh, _en, description=f"Reported in population.csv (measure `{_m}`).")(
        lambda ctx, _m=_m: ctx.measure(_m))


@indicator("poor_household_share", "ratio", "贫困户占比", "Share of households that are poor",
           combine=Ratio("poor_households", "households_total"))
def _poor_household_share(ctx):
    """poor_households / households_total."""
    return ctx.ratio(poverty.poor_household_share)


@indicator("poverty_incidence", "ratio", "贫困发生率", "Poverty incidence",
           combine=Ratio("poor_population", "population_total"))
def _poverty_incidence(ctx):
    """poor_population / population_total (agricultural population)."""
    return ctx.ratio(poverty.poverty_incidence)


@indicator("avg_household_size", "persons_per_household", "户均人口", "Average household size",
           combine=Ratio("population_total", "households_total"))
def _avg_household_size(ctx):
    """population_total / households_total."""
    return ctx.ratio(poverty.average_household_size)


@indicator("avg_poor_household_size", "persons_per_household", "贫困户户均人口", "Average poor household size",
           combine=Ratio("poor_population", "poor_households"))
def _avg_poor_household_size(ctx):
    """poor_population / poor_households."""
    return ctx.ratio(poverty.average_household_size)


for _m, _zh, _en in (
    ("wubao_households", "五保户数", "Wubao (five-guarantee) households"),
    ("dibao_households", "低保户数", "Dibao (minimum-living) households"),
    ("absent_poor_households", "长期不在村贫困户数", "Poor households long absent"),
):
    indicator(_m, "households", _zh, _en, description=f"Reported in population.csv (measure `{_m}`).")(
        lambda ctx, _m=_m: ctx.measure(_m))


@indicator("exit_threshold", "ratio", "贫困村退出标准（贫困发生率低于）", "Village exit threshold (incidence below)",
           combine=Setting())
def _exit_threshold(ctx):
    """From village.yaml, else by region from data/policy/exit_thresholds.csv."""
    return ctx.data.village.exit_threshold


@indicator("max_poor_population_at_exit", "persons", "达到退出标准时贫困人口上限",
           "Most poor people allowed at exit")
def _max_poor(ctx):
    """Largest integer p with p / population_total < exit_threshold."""
    return poverty.max_poor_population_at_exit(ctx["population_total"], ctx["exit_threshold"])


@indicator("poverty_reduction_needed", "persons", "距退出标准尚需脱贫人口", "People still to lift before exit",
           combine=Sum(plus=("poor_population",), minus=("max_poor_population_at_exit",), clipped=True))
def _reduction_needed(ctx):
    """max(0, poor_population − max_poor_population_at_exit)."""
    return poverty.poverty_reduction_needed(ctx["poor_population"], ctx["max_poor_population_at_exit"])


# --------------------------------------------------------------------------- work log

@indicator("contacted_poor_households", "households", "入户对接贫困户数", "Poor households contacted", "work_log")
def _contacted(ctx):
    """Σ count of household_contact rows."""
    return worklog.activity_total(ctx.data.table("work_log"), "household_contact")


@indicator("contact_rate", "ratio", "贫困户对接率", "Contact rate of poor households", "work_log",
           combine=Ratio("contacted_poor_households", "poor_households"))
def _contact_rate(ctx):
    """contacted_poor_households / poor_households."""
    return ctx.ratio(worklog.contact_rate)


@indicator("resident_contact_rate", "ratio", "在村贫困户对接率", "Contact rate of resident poor households",
           "work_log", combine=Ratio("contacted_poor_households", parts_unit="households"))
def _resident_contact_rate(ctx):
    """contacted_poor_households / (poor_households − absent_poor_households)."""
    num = ctx["contacted_poor_households"]
    den = worklog.resident_poor_households(ctx["poor_households"], ctx["absent_poor_households"])
    return Value(worklog.resident_contact_rate(num, ctx["poor_households"], ctx["absent_poor_households"]),
                 num, den)


@indicator("household_visits", "household_visits", "入户走访户次", "Household visits", "work_log")
def _visits(ctx):
    """Σ count of household_visit rows."""
    return worklog.activity_total(ctx.data.table("work_log"), "household_visit")


@indicator("meetings_total", "meetings", "召开会议次数", "Meetings held", "work_log")
def _meetings(ctx):
    """Σ count of the meeting and forum activities."""
    return worklog.meetings_total(ctx.data.table("work_log"))


# --------------------------------------------------------------------------- crops

@indicator("crop_target_new_area_mu", "mu", "计划新增种植面积", "Planned new crop area", "crops")
def _crop_target(ctx):
    """Σ target_new_area_mu."""
    return crops.target_new_area_mu(ctx.data.table("crops"))


@indicator("crop_target_new_area_ha", "ha", "计划新增种植面积（公顷）", "Planned new crop area (ha)", "crops")
def _crop_target_ha(ctx):
    """crop_target_new_area_mu / 15."""
    return crops.mu_to_ha(ctx["crop_target_new_area_mu"])


@indicator("crop_achieved_new_area_mu", "mu", "已完成新增种植面积", "New crop area achieved", "crops")
def _crop_achieved(ctx):
    """Σ achieved_new_area_mu; unknown when nothing is recorded."""
    return crops.achieved_new_area_mu(ctx.data.table("crops"))


@indicator("crop_achievement_share", "ratio", "种植结构调整完成率", "Share of planned crop area achieved", "crops",
           combine=Ratio("crop_achieved_new_area_mu", "crop_target_new_area_mu"))
def _crop_share(ctx):
    """crop_achieved_new_area_mu / crop_target_new_area_mu."""
    return ctx.ratio(crops.achievement_share)


# --------------------------------------------------------------------------- investment

@indicator("investment_committed_yuan", "yuan", "已投入（在建及完工）项目投资", "Committed investment "
           "(in progress and completed)", "projects")
def _committed(ctx):
    """Σ investment_yuan of in-progress and completed projects."""
    return investment.committed_yuan(ctx.data.table("projects"))


@indicator("investment_planned_yuan", "yuan", "计划项目投资", "Planned investment", "projects")
def _planned(ctx):
    """Σ investment_yuan of planned projects."""
    return investment.planned_yuan(ctx.data.table("projects"))


@indicator("investment_committed_per_poor_person_yuan", "yuan_per_person", "贫困人口人均已投入项目投资",
           "Committed investment per poor person", "projects",
           combine=Ratio("investment_committed_yuan", "poor_population"))
def _per_poor(ctx):
    """investment_committed_yuan / poor_population."""
    return ctx.ratio(investment.per_person)


for _cat in PROJECT_CATEGORIES.terms:
    def _by_category(ctx, _c=_cat.id):
        """Σ investment_yuan of committed projects in the category."""
        if "by_category" not in ctx.cache:
            ctx.cache["by_category"] = investment.committed_by_category(ctx.data.table("projects"))
        return float(ctx.cache["by_category"][_c])

    indicator(f"investment_{_cat.id}_yuan", "yuan", f"已投入项目投资：{_cat.zh}",
              f"Committed investment: {_cat.en.lower()}", "projects")(_by_category)


@indicator("projects_total", "projects", "项目数", "Projects", "projects")
def _projects_total(ctx):
    """Number of rows of projects."""
    return float(investment.project_count(ctx.data.table("projects")))


@indicator("projects_without_investment", "projects", "投资额未知的项目数", "Projects with unknown investment",
           "projects")
def _projects_unknown(ctx):
    """Projects whose investment_yuan is empty."""
    return float(investment.projects_without_investment(ctx.data.table("projects")))
