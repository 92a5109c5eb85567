"""Commands that write input files for people: new-period (workbook or CSV folder), new-village."""

from __future__ import annotations

import click

from .. import config
from ..schema import VILLAGE_FIELDS
from .common import _lang, data_dir_option, errors_to_exit_codes, lang_option, main


@main.command("new-period")
@click.option("--village", required=True, help="Village id (its folder must hold village.yaml).")
@click.option("--period", required=True, help="The new period's code, e.g. 2017H2.")
@click.option("--from", "source", default="previous", show_default=True,
              help="Carry over from: 'previous' (the latest period with data before the new one), "
                   "'none' (a blank template) or a period code.")
@click.option("--as", "as_", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True,
              help="One workbook <period>.xlsx, or a folder <period>/ of CSV files.")
@data_dir_option
@lang_option
@errors_to_exit_codes
def new_period(village: str, period: str, source: str, as_: str, data_dir: str | None, lang: str) -> None:
    """Write a new period's input for people to fill in (never over existing data: exit 2).

    Every table of the data contract with Chinese headers, drop-down lists, validation and a
    填表说明 sheet; what carries over from the source period is filled in, figures to collect are
    left empty beside last period's value.
    """
    from ..labels import pick, say
    from ..schema import TABLES
    from ..workbook import new_period as _new_period

    lang = _lang()
    made = _new_period(config.resolve_data_dir(data_dir), village, period, source=source, as_=as_)
    carried = say("cli_carried_from", lang, period=made.source.code) if made.source else say("cli_blank", lang)
    tables = say("cli_list_sep", lang).join(pick((TABLES[n].zh, TABLES[n].en), lang) for n in made.tables)
    click.echo(say("cli_wrote_period", lang, path=made.path, tables=tables, carried=carried))
    command = f"village-stats validate --village {village} --period {made.path.name.removesuffix('.xlsx')}"
    click.echo(say("cli_fill_then_validate", lang, command=command))


def _village_options(fn):
    """One option per key of village.yaml (from the codebook), ``--id`` first."""
    for key, meaning, required in reversed(VILLAGE_FIELDS):
        flag = "--" + key.replace("_", "-")
        if key == "fictional":
            fn = click.option(flag, key, is_flag=True, default=False, help=meaning)(fn)
        elif key in ("exit_threshold", "poverty_line_yuan"):
            fn = click.option(flag, key, type=float, default=None, help=meaning)(fn)
        else:
            fn = click.option(flag, key, default=None,
                              help=meaning + (" (required in the file)" if required and key != "id" else ""))(fn)
    return fn


@main.command("new-village")
@_village_options
@data_dir_option
@lang_option
@errors_to_exit_codes
def new_village(data_dir: str | None, lang: str, **values) -> None:
    """Write data/<id>/village.yaml from the codebook (never over an existing one: exit 2).

    Keys not given are left empty in the file, each under a comment saying what it means.
    """
    from ..labels import say
    from ..workbook import missing_village_fields
    from ..workbook import new_village as _new_village

    lang = _lang()
    values = {k: v for k, v in values.items() if v is not None and v is not False}
    path = _new_village(config.resolve_data_dir(data_dir), values, lang)
    click.echo(say("cli_wrote", lang, path=path))
    missing = missing_village_fields({"id": path.parent.name, **values})
    if missing:
        click.echo(say("cli_still_to_fill", lang, keys=say("cli_list_sep", lang).join(missing)))
