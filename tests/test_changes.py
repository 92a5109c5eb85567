"""--changed-only: a published report is skipped exactly when nothing it depends on changed.

One real period report (csv) is published into a copy of two villages of the example county; then each
kind of change is made and undone: an input's bytes, a new file where the report reads, an earlier
period filled in, a policy table, the formats or language asked, the notebook. A period added after the
report's changes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from village_stats.request import Request
from village_stats.run.batch import plan_one
from village_stats.run.changes import unchanged

from .conftest import ROOT, with_policy

pytestmark = pytest.mark.notebook

COUNTY = ROOT / "examples" / "demo_county"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "village_stats.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "VILLAGE_STATS_LANG": "en"},
                          timeout=300)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = with_policy(tmp_path_factory.mktemp("data"))
    for v in ("beiwa", "nancha"):
        shutil.copytree(COUNTY / v, root / v)
    out = tmp_path_factory.mktemp("out")
    res = cli("run", "--village", "beiwa", "--period", "2018H1", "--data-dir", str(root), "--output-dir", str(out),
              "--formats", "csv")
    assert res.returncode == 0, res.stderr
    return root, out


def is_unchanged(root, out, *, formats=("csv",), lang="zh", notebook=None) -> bool:
    request = Request.build("period", data_dir=root, lang=lang, village="beiwa", period="2018H1")
    return unchanged(request, output_dir=out, formats=formats, notebook=notebook) is not None


def test_run_changed_only_skips_a_published_report_in_one_line(published):
    root, out = published
    target = (out / "beiwa" / "2018H1").resolve()
    res = cli("run", "--village", "beiwa", "--period", "2018H1", "--data-dir", str(root), "--output-dir", str(out),
              "--formats", "csv", "--changed-only")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("unchanged since the published run in ") and len(res.stdout.splitlines()) == 1
    assert (out / "beiwa" / "2018H1").resolve() == target              # nothing rerun, nothing republished


def test_nothing_changed(published):
    assert is_unchanged(*published)


def test_an_input_changed_byte(published):
    root, out = published
    pop = root / "beiwa" / "2018H1" / "population.csv"
    before = pop.read_bytes()
    pop.write_bytes(before + b"\n")
    try:
        assert not is_unchanged(root, out)
    finally:
        pop.write_bytes(before)
    assert is_unchanged(root, out)


@pytest.mark.parametrize("where", ["beiwa/2018H1/notes.csv", "beiwa/2016H2/population.csv", "policy/extra.csv"])
def test_a_new_file_where_the_report_reads(published, where):
    root, out = published
    new = root / where
    made = not new.parent.exists()
    new.parent.mkdir(parents=True, exist_ok=True)
    new.write_text("x\n", encoding="utf-8")
    try:
        assert not is_unchanged(root, out)
    finally:
        new.unlink()
        if made:
            new.parent.rmdir()
    assert is_unchanged(root, out)


def test_a_later_period_or_another_village_changes_nothing(published):
    root, out = published
    shutil.copytree(root / "beiwa" / "2018H2", root / "beiwa" / "2019H1")
    (root / "nancha" / "2018H1" / "population.csv").write_text("changed\n", encoding="utf-8")
    try:
        assert is_unchanged(root, out)
    finally:
        shutil.rmtree(root / "beiwa" / "2019H1")
        shutil.copy2(COUNTY / "nancha" / "2018H1" / "population.csv", root / "nancha" / "2018H1" / "population.csv")


def test_a_policy_table_it_read_changed(published):
    import json

    root, out = published
    manifest = json.loads((out / "beiwa" / "2018H1" / "manifest.json").read_text(encoding="utf-8"))
    table = root / next(e["path"] for e in manifest["inputs"] if e["path"].startswith("policy/"))
    before = table.read_bytes()
    table.write_bytes(before.replace(b"\n", b"\r\n", 1))
    try:
        assert not is_unchanged(root, out)
    finally:
        table.write_bytes(before)


def test_formats_language_and_notebook_asked(published, tmp_path):
    root, out = published
    assert not is_unchanged(root, out, formats=("csv", "pdf"))        # pdf was never made
    assert not is_unchanged(root, out, lang="en")                      # the English report was never made
    notebook = tmp_path / "period_report.ipynb"
    notebook.write_bytes((ROOT / "notebooks" / "period_report.ipynb").read_bytes() + b"\n")
    assert not is_unchanged(root, out, notebook=notebook)              # same name, other bytes


def test_plan_one_skips_what_is_unchanged_and_plans_what_changed(published):
    root, out = published
    settings = {"data_dir": root, "lang": "zh", "formats": ("csv",), "output_dir": str(out)}
    item = plan_one("beiwa", "2018H1", settings, changed_only=True)
    assert item.status == "skipped"
    assert plan_one("beiwa", "2018H1", settings, changed_only=False) == "2018H1"      # --force
    assert plan_one("nancha", "2018H1", settings, changed_only=True) == "2018H1"      # never published


def test_run_all_changed_only_with_everything_skipped_starts_no_cluster_and_shows_the_bar(published):
    root, out = published
    res = cli("run-all", "--village", "beiwa", "--period", "2018H1", "--data-dir", str(root), "--output-dir",
              str(out), "--formats", "csv", "--changed-only", "--progress")
    assert res.returncode == 0, res.stderr
    assert "run-all 2018H1" in res.stderr and "1/1" in res.stderr     # tqdm's bar, on stderr
    assert "1 villages: 0 ok, 0 bad input, 0 failed, 1 skipped" in res.stdout


def test_a_rerun_that_skips_every_village_keeps_the_site_and_lists_no_skip_as_a_problem(tmp_path):
    """run-all --changed-only of a whole data root with nothing changed leaves the published site as it is
    (it is what building it again would give: the same folders, no report published since); once a report
    is published again, the site is rebuilt, and a skipped village is never listed among the failed."""
    root = with_policy(tmp_path / "data")
    for v in ("beiwa", "nancha"):
        shutil.copytree(COUNTY / v, root / v)
    out = tmp_path / "out"
    args = ("run-all", "--period", "2018H1", "--data-dir", str(root), "--output-dir", str(out), "--formats", "csv",
            "--jobs", "2", "--no-progress")
    assert cli(*args).returncode == 0
    built = os.readlink(out / "site")
    res = cli(*args, "--changed-only")
    assert res.returncode == 0 and "2 skipped" in res.stdout, res.stdout
    assert "unchanged: no village was rerun, the site stands" in res.stdout
    assert os.readlink(out / "site") == built                          # the same site, not rebuilt
    # a report published since (here: beiwa again, forced): the next rerun rebuilds the site
    assert cli("run", "--village", "beiwa", "--period", "2018H1", "--data-dir", str(root), "--output-dir",
               str(out), "--formats", "csv", "--force").returncode == 0
    res = cli(*args, "--changed-only")
    assert res.returncode == 0 and "2 skipped" in res.stdout and "the site stands" not in res.stdout
    assert os.readlink(out / "site") != built
    page = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert "skipped" not in page and "beiwa" in page
    # a folder added to the data root (a village or not): rebuilt too
    built = os.readlink(out / "site")
    (root / "notes").mkdir()
    res = cli(*args, "--changed-only")
    assert res.returncode == 0 and "the site stands" not in res.stdout and os.readlink(out / "site") != built
