"""Read once, evaluate once — counted across every process of a real run, not by patching names.

A ``sitecustomize`` module on the run's ``PYTHONPATH`` installs an audit hook (PEP 578) in the command's
process and in the notebook's kernel (which inherits the environment). The hook logs every file opened
below the data root and every ``village_stats.evaluate`` event (raised by
:func:`village_stats.evaluate.evaluate`), with the process id. On the code before issue 17 every input
file of a period report was opened three times (parent, kernel, manifest), the previous period and the
policy tables more often still.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT

HOOK = textwrap.dedent('''
    import os, sys
    _log = os.environ.get("VILLAGE_STATS_TRACE")
    _root = os.environ.get("VILLAGE_STATS_TRACE_ROOT", "")
    if _log:
        _fd = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)  # opened before the hook exists

        def _hook(event, args):
            if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
                path = os.path.abspath(os.fsdecode(args[0]))
                if path.startswith(_root) and os.path.isfile(path):
                    os.write(_fd, f"{os.getpid()}\\topen\\t{path}\\n".encode())
            elif event == "village_stats.evaluate":
                os.write(_fd, f"{os.getpid()}\\tevaluate\\t{args[0]} {args[1]}\\n".encode())

        sys.addaudithook(_hook)
''')


def traced_run(tmp_path: Path, data_dir: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[tuple]]:
    """Run ``village-stats run ARGS`` with the audit hook; return the process and the logged events."""
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp_path / "trace.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook_dir), str(ROOT)]),
           "VILLAGE_STATS_TRACE": str(log), "VILLAGE_STATS_TRACE_ROOT": str(data_dir.resolve())}
    proc = subprocess.run([sys.executable, "-c", "from village_stats.cli import entry_point; entry_point()",
                           "run", "--data-dir", str(data_dir), "--output-dir", str(tmp_path / "out"), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    events = [tuple(line.split("\t")) for line in log.read_text(encoding="utf-8").splitlines()]
    return proc, events


def opens_by_file(events) -> collections.Counter:
    return collections.Counter(what for _, kind, what in events if kind == "open")


@pytest.mark.notebook
def test_a_period_report_reads_each_input_at_most_twice_and_evaluates_each_period_once(tmp_path):
    """The demo's 2022H2 report: monitoring (the previous period), an evaluation sample, 7 earlier periods."""
    data = ROOT / "data"
    proc, events = traced_run(tmp_path, data, "--village", "demo", "--period", "2022H2",
                              "--formats", "ipynb,csv,xlsx,html")
    assert proc.returncode == 0, proc.stderr
    opened = opens_by_file(events)
    root = data.resolve()
    period_files = {str(p) for p in (root / "demo" / "2022H2").iterdir()}
    policy = {str(p) for p in (root / "policy").iterdir()}
    assert period_files <= set(opened) and str(root / "demo" / "village.yaml") in opened
    assert policy & set(opened)                      # the policy tables are counted too
    assert max(opened.values()) <= 2, {p: n for p, n in opened.items() if n > 2}
    # every file read in the parent is in the manifest, with the digest of those bytes
    manifest = json.loads((tmp_path / "out" / "demo" / "2022H2" / "manifest.json").read_text(encoding="utf-8"))
    listed = {str(root / i["path"]) for i in manifest["inputs"]}
    parent = {what for pid, kind, what in events if kind == "open" and int(pid) == _parent_pid(events, root)}
    assert listed == parent
    # evaluation: only in the kernel, once per period (this one and the 7 earlier half-years)
    evaluations = collections.Counter(what for _, kind, what in events if kind == "evaluate")
    assert evaluations == collections.Counter(f"demo {p}" for p in (
        "2017H1", "2017H2", "2018H1", "2018H2", "2021H1", "2021H2", "2022H1", "2022H2"))
    assert len({pid for pid, kind, _ in events if kind == "evaluate"}) == 1


def _parent_pid(events, root: Path) -> int:
    """The process that opened village.yaml first: the command (it validates before any kernel starts)."""
    yaml = str(root / "demo" / "village.yaml")
    return int(next(pid for pid, kind, what in events if kind == "open" and what == yaml))


@pytest.mark.notebook
def test_a_county_report_reads_each_input_at_most_twice(tmp_path):
    county = ROOT / "examples" / "demo_county"
    proc, events = traced_run(tmp_path, county, "--report", "county", "--period", "2018H2", "--formats", "csv")
    assert proc.returncode == 0, proc.stderr
    opened = opens_by_file(events)
    assert len(opened) > 24 * 5                       # 24 villages, two periods each, their village.yaml, policy
    assert max(opened.values()) <= 2, {p: n for p, n in opened.items() if n > 2}
    evaluations = collections.Counter(what for _, kind, what in events if kind == "evaluate")
    have = {f"{p.parent.name} {p.name}" for p in county.glob("*/2018H[12]") if p.is_dir()}
    assert len(have) > 40                             # the example county lacks a few village-periods
    assert evaluations == collections.Counter(have)   # each village-period evaluated once, in the kernel
