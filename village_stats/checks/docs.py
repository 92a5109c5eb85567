"""``docs/checks.md``: the rule catalogue as a document (id, severity, what is wrong, what to check, the
fields read, the numbers an office may set, basis and source), generated from the catalogue
(``make codebook``; a test fails when the file and the catalogue differ).

Run as ``python -m village_stats.checks.docs docs/checks.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .catalogue import RULES
from .wording import BASES, RULE_TEXT, SEVERITIES

HEAD = """# Data-quality rules (疑点核查)

Generated from the rule catalogue (`village_stats/checks/`; `make codebook`) — do not edit by hand.

`village-stats check --period P [--village V]` lists the findings of these rules (one row per finding: rule,
severity, village, household id, member number, the offending values, what to check) with a summary by
rule; exit 0 without 错误, 1 with some, 2 on bad input. Severities: **错误** (error) must be fixed,
**疑点** (doubt) must be verified, **提示** (hint) is for information. A rule runs only when the fields it
reads are present (rules on members or help measures do not run for a period without `members.csv` or
`help_measures.csv`), and from its first year. Ages are whole years at the period's last day. The `XV`
rules compare every village of a data root through a keyed digest of the ID number made at load (never
written anywhere). Names and ID numbers never appear in a finding.

An office tunes the rules without code in `policy/check_rules.csv` of its data root: one row per scope
(`national`, a province or a county code), rule and `from_year`, with `enabled`, `severity`, `parameters`
(`name=value; name=value`, the numbers listed below), `basis`, `source` (the published text, else empty),
`verified` and `note_zh`, `note_en` (why a row is not verified); the most specific
scope wins and empty cells keep the less specific choice. Without the file the catalogue's defaults apply.

"""


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def catalogue_markdown() -> str:
    """The whole of ``docs/checks.md``."""
    lines = [HEAD.rstrip("\n"), "",
             "| id | severity | what is wrong | what to check | fields read | numbers | from | basis | source |",
             "|---|---|---|---|---|---|---|---|---|"]
    for rid, r in RULES.items():
        what_zh, what_en, check_zh, check_en = RULE_TEXT[rid]
        values = dict(r.params)
        sev = SEVERITIES[r.severity]
        numbers = ", ".join(f"`{k}={v:g}`" for k, v in values.items()) or "—"
        fields = ", ".join(f"`{f}`" for f in r.reads + r.optional)
        basis = BASES[r.basis]
        lines.append(
            f"| {rid} | {sev[0]} {sev[1].lower()} | {_cell(what_zh.format(**values))}<br>"
            f"{_cell(what_en.format(**values))} | {_cell(check_zh)}<br>{_cell(check_en)} | {fields} | {numbers} "
            f"| {r.since or '—'} | {basis[0]} ({basis[1].lower()}) | {_cell(r.source)} |")
    legacy = [f"`{rid}` = `{r.legacy}`" for rid, r in RULES.items() if r.legacy]
    lines += ["", "The register audit of the period report (整改清单, `audit_findings`) is the findings of "
              + ", ".join(legacy) + "."]
    return "\n".join(lines) + "\n"


def write(path: str | Path) -> Path:
    from ..atomic import write_atomic

    return write_atomic(Path(path), catalogue_markdown())


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write(sys.argv[1] if len(sys.argv) > 1 else 'docs/checks.md')}")
