"""Running reports: a request through its stages, the kernels, and batches of many village-periods.

- :mod:`.kinds`: the report kinds (notebook + the check of a request before any kernel starts);
- :mod:`.stages`: one run as stages (validate · execute · export · manifest · publish);
- :mod:`.kernels`: kernels started ahead, the pool a process keeps;
- :mod:`.batch`: many village-periods, one task each on a Dask cluster (:mod:`.cluster`);
- :mod:`.changes`: whether a published report is still up to date (``--changed-only``).

Notebooks never import this package.
"""

from .batch import BatchInterrupted, BatchItem, batch_summary, run_batch
from .kinds import REPORTS, Prepared, ReportKind
from .stages import RunResult, run, run_report

__all__ = ["BatchInterrupted", "BatchItem", "batch_summary", "run_batch", "REPORTS", "Prepared", "ReportKind", "RunResult", "run",
           "run_report"]
