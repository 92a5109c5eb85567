"""Benchmark harness: medians of repeated runs, ours against a baseline measured in the same session.

Results go to ``output/benchmarks/results.json`` (one record per benchmark). Machines are shared and
noisy, so each benchmark interleaves ours and the baseline and reports the ratio of medians.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
import tracemalloc
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "output" / "benchmarks"
RESULTS: list[dict] = []


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def interleaved(ours, baseline, repeats: int):
    """Run ours and the baseline alternately ``repeats`` times; return both lists of seconds."""
    a, b = [], []
    for i in range(repeats):
        order = (("a", ours), ("b", baseline)) if i % 2 == 0 else (("b", baseline), ("a", ours))
        for tag, fn in order:
            seconds, _ = timed(fn)
            (a if tag == "a" else b).append(seconds)
    return a, b


def traced_peak(fn) -> int:
    """Peak bytes allocated (tracemalloc, which numpy and pandas report to) while fn runs."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def record(name: str, size: str, ours: list[float], baseline: list[float], baseline_name: str,
           peak_bytes: int | None, goal: str, met: bool, **extra) -> dict:
    rec = {
        "name": name,
        "size": size,
        "ours_median_s": round(statistics.median(ours), 4),
        "baseline": baseline_name,
        "baseline_median_s": round(statistics.median(baseline), 4),
        "ratio": round(statistics.median(ours) / statistics.median(baseline), 3),
        "ours_runs_s": [round(x, 4) for x in ours],
        "baseline_runs_s": [round(x, 4) for x in baseline],
        "peak_memory_mb": None if peak_bytes is None else round(peak_bytes / 2 ** 20, 1),
        "goal": goal,
        "goal_met": bool(met),
        **extra,
    }
    RESULTS.append(rec)
    print(f"\n{name}: ours {rec['ours_median_s']} s, {baseline_name} {rec['baseline_median_s']} s, "
          f"ratio {rec['ratio']}, peak {rec['peak_memory_mb']} MB, goal {goal}: {'met' if met else 'NOT met'}")
    return rec


def pytest_sessionfinish(session, exitstatus):
    if not RESULTS:
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.json"
    previous = {}
    if path.is_file():
        try:
            previous = {r["name"]: r for r in json.loads(path.read_text())["benchmarks"]}
        except (ValueError, KeyError):
            previous = {}
    previous.update({r["name"]: r for r in RESULTS})
    doc = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "benchmarks": sorted(previous.values(), key=lambda r: r["name"]),
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"\nwrote {path}")


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    d = OUT / "work"
    d.mkdir(parents=True, exist_ok=True)
    return d
