"""register_excel_100k: loading a period workbook whose register has 100,000 households.

Ours: village_stats.load.load_period (python-calamine, then every validation rule of the data contract,
identity-number checks, and the personal columns dropped). Baseline: pandas.read_excel with its
default engine (openpyxl), which only reads.
"""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd

from village_stats.load import load_period
from village_stats.synthetic import synthetic_register

from .conftest import ROOT, interleaved, record, traced_peak

N, REPEATS, SEED = 100_000, 3, 5
BOOLS = ("absent", "food_clothing_secure", "education_secure", "medical_secure", "housing_secure", "water_secure")


def make_workbook(folder):
    """data/<bench>/2017H1.xlsx with population and households sheets (cached between runs)."""
    village = folder / "bench"
    book = village / "2017H1.xlsx"
    if book.is_file():
        return book
    village.mkdir(parents=True, exist_ok=True)
    yaml = (ROOT / "data" / "demo" / "village.yaml").read_text(encoding="utf-8").replace("id: demo", "id: bench")
    (village / "village.yaml").write_text(yaml, encoding="utf-8")
    shutil.copytree(ROOT / "data" / "policy", folder / "policy")
    reg = synthetic_register(N, 1, seed=SEED, poverty_line_yuan=2952.0).drop(columns="village_id")
    poor = reg["status"].isin(["poor", "returned"])
    population = pd.DataFrame({"measure": ["households_total", "population_total", "poor_households", "poor_population"],
                               "value": [len(reg), int(reg["members"].sum()), int(poor.sum()),
                                         int(reg.loc[poor, "members"].sum())]})
    for c in BOOLS:
        reg[c] = reg[c].map({True: "是", False: "否"})
    tmp = book.with_suffix(".tmp.xlsx")
    with pd.ExcelWriter(tmp, engine="xlsxwriter") as xw:
        population.to_excel(xw, sheet_name="population", index=False)
        reg.to_excel(xw, sheet_name="households", index=False)
    tmp.replace(book)
    return book


def test_register_excel_100k(bench_dir):
    folder = bench_dir / "excel"
    book = make_workbook(folder)

    def ours():
        return load_period("bench", "2017H1", folder)

    def baseline():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 3 announces a future default engine change
            return pd.read_excel(book, sheet_name=None)

    data = ours()
    hh = data.table("households")
    assert len(hh) == N and "id_number" not in hh and "head_name" not in hh
    assert (hh["id_number_status"] == "valid").mean() > 0.99
    raw = baseline()["households"]
    assert len(raw) == N
    np.testing.assert_allclose(hh["income_per_capita_yuan"].to_numpy(), raw["income_per_capita_yuan"].to_numpy())
    ours_s, base_s = interleaved(ours, baseline, REPEATS)
    peak = traced_peak(ours)
    speedup = np.median(base_s) / np.median(ours_s)
    record("register_excel_100k", f"{N:,} households x 15 columns (.xlsx, {book.stat().st_size / 2**20:.1f} MB)",
           ours_s, base_s, f"pandas {pd.__version__} read_excel, default engine (openpyxl)", peak,
           "ours at least 5x faster (ratio <= 0.2)", speedup >= 5.0, speedup=round(float(speedup), 2))
