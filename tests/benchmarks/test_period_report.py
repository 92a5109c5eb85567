"""period_report: one full `village-stats run` against one papermill run of an empty notebook.

Both are measured as the commands a user runs (new processes, imports and a kernel start included),
interleaved in the same session. The font subset cache is warmed first, as it is after a machine's
first report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np

from .conftest import ROOT, interleaved, record

REPEATS = 5
BIN = Path(sys.executable).parent


def test_period_report(bench_dir):
    work = bench_dir / "report"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    empty = work / "empty.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, empty)
    ours_cmd = [str(BIN / "village-stats"), "run", "--village", "suoluoyu", "--period", "2017H1",
                "--data-dir", str(ROOT / "data"), "--output-dir", str(work / "out")]
    floor_cmd = [str(BIN / "papermill"), str(empty), str(work / "empty-out.ipynb"), "-k", "python3",
                 "--no-progress-bar"]

    def run(cmd):
        return lambda: subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)

    run(ours_cmd)()    # warm: font subset cache, .pyc files
    run(floor_cmd)()
    assert (work / "out" / "suoluoyu" / "2017H1" / "report.pdf").is_file()
    ours_s, base_s = interleaved(run(ours_cmd), run(floor_cmd), REPEATS)
    # peak resident memory of the largest process of one more run (the CLI or its kernel)
    probe = subprocess.run([sys.executable, "-c",
                            "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
                            "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
                            *ours_cmd], capture_output=True, text=True, cwd=ROOT, check=True)
    peak_kb = int(probe.stdout.strip())
    ratio = np.median(ours_s) / np.median(base_s)
    record("period_report", "Suoluoyu 2017H1: notebook + HTML + 6-page A4 PDF + CSV + manifest", ours_s, base_s,
           "papermill CLI on an empty notebook (kernel start floor)", peak_kb * 1024,
           "ratio <= 1.5", ratio <= 1.5, peak_memory_note="max RSS of the largest process (ru_maxrss)")
