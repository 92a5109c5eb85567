"""The corpus of bad inputs in tests/bad_input/: each case one clear line, exit code 2, nothing written."""

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.errors import DataError
from village_stats.load import load_period

from .conftest import tree_digest

CASES = sorted(p for p in (Path(__file__).parent / "bad_input").iterdir() if (p / "case.yaml").is_file())


def test_corpus_is_there():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(case):
    meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    messages = meta["message"] if isinstance(meta["message"], list) else [meta["message"]]
    data = case / "data"
    before = tree_digest(data)
    with pytest.raises(DataError) as info:
        load_period(meta["village"], meta["period"], data)
    err = info.value
    assert all(m in err.message for m in messages)
    if meta["file"] is not None:
        assert Path(err.path) == data / meta["file"]
    assert err.row == meta["row"]
    assert err.column == meta["column"]

    result = CliRunner().invoke(main, ["indicators", "--village", meta["village"], "--period", meta["period"],
                                       "--data-dir", str(data)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert all(m in line for m in messages)
    if meta["file"] is not None:
        assert str(data / meta["file"]) in line
    if meta["row"] is not None:
        assert f"row {meta['row']}" in line
    if meta["column"] is not None:
        assert f"column '{meta['column']}'" in line
    assert result.stdout == ""  # nothing half-written
    assert tree_digest(data) == before  # no input file modified


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_reports_case(case):
    meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    args = ["validate", "--data-dir", str(case / "data")]
    if meta["period"] != "2017H1":
        args += ["--village", meta["village"], "--period", meta["period"]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    messages = meta["message"] if isinstance(meta["message"], list) else [meta["message"]]
    assert all(m in result.stderr for m in messages)
