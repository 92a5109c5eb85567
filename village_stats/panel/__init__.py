"""Periods as a panel: changes over periods, the stock-flow of the poor, household diffs, roll-ups."""
