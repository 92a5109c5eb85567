"""The period report for real: papermill, the document model, Typst and Jinja2, then assertions on the PDF itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from village_stats.cli import main
from village_stats.config import notebook_path
from village_stats.display.views import recorded_sheet
from village_stats.errors import DataError
from village_stats.labels import t
from village_stats.load import list_periods, resolve_period
from village_stats.periods import parse_period
from village_stats.run import run_report

from .conftest import DATA, tree_digest, with_policy

pytestmark = pytest.mark.notebook


def pdf_text(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(str(path))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Text without whitespace: line breaks of wrapped paragraphs and table cells do not count."""
    return re.sub(r"\s+", "", text)


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
    for i, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert "梭罗峪村 · 2017年上半年" in page_text  # running header on every page
        assert f"第 {i} 页 / 共 {n} 页" in page_text
    for figure in ("梭罗峪村", "2017年上半年", "47.8%", "48.9%", "390 亩", "3,097,200", "15,802 元/人", "188 人",
                   "53 / 86", "12 次", "百头肉牛养殖场", "出村道路拓宽改造",
                   "动用土石方 56,000 立方米", "四旁植树 3,200 株", "广场占地面积 2,600 平方米"):
        assert flat(figure) in flat(text), figure
    # the computed alerts of section 五
    assert "是退出标准（低于2.0%）的23.9倍" in flat(text)
    assert "33户贫困户长期不在村，占贫困户的38.4%" in flat(text)


def test_table_blocks_carry_numbers_and_unit_ids(zh_run):
    """The document's tables hold values with their unit ids, not text: the crops table's areas are numbers
    in mu, each value of an indicator table carries its own unit, the project list's amounts are yuan; HTML,
    PDF and the workbook each format them."""
    from village_stats.document import build_document

    nb = nbformat.read(zh_run.files["ipynb"], as_version=4)
    doc = json.loads(json.dumps(build_document(nb, lang="zh", header="")))  # through JSON, as exported
    tables = {b["caption"]: b for b in doc["blocks"] if b["type"] == "table"}
    crops = tables["种植结构调整：计划与完成"]
    assert [r[1] for r in crops["rows"]] == [120, 70, 200, 390]  # 120 + 70 + 200 mu planned
    assert [r[2] for r in crops["rows"]] == [None] * 4           # nothing achieved yet: unknown, not "—"
    assert [(c["type"], c.get("unit")) for c in crops["columns"]] == [("text", None), ("number", "mu"),
                                                                      ("number", "mu"), ("number", "ratio")]
    assert crops["sheet"] == "crops" and crops["total_rows"] == 1
    basic = tables["基本情况指标"]
    value = basic["columns"][1]
    by_label = {r[0]: (r[1], u) for r, u in zip(basic["rows"], value["units"])}
    assert by_label["农业户数"] == (176, "households") and by_label["贫困人口"] == (196, "persons")
    assert by_label["贫困发生率"][1] == "ratio" and by_label["贫困发生率"][0] == pytest.approx(196 / 410)
    projects = tables["项目清单与投资"]
    names = [c["name"] for c in projects["columns"]]
    investment = projects["columns"][names.index("投资（元）")]
    assert investment["unit"] == "yuan" and projects["rows"][0][names.index("投资（元）")] == 600_000
    assert projects["columns"][names.index("项目编号")]["only"] == "workbook"
    # formatted once, for print: bare under the column's one unit, with the unit where units vary by row
    from village_stats.document import table_view

    assert table_view(crops, "zh")["rows"][0] == ["杂粮", "120", "—", "—"]
    assert table_view(basic, "zh")["rows"][0][1] == "176 户"


def test_pdf_embeds_the_sc_font_and_no_code(zh_run):
    reader, text = pdf_text(zh_run.files["pdf"])
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert fonts and all("NotoSansCJKsc" in f for f in fonts), fonts
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
    assert m["versions"]["papermill"] and m["versions"]["typst"]
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


def test_failed_cell_keeps_previous_outputs(zh_run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(zh_run.folder, out / "suoluoyu" / "2017H1")
    before = tree_digest(out)
    import tempfile

    # a private temp folder: other runs on the machine make kernel folders in /tmp at the same time
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
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
    with_policy(d)
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
    """A 150-row table laid out by the report's Typst template: every page repeats the header row."""
    from village_stats.export.pdf import render_pdf

    rows = [[f"{i:07d}", "人均纯收入不大于0"] for i in range(150)]
    doc = {"lang": "zh", "header": "测试村 · 2018年下半年", "meta": {"title": "t", "author": "a"}, "blocks": [
        {"type": "table", "caption": "核查", "columns": [{"name": "户编号", "type": "text", "unit": ""},
                                                        {"name": "核查规则", "type": "text", "unit": ""}],
         "rows": rows, "total_rows": 0, "group": False}]}
    (tmp_path / "t.pdf").write_bytes(render_pdf(doc))
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
    with_policy(data)
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


# --------------------------------------------------------------------------- report v2 (issue 9)

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def bad_chars(text: str) -> set[str]:
    """Characters of a text layer that no script of the report uses: U+0180–U+02FF (what broken ligatures
    came out as), private-use glyphs, U+FFFD."""
    return {c for c in text if 0x180 <= ord(c) <= 0x2FF or 0xE000 <= ord(c) <= 0xF8FF or c == "\ufffd"}


def test_page_one_carries_the_message(zh_run):
    reader, _ = pdf_text(zh_run.files["pdf"])
    page1 = flat(reader.pages[0].extract_text())
    for figure in ("梭罗峪村", "47.8%", "2%", "188", "赵壁乡", "昔阳县", "晋中市财政局", "2017年上半年",
                   "数据截至2017年6月底"):
        assert figure in page1, figure
    assert "3,097,200" in page1 or "309.72万" in page1
    # the summary paragraph, every number worked from the seed: 196/410 = 47.8%; 47.8 − 2 = 45.8 points;
    # 410 × 2% = 8.2 → at most 8 poor at exit, so 196 − 8 = 188 to lift; 3,097,200 / 196 = 15,802 元
    assert ("截至2017年6月底，全村农业户176户410人，其中建档立卡贫困户86户196人，贫困发生率47.8%，"
            "高于退出标准（2%）45.8个百分点，距退出尚需脱贫188人。") in page1
    assert "人均15,802元" in page1
    _, text = pdf_text(zh_run.files["pdf"])
    assert "15,802.04" not in text  # money per person in whole 元, never 分
    assert "report_date" not in page1 and "报告日期" not in page1  # no date unless one is given


def test_text_layers_are_clean_and_english_has_no_chinese(zh_run, en_run):
    for run in (zh_run, en_run):
        _, text = pdf_text(run.files["pdf"])
        assert not bad_chars(text), bad_chars(text)
    _, text = pdf_text(en_run.files["pdf"])
    # Suoluoyu gives every English name, so nothing stays Chinese (README lists what would)
    assert not CJK.findall(text), sorted(set(CJK.findall(text)))
    for phrase in ("Zhaobi Township", "Xiyang County", "Jinzhong Municipal Finance Bureau", "Table 1", "Figure 1",
                   "Earth and rock moved", "56,000 m³", "1 project with unknown investment"):
        assert flat(phrase) in flat(text), phrase
    assert re.search(r"Projects with unknown investment\s+1 project(?!s)", text)  # not "1 projects"


def test_pdf_metadata_outline_and_captions(zh_run):
    reader, text = pdf_text(zh_run.files["pdf"])
    meta = reader.metadata
    assert meta.title == "梭罗峪村2017年上半年帮扶工作数据报告" and meta.author == "晋中市财政局"
    assert str(reader.trailer["/Root"].get("/Lang")) == "zh-CN" or "zh" in str(reader.trailer["/Root"].get("/Lang"))
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "一、基本情况" in titles and "五、问题与提示" in titles
    for caption in ("表1基本情况指标", "图1贫困发生率与退出标准", "表6项目清单与投资"):
        assert caption in flat(text), caption
    # committed and planned apart, consistent with the indicators: 3,097,200 + 100,000 = 3,197,200 known
    assert "已投入（在建及完工）3,097,200309.72" in flat(text) and "计划100,00010.00" in flat(text)
    assert "合计3,197,200319.72" in flat(text)
    # alert levels are real: the 23.9× incidence is serious, the 38.4% absent share needs attention
    assert "严重贫困发生率47.8%" in flat(text) and "注意33户贫困户长期不在村" in flat(text)


def test_every_input_hash_appears_intact(zh_run):
    m = json.loads(zh_run.files["manifest"].read_text(encoding="utf-8"))
    html = zh_run.files["html"].read_text(encoding="utf-8")
    _, text = pdf_text(zh_run.files["pdf"])
    for i in m["inputs"]:
        assert i["sha256"] in html, i["path"]          # full hash in the HTML
        assert i["sha256"][:12] in flat(text), i["path"]  # short hash in the PDF's compact appendix
    assert "<script" not in html.lower()
    assert 'alt="No description' not in html and html.count('alt="条形图') >= 3


def test_reruns_with_other_homes_are_byte_identical(zh_run, tmp_path, monkeypatch):
    for name in ("a", "b"):
        home = tmp_path / f"home-{name}"
        home.mkdir()
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        monkeypatch.setenv("MPLCONFIGDIR", str(home / ".mpl"))
        run = run_report("suoluoyu", "2017H1", data_dir=DATA, output_dir=tmp_path / name,
                         formats=("html", "pdf", "csv"))
        for fmt in ("html", "pdf", "csv"):
            assert run.files[fmt].read_bytes() == zh_run.files[fmt].read_bytes(), fmt


def test_hostile_village_name_comes_out_literally(tmp_path):
    hostile = '梭罗峪村</style><script>alert(1)</script>#import "x" #read("/etc/passwd") *b* $y$'
    d = tmp_path / "data"
    shutil.copytree(DATA / "suoluoyu", d / "suoluoyu")
    with_policy(d)
    yaml_path = d / "suoluoyu" / "village.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace(
        "name_zh: 梭罗峪村", "name_zh: " + json.dumps(hostile, ensure_ascii=False)), encoding="utf-8")
    run = run_report("suoluoyu", "2017H1", data_dir=d, output_dir=tmp_path / "out", formats=("html", "pdf"))
    html = run.files["html"].read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "</style><script>" not in html
    assert "梭罗峪村&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;#import &#34;x&#34;" in html
    _, text = pdf_text(run.files["pdf"])
    assert flat(hostile) in flat(text)                 # printed as text, not run as Typst


def test_languages_side_by_side(zh_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(zh_run.folder, out / "suoluoyu" / "2017H1")
    before = tree_digest(out)
    run = run_report("suoluoyu", "2017H1", data_dir=DATA, output_dir=out, lang="en", formats=("pdf", "html"))
    names = {p.name for p in run.folder.iterdir()}
    assert {"report.pdf", "report.html", "report.en.pdf", "report.en.html", "indicators.csv"} <= names
    after = tree_digest(out)
    for path, digest in before.items():  # the Chinese files are untouched
        assert after[path] == digest, path


def test_no_dependency_needs_a_system_library():
    """The installed dependency tree of village-stats holds no package that needs Pango/Cairo/GObject."""
    from importlib.metadata import PackageNotFoundError, requires

    seen, todo = set(), ["village-stats"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue
        for r in reqs:
            if "extra ==" in r:
                continue
            todo.append(re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0].lower().replace("_", "-"))
    assert "typst" in seen
    assert not seen & {"weasyprint", "cairocffi", "pycairo", "pygobject", "cairosvg"}, seen


def test_nbconvert_exporters_by_entry_point(zh_run, tmp_path):
    """`jupyter nbconvert --to village-stats-pdf|html` on the executed notebook gives the run's own files."""
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "jupyter"
    for fmt, key in (("village-stats-pdf", "pdf"), ("village-stats-html", "html")):
        p = subprocess.run([str(exe), "nbconvert", "--to", fmt, str(zh_run.files["ipynb"]), "--output-dir",
                            str(tmp_path)], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr[-2000:]
        made = tmp_path / zh_run.files[key].name
        assert made.read_bytes() == zh_run.files[key].read_bytes(), fmt


def test_document_model_from_notebook_outputs():
    """Blocks come from the package MIME type, markdown cells from mistune's AST; hidden cells, code,
    streams and plain HTML never reach the document; captioned tables and figures are numbered per kind."""
    import base64

    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from village_stats.document import BLOCK_MIME, build_document

    png = base64.b64encode(b"\x89PNG fake").decode()
    table = {"type": "table", "caption": "甲", "columns": [{"name": "a", "type": "number", "unit": ""}],
             "rows": [["1"]], "total_rows": 0, "group": False}
    nb = new_notebook(cells=[
        new_markdown_cell("## 小节\n\n一段*文字*。\n\n```python\nsecret_code()\n```"),
        new_code_cell("hidden()", metadata={"tags": ["report-hide"]}, outputs=[
            new_output("display_data", data={BLOCK_MIME: {"type": "paragraph", "text": "hidden"}})]),
        new_code_cell("x", outputs=[
            new_output("stream", name="stdout", text="noise"),
            new_output("display_data", data={"text/html": "<b>html only</b>"}),
            new_output("display_data", data={BLOCK_MIME: table, "text/html": "<table></table>"}),
            new_output("display_data", data={BLOCK_MIME: {"type": "figure", "caption": "图题", "alt": "说明",
                                                          "width_in": 7.0}, "image/png": png}),
            new_output("display_data", data={BLOCK_MIME: dict(table, caption="乙")}),
            new_output("display_data", data={BLOCK_MIME: dict(table, caption="")}),
        ])])
    doc = build_document(nb, lang="zh", header="村 · 期", meta={"author": "单位"})
    json.dumps(doc)  # serialisable
    kinds = [b["type"] for b in doc["blocks"]]
    assert kinds == ["heading", "paragraph", "table", "figure", "table", "table"]
    assert doc["blocks"][0] == {"type": "heading", "level": 2, "text": "小节"}
    assert doc["blocks"][1]["text"] == "一段文字。"
    assert [b.get("number") for b in doc["blocks"][2:]] == [1, 1, 2, None]
    assert doc["blocks"][3]["image"] == {"mime": "image/png", "data": png}
    text = json.dumps(doc, ensure_ascii=False)
    assert "secret_code" not in text and "hidden" not in text and "noise" not in text and "html only" not in text
    assert doc["meta"] == {"author": "单位", "title": "村 · 期", "language": "zh-CN"}


def _sheet(**values):
    import pandas as pd

    return pd.DataFrame({"indicator": list(values), "value": [float(v) for v in values.values()]})


@pytest.mark.parametrize(("incidence", "level"), [(0.05, "serious"), (0.04, "serious"), (0.03, "attention"),
                                                  (0.02, "attention"), (0.01, "note")])
def test_alert_levels_follow_the_stated_rules(incidence, level):
    """Incidence ≥ 2 × the 2% threshold is serious, at or above it attention, below it a note."""
    from village_stats.alerts import alerts

    a = alerts(_sheet(poverty_incidence=incidence, exit_threshold=0.02, poverty_reduction_needed=5))
    assert list(a["level"]) == [level]


def test_alerts_read_the_sheet_and_sort_by_level():
    from village_stats.alerts import alerts

    a = alerts(_sheet(poverty_incidence=0.01, exit_threshold=0.02, absent_poor_households=3, poor_households=30,
                      absent_poor_household_share=0.1, uncontacted_resident_poor_households=1,
                      projects_without_investment=1, poor_population=40,
                      reconciliation_poor_population_difference=-2, exit_eligible_households=1))
    assert list(a["level"]) == ["serious", "attention", "attention", "note", "note", "note"]
    assert list(a["alert"]) == ["reconciliation_poor_population", "resident_poor_not_contacted",
                                "projects_without_investment", "incidence_below_threshold",
                                "absent_poor_households", "exit_eligible"]
    msgs = dict(zip(a["alert"], a["message_en"]))
    assert msgs["reconciliation_poor_population"].endswith("reported 40, register 38 (-2).")  # 40 − 2
    assert msgs["resident_poor_not_contacted"] == "1 resident poor household was not contacted this period."
    assert msgs["projects_without_investment"].startswith("1 project with unknown investment")
    assert "3 poor households (10.0%) are long absent" in msgs["absent_poor_households"]
    assert msgs["exit_eligible"].startswith("1 poor household meets the exit test")


def test_title_facts_report_date_only_when_given(suoluoyu):
    """Data cut-off is the period end (2017-06-30); the report date is the parameter, never the clock."""
    from village_stats.display.views import title_facts

    facts = dict(title_facts(suoluoyu, "zh"))
    assert facts["数据截至"] == "2017年6月底" and "报告日期" not in facts
    assert facts["帮扶单位"] == "晋中市财政局" and facts["乡（镇）"] == "赵壁乡"
    facts = dict(title_facts(suoluoyu, "en", report_date="2017-07-10"))
    assert facts["Report date"] == "2017-07-10" and facts["Data as of"] == "end of June 2017"
    assert facts["County, city, province"] == "Xiyang County, Jinzhong, Shanxi"


def test_the_reconciliation_is_one_of_the_results():
    """The notebook's reconciliation table is the evaluation's (the figures the sheet's reconciliation
    indicators count); demo 2018H1's register lists 2 poor persons fewer than population.csv reports (the
    seeded mismatch)."""
    from village_stats.evaluate import evaluate
    from village_stats.load import load_period

    results = evaluate(load_period("demo", "2018H1", DATA))
    r = results.reconciliation
    assert results.values["reconciliation_poor_population_difference"] == -2
    assert r.loc["poor_population", "difference"] == -2
    assert r.loc["poor_population", "derived"] == r.loc["poor_population", "reported"] - 2
    assert bool(r.loc["households_total", "comparable"])


def test_layouts_accept_blocks_with_only_their_required_fields():
    """Another tool's blocks may leave out captions, totals, alt text: both layouts still work."""
    from village_stats.export.html import render_html
    from village_stats.export.pdf import render_pdf

    doc = {"lang": "en", "header": "Village · 2017 H1", "meta": {"title": "T", "author": "A", "language": "en"},
           "blocks": [{"type": "title", "title": "Report <b>"}, {"type": "heading", "level": 3, "text": "Deep"},
                      {"type": "table", "columns": [{"name": "a", "type": "number"}], "rows": [["1"], ["2"]]}]}
    html = render_html(doc)
    assert "Report &lt;b&gt;" in html and "<caption>" not in html
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    assert "Report <b>" in reader.pages[0].extract_text() and "Page 1 of 1" in reader.pages[0].extract_text()


def test_a_register_with_no_poor_household_reports(tmp_path):
    """After 2020 a register lists non-poor households only (monitoring objects among them): the report
    runs, says 0 poor households and 0 persons, and draws no causes chart (it has nothing to draw)."""
    d = with_policy(tmp_path / "data")
    (d / "demo").mkdir()
    shutil.copy(DATA / "demo" / "village.yaml", d / "demo" / "village.yaml")
    for p in ("2022H1", "2022H2"):
        shutil.copytree(DATA / "demo" / p, d / "demo" / p)
        hh = pd.read_csv(d / "demo" / p / "households.csv", dtype=str, keep_default_na=False)
        hh[["category", "status", "exit_year", "main_cause"]] = ["non_poor", "non_poor", "", ""]
        hh.to_csv(d / "demo" / p / "households.csv", index=False)
        pop = pd.read_csv(d / "demo" / p / "population.csv", dtype=str, keep_default_na=False)
        pop.loc[pop["measure"].isin(["poor_households", "poor_population", "wubao_households", "dibao_households",
                                     "absent_poor_households"]), "value"] = "0"
        pop.to_csv(d / "demo" / p / "population.csv", index=False)
    result = run_report("demo", "2022H2", data_dir=d, output_dir=tmp_path / "out", formats=("html", "csv"))
    sheet = pd.read_csv(result.files["csv"]).set_index("indicator")["value"]
    assert sheet["poor_households"] == 0 and sheet["poverty_incidence"] == 0
    html = result.files["html"].read_text(encoding="utf-8")
    assert "建档立卡贫困户0户0人" in html and t("chart_causes", "zh") not in html


def test_period_report_names_are_searchable(zh_run):
    """Searchable PDF (issue 23): pdftotext finds the village and its township whole, with no format
    character (Unicode Cf, e.g. the word joiner U+2060) anywhere in the text layer."""
    import subprocess
    import unicodedata

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(zh_run.files["pdf"]), "-"], capture_output=True,
                          check=True, text=True).stdout
    assert [c for c in text if unicodedata.category(c) == "Cf"] == []
    assert "梭罗峪村" in flat(text) and "赵壁乡" in flat(text)
