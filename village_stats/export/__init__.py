"""Output formats of a report run: one module per format, listed once in :data:`FORMATS`.

A writer takes the :class:`ExecutedReport` of a run and the path of the one file it writes. Writers are
imported only when their format is asked for (the PDF engine need not load for an HTML-only run).
A new format is one module here plus one :class:`Format` entry below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ..labels import DEFAULT_LANG


@dataclass
class ExecutedReport:
    """What the exporters see: the executed notebook and what it recorded.

    Attributes
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook (papermill's output).
    lang : str
        Report language, ``zh`` or ``en``.
    title : str
        Document title, e.g. ``梭罗峪村 · 2017年上半年``; also the running header of the PDF and the workbook.
    meta : dict
        Facts for document metadata (``author``: the supporting unit, ``village_id``, ``period`` ...).

    Every exporter reads the notebook only (its blocks and recorded sheet): none needs the run's input.
    """

    notebook: Any
    lang: str
    title: str
    meta: dict = field(default_factory=dict)

    @cached_property
    def sheet(self) -> pd.DataFrame:
        """The indicator sheet the notebook recorded: the one computation of the run's figures."""
        from ..display.views import recorded_sheet

        return recorded_sheet(self.notebook)


@dataclass(frozen=True)
class Format:
    """One output format: its id (as ``--formats`` names it), file name per language, and writer."""

    name: str
    stem: str
    suffix: str
    writer: str                      # "module:function", imported on first use
    per_language: bool = True        # False: the same file serves both languages (the indicator sheet)

    def filename(self, lang: str) -> str:
        """``report.pdf`` for Chinese, ``report.en.pdf`` for English (so the two never overwrite each other)."""
        if self.per_language and lang != DEFAULT_LANG:
            return f"{self.stem}.{lang}{self.suffix}"
        return f"{self.stem}{self.suffix}"

    def write(self, report: ExecutedReport, target: Path) -> None:
        module, _, name = self.writer.partition(":")
        fn: Callable[[ExecutedReport, Path], None] = getattr(importlib.import_module(module), name)
        fn(report, target)


#: Every output format, in the order a run writes them. ``ipynb`` is papermill's own output.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("ipynb", "report", ".ipynb", "village_stats.export.notebook:write"),
    Format("html", "report", ".html", "village_stats.export.html:write"),
    Format("pdf", "report", ".pdf", "village_stats.export.pdf:write"),
    Format("csv", "indicators", ".csv", "village_stats.export.notebook:write_sheet_csv", per_language=False),
    Format("xlsx", "indicators", ".xlsx", "village_stats.export.xlsx:write"),
)}
#: What ``village-stats run`` writes when ``--formats`` is not given.
DEFAULT_FORMATS = ("ipynb", "html", "pdf", "csv", "xlsx")


def check_formats(formats) -> tuple[str, ...]:
    """The formats asked for, in registry order; raises ValueError naming an unknown one."""
    asked = tuple(dict.fromkeys(f.strip() for f in formats if f.strip()))
    unknown = [f for f in asked if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}: expected some of {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in asked)
