"""run-all on a few villages of the example county, on a real local Dask cluster (a subprocess, as a
county's cron job runs it): one line per village, a summary, batch JSON; a village with bad data, one
whose worker aborts (exit 134, as the workbook reader's 512 GiB allocation did), one lacking the period,
a folder without village.yaml and the data root's policy/ never take down the others.

The abort is real: a ``sitecustomize`` on the workers' PYTHONPATH calls ``os.abort()`` when a worker opens
a file of the village ``crashy`` (the parent never opens village files, it only lists them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT, with_policy

pytestmark = pytest.mark.notebook

COUNTY = ROOT / "examples" / "demo_county"
GOOD = ("beiwa", "nancha")
ABORT_HOOK = textwrap.dedent('''
    import os, sys
    _log = os.environ.get("VILLAGE_STATS_TEST_ABORT_LOG")
    if _log:
        def _hook(event, args):
            if event == "open" and isinstance(args[0], str) and "/crashy/" in args[0]:
                with open(_log, "a") as f:
                    f.write(f"{os.getpid()}\\n")
                os.abort()
        sys.addaudithook(_hook)
''')


def village_copy(src: str, root: Path, name: str) -> Path:
    shutil.copytree(COUNTY / src, root / name)
    yaml = root / name / "village.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(f"id: {src}", f"id: {name}"), encoding="utf-8")
    return root / name


def run_all(*args: str, env: dict | None = None, timeout: int = 400) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "village_stats.cli", "run-all", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                          timeout=timeout)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = with_policy(tmp_path_factory.mktemp("county"))      # the README's layout: policy/ beside villages
    for v in GOOD:
        shutil.copytree(COUNTY / v, root / v)
    pop = village_copy("liugou", root, "broken") / "2018H2" / "population.csv"   # bad data: a negative count
    pop.write_text(pop.read_text(encoding="utf-8").replace("poor_population,", "poor_population,-", 1),
                   encoding="utf-8")
    village_copy("liugou", root, "crashy")                        # its worker aborts (SIGABRT, exit 134)
    village_copy("hougou", root, "nolatest")                      # lacks 2018H2 (as hougou in the county)
    (root / "noyaml" / "2018H2").mkdir(parents=True)               # a folder without village.yaml
    hook = tmp_path_factory.mktemp("hook")
    (hook / "sitecustomize.py").write_text(ABORT_HOOK, encoding="utf-8")
    log = hook / "aborts.log"
    out = tmp_path_factory.mktemp("out")
    res = run_all("--period", "2018H2", "--data-dir", str(root), "--output-dir", str(out), "--formats", "csv",
                  "--jobs", "2", "--retries", "1", "--no-site",
                  env={"PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)]), "VILLAGE_STATS_TEST_ABORT_LOG": str(log)})
    return res, root, out, log


def test_exit_code_2_when_a_village_has_bad_input(batch):
    res, *_ = batch
    assert res.returncode == 2, res.stderr


def test_good_villages_are_written_despite_the_broken_and_the_aborting_one(batch):
    _, _, out, _ = batch
    for v in GOOD:
        assert (out / v / "2018H2" / "indicators.csv").is_file()
    assert not (out / "broken").exists() and not (out / "crashy" / "2018H2").exists()


def test_an_aborting_worker_is_retried_once_on_a_fresh_worker_then_reported_failed(batch):
    res, _, _, log = batch
    pids = log.read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2                 # --retries 1: two workers died on it
    line = next(line for line in res.stdout.splitlines() if line.startswith("失败") and " crashy " in line)
    assert "2" in line and ("工作进程" in line or "worker" in line)


def test_one_line_per_village_and_a_summary(batch):
    res, *_ = batch
    lines = (res.stdout + res.stderr).splitlines()
    for v in (*GOOD, "broken", "crashy", "nolatest"):
        assert sum(f" {v} " in line for line in lines) == 2, v     # progress line + summary table line
    # the summary in the user's language: Chinese by default (the module's run has no VILLAGE_STATS_LANG=en)
    assert "共 5 个村：完成 2 个，输入有误 1 个，失败 1 个，未变跳过 0 个，缺本期 1 个，未填写 0 个" in res.stdout
    broken = next(line for line in lines if " broken " in line)
    assert broken.startswith("输入有误") and "population.csv" in broken
    assert next(line for line in lines if " nolatest " in line).startswith("缺本期")
    assert "Traceback" not in res.stderr and "KeyboardInterrupt" not in res.stderr


def test_folders_without_village_yaml_are_listed_as_not_villages_and_policy_is_not_one(batch):
    res, *_ = batch
    note = [line for line in res.stderr.splitlines() if "village.yaml" in line]
    assert len(note) == 1 and "noyaml" in note[0] and "policy" not in note[0]
    assert " noyaml " not in res.stdout and " policy " not in res.stdout


def test_batch_json(batch):
    _, _, out, _ = batch
    doc = json.loads((out / "batch-2018H2.json").read_text(encoding="utf-8"))
    assert (doc["villages"], doc["ok"], doc["bad_input"], doc["failed"], doc["missing"]) == (5, 2, 1, 1, 1)
    by = {r["village"]: r for r in doc["results"]}
    assert by["beiwa"]["status"] == "ok" and by["beiwa"]["error"] == ""
    assert any(p.endswith("indicators.csv") for p in by["beiwa"]["outputs"])
    assert by["beiwa"]["seconds"] > 0
    assert by["nolatest"]["status"] == "missing" and "2018H2" in by["nolatest"]["error"]


def test_a_rerun_with_changed_only_skips_what_is_published_and_exits_0_with_a_missing_village(batch):
    _, root, out, _ = batch
    res = run_all("--period", "2018H2", "--data-dir", str(root), "--output-dir", str(out), "--formats", "csv",
                  "--village", "beiwa", "--village", "nancha", "--village", "nolatest", "--changed-only",
                  env={"VILLAGE_STATS_LANG": "en"}, timeout=60)
    assert res.returncode == 0, res.stderr                          # a missing period is not a failure
    assert "3 villages: 0 ok, 0 bad input, 0 failed, 2 skipped, 1 missing" in res.stdout
    assert "2 village-periods unchanged since their published run, skipped" in res.stdout


def test_batch_one_never_raises(monkeypatch, tmp_path):
    """An unexpected exception in one village is one failed line, and the next village still runs."""
    from village_stats.run import batch

    calls = []

    def explode(request, **kwargs):
        calls.append(request.village)
        if request.village == "nancha":
            raise KeyError("something the code did not expect")
        from village_stats.run import RunResult

        return RunResult(folder=tmp_path / request.village / request.period.code, files={})

    monkeypatch.setattr(batch, "run", explode)
    settings = {"data_dir": COUNTY, "lang": "en", "formats": ("csv",), "output_dir": str(tmp_path)}
    results = [batch.batch_one(v, "2018H2", settings) for v in ("nancha", "beiwa")]
    assert calls == ["nancha", "beiwa"]
    assert [r.status for r in results] == ["failed", "ok"]
    assert results[0].message.startswith("unexpected KeyError") and "\n" not in results[0].message


def test_an_unfilled_template_period_is_reported_unfilled_not_bad_input(tmp_path):
    """A period made by new-period and not yet filled in is normal data of a team that has not reported: the
    batch settles it as unfilled (never run, never bad input), and a filled period of the same village runs."""
    from village_stats.run import batch
    from village_stats.workbook import new_period

    root = with_policy(tmp_path / "data")
    shutil.copytree(COUNTY / "nancha", root / "nancha")
    new_period(root, "nancha", "2019H1", as_="csv")              # the blank template of the next period
    settings = {"data_dir": root, "lang": "zh", "formats": ("csv",), "output_dir": str(tmp_path / "out")}
    item = batch.batch_one("nancha", "2019H1", settings)
    assert item.status == "unfilled" and "2019H1" in item.message and "模板" in item.message


def test_progress_bar_when_asked(tmp_path):
    res = run_all("--period", "2018H2", "--data-dir", str(COUNTY), "--village", "nancha", "--output-dir",
                  str(tmp_path), "--formats", "csv", "--progress", "--no-site", env={"VILLAGE_STATS_LANG": "en"},
                  timeout=120)
    assert res.returncode == 0, res.stderr
    assert "run-all 2018H2" in res.stderr and "1/1" in res.stderr     # tqdm's bar, on stderr
    assert "1 villages: 1 ok, 0 bad input, 0 failed" in res.stdout
    assert (tmp_path / "batch-2018H2.json").is_file()
