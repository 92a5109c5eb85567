"""How an office tunes the rules without code: ``policy/check_rules.csv``.

One row per scope, rule and first year: ``scope`` (``national``, a province or a county code),
``rule`` (an id of the catalogue), ``from_year``, ``enabled`` (是/否; empty keeps the less specific
choice), ``severity`` (错误/疑点/提示 or error/doubt/hint; empty keeps), ``parameters`` (``name=value``
pairs separated by ``;``, names of the rule's numbers; empty keeps), ``basis``, ``source``, ``verified``,
``note_zh``, ``note_en`` (the table :data:`village_stats.schema.CHECK_RULES`).

For a village and a year, the catalogue's defaults are the start; then the rows of ``national``, the
village's province and its county apply in that order (a more specific scope wins), each the row with the
latest ``from_year`` not after the year; a row's empty cells change nothing. Without a row that sets
``enabled``, a rule applies from its catalogue year (``since``).

The loader picks a village-period's rows from the data root's
:class:`~village_stats.policy.PolicyBook` (:attr:`village_stats.policy.AppliedRules.check_rules`), like
every policy rule; :func:`settings_of` turns them into each rule's :class:`Setting`, checking the rule ids
and the parameters against the catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..load import PeriodData
from ..parse import Village
from ..policy import scopes
from .catalogue import RULES, CheckRule


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


def check_rows(frame: pd.DataFrame, path: Path | None = None) -> None:
    """Rule ids and parameters of rows of ``check_rules.csv``, else a :class:`DataError` naming the file, the
    row (``file_row``, the header being row 1) and the column."""
    rows = frame["file_row"] if "file_row" in frame else pd.Series(range(2, len(frame) + 2))
    for rule_id, params, row in zip(frame["rule"], frame["parameters"], rows):
        if rule_id not in RULES:
            raise DataError(f"unknown rule {rule_id!r}: expected a rule id of docs/checks.md (HH-001 …)",
                            path=path, row=int(row), column="rule")
        if isinstance(params, str):
            try:
                parse_parameters(params, RULES[rule_id])
            except ValueError as e:
                raise DataError(str(e), path=path, row=int(row), column="parameters") from None


def settings_of(data: PeriodData) -> dict[str, Setting]:
    """Every rule's setting for a village-period: the rows of ``check_rules.csv`` the loader applied
    (:attr:`~village_stats.policy.AppliedRules.check_rules`), or the catalogue's defaults without them."""
    return resolve(data.rules.check_rules, data.village, data.period.year, path=data.rules.check_rules_file)


def resolve(table: pd.DataFrame | None, village: Village, year: int, *, path: Path | None = None) -> dict[str, Setting]:
    """Every rule's setting for a village in ``year`` (the catalogue's defaults when ``table`` is None).

    The rows of ``table`` for the village's scopes up to ``year`` are checked (:func:`check_rows`; ``path``
    names the file in a message).

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
    check_rows(rows, path)
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
