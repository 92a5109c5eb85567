"""Scale benchmarks (issue 21): a synthetic province, batch throughput per core, Dask's cost per task,
and the ``--changed-only`` rerun of the example county. Figures go to docs/scale.md.

province_rollup_county: a province of 2,000 villages in 20 counties (100 townships), 500 households each
    (1,000,000 in all; registers from ``synthetic_register``, the other tables copied from the example
    county's villages), one period; ``village-stats rollup --by county`` cold (the page cache emptied
    first, as root; else the files just written) and warm (the same command again), alternated REPEATS
    times: medians, every run, and the peak resident memory of the command.
batch_throughput: ``run-all`` of N villages (default 48: the example county's 24 twice, under other ids)
    with 1 and with 2 local workers, alternated REPEATS times: reports per minute (of the medians), per
    minute per core.
dask_overhead_per_task: 1,000 no-op tasks through the same kind of local cluster (2 workers, one thread
    each) against the same function called in process: Dask's cost per task [ms].
changed_only_rerun_24: ``run-all --changed-only`` of the 24 example villages after a full run, nothing
    changed (goal ≤ 3 s); then one village's file touched: only that village reruns.

Sizes can be lowered for a quick look: VILLAGE_STATS_BENCH_PROVINCE (villages, default 2000),
VILLAGE_STATS_BENCH_BATCH (villages, default 48), VILLAGE_STATS_BENCH_REPEATS (default 5).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT, record

COUNTY = ROOT / "examples" / "demo_county"
CLI = [sys.executable, "-m", "village_stats.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
PROVINCE = int(os.environ.get("VILLAGE_STATS_BENCH_PROVINCE", "2000"))
BATCH = int(os.environ.get("VILLAGE_STATS_BENCH_BATCH", "48"))
REPEATS = int(os.environ.get("VILLAGE_STATS_BENCH_REPEATS", "5"))
PERIOD = "2018H1"
TABLES = ("population.csv", "projects.csv", "work_log.csv", "crops.csv")


def _templates() -> list[str]:
    return sorted(p.name for p in COUNTY.iterdir() if (p / "village.yaml").is_file() and (p / PERIOD).is_dir())


def _village(root: Path, template: str, vid: str, *, township: str | None = None, county: str | None = None,
             households: int = 0, seed: int = 0) -> None:
    """One village copied from an example-county village under another id (and place), period PERIOD only;
    with ``households``, a synthetic register of that many households replaces the copied one."""
    from village_stats.synthetic import synthetic_register

    src = COUNTY / template
    (root / vid / PERIOD).mkdir(parents=True)
    yaml = (src / "village.yaml").read_text(encoding="utf-8").replace(f"id: {template}", f"id: {vid}")
    lines = []
    for line in yaml.splitlines():
        if township and line.startswith("township_zh:"):
            line = f"township_zh: {township}"
        elif county and line.startswith("county_zh:"):
            line = f"county_zh: {county}"
        lines.append(line)
    (root / vid / "village.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for t in TABLES:
        shutil.copy2(src / PERIOD / t, root / vid / PERIOD / t)
    if households:
        reg = synthetic_register(households, 1, seed=seed).drop(columns=["village_id"])
        for c in reg.columns:
            if reg[c].dtype == bool:
                reg[c] = reg[c].map({True: "是", False: "否"})
        reg["household_id"] = [f"{vid.upper()}{i:05d}" for i in range(1, households + 1)]
        reg.to_csv(root / vid / PERIOD / "households.csv", index=False)
    else:
        shutil.copy2(src / PERIOD / "households.csv", root / vid / PERIOD / "households.csv")


def _command(args: list[str], timeout: int = 3600) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, the largest resident set of the command itself [MB] and its result.

    The peak is the command's own (``os.wait4`` on its process: it and the processes it waited for), not
    ``RUSAGE_CHILDREN`` of this process, which is the largest of every child this session ever had (under
    ``make bench``, some other benchmark's: 3.8 GB was once reported so for a 1.4 GB roll-up).
    """
    import tempfile
    import threading

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, text=True, cwd=ROOT, env=ENV)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)    # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        res = subprocess.CompletedProcess(args, proc.returncode, out.read(), err.read())
    if seconds >= timeout:
        raise subprocess.TimeoutExpired(args, timeout)
    return seconds, usage.ru_maxrss / 1024, res


def _drop_caches() -> bool:
    """Empty the kernel's page cache (root only), so that the next command reads its files from disk."""
    subprocess.run(["sync"], check=False)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def test_province_rollup_county(bench_dir):
    root = bench_dir / "province"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(COUNTY / "policy", root / "policy")
    templates = _templates()
    start = time.perf_counter()
    for k in range(PROVINCE):
        _village(root, templates[k % len(templates)], f"p{k:04d}", township=f"模拟{k // 20:03d}乡",
                 county=f"模拟{k // 100:02d}县", households=500, seed=k)
    made = time.perf_counter() - start
    args = [*CLI, "rollup", "--period", PERIOD, "--by", "county", "--data-dir", str(root), "--format", "csv"]
    # cold (the page cache emptied first, when this process may: root) and warm (the same command again),
    # alternated REPEATS times; peak resident memory of the largest command
    cold, warm, peak, dropped = [], [], 0.0, True
    for _ in range(REPEATS):
        dropped = _drop_caches() and dropped
        seconds, rss, res = _command(args)
        assert res.returncode == 0, res.stderr[-2000:]
        cold.append(seconds)
        seconds, rss, res = _command(args)
        warm.append(seconds)
        peak = max(peak, rss)
    record("province_rollup_county", f"{PROVINCE:,} villages, {PROVINCE * 500:,} households, 1 period",
           cold, warm, "the same command again (warm)", int(peak * 2 ** 20),
           "measured for docs/scale.md", True, cold_median_s=round(statistics.median(cold), 2),
           warm_median_s=round(statistics.median(warm), 2), cold_runs_s=[round(w, 2) for w in cold],
           warm_runs_s=[round(w, 2) for w in warm], page_cache_dropped=dropped,
           peak_rss_mb=round(peak, 1), generate_s=round(made, 1),
           counties=len({line.split(",")[1] for line in res.stdout.splitlines()[1:]}))


def _batch_root(bench_dir: Path, n: int) -> Path:
    root = bench_dir / f"batch{n}"
    if not root.is_dir():
        shutil.copytree(COUNTY / "policy", root / "policy")
        templates = _templates()
        for k in range(n):
            _village(root, templates[k % len(templates)], f"b{k:03d}")
    return root


def test_batch_throughput(bench_dir):
    root = _batch_root(bench_dir, BATCH)
    runs: dict[int, list[float]] = {1: [], 2: []}
    for i in range(REPEATS):                     # 1 and 2 workers alternated, REPEATS times each
        for jobs in ((1, 2) if i % 2 == 0 else (2, 1)):
            out = bench_dir / f"batch-out-{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            seconds, _, res = _command([*CLI, "run-all", "--period", PERIOD, "--data-dir", str(root),
                                        "--output-dir", str(out), "--jobs", str(jobs), "--no-progress"])
            assert res.returncode == 0, res.stderr[-2000:]
            runs[jobs].append(seconds)
    rate = {jobs: 60 * BATCH / statistics.median(seconds) for jobs, seconds in runs.items()}
    record("batch_throughput", f"{BATCH} village reports (all formats), 1 and 2 local workers",
           runs[2], runs[1], "the same batch with --jobs 1", None, "measured for docs/scale.md", True,
           reports_per_min_1_worker=round(rate[1], 2), reports_per_min_2_workers=round(rate[2], 2),
           reports_per_min_per_core_1=round(rate[1], 2), reports_per_min_per_core_2=round(rate[2] / 2, 2),
           cores=os.cpu_count())


def _noop(x):
    return x


def test_dask_overhead_per_task():
    import logging

    from distributed import Client, LocalCluster

    n = 1000
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
        client.gather(client.map(_noop, range(10)))             # workers warm
        runs = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            client.gather(client.map(_noop, range(n), pure=False))
            runs.append(time.perf_counter() - start)
        one_by_one = []
        for _ in range(REPEATS):                                 # as run-all submits: one per free thread
            start = time.perf_counter()
            for i in range(100):
                client.submit(_noop, i, pure=False).result()
            one_by_one.append((time.perf_counter() - start) / 100)
    base = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        [_noop(i) for i in range(n)]
        base.append(time.perf_counter() - start)
    per_task_ms = statistics.median(runs) / n * 1000
    record("dask_overhead_per_task", f"{n} no-op tasks, local cluster of 2 workers x 1 thread", runs, base,
           "the same calls in process", None, "measured for docs/scale.md", True,
           per_task_ms=round(per_task_ms, 3), round_trip_one_task_ms=round(statistics.median(one_by_one) * 1000, 2))


def _counts(out: Path) -> dict:
    """The batch record of the last run-all of 2017H2 (counts by status and one record per village)."""
    import json

    return json.loads((out / "batch-2017H2.json").read_text(encoding="utf-8"))


def test_changed_only_rerun_24(bench_dir):
    root = bench_dir / "county24"
    if not root.is_dir():
        shutil.copytree(COUNTY, root)
    out = bench_dir / "county24-out"
    first, _, res = _command([*CLI, "run-all", "--period", "2017H2", "--data-dir", str(root), "--output-dir", str(out),
                              "--no-progress"])
    assert res.returncode == 0, res.stderr[-2000:]
    reruns = []
    for _ in range(REPEATS):
        seconds, _, res = _command([*CLI, "run-all", "--period", "2017H2", "--data-dir", str(root), "--output-dir",
                                    str(out), "--no-progress", "--changed-only"])
        assert res.returncode == 0 and _counts(out)["skipped"] == 24, res.stdout[-500:]
        reruns.append(seconds)
    pop = root / "beiwa" / "2017H2" / "population.csv"
    pop.write_text(pop.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    one, _, res = _command([*CLI, "run-all", "--period", "2017H2", "--data-dir", str(root), "--output-dir", str(out),
                            "--no-progress", "--changed-only"])
    counts = _counts(out)
    assert res.returncode == 0 and counts["ok"] == 1 and counts["skipped"] == 23, res.stdout[-500:]
    assert [r["village"] for r in counts["results"] if r["status"] == "ok"] == ["beiwa"]
    shutil.copy2(COUNTY / "beiwa" / "2017H2" / "population.csv", pop)
    record("changed_only_rerun_24", "run-all --changed-only, 24 example villages, nothing changed", reruns, [first],
           "the full run-all before", None, "rerun <= 3 s", statistics.median(reruns) <= 3.0,
           one_village_changed_s=round(one, 2))
