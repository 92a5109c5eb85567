"""Property-based fuzzing of the loaders (hypothesis): any input gives a validated PeriodData or a
DataError naming a file under the data folder, never another exception, never a hang.

Budget: VILLAGE_STATS_FUZZ_EXAMPLES examples per test (default 30, a few seconds in ``make test``;
``make fuzz`` runs 2,000 per test, 5 tests = 10,000 inputs). Each example has a hard time limit
(SIGALRM, 20 s) on top of hypothesis' deadline, so a hang fails the test instead of stalling it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from village_stats import schema  # noqa: E402
from village_stats.errors import DataError  # noqa: E402
from village_stats.load import PeriodData, load_period  # noqa: E402

EXAMPLES = int(os.environ.get("VILLAGE_STATS_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=10_000, derandomize=EXAMPLES <= 100, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HARD_LIMIT_SECONDS = 20

VILLAGE = """id: v
name_zh: 测试村
name_en: Test village
township_zh: 某乡
county_zh: 某县
city_zh: 某市
province_zh: 山西省
region: central
supported_by_zh: 某局
poverty_line_yuan: 3300
"""
POP = "measure,value\nhouseholds_total,176\npopulation_total,410\npoor_households,86\npoor_population,196\n"

# vocabulary of the data contract, plus junk
HEADERS = sorted({s for t in schema.TABLES.values() for c in t.columns for s in (c.name, c.zh, *c.aliases)})
TERMS = sorted({s for t in schema.TABLES.values() for c in t.columns if c.vocab is not None
                for term in c.vocab.terms for s in (term.id, term.zh, *term.aliases)})
JUNK = ["", " ", "inf", "-inf", "nan", "NaN", "1e400", "-0", "1,7,6", "12,5", "1,234", "110万", "3万元", "是", "否",
        "2017-01-01", "2017/01/01", "2017-13-45", "11010519491231002X", "测试甲", "=1+1", "#DIV/0!", "\x00",
        "\"", "'", ",", "\n", "\r\n", "Unnamed: 3", "value.1", "　", "（）", "9" * 40, "-1", "0.5", "1900", "2100"]
TABLE_NAMES = [t.filename for t in schema.TABLES.values()] + ["人口与贫困基本情况.csv", "junk.csv", "x.CSV"]
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1", "big5", "shift_jis"]

cell = st.one_of(st.sampled_from(HEADERS + TERMS + JUNK), st.integers(-10**6, 10**12).map(str),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=12))
header = st.one_of(st.sampled_from(HEADERS), st.sampled_from(JUNK), st.text(max_size=8))


@contextlib.contextmanager
def hard_limit(seconds: int = HARD_LIMIT_SECONDS):
    def on_alarm(signum, frame):
        raise TimeoutError(f"an example took more than {seconds} s (a hang)")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check(root: Path, period: str = "2017H1") -> None:
    """The property: a PeriodData, or a DataError that names a file or folder under ``root``."""
    with hard_limit():
        try:
            data = load_period("v", period, root)
        except DataError as exc:
            assert exc.path is not None, str(exc)
            assert Path(exc.path).is_relative_to(root), str(exc)
            assert "\n" not in str(exc)
            return
    assert isinstance(data, PeriodData)


def village(root: Path, text: str = VILLAGE) -> Path:
    v = root / "v"
    (v / "2017H1").mkdir(parents=True)
    (v / "village.yaml").write_text(text, encoding="utf-8")
    return v


def csv_text(rows: list[list[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@FUZZ
@given(name=st.sampled_from(TABLE_NAMES), raw=st.binary(max_size=2000))
def test_random_bytes(name, raw):
    with tempfile.TemporaryDirectory() as d:
        v = village(Path(d))
        (v / "2017H1" / "population.csv").write_text(POP, encoding="utf-8")
        (v / "2017H1" / name).write_bytes(raw)
        check(Path(d))


@FUZZ
@given(name=st.sampled_from(TABLE_NAMES), head=st.lists(header, min_size=1, max_size=8),
       body=st.lists(st.lists(cell, min_size=0, max_size=9), max_size=8), encoding=st.sampled_from(ENCODINGS))
def test_random_tables(name, head, body, encoding):
    with tempfile.TemporaryDirectory() as d:
        v = village(Path(d))
        (v / "2017H1" / "population.csv").write_text(POP, encoding="utf-8")
        (v / "2017H1" / name).write_bytes(csv_text([head, *body]).encode(encoding, errors="replace"))
        check(Path(d))


@FUZZ
@given(rows=st.lists(st.tuples(st.sampled_from(sorted(schema.POPULATION_MEASURES.lookup()) + JUNK), cell),
                     max_size=12), encoding=st.sampled_from(ENCODINGS))
def test_random_population(rows, encoding):
    with tempfile.TemporaryDirectory() as d:
        v = village(Path(d))
        text = csv_text([["measure", "value"], *[list(r) for r in rows]])
        (v / "2017H1" / "population.csv").write_bytes(text.encode(encoding, errors="replace"))
        check(Path(d))


yaml_scalar = st.one_of(st.sampled_from(["true", "false", "no", "yes", ".inf", "-.inf", ".nan", "~", "null", "[]",
                                         "{}", "[a, b]", "&a x", "*a", "!!python/object:os.system", "0x10",
                                         "1e400", "3300", "'3300'", "测试村", "central", "西部", "? x"]),
                        st.text(max_size=10))
yaml_key = st.one_of(st.sampled_from([k for k, _, _ in schema.VILLAGE_FIELDS]), st.text(max_size=6))


@FUZZ
@given(lines=st.lists(st.tuples(yaml_key, yaml_scalar), max_size=14), keep=st.booleans(),
       raw=st.binary(max_size=300))
def test_random_yaml(lines, keep, raw):
    text = (VILLAGE if keep else "") + "".join(f"{k}: {v}\n" for k, v in lines)
    with tempfile.TemporaryDirectory() as d:
        v = village(Path(d), text)
        (v / "2017H1" / "population.csv").write_text(POP, encoding="utf-8")
        check(Path(d))
        (v / "village.yaml").write_bytes(raw if not keep else text.encode("utf-8") + raw)
        check(Path(d))


workbook_cell = st.one_of(cell, st.integers(-10**6, 10**9), st.floats(allow_nan=False, allow_infinity=False),
                          st.booleans(), st.none())


@FUZZ
@given(sheets=st.lists(st.tuples(st.sampled_from(list(schema.TABLES) + ["人口与贫困基本情况", "Sheet1", "POPULATION"]),
                                 st.lists(header, min_size=1, max_size=6),
                                 st.lists(st.lists(workbook_cell, max_size=7), max_size=6)),
                       min_size=1, max_size=4),
       error_cell=st.booleans())
def test_random_workbooks(sheets, error_cell):
    import xlsxwriter

    with tempfile.TemporaryDirectory() as d:
        v = village(Path(d))
        (v / "2017H1").rmdir()
        wb = xlsxwriter.Workbook(str(v / "2017H1.xlsx"), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                          "nan_inf_to_errors": True})
        used = set()
        for name, head, body in sheets:
            if name.lower() in used:
                continue
            used.add(name.lower())
            ws = wb.add_worksheet(name)
            ws.write_row(0, 0, head)
            for i, row in enumerate(body, start=1):
                for j, value in enumerate(row):
                    if value is None:
                        continue
                    ws.write(i, j, value)
            if error_cell:
                ws.write_formula(len(body) + 1, 1, "=1/0", None, "#DIV/0!")
        wb.close()
        check(Path(d))
