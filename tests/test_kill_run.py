"""SIGKILL real ``village-stats run`` processes at random instants (``make fuzz`` only: about 2 minutes).

After every kill, ``output/<village>/<period>`` holds either the previous run or a new one, whole (every
file the manifest lists, with its digest); after the next run nothing else is left beside it.
Runs only with VILLAGE_STATS_FUZZ_KILL=1.
"""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from village_stats.outputs import clean_stale_kernel_dirs, runs_folder

from .conftest import DATA

pytestmark = pytest.mark.skipif(os.environ.get("VILLAGE_STATS_FUZZ_KILL") != "1",
                                reason="make fuzz only (VILLAGE_STATS_FUZZ_KILL=1)")
KILLS = 22
EXE = str(Path(sys.executable).parent / "village-stats")


def whole(final: Path) -> str | None:
    """The run folder ``final`` shows, if every file its manifest lists is there with its digest."""
    try:
        manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for entry in manifest["outputs"]:
        p = final / entry["path"]
        if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != entry["sha256"]:
            return None
    return str(final.resolve())


def run_args(out: Path) -> list[str]:
    return [EXE, "run", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(DATA),
            "--output-dir", str(out), "--formats", "ipynb"]


def test_sigkill_real_runs(tmp_path):
    out = tmp_path / "out"
    final = out / "suoluoyu" / "2017H1"
    private = tmp_path / "tmp"  # the runs' temp dir: their kernel socket folders, apart from anyone else's
    private.mkdir()
    env = dict(os.environ, TMPDIR=str(private))
    start = time.perf_counter()
    subprocess.run(run_args(out), check=True, capture_output=True, env=env)
    full = time.perf_counter() - start
    previous = whole(final)
    assert previous is not None
    rng = random.Random(2017)
    outcomes = {"old": 0, "new": 0}
    for k in range(KILLS):
        proc = subprocess.Popen(run_args(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, env=env)
        time.sleep(rng.uniform(0.0, 1.3 * full))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = whole(final)
        assert found is not None, f"kill {k}: no whole outputs at {final}"
        outcomes["new" if found != previous else "old"] += 1
        previous = found
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the orphaned kernel of the killed run, if still there
        except ProcessLookupError:
            pass
    result = subprocess.run(run_args(out), capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert whole(final) is not None
    assert [p.name for p in final.parent.iterdir()] == ["2017H1"]
    assert [p.resolve() for p in runs_folder(final).iterdir()] == [final.resolve()]
    time.sleep(3)  # a killed run's kernel notices its parent is gone within a second, then exits
    killed = len(list(private.glob("village-stats-kernel-*")))
    clean_stale_kernel_dirs(private, grace_seconds=2)  # what the next run does once the grace period has passed
    left = list(private.glob("village-stats-kernel-*"))
    assert not left, f"{len(left)} kernel socket folders of killed runs left"
    print(f"kernel socket folders left by killed runs: {killed}, removed")
    print(f"\n{KILLS} kills over 0-{1.3 * full:.1f} s (a run takes {full:.1f} s): {outcomes}")
    assert outcomes["old"] > 0
