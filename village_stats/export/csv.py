"""CSV for people and for pipes: one writer, safe quoting, no formulas.

A CSV file that people open (``indicators.csv``, any CSV export, a new period's CSV folder) is written
by :func:`write_csv` as UTF-8 **with** a byte-order mark, so that Excel on Chinese Windows reads the
Chinese labels as UTF-8 instead of the ANSI code page (GBK) and shows mojibake. Text for standard
output (:func:`csv_text` with ``bom=False``, the default) has no BOM, so pipes and ``pandas.read_csv``
see the first header as written.

Rules of every cell (RFC 4180 with ``\\n`` line ends):

- a field is quoted when it holds a comma, a double quote, a carriage return or a line feed
  (Python's ``csv`` module leaves a lone ``\\r`` unquoted when the line end is ``\\n``, which splits
  the row in Excel; this writer does not);
- numbers are written as numbers (floats with up to 12 significant digits), an unknown value (NaN,
  None) as an empty field;
- a text cell that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``,
  tab or CR; see :func:`village_stats.cells.looks_like_formula`) gets a leading apostrophe, the
  spreadsheet convention for "this is text".
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import write_atomic
from ..cells import looks_like_formula

BOM = "\ufeff"
_NEEDS_QUOTES = (",", '"', "\r", "\n")


def escape_text(text: str) -> str:
    """One text cell for CSV: apostrophe before formula-like text, then quoted where needed.

    >>> escape_text('=HYPERLINK("http://x","y")')
    '"\\'=HYPERLINK(""http://x"",""y"")"'
    >>> escape_text("a\\rb"), escape_text("杂粮"), escape_text("-3")
    ('"a\\rb"', '杂粮', '-3')
    """
    if looks_like_formula(text):
        text = "'" + text
    if any(ch in text for ch in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def _number(v: float) -> str:
    return f"{v:.12g}" if math.isfinite(v) else ""


def _cell(v) -> str:
    if v is None or v is pd.NaT or v is pd.NA:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _number(float(v))
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat()
    return escape_text(str(v))


def _column(values: pd.Series) -> list[str]:
    if pd.api.types.is_float_dtype(values.dtype):
        return [_number(v) for v in values.to_numpy(dtype=float)]
    return [_cell(v) for v in values.to_numpy(dtype=object)]


def csv_text(frame: pd.DataFrame, bom: bool = False) -> str:
    """The frame as CSV text (header row, no index), by the rules of this module.

    Parameters
    ----------
    frame : DataFrame
        Any table; column names become the header.
    bom : bool
        Start with the UTF-8 byte-order mark (for a file people open); False for standard output.

    Examples
    --------
    >>> f = pd.DataFrame({"indicator": ["poverty_incidence", "x"], "value": [196 / 410, float("nan")],
    ...                   "label": ["贫困发生率", "@cmd"]})
    >>> print(csv_text(f), end="")
    indicator,value,label
    poverty_incidence,0.478048780488,贫困发生率
    x,,'@cmd
    """
    columns = [_column(frame.iloc[:, j]) for j in range(frame.shape[1])]
    lines = [",".join(escape_text(str(c)) for c in frame.columns)]
    lines += [",".join(row) for row in zip(*columns)]
    return (BOM if bom else "") + "\n".join(lines) + "\n"


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV file for people: UTF-8 with BOM, whole or not at all (:func:`village_stats.atomic.write_atomic`)."""
    return write_atomic(path, csv_text(frame, bom=True))
