"""Atomic publication of an output folder (village_stats.outputs): old or new, whole, never neither."""

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from village_stats.outputs import OutputBusy, Publication, clean_stale_kernel_dirs, runs_folder

FILES = ("report.ipynb", "report.html", "indicators.csv", "manifest.json")


@contextlib.contextmanager
def publishing(final: Path, wait_seconds: float = 0.0):
    """As a run uses :class:`Publication`: begin, write, then commit, or abort on any exception."""
    pub = Publication(final, wait_seconds=wait_seconds)
    tmp = pub.begin()
    try:
        yield tmp
    except BaseException:
        pub.abort()
        raise
    pub.commit()


def write_run(folder: Path, run_id: str) -> None:
    for name in FILES[:-1]:
        (folder / name).write_text(run_id * 1000, encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"run": run_id}), encoding="utf-8")


def whole_run(final: Path) -> str | None:
    """The run id if ``final`` holds one complete run (every file, all from the same run), else None."""
    if not final.is_dir():
        return None
    names = sorted(p.name for p in final.iterdir())
    if names != sorted(FILES):
        return None
    run = json.loads((final / "manifest.json").read_text(encoding="utf-8"))["run"]
    ok = all((final / n).read_text(encoding="utf-8") == run * 1000 for n in FILES[:-1])
    return run if ok else None


def leftovers(parent: Path, period: str = "2017H1") -> list[str]:
    """Everything beside the published outputs (the link and the one run folder it points at)."""
    out = [p.name for p in parent.iterdir() if p.name != period]
    runs = runs_folder(parent / period)
    if runs.is_dir():
        live = (parent / period).resolve()
        out += [f"runs/{p.name}" for p in runs.iterdir() if p.resolve() != live]
    return out


def test_publish_replaces_old_by_new(tmp_path):
    final = tmp_path / "v" / "2017H1"
    with publishing(final) as tmp:
        write_run(tmp, "a")
    assert whole_run(final) == "a"
    with publishing(final) as tmp:
        write_run(tmp, "b")
    assert whole_run(final) == "b"
    assert leftovers(final.parent) == []


def test_failed_run_keeps_the_old_outputs(tmp_path):
    final = tmp_path / "v" / "2017H1"
    with publishing(final) as tmp:
        write_run(tmp, "a")
    with pytest.raises(ZeroDivisionError), publishing(final) as tmp:
        write_run(tmp, "b")
        1 / 0  # noqa: B018
    assert whole_run(final) == "a"
    assert leftovers(final.parent) == []


def test_second_concurrent_run_fails_with_one_line(tmp_path):
    final = tmp_path / "v" / "2017H1"
    first = Publication(final)
    first.begin()
    with pytest.raises(OutputBusy) as info:
        Publication(final).begin()
    assert "another run of this village and period" in str(info.value)
    assert "\n" not in str(info.value)
    first.abort()
    second = Publication(final)  # the lock is free again
    write_run(second.begin(), "c")
    second.commit()
    assert whole_run(final) == "c"


def test_a_real_folder_at_final_is_moved_aside(tmp_path):
    """A first run that failed keeps its notebook in a real folder final/failed/; the next run publishes."""
    parent = tmp_path / "v"
    final = parent / "2017H1"
    (final / "failed").mkdir(parents=True)
    (final / "failed" / "report.ipynb").write_text("{}", encoding="utf-8")
    (parent / ".2017H1.link-1234abcd").symlink_to("nowhere")  # a link a killed run left
    (parent / "2017H2").mkdir()                               # another period: never touched
    with publishing(final) as tmp:
        write_run(tmp, "new")
    assert whole_run(final) == "new"
    assert final.is_symlink()
    assert leftovers(parent) == ["2017H2"]
    assert (tmp_path / ".village-stats-runs" / "v" / "2017H1").is_dir()


def test_missing_final_is_repaired_from_the_newest_complete_run(tmp_path):
    """A kill while a former-layout folder was being moved aside: the next run republishes it."""
    final = tmp_path / "v" / "2017H1"
    with publishing(final) as tmp:
        write_run(tmp, "a")
    target = final.resolve()
    final.unlink()
    pub = Publication(final)
    pub.begin()
    assert whole_run(final) == "a" and final.resolve() == target
    pub.abort()


WRITER = r"""
import json, sys, time
from pathlib import Path
from village_stats.outputs import Publication
final, run = Path(sys.argv[1]), sys.argv[2]
pub = Publication(final, wait_seconds=30)
tmp = pub.begin()
for name in ("report.ipynb", "report.html", "indicators.csv"):
    (tmp / name).write_text(run * 1000, encoding="utf-8")
    time.sleep(0.01)
(tmp / "manifest.json").write_text(json.dumps({"run": run}), encoding="utf-8")
pub.commit()
"""


def test_sigkill_at_random_instants_leaves_old_or_new(tmp_path):
    """SIGKILL a publishing process at 24 random instants: old or new outputs, whole; no leftovers later."""
    final = tmp_path / "v" / "2017H1"
    durations = []
    for _ in range(2):  # how long a whole run takes on this machine now: kills spread over 0-1.5 of it
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", WRITER, str(final), "r0"], check=True)
        durations.append(time.perf_counter() - start)
    full = max(durations)
    rng = random.Random(20170630)
    previous = "r0"
    outcomes = {"old": 0, "new": 0}
    for k in range(1, 25):
        run = f"r{k}"
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(final), run])
        time.sleep(rng.uniform(0.0, 1.5 * full))  # before, during and after the writing and the swap
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = whole_run(final)
        assert found in (previous, run), f"kill {k}: neither the old nor the new outputs are whole"
        outcomes["old" if found == previous else "new"] += 1
        previous = found
    subprocess.run([sys.executable, "-c", WRITER, str(final), "last"], check=True)
    assert whole_run(final) == "last"
    assert leftovers(final.parent) == []
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes  # kills landed before and after the swap


def test_stale_kernel_socket_folders_are_removed(tmp_path):
    gone = tmp_path / "village-stats-kernel-gone"
    gone.mkdir()
    (gone / "kernel-1").write_text("", encoding="utf-8")
    live = tmp_path / "village-stats-kernel-live"
    live.mkdir()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(live / "kernel-1"))
    server.listen(1)
    young = tmp_path / "village-stats-kernel-young"
    young.mkdir()
    old = time.time() - 3600
    for d in (gone, live):
        os.utime(d, (old, old))
    try:
        assert clean_stale_kernel_dirs(tmp_path) == 1
    finally:
        server.close()
    assert not gone.exists() and live.exists() and young.exists()
