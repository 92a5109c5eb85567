"""village_stats: turn a village poverty-alleviation team's records into reproducible reports.

Typical use::

    from village_stats import Source, evaluate
    results = evaluate(Source("data").period("suoluoyu", "2017H1"))
    results.sheet                      # the indicator sheet; results.audit, results.screening, ...

Everything else is imported from its module (``village_stats.periods.parse_period``, ...).
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from .errors import DataError
from .evaluate import Results, evaluate, indicator_sheet
from .load import Source, load_period
from .request import Request

__all__ = ["DataError", "Request", "Source", "evaluate", "Results", "load_period", "indicator_sheet"]

try:  # the installed distribution's version
    __version__ = _version("village-stats")
except PackageNotFoundError:  # running from a bare checkout that was never installed
    __version__ = "0+unknown"
