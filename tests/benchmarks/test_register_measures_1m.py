"""register_measures_1m: per-village register measures on 1,000,000 households over 2,000 villages.

Ours: village_stats.measures.register.measures_by_village (numpy). Baseline: DuckDB (in-process) computing the
same measures in SQL over the same frame. The two must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

from village_stats.measures.register import BY_VILLAGE_COLUMNS, measures_by_village
from village_stats.synthetic import synthetic_register

from .conftest import interleaved, record, traced_peak

duckdb = pytest.importorskip("duckdb")

N, VILLAGES, Z, REPEATS = 1_000_000, 2_000, 3000.0, 7

SQL = """
WITH scored AS (
  SELECT village_id, members::DOUBLE AS w, income_per_capita_yuan AS y, status,
         (food_clothing_secure AND education_secure AND medical_secure AND housing_secure AND water_secure) AS secure,
         (CASE WHEN income_per_capita_yuan < $z THEN 1 ELSE 0 END
          + CASE WHEN food_clothing_secure THEN 0 ELSE 1 END + CASE WHEN education_secure THEN 0 ELSE 1 END
          + CASE WHEN medical_secure THEN 0 ELSE 1 END + CASE WHEN housing_secure THEN 0 ELSE 1 END
          + CASE WHEN water_secure THEN 0 ELSE 1 END) / 6.0 AS score
  FROM reg
), agg AS (
  SELECT village_id,
         SUM(w) AS n,
         SUM(CASE WHEN y < $z THEN w ELSE 0 END) / SUM(w) AS fgt0,
         SUM(CASE WHEN y < $z THEN w * ($z - y) / $z ELSE 0 END) / SUM(w) AS fgt1,
         SUM(CASE WHEN y < $z THEN w * POW(($z - y) / $z, 2) ELSE 0 END) / SUM(w) AS fgt2,
         SUM(CASE WHEN y > 0 AND y < $z THEN w * LN($z / y) ELSE 0 END) / SUM(w) AS watts,
         SUM(CASE WHEN score >= $k - 1e-9 THEN w ELSE 0 END) / SUM(w) AS mpi_h,
         COALESCE(SUM(CASE WHEN score >= $k - 1e-9 THEN w * score END)
                  / NULLIF(SUM(CASE WHEN score >= $k - 1e-9 THEN w ELSE 0 END), 0), 0) AS mpi_a,
         SUM(CASE WHEN status IN ('poor', 'returned') AND y > $z AND secure THEN 1 ELSE 0 END)::DOUBLE
             AS exit_eligible_households,
         COUNT(*)::DOUBLE AS register_households,
         SUM(w * y) AS wy
  FROM scored GROUP BY village_id
), cum AS (
  SELECT village_id, w, y,
         SUM(w) OVER (PARTITION BY village_id ORDER BY y ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c
  FROM scored
), g AS (
  SELECT cum.village_id, SUM(cum.w * cum.y * (2 * cum.c - cum.w - agg.n)) AS num
  FROM cum JOIN agg USING (village_id) GROUP BY cum.village_id
)
SELECT agg.village_id, fgt0, fgt1, fgt2, watts,
       CASE WHEN wy > 0 THEN num / (n * wy) END AS gini,
       mpi_h, mpi_a, mpi_h * mpi_a AS mpi_m0, exit_eligible_households, register_households, n AS register_population
FROM agg JOIN g USING (village_id) ORDER BY agg.village_id
"""


def test_register_measures_1m():
    frame = synthetic_register(N, VILLAGES, seed=20171, poverty_line_yuan=Z)
    frame_bytes = int(frame.memory_usage(deep=True).sum())
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("reg", frame)

    def ours():
        return measures_by_village(frame, Z)

    def baseline():
        return con.execute(SQL, {"z": Z, "k": 1 / 3}).df()

    # agreement first (the benchmark is void if the two disagree)
    a = ours()
    b = baseline().set_index("village_id")
    b.index = b.index.astype(str)
    a.index = a.index.astype(str)
    assert list(a.index) == list(b.index)
    for col in BY_VILLAGE_COLUMNS:
        np.testing.assert_allclose(a[col].to_numpy(), b[col].to_numpy(dtype=float), rtol=1e-9, atol=1e-12,
                                   err_msg=col)
    ours_s, base_s = interleaved(ours, baseline, REPEATS)
    peak = traced_peak(ours)
    ratio = np.median(ours_s) / np.median(base_s)
    record("register_measures_1m", f"{N:,} households, {VILLAGES:,} villages", ours_s, base_s,
           f"duckdb {duckdb.__version__} SQL (2 threads)", peak,
           "ratio <= 1.0 and peak memory <= 3x the frame", ratio <= 1.0 and peak <= 3 * frame_bytes,
           frame_memory_mb=round(frame_bytes / 2 ** 20, 1),
           peak_over_frame=round(peak / frame_bytes, 3))
