"""village_stats: turn a village poverty-alleviation team's records into reproducible reports.

Typical use::

    from village_stats import Source, evaluate
    results = evaluate(Source("data").period("suoluoyu", "2017H1"))
    results.sheet                      # the indicator sheet; results.audit, results.screening, ...

Everything else is imported from its module (``village_stats.periods.parse_period``, ...).
"""

import sys as _sys
import threading as _threading
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from .threads import quiet as _quiet

if "numpy" not in _sys.modules and _threading.current_thread() is _threading.main_thread():
    # numpy starts its BLAS threads when imported; started with SIGINT and SIGTERM blocked, they never take
    # the process's Ctrl-C (run-all ignores SIGINT for a moment while its workers start, blocking it in its
    # own threads: a signal a BLAS thread took then was lost; measured, tests/test_batch_stop.py)
    with _quiet():
        import numpy as _numpy  # noqa: F401

from .errors import DataError  # noqa: E402 - after numpy's threads have started (above)
from .evaluate import Results, evaluate, indicator_sheet
from .load import Source, load_period
from .request import Request

__all__ = ["DataError", "Request", "Source", "evaluate", "Results", "load_period", "indicator_sheet"]

try:  # the installed distribution's version
    __version__ = _version("village-stats")
except PackageNotFoundError:  # running from a bare checkout that was never installed
    __version__ = "0+unknown"
