"""Stopping run-all: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) and SIGKILL of the
parent while a report is in flight, then a rerun with --changed-only that completes the rest.

Every process the batch starts (Dask workers, kernels) inherits an environment marker, so survivors are
found by walking /proc, whatever became of their parents. The batch's TMPDIR is private to each run, so
"no temp leftovers" means that folder is empty. ``make fuzz`` adds more instants (VILLAGE_STATS_FUZZ_KILL=1).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.notebook

COUNTY = ROOT / "examples" / "demo_county"
VILLAGES = ("beiwa", "nancha")
RUNS = ".village-stats-runs"


def marked(mark: str) -> list[int]:
    """Processes whose environment carries the marker (a batch's workers and kernels, orphaned or not)."""
    needle = f"VILLAGE_STATS_TEST_MARK={mark}".encode()
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if needle in (d / "environ").read_bytes().split(b"\0"):
                    found.append(int(d.name))
            except OSError:
                continue
    return found


def wait_until(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def launch(out: Path, tmp: Path, mark: str, *extra: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "village_stats.cli", "run-all", "--period", "2018H2", "--data-dir", str(COUNTY),
            "--output-dir", str(out), "--formats", "csv", "--jobs", "2", *extra]
    for v in VILLAGES:
        args += ["--village", v]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), "VILLAGE_STATS_TEST_MARK": mark,
           "VILLAGE_STATS_LANG": "en"}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def report_started(proc: subprocess.Popen, out: Path, timeout: float = 240) -> None:
    """Wait until a report is being written (fail at once, with its stderr, if run-all ended first)."""
    found = wait_until(lambda: in_flight(out) or proc.poll() is not None, timeout)
    if proc.poll() is not None:
        pytest.fail(f"run-all ended before a report started: {proc.returncode} {proc.communicate()[1][-2000:]}")
    assert found, "no report started"


def in_flight(out: Path) -> list[Path]:
    """Unpublished run folders: a report is being written."""
    return list((out / RUNS).glob("*/*/*.tmp")) if (out / RUNS).is_dir() else []


def whole(final: Path) -> bool:
    """``final`` is a published run with every file its manifest lists, digests matching."""
    try:
        manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all((final / e["path"]).is_file()
               and hashlib.sha256((final / e["path"]).read_bytes()).hexdigest() == e["sha256"]
               for e in manifest["outputs"])


def published(out: Path) -> set[str]:
    """Villages with a published 2018H2, each checked whole; nothing half-published anywhere."""
    done = set()
    for v in VILLAGES:
        final = out / v / "2018H2"
        if final.exists() or final.is_symlink():
            assert whole(final), f"{v}: half-published"
            done.add(v)
    return done


def stop(proc: subprocess.Popen, sig: int, *, group: bool) -> tuple[float, str]:
    sent = time.monotonic()
    (os.killpg if group else os.kill)(proc.pid, sig)
    _, err = proc.communicate(timeout=30)
    return time.monotonic() - sent, err


@pytest.fixture
def private(tmp_path):
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="vs-stop-", dir="/tmp"))  # short: kernels' socket paths live in it
    yield tmp_path / "out", tmp, uuid.uuid4().hex
    shutil.rmtree(tmp, ignore_errors=True)


def test_ctrl_c_then_sigkill_then_a_rerun_completes_the_rest(private):
    out, tmp, mark = private
    # 1. Ctrl-C (SIGINT to the process group) while the first reports are in flight
    proc = launch(out, tmp, mark)
    report_started(proc, out)
    seconds, err = stop(proc, signal.SIGINT, group=True)
    assert proc.returncode == 130 and seconds < 5, (proc.returncode, seconds, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("interrupted: ") and f"of {len(VILLAGES)}" in lines[0], err
    assert wait_until(lambda: marked(mark) == [], 2), f"a worker or kernel outlived run-all: {marked(mark)}"
    assert not in_flight(out), "an unpublished run folder was left"
    first = published(out)
    assert list(tmp.iterdir()) == [], f"temp leftovers: {[p.name for p in tmp.iterdir()]}"

    # 2. SIGKILL of run-all alone while a report is in flight: its workers and kernels follow it
    proc = launch(out, tmp, mark)
    report_started(proc, out)
    stop(proc, signal.SIGKILL, group=False)
    assert wait_until(lambda: marked(mark) == [], 3), f"survivors of SIGKILL: {marked(mark)}"
    assert not list(tmp.rglob("village-stats-kernel-*")), "a kernel's socket folder was left"
    second = published(out)
    assert first <= second

    # 3. the rerun: skips what is published, runs the rest, removes what the killed batch left
    proc = launch(out, tmp, mark, "--changed-only")
    res_out, res_err = proc.communicate(timeout=400)
    assert proc.returncode == 0, res_err
    assert published(out) == set(VILLAGES)
    assert f"{len(second)} skipped" in res_out
    assert not in_flight(out) and marked(mark) == []
    assert list(tmp.iterdir()) == [], f"temp leftovers: {[p.name for p in tmp.iterdir()]}"
    for v in VILLAGES:
        assert len(list((out / RUNS / v / "2018H2").iterdir())) == 1   # the published run, nothing else


@pytest.mark.skipif(os.environ.get("VILLAGE_STATS_FUZZ_KILL") != "1", reason="make fuzz only")
@pytest.mark.parametrize("sig,group,delay", [(signal.SIGINT, True, 0.5), (signal.SIGINT, True, 3.0),
                                             (signal.SIGTERM, False, 2.0), (signal.SIGKILL, False, 1.0),
                                             (signal.SIGKILL, False, 4.0)])
def test_stop_at_other_instants(private, sig, group, delay):
    """Signals during start-up (cluster starting, workers importing) as well as mid-report."""
    out, tmp, mark = private
    proc = launch(out, tmp, mark)
    time.sleep(delay)
    seconds, err = stop(proc, sig, group=group)
    if sig != signal.SIGKILL:
        # 128 + signal once the batch runs; before it (imports), Ctrl-C is the usual one-line "interrupted"
        # (exit 1) and SIGTERM its default (nothing has started yet)
        assert proc.returncode in (128 + sig, 0, 1, -sig) and seconds < 5, (proc.returncode, seconds, err)
        assert len([line for line in err.splitlines() if line.strip()]) <= 1, err
    assert wait_until(lambda: marked(mark) == [], 3), f"survivors: {marked(mark)}"
    assert not list(tmp.rglob("village-stats-kernel-*"))
    published(out)
    proc = launch(out, tmp, mark, "--changed-only")
    _, res_err = proc.communicate(timeout=400)
    assert proc.returncode == 0, res_err
    assert published(out) == set(VILLAGES) and not in_flight(out)
    assert list(tmp.iterdir()) == []
