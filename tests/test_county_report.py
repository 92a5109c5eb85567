"""The county report for real on the example county: CLI run, PDF read back, village table against the roll-up."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from village_stats.cli import main
from village_stats.load import Source
from village_stats.panel.county import load_county
from village_stats.panel.rollup import rollup, village_overview

from .conftest import ROOT, tree_digest

pytestmark = pytest.mark.notebook

COUNTY = ROOT / "examples" / "demo_county"
PERIOD = "2018H2"


@pytest.fixture(scope="module")
def county_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    before = tree_digest(COUNTY)
    res = CliRunner().invoke(main, ["run", "--report", "county", "--period", PERIOD, "--data-dir", str(COUNTY),
                                    "--output-dir", str(out)])
    assert res.exit_code == 0, res.output
    assert tree_digest(COUNTY) == before  # inputs untouched
    return out / "county" / PERIOD


@pytest.fixture(scope="module")
def pdf_text(county_run) -> str:
    reader = PdfReader(str(county_run / "report.pdf"))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_village_names_are_searchable_and_kept_on_one_line(county_run, pdf_text):
    """No invisible joiner inside a name (Ctrl-F finds 白土村); the layout keeps the name whole instead."""
    import nbformat

    from village_stats.document import build_document

    assert "\u2060" not in pdf_text and "白土村" in pdf_text
    assert "\u2060" not in (county_run / "report.html").read_text(encoding="utf-8")
    doc = build_document(nbformat.read(county_run / "report.ipynb", as_version=4), lang="zh", header="")
    village_columns = [c for b in doc["blocks"] if b["type"] == "table" for c in b["columns"] if c["name"] == "村"]
    assert village_columns and all(c.get("nowrap") for c in village_columns)


def test_writes_every_output(county_run):
    assert sorted(p.name for p in county_run.iterdir()) == ["indicators.csv", "indicators.xlsx", "manifest.json", "report.html",
                                                          "report.ipynb", "report.pdf"]


def test_recorded_sheet_is_the_village_rollup(county_run):
    res = CliRunner().invoke(main, ["rollup", "--period", PERIOD, "--by", "village", "--data-dir", str(COUNTY),
                                    "--format", "csv"])
    assert res.exit_code == 0
    cli = pd.read_csv(io.StringIO(res.output))
    recorded = pd.read_csv(county_run / "indicators.csv")
    assert list(recorded["group_id"].unique()) == list(cli["group_id"].unique())
    pd.testing.assert_series_equal(recorded["value"], cli["value"], check_exact=False, rtol=1e-9)


def test_pdf_village_table_matches_the_rollup(pdf_text):
    county = load_county(Source(COUNTY), PERIOD)
    overview = village_overview(rollup(county, "village"), county)
    rows = {}
    for line in pdf_text.splitlines():
        m = re.match(r"^(\S+村) (\S+[乡镇]) ([\d.]+)% ([\d,]+) ([\d,]+) ([是否]) ", line)
        if m:
            rows[m.group(1)] = m.groups()[1:]
    assert len(rows) == len(overview) == 23
    for _, v in overview.iterrows():
        township, incidence, poor, to_lift, ready = rows[v["name_zh"]]
        assert township == v["township_zh"]
        assert float(incidence) == pytest.approx(round(v["poverty_incidence"] * 100, 1))
        assert int(poor.replace(",", "")) == v["poor_population"]
        assert int(to_lift.replace(",", "")) == v["poverty_reduction_needed"]
        assert (ready == "是") == (v["poverty_reduction_needed"] == 0)
    # sorted by incidence, highest first
    order = [n for n in rows]
    assert order == list(overview["name_zh"])
    # the western-rule village (3%) is exit-ready at an incidence above 2%
    assert rows["岔口村"][4] == "是" and float(rows["岔口村"][1]) > 2


def test_pdf_names_the_missing_village_and_the_disagreeing_register(pdf_text):
    assert "后沟村（hougou）" in pdf_text          # lacks 2018H2
    section = pdf_text.split("五、登记册与上报数不一致的村")[1].split("六、")[0]
    assert "桃园村" in section and "-5" in section  # register 5 persons fewer than reported
    assert "虚构" in pdf_text


def test_pdf_key_figures_are_the_county_rollup(pdf_text):
    county = load_county(Source(COUNTY), PERIOD)
    c = rollup(county, "county").set_index("indicator")["value"]
    assert f"贫困人口 {int(c['poor_population']):,} 人" in pdf_text
    assert f"贫困发生率 {c['poverty_incidence'] * 100:.1f}%" in pdf_text
    assert not math.isnan(c["fgt1"])


def test_bad_township_exits_2(tmp_path):
    res = CliRunner().invoke(main, ["run", "--report", "county", "--period", PERIOD, "--township", "无此乡",
                                    "--data-dir", str(COUNTY), "--output-dir", str(tmp_path)])
    assert res.exit_code == 2 and "无此乡" in res.output
    assert not any(Path(tmp_path).rglob("*.pdf"))


def test_pdf_change_since_the_previous_period(pdf_text):
    section = pdf_text.split("七、与上期相比")[1].split("八、疑点核查")[0]
    now = rollup(load_county(Source(COUNTY), PERIOD), "village").set_index(["group_id", "indicator"])["value"]
    before = rollup(load_county(Source(COUNTY), "2018H1"), "village").set_index(["group_id", "indicator"])["value"]
    change = now[("baitu", "poor_population")] - before[("baitu", "poor_population")]
    line = next(x for x in section.splitlines() if x.startswith("白土村"))
    assert line.split()[-1] == f"{change:+,.0f}"
    assert "马坊村" not in section          # no 2018H1 data: not compared


def _format_characters(text: str) -> set[str]:
    import unicodedata

    return {f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"}


def test_every_village_and_township_is_found_in_the_pdf_text(county_run):
    """Searchable PDF (issue 23): the text layer, as pdftotext and pypdf extract it, holds every village and
    township of the example county whole (a reader's Ctrl-F finds them) and no format character (Cf:
    word joiner U+2060, zero-width space…); the layout keeps names whole by itself."""
    import subprocess

    import yaml

    names = set()
    for f in sorted(COUNTY.glob("*/village.yaml")):
        y = yaml.safe_load(f.read_text(encoding="utf-8"))
        names |= {y["name_zh"], y["township_zh"]}
    assert len(names) == 24 + 3
    pdf = county_run / "report.pdf"
    for text in (subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                                text=True).stdout,
                 "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)):
        assert _format_characters(text) == set()
        flat = re.sub(r"\s+", "", text)
        assert [n for n in sorted(names) if n not in flat] == []


def test_the_typst_document_has_no_format_characters(county_run):
    """What Typst is given (the document model as JSON) carries no invisible character at all."""
    import json

    import nbformat

    from village_stats.document import build_document

    doc = build_document(nbformat.read(county_run / "report.ipynb", as_version=4), lang="zh", header="")
    assert _format_characters(json.dumps(doc, ensure_ascii=False)) == set()


def test_english_county_report_has_english_names(tmp_path):
    """Issue 23: report.en.pdf names the county and townships in English (village.yaml's *_en, else pinyin)
    and holds no Chinese character; the villages keep their name_en."""
    import subprocess

    res = CliRunner().invoke(main, ["run", "--report", "county", "--period", PERIOD, "--data-dir", str(COUNTY),
                                    "--output-dir", str(tmp_path), "--lang", "en", "--formats", "pdf"])
    assert res.exit_code == 0, res.output
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "county" / PERIOD / "report.en.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    assert re.findall(r"[\u3400-\u9fff]", text) == []
    flat = re.sub(r"\s+", " ", text)
    assert "Nanshan Township" in flat and "Baitu" in flat  # 南山乡 in pinyin; 白土村's name_en
def test_pdf_ranks_villages_by_data_quality_findings(pdf_text):
    """Section 8: every village with its rank, findings, errors and findings per 100 households, ranked by the
    last; the households counted from each village's 2018H2 households.csv. 马坊村 and 白土村 hold at least
    their register audit's 6 and 4 findings (wrong check digits, incomes of 0, exited below the line, worked
    by hand); the generated members add theirs (examples/demo_county/README.md)."""
    import yaml

    names = {}
    for f in sorted(COUNTY.glob("*/village.yaml")):
        names[yaml.safe_load(f.read_text(encoding="utf-8"))["name_zh"]] = f.parent
    section = pdf_text.split("八、疑点核查")[1]
    lines = [x.split() for x in section.splitlines() if x.split() and x.split()[0] in names]
    with_period = [n for n, d in names.items() if (d / PERIOD).is_dir()]
    assert sorted(x[0] for x in lines) == sorted(with_period)
    per_100 = [float(x[4]) for x in lines]
    assert per_100 == sorted(per_100, reverse=True) and [int(x[1]) for x in lines][0] == 1
    for name, _rank, findings, errors, share in lines:
        households = len(pd.read_csv(names[name] / PERIOD / "households.csv", dtype=str))
        assert float(share) == pytest.approx(round(100 * int(findings) / households, 2)), name
        assert 0 <= int(errors) <= int(findings)
    row = {x[0]: x for x in lines}
    assert int(row["马坊村"][2]) >= 6 and int(row["白土村"][2]) >= 4
