"""The work team's activity log: contacts, visits, meetings."""

from __future__ import annotations

import pandas as pd

from ..schema import MEETING_ACTIVITIES
from .arith import known_sum, ratio


def activity_total(work_log: pd.DataFrame, activities) -> float:
    """Total ``count`` of the rows whose ``activity`` is one of ``activities``.

    Parameters
    ----------
    work_log : DataFrame
        Columns ``activity`` and ``count``.
    activities : str or sequence of str
        Canonical activity ids.

    Returns
    -------
    float
        Σ count over matching rows (known counts); NaN when no matching row has a count.

    Examples
    --------
    >>> log = pd.DataFrame({"activity": ["committee_meeting", "veterans_forum", "household_visit"],
    ...                     "count": [9, 1, 80]})
    >>> activity_total(log, "household_visit"), meetings_total(log)
    (80.0, 10.0)
    """
    if isinstance(activities, str):
        activities = (activities,)
    return known_sum(work_log.loc[work_log["activity"].isin(list(activities)), "count"])


def meetings_total(work_log: pd.DataFrame) -> float:
    """Meetings and forums held: Σ count over the meeting activities. [meetings]

    The meeting activities are :data:`village_stats.schema.MEETING_ACTIVITIES`.
    """
    return activity_total(work_log, MEETING_ACTIVITIES)


def meetings_by_activity(work_log: pd.DataFrame) -> pd.Series:
    """Meetings per meeting activity (only those present), in vocabulary order. [meetings]"""
    present = [a for a in MEETING_ACTIVITIES if (work_log["activity"] == a).any()]
    return pd.Series({a: activity_total(work_log, a) for a in present}, dtype=float)


def contact_rate(contacted_households, poor_households):
    """Share of poor households the team contacted, contacted / poor. [ratio]

    Examples
    --------
    >>> round(contact_rate(53, 86), 5)
    0.61628
    """
    return ratio(contacted_households, poor_households)


def resident_poor_households(poor_households, absent_poor_households):
    """Poor households living in the village, poor − absent. [households]

    Unknown when either part is unknown.

    Examples
    --------
    >>> float(resident_poor_households(86, 33))
    53.0
    """
    return float(poor_households) - float(absent_poor_households)


def resident_contact_rate(contacted_households, poor_households, absent_poor_households):
    """Share of the poor households living in the village that were contacted.

    contacted / (poor − absent). [ratio]

    Examples
    --------
    >>> float(resident_contact_rate(53, 86, 33))
    1.0
    """
    return ratio(contacted_households, resident_poor_households(poor_households, absent_poor_households))


def uncontacted_resident_poor_households(poor_households, absent_poor_households, contacted_poor_households):
    """Resident poor households the team did not contact: (poor − absent) − contacted. [households]

    An unknown absent count counts as 0 absent; the result is never below 0 (contacts of absent
    households do not make up for resident ones missed); NaN when poor or contacted is unknown.

    >>> uncontacted_resident_poor_households(86, 33, 53), uncontacted_resident_poor_households(86, float("nan"), 50)
    (0.0, 36.0)
    """
    import math

    absent = 0.0 if math.isnan(absent_poor_households) else float(absent_poor_households)
    if math.isnan(poor_households) or math.isnan(contacted_poor_households):
        return float("nan")
    return max(0.0, float(poor_households) - absent - float(contacted_poor_households))
