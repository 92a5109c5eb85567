"""The executed notebook itself, and the indicator sheet it recorded, as output files."""

from __future__ import annotations

from pathlib import Path

from . import ExecutedReport


def write(report: ExecutedReport, target: Path) -> None:
    """The executed notebook as papermill wrote it (parameters readable in the injected cell)."""
    import nbformat

    nbformat.write(report.notebook, str(target))


def write_sheet_csv(report: ExecutedReport, target: Path) -> None:
    """``indicators.csv``: the sheet the notebook recorded, so CSV and report come from one computation.

    UTF-8 with a BOM, formula-like text written as text (:func:`village_stats.export.csv.write_csv`).
    """
    from .csv import write_csv

    write_csv(report.sheet, target)

