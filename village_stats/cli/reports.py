"""Commands that run reports: run, run-all."""

from __future__ import annotations

import sys

import click

from .. import config
from . import data_dir_option, errors_to_exit_codes, lang_option, main

_FORMATS_HELP = "Comma-separated subset of ipynb,html,pdf,csv,xlsx (default: all of them)."


@main.command()
@click.option("--report", "kind", default="period", show_default=True,
              help="Which report: period (one village-period); others as listed by the error for an unknown one.")
@click.option("--village", default=None, help="Village id (period and trends reports).")
@click.option("--period", default=None, help="Period code, or 'latest' / 'previous'.")
@click.option("--from", "from_period", default=None, help="First period of a trends report (code, latest, previous).")
@click.option("--to", "to_period", default=None, help="Last period of a trends report (code, latest, previous).")
@click.option("--township", default=None, help="Only this township (county report).")
@data_dir_option
@click.option("--output-dir", type=click.Path(file_okay=False), default="output", show_default=True,
              help="Where output/<village>/<period>/ is written.")
@lang_option
@click.option("--formats", default=None, help=_FORMATS_HELP)
@click.option("--notebook", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Report notebook (default: the report's own, e.g. notebooks/period_report.ipynb).")
@errors_to_exit_codes
def run(kind: str, village: str | None, period: str | None, from_period: str | None, to_period: str | None,
        township: str | None, data_dir: str | None, output_dir: str, lang: str, formats: str | None,
        notebook: str | None) -> None:
    """Run a report: executed notebook, HTML, A4 PDF, indicators.csv, manifest.json.

    --period latest takes the newest period with data; --period previous the last complete period
    before today of the same kind (for scheduled runs). Chinese files are report.pdf, report.html ...;
    English ones report.en.pdf, report.en.html ..., in the same folder; a run keeps the files it does not
    rewrite.
    """
    from ..export import DEFAULT_FORMATS
    from ..run import run as run_kind

    given = {"village": village, "period": period, "from_period": from_period, "to_period": to_period,
             "township": township}
    arguments = {k: v for k, v in given.items() if v is not None}
    result = run_kind(kind, data_dir=config.resolve_data_dir(data_dir), output_dir=output_dir, lang=lang,
                      formats=formats.split(",") if formats else DEFAULT_FORMATS, notebook=notebook, **arguments)
    for name, path in result.files.items():
        click.echo(f"{name:<9}{path}")


@main.command("run-all")
@click.option("--village", "villages", multiple=True, help="A village id (repeat it); default: every village.")
@click.option("--period", required=True, help="Period code, or 'latest' / 'previous' (resolved per village).")
@data_dir_option
@click.option("--output-dir", type=click.Path(file_okay=False), default="output", show_default=True)
@lang_option
@click.option("--formats", default=None, help=_FORMATS_HELP)
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Reports run at once, each in its own process (default: half the cores; one report "
                   "already keeps two cores busy, its kernel and the exports).")
@errors_to_exit_codes
def run_all(villages: tuple[str, ...], period: str, data_dir: str | None, output_dir: str, lang: str,
            formats: str, jobs: int | None) -> None:
    """Run the period report for many villages (a county's scheduled job).

    Prints one line per village; exits 2 if any had bad input, else 1 if any failed, else 0.
    """
    import os

    from ..load import check_village_id, list_villages
    from ..run import run_batch

    root = config.resolve_data_dir(data_dir)
    names = [check_village_id(v) for v in villages] or list_villages(root)
    jobs = jobs or max(1, (os.cpu_count() or 2) // 2)
    from ..export import DEFAULT_FORMATS

    results = run_batch(names, period, jobs=jobs, data_dir=root, output_dir=output_dir, lang=lang,
                        formats=formats.split(",") if formats else DEFAULT_FORMATS)
    for r in results:
        line = f"{r.status:<9} {r.village} {r.period}  {r.seconds:.1f} s  {r.message}"
        click.echo(line, err=r.status != "ok")
    if any(r.status == "bad_input" for r in results):
        sys.exit(2)
    if any(r.status == "failed" for r in results):
        sys.exit(1)
