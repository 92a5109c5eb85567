"""Wording lives in one place: the labels (village_stats.labels), not in the modules that lay out or print
text: the document model, the exports, the display helpers, the command line, and the data types' labels
(periods, units, vocabularies, villages, indicator sheets, data errors)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "village_stats"


def _modules(folder: str) -> list[str]:
    """The Python modules of a folder of the package, or, for a folder of templates, every file in it."""
    pattern = "*" if folder.endswith("templates") else "*.py"
    return sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / folder).glob(pattern) if p.is_file())


#: Modules that lay out or print user-facing text: they take every word from the labels, so they hold no
#: Chinese string outside docstrings (and, like every module, no language branch).
LAYOUT_MODULES = ["document.py", "display/views.py", "display/summary.py", "display/plotting.py",
                  "display/change.py", "display/county.py", "display/monitoring.py", "display/tables.py",
                  "panel/trend.py", "indicators/sheet.py", "load.py", "periods.py", "units.py", "errors.py",
                  "run/stages.py", *_modules("export"), *_modules("cli"), *_modules("site")]
#: Modules that choose wording by language but whose Chinese strings are data, not wording: they are held to
#: the branch check only (a vocabulary term or a village's name is chosen with labels.pick).
CHINESE_DATA_MODULES = {
    "schema.py": "the data contract: Chinese table and column headers, vocabulary terms and their accepted "
                 "spellings, and the kinds' Chinese expectations quoted by data errors and the codebook",
    "parse.py": "accepted spellings of input values (是/否, 有/无, √/×, the 万 and 元 suffixes, the Chinese "
                "comma and list separators)",
}
#: Chinese strings of a layout module that are not report wording, each with the reason.
ALLOWED_CHINESE = {
    # the output codebook (docs/indicators.md, developer documentation): its 中文 column and the section
    # names of docs/policy.md it points to
    ("indicators/sheet.py", "| indicator | unit | 中文 | English | definition | over villages | method |"),
    ("indicators/sheet.py", "policy.md: Monitoring and 风险消除"),
    ("indicators/sheet.py", "policy.md: Monitoring and 风险消除 (exit evaluation)"),
}
#: The one module that may choose by language: the catalogue of wording.
CATALOGUE = "labels.py"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: A language branch: ``lang == "zh"``, ``request.lang != 'en'``, ``"zh" == lang``, ``if zh`` / ``if not zh``.
BRANCH = re.compile(r"""\blang\s*[!=]=\s*["'](zh|en)["']|["'](zh|en)["']\s*[!=]=\s*[\w.]*lang\b|\bif\s+(not\s+)?zh\b""")


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def _branches(path: Path) -> list[tuple[int, str]]:
    return [(i, line.strip()) for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if BRANCH.search(line)]


def test_no_module_but_the_labels_chooses_wording_by_language():
    """No ``lang == "zh"`` branch anywhere in the package outside the catalogue: wording is a labels lookup
    (``t``, ``pick``, ``unit_name``, ``column``), and the file names' language rule reads labels.DEFAULT_LANG."""
    found = [f"{path.relative_to(PACKAGE)}:{i}: {line}" for path in sorted(PACKAGE.rglob("*.py"))
             if path.relative_to(PACKAGE).as_posix() != CATALOGUE for i, line in _branches(path)]
    assert not found, "\n".join(found)


def test_layout_modules_take_their_words_from_the_labels():
    found = []
    for name in LAYOUT_MODULES:
        path = PACKAGE / name
        found += [f"{name}:{i}: {line}" for i, line in _branches(path)]
        found += [f"{name}:{line}: {text!r}" for line, text in _code_strings(path)
                  if CJK.search(text) and (name, text) not in ALLOWED_CHINESE]
    for template in ("templates/report.html.j2", "templates/report.typ", *_modules("site/templates")):
        text = (PACKAGE / template).read_text(encoding="utf-8")
        found += [f"{template}: {c}" for c in sorted(set(CJK.findall(text)))]
    assert not found, "\n".join(found)


def test_the_lists_name_modules_that_exist():
    """A renamed module would silently leave the check; an allowance no longer needed must go."""
    assert all((PACKAGE / name).is_file() for name in [*LAYOUT_MODULES, *CHINESE_DATA_MODULES])
    assert not set(LAYOUT_MODULES) & set(CHINESE_DATA_MODULES)
    stale = [(name, text) for name, text in ALLOWED_CHINESE if text not in {v for _, v in _code_strings(PACKAGE / name)}]
    assert stale == []


def test_the_branch_pattern_finds_branches():
    planted = ['label = "label_zh" if lang == "zh" else "label_en"', "if request.lang != 'en':",
               'sep = "、" if "zh" == lang else ", "', "if zh:", "return a if not zh else b"]
    assert all(BRANCH.search(line) for line in planted)
    assert not BRANCH.search('return pick((self.name_zh, self.name_en), lang)')


def test_unit_names_are_one_table():
    """The catalogue's units take their names from :data:`village_stats.labels.UNIT_NAMES`: one table."""
    import dataclasses

    from village_stats.labels import UNIT_NAMES, unit_name, unit_text
    from village_stats.units import UNITS

    assert all(UNITS[u].zh == UNIT_NAMES[u][0] and UNITS[u].en == UNIT_NAMES[u][1] for u in UNITS)
    assert not {"zh", "en", "en_one"} & {f.name for f in dataclasses.fields(UNITS["households"])}
    assert unit_name("households", "en", count=1) == "household" and unit_name("households", "en") == "households"
    assert unit_text("立方米", "en") == "m³" and unit_text("次", "en") == "times"  # a measure word of the data
