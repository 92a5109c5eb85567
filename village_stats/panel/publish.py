"""The one suppression rule applied to what a village's commands print: ``trend`` and ``diff`` with
``--suppress-below N`` hide exactly what the county roll-up at N hides for that village, and nothing they
print can undo it.

* **trend**: each period's row of an indicator is hidden when the protected roll-up of that period (all
  villages of the data root, all three levels: :func:`village_stats.panel.rollup.rollup_levels`) hides it
  for the village; a change, the previous value and the relative change are hidden when either period's
  value is (a difference of a shown and a hidden value would give the hidden one).
* **diff** (the stock-flow of the poor between two periods): the stock at the start and at the end are the
  registered poor households and persons of the two periods (:data:`STOCKS`), hidden as the roll-ups hide
  them; every flow that is a head count from 1 to N − 1 is primary; then complementary suppression over the
  two accounting identities (end = start + inflows − outflows [+ size change]) hides further flows until
  neither a small flow nor a stock the roll-up hides can be solved for, nor pinned to fewer than N
  (:func:`village_stats.panel.secondary.complete`, the same audit as the roll-up's). The household-level
  diff lists households and is never published with a threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..load import Source
from ..periods import Period
from .county import load_county
from .rollup import rollup_levels
from .secondary import Table, complete
from .stockflow import STOCK_FLOW_IDS

#: The stock-flow's stocks and the roll-up indicators they equal.
STOCKS = {"poor_households_start": "register_poor_households", "poor_households_end": "register_poor_households",
          "poor_population_start": "register_poor_population", "poor_population_end": "register_poor_population"}
#: The two accounting identities of the stock-flow: id → sign (end − start − inflows + outflows [− size change] = 0).
_IN = ("new", "returned", "inconsistent_in")
_OUT = ("exited", "removed", "inconsistent_out")
IDENTITIES = tuple(
    {f"{u}_end": 1.0, f"{u}_start": -1.0, **{f"{u}_{k}": -1.0 for k in _IN}, **{f"{u}_{k}": 1.0 for k in _OUT},
     **({f"{u}_size_change": -1.0} if u == "poor_population" else {})}
    for u in ("poor_households", "poor_population"))


def hidden_for_village(source: Source, village: str, period: Period | str, below: int) -> set[str]:
    """The indicators the protected county roll-up of ``period`` hides for ``village`` (all villages of the
    data root, all three levels protected together)."""
    levels = rollup_levels(load_county(source, period), suppress_below=below)
    mine = levels[(levels["group_level"] == "village") & (levels["group_id"] == village)]
    return set(mine.loc[mine["suppressed"], "indicator"])


def protect_long_sheet(long: pd.DataFrame, hidden: dict[str, set[str]]) -> pd.DataFrame:
    """The trend's long sheet with what the roll-ups hide (``hidden``: period code → indicators) emptied and
    flagged in a ``suppressed`` column; changes that involve a hidden value are emptied too.

    Examples
    --------
    >>> long = pd.DataFrame({"period": ["2018H1", "2018H2"], "indicator": "poor_households", "value": [3.0, 12.0],
    ...                      "numerator": float("nan"), "denominator": float("nan"), "previous_period": [None, "2018H1"],
    ...                      "previous_value": [float("nan"), 3.0], "change": [float("nan"), 9.0],
    ...                      "change_rel": [float("nan"), 3.0]})
    >>> out = protect_long_sheet(long, {"2018H1": {"poor_households"}, "2018H2": set()})
    >>> out["suppressed"].tolist(), out["value"].tolist()[1], out["change"].isna().all()
    ([True, False], 12.0, np.True_)
    """
    out = long.copy()
    own = np.array([i in hidden.get(p, set()) for p, i in zip(out["period"], out["indicator"], strict=True)])
    before = np.array([pd.notna(q) and i in hidden.get(q, set())
                       for q, i in zip(out["previous_period"], out["indicator"], strict=True)])
    out["suppressed"] = own
    out.loc[own, ["value", "numerator", "denominator"]] = np.nan
    out.loc[own | before, ["previous_value", "change", "change_rel"]] = np.nan
    return out


def protect_stock_flow(sheet: pd.DataFrame, below: int, hidden_before: set[str], hidden_after: set[str]) -> pd.DataFrame:
    """The stock-flow sheet (:func:`village_stats.panel.stockflow.stock_flow_sheet`) with ``suppressed`` set
    and hidden values emptied (the module's rule). ``hidden_before``/``hidden_after``: what the protected
    roll-ups of the two periods hide for the village.

    Examples
    --------
    Start 40, 3 new, 1 returned, 10 exited, end 34 (N = 5): 3 and 1 are primary; 3 + 1 = 4 < 5 even when
    both are hidden, so a third flow (the exits) goes too.

    >>> ids = ["poor_households_start", "poor_households_new", "poor_households_returned",
    ...        "poor_households_inconsistent_in", "poor_households_exited", "poor_households_removed",
    ...        "poor_households_inconsistent_out", "poor_households_end"]
    >>> s = pd.DataFrame({"indicator": ids, "value": [40.0, 3, 1, 0, 10, 0, 0, 34]})
    >>> protect_stock_flow(s, 5, set(), set())["suppressed"].tolist()
    [False, True, True, False, True, False, False, False]
    """
    out = sheet.copy().reset_index(drop=True)
    ids = list(out["indicator"])
    value = out["value"].to_numpy(dtype=float)
    known = np.isfinite(value)
    cell_of = {i: k for k, i in enumerate(ids) if known[k]}
    forced = np.array([(i.endswith("_start") and STOCKS.get(i) in hidden_before)
                       or (i.endswith("_end") and STOCKS.get(i) in hidden_after) for i in ids], dtype=bool)
    signed = np.array([i.endswith("size_change") for i in ids], dtype=bool)
    small = known & ~signed & (value > 0) & (value < below)
    cells = [k for k in range(len(ids)) if known[k]]
    where = {k: j for j, k in enumerate(cells)}
    found = []
    for identity in IDENTITIES:
        if all(i in cell_of for i in identity):
            idx = np.array([where[cell_of[i]] for i in identity])
            coef = np.array(list(identity.values()))
            if abs(coef @ value[[cell_of[i] for i in identity]]) < 1e-6:
                found.append((idx, coef))
    table = Table(value[cells], [np.array([k]) for k in cells],
                  np.where(signed[cells], -np.inf, 0.0), found,
                  np.array([1.0 if i in STOCKS else 0.0 for i in ids]))   # flows before stocks
    protected = (small | forced)[cells]
    hidden = complete(table, small | forced, protected, float(below))
    out["suppressed"] = hidden
    out.loc[hidden, ["value", "numerator", "denominator"]] = np.nan
    return out


__all__ = ["IDENTITIES", "STOCKS", "STOCK_FLOW_IDS", "hidden_for_village", "protect_long_sheet", "protect_stock_flow"]
