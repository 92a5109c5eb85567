"""The PDF's font folder (a folder holding only the link to the SC font, so Typst loads no other face) is one
per user in the cache folder, shared by every run: before, each process made a temp folder and left it
behind (hundreds a day in /tmp on a machine running reports). A folder it cannot trust is never used.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

SHOW = "from village_stats.export.pdf import _font_dir, _fonts; _fonts(); print(_font_dir())"


def _font_dir_of_a_process(cache: Path, tmp: Path) -> Path:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache), "TMPDIR": str(tmp)}
    res = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    return Path(res.stdout.strip())


def test_every_process_shares_one_font_folder_and_leaves_no_temp_folder(tmp_path):
    from village_stats.display import fonts

    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    first = _font_dir_of_a_process(cache, tmp)
    second = _font_dir_of_a_process(cache, tmp)
    assert first == second and first.parent == cache / "village-stats"
    assert [p.name for p in first.iterdir()] == [fonts.FILE_NAME]
    assert os.readlink(first / fonts.FILE_NAME) == str(fonts.cjk_font_path())
    assert list((cache / "village-stats").iterdir()) == [first]     # no half-made folder left either
    assert list(tmp.iterdir()) == []


def test_a_folder_it_cannot_trust_is_not_used(tmp_path):
    from village_stats.display import fonts

    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    shared = _font_dir_of_a_process(cache, tmp)
    (shared / "other.otf").write_bytes(b"not a font of ours")      # a second face would be loaded
    used = _font_dir_of_a_process(cache, tmp)
    assert used != shared and used.parent == cache / "village-stats"
    assert not used.exists()                                          # private, removed when the process ended
    (shared / "other.otf").unlink()
    os.chmod(shared, 0o777)                                            # writable by anyone
    assert _font_dir_of_a_process(cache, tmp) != shared
    os.chmod(shared, 0o700)
    assert _font_dir_of_a_process(cache, tmp) == shared
    assert [p.name for p in shared.iterdir()] == [fonts.FILE_NAME]


def test_no_writable_cache_folder_means_a_private_temp_folder_removed_at_exit(tmp_path):
    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    cache.write_text("a file where the cache folder would be")
    used = _font_dir_of_a_process(cache, tmp)
    assert used.parent == tmp and not used.exists() and list(tmp.iterdir()) == []
