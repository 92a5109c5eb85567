import io
import json
import subprocess
import sys

import pandas as pd
from click.testing import CliRunner

from village_stats.cli import main

from .conftest import DATA, ROOT


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_indicators_csv_is_the_sheet(sheet):
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(DATA), "--format", "csv")
    assert r.exit_code == 0, r.output
    got = pd.read_csv(io.StringIO(r.stdout))
    assert list(got.columns) == list(sheet.columns)
    row = got.set_index("indicator").loc["poverty_incidence"]
    assert round(row["value"], 5) == 0.47805 and row["numerator"] == 196 and row["denominator"] == 410
    assert got.set_index("indicator").loc["investment_committed_yuan", "value"] == 3097200
    assert pd.isna(got.set_index("indicator").loc["crop_achieved_new_area_mu", "value"])


def test_indicators_json_and_table():
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(DATA), "--format", "json")
    records = {d["indicator"]: d for d in json.loads(r.stdout)}
    assert records["meetings_total"]["value"] == 12 and records["meetings_total"]["label_zh"] == "召开会议次数"
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(DATA), "--lang", "en")
    assert "47.8%" in r.stdout and "Poverty incidence" in r.stdout and "3,097,200 yuan" in r.stdout
    r = run("indicators", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(DATA))
    assert "贫困发生率" in r.stdout and "390 亩" in r.stdout


def test_periods_and_validate():
    r = run("periods", "--data-dir", str(DATA), "--village", "suoluoyu")
    assert r.exit_code == 0 and "suoluoyu\t2017H1\t2017 H1" in r.stdout  # the label in the user's language
    r = run("validate", "--data-dir", str(DATA))
    assert r.exit_code == 0 and "ok   suoluoyu 2017H1" in r.stdout


def test_console_script_exit_code_2_on_bad_input():
    """The real process: a bad period code exits 2 with one line on stderr."""
    exe = ROOT / ".venv" / "bin" / "village-stats"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "village_stats.cli"]
    p = subprocess.run(cmd + ["indicators", "--village", "suoluoyu", "--period", "../x", "--data-dir", str(DATA)],
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "'../x' is not a period code" in p.stderr
    assert p.stdout == ""
