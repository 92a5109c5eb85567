"""The executed notebook itself, and the indicator sheet it recorded, as output files."""

from __future__ import annotations

from pathlib import Path

from . import ExecutedReport

#: Tags of cells that stay in the executed notebook but not in the HTML/PDF.
HIDE_TAG = "report-hide"
#: papermill's banner cells around a failed cell.
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


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


def report_cells(nb):
    """A copy of the executed notebook for export: hidden and papermill error cells removed, stable ids."""
    import copy

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells
                if HIDE_TAG not in c.get("metadata", {}).get("tags", [])
                and PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    for i, cell in enumerate(nb.cells):  # stable ids: the HTML must not change between runs
        cell["id"] = f"cell-{i:02d}"
    return nb
