"""``village-stats check``: exit codes, formats, the workbook's sheets and print set-up, no personal data."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pandas as pd
from click.testing import CliRunner

from village_stats.cli import main

from .conftest import ROOT

DATA = ROOT / "data"
COUNTY = ROOT / "examples" / "demo_county"


def run(*args):
    return CliRunner().invoke(main, ["check", *args])


def test_demo_2022h2_lists_the_planted_findings_and_exits_1_for_an_error():
    """data/README.md: 2022H2's audit cases (its latest period until the 2026 periods came)."""
    r = run("--data-dir", str(DATA), "--village", "demo", "--period", "2022H2", "--format", "csv")
    assert r.exit_code == 1, r.output                     # HH-003, a wrong check digit, is an error
    got = pd.read_csv(io.StringIO(r.stdout), dtype=str)
    assert list(got.columns) == ["规则编号", "严重程度", "村", "期", "户编号", "成员序号", "问题", "相关数值", "核查要求"]
    assert sorted(zip(got["规则编号"], got["户编号"])) == [
        ("HH-003", "0000003"), ("HH-006", "0000004"), ("HH-007", "0000062"), ("HH-007", "0000102"),
        ("HH-007", "0000107"), ("HH-007", "0000132")]
    row = got.loc[got["户编号"] == "0000062"].iloc[0]
    assert row["严重程度"] == "疑点" and row["相关数值"] == "income_per_capita_yuan=7461; poverty_line_yuan=4000"


def test_severity_and_rule_filters_and_exit_0_without_errors():
    r = run("--data-dir", str(DATA), "--village", "demo", "--period", "2022H2", "--severity", "doubt",
            "--format", "json", "--lang", "en")
    assert r.exit_code == 0, r.output
    records = json.loads(r.stdout)
    assert {d["Rule"] for d in records} == {"HH-006", "HH-007"} and len(records) == 5
    assert records[0]["Severity"] == "Doubt" and records[0]["What to check"] == "Fill in the exit year"
    r = run("--data-dir", str(DATA), "--village", "demo", "--period", "2022H2", "--rule", "HH-003")
    assert r.exit_code == 1 and "HH-003" in r.stdout and "HH-007" not in r.stdout
    assert "共 1 条（错误 1 条，疑点 0 条，提示 0 条）" in r.stdout


def test_a_village_without_a_register_has_no_finding():
    r = run("--data-dir", str(DATA), "--village", "suoluoyu", "--period", "2017H1")
    assert r.exit_code == 0 and "未发现问题。" in r.stdout


def test_every_village_of_a_data_root():
    r = run("--data-dir", str(COUNTY), "--period", "2018H2", "--format", "csv", "--lang", "en")
    assert r.exit_code == 1
    got = pd.read_csv(io.StringIO(r.stdout), dtype=str)
    # examples/demo_county/README.md: the audit's cases (wrong check digits also in the heads' member rows)
    assert got["Village"].nunique() > 5 and set(got["Rule"]) == {"HH-001", "HH-003", "HH-007", "MB-017"}


def test_unknown_rule_and_bad_data_exit_2(tmp_path):
    r = run("--data-dir", str(DATA), "--period", "2022H2", "--rule", "HH-999")
    assert r.exit_code == 2 and "HH-999" in r.output
    root = tmp_path / "root"
    shutil.copytree(DATA / "demo", root / "demo")
    shutil.copytree(DATA / "policy", root / "policy")
    path = root / "demo" / "2022H2" / "households.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[3] = "many"                                     # members
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("--data-dir", str(root), "--period", "2022H2", "--lang", "en")
    assert r.exit_code == 2
    assert "households.csv" in r.output and "members" in r.output and cells[1] not in r.output


def test_workbook_one_sheet_per_severity_a4_header_repeated(tmp_path):
    out = tmp_path / "疑点清单.xlsx"
    r = run("--data-dir", str(COUNTY), "--period", "2018H2", "--format", "xlsx", "--output", str(out))
    assert r.exit_code == 1, r.output
    sheets = pd.read_excel(out, sheet_name=None, dtype=str, engine="calamine")
    assert list(sheets) == ["汇总", "错误", "疑点", "提示"]
    assert set(sheets["错误"]["规则编号"]) == {"HH-001", "HH-003", "MB-017"}
    assert sheets["提示"].empty
    assert set(sheets["汇总"]["规则编号"]) == {"HH-001", "HH-003", "HH-007", "MB-017"}
    with zipfile.ZipFile(out) as z:
        book = z.read("xl/workbook.xml").decode()
        first = z.read("xl/worksheets/sheet2.xml").decode()
    assert "_xlnm.Print_Titles" in book                                  # the header row repeats
    assert 'paperSize="9"' in first and 'orientation="landscape"' in first and 'fitToHeight="0"' in first


def test_no_name_or_id_number_in_any_output(tmp_path):
    raw = pd.read_csv(DATA / "demo" / "2022H2" / "households.csv", dtype=str)
    secrets = set(raw["id_number"].dropna()) | set(raw["head_name"].dropna())
    for fmt in ("table", "csv", "json"):
        text = run("--data-dir", str(DATA), "--village", "demo", "--period", "2022H2", "--format", fmt).output
        assert not [s for s in secrets if s in text]
    out = tmp_path / "x.xlsx"
    run("--data-dir", str(DATA), "--village", "demo", "--period", "2022H2", "--format", "xlsx", "--output", str(out))
    with zipfile.ZipFile(out) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert not [s for s in secrets if s in text]


def test_csv_and_json_to_a_file(tmp_path):
    out = tmp_path / "list.csv"
    r = run("--data-dir", str(DATA), "--village", "demo", "--period", "2022H2", "--format", "csv", "--output", str(out))
    assert r.exit_code == 1 and r.stdout == ""
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and len(pd.read_csv(out, encoding="utf-8-sig")) == 6   # a BOM for Excel
    out = tmp_path / "list.json"
    run("--data-dir", str(DATA), "--village", "demo", "--period", "2022H2", "--format", "json", "--output", str(out))
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 6
