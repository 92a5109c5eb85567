"""new_period_100k: the next period's workbook for a village whose register has 100,000 households.

Ours: village_stats.workbook.new_period, the whole command: load and validate the source period
workbook (read once: the personal columns come from the same raw tables), carry over, and write the new workbook with
comments, input messages, validation lists, formats and the 填表说明 sheet. Baseline: pandas
``DataFrame.to_excel(engine="xlsxwriter")`` of the source's register sheet (all 15 columns, read
beforehand): the same writing library dumping the same rows, with no validation, no comments and no
loading.
"""

from __future__ import annotations

import statistics

import pandas as pd

from village_stats.schema import HOUSEHOLDS
from village_stats.workbook import new_period

from .conftest import interleaved, record, traced_peak
from .test_register_excel_100k import N, make_workbook

REPEATS = 5  # the median of at least 5 alternated runs (issue 21)


def test_new_period_100k(bench_dir):
    folder = bench_dir / "new_period"
    book = make_workbook(folder)  # data/bench/2017H1.xlsx, cached between runs
    register = pd.read_excel(book, sheet_name="households", engine="calamine", dtype={"household_id": str})
    target = folder / "bench" / "2017H2.xlsx"
    dump = folder / "dump.xlsx"

    def ours():
        target.unlink(missing_ok=True)
        return new_period(folder, "bench", "2017H2", source="2017H1")

    def baseline():
        register.to_excel(dump, engine="xlsxwriter", index=False)

    made = ours()
    written = pd.read_excel(made.path, sheet_name=HOUSEHOLDS.zh, engine="calamine", dtype={"户编号": str})
    assert len(written) == N and written["人均纯收入(元)"].isna().all()
    assert list(written["户编号"]) == list(register["household_id"])
    ours_s, base_s = interleaved(ours, baseline, REPEATS)
    peak = traced_peak(ours)
    ratio = statistics.median(ours_s) / statistics.median(base_s)
    record("new_period_100k", f"{N:,} households: source workbook in, new workbook out "
                              f"({made.path.stat().st_size / 2**20:.1f} MB)",
           ours_s, base_s, f"pandas {pd.__version__} to_excel(engine='xlsxwriter') of the source register sheet", peak,
           "ratio <= 1.0 (load + validated, annotated workbook no slower than a plain dump)", ratio <= 1.0)
    target.unlink(missing_ok=True)
