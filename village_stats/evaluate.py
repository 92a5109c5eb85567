"""Evaluate once: one village-period in, its results out — the indicator sheet and the detail frames.

:func:`evaluate` is the one caller of the indicator functions of :mod:`village_stats.indicators` (and so of
:mod:`village_stats.measures`) for a village-period. Everything a report shows of a period — the sheet,
the audit findings, the reconciliation, the exit lists, the monitoring screening, the 风险消除 test, the
transitions and the exit evaluation — is a field of its :class:`Results`; the display, the alerts, the
exports and the roll-up read those fields and compute nothing again. Each call announces itself as the
audit event ``village_stats.evaluate`` (:func:`sys.audit`, PEP 578), so a test can count evaluations across
the processes of a run without patching anything.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pandas as pd

from .checks import Findings
from .indicators import (
    Context,
    IndicatorSheet,
    cached,
    evaluation_table,
    has_monitoring,
    previous_households,
    risk_elimination_result,
    screening_result,
    sheet_of,
)
from .indicators.households import audit_findings, check_findings
from .load import PeriodData
from .measures import monitoring, register
from .policy import Rule


@dataclass(frozen=True)
class Results:
    """What a village-period evaluates to.

    Attributes
    ----------
    data : PeriodData
        The input the results were computed from.
    sheet : IndicatorSheet
        One row per indicator (:data:`village_stats.indicators.SHEET_COLUMNS`).
    reconciliation : DataFrame or None
        Register-derived against reported counts (:func:`~village_stats.measures.register.reconcile`);
        periods with a register.
    audit : DataFrame or None
        Register audit findings: ``household_id, rule`` of the catalogue rules HH-001 … HH-007
        (:func:`village_stats.checks.audit_frame`); periods with a register.
    checks : Findings or None
        Every data-quality rule of :mod:`village_stats.checks` that applies to the period (not those across
        villages); periods with a register.
    exit_eligible, exited_failing : Series of bool or None
        Per household: poor and meeting the exit test; exited and failing it (periods with a register).
    screening, risk_elimination : DataFrame or None
        Possible 漏监测 and the 风险消除 test per monitored household (registers with monitoring fields).
    transitions : DataFrame or None
        Households by state, previous period × now (monitoring fields and a previous period).
    evaluation : DataFrame or None
        Each exit-evaluation criterion against its threshold (periods with an evaluation sample).
    """

    data: PeriodData
    sheet: IndicatorSheet
    reconciliation: pd.DataFrame | None = None
    audit: pd.DataFrame | None = None
    checks: Findings | None = None
    exit_eligible: pd.Series | None = None
    exited_failing: pd.Series | None = None
    screening: pd.DataFrame | None = None
    risk_elimination: pd.DataFrame | None = None
    transitions: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None

    @property
    def values(self) -> dict[str, float]:
        """The sheet as ``{indicator: value}``."""
        return dict(zip(self.sheet["indicator"], self.sheet["value"]))

    @property
    def rules(self) -> list[Rule]:
        """The policy rules the period's measures applied, in the order a report lists them."""
        return self.data.rules.used()



def evaluate(data: PeriodData, **options) -> Results:
    """Evaluate one village-period: the indicator sheet and every detail frame a report shows.

    Parameters
    ----------
    data : PeriodData
        A village-period as read by :class:`village_stats.load.Source` (its rules and previous period
        included).
    **options
        Passed to the indicator functions (``mpi_k``, ``mpi_weights`` for the Alkire–Foster measures). The
        data-quality rules run with the settings the loader applied (``policy/check_rules.csv`` of the data
        root for the village and year, :attr:`PeriodData.rules <village_stats.policy.AppliedRules>`).

    Returns
    -------
    Results

    Examples
    --------
    >>> from village_stats.load import load_period
    >>> r = evaluate(load_period("suoluoyu", "2017H1", "data"))
    >>> round(r.values["poverty_incidence"], 3), r.audit is None
    (0.478, True)
    """
    sys.audit("village_stats.evaluate", data.village.id, data.period.code)
    ctx = Context(data, **options)
    sheet = sheet_of(ctx)
    parts: dict[str, object] = {}
    if data.has("households"):
        hh, line = data.table("households"), data.poverty_line.poverty_line_yuan
        parts["reconciliation"] = cached(ctx, "reconcile", register.reconcile, hh, ctx.measures)
        parts["checks"] = check_findings(ctx)
        parts["audit"] = audit_findings(ctx)
        parts["exit_eligible"] = cached(ctx, "exit_eligible", register.exit_eligible, hh, line)
        parts["exited_failing"] = cached(ctx, "exited_failing", register.exited_failing_criteria, hh, line)
        if has_monitoring(data):
            parts["screening"] = screening_result(ctx)
            parts["risk_elimination"] = risk_elimination_result(ctx)
            prev = previous_households(ctx)
            if prev is not None:
                parts["transitions"] = cached(ctx, "transitions", monitoring.transitions, prev, hh)
    if data.has("evaluation_sample"):
        parts["evaluation"] = evaluation_table(ctx)
    return Results(data=data, sheet=sheet, **parts)


def indicator_sheet(data: PeriodData, **options) -> IndicatorSheet:
    """The indicator sheet of one village-period (``evaluate(data, **options).sheet``).

    Returns
    -------
    IndicatorSheet
        A DataFrame with columns :data:`~village_stats.indicators.SHEET_COLUMNS`, one row per indicator
        whose table is present, catalogue order.
    """
    return evaluate(data, **options).sheet
