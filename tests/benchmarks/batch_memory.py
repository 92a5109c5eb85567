"""Peak memory of each kind of process of a ``run-all`` batch: RSS and USS (unique set size: what the
process alone holds; forked kernels share their fork server's pages copy-on-write), sampled every 0.25 s
with psutil. Figures in docs/scale.md ("Memory of a batch").

    .venv/bin/python tests/benchmarks/batch_memory.py examples/demo_county /tmp/out [period] [jobs]
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time

import psutil


def kind(p: psutil.Process, parent_pid: int, by_pid: dict[int, psutil.Process]) -> str:
    """What a process of the batch is: a kernel is forked from a fork server, so it has the server's command
    line and a fork server as its parent."""
    cmd = " ".join(p.cmdline())
    if p.pid == parent_pid:
        return "run-all (scheduler, client, site thread)"
    if "--fork-server" in cmd:
        up = by_pid.get(p.ppid())
        return "kernel" if up is not None and "--fork-server" in " ".join(up.cmdline()) else "fork server"
    if "resource_tracker" in cmd:
        return "resource tracker"
    if "multiprocessing" in cmd:
        return "dask worker"
    return "other"


def measure(root: str, out: str, period: str = "2017H2", jobs: int = 2) -> dict:
    args = [sys.executable, "-m", "village_stats.cli", "run-all", "--period", period, "--data-dir", root,
            "--output-dir", out, "--jobs", str(jobs), "--no-progress"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    peak: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])     # kind → [rss, uss]
    seen: dict[str, set[int]] = collections.defaultdict(set)
    total = [0, 0]
    start = time.monotonic()
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.Error:
            break
        by_pid = {p.pid: p for p in procs}
        now = [0, 0]
        for p in procs:
            try:
                info, k = p.memory_full_info(), kind(p, proc.pid, by_pid)
            except psutil.Error:
                continue
            now[0] += info.rss
            now[1] += info.uss
            seen[k].add(p.pid)
            peak[k] = [max(peak[k][0], info.rss), max(peak[k][1], info.uss)]
        total = [max(total[0], now[0]), max(total[1], now[1])]
        time.sleep(0.25)
    mb = 2 ** 20
    return {"seconds": round(time.monotonic() - start, 1), "returncode": proc.wait(),
            "peak_mb": {k: {"rss": round(v[0] / mb), "uss": round(v[1] / mb), "processes": len(seen[k])}
                        for k, v in sorted(peak.items())},
            "peak_sum_mb": {"rss": round(total[0] / mb), "uss": round(total[1] / mb)}}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2], *sys.argv[3:4], *map(int, sys.argv[4:5])), indent=1))
