"""``indicators.xlsx``: the indicator sheet and the report's tables as a workbook for the bureau.

The workbook is written from what the notebook recorded, never from the inputs: 汇总 is the recorded
indicator sheet (every indicator: label, value, unit, 万元, 计算依据 numerator and denominator, indicator id),
and every other sheet is a typed table block of the document model that names a ``sheet``
(:mod:`village_stats.document`; built by the builders of :mod:`village_stats.display.views`, the same blocks
the report prints). Nothing here loads data or computes a figure. The period report's blocks give, when
the period has the tables: 项目, 项目产出, 种植结构调整, 帮扶工作记录, and with a household register
建档立卡指标, 登记册核对, 整改清单 (audit findings by household id) and 脱贫核查 (the exit lists by
household id), in that order (:data:`SHEET_ORDER`). Households appear by ``household_id`` only; names and
identity numbers never reach the document (the loader drops them).

Every sheet: header in row 1, frozen, with an autofilter over the body (total rows stay below it, in
bold, so sorting and filtering never move them); columns as wide as their text; A4, fit to one page wide,
the header row repeated, the report's running header (village and period) in the page header and
第 N 页 / 共 M 页 in the footer; the print area is the table. Values stay numbers, formatted by unit:

=========================================  ==============  =====================
unit                                       number format   e.g.
=========================================  ==============  =====================
ratio                                      ``0.0%``        47.8%
households, persons, visits, meetings ...  ``#,##0``       196
yuan, yuan per person (per year), 万元      ``#,##0.00``    3,097,200.00
mu, ha                                     ``#,##0.00``    390.00
persons per household                      ``0.00``        2.33
index                                      ``0.0000``      0.1234
number (a plain number)                    ``#,##0`` or ``#,##0.00##`` (whole or not)
=========================================  ==============  =====================

A signed column (a difference) shows ``+`` before positive numbers; a column's ``prefix`` (a threshold's
comparison) is literal text of the number format, and a ``join`` column (an interval's upper end) is a
column of its own. 万元 rule (glossary: money): an
amount in yuan is always written in 元 (the value the sheet computes, so sums and checks in Excel stay
exact); when it is at least 10,000 元 the 万元 column beside it shows value / 10,000 (3,097,200 元 →
309.72 万元). Smaller amounts and per-person amounts leave the 万元 column empty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from ..cells import CellWriter, Styles, column_width, new_workbook, write_cell
from ..display.tables import period_tables, sheet_table, table_block
from ..labels import TEXT, t
from ..units import UNITS

#: Number format of each unit: the catalogue's units as declared in :data:`village_stats.units.UNITS`, plus
#: the tables' ``wan_yuan`` (a 万元 column).
NUMBER_FORMATS: dict[str, str] = {**{u.id: u.xlsx_format for u in UNITS.values()}, "wan_yuan": "#,##0.00",
                                   "percentage_points": "0.0"}
#: The workbook's sheets in order, by the ``sheet`` ids of the table blocks (``summary`` is the recorded
#: indicator sheet); blocks naming another sheet follow in document order.
SHEET_ORDER = ("summary", "projects", "project_outputs", "crops", "work_log", "register", "reconciliation", "audit",
               "exit")
#: Columns of an indicator sheet (a frame with them is laid out like 汇总).
SHEET_COLUMNS = {"indicator", "value", "unit", "numerator", "denominator", "label_zh", "label_en"}


def number_format(unit: str, value=None) -> str | None:
    """The number format of a value of ``unit``; a plain ``number`` by its value (whole or not).

    >>> number_format("ratio"), number_format("number", 53.0), number_format("number", 0.5), number_format("x")
    ('0.0%', '#,##0', '#,##0.00##', 'General')
    """
    if unit == "number":
        whole = not isinstance(value, (int, float)) or not math.isfinite(value) or float(value).is_integer()
        return "#,##0" if whole else "#,##0.00##"
    return NUMBER_FORMATS.get(unit, "General")


def sheet_name(sheet_id: str, lang: str) -> str:
    """The name of a workbook sheet (``sheet_<id>`` of the labels; an unknown id is its own name), ≤ 31 characters.

    >>> sheet_name("audit", "zh"), sheet_name("audit", "en"), sheet_name("村", "zh")
    ('整改清单', 'Audit findings', '村')
    """
    key = f"sheet_{sheet_id}"
    return (t(key, lang) if key in TEXT else sheet_id)[:31]


# --------------------------------------------------------------------------- one sheet

class _Column:
    """A column of an output sheet: header, values, and each value's number format."""

    def __init__(self, header: str, values: list, fmt: str | Callable[[int], str | None] | None = None):
        self.header, self.values, self.fmt = header, values, fmt

    def format_of(self, i: int) -> str | None:
        return self.fmt(i) if callable(self.fmt) else self.fmt


def _write_sheet(book, styles: Styles, name: str, columns: list[_Column], page_header: str, lang: str,
                 total_rows: int = 0, landscape: bool = False) -> None:
    ws = book.add_worksheet(name[:31])
    head = {"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": "#DDEBF7", "border": 1}
    n = max((len(c.values) for c in columns), default=0)
    body = n - total_rows
    writers: dict[tuple[str | None, bool], CellWriter] = {}
    for j, col in enumerate(columns):
        write_cell(ws, 0, j, col.header, styles, **head)
        for i, v in enumerate(col.values):
            key = (col.format_of(i), i >= body)
            if key not in writers:
                writers[key] = CellWriter(styles, **({"num_format": key[0]} if key[0] else {}),
                                          **({"bold": True} if key[1] else {}))
            writers[key](ws, i + 1, j, v)
        ws.set_column(j, j, column_width(col.header, col.values))
    last_row, last_col = max(n, 1), len(columns) - 1
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(body, 1), last_col)
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many long as needed
    ws.repeat_rows(0)
    ws.print_area(0, 0, last_row, last_col)
    ws.set_header(f"&C{_escape_header(page_header)}")
    ws.set_footer("&C" + t("page_of", lang, page="&P", pages="&N"))
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)


def _escape_header(text: str) -> str:
    """Page-header text: ``&`` starts a control code in Excel headers, so it is doubled."""
    return text.replace("&", "&&")


# --------------------------------------------------------------------------- typed table blocks → columns

def _cell(value, kind: str):
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _formats(units: list[str], values: list, signed: bool, prefix: list[str] | None = None) -> Callable[[int], str]:
    """The number format of each row of a number column: ``+`` before positive numbers when signed, the
    row's ``prefix`` (a comparison ``< ``) as literal text before the number, so the cell stays a number.

    >>> _formats(["ratio"], [0.02], False, ["< "])(0), _formats(["persons"], [3.0], True)(0)
    ('"< "0.0%', '+#,##0;-#,##0;0')
    """
    def fmt(i: int) -> str:
        f = number_format(units[i], values[i])
        if signed and f != "General":
            f = f"+{f};-{f};0"
        text = (prefix[i] if prefix else "").replace('"', "")
        return ";".join(f'"{text}"{part}' for part in f.split(";")) if text else f

    return fmt


def sheet_rows(block: dict) -> tuple[list[list], int]:
    """The rows of a table block the workbook writes, and how many of them are totals (none when the
    block's totals are printed only)."""
    total = int(block.get("total_rows", 0))
    if block.get("totals_only") == "report" and total:
        return block["rows"][:-total], 0
    return block["rows"], total


def block_columns(block: dict) -> list[_Column]:
    """The columns of a table block as the workbook writes them: every column not ``only: report``, values
    as stored (dates as dates, unknown as blank), each number with the format of its unit."""
    rows, _ = sheet_rows(block)
    out = []
    for j, col in enumerate(block["columns"]):
        if col.get("only") == "report":
            continue
        kind = col.get("type", "text")
        values = [_cell(row[j], kind) for row in rows]
        fmt = None
        if kind == "number":
            units = col.get("units") or [col.get("unit") or "number"] * len(values)
            fmt = _formats(units, values, bool(col.get("signed")), col.get("prefix"))
        out.append(_Column(col["name"], values, fmt))
    return out


def _frame_columns(frame: pd.DataFrame, formats: Mapping[str, str], lang: str) -> list[_Column]:
    """A frame's columns under its own headers; numeric columns by ``formats`` (a unit id or a number format),
    else ``#,##0`` when every value is whole, ``#,##0.00`` otherwise. An indicator sheet is laid out like 汇总."""
    if SHEET_COLUMNS <= set(frame.columns):
        return block_columns(table_block(sheet_table(frame, lang)))
    columns = []
    for c in frame.columns:
        col = frame[c]
        fmt = NUMBER_FORMATS.get(formats.get(c, ""), formats.get(c))
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            values = [float(v) for v in col]
            whole = all(not math.isfinite(v) or v.is_integer() for v in values)
            columns.append(_Column(str(c), values, fmt or ("#,##0" if whole else "#,##0.00")))
        else:
            columns.append(_Column(str(c), list(col), fmt))
    return columns


# --------------------------------------------------------------------------- workbooks

def write_workbook(path: str | Path, sheet: pd.DataFrame, blocks, page_header: str, lang: str = "zh") -> Path:
    """Write ``indicators.xlsx``: the indicator sheet as 汇总, then the table blocks that name a sheet.

    Parameters
    ----------
    path : str or Path
        The workbook to write (replaced atomically if it exists).
    sheet : DataFrame
        The indicator sheet the run recorded (:func:`village_stats.display.views.recorded_sheet`).
    blocks : iterable of dict
        Table blocks of the document model; those with a ``sheet`` become sheets, in :data:`SHEET_ORDER`.
    page_header : str
        Printed at the top of every page, e.g. ``梭罗峪村 · 2017年上半年``.
    lang : {"zh", "en"}
        Language of the sheet names, the 汇总 headers and the page footer (the blocks are in it already).

    Returns
    -------
    Path
        ``path``.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}: expected 'zh' or 'en'")
    tables = [b for b in blocks if b.get("type") == "table" and b.get("sheet")]
    order = {s: i for i, s in enumerate(SHEET_ORDER)}
    tables.sort(key=lambda b: order.get(b["sheet"], len(order)))  # stable: others keep document order
    sheets = [(sheet_name("summary", lang), block_columns(table_block(sheet_table(sheet, lang))), 0)]
    sheets += [(sheet_name(b["sheet"], lang), block_columns(b), sheet_rows(b)[1]) for b in tables]
    return _write_book(Path(path), sheets, page_header, lang)


def _write_book(path: Path, tables: list[tuple[str, list[_Column], int]], page_header: str, lang: str,
                landscape_over: int | None = None) -> Path:
    """Write the sheets, whole or not at all (:func:`village_stats.atomic.atomic_path`); a sheet whose columns
    are wider than ``landscape_over`` characters in all prints landscape."""
    with atomic_path(path) as tmp:
        book = new_workbook(tmp)
        styles = Styles(book)
        book.set_properties({"title": page_header, "subject": "village_stats"})
        for name, columns, total_rows in tables:
            wide = landscape_over is not None and \
                sum(column_width(c.header, c.values) for c in columns) > landscape_over
            _write_sheet(book, styles, name, columns, page_header, lang, total_rows, wide)
        book.close()
    return path


def write_tables(path: str | Path, tables: Mapping[str, pd.DataFrame], page_header: str, lang: str = "zh",
                 formats: Mapping[str, str] | None = None, landscape_over: int | None = None) -> Path:
    """Write frames as sheets in the style of ``indicators.xlsx`` (roll-ups: a sheet per level; trends: per indicator).

    Parameters
    ----------
    path : str or Path
        The workbook to write (replaced atomically if it exists).
    tables : mapping of str to DataFrame
        Sheet name (at most 31 characters) → table. A frame with the indicator sheet's columns
        (``indicator, value, unit, numerator, denominator, label_zh, label_en``) is laid out like 汇总;
        any other frame column by column under its own headers.
    page_header : str
        Printed at the top of every page, e.g. ``昔阳县 · 2017年上半年``.
    lang : {"zh", "en"}
        Language of the 汇总-style headers and of the page footer.
    formats : mapping of str to str, optional
        Column → number format, or a unit id of the catalogue (``ratio``, ``yuan`` ...). Numeric
        columns not named here get ``#,##0`` when every value is whole, else ``#,##0.00``.
    landscape_over : int, optional
        A sheet whose columns are wider than this many characters in all prints landscape (A4 portrait
        holds about 100 at the fit-to-width scale of 1); portrait when not given.

    Returns
    -------
    Path
        ``path``.
    """
    sheets = [(name, _frame_columns(frame, dict(formats or {}), lang), 0) for name, frame in tables.items()]
    return _write_book(Path(path), sheets, page_header, lang, landscape_over)


def write(report, target: Path) -> None:
    """The run's ``indicators.xlsx`` (registry entry ``xlsx``): the recorded sheet and the document's table
    blocks that name a sheet (:func:`write_workbook`); no input is read and nothing is computed again."""
    from ..document import from_report

    write_workbook(target, report.sheet, from_report(report)["blocks"], report.title, report.lang)


def write_period_workbook(path: str | Path, results, lang: str = "zh") -> Path:
    """``indicators.xlsx`` of a village-period without a notebook run (``village-stats indicators --format
    xlsx``): the sheet and the period report's table blocks, built from the period's
    :class:`~village_stats.evaluate.Results` by the same builders the report uses."""
    data = results.data
    header = f"{data.village.name(lang)} · {data.period.label(lang)}"
    return write_workbook(path, results.sheet, period_tables(results, lang), header, lang)
