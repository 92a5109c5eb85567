"""Paths the package uses by default, all derived from the project root or the working directory."""

from __future__ import annotations

import os
from pathlib import Path

#: The folder that holds this package (``village_stats/``).
PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository root when the package is used from a source checkout (editable install).
PROJECT_ROOT = PACKAGE_DIR.parent
#: Environment variable that names the data folder (overrides the defaults below).
DATA_ENV = "VILLAGE_STATS_DATA"


def default_data_dir() -> Path:
    """The data folder used when none is given.

    Order: ``$VILLAGE_STATS_DATA``; ``./data`` if it exists; the source checkout's ``data/``.
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    here = Path.cwd() / "data"
    if here.is_dir():
        return here
    return PROJECT_ROOT / "data"


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """``data_dir`` as a Path, or :func:`default_data_dir` when it is empty or None."""
    if data_dir is None or str(data_dir) == "":
        return default_data_dir()
    return Path(data_dir)


def default_output_dir() -> Path:
    """``./output`` (the run command's default)."""
    return Path.cwd() / "output"


def notebook_path(name: str = "period_report.ipynb") -> Path:
    """A notebook of the project (``notebooks/`` in the source checkout)."""
    return PROJECT_ROOT / "notebooks" / name


#: Packages whose versions a report records.
RECORDED_PACKAGES = ("village-stats", "pandas", "numpy", "matplotlib", "papermill", "nbconvert", "nbclient",
                     "typst", "python-calamine", "mplfonts")


def package_versions() -> dict[str, str]:
    """Python's and the recorded packages' versions (``"not installed"`` when absent)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
