"""The one error type for bad input data, carrying file, row, column and expectation."""

from __future__ import annotations

from pathlib import Path


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

    def localized(self, lang: str = "en") -> str:
        """The one-line message in ``lang``: in Chinese the place (文件, 工作表, 单元格, 第 N 行, 列) is in
        Chinese, and so is the expectation where the check gives one (``message_zh``); file paths, sheet
        names, column headers and ids stay as written.

        >>> DataError("expected a whole number >= 0, got '-3'", path="p.csv", row=4, column="value",
        ...           message_zh="应为不小于 0 的整数，实际为 '-3'").localized("zh")
        "p.csv，第 4 行，列 'value'：应为不小于 0 的整数，实际为 '-3'"
        """
        if lang != "zh":
            return str(self)
        where = [self.path] if self.path is not None else []
        if self.sheet is not None:
            where.append(f"工作表 {self.sheet}")
        if self.cell is not None:
            where.append(f"单元格 {self.cell}" + (f"（{self.column}）" if self.column is not None else ""))
        else:
            if self.row is not None:
                where.append(f"第 {self.row} 行")
            if self.column is not None:
                where.append(f"列 '{self.column}'")
        body = self.message_zh or self.message
        out = f"{'，'.join(where)}：{body}" if where else body
        return out.replace("\r", "\\r").replace("\n", "\\n")

    def _render_traceback_(self) -> list[str]:
        """IPython/JupyterLab show a DataError as its one line, not a traceback into the library."""
        return [f"DataError: {self}"]

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.sheet is not None:
            where.append(f"sheet {self.sheet}")
        if self.cell is not None:
            where.append(f"cell {self.cell}" + (f" ({self.column})" if self.column is not None else ""))
            return f"{', '.join(where)}: {self.message}".replace("\r", "\\r").replace("\n", "\\n")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where)
        out = f"{text}: {self.message}" if text else self.message
        return out.replace("\r", "\\r").replace("\n", "\\n")  # always one line


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


class ReportError(RuntimeError):
    """A report run that failed after its input was validated (a notebook cell, an export)."""
