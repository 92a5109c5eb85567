"""Issue 18, classes 1, 2, 4 (reader) and 7: outputs that never touch inputs, no personal data in messages,
workbook bounds before allocation, one-line messages and honest exit codes.

Every test here fails on main at d38ab13 (checked); all are fast: the checks happen before any kernel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.errors import DataError

from .conftest import DATA, ROOT, tree_digest, with_policy

PY = sys.executable


def _env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the repository's data root (suoluoyu, demo, policy/)."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return root


# --------------------------------------------------------------------------- class 1: outputs never touch inputs

@pytest.mark.parametrize("where", ["data", "data/suoluoyu", "data/suoluoyu/2017H1", "."])
def test_output_dir_overlapping_the_data_is_refused_before_anything_is_written(data, where):
    """``--output-dir data`` (a typo) used to exit 0, turn data/suoluoyu/2017H1 into a symlink into the run
    store and delete the input folder; any overlap (equal, inside, holding the data) is now exit 2."""
    before = tree_digest(data.parent)
    r = CliRunner().invoke(main, ["run", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(data),
                                  "--output-dir", str(data.parent / where), "--formats", "csv"])
    assert r.exit_code == 2, r.output
    assert "overlaps the data folder" in _one_line(r)
    assert tree_digest(data.parent) == before           # nothing written, nothing moved
    assert not (data / "suoluoyu" / "2017H1").is_symlink()
    assert not (data / ".village-stats-runs").exists()


def test_an_output_dir_that_links_into_the_data_is_refused(data, tmp_path):
    link = tmp_path / "out"
    link.symlink_to(data / "suoluoyu", target_is_directory=True)
    before = tree_digest(data)
    r = CliRunner().invoke(main, ["run", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(data),
                                  "--output-dir", str(link), "--formats", "csv"])
    assert r.exit_code == 2 and "overlaps the data folder" in _one_line(r)
    assert tree_digest(data) == before


def test_a_township_named_like_a_period_cannot_nest_in_the_county_folder(data):
    from village_stats.request import Request
    from village_stats.run.kinds import prepare_county

    with pytest.raises(DataError, match="named like a period"):
        prepare_county(Request.build("county", period="2017H1", township="2017H1", data_dir=data))


def test_run_all_checks_its_output_dir_once_before_any_village(data):
    before = tree_digest(data)
    r = CliRunner().invoke(main, ["run-all", "--period", "2017H1", "--data-dir", str(data),
                                  "--output-dir", str(data), "--formats", "csv", "--jobs", "1", "--no-progress"])
    assert r.exit_code == 2, r.output
    assert "--output-dir" not in r.stdout and len(r.stderr.strip().splitlines()) == 1
    assert tree_digest(data) == before


def test_run_all_summary_file_is_never_named_by_a_bad_period(data, tmp_path):
    """``run-all --period ../../escape`` wrote ``batch-../../escape.json``, outside the output folder."""
    out = tmp_path / "a" / "b" / "out"
    r = CliRunner().invoke(main, ["run-all", "--period", "../../../escape", "--data-dir", str(data),
                                  "--output-dir", str(out), "--formats", "csv", "--jobs", "1", "--no-progress"])
    assert r.exit_code == 2, r.output
    assert not list(tmp_path.rglob("escape*")) and not out.exists()


def test_a_report_kind_folder_is_never_a_village_folder(data):
    """A village whose id is ``county`` replaced the county report's folder; the id is now reserved."""
    from village_stats.load import check_village_id
    from village_stats.request import Request

    with pytest.raises(DataError, match="reserved"):
        check_village_id("county")
    shutil.copytree(data / "suoluoyu", data / "county")
    with pytest.raises(DataError, match="reserved"):
        Request.build("period", village="county", period="2017H1", data_dir=data)


def test_a_township_with_dots_cannot_lead_the_county_report_out_of_the_output_folder(tmp_path):
    root = with_policy(tmp_path / "data")
    shutil.copytree(DATA / "suoluoyu", root / "suoluoyu")
    yaml_path = root / "suoluoyu" / "village.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    township = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("township_zh"))
    yaml_path.write_text(text.replace(township, "../../escaped"), encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["run", "--report", "county", "--period", "2017H1", "--township", "../../escaped",
                                  "--data-dir", str(root), "--output-dir", str(out), "--formats", "csv"])
    assert r.exit_code == 2, r.output
    assert "cannot name a folder" in _one_line(r)
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped").exists()
    assert not out.exists() or not any(out.rglob("*.csv"))


@pytest.mark.parametrize("name", ["..", ".hidden", "a/b", "a\\b", "x\x00y", "é" * 200])
def test_path_components_from_data_are_plain_names(name):
    from village_stats.places import inside, path_component

    with pytest.raises(DataError):
        path_component(name, "a township")
    with pytest.raises(DataError):
        inside("/tmp/out", ["county", name, "2017H1"])


def test_a_folder_no_run_made_is_never_moved_aside(tmp_path):
    """Defence in depth: even called directly, publishing over a real folder of inputs refuses."""
    from village_stats.outputs import Publication

    final = tmp_path / "out" / "v" / "2017H1"
    final.mkdir(parents=True)
    (final / "population.csv").write_text("measure,value\n", encoding="utf-8")
    with pytest.raises(DataError, match="no run made"):
        Publication(final).begin()
    assert (final / "population.csv").is_file() and not final.is_symlink()


def test_output_file_inside_the_data_is_refused(data):
    before = tree_digest(data)
    r = CliRunner().invoke(main, ["trend", "--village", "demo", "--data-dir", str(data), "--format", "xlsx",
                                  "--output", str(data / "demo" / "2023H1.xlsx")])
    assert r.exit_code == 2, r.output
    assert "inside the data folder" in _one_line(r)
    assert tree_digest(data) == before


# --------------------------------------------------------------------------- class 7: messages and exit codes

def test_a_300_character_village_id_is_one_line_exit_2(data, tmp_path):
    r = CliRunner().invoke(main, ["run", "--village", "a" * 300, "--period", "2017H1", "--data-dir", str(data),
                                  "--output-dir", str(tmp_path / "out")])
    assert r.exit_code == 2, r.output
    line = _one_line(r)
    assert "a" * 30 not in line and "64" in line


def test_output_dir_at_a_file_is_one_line_in_the_users_language(data, tmp_path, monkeypatch):
    monkeypatch.setenv("VILLAGE_STATS_LANG", "zh")
    f = tmp_path / "afile"
    f.write_text("x", encoding="utf-8")
    r = CliRunner().invoke(main, ["run", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(data),
                                  "--output-dir", str(f)])
    assert r.exit_code == 2, r.output
    line = _one_line(r)
    assert line.startswith("错误：") and "文件夹" in line and "Usage" not in r.output


def test_a_usage_error_is_one_line_exit_2(monkeypatch):
    monkeypatch.setenv("VILLAGE_STATS_LANG", "zh")
    r = CliRunner().invoke(main, ["run", "--no-such-option"])
    assert r.exit_code == 2
    assert _one_line(r).startswith("错误：")
    r = CliRunner().invoke(main, ["rollup", "--period", "2017H1", "--by", "nowhere", "--lang", "en"])
    assert r.exit_code == 2
    assert _one_line(r).startswith("error: ")


def test_output_in_a_missing_folder_says_so(data, tmp_path):
    r = CliRunner().invoke(main, ["trend", "--village", "demo", "--data-dir", str(data), "--format", "xlsx",
                                  "--output", str(tmp_path / "missing" / "x.xlsx")])
    assert r.exit_code == 2, r.output
    line = _one_line(r)
    assert "FileCreateError" not in line and "does not exist" in line and "missing" in line


def test_a_broken_pipe_is_a_silent_success(data):
    """``village-stats trend ... | head -1``: exit 0 and nothing on stderr (was "错误：无法读写：Broken pipe", 1)."""
    p = subprocess.Popen([PY, "-m", "village_stats.cli", "trend", "--village", "demo", "--data-dir", str(data)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
    p.stdout.readline()
    p.stdout.close()  # like head -1: the reader goes away
    err = p.stderr.read()
    assert p.wait(timeout=120) == 0, err
    assert err == b""


# --------------------------------------------------------------------------- class 4 (reader): bounds before allocation

def _far_cell_workbook(path: Path, row: int = 1_048_575, col: int = 16_383) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("population")
    ws.write_row(0, 0, ["measure", "value"])
    ws.write_row(1, 0, ["households_total", 10])
    ws.write_string(row, col, "x")  # one stray cell far away
    book.close()
    return path


def test_a_cell_at_xfd1048576_is_one_line_exit_2_before_any_allocation(tmp_path):
    """Was a 512 GiB allocation in calamine, a Rust backtrace and exit 134 (run in a subprocess for that)."""
    root = with_policy(tmp_path / "data")
    shutil.copytree(DATA / "suoluoyu", root / "v", ignore=shutil.ignore_patterns("2017H1"))
    yaml_path = root / "v" / "village.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("id: suoluoyu", "id: v"), encoding="utf-8")
    book = _far_cell_workbook(root / "v" / "2017H1.xlsx")
    p = subprocess.run([PY, "-m", "village_stats.cli", "validate", "--village", "v", "--period", "2017H1",
                        "--data-dir", str(root)], capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=120)
    assert p.returncode == 2, p.stderr[-2000:]
    lines = p.stderr.strip().splitlines() or p.stdout.strip().splitlines()
    assert len([x for x in lines if str(book) in x]) == 1, p.stderr[-2000:] + p.stdout[-2000:]
    line = next(x for x in lines if str(book) in x)
    assert "sheet population" in line and "XFD1048576" in line and "10,000,000" in line


@pytest.mark.parametrize("row,col,refused", [(999, 25, False), (20_000, 700, True), (5, 16_383, False),
                                             (399_999, 25, True), (1_000_000, 30, True)])
def test_sheet_bounds_are_measured_from_the_xml(tmp_path, row, col, refused):
    """The rectangle from A1 to the farthest cell, rows x columns against 10 M cells (worked by hand:
    1,000 x 26 = 26,000 kept; 20,001 x 701 = 14.0 M refused; 6 x 16,384 = 98,304 kept; 400,000 x 26 = 10.4 M
    refused; 1,000,001 x 31 refused)."""
    from village_stats.readers import read_workbook_raw

    book = _far_cell_workbook(tmp_path / "b.xlsx", row, col)
    if refused:
        with pytest.raises(DataError, match="expected at most 10,000,000 cells"):
            read_workbook_raw(book)
    else:  # read (the stray cell then has no header: another error, not the bound)
        with pytest.raises(DataError, match="no header"):
            read_workbook_raw(book)


# --------------------------------------------------------------------------- class 2: personal data by content

_ID18 = __import__("re").compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def _ids_as_household_ids(root: Path, periods=("2017H1", "2017H2")) -> list[str]:
    """Rewrite the demo registers as many real exports are: 户编号 = the head's identity number."""
    import pandas as pd

    ids = []
    for p in periods:
        path = root / "demo" / p / "households.csv"
        hh = pd.read_csv(path, dtype=str, keep_default_na=False)
        hh["household_id"] = hh["id_number"]
        hh.to_csv(path, index=False)
        ids += list(hh["id_number"])
    return ids


def test_demo_identity_numbers_pass_the_check():
    """The test below means something: the demo's id_number values are identity numbers (149 pass the
    check; one has a wrong check digit on purpose, and is as personal)."""
    import pandas as pd

    from village_stats.personal import is_id_number, looks_like_id_number

    hh = pd.read_csv(DATA / "demo" / "2017H1" / "households.csv", dtype=str)
    assert hh["id_number"].map(is_id_number).sum() == 149
    assert hh["id_number"].map(looks_like_id_number).all()


def test_identity_numbers_as_household_ids_never_reach_validate_diff_or_the_workbook(data, tmp_path):
    ids = _ids_as_household_ids(data)
    runner = CliRunner()
    texts = []
    r = runner.invoke(main, ["validate", "--village", "demo", "--period", "2017H1", "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    texts.append(r.output)
    assert "#" in r.stdout  # findings list households by their keyed digest
    assert "keyed digests" in r.stdout  # and say so
    r = runner.invoke(main, ["diff", "--village", "demo", "--from", "2017H1", "--to", "2017H2", "--households",
                             "--format", "csv", "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    texts.append(r.output)
    book = tmp_path / "sheet.xlsx"
    r = runner.invoke(main, ["indicators", "--village", "demo", "--period", "2017H2", "--format", "xlsx",
                             "--output", str(book), "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    import zipfile

    with zipfile.ZipFile(book) as z:
        texts += [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
    text = "\n".join(texts)
    assert not [i for i in ids if i in text]
    assert not _ID18.search(text)


def test_household_digests_are_stable_across_periods_so_the_diff_lines_up(data):
    """The same household has the same digest in both periods: the household diff of registers keyed by
    identity numbers has exactly the rows of the diff keyed by the original ids (none all-removed/all-new)."""
    import io

    import pandas as pd

    args = ["diff", "--village", "demo", "--from", "2017H1", "--to", "2017H2", "--households", "--format", "csv",
            "--data-dir", str(data)]
    plain = pd.read_csv(io.StringIO(CliRunner().invoke(main, args).stdout), dtype=str)
    _ids_as_household_ids(data)
    keyed = pd.read_csv(io.StringIO(CliRunner().invoke(main, args).stdout), dtype=str)
    assert len(keyed) == len(plain) and len(plain) > 0
    assert sorted(keyed["change"]) == sorted(plain["change"])
    assert keyed["household_id"].str.fullmatch(r"#[0-9a-f]{10}").all()


def test_digest_is_keyed_per_village_and_by_the_secret():
    from village_stats.personal import digest, household_key

    one = "11010519491231002X"
    assert digest(one, household_key("a", "")) == digest(one.lower(), household_key("a", ""))
    assert digest(one, household_key("a", "")) != digest(one, household_key("b", ""))
    assert digest(one, household_key("a", "")) != digest(one, household_key("a", "s3cret"))


@pytest.mark.parametrize("value,quoted", [
    ("-3", True), ("2017/01/01", True), ("八十六", True), ("也许", True), ("一般户", True), ("abc_1", True),
    ("11010519491231002X", False), ("110105491231002", False), ("13800138000", False), ("王小明", False),
    ("欧阳小明", False), ("买买提·艾力", False), ("x" * 21, False), ("张伟 李娜", False),
    ("note 440524198001010013", False)])
def test_one_rule_decides_what_a_message_may_quote(value, quoted):
    from village_stats.personal import shown

    assert (shown(value) == repr(value)) is quoted
    assert (value in shown(value)) is quoted


def test_messages_quote_values_only_through_the_one_rule():
    """No module builds a message from a raw cell with shorten(value) or {value!r} any more: the places that
    quoted cells (parse, readers) go through village_stats.personal.shown."""
    import re

    for name in ("parse.py", "readers.py"):
        text = (ROOT / "village_stats" / name).read_text(encoding="utf-8")
        assert not re.search(r"(duplicate|got|header) '\{shorten\(", text), name
    parse = (ROOT / "village_stats" / "parse.py").read_text(encoding="utf-8")
    assert "from .personal import" in parse


def test_a_compressed_sheet_that_inflates_past_the_limit_is_refused(tmp_path, monkeypatch):
    """60 KB of zip holding 6 MiB of sheet XML, against a limit lowered to 5 MiB for the test: refused
    before calamine inflates it."""
    import zipfile

    import village_stats.readers as readers

    monkeypatch.setattr(readers, "MAX_TABLE_BYTES", 5 * 1024 * 1024)
    book = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="population" sheetId="1" r:id="rId1"/>'
                                      '</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" '
                                                 'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + " " * (6 * 1024 * 1024)
                   + "</sheetData></worksheet>")
    with pytest.raises(DataError, match="inflates to more than 5,242,880 bytes") as info:
        readers.read_workbook_raw(book)
    assert info.value.sheet == "population"


def test_a_path_name_too_long_is_bad_input_in_the_users_language(tmp_path, monkeypatch):
    """``--data-dir`` with a 300-byte name was exit 1 and the system's English "File name too long"."""
    monkeypatch.setenv("VILLAGE_STATS_LANG", "zh")
    r = CliRunner().invoke(main, ["validate", "--data-dir", str(tmp_path / ("x" * 300))])
    assert r.exit_code == 2, r.output
    line = _one_line(r)
    assert "名称过长" in line and "File name too long" not in line
