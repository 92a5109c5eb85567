"""period_report: one full `village-stats run` against one papermill run of an empty notebook (the floor).

Both are measured as the commands a user runs (new processes, imports and a kernel start included),
interleaved in the same session. Three figures:

- ``period_report``: a run on a machine that has made reports before (warm .pyc files and matplotlib's
  font list); goal ≤ 1.2 × the floor.
- ``period_report_first_run``: every run with a fresh, empty HOME, XDG cache and matplotlib config folder
  (what a new user's first report costs); goal ≤ 1.3 × the floor.
- ``period_report_pdf_stage``: Typst typesetting the Suoluoyu document alone, in process (goal ≤ 0.3 s),
  against the HTML stage (Jinja2) of the same document.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np

from .conftest import ROOT, interleaved, record

REPEATS = 5
BIN = Path(sys.executable).parent


def _commands(work: Path):
    empty = work / "empty.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, empty)
    ours = [str(BIN / "village-stats"), "run", "--village", "suoluoyu", "--period", "2017H1",
            "--data-dir", str(ROOT / "data"), "--output-dir", str(work / "out")]
    floor = [str(BIN / "papermill"), str(empty), str(work / "empty-out.ipynb"), "-k", "python3", "--no-progress-bar"]
    return ours, floor


def _run(cmd, env=None):
    return lambda: subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env)


def test_period_report(bench_dir):
    work = bench_dir / "report"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ours_cmd, floor_cmd = _commands(work)
    _run(ours_cmd)()    # warm: .pyc files, matplotlib's font list
    _run(floor_cmd)()
    assert (work / "out" / "suoluoyu" / "2017H1" / "report.pdf").is_file()
    ours_s, base_s = interleaved(_run(ours_cmd), _run(floor_cmd), REPEATS)
    # peak resident memory of the largest process of one more run (the CLI or its kernel)
    probe = subprocess.run([sys.executable, "-c",
                            "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
                            "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
                            *ours_cmd], capture_output=True, text=True, cwd=ROOT, check=True)
    peak_kb = int(probe.stdout.strip())
    ratio = np.median(ours_s) / np.median(base_s)
    record("period_report", "Suoluoyu 2017H1: notebook + HTML + A4 PDF (Typst) + CSV + manifest", ours_s, base_s,
           "papermill CLI on an empty notebook (kernel start floor)", peak_kb * 1024,
           "ratio <= 1.2", ratio <= 1.2, peak_memory_note="max RSS of the largest process (ru_maxrss)")


def test_period_report_first_run(bench_dir):
    work = bench_dir / "report-first"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ours_cmd, floor_cmd = _commands(work)
    counter = iter(range(10 ** 6))

    def fresh():
        home = work / f"home-{next(counter)}"
        home.mkdir()
        env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
                   MPLCONFIGDIR=str(home / ".config" / "matplotlib"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
        return env

    ours_s, base_s = interleaved(lambda: _run(ours_cmd, fresh())(), _run(floor_cmd), REPEATS)
    ratio = np.median(ours_s) / np.median(base_s)
    record("period_report_first_run", "Suoluoyu 2017H1, every run with a fresh empty HOME and caches", ours_s, base_s,
           "papermill CLI on an empty notebook (kernel start floor)", None, "ratio <= 1.3", ratio <= 1.3)


def test_period_report_pdf_stage(bench_dir):
    from village_stats.document import build_document
    from village_stats.export.html import render_html
    from village_stats.export.pdf import render_pdf

    executed = bench_dir / "report" / "out" / "suoluoyu" / "2017H1" / "report.ipynb"
    assert executed.is_file(), "run test_period_report first (same session)"
    doc = build_document(nbformat.read(executed, as_version=4), lang="zh", header="梭罗峪村 · 2017年上半年",
                         meta={"author": "晋中市财政局"})
    first = time.perf_counter()
    render_pdf(doc)                       # the first compile of a process: Typst loads the font
    first = time.perf_counter() - first
    ours_s, base_s = interleaved(lambda: render_pdf(doc), lambda: render_html(doc), REPEATS)
    record("period_report_pdf_stage", "Typst: the Suoluoyu document to PDF bytes", ours_s, base_s,
           "Jinja2: the same document to HTML", None, "PDF stage <= 0.3 s", max(first, np.median(ours_s)) <= 0.3,
           first_compile_s=round(first, 4))
