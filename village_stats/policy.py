"""Policy rules as data: poverty lines, monitoring thresholds, exit and evaluation thresholds.

Every policy number lives in a table of ``data/policy/`` (one row per rule, with its ``source`` and a
``verified`` flag); nothing numeric about policy is written in code. A village picks the most specific
applicable row: its county (``county_code`` in village.yaml), else its province (``province_code``, or
the first two digits of the county code), else ``national``; a value set in village.yaml wins over all.
Each lookup returns a :class:`Rule`: the value together with where it came from, so a report can name
the rule, its source and whether it is verified.

Each table is read from ``<data_dir>/policy/``; where a data folder does not have it, the project's
``data/policy/`` copy is used. Sources are described in ``docs/policy.md``.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import schema
from .config import PROJECT_ROOT
from .errors import DataError
from .load import PovertyLine, Village, read_csv_raw, read_table

#: Comparisons an evaluation threshold may use.
COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Rule:
    """One policy number with its provenance.

    Attributes
    ----------
    name : str
        What the number is (``poverty_line_yuan``, ``monitoring_threshold_yuan``, ``exit_threshold``,
        an evaluation criterion or a monitoring rule id).
    value : float
        The number, in the unit of its table ([yuan per person per year] or [ratio]).
    scope : str
        ``national``, a province or county code, a region id, or ``village.yaml``.
    year : int or None
        The year the row is for (tables by year).
    basis, source : str
        What the number is, and the published text it comes from.
    verified : bool
        Whether the number was checked against an official text.
    origin : str
        The table (``policy/<table>.csv``) or ``village.yaml``.
    comparison : str
        For thresholds: how a measure must compare with ``value`` (``<``, ``<=``, ``>``, ``>=``).
    """

    name: str
    value: float
    scope: str
    year: int | None
    basis: str
    source: str
    verified: bool
    origin: str
    comparison: str = ""

    def met(self, measure: float) -> bool:
        """Whether ``measure`` satisfies this threshold (``measure <comparison> value``).

        >>> Rule("x", 0.02, "national", None, "", "", True, "", "<").met(0.019)
        True
        """
        return bool(COMPARISONS[self.comparison](measure, self.value))


# --------------------------------------------------------------------------- reading the tables

def table_path(data_dir: str | Path, name: str) -> Path:
    """Path of one policy table (``poverty_lines``, ``monitoring_thresholds`` …).

    ``<data_dir>/policy/<name>.csv`` when that file exists, else the project's ``data/policy/<name>.csv``.
    """
    filename = schema.POLICY_TABLES[name].filename
    own = Path(data_dir) / "policy" / filename
    return own if own.is_file() else PROJECT_ROOT / "data" / "policy" / filename


def read_policy_table(data_dir: str | Path, name: str) -> pd.DataFrame:
    """One policy table, validated against its schema (a :class:`DataError` names file, row and column)."""
    table = schema.POLICY_TABLES[name]
    path = table_path(data_dir, name)
    if not path.is_file():
        raise DataError(f"{table.filename} is missing: expected the policy table {table.zh} "
                        f"in data/policy/", path=path)
    frame = read_table(read_csv_raw(path), table, path)
    if "scope" in frame:
        bad = ~frame["scope"].str.fullmatch(r"national|\d{2}|\d{6}").to_numpy(dtype=bool)
        if bad.any():
            i = int(bad.argmax())
            raise DataError(f"scope {frame['scope'].iloc[i]!r}: expected national or a 2- or 6-digit "
                            f"administrative division code", path=path, row=int(frame.attrs["rows"][i]),
                            column="scope")
        keys = ["scope", "year" if "year" in frame else "rule"]
        dup = frame.duplicated(keys).to_numpy()
        if dup.any():
            i = int(dup.argmax())
            raise DataError(f"duplicate {' and '.join(keys)}: expected one row per {' and '.join(keys)}",
                            path=path, row=int(frame.attrs["rows"][i]), column=keys[-1])
    if "comparison" in frame:
        bad = ~frame["comparison"].isin(list(COMPARISONS)).to_numpy()
        if bad.any():
            i = int(bad.argmax())
            raise DataError(f"comparison {frame['comparison'].iloc[i]!r}: expected one of <, <=, >, >=",
                            path=path, row=int(frame.attrs["rows"][i]), column="comparison")
    frame.attrs.clear()
    return frame


def scopes(village: Village) -> tuple[str, ...]:
    """The scopes that apply to a village, most specific first.

    >>> v = Village("v", "", "", "", "", "", "", "central", "", 0.02, county_code="140724")
    >>> scopes(v)
    ('140724', '14', 'national')
    """
    out = []
    if village.county_code:
        out.append(village.county_code)
    province = village.province_code or (village.county_code[:2] if village.county_code else None)
    if province:
        out.append(province)
    out.append("national")
    return tuple(out)


def _pick(frame: pd.DataFrame, village: Village, **match) -> pd.Series | None:
    """The most specific row applying to the village among the rows matching ``match``."""
    rows = frame
    for key, value in match.items():
        rows = rows.loc[rows[key] == value]
    for scope in scopes(village):
        hit = rows.loc[rows["scope"] == scope]
        if not hit.empty:
            return hit.iloc[0]
    return None


def _rule(name: str, value_column: str, row: pd.Series, table: str, year: int | None, **extra) -> Rule:
    return Rule(name, float(row[value_column]), str(row.get("scope", row.get("region", "national"))), year,
                str(row.get("basis") or ""), str(row.get("source") or ""), bool(row["verified"]),
                f"policy/{table}.csv", **extra)


def _by_year(data_dir, village: Village, year: int, table: str, column: str, override: float | None) -> Rule:
    if override is not None:
        return Rule(column, float(override), "village.yaml", year, f"village.yaml {column}", village.note or "",
                    True, "village.yaml")
    path = table_path(data_dir, table)
    row = _pick(read_policy_table(data_dir, table), village, year=year)
    if row is None:
        raise DataError(f"no {column} for {year}: expected a row for year {year} and scope "
                        f"{' or '.join(scopes(village))} (or {column} in village.yaml)", path=path)
    return _rule(column, column, row, table, year)


# --------------------------------------------------------------------------- the rules

def poverty_line_rule(data_dir: str | Path, village: Village, year: int) -> Rule:
    """The poverty line for ``year``: village.yaml's ``poverty_line_yuan``, else the most specific row.

    Returns
    -------
    Rule
        ``value`` in [yuan per person per year].
    """
    return _by_year(data_dir, village, year, "poverty_lines", "poverty_line_yuan", village.poverty_line_yuan)


def poverty_line_for(data_dir: str | Path, village: Village, year: int) -> PovertyLine:
    """The poverty line as the loader records it on :class:`~village_stats.load.PeriodData`."""
    r = poverty_line_rule(data_dir, village, year)
    origin = r.origin if r.origin == "village.yaml" else f"{r.origin} ({r.scope})"
    return PovertyLine(r.value, int(year), r.basis, r.source, r.verified, origin)


def monitoring_threshold_for(data_dir: str | Path, village: Village, year: int) -> Rule:
    """The monitoring threshold (防返贫监测标准) for ``year``. [yuan per person per year]"""
    return _by_year(data_dir, village, year, "monitoring_thresholds", "monitoring_threshold_yuan",
                    village.monitoring_threshold_yuan)


def exit_threshold_for(data_dir: str | Path, region: str) -> Rule:
    """The exit threshold on incidence for a region (eastern, central, western). [ratio]"""
    frame = read_policy_table(data_dir, "exit_thresholds")
    hit = frame.loc[frame["region"] == region]
    if hit.empty:
        raise DataError(f"no exit_threshold for region {region}: expected a row for it",
                        path=table_path(data_dir, "exit_thresholds"))
    return _rule("exit_threshold", "exit_threshold", hit.iloc[0], "exit_thresholds", None, comparison="<")


def monitoring_rule(data_dir: str | Path, village: Village, rule: str) -> Rule:
    """A number of the monitoring rules (``monitored_share_expected`` …), most specific scope first."""
    row = _pick(read_policy_table(data_dir, "monitoring_rules"), village, rule=rule)
    if row is None:
        raise DataError(f"no monitoring rule {rule}: expected a row for it",
                        path=table_path(data_dir, "monitoring_rules"))
    return _rule(rule, "value", row, "monitoring_rules", None)


def evaluation_thresholds(data_dir: str | Path, village: Village) -> dict[str, Rule]:
    """Thresholds of the exit evaluation, by criterion.

    An empty threshold (the composite incidence) is the village's exit threshold: village.yaml's
    ``exit_threshold`` when set, else its region's row of ``exit_thresholds.csv``.
    """
    frame = read_policy_table(data_dir, "evaluation_thresholds")
    out: dict[str, Rule] = {}
    for _, row in frame.iterrows():
        if pd.isna(row["threshold"]):
            ex = exit_threshold_for(data_dir, village.region)
            row = row.copy()
            row["threshold"] = village.exit_threshold
            source = row["source"] + "; threshold: " + (ex.source if village.exit_threshold == ex.value
                                                        else "village.yaml exit_threshold")
            row["source"] = source
        out[row["criterion"]] = _rule(row["criterion"], "threshold", row, "evaluation_thresholds", None,
                                      comparison=row["comparison"])
    return out


def inputs_used(data_dir: str | Path, village: Village, period, tables) -> list[Path]:
    """The policy tables and the previous period's files a period's measures read (for the manifest).

    The exit thresholds always (unless village.yaml sets ``exit_threshold``, they give its default); with
    a register carrying monitoring fields, the monitoring thresholds and rules and the previous period's
    data; with an evaluation sample, the evaluation thresholds.
    """
    from .load import list_periods, period_source
    from .schema import has_monitoring_fields

    out = [table_path(data_dir, "exit_thresholds")]
    if "households" in tables and has_monitoring_fields(tables["households"]):
        if village.monitoring_threshold_yuan is None:
            out.append(table_path(data_dir, "monitoring_thresholds"))
        out.append(table_path(data_dir, "monitoring_rules"))
        before = period.previous()
        if before in list_periods(data_dir, village.id):
            source = period_source(data_dir, village.id, before)
            out += sorted(p for p in source.iterdir() if p.suffix.lower() == ".csv") if source.is_dir() else [source]
    if "evaluation_sample" in tables:
        out.append(table_path(data_dir, "evaluation_thresholds"))
    return out


def data_dir_of(data) -> Path:
    """The data folder a :class:`~village_stats.load.PeriodData` was loaded from (its first source is
    ``<data_dir>/<village>/village.yaml``)."""
    return Path(data.sources[0]).parents[1]


def rules_table(rules) -> pd.DataFrame:
    """Rules as a plain table: name, value, scope, year, source, verified (for a report)."""
    rows = [(r.name, r.comparison, r.value, r.scope, r.year, r.origin, r.source, r.verified) for r in rules]
    return pd.DataFrame(rows, columns=["rule", "comparison", "value", "scope", "year", "origin", "source",
                                       "verified"])
