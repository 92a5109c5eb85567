"""``village-stats``: the command line. Arguments in, exit codes out (2 bad input, 1 failure).

The shared pieces live in :mod:`village_stats.cli.common`; the commands in one module per group, which
this package imports to register them on :data:`main`.
"""

from __future__ import annotations

from . import check, county, data, excel, panel, reports, site  # noqa: F401  (importing them registers the commands)
from .common import errors_to_exit_codes, main

__all__ = ["main", "errors_to_exit_codes", "entry_point"]


def entry_point() -> None:
    """The ``village-stats`` console script."""
    main()
