"""How an office tunes the rules without code: ``policy/check_rules.csv``.

One row per scope, rule and first year: ``scope`` (``national``, a province or a county code),
``rule`` (an id of the catalogue), ``from_year``, ``enabled`` (是/否; empty keeps the less specific
choice), ``severity`` (错误/疑点/提示 or error/doubt/hint; empty keeps), ``parameters`` (``name=value``
pairs separated by ``;``, names of the rule's numbers; empty keeps), ``basis``, ``source``, ``verified``.

For a village and a year, the catalogue's defaults are the start; then the rows of ``national``, the
village's province and its county apply in that order (a more specific scope wins), each the row with the
latest ``from_year`` not after the year; a row's empty cells change nothing. Without a row that sets
``enabled``, a rule applies from its catalogue year (``since``). The table is read through the data root's
:class:`~village_stats.policy.PolicyBook`, like every policy table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..parse import Village
from ..policy import PolicyBook, scopes
from ..schema import _BASIS, _SCOPE, _SOURCE, _VERIFIED, Column, Table, Term, Vocabulary
from .catalogue import RULES, CheckRule

SEVERITY_VOCAB = Vocabulary("check_severity", (
    Term("error", "错误", "Error"),
    Term("doubt", "疑点", "Doubt"),
    Term("hint", "提示", "Hint"),
))

CHECK_RULES_TABLE = Table(
    "check_rules", "疑点核查规则设置",
    "Switch a data-quality rule off, change its severity or set its numbers, by scope and first year "
    "(data/policy/check_rules.csv; rules in docs/checks.md).",
    (_SCOPE,
     Column("rule", "规则编号", "text", "A rule id of docs/checks.md (HH-001 …).", nullable=False),
     Column("from_year", "起始年度", "year", "First calendar year the row applies to.", nullable=False),
     Column("enabled", "启用", "bool", "Whether the rule runs (empty: keep)."),
     Column("severity", "严重程度", "vocab", "错误, 疑点 or 提示 (empty: keep).", vocab=SEVERITY_VOCAB),
     Column("parameters", "参数", "text", "name=value pairs separated by ';' (empty: keep)."),
     _BASIS, _SOURCE, _VERIFIED),
    grain="one row per scope, rule and from_year",
)


@dataclass(frozen=True)
class Setting:
    """How a rule runs for one village-year.

    Attributes
    ----------
    enabled : bool
    severity : str
        ``error``, ``doubt`` or ``hint``.
    params : Mapping
        The rule's numbers by name.
    origins : tuple of str
        The rows of ``check_rules.csv`` that changed the catalogue's defaults (``scope from_year``, with
        ``unverified`` when the row is not verified); empty for the defaults.
    """

    enabled: bool
    severity: str
    params: Mapping[str, float] = field(default_factory=dict)
    origins: tuple[str, ...] = ()


def default(r: CheckRule, year: int | None = None) -> Setting:
    """The catalogue's setting of a rule (in ``year``, when given: off before the rule's ``since``)."""
    return Setting(year is None or year >= r.since, r.severity, dict(r.params))


def parse_parameters(text: str, r: CheckRule) -> dict[str, float]:
    """``"min_age=6; max_age=15"`` as numbers, names checked against the rule's.

    >>> from village_stats.checks import RULES
    >>> parse_parameters("min_age=7;max_age = 14", RULES["MB-008"])
    {'min_age': 7.0, 'max_age': 14.0}
    """
    out: dict[str, float] = {}
    for part in str(text).replace("；", ";").split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in r.params:
            known = ", ".join(r.params) or "none"
            raise ValueError(f"parameter {part.strip()!r}: expected name=value with a name of {r.id} ({known})")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"parameter {name}: expected a number, got {value.strip()!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"parameter {name}: expected a finite number")
        out[name] = number
    return out


def _validate(frame: pd.DataFrame, path: Path) -> None:
    """Rule ids and parameters of ``check_rules.csv``, with the file's row numbers in the error."""
    rows = frame.attrs.get("rows", range(2, len(frame) + 2))
    for i, (rule_id, params) in enumerate(zip(frame["rule"], frame["parameters"])):
        if rule_id not in RULES:
            raise DataError(f"unknown rule {rule_id!r}: expected a rule id of docs/checks.md (HH-001 …)",
                            path=path, row=int(rows[i]), column="rule")
        if isinstance(params, str):
            try:
                parse_parameters(params, RULES[rule_id])
            except ValueError as e:
                raise DataError(str(e), path=path, row=int(rows[i]), column="parameters") from None
    dup = frame.duplicated(["scope", "rule", "from_year"]).to_numpy()
    if dup.any():
        i = int(dup.argmax())
        raise DataError("duplicate scope, rule and from_year: expected one row per scope, rule and from_year",
                        path=path, row=int(rows[i]), column="from_year")


def read(book: PolicyBook) -> pd.DataFrame:
    """``policy/check_rules.csv`` of the book's data root, validated (read once per book)."""
    return book.table(CHECK_RULES_TABLE.name, spec=CHECK_RULES_TABLE, validate=_validate)


def resolve(table: pd.DataFrame | None, village: Village, year: int) -> dict[str, Setting]:
    """Every rule's setting for a village in ``year`` (the catalogue's defaults when ``table`` is None).

    Examples
    --------
    >>> v = Village("v", "", "", "", "", "", "", "central", "", 0.02, county_code="140724")
    >>> t = pd.DataFrame({"scope": ["national", "14", "140724"], "rule": ["MB-008"] * 3, "from_year": [2020] * 3,
    ...                   "enabled": [None, None, None], "severity": ["doubt", None, None],
    ...                   "parameters": ["max_age=16", "min_age=7", None], "verified": [True] * 3})
    >>> s = resolve(t, v, 2022)["MB-008"]
    >>> s.severity, s.params["min_age"], s.params["max_age"], s.origins
    ('doubt', 7.0, 16.0, ('national 2020', '14 2020'))
    """
    out = {rid: default(r, year) for rid, r in RULES.items()}
    if table is None or table.empty:
        return out
    rows = table.loc[table["from_year"].astype(float) <= year]
    order = {s: i for i, s in enumerate(reversed(scopes(village)))}    # national first, the county last
    rows = rows.loc[rows["scope"].isin(order)]
    rows = rows.assign(_rank=rows["scope"].map(order)).sort_values(["_rank", "from_year"], kind="stable")
    rows = rows.drop_duplicates(["rule", "scope"], keep="last")
    for row in rows.itertuples(index=False):
        s = out[row.rule]
        changes: dict[str, object] = {}
        if isinstance(row.enabled, bool) or (row.enabled is not None and not pd.isna(row.enabled)):
            changes["enabled"] = bool(row.enabled)
        if isinstance(row.severity, str) and row.severity:
            changes["severity"] = row.severity
        if isinstance(row.parameters, str) and row.parameters.strip():
            changes["params"] = {**s.params, **parse_parameters(row.parameters, RULES[row.rule])}
        if changes:
            note = f"{row.scope} {int(row.from_year)}" + ("" if bool(row.verified) else " unverified")
            out[row.rule] = replace(s, **changes, origins=s.origins + (note,))
    return out
