"""Commands that run reports: run, run-all."""

from __future__ import annotations

import sys

import click

from .. import config
from . import data_dir_option, errors_to_exit_codes, lang_option, main


@main.command()
@click.option("--village", required=True, help="Village id.")
@click.option("--period", required=True, help="Period code, or 'latest' / 'previous'.")
@data_dir_option
@click.option("--output-dir", type=click.Path(file_okay=False), default="output", show_default=True,
              help="Where output/<village>/<period>/ is written.")
@lang_option
@click.option("--formats", default="ipynb,html,pdf", show_default=True,
              help="Comma-separated subset of ipynb,html,pdf.")
@click.option("--notebook", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Report notebook (default: notebooks/period_report.ipynb).")
@errors_to_exit_codes
def run(village: str, period: str, data_dir: str | None, output_dir: str, lang: str, formats: str,
        notebook: str | None) -> None:
    """Run the period report: executed notebook, HTML, A4 PDF, indicators.csv, manifest.json.

    --period latest takes the newest period with data; --period previous the last complete period
    before today of the same kind (for scheduled runs).
    """
    from ..run import run_report

    result = run_report(village, period, data_dir=config.resolve_data_dir(data_dir), output_dir=output_dir,
                        lang=lang, formats=[f.strip() for f in formats.split(",") if f.strip()],
                        notebook=notebook)
    for kind, path in result.files.items():
        click.echo(f"{kind:<9}{path}")


@main.command("run-all")
@click.option("--village", "villages", multiple=True, help="A village id (repeat it); default: every village.")
@click.option("--period", required=True, help="Period code, or 'latest' / 'previous' (resolved per village).")
@data_dir_option
@click.option("--output-dir", type=click.Path(file_okay=False), default="output", show_default=True)
@lang_option
@click.option("--formats", default="ipynb,html,pdf", show_default=True)
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
    results = run_batch(names, period, jobs=jobs, data_dir=root, output_dir=output_dir, lang=lang,
                        formats=[f.strip() for f in formats.split(",") if f.strip()])
    for r in results:
        line = f"{r.status:<9} {r.village} {r.period}  {r.seconds:.1f} s  {r.message}"
        click.echo(line, err=r.status != "ok")
    if any(r.status == "bad_input" for r in results):
        sys.exit(2)
    if any(r.status == "failed" for r in results):
        sys.exit(1)
