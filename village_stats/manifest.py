"""Provenance of a run: input and output digests, the source tree's commit, package versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import config


def file_digests(paths, root: str | Path | None = None) -> list[tuple[str, str]]:
    """``(path, sha256)`` of each file, paths relative to ``root`` when given (POSIX separators)."""
    out = []
    for p in paths:
        p = Path(p)
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        name = p.relative_to(root).as_posix() if root is not None and p.is_relative_to(root) else p.as_posix()
        out.append((name, digest))
    return out


def git_commit(root: Path = config.PROJECT_ROOT) -> str | None:
    """The checked-out commit of the source tree, read from .git without running git (None outside a checkout)."""
    head = root / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if not ref.startswith("ref: "):
            return ref
        name = ref[5:]
        loose = root / ".git" / name
        if loose.is_file():
            return loose.read_text().strip()
        packed = root / ".git" / "packed-refs"
        for line in packed.read_text().splitlines():
            if line.endswith(" " + name):
                return line.split()[0]
    except OSError:
        return None
    return None


def build_manifest(*, kind: str, parameters: dict, formats, notebook: str, inputs: dict[str, str],
                   outputs: list[Path], output_root: Path, started_at: str, seconds: dict[str, float]) -> dict:
    """The manifest of a run (``manifest.json``): everything needed to reproduce and check it.

    ``inputs`` are the digests of exactly the bytes the run read (path relative to the data root → sha256,
    :meth:`village_stats.load.Source.digests`): no input file is opened again here.
    """
    return {
        "report": kind,
        "parameters": parameters,
        "formats": list(formats),
        "notebook": notebook,
        "inputs": [{"path": p, "sha256": h} for p, h in sorted(inputs.items())],
        "outputs": [{"path": p, "sha256": h} for p, h in file_digests(outputs, output_root)],
        "versions": config.package_versions(),
        "git_commit": git_commit(),
        "started_at": started_at,
        "seconds": dict(seconds, total=round(sum(seconds.values()), 3)),
    }
