"""``village-stats``: the command line. Arguments in, exit codes out (2 bad input, 1 failure)."""

from __future__ import annotations

import functools
import sys

import click

from ..errors import DataError, ReportError


def errors_to_exit_codes(fn):
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


data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                         help="Data folder (default: ./data, else the project's data/).")
lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="Language of labels.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="village-stats")
def main() -> None:
    """Reports for village poverty-alleviation work teams."""


# The commands live in modules of their own; importing them registers them on ``main``.
from . import county, data, excel, panel, reports  # noqa: E402, F401


def entry_point() -> None:
    """The ``village-stats`` console script."""
    main()


if __name__ == "__main__":  # pragma: no cover
    entry_point()
