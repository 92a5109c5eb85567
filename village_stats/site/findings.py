"""The findings a village-period shows on the site: the register audit of its results, counted by rule, and
— where the 疑点 checks exist — the checks' findings counted by severity.

The register audit is :attr:`village_stats.evaluate.Results.audit` (one row per finding, by household id;
the site prints only the counts per rule, never a household).

**The 疑点 checks** (:mod:`village_stats.checks`, docs/checks.md): ``checks.findings(results)`` is the
village-period's findings (:attr:`~village_stats.evaluate.Results.checks`, a ``severity`` column, one row
per finding); the index gets one column per severity and each village page the counts by severity, headed
by ``checks.SEVERITY_LABELS`` (``{severity: (zh, en)}``) in its order. The functions take the module as an
argument (None: nothing shown, as on a site with --suppress-below), so a test may hand them another.
"""

from __future__ import annotations

from types import ModuleType

from .. import checks
from ..evaluate import Results
from ..labels import pick
from ..measures.register import AUDIT_RULES


def checks_module() -> ModuleType:
    """The 疑点 checks (:mod:`village_stats.checks`)."""
    return checks


def severity_counts(results: Results, module: ModuleType | None) -> dict[str, int] | None:
    """Findings of the checks by severity (``{severity: count}``), or None without the checks."""
    if module is None:
        return None
    found = module.findings(results)
    if found is None or "severity" not in getattr(found, "columns", ()):
        return None
    return {str(k): int(n) for k, n in found["severity"].value_counts(sort=False).items()}


def severities(module: ModuleType | None, seen) -> list[str]:
    """The severities to show, in the checks' own order (their ``SEVERITY_LABELS``), else by name."""
    declared = list(getattr(module, "SEVERITY_LABELS", {}) or {}) if module is not None else []
    return [s for s in declared if s in seen] + sorted(s for s in seen if s not in declared)


def severity_label(module: ModuleType | None, severity: str, lang: str) -> str:
    """A severity's words in ``lang`` (the checks' ``SEVERITY_LABELS``), else the severity itself."""
    labels = getattr(module, "SEVERITY_LABELS", {}) if module is not None else {}
    pair = labels.get(severity) if isinstance(labels, dict) else None
    return pick(tuple(pair), lang) if pair else severity


def audit_counts(results: Results, lang: str) -> list[tuple[str, int]]:
    """The register audit's findings counted by rule, in the rules' order, as (rule's words, count); empty
    for a period without a register or without findings.

    Examples
    --------
    >>> import pandas as pd
    >>> class R:
    ...     audit = pd.DataFrame({"household_id": ["a", "b", "c"],
    ...                           "rule": ["id_check_digit", "income_nonpositive", "id_check_digit"]})
    >>> audit_counts(R(), "en")
    [('Income per person is zero or negative', 1), ('Identity number check digit is wrong', 2)]
    """
    audit = results.audit
    if audit is None or audit.empty:
        return []
    counts = audit["rule"].value_counts()
    return [(pick(words, lang), int(counts[rule])) for rule, words in AUDIT_RULES.items() if rule in counts.index]
