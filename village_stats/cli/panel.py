"""Commands over several periods: trend (the long sheet with changes), diff (stock-flow, household diff)."""

from __future__ import annotations

import click

from .. import config
from .common import data_dir_option, emit, errors_to_exit_codes, lang_option, main

_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
                       show_default=True, help="xlsx needs --output FILE.")
_OUTPUT = click.option("--output", default=None,
                       help="The workbook to write (with --format xlsx).")


_SUPPRESS = click.option("--suppress-below", type=click.IntRange(min=1), default=None,
                         help="For publishing: hide what the county roll-up at this threshold hides for the village, "
                              "and whatever would let it be worked out.")


def _check_output(fmt: str, output: str | None, data_dir: str | None = None, lang: str = "zh") -> None:
    from ..labels import say

    if (fmt == "xlsx") != (output is not None):
        raise click.UsageError(say("cli_output_goes_with_xlsx", lang))
    if output is not None:  # before anything is read: a folder that exists, never inside the data
        from ..places import check_output_file

        check_output_file(output, [config.resolve_data_dir(data_dir)])


def change_text(change: float, change_unit: str, period: str, previous_period, lang: str = "zh") -> str:
    """A change for people, naming the period it is compared with when that is not the period just before
    (较2018年下半年 +3 户: across a gap, 比上期 would mislead).

    >>> change_text(2.0, "households", "2021H1", "2018H2"), change_text(2.0, "households", "2018H2", "2018H1")
    ('较2018年下半年 +2 户', '+2 户')
    """
    from ..labels import say
    from ..panel.trend import format_change
    from ..periods import parse_period

    text = format_change(change, change_unit, lang)
    if not isinstance(previous_period, str) or not previous_period or text == "—":
        return text
    if parse_period(period).previous().code == previous_period:
        return text
    return say("cli_since_period", lang, period=parse_period(previous_period).label(lang)) + " " + text


@main.command()
@click.option("--village", required=True, help="Village id (its folder name under the data folder).")
@click.option("--from", "from_period", default=None, help="First period (code, 'latest' or 'previous'); default: the first with data.")
@click.option("--to", "to_period", default=None, help="Last period (code, 'latest' or 'previous'); default: the last with data.")
@data_dir_option
@_FORMAT
@_OUTPUT
@lang_option
@_SUPPRESS
@errors_to_exit_codes
def trend(village: str, from_period: str | None, to_period: str | None, data_dir: str | None, fmt: str,
          output: str | None, lang: str, suppress_below: int | None) -> None:
    """Print the long sheet: every period's indicators with the change since the previous period."""
    from ..evaluate import evaluate
    from ..labels import column, t
    from ..load import Source
    from ..panel.trend import load_panel, long_sheet
    from ..units import format_value

    _check_output(fmt, output, data_dir, lang)
    source = Source(config.resolve_data_dir(data_dir))
    panel = load_panel(source, village, from_period, to_period)
    long = long_sheet([evaluate(d).sheet for d in panel])
    if suppress_below:
        from ..panel.publish import hidden_for_village, protect_long_sheet

        long = protect_long_sheet(long, {d.period.code: hidden_for_village(source, village, d.period, suppress_below)
                                         for d in panel})
    label_col = column("label", lang)

    def lines():
        width = max(len(s) for s in long["indicator"])
        for row in long.itertuples(index=False):
            shown = t("suppressed", lang) if getattr(row, "suppressed", False) else format_value(row.value, row.unit, lang)
            yield (f"{row.period:<8} {row.indicator:<{width}}  {shown:>20}  "
                   f"{change_text(row.change, row.change_unit, row.period, row.previous_period, lang):>24}  "
                   f"{getattr(row, label_col)}")

    tables = {t("sheet_period_indicators", lang): long,
              t("sheet_changes", lang): long[["period", "indicator", "previous_period", "previous_value",
                                              "change", "change_unit", "change_rel"]]}
    header = f"{panel[-1].village.name(lang)} · " \
             f"{t('span', lang, first=panel[0].period.label(lang), last=panel[-1].period.label(lang))}"
    emit(long, fmt, lines, output=output, tables=tables, header=header, lang=lang)


@main.command()
@click.option("--village", required=True, help="Village id (its folder name under the data folder).")
@click.option("--from", "from_period", required=True, help="Earlier period (code, 'latest' or 'previous').")
@click.option("--to", "to_period", required=True, help="Later period (code, 'latest' or 'previous').")
@data_dir_option
@_FORMAT
@_OUTPUT
@click.option("--households", is_flag=True, help="The household-level diff (by household id) instead of the stock-flow.")
@lang_option
@_SUPPRESS
@errors_to_exit_codes
def diff(village: str, from_period: str, to_period: str, data_dir: str | None, fmt: str, output: str | None,
         households: bool, lang: str, suppress_below: int | None) -> None:
    """Print the stock-flow of the poor between two periods, or with --households each household's changes."""
    from ..errors import DataError
    from ..labels import column, say, t
    from ..load import Source
    from ..panel.stockflow import household_diff_sheet, stock_flow_sheet
    from ..units import format_value

    _check_output(fmt, output, data_dir, lang)
    if households and suppress_below:
        raise DataError(t("suppress_households_diff", lang))
    source = Source(config.resolve_data_dir(data_dir))
    p0, p1 = source.resolve(from_period, village), source.resolve(to_period, village)
    if p0.start >= p1.start:
        fields = {"before": p0.code, "after": p1.code}
        raise DataError(say("cli_from_before_to", "en", **fields), message_zh=say("cli_from_before_to", "zh", **fields))
    before, after = source.period(village, p0), source.period(village, p1)
    if households:
        frame = household_diff_sheet(before, after)
        shown = household_changes_shown(frame, lang)

        def lines():
            for row in shown.itertuples(index=False):
                yield f"{row[0]}  {row[1]:<24} {row[2]:>10} → {row[3]}"
    else:
        frame = stock_flow_sheet(before, after)
        if suppress_below:
            from ..panel.publish import hidden_for_village, protect_stock_flow

            frame = protect_stock_flow(frame, suppress_below, hidden_for_village(source, village, p0, suppress_below),
                                       hidden_for_village(source, village, p1, suppress_below))
        label_col = column("label", lang)

        def lines():
            width = max(len(s) for s in frame["indicator"])
            for row in frame.itertuples(index=False):
                shown = t("suppressed", lang) if getattr(row, "suppressed", False) \
                    else format_value(row.value, row.unit, lang)
                yield f"{row.indicator:<{width}}  {shown:>12}  {getattr(row, label_col)}"

    name = t("sheet_household_changes" if households else "sheet_stock_flow", lang)
    header = f"{after.village.name(lang)} · {p0.label(lang)} → {p1.label(lang)}"
    emit(frame, fmt, lines, output=output, tables={name: shown if households else frame}, header=header, lang=lang)


def household_changes_shown(frame, lang: str = "zh"):
    """The household-level diff for people (the table and the workbook): each change and its values in words
    of ``lang`` (状态 贫困 → 已脱贫; 住房安全：恢复保障 无保障 → 有保障), the household id kept. CSV and JSON keep
    the ids (``status``, ``poor``) for programs."""
    import pandas as pd

    from ..labels import MPI_LABELS, pick, say
    from ..schema import GUARANTEES, HOUSEHOLD_CATEGORIES, HOUSEHOLD_STATUSES

    def change_name(c: str) -> str:
        for g in GUARANTEES:
            for end in ("gained", "lost"):
                if c == f"{g}_{end}":
                    return say(f"hh_{end}", lang, guarantee=pick(MPI_LABELS[g], lang))
        return say(f"hh_{c}", lang)

    def value(c: str, v) -> str:
        if not isinstance(v, str) or v == "":
            return "" if v is None or (isinstance(v, float) and v != v) else str(v)
        if c in ("status", "entered", "left") and v in HOUSEHOLD_STATUSES.ids:
            return HOUSEHOLD_STATUSES.label(v, lang)
        if c == "category" and v in HOUSEHOLD_CATEGORIES.ids:
            return HOUSEHOLD_CATEGORIES.label(v, lang)
        if v in ("true", "false"):
            return say(f"hh_{v}", lang)
        return v

    cols = [say(k, lang) for k in ("hh_col_household", "hh_col_change", "hh_col_before", "hh_col_after")]
    return pd.DataFrame({cols[0]: frame["household_id"].astype(str),
                         cols[1]: [change_name(c) for c in frame["change"]],
                         cols[2]: [value(c, v) for c, v in zip(frame["change"], frame["value_before"])],
                         cols[3]: [value(c, v) for c, v in zip(frame["change"], frame["value_after"])]})
