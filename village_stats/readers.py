"""Reading input files: bytes in, raw tables out (CSV, XLSX, YAML), bounded and strict.

Every input file of a run is opened through a :class:`Reader`, once: it reads the bytes, records their
sha256 (the manifest lists exactly the bytes read) and hands them to the parsers below, which never open a
file themselves when given the bytes. Nothing here writes a file. Errors are
:class:`~village_stats.errors.DataError` naming the file, the row or the cell.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import os
import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import schema
from .errors import DataError, shorten
from .personal import shown

#: An identity number (18 or 15 digits): a header cell like this means the header row is missing.
_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")


class Reader:
    """Opens input files, each once per reader, and records the sha256 of the bytes it read.

    A :class:`~village_stats.load.Source` keeps one reader per data root; the objects built from the bytes
    (villages, period tables, policy tables) are kept by the source, so the reader opens a file again only
    if asked again, and :attr:`opened` says so.

    Attributes
    ----------
    digests : dict
        Absolute path → sha256 of the bytes read.
    opened : dict
        Absolute path → how many times the file was opened.
    """

    def __init__(self) -> None:
        self.digests: dict[Path, str] = {}
        self.opened: dict[Path, int] = {}

    def read(self, path: Path, limit: int | None = None) -> bytes:
        """The bytes of ``path`` (see :func:`read_bytes`), recorded with their digest."""
        raw = read_bytes(path, MAX_TABLE_BYTES if limit is None else limit)
        key = Path(os.path.abspath(path))
        self.digests[key] = hashlib.sha256(raw).hexdigest()
        self.opened[key] = self.opened.get(key, 0) + 1
        return raw


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


#: The cells a new-period template leaves empty for people to fill in: table → columns.
FILL_IN: dict[str, tuple[str, ...]] = {"population": ("value",), "work_log": ("count",),
                                       "households": ("income_per_capita_yuan",),
                                       "members": ("work_place", "work_months")}
#: Tables a template carries over filled in from the source period: their cells say nothing of filling in.
CARRIED: tuple[str, ...] = ("crops", "projects", "help_measures")


def is_unfilled(raw) -> bool:
    """Whether a period's raw tables (table name → frame as read, headers as written) are a blank template.

    *Unfilled* means: a new-period template (``village-stats new-period``) in which nobody has entered a
    value yet. Precisely: the population table lists at least one measure, only measures of the codebook,
    and holds no value; no cell of
    the other columns a template leaves empty (:data:`FILL_IN`: activity counts, household incomes) holds a
    value; and no other table but those a template carries over (:data:`CARRIED`) has a row with a value
    (``project_outputs`` is written without rows, other tables not at all). Reference columns (``(参考)``)
    are ignored. A period with any value entered is not unfilled: loading then checks it as usual (a half
    filled period is bad input naming its first empty cell, never skipped).

    >>> import pandas as pd
    >>> template = {"population": pd.DataFrame({"指标": ["households_total"], "数值": [None]}),
    ...             "project_outputs": pd.DataFrame({"项目编号": []})}
    >>> is_unfilled(template)
    True
    >>> is_unfilled({"population": pd.DataFrame({"指标": ["households_total"], "数值": ["150"]})})
    False
    >>> is_unfilled({"population": pd.DataFrame({"指标": [], "数值": []})})  # a header only is no template
    False
    """
    population = raw.get("population")
    if population is None:
        return False
    measure, value = (_header_of(population, schema.POPULATION, c) for c in ("measure", "value"))
    if measure is None or value is None or not _entered(population[measure]):
        return False
    known = schema.POPULATION_MEASURES.lookup()
    if not all(schema.normalize_text(str(m)).lower() in known for m in population[measure]
               if m is not None and m == m and str(m).strip()):
        return False  # a template lists the codebook's measures; anything else is data to check
    for name, frame in raw.items():
        if name in FILL_IN:
            for c in FILL_IN[name]:
                header = _header_of(frame, schema.TABLES[name], c)
                if header is not None and _entered(frame[header]):
                    return False
        elif name not in CARRIED and any(_entered(frame[h]) for h in frame.columns
                                         if not is_reference_header(str(h))):
            return False
    return True


def _header_of(frame: pd.DataFrame, table, name: str):
    """The header of ``frame`` that spells column ``name`` of ``table`` (reference columns excluded), or None."""
    c = table.column(name)
    keys = {schema.header_key(s) for s in (c.name, c.zh, *c.aliases)}
    return next((h for h in frame.columns if schema.header_key(str(h)) in keys and not is_reference_header(str(h))),
                None)


def _entered(column: pd.Series) -> bool:
    """Whether any cell of a raw column holds a value (not empty, NaN or blanks)."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return bool(column.notna().any())
    return any(v is not None and v == v and str(v).strip() != "" for v in column)


# --------------------------------------------------------------------------- safe reading

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


def load_yaml(path: Path, raw: bytes | None = None):
    """A small YAML file, loaded safely: size and depth bounded, aliases and duplicate keys refused.

    ``raw`` is the file's bytes when already read (then the file is not opened here).
    """
    if raw is None:
        raw = read_bytes(path, MAX_YAML_BYTES)
    elif len(raw) > MAX_YAML_BYTES:
        raise DataError(f"the file is larger than {MAX_YAML_BYTES} bytes", path=path)
    text = _decode(raw, path)
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
            raise DataError(f"the header {shown(h)} is written twice (columns {seen[h]} and {where}): "
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


def read_csv_raw(path: Path, raw: bytes | None = None) -> pd.DataFrame:
    """A CSV file as a frame of strings, header as written (``raw``: its bytes when already read)."""
    text = _decode(read_bytes(path) if raw is None else raw, path)
    if not text.strip():
        raise DataError("the file is empty: expected a header row", path=path)
    try:
        # no header inference and no implicit index: a header that is shorter or longer than the data
        # rows must never shift the columns (a shift would put names under another column's header)
        grid = pd.read_csv(io.StringIO(text), header=None, dtype=str, na_filter=False, index_col=False,
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

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if row and len(row) != width:
                raise DataError(f"this row has {len(row)} cells but the header has {width}: expected every row "
                                f"as wide as the header", path=path, row=reader.line_num)
    except csv.Error as exc:
        raise DataError(f"not a well-formed CSV table ({shorten(str(exc), 60)})", path=path,
                        row=reader.line_num or None) from None


def read_workbook_raw(path: Path, raw: bytes | None = None) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook, header row 1, one object column per header, cells as calamine gives them.

    Uses python-calamine (the engine behind ``pandas.read_excel(engine="calamine")``) directly: pandas
    converts every cell in a Python loop, which took 60% of loading a 100,000-household register
    (profiled), while our column parsers already accept the cell types calamine returns. Empty cells
    become None; all-number columns become float. ``raw`` is the file's bytes when already read: the file
    is then not opened here (calamine and the error-cell check read the same bytes).
    """
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    if raw is None:
        raw = read_bytes(path)
    _check_error_cells(raw, path)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    except Exception as exc:  # calamine raises its own error types for broken files
        raise DataError(f"cannot read the workbook ({type(exc).__name__}: {exc})", path=path) from None
    out: dict[str, pd.DataFrame] = {}
    given: dict[str, str] = {}
    hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    for name, rows in sheets.items():
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        if not rows or schema.header_key(name) == schema.header_key(INSTRUCTIONS_SHEET):
            continue  # empty, or the instructions sheet for people of a new-period workbook
        if name in hidden:  # never read as data unseen, never skipped silently either
            raise DataError.said("msg_hidden_sheet", path=path, sheet=name)
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


#: Most cells a sheet may span (rows x columns from A1 to its farthest cell) [cells]: calamine allocates the
#: whole rectangle before anything is read (one stray cell at XFD1048576 asked for 512 GiB and aborted the
#: process), so the rectangle is measured from the sheet's XML first. 10 million cells are a 100,000-household
#: register with 100 columns.
MAX_SHEET_CELLS = 10_000_000
#: Excel's grid: a reference beyond it is refused too [rows], [columns].
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
# cells from column AA on (letters, row) or single-letter cells from row 100,000 on ('', '', row): few in a register
_FAR_CELL = re.compile(rb'<c r="([A-Z]{2,3})(\d+)"|<c r="[A-Z](\d{6,})"')
_MID_ROW_CELL = re.compile(rb'<c r="[A-Z](\d{5})"')
_ANY_ROW = re.compile(rb'<c r="[A-Z]+(\d+)"')
#: Single-letter cells below this row are not matched by the fast scan [rows].
_NEAR_ROWS = 99_999


def _column_number(letters: bytes) -> int:
    """``AA`` → 27 (1-based)."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """Upper bounds of the rows and columns a worksheet's cells span from A1, read from its XML without
    parsing it.

    One regular-expression scan matches only the cells from column AA or from row 100,000 on (a register
    has few); the bound is exact for a sheet that has such cells, else at most 99,999 rows by 26 columns.
    Only a bound over :data:`MAX_SHEET_CELLS` is measured again, exactly, cell by cell. Assumes the
    writers' ``<c r="B7" ...>`` (Excel, LibreOffice, openpyxl, XlsxWriter).

    >>> sheet_extent(b'<row r="1"><c r="A1"/><c r="B1"/></row><row r="9"><c r="AB9"/></row>')  # A..Z: bound
    (99999, 28)
    >>> sheet_extent(b'<row r="1"><c r="A1"/></row><row r="1048576"><c r="XFD1048576"/></row>')
    (1048576, 16384)
    """
    cols = rows = 0
    near_rows = b"<c " in xml  # cells in A..Z below row 100,000 may exist
    for letters, row, low_row in _FAR_CELL.findall(xml):
        if letters:
            cols = max(cols, _column_number(letters))
            rows = max(rows, int(row))
        else:
            rows = max(rows, int(low_row))
    if near_rows:
        cols = max(cols, 26)
        if rows * cols > MAX_SHEET_CELLS:  # too large already: no need to look further
            return rows, cols
        if max(rows, _NEAR_ROWS) * cols > MAX_SHEET_CELLS:  # wide: the A..Z cells of rows 10,000 to 99,999
            rows = max([rows, 9_999, *(int(r) for r in _MID_ROW_CELL.findall(xml))])
            if rows * cols > MAX_SHEET_CELLS:  # still too wide to bound: every cell
                rows = max((int(r) for r in _ANY_ROW.findall(xml)), default=0)
        else:
            rows = max(rows, _NEAR_ROWS)
    return rows, cols


def _check_extent(xml: bytes, path: Path, sheet: str) -> None:
    """A sheet spanning more than :data:`MAX_SHEET_CELLS` cells (or beyond Excel's grid) is refused before
    calamine allocates it: one line naming the file, the sheet and its farthest cell."""
    rows, cols = sheet_extent(xml)
    if rows * cols > MAX_SHEET_CELLS or rows > EXCEL_ROWS or cols > EXCEL_COLUMNS:
        raise DataError.said("msg_sheet_too_big", path=path, sheet=sheet, cell_ref=f"{_column_letter(cols - 1)}{rows}",
                             rows=f"{rows:,}", columns=f"{cols:,}", limit=f"{MAX_SHEET_CELLS:,}")


_ERROR_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?t="e"[^>]*>(?:<f>[^<]*</f>)?(?:<v>([^<]*)</v>)?')


def _check_error_cells(raw: bytes, path: Path) -> None:
    """An Excel error cell (``#DIV/0!``, ``#REF!``...) is an error naming sheet and cell, never "unknown";
    a sheet too large to allocate (:func:`_check_extent`) is refused here too, in the same pass."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if not names:
                return
            sheet_of = _sheet_names(z)
            for n in sorted(names):
                with z.open(n) as fh:
                    xml = fh.read(MAX_TABLE_BYTES + 1)
                if len(xml) > MAX_TABLE_BYTES:  # a compressed bomb: calamine would inflate all of it
                    raise DataError.said("msg_sheet_xml_too_big", path=path, sheet=sheet_of.get(n, n),
                                         limit=f"{MAX_TABLE_BYTES:,}")
                _check_extent(xml, path, sheet_of.get(n, n))
                _check_formula_values(xml, path, sheet_of.get(n, n))
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


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(<v\s*/>|<v>\s*</v>)?</c>')


def _check_formula_values(xml: bytes, path: Path, sheet: str) -> None:
    """A formula cell without a saved value is an error naming sheet and cell, never read as an empty cell.

    A workbook written by a program (not by Excel or WPS) stores formulas without their results; the reader
    sees only the saved result, so such a cell would read as "unknown". An empty saved text result
    (``t="str"`` with an empty value) is a value and passes.
    """
    if b"<f" not in xml:
        return
    for m in _FORMULA_CELL.finditer(xml):
        if m.group(3) is not None and b't="str"' in m.group(2):
            continue  # a formula whose saved result is the empty text
        raise DataError.said("msg_formula_no_value", path=path, sheet=sheet, cell=m.group(1).decode())


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



def _suggest(value: str, options) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _cell_str(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)

