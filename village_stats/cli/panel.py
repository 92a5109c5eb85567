"""Commands over several periods: trend (the long sheet with changes), diff (stock-flow, household diff)."""

from __future__ import annotations

import click

from .. import config
from .common import data_dir_option, emit, errors_to_exit_codes, lang_option, main

_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
                       show_default=True, help="xlsx needs --output FILE.")
_OUTPUT = click.option("--output", type=click.Path(dir_okay=False), default=None,
                       help="The workbook to write (with --format xlsx).")


def _check_output(fmt: str, output: str | None) -> None:
    if (fmt == "xlsx") != (output is not None):
        raise click.UsageError("--output FILE goes with --format xlsx (and is needed there)")


@main.command()
@click.option("--village", required=True, help="Village id (its folder name under the data folder).")
@click.option("--from", "from_period", default=None, help="First period (code, 'latest' or 'previous'); default: the first with data.")
@click.option("--to", "to_period", default=None, help="Last period (code, 'latest' or 'previous'); default: the last with data.")
@data_dir_option
@_FORMAT
@_OUTPUT
@lang_option
@errors_to_exit_codes
def trend(village: str, from_period: str | None, to_period: str | None, data_dir: str | None, fmt: str,
          output: str | None, lang: str) -> None:
    """Print the long sheet: every period's indicators with the change since the previous period."""
    from ..evaluate import evaluate_in
    from ..labels import column, t
    from ..load import Source
    from ..panel.trend import format_change, load_panel, long_sheet
    from ..units import format_value

    _check_output(fmt, output)
    source = Source(config.resolve_data_dir(data_dir))
    panel = load_panel(source, village, from_period, to_period)
    long = long_sheet([evaluate_in(source, d).sheet for d in panel])
    label_col = column("label", lang)

    def lines():
        width = max(len(s) for s in long["indicator"])
        for row in long.itertuples(index=False):
            yield (f"{row.period:<8} {row.indicator:<{width}}  {format_value(row.value, row.unit, lang):>20}  "
                   f"{format_change(row.change, row.change_unit, lang):>20}  {getattr(row, label_col)}")

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
@errors_to_exit_codes
def diff(village: str, from_period: str, to_period: str, data_dir: str | None, fmt: str, output: str | None,
         households: bool, lang: str) -> None:
    """Print the stock-flow of the poor between two periods, or with --households each household's changes."""
    from ..errors import DataError
    from ..labels import column, t
    from ..load import Source
    from ..panel.stockflow import household_diff_sheet, stock_flow_sheet
    from ..units import format_value

    _check_output(fmt, output)
    source = Source(config.resolve_data_dir(data_dir))
    p0, p1 = source.resolve(from_period, village), source.resolve(to_period, village)
    if p0.start >= p1.start:
        raise DataError(f"--from {p0.code} must come before --to {p1.code}")
    before, after = source.period(village, p0), source.period(village, p1)
    if households:
        frame = household_diff_sheet(before, after)

        def lines():
            for row in frame.itertuples(index=False):
                yield f"{row.household_id}  {row.change:<28} {row.value_before:>10} → {row.value_after}"
    else:
        frame = stock_flow_sheet(before, after)
        label_col = column("label", lang)

        def lines():
            width = max(len(s) for s in frame["indicator"])
            for row in frame.itertuples(index=False):
                yield f"{row.indicator:<{width}}  {format_value(row.value, row.unit, lang):>12}  {getattr(row, label_col)}"

    name = t("sheet_household_changes" if households else "sheet_stock_flow", lang)
    header = f"{after.village.name(lang)} · {p0.label(lang)} → {p1.label(lang)}"
    emit(frame, fmt, lines, output=output, tables={name: frame}, header=header, lang=lang)
