"""``village-stats``: the command line. Arguments in, exit codes out (2 bad input, 1 failure)."""

from __future__ import annotations

import functools
import json
import sys

import click

from . import config
from .errors import DataError, ReportError


def _errors_to_exit_codes(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DataError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except ReportError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


_data_dir = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                         help="Data folder (default: ./data, else the project's data/).")
_lang = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="Language of labels.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="village-stats")
def main() -> None:
    """Reports for village poverty-alleviation work teams."""


@main.command()
@click.option("--village", required=True, help="Village id (its folder name under the data folder).")
@click.option("--period", required=True, help="Period code, e.g. 2017H1.")
@_data_dir
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@_lang
@_errors_to_exit_codes
def indicators(village: str, period: str, data_dir: str | None, fmt: str, lang: str) -> None:
    """Print the indicator sheet of one village-period."""
    from .indicators import indicator_sheet, sheet_to_csv, format_value
    from .load import load_period

    sheet = indicator_sheet(load_period(village, period, config.resolve_data_dir(data_dir)))
    if fmt == "csv":
        click.echo(sheet_to_csv(sheet), nl=False)
    elif fmt == "json":
        records = json.loads(sheet.to_json(orient="records", force_ascii=False))
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        label_col = "label_zh" if lang == "zh" else "label_en"
        width = max(len(s) for s in sheet["indicator"])
        for _, row in sheet.iterrows():
            click.echo(f"{row['indicator']:<{width}}  {format_value(row['value'], row['unit'], lang):>20}  "
                       f"{row[label_col]}")


@main.command()
@_data_dir
@click.option("--village", default=None, help="Only this village.")
@click.option("--period", default=None, help="Only this period.")
@_errors_to_exit_codes
def validate(data_dir: str | None, village: str | None, period: str | None) -> None:
    """Check the data files against the data contract (every village and period by default).

    Errors (exit code 2) make a period unusable; household-register audit findings are listed by
    household id and do not change the exit code.
    """
    from .load import validate as _validate
    from .measures.register import AUDIT_RULES, audit

    results = _validate(config.resolve_data_dir(data_dir), village, period)
    for r in results:
        findings = None
        if r.data is not None and r.data.has("households"):
            findings = audit(r.data.table("households"), r.data.poverty_line.line_yuan)
        note = "" if findings is None else f"  ({len(findings)} register audit findings)"
        click.echo(f"{'ok ' if not r.problem else 'BAD'}  {r.village} {r.period}".rstrip() + note)
        for hid, rule in ([] if findings is None else findings.itertuples(index=False)):
            click.echo(f"     finding  household {hid}: {rule} ({AUDIT_RULES[rule][1]})")
    for r in results:
        if r.problem:
            click.echo(f"error: {r.problem}", err=True)
    if not results:
        click.echo("no village data found", err=True)
    if any(r.problem for r in results):
        sys.exit(2)


@main.command()
@_data_dir
@click.option("--village", default=None, help="Only this village.")
@_errors_to_exit_codes
def periods(data_dir: str | None, village: str | None) -> None:
    """List the periods that have data."""
    from .load import list_periods, list_villages

    root = config.resolve_data_dir(data_dir)
    for v in [village] if village else list_villages(root):
        for p in list_periods(root, v):
            click.echo(f"{v}\t{p.code}\t{p.label('zh')}\t{p.label('en')}")


@main.command()
@click.option("--village", required=True, help="Village id.")
@click.option("--period", required=True, help="Period code, or 'latest' / 'previous'.")
@_data_dir
@click.option("--output-dir", type=click.Path(file_okay=False), default="output", show_default=True,
              help="Where output/<village>/<period>/ is written.")
@_lang
@click.option("--formats", default="ipynb,html,pdf", show_default=True,
              help="Comma-separated subset of ipynb,html,pdf.")
@click.option("--notebook", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Report notebook (default: notebooks/period_report.ipynb).")
@_errors_to_exit_codes
def run(village: str, period: str, data_dir: str | None, output_dir: str, lang: str, formats: str,
        notebook: str | None) -> None:
    """Run the period report: executed notebook, HTML, A4 PDF, indicators.csv, manifest.json.

    --period latest takes the newest period with data; --period previous the last complete period
    before today of the same kind (for scheduled runs).
    """
    from .run import run_report

    result = run_report(village, period, data_dir=config.resolve_data_dir(data_dir), output_dir=output_dir,
                        lang=lang, formats=[f.strip() for f in formats.split(",") if f.strip()],
                        notebook=notebook)
    for kind, path in result.files.items():
        click.echo(f"{kind:<9}{path}")
    ctx = click.get_current_context()
    if ctx.obj and ctx.obj.get("fast_exit"):
        _exit_now()


@main.command("run-all")
@click.option("--village", "villages", multiple=True, help="A village id (repeat it); default: every village.")
@click.option("--period", required=True, help="Period code, or 'latest' / 'previous' (resolved per village).")
@_data_dir
@click.option("--output-dir", type=click.Path(file_okay=False), default="output", show_default=True)
@_lang
@click.option("--formats", default="ipynb,html,pdf", show_default=True)
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Reports run at once, each in its own process (default: half the cores; one report "
                   "already keeps two cores busy, its kernel and the exports).")
@_errors_to_exit_codes
def run_all(villages: tuple[str, ...], period: str, data_dir: str | None, output_dir: str, lang: str,
            formats: str, jobs: int | None) -> None:
    """Run the period report for many villages (a county's scheduled job).

    Prints one line per village; exits 2 if any had bad input, else 1 if any failed, else 0.
    """
    from .load import check_village_id, list_villages
    from .run import run_batch

    import os

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


def _exit_now() -> None:
    """Leave at once after a completed run: every file is written and closed, the kernel is shut down,
    and output is flushed. Tearing down the interpreter's ~1,500 imported modules would add about
    0.3 s (measured) that a user or a scheduled job only waits for."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    if os.environ.get("VILLAGE_STATS_NO_FAST_EXIT"):
        return
    os._exit(0)


@main.command()
@click.option("--write", "target", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Replace the block between <!-- codebook:start --> and <!-- codebook:end --> in this file.")
def codebook(target: str | None) -> None:
    """Print the data codebook (the generated part of data/README.md), or write it into a file."""
    from pathlib import Path

    from .schema import codebook_markdown

    text = codebook_markdown()
    if target is None:
        click.echo(text, nl=False)
        return
    path = Path(target)
    doc = path.read_text(encoding="utf-8")
    start, end = "<!-- codebook:start -->\n", "<!-- codebook:end -->"
    if start not in doc or end not in doc:
        raise click.UsageError(f"{target} has no codebook markers")
    head, rest = doc.split(start, 1)
    path.write_text(head + start + text + rest[rest.index(end):], encoding="utf-8")
    click.echo(f"updated {target}")


def entry_point() -> None:
    """The ``village-stats`` console script.

    A short-lived command: the cyclic garbage collector is switched off (reference counting still frees
    memory; importing pandas, papermill and WeasyPrint ran 25% faster without its passes, measured),
    and a finished ``run`` exits without interpreter teardown.
    """
    import gc

    gc.disable()
    main(obj={"fast_exit": True})


if __name__ == "__main__":  # pragma: no cover
    entry_point()
