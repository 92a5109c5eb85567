from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
#: Sentences quoted from the seed, the team's 2017 H1 work summary (晋中市财政局驻昔阳县赵壁乡梭罗峪村帮扶工作队
#: 2017年上半年度工作总结, section 四(一)): the tests check the data against these, not against a file outside
#: the repository.
SEED_QUOTES = (
    "梭罗峪全村农业户176户，其中贫困户86户，占比达到49%；全村农业人口410人，其中贫困人口196人，"
    "贫困人口占全村农业人口的47.8%。",
)


def with_policy(root: Path) -> Path:
    """Give a data root made by a test the project's policy tables (every data root carries its own
    ``policy/``: nothing falls back to the project's data/)."""
    import shutil

    shutil.copytree(DATA / "policy", Path(root) / "policy", dirs_exist_ok=True)
    return Path(root)


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file below folder (to prove a run modified nothing), following the symlink a
    published output folder is (``output/<village>/<period>`` → its run folder)."""
    import os

    out = {}
    for root, _, files in os.walk(folder, followlinks=True):
        for name in files:
            p = Path(root) / name
            if p.is_file():
                out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def suoluoyu(data_dir):
    from village_stats.load import load_period

    return load_period("suoluoyu", "2017H1", data_dir)


@pytest.fixture(scope="session")
def sheet(suoluoyu):
    from village_stats.evaluate import indicator_sheet

    return indicator_sheet(suoluoyu)


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Tests read the command line's messages in English (VILLAGE_STATS_LANG=en); tests of the Chinese
    messages set it themselves. Report language is not affected (reports follow --lang, Chinese by default)."""
    monkeypatch.setenv("VILLAGE_STATS_LANG", "en")
