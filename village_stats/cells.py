"""Safe cells: the rules every spreadsheet and CSV file this package writes follows.

Text is always written as text, never as a formula (:func:`looks_like_formula`, :class:`CellWriter`,
Excel's quote prefix; the CSV writer's apostrophe in :mod:`village_stats.export.csv`); numbers are numbers,
unknown values blank cells; widths fit Chinese text (:func:`display_width`, :func:`column_width`).

A ground-floor module (it imports nothing of the package), so that the new-period workbook
(:mod:`village_stats.workbook`) and every export (:mod:`village_stats.export`) share it without
importing each other.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet read a typed cell as a formula (or, for tab and CR,
#: that CSV-to-spreadsheet imports are known to strip before doing so).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def looks_like_formula(text: str) -> bool:
    """Whether a text cell could be taken for a formula by a spreadsheet.

    True when the text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, unless
    the whole text is a plain signed number (``-3``, ``+1,200.5``), which a spreadsheet reads as that
    number and nothing else.

    Examples
    --------
    >>> looks_like_formula('=HYPERLINK("http://x","y")'), looks_like_formula("@SUM(A1)")
    (True, True)
    >>> looks_like_formula("-3"), looks_like_formula("-2+3"), looks_like_formula("杂粮"), looks_like_formula("")
    (False, True, False, False)
    """
    return bool(text) and text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text)


def display_width(text: str) -> int:
    """Width of a text in a spreadsheet's character units: 2 for each wide (CJK) character, else 1.

    >>> display_width("投资(元)"), display_width("value")
    (8, 5)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


class Styles:
    """XlsxWriter formats of one workbook, made once per distinct set of properties."""

    def __init__(self, book) -> None:
        self.book = book
        self._made: dict[tuple, object] = {}

    def __call__(self, **props):
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in self._made:
            self._made[key] = self.book.add_format(dict(props))
        return self._made[key]


def new_workbook(path: str | Path, **options):
    """An XlsxWriter workbook that never turns a string into a formula, a link or a number."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "nan_inf_to_errors": False, **options})


class CellWriter:
    """Writes the values of one column by type with the column's formats, made once.

    Numbers are numbers, text is always text (never a formula), unknown (NaN, None, ``pd.NaT``) is a
    blank cell; dates get ``yyyy-mm-dd``; text that :func:`looks_like_formula` also gets Excel's quote
    prefix, so that editing the cell does not turn it into a formula either.
    """

    def __init__(self, styles: Styles, **props) -> None:
        self.fmt = styles(**props)
        self.quoted = styles(**{**props, "quote_prefix": True})
        self.date = styles(**{"num_format": "yyyy-mm-dd", **props})

    def __call__(self, ws, row: int, col: int, value) -> None:
        if isinstance(value, str):
            ws.write_string(row, col, value, self.quoted if looks_like_formula(value) else self.fmt)
        elif isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_)):
            v = float(value)
            if math.isfinite(v):
                ws.write_number(row, col, v, self.fmt)
            else:
                ws.write_blank(row, col, None, self.fmt)
        elif value is None or value is pd.NaT or value is pd.NA:
            ws.write_blank(row, col, None, self.fmt)
        elif isinstance(value, (bool, np.bool_)):
            ws.write_boolean(row, col, bool(value), self.fmt)
        elif isinstance(value, (dt.date, pd.Timestamp)):
            when = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
            ws.write_datetime(row, col, when, self.date)
        else:
            self(ws, row, col, str(value))


def write_cell(ws, row: int, col: int, value, styles: Styles, **props) -> None:
    """Write one value by its type, as :class:`CellWriter` does (for a few cells; columns use a CellWriter)."""
    CellWriter(styles, **props)(ws, row, col, value)


def column_width(header: str, values: Iterable, *, minimum: int = 8, maximum: int = 60, sample: int = 2000) -> int:
    """A column width that fits its header and its widest value as shown (first ``sample`` values).

    In character units as Excel counts them (:func:`display_width`), plus a margin of 2.

    >>> column_width("项目名称", ["合作社办公及农产品展销室", 1234567.5])
    26
    """
    widest = display_width(header)
    for i, v in enumerate(values):
        if i == sample:
            break
        widest = max(widest, display_width(_shown(v)))
    return min(maximum, max(minimum, widest + 2))


def _shown(v) -> str:
    """Roughly how a spreadsheet shows a value (for widths only)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:,.2f}" if not v.is_integer() else f"{v:,.0f}"
    if isinstance(v, (dt.date, pd.Timestamp)):
        return "2017-01-01"
    return str(v)
