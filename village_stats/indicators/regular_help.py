"""Indicators of 常态化帮扶 (from 2026): 防止返贫致贫对象, identification time, 风险消除 that breaks the rule,
help coverage, 务工规模, income of exited households and its parts, the low-income layers, members.

They apply to a period whose data carry the 2026 fields (:func:`village_stats.schema.has_2026_fields`):
a members or help_measures table, or a 2026 household column filled in. The measures are in
:mod:`village_stats.measures.regular_help`; the detail frames the report shows (layer overlap, 风险消除
breaks) are cached under the keys of :data:`DETAIL_KEYS`.
"""

from __future__ import annotations

import pandas as pd

from ..load import PeriodData
from ..measures import regular_help as rh
from ..schema import DISCOVERY_CHANNELS, INCOME_PARTS, has_2026_fields
from ..units import Local, Ratio, Setting, Sum
from .catalogue import GROUPS, Context, cached, indicator
from .households import check_findings, households_table

GROUP = "regular_help"
#: Detail frames kept in the context's cache for the report.
DETAIL_KEYS = ("layer_overlap", "risk_elimination_breaks", "identification_days")
#: The rules of the check catalogue (docs/checks.md) whose findings are the member audit: the household's
#: member count differs from its rows in members.csv (MB-001), no 户主 (MB-004), two 户主 or more (MB-005).
MEMBER_AUDIT_RULES = ("MB-001", "MB-004", "MB-005")


def has_regular_help(data: PeriodData) -> bool:
    """Whether the period has a register with the 2026 data (then it has these indicators)."""
    return data.has("households") and has_2026_fields(data.tables)


GROUPS[GROUP] = has_regular_help


def _span(ctx: Context):
    return ctx.data.period.start, ctx.data.period.end


def _members(ctx: Context) -> pd.DataFrame:
    return ctx.data.table("members")


def _measures(ctx: Context) -> pd.DataFrame:
    return ctx.data.table("help_measures")


def _rule(ctx: Context, rule: str, default: float) -> float:
    r = ctx.data.rules.monitoring.get(rule)
    return default if r is None else r.value


def threshold(ctx: Context) -> float:
    """The year's monitoring threshold (防止返贫致贫对象认定标准), NaN when none was resolved."""
    r = ctx.data.rules.monitoring_threshold
    return float("nan") if r is None else r.value


# --------------------------------------------------------------------------- objects

def _count(ctx: Context, mask) -> tuple[float, float]:
    return rh.count_persons(households_table(ctx), mask)


def _open(ctx: Context):
    return cached(ctx, "unresolved", rh.unresolved, households_table(ctx), ctx.data.period.end)


@indicator("unresolved_objects", "households", "防止返贫致贫对象户数（期末未消除风险）",
           "Households at risk of (returning to) poverty, unresolved at the period's end", GROUP)
def _unresolved(ctx):
    """Households with a monitoring_type and no risk_eliminated_on by the period's end."""
    return _count(ctx, _open(ctx))[0]


@indicator("unresolved_object_persons", "persons", "防止返贫致贫对象人数（期末未消除风险）",
           "Persons at risk of (returning to) poverty, unresolved at the period's end", GROUP)
def _unresolved_persons(ctx):
    """Σ members of the unresolved objects."""
    return _count(ctx, _open(ctx))[1]


@indicator("monitored_households_non_registered", "households", "非建档立卡防止返贫致贫对象户数",
           "Objects that were never registered poor (category non_poor)", GROUP,
           combine=Sum(part_of="unresolved_objects", by="category"))
def _non_registered(ctx):
    """Unresolved objects whose category is non_poor (any rural household can be an object from 2026)."""
    return _count(ctx, _open(ctx) & households_table(ctx)["category"].eq("non_poor"))[0]


@indicator("monitored_persons_non_registered", "persons", "非建档立卡防止返贫致贫对象人数",
           "Persons of objects that were never registered poor", GROUP,
           combine=Sum(part_of="unresolved_object_persons", by="category"))
def _non_registered_persons(ctx):
    """Σ members of unresolved objects whose category is non_poor."""
    return _count(ctx, _open(ctx) & households_table(ctx)["category"].eq("non_poor"))[1]


@indicator("rural_population", "persons", "农村人口（本村）", "Rural population of the village", GROUP)
def _rural_population(ctx):
    """population_total of population.csv (the whole village's rural population)."""
    return ctx.measure("population_total")


@indicator("object_population_share", "ratio", "防止返贫致贫对象人口占农村人口比例",
           "Persons of objects / rural population", GROUP,
           combine=Ratio("unresolved_object_persons", "rural_population"))
def _object_share(ctx):
    """unresolved_object_persons / rural_population (no cap applies from 2026: 应纳尽纳)."""
    return ctx.ratio(lambda n, d: n / d if d > 0 else float("nan"))


@indicator("objects_below_standard", "households", "收入低于当年认定标准的防止返贫致贫对象户数",
           "Unresolved objects with income below the year's standard", GROUP)
def _below(ctx):
    """Unresolved objects whose income_per_capita_yuan is below the year's monitoring threshold."""
    hh = households_table(ctx)
    return _count(ctx, _open(ctx) & (hh["income_per_capita_yuan"] < threshold(ctx)))[0]


# --------------------------------------------------------------------------- 风险消除

@indicator("objects_ever", "households", "防止返贫致贫对象户数（累计识别）", "Objects ever identified", GROUP)
def _ever(ctx):
    """Households with a monitoring_type (records stay after 风险消除)."""
    return float(rh.is_object(households_table(ctx)).sum())


@indicator("risk_eliminated_by_end", "households", "累计风险消除户数", "Objects with risk eliminated by the "
           "period's end", GROUP)
def _eliminated(ctx):
    """Objects with a risk_eliminated_on on or before the period's end."""
    return float((rh.is_object(households_table(ctx)) & ~_open(ctx)).sum())


@indicator("risk_elimination_rate", "ratio", "风险消除率（累计消除/累计识别）", "Risk elimination rate "
           "(eliminated / ever identified)", GROUP, combine=Ratio("risk_eliminated_by_end", "objects_ever"))
def _elimination_rate(ctx):
    """risk_eliminated_by_end / objects_ever."""
    return ctx.ratio(lambda n, d: n / d if d > 0 else float("nan"))


def breaks(ctx: Context) -> pd.DataFrame:
    """风险消除 marks of the period that break the rule (cached, see measures.regular_help)."""
    start, end = _span(ctx)
    return cached(ctx, "risk_elimination_breaks", rh.risk_elimination_breaks, households_table(ctx), start, end,
                  threshold(ctx))


@indicator("risk_eliminated_in_period", "households", "本期标注风险消除户数", "Objects marked risk eliminated "
           "in the period", GROUP)
def _eliminated_now(ctx):
    """Objects whose risk_eliminated_on falls in the period."""
    return float(len(breaks(ctx)))


@indicator("risk_elimination_rule_breaks", "households", "本期风险消除不符合规定户数",
           "Risk-elimination marks of the period that break the rule", GROUP)
def _breaks(ctx):
    """Marks dated in the period with income below the year's standard, a guarantee not secure, or less
    than six months after monitoring_since."""
    return float(breaks(ctx)["breaks"].sum())


# --------------------------------------------------------------------------- identification time

def _days(ctx: Context) -> pd.Series:
    start, end = _span(ctx)
    return cached(ctx, "identification_days", rh.identification_days, households_table(ctx), start, end)


@indicator("identified_in_period", "households", "本期新识别对象户数（有发现日期）",
           "Objects identified in the period (with the day the risk was found)", GROUP)
def _identified(ctx):
    """Objects whose monitoring_since falls in the period and that have a risk_found_on."""
    return float(len(_days(ctx)))


@indicator("identified_within_15_days", "households", "15天内完成识别的对象户数",
           "Objects identified within 15 days of the first risk clue", GROUP)
def _within(ctx):
    """Of identified_in_period: monitoring_since − risk_found_on ≤ 15 days (identification_days_max)."""
    return float((_days(ctx) <= _rule(ctx, "identification_days_max", 15)).sum())


@indicator("identified_within_15_days_share", "ratio", "15天内完成识别的比例", "Share identified within 15 days",
           GROUP, combine=Ratio("identified_within_15_days", "identified_in_period"))
def _within_share(ctx):
    """identified_within_15_days / identified_in_period."""
    return ctx.ratio(lambda n, d: n / d if d > 0 else float("nan"))


@indicator("identification_days_median", "days", "识别用时中位数（发现风险至纳入监测）",
           "Median days from first risk clue to identification", GROUP, combine=Local())
def _median(ctx):
    """Median of monitoring_since − risk_found_on over identified_in_period [days] (not combined over villages)."""
    return rh.identification_summary(_days(ctx))[0]


@indicator("publicity_short_households", "households", "公示不足5天的对象户数",
           "Objects whose public notice (gongshi) lasted fewer than 5 days", GROUP)
def _publicity(ctx):
    """Objects identified in the period whose 公示 lasted fewer than publicity_days_min (5) days, both counted."""
    start, end = _span(ctx)
    return float(rh.publicity_short(households_table(ctx), start, end, _rule(ctx, "publicity_days_min", 5)).sum())


for _t in DISCOVERY_CHANNELS.terms:
    indicator(f"identified_by_{_t.id}", "households", f"本期识别对象户数：{_t.zh}",
              f"Objects identified in the period: {_t.en.lower()}", GROUP,
              description=f"Objects whose monitoring_since falls in the period and discovery_channel = {_t.id}.")(
        lambda ctx, _id=_t.id: float(rh.channels(households_table(ctx), *_span(ctx)).get(_id, 0.0)))


# --------------------------------------------------------------------------- help measures

@indicator("help_covered_objects", "households", "有在实施帮扶措施的未消除风险对象户数",
           "Unresolved objects with a measure running in the period", GROUP)
def _covered(ctx):
    """Unresolved objects with at least one help measure running in the period."""
    return rh.help_coverage(households_table(ctx), _measures(ctx), *_span(ctx))[0]


@indicator("help_coverage_share", "ratio", "帮扶措施覆盖率（未消除风险对象）", "Help coverage of unresolved objects",
           GROUP, combine=Ratio("help_covered_objects", "unresolved_objects"))
def _coverage(ctx):
    """help_covered_objects / unresolved_objects."""
    return ctx.ratio(lambda n, d: n / d if d > 0 else float("nan"))


@indicator("exited_or_object_households", "households", "脱贫户和防止返贫致贫对象户数",
           "Exited households and objects", GROUP)
def _base(ctx):
    """Households with status exited or a monitoring_type."""
    return float(rh.exited_or_object(households_table(ctx)).sum())


@indicator("industry_help_households", "households", "有产业帮扶的脱贫户和对象户数",
           "Exited households and objects with industry support", GROUP)
def _industry(ctx):
    """Exited households and objects with a 产业帮扶 measure running in the period."""
    return rh.industry_help(households_table(ctx), _measures(ctx), *_span(ctx))[0]


@indicator("industry_help_share", "ratio", "产业帮扶覆盖率（脱贫户和对象）", "Industry support coverage "
           "(exited households and objects)", GROUP,
           combine=Ratio("industry_help_households", "exited_or_object_households"))
def _industry_share(ctx):
    """industry_help_households / exited_or_object_households (counties report > 85%)."""
    return ctx.ratio(lambda n, d: n / d if d > 0 else float("nan"))


@indicator("help_measures_amount_yuan", "yuan", "本期在实施帮扶措施金额", "Amount of the measures running in "
           "the period", GROUP)
def _amount(ctx):
    """Σ amount_yuan of the measures running in the period (unknown amounts left out)."""
    m = _measures(ctx)
    return float(m.loc[rh.running(m, *_span(ctx)), "amount_yuan"].astype(float).sum()) if len(m) else 0.0


# --------------------------------------------------------------------------- 务工 and members

def _workers(data: PeriodData) -> tuple[float, float]:
    if not data.has("members"):
        return float("nan"), float("nan")
    return rh.migrant_workers(data.table("households"), data.table("members"))


@indicator("migrant_workers", "persons", "务工规模（脱贫户和对象家庭成员外出务工人数）",
           "Migrant workers (members of exited households and objects)", GROUP)
def _migrants(ctx):
    """Members of exited households and objects with work_place not 未务工 and work_months > 0."""
    return _workers(ctx.data)[0]


@indicator("migrant_worker_months", "person_months", "务工时间合计（人·月）", "Months worked away (person-months)",
           GROUP)
def _migrant_months(ctx):
    """Σ work_months of migrant_workers."""
    return _workers(ctx.data)[1]


@indicator("migrant_workers_change", "persons", "务工规模较上期变化", "Migrant workers: change on the previous "
           "period", GROUP)
def _migrants_change(ctx):
    """migrant_workers − migrant_workers of the previous period (NaN without a previous period with members)."""
    prev = ctx.data.previous
    return ctx["migrant_workers"] - (_workers(prev)[0] if prev is not None else float("nan"))


@indicator("school_age_not_in_school", "persons", "义务教育阶段适龄未在校人数", "School-age children (6–15) not in "
           "school", GROUP)
def _school(ctx):
    """Members aged 6–15 at the period's end whose in_school is 辍学 or 未在校."""
    return float(rh.school_age_not_in_school(_members(ctx), ctx.data.period.end).sum())


@indicator("member_rows", "persons", "家庭成员人数（成员表）", "Members listed", GROUP)
def _member_rows(ctx):
    """Rows of members.csv."""
    return float(len(_members(ctx)))


for _col, _zh, _en in (("medical_insured", "参加基本医疗保险", "medical"),
                       ("pension_insured", "参加基本养老保险", "pension")):
    indicator(f"{_col}_members", "persons", f"{_zh}人数", f"Members with {_en} insurance", GROUP,
              description=f"Members with {_col} = yes.")(
        lambda ctx, _c=_col: rh.insured_share(_members(ctx), _c)[0])
    indicator(f"{_col}_share", "ratio", f"{_zh}比例", f"Share of members with {_en} insurance", GROUP,
              description=f"{_col}_members / member_rows (unknown counts as not insured).",
              combine=Ratio(f"{_col}_members", "member_rows"))(
        lambda ctx: ctx.ratio(lambda n, d: n / d if d > 0 else float("nan")))


@indicator("member_audit_findings", "count", "家庭成员核查发现问题条数", "Member audit findings", GROUP)
def _member_audit(ctx):
    """Findings of the check catalogue's rules MB-001 (member count ≠ rows of members.csv), MB-004 (no 户主)
    and MB-005 (two 户主 or more), docs/checks.md: the same findings as ``village-stats check``."""
    return float(len(check_findings(ctx).only(rules=MEMBER_AUDIT_RULES)))


# --------------------------------------------------------------------------- income

@indicator("exited_income_total_yuan", "yuan", "脱贫人口纯收入合计", "Net income of exited persons, total", GROUP)
def _exited_total(ctx):
    """Σ members × income_per_capita_yuan over exited households [yuan per year]."""
    return rh.exited_income(households_table(ctx))[0]


@indicator("exited_persons", "persons", "脱贫人口", "Persons of exited households", GROUP)
def _exited_persons(ctx):
    """Σ members of exited households with a known income."""
    return rh.exited_income(households_table(ctx))[1]


@indicator("exited_income_per_capita_yuan", "yuan_per_person_year", "脱贫人口人均纯收入",
           "Net income per person of exited households", GROUP,
           combine=Ratio("exited_income_total_yuan", "exited_persons"))
def _exited_income(ctx):
    """exited_income_total_yuan / exited_persons (person-weighted)."""
    return ctx.ratio(lambda n, d: n / d if d > 0 else float("nan"))


def _year_ago_income(ctx: Context) -> float:
    prev = getattr(ctx.data, "year_ago", None)
    if prev is None or not prev.has("households"):
        return float("nan")
    total, persons = rh.exited_income(prev.table("households"))
    return total / persons if persons > 0 else float("nan")


@indicator("exited_income_growth", "ratio", "脱贫人口人均纯收入比上年增长", "Growth of exited persons' income on "
           "the year before", GROUP, combine=Local())
def _exited_growth(ctx):
    """exited_income_per_capita_yuan / its value in the same period a year before − 1 (not combined over
    villages: a county's growth needs both years' pooled registers)."""
    return rh.growth(ctx["exited_income_per_capita_yuan"], _year_ago_income(ctx))


@indicator("rural_income_growth", "ratio", "农村居民人均可支配收入增长（政策表）", "Growth of rural per-capita "
           "disposable income (policy table)", GROUP, combine=Setting())
def _rural_growth(ctx):
    """rural_income.csv: this year / the year before − 1 (most specific scope; NaN without both rows of one
    scope)."""
    income, year = ctx.data.rules.rural_income, ctx.data.period.year
    if year not in income or year - 1 not in income or income[year].scope != income[year - 1].scope:
        return float("nan")  # a growth compares two years of the same scope
    return rh.growth(income[year].value, income[year - 1].value)


def _parts(ctx: Context) -> dict:
    return cached(ctx, "income_parts", rh.income_parts, households_table(ctx))


@indicator("parts_income_total_yuan", "yuan", "有收入构成的户纯收入合计", "Net income of households with the "
           "income parts, total", GROUP)
def _parts_total(ctx):
    """Σ members × income_per_capita_yuan over households with all four parts known."""
    return _parts(ctx)["transfer_income_yuan"][1]


for _p, _zh, _en in zip(INCOME_PARTS, ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入"),
                        ("Wage income", "Business income", "Property income", "Transfer income")):
    _base_id = _p.removesuffix("_yuan")
    indicator(f"{_base_id}_total_yuan", "yuan", f"{_zh}合计", f"{_en}, total", GROUP,
              description=f"Σ members × {_p} over households with all four parts known.")(
        lambda ctx, _p=_p: _parts(ctx)[_p][0])
    indicator(f"{_base_id}_share", "ratio", f"{_zh}占比" + ("（政策性收入占比）" if _p == "transfer_income_yuan" else ""),
              f"{_en} share" + (" (dependence on policy payments)" if _p == "transfer_income_yuan" else ""), GROUP,
              description=f"{_base_id}_total_yuan / parts_income_total_yuan.",
              combine=Ratio(f"{_base_id}_total_yuan", "parts_income_total_yuan"))(
        lambda ctx: ctx.ratio(lambda n, d: n / d if d > 0 else float("nan")))


# --------------------------------------------------------------------------- layers

def overlap(ctx: Context) -> pd.DataFrame:
    """The layer overlap (cached, see measures.regular_help.layer_overlap)."""
    return cached(ctx, "layer_overlap", rh.layer_overlap, households_table(ctx), ctx.data.period.end)


def _in_layers(ctx: Context):
    return rh.layer_flags(households_table(ctx), ctx.data.period.end).any(axis=1)


@indicator("low_income_layer_households", "households", "低收入人口分层户数（任一层）",
           "Households in at least one low-income layer", GROUP)
def _layers(ctx):
    """Households in 低保, 特困, 低保边缘, 刚性支出困难 or an unresolved object."""
    return _count(ctx, _in_layers(ctx))[0]


@indicator("low_income_layer_persons", "persons", "低收入人口分层人数（任一层）",
           "Persons in at least one low-income layer", GROUP)
def _layers_persons(ctx):
    """Σ members of low_income_layer_households."""
    return _count(ctx, _in_layers(ctx))[1]


@indicator("multi_layer_households", "households", "同时属于两层及以上的户数", "Households in two layers or more",
           GROUP)
def _multi(ctx):
    """Households in at least two of the five layers."""
    return float((rh.layer_flags(households_table(ctx), ctx.data.period.end).sum(axis=1) >= 2).sum())


_LAYER_WORDS = {"dibao": ("低保", "dibao (minimum living guarantee)"), "tekun": ("特困", "tekun (extreme poverty)"),
                "dibao_edge": ("低保边缘", "near-dibao"),
                "rigid_spending_hardship": ("刚性支出困难", "rigid-spending hardship")}
for _l, (_zh, _en) in _LAYER_WORDS.items():
    indicator(f"layer_households_{_l}", "households", f"低收入人口分层户数：{_zh}", f"Households: {_en}", GROUP,
              description=f"Households with {_l} = yes.")(
        lambda ctx, _l=_l: float(rh.layer_flags(households_table(ctx), ctx.data.period.end)[_l].sum()))
