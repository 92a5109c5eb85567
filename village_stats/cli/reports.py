"""Commands that run reports: run, run-all."""

from __future__ import annotations

import sys

import click

from .. import config
from .common import _lang, data_dir_option, errors_to_exit_codes, lang_option, main

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
@click.option("--changed-only", is_flag=True, default=False,
              help="Do nothing if the published report still matches its inputs, versions and options "
                   "(period and county reports).")
@click.option("--force", is_flag=True, default=False, help="Run even if nothing changed (overrides --changed-only).")
@errors_to_exit_codes
def run(kind: str, village: str | None, period: str | None, from_period: str | None, to_period: str | None,
        township: str | None, data_dir: str | None, output_dir: str, lang: str, formats: str | None,
        notebook: str | None, changed_only: bool, force: bool) -> None:
    """Run a report: executed notebook, HTML, A4 PDF, indicators.csv, manifest.json.

    --period latest takes the newest period with data; --period previous the last complete period
    before today of the same kind (for scheduled runs). Chinese files are report.pdf, report.html ...;
    English ones report.en.pdf, report.en.html ..., in the same folder; a run keeps the files it does not
    rewrite.
    """
    from ..export import DEFAULT_FORMATS
    from ..request import Request
    from ..run import run as run_request

    request = Request.build(kind, data_dir=data_dir, lang=lang, village=village, period=period,
                            from_period=from_period, to_period=to_period, township=township)
    formats = formats.split(",") if formats else DEFAULT_FORMATS
    if changed_only and not force:
        from ..labels import say
        from ..run.changes import unchanged

        found = unchanged(request, output_dir=output_dir, formats=formats, notebook=notebook)
        if found is not None:
            click.echo(say("msg_run_unchanged", _lang(), folder=found))
            return
    result = run_request(request, output_dir=output_dir, formats=formats, notebook=notebook)
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
              help="Local worker processes, each running many reports (default: the number of cores).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:8786",
              help="Run on this running Dask scheduler instead of local workers (default: "
                   "$VILLAGE_STATS_SCHEDULER). Its workers must see the data and output folders at the same paths.")
@click.option("--retries", type=click.IntRange(0, 10), default=None,
              help="How many times a village's worker may die (crash, abort, memory) before that village is "
                   "reported failed; local workers only (a running scheduler has its own allowed-failures). "
                   "Default: 2.")
@click.option("--changed-only", is_flag=True, default=False,
              help="Skip a village-period whose published report still matches its inputs, versions and options.")
@click.option("--force", is_flag=True, default=False, help="Rerun everything (overrides --changed-only).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on a terminal; otherwise one line per finished village).")
@errors_to_exit_codes
def run_all(villages: tuple[str, ...], period: str, data_dir: str | None, output_dir: str, lang: str,
            formats: str, jobs: int | None, scheduler: str | None, retries: int | None, changed_only: bool,
            force: bool, progress: bool | None) -> None:
    """Run the period report for many villages (a county's scheduled job), on a Dask cluster.

    One task per village-period: on local worker processes (--jobs), or on a running Dask scheduler
    (--scheduler). Shows a progress bar on a terminal, or one line per settled village otherwise (cron
    logs); prints a summary table at the end and writes output/batch-<period>.json (per village: status,
    seconds, outputs, error line). A village is a folder with village.yaml; other folders are listed as
    not villages. A village lacking the period is reported missing. Ctrl-C or SIGTERM stops within
    seconds, publishes nothing unfinished and says how many finished. Exits 2 if any village had bad
    input, else 1 if any failed, else 0; 130 / 143 when stopped by SIGINT / SIGTERM.
    """
    import os
    import time

    from ..export import DEFAULT_FORMATS
    from ..labels import say
    from ..load import check_village_id, village_folders
    from ..run import BatchInterrupted, run_batch
    from ..run.cluster import scheduler_address
    from ..run.stopping import stop_on_signals

    root = config.resolve_data_dir(data_dir)
    msg_lang = _lang()
    if villages:
        names = [check_village_id(v) for v in villages]
    else:  # a village is a folder with village.yaml; the others are listed, never run
        folders = village_folders(root)
        names = [f for f in folders if (root / f / "village.yaml").is_file()]
        others = [f for f in folders if f not in names]
        if others:
            click.echo(say("msg_batch_not_villages", msg_lang, names=", ".join(others)), err=True)
    jobs = jobs or max(1, os.cpu_count() or 1)
    bar = None
    if progress is None:
        progress = sys.stderr.isatty()
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(names), unit="village", desc=f"run-all {period}", file=sys.stderr)

    def done(r) -> None:
        if bar is not None:
            bar.set_postfix_str(f"{r.village} {r.status}")
            bar.update(1)
        else:  # one line per settled village (cron logs); errors on stderr
            click.echo(f"{r.status:<9} {r.village} {r.period}  {r.seconds:.1f} s  {r.message}",
                       err=r.status in ("bad_input", "failed"))

    start = time.perf_counter()
    try:
        with stop_on_signals():
            results = run_batch(names, period, jobs=jobs, on_done=done, data_dir=root, output_dir=output_dir,
                                lang=lang, formats=formats.split(",") if formats else DEFAULT_FORMATS,
                                scheduler=scheduler_address(scheduler), changed_only=changed_only and not force,
                                retries=retries, message_lang=msg_lang)
    except BatchInterrupted as stop:
        if bar is not None:
            bar.close()
        _write_batch(stop.finished, time.perf_counter() - start, period, jobs, output_dir, interrupted=True)
        click.echo(say("msg_batch_interrupted", msg_lang, done=len(stop.finished), total=stop.total), err=True)
        sys.exit(128 + stop.signum)
    if bar is not None:
        bar.close()
    summary, path = _write_batch(results, time.perf_counter() - start, period, jobs, output_dir)
    _print_summary(results, summary, path)
    if summary["skipped"]:
        click.echo(say("msg_batch_skipped", msg_lang, n=summary["skipped"]))
    after_batch(summary, path, output_dir=output_dir, lang=lang)
    if summary["bad_input"]:
        sys.exit(2)
    if summary["failed"]:
        sys.exit(1)


def after_batch(summary: dict, path, *, output_dir: str, lang: str) -> None:
    """Called once a batch has finished and its JSON is written (not after a stopped batch): the hook for
    what follows a county's batch (the site, issue 22). Does nothing yet."""


def _write_batch(results, seconds: float, period: str, jobs: int, output_dir: str, *, interrupted: bool = False):
    """Write ``output/batch-<period>.json`` (the resolved code when every village resolved to the same one)."""
    import json
    from pathlib import Path

    from ..atomic import write_atomic
    from ..run import batch_summary

    summary = batch_summary(results, seconds)
    codes = {r.period for r in results if r.status in ("ok", "skipped")}
    label = codes.pop() if len(codes) == 1 and period in ("latest", "previous") else period
    path = Path(output_dir) / f"batch-{label}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"period": period, "jobs": jobs, **({"interrupted": True} if interrupted else {}), **summary}
    write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return summary, path


def _line(r) -> str:
    return f"{r.status:<9} {r.village:<14} {r.period:<7} {r.seconds:6.1f} s  {r.message}"


def _print_summary(results, summary: dict, path) -> None:
    """The table at the end of a batch: one line per village (output folder or error line), then the counts."""
    click.echo(f"{'status':<9} {'village':<14} {'period':<7} {'seconds':>8}  output folder or error")
    for r in results:
        click.echo(_line(r))
    click.echo(f"{summary['villages']} villages: {summary['ok']} ok, {summary['bad_input']} bad input, "
               f"{summary['failed']} failed, {summary['skipped']} skipped, {summary['missing']} missing, "
               f"{summary['unfilled']} unfilled in {summary['seconds']:.1f} s "
               f"({summary['reports_per_minute'] or 0:.1f} reports per minute); details in {path}")
