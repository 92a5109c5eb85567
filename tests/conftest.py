from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED = ROOT.parent / "shared" / "seed" / "000_3e56992bb94bfaa7.txt"


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file below folder (to prove a run modified nothing)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def suoluoyu(data_dir):
    from village_stats.load import load_period

    return load_period("suoluoyu", "2017H1", data_dir)


@pytest.fixture(scope="session")
def sheet(suoluoyu):
    from village_stats.indicators import indicator_sheet

    return indicator_sheet(suoluoyu)
