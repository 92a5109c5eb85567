"""The project's own contract: one dependency list, generated codebook, CI calls the README's command."""

import re
import tomllib

import yaml

from village_stats.schema import codebook_markdown

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


def test_notebooks_are_committed_clean():
    import json

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in cells if c["cell_type"] == "code"), nb
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), nb
