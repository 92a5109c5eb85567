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
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml

from . import schema
from .errors import DataError, shorten
from .labels import message_lang
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

    poverty_line_yuan: float
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

        lang = message_lang()
        esc = html.escape
        head = (f"<p><b>{esc(self.village.name(lang))}</b> · {esc(self.period.label(lang))} "
                f"<code>{esc(self.village.id)} {esc(self.period.code)}</code></p>")
        if self.poverty_line is not None:
            pl = self.poverty_line
            word = ("贫困标准" if lang == "zh" else "Poverty line")
            head += f"<p>{word}: {pl.poverty_line_yuan:,.0f} ({esc(pl.origin)}{'' if pl.verified else ', unverified'})</p>"
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
    if not isinstance(village_id, str) or not VILLAGE_ID.fullmatch(village_id):
        raise DataError(f"village id '{shorten(village_id)}' is not valid: expected [a-z0-9_-]+")
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

def read_village(data_dir: Path, village_id: str) -> Village:
    """Read and check ``data/<village>/village.yaml``."""
    folder = Path(data_dir) / check_village_id(village_id)
    path = folder / "village.yaml"
    if not folder.is_dir():
        raise DataError(f"no folder for village '{village_id}'", path=folder)
    if not path.is_file():
        raise DataError("village.yaml is missing: every village folder needs one (see data/README.md)",
                        path=path)
    meta = load_yaml(path)
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
                        f"'{shorten(values['fictional'])}'", path=path)
    for key in ("exit_threshold", "poverty_line_yuan"):
        v = values[key]
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise DataError(f"key '{key}': expected a number, got a {_yaml_type(v)} '{shorten(v)}'", path=path)
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
            raise DataError(f"{key} {v!r}: expected a {digits}-digit administrative division code (GB/T 2260)",
                            path=path)
    return Village(
        id=village_id, name_zh=str(values["name_zh"]), name_en=str(values["name_en"]),
        township_zh=str(values["township_zh"]), county_zh=str(values["county_zh"]),
        city_zh=str(values["city_zh"]), province_zh=str(values["province_zh"]), region=region,
        supported_by_zh=str(values["supported_by_zh"]), exit_threshold=threshold,
        poverty_line_yuan=line, fictional=bool(values["fictional"]),
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


# --------------------------------------------------------------------------- safe reading

_TEXT_KEYS = ("id", "name_zh", "name_en", "township_zh", "county_zh", "city_zh", "province_zh", "region",
              "supported_by_zh", "note", "township_en", "county_en", "city_en", "province_en", "supported_by_en")
#: Largest files read [bytes]: village.yaml, one CSV table, one workbook.
MAX_YAML_BYTES = 64 * 1024
MAX_TABLE_BYTES = 512 * 1024 * 1024
#: Deepest nesting accepted in village.yaml.
MAX_YAML_DEPTH = 20


def read_bytes(path: Path, limit: int = MAX_TABLE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else a :class:`DataError`.

    The file type is checked before opening, so a FIFO, a device (``/dev/zero``) or a broken link is
    one clear error and never a hang.
    """
    path = Path(path)
    _check_regular(path, limit, "a data file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", path=path) from None
    if len(raw) > limit:
        raise DataError(f"the file is larger than {limit} bytes", path=path)
    return raw


def _yaml_type(v) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "text", list: "list",
            dict: "mapping"}.get(type(v), type(v).__name__)


class _SafeLoader(yaml.SafeLoader):
    """Safe YAML with no aliases, bounded nesting and no duplicate keys."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(None, None, "aliases (*name) are not accepted",
                                                    event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.constructor.ConstructorError(
                    None, None, f"nested deeper than {MAX_YAML_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, "a key must be plain text",
                                                        key_node.start_mark) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{shorten(key)}'",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path):
    """A small YAML file, loaded safely: size and depth bounded, aliases and duplicate keys refused."""
    text = _decode(read_bytes(path, MAX_YAML_BYTES), path)
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(f"not valid YAML ({shorten(problem, 80)})", path=path,
                        row=None if mark is None else mark.line + 1) from None
    except RecursionError:
        raise DataError(f"not valid YAML (nested deeper than {MAX_YAML_DEPTH} levels)", path=path) from None


# --------------------------------------------------------------------------- raw readers

_UTF8_CJK = re.compile(rb"[\xe4-\xe9][\x80-\xbf]{2}")


def _decode(raw: bytes, path: Path) -> str:
    """UTF-8 (BOM optional), else GB18030 (a superset of GBK); one encoding per file.

    A GBK file in which a line is valid UTF-8 holding Chinese characters mixes two encodings
    (a cell pasted from elsewhere) and would read as mojibake: that is an error naming the line.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _UTF8_CJK.search(raw):
        for number, line in enumerate(raw.splitlines(), start=1):
            if not _UTF8_CJK.search(line):
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            raise DataError("this line is UTF-8 but the file is GBK: expected one encoding per file "
                            "(save the whole file as UTF-8)", path=path, row=number)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise DataError("cannot decode the file: expected UTF-8 or GBK text", path=path) from None
    if "\x00" in text:
        raise DataError("the file holds NUL characters: expected CSV text", path=path)
    return text


def _check_header(header: list[str], has_data, path: Path, sheet: str | None = None,
                  letters: bool = False) -> list[int]:
    """Positions of the columns to keep; empty and duplicate header cells are errors.

    ``has_data(j)`` tells whether column ``j`` holds any value below the header; an empty header over an
    empty column (a spreadsheet's trailing column) is dropped.
    """
    if any(_ID_LIKE.fullmatch(h) for h in header):
        # the header row is missing and row 1 is a household: its cells are personal data, never quoted
        raise DataError("row 1 holds an identity number, not a header: expected the header row first "
                        "(values of this row are not shown: personal data)", path=path, row=1, sheet=sheet)
    keep, seen = [], {}
    for j, h in enumerate(header):
        where = _column_letter(j) if letters else str(j + 1)
        if h == "":
            if has_data(j):
                raise DataError(f"column {where} has values but no header: expected a header in row 1",
                                path=path, row=1, sheet=sheet,
                                cell=f"{_column_letter(j)}1" if sheet is not None else None)
            continue
        if h in seen:
            raise DataError(f"the header '{shorten(h)}' is written twice (columns {seen[h]} and {where}): "
                            f"expected each column once", path=path, row=1, sheet=sheet,
                            cell=f"{_column_letter(j)}1" if sheet is not None else None)
        seen[h] = where
        keep.append(j)
    return keep


def _column_letter(j: int) -> str:
    """Excel's letters for 0-based column ``j``: 0 → A, 26 → AA.

    >>> _column_letter(0), _column_letter(4), _column_letter(27)
    ('A', 'E', 'AB')
    """
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def read_csv_raw(path: Path) -> pd.DataFrame:
    """A CSV file as a frame of strings, header as written."""
    import io as _io

    text = _decode(read_bytes(path), path)
    if not text.strip():
        raise DataError("the file is empty: expected a header row", path=path)
    try:
        # no header inference and no implicit index: a header that is shorter or longer than the data
        # rows must never shift the columns (a shift would put names under another column's header)
        grid = pd.read_csv(_io.StringIO(text), header=None, dtype=str, na_filter=False, index_col=False,
                           skipinitialspace=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise DataError(f"this row has {m.group(3)} cells but the header has {m.group(1)}: expected "
                            f"every row as wide as the header", path=path, row=int(m.group(2))) from None
        m = re.search(r"line (\d+)", str(exc))
        raise DataError(f"not a well-formed CSV table ({shorten(str(exc), 60)})", path=path,
                        row=int(m.group(1)) if m else None) from None
    except (pd.errors.EmptyDataError, ValueError, OverflowError) as exc:
        raise DataError(f"not a well-formed CSV table ({type(exc).__name__})", path=path) from None
    if grid.empty:
        raise DataError("the file is empty: expected a header row", path=path)
    if (grid.iloc[:, -1] == "").any():
        _check_row_widths(text, grid.shape[1], path)  # pandas pads a short row with empty cells
    header = [str(h).strip() for h in grid.iloc[0]]
    body = grid.iloc[1:].reset_index(drop=True)
    keep = _check_header(header, lambda j: bool((body.iloc[:, j].str.strip() != "").any()), path)
    out = body.iloc[:, keep]
    out.columns = [header[j] for j in keep]
    return out


def _check_row_widths(text: str, width: int, path: Path) -> None:
    """Every non-blank row has ``width`` cells, else a :class:`DataError` naming the row."""
    import csv
    import io as _io

    reader = csv.reader(_io.StringIO(text, newline=""))
    try:
        for row in reader:
            if row and len(row) != width:
                raise DataError(f"this row has {len(row)} cells but the header has {width}: expected every row "
                                f"as wide as the header", path=path, row=reader.line_num)
    except csv.Error as exc:
        raise DataError(f"not a well-formed CSV table ({shorten(str(exc), 60)})", path=path,
                        row=reader.line_num or None) from None


def read_workbook_raw(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook, header row 1, one object column per header, cells as calamine gives them.

    Uses python-calamine (the engine behind ``pandas.read_excel(engine="calamine")``) directly: pandas
    converts every cell in a Python loop, which took 60% of loading a 100,000-household register
    (profiled), while our column parsers already accept the cell types calamine returns. Empty cells
    become None; all-number columns become float.
    """
    from python_calamine import CalamineWorkbook

    _check_regular(path)
    _check_error_cells(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    except Exception as exc:  # calamine raises its own error types for broken files
        raise DataError(f"cannot read the workbook ({type(exc).__name__}: {exc})", path=path) from None
    out: dict[str, pd.DataFrame] = {}
    given: dict[str, str] = {}
    for name, rows in sheets.items():
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        if not rows or schema.header_key(name) == schema.header_key(INSTRUCTIONS_SHEET):
            continue  # empty, or the instructions sheet for people of a new-period workbook
        table = normalize_sheet(name)
        if table in given:
            raise DataError(f"sheets '{shorten(given[table])}' and '{shorten(name)}' both hold table '{table}': "
                            f"expected one sheet per table", path=path, sheet=name)
        given[table] = name
        header = [_cell_str(h).strip() for h in rows[0]]
        cells = np.empty((len(rows) - 1, len(header)), dtype=object)
        if len(rows) > 1:
            cells[:] = rows[1:]  # one C-level copy into a 2-D object array
            cells[cells == ""] = None
        keep = _check_header(header, lambda j, cells=cells: bool(pd.notna(cells[:, j]).any()), path, sheet=name,
                             letters=True)
        frame = {}
        for j in keep:
            col = cells[:, j]
            if pd.api.types.infer_dtype(col, skipna=True) in ("floating", "integer", "mixed-integer-float", "empty"):
                col = col.astype(float)
            frame[header[j]] = col
        names = [header[j] for j in keep]
        df = pd.DataFrame(frame, columns=names) if frame else pd.DataFrame(columns=names)
        df.attrs["letters"] = {header[j]: _column_letter(j) for j in keep}
        df.attrs["sheet"] = name
        out[table] = df
    return out


def _check_regular(path: Path, limit: int = MAX_TABLE_BYTES, what: str = "a workbook") -> None:
    """``path`` must be a readable regular file of at most ``limit`` bytes, else a :class:`DataError`: the
    type is checked before opening, so a FIFO, a device (``/dev/zero``) or a broken link never hangs."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DataError("a broken link: its target does not exist" if Path(path).is_symlink()
                        else "the file does not exist", path=path) from None
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", path=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"not a regular file (a folder, pipe or device): expected {what}", path=path)
    if info.st_size > limit:
        raise DataError(f"the file has {info.st_size} bytes: expected at most {limit}", path=path)


_ERROR_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?t="e"[^>]*>(?:<f>[^<]*</f>)?(?:<v>([^<]*)</v>)?')


def _check_error_cells(path: Path) -> None:
    """An Excel error cell (``#DIV/0!``, ``#REF!``...) is an error naming sheet and cell, never "unknown"."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if not names:
                return
            sheet_of = _sheet_names(z)
            for n in sorted(names):
                with z.open(n) as fh:
                    xml = fh.read(MAX_TABLE_BYTES)
                if b't="e"' not in xml:
                    continue
                m = _ERROR_CELL.search(xml)
                if m:
                    value = (m.group(2) or b"#ERROR").decode("utf-8", "replace")
                    raise DataError(f"an Excel error value {shorten(value)}: expected a value (fix the formula)",
                                    path=path, sheet=sheet_of.get(n, n), cell=m.group(1).decode())
    except DataError:
        raise
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, EOFError, ValueError, NotImplementedError):
        return  # not a readable zip workbook: calamine reports it


def _sheet_names(z) -> dict[str, str]:
    """Worksheet part name → sheet name, from the workbook's relationships."""
    try:
        book = z.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    target = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"',
                                                          rels)}
    target.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"',
                                                               rels)})
    import html

    out = {}
    for m in re.finditer(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', book):
        t = target.get(m.group(2))
        if t:
            part = t.lstrip("/") if t.startswith("/") else "xl/" + t
            out[part] = html.unescape(m.group(1))
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


_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")


def _show(v, col: Column | None = None) -> str:
    """A cell as an error message may quote it: never a personal-data value, at most 20 characters."""
    if col is not None and col.sensitive:
        return "a value that is not shown (personal data)"
    return repr(shorten(_cell_str(v) if not isinstance(v, str) else v))


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
                            f"{_suggest(schema.header_key(h), keys)}", path=path, column=shorten(h, 40),
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
            shown = _show(raw[c.name].iloc[i], c)
            raise DataError(f"expected {expectation}, got {shown}", path=path,
                            row=i + 2, column=seen[c.name], sheet=sheet,
                            cell=_cell(letters, seen[c.name], i + 2, sheet),
                            message_zh=f"应为{c.expectation_zh}，实际为 {shown}")
        if not c.nullable:
            empty = np.flatnonzero(keep & ~values.notna().to_numpy())
            if empty.size:
                raise DataError(f"a value is required here ({c.expectation})", path=path,
                                row=int(empty[0]) + 2, column=seen[c.name], sheet=sheet,
                                cell=_cell(letters, seen[c.name], int(empty[0]) + 2, sheet),
                                message_zh=f"此处必须填写（{c.expectation_zh}）")
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
            raise DataError(f"duplicate {key} '{shorten(value)}' (first at row {frame.attrs['rows'][later[0]]}): "
                            f"expected each {key} once", path=path, row=row,
                            column=seen.get(key, key), sheet=sheet, cell=_cell(letters, seen.get(key, key), row, sheet))
    return frame


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

    def error(self, frame: pd.DataFrame, position: int | None, column: str | None, message: str) -> DataError:
        row = None if position is None else int(frame.attrs["rows"][position])
        header = None if column is None else frame.attrs.get("headers", {}).get(column, column)
        letter = frame.attrs.get("letters", {}).get(column)
        cell = None if self.sheet is None or letter is None or row is None else f"{letter}{row}"
        return DataError(message, path=self.path, row=row, column=header, sheet=self.sheet, cell=cell)


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
            if name in raw:
                raise DataError(f"table '{name}' is given twice (also as {raw[name][1].name}): expected one "
                                f"file per table", path=p)
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
            raw[name] = (df, source, df.attrs.get("sheet", name))
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
        _check_work_log(tables["work_log"], wheres["work_log"], period)
    if "project_outputs" in tables:
        _check_outputs(tables["project_outputs"], tables.get("projects"), wheres["project_outputs"])
    if "evaluation_sample" in tables:
        _check_evaluation_sample(tables["evaluation_sample"], wheres["evaluation_sample"])
    line = None
    if "households" in tables:
        tables["households"] = _check_households(tables["households"], wheres["households"], period)
        from .policy import poverty_line_for, table_path

        line = poverty_line_for(data_dir, village, period.year)
        if line.origin != "village.yaml":
            sources.append(table_path(data_dir, "poverty_lines"))
    from .policy import inputs_used

    sources += [p for p in inputs_used(data_dir, village, period, tables) if p not in sources]
    for frame in tables.values():
        frame.attrs.clear()  # row numbers were for error messages only
    return PeriodData(village=village, period=period, tables=tables, sources=tuple(sources), poverty_line=line)


def _check_households(hh: pd.DataFrame, where: _Where, period: Period | None = None) -> pd.DataFrame:
    """Register rules that make the data unusable (errors), then drop the personal columns."""
    from .idnumbers import id_number_status

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
    error: DataError | None = None  # the error itself (its message in another language: DataError.localized)


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
            results.append(Checked(v, period or "", str(exc), None, exc))
            continue
        for p in periods:
            try:
                results.append(Checked(v, p.code, "", load_period(v, p, data_dir)))
            except DataError as exc:
                results.append(Checked(v, p.code, str(exc), None, exc))
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
