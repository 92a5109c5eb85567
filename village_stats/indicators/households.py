"""Indicators of the household register (建档立卡): counts, FGT, Watts, Gini, Alkire–Foster, exit test,
breakdowns, reconciliation and audit.

Options (``evaluate(data, mpi_k=..., mpi_weights=...)``): the Alkire–Foster cut-off and weights.
"""

from __future__ import annotations

import pandas as pd

from .. import checks
from ..labels import MPI_LABELS
from ..measures import register
from ..schema import CAUSES, HOUSEHOLD_CATEGORIES, HOUSEHOLD_STATUSES, POOR_STATUSES
from ..schema import POPULATION_MEASURES as _POP
from ..units import Pooled, Setting, Sum
from .catalogue import CATALOGUE, Value, cached, indicator

# --------------------------------------------------------------------------- household register
#
# Options (``indicator_sheet(data, mpi_k=..., mpi_weights=...)``): the Alkire–Foster cut-off and weights.


def households_table(ctx) -> pd.DataFrame:
    return ctx.data.table("households")


def poverty_line(ctx) -> float:
    return ctx.data.poverty_line.poverty_line_yuan


def _af(ctx) -> dict:
    if "af" not in ctx.cache:
        ctx.cache["af"] = register.alkire_foster(households_table(ctx), poverty_line(ctx), k=ctx.options.get("mpi_k", register.DEFAULT_MPI_K),
                                                 weights=ctx.options.get("mpi_weights"))
    return ctx.cache["af"]


def _rates(ctx) -> pd.Series:
    if "rates" not in ctx.cache:
        ctx.cache["rates"] = register.deprivation_rates(households_table(ctx), poverty_line(ctx))
    return ctx.cache["rates"]


@indicator("poverty_line_yuan", "yuan_per_person_year", "贫困标准（人均纯收入）", "Poverty line (income per person)",
           "households", combine=Setting())
def _line(ctx):
    """From village.yaml poverty_line_yuan, else the most specific row of data/policy/poverty_lines.csv for the period's year."""
    return poverty_line(ctx)


@indicator("register_households", "households", "建档立卡登记户数", "Households in the register", "households")
def _reg_households(ctx):
    """Rows of the register."""
    return float(register.household_count(households_table(ctx)))


@indicator("register_population", "persons", "建档立卡登记人口", "Persons in the register", "households")
def _reg_population(ctx):
    """Σ members."""
    return register.person_count(households_table(ctx))


@indicator("register_poor_households", "households", "登记贫困户（未脱贫及返贫）", "Registered poor households "
           "(not exited or returned)", "households",
           combine=Sum(plus=tuple(f"households_by_status_{s}" for s in POOR_STATUSES)))
def _reg_poor_households(ctx):
    """Households with status poor or returned."""
    hh = households_table(ctx)
    return float(register.household_count(hh, register.is_poor(hh)))


@indicator("register_poor_population", "persons", "登记贫困人口（未脱贫及返贫）", "Registered poor persons "
           "(not exited or returned)", "households",
           combine=Sum(plus=tuple(f"population_by_status_{s}" for s in POOR_STATUSES)))
def _reg_poor_population(ctx):
    """Σ members of households with status poor or returned."""
    hh = households_table(ctx)
    return register.person_count(hh, register.is_poor(hh))


for _a, _unit, _zh, _en in ((0, "ratio", "收入贫困发生率 FGT0（人均纯收入低于贫困标准）", "Headcount ratio FGT0 (income below the line)"),
                            (1, "index", "贫困深度 FGT1（贫困距指数）", "Poverty gap FGT1"),
                            (2, "index", "贫困强度 FGT2（平方贫困距）", "Squared poverty gap FGT2")):
    def _fgt(ctx, _a=_a):
        """(1/N) Σ_{y<z} w ((z − y)/z)^α, person-weighted."""
        hh = households_table(ctx)
        v = register.fgt(hh["income_per_capita_yuan"], hh["members"], poverty_line(ctx), _a)
        if _a:
            return v
        return Value(v, register.persons_below_line(hh, poverty_line(ctx)), register.person_count(hh))

    indicator(f"fgt{_a}", _unit, _zh, _en, "households",
              combine=Pooled(parts_unit="persons", denominator="register_population") if _a == 0
              else Pooled(within="fgt0"))(_fgt)


@indicator("watts", "index", "Watts 指数", "Watts index", "households", combine=Pooled(within="fgt0"))
def _watts(ctx):
    """(1/N) Σ_{0<y<z} w ln(z/y); y ≤ 0 kept in N, left out of the sum."""
    hh = households_table(ctx)
    return register.watts(hh["income_per_capita_yuan"], hh["members"], poverty_line(ctx))


@indicator("register_nonpositive_income_households", "households", "人均纯收入不大于0的户数（不计入Watts）",
           "Households with income ≤ 0 (left out of Watts)", "households")
def _nonpositive(ctx):
    """Households with income ≤ 0."""
    return float(register.nonpositive_income_households(households_table(ctx)["income_per_capita_yuan"]))


@indicator("gini", "index", "人均纯收入基尼系数", "Gini coefficient of income per person", "households",
           combine=Pooled())
def _gini(ctx):
    """Person-weighted population Gini over all listed households."""
    hh = households_table(ctx)
    return register.gini(hh["income_per_capita_yuan"], hh["members"])


@indicator("mpi_h", "ratio", "多维贫困发生率 H", "Multidimensional headcount H", "households",
           combine=Pooled(parts_unit="persons", denominator="register_population"))
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
              combine=Pooled(parts_unit="persons", denominator="register_population"))(
        lambda ctx, _ind=_ind: float(_rates(ctx)[_ind]))
    indicator(f"mpi_contribution_{_ind}", "ratio", f"对M0的贡献：{_zh}", f"Contribution to M0: {_en}",
              "households", description=f"w_{_ind} h_{_ind} / M0 (h: censored headcount ratio).",
              combine=Pooled(within="mpi_h"))(
        lambda ctx, _ind=_ind: _af(ctx)[f"contribution_{_ind}"])


@indicator("exit_eligible_households", "households", "符合脱贫条件的贫困户", "Poor households meeting the exit test",
           "households")
def _eligible(ctx):
    """Status poor or returned, income above the poverty line and all five guarantees secure."""
    return float(cached(ctx, "exit_eligible", register.exit_eligible, households_table(ctx), poverty_line(ctx)).sum())


@indicator("exited_failing_criteria_households", "households", "脱贫户未达标（收入或两不愁三保障）",
           "Exited households failing the exit test", "households")
def _failing(ctx):
    """Status exited and (income at or below the poverty line, or a guarantee not secure)."""
    return float(cached(ctx, "exited_failing", register.exited_failing_criteria, households_table(ctx), poverty_line(ctx)).sum())


for _by, _vocab, _zh_by, _en_by in (("category", HOUSEHOLD_CATEGORIES, "按属性", "by category"),
                                    ("status", HOUSEHOLD_STATUSES, "按脱贫状态", "by status"),
                                    ("main_cause", CAUSES, "按主要致贫原因", "by main cause")):
    _short = "cause" if _by == "main_cause" else _by
    for _term in _vocab.terms:
        def _count(ctx, _by=_by, _id=_term.id, _col="households"):
            """Households per value of the register column (category, status or main cause)."""
            key = f"breakdown_{_by}"
            if key not in ctx.cache:
                ctx.cache[key] = register.breakdown(households_table(ctx), _by)
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
        return float(cached(ctx, "reconcile", register.reconcile, households_table(ctx), ctx.measures).loc[_measure, "difference"])

    indicator(f"reconciliation_{_measure}_difference", CATALOGUE[_measure].unit,
              f"核对差异：{_POP.label(_measure, 'zh')}（登记册−上报）",
              f"Reconciliation: {_POP.label(_measure, 'en').lower()} (register − reported)",
              "households", combine=Sum(plus=(f"register_count_{_measure}",), minus=(_measure,)))(_difference)


def check_findings(ctx) -> checks.Findings:
    """The data-quality findings of the period (:func:`village_stats.checks.run`, with the rule settings the
    loader applied to the village-period), computed once per context."""
    return cached(ctx, "checks", checks.run, ctx.data)


def audit_findings(ctx) -> pd.DataFrame:
    """The register audit (``household_id, rule``): the findings of the catalogue's rules HH-001 … HH-007."""
    return cached(ctx, "audit", checks.audit_frame, check_findings(ctx))


@indicator("audit_findings", "count", "登记册核查发现问题条数", "Register audit findings", "households")
def _audit_count(ctx):
    """Findings of the register audit rules HH-001 … HH-007 of the check catalogue (docs/checks.md)."""
    return float(len(audit_findings(ctx)))
