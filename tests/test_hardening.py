"""Hostile inputs that cannot live in tests/bad_input/ (pipes, devices, links, huge cells) and the CLI's
last line of defence: every failure is one line on stderr, exit 1 or 2, never a traceback or a hang."""

import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from village_stats.cli import errors_to_exit_codes, main
from village_stats.errors import DataError, shorten
from village_stats.load import list_periods, load_period, validate
from village_stats.readers import read_bytes

from .test_io import write_village

POP = "measure,value\nhouseholds_total,176\npopulation_total,410\npoor_households,86\npoor_population,196\n"


def period_folder(tmp_path: Path) -> Path:
    v = write_village(tmp_path)
    d = v / "2017H1"
    d.mkdir()
    (d / "population.csv").write_text(POP, encoding="utf-8")
    return d


def one_line_exit_2(tmp_path, *extra):
    result = CliRunner().invoke(main, ["indicators", "--village", "dongshan", "--period", "2017H1",
                                       "--data-dir", str(tmp_path), *extra])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert result.stdout == ""
    return lines[0]


def test_dangling_symlink_is_one_line(tmp_path):
    d = period_folder(tmp_path)
    (d / "population.csv").unlink()
    (d / "population.csv").symlink_to(d / "nowhere.csv")
    line = one_line_exit_2(tmp_path)
    assert "population.csv: a broken link" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_does_not_hang(tmp_path):
    d = period_folder(tmp_path)
    os.mkfifo(d / "work_log.csv")
    outcome = {}

    def run():
        try:
            load_period("dongshan", "2017H1", tmp_path)
        except DataError as exc:
            outcome["error"] = str(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():  # unblock the reader so the test process can end, then fail
        with open(d / "work_log.csv", "w"):
            pass
        pytest.fail("reading a FIFO hung")
    assert "work_log.csv: not a regular file" in outcome["error"]


def test_device_is_refused(tmp_path):
    d = period_folder(tmp_path)
    (d / "work_log.csv").symlink_to("/dev/zero")
    line = one_line_exit_2(tmp_path)
    assert "work_log.csv: not a regular file" in line


def test_folder_named_like_a_table_is_skipped_but_a_file_limit_holds(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(b"x" * 100)
    with pytest.raises(DataError, match="the file has 100 bytes: expected at most 10"):
        read_bytes(p, 10)


def test_upper_case_xlsx_extension_is_found_and_loaded(tmp_path):
    """2017H1.XLSX is listed by `periods` and loaded (the extension's case does not matter)."""
    import xlsxwriter

    v = write_village(tmp_path)
    wb = xlsxwriter.Workbook(str(v / "2017H1.XLSX"))
    ws = wb.add_worksheet("population")
    for i, line in enumerate(POP.strip().splitlines()):
        a, b = line.split(",")
        ws.write(i, 0, a)
        ws.write(i, 1, int(b) if b.isdigit() else b)
    wb.close()
    assert [p.code for p in list_periods(tmp_path, "dongshan")] == ["2017H1"]
    data = load_period("dongshan", "2017H1", tmp_path)
    assert data.measures()["households_total"] == 176


def test_newline_in_village_is_one_line():
    result = CliRunner().invoke(main, ["indicators", "--village", "suoluoyu\nx", "--period", "2017H1"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "village id 'suoluoyu\\nx' is not valid" in lines[0]


def test_huge_cell_is_described_not_quoted(tmp_path):
    """A 5 MB cell in a bad place is described, never quoted (issue 18: even a 20-character prefix can hold
    an identity number)."""
    d = period_folder(tmp_path)
    (d / "population.csv").write_text(POP.replace("176", "9" * 5_000_000 + "x"), encoding="utf-8")
    line = one_line_exit_2(tmp_path)
    assert "got a number of 5000000 digits" in line and "9" * 11 not in line
    assert len(line) < 500


def test_personal_column_values_are_never_quoted(tmp_path):
    """Even a bad cell in a personal-data column is named by row and column, not quoted."""
    import pandas as pd

    from village_stats import schema
    from village_stats.parse import read_table

    raw = pd.DataFrame({"household_id": ["1"], "head_name": ["测试甲"], "members": ["x"], "category": ["general"],
                        "status": ["poor"]})
    with pytest.raises(DataError) as info:
        read_table(raw, schema.HOUSEHOLDS, tmp_path / "households.csv")
    assert "测试甲" not in str(info.value)
    from village_stats.parse import _show

    assert _show("11010519491231002X", schema.HOUSEHOLDS.column("id_number")) == \
        "a value that is not shown (personal data)"


def test_shorten_keeps_one_line():
    assert shorten("ab\ncd") == "ab\\ncd"
    assert shorten("x" * 21) == "x" * 20 + "…"
    assert "\n" not in str(DataError("a\nb", path="p\nq"))


def test_validate_reports_space_in_period_folder(tmp_path):
    v = write_village(tmp_path)
    (v / " 2017H1").mkdir()
    (v / " 2017H1" / "population.csv").write_text(POP, encoding="utf-8")
    problems = [r.problem for r in validate(tmp_path)]
    assert any("has spaces around the period code" in p for p in problems)


def test_unexpected_exception_is_one_line_and_debug_gives_the_traceback():
    import click

    @main.command("boom-for-test", hidden=True)
    @errors_to_exit_codes
    def boom():
        raise KeyError("测试甲")  # an unexpected failure whose text holds personal data

    try:
        result = CliRunner().invoke(main, ["boom-for-test"])
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert lines == ["error: unexpected failure (KeyError); run with --debug for the traceback"]
        debug = CliRunner().invoke(main, ["--debug", "boom-for-test"])
        assert debug.exit_code == 1
        assert "Traceback" in debug.stderr and debug.stderr.strip().splitlines()[-1].startswith("error: ")
    finally:
        main.commands.pop("boom-for-test", None)
    assert isinstance(main, click.Group)


def test_os_error_is_one_line_exit_1():
    @main.command("oserror-for-test", hidden=True)
    @errors_to_exit_codes
    def oserror():
        raise PermissionError(13, "Permission denied", "/x/output/report.pdf")

    try:
        result = CliRunner().invoke(main, ["oserror-for-test"])
    finally:
        main.commands.pop("oserror-for-test", None)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == ["error: cannot read or write /x/output/report.pdf: "
                                                  "Permission denied"]


def test_inf_is_one_error_and_no_warning(tmp_path):
    """'inf' as a count gave RuntimeWarnings before its error; now the error alone."""
    import warnings

    d = period_folder(tmp_path)
    (d / "population.csv").write_text(POP.replace("176", "inf"), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match="got 'inf'"):
            load_period("dongshan", "2017H1", tmp_path)


@pytest.mark.parametrize("raw", [b",\r\x00", b"a,b\r1\r\n2,\n", b"measure,value\n\"x\rb\",\n"])
def test_fuzzer_findings_stay_fixed(tmp_path, raw):
    """Inputs the fuzzer found (a lone carriage return broke the row-width check): one DataError."""
    d = period_folder(tmp_path)
    (d / "population.csv").write_bytes(raw)
    with pytest.raises(DataError) as info:
        load_period("dongshan", "2017H1", tmp_path)
    assert "population.csv" in str(info.value)
