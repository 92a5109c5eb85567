"""The corpus of bad inputs in tests/bad_input/: each case one clear line, exit code 2, nothing written.

A case may name the workbook ``sheet`` and ``cell`` (``E3``): the line then reads
``file, sheet S, cell E3 (header): ...``. Every case is also scanned for personal data: the values
listed under ``planted`` in its case.yaml, every ID-number-like token and every head_name cell of its
files must never appear in any message.
"""

import csv
import io
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.errors import DataError
from village_stats.load import load_period

from .conftest import tree_digest, with_policy

CASES = sorted(p for p in (Path(__file__).parent / "bad_input").iterdir() if (p / "case.yaml").is_file())
_ID_LIKE = re.compile(r"\b\d{17}[\dXx]\b")
_NAME_HEADERS = {"head_name", "户主姓名", "name", "姓名", "成员姓名"}  # the register's and the members' names


def test_corpus_is_there():
    assert len(CASES) >= 55


def personal_values(case: Path, meta: dict) -> set[str]:
    """Personal data planted in the case's files: listed ones, ID-number-like tokens, head_name cells."""
    found = set(meta.get("planted") or [])
    for p in (case / "data").rglob("*.csv"):
        raw = p.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            continue
        found |= set(_ID_LIKE.findall(text))
        rows = list(csv.reader(io.StringIO(text)))
        if rows:
            cols = [j for j, h in enumerate(rows[0]) if h.strip() in _NAME_HEADERS]
            found |= {r[j].strip() for r in rows[1:] for j in cols if j < len(r) and r[j].strip()}
    return found


def load_meta(case: Path) -> dict:
    return yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(case):
    meta = load_meta(case)
    messages = meta["message"] if isinstance(meta["message"], list) else [meta["message"]]
    data = case / "data"
    before = tree_digest(data)
    with pytest.raises(DataError) as info:
        load_period(meta["village"], meta["period"], data)
    err = info.value
    assert all(m in err.message for m in messages), err.message
    if meta["file"] is not None:
        assert Path(err.path) == data / meta["file"]
    assert err.row == meta["row"]
    assert err.column == meta["column"]
    assert err.sheet == meta.get("sheet")
    assert err.cell == meta.get("cell")

    result = CliRunner().invoke(main, ["indicators", "--village", meta["village"], "--period", meta["period"],
                                       "--data-dir", str(data)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert all(m in line for m in messages)
    if meta["file"] is not None:
        assert str(data / meta["file"]) in line
    if meta.get("cell") is not None:
        assert f", sheet {meta['sheet']}, cell {meta['cell']}" in line
    elif meta.get("sheet") is not None:
        assert f", sheet {meta['sheet']}" in line
    if meta["row"] is not None and meta.get("cell") is None:
        assert f"row {meta['row']}" in line
    if meta["column"] is not None:
        assert f"column '{meta['column']}'" in line or f"({meta['column']})" in line
    assert result.stdout == ""  # nothing half-written
    assert tree_digest(data) == before  # no input file modified


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_reports_case(case):
    meta = load_meta(case)
    args = ["validate", "--data-dir", str(case / "data")]
    if meta["period"] != "2017H1":
        args += ["--village", meta["village"], "--period", meta["period"]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    messages = meta["message"] if isinstance(meta["message"], list) else [meta["message"]]
    assert all(m in result.stderr for m in messages)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_personal_data_in_messages(case):
    """No name or ID number planted in a case reaches the error, stderr or stdout of any command."""
    meta = load_meta(case)
    planted = personal_values(case, meta)
    data = str(case / "data")
    outputs = []
    try:
        load_period(meta["village"], meta["period"], case / "data")
    except DataError as exc:
        outputs.append(str(exc))
    runner = CliRunner()
    for args in (["indicators", "--village", meta["village"], "--period", meta["period"], "--data-dir", data],
                 ["validate", "--data-dir", data],
                 ["validate", "--village", meta["village"], "--period", meta["period"], "--data-dir", data]):
        result = runner.invoke(main, args)
        outputs += [result.stdout, result.stderr]
    text = "\n".join(outputs)
    leaked = sorted(v for v in planted if v in text)
    assert not leaked, f"personal data in messages: {len(leaked)} value(s)"


def test_privacy_scan_finds_the_planted_values():
    """The scan itself sees the names and ID numbers of a households.csv (so a pass means something)."""
    case = Path(__file__).parent / "bad_input" / "households_header_cell_missing"
    found = personal_values(case, load_meta(case))
    assert {"测试甲", "11010519491231002X", "440524198001010013"} <= found


def test_privacy_scan_finds_the_members_planted_values():
    """The scan sees the members' names and ID numbers too (members.csv, 2026)."""
    case = Path(__file__).parent / "bad_input" / "members_duplicate_id_number"
    found = personal_values(case, load_meta(case))
    assert {"测试丙", "测试乙", "440524198001010013"} <= found


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case_in_chinese(case, monkeypatch):
    """The same line in Chinese (VILLAGE_STATS_LANG=zh, the default): place words in Chinese, paths, sheets,
    cells and headers as written; `--lang en` on the command line still gives English."""
    meta = load_meta(case)
    data = case / "data"
    monkeypatch.setenv("VILLAGE_STATS_LANG", "zh")
    args = ["indicators", "--village", meta["village"], "--period", meta["period"], "--data-dir", str(data)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), lines
    line = lines[0]
    if meta["file"] is not None:
        assert str(data / meta["file"]) in line
    if meta.get("cell") is not None:
        assert f"工作表 {meta['sheet']}，单元格 {meta['cell']}" in line
    elif meta["row"] is not None:
        assert f"第 {meta['row']} 行" in line
    if meta["column"] is not None:
        assert f"列 '{meta['column']}'" in line or f"（{meta['column']}）" in line
    assert not any(v in line for v in personal_values(case, meta))
    english = CliRunner().invoke(main, args + ["--lang", "en"])
    assert english.exit_code == 2 and english.stderr.startswith("error: ")
    assert all(m in english.stderr for m in (meta["message"] if isinstance(meta["message"], list)
                                             else [meta["message"]]))


def test_a_bad_value_is_explained_in_chinese(tmp_path, monkeypatch):
    """A value of the wrong kind: the expectation itself is in Chinese, the value quoted as written."""
    import shutil

    from .conftest import DATA

    shutil.copytree(DATA / "suoluoyu", tmp_path / "suoluoyu")
    with_policy(tmp_path)
    pop = tmp_path / "suoluoyu" / "2017H1" / "population.csv"
    lines = pop.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = next(i for i, line in enumerate(lines) if line.startswith("households_total"))
    cells = lines[row].split(",")
    cells[header.index("value")] = "-3"
    lines[row] = ",".join(cells)
    pop.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("VILLAGE_STATS_LANG", "zh")
    result = CliRunner().invoke(main, ["validate", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "有误  suoluoyu 2017H1" in result.stdout
    assert f"第 {row + 1} 行，列 'value'：应为" in result.stderr and "实际为 '-3'" in result.stderr
