"""A report's kernel leaves nothing behind (issue 18 class 7): a kernel that dies is one line; SIGKILL of
``village-stats run`` takes its kernel with it within a second, socket folder and connection file
included (the kernel's watchdog, village_stats/run/kernel_main.py).

Each run gets a private TMPDIR and JUPYTER_RUNTIME_DIR, so "nothing left" is an empty folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from .conftest import DATA, ROOT
from .test_batch_stop import marked, wait_until

pytestmark = pytest.mark.notebook

PARAMETERS = '\n'.join(('village = ""', 'period = ""', 'data_dir = ""', 'lang = "zh"', 'report_date = ""',
                        'exit_target = ""'))


def notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    cell = nbformat.v4.new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def private(tmp_path):
    import shutil

    tmp = Path(tempfile.mkdtemp(prefix="vs-kern-", dir="/tmp"))
    runtime = tmp_path / "runtime"
    mark = uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), "JUPYTER_RUNTIME_DIR": str(runtime),
           "VILLAGE_STATS_TEST_MARK": mark, "VILLAGE_STATS_LANG": "en"}
    yield env, tmp, runtime, mark
    shutil.rmtree(tmp, ignore_errors=True)


def run_args(nb: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "village_stats.cli", "run", "--village", "suoluoyu", "--period", "2017H1",
            "--data-dir", str(DATA), "--output-dir", str(out), "--formats", "csv", "--notebook", str(nb)]


def leftovers(tmp: Path, runtime: Path) -> list[str]:
    return [p.name for p in tmp.iterdir()] + ([p.name for p in runtime.iterdir()] if runtime.is_dir() else [])


def test_a_dead_kernel_is_one_line_and_leaves_nothing(private, tmp_path):
    env, tmp, runtime, mark = private
    nb = notebook(tmp_path / "dies.ipynb", "import os\nos._exit(3)")
    res = subprocess.run(run_args(nb, tmp_path / "out"), capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300)
    assert res.returncode == 1
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DeadKernelError" in lines[0], res.stderr
    assert not (tmp_path / "out" / "suoluoyu" / "2017H1" / "manifest.json").exists()
    assert wait_until(lambda: marked(mark) == [], 2)
    assert leftovers(tmp, runtime) == []


def test_sigkill_of_run_takes_its_kernel_and_socket_folder_with_it(private, tmp_path):
    env, tmp, runtime, mark = private
    started = tmp_path / "started"
    nb = notebook(tmp_path / "sleeps.ipynb", f"open({str(started)!r}, 'w').close()\nimport time\ntime.sleep(120)")
    proc = subprocess.Popen(run_args(nb, tmp_path / "out"), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    assert wait_until(lambda: started.exists() or proc.poll() is not None, 240) and proc.poll() is None
    assert list(tmp.glob("village-stats-kernel-*/kernel.json"))     # the connection file is in the folder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = time.monotonic()
    assert wait_until(lambda: marked(mark) == [], 5), "the kernel outlived its run"
    assert wait_until(lambda: leftovers(tmp, runtime) == [], 2), leftovers(tmp, runtime)
    print(f"kernel and socket folder gone {time.monotonic() - killed:.2f} s after SIGKILL of run")
