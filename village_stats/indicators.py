"""The indicator sheet: one tidy table of every indicator of a village-period.

Columns: ``village_id, period, indicator, value, unit, numerator, denominator, label_zh, label_en``.
The catalogue below is the one list of indicator ids, units, labels and how each combines over villages
(the units and the kinds of combination are declared in :mod:`village_stats.units`). A new indicator is
one :func:`indicator` entry here plus the measure function it calls (and its test).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import units
from .labels import MPI_LABELS, message_lang
from .load import PeriodData
from .measures import arith, crops, investment, poverty, register, worklog
from .schema import CAUSES, HOUSEHOLD_CATEGORIES, HOUSEHOLD_STATUSES, PROJECT_CATEGORIES
from .units import Bound, Combine, Pooled, Ratio, Setting, Sum

SHEET_COLUMNS = ("village_id", "period", "indicator", "value", "unit", "numerator", "denominator",
                 "label_zh", "label_en")

@dataclass(frozen=True)
class Indicator:
    """One catalogue entry.

    ``unit`` is an id of :data:`village_stats.units.UNITS`; ``combine`` says how the villages' values
    combine over a group of villages (:class:`~village_stats.units.Sum`, :class:`~village_stats.units.Ratio`,
    :class:`~village_stats.units.Pooled`, :class:`~village_stats.units.Setting` or
    :class:`~village_stats.units.Bound`).
    """

    id: str
    unit: str
    label_zh: str
    label_en: str
    table: str
    description: str = ""
    combine: Combine | None = None


@dataclass(frozen=True)
class Value:
    """A computed indicator value with the parts of a ratio."""

    value: float
    numerator: float = float("nan")
    denominator: float = float("nan")


CATALOGUE: dict[str, Indicator] = {}
_FUNCTIONS: dict[str, Callable[[Context], Value | float]] = {}
#: Indicator groups that are not a table of their own: name → whether a village-period has their data.
GROUPS: dict[str, Callable[[PeriodData], bool]] = {}


def indicator(id: str, unit: str, label_zh: str, label_en: str, table: str = "population",
              description: str = "", combine: Combine | None = None):
    """Register an indicator: its catalogue entry and the function that computes it.

    ``combine`` may be left out for an additive unit (then :class:`~village_stats.units.Sum`); every
    other unit must declare how the indicator combines over villages.
    """
    if unit not in units.UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    combine = combine if combine is not None else units.default_combine(unit)
    if combine is None:
        raise ValueError(f"indicator {id!r}: unit {unit!r} does not add up, so declare combine=")

    def register(fn):
        if id in CATALOGUE:
            raise ValueError(f"indicator {id!r} registered twice")
        CATALOGUE[id] = Indicator(id, unit, label_zh, label_en, table, description or (fn.__doc__ or "").strip(),
                                  combine)
        _FUNCTIONS[id] = fn
        return fn

    return register


def cached(ctx: Context, key: str, measure: Callable, *args):
    """``measure(*args)``, computed once per context and kept as ``ctx.cache[key]`` (a detail frame that
    indicators count and the report shows: :func:`village_stats.evaluate.evaluate` hands it on)."""
    if key not in ctx.cache:
        ctx.cache[key] = measure(*args)
    return ctx.cache[key]


class Context:
    """What indicator functions see: the period data plus already computed indicator values.

    Made only by :func:`village_stats.evaluate.evaluate`; ``cache`` holds the detail frames the
    indicators share (audit findings, exit lists, screening, ...), which the results hand on.
    """

    def __init__(self, data: PeriodData, **options):
        self.data = data
        self.options = options
        self.measures = data.measures()
        self._values: dict[str, Value] = {}
        self.cache: dict[str, object] = {}

    def measure(self, name: str) -> float:
        return float(self.measures.get(name, float("nan")))

    def __getitem__(self, indicator_id: str) -> float:
        return self.get(indicator_id).value

    def ratio(self, measure, numerator_id: str, denominator_id: str) -> Value:
        """``measure(numerator, denominator)`` of two other indicators, keeping both parts."""
        num, den = self[numerator_id], self[denominator_id]
        return Value(measure(num, den), num, den)

    def get(self, indicator_id: str) -> Value:
        if indicator_id not in self._values:
            result = _FUNCTIONS[indicator_id](self)
            if not isinstance(result, Value):
                result = Value(float(result))
            self._values[indicator_id] = result
        return self._values[indicator_id]


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
    return ctx.ratio(poverty.poor_household_share, "poor_households", "households_total")


@indicator("poverty_incidence", "ratio", "贫困发生率", "Poverty incidence",
           combine=Ratio("poor_population", "population_total"))
def _poverty_incidence(ctx):
    """poor_population / population_total (agricultural population)."""
    return ctx.ratio(poverty.poverty_incidence, "poor_population", "population_total")


@indicator("avg_household_size", "persons_per_household", "户均人口", "Average household size",
           combine=Ratio("population_total", "households_total"))
def _avg_household_size(ctx):
    """population_total / households_total."""
    return ctx.ratio(poverty.average_household_size, "population_total", "households_total")


@indicator("avg_poor_household_size", "persons_per_household", "贫困户户均人口", "Average poor household size",
           combine=Ratio("poor_population", "poor_households"))
def _avg_poor_household_size(ctx):
    """poor_population / poor_households."""
    return ctx.ratio(poverty.average_household_size, "poor_population", "poor_households")


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


@indicator("poverty_reduction_needed", "persons", "距退出标准尚需脱贫人口", "People still to lift before exit")
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
    return ctx.ratio(worklog.contact_rate, "contacted_poor_households", "poor_households")


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
    return ctx.ratio(crops.achievement_share, "crop_achieved_new_area_mu", "crop_target_new_area_mu")


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
    return ctx.ratio(investment.per_person, "investment_committed_yuan", "poor_population")


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


# --------------------------------------------------------------------------- household register
#
# Options (``indicator_sheet(data, mpi_k=..., mpi_weights=...)``): the Alkire–Foster cut-off and weights.


def _hh(ctx) -> pd.DataFrame:
    return ctx.data.table("households")


def _z(ctx) -> float:
    return ctx.data.poverty_line.poverty_line_yuan


def _af(ctx) -> dict:
    if "af" not in ctx.cache:
        ctx.cache["af"] = register.alkire_foster(_hh(ctx), _z(ctx), k=ctx.options.get("mpi_k", register.DEFAULT_MPI_K),
                                                 weights=ctx.options.get("mpi_weights"))
    return ctx.cache["af"]


def _rates(ctx) -> pd.Series:
    if "rates" not in ctx.cache:
        ctx.cache["rates"] = register.deprivation_rates(_hh(ctx), _z(ctx))
    return ctx.cache["rates"]


@indicator("poverty_line_yuan", "yuan_per_person_year", "贫困标准（人均纯收入）", "Poverty line (income per person)",
           "households", combine=Setting())
def _line(ctx):
    """From village.yaml poverty_line_yuan, else the most specific row of data/policy/poverty_lines.csv for the period's year."""
    return _z(ctx)


@indicator("register_households", "households", "建档立卡登记户数", "Households in the register", "households")
def _reg_households(ctx):
    """Rows of the register."""
    return float(register.household_count(_hh(ctx)))


@indicator("register_population", "persons", "建档立卡登记人口", "Persons in the register", "households")
def _reg_population(ctx):
    """Σ members."""
    return register.person_count(_hh(ctx))


@indicator("register_poor_households", "households", "登记贫困户（未脱贫及返贫）", "Registered poor households "
           "(not exited or returned)", "households")
def _reg_poor_households(ctx):
    """Households with status poor or returned."""
    hh = _hh(ctx)
    return float(register.household_count(hh, register.is_poor(hh)))


@indicator("register_poor_population", "persons", "登记贫困人口（未脱贫及返贫）", "Registered poor persons "
           "(not exited or returned)", "households")
def _reg_poor_population(ctx):
    """Σ members of households with status poor or returned."""
    hh = _hh(ctx)
    return register.person_count(hh, register.is_poor(hh))


for _a, _unit, _zh, _en in ((0, "ratio", "收入贫困发生率 FGT0（人均纯收入低于贫困标准）", "Headcount ratio FGT0 (income below the line)"),
                            (1, "index", "贫困深度 FGT1（贫困距指数）", "Poverty gap FGT1"),
                            (2, "index", "贫困强度 FGT2（平方贫困距）", "Squared poverty gap FGT2")):
    def _fgt(ctx, _a=_a):
        """(1/N) Σ_{y<z} w ((z − y)/z)^α, person-weighted."""
        hh = _hh(ctx)
        v = register.fgt(hh["income_per_capita_yuan"], hh["members"], _z(ctx), _a)
        if _a:
            return v
        return Value(v, register.persons_below_line(hh, _z(ctx)), register.person_count(hh))

    indicator(f"fgt{_a}", _unit, _zh, _en, "households",
              combine=Pooled(parts_unit="persons") if _a == 0 else Pooled(within="fgt0"))(_fgt)


@indicator("watts", "index", "Watts 指数", "Watts index", "households", combine=Pooled(within="fgt0"))
def _watts(ctx):
    """(1/N) Σ_{0<y<z} w ln(z/y); y ≤ 0 kept in N, left out of the sum."""
    hh = _hh(ctx)
    return register.watts(hh["income_per_capita_yuan"], hh["members"], _z(ctx))


@indicator("register_nonpositive_income_households", "households", "人均纯收入不大于0的户数（不计入Watts）",
           "Households with income ≤ 0 (left out of Watts)", "households")
def _nonpositive(ctx):
    """Households with income ≤ 0."""
    return float(register.nonpositive_income_households(_hh(ctx)["income_per_capita_yuan"]))


@indicator("gini", "index", "人均纯收入基尼系数", "Gini coefficient of income per person", "households",
           combine=Pooled())
def _gini(ctx):
    """Person-weighted population Gini over all listed households."""
    hh = _hh(ctx)
    return register.gini(hh["income_per_capita_yuan"], hh["members"])


@indicator("mpi_h", "ratio", "多维贫困发生率 H", "Multidimensional headcount H", "households",
           combine=Pooled(parts_unit="persons"))
def _mpi_h(ctx):
    """Share of persons with deprivation score c ≥ k."""
    return _af(ctx)["mpi_h"]


@indicator("mpi_a", "index", "多维贫困强度 A", "Intensity A (mean share of deprivations of the poor)", "households",
           combine=Pooled(within="mpi_h"))
def _mpi_a(ctx):
    """Person-weighted mean c among the multidimensionally poor."""
    return _af(ctx)["mpi_a"]


@indicator("mpi_m0", "index", "多维贫困指数 M0 = H×A", "Adjusted headcount M0 = H×A", "households",
           combine=Pooled(within="mpi_h"))
def _mpi_m0(ctx):
    """H·A = Σ_j w_j h_j."""
    return _af(ctx)["mpi_m0"]


for _ind in register.MPI_INDICATORS:
    _zh, _en = MPI_LABELS[_ind]
    _en = _en.lower()
    indicator(f"deprivation_rate_{_ind}", "ratio", f"剥夺率：{_zh}", f"Deprivation rate: {_en}", "households",
              description=f"Share of persons deprived in {_ind} (uncensored), Σ w g_{_ind} / N.",
              combine=Pooled(parts_unit="persons"))(
        lambda ctx, _ind=_ind: float(_rates(ctx)[_ind]))
    indicator(f"mpi_contribution_{_ind}", "ratio", f"对M0的贡献：{_zh}", f"Contribution to M0: {_en}",
              "households", description=f"w_{_ind} h_{_ind} / M0 (h: censored headcount ratio).",
              combine=Pooled(within="mpi_h"))(
        lambda ctx, _ind=_ind: _af(ctx)[f"contribution_{_ind}"])


@indicator("exit_eligible_households", "households", "符合脱贫条件的贫困户", "Poor households meeting the exit test",
           "households")
def _eligible(ctx):
    """Status poor or returned, income above the poverty line and all five guarantees secure."""
    return float(cached(ctx, "exit_eligible", register.exit_eligible, _hh(ctx), _z(ctx)).sum())


@indicator("exited_failing_criteria_households", "households", "脱贫户未达标（收入或两不愁三保障）",
           "Exited households failing the exit test", "households")
def _failing(ctx):
    """Status exited and (income at or below the poverty line, or a guarantee not secure)."""
    return float(cached(ctx, "exited_failing", register.exited_failing_criteria, _hh(ctx), _z(ctx)).sum())


for _by, _vocab, _zh_by, _en_by in (("category", HOUSEHOLD_CATEGORIES, "按属性", "by category"),
                                    ("status", HOUSEHOLD_STATUSES, "按脱贫状态", "by status"),
                                    ("main_cause", CAUSES, "按主要致贫原因", "by main cause")):
    _short = "cause" if _by == "main_cause" else _by
    for _term in _vocab.terms:
        def _count(ctx, _by=_by, _id=_term.id, _col="households"):
            """Households per value of the register column (category, status or main cause)."""
            key = f"breakdown_{_by}"
            if key not in ctx.cache:
                ctx.cache[key] = register.breakdown(_hh(ctx), _by)
            return float(ctx.cache[key].loc[_id, _col])

        indicator(f"households_by_{_short}_{_term.id}", "households", f"户数{_zh_by}：{_term.zh}",
                  f"Households {_en_by}: {_term.en.lower()}", "households",
                  combine=Sum(part_of="register_households", by=_by))(_count)
        indicator(f"population_by_{_short}_{_term.id}", "persons", f"人口{_zh_by}：{_term.zh}",
                  f"Persons {_en_by}: {_term.en.lower()}", "households",
                  description=f"Σ members of households with {_by} = {_term.id}.",
                  combine=Sum(part_of="register_population", by=_by))(
            lambda ctx, _f=_count: _f(ctx, _col="persons"))


for _measure, _how, _ in register.RECONCILED:
    def _difference(ctx, _measure=_measure):
        """Register-derived minus reported value; empty when not comparable."""
        return float(cached(ctx, "reconcile", register.reconcile, _hh(ctx), ctx.measures).loc[_measure, "difference"])

    _m_zh = {"households_total": "农业户数", "population_total": "农业人口", "poor_households": "贫困户数",
             "poor_population": "贫困人口", "wubao_households": "五保户数", "dibao_households": "低保户数",
             "absent_poor_households": "长期不在村贫困户数"}[_measure]
    indicator(f"reconciliation_{_measure}_difference", "households" if "households" in _measure else "persons",
              f"核对差异：{_m_zh}（登记册−上报）", f"Reconciliation: {_measure} (register − reported)",
              "households")(_difference)


@indicator("audit_findings", "count", "登记册核查发现问题条数", "Register audit findings", "households")
def _audit_count(ctx):
    """Rows of register.audit."""
    return float(len(cached(ctx, "audit", register.audit, _hh(ctx), _z(ctx))))


# --------------------------------------------------------------------------- figures the alerts state
# (alerts read the sheet only: every figure an alert states is one of these or another indicator)

@indicator("absent_poor_household_share", "ratio", "长期不在村贫困户占贫困户比例", "Share of poor households long absent",
           combine=Ratio("absent_poor_households", "poor_households"))
def _absent_share(ctx):
    """absent_poor_households / poor_households."""
    return Value(arith.ratio(ctx.measure("absent_poor_households"), ctx["poor_households"]),
                 ctx.measure("absent_poor_households"), ctx["poor_households"])


@indicator("uncontacted_resident_poor_households", "households", "本期未对接的在村贫困户数",
           "Resident poor households not contacted", "work_log")
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


from .schema import POPULATION_MEASURES as _POP  # noqa: E402  (labels of the register counts below)

for _measure, _how, _ in register.RECONCILED:
    def _derived(ctx, _measure=_measure):
        """The register's own count (register.reconcile, derived); empty when the register cannot give it."""
        return float(cached(ctx, "reconcile", register.reconcile, _hh(ctx), ctx.measures).loc[_measure, "derived"])

    indicator(f"register_count_{_measure}", "households" if "households" in _measure else "persons",
              f"登记册计数：{_POP.label(_measure, 'zh')}", f"Register count: {_POP.label(_measure, 'en').lower()}",
              "households")(_derived)


@indicator("poverty_line_verified", "index", "贫困标准已核实（1 是，0 否）", "Poverty line verified (1 yes, 0 no)",
           "households", combine=Setting())
def _line_verified(ctx):
    """1 when the poverty line used was checked against an official source, else 0."""
    return 1.0 if ctx.data.poverty_line.verified else 0.0

# --------------------------------------------------------------------------- the sheet


class IndicatorSheet(pd.DataFrame):
    """The tidy indicator sheet: a DataFrame (every pandas operation works as usual) that JupyterLab shows
    as a labelled table — the label in the report language, the value formatted with its unit, the id.

    The language is that of ``VILLAGE_STATS_LANG`` (``zh`` by default); ``sheet.labelled("en")`` gives the
    same view as a DataFrame.
    """

    @property
    def _constructor(self):
        return IndicatorSheet

    def labelled(self, lang: str = "zh") -> pd.DataFrame:
        """Label, formatted value and id of each row, for people."""
        label = "label_zh" if lang == "zh" else "label_en"
        heads = ("指标", "数值", "编号") if lang == "zh" else ("Indicator", "Value", "Id")
        return pd.DataFrame({heads[0]: self[label].to_numpy(),
                             heads[1]: [units.format_value(v, u, lang) for v, u in zip(self["value"], self["unit"])],
                             heads[2]: self["indicator"].to_numpy()})

    def _repr_html_(self) -> str | None:

        if not {"indicator", "value", "unit", "label_zh", "label_en"} <= set(self.columns):
            return super()._repr_html_()
        lang = message_lang()
        view = self.labelled(lang)
        styles = [{"selector": "th", "props": "text-align: left"},
                  {"selector": "td", "props": "text-align: left"},
                  {"selector": "td.col1", "props": "text-align: right; white-space: nowrap"}]
        return view.style.hide(axis="index").set_table_styles(styles).to_html()


def sheet_of(ctx: Context) -> IndicatorSheet:
    """Every indicator whose table is present, computed in ``ctx`` (catalogue order).

    Called by :func:`village_stats.evaluate.evaluate` only; use that (or
    :func:`village_stats.evaluate.indicator_sheet`).
    """
    data = ctx.data
    rows = []
    for ind in CATALOGUE.values():
        if not (GROUPS[ind.table](data) if ind.table in GROUPS else data.has(ind.table)):
            continue
        v = ctx.get(ind.id)
        rows.append((data.village.id, data.period.code, ind.id, _clean(v.value), ind.unit,
                     _clean(v.numerator), _clean(v.denominator), ind.label_zh, ind.label_en))
    sheet = IndicatorSheet(rows, columns=list(SHEET_COLUMNS))
    for c in ("value", "numerator", "denominator"):
        sheet[c] = sheet[c].astype(float)
    return sheet


def _clean(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else float("nan")


#: The section of docs/methods.md that defines each table's indicators.
METHOD_SECTIONS = {"population": "Village aggregates", "work_log": "Work log", "crops": "Crop restructuring",
                   "projects": "Investment", "households": "Household register",
                   "monitoring": "policy.md: Monitoring and 风险消除", "evaluation_sample": "policy.md: Monitoring and 风险消除 (exit evaluation)"}


def catalogue_markdown() -> str:
    """The output codebook of ``indicators.csv``: every indicator with its unit, labels, definition, how it
    combines over villages (:mod:`village_stats.units`) and the section of ``docs/methods.md`` that gives its
    source (the generated part of ``docs/indicators.md``)."""
    lines = ["| indicator | unit | 中文 | English | definition | over villages | method |",
             "|---|---|---|---|---|---|---|"]
    for ind in CATALOGUE.values():
        zh_unit = units.UNITS[ind.unit].zh
        unit = f"{ind.unit} ({zh_unit})" if zh_unit else ind.unit
        definition = " ".join(ind.description.split()).replace("|", "\\|")
        lines.append(f"| `{ind.id}` | {unit} | {ind.label_zh} | {ind.label_en} | {definition} "
                     f"| {ind.combine.describe()} | {METHOD_SECTIONS.get(ind.table, ind.table)} |")
    return "\n".join(lines) + "\n"


def values(sheet: pd.DataFrame) -> dict[str, float]:
    """The sheet as ``{indicator: value}``."""
    return dict(zip(sheet["indicator"], sheet["value"]))


def label(indicator_id: str, lang: str = "zh") -> str:
    """The indicator's label in ``lang``."""
    ind = CATALOGUE[indicator_id]
    return ind.label_zh if lang == "zh" else ind.label_en


# --------------------------------------------------------------------------- monitoring and evaluation (after 2020)
#
# Policy numbers (monitoring threshold, shares, evaluation thresholds) are the rules resolved when the
# period was read (``data.rules``, from data/policy/ through village_stats.policy). Measures over two
# periods use the previous period's register, read with the period (``data.previous``).

from .measures import evaluation as _evaluation  # noqa: E402
from .measures import monitoring as _monitoring  # noqa: E402
from .policy import Rule  # noqa: E402
from .schema import MONITORING_TYPES, has_monitoring_fields  # noqa: E402


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
        ctx.cache["previous_positions"] = _monitoring.previous_positions(_hh(ctx), previous_households(ctx))
    return ctx.cache["previous_positions"]


def screening_result(ctx: Context) -> pd.DataFrame:
    """Possible 漏监测 (cached)."""
    if "screening" not in ctx.cache:
        ctx.cache["screening"] = _monitoring.screening(_hh(ctx), previous_households(ctx),
                                                       monitoring_threshold(ctx).value,
                                                       monitoring_rule(ctx, "income_drop_share").value,
                                                       _positions(ctx))
    return ctx.cache["screening"]


def risk_elimination_result(ctx: Context) -> pd.DataFrame:
    """风险消除 test of the monitored households (cached)."""
    if "risk_elimination" not in ctx.cache:
        ctx.cache["risk_elimination"] = _monitoring.risk_elimination(_hh(ctx), previous_households(ctx),
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
        ctx.cache["monitored_by_type"] = _monitoring.monitored_by_type(_hh(ctx))
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
    return Value(*_monitoring.monitored_share(_hh(ctx)))


@indicator("monitored_share_expected", "ratio", "监测对象比例（一般为）", "Monitored share expected (about)",
           "monitoring", combine=Setting())
def _share_expected(ctx):
    """data/policy/monitoring_rules.csv monitored_share_expected."""
    return monitoring_rule(ctx, "monitored_share_expected").value


@indicator("monitored_share_ceiling", "ratio", "监测对象比例（原则上不超过）", "Monitored share ceiling", "monitoring",
           combine=Setting())
def _share_ceiling(ctx):
    """data/policy/monitoring_rules.csv monitored_share_ceiling."""
    return monitoring_rule(ctx, "monitored_share_ceiling").value


@indicator("risk_eliminated_households", "households", "已标注风险消除户数", "Households marked risk eliminated",
           "monitoring")
def _risk_eliminated(ctx):
    """Households with a monitoring_type and a risk_eliminated_on date."""
    return float((_monitoring.states(_hh(ctx)) == "risk_eliminated").sum())


@indicator("monitoring_candidates", "households", "疑似漏监测户数（符合监测条件但未纳入）",
           "Possible missed monitoring (meet a rule, not monitored)", "monitoring")
def _candidates(ctx):
    """Households meeting a screening rule and not monitored."""
    return float(len(screening_result(ctx)))


_RULE_LABELS = {
    "income_below_threshold": ("人均纯收入低于监测标准", "income below the monitoring threshold"),
    "income_drop": ("收入比上期大幅下降", "sharp income drop against the previous period"),
    "rigid_spending_above_income": ("刚性支出超过家庭收入", "rigid spending above household income"),
    "guarantee_lost": ("两不愁三保障或饮水安全出现缺失", "a guarantee lost since the previous period"),
}
for _rule_id in _monitoring.SCREENING_RULES:
    indicator(f"monitoring_candidates_{_rule_id}", "households", f"疑似漏监测户数：{_RULE_LABELS[_rule_id][0]}",
              f"Possible missed monitoring: {_RULE_LABELS[_rule_id][1]}", "monitoring",
              description=f"Households not monitored that meet the screening rule {_rule_id}.")(
        lambda ctx, _r=_rule_id: float(screening_result(ctx)[_r].sum()))


@indicator("risk_elimination_eligible", "households", "符合风险消除条件的监测户", "Monitored households eligible "
           "for risk elimination", "monitoring")
def _re_eligible(ctx):
    """Monitored households meeting every 风险消除 criterion (income above the threshold this and last period,
    guarantees, no rigid-spending risk, labour)."""
    return float(risk_elimination_result(ctx)["outcome"].eq("eligible").sum())


@indicator("risk_elimination_no_labour_hold", "households", "无劳动能力暂不标注风险消除户数",
           "Households held flagged for lack of labour (暂不标注)", "monitoring")
def _re_hold(ctx):
    """Monitored households meeting the other criteria but without labour."""
    return float(risk_elimination_result(ctx)["outcome"].eq("no_labour_hold").sum())


@indicator("return_rate", "ratio", "返贫率（上期已脱贫户本期返贫）", "Return rate (exited last period, poor now)",
           "monitoring", combine=Ratio(parts_unit="households"))
def _return_rate(ctx):
    """Households exited in the previous period and poor or returned now / exited in the previous period."""
    prev = previous_households(ctx)
    return Value(float("nan")) if prev is None else Value(*_monitoring.return_rate(prev, _hh(ctx)))


@indicator("impoverishment_rate", "ratio", "致贫率（上期非贫困户本期致贫）", "Impoverishment rate (non-poor last "
           "period, poor now)", "monitoring", combine=Ratio(parts_unit="households"))
def _impoverishment_rate(ctx):
    """Households non_poor in the previous period and poor or returned now / non_poor in the previous period."""
    prev = previous_households(ctx)
    return Value(float("nan")) if prev is None else Value(*_monitoring.impoverishment_rate(prev, _hh(ctx)))


def evaluation_rates(ctx: Context) -> dict[str, _evaluation.Rate]:
    """错退率, 漏评率, 认可度 and 综合贫困发生率 (cached)."""
    if "evaluation" not in ctx.cache:
        s = ctx.data.table("evaluation_sample")
        w, m = _evaluation.wrong_exit_rate(s), _evaluation.missed_rate(s)
        rates = {"wrong_exit_rate": w, "missed_rate": m, "satisfaction_rate": _evaluation.satisfaction_rate(s)}
        if ctx.data.has("households"):
            hh = _hh(ctx)
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
