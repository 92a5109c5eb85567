"""The county's site (village-stats site, and run-all's last step), read as a person's browser would: the facts of
its pages parsed from the HTML and compared with the roll-up command's figures and the input files.

The county is tests/site_helpers.py's: three reports run for real (HTML, PDF, workbook), a village lacking the
period, one with bad data, a folder without village.yaml and a village named ``<script>…``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from village_stats.cli import main

from .site_helpers import GOOD, HOSTILE_EN, HOSTILE_TOWNSHIP, HOSTILE_ZH, PERIOD, make_county, read_page

pytestmark = pytest.mark.notebook

WITH_REPORTS = (*GOOD, "evil")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The data root, the output folder after ``run-all`` (reports and site), and run-all's result."""
    root = make_county(tmp_path_factory.mktemp("county"))
    out = tmp_path_factory.mktemp("out")
    res = CliRunner().invoke(main, ["run-all", "--period", PERIOD, "--data-dir", str(root), "--output-dir", str(out),
                                    "--formats", "html,pdf,xlsx", "--jobs", "2", "--no-progress"])
    return root, out, res


@pytest.fixture(scope="module")
def good_root(county, tmp_path_factory):
    """The same data root without the broken village and the folder without village.yaml: the roll-up
    command refuses a county it cannot read whole, and the site's figures must be its figures."""
    root, _, _ = county
    good = tmp_path_factory.mktemp("good") / "county"
    shutil.copytree(root, good, ignore=lambda d, names: [n for n in names if n in ("broken", "noyaml")])
    return good


def rollup_json(root: Path, period: str, by: str = "village", *extra: str) -> dict[tuple[str, str], dict]:
    """The roll-up command's records, by (group, indicator)."""
    res = CliRunner().invoke(main, ["rollup", "--period", period, "--by", by, "--format", "json", "--data-dir",
                                    str(root), *extra])
    assert res.exit_code == 0, res.output
    return {(r["group_id"], r["indicator"]): r for r in json.loads(res.stdout)}


def population(root: Path, village: str, period: str) -> dict[str, int]:
    with open(root / village / period / "population.csv", encoding="utf-8") as fh:
        return {r["measure"]: int(r["value"]) for r in csv.DictReader(fh)}


def site_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file())


def test_run_all_ends_with_the_site(county):
    _, out, res = county
    assert res.exit_code == 2, res.output                      # two villages had bad input, one lacks the period
    assert f"site     {out / 'site' / 'index.html'}" in res.output
    assert (out / "site").is_symlink() and (out / "site" / "index.html").is_file()
    manifest = json.loads((out / "site" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["villages"] == ["beiwa", "broken", "evil", "hougou", "nancha"]
    assert manifest["villages_with_data"] == ["beiwa", "evil", "nancha"]
    assert sorted(manifest["pages"]) == ["index.html", *(f"villages/{v}.html" for v in manifest["villages"])]


def test_the_index_lists_every_village_with_the_rollups_figures(county, good_root):
    root, out, _ = county
    page = read_page(out / "site" / "index.html")
    assert [r["attrs"]["data-village"] for r in page.rows] == ["beiwa", "broken", "evil", "hougou", "nancha"]
    now, before = rollup_json(good_root, PERIOD), rollup_json(good_root, "2018H1")
    for v in WITH_REPORTS:
        row = page.row(v)
        incidence = now[(v, "poverty_incidence")]["value"]
        assert row["贫困发生率"] == f"{incidence * 100:.1f}%"
        assert row["贫困人口(人)"] == f"{now[(v, 'poor_population')]['value']:,.0f}"
        assert row["可退出"] == ("是" if now[(v, "poverty_reduction_needed")]["value"] == 0 else "否")
        if (v, "poverty_incidence") in before:
            change = (incidence - before[(v, "poverty_incidence")]["value"]) * 100
            assert row["变化(百分点)"] == ("+" if round(change, 1) > 0 else "") + f"{change:.1f}"
        else:
            assert row["变化(百分点)"] == "—"                  # evil (a copy of mafang) has no 2018H1
        assert row["最近报告"] == json.loads((out / v / PERIOD / "manifest.json").read_text())["started_at"][:10]
    # by hand from beiwa's population.csv: 8 poor of 95 persons
    assert population(root, "beiwa", PERIOD)["poor_population"] == 8 and page.row("beiwa")["贫困发生率"] == "8.4%"
    assert page.row("hougou")["贫困发生率"] == "—" and "无本期数据" in page.row("hougou")["村"]
    assert "数据有误" in page.row("broken")["村"]
    # the county's key figures are the county-level roll-up's
    county_now = rollup_json(good_root, PERIOD, "county")
    key = " ".join(page.sections["key-figures"].split())
    assert f"农业人口{county_now[('虚构县', 'population_total')]['value']:,.0f} 人" in key
    assert f"贫困发生率{county_now[('虚构县', 'poverty_incidence')]['value'] * 100:.1f}%" in key
    assert "有数据的村3 / 5" in key


def test_numbers_sort_by_their_values(county):
    _, out, _ = county
    page = read_page(out / "site" / "index.html")
    incidence = page.headers.index("贫困发生率")
    keys = {r["attrs"]["data-village"]: r["sort"][incidence] for r in page.rows}
    assert keys["hougou"] == "" and float(keys["beiwa"]) == pytest.approx(8 / 95)


def test_every_link_resolves_to_a_file_and_nothing_is_fetched(county):
    _, out, _ = county
    site = out / "site"
    pages = [p for p in site_files(site) if p.suffix == ".html"]
    assert len(pages) == 6
    for p in pages:
        page = read_page(p)
        assert page.sources == ["data:,"]                      # the empty icon only: no CDN, no image file
        for href in page.links:
            assert "://" not in href and not href.startswith("/"), (p.name, href)
            target = os.path.normpath(os.path.join(p.parent, href.split("#")[0]))   # as a browser resolves it
            assert os.path.isfile(target), (p.name, href)
    index = read_page(site / "index.html")
    for v in WITH_REPORTS:
        links = next(r["links"] for r in index.rows if r["attrs"]["data-village"] == v)
        assert links == [f"villages/{v}.html", f"../{v}/{PERIOD}/report.html", f"../{v}/{PERIOD}/report.pdf",
                         f"../{v}/{PERIOD}/indicators.xlsx"]
    evil = read_page(site / "villages" / "evil.html")
    assert f"../../evil/{PERIOD}/report.pdf" in evil.links and "../index.html" in evil.links


def test_the_only_script_is_the_index_s_own_and_its_hash_is_allowed(county):
    _, out, _ = county
    text = (out / "site" / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(scripts) == 1 and read_page(out / "site" / "index.html").scripts == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    policy = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1))
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    for p in (out / "site" / "villages").iterdir():
        assert read_page(p).scripts == 0 and "script-src &#39;none&#39;" in p.read_text(encoding="utf-8")


def test_a_hostile_village_name_stays_text(county):
    _, out, _ = county
    index_text = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index_text and "<b>南山乡" not in index_text
    assert "&lt;script&gt;alert(&#34;村&#34;)&lt;/script&gt;&amp;amp;村" in index_text
    index = read_page(out / "site" / "index.html")
    assert index.row("evil")["村"] == HOSTILE_ZH and index.row("evil")["乡镇"] == HOSTILE_TOWNSHIP
    assert HOSTILE_TOWNSHIP in re.findall(r'<option value="([^"]*)">', index_text.replace("&lt;", "<")
                                          .replace("&gt;", ">"))
    village_text = (out / "site" / "villages" / "evil.html").read_text(encoding="utf-8")
    assert read_page(out / "site" / "villages" / "evil.html").scripts == 0 and "<script>alert" not in village_text
    assert read_title(out / "site" / "villages" / "evil.html") == f"{HOSTILE_ZH}各期数据"


def read_title(path: Path) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S).group(1))


def test_no_personal_data(county):
    root, out, _ = county
    names, ids = set(), set()
    for hh in root.glob("*/*/households.csv"):
        frame = pd.read_csv(hh, dtype=str)
        names |= set(frame["head_name"].dropna())
        ids |= set(frame["id_number"].dropna()) | set(frame["household_id"].dropna())
    assert len(names) > 50 and len(ids) > 100
    for p in site_files(out / "site"):
        text = p.read_text(encoding="utf-8")
        found = [x for x in names | ids if x in text]
        assert found == [], (p.name, found[:3])


def test_missing_and_failed_villages_are_named_with_the_batch_reason(county):
    root, out, _ = county
    batch = {r["village"]: r for r in json.loads((out / f"batch-{PERIOD}.json").read_text())["results"]}
    page = read_page(out / "site" / "index.html")
    missing = " ".join(page.sections["missing"].split())
    assert "后沟村" in missing and batch["hougou"]["error"] in missing and "broken" not in missing
    failed = page.sections["failed"]
    assert "柳沟村（broken）" in failed and batch["broken"]["error"] in failed
    assert "hougou" not in failed and "noyaml" not in batch  # a folder without village.yaml is no village
    gaps = page.sections["gaps"]
    assert "（evil）：缺少2018年上半年" in gaps and "后沟村（hougou）：缺少2018年下半年" in gaps
    broken = read_page(out / "site" / "villages" / "broken.html")
    assert batch["broken"]["error"] in broken.sections["problems"]


def test_a_village_page_shows_its_periods_charts_reports_and_findings(county, good_root):
    root, out, _ = county
    text = (out / "site" / "villages" / "evil.html").read_text(encoding="utf-8")
    page = read_page(out / "site" / "villages" / "evil.html")
    table = page.tables[0]
    assert table[0] == ["指标", "2017年上半年", "2017年下半年", "2018年下半年"]     # 2018H1 is missing
    rows = {r[0]: r[1:] for r in table[1:]}
    poor = [population(root, "evil", p)["poor_population"] for p in ("2017H1", "2017H2", PERIOD)]
    assert rows["贫困人口"] == [f"{n} 人" for n in poor]                      # from the input files
    totals = [population(root, "evil", p)["population_total"] for p in ("2017H1", "2017H2", PERIOD)]
    assert rows["贫困发生率"] == [f"{100 * n / d:.1f}%" for n, d in zip(poor, totals)]
    assert "本村缺少以下时期的数据：2018年上半年。" in text
    assert text.count("<svg ") == 2 and len(page.ids) == len(set(page.ids))   # two charts, no id twice
    assert "贫困发生率趋势与退出标准" in page.sections["charts"] and "贫困人口（各期）" in page.sections["charts"]
    # the audit's count of exited households failing the exit test is the sheet's indicator of the same
    failing = rollup_json(good_root, PERIOD)[("evil", "exited_failing_criteria_households")]["value"]
    assert failing > 0 and page.tables[-1] == [["规则", "条数"], ["脱贫户未解决两不愁三保障或收入未达标", f"{failing:.0f}"]]


def test_the_site_is_rebuilt_atomically(county, monkeypatch):
    import village_stats.site as site_module
    from village_stats.site import build_site

    root, out, _ = county
    final = out / "site"
    first, index = os.readlink(final), (final / "index.html").read_bytes()
    files = {p.relative_to(final): p.read_bytes() for p in site_files(final)}
    build_site(PERIOD, data_dir=root, output_dir=out)
    second = os.readlink(final)
    runs = out / ".village-stats-runs" / ".site"
    assert second != first and [p.name for p in runs.iterdir()] == [Path(second).name]   # the old run is gone
    assert {p.relative_to(final): p.read_bytes() for p in site_files(final)} == files     # the same bytes
    pages = []

    def render_then_fail(template, context):
        pages.append(template)
        if len(pages) == 3:
            raise OSError(28, "No space left on device")
        return site_module.pages.render(template, context)

    monkeypatch.setattr(site_module, "render", render_then_fail)
    with pytest.raises(OSError):
        build_site(PERIOD, data_dir=root, output_dir=out)
    assert os.readlink(final) == second and (final / "index.html").read_bytes() == index
    assert [p.name for p in runs.iterdir()] == [Path(second).name]       # the half-written run was removed


def test_english_site(county):
    _, out, _ = county
    res = CliRunner().invoke(main, ["site", "--period", PERIOD, "--data-dir", str(county[0]), "--output-dir", str(out),
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    site = out / "site.en"
    text = (site / "index.html").read_text(encoding="utf-8")
    page = read_page(site / "index.html")
    assert page.lang == "en" and "Incidence" in page.headers and "Township" in page.headers
    assert page.row("beiwa")["Incidence"] == "8.4%"
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text and page.row("evil")["Village"] == HOSTILE_EN
    # no English reports were run: the villages link to their pages only
    assert all(r["links"] == [f"villages/{r['attrs']['data-village']}.html"] for r in page.rows)
    assert "no report yet" in text


def test_suppressed_site_uses_the_disclosure_of_the_rollup(county, good_root, tmp_path):
    from village_stats.site import build_site

    root, _, _ = county
    build_site(PERIOD, data_dir=root, output_dir=tmp_path, suppress_below=10)
    page = read_page(tmp_path / "site" / "index.html")
    expected = rollup_json(good_root, PERIOD, "village", "--suppress-below", "10")
    for v in WITH_REPORTS:
        for indicator, header in (("poverty_incidence", "贫困发生率"), ("poor_population", "贫困人口(人)")):
            r = expected[(v, indicator)]
            shown = page.row(v)[header]
            if r["suppressed"]:
                assert shown == "不公布", (v, indicator)
            else:
                assert shown == (f"{r['value'] * 100:.1f}%" if indicator == "poverty_incidence"
                                 else f"{r['value']:,.0f}")
    assert any(expected[(v, "poor_population")]["suppressed"] for v in WITH_REPORTS)   # beiwa: 8 poor persons
    village = read_page(tmp_path / "site" / "villages" / "beiwa.html")
    assert "公开版不列核查发现" in village.sections["findings"] and "条数" not in village.sections["findings"]
    text = (tmp_path / "site" / "villages" / "beiwa.html").read_text(encoding="utf-8")
    assert ">8 人<" not in text                                          # beiwa's poor persons of 2018H2


def test_findings_by_severity_from_the_checks(county):
    """The index has one column per severity of docs/checks.md (错误, 疑点, 提示, the catalogue's order); each
    village's counts are those of its evaluated period (Results.checks, what village-stats check lists)."""
    from village_stats.evaluate import evaluate
    from village_stats.load import Source

    page = read_page(county[1] / "site" / "index.html")
    heads = ["疑点：错误", "疑点：疑点", "疑点：提示"]
    assert [h for h in page.headers if h.startswith("疑点：")] == heads
    source = Source(county[0])
    counts = {}
    for v in ("beiwa", "nancha", "evil"):
        found = evaluate(source.period(v, PERIOD)).checks
        counts[v] = [found.count(s) for s in ("error", "doubt", "hint")]
        assert [page.row(v)[h] for h in heads] == [str(n) for n in counts[v]]
    # examples/demo_county/README.md: beiwa and nancha are clean; evil (a copy of mafang) has exited households
    # below the line (HH-007, 疑点)
    assert sum(counts["beiwa"]) + sum(counts["nancha"]) == 0 and counts["evil"][1] > 0
    assert page.row("hougou")["疑点：错误"] == "—"


def test_site_command_bad_period_is_one_line_exit_2(county):
    res = CliRunner().invoke(main, ["site", "--period", "2030H1", "--data-dir", str(county[0]), "--output-dir",
                                    str(county[1])])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "no village has data for period 2030H1" in res.output


def test_run_all_without_site(county, tmp_path, monkeypatch):
    from village_stats import run as run_module

    monkeypatch.setattr(run_module, "run_batch", lambda *a, **k: [])
    res = CliRunner().invoke(main, ["run-all", "--period", PERIOD, "--data-dir", str(county[0]), "--output-dir",
                                    str(tmp_path), "--no-site", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / f"batch-{PERIOD}.json").is_file() and not (tmp_path / "site").exists()


def test_the_site_s_wording_rewords_nothing():
    """The site's words are added to labels.TEXT: none of their keys may be a key of labels.py."""
    import ast

    from village_stats.labels_site import SITE_TEXT

    from .conftest import ROOT

    tree = ast.parse((ROOT / "village_stats" / "labels.py").read_text(encoding="utf-8"))
    keys = {k.value for node in ast.walk(tree) if isinstance(node, ast.Dict)
            for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    assert keys and not keys & set(SITE_TEXT)


def test_monitoring_columns_when_the_period_has_them(tmp_path):
    """After 2020 the demo village's register carries monitoring fields: the index gains the monitored
    households and 风险消除 columns, with the roll-up's values; the example county's 2018 has neither."""
    from village_stats.site import build_site

    from .conftest import DATA

    build_site("2022H2", data_dir=DATA, output_dir=tmp_path)
    page = read_page(tmp_path / "site" / "index.html")
    expected = rollup_json(DATA, "2022H2")
    row = page.row("demo")
    assert row["监测对象(户)"] == f"{expected[('demo', 'monitored_households')]['value']:,.0f}"
    assert row["风险消除(户)"] == f"{expected[('demo', 'risk_eliminated_households')]['value']:,.0f}"
    assert page.row("suoluoyu")["监测对象(户)"] == "—" and "无本期数据" in page.row("suoluoyu")["村"]


def test_no_monitoring_columns_before_monitoring(county):
    headers = read_page(county[1] / "site" / "index.html").headers
    assert "贫困人口(人)" in headers and "监测对象(户)" not in headers and "风险消除(户)" not in headers


def test_county_and_trends_reports_are_linked_when_they_exist(county, tmp_path):
    from village_stats.site import build_site

    (tmp_path / "county" / PERIOD).mkdir(parents=True)
    (tmp_path / "county" / PERIOD / "report.html").write_text("<p>county</p>", encoding="utf-8")
    (tmp_path / "evil" / "trends").mkdir(parents=True)
    (tmp_path / "evil" / "trends" / "report.pdf").write_bytes(b"%PDF-1.7\n")
    build_site(PERIOD, data_dir=county[0], output_dir=tmp_path)
    index = read_page(tmp_path / "site" / "index.html")
    assert f"../county/{PERIOD}/report.html" in index.links and "../evil/trends/report.pdf" in index.links
    assert f"../county/{PERIOD}/report.pdf" not in index.links and "../beiwa/trends/report.pdf" not in index.links
    assert "../../evil/trends/report.pdf" in read_page(tmp_path / "site" / "villages" / "evil.html").links


def test_the_site_gathered_while_the_reports_ran_equals_one_built_after_them(county, tmp_path):
    """run-all gathers the site's facts from the data and draws its charts while its reports run (a thread),
    then adds the report files and the batch record: page for page, the same bytes as ``village-stats site``
    building everything afterwards from the same folders."""
    root, out, _ = county
    during = {p.relative_to(out / "site"): p.read_bytes() for p in site_files(out / "site")}
    res = CliRunner().invoke(main, ["site", "--period", PERIOD, "--data-dir", str(root), "--output-dir", str(out)])
    assert res.exit_code == 0, res.output
    after = {p.relative_to(out / "site"): p.read_bytes() for p in site_files(out / "site")}
    assert sorted(during) == sorted(after) and len(during) == 7
    assert [k for k in during if during[k] != after[k]] == []


def test_run_all_gathers_the_site_once_and_ahead(county, tmp_path, monkeypatch):
    import threading

    from village_stats import run as run_module
    from village_stats import site as site_module

    calls = []
    real = site_module.from_data

    def counted(*args, **kwargs):
        calls.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(site_module, "from_data", counted)
    monkeypatch.setattr(run_module, "run_batch", lambda *a, **k: [])
    res = CliRunner().invoke(main, ["run-all", "--period", PERIOD, "--data-dir", str(county[0]), "--output-dir",
                                    str(tmp_path), "--no-progress"])
    assert (tmp_path / "site" / "index.html").is_file(), res.output
    assert calls == ["village-stats site"]      # once, in the thread started with the batch


def test_villages_of_two_counties_get_each_county_s_key_figures(tmp_path):
    """data/ in 2017H1 holds Suoluoyu (昔阳县) and the demo village (示例县): the site used to fail on it (one
    county assumed). Each key figure is given per county with the county named, no summary mixes them."""
    from village_stats.site import build_site

    from .conftest import DATA

    result = build_site("2017H1", data_dir=DATA, output_dir=tmp_path)
    raw = re.sub(r"<(style|script)\b.*?</\1>", " ", result.index.read_text(encoding="utf-8"), flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
    assert "示例县、昔阳县2017年上半年各村数据一览" in text and "各县主要指标" in text
    assert "贫困人口（昔阳县） 196 人" in text and "贫困发生率（昔阳县） 47.8%" in text   # the seed's figures
    assert "本数据目录的村分属 2 个县" in text


def test_the_site_gathered_in_advance_stops_when_cancelled():
    """A stopped run-all cancels the site's thread: it ends at its next village-period, leaves no facts and no
    error (a daemon thread left inside the libraries at exit aborted the process: exit -6, not 130)."""
    import time

    from village_stats.site import SiteInAdvance

    from .conftest import ROOT

    advance = SiteInAdvance("2018H2", data_dir=ROOT / "examples" / "demo_county")
    time.sleep(0.3)                                   # inside the evaluations (24 villages take seconds)
    started = time.monotonic()
    assert advance.cancel() and time.monotonic() - started < SiteInAdvance.CANCEL_WAIT_SECONDS
    assert advance.facts("2018H2") is None
