"""The project's own contract: one dependency list, generated codebook, CI calls the README's command."""

import os
import re
import shutil
import subprocess
import tomllib

import pytest
import yaml

from village_stats.codebook import codebook_markdown
from village_stats.indicators import CATALOGUE, catalogue_markdown

from .conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip = [d for d in deps if isinstance(d, dict)][0]["pip"]
    # conda supplies only Python (at the version pyproject requires) and pip
    assert {_name(d) for d in conda} == {"python", "pip"}
    py = [d for d in conda if d.startswith("python")][0]
    minimum = project["requires-python"].removeprefix(">=")
    assert py.split("=")[-1] >= minimum
    # pip installs this project, with extras that pyproject defines, and nothing on the side
    assert len(pip) == 1 and pip[0].startswith("-e ")
    extras = re.search(r"\[(.*)\]", pip[0]).group(1).split(",")
    assert set(extras) <= set(project["optional-dependencies"])


def test_codebook_in_data_readme_is_generated_from_schema():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- codebook:start -->\n", 1)[1].split("<!-- codebook:end -->", 1)[0]
    assert block.strip() == codebook_markdown().strip(), "run `make codebook` and paste it into data/README.md"


def test_ci_calls_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in ci
    assert "make test" in readme and "make report" in readme
    assert readme.index("make report") < 1500  # the two commands open the README


def _tracked_notebooks():
    """The notebooks git tracks (a scratch Untitled.ipynb of an analyst is not the project's)."""
    import subprocess

    out = subprocess.run(["git", "ls-files", "notebooks/*.ipynb"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        return sorted((ROOT / "notebooks").glob("*.ipynb"))
    return [ROOT / line for line in out.stdout.splitlines()]


def test_notebooks_are_committed_clean():
    import json

    for nb in _tracked_notebooks():
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in cells if c["cell_type"] == "code"), nb
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), nb


def test_output_codebook_in_docs_is_generated_from_the_catalogue():
    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    block = text.split("<!-- codebook:start -->\n", 1)[1].split("<!-- codebook:end -->", 1)[0]
    assert block.strip() == catalogue_markdown().strip(), "run `make codebook` (writes docs/indicators.md)"


def test_every_indicator_has_a_definition():
    assert [i.id for i in CATALOGUE.values() if not i.description.strip()] == []


def test_lab_saves_template_notebooks_without_outputs():
    """The pre-save hook `make lab` loads strips outputs from notebooks/ and leaves other notebooks alone."""
    import runpy

    class Config:
        class FileContentsManager:
            pre_save_hook = None

    config = Config()
    runpy.run_path(str(ROOT / "etc" / "jupyter_server_config.py"), init_globals={"get_config": lambda: config})
    hook = config.FileContentsManager.pre_save_hook

    def model():
        return {"type": "notebook", "content": {"cells": [
            {"cell_type": "code", "execution_count": 3, "outputs": [{"output_type": "stream", "text": "x"}],
             "metadata": {"execution": {"t": 1}}}]}}

    template, scratch = model(), model()
    hook(template, "notebooks/period_report.ipynb", None)
    hook(scratch, "output/mine.ipynb", None)
    assert template["content"]["cells"][0]["outputs"] == [] and template["content"]["cells"][0]["execution_count"] is None
    assert scratch["content"]["cells"][0]["outputs"] != []


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    """constraints.txt as name → version; every line is ``name==version`` (or a comment)."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9A-Za-z.+!-]+)", line)
        assert m, f"constraints.txt: {line!r} is not pinned with =="
        pins[_normalized(m[1])] = m[2]
    return pins


def test_every_dependency_is_pinned_in_the_constraints_within_pyproject_ranges():
    """The lock (make lock) pins every dependency of pyproject and its extras, at a version the range allows."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    pins = _pins()
    assert [str(r) for r in wanted if _normalized(r.name) not in pins] == []
    assert [f"{r} but =={pins[_normalized(r.name)]}" for r in wanted
            if not r.specifier.contains(pins[_normalized(r.name)], prereleases=True)] == []
    assert "pip" in pins  # make install brings pip to the tested version too


def test_make_install_uses_the_constraints():
    """make install (and so CI, through make test) installs the locked versions, and again when they change."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert stamp and "$(LOCK)" in stamp[1].split() and re.search(r"^LOCK\s*:=\s*constraints\.txt$", makefile, re.M)
    assert "pip install --quiet -c $(LOCK) -e '.[test,bench]'" in stamp[2]
    assert re.search(r"^lock:.*## ", makefile, re.M), "make lock, listed by make help"
    assert re.search(r"^test: lint\b", makefile, re.M) and re.search(r"^lint: \$\(STAMP\)", makefile, re.M)


def test_make_clean_removes_only_what_the_project_made(tmp_path):
    """Whatever $VILLAGE_STATS_CACHE or $XDG_CACHE_HOME name is left alone; output/ is emptied but for .gitkeep."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    work = tmp_path / "repo"
    (work / "output" / "suoluoyu" / "2017H1").mkdir(parents=True)
    (work / "output" / ".gitkeep").write_text("")
    (work / ".pytest_cache").mkdir()
    (work / "data").mkdir()
    (work / "data" / "keep.csv").write_text("x")
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    precious = tmp_path / "precious"
    (precious / "village_stats").mkdir(parents=True)
    env = {**os.environ, "VILLAGE_STATS_CACHE": str(precious), "XDG_CACHE_HOME": str(precious),
           "HOME": str(precious)}
    subprocess.run(["make", "--no-print-directory", "clean"], cwd=work, env=env, check=True, capture_output=True)
    assert sorted(p.name for p in (work / "output").iterdir()) == [".gitkeep"]
    assert not (work / ".pytest_cache").exists() and (work / "data" / "keep.csv").is_file()
    assert (precious / "village_stats").is_dir()
