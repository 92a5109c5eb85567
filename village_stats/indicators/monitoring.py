"""Indicators of monitoring and the exit evaluation (after 2020), and the detail frames they share
(screening, 风险消除, the evaluation table)."""

from __future__ import annotations

import pandas as pd

from ..labels import MONITORING_LABELS
from ..load import PeriodData
from ..measures import evaluation as _evaluation
from ..measures import monitoring as _monitoring
from ..measures import register
from ..policy import Rule
from ..schema import (
    MONITORING_TYPES,
    has_monitoring_fields,
)
from ..units import Bound, Ratio, Setting, Sum
from .catalogue import GROUPS, Context, Value, indicator
from .households import households_table

# --------------------------------------------------------------------------- monitoring and evaluation (after 2020)
#
# Policy numbers (monitoring threshold, shares, evaluation thresholds) are the rules resolved when the
# period was read (``data.rules``, from data/policy/ through village_stats.policy). Measures over two
# periods use the previous period's register, read with the period (``data.previous``).



def has_monitoring(data: PeriodData) -> bool:
    """Whether the period's register carries monitoring fields (then it has monitoring indicators)."""
    return data.has("households") and has_monitoring_fields(data.table("households"))


GROUPS["monitoring"] = has_monitoring


def previous_households(ctx: Context) -> pd.DataFrame | None:
    """The previous period's register (read with the period), or None when there is none."""
    prev = ctx.data.previous
    return prev.table("households") if prev is not None and prev.has("households") else None


def monitoring_threshold(ctx: Context) -> Rule:
    """The monitoring threshold rule of the period's year (resolved when the period was read)."""
    rule = ctx.data.rules.monitoring_threshold
    if rule is None:
        raise ValueError(f"{ctx.data.village.id} {ctx.data.period.code}: no monitoring threshold was resolved "
                         "(a register with monitoring fields read through village_stats.load has one)")
    return rule


def monitoring_rule(ctx: Context, rule: str) -> Rule:
    """A rule of ``monitoring_rules.csv`` for the village (resolved when the period was read)."""
    return ctx.data.rules.monitoring[rule]


def _positions(ctx: Context):
    if "previous_positions" not in ctx.cache:
        ctx.cache["previous_positions"] = _monitoring.previous_positions(households_table(ctx), previous_households(ctx))
    return ctx.cache["previous_positions"]


def screening_result(ctx: Context) -> pd.DataFrame:
    """Possible 漏监测 (cached)."""
    if "screening" not in ctx.cache:
        ctx.cache["screening"] = _monitoring.screening(households_table(ctx), previous_households(ctx),
                                                       monitoring_threshold(ctx).value,
                                                       monitoring_rule(ctx, "income_drop_share").value,
                                                       _positions(ctx))
    return ctx.cache["screening"]


def risk_elimination_result(ctx: Context) -> pd.DataFrame:
    """风险消除 test of the monitored households (cached)."""
    if "risk_elimination" not in ctx.cache:
        ctx.cache["risk_elimination"] = _monitoring.risk_elimination(households_table(ctx), previous_households(ctx),
                                                                     monitoring_threshold(ctx).value,
                                                                     _positions(ctx))
    return ctx.cache["risk_elimination"]


@indicator("monitoring_threshold_yuan", "yuan_per_person_year", "防返贫监测标准（人均纯收入）",
           "Monitoring threshold (income per person)", "monitoring", combine=Setting())
def _monitoring_threshold(ctx):
    """From village.yaml monitoring_threshold_yuan, else data/policy/monitoring_thresholds.csv (most specific)."""
    return monitoring_threshold(ctx).value


def _by_type(ctx) -> pd.DataFrame:
    if "monitored_by_type" not in ctx.cache:
        ctx.cache["monitored_by_type"] = _monitoring.monitored_by_type(households_table(ctx))
    return ctx.cache["monitored_by_type"]


@indicator("monitored_households", "households", "监测对象户数", "Monitored households", "monitoring")
def _monitored_households(ctx):
    """Households with a monitoring_type and no risk_eliminated_on."""
    return float(_by_type(ctx)["households"].sum())


@indicator("monitored_persons", "persons", "监测对象人数", "Monitored persons", "monitoring")
def _monitored_persons(ctx):
    """Σ members of monitored households."""
    return float(_by_type(ctx)["persons"].sum())


for _term in MONITORING_TYPES.terms:
    indicator(f"monitored_households_{_term.id}", "households", f"监测对象户数：{_term.zh}",
              f"Monitored households: {_term.en.lower()}", "monitoring",
              description=f"Households with monitoring_type = {_term.id} and no risk_eliminated_on.",
              combine=Sum(part_of="monitored_households", by="monitoring_type"))(
        lambda ctx, _id=_term.id: float(_by_type(ctx).loc[_id, "households"]))
    indicator(f"monitored_persons_{_term.id}", "persons", f"监测对象人数：{_term.zh}",
              f"Monitored persons: {_term.en.lower()}", "monitoring",
              description=f"Σ members of households with monitoring_type = {_term.id} and no risk_eliminated_on.",
              combine=Sum(part_of="monitored_persons", by="monitoring_type"))(
        lambda ctx, _id=_term.id: float(_by_type(ctx).loc[_id, "persons"]))


@indicator("monitored_share", "ratio", "监测对象占建档立卡人口比例", "Monitored persons / registered population",
           "monitoring", combine=Ratio("monitored_persons", parts_unit="persons"))
def _monitored_share(ctx):
    """monitored_persons / persons of registered households (category not non_poor)."""
    return Value(*_monitoring.monitored_share(households_table(ctx)))


@indicator("monitored_share_expected", "ratio", "监测对象比例（一般为）", "Monitored share expected (about)",
           "monitoring", combine=Setting())
def _share_expected(ctx):
    """data/policy/monitoring_rules.csv monitored_share_expected (NaN in a year the 2020 guidance is not in force)."""
    rule = ctx.data.rules.monitoring.get("monitored_share_expected")
    return float("nan") if rule is None else rule.value


@indicator("monitored_share_ceiling", "ratio", "监测对象比例（原则上不超过）", "Monitored share ceiling", "monitoring",
           combine=Setting())
def _share_ceiling(ctx):
    """data/policy/monitoring_rules.csv monitored_share_ceiling (NaN in a year the 2020 guidance is not in force)."""
    rule = ctx.data.rules.monitoring.get("monitored_share_ceiling")
    return float("nan") if rule is None else rule.value


@indicator("risk_eliminated_households", "households", "已标注风险消除户数", "Households marked risk eliminated",
           "monitoring")
def _risk_eliminated(ctx):
    """Households with a monitoring_type and a risk_eliminated_on date."""
    return float((_monitoring.states(households_table(ctx)) == "risk_eliminated").sum())


@indicator("monitoring_candidates", "households", "疑似漏监测户数（符合监测条件但未纳入）",
           "Possible missed monitoring (meet a rule, not monitored)", "monitoring")
def _candidates(ctx):
    """Households meeting a screening rule and not monitored."""
    return float(len(screening_result(ctx)))


for _rule_id in _monitoring.SCREENING_RULES:
    indicator(f"monitoring_candidates_{_rule_id}", "households", f"疑似漏监测户数：{MONITORING_LABELS[_rule_id][0]}",
              f"Possible missed monitoring: {MONITORING_LABELS[_rule_id][1].lower()}", "monitoring",
              description=f"Households not monitored that meet the screening rule {_rule_id}.")(
        lambda ctx, _r=_rule_id: float(screening_result(ctx)[_r].sum()))


@indicator("risk_elimination_eligible", "households", "符合风险消除条件的监测户", "Monitored households eligible "
           "for risk elimination", "monitoring")
def _re_eligible(ctx):
    """Monitored households meeting every 风险消除 criterion (income above the threshold this and last period,
    guarantees, no rigid-spending risk, labour)."""
    return float(risk_elimination_result(ctx)["outcome"].eq("eligible").sum())


@indicator("risk_elimination_no_labour_hold", "households", "无劳动能力暂不标注风险消除户数",
           "Households held flagged for lack of labour", "monitoring")
def _re_hold(ctx):
    """Monitored households meeting the other criteria but without labour."""
    return float(risk_elimination_result(ctx)["outcome"].eq("no_labour_hold").sum())


@indicator("return_rate", "ratio", "返贫率（上期已脱贫户本期返贫）", "Return rate (exited last period, poor now)",
           "monitoring", combine=Ratio(parts_unit="households"))
def _return_rate(ctx):
    """Households exited in the previous period and poor or returned now / exited in the previous period."""
    prev = previous_households(ctx)
    return Value(float("nan")) if prev is None else Value(*_monitoring.return_rate(prev, households_table(ctx)))


@indicator("impoverishment_rate", "ratio", "致贫率（上期非贫困户本期致贫）", "Impoverishment rate (non-poor last "
           "period, poor now)", "monitoring", combine=Ratio(parts_unit="households"))
def _impoverishment_rate(ctx):
    """Households non_poor in the previous period and poor or returned now / non_poor in the previous period."""
    prev = previous_households(ctx)
    return Value(float("nan")) if prev is None else Value(*_monitoring.impoverishment_rate(prev, households_table(ctx)))


def evaluation_rates(ctx: Context) -> dict[str, _evaluation.Rate]:
    """错退率, 漏评率, 认可度 and 综合贫困发生率 (cached)."""
    if "evaluation" not in ctx.cache:
        s = ctx.data.table("evaluation_sample")
        w, m = _evaluation.wrong_exit_rate(s), _evaluation.missed_rate(s)
        rates = {"wrong_exit_rate": w, "missed_rate": m, "satisfaction_rate": _evaluation.satisfaction_rate(s)}
        if ctx.data.has("households"):
            hh = households_table(ctx)
            population = register.person_count(hh) if register.register_covers_all(hh) else ctx.measure(
                "population_total")
            rates["composite_incidence"] = _evaluation.composite_incidence(
                register.person_count(hh, register.is_poor(hh)), register.person_count(hh, hh["status"].eq("exited")),
                register.person_count(hh, hh["category"].eq("non_poor")), population, w, m)
        ctx.cache["evaluation"] = rates
    return ctx.cache["evaluation"]


def evaluation_table(ctx: Context) -> pd.DataFrame:
    """Each evaluation criterion against its policy threshold (cached)."""
    if "evaluation_table" not in ctx.cache:
        ctx.cache["evaluation_table"] = _evaluation.readiness(evaluation_rates(ctx), ctx.data.rules.evaluation)
    return ctx.cache["evaluation_table"]


for _c, _zh, _en in (("wrong_exit_rate", "错退率", "Wrong-exit rate"), ("missed_rate", "漏评率", "Missed rate"),
                     ("satisfaction_rate", "群众认可度", "Satisfaction rate"),
                     ("composite_incidence", "综合贫困发生率", "Composite poverty incidence")):
    def _eval_rate(ctx, _c=_c):
        r = evaluation_rates(ctx).get(_c)
        return Value(float("nan")) if r is None else Value(r.value, r.numerator, r.denominator)

    indicator(_c, "ratio", _zh, _en, "evaluation_sample",
              description=f"{_en} from evaluation_sample.csv (see measures.evaluation).",
              combine=Ratio(parts_unit="persons" if _c == "composite_incidence" else "households"))(_eval_rate)
    for _end, _end_zh, _end_en in (("low", "95%置信区间下限", "95% interval, low"),
                                   ("high", "95%置信区间上限", "95% interval, high")):
        indicator(f"{_c}_{_end}", "ratio", f"{_zh}（{_end_zh}）", f"{_en} ({_end_en})", "evaluation_sample",
                  description=f"Wilson 95% interval of {_c}, {_end} end.", combine=Bound(_c, _end))(
            lambda ctx, _c=_c, _end=_end: getattr(evaluation_rates(ctx).get(_c), _end, float("nan")))


@indicator("exit_readiness", "index", "退出评估结论（1 达到，0 未达到，空 数据不全）",
           "Exit readiness (1 ready, 0 not ready, empty incomplete)", "evaluation_sample", combine=Setting())
def _exit_readiness(ctx):
    """1 when every evaluation criterion meets its policy threshold, 0 when one fails, NaN when one has no data."""
    return {"ready": 1.0, "not_ready": 0.0}.get(_evaluation.verdict(evaluation_table(ctx)), float("nan"))
