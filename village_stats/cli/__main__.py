"""``python -m village_stats.cli``: the same as the ``village-stats`` console script."""

from . import entry_point

entry_point()
