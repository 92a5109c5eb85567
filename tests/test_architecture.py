"""The shape of the package: one-way layers, no process-wide tricks, a repository that stands alone,
and one computation of the indicator sheet per run."""

from __future__ import annotations

import ast
import re
import subprocess

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "village_stats"

#: Each module's layer (README, "How the code is laid out"): a module imports only from layers ≤ its own.
LAYERS = {
    "errors": 1, "config": 1, "periods": 1, "labels": 1, "units": 1, "schema": 2, "idnumbers": 2,
    "load": 3, "manifest": 3, "policy": 3,
    "measures": 4, "synthetic": 4,
    "indicators": 5, "alerts": 5, "panel": 5,
    "display": 6, "document": 6,
    "export": 7, "run": 7, "workbook": 7, "outputs": 7,
    "cli": 8,
}


def _layer(module: str) -> int:
    top = module.split(".")[0]
    if top not in LAYERS:
        raise AssertionError(f"village_stats.{module} has no layer in LAYERS (and in the README's table)")
    return LAYERS[top]


def _package_imports(path):
    """(imported village_stats module, line) for every import in a package file, relative ones resolved."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = parts[:-1]  # the package a module's relative imports start from (an __init__'s own package)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)]
            if node.module:
                yield ".".join(base + node.module.split(".")), node.lineno
            else:
                for alias in node.names:
                    yield ".".join(base + [alias.name]), node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("village_stats."):
            yield node.module.removeprefix("village_stats."), node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("village_stats."):
                    yield alias.name.removeprefix("village_stats."), node.lineno


def test_imports_go_one_way():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        if own == "__init__":
            continue  # the package's public names
        for target, line in _package_imports(path):
            if not target or target.split(".")[0] == own.split(".")[0]:
                continue
            if _layer(target) > _layer(own):
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert upward == []


def test_no_process_wide_tricks():
    pattern = re.compile(r"os\._exit|gc\.disable\(|gc\.freeze\(|setLevel\(logging\.(ERROR|CRITICAL)")
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in PACKAGE.rglob("*.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []


def test_the_repository_stands_alone():
    """No path outside the repository in code, tests, docs or data (a user's clone has nothing beside it)."""
    out = subprocess.run(["git", "grep", "-n", "-I", "-E", r"\.\./shared|shared[/](seed|reference)", "--",
                          "village_stats", "tests", "docs", "data", "README.md", "notebooks", "scripts"],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode == 128:
        pytest.skip("not a git checkout")
    hits = [line for line in out.stdout.splitlines() if not line.startswith("tests/test_architecture.py")]
    assert hits == []


@pytest.mark.notebook
def test_the_sheet_is_computed_once_per_run(tmp_path, monkeypatch):
    """The run's parent process never computes the sheet: indicators.csv is the sheet the notebook recorded."""
    import nbformat

    from village_stats import indicators
    from village_stats.display.views import recorded_sheet
    from village_stats.export.csv import csv_text
    from village_stats.run import run_report

    def refuse(*args, **kwargs):
        raise AssertionError("the parent process computed the indicator sheet")

    monkeypatch.setattr(indicators, "indicator_sheet", refuse)
    result = run_report("suoluoyu", "2017H1", data_dir=ROOT / "data", output_dir=tmp_path, formats=("ipynb", "csv"))
    nb = nbformat.read(result.files["ipynb"], as_version=4)
    assert result.files["csv"].read_text(encoding="utf-8") == csv_text(recorded_sheet(nb), bom=True)
    assert "poverty_incidence,0.478048780488" in result.files["csv"].read_text(encoding="utf-8")


def test_no_wording_key_is_defined_twice():
    """labels.TEXT is filled from several dicts (report, monitoring, county): a key given twice would
    silently reword another section."""
    tree = ast.parse((PACKAGE / "labels.py").read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    twice = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    if key.value in seen:
                        twice.append(f"{key.value!r} (lines {seen[key.value]} and {key.lineno})")
                    seen.setdefault(key.value, key.lineno)
    assert twice == []
