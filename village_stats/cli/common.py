"""What every command module shares: the ``main`` group, the error-to-exit-code wrapper, common options
and the one output path of printing commands (:func:`emit`).

The command modules import from here, and ``village_stats.cli`` imports them to register their commands,
so the package has no import circle.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import pandas as pd

from ..errors import DataError, ReportError, shorten
from ..labels import message_lang, say


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


def _one_line(text: str) -> str:
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


def errors_to_exit_codes(fn):
    """Every failure of a command as one line on stderr: exit 2 for bad input, 1 for anything else.

    ``DataError`` (bad input) → 2; ``ReportError``, ``OSError`` and any unexpected exception → 1. The
    line never quotes an unexpected exception's text (it might hold a value from the data); the main
    group's ``--debug`` prints the traceback instead.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except DataError as exc:
            _fail(exc, say("msg_error", _lang()) + exc.localized(_lang()), 2)
        except ReportError as exc:
            _fail(exc, say("msg_error", _lang()) + str(exc), 1)
        except KeyboardInterrupt as exc:
            _fail(exc, say("msg_error", _lang()) + say("msg_interrupted", _lang()), 1)
        except OSError as exc:
            where = f" {shorten(exc.filename, 200)}" if exc.filename else ""
            _fail(exc, say("msg_error", _lang()) + say("msg_cannot_rw", _lang(), where=where,
                                                     reason=exc.strerror or type(exc).__name__), 1)
        except MemoryError as exc:
            _fail(exc, say("msg_error", _lang()) + say("msg_out_of_memory", _lang()), 1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, exit 1
            _fail(exc, say("msg_error", _lang()) + say("msg_unexpected", _lang(), name=type(exc).__name__), 1)

    return wrapper


def _lang() -> str:
    """The language of messages: the command's ``--lang`` when given on the command line, else
    ``$VILLAGE_STATS_LANG``, else Chinese (:func:`village_stats.labels.message_lang`)."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    explicit = None
    if ctx is not None and "lang" in ctx.params and ctx.get_parameter_source("lang") == ParameterSource.COMMANDLINE:
        explicit = ctx.params["lang"]
    return message_lang(explicit)


def _fail(exc: BaseException, line: str, code: int) -> None:
    if _debug():
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(_one_line(line), err=True)
    sys.exit(code)


data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                         help="Data folder (default: ./data, else the project's data/).")
lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="Language of labels.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="village-stats")
@click.option("--debug", is_flag=True, default=False, help="On failure, print the traceback too.")
def main(debug: bool) -> None:
    """Reports for village poverty-alleviation work teams."""


def emit(frame: pd.DataFrame, fmt: str, table_lines, *, output: str | None = None, tables=None,
          header: str = "", lang: str = "zh") -> None:
    """Print ``frame`` as CSV (no BOM, for pipes), JSON records or the ``table_lines()`` a command gives, or write
    a workbook of ``tables`` (``--format xlsx --output FILE``): the one output path of every printing command."""
    if fmt == "xlsx":
        from ..export.xlsx import write_tables

        click.echo(f"wrote {write_tables(output, tables, header, lang)}")
    elif fmt == "csv":
        from ..export.csv import csv_text

        click.echo(csv_text(frame), nl=False)
    elif fmt == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        for line in table_lines():
            click.echo(line)
