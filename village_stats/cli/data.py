"""Commands that read data: indicators, validate, periods, codebook."""

from __future__ import annotations

import sys

import click

from .. import config
from .common import data_dir_option, emit, errors_to_exit_codes, lang_option, main


@main.command()
@click.option("--village", required=True, help="Village id (its folder name under the data folder).")
@click.option("--period", required=True, help="Period code (e.g. 2017H1), or 'latest' / 'previous'.")
@data_dir_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output (needed for xlsx; CSV files get a UTF-8 BOM).")
@lang_option
@errors_to_exit_codes
def indicators(village: str, period: str, data_dir: str | None, fmt: str, output: str | None, lang: str) -> None:
    """Print the indicator sheet of one village-period (or write it: --output FILE)."""
    from ..evaluate import evaluate_in
    from ..labels import column
    from ..load import Source
    from ..units import format_value

    if (fmt == "xlsx") != (output is not None) and fmt != "csv":
        raise click.UsageError("--output FILE goes with --format xlsx (needed) or csv")
    source = Source(config.resolve_data_dir(data_dir))
    data = source.period(village, source.resolve(period, village))
    results = evaluate_in(source, data)
    sheet = results.sheet
    if fmt == "xlsx":
        from ..export.xlsx import write_period_workbook

        click.echo(f"wrote {write_period_workbook(output, results, lang)}")
    elif fmt == "csv" and output is not None:
        from ..export.csv import write_csv

        click.echo(f"wrote {write_csv(sheet, output)}")
    else:
        label_col = column("label", lang)
        width = max(len(s) for s in sheet["indicator"])

        def lines():
            for _, row in sheet.iterrows():
                yield (f"{row['indicator']:<{width}}  {format_value(row['value'], row['unit'], lang):>20}  "
                       f"{row[label_col]}")

        emit(sheet, fmt, lines)


@main.command()
@data_dir_option
@click.option("--village", default=None, help="Only this village.")
@click.option("--period", default=None, help="Only this period.")
@errors_to_exit_codes
def validate(data_dir: str | None, village: str | None, period: str | None) -> None:
    """Check the data files against the data contract (every village and period by default).

    Errors (exit code 2) make a period unusable; household-register audit findings are listed by
    household id and do not change the exit code.
    """
    from ..evaluate import evaluate
    from ..labels import message_lang, pick, say
    from ..load import validate as _validate
    from ..measures.register import AUDIT_RULES

    lang = message_lang()
    results = _validate(config.resolve_data_dir(data_dir), village, period)
    for r in results:
        findings = None if r.data is None else evaluate(r.data).audit  # None without a register
        note = "" if findings is None else "  " + say("msg_findings", lang, n=len(findings))
        status = say("msg_bad" if r.problem else "msg_ok", lang)
        click.echo(f"{status}  {r.village} {r.period}".rstrip() + note)
        for hid, rule in ([] if findings is None else findings.itertuples(index=False)):
            label = pick(AUDIT_RULES[rule], lang)
            click.echo(say("msg_finding", lang, household=hid, rule=rule, label=label))
    for r in results:
        if r.problem:
            text = r.error.localized(lang) if r.error is not None else r.problem
            click.echo(say("msg_error", lang) + text, err=True)
    if not results:
        click.echo(say("msg_no_village_data", lang), err=True)
    if any(r.problem for r in results):
        sys.exit(2)


@main.command()
@data_dir_option
@click.option("--village", default=None, help="Only this village.")
@errors_to_exit_codes
def periods(data_dir: str | None, village: str | None) -> None:
    """List the periods that have data."""
    from ..load import list_periods, list_villages

    root = config.resolve_data_dir(data_dir)
    for v in [village] if village else list_villages(root):
        for p in list_periods(root, v):
            click.echo(f"{v}\t{p.code}\t{p.label('zh')}\t{p.label('en')}")


@main.command()
@click.option("--write", "target", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Replace the block between <!-- codebook:start --> and <!-- codebook:end --> in this file.")
@click.option("--indicators", "output_codebook", is_flag=True,
              help="The output codebook (indicators.csv, for docs/indicators.md) instead of the data codebook.")
def codebook(target: str | None, output_codebook: bool) -> None:
    """Print the data codebook (the generated part of data/README.md), or write it into a file.

    With --indicators: the codebook of indicators.csv (the generated part of docs/indicators.md).
    """
    from pathlib import Path

    from ..atomic import write_atomic
    from ..codebook import codebook_markdown
    from ..indicators import catalogue_markdown

    text = catalogue_markdown() if output_codebook else codebook_markdown()
    if target is None:
        click.echo(text, nl=False)
        return
    path = Path(target)
    doc = path.read_text(encoding="utf-8")
    start, end = "<!-- codebook:start -->\n", "<!-- codebook:end -->"
    if start not in doc or end not in doc:
        raise click.UsageError(f"{target} has no codebook markers")
    head, rest = doc.split(start, 1)
    write_atomic(path, head + start + text + rest[rest.index(end):])
    click.echo(f"updated {target}")
