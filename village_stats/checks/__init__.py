"""Data-quality rules (疑点核查): a catalogue of numbered rules over households, members, help measures and
across villages, run as one vectorised check each.

- :mod:`.catalogue` — a rule's declaration (:class:`CheckRule`), its registration and what a check sees;
- :mod:`.households`, :mod:`.members`, :mod:`.measures` — the rules (``HH``, ``MB``, ``HM``, ``XV``);
- :mod:`.wording` — every word of the rules and of the 疑点清单, zh and en;
- :mod:`.settings` — ``policy/check_rules.csv``: rules on/off, severities and numbers by scope and year
  (:func:`settings_of` a village-period, from the rows the loader applied);
- :mod:`.engine` — :func:`run` (one village-period) and :func:`run_villages` (a data root) into
  :class:`Findings` (``summary()``, ``by_village()``, ``table(lang)``);
- :mod:`.root` — a data root: every village of a period with its settings (:func:`check_root`);
- :mod:`.docs` — ``docs/checks.md`` from the catalogue.

The register audit of the reports (:attr:`village_stats.evaluate.Results.audit`) is the findings of the
rules with a ``legacy`` key (:func:`audit_frame`).
"""

# isort: off
from . import households  # noqa: F401  (each module registers its rules: the order is the catalogue's)
from . import members  # noqa: F401
from . import measures  # noqa: F401
# isort: on
from . import wording
from .catalogue import RULES, SEVERITY_IDS, Across, CheckRule, Frames
from .engine import FINDING_COLUMNS, Findings, frames_of, listing, rule_words, run, run_villages
from .root import check_root
from .settings import Setting, resolve, settings_of

__all__ = ["RULES", "SEVERITY_IDS", "Across", "CheckRule", "Frames", "FINDING_COLUMNS", "Findings", "frames_of",
           "listing", "rule_words", "run", "run_villages", "Setting", "resolve", "settings_of",
           "LEGACY", "audit_frame", "check_root", "SEVERITY_LABELS", "findings"]

#: Severity id → (zh, en), in the catalogue's order (what the site's columns of findings are headed by).
SEVERITY_LABELS = wording.SEVERITIES


def findings(results):
    """The findings of an evaluated village-period (:attr:`village_stats.evaluate.Results.checks`, one row per
    finding, with its ``severity``), or None for a period without a register."""
    return None if results.checks is None else results.checks.frame


#: Rule id → key of the register audit of before (:data:`village_stats.measures.register.AUDIT_RULES`).
LEGACY = {rid: r.legacy for rid, r in RULES.items() if r.legacy}


def audit_frame(findings: Findings):
    """The register audit as the reports show it: ``household_id, rule`` (the audit key), one row per finding
    of a rule with a legacy key, ordered by rule then register order."""
    f = findings.frame
    hit = f.loc[f["rule"].isin(list(LEGACY)), ["household_id", "rule"]]
    return hit.assign(rule=hit["rule"].map(LEGACY)).reset_index(drop=True)
