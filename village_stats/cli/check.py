"""``village-stats check``: the 疑点清单 of one village-period, or of every village of a data root for a
period, with a summary by rule; exit 0 without 错误, 1 with some, 2 on bad input."""

from __future__ import annotations

import sys

import click

from .. import config
from .common import data_dir_option, errors_to_exit_codes, lang_option, main


@main.command()
@data_dir_option
@click.option("--village", default=None, help="Only this village (default: every village with the period).")
@click.option("--period", required=True, help="Period code (e.g. 2022H2), or 'latest'.")
@click.option("--severity", "severities", multiple=True, type=click.Choice(["error", "doubt", "hint"]),
              help="Only findings of this severity (repeatable).")
@click.option("--rule", "rules", multiple=True, help="Only this rule id, e.g. MB-008 (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
              show_default=True)
@click.option("--output", default=None, type=click.Path(dir_okay=False),
              help="Write to this file (needed for xlsx; csv and json print otherwise).")
@lang_option
@errors_to_exit_codes
def check(data_dir: str | None, village: str | None, period: str, severities: tuple[str, ...],
          rules: tuple[str, ...], fmt: str, output: str | None, lang: str) -> None:
    """The data-quality rules of docs/checks.md: one row per finding (rule, severity, village, household
    id, member number, the offending values, what to check) and a summary by rule.

    The rules across villages (the same ID number in two households, a household moving village) compare
    every village of the data root. Exit 0 when no finding is an error, 1 when some are, 2 on bad input.
    Names and ID numbers never appear.
    """
    from ..checks import RULES, wording
    from ..checks.root import check_root
    from ..errors import DataError
    from ..labels import pick
    from ..load import Source

    for r in rules:
        if r not in RULES:
            raise DataError(pick(wording.TEXT["msg_unknown_rule"], "en").format(rule=r),
                            message_zh=pick(wording.TEXT["msg_unknown_rule"], "zh").format(rule=r))
    if fmt == "xlsx" and not output:
        raise click.UsageError(pick(wording.TEXT["msg_xlsx_needs_output"], lang))
    source = Source(config.resolve_data_dir(data_dir))
    resolved = source.resolve(period, village) if village else source.resolve_any(period)
    found = check_root(source, resolved, rules=list(rules) or None)
    if village:
        found = found.only(villages=[village])
    if severities:
        found = found.only(severity=severities)
    _emit(found, fmt, output, lang, header=_header(source, village, resolved, lang))
    sys.exit(1 if found.count("error") else 0)


def _header(source, village, period, lang) -> str:
    from ..checks import wording
    from ..labels import pick

    where = source.village(village).name(lang) if village else str(source.data_dir.name)
    return f"{pick(wording.TEXT['title'], lang)} · {where} · {period.label(lang)}"


def _emit(found, fmt: str, output: str | None, lang: str, header: str) -> None:
    import json

    from ..checks import wording
    from ..export.csv import csv_text
    from ..labels import pick

    if fmt == "xlsx":
        from ..export.findings import write_findings

        path = write_findings(output, found, header, lang)
        click.echo(pick(wording.TEXT["msg_written"], lang).format(path=path))
        return
    frame = found.table(lang)
    if fmt in ("csv", "json"):
        text = csv_text(frame, bom=bool(output)) if fmt == "csv" else json.dumps(
            json.loads(frame.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1) + "\n"
        if output:
            from ..atomic import write_atomic

            write_atomic(output, text)
            click.echo(pick(wording.TEXT["msg_written"], lang).format(path=output), err=True)
        else:
            click.echo(text, nl=False)
        return
    from ..export.findings import summary_table

    click.echo(header)
    if not len(found):
        click.echo(pick(wording.TEXT["none"], lang))
        return
    shown = frame.astype(object)
    click.echo(shown.where(shown.notna(), "").to_string(index=False))
    click.echo("")
    click.echo(pick(wording.TEXT["summary_title"], lang))
    click.echo(summary_table(found, lang).to_string(index=False))
    click.echo(pick(wording.TEXT["msg_summary"], lang).format(
        n=len(found), errors=found.count("error"), doubts=found.count("doubt"), hints=found.count("hint")))
