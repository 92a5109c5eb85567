"""What every command module shares: the ``main`` group, the error-to-exit-code wrapper, common options
and the one output path of printing commands (:func:`emit`).

The command modules import from here, and ``village_stats.cli`` imports them to register their commands,
so the package has no import circle.
"""

from __future__ import annotations

import errno
import functools
import json
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import pandas as pd

from ..errors import DataError, ReportError, shorten
from ..labels import MESSAGES, message_lang, say
from ..labels import METAVARS_ZH as _METAVARS_ZH  # click's metavars in Chinese


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
        except BrokenPipeError:
            silence_stdout()  # the reader of our output has gone (``| head``): a silent success
            sys.exit(0)
        except DataError as exc:
            _fail(exc, say("msg_error", _lang()) + exc.localized(_lang()), 2)
        except ReportError as exc:
            _fail(exc, say("msg_error", _lang()) + str(exc), 1)
        except KeyboardInterrupt as exc:
            _fail(exc, say("msg_error", _lang()) + say("msg_interrupted", _lang()), 1)
        except OSError as exc:
            where = f" {shorten(exc.filename, 200)}" if exc.filename else ""
            _fail(exc, say("msg_error", _lang()) + say("msg_cannot_rw", _lang(), where=where,
                                                     reason=os_reason(exc, _lang())),
                  2 if exc.errno in BAD_PATH_ERRNOS else 1)
        except MemoryError as exc:
            _fail(exc, say("msg_error", _lang()) + say("msg_out_of_memory", _lang()), 1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, exit 1
            inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
            if inner is not None:  # a library's wrapper of an OSError (xlsxwriter's FileCreateError)
                name = inner.filename or getattr(exc, "filename", None)
                where = f" {shorten(name, 200)}" if name else ""
                _fail(exc, say("msg_error", _lang()) + say("msg_cannot_rw", _lang(), where=where,
                                                         reason=os_reason(inner, _lang())),
                      2 if inner.errno in BAD_PATH_ERRNOS else 1)
            _fail(exc, say("msg_error", _lang()) + say("msg_unexpected", _lang(), name=type(exc).__name__), 1)

    return wrapper


#: OS errors caused by a path the user gave (a name too long, a file where a folder should be): bad input.
BAD_PATH_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.ELOOP})


def os_reason(exc: OSError, lang: str) -> str:
    """Why an OS call failed, in the user's language for the common cases (else the system's words)."""
    key = f"msg_errno_{errno.errorcode.get(exc.errno or 0, '')}"
    return say(key, lang) if key in MESSAGES else (exc.strerror or type(exc).__name__)


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


def silence_stdout() -> None:
    """Point standard output at /dev/null after a broken pipe, so that the flush at exit finds no closed pipe
    (Python would print "Exception ignored ... BrokenPipeError" and exit 120)."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test runner's buffer)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _args_lang(args) -> str:
    """The language of a message printed before any command runs: ``--lang en`` among the arguments, else
    ``$VILLAGE_STATS_LANG``, else Chinese."""
    args = list(args or sys.argv[1:])
    given = None
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            given = args[i + 1]
        elif str(a).startswith("--lang="):
            given = str(a).partition("=")[2]
    return message_lang(given if given in ("zh", "en") else None)


class Main(click.Group):
    """The ``village-stats`` group: a usage error (unknown option, missing value, bad choice) is one line in
    the user's language with exit 2, not click's usage block; a broken pipe is a silent success (exit 0),
    also when it shows only at the final flush."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()
            sys.exit(0)
        except click.UsageError as exc:
            lang = _args_lang(args)
            click.echo(_one_line(say("msg_error", lang) + say("msg_usage", lang, detail=exc.format_message())),
                       err=True)
            sys.exit(2)
        except click.ClickException as exc:
            lang = _args_lang(args)
            click.echo(_one_line(say("msg_error", lang) + exc.format_message()), err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            lang = _args_lang(args)
            click.echo(say("msg_error", lang) + say("msg_interrupted", lang), err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                         help="Data folder (default: ./data, else the project's data/).")
lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="Language of labels.")


def help_lang(ctx: click.Context | None) -> str:
    """The language of ``--help``: ``--lang`` among the command line's words (help is printed before
    options are read), else ``$VILLAGE_STATS_LANG``, else Chinese."""
    words: list[str] = []
    while ctx is not None:
        words = list(ctx.meta.get("village_stats.args", [])) + words
        ctx = ctx.parent
    explicit = None
    for i, w in enumerate(words):
        if w == "--lang" and i + 1 < len(words):
            explicit = words[i + 1]
        elif w.startswith("--lang="):
            explicit = w.split("=", 1)[1]
    return message_lang(explicit)




def _zh_record(record: tuple[str, str]) -> tuple[str, str]:
    """An option's help row in Chinese: metavars and click's [default: …] / [required] in Chinese."""
    import re

    from ..labels import HELP_ZH

    left, right = record
    for en, zh in _METAVARS_ZH:
        left = re.sub(rf"\b{en}\b", zh, left)
    m = re.match(r"(.*?)(\s*\[[^\]]*\])?$", right, flags=re.S)
    text, extra = (m.group(1), m.group(2) or "") if m else (right, "")
    text = HELP_ZH.get(text.strip()) or _village_field_zh(text.strip()) or text
    extra = extra.replace("default: ", say("cli_default", "zh")).replace("required", say("cli_required", "zh"))
    return left, text + extra


def _village_field_zh(text: str) -> str | None:
    """new-village's help of a village.yaml key (the codebook's meaning) in Chinese."""
    from ..labels import VILLAGE_FIELDS_ZH
    from ..schema import VILLAGE_FIELDS

    suffix = " (required in the file)"
    required = text.endswith(suffix)
    meaning = text.removesuffix(suffix)
    for key, en, _ in VILLAGE_FIELDS:
        if en == meaning and key in VILLAGE_FIELDS_ZH:
            return VILLAGE_FIELDS_ZH[key] + (say("cli_required_in_file", "zh") if required else "")
    return None


class LocalizedCommand(click.Command):
    """A command whose ``--help`` speaks the user's language (:func:`help_lang`): Chinese from
    :data:`village_stats.labels.HELP_ZH`, English as written."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["village_stats.args"] = list(args)
        return super().parse_args(ctx, args)

    def _zh(self, ctx: click.Context) -> bool:
        return help_lang(ctx) == "zh"

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self._zh(ctx):
            return super().format_usage(ctx, formatter)
        pieces = " ".join(self.collect_usage_pieces(ctx))
        for en, zh in _METAVARS_ZH:
            pieces = pieces.replace(en, zh)
        formatter.write_usage(ctx.command_path, pieces, prefix=say("cli_usage", "zh") + " ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ..labels import HELP_ZH

        name = "main" if ctx.parent is None else self.name
        if not self._zh(ctx) or f"cmd:{name}" not in HELP_ZH:
            return super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            for i, para in enumerate(HELP_ZH[f"cmd:{name}"].split("\n\n")):
                if i:
                    formatter.write_paragraph()
                formatter.write_text(para)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self._zh(ctx):
            return super().format_options(ctx, formatter)
        rows = [r for p in self.get_params(ctx) if (r := p.get_help_record(ctx)) is not None]
        if rows:
            with formatter.section(say("cli_options", "zh")):
                formatter.write_dl([_zh_record(r) for r in rows])
        self._format_commands(ctx, formatter)

    def _format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Nothing for a command; a group lists its commands."""

    def get_short_help_str(self, limit: int = 45) -> str:
        from ..labels import HELP_ZH

        ctx = click.get_current_context(silent=True)
        if ctx is not None and help_lang(ctx) == "zh" and f"cmd:{self.name}" in HELP_ZH:
            first = HELP_ZH[f"cmd:{self.name}"].split("\n")[0]
            return first if len(first) <= limit else first[:limit - 1] + "…"
        return super().get_short_help_str(limit)


class LocalizedGroup(LocalizedCommand, click.Group):
    """The main group: localized help (:class:`LocalizedCommand`), its commands localized too."""

    command_class = LocalizedCommand

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self._zh(ctx):
            return click.Group.format_options(self, ctx, formatter)
        super().format_options(ctx, formatter)

    def _format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=40)))
        if rows:
            with formatter.section(say("cli_commands", "zh")):
                formatter.write_dl(rows)


class MainGroup(Main, LocalizedGroup):
    """``village-stats``: one-line usage errors and a silent broken pipe (:class:`Main`), help in the
    user's language (:class:`LocalizedGroup`)."""


@click.group(cls=MainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="village-stats")
@click.option("--debug", is_flag=True, default=False, help="On failure, print the traceback too.")
def main(debug: bool) -> None:
    """Reports for village poverty-alleviation work teams."""


def emit(frame: pd.DataFrame, fmt: str, table_lines, *, output: str | None = None, tables=None,
          header: str = "", lang: str = "zh", data_roots=()) -> None:
    """Print ``frame`` as CSV (no BOM, for pipes), JSON records or the ``table_lines()`` a command gives, or write
    a workbook of ``tables`` (``--format xlsx --output FILE``, never inside one of ``data_roots``): the one
    output path of every printing command."""
    if fmt == "xlsx":
        from ..export.xlsx import write_tables
        from ..places import check_output_file

        check_output_file(output, data_roots)

        click.echo(say("cli_wrote", lang, path=write_tables(output, tables, header, lang)))
    elif fmt == "csv":
        from ..export.csv import csv_text

        click.echo(csv_text(frame), nl=False)
    elif fmt == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        for line in table_lines():
            click.echo(line)
