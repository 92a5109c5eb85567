"""Commands that run reports: run, run-all."""

from __future__ import annotations

import sys

import click

from .. import config
from .common import _lang, data_dir_option, errors_to_exit_codes, lang_option, main
from .site import build_after_batch

_FORMATS_HELP = "Comma-separated subset of ipynb,html,pdf,csv,xlsx (default: all of them)."


@main.command()
@click.option("--report", "kind", default="period", show_default=True,
              help="Which report: period (one village-period); others as listed by the error for an unknown one.")
@click.option("--village", default=None, help="Village id (period and trends reports).")
@click.option("--period", default=None, help="Period code, or 'latest' / 'previous'.")
@click.option("--from", "from_period", default=None, help="First period of a trends report (code, latest, previous).")
@click.option("--to", "to_period", default=None, help="Last period of a trends report (code, latest, previous).")
@click.option("--township", default=None, help="Only this township (county report).")
@click.option("--suppress-below", type=click.IntRange(min=1), default=None,
              help="County report for publishing: what the roll-up at this threshold hides (head counts below N "
                   "and the cells that would reveal them) prints as suppressed.")
@data_dir_option
@click.option("--output-dir", default="output", show_default=True,
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
        township: str | None, suppress_below: int | None, data_dir: str | None, output_dir: str, lang: str,
        formats: str | None, notebook: str | None, changed_only: bool, force: bool) -> None:
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
                            from_period=from_period, to_period=to_period, township=township,
                            suppress_below=suppress_below)
    formats = formats.split(",") if formats else DEFAULT_FORMATS
    if changed_only and not force:
        from ..labels import say
        from ..run.changes import unchanged

        found = unchanged(request, output_dir=output_dir, formats=formats, notebook=notebook)
        if found is not None:
            click.echo(say("msg_run_unchanged", _lang(), folder=found))
            return
    result = run_request(request, output_dir=output_dir, formats=formats, notebook=notebook)
    for name, path in result.files.items():  # file kinds (ipynb, html, pdf …) are ids: the same in both languages
        click.echo(f"{name:<9}{path}")


@main.command("run-all")
@click.option("--village", "villages", multiple=True, help="A village id (repeat it); default: every village.")
@click.option("--period", required=True, help="Period code, or 'latest' / 'previous' (resolved per village).")
@data_dir_option
@click.option("--output-dir", default="output", show_default=True)
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
@click.option("--site/--no-site", "with_site", default=True, show_default=True,
              help="At the end, build output/site/ (village-stats site) over every village of the data folder.")
@errors_to_exit_codes
def run_all(villages: tuple[str, ...], period: str, data_dir: str | None, output_dir: str, lang: str,
            formats: str, jobs: int | None, scheduler: str | None, retries: int | None, changed_only: bool,
            force: bool, progress: bool | None, with_site: bool = True) -> None:
    """Run the period report for many villages (a county's scheduled job), on a Dask cluster.

    One task per village-period: on local worker processes (--jobs), or on a running Dask scheduler
    (--scheduler). Shows a progress bar on a terminal, or one line per settled village otherwise (cron
    logs); prints a summary table at the end and writes output/batch-<period>.json (per village: status,
    seconds, outputs, error line). A village is a folder with village.yaml; other folders are listed as
    not villages. A village lacking the period is reported missing. At the end it builds output/site/ (as
    village-stats site does; --no-site to skip it). Ctrl-C or SIGTERM stops within seconds, publishes
    nothing unfinished and says how many finished. Exits 2 if any village had bad input, else 1 if any
    failed or the site could not be built, else 0; 130 / 143 when stopped by SIGINT / SIGTERM.
    """
    import os
    import time

    from ..export import DEFAULT_FORMATS
    from ..labels import say
    from ..load import as_period, check_village_id, village_folders
    from ..places import check_output_dir
    from ..run import BatchInterrupted, run_batch
    from ..run.cluster import scheduler_address
    from ..run.stopping import stop_on_signals

    root = config.resolve_data_dir(data_dir)
    check_output_dir(output_dir, [root])  # before any village starts: outputs never touch the inputs
    if period not in ("latest", "previous"):
        as_period(period)  # a bad code is one line here, and never names the summary file below
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

        tqdm.monitor_interval = 0  # no monitor thread: a Ctrl-C must reach the main thread (see run.cluster)
        bar = tqdm(total=len(names), unit="village", desc=f"run-all {period}", file=sys.stderr)

    def done(r) -> None:
        if bar is not None:
            bar.set_postfix_str(f"{r.village} {r.status}")
            bar.update(1)
        else:  # one line per settled village (cron logs); errors on stderr
            click.echo(f"{_status(r.status, msg_lang)} {r.village} {r.period}  {r.seconds:.1f} s  {r.message}",
                       err=r.status in ("bad_input", "failed"))

    start = time.perf_counter()
    advance = None
    if with_site and not (changed_only and not force):  # the site's facts and charts, while the reports run
        #                                                  (a rerun of what changed builds it after, if at all)
        from ..site import SiteInAdvance

        advance = SiteInAdvance(period, data_dir=root, lang=lang)
    try:
        with stop_on_signals():
            results = run_batch(names, period, jobs=jobs, on_done=done, data_dir=root, output_dir=output_dir,
                                lang=lang, formats=formats.split(",") if formats else DEFAULT_FORMATS,
                                scheduler=scheduler_address(scheduler), changed_only=changed_only and not force,
                                retries=retries, message_lang=msg_lang)
    except BatchInterrupted as stop:
        if advance is not None:
            advance.cancel()     # its thread must not be left running in the libraries as the process exits
        if bar is not None:
            bar.close()
        _write_batch(stop.finished, time.perf_counter() - start, period, jobs, output_dir, interrupted=True)
        click.echo(say("msg_batch_interrupted", msg_lang, done=len(stop.finished), total=stop.total), err=True)
        sys.exit(128 + stop.signum)
    except BaseException:
        if advance is not None:
            advance.cancel()
        raise
    if bar is not None:
        bar.close()
    summary, path = _write_batch(results, time.perf_counter() - start, period, jobs, output_dir)
    _print_summary(results, summary, path, msg_lang)
    if summary["skipped"]:
        click.echo(say("msg_batch_skipped", msg_lang, n=summary["skipped"]))
    label = path.stem.removeprefix("batch-")  # the period code the summary file is named after
    if with_site and _site_unchanged(results, label, root, output_dir, lang, whole=not villages,
                                     changed_only=changed_only and not force):
        from ..site import site_folder

        click.echo(f"{'site':<9}{site_folder(output_dir, lang) / 'index.html'}  {say('msg_site_unchanged', msg_lang)}")
        with_site = False
    site_failed = with_site and not build_after_batch(label, root, output_dir, lang, advance)
    if summary["bad_input"]:
        sys.exit(2)
    if summary["failed"] or site_failed:
        sys.exit(1)


def _site_unchanged(results, label: str, root, output_dir, lang: str, *, whole: bool, changed_only: bool) -> bool:
    """Whether the published site stands as it is: a ``--changed-only`` run of every village of the data root
    that skipped every one (nothing published, nothing failed) and a site that
    :func:`village_stats.site.is_current` says is that of the same folders and publications."""
    from ..site import is_current

    if not (changed_only and whole and results and all(r.status == "skipped" for r in results)):
        return False
    return is_current(label, data_dir=root, output_dir=output_dir, lang=lang)


def _status(status: str, lang: str = "zh") -> str:
    """A batch status (``ok``, ``bad_input``, ``failed``) in ``lang``, padded for the table."""
    from ..labels import MESSAGES, say

    return (say(f"cli_batch_{status}", lang) if f"cli_batch_{status}" in MESSAGES else status).ljust(9)


def _write_batch(results, seconds: float, period: str, jobs: int, output_dir: str, *, interrupted: bool = False):
    """Write ``output/batch-<period>.json`` (the resolved code when every village resolved to the same one)."""
    import json
    from pathlib import Path

    from ..atomic import write_atomic
    from ..places import path_component
    from ..run import batch_summary

    summary = batch_summary(results, seconds)
    codes = {r.period for r in results if r.status in ("ok", "skipped")}
    label = codes.pop() if len(codes) == 1 and period in ("latest", "previous") else period
    path = Path(output_dir) / path_component(f"batch-{label}.json", "the summary file")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"period": period, "jobs": jobs, **({"interrupted": True} if interrupted else {}), **summary}
    write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return summary, path


def _line(r, lang: str = "zh") -> str:
    return f"{_status(r.status, lang)} {r.village:<14} {r.period:<7} {r.seconds:6.1f} s  {r.message}"


def _print_summary(results, summary: dict, path, lang: str = "zh") -> None:
    """The table at the end of a batch: one line per village (output folder or error line), then the counts
    (wording: the ``cli_batch_*`` messages of :mod:`village_stats.labels_cli`)."""
    from ..labels import say

    click.echo(say("cli_batch_head", lang))
    for r in results:
        click.echo(_line(r, lang))
    click.echo(say("cli_batch_summary", lang, villages=summary["villages"], ok=summary["ok"],
                   bad_input=summary["bad_input"], failed=summary["failed"], skipped=summary["skipped"],
                   missing=summary["missing"], unfilled=summary["unfilled"], seconds=f"{summary['seconds']:.1f}",
                   rate=f"{summary['reports_per_minute'] or 0:.1f}", path=path))
