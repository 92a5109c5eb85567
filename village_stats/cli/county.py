"""Commands over many villages: rollup."""

from __future__ import annotations

import json

import click

from .. import config
from .common import data_dir_option, errors_to_exit_codes, lang_option, main

SUPPRESSED = "suppressed"


@main.command()
@click.option("--period", required=True, help="Period code (e.g. 2018H2), or 'latest' (newest period of any village).")
@click.option("--by", type=click.Choice(["village", "township", "county"]), default="township", show_default=True,
              help="Group villages by village, township or county.")
@data_dir_option
@click.option("--township", default=None, help="Only the villages of this township (its township_zh).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@lang_option
@click.option("--suppress-below", type=click.IntRange(min=1), default=None,
              help="For publishing: head counts below N, and the cells that would reveal them, print as "
                   "'suppressed'.")
@errors_to_exit_codes
def rollup(period: str, by: str, data_dir: str | None, township: str | None, fmt: str, lang: str,
           suppress_below: int | None) -> None:
    """Indicators summed over villages: per village, township or county, with a tie-out check.

    Counts and amounts are summed, ratios recomputed from the summed numerators and denominators,
    register measures computed on the pooled register. Each group gives the number of villages it covers
    and the villages lacking the period. Exit 1 if the totals do not tie out, 2 on bad data.
    """
    from ..export.csv import csv_text
    from ..labels import column, say, t
    from ..load import Source
    from ..panel.county import load_county
    from ..panel.rollup import rollup as _rollup
    from ..units import format_value

    source = Source(config.resolve_data_dir(data_dir))
    county = load_county(source, source.resolve_any(period), township)
    if suppress_below and township:                        # hide what the whole county's tables hide
        from ..panel.disclosure import carry_over
        from ..panel.rollup import rollup_levels

        whole = rollup_levels(load_county(source, source.resolve_any(period)), suppress_below=suppress_below)
        sheet = carry_over(_rollup(county, by), whole, township)
    else:
        sheet = _rollup(county, by, suppress_below=suppress_below)
    if fmt == "csv":
        out = sheet.astype({"value": object})
        out.loc[out["suppressed"], "value"] = SUPPRESSED
        click.echo(csv_text(out), nl=False)
    elif fmt == "json":
        records = json.loads(sheet.to_json(orient="records", force_ascii=False))
        for r in records:
            if r["suppressed"]:
                r["value"] = SUPPRESSED
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        label_col = column("label", lang)
        width = max(len(s) for s in sheet["indicator"])
        for gid, part in sheet.groupby("group_id", sort=False):
            first = part.iloc[0]
            missing = first["villages_missing"] or "—"
            click.echo(t("rollup_group", lang, by=say(f"cli_by_{by}", lang), group=gid, covered=first["villages_covered"],
                         missing=missing))
            for row in part.itertuples():
                shown = t("suppressed", lang) if row.suppressed else format_value(row.value, row.unit, lang)
                click.echo(f"  {row.indicator:<{width}}  {shown:>20}  {getattr(row, label_col)}")
