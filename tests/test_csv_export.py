"""CSV for people (BOM, quoting, no formulas) and for pipes (no BOM)."""

import csv
import io

import pandas as pd
import pytest
from click.testing import CliRunner

from village_stats.cli import main
from village_stats.export.csv import csv_text, write_csv

from .conftest import DATA

PLANTED = '=HYPERLINK("http://x.example","点击")'


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_formula_like_text_is_written_as_text_and_numbers_stay_numbers():
    frame = pd.DataFrame({"name_zh": [PLANTED, "+86 138", "@SUM(A1)", "-2+3", "杂粮", "-3"],
                          "value": [-3.5, 1.0, float("nan"), 0.0, 1e6, 2.0]})
    text = csv_text(frame)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name_zh", "value"]
    assert [r[0] for r in rows[1:]] == ["'" + PLANTED, "'+86 138", "'@SUM(A1)", "'-2+3", "杂粮", "-3"]
    assert [r[1] for r in rows[1:]] == ["-3.5", "1", "", "0", "1000000", "2"]
    assert text.splitlines()[1] == '"\'=HYPERLINK(""http://x.example"",""点击"")",-3.5'


def test_line_breaks_inside_cells_are_quoted():
    frame = pd.DataFrame({"note": ["a\rb", "c\nd", "e\r\nf", 'say "hi"', "x,y"], "n": [1, 2, 3, 4, 5]})
    text = csv_text(frame)
    assert text.count("\n") == 6 + 2  # 6 rows + the two line feeds inside quoted cells
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert [r[0] for r in back[1:]] == ["a\rb", "c\nd", "e\r\nf", 'say "hi"', "x,y"]
    assert '"a\rb"' in text


def test_files_for_people_have_a_bom_and_stdout_does_not(tmp_path):
    path = tmp_path / "indicators.csv"
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", DATA, "--format", "csv",
            "--output", path)
    assert r.exit_code == 0, r.output
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfvillage_id,period,indicator,")
    sheet = pd.read_csv(path, encoding="utf-8")  # pandas drops the BOM from the first header
    row = sheet.set_index("indicator").loc["poverty_incidence"]
    assert round(row["value"], 5) == 0.47805 and row["label_zh"] == "贫困发生率"
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", DATA, "--format", "csv")
    assert r.stdout_bytes.startswith(b"village_id,") and r.stdout_bytes == raw[3:]  # same text, no BOM


def test_planted_formula_in_a_csv_export(tmp_path):
    from village_stats.labels import display_names

    frame = pd.DataFrame({"project_id": ["cattle_farm"], "name_zh": [PLANTED], "investment_yuan": [600000.0]})
    path = write_csv(frame.assign(name=display_names(frame)), tmp_path / "projects.csv")
    got = pd.read_csv(path, encoding="utf-8-sig")
    assert got.loc[0, "name_zh"] == "'" + PLANTED and got.loc[0, "investment_yuan"] == 600000


def test_no_half_written_file(tmp_path):
    class Broken:
        def __str__(self):
            raise RuntimeError("cannot be shown")

    path = tmp_path / "out.csv"
    path.write_text("before\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_csv(pd.DataFrame({"a": ["fine", Broken()]}), path)
    assert path.read_text(encoding="utf-8") == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
