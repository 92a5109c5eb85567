"""new-period reads the source period's files once: the personal columns (names, identity numbers), which the
loader drops, come from the same raw tables as the validated period, not from a second read (issue 21).

Counted with an audit hook (PEP 578) on every file opened, not by patching names; the code before issue 21
opened the register twice (``personal_columns`` read it again).
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from village_stats import workbook

from .conftest import DATA

_OPENED: list[str] | None = None


def _hook(event, args):
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, Path)):
        _OPENED.append(str(Path(args[0]).resolve()))


sys.addaudithook(_hook)


def opened_while(fn) -> Counter:
    global _OPENED
    _OPENED = []
    try:
        fn()
        return Counter(_OPENED)
    finally:
        _OPENED = None


@pytest.mark.parametrize("how", ["xlsx", "csv"])
def test_new_period_reads_the_register_once(tmp_path, how):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    register = (data / "demo" / "2018H2" / "households.csv").resolve()
    opened = opened_while(lambda: workbook.new_period(data, "demo", "2019H1", source="2018H2", as_=how))
    assert opened[str(register)] == 1
    # and the personal columns still reach the register sheet, as in the source
    source = pd.read_csv(register, dtype=str)
    if how == "csv":
        written = pd.read_csv(data / "demo" / "2019H1" / "households.csv", dtype=str, encoding="utf-8-sig")
    else:
        import openpyxl

        from village_stats.schema import HOUSEHOLDS

        ws = openpyxl.load_workbook(data / "demo" / "2019H1.xlsx")[HOUSEHOLDS.zh]
        rows = list(ws.values)
        written = pd.DataFrame(rows[1:], columns=rows[0]).astype(str)
    assert list(written["户主姓名"]) == list(source["head_name"])
    assert list(written["户编号"]) == list(source["household_id"])
