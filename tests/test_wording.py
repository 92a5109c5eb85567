"""Wording lives in one place: the labels (village_stats.labels), not in the document model, the exports and the
report's display helpers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "village_stats"
#: Modules that lay out report text: they take every word from the labels.
LAYOUT_MODULES = ["document.py", "display/views.py", "display/summary.py", "display/plotting.py",
                  *sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "export").glob("*.py"))]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
BRANCH = re.compile(r"""\blang\s*[!=]=\s*["'](zh|en)["']""")


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_layout_modules_take_their_words_from_the_labels():
    found = []
    for name in LAYOUT_MODULES:
        path = PACKAGE / name
        found += [f"{name}:{i}: {line.strip()}" for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                  if BRANCH.search(line)]
        found += [f"{name}:{line}: {text!r}" for line, text in _code_strings(path) if CJK.search(text)]
    for template in ("report.html.j2", "report.typ"):
        text = (PACKAGE / "templates" / template).read_text(encoding="utf-8")
        found += [f"templates/{template}: {c}" for c in sorted(set(CJK.findall(text)))]
    assert not found, "\n".join(found)


def test_unit_names_are_one_table():
    """The catalogue's units take their names from :data:`village_stats.labels.UNIT_NAMES`: one table."""
    import dataclasses

    from village_stats.labels import UNIT_NAMES, unit_name, unit_text
    from village_stats.units import UNITS

    assert all(UNITS[u].zh == UNIT_NAMES[u][0] and UNITS[u].en == UNIT_NAMES[u][1] for u in UNITS)
    assert not {"zh", "en", "en_one"} & {f.name for f in dataclasses.fields(UNITS["households"])}
    assert unit_name("households", "en", count=1) == "household" and unit_name("households", "en") == "households"
    assert unit_text("立方米", "en") == "m³" and unit_text("次", "en") == "times"  # a measure word of the data
