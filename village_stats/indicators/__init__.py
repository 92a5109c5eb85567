"""The indicator catalogue: every indicator's id, unit, labels, how it combines over villages, and the
function that computes it.

Columns of the sheet: ``village_id, period, indicator, value, unit, numerator, denominator, label_zh,
label_en``. The units and the kinds of combination are declared in :mod:`village_stats.units`. A new
indicator is one :func:`~village_stats.indicators.catalogue.indicator` entry in the section module it
belongs to plus the measure function it calls (and its test). The sections are imported here in catalogue
order, which is the order of the sheet's rows:

- :mod:`.aggregates` — population, work log, crops, investment (``population.csv`` and the other tables);
- :mod:`.households` — the household register (建档立卡);
- :mod:`.stated` — the figures the alerts state;
- :mod:`.monitoring` — monitoring and the exit evaluation (after 2020);
- :mod:`.regular_help` — 常态化帮扶 (from 2026): objects, identification time, help, 务工, income, layers.
- :mod:`.checks` — data-quality findings of the rule catalogue (:mod:`village_stats.checks`).

:func:`village_stats.evaluate.evaluate` is the one caller of the indicator functions.
"""

# isort: off
from . import aggregates  # noqa: F401  (each section registers its entries: the order is the sheet's)
from . import households  # noqa: F401
from . import stated  # noqa: F401
from . import monitoring  # noqa: F401
from . import regular_help  # noqa: F401
from . import checks  # noqa: F401
# isort: on
from .catalogue import CATALOGUE, GROUPS, SHEET_COLUMNS, Context, Indicator, Value, cached, indicator
from .monitoring import (
    evaluation_table,
    has_monitoring,
    monitoring_rule,
    monitoring_threshold,
    previous_households,
    risk_elimination_result,
    screening_result,
)
from .sheet import METHOD_SECTIONS, IndicatorSheet, catalogue_markdown, label, sheet_of, values

__all__ = ["CATALOGUE", "GROUPS", "SHEET_COLUMNS", "Context", "Indicator", "Value", "cached", "indicator",
           "evaluation_table", "has_monitoring", "monitoring_rule", "monitoring_threshold", "previous_households",
           "risk_elimination_result", "screening_result", "METHOD_SECTIONS", "IndicatorSheet", "catalogue_markdown",
           "label", "sheet_of", "values"]
