"""The one error type for bad input data, carrying file, row, column and expectation."""

from __future__ import annotations

import re
from pathlib import Path

from .labels import pick, say


class DataError(ValueError):
    """Input data that breaks the data contract.

    Its message is one line that names the file, the row as a spreadsheet shows it
    (the header is row 1), the column as written in the file, and what was expected.

    Parameters
    ----------
    message : str
        What was expected and what was found.
    path : str or Path, optional
        The offending file (or folder).
    row : int, optional
        The spreadsheet row number (header = 1, first data row = 2).
    column : str, optional
        The column header as it appears in the file.
    sheet : str, optional
        The sheet name, when the file is an Excel workbook.
    cell : str, optional
        The cell as Excel shows it (``E5``), when the file is a workbook; the message then reads
        ``file, sheet S, cell E5 (header): ...``.

    Examples
    --------
    >>> str(DataError("expected a whole number >= 0, got '-3'", path="data/v/2017H1/population.csv",
    ...               row=4, column="value"))
    "data/v/2017H1/population.csv, row 4, column 'value': expected a whole number >= 0, got '-3'"
    >>> str(DataError("expected an amount >= 0, got '-5'", path="data/v/2017H2.xlsx", row=5,
    ...               column="投资(元)", sheet="projects", cell="E5"))
    "data/v/2017H2.xlsx, sheet projects, cell E5 (投资(元)): expected an amount >= 0, got '-5'"
    """

    def __init__(self, message: str, *, path: str | Path | None = None, row: int | None = None,
                 column: str | None = None, sheet: str | None = None,
                 cell: str | None = None, message_zh: str | None = None) -> None:
        self.message = message
        self.message_zh = message_zh
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.sheet = sheet
        self.cell = cell
        super().__init__(self._format())

    @classmethod
    def said(cls, key: str, *, path: str | Path | None = None, row: int | None = None, column: str | None = None,
             sheet: str | None = None, cell: str | None = None, **fields) -> DataError:
        """The error whose expectation is the message ``key`` of :data:`village_stats.labels.MESSAGES`, in
        both languages.

        >>> DataError.said("msg_output_not_folder", path="out").localized("en")
        'out: the output location is a file: expected a folder (--output-dir)'
        """
        return cls(say(key, "en", **fields), path=path, row=row, column=column, sheet=sheet, cell=cell,
                   message_zh=say(key, "zh", **fields))

    def localized(self, lang: str = "en") -> str:
        """The one-line message in ``lang``: in Chinese the place (文件, 工作表, 单元格, 第 N 行, 列) is in
        Chinese, and so is the expectation where the check gives one (``message_zh``); file paths, sheet
        names, column headers and ids stay as written. The wording is the ``msg_at*`` messages of
        :data:`village_stats.labels.MESSAGES`.

        >>> DataError("expected a whole number >= 0, got '-3'", path="p.csv", row=4, column="value",
        ...           message_zh="应为不小于 0 的整数，实际为 '-3'").localized("zh")
        "p.csv，第 4 行，列 'value'：应为不小于 0 的整数，实际为 '-3'"
        """
        return self._format(lang)

    def _render_traceback_(self) -> list[str]:
        """IPython/JupyterLab show a DataError as its one line, not a traceback into the library."""
        return [f"DataError: {self}"]

    def _format(self, lang: str = "en") -> str:
        where = [self.path] if self.path is not None else []
        if self.sheet is not None:
            where.append(say("msg_at_sheet", lang, sheet=self.sheet))
        if self.cell is not None:  # a workbook cell names its column itself: no row, no column
            where.append(say("msg_at_cell", lang, cell=self.cell) if self.column is None
                         else say("msg_at_cell_column", lang, cell=self.cell, column=self.column))
        else:
            if self.row is not None:
                where.append(say("msg_at_row", lang, row=self.row))
            if self.column is not None:
                where.append(say("msg_at_column", lang, column=self.column))
        body = _scrub(pick((self.message_zh or self.message, self.message), lang), lang)
        place = say("msg_place_sep", lang).join(where)
        out = say("msg_at", lang, where=place, body=body) if place else body
        return out.replace("\r", "\\r").replace("\n", "\\n")  # always one line


_LONG_NUMBER = re.compile(r"(?<![\d.])\d{17}[Xx]|(?<![\d.])\d{15,}")


def _scrub(body: str, lang: str) -> str:
    """The last safety net of every message: a run of 15 or more digits (an identity number, wherever a
    check forgot :func:`village_stats.personal.shown`) is described, never shown.

    >>> _scrub("got 11010519491231002X here", "en")
    'got a number of 18 digits (possibly personal data, not shown) here'
    """
    return _LONG_NUMBER.sub(lambda m: say("msg_value_number", lang, n=len(m.group(0))), body)


def shorten(text: object, limit: int = 20) -> str:
    """A value as it may be quoted in a message: one line, at most ``limit`` characters plus "…".

    >>> shorten("a" * 30)
    'aaaaaaaaaaaaaaaaaaaa…'
    >>> shorten("x\\ny")
    'x\\\\ny'
    """
    text = str(text).encode("unicode_escape").decode("ascii") if any(
        not ch.isprintable() for ch in str(text)) else str(text)
    return text if len(text) <= limit else text[:limit] + "…"



class UnfilledPeriod(DataError):
    """A village-period that is a blank ``new-period`` template (no value entered yet): normal data of a
    team that has not reported, not bad input. A report of it still stops with this one line; a batch
    reports the village-period as unfilled (:mod:`village_stats.run.batch`)."""

class ReportError(RuntimeError):
    """A report run that failed after its input was validated (a notebook cell, an export)."""
