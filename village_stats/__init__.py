"""village_stats: turn a village poverty-alleviation team's records into reproducible reports.

Typical use::

    from village_stats import load_period, indicator_sheet
    data = load_period("suoluoyu", "2017H1")
    sheet = indicator_sheet(data)

Everything else is imported from its module (``village_stats.periods.parse_period``, ...).
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from .errors import DataError
from .indicators import indicator_sheet
from .load import load_period

__all__ = ["DataError", "load_period", "indicator_sheet"]

try:  # the installed distribution's version
    __version__ = _version("village-stats")
except PackageNotFoundError:  # running from a bare checkout that was never installed
    __version__ = "0+unknown"
