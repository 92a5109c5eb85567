"""County benchmarks (issue 12).

county_batch_24: the 24 period reports of the example county (2017H2, the period every village has) through
    one ``village-stats run-all`` (a local Dask cluster, one worker per core) against 24 sequential
    ``village-stats run`` processes, alternated, median of 5 each.
    Goal: ≥ 2.5× the throughput (ratio of wall times ≤ 0.4).
county_rollup_township: ``village-stats rollup --by township`` on the example county, wall time of the
    command (each village-period loaded and computed: the roll-up keeps no cache since issue 17) against
    the import of the roll-up module alone (the command's floor). Goal: ≤ 1.5 s.
county_pooled_1m: pooled register measures per township for 1,000,000 households in 2,000 villages in 100
    townships, against DuckDB SQL computing the same in the same session. Goal: ratio ≤ 1.0.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from village_stats.measures.register import BY_VILLAGE_COLUMNS
from village_stats.panel.rollup import pooled_register_measures
from village_stats.synthetic import synthetic_register

from .conftest import ROOT, interleaved, record, traced_peak
from .test_register_measures_1m import SQL

BIN = Path(sys.executable).parent
COUNTY = ROOT / "examples" / "demo_county"
PERIOD = "2017H2"


def _villages() -> list[str]:
    return sorted(p.name for p in COUNTY.iterdir() if (p / "village.yaml").is_file())


def test_county_batch_24(bench_dir):
    work = bench_dir / "county_batch"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    villages = _villages()
    assert len(villages) == 24

    def sequential():
        for v in villages:
            subprocess.run([str(BIN / "village-stats"), "run", "--village", v, "--period", PERIOD, "--data-dir",
                            str(COUNTY), "--output-dir", str(work / "seq")], check=True, capture_output=True,
                           cwd=ROOT)

    def batch():
        subprocess.run([str(BIN / "village-stats"), "run-all", "--period", PERIOD, "--data-dir", str(COUNTY),
                        "--output-dir", str(work / "batch"), "--no-progress"], check=True, capture_output=True,
                       cwd=ROOT)

    # warm the font subsets of every village's document (both sides profit equally afterwards)
    subprocess.run([str(BIN / "village-stats"), "run-all", "--period", PERIOD, "--data-dir", str(COUNTY),
                    "--output-dir", str(work / "warm"), "--no-progress"], check=True, capture_output=True, cwd=ROOT)
    # at least 5 alternated runs (issue 21: a goal is met on the median, not on one lucky run); about 40 min
    # on 2 cores: VILLAGE_STATS_BENCH_REPEATS lowers it for a quick look
    ours_s, base_s = interleaved(batch, sequential, int(os.environ.get("VILLAGE_STATS_BENCH_REPEATS", "5")))
    for v in villages:
        assert (work / "batch" / v / PERIOD / "report.pdf").is_file()
        assert (work / "seq" / v / PERIOD / "report.pdf").is_file()
    ratio = statistics.median(ours_s) / statistics.median(base_s)
    record("county_batch_24", "24 village reports (notebook, HTML, PDF, CSV) of examples/demo_county 2017H2",
           ours_s, base_s, "24 sequential `village-stats run` processes", None,
           "throughput >= 2.5x (ratio <= 0.4)", ratio <= 0.4, jobs=os.cpu_count(),
           throughput_gain=round(1 / ratio, 2))


def test_county_rollup_township():
    cmd = [str(BIN / "village-stats"), "rollup", "--period", "2018H2", "--by", "township", "--data-dir",
           str(COUNTY), "--format", "csv"]
    floor = [sys.executable, "-c", "import village_stats.cli, village_stats.panel.rollup"]

    def ours():
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)

    def imports():
        subprocess.run(floor, check=True, capture_output=True, cwd=ROOT)

    ours_s, base_s = interleaved(ours, imports, 5)
    wall = statistics.median(ours_s)
    record("county_rollup_township", "rollup --by township, examples/demo_county 2018H2 (23 villages), CLI wall",
           ours_s, base_s, "importing the CLI and the roll-up only", None, "wall <= 1.5 s (no cache)", wall <= 1.5)


duckdb = pytest.importorskip("duckdb")
N, VILLAGES, TOWNSHIPS, Z = 1_000_000, 2_000, 100, 3000.0


def test_county_pooled_1m():
    frame = synthetic_register(N, VILLAGES, seed=20172, poverty_line_yuan=Z)
    codes = frame["village_id"].cat.codes.to_numpy()
    township = np.array([f"t{i:03d}" for i in range(TOWNSHIPS)])[codes % TOWNSHIPS]
    frame["township_id"] = township
    sql = SQL.replace("village_id", "township_id")
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("reg", frame.drop(columns="village_id"))

    def ours():
        return pooled_register_measures(frame, township, Z)

    def baseline():
        return con.execute(sql, {"z": Z, "k": 1 / 3}).df()

    a = ours()
    b = baseline().set_index("township_id")
    assert list(a.index.astype(str)) == list(b.index.astype(str))
    for col in BY_VILLAGE_COLUMNS:
        np.testing.assert_allclose(a[col].to_numpy(), b[col].to_numpy(dtype=float), rtol=1e-9, atol=1e-12,
                                   err_msg=col)
    ours_s, base_s = interleaved(ours, baseline, 7)
    peak = traced_peak(ours)
    ratio = statistics.median(ours_s) / statistics.median(base_s)
    record("county_pooled_1m", f"{N:,} households, {VILLAGES:,} villages pooled into {TOWNSHIPS} townships",
           ours_s, base_s, f"duckdb {duckdb.__version__} SQL (2 threads)", peak, "ratio <= 1.0", ratio <= 1.0,
           note="ours also computes the 6 deprivation rates and 6 M0 contributions")

