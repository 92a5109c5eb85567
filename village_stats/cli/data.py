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
@click.option("--output", default=None,
              help="Write to this file instead of standard output (needed for xlsx; CSV files get a UTF-8 BOM).")
@lang_option
@errors_to_exit_codes
def indicators(village: str, period: str, data_dir: str | None, fmt: str, output: str | None, lang: str) -> None:
    """Print the indicator sheet of one village-period (or write it: --output FILE)."""
    from ..evaluate import evaluate
    from ..labels import column, say
    from ..load import Source
    from ..units import format_value

    if (fmt == "xlsx") != (output is not None) and fmt != "csv":
        raise click.UsageError(say("cli_output_goes_with_xlsx_csv", lang))
    root = config.resolve_data_dir(data_dir)
    if output is not None:  # before anything is read: a folder that exists, never inside the data
        from ..places import check_output_file

        check_output_file(output, [root])
    source = Source(root)
    data = source.period(village, source.resolve(period, village))
    results = evaluate(data)
    sheet = results.sheet
    if fmt == "xlsx":
        from ..export.xlsx import write_period_workbook

        click.echo(say("cli_wrote", lang, path=write_period_workbook(output, results, lang)))
    elif fmt == "csv" and output is not None:
        from ..export.csv import write_csv

        click.echo(say("cli_wrote", lang, path=write_csv(sheet, output)))
    else:
        label_col = column("label", lang)
        width = max(len(s) for s in sheet["indicator"])

        def lines():
            for _, row in sheet.iterrows():
                yield (f"{row['indicator']:<{width}}  {format_value(row['value'], row['unit'], lang):>20}  "
                       f"{row[label_col]}")

        emit(sheet, fmt, lines)


def _digested(data) -> bool:
    """Whether the loader replaced household ids (identity numbers or names) by keyed digests."""
    from ..personal import PREFIX

    return any(data.has(t) and data.table(t)["household_id"].astype(str).str.startswith(PREFIX).any()
               for t in ("households", "evaluation_sample"))


@main.command()
@data_dir_option
@click.option("--village", default=None, help="Only this village.")
@click.option("--period", default=None, help="Only this period.")
@errors_to_exit_codes
def validate(data_dir: str | None, village: str | None, period: str | None) -> None:
    """Check the data files against the data contract (every village and period by default).

    Errors (exit code 2) make a period unusable; household-register audit findings are listed by
    household id and do not change the exit code. A blank template (made by new-period, no value entered)
    is listed as unfilled: an error only when that period was asked for with --period.
    """
    from ..evaluate import evaluate
    from ..labels import message_lang, pick, say
    from ..load import UNFILLED
    from ..load import validate as _validate
    from ..measures.register import AUDIT_RULES

    lang = message_lang()
    results = _validate(config.resolve_data_dir(data_dir), village, period)
    for r in results:
        if r.status == UNFILLED:  # a blank template: nothing to check yet, and not an error
            click.echo(f"{say('msg_unfilled', lang)}  {r.village} {r.period}  {say('msg_unfilled_note', lang)}")
            continue
        findings = None if r.data is None else evaluate(r.data).audit  # None without a register
        note = "" if findings is None else "  " + say("msg_findings", lang, n=len(findings))
        status = say("msg_bad" if r.problem else "msg_ok", lang)
        click.echo(f"{status}  {r.village} {r.period}".rstrip() + note)
        if r.data is not None and _digested(r.data):
            click.echo(say("msg_ids_digested", lang))
        for hid, rule in ([] if findings is None else findings.itertuples(index=False)):
            label = pick(AUDIT_RULES[rule], lang)
            click.echo(say("msg_finding", lang, household=hid, rule=rule, label=label))
    for r in results:
        if r.problem:
            text = r.error.localized(lang) if r.error is not None else r.problem
            click.echo(say("msg_error", lang) + text, err=True)
    if not results:
        click.echo(say("msg_no_village_data", lang), err=True)
    # a blank template is not an error in a check of everything, but a period asked for by name is unusable
    if any(r.problem for r in results) or (period and any(r.status == UNFILLED for r in results)):
        sys.exit(2)


@main.command()
@data_dir_option
@click.option("--village", default=None, help="Only this village.")
@errors_to_exit_codes
def periods(data_dir: str | None, village: str | None) -> None:
    """List the periods that have data (an unfilled template is marked as such in a fourth column)."""
    from ..labels import message_lang, say
    from ..load import UNFILLED, Source, list_villages

    lang = message_lang()
    root = config.resolve_data_dir(data_dir)
    source = Source(root)
    for v in [village] if village else list_villages(root):
        for p in source.stored(v):
            mark = f"\t{say('msg_unfilled', message_lang())}" if source.status(v, p) == UNFILLED else ""
            click.echo(f"{v}\t{p.code}\t{p.label(lang)}{mark}")


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
    from ..labels import message_lang, say

    text = catalogue_markdown() if output_codebook else codebook_markdown()
    if target is None:
        click.echo(text, nl=False)
        return
    path = Path(target)
    doc = path.read_text(encoding="utf-8")
    start, end = "<!-- codebook:start -->\n", "<!-- codebook:end -->"
    if start not in doc or end not in doc:
        raise click.UsageError(say("cli_no_markers", message_lang(), path=target))
    head, rest = doc.split(start, 1)
    write_atomic(path, head + start + text + rest[rest.index(end):])
    click.echo(say("cli_updated", message_lang(), path=target))
