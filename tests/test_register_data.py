"""The register as data: loading, poverty lines, the demo village, and privacy of names and id numbers."""

from __future__ import annotations

import json
import math
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from village_stats.cli import main
from village_stats.errors import DataError
from village_stats.evaluate import indicator_sheet
from village_stats.indicators import values
from village_stats.load import load_period
from village_stats.measures import register as r
from village_stats.policy import PolicyBook
from village_stats.run import run_report
from village_stats.synthetic import DEMO_MISMATCH, DEMO_PERIODS, demo_registers

from .conftest import DATA, with_policy


def test_personal_columns_never_leave_the_loader():
    data = load_period("demo", "2018H2", DATA)
    hh = data.table("households")
    assert "head_name" not in hh and "id_number" not in hh
    assert set(hh["id_number_status"]) <= {"valid", "bad_check_digit", "fifteen_digits", "malformed", "missing"}
    assert (hh["id_number_status"] == "bad_check_digit").sum() == 1  # the demo's deliberate case


def test_poverty_line_by_year_and_override(tmp_path):
    lines = PolicyBook(DATA).table("poverty_lines").set_index("year")
    assert lines.loc[2016, "poverty_line_yuan"] == 2952 and bool(lines.loc[2016, "verified"])
    assert not bool(lines.loc[2018, "verified"])
    data = load_period("demo", "2018H2", DATA)
    assert data.poverty_line.poverty_line_yuan == 2995 and data.poverty_line.year == 2018
    assert data.poverty_line.origin == "policy/poverty_lines.csv (national)" and not data.poverty_line.verified
    # village.yaml's poverty_line_yuan wins
    shutil.copytree(DATA / "demo", tmp_path / "demo")
    shutil.copytree(DATA / "policy", tmp_path / "policy")
    y = tmp_path / "demo" / "village.yaml"
    y.write_text(y.read_text(encoding="utf-8") + "poverty_line_yuan: 3500\n", encoding="utf-8")
    data = load_period("demo", "2018H2", tmp_path)
    assert data.poverty_line.poverty_line_yuan == 3500 and data.poverty_line.origin == "village.yaml"
    # a year the table does not have is a clear error
    (tmp_path / "demo" / "village.yaml").write_text(y.read_text(encoding="utf-8").replace(
        "poverty_line_yuan: 3500\n", ""), encoding="utf-8")
    shutil.copytree(tmp_path / "demo" / "2018H2", tmp_path / "demo" / "2030H1")
    with pytest.raises(DataError, match="no poverty_line_yuan for 2030"):
        load_period("demo", "2030H1", tmp_path)


def test_demo_data_is_what_the_generator_makes():
    """data/demo is the committed output of scripts/make_demo.py (fixed seed)."""
    lines = PolicyBook(DATA).table("poverty_lines").set_index("year")["poverty_line_yuan"].to_dict()
    regs = demo_registers(lines)
    assert tuple(regs) == DEMO_PERIODS
    for code, reg in regs.items():
        loaded = load_period("demo", code, DATA).table("households")
        assert loaded["household_id"].tolist() == reg["household_id"].tolist()
        assert loaded["income_per_capita_yuan"].tolist() == reg["income_per_capita_yuan"].tolist()
        assert loaded["status"].tolist() == reg["status"].tolist()


def test_demo_over_periods_exits_and_one_returns():
    sheets = {p: values(indicator_sheet(load_period("demo", p, DATA))) for p in DEMO_PERIODS}
    exited = [sheets[p]["households_by_status_exited"] for p in DEMO_PERIODS]
    assert exited == sorted(exited) and exited[-1] > exited[0]          # households exit every half-year
    returned = [sheets[p]["households_by_status_returned"] for p in DEMO_PERIODS]
    assert returned == [0, 0, 1, 1]                                     # one household returns in 2018H1
    poor = [sheets[p]["register_poor_households"] for p in DEMO_PERIODS]
    assert poor[0] > poor[-1]


def test_demo_reconciliation_shows_the_one_deliberate_mismatch():
    period, measure, delta = DEMO_MISMATCH
    for p in DEMO_PERIODS:
        v = values(indicator_sheet(load_period("demo", p, DATA)))
        diffs = {k: x for k, x in v.items() if k.startswith("reconciliation_") and not math.isnan(x) and x != 0}
        if p == period:
            assert diffs == {f"reconciliation_{measure}_difference": -delta}
        else:
            assert diffs == {}


def test_demo_register_measures_agree_with_the_by_village_function():
    """The many-villages function on the demo register, each period taken as a village, to 1e-12."""
    frames = []
    z = 2995.0
    for p in DEMO_PERIODS:
        hh = load_period("demo", p, DATA).table("households").copy()
        hh["village_id"] = p
        frames.append(hh)
    both = pd.concat(frames, ignore_index=True)
    by = r.measures_by_village(both, z)
    for p, sub in both.groupby("village_id"):
        y, w = sub["income_per_capita_yuan"], sub["members"]
        af = r.alkire_foster(sub, z)
        assert by.loc[p, "fgt1"] == pytest.approx(r.fgt1(y, w, z), abs=1e-12)
        assert by.loc[p, "watts"] == pytest.approx(r.watts(y, w, z), abs=1e-12)
        assert by.loc[p, "gini"] == pytest.approx(r.gini(y, w), abs=1e-12)
        assert by.loc[p, "mpi_m0"] == pytest.approx(af["mpi_m0"], abs=1e-12)
        assert by.loc[p, "exit_eligible_households"] == r.exit_eligible(sub, z).sum()


def test_validate_lists_audit_findings_by_household_id():
    res = CliRunner().invoke(main, ["validate", "--data-dir", str(DATA), "--village", "demo", "--period", "2018H2"])
    assert res.exit_code == 0  # findings are not errors
    v = values(indicator_sheet(load_period("demo", "2018H2", DATA)))
    assert f"ok   demo 2018H2  ({v['audit_findings']:.0f} register audit findings)" in res.stdout
    assert "finding  household 0000003: id_check_digit" in res.stdout
    assert "finding  household 0000008: income_nonpositive" in res.stdout
    hh = pd.read_csv(DATA / "demo" / "2018H2" / "households.csv", dtype=str)
    assert not any(name in res.stdout for name in hh["head_name"])
    assert not any(num in res.stdout for num in hh["id_number"])


def test_cli_prints_register_measures():
    res = CliRunner().invoke(main, ["indicators", "--village", "demo", "--period", "2018H2", "--data-dir", str(DATA),
                                    "--format", "csv"])
    assert res.exit_code == 0
    sheet = pd.read_csv(pd.io.common.StringIO(res.stdout)).set_index("indicator")
    for ind in ("fgt0", "fgt1", "fgt2", "watts", "gini", "mpi_h", "mpi_a", "mpi_m0", "exit_eligible_households",
                "exited_failing_criteria_households", "register_households", "poverty_line_yuan",
                "households_by_cause_illness", "reconciliation_poor_population_difference", "audit_findings"):
        assert ind in sheet.index, ind
    assert sheet.loc["poverty_line_yuan", "value"] == 2995
    assert 0 < sheet.loc["gini", "value"] < 1
    assert sheet.loc["mpi_m0", "value"] == pytest.approx(sheet.loc["mpi_h", "value"] * sheet.loc["mpi_a", "value"])


@pytest.mark.notebook
def test_privacy_no_name_or_id_number_reaches_any_output(tmp_path):
    """Build a register with distinctive names and ids, run the full report, scan every output file."""
    data = tmp_path / "data"
    shutil.copytree(DATA / "demo", data / "demo", ignore=shutil.ignore_patterns("2017*", "2018H1"))
    shutil.copytree(DATA / "policy", data / "policy")
    path = data / "demo" / "2018H2" / "households.csv"
    hh = pd.read_csv(path, dtype=str, keep_default_na=False)
    hh["head_name"] = [f"隐私户主{i:03d}号" for i in range(len(hh))]
    secrets = list(hh["head_name"]) + list(hh["id_number"])
    path.write_text(hh.to_csv(index=False), encoding="utf-8")
    result = run_report("demo", "2018H2", data_dir=data, output_dir=tmp_path / "out")
    files = [p for p in result.folder.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"report.pdf", "report.html", "report.ipynb", "indicators.csv", "manifest.json"}
    texts = {}
    for p in files:
        raw = p.read_bytes()
        texts[p.name] = raw.decode("utf-8", errors="replace")
        if p.suffix == ".ipynb":
            texts[p.name + " (json)"] = json.dumps(json.loads(raw), ensure_ascii=False)
        if p.suffix == ".pdf":
            texts[p.name + " (text)"] = "\n".join(pg.extract_text() for pg in PdfReader(str(p)).pages)
    for name, text in texts.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, (name, leaked[:3])
    # the report does carry the register section, naming households by id only, with the sheet's figures
    pdf = texts["report.pdf (text)"]
    assert "六、建档立卡贫困户分析" in pdf and "登记册核查发现" in pdf and "0000003" in pdf
    v = values(indicator_sheet(load_period("demo", "2018H2", data)))
    assert f"{v['fgt0'] * 100:.1f}%" in pdf and f"{v['gini']:.4f}" in pdf and f"{v['mpi_m0']:.4f}" in pdf
    # the table and row in the reader's language, no English note (issue 23): 2018 is row 9 of poverty_lines.csv
    flat = "".join(pdf.split())  # a wrapped line is still the same sentence
    assert "贫困标准：2,995元/人·年（2018年，policy/poverty_lines.csv第9行（全国），来源：未找到官方原文，未核实）" in flat
    assert "身份证号码校验位错误" in pdf  # the demo's deliberate wrong check digit, by household id


@pytest.mark.notebook
def test_report_shows_the_reconciliation_mismatch(tmp_path):
    period, measure, delta = DEMO_MISMATCH
    result = run_report("demo", period, data_dir=DATA, output_dir=tmp_path, formats=("pdf",))
    text = "\n".join(pg.extract_text() for pg in PdfReader(str(result.files["pdf"])).pages)
    reported = load_period("demo", period, DATA).measures()[measure]
    assert f"登记册与上报数据不一致：贫困人口上报{reported:g}，登记册{reported - delta:g}（差-{delta}）" in text


def test_register_with_chinese_headers_and_labels(tmp_path):
    """A register written the way a township office would: Chinese headers, labels, 是/否, GBK."""
    v = tmp_path / "cun"
    (v / "2017").mkdir(parents=True)
    with_policy(tmp_path)
    (v / "village.yaml").write_text((DATA / "demo" / "village.yaml").read_text(encoding="utf-8")
                                    .replace("id: demo", "id: cun").replace("fictional: true\n", "")
                                    + "poverty_line_yuan: 3000\n", encoding="utf-8")
    (v / "2017" / "population.csv").write_text("指标,数值\n农业户数,3\n农业人口,6\n贫困户数,2\n贫困人口,5\n",
                                               encoding="utf-8")
    (v / "2017" / "households.csv").write_bytes((
        "户编号,户主姓名,身份证号,家庭人口,贫困户属性,脱贫状态,主要致贫原因,人均纯收入（元）,长期不在村,"
        "吃穿不愁,义务教育保障,基本医疗保障,住房安全保障,饮水安全保障\n"
        "A1,某甲,11010519491231002X,3,一般贫困户,未脱贫,因病,\"2,000\",否,是,是,否,是,是\n"
        "A2,某乙,,2,低保贫困户,返贫,缺劳动力,1500,是,是,是,是,是,是\n"
        "A3,某丙,,1,非贫困户,非贫困,,9000,否,是,是,是,是,是\n").encode("gbk"))
    data = load_period("cun", "2017", tmp_path)
    hh = data.table("households")
    assert hh["category"].tolist() == ["general", "dibao", "non_poor"]
    assert hh["status"].tolist() == ["poor", "returned", "non_poor"]
    assert hh["main_cause"].tolist()[:2] == ["illness", "lack_of_labour"]
    assert hh["income_per_capita_yuan"].tolist() == [2000, 1500, 9000]
    assert hh["id_number_status"].tolist() == ["valid", "missing", "missing"]
    v_ = values(indicator_sheet(data))
    assert v_["poverty_line_yuan"] == 3000
    assert v_["fgt0"] == pytest.approx(5 / 6)                     # 3 + 2 persons below 3000, of 6
    assert v_["fgt1"] == pytest.approx((3 * 1 / 3 + 2 * 0.5) / 6)
    assert v_["reconciliation_poor_population_difference"] == 0
    assert math.isnan(v_["reconciliation_absent_poor_households_difference"])  # not reported: not comparable
    assert v_["households_by_cause_illness"] == 1 and v_["population_by_status_returned"] == 2
