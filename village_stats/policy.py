"""Policy rules as data: poverty lines, monitoring thresholds, exit and evaluation thresholds.

Every policy number lives in a table of ``data/policy/`` (one row per rule, with its ``source`` and a
``verified`` flag); nothing numeric about policy is written in code. A village picks the most specific
applicable row: its county (``county_code`` in village.yaml), else its province (``province_code``, or
the first two digits of the county code), else ``national``; a value set in village.yaml wins over all.
Each lookup returns a :class:`Rule`: the value together with where it came from, so a report can name
the rule, its source and whether it is verified.

Each table is read from ``<data root>/policy/``, once per :class:`PolicyBook` (one book per data root and
process); a data root without the table needed is an error naming the file, never a silent fall-back to
another folder's copy. Sources are described in ``docs/policy.md``.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .errors import DataError
from .labels import t
from .parse import PovertyLine, Village, read_table
from .personal import shown
from .readers import Reader, read_csv_raw

#: The unit of each policy table's numbers (a unit id of :data:`village_stats.units.UNITS`).
VALUE_UNITS = {"poverty_lines": "yuan_per_person_year", "monitoring_thresholds": "yuan_per_person_year",
               "exit_thresholds": "ratio", "evaluation_thresholds": "ratio", "monitoring_rules": "ratio",
               "rural_income": "yuan_per_person_year"}
#: Units of the monitoring rules that are not ratios (``monitoring_rules.csv``, the 2026 rules).
RULE_UNITS = {"identification_days_max": "days", "publicity_days_min": "days", "no_size_cap": "index"}
#: The plausible values of each policy table's number: (column, lowest, highest, message key). A line,
#: threshold or share of 0 (or a share above 1) is never a policy, only a typing slip: it would make every
#: household poor, or none; the tables are checked when read, naming the file and row.
VALUE_RANGES: dict[str, tuple[str, float, float, str]] = {
    "poverty_lines": ("poverty_line_yuan", *schema.POVERTY_LINE_RANGE_YUAN, "msg_policy_amount"),
    "monitoring_thresholds": ("monitoring_threshold_yuan", *schema.POVERTY_LINE_RANGE_YUAN, "msg_policy_amount"),
    "exit_thresholds": ("exit_threshold", 0.0, 1.0, "msg_policy_exit"),
    "evaluation_thresholds": ("threshold", 0.0, 1.0, "msg_policy_threshold"),
    "monitoring_rules": ("value", 0.0, 1.0, "msg_policy_ratio"),
    "rural_income": ("rural_income_yuan", *schema.POVERTY_LINE_RANGE_YUAN, "msg_policy_amount"),
}
#: The plausible values of the monitoring rules that are not ratios (:data:`RULE_UNITS`): (lowest, highest);
#: a number of days is a whole number of at least 1, ``no_size_cap`` is 0 or 1.
RULE_RANGES = {"identification_days_max": (1.0, 365.0), "publicity_days_min": (1.0, 365.0), "no_size_cap": (0.0, 1.0)}
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
    table : str
        The policy table the rule was read from (``poverty_lines`` …); '' for a value of village.yaml.
    unit : str
        The unit id of ``value`` (:data:`village_stats.units.UNITS`; :data:`VALUE_UNITS` of its table).
    note_zh, note_en : str
        The row's remark (why it is not verified, what to change) in Chinese and in English: a report
        prints the one of its language.
    row : int or None
        The row of the table's file (the header is row 1), so a reader can find it; None for village.yaml.
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
    table: str = ""
    unit: str = "ratio"
    note_zh: str = ""
    note_en: str = ""
    row: int | None = None

    def met(self, measure: float) -> bool:
        """Whether ``measure`` satisfies this threshold (``measure <comparison> value``).

        >>> Rule("x", 0.02, "national", None, "", "", True, "", "<").met(0.019)
        True
        """
        return bool(COMPARISONS[self.comparison](measure, self.value))


# --------------------------------------------------------------------------- the book of a data root

POLICY_FOLDER = "policy"


class PolicyBook:
    """The policy tables of one data root, each read (and validated) at most once.

    Parameters
    ----------
    data_dir : Path
        The data root; its tables are ``<data_dir>/policy/<table>.csv``.
    reader : Reader, optional
        The reader that opens the files (a :class:`~village_stats.load.Source` passes its own, so the
        manifest lists the policy tables read with their digests).

    Examples
    --------
    >>> book = PolicyBook(Path("data"))
    >>> book.path("poverty_lines").as_posix()
    'data/policy/poverty_lines.csv'
    """

    def __init__(self, data_dir: Path, reader: Reader | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.reader = reader if reader is not None else Reader()
        self._tables: dict[str, pd.DataFrame] = {}

    def path(self, name: str) -> Path:
        """Where the table ``name`` (``poverty_lines``, ``exit_thresholds`` …) is read from."""
        return self.data_dir / POLICY_FOLDER / schema.POLICY_TABLES[name].filename

    def table(self, name: str) -> pd.DataFrame:
        """The table, validated against its schema (read on first use, then kept)."""
        if name not in self._tables:
            self._tables[name] = _read_policy_table(self.path(name), name, self.reader)
        return self._tables[name]

    # ----------------------------------------------------------------------- the rules

    def _by_year(self, village: Village, year: int, table: str, column: str, override: float | None) -> Rule:
        if override is not None:
            return Rule(column, float(override), "village.yaml", year, f"village.yaml {column}", village.note or "",
                        True, "village.yaml", unit=VALUE_UNITS[table])
        row = _pick(self.table(table), village, year=year)
        if row is None:
            raise DataError(f"no {column} for {year}: expected a row for year {year} and scope "
                            f"{' or '.join(scopes(village))} (or {column} in village.yaml)", path=self.path(table))
        return _rule(column, column, row, table, year)

    def poverty_line_rule(self, village: Village, year: int) -> Rule:
        """The poverty line for ``year``: village.yaml's ``poverty_line_yuan``, else the most specific row.

        Returns
        -------
        Rule
            ``value`` in [yuan per person per year].
        """
        return self._by_year(village, year, "poverty_lines", "poverty_line_yuan", village.poverty_line_yuan)

    def poverty_line(self, village: Village, year: int) -> PovertyLine:
        """The poverty line as the loader records it on :class:`~village_stats.load.PeriodData`."""
        return as_poverty_line(self.poverty_line_rule(village, year))

    def monitoring_threshold(self, village: Village, year: int) -> Rule:
        """The monitoring threshold (防返贫监测标准) for ``year``. [yuan per person per year]"""
        return self._by_year(village, year, "monitoring_thresholds", "monitoring_threshold_yuan",
                             village.monitoring_threshold_yuan)

    def exit_threshold(self, region: str) -> Rule:
        """The exit threshold on incidence for a region (eastern, central, western). [ratio]"""
        frame = self.table("exit_thresholds")
        hit = frame.loc[frame["region"] == region]
        if hit.empty:
            raise DataError(f"no exit_threshold for region {region}: expected a row for it",
                            path=self.path("exit_thresholds"))
        return _rule("exit_threshold", "exit_threshold", hit.iloc[0], "exit_thresholds", None, comparison="<")

    def monitoring_rule(self, village: Village, rule: str, year: int | None = None) -> Rule:
        """A number of the monitoring rules (``monitored_share_expected`` …), most specific scope first.

        With ``year``, only the rows in force that year (``year_from`` … ``year_to``, an empty end open).
        """
        row = _pick(_in_force(self.table("monitoring_rules"), year), village, rule=rule)
        if row is None:
            raise DataError(f"no monitoring rule {rule}{'' if year is None else f' for {year}'}: expected a row "
                            "for it", path=self.path("monitoring_rules"))
        out = _rule(rule, "value", row, "monitoring_rules", year)
        return out if rule not in RULE_UNITS else dataclasses.replace(out, unit=RULE_UNITS[rule])

    def monitoring_rules_in_force(self, village: Village, year: int) -> dict[str, Rule]:
        """Every monitoring rule with a row in force in ``year`` for the village, by rule id (a rule without
        one, such as the 2020 guidance's shares from 2026 on, is left out)."""
        frame = _in_force(self.table("monitoring_rules"), year)
        return {r: self.monitoring_rule(village, r, year) for r in dict.fromkeys(frame["rule"])
                if _pick(frame, village, rule=r) is not None}

    def rural_income(self, village: Village, year: int) -> Rule | None:
        """Rural per-capita disposable income of ``year`` (most specific scope), or None without a row.
        [yuan per person per year]"""
        row = _pick(self.table("rural_income"), village, year=year)
        return None if row is None else _rule("rural_income_yuan", "rural_income_yuan", row, "rural_income", year)

    def evaluation_thresholds(self, village: Village) -> dict[str, Rule]:
        """Thresholds of the exit evaluation, by criterion.

        An empty threshold (the composite incidence) is the village's exit threshold: village.yaml's
        ``exit_threshold`` when set, else its region's row of ``exit_thresholds.csv``.
        """
        out: dict[str, Rule] = {}
        for _, row in self.table("evaluation_thresholds").iterrows():
            if pd.isna(row["threshold"]):
                ex = self.exit_threshold(village.region)
                row = row.copy()
                row["threshold"] = village.exit_threshold
                source = ex.source if village.exit_threshold == ex.value else "village.yaml exit_threshold"
                row["note_zh"], row["note_en"] = (t("note_threshold_from_exit", lang, source=source)
                                                  for lang in ("zh", "en"))
            out[row["criterion"]] = _rule(row["criterion"], "threshold", row, "evaluation_thresholds", None,
                                          comparison=row["comparison"])
        return out

    def check_rules(self, village: Village, year: int) -> pd.DataFrame | None:
        """The rows of ``check_rules.csv`` (the settings of the data-quality rules, :mod:`village_stats.checks`)
        that apply to the village in ``year``: its scopes, ``from_year`` not after ``year``; ``national``
        first and the county last, each scope's rows by ``from_year`` (so a later row overrides an earlier
        one), with ``file_row``. None when the data root has no such table: the table only tunes the rules,
        and every rule then keeps the catalogue's setting.
        """
        if not self.path("check_rules").is_file():
            return None
        frame = self.table("check_rules")
        order = {s: i for i, s in enumerate(reversed(scopes(village)))}   # national first, the county last
        rows = frame.loc[frame["scope"].isin(list(order)) & (frame["from_year"].astype(float) <= year)]
        rows = rows.assign(_rank=rows["scope"].map(order)).sort_values(["_rank", "from_year"], kind="stable")
        return rows.drop(columns="_rank").reset_index(drop=True)


def as_poverty_line(rule: Rule) -> PovertyLine:
    """A poverty-line rule as the loader records it on :class:`~village_stats.load.PeriodData`."""
    origin = rule.origin if rule.origin == "village.yaml" else f"{rule.origin} ({rule.scope})"
    return PovertyLine(rule.value, int(rule.year), rule.basis, rule.source, rule.verified, origin, rule.scope,
                       rule.table, rule.row, rule.note_zh, rule.note_en)


#: The monitoring rules a period with monitoring fields applies (``monitoring_rules.csv``).
MONITORING_RULES = ("monitored_share_expected", "monitored_share_ceiling", "income_drop_share")


def _in_force(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The rows of a rules table in force in ``year`` (all rows when ``year`` is None or the table has no
    ``year_from``/``year_to``)."""
    if year is None or "year_from" not in frame:
        return frame
    start = frame["year_from"].astype(float).fillna(-np.inf)
    end = frame["year_to"].astype(float).fillna(np.inf)
    return frame.loc[(start <= year) & (year <= end)]


@dataclass(frozen=True)
class AppliedRules:
    """The policy rules that apply to one village-period, resolved when it is read.

    Attributes
    ----------
    poverty_line : Rule or None
        The poverty line of the period's year (periods with a register). [yuan per person per year]
    monitoring_threshold : Rule or None
        The monitoring threshold (registers with monitoring fields). [yuan per person per year]
    monitoring : dict
        The monitoring rules (:data:`MONITORING_RULES`) by id (registers with monitoring fields). [ratio]
    evaluation : dict
        The exit-evaluation thresholds by criterion (periods with an evaluation sample). [ratio]
    rural_income : dict
        Rural per-capita disposable income of the period's year and the year before, by year, where
        ``rural_income.csv`` has a row (periods with the 2026 fields). [yuan per person per year]
    check_rules : DataFrame or None
        The rows of ``check_rules.csv`` that apply to the village in the period's year
        (:meth:`PolicyBook.check_rules`), which :func:`village_stats.checks.settings_of` turns into each
        data-quality rule's setting; None when the data root has no such table (the catalogue's settings).
    check_rules_file : Path or None
        The file those rows come from (for a message naming it).
    """

    poverty_line: Rule | None = None
    monitoring_threshold: Rule | None = None
    monitoring: Mapping[str, Rule] = field(default_factory=dict)
    evaluation: Mapping[str, Rule] = field(default_factory=dict)
    rural_income: Mapping[int, Rule] = field(default_factory=dict)
    check_rules: pd.DataFrame | None = field(default=None, compare=False)
    check_rules_file: Path | None = None

    def used(self) -> list[Rule]:
        """Every rule applied, in the order a report lists them."""
        return [r for r in (self.poverty_line, self.monitoring_threshold) if r is not None] + \
            list(self.monitoring.values()) + list(self.evaluation.values()) + list(self.rural_income.values())


def _read_policy_table(path: Path, name: str, reader: Reader) -> pd.DataFrame:
    """One policy table, validated against its schema (a :class:`DataError` names file, row and column)."""
    table = schema.POLICY_TABLES[name]
    if not path.is_file():
        raise DataError(f"{table.filename} is missing: expected the policy table {table.zh} in the data "
                        f"folder's {POLICY_FOLDER}/ (copy data/policy/ of the project and adapt it)", path=path)
    frame = read_table(read_csv_raw(path, reader.read(path)), table, path)
    if "scope" in frame:
        bad = ~frame["scope"].str.fullmatch(r"national|\d{2}|\d{6}").to_numpy(dtype=bool)
        if bad.any():
            i = int(bad.argmax())
            raise DataError(f"scope {shown(frame['scope'].iloc[i])}: expected national or a 2- or 6-digit "
                            f"administrative division code", path=path, row=int(frame.attrs["rows"][i]),
                            column="scope")
        first = "from_year" if "from_year" in frame else "year_from"   # check_rules.csv: from_year
        keys = ["scope", "year"] if "year" in frame else ["scope", "rule", first]
        dup = frame.duplicated(keys).to_numpy()
        if dup.any():
            i = int(dup.argmax())
            raise DataError(f"duplicate {' and '.join(keys)}: expected one row per {' and '.join(keys)}",
                            path=path, row=int(frame.attrs["rows"][i]), column=keys[-1])
    _check_values(frame, name, path)
    if "comparison" in frame:
        bad = ~frame["comparison"].isin(list(COMPARISONS)).to_numpy()
        if bad.any():
            i = int(bad.argmax())
            raise DataError(f"comparison {shown(frame['comparison'].iloc[i])}: expected one of <, <=, >, >=",
                            path=path, row=int(frame.attrs["rows"][i]), column="comparison")
    frame["file_row"] = list(frame.attrs["rows"])  # where a reader finds the row (a rule's ``row``)
    frame.attrs.clear()
    return frame


def _check_values(frame: pd.DataFrame, name: str, path: Path) -> None:
    """Each number of a policy table in its plausible range (:data:`VALUE_RANGES`), else a :class:`DataError`
    naming the file, the row and the column. Amounts: lowest ≤ v ≤ highest; ratios: 0 < v (≤ 1, and < 1 for
    an exit threshold). An empty evaluation threshold stays allowed (the region's exit threshold)."""
    if name not in VALUE_RANGES:  # check_rules.csv: its numbers are checked against each rule's (checks)
        return
    column, low, high, key = VALUE_RANGES[name]
    v = frame[column].to_numpy(dtype=float)
    if name in ("poverty_lines", "monitoring_thresholds", "rural_income"):
        bad = ~((v >= low) & (v <= high))
    else:
        bad = ~((v > low) & ((v < high) if name == "exit_thresholds" else (v <= high)))
    lows, highs = np.full(len(v), low), np.full(len(v), high)
    if name == "monitoring_rules":  # the 2026 rules are days and a flag, not ratios
        rules = frame["rule"].astype(str).to_numpy()
        for rule, (lo, hi) in RULE_RANGES.items():
            mine = rules == rule
            bad[mine] = ~((v[mine] >= lo) & (v[mine] <= hi))
            lows[mine], highs[mine] = lo, hi
    if name == "evaluation_thresholds":
        bad &= ~pd.isna(v)
    if bad.any():
        i = int(bad.argmax())
        raise DataError.said(key, path=path, row=int(frame.attrs["rows"][i]), column=column, name=column,
                           value=f"{v[i]:g}", low=f"{lows[i]:g}", high=f"{highs[i]:g}")


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


def _text(row: pd.Series, key: str) -> str:
    v = row.get(key)
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def _rule(name: str, value_column: str, row: pd.Series, table: str, year: int | None, **extra) -> Rule:
    file_row = row.get("file_row")
    return Rule(name, float(row[value_column]), str(row.get("scope", row.get("region", "national"))), year,
                _text(row, "basis"), _text(row, "source"), bool(row["verified"]),
                f"policy/{table}.csv", table=table, unit=VALUE_UNITS[table], note_zh=_text(row, "note_zh"),
                note_en=_text(row, "note_en"), row=None if file_row is None else int(file_row), **extra)
