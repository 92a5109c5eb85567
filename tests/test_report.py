"""The period report for real: papermill, nbconvert, WeasyPrint, then assertions on the PDF itself."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from village_stats.cli import main
from village_stats.config import notebook_path
from village_stats.display.views import recorded_sheet
from village_stats.errors import DataError
from village_stats.load import list_periods, resolve_period
from village_stats.periods import parse_period
from village_stats.run import run_report

from .conftest import DATA, tree_digest

pytestmark = pytest.mark.notebook


def pdf_text(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(str(path))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    before = tree_digest(DATA)
    result = run_report("suoluoyu", "2017H1", data_dir=DATA, output_dir=out, lang="zh")
    assert tree_digest(DATA) == before  # the run never modifies its inputs
    return result


@pytest.fixture(scope="module")
def en_run(tmp_path_factory):
    return run_report("suoluoyu", "2017H1", data_dir=DATA, output_dir=tmp_path_factory.mktemp("en"), lang="en",
                      formats=("ipynb", "pdf"))


def test_run_writes_every_file(zh_run):
    folder = zh_run.folder
    assert sorted(p.name for p in folder.iterdir()) == ["indicators.csv", "indicators.xlsx", "manifest.json", "report.html",
                                                      "report.ipynb", "report.pdf"]
    assert not any(p.name.startswith(".") for p in folder.parent.iterdir())  # no temp folders left


def test_pdf_is_a4_chinese_with_header_and_page_numbers(zh_run):
    reader, text = pdf_text(zh_run.files["pdf"])
    n = len(reader.pages)
    assert n >= 2
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.28) < 1 and abs(h - 841.89) < 1  # A4 in points
    assert text.count("梭罗峪村 · 2017年上半年") >= n  # running header on every page
    for i in range(1, n + 1):
        assert f"第 {i} 页 / 共 {n} 页" in text
    for figure in ("梭罗峪村", "2017年上半年", "47.8%", "48.9%", "390 亩", "3,097,200", "15,802.04", "188 人",
                   "53 / 86", "12 次", "百头肉牛养殖场", "出村道路拓宽改造",
                   "动用土石方 56,000 立方米", "四旁植树 3,200 株", "广场占地面积 2,600 平方米"):
        assert figure in text, figure
    # the computed alerts of section 五
    assert "是退出标准（低于2.0%）的23.9倍" in text
    assert "33户贫困户长期不在村，占贫困户的38.4%" in text


def test_pdf_embeds_the_sc_font_and_no_code(zh_run):
    reader, text = pdf_text(zh_run.files["pdf"])
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert fonts and all("Noto-Sans-CJK-SC" in f for f in fonts), fonts
    assert not any("JP" in f for f in fonts)
    for code in ("load_period", "views.", "import ", "In [", "Out[", "indicator_sheet(", "plotting."):
        assert code not in text
    assert "\ufffd" not in text and "□" not in text  # no replacement characters or tofu


def test_html_has_no_inputs_and_is_labelled(zh_run):
    html = zh_run.files["html"].read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html and 'lang="zh-CN"' in html
    assert "jp-InputArea" not in html and "input_area" not in html and "highlight" not in html
    assert "load_period" not in html and "views.show" not in html
    assert "贫困发生率" in html and "47.8%" in html
    assert html.count("<img") >= 4  # four charts
    assert "file://" not in html  # the HTML does not depend on this machine's font path


def test_executed_notebook_records_the_seed_headline_numbers(zh_run):
    nb = nbformat.read(zh_run.files["ipynb"], as_version=4)
    sheet = recorded_sheet(nb).set_index("indicator")["value"]
    assert sheet["poverty_incidence"] == pytest.approx(196 / 410)
    assert sheet["poor_household_share"] == pytest.approx(86 / 176)
    assert sheet["crop_target_new_area_mu"] == 390
    assert sheet["investment_committed_yuan"] == 3_097_200
    assert sheet["meetings_total"] == 12
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "village = 'suoluoyu'" in injected[0].source


def test_indicators_csv_and_manifest(zh_run, sheet):
    from village_stats.export.csv import csv_text

    assert zh_run.files["csv"].read_text(encoding="utf-8") == csv_text(sheet, bom=True)
    m = json.loads(zh_run.files["manifest"].read_text(encoding="utf-8"))
    assert m["parameters"] == {"village": "suoluoyu", "period": "2017H1", "data_dir": m["parameters"]["data_dir"],
                               "lang": "zh"}
    inputs = {i["path"] for i in m["inputs"]}
    assert {"suoluoyu/village.yaml", "suoluoyu/2017H1/population.csv", "suoluoyu/2017H1/projects.csv"} <= inputs
    assert all(re.fullmatch(r"[0-9a-f]{64}", i["sha256"]) for i in m["inputs"])
    assert {"execute", "export_html", "export_pdf", "total"} <= set(m["seconds"])
    assert m["versions"]["papermill"] and m["versions"]["weasyprint"]
    assert {o["path"] for o in m["outputs"]} == {"indicators.csv", "indicators.xlsx", "report.html", "report.ipynb",
                                                 "report.pdf"}


def test_english_report_is_english(en_run):
    _, text = pdf_text(en_run.files["pdf"])
    assert "Suoluoyu · 2017 H1" in text and "Page 1 of" in text
    for phrase in ("Poverty incidence", "47.8%", "Projects and investment", "3,097,200 yuan", "Beef cattle farm"):
        assert phrase in text
    for zh in ("贫困发生率", "基本情况", "第 1 页"):
        assert zh not in text
    assert "html" not in en_run.files  # only the formats asked for


def test_two_runs_are_byte_identical(zh_run, tmp_path):
    again = run_report("suoluoyu", "2017H1", data_dir=DATA, output_dir=tmp_path, formats=("html", "csv"))
    assert again.files["html"].read_bytes() == zh_run.files["html"].read_bytes()
    assert again.files["csv"].read_bytes() == zh_run.files["csv"].read_bytes()


def failing_notebook(tmp_path: Path) -> Path:
    nb = nbformat.read(notebook_path(), as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell("raise RuntimeError('boom in section two')"))
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    return path


def test_failed_cell_keeps_previous_outputs(zh_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(zh_run.folder, out / "suoluoyu" / "2017H1")
    before = tree_digest(out)
    import tempfile

    sockets_before = set(Path(tempfile.gettempdir()).glob("village-stats-kernel-*"))
    r = CliRunner().invoke(main, ["run", "--village", "suoluoyu", "--period", "2017H1", "--data-dir", str(DATA),
                                  "--output-dir", str(out), "--notebook", str(failing_notebook(tmp_path))])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "RuntimeError: boom in section two" in lines[0] and "cell" in lines[0]
    failed = out / "suoluoyu" / "2017H1" / "failed" / "report.ipynb"
    assert failed.is_file()
    after = tree_digest(out)
    after.pop("suoluoyu/2017H1/failed/report.ipynb")
    assert after == before  # previous outputs untouched
    # the kernel was shut down and its socket folder removed
    assert set(Path(tempfile.gettempdir()).glob("village-stats-kernel-*")) <= sockets_before
    assert not any(p.name.startswith(".") for p in (out / "suoluoyu").iterdir())


def test_bad_data_stops_before_the_kernel(tmp_path):
    data = Path(__file__).parent / "bad_input" / "poor_households_exceed_total" / "data"
    with pytest.raises(DataError, match="poor_households = 200"):
        run_report("v", "2017H1", data_dir=data, output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing written
    r = CliRunner().invoke(main, ["run", "--village", "v", "--period", "2017H1", "--data-dir", str(data),
                                  "--output-dir", str(tmp_path / "out")])
    assert r.exit_code == 2 and "row 4" in r.stderr


def test_latest_and_previous(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(DATA / "suoluoyu", d / "suoluoyu")
    shutil.copytree(DATA / "suoluoyu" / "2017H1", d / "suoluoyu" / "2016H2")
    assert [p.code for p in list_periods(d, "suoluoyu")] == ["2016H2", "2017H1"]
    assert resolve_period("latest", "suoluoyu", d).code == "2017H1"
    assert resolve_period("previous", "suoluoyu", d, today=dt.date(2017, 7, 5)).code == "2017H1"
    assert resolve_period("previous", "suoluoyu", d, today=dt.date(2017, 6, 30)).code == "2016H2"
    assert resolve_period("2017H1", "suoluoyu", d) == parse_period("2017H1")
    # today, "previous" is a period with no data: a clear bad-input error, exit 2
    r = CliRunner().invoke(main, ["run", "--village", "suoluoyu", "--period", "previous", "--data-dir", str(d),
                                  "--output-dir", str(tmp_path / "out")])
    assert r.exit_code == 2 and "no data for period" in r.stderr


def test_chinese_parameters_are_readable(tmp_path):
    d = tmp_path / "数据"
    shutil.copytree(DATA / "suoluoyu", d / "suoluoyu")
    result = run_report("suoluoyu", "2017H1", data_dir=d, output_dir=tmp_path / "out", formats=("ipynb",))
    source = result.files["ipynb"].read_text(encoding="utf-8")
    assert "数据" in source and "\\u6570" not in source


def test_plain_papermill_from_the_repository_root(tmp_path):
    """`papermill notebooks/period_report.ipynb out.ipynb -p village suoluoyu -p period 2017H1` works."""
    import subprocess
    import sys

    from .conftest import ROOT

    exe = Path(sys.executable).parent / "papermill"
    out = tmp_path / "out.ipynb"
    p = subprocess.run([str(exe), "notebooks/period_report.ipynb", str(out), "-p", "village", "suoluoyu",
                        "-p", "period", "2017H1", "-k", "python3", "--no-progress-bar"],
                       cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    sheet = recorded_sheet(nbformat.read(out, as_version=4)).set_index("indicator")["value"]
    assert sheet["poverty_incidence"] == pytest.approx(0.478048780)
    # as JupyterLab runs it: the kernel's working directory is notebooks/, data_dir left empty
    p = subprocess.run([str(exe), "period_report.ipynb", str(out), "-p", "village", "demo", "-p", "period", "2018H2",
                        "-k", "python3", "--no-progress-bar"], cwd=ROOT / "notebooks", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    sheet = recorded_sheet(nbformat.read(out, as_version=4)).set_index("indicator")["value"]
    assert sheet["register_households"] == 150


def test_long_tables_split_across_pages_with_their_header(tmp_path):
    """A 150-row table in the report's page: every page repeats the header row."""
    import pandas as pd

    from village_stats.display import fonts
    from village_stats.display.views import table_html
    from village_stats.export.html import page as _page
    from village_stats.export.pdf import write_pdf

    df = pd.DataFrame({"户编号": [f"{i:07d}" for i in range(150)], "核查规则": ["人均纯收入不大于0"] * 150})
    body = table_html(df)
    plain = _page(body, lang="zh", title="t", header="测试村 · 2018年下半年")
    font = fonts.pdf_font_path(plain)
    write_pdf(_page(body, lang="zh", title="t", header="测试村 · 2018年下半年", pdf_font=font),
              tmp_path / "t.pdf", whole_fonts=True)
    pages = [p.extract_text() for p in PdfReader(str(tmp_path / "t.pdf")).pages]
    assert len(pages) >= 3
    for i, text in enumerate(pages, start=1):
        assert "户编号" in text and "核查规则" in text          # header repeated
        assert f"第 {i} 页 / 共 {len(pages)} 页" in text
    assert "0000149" in pages[-1]


def test_charts_are_at_print_resolution(suoluoyu):
    import io

    from PIL import Image

    from village_stats.display import plotting
    from village_stats.display.views import DPI, figure_png

    fig = plotting.investment_chart(suoluoyu.table("projects"))
    img = Image.open(io.BytesIO(figure_png(fig)))
    assert DPI >= 200
    assert img.size[0] == round(fig.get_figwidth() * DPI)  # 7 in × 200 dpi = 1400 px
    assert img.mode == "RGB"


def test_run_all_keeps_going_past_a_bad_village(tmp_path):
    """Two good villages in worker processes and one with bad data: outputs for the good ones, exit 2."""
    data = tmp_path / "data"
    shutil.copytree(DATA / "suoluoyu", data / "suoluoyu")
    shutil.copytree(DATA / "suoluoyu", data / "other", ignore=shutil.ignore_patterns("village.yaml"))
    (data / "other" / "village.yaml").write_text(
        (DATA / "suoluoyu" / "village.yaml").read_text(encoding="utf-8").replace("id: suoluoyu", "id: other"),
        encoding="utf-8")
    bad = Path(__file__).parent / "bad_input" / "poor_households_exceed_total" / "data" / "v"
    shutil.copytree(bad, data / "v")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["run-all", "--period", "latest", "--data-dir", str(data), "--output-dir", str(out),
                                  "--formats", "html", "--jobs", "2"])
    assert r.exit_code == 2
    assert "ok        other 2017H1" in r.stdout and "ok        suoluoyu 2017H1" in r.stdout
    assert "bad_input v 2017H1" in r.stderr and "poor_households = 200" in r.stderr
    for v in ("suoluoyu", "other"):
        html = (out / v / "2017H1" / "report.html").read_text(encoding="utf-8")
        assert "47.8%" in html
    assert not (out / "v").exists()
