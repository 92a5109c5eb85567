"""A batch worker's kernels are forked from a fork server (village_stats/run/kernel_main.py --fork-server):
each is still a process of its own, started fresh for one report, with the environment, folder and
arguments jupyter_client gives it, and it leaves nothing behind; a client is ready without jupyter_client's
wait for 0.2 s of IOPub silence; a stopped batch waits for no zombie.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_batch_stop import marked, wait_until

pytestmark = pytest.mark.notebook


def _replies(kernel, code: str) -> list[dict]:
    """Run ``code`` in ``kernel`` (a new client, ready as nbclient makes it) and return its IOPub messages
    up to idle; an error raises."""
    from jupyter_core.utils import run_sync

    kc = kernel.km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
        msg_id = kc.execute(code)
        messages = []
        while True:
            msg = run_sync(kc._async_get_iopub_msg)(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return messages
            messages.append(msg)
    finally:
        kc.stop_channels()


def _execute(kernel, code: str) -> str:
    """Run ``code`` in ``kernel`` and return what it printed."""
    return "".join(m["content"]["text"] for m in _replies(kernel, code) if m["msg_type"] == "stream")


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):  # tmp_path first: pytest's own base stays where it was
    tmp = Path(tempfile.mkdtemp(prefix="vs-fork-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
    yield tmp
    shutil.rmtree(tmp, ignore_errors=True)


def test_forked_kernels_are_fresh_processes_of_the_fork_server(private_tmp, tmp_path, monkeypatch):
    from village_stats.run.kernels import ForkedKernelProcess, KernelPool

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VILLAGE_STATS_FORK_PROBE", "given")
    with KernelPool(fork=True) as pool:
        first, second = pool.take(), pool.take()
        server = pool._server
        assert server is not None and server.alive
        assert isinstance(first.km.provisioner.process, ForkedKernelProcess)
        probe = ("import os, sys\nprint(os.getpid(), os.getppid(), os.getpgid(0), os.getcwd(),"
                 " os.environ.get('VILLAGE_STATS_FORK_PROBE'), 'village_stats.display.plotting' in sys.modules,"
                 " os.environ.get('JPY_PARENT_PID') == str(os.getppid()))")
        a = _execute(first, probe).split()
        b = _execute(second, probe).split()
        # two processes, both children of the fork server, each leading its own process group
        assert a[0] != b[0] and a[1] == b[1] == str(server.process.pid)
        assert a[2] == a[0] and b[2] == b[0]
        # the folder and environment jupyter_client gave, the notebooks' modules already imported
        assert a[3] == str(tmp_path) and a[4] == "given" and a[5] == "True" and a[6] == "True"
        # a fresh namespace each: the second kernel never saw the first's variable
        _execute(first, "x = 41")
        assert _execute(first, "print('x' in dir())").strip() == "True"
        assert _execute(second, "print('x' in dir())").strip() == "False"
        pid = int(a[0])
        first.shutdown()
        second.shutdown()
        assert wait_until(lambda: first.km.provisioner is None or first.km.provisioner.process is None
                          or server.exit_status(pid) is not None, 5)
    assert server.process.poll() is not None           # the pool closed its fork server
    assert not list(private_tmp.glob("village-stats-kernel-*"))


def test_killing_the_owner_takes_fork_server_and_kernels_with_it(tmp_path):
    tmp = Path(tempfile.mkdtemp(prefix="vs-fork-", dir="/tmp"))
    mark = uuid.uuid4().hex
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import time
        from village_stats.run.kernels import KernelPool
        pool = KernelPool(fork=True)
        pool.prestart()
        kernel = pool.take()
        pool.prestart()                       # a second kernel, the spare
        open({str(ready)!r}, "w").close()
        time.sleep(120)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), "VILLAGE_STATS_TEST_MARK": mark}
    owner = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT)
    try:
        assert wait_until(lambda: ready.exists() or owner.poll() is not None, 120) and owner.poll() is None
        assert len(list(tmp.glob("village-stats-kernel-*"))) == 2
        assert len(marked(mark)) == 4                    # the owner, the fork server, two kernels
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        assert wait_until(lambda: marked(mark) == [], 5), "the fork server or a kernel outlived its owner"
        assert wait_until(lambda: list(tmp.iterdir()) == [], 2), list(tmp.iterdir())
    finally:
        if owner.poll() is None:
            owner.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def test_a_kernel_outlives_its_fork_server_and_shows_figures_as_pictures(private_tmp):
    """A kernel watches its worker, not the fork server: the server's death takes no report with it. And a
    Figure displays as a PNG, as in a kernel started by command (the server imported the package before
    any IPython shell existed)."""
    from village_stats.run.kernels import KernelPool

    with KernelPool(fork=True) as pool:
        kernel = pool.take()
        os.kill(pool._server.process.pid, signal.SIGKILL)
        assert wait_until(lambda: not pool._server.alive, 5)
        time.sleep(1)                                     # several of the watchdog's looks
        assert kernel.km.provisioner.process.poll() is None
        replies = _replies(kernel, "from matplotlib.figure import Figure\nfig = Figure()\n"
                                   "fig.add_subplot().plot([1, 2])\nfig")
        kinds = [sorted(m["content"]["data"]) for m in replies if m["msg_type"] == "execute_result"]
        kinds = kinds[0] if kinds else []
        assert "image/png" in kinds, kinds
        kernel.shutdown()


def test_a_kernel_that_exits_by_itself_ends_its_process_with_status_0(private_tmp):
    """``exit()`` in a cell ends a forked kernel as it ends one started by command: the process ends (it never
    goes back into the fork server's loop) and the server reports its status."""
    from village_stats.run.kernels import KernelPool

    with KernelPool(fork=True) as pool:
        kernel = pool.take()
        process = kernel.km.provisioner.process
        from jupyter_core.utils import run_sync

        kc = kernel.km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)
        kc.execute("exit()")
        assert wait_until(lambda: process.poll() is not None, 15), "the kernel did not end"
        kc.stop_channels()
        assert process.poll() == 0
        assert pool._server.alive                          # the server goes on
        kernel.shutdown()


def test_a_fork_server_that_ended_is_replaced(private_tmp):
    from village_stats.run.kernels import KernelPool

    with KernelPool(fork=True) as pool:
        kernel = pool.take()
        old = pool._server
        os.kill(old.process.pid, signal.SIGKILL)
        assert wait_until(lambda: not old.alive, 5)
        again = pool.take()                              # a new server, a working kernel
        assert pool._server is not old and pool._server.alive
        assert _execute(again, "print(6 * 7)").strip() == "42"
        kernel.shutdown()
        again.shutdown()


def test_a_fork_server_that_reads_no_request_is_given_up_within_the_wait(private_tmp, monkeypatch):
    """A stopped server (SIGSTOP: it reads nothing) and a request larger than a pipe holds: a plain write
    would block for ever; the fork gives up at its deadline, kills the server, and the pool goes on."""
    from village_stats.run import kernels
    from village_stats.run.kernels import ForkServer, KernelPool

    monkeypatch.setattr(kernels, "FORK_WAIT_SECONDS", 2)
    server = ForkServer()
    try:
        os.kill(server.process.pid, signal.SIGSTOP)
        raised = []

        def fork():
            try:
                server.fork(["--help"], cwd=str(private_tmp), env={"BIG": "x" * 200_000})
            except OSError as exc:
                raised.append(str(exc))

        asking = threading.Thread(target=fork, daemon=True)
        asking.start()
        asking.join(15)                                # a write that blocks for ever fails here, not hangs
        assert not asking.is_alive() and raised == ["the kernels' fork server did not read the request"]
        assert server.process.wait(timeout=5) == -signal.SIGKILL
        assert wait_until(lambda: not server.alive, 5)
    finally:
        server.process.kill()                          # (a write blocked in the thread ends with EPIPE)
        server.close()
    with KernelPool(fork=True) as pool:                # the same machinery keeps working
        pool._server = server                          # a pool whose server was given up starts another
        kernel = pool.take()
        assert pool._server is not server
        assert _execute(kernel, "print(6 * 7)").strip() == "42"
        kernel.shutdown()


def test_the_client_is_ready_without_waiting_for_iopub_silence(private_tmp):
    """jupyter_client ends wait_for_ready with get_msg(timeout=0.2) on IOPub until nothing comes; ours returns
    once kernel_info is answered and IOPub delivered a message, and the first cell's output is whole."""
    from village_stats.run.kernels import Kernel, _ready_client_class

    kernel = Kernel()
    try:
        kc = kernel.km.client()
        assert isinstance(kc, _ready_client_class())
        waits = []
        kc.start_channels()
        get = kc.iopub_channel.get_msg

        async def recording(*args, **kwargs):
            try:
                msg = await get(*args, **kwargs)
            except Exception:
                waits.append("empty")
                raise
            waits.append(msg["msg_type"])
            return msg

        kc.iopub_channel.get_msg = recording
        from jupyter_core.utils import run_sync

        run_sync(kc.wait_for_ready)(timeout=60)   # as nbclient calls it
        kc.iopub_channel.get_msg = get
        kc.stop_channels()
        # ready as IOPub delivered a message; jupyter_client's flush would end on a get that found nothing
        assert waits and waits[-1] != "empty", waits
        assert _execute(kernel, "print('whole')").strip() == "whole"
    finally:
        kernel.shutdown()


def test_waiting_for_stopped_processes_counts_a_zombie_as_gone():
    import psutil

    from village_stats.run.cluster import _wait_gone

    child = subprocess.Popen([sys.executable, "-c", "pass"])   # never waited for: a zombie once it ends
    proc = psutil.Process(child.pid)
    assert wait_until(lambda: proc.status() == psutil.STATUS_ZOMBIE, 10)
    start = time.monotonic()
    assert _wait_gone([proc], 5) == []
    assert time.monotonic() - start < 1                       # psutil.wait_procs waits the 5 s here
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert [p.pid for p in _wait_gone([psutil.Process(sleeper.pid)], 0.3)] == [sleeper.pid]
    finally:
        sleeper.kill()
        sleeper.wait()
    child.wait()
