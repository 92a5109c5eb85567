"""The command that builds the county's browsable site: site."""

from __future__ import annotations

import click

from .. import config
from .common import data_dir_option, errors_to_exit_codes, lang_option, main


@main.command()
@click.option("--period", required=True, help="Period code (e.g. 2018H2), or 'latest' (newest period of any village).")
@data_dir_option
@click.option("--output-dir", type=click.Path(file_okay=False), default="output", show_default=True,
              help="Where the reports are (output/<village>/<period>/) and site/ is written.")
@lang_option
@click.option("--suppress-below", type=click.IntRange(min=1), default=None,
              help="For publishing: head counts below N, and the figures that would reveal them, are not shown.")
@errors_to_exit_codes
def site(period: str, data_dir: str | None, output_dir: str, lang: str, suppress_below: int | None) -> None:
    """Build output/site/ (site.en/ in English): static pages of every village, open from the folder.

    index.html lists every village with its key figures for the period and links to its reports;
    villages/<id>.html shows each village's periods, charts, reports and findings. No server, no
    external request. Rebuilt atomically. Exit 2 on bad input (no village with the period).
    """
    from ..site import build_site

    result = build_site(period, data_dir=config.resolve_data_dir(data_dir), output_dir=output_dir, lang=lang,
                        suppress_below=suppress_below)
    click.echo(f"{'site':<9}{result.index}")


def build_after_batch(period: str, data_dir, output_dir, lang: str, advance=None) -> bool:
    """The site at the end of ``run-all`` (unless ``--no-site``): its index's path on one line, or one line
    saying why it was not built (on stderr). ``advance``: the :class:`village_stats.site.SiteInAdvance`
    started with the batch. Returns whether it was built; the batch's reports stand either way."""
    from ..errors import DataError, ReportError
    from ..labels import say, t
    from ..site import build_site
    from .common import _lang

    try:
        prepared = advance.facts(period) if advance is not None else None
        result = build_site(period, data_dir=data_dir, output_dir=output_dir, lang=lang, prepared=prepared)
    except (DataError, ReportError, OSError, ValueError) as exc:
        reason = exc.localized(_lang()) if isinstance(exc, DataError) else str(exc)
    except Exception as exc:  # noqa: BLE001 - never a traceback at the end of a batch: one line
        reason = say("msg_unexpected", _lang(), name=type(exc).__name__)
    else:
        click.echo(f"{'site':<9}{result.index}")
        return True
    click.echo(say("msg_error", _lang()) + t("site_not_built", _lang(), reason=reason).replace("\n", " "), err=True)
    return False
