"""The checks of a data root: every village with data for a period, the rules across villages included,
each village with the rule settings of its scope (the rows of ``policy/check_rules.csv`` the loader applied,
:func:`village_stats.checks.settings.settings_of`)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import DataError
from ..labels import pick
from ..load import Source, list_villages
from ..periods import Period
from . import wording
from .engine import Findings, run_villages


def check_root(source: Source, period: Period, *, rules: Iterable[str] | None = None) -> Findings:
    """Every rule on every village of ``source`` with data for ``period`` (and the previous period of the
    same kind, for a household moving village).

    Raises
    ------
    DataError
        When no village has the period, or a village's data is bad (the message names file, row, column).
    """
    villages = list_villages(source.data_dir)
    datas = [source.period(v, period, with_previous=False) for v in villages if period in source.periods(v)]
    if not datas:
        raise DataError(pick(wording.TEXT["msg_no_period"], "en").format(period=period.code),
                        message_zh=pick(wording.TEXT["msg_no_period"], "zh").format(period=period.code),
                        path=source.data_dir)
    before = period.previous()
    previous = [source.period(v, before, with_previous=False) for v in villages if before in source.periods(v)]
    return run_villages(datas, previous, rules=rules)
