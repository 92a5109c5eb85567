"""Commands that write input files for people: new-period (workbook or CSV folder), new-village."""

from __future__ import annotations

import click

from .. import config
from ..schema import VILLAGE_FIELDS
from .common import data_dir_option, errors_to_exit_codes, main


@main.command("new-period")
@click.option("--village", required=True, help="Village id (its folder must hold village.yaml).")
@click.option("--period", required=True, help="The new period's code, e.g. 2017H2.")
@click.option("--from", "source", default="previous", show_default=True,
              help="Carry over from: 'previous' (the latest period with data before the new one), "
                   "'none' (a blank template) or a period code.")
@click.option("--as", "as_", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True,
              help="One workbook <period>.xlsx, or a folder <period>/ of CSV files.")
@data_dir_option
@errors_to_exit_codes
def new_period(village: str, period: str, source: str, as_: str, data_dir: str | None) -> None:
    """Write a new period's input for people to fill in (never over existing data: exit 2).

    Every table of the data contract with Chinese headers, drop-down lists, validation and a
    填表说明 sheet; what carries over from the source period is filled in, figures to collect are
    left empty beside last period's value.
    """
    from ..workbook import new_period as _new_period

    made = _new_period(config.resolve_data_dir(data_dir), village, period, source=source, as_=as_)
    carried = f"carried over from {made.source.code}" if made.source else "blank (no earlier period)"
    click.echo(f"wrote {made.path} ({', '.join(made.tables)}; {carried})")
    click.echo("fill it in, then run: village-stats validate --village "
               f"{village} --period {made.path.name.removesuffix('.xlsx')}")


def _village_options(fn):
    """One option per key of village.yaml (from the codebook), ``--id`` first."""
    for key, meaning, required in reversed(VILLAGE_FIELDS):
        flag = "--" + key.replace("_", "-")
        if key == "fictional":
            fn = click.option(flag, key, is_flag=True, default=False, help=meaning)(fn)
        elif key in ("exit_threshold", "poverty_line_yuan"):
            fn = click.option(flag, key, type=float, default=None, help=meaning)(fn)
        else:
            fn = click.option(flag, key, required=key == "id", default=None,
                              help=meaning + (" (required in the file)" if required and key != "id" else ""))(fn)
    return fn


@main.command("new-village")
@_village_options
@data_dir_option
@errors_to_exit_codes
def new_village(data_dir: str | None, **values) -> None:
    """Write data/<id>/village.yaml from the codebook (never over an existing one: exit 2).

    Keys not given are left empty in the file, each under a comment saying what it means.
    """
    from ..workbook import missing_village_fields
    from ..workbook import new_village as _new_village

    values = {k: v for k, v in values.items() if v is not None and v is not False}
    path = _new_village(config.resolve_data_dir(data_dir), values)
    click.echo(f"wrote {path}")
    missing = missing_village_fields(values)
    if missing:
        click.echo(f"still to fill in: {', '.join(missing)}")
