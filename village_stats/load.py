"""Reading a data root: villages, periods and each village-period into validated :class:`PeriodData`.

Files: ``<root>/<village>/village.yaml`` and, per period, either a folder ``<root>/<village>/<period>/``
of CSV files or one workbook ``<root>/<village>/<period>.xlsx`` with a sheet per table; the policy tables
in ``<root>/policy/``. A :class:`Source` is one data root read once per process: every file is opened
through its :class:`~village_stats.readers.Reader` (which records the digest of the bytes read), and the
villages, periods and policy tables built from them are kept, so a report that needs a period twice (the
period itself, then as the previous period of the next) reads it once. Every problem raises
:class:`~village_stats.errors.DataError` naming the file, the spreadsheet row and the column. Nothing here
writes a file.

This module is long (over 600 lines) because :class:`Source` keeps in one place everything a data root is
read through once: discovery, village.yaml, each period's raw and parsed tables (members and help measures
from 2026), the status of a period (data, missing, an unfilled template) that ``latest``, histories, trends
and batches share, the rules and the earlier periods a period needs; splitting it would split those caches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from . import schema
from .errors import DataError, UnfilledPeriod, shorten
from .labels import message_lang
from .parse import (
    PovertyLine,
    Village,
    _check_evaluation_sample,
    _check_households,
    _check_outputs,
    _check_population,
    _check_work_log,
    _Where,
    check_2026_tables,
    read_table,
)
from .periods import PERIOD_FORMS, Period, is_period_code, parse_period
from .personal import pseudonymise_tables, shown
from .places import MAX_ID, RESERVED_IDS
from .policy import POLICY_FOLDER, AppliedRules, PolicyBook, as_poverty_line
from .readers import (
    INSTRUCTIONS_SHEET,
    MAX_YAML_BYTES,
    Reader,
    _suggest,
    _yaml_type,
    is_unfilled,
    load_yaml,
    normalize_sheet,
    read_csv_raw,
    read_workbook_raw,
)

VILLAGE_ID = re.compile(r"^[a-z0-9_-]+$")
#: Columns the loader derives from an ID number before dropping it (``parse._check_households``/``_check_members``).
DERIVED_COLUMNS = {"households": ("id_number_status", "id_key"),
                   "members": ("id_number_status", "id_birth_date", "id_sex", "id_key")}
#: Spreadsheet formats a period workbook must not be saved in (only .xlsx is read).
OTHER_WORKBOOKS = (".xls", ".xlsm", ".xlsb", ".ods", ".et", ".numbers")
#: What :meth:`Source.status` says of a village-period: data entered, no folder or workbook, a blank template.
OK, MISSING, UNFILLED = "ok", "missing", "unfilled"


# --------------------------------------------------------------------------- value objects

@dataclass(frozen=True)
class PeriodData:
    """One village-period: metadata plus one validated frame per table present.

    The one value the evaluation reads (the *PeriodInput* of the README's "How the code is laid out"): the tables, the
    policy rules that apply to the period (resolved when it was read, see :class:`AppliedRules`) and,
    where a measure compares two periods (a register with monitoring fields), the previous period of the
    same kind. Columns carry canonical names and parsed values (numbers as float with NaN for unknown,
    vocabularies as canonical ids). Nothing below this value reads a file.

    Attributes
    ----------
    sources : tuple of Path
        Every file this period's values came from: village.yaml, the period's files, the policy tables
        whose rules apply, and the previous period's sources.
    """

    village: Village
    period: Period
    tables: Mapping[str, pd.DataFrame]
    sources: tuple[Path, ...] = field(default_factory=tuple)
    poverty_line: PovertyLine | None = None
    rules: AppliedRules = field(default_factory=AppliedRules)
    previous: PeriodData | None = None
    #: The same period a year before (2026 data: income growth on the year before), without its own.
    year_ago: PeriodData | None = None

    def has(self, name: str) -> bool:
        return name in self.tables  # whether the file was there (members, help_measures are optional)

    def table(self, name: str) -> pd.DataFrame:
        """The table, or an empty frame with its canonical columns when absent (as loaded: the personal columns
        dropped, the columns derived from ID numbers there; see :data:`DERIVED_COLUMNS`)."""
        if name in self.tables:
            return self.tables[name]
        names = [c.name for c in schema.TABLES[name].columns if not c.sensitive] + list(DERIVED_COLUMNS.get(name, ()))
        return pd.DataFrame({c: pd.Series(dtype=object) for c in names})

    def measures(self) -> pd.Series:
        """``population`` as a Series: measure id → value [households or persons]."""
        pop = self.tables["population"]
        return pd.Series(pop["value"].to_numpy(dtype=float), index=pop["measure"].to_numpy(), name="value")

    def _repr_html_(self) -> str:
        """JupyterLab's view: village, period, poverty line and each table with its rows (labels in the
        language of ``VILLAGE_STATS_LANG``, Chinese by default)."""
        import html

        from .labels import pick, t

        lang = message_lang()
        esc = html.escape
        head = (f"<p><b>{esc(self.village.name(lang))}</b> · {esc(self.period.label(lang))} "
                f"<code>{esc(self.village.id)} {esc(self.period.code)}</code></p>")
        if self.poverty_line is not None:
            pl = self.poverty_line
            word = t("poverty_line_head", lang)
            origin = t("policy_origin", lang, file=f"policy/{pl.table}.csv", row=pl.row,
                       scope=t("national", lang) if pl.scope == "national" else pl.scope) if pl.row else pl.origin
            mark = "" if pl.verified else t("clause_sep", lang) + t("unverified", lang)
            head += f"<p>{word}: {pl.poverty_line_yuan:,.0f} ({esc(origin)}{esc(mark)})</p>"
        rows = "".join(
            f"<tr><td style='text-align:left'>{esc(pick((schema.TABLES[name].zh, schema.TABLES[name].en), lang))}</td>"
            f"<td style='text-align:left'><code>{esc(name)}</code></td><td style='text-align:right'>{len(frame):,}</td></tr>"
            for name, frame in self.tables.items())
        cols = (t("table_col", lang), t("name_col", lang), t("rows_col", lang))
        header = "".join(f"<th style='text-align:{a}'>{c}</th>" for c, a in zip(cols, ("left", "left", "right")))
        return f"{head}<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"

    def __repr__(self) -> str:
        tables = ", ".join(f"{k} ({len(v)} rows)" for k, v in self.tables.items())
        return f"PeriodData({self.village.id} {self.period.code}: {tables})"


# --------------------------------------------------------------------------- discovery

def check_village_id(village_id: str) -> str:
    """Reject a bad village id (``[a-z0-9_-]+``, :mod:`~village_stats.places` limits) before any path."""
    if not isinstance(village_id, str) or not VILLAGE_ID.fullmatch(village_id) or len(village_id) > MAX_ID:
        raise DataError.said("msg_bad_village_id", id=shorten(village_id), n=len(str(village_id)), limit=MAX_ID)
    if village_id in RESERVED_IDS:
        raise DataError.said("msg_reserved_id", id=village_id, reserved=village_id)
    return village_id


def as_period(period: Period | str) -> Period:
    """Parse a period code, turning a bad one into a :class:`DataError`."""
    if isinstance(period, Period):
        return period
    try:
        parsed = parse_period(period)
    except ValueError as exc:
        raise DataError(str(exc).replace(repr(period), repr(shorten(period)))) from None
    if not _plausible_year(parsed.year):
        raise DataError(f"period '{shorten(period)}': expected a year between {YEARS[0]} and {YEARS[1]}")
    return parsed


#: Years a period may fall in.
YEARS = (1949, 2100)


def _plausible_year(year: int) -> bool:
    return YEARS[0] <= year <= YEARS[1]


def village_folders(data_dir: Path) -> list[str]:
    """Every folder of a data root that should be a village, also one without ``village.yaml`` (reported
    as bad input, never skipped silently): all but hidden folders and ``policy/`` (the policy tables)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError("data folder not found", path=data_dir)
    return sorted(p.name for p in data_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
                  and p.name != POLICY_FOLDER)


def list_villages(data_dir: Path) -> list[str]:
    """Ids of the village folders in ``data_dir`` (folders that hold a ``village.yaml``)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError("data folder not found", path=data_dir)
    return sorted(p.name for p in data_dir.iterdir() if p.is_dir() and (p / "village.yaml").is_file())


def list_periods(data_dir: Path, village_id: str, *, strict: bool = False) -> list[Period]:
    """Periods with data for a village: sub-folders and workbooks named by a period code, sorted.

    With ``strict``, an entry that looks like a period but is not a valid code raises.
    """
    folder = Path(data_dir) / check_village_id(village_id)
    if not folder.is_dir():
        raise DataError(f"no folder for village '{village_id}'", path=folder)
    found: dict[str, Period] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or p.name == "village.yaml":
            continue
        code = p.name if p.is_dir() else (p.stem if p.suffix.lower() == ".xlsx" else None)
        if code is None:
            if p.suffix.lower() in OTHER_WORKBOOKS and is_period_code(p.stem.strip()):
                # never skipped silently: `latest` would pick an older period without a word
                raise DataError.said("msg_other_workbook", path=p, suffix=p.suffix)
            continue
        if code != code.strip() and is_period_code(code.strip()):
            if strict:
                raise DataError(f"'{p.name}' has spaces around the period code: expected exactly "
                                f"'{code.strip()}'", path=p)
            continue
        if is_period_code(code) and not _plausible_year(parse_period(code).year):
            if strict:
                raise DataError(f"'{p.name}': expected a period between {YEARS[0]} and {YEARS[1]}", path=p)
            continue
        if is_period_code(code):
            if code in found:
                raise DataError(f"period {code} is given both as a folder and as a workbook; keep one",
                                path=p)
            found[code] = parse_period(code)
        elif strict and re.match(r"^\d{4}", code):
            raise DataError(f"'{p.name}' is not a period code: expected {PERIOD_FORMS}", path=p)
    return sorted(found.values(), key=lambda x: (x.start, x.end))


# --------------------------------------------------------------------------- village.yaml

def read_village(data_dir: Path, village_id: str, *, policy: PolicyBook | None = None,
                 resolve: bool = True) -> Village:
    """Read and check ``<data_dir>/<village>/village.yaml``.

    ``policy`` is the data root's book (its reader opens the file); a new one is made when not given.
    Without ``exit_threshold`` in village.yaml, the region's row of ``policy/exit_thresholds.csv`` gives it
    (with ``resolve=False`` it is left NaN, for :class:`Source` to fill in once the period's own files have
    been checked, so a data error in them is reported before a missing policy table).
    """
    folder = Path(data_dir) / check_village_id(village_id)
    path = folder / "village.yaml"
    if not folder.is_dir():
        raise DataError(f"no folder for village '{village_id}'", path=folder)
    if not path.is_file():
        raise DataError("village.yaml is missing: every village folder needs one (see data/README.md)",
                        path=path)
    policy = policy if policy is not None else PolicyBook(data_dir)
    meta = load_yaml(path, policy.reader.read(path, MAX_YAML_BYTES))
    if not isinstance(meta, dict):
        raise DataError("expected a mapping of keys to values", path=path)
    known = {k for k, _, _ in schema.VILLAGE_FIELDS}
    for key in meta:
        if key not in known:
            raise DataError(f"unknown key '{key}'{_suggest(str(key), known)}", path=path)
    values: dict[str, object] = {}
    for key, _, required in schema.VILLAGE_FIELDS:
        v = meta.get(key)
        if required and (v is None or str(v).strip() == ""):
            raise DataError(f"key '{key}' is required", path=path)
        if key in _TEXT_KEYS and v is not None and not isinstance(v, str):
            raise DataError(f"key '{key}': expected text, got a {_yaml_type(v)}", path=path)
        if isinstance(v, str) and len(v) > 500:
            raise DataError(f"key '{key}': expected at most 500 characters, got {len(v)}", path=path)
        values[key] = v
    if values["fictional"] is not None and not isinstance(values["fictional"], bool):
        raise DataError(f"key 'fictional': expected true or false, got a {_yaml_type(values['fictional'])} "
                        f"{shown(values['fictional'])}", path=path)
    for key in ("exit_threshold", "poverty_line_yuan"):
        v = values[key]
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise DataError(f"key '{key}': expected a number, got a {_yaml_type(v)} {shown(v)}", path=path)
    if str(values["id"]) != village_id:
        raise DataError(f"id {shown(values['id'])} does not match the folder name '{village_id}'", path=path)
    region = str(values["region"]).strip()
    lookup = schema.REGIONS.lookup()
    if region.lower() not in lookup:
        raise DataError(f"region {shown(region)}: expected one of eastern, central, western", path=path)
    region = lookup[region.lower()]
    line = _positive_amount(values, "poverty_line_yuan", path)
    if line is not None:
        low, high = schema.POVERTY_LINE_RANGE_YUAN
        if not (math.isfinite(line) and low <= line <= high):
            raise DataError(f"poverty_line_yuan {line:g}: expected an amount between {low:g} and {high:g} "
                            f"[yuan per person per year]", path=path)
    monitoring_line = _positive_amount(values, "monitoring_threshold_yuan", path)
    codes = {}
    for key, digits in (("province_code", 2), ("county_code", 6)):
        v = values[key]
        codes[key] = None if v is None else str(v).strip()
        if codes[key] is not None and not re.fullmatch(rf"\d{{{digits}}}", codes[key]):
            raise DataError(f"{key} {shown(v)}: expected a {digits}-digit administrative division code (GB/T 2260)",
                            path=path)
    threshold = values["exit_threshold"]
    from_policy = threshold is None
    if from_policy:  # last: the policy table is read only for a village.yaml that is valid otherwise
        threshold = policy.exit_threshold(region).value if resolve else math.nan
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise DataError(f"exit_threshold {threshold!r}: expected a ratio between 0 and 1", path=path) from None
    if not (0 < threshold < 1 or (from_policy and not resolve)):
        raise DataError(f"exit_threshold {threshold!r}: expected a ratio between 0 and 1", path=path)
    return Village(
        # names without outer blanks: a trailing full-width space (U+3000) must not make a new township
        id=village_id, name_zh=str(values["name_zh"]).strip(), name_en=str(values["name_en"]).strip(),
        township_zh=str(values["township_zh"]).strip(), county_zh=str(values["county_zh"]).strip(),
        city_zh=str(values["city_zh"]).strip(), province_zh=str(values["province_zh"]).strip(), region=region,
        supported_by_zh=str(values["supported_by_zh"]).strip(), exit_threshold=threshold,
        poverty_line_yuan=line, fictional=bool(values["fictional"]), exit_threshold_from_policy=from_policy,
        note=str(values["note"] or ""), monitoring_threshold_yuan=monitoring_line, **codes,
        **{k: str(values[k] or "").strip() for k in ("township_en", "county_en", "city_en", "province_en",
                                                     "supported_by_en")},
    )


def _positive_amount(values: dict, key: str, path: Path) -> float | None:
    """An optional positive amount of village.yaml, or None when not given."""
    v = values[key]
    if v is None:
        return None
    try:
        amount = float(v)
    except (TypeError, ValueError):
        amount = -1.0
    if not amount > 0:
        raise DataError(f"{key} {shown(v)}: expected a positive amount", path=path)
    return amount


_TEXT_KEYS = ("id", "name_zh", "name_en", "township_zh", "county_zh", "city_zh", "province_zh", "region",
              "supported_by_zh", "note", "township_en", "county_en", "city_en", "province_en", "supported_by_en")

# --------------------------------------------------------------------------- loading

def period_source(data_dir: Path, village_id: str, period: Period | str) -> Path:
    """The folder or workbook that holds one village-period."""
    period = as_period(period)
    folder = Path(data_dir) / check_village_id(village_id)
    d, x = folder / period.code, folder / f"{period.code}.xlsx"
    if not x.is_file() and folder.is_dir():
        # the extension's case does not matter (2017H1.XLSX), as in list_periods
        x = next((p for p in sorted(folder.iterdir()) if p.stem == period.code and p.suffix.lower() == ".xlsx"),
                 x)
    if d.is_dir() and x.is_file():
        raise DataError(f"period {period.code} is given both as a folder and as a workbook; keep one", path=x)
    if d.is_dir():
        return d
    if x.is_file():
        return x
    if not folder.is_dir():
        raise DataError(f"no folder for village '{village_id}'", path=folder)
    for p in sorted(folder.iterdir()):
        stem = p.name if p.is_dir() else (p.stem if p.suffix.lower() == ".xlsx" else "")
        if stem != period.code and stem.strip() == period.code:
            raise DataError(f"'{p.name}' has spaces around the period code: expected exactly '{period.code}'",
                            path=p)
    have = ", ".join(p.code for p in list_periods(data_dir, village_id)) or "none"
    raise DataError(f"no data for period {period.code}: expected a folder {d.name}/ or a workbook {x.name} "
                    f"(periods with data: {have})", path=folder)


def load_period(village_id: str, period: Period | str, data_dir: str | Path | None = None) -> PeriodData:
    """Load and validate one village-period (a new :class:`Source` of ``data_dir``; see :meth:`Source.period`).

    Parameters
    ----------
    village_id : str
        The village folder name.
    period : Period or str
        The period, e.g. ``"2017H1"``.
    data_dir : str or Path, optional
        The data folder; see :func:`village_stats.config.resolve_data_dir`.

    Raises
    ------
    DataError
        On the first problem found, naming file, row and column.
    """
    from .config import resolve_data_dir

    return Source(resolve_data_dir(data_dir)).period(village_id, period)


class Source:
    """One data root, read once: every file opened through one :class:`~village_stats.readers.Reader`,
    every village, period and policy table built once and kept.

    Parameters
    ----------
    data_dir : Path
        The data root (resolved at the edge: the CLI or the notebook's parameters).

    Examples
    --------
    >>> source = Source(Path("data"))
    >>> data = source.period("suoluoyu", "2017H1")
    >>> source.period("suoluoyu", "2017H1") is data
    True
    >>> max(source.reader.opened.values())
    1
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.reader = Reader()
        self.policy = PolicyBook(self.data_dir, self.reader)
        self._villages: dict[str, Village] = {}
        self._yaml: dict[str, Village] = {}
        self._periods: dict[tuple[str, str, bool], PeriodData] = {}
        self._parsed: dict[tuple[str, str], tuple[dict[str, pd.DataFrame], list[Path]]] = {}
        self._raw: dict[tuple[str, str], _Raw | DataError] = {}
        self._status: dict[tuple[str, str], str] = {}
        self._lists: dict[str, list[Period]] = {}

    def village_yaml(self, village_id: str) -> Village:
        """The village's ``village.yaml``, checked (read once); an exit threshold from policy still NaN."""
        if village_id not in self._yaml:
            self._yaml[village_id] = read_village(self.data_dir, village_id, policy=self.policy, resolve=False)
        return self._yaml[village_id]

    def village(self, village_id: str) -> Village:
        """The village, its exit threshold resolved (village.yaml, else ``policy/exit_thresholds.csv``)."""
        if village_id not in self._villages:
            v = self.village_yaml(village_id)
            if v.exit_threshold_from_policy:
                v = dataclasses.replace(v, exit_threshold=self.policy.exit_threshold(v.region).value)
            self._villages[village_id] = v
        return self._villages[village_id]

    def stored(self, village_id: str) -> list[Period]:
        """The village's periods that have a folder or workbook, filled in or not, oldest first
        (:func:`list_periods`)."""
        if village_id not in self._lists:
            self._lists[village_id] = list_periods(self.data_dir, village_id)
        return self._lists[village_id]

    def periods(self, village_id: str) -> list[Period]:
        """The village's periods with data, oldest first: :meth:`stored` without the unfilled templates
        (each period's files are read to tell; see :meth:`status`)."""
        return [p for p in self.stored(village_id) if self.status(village_id, p) == OK]

    def status(self, village_id: str, period: Period | str) -> str:
        """What a village-period holds: :data:`OK` (data entered; loading validates it), :data:`MISSING`
        (no folder or workbook for it) or :data:`UNFILLED` (a new-period template in which no value has been
        entered: :func:`village_stats.readers.is_unfilled`). Reads the period's files once (kept for
        :meth:`period`); a file that cannot be read counts as data (:meth:`period` then says what is wrong).

        The one definition of "a period with data": ``latest``, the history of a report, the previous
        period, trends, the county and batch runs all ask here.
        """
        period = as_period(period)
        key = (check_village_id(village_id), period.code)
        if key not in self._status:
            if period not in self.stored(village_id):
                return MISSING
            raw = self._raw_tables(village_id, period)
            unfilled = not isinstance(raw, DataError) and is_unfilled({k: v[0] for k, v in raw.tables.items()})
            self._status[key] = UNFILLED if unfilled else OK
        return self._status[key]

    def resolve(self, period: str | Period, village_id: str, today: dt.date | None = None) -> Period:
        """``latest``/``previous`` or a code as a Period.

        ``latest``: the village's newest period with data (an unfilled template is passed over).
        ``previous``: the last complete period before ``today`` of the same kind as the village's newest one
        (a cron job on 2017-07-05 gets 2017H1).
        """
        from .periods import last_complete

        if isinstance(period, Period):
            return period
        if period not in ("latest", "previous"):
            return as_period(period)
        stored = self.stored(village_id)
        newest = next((p for p in reversed(stored) if self.status(village_id, p) == OK), None)
        if newest is None:
            raise DataError(f"no period with data for village '{village_id}'"
                            + (f" (unfilled: {', '.join(p.code for p in stored)})" if stored else ""),
                            path=Path(self.data_dir) / village_id)
        return newest if period == "latest" else last_complete(stored[-1].kind, today or dt.date.today())

    def period(self, village_id: str, period: Period | str, *, with_previous: bool = True) -> PeriodData:
        """One village-period, validated, with the rules that apply and, for a register with monitoring
        fields, the previous period (read once, then kept).

        The previous period is attached without a previous period of its own (``with_previous=False``): a
        measure compares two periods, never three, so bad data two periods back never stops this one.
        """
        check_village_id(village_id)
        period = as_period(period)
        key = (village_id, period.code, with_previous)
        if key not in self._periods:
            tables, files = self._tables(village_id, period)
            self._periods[key] = _period_data(self, village_id, period, tables, files, with_previous)
        return self._periods[key]

    def _tables(self, village_id: str, period: Period) -> tuple[dict[str, pd.DataFrame], list[Path]]:
        """The period's validated tables and the files they came from (read and parsed once)."""
        key = (village_id, period.code)
        if key not in self._parsed:
            if self.status(village_id, period) == UNFILLED:
                raw = self._raw_tables(village_id, period)
                raise UnfilledPeriod.said("msg_unfilled_period", path=raw.where, period=period.code)
            raw = self._raw_tables(village_id, period)
            if isinstance(raw, DataError):
                raise raw
            self._parsed[key] = _read_tables(self, village_id, period, raw)
            self._raw.pop(key, None)  # parsed: the raw frames are no longer needed
        return self._parsed[key]

    def raw_tables(self, village_id: str, period: Period | str) -> dict[str, pd.DataFrame]:
        """The period's tables as read, before parsing (personal columns included), read once and shared
        with :meth:`period`; empty when reading fails (then :meth:`period` raises the error).

        The source drops its raw frames once the period is parsed: a caller that needs them (the personal
        columns of a new period's workbook) takes them first and keeps them.
        """
        raw = self._raw_tables(village_id, as_period(period))
        return {} if isinstance(raw, DataError) else {name: t[0] for name, t in raw.tables.items()}

    def _raw_tables(self, village_id: str, period: Period) -> _Raw | DataError:
        """The period's raw tables as read (once), or the error that reading them raised."""
        key = (village_id, period.code)
        if key not in self._raw:
            try:
                self._raw[key] = _read_raw(self, village_id, period)
            except DataError as exc:
                self._raw[key] = exc
        return self._raw[key]

    def resolve_any(self, period: str | Period) -> Period:
        """A period code, or ``latest``: the newest period any village of the data root has (the county's)."""
        if isinstance(period, Period) or period != "latest":
            return as_period(period)
        villages = list_villages(self.data_dir)
        found = sorted({p for v in villages for p in self.stored(v)}, key=lambda p: (p.end, p.start), reverse=True)
        for p in found:  # newest first: the first that a village has data for (templates passed over)
            if any(self.status(v, p) == OK for v in villages):
                return p
        raise DataError("no village has any period with data", path=self.data_dir)

    def earlier(self, data: PeriodData) -> list[PeriodData]:
        """The village's periods of the same kind before ``data``'s, oldest first (the report's history)."""
        out = [self.period(data.village.id, p) for p in self.stored(data.village.id)
               if p.kind == data.period.kind and p.end < data.period.start
               and self.status(data.village.id, p) == OK]
        check_panel_ids([*[d for d in out if d.has("households")][-1:], data])  # the register a report compares
        return out

    def digests(self) -> dict[str, str]:
        """sha256 of every file read so far, by path relative to the data root (POSIX; absolute outside it)."""
        root = Path(os.path.abspath(self.data_dir))
        return {(p.relative_to(root).as_posix() if p.is_relative_to(root) else p.as_posix()): h
                for p, h in sorted(self.reader.digests.items())}


class _Raw(NamedTuple):
    """A village-period's tables as read, before parsing: name → (frame, file, sheet); the files read."""

    tables: dict[str, tuple[pd.DataFrame, Path, str | None]]
    sources: list[Path]
    where: Path  # the period's folder or workbook


def _read_raw(source: Source, village_id: str, period: Period) -> _Raw:
    """Read the files of one village-period of ``source`` as raw tables (village.yaml first)."""
    data_dir = source.data_dir
    source.village_yaml(village_id)  # village.yaml first; what needs the policy tables comes last
    where_from = period_source(data_dir, village_id, period)
    raw: dict[str, tuple[pd.DataFrame, Path, str | None]] = {}
    sources: list[Path] = [Path(data_dir) / village_id / "village.yaml"]
    if where_from.is_dir():
        for p in sorted(where_from.iterdir()):
            if p.name.startswith(".") or p.is_dir():
                continue
            if p.suffix.lower() != ".csv":
                if normalize_sheet(p.stem) in schema.TABLES:  # households.xlsx in a folder of CSV files
                    raise DataError.said("msg_table_not_csv", path=p, suffix=p.suffix or "''",
                                       table=normalize_sheet(p.stem))
                continue
            name = normalize_sheet(p.stem)
            if name not in schema.TABLES:
                raise DataError(f"unknown table file: expected one of "
                                f"{', '.join(t.filename for t in schema.TABLES.values())}"
                                f"{_suggest(p.name, [t.filename for t in schema.TABLES.values()])}", path=p)
            if name in raw:
                raise DataError(f"table '{name}' is given twice (also as {raw[name][1].name}): expected one "
                                f"file per table", path=p)
            raw[name] = (read_csv_raw(p, source.reader.read(p)), p, None)
            sources.append(p)
    else:
        sources.append(where_from)
        for name, df in read_workbook_raw(where_from, source.reader.read(where_from)).items():
            if name == INSTRUCTIONS_SHEET:
                continue  # the instructions sheet for people (see INSTRUCTIONS_SHEET)
            if name not in schema.TABLES:
                raise DataError(f"unknown sheet '{name}': expected sheets named {', '.join(schema.TABLES)}"
                                f"{_suggest(name, schema.TABLES)}", path=where_from, sheet=name)
            raw[name] = (df, where_from, df.attrs.get("sheet", name))
    return _Raw(raw, sources, where_from)


def _read_tables(source: Source, village_id: str, period: Period, read: _Raw
                 ) -> tuple[dict[str, pd.DataFrame], list[Path]]:
    """Parse and check the raw tables of one village-period (see :meth:`Source.period`): the tables, and
    the files read (village.yaml first)."""
    raw, sources, where_from = read
    tables: dict[str, pd.DataFrame] = {}
    wheres: dict[str, _Where] = {}
    for name, t in schema.TABLES.items():
        if name not in raw:
            if t.required:
                where = where_from / t.filename if where_from.is_dir() else where_from
                raise DataError(f"required table '{name}' is missing "
                                f"({'file ' + t.filename if where_from.is_dir() else 'sheet ' + name})", path=where)
            continue
        frame, path, sheet = raw[name]
        tables[name] = read_table(frame, t, path, sheet)
        wheres[name] = _Where(path, sheet)
    _check_population(tables["population"], wheres["population"])
    if "work_log" in tables:
        _check_work_log(tables["work_log"], wheres["work_log"], period)
    if "project_outputs" in tables:
        _check_outputs(tables["project_outputs"], tables.get("projects"), wheres["project_outputs"])
    if "evaluation_sample" in tables:
        _check_evaluation_sample(tables["evaluation_sample"], wheres["evaluation_sample"])
    if "households" in tables:
        tables["households"] = _check_households(tables["households"], wheres["households"], period)
    check_2026_tables(tables, wheres)  # members, help_measures: every row's household in the register
    for frame in tables.values():
        frame.attrs.clear()  # row numbers were for error messages only
    return pseudonymise_tables(tables, village_id), sources  # identity numbers used as ids: keyed digests


def _period_data(source: Source, village_id: str, period: Period, tables: dict[str, pd.DataFrame],
                 files: list[Path], with_previous: bool) -> PeriodData:
    """The :class:`PeriodData` of read tables: the village, the rules that apply, the previous period."""
    village = source.village(village_id)
    rules, previous = _applied_rules(source, village, period, tables, with_previous)
    book = source.policy
    used = [book.path("exit_thresholds")] if village.exit_threshold_from_policy else []
    used += [book.path(r.table) for r in rules.used() if r.table]
    if rules.check_rules is not None and len(rules.check_rules):
        used.append(rules.check_rules_file)
    if previous is not None:
        used += previous.sources
    sources = list(files) + [p for p in dict.fromkeys(used) if p not in files]
    line = None if rules.poverty_line is None else as_poverty_line(rules.poverty_line)  # the rule applied
    year_ago = None
    if with_previous and schema.has_2026_fields(tables):
        before = Period(period.year - 1, period.kind, period.index)
        if before in source.stored(village_id) and source.status(village_id, before) == OK:
            year_ago = previous if previous is not None and previous.period == before else \
                source.period(village_id, before, with_previous=False)
            sources += [p for p in year_ago.sources if p not in sources]
    data = PeriodData(village=village, period=period, tables=tables, sources=tuple(sources), poverty_line=line,
                      rules=rules, previous=previous, year_ago=year_ago)
    if previous is not None:
        check_household_ids(previous, data)  # the two-period rules match households by id
    return data


def _applied_rules(source: Source, village: Village, period: Period, tables: Mapping[str, pd.DataFrame],
                   with_previous: bool = True) -> tuple[AppliedRules, PeriodData | None]:
    """The rules that apply to the period and, for a register with monitoring fields, its previous period.

    The poverty line with a register; the monitoring threshold and rules (and the previous period of the
    same kind, when the village has it) with monitoring fields; the evaluation thresholds with an
    evaluation sample; the rows of ``check_rules.csv`` for the village and year with any table the
    data-quality rules read (:meth:`~village_stats.policy.PolicyBook.check_rules`).
    """
    book = source.policy
    line = monitoring = previous = None
    rules: dict[str, object] = {}
    evaluation: dict = {}
    if "households" in tables:
        line = book.poverty_line_rule(village, period.year)
        if schema.has_monitoring_fields(tables["households"]):
            monitoring = book.monitoring_threshold(village, period.year)
            rules = book.monitoring_rules_in_force(village, period.year)  # MONITORING_RULES by year
            before = period.previous()
            if with_previous and source.status(village.id, before) == OK:
                previous = source.period(village.id, before, with_previous=False)
    if "evaluation_sample" in tables:
        evaluation = book.evaluation_thresholds(village)
    income = {y: r for y in (period.year - 1, period.year) if schema.has_2026_fields(tables)
              and (r := book.rural_income(village, y)) is not None}
    checked = None
    if any(t in tables for t in ("households", "members", "help_measures")):  # what the check rules read
        checked = book.check_rules(village, period.year)
    file = None if checked is None else book.path("check_rules")
    return AppliedRules(line, monitoring, rules, evaluation, income, checked, file), previous


def check_panel_ids(panel: list[PeriodData]) -> None:
    """:func:`check_household_ids` of each period with a register against the one before it with a register
    (periods oldest first, one kind)."""
    registers = [d for d in panel if d.has("households")]
    for before, after in zip(registers, registers[1:]):
        check_household_ids(before, after)


def check_household_ids(before: PeriodData, after: PeriodData) -> None:
    """Two registers of a village compared by ``household_id`` must spell their ids alike, else a
    :class:`DataError` naming the register whose ids lost their leading zeros (file, sheet, column).

    Ids stored as numbers lose their leading zeros (``0000007`` → ``7``): every household would then be
    "removed" and "new" at once. The test: of the later register's ids not in the earlier one, at least half
    (and at least one) equal an earlier id that is not in the later one once leading zeros are dropped. No
    id is quoted.
    """
    if not (before.has("households") and after.has("households")):
        return
    ids0 = set(before.table("households")["household_id"].astype(str))
    ids1 = set(after.table("households")["household_id"].astype(str))
    new, gone = ids1 - ids0, {i.lstrip("0") or "0": i for i in ids0 - ids1}
    pairs = [(i, gone[i.lstrip("0") or "0"]) for i in new if (i.lstrip("0") or "0") in gone]
    if not pairs or 2 * len(pairs) < len(new):
        return
    shorter = after if sum(len(a) < len(b) for a, b in pairs) * 2 >= len(pairs) else before
    other = before if shorter is after else after
    where = next((f for f in shorter.sources if f.name == schema.HOUSEHOLDS.filename
                  or (f.suffix.lower() == ".xlsx" and f.stem == shorter.period.code)), None)
    raise DataError.said("msg_ids_lost_zeros", path=where, column="household_id",
                       sheet="households" if where is not None and where.suffix.lower() == ".xlsx" else None,
                       n=len(pairs), period=other.period.code)


class Checked(NamedTuple):
    """The outcome of validating one village-period."""

    village: str
    period: str
    problem: str                 # "" when valid, else the one-line error
    data: PeriodData | None      # the loaded data when valid
    error: DataError | None = None  # the error itself (its message in another language: DataError.localized)
    status: str = OK             # UNFILLED for a blank template (not an error: nothing to check yet)


def validate(data_dir: str | Path | None = None, village_id: str | None = None,
             period: str | None = None) -> list[Checked]:
    """Validate every village-period (or the ones named), in village then period order."""
    from .config import resolve_data_dir

    data_dir = resolve_data_dir(data_dir)
    villages = [check_village_id(village_id)] if village_id else village_folders(data_dir)
    results: list[Checked] = []
    source = Source(data_dir)
    for v in villages:
        try:
            source.village(v)
            periods = [source.resolve(period, v)] if period else list_periods(data_dir, v, strict=True)
        except DataError as exc:
            results.append(Checked(v, period or "", str(exc), None, exc))
            continue
        for p in periods:
            if source.status(v, p) == UNFILLED:
                results.append(Checked(v, p.code, "", None, None, UNFILLED))
                continue
            try:
                results.append(Checked(v, p.code, "", source.period(v, p)))
            except DataError as exc:
                results.append(Checked(v, p.code, str(exc), None, exc))
    return results


# --------------------------------------------------------------------------- period resolution

def resolve_period(period: str | Period, village: str, data_dir: Path, today: dt.date | None = None) -> Period:
    """Turn ``latest``/``previous`` or a code into a Period (one resolution, at the edge).

    ``latest``: the village's newest period with data. ``previous``: the last complete period before
    ``today`` of the same kind as the village's newest one (a cron job on 2017-07-05 gets 2017H1).
    """
    return Source(data_dir).resolve(period, village, today)
