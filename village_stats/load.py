"""Reading a village's data into validated :class:`PeriodData`.

Files: ``data/<village>/village.yaml`` and, per period, either a folder ``data/<village>/<period>/``
of CSV files or one workbook ``data/<village>/<period>.xlsx`` with a sheet per table. CSV may be
UTF-8 (with or without BOM) or GBK/GB18030. Headers may be canonical or Chinese, with full- or
half-width parentheses. Every problem raises :class:`~village_stats.errors.DataError` naming the file,
the spreadsheet row and the column. Nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml

from . import schema
from .errors import DataError
from .periods import PERIOD_FORMS, Period, is_period_code, parse_period
from .schema import Column, Table

VILLAGE_ID = re.compile(r"^[a-z0-9_-]+$")
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

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class PovertyLine:
    """The poverty line used for a period's register measures."""

    line_yuan: float
    year: int
    basis: str
    source: str
    verified: bool
    origin: str  # "village.yaml" or "policy/poverty_lines.csv (<scope>)"


@dataclass(frozen=True)
class PeriodData:
    """One village-period: metadata plus one validated frame per table present.

    The only thing measures and indicators ever see. Columns carry canonical names and parsed
    values (numbers as float with NaN for unknown, vocabularies as canonical ids).
    """

    village: Village
    period: Period
    tables: Mapping[str, pd.DataFrame]
    sources: tuple[Path, ...] = field(default_factory=tuple)
    poverty_line: PovertyLine | None = None

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> pd.DataFrame:
        """The table, or an empty frame with its canonical columns when absent."""
        if name in self.tables:
            return self.tables[name]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in schema.TABLES[name].names})

    def measures(self) -> pd.Series:
        """``population`` as a Series: measure id → value [households or persons]."""
        pop = self.tables["population"]
        return pd.Series(pop["value"].to_numpy(dtype=float), index=pop["measure"].to_numpy(), name="value")

    def _repr_html_(self) -> str:
        """JupyterLab's view: village, period, poverty line and each table with its rows (labels in the
        language of ``VILLAGE_STATS_LANG``, Chinese by default)."""
        import html
        import os

        lang = "en" if os.environ.get("VILLAGE_STATS_LANG", "zh") == "en" else "zh"
        esc = html.escape
        head = (f"<p><b>{esc(self.village.name(lang))}</b> · {esc(self.period.label(lang))} "
                f"<code>{esc(self.village.id)} {esc(self.period.code)}</code></p>")
        if self.poverty_line is not None:
            pl = self.poverty_line
            word = ("贫困标准" if lang == "zh" else "Poverty line")
            head += f"<p>{word}: {pl.line_yuan:,.0f} ({esc(pl.origin)}{'' if pl.verified else ', unverified'})</p>"
        rows = "".join(
            f"<tr><td style='text-align:left'>{esc(schema.TABLES[name].zh if lang == 'zh' else schema.TABLES[name].en)}</td>"
            f"<td style='text-align:left'><code>{esc(name)}</code></td><td style='text-align:right'>{len(frame):,}</td></tr>"
            for name, frame in self.tables.items())
        cols = ("表", "名称", "行数") if lang == "zh" else ("Table", "Name", "Rows")
        header = "".join(f"<th style='text-align:{a}'>{c}</th>" for c, a in zip(cols, ("left", "left", "right")))
        return f"{head}<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"

    def __repr__(self) -> str:
        tables = ", ".join(f"{k} ({len(v)} rows)" for k, v in self.tables.items())
        return f"PeriodData({self.village.id} {self.period.code}: {tables})"


# --------------------------------------------------------------------------- discovery

def check_village_id(village_id: str) -> str:
    """Reject a village id that is not ``[a-z0-9_-]+`` before any path is built."""
    if not isinstance(village_id, str) or not VILLAGE_ID.match(village_id):
        raise DataError(f"village id {village_id!r} is not valid: expected [a-z0-9_-]+")
    return village_id


def as_period(period: Period | str) -> Period:
    """Parse a period code, turning a bad one into a :class:`DataError`."""
    if isinstance(period, Period):
        return period
    try:
        return parse_period(period)
    except ValueError as exc:
        raise DataError(str(exc)) from None


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

def read_village(data_dir: Path, village_id: str) -> Village:
    """Read and check ``data/<village>/village.yaml``."""
    folder = Path(data_dir) / check_village_id(village_id)
    path = folder / "village.yaml"
    if not folder.is_dir():
        raise DataError(f"no folder for village '{village_id}'", path=folder)
    if not path.is_file():
        raise DataError("village.yaml is missing: every village folder needs one (see data/README.md)",
                        path=path)
    try:
        meta = yaml.safe_load(_decode(path.read_bytes(), path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(f"not valid YAML ({getattr(exc, 'problem', exc)})", path=path,
                        row=None if mark is None else mark.line + 1) from None
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
        values[key] = v
    if str(values["id"]) != village_id:
        raise DataError(f"id '{values['id']}' does not match the folder name '{village_id}'", path=path)
    region = str(values["region"]).strip()
    lookup = schema.REGIONS.lookup()
    if region.lower() not in lookup:
        raise DataError(f"region '{region}': expected one of eastern, central, western", path=path)
    region = lookup[region.lower()]
    threshold = values["exit_threshold"]
    if threshold is None:
        from .policy import exit_threshold_for

        threshold = exit_threshold_for(data_dir, region).value
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise DataError(f"exit_threshold {threshold!r}: expected a ratio between 0 and 1", path=path) from None
    if not 0 < threshold < 1:
        raise DataError(f"exit_threshold {threshold!r}: expected a ratio between 0 and 1", path=path)
    line = _positive_amount(values, "poverty_line_yuan", path)
    monitoring_line = _positive_amount(values, "monitoring_threshold_yuan", path)
    codes = {}
    for key, digits in (("province_code", 2), ("county_code", 6)):
        v = values[key]
        codes[key] = None if v is None else str(v).strip()
        if codes[key] is not None and not re.fullmatch(rf"\d{{{digits}}}", codes[key]):
            raise DataError(f"{key} {v!r}: expected a {digits}-digit administrative division code (GB/T 2260)",
                            path=path)
    return Village(
        id=village_id, name_zh=str(values["name_zh"]), name_en=str(values["name_en"]),
        township_zh=str(values["township_zh"]), county_zh=str(values["county_zh"]),
        city_zh=str(values["city_zh"]), province_zh=str(values["province_zh"]), region=region,
        supported_by_zh=str(values["supported_by_zh"]), exit_threshold=threshold,
        poverty_line_yuan=line, fictional=bool(values["fictional"] or False),
        note=str(values["note"] or ""), monitoring_threshold_yuan=monitoring_line, **codes,
        **{k: str(values[k] or "").strip() for k in ("township_en", "county_en", "city_en", "province_en",
                                                     "supported_by_en")},
    )


# --------------------------------------------------------------------------- columns and sheets for people
# A new-period workbook (village_stats.workbook) carries what helps the person filling it in: last
# period's value in a column beside the cell to fill, and a sheet of instructions. They are for reading,
# never data, and the loader skips them.

#: A header ending in this mark (full- or half-width brackets) is a reference column: skipped on loading.
REFERENCE_MARK = "(参考)"
#: The instructions sheet of a new-period workbook: skipped on loading.
INSTRUCTIONS_SHEET = "填表说明"


def is_reference_header(header: str) -> bool:
    """Whether a column header marks a reference column (ignored when loading).

    >>> is_reference_header("上期数值（参考）"), is_reference_header("数值")
    (True, False)
    """
    return schema.header_key(header).endswith(schema.header_key(REFERENCE_MARK))


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
        raise DataError(f"{key} {v!r}: expected a positive amount", path=path)
    return amount


# --------------------------------------------------------------------------- raw readers

def _decode(raw: bytes, path: Path) -> str:
    """UTF-8 (BOM optional), else GB18030 (a superset of GBK)."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataError("cannot decode the file: expected UTF-8 or GBK text", path=path)


def read_csv_raw(path: Path) -> pd.DataFrame:
    """A CSV file as a frame of strings, header as written."""
    import io as _io

    text = _decode(Path(path).read_bytes(), path)
    if not text.strip():
        raise DataError("the file is empty: expected a header row", path=path)
    try:
        return pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise DataError(f"not a well-formed CSV table ({exc})".replace("\n", " "), path=path,
                        row=int(m.group(1)) if m else None) from None


def read_workbook_raw(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook, header row 1, one object column per header, cells as calamine gives them.

    Uses python-calamine (the engine behind ``pandas.read_excel(engine="calamine")``) directly: pandas
    converts every cell in a Python loop, which took 60% of loading a 100,000-household register
    (profiled), while our column parsers already accept the cell types calamine returns. Empty cells
    become None; all-number columns become float.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    except Exception as exc:  # calamine raises its own error types for broken files
        raise DataError(f"cannot read the workbook ({type(exc).__name__}: {exc})", path=path) from None
    out: dict[str, pd.DataFrame] = {}
    for name, rows in sheets.items():
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        if not rows:
            continue
        header = [str(h).strip() if h != "" else f"Unnamed: {i}" for i, h in enumerate(rows[0])]
        cells = np.empty((len(rows) - 1, len(header)), dtype=object)
        if len(rows) > 1:
            cells[:] = rows[1:]  # one C-level copy into a 2-D object array
            cells[cells == ""] = None
        frame = {}
        for j, h in enumerate(header):
            col = cells[:, j]
            if pd.api.types.infer_dtype(col, skipna=True) in ("floating", "integer", "mixed-integer-float", "empty"):
                col = col.astype(float)
            frame[h] = col
        out[normalize_sheet(name)] = pd.DataFrame(frame, columns=header) if frame else pd.DataFrame(columns=header)
    return out


def normalize_sheet(name: str) -> str:
    """Sheet names match table names, case-insensitively; Chinese table titles are accepted too."""
    key = schema.header_key(name)
    for t in schema.TABLES.values():
        if key in (schema.header_key(t.name), schema.header_key(t.zh)):
            return t.name
    return str(name)


# --------------------------------------------------------------------------- parsing

def _suggest(value: str, options) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


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


def _cell_str(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


_NUM_CLEAN = re.compile(r"[,，\s]")


def _numeric(text: pd.Series, *, wan: bool = False) -> pd.Series:
    """Numbers from text: thousands separators removed; with ``wan``, a 元 and a 万 suffix."""
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
        bad = present & ~np.isfinite(v)
        if kind in ("count", "amount", "area"):
            bad |= present & (v < 0)
        if kind in ("count", "year"):
            bad |= present & np.isfinite(v) & (np.mod(v, 1) != 0)
        if kind == "year":
            bad |= present & ((v < 1900) | (v > 2100))
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


def _show(v) -> str:
    return repr(_cell_str(v) if not isinstance(v, str) else v)


def read_table(raw: pd.DataFrame, table: Table, path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Validate a raw frame against ``table`` and return it with canonical columns and parsed values."""
    keys: dict[str, Column] = {}
    for c in table.columns:
        for spelling in (c.name, c.zh, *c.aliases):
            keys[schema.header_key(spelling)] = c
    seen: dict[str, str] = {}
    rename: dict[str, str] = {}
    for header in raw.columns:
        h = str(header)
        if is_reference_header(h):
            continue  # a reference column for people (see REFERENCE_MARK)
        if h.startswith("Unnamed:") and raw[header].isna().all():
            continue  # an empty trailing column from a spreadsheet
        c = keys.get(schema.header_key(h))
        if c is None:
            raise DataError(f"unknown column: expected one of {', '.join(table.names)}"
                            f"{_suggest(schema.header_key(h), keys)}", path=path, column=h, sheet=sheet)
        if c.name in seen:
            raise DataError(f"column '{c.name}' is given twice (also as '{seen[c.name]}')",
                            path=path, column=h, sheet=sheet)
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
        values, bad, expectation = parse_column(raw[c.name].reset_index(drop=True), c)
        parsed[c.name] = (values, bad, expectation)
        texts_empty &= ~(bad | values.notna().to_numpy())
    keep = ~texts_empty
    for c in table.columns:
        if c.name not in parsed:
            out[c.name] = pd.Series([None] * int(keep.sum()), dtype=object)
            continue
        values, bad, expectation = parsed[c.name]
        rows = np.flatnonzero(bad & keep)
        if rows.size:
            i = int(rows[0])
            raise DataError(f"expected {expectation}, got {_show(raw[c.name].iloc[i])}", path=path,
                            row=i + 2, column=seen[c.name], sheet=sheet)
        if not c.nullable:
            empty = np.flatnonzero(keep & ~values.notna().to_numpy())
            if empty.size:
                raise DataError(f"a value is required here ({c.expectation})", path=path,
                                row=int(empty[0]) + 2, column=seen[c.name], sheet=sheet)
        out[c.name] = values[keep].reset_index(drop=True)
    frame = pd.DataFrame(out)
    frame.attrs["rows"] = np.flatnonzero(keep) + 2  # spreadsheet row of each record
    frame.attrs["headers"] = dict(seen)
    for key in table.unique:
        dup = frame[key].duplicated(keep=False) & frame[key].notna()
        if dup.any():
            positions = np.flatnonzero(dup.to_numpy())
            value = frame[key].iloc[positions[0]]
            later = [p for p in positions if frame[key].iloc[p] == value]
            raise DataError(f"duplicate {key} '{value}' (first at row {frame.attrs['rows'][later[0]]}): "
                            f"expected each {key} once", path=path, row=int(frame.attrs["rows"][later[1]]),
                            column=seen.get(key, key), sheet=sheet)
    return frame


# --------------------------------------------------------------------------- cross-table rules

class _Where:
    """Where a table came from, to point errors at the right file and row."""

    def __init__(self, path: Path, sheet: str | None):
        self.path, self.sheet = path, sheet

    def error(self, frame: pd.DataFrame, position: int | None, column: str | None, message: str) -> DataError:
        row = None if position is None else int(frame.attrs["rows"][position])
        header = None if column is None else frame.attrs.get("headers", {}).get(column, column)
        return DataError(message, path=self.path, row=row, column=header, sheet=self.sheet)


def _check_population(pop: pd.DataFrame, where: _Where) -> None:
    measures = list(pop["measure"])
    for m in schema.REQUIRED_MEASURES:
        if m not in measures:
            raise where.error(pop, None, "measure",
                              f"missing required measure '{m}' ({schema.POPULATION_MEASURES.label(m)})")
        i = measures.index(m)
        if pd.isna(pop["value"].iloc[i]):
            raise where.error(pop, i, "value", f"a value is required for '{m}': expected "
                              f"{schema.KINDS['count']}")
    value = dict(zip(measures, pop["value"]))
    for part, whole in (("poor_households", "households_total"), ("poor_population", "population_total"),
                        ("absent_poor_households", "poor_households"),
                        ("wubao_households", "households_total"), ("dibao_households", "households_total")):
        if part in value and pd.notna(value[part]) and value[part] > value[whole]:
            raise where.error(pop, measures.index(part), "value",
                              f"{part} = {value[part]:g} is larger than {whole} = {value[whole]:g}: "
                              f"expected at most {value[whole]:g}")


def _check_work_log(log: pd.DataFrame, where: _Where) -> None:
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
                          f"project_id '{pid}' is not in projects: expected one of the projects' ids"
                          f"{_suggest(pid, known)}")


def _check_evaluation_sample(sample: pd.DataFrame, where: _Where) -> None:
    """One row per household and sample; findings that fit the sample; an answer from surveyed households."""
    dup = sample.duplicated(["household_id", "sample"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise where.error(sample, i, "household_id", f"household_id '{sample['household_id'].iloc[i]}' is twice in "
                          f"sample {sample['sample'].iloc[i]}: expected each household once per sample")
    allowed = {"exited": {"correct", "wrongly_exited"}, "non_registered": {"correct", "missed"}}
    for i, (which, finding, satisfied) in enumerate(zip(sample["sample"], sample["finding"], sample["satisfied"])):
        if which in allowed and finding not in allowed[which]:
            raise where.error(sample, i, "finding", f"finding {finding!r} in sample {which}: expected one of "
                              f"{', '.join(sorted(allowed[which]))}")
        if which == "surveyed" and satisfied is None:
            raise where.error(sample, i, "satisfied", "a value is required for sample surveyed: expected "
                              f"{schema.KINDS['bool']}")


# --------------------------------------------------------------------------- loading

def period_source(data_dir: Path, village_id: str, period: Period | str) -> Path:
    """The folder or workbook that holds one village-period."""
    period = as_period(period)
    folder = Path(data_dir) / check_village_id(village_id)
    d, x = folder / period.code, folder / f"{period.code}.xlsx"
    if d.is_dir() and x.is_file():
        raise DataError(f"period {period.code} is given both as a folder and as a workbook; keep one", path=x)
    if d.is_dir():
        return d
    if x.is_file():
        return x
    if not folder.is_dir():
        raise DataError(f"no folder for village '{village_id}'", path=folder)
    have = ", ".join(p.code for p in list_periods(data_dir, village_id)) or "none"
    raise DataError(f"no data for period {period.code}: expected a folder {d.name}/ or a workbook {x.name} "
                    f"(periods with data: {have})", path=folder)


def load_period(village_id: str, period: Period | str, data_dir: str | Path | None = None) -> PeriodData:
    """Load and validate one village-period.

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

    data_dir = resolve_data_dir(data_dir)
    check_village_id(village_id)
    period = as_period(period)
    village = read_village(data_dir, village_id)
    source = period_source(data_dir, village_id, period)
    raw: dict[str, tuple[pd.DataFrame, Path, str | None]] = {}
    sources: list[Path] = [Path(data_dir) / village_id / "village.yaml"]
    if source.is_dir():
        for p in sorted(source.iterdir()):
            if p.name.startswith(".") or p.is_dir():
                continue
            if p.suffix.lower() != ".csv":
                continue
            name = normalize_sheet(p.stem)
            if name not in schema.TABLES:
                raise DataError(f"unknown table file: expected one of "
                                f"{', '.join(t.filename for t in schema.TABLES.values())}"
                                f"{_suggest(p.name, [t.filename for t in schema.TABLES.values()])}", path=p)
            raw[name] = (read_csv_raw(p), p, None)
            sources.append(p)
    else:
        sources.append(source)
        for name, df in read_workbook_raw(source).items():
            if name == INSTRUCTIONS_SHEET:
                continue  # the instructions sheet for people (see INSTRUCTIONS_SHEET)
            if name not in schema.TABLES:
                raise DataError(f"unknown sheet '{name}': expected sheets named "
                                f"{', '.join(schema.TABLES)}{_suggest(name, schema.TABLES)}", path=source,
                                sheet=name)
            raw[name] = (df, source, name)
    tables: dict[str, pd.DataFrame] = {}
    wheres: dict[str, _Where] = {}
    for name, t in schema.TABLES.items():
        if name not in raw:
            if t.required:
                where = source / t.filename if source.is_dir() else source
                raise DataError(f"required table '{name}' is missing "
                                f"({'file ' + t.filename if source.is_dir() else 'sheet ' + name})", path=where)
            continue
        frame, path, sheet = raw[name]
        tables[name] = read_table(frame, t, path, sheet)
        wheres[name] = _Where(path, sheet)
    _check_population(tables["population"], wheres["population"])
    if "work_log" in tables:
        _check_work_log(tables["work_log"], wheres["work_log"])
    if "project_outputs" in tables:
        _check_outputs(tables["project_outputs"], tables.get("projects"), wheres["project_outputs"])
    if "evaluation_sample" in tables:
        _check_evaluation_sample(tables["evaluation_sample"], wheres["evaluation_sample"])
    line = None
    if "households" in tables:
        tables["households"] = _check_households(tables["households"], wheres["households"])
        from .policy import poverty_line_for, table_path

        line = poverty_line_for(data_dir, village, period.year)
        if line.origin != "village.yaml":
            sources.append(table_path(data_dir, "poverty_lines"))
    from .policy import inputs_used

    sources += [p for p in inputs_used(data_dir, village, period, tables) if p not in sources]
    for frame in tables.values():
        frame.attrs.clear()  # row numbers were for error messages only
    return PeriodData(village=village, period=period, tables=tables, sources=tuple(sources), poverty_line=line)


def _check_households(hh: pd.DataFrame, where: _Where) -> pd.DataFrame:
    """Register rules that make the data unusable (errors), then drop the personal columns."""
    from .idnumbers import id_number_status

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
    else:
        status = pd.Series("missing", index=hh.index, dtype=object)
    attrs = dict(hh.attrs)
    out = hh.drop(columns=[c.name for c in schema.HOUSEHOLDS.columns if c.sensitive and c.name in hh])
    out["id_number_status"] = status.to_numpy()
    out.attrs.update(attrs)
    return out


class Checked(NamedTuple):
    """The outcome of validating one village-period."""

    village: str
    period: str
    problem: str                 # "" when valid, else the one-line error
    data: PeriodData | None      # the loaded data when valid


def validate(data_dir: str | Path | None = None, village_id: str | None = None,
             period: str | None = None) -> list[Checked]:
    """Validate every village-period (or the ones named), in village then period order."""
    from .config import resolve_data_dir

    data_dir = resolve_data_dir(data_dir)
    villages = [check_village_id(village_id)] if village_id else list_villages(data_dir)
    if village_id is None:
        # folders without village.yaml are reported, not skipped silently
        for p in sorted(Path(data_dir).iterdir()):
            if p.is_dir() and not p.name.startswith(".") and p.name != "policy" \
                    and not (p / "village.yaml").is_file():  # data/policy/ holds the policy tables
                villages.append(p.name)
        villages = sorted(set(villages))
    results: list[Checked] = []
    for v in villages:
        try:
            read_village(data_dir, v)
            periods = [resolve_period(period, v, data_dir)] if period else list_periods(data_dir, v, strict=True)
        except DataError as exc:
            results.append(Checked(v, period or "", str(exc), None))
            continue
        for p in periods:
            try:
                results.append(Checked(v, p.code, "", load_period(v, p, data_dir)))
            except DataError as exc:
                results.append(Checked(v, p.code, str(exc), None))
    return results


# --------------------------------------------------------------------------- period resolution

def resolve_period(period: str | Period, village: str, data_dir: Path, today: dt.date | None = None) -> Period:
    """Turn ``latest``/``previous`` or a code into a Period (one resolution, at the edge).

    ``latest``: the village's newest period with data. ``previous``: the last complete period before
    ``today`` of the same kind as the village's newest one (a cron job on 2017-07-05 gets 2017H1).
    """
    from .periods import last_complete

    if isinstance(period, Period):
        return period
    if period in ("latest", "previous"):
        periods = list_periods(data_dir, village)
        if not periods:
            raise DataError(f"no period with data for village '{village}'", path=Path(data_dir) / village)
        if period == "latest":
            return periods[-1]
        return last_complete(periods[-1].kind, today or dt.date.today())
    return as_period(period)
