"""The indicator sheet: one tidy table of every indicator of a village-period, and the output codebook."""

from __future__ import annotations

import math

import pandas as pd

from .. import units
from ..labels import column, message_lang, pick, t
from .catalogue import CATALOGUE, GROUPS, SHEET_COLUMNS, Context

# --------------------------------------------------------------------------- the sheet


class IndicatorSheet(pd.DataFrame):
    """The tidy indicator sheet: a DataFrame (every pandas operation works as usual) that JupyterLab shows
    as a labelled table — the label in the report language, the value formatted with its unit, the id.

    The language is that of ``VILLAGE_STATS_LANG`` (``zh`` by default); ``sheet.labelled("en")`` gives the
    same view as a DataFrame.
    """

    @property
    def _constructor(self):
        return IndicatorSheet

    def labelled(self, lang: str = "zh") -> pd.DataFrame:
        """Label, formatted value and id of each row, for people."""
        return pd.DataFrame({t("indicator", lang): self[column("label", lang)].to_numpy(),
                             t("value", lang): [units.format_value(v, u, lang)
                                                for v, u in zip(self["value"], self["unit"])],
                             t("id_col", lang): self["indicator"].to_numpy()})

    def _repr_html_(self) -> str | None:

        if not {"indicator", "value", "unit", "label_zh", "label_en"} <= set(self.columns):
            return super()._repr_html_()
        lang = message_lang()
        view = self.labelled(lang)
        styles = [{"selector": "th", "props": "text-align: left"},
                  {"selector": "td", "props": "text-align: left"},
                  {"selector": "td.col1", "props": "text-align: right; white-space: nowrap"}]
        return view.style.hide(axis="index").set_table_styles(styles).to_html()


def sheet_of(ctx: Context) -> IndicatorSheet:
    """Every indicator whose table is present, computed in ``ctx`` (catalogue order).

    Called by :func:`village_stats.evaluate.evaluate` only; use that (or
    :func:`village_stats.evaluate.indicator_sheet`).
    """
    data = ctx.data
    applies = {group: present(data) for group, present in GROUPS.items()}  # each group's test once
    rows = []
    for ind in CATALOGUE.values():
        if not (applies[ind.table] if ind.table in applies else data.has(ind.table)):
            continue
        v = ctx.get(ind.id)
        rows.append((data.village.id, data.period.code, ind.id, _clean(v.value), ind.unit,
                     _clean(v.numerator), _clean(v.denominator), ind.label_zh, ind.label_en))
    sheet = IndicatorSheet(rows, columns=list(SHEET_COLUMNS))
    for c in ("value", "numerator", "denominator"):
        sheet[c] = sheet[c].astype(float)
    return sheet


def _clean(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else float("nan")


#: The section of docs/methods.md that defines each table's indicators.
METHOD_SECTIONS = {"population": "Village aggregates", "work_log": "Work log", "crops": "Crop restructuring",
                   "projects": "Investment", "households": "Household register",
                   "monitoring": "policy.md: Monitoring and 风险消除", "evaluation_sample": "policy.md: Monitoring and 风险消除 (exit evaluation)",
                   "regular_help": "policy.md: Regular help from 2026"}


def catalogue_markdown() -> str:
    """The output codebook of ``indicators.csv``: every indicator with its unit, labels, definition, how it
    combines over villages (:mod:`village_stats.units`) and the section of ``docs/methods.md`` that gives its
    source (the generated part of ``docs/indicators.md``)."""
    lines = ["| indicator | unit | 中文 | English | definition | over villages | method |",
             "|---|---|---|---|---|---|---|"]
    for ind in CATALOGUE.values():
        zh_unit = units.UNITS[ind.unit].zh
        unit = f"{ind.unit} ({zh_unit})" if zh_unit else ind.unit
        definition = " ".join(ind.description.split()).replace("|", "\\|")
        lines.append(f"| `{ind.id}` | {unit} | {ind.label_zh} | {ind.label_en} | {definition} "
                     f"| {ind.combine.describe()} | {METHOD_SECTIONS.get(ind.table, ind.table)} |")
    return "\n".join(lines) + "\n"


def values(sheet: pd.DataFrame) -> dict[str, float]:
    """The sheet as ``{indicator: value}``."""
    return dict(zip(sheet["indicator"], sheet["value"]))


def label(indicator_id: str, lang: str = "zh") -> str:
    """The indicator's label in ``lang``."""
    ind = CATALOGUE[indicator_id]
    return pick((ind.label_zh, ind.label_en), lang)
