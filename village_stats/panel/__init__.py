"""Comparisons over periods and villages: long sheets, changes, roll-ups."""
