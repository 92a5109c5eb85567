"""Reruns that skip what has not changed (``--changed-only``): is a published report still up to date?

A report is up to date when its published manifest records, for the request asked now: the same report
kind and notebook parameters, every format asked, the same package versions and source commit, the same
notebook (sha256), every input file it read with the same sha256, and the same *listing* — the names of
every file the report could read (the data root's ``policy/``, the village's ``village.yaml`` and its
periods up to the report's; for a county report every village). The listing catches a file added (a
register dropped into a period folder, an earlier period filled in later) that the old run never read;
it is made from folder listings only, so checking it opens no input file. A period added *after* the
report's period changes nothing.

Only reports whose output folder follows from the request alone (period and county reports) can be
skipped; a trends report always runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from .. import config
from ..export import check_formats
from ..labels import DEFAULT_LANG
from ..load import list_villages
from ..manifest import git_commit
from ..outputs import RUNS, Publication, runs_folder
from ..periods import is_period_code, parse_period
from ..policy import POLICY_FOLDER
from ..request import Request


def manifest_name(lang: str) -> str:
    """The manifest's file name (the default language has no suffix, as every output)."""
    return "manifest.json" if lang == DEFAULT_LANG else f"manifest.{lang}.json"


def output_folder(request: Request) -> tuple[str, ...] | None:
    """The output sub-folder a request publishes into, when it follows from the request alone."""
    if request.kind == "period":
        return (request.village, request.period.code)
    if request.kind == "county":
        code = request.period.code
        return ("county", request.township, code) if request.township else ("county", code)
    return None


def _files(folder: Path, root: Path) -> list[str]:
    """Every non-hidden file under ``folder``, relative to ``root`` (POSIX), sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out += [Path(dirpath, f).relative_to(root).as_posix() for f in filenames if not f.startswith(".")]
    return sorted(out)


def input_listing(request: Request) -> list[str]:
    """The names of every file a report of ``request`` could read (see the module docstring)."""
    root = Path(request.data_dir)
    names = _files(root / POLICY_FOLDER, root)
    villages = [request.village] if request.village else list_villages(root)
    until = request.period.start if request.period is not None else None
    for v in villages:
        folder = root / v
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.name.startswith("."):
                continue
            code = p.name if p.is_dir() else p.name.partition(".")[0]
            if until is not None and is_period_code(code) and parse_period(code).start > until:
                continue  # a later period: never read by this report
            names += _files(p, root) if p.is_dir() else [p.relative_to(root).as_posix()]
    return names


def listing_digest(request: Request) -> str:
    """sha256 of :func:`input_listing` (recorded in the manifest as ``listing_sha256``)."""
    return hashlib.sha256("\n".join(input_listing(request)).encode()).hexdigest()


def file_digest(path: str | Path) -> str | None:
    """sha256 of a file, None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def rerun_key(request: Request, notebook: Path) -> dict[str, str | None]:
    """What a run adds to its manifest so a later ``--changed-only`` can compare: the notebook's sha256
    and the digest of the input listing."""
    return {"notebook_sha256": file_digest(notebook), "listing_sha256": listing_digest(request)}


@functools.cache
def _versions() -> tuple[dict, str | None]:
    return config.package_versions(), git_commit()


def unchanged(request: Request, *, output_dir: str | Path, formats, notebook: str | Path | None = None,
              ) -> Path | None:
    """The published output folder of ``request`` if it is up to date (nothing to rerun), else None."""
    from .kinds import REPORTS

    folder = output_folder(request)
    if folder is None:
        return None
    final = Path(output_dir).joinpath(*folder)
    try:
        manifest = json.loads((final / manifest_name(request.lang)).read_text(encoding="utf-8"))
        formats = check_formats(formats)
    except (OSError, ValueError):
        return None
    notebook = Path(notebook) if notebook is not None else config.notebook_path(REPORTS[request.kind].notebook)
    versions, commit = _versions()
    same = (manifest.get("report") == request.kind and manifest.get("parameters") == request.parameters()
            and set(formats) <= set(manifest.get("formats", ())) and manifest.get("versions") == versions
            and manifest.get("git_commit") == commit and manifest.get("notebook") == notebook.name
            and manifest.get("listing_sha256") == listing_digest(request)
            and manifest.get("notebook_sha256") == file_digest(notebook))
    if not same:
        return None
    root = Path(request.data_dir)
    for entry in manifest.get("inputs", ()):
        if file_digest(root / entry["path"]) != entry["sha256"]:  # an absolute path stays absolute
            return None
    if not all((final / entry["path"]).is_file() for entry in manifest.get("outputs", ())):
        return None
    return final


def sweep(final: Path) -> None:
    """Remove what killed runs of ``final`` left beside its published run (unpublished run folders), under
    the village-period's lock; a no-op when there is nothing, or when a run holds the lock."""
    from ..outputs import OutputBusy

    runs = runs_folder(final)
    try:
        published = final.resolve() if final.is_symlink() else None
        left = [p for p in runs.iterdir() if p.resolve() != published] if runs.is_dir() else []
    except OSError:
        return
    if not left:
        return
    publication = Publication(final)
    try:
        publication.begin()   # locks and removes what killed runs left
    except (OutputBusy, OSError):
        return
    publication.abort()


def sweep_village(output_dir: Path, village: str) -> None:
    """:func:`sweep` every period of one village (after a batch was stopped while it ran)."""
    runs = Path(output_dir) / RUNS / village
    if runs.is_dir():
        for p in sorted(runs.iterdir()):
            sweep(Path(output_dir) / village / p.name)
