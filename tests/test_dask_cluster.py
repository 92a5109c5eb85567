"""run-all on a running Dask cluster: a real ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1 (subprocesses of this test); the worker writing a report is SIGKILLed mid-batch; every report
must still be complete and published exactly once (Dask reruns the task on a live worker; the rerun's
publication removes the dead run's unpublished folder under the village-period's lock).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_batch_stop import in_flight, marked, wait_until, whole

pytestmark = pytest.mark.notebook

COUNTY = ROOT / "examples" / "demo_county"
VILLAGES = ("beiwa", "nancha", "chakou")
DASK = str(Path(sys.executable).parent / "dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lock_holder(runs: Path, candidates: list[int]) -> int | None:
    """The process holding an open descriptor on ``runs`` (the village-period's lock): the worker writing it."""
    for pid in candidates:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == str(runs):
                    return pid
            except OSError:
                continue
    return None


@pytest.fixture
def cluster(tmp_path):
    import shutil
    import tempfile
    import uuid

    tmp = Path(tempfile.mkdtemp(prefix="vs-dask-", dir="/tmp"))
    mark = uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), "VILLAGE_STATS_TEST_MARK": mark}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    procs += [subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                                "--name", f"w{i}", "--local-directory", str(tmp / f"w{i}")],
                               env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) for i in range(2)]
    try:
        yield address, env, mark, tmp
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        gone = wait_until(lambda: marked(mark) == [], 10)
        wait_until(lambda: not list(tmp.rglob("village-stats-kernel-*")), 3)
        # A folder made by a worker killed between making it and starting its kernel has no kernel to remove
        # it: the next run's own sweep does (outputs.clean_stale_kernel_dirs, dead sockets only). Whatever is
        # left must be such a dead folder, and the sweep must leave nothing.
        from village_stats.outputs import clean_stale_kernel_dirs

        for folder in {p.parent for p in tmp.rglob("village-stats-kernel-*")}:
            clean_stale_kernel_dirs(folder, grace_seconds=0)
        sockets = list(tmp.rglob("village-stats-kernel-*"))
        shutil.rmtree(tmp, ignore_errors=True)
        assert gone, f"processes of the cluster left: {marked(mark)}"
        assert not sockets, "a kernel's socket folder was left (a live one, or one the sweep cannot remove)"


def test_a_worker_killed_mid_batch_every_report_complete_and_published_once(cluster, tmp_path):
    address, env, mark, tmp = cluster
    out = tmp_path / "out"
    args = [sys.executable, "-m", "village_stats.cli", "run-all", "--period", "2018H2", "--data-dir", str(COUNTY),
            "--output-dir", str(out), "--formats", "csv", "--scheduler", address]
    for v in VILLAGES:
        args += ["--village", v]
    batch = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_until(lambda: in_flight(out) or batch.poll() is not None, 300) and batch.poll() is None, \
        batch.communicate()[1][-2000:] if batch.poll() is not None else "no report started"
    runs = in_flight(out)[0].parent
    holder = wait_until(lambda: lock_holder(runs, [p for p in marked(mark) if p != batch.pid]), 10)
    assert holder, "no worker holds the lock of the report in flight"
    os.kill(holder, signal.SIGKILL)                                  # a worker dies mid-report
    stdout, stderr = batch.communicate(timeout=400)
    assert batch.returncode == 0, stderr
    doc = json.loads((out / "batch-2018H2.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in doc["results"]] == ["ok"] * len(VILLAGES)
    for v in VILLAGES:
        final = out / v / "2018H2"
        assert whole(final)
        assert [p.name for p in (out / ".village-stats-runs" / v / "2018H2").iterdir()] == [final.resolve().name]


MASKS = r"""
import json, signal, threading
from pathlib import Path
from village_stats.run.cluster import batch_client

def blocks_sigint(tid):
    try:
        status = Path(f"/proc/self/task/{tid}/status").read_text()
    except FileNotFoundError:      # the thread ended meanwhile
        return None
    mask = int(next(l for l in status.splitlines() if l.startswith("SigBlk")).split()[1], 16)
    return bool(mask & (1 << (signal.SIGINT - 1)))

before = {t.native_id for t in threading.enumerate()}
with batch_client(1) as client:
    started = [t for t in threading.enumerate() if t.native_id not in before]
    print(json.dumps({t.name: blocks_sigint(t.native_id) for t in started}))
"""


def test_threads_the_local_cluster_starts_keep_sigint_blocked(tmp_path):
    """While run-all's workers start, SIGINT is ignored and blocked in the main thread, so a Ctrl-C waits for
    the block to end; a thread of the cluster that did not block it took the signal and lost it (the resource
    tracker's start unblocked SIGINT in the IO loop thread; make fuzz lost a Ctrl-C at 0.5 s so)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", MASKS], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    masks = json.loads(done.stdout.strip().splitlines()[-1])
    assert "IO loop" in masks and len(masks) >= 3, masks
    assert masks["IO loop"] is True and all(b is not False for b in masks.values()), \
        f"threads open to SIGINT: {[n for n, b in masks.items() if b is False]}"
