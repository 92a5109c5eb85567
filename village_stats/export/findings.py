"""The 疑点清单 as a workbook to send to a village: a summary sheet (findings by rule) and one sheet per
severity (错误, 疑点, 提示), each a list of findings by household id and member number, in the house style
of :mod:`village_stats.export.xlsx` (header frozen, autofilter, A4 fit to one page wide with the header
row repeated, landscape when the columns are wide). Names and identity numbers never appear: the findings
hold none."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..checks import SEVERITY_IDS, Findings, listing, rule_words, wording
from ..labels import pick
from .xlsx import write_tables

#: Total column width [characters] above which a sheet prints landscape.
LANDSCAPE_OVER = 100


def summary_table(findings: Findings, lang: str = "zh") -> pd.DataFrame:
    """Findings by rule with their words, headers in ``lang``."""
    s = findings.summary()
    out = pd.DataFrame({
        "rule": s["rule"],
        "severity": [pick(wording.SEVERITIES[x], lang) for x in s["severity"]],
        "what": [rule_words(r, lang)[0] for r in s["rule"]],
        "findings": s["findings"].astype(int),
        "households_hit": s["households_hit"].astype(int),
        "check": [rule_words(r, lang)[1] for r in s["rule"]],
    })
    out.columns = [pick(wording.TEXT[c], lang) for c in out.columns]
    return out


def write_findings(path: str | Path, findings: Findings, page_header: str, lang: str = "zh") -> Path:
    """Write the workbook (whole or not at all).

    Returns
    -------
    Path
        ``path``.
    """
    sheets = {pick(wording.TEXT["sheet_summary"], lang): summary_table(findings, lang)}
    for severity in SEVERITY_IDS:
        part = listing(findings.only([severity]).frame, lang)
        member = pick(wording.TEXT["member_no"], lang)
        part[member] = part[member].astype("Float64").astype(float)
        sheets[pick(wording.SEVERITIES[severity], lang)] = part
    return write_tables(path, sheets, page_header, lang, landscape_over=LANDSCAPE_OVER)
