"""village_stats: turn a village poverty-alleviation team's records into reproducible reports.

Typical use::

    from village_stats import load_period, indicator_sheet
    data = load_period("suoluoyu", "2017H1")
    sheet = indicator_sheet(data)
"""

from .errors import DataError, ReportError
from .indicators import CATALOGUE, indicator_sheet, values
from .load import PeriodData, Village, list_periods, list_villages, load_period, validate
from .periods import Period, parse_period
from .units import format_value

__all__ = [
    "DataError", "ReportError", "Period", "parse_period", "PeriodData", "Village", "load_period",
    "list_periods", "list_villages", "validate", "CATALOGUE", "indicator_sheet", "values", "format_value",
]

try:  # the installed distribution's version
    from importlib.metadata import version as _version

    __version__ = _version("village-stats")
except Exception:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"
