"""run-all on a few villages of the example county: one line per village, a summary, batch JSON, and one broken
village (or a folder without village.yaml, or an unexpected exception) does not stop the rest."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from village_stats import run as run_module
from village_stats.cli import main

from .conftest import ROOT, with_policy

pytestmark = pytest.mark.notebook

COUNTY = ROOT / "examples" / "demo_county"
GOOD = ("beiwa", "nancha")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = with_policy(tmp_path_factory.mktemp("county"))
    for v in GOOD:
        shutil.copytree(COUNTY / v, root / v)
    shutil.copytree(COUNTY / "liugou", root / "broken")          # bad data: a negative count
    (root / "broken" / "village.yaml").write_text(
        (root / "broken" / "village.yaml").read_text(encoding="utf-8").replace("id: liugou", "id: broken"),
        encoding="utf-8")
    pop = root / "broken" / "2018H2" / "population.csv"
    pop.write_text(pop.read_text(encoding="utf-8").replace("poor_population,", "poor_population,-", 1),
                   encoding="utf-8")
    (root / "noyaml" / "2018H2").mkdir(parents=True)               # a folder without village.yaml
    out = tmp_path_factory.mktemp("out")
    res = CliRunner().invoke(main, ["run-all", "--period", "2018H2", "--data-dir", str(root), "--output-dir",
                                    str(out), "--formats", "csv", "--jobs", "2"])
    return res, out


def test_exit_code_2_when_a_village_has_bad_input(batch):
    res, _ = batch
    assert res.exit_code == 2, res.output


def test_good_villages_are_written_despite_the_broken_one(batch):
    _, out = batch
    for v in GOOD:
        assert (out / v / "2018H2" / "indicators.csv").is_file()
    assert not (out / "broken").exists()


def test_one_line_per_village_and_a_summary(batch):
    res, _ = batch
    lines = res.output.splitlines()
    for v in (*GOOD, "broken", "noyaml"):
        assert sum(f" {v} " in line for line in lines) == 2      # progress line + summary table line
    # the summary in the user's language: Chinese by default (the module's run has no VILLAGE_STATS_LANG=en)
    assert "共 4 个村：完成 2 个，输入有误 2 个，失败 0 个" in res.output
    broken = next(line for line in lines if " broken " in line)
    assert broken.startswith("输入有误") and "population.csv" in broken and "value" in broken
    assert next(line for line in lines if " noyaml " in line).startswith("输入有误")


def test_batch_json(batch):
    _, out = batch
    doc = json.loads((out / "batch-2018H2.json").read_text(encoding="utf-8"))
    assert doc["villages"] == 4 and doc["ok"] == 2 and doc["bad_input"] == 2 and doc["failed"] == 0
    by = {r["village"]: r for r in doc["results"]}
    assert by["beiwa"]["status"] == "ok" and by["beiwa"]["error"] == ""
    assert any(p.endswith("indicators.csv") for p in by["beiwa"]["outputs"])
    assert by["beiwa"]["seconds"] > 0
    assert "village.yaml" in by["noyaml"]["error"]


def test_an_unexpected_exception_is_one_failed_line(monkeypatch, tmp_path):
    calls = []

    from village_stats.run import batch

    def explode(request, **kwargs):
        calls.append(request.village)
        if request.village == "nancha":
            raise KeyError("something the code did not expect")
        return run_module.RunResult(folder=tmp_path / request.village / request.period.code, files={})

    monkeypatch.setattr(batch, "run", explode)
    results = run_module.run_batch(["nancha", "beiwa"], "2018H2", jobs=1, data_dir=COUNTY, output_dir=tmp_path)
    assert calls == ["nancha", "beiwa"]                           # the second still ran
    assert [r.status for r in results] == ["failed", "ok"]
    assert results[0].message.startswith("unexpected KeyError") and "\n" not in results[0].message


def test_progress_bar_when_asked(tmp_path):
    res = CliRunner().invoke(main, ["run-all", "--period", "2018H2", "--data-dir", str(COUNTY), "--village", "nancha",
                                    "--output-dir", str(tmp_path), "--formats", "csv", "--progress", "--no-site"])
    assert res.exit_code == 0, res.output
    assert "run-all 2018H2" in res.stderr and "1/1" in res.stderr     # tqdm's bar, on stderr
    assert "1 villages: 1 ok, 0 bad input, 0 failed" in res.stdout
    assert (tmp_path / "batch-2018H2.json").is_file()
