"""Parsing raw tables into validated frames: columns by the schema, values by their kind, cross-table rules.

Raw frames come from :mod:`village_stats.readers`; what comes out has canonical column names and parsed
values (numbers as float with NaN for unknown, vocabularies as canonical ids). Every problem raises
:class:`~village_stats.errors.DataError` naming the file, the spreadsheet row and the column, never quoting
personal data. Nothing here opens a file.

The module is long (over 600 lines) because it holds every table's checks in one place: the value kinds,
the cross-table rules of the register and, from 2026, of its members and help measures; splitting the
2026 checks out would split the one ``_Where`` error path they share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .errors import DataError, shorten
from .labels import KIND_HINTS_ZH, pick, pinyin_id, say
from .periods import Period
from .personal import quotable, shown
from .readers import _ID_LIKE, _cell_str, _suggest, is_reference_header
from .schema import Column, Table

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_TRUE = {"是", "1", "true", "t", "y", "yes", "有", "√"}
_FALSE = {"否", "0", "false", "f", "n", "no", "无", "×"}


# --------------------------------------------------------------------------- value objects

@dataclass(frozen=True)
class Village:
    """Metadata of one village (``village.yaml``)."""

    id: str
    name_zh: str
    name_en: str
    township_zh: str
    county_zh: str
    city_zh: str
    province_zh: str
    region: str
    supported_by_zh: str
    exit_threshold: float
    poverty_line_yuan: float | None = None
    fictional: bool = False
    note: str = ""
    province_code: str | None = None
    county_code: str | None = None
    monitoring_threshold_yuan: float | None = None
    township_en: str = ""
    county_en: str = ""
    city_en: str = ""
    province_en: str = ""
    supported_by_en: str = ""
    #: Whether ``exit_threshold`` came from ``policy/exit_thresholds.csv`` (not set in village.yaml).
    exit_threshold_from_policy: bool = False

    def name(self, lang: str = "zh") -> str:
        return pick((self.name_zh, self.name_en), lang)


@dataclass(frozen=True)
class PovertyLine:
    """The poverty line used for a period's register measures."""

    poverty_line_yuan: float
    year: int
    basis: str
    source: str
    verified: bool
    origin: str  # "village.yaml" or "policy/poverty_lines.csv (<scope>)"
    scope: str = ""  # national, a division code, or village.yaml
    table: str = ""  # the policy table (poverty_lines), '' for village.yaml
    row: int | None = None  # the table's file row (the header is row 1)
    note_zh: str = ""  # the row's remark (why unverified …) in Chinese
    note_en: str = ""  # … and in English



# --------------------------------------------------------------------------- parsing


def _as_text(raw: pd.Series) -> pd.Series:
    """Cells as stripped strings (object dtype), None for empty cells; Excel numbers without '.0'."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        vals = raw.to_numpy(dtype=float)
        out = np.full(len(vals), None, dtype=object)
        ok = ~np.isnan(vals)
        integral = ok & (np.mod(vals, 1) == 0)
        out[integral] = vals[integral].astype(np.int64).astype(str)
        other = ok & ~integral
        out[other] = vals[other].astype(str)
        return pd.Series(out, index=raw.index, dtype=object)
    # work on the distinct values: registers repeat most cells (categories, 是/否), so this is far cheaper
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    cleaned = np.array([_clean_cell(v) for v in uniques], dtype=object)
    out = np.full(len(codes), None, dtype=object)
    hit = codes >= 0
    out[hit] = cleaned[codes[hit]]
    return pd.Series(out, index=raw.index, dtype=object)


def _clean_cell(v) -> str | None:
    text = (v if isinstance(v, str) else _cell_str(v)).strip()
    return text or None


def _map_distinct(text: pd.Series, fn) -> pd.Series:
    """Apply ``fn`` to each distinct non-empty value of ``text`` once (None stays None)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    mapped = np.array([fn(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=text.index, dtype=object)



_NUM_CLEAN = re.compile(r"[,，\s]")
# separators only between groups of three digits: 1,234,567.5 (not 1,7,6 nor 12,5)
_SEPARATED = re.compile(r"[+-]?\d{1,3}(?:([,，])\d{3})(?:\1\d{3})*(?:\.\d+)?\s*(?:万)?\s*(?:元)?")
_PLAIN_NUMBER = re.compile(r"[^,，\s]*")


def _numeric(text: pd.Series, *, wan: bool = False) -> pd.Series:
    """Numbers from text: thousands separators removed; with ``wan``, a 元 and a 万 suffix.

    A separator that does not split groups of three digits makes the cell unreadable (NaN), so
    ``1,7,6`` and ``12,5`` are errors, never 176 or 125.

    >>> _numeric(pd.Series(["1,234", "1,7,6", "12,5", "7", None])).tolist()
    [1234.0, nan, nan, 7.0, nan]
    """
    plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(True).astype(bool)
    if not plain.all():
        grouped = text.str.fullmatch(_SEPARATED).fillna(False).astype(bool)
        text = text.where(plain | grouped, "x")
    s = text.str.replace(_NUM_CLEAN, "", regex=True)
    factor = None
    if wan:
        s = s.str.replace(r"元$", "", regex=True)
        is_wan = s.str.endswith("万").fillna(False).astype(bool)
        if is_wan.any():
            s = s.str.replace(r"万$", "", regex=True)
            factor = np.where(is_wan.to_numpy(), 10000.0, 1.0)
    values = pd.to_numeric(s, errors="coerce").astype(float)
    if factor is not None:
        values = (values * factor).round(2)
    return values


#: No count, amount, area or number of village data reaches 15 digits; such a value is an identity number
#: (or a phone or card number) in the wrong column, refused without quoting it.
MAX_MAGNITUDE = 1e14


def parse_column(raw: pd.Series, col: Column) -> tuple[pd.Series, np.ndarray, str]:
    """Parse one column by its kind.

    Returns
    -------
    values : Series
        Parsed values (float with NaN, canonical ids, Timestamps, booleans or strings).
    bad : ndarray of bool
        Cells that are present but not acceptable.
    expectation : str
        What an acceptable cell looks like (for the error message).
    """
    kind = col.kind
    if kind in ("count", "amount", "area", "number", "year") and pd.api.types.is_numeric_dtype(raw.dtype) \
            and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.astype(float)
        text = None
        present = values.notna().to_numpy()
    else:
        text = _as_text(raw)
        present = text.notna().to_numpy()
    expectation = col.expectation
    if kind in ("count", "amount", "area", "number", "year"):
        if text is not None:
            values = _numeric(text, wan=(kind == "amount"))
        v = values.to_numpy(dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            bad = present & ~np.isfinite(v)
            if kind in ("count", "amount", "area"):
                bad |= present & (v < 0)
            if kind in ("count", "year"):
                bad |= present & np.isfinite(v) & (np.mod(v, 1) != 0)
            if kind == "year":
                bad |= present & ((v < 1900) | (v > 2100))
            upper = col.upper
            if upper is not None:
                over = present & np.isfinite(v) & (np.abs(v) > upper)
                if over.any() and not bad[over].all():
                    bad |= over
                    expectation += (f", |value| at most {int(upper):,}" if kind == "number"
                                    else f", at most {int(upper):,}")
            bad |= present & np.isfinite(v) & (np.abs(v) >= MAX_MAGNITUDE)  # an identity number pasted in
        return values, bad, expectation
    if kind == "date":
        values = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        bad = present & values.isna().to_numpy()
        return values, bad, expectation
    if kind == "vocab":
        lookup = col.vocab.lookup()
        values = _map_distinct(text, lambda x: lookup.get(schema.normalize_text(x).lower()))
        bad = present & values.isna().to_numpy()
        if bad.any():
            first = text[bad].iloc[0]
            expectation += _suggest(schema.normalize_text(first).lower(), lookup.keys()).replace(
                "did you mean", "closest")
        return values.astype(object), bad, expectation
    if kind == "vocab_list":
        lookup = col.vocab.lookup()

        def canonical(cell):
            ids = [lookup.get(schema.normalize_text(x).lower()) for x in re.split(r"[|、;；]", cell) if x.strip()]
            return None if not ids or None in ids else "|".join(dict.fromkeys(ids))

        values = _map_distinct(text, canonical)
        return values.astype(object), present & values.isna().to_numpy(), expectation
    if kind == "bool":
        values = _map_distinct(text, lambda x: True if x.lower() in _TRUE else (False if x.lower() in _FALSE
                                                                                   else None))
        bad = present & values.isna().to_numpy()
        return values, bad, expectation
    if kind == "code":
        ok = text.str.fullmatch(_CODE).fillna(False).astype(bool).to_numpy()
        return text, present & ~ok, expectation
    # text and key
    return text, np.zeros(len(text), dtype=bool), expectation


def _show(v, col: Column | None = None, lang: str = "en") -> str:
    """A cell as an error message may show it (:func:`village_stats.personal.shown`): quoted only when it
    cannot identify a person, else described ("an identity number of 18 digits")."""
    return shown(v if isinstance(v, str) else _cell_str(v), sensitive=col is not None and col.sensitive, lang=lang)


#: Id columns a row may leave empty when it gives a Chinese name: the id is made from the name (pinyin,
#: numbered when two names spell alike), so nobody has to invent an English id (table → columns).
AUTO_IDS = {"crops": ("crop_group",), "projects": ("project_id",)}


def _ids_from_names(ids: pd.Series, names: pd.Series) -> pd.Series:
    """Empty ids filled from the Chinese names (:func:`village_stats.labels.pinyin_id`); an id already in use
    gets ``_2``, ``_3`` …

    >>> _ids_from_names(pd.Series([None, "zayong", None]), pd.Series(["杂粮", "杂用", "杂粮"])).tolist()
    ['zaliang', 'zayong', 'zaliang_2']
    """
    out = ids.astype(object).copy()
    used = {str(v) for v in out if v is not None and not pd.isna(v)}
    for i in range(len(out)):
        v, name = out.iloc[i], names.iloc[i]
        if (v is None or pd.isna(v)) and isinstance(name, str) and name.strip():
            base = pinyin_id(name) or "item"
            new, k = base, 1
            while new in used:
                k += 1
                new = f"{base}_{k}"
            used.add(new)
            out.iloc[i] = new
    return out


def read_table(raw: pd.DataFrame, table: Table, path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Validate a raw frame against ``table`` and return it with canonical columns and parsed values."""
    letters = dict(raw.attrs.get("letters", {}))
    keys: dict[str, Column] = {}
    for c in table.columns:
        for spelling in (c.name, c.zh, *c.aliases):
            keys[schema.header_key(spelling)] = c
    seen: dict[str, str] = {}
    rename: dict[str, str] = {}
    if any(c.sensitive for c in table.columns) and any(_ID_LIKE.fullmatch(str(h).strip()) for h in raw.columns):
        # the header row is missing and row 1 is a household: its cells are personal data, never quoted
        raise DataError("row 1 holds an identity number, not a header: expected the header row first "
                        "(values of this row are not shown: personal data)", path=path, row=1, sheet=sheet)
    for header in raw.columns:
        h = str(header)
        if is_reference_header(h):
            continue  # a reference column for people (see REFERENCE_MARK)
        if h.startswith("Unnamed:") and raw[header].isna().all():
            continue  # an empty trailing column from a spreadsheet
        c = keys.get(schema.header_key(h))
        if c is None:
            raise DataError(f"unknown column: expected one of {', '.join(table.names)}"
                            f"{_suggest(schema.header_key(h), keys)}", path=path,
                            column=shorten(h, 40) if quotable(h) else _show(h),
                            sheet=sheet, cell=_cell(letters, h, 1, sheet))
        if c.name in seen:
            raise DataError(f"column '{c.name}' is given twice (also as '{seen[c.name]}')",
                            path=path, column=h, sheet=sheet, cell=_cell(letters, h, 1, sheet))
        seen[c.name] = h
        rename[header] = c.name
    for c in table.columns:
        if c.required and c.name not in seen:
            raise DataError(f"missing required column '{c.name}' ({c.zh})", path=path, sheet=sheet)
    raw = raw[list(rename)].rename(columns=rename)
    # drop rows that are entirely empty (spreadsheets often carry them at the end)
    out: dict[str, pd.Series] = {}
    texts_empty = np.ones(len(raw), dtype=bool)
    parsed: dict[str, tuple[pd.Series, np.ndarray, str]] = {}
    for c in table.columns:
        if c.name not in raw.columns:
            continue
        if c.name.endswith("id_number"):
            _check_stored_as_text(raw[c.name], path, sheet, seen[c.name], letters)
        values, bad, expectation = parse_column(raw[c.name].reset_index(drop=True), c)
        parsed[c.name] = (values, bad, expectation)
        texts_empty &= ~(bad | values.notna().to_numpy())
    keep = ~texts_empty
    for c in table.columns:
        if c.name not in parsed:
            out[c.name] = pd.Series([None] * int(keep.sum()), dtype=object)
            continue
        values, bad, expectation = parsed[c.name]
        if c.name in AUTO_IDS.get(table.name, ()) and "name_zh" in parsed:
            values = _ids_from_names(values, parsed["name_zh"][0])
        rows = np.flatnonzero(bad & keep)
        if rows.size:
            i = int(rows[0])
            cell = raw[c.name].iloc[i]
            raise DataError(say("msg_expected", "en", expectation=expectation, shown=_show(cell, c)), path=path,
                            row=i + 2, column=seen[c.name], sheet=sheet,
                            cell=_cell(letters, seen[c.name], i + 2, sheet),
                            message_zh=say("msg_expected", "zh", expectation=c.expectation_zh,
                                           shown=_show(cell, c, "zh")))
        if not c.nullable:
            empty = np.flatnonzero(keep & ~values.notna().to_numpy())
            if empty.size:
                raise DataError(say("msg_required", "en", expectation=c.expectation), path=path,
                                row=int(empty[0]) + 2, column=seen[c.name], sheet=sheet,
                                cell=_cell(letters, seen[c.name], int(empty[0]) + 2, sheet),
                                message_zh=say("msg_required", "zh", expectation=c.expectation_zh))
        out[c.name] = values[keep].reset_index(drop=True)
    frame = pd.DataFrame(out)
    frame.attrs["rows"] = np.flatnonzero(keep) + 2  # spreadsheet row of each record
    frame.attrs["headers"] = dict(seen)
    frame.attrs["letters"] = {name: letters[h] for name, h in seen.items() if h in letters}
    for key in table.unique:
        dup = frame[key].duplicated(keep=False) & frame[key].notna()
        if dup.any():
            positions = np.flatnonzero(dup.to_numpy())
            value = frame[key].iloc[positions[0]]
            later = [p for p in positions if frame[key].iloc[p] == value]
            row = int(frame.attrs["rows"][later[1]])
            raise DataError(f"duplicate {key} {_show(value)} (first at row {frame.attrs['rows'][later[0]]}): "
                            f"expected each {key} once", path=path, row=row,
                            column=seen.get(key, key), sheet=sheet, cell=_cell(letters, seen.get(key, key), row, sheet))
    return frame


_SCIENTIFIC = re.compile(r"\s*[+-]?\d+(?:\.\d*)?[eE][+-]?\d+\s*")
_SCIENTIFIC_LINE = re.compile(r"(?m)^[ \t]*[+-]?\d+(?:\.\d*)?[eE][+-]?\d+[ \t]*$")


def _check_stored_as_text(raw: pd.Series, path: Path, sheet: str | None, header: str,
                          letters: Mapping[str, str]) -> None:
    """Identity numbers must be stored as text: one error at the first cell stored as a number.

    A spreadsheet keeps 15 significant digits of a number, so an 18-digit identity number stored as one has
    lost its last digits (and a final X): every check digit would then fail (one audit finding per
    household). A cell stored as a number (a workbook), or written in scientific notation (a CSV file saved
    from such a workbook, ``9.90000E+17``), is this error; the value is not quoted (personal data).
    """
    cells = raw.to_numpy(dtype=object)
    first = None
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        hit = np.flatnonzero(pd.notna(raw).to_numpy())
        first = int(hit[0]) if hit.size else None
    elif pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        # text only (every CSV): one regex search over the joined column, not one call per cell
        joined = "\n".join(v if isinstance(v, str) else "" for v in cells)
        m = _SCIENTIFIC_LINE.search(joined) if "e" in joined or "E" in joined else None
        first = None if m is None else joined.count("\n", 0, m.start())
    else:
        number = np.fromiter(((isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and v == v)
                              or (isinstance(v, str) and _SCIENTIFIC.fullmatch(v) is not None) for v in cells),
                             dtype=bool, count=len(cells))
        first = int(np.flatnonzero(number)[0]) if number.any() else None
    if first is not None:
        row = first + 2
        raise DataError.said("msg_ids_as_numbers", path=path, row=row, column=header, sheet=sheet,
                           cell=_cell(letters, header, row, sheet))


def _cell(letters: Mapping[str, str], header: str | None, row: int | None, sheet: str | None) -> str | None:
    """The cell reference (``E5``) of a workbook error, else None."""
    if sheet is None or header is None or row is None or header not in letters:
        return None
    return f"{letters[header]}{row}"


# --------------------------------------------------------------------------- cross-table rules

class _Where:
    """Where a table came from, to point errors at the right file and row."""

    def __init__(self, path: Path, sheet: str | None):
        self.path, self.sheet = path, sheet

    def error(self, frame: pd.DataFrame, position: int | None, column: str | None, message: str,
              message_zh: str | None = None) -> DataError:
        row = None if position is None else int(frame.attrs["rows"][position])
        header = None if column is None else frame.attrs.get("headers", {}).get(column, column)
        letter = frame.attrs.get("letters", {}).get(column)
        cell = None if self.sheet is None or letter is None or row is None else f"{letter}{row}"
        return DataError(message, path=self.path, row=row, column=header, sheet=self.sheet, cell=cell,
                         message_zh=message_zh)


def _check_population(pop: pd.DataFrame, where: _Where) -> None:
    measures = list(pop["measure"])
    for m in schema.REQUIRED_MEASURES:
        if m not in measures:
            raise where.error(pop, None, "measure",
                              f"missing required measure '{m}' ({schema.POPULATION_MEASURES.label(m)})")
        i = measures.index(m)
        if pd.isna(pop["value"].iloc[i]):
            fields = {"measure": m, "name": schema.POPULATION_MEASURES.label(m, "zh")}
            raise where.error(pop, i, "value", say("msg_value_required", "en", expectation=schema.KINDS["count"],
                                                   **fields),
                              message_zh=say("msg_value_required", "zh", expectation=KIND_HINTS_ZH["count"],
                                             **fields))
    value = dict(zip(measures, pop["value"]))
    for part, whole in (("poor_households", "households_total"), ("poor_population", "population_total"),
                        ("absent_poor_households", "poor_households"),
                        ("wubao_households", "households_total"), ("dibao_households", "households_total")):
        if part in value and pd.notna(value[part]) and value[part] > value[whole]:
            fields = {"part": part, "whole": whole, "part_value": f"{value[part]:g}",
                      "whole_value": f"{value[whole]:g}", "part_name": schema.POPULATION_MEASURES.label(part, "zh"),
                      "whole_name": schema.POPULATION_MEASURES.label(whole, "zh")}
            raise where.error(pop, measures.index(part), "value", say("msg_part_above_whole", "en", **fields),
                              message_zh=say("msg_part_above_whole", "zh", **fields))


def _check_work_log(log: pd.DataFrame, where: _Where, period: Period | None = None) -> None:
    if period is not None:
        start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
        for column in ("date_from", "date_to"):
            if column not in log:
                continue
            outside = ((log[column] < start) | (log[column] > end)).to_numpy()
            if outside.any():
                i = int(np.flatnonzero(outside)[0])
                raise where.error(log, i, column, f"{column} {log[column].iloc[i]:%Y-%m-%d} is outside the period "
                                  f"{period.code}: expected a date from {period.start} to {period.end}")
    if "date_from" in log and "date_to" in log:
        later = (log["date_from"] > log["date_to"]).to_numpy()
        if later.any():
            i = int(np.flatnonzero(later)[0])
            raise where.error(log, i, "date_from",
                              f"date_from {log['date_from'].iloc[i]:%Y-%m-%d} is after date_to "
                              f"{log['date_to'].iloc[i]:%Y-%m-%d}: expected date_from <= date_to")


def _check_outputs(outputs: pd.DataFrame, projects: pd.DataFrame | None, where: _Where) -> None:
    known = set() if projects is None else set(projects["project_id"])
    missing = ~outputs["project_id"].isin(known).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        pid = outputs["project_id"].iloc[i]
        raise where.error(outputs, i, "project_id",
                          f"project_id {_show(pid)} is not in projects: expected one of the projects' ids"
                          f"{_suggest(pid, known) if quotable(pid) else ''}")


def _check_evaluation_sample(sample: pd.DataFrame, where: _Where) -> None:
    """One row per household and sample; findings that fit the sample; an answer from surveyed households."""
    dup = sample.duplicated(["household_id", "sample"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise where.error(sample, i, "household_id", f"household_id {_show(sample['household_id'].iloc[i])} is twice in "
                          f"sample {sample['sample'].iloc[i]}: expected each household once per sample")
    allowed = {"exited": {"correct", "wrongly_exited"}, "non_registered": {"correct", "missed"}}
    for i, (which, finding, satisfied) in enumerate(zip(sample["sample"], sample["finding"], sample["satisfied"])):
        if which in allowed and finding not in allowed[which]:
            raise where.error(sample, i, "finding", f"finding {_show(finding)} in sample {which}: expected one of "
                              f"{', '.join(sorted(allowed[which]))}")
        if which == "surveyed" and satisfied is None:
            raise where.error(sample, i, "satisfied", "a value is required for sample surveyed: expected "
                              f"{schema.KINDS['bool']}")



def _check_households(hh: pd.DataFrame, where: _Where, period: Period | None = None) -> pd.DataFrame:
    """Register rules that make the data unusable (errors), then drop the personal columns (after deriving
    ``id_number_status`` and ``id_key`` from the head's number)."""
    from .idnumbers import id_key, id_number_status

    if period is not None and "exit_year" in hh:
        future = (hh["exit_year"] > period.end.year).to_numpy()
        if future.any():
            i = int(np.flatnonzero(future)[0])
            raise where.error(hh, i, "exit_year", f"exit_year {hh['exit_year'].iloc[i]:g} is after the period "
                              f"{period.code}: expected a year up to {period.end.year}")

    small = (hh["members"] < 1).to_numpy()
    if small.any():
        i = int(np.flatnonzero(small)[0])
        raise where.error(hh, i, "members", f"members = {hh['members'].iloc[i]:g}: expected at least 1 person")
    if "id_number" in hh:
        ids = hh["id_number"].map(lambda v: None if v is None else str(v).strip().upper())
        dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
        if dup.any():
            positions = np.flatnonzero(dup)
            first = positions[0]
            second = next(p for p in positions[1:] if ids.iloc[p] == ids.iloc[first])
            # the number itself is personal data: name the rows, not the value
            raise where.error(hh, int(second), "id_number",
                              f"duplicate id_number (same as row {hh.attrs['rows'][first]}): expected each "
                              f"household head once")
        status = id_number_status(hh["id_number"])
        key = id_key(hh["id_number"], status)
    else:
        status = pd.Series("missing", index=hh.index, dtype=object)
        key = pd.Series(None, index=hh.index, dtype=object)
    _check_date_order(hh, where, "publicised_from", "publicised_to")
    attrs = dict(hh.attrs)
    out = hh.drop(columns=[c.name for c in schema.HOUSEHOLDS.columns if c.sensitive and c.name in hh])
    out["id_number_status"] = status.to_numpy()
    out["id_key"] = key.to_numpy()
    out = _typed(out, schema.HOUSEHOLDS, schema.COLUMNS_2026)
    out.attrs.update(attrs)
    return out


# --------------------------------------------------------------------------- 2026: members and help measures

def _typed(frame: pd.DataFrame, table: Table, names) -> pd.DataFrame:
    """``frame`` with the columns ``names`` of ``table`` in their kind's dtype even when the file lacked them:
    dates datetime64 (NaT), numbers float (NaN); other kinds stay object (None)."""
    for name in names:
        kind = table.column(name).kind
        if kind == "date" and not pd.api.types.is_datetime64_any_dtype(frame[name]):
            frame[name] = pd.to_datetime(frame[name], errors="coerce")
        elif kind in ("count", "amount", "area", "number", "year") and frame[name].dtype == object:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


def _check_date_order(frame: pd.DataFrame, where: _Where, first: str, last: str) -> None:
    """``first`` on or before ``last`` where both are given (else a :class:`DataError` on the row)."""
    if first not in frame or last not in frame:
        return
    a, b = pd.to_datetime(frame[first], errors="coerce"), pd.to_datetime(frame[last], errors="coerce")
    later = (a > b).to_numpy()
    if later.any():
        i = int(np.flatnonzero(later)[0])
        raise where.error(frame, i, first, f"{first} {a.iloc[i]:%Y-%m-%d} is after {last} {b.iloc[i]:%Y-%m-%d}: "
                          f"expected {first} <= {last}")


def _check_known_households(frame: pd.DataFrame, households: pd.DataFrame | None, where: _Where) -> None:
    """Every row's household_id is in the register (else a :class:`DataError` naming the first row)."""
    known = set() if households is None else set(households["household_id"])
    missing = ~frame["household_id"].isin(known).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        hid = frame["household_id"].iloc[i]
        where_to = "households" if households is not None else "households (there is no households table)"
        raise where.error(frame, i, "household_id", f"household_id '{shorten(hid)}' is not in {where_to}: "
                          f"expected the number of a household of the register")


def _check_members(members: pd.DataFrame, households: pd.DataFrame | None, where: _Where) -> pd.DataFrame:
    """Member rules that make the data unusable (errors); then ``id_number_status``, ``id_birth_date``,
    ``id_sex`` and ``id_key`` are derived from the number and the personal columns (name, id_number) are
    dropped. A household's ``members`` that differs from its rows here, and a household without exactly
    one 户主, are audit findings (the check catalogue's MB-001, MB-004 and MB-005, docs/checks.md), not errors."""
    from .idnumbers import id_birth_date, id_key, id_number_status, id_sex

    _check_known_households(members, households, where)
    dup = members.duplicated(["household_id", "member_no"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise where.error(members, i, "member_no", f"member_no {members['member_no'].iloc[i]:g} is twice in "
                          f"household '{shorten(members['household_id'].iloc[i])}': expected each member once")
    grade = members["disability_grade"].to_numpy(dtype=float)
    low = np.isfinite(grade) & (grade < 1)
    if low.any():
        i = int(np.flatnonzero(low)[0])
        raise where.error(members, i, "disability_grade", f"disability_grade {grade[i]:g}: expected a grade "
                          "from 1 to 4, or empty when the member has no disability grade")
    months = members["work_months"].to_numpy(dtype=float)
    negative = np.isfinite(months) & (months < 0)
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise where.error(members, i, "work_months", f"work_months {months[i]:g}: expected 0 to 12 months")
    if "id_number" in members and members["id_number"].notna().any():
        ids = members["id_number"].map(lambda v: None if v is None else str(v).strip().upper())
        dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
        if dup.any():
            positions = np.flatnonzero(dup)
            second = next(p for p in positions[1:] if ids.iloc[p] == ids.iloc[positions[0]])
            raise where.error(members, int(second), "id_number", f"duplicate id_number (same as row "
                              f"{members.attrs['rows'][positions[0]]}): expected each person once")
        status = id_number_status(members["id_number"])
        derived = {"id_number_status": status, "id_birth_date": id_birth_date(members["id_number"], status),
                   "id_sex": id_sex(members["id_number"], status), "id_key": id_key(members["id_number"], status)}
    else:
        derived = {"id_number_status": pd.Series("missing", index=members.index, dtype=object),
                   "id_birth_date": pd.Series(pd.NaT, index=members.index, dtype="datetime64[us]"),
                   "id_sex": pd.Series(None, index=members.index, dtype=object),
                   "id_key": pd.Series(None, index=members.index, dtype=object)}
    attrs = dict(members.attrs)
    out = members.drop(columns=[c.name for c in schema.MEMBERS.columns if c.sensitive and c.name in members])
    for name, values in derived.items():
        out[name] = values.to_numpy()
    out = _typed(out, schema.MEMBERS, ("birth_date", "disability_grade", "work_months", "member_no"))
    out.attrs.update(attrs)
    return out


def _check_help_measures(measures: pd.DataFrame, households: pd.DataFrame | None, where: _Where) -> pd.DataFrame:
    """Every measure's household is in the register; a measure does not end before it starts."""
    _check_known_households(measures, households, where)
    _check_date_order(measures, where, "started_on", "ended_on")
    return _typed(measures, schema.HELP_MEASURES, ("started_on", "ended_on", "amount_yuan"))



def check_2026_tables(tables: dict[str, pd.DataFrame], wheres: Mapping[str, _Where]) -> None:
    """Check the members and help_measures tables present in ``tables`` against the register, in place."""
    for name, check in (("members", _check_members), ("help_measures", _check_help_measures)):
        if name in tables:
            tables[name] = check(tables[name], tables.get("households"), wheres[name])
