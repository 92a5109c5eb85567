"""Section *data quality*: the findings of the rule catalogue of :mod:`village_stats.checks` by severity,
and per household, so the county report and the roll-up carry them per village (counts add up; the share
is Σ findings / Σ households)."""

from __future__ import annotations

from ..units import Ratio
from .catalogue import indicator
from .households import check_findings


@indicator("check_findings", "count", "疑点核查发现条数", "Data-quality findings", "households")
def _findings(ctx):
    """Findings of every rule of docs/checks.md that applies to the period (not those across villages)."""
    return float(check_findings(ctx).count())


for _severity, _zh, _en in (("error", "错误", "errors"), ("doubt", "疑点", "doubts"), ("hint", "提示", "hints")):
    indicator(f"check_{_severity}s", "count", f"疑点核查发现条数：{_zh}", f"Data-quality findings: {_en}",
              "households", description=f"Findings of severity {_severity} ({_zh}).")(
        lambda ctx, _s=_severity: float(check_findings(ctx).count(_s)))


@indicator("check_findings_per_household", "ratio", "每百户疑点核查发现条数（%）",
           "Data-quality findings per 100 households (%)", "households",
           combine=Ratio("check_findings", "register_households"))
def _per_household(ctx):
    """check_findings / register_households (shown as percent: findings per 100 households); empty without
    households."""
    return ctx.ratio(lambda n, d: n / d if d > 0 else float("nan"))
