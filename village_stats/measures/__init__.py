"""Pure measures: DataFrames and Series in, values out; no I/O (formulas in docs/methods.md)."""
