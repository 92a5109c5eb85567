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
    "errors": 1, "config": 1, "periods": 1, "labels": 1, "labels_site": 1, "labels_cli": 1, "atomic": 1, "cells": 1, "units": 1, "threads": 1,
    "schema": 2,
    "codebook": 2, "idnumbers": 2, "labels_safety": 1, "places": 2, "personal": 2,
    "readers": 3, "parse": 3, "policy": 3, "load": 3, "request": 3, "manifest": 3,
    "measures": 4, "synthetic": 4, "checks": 4,
    "indicators": 5, "evaluate": 5, "alerts": 5, "panel": 5,
    "display": 6, "document": 6,
    "export": 7, "run": 7, "workbook": 7, "outputs": 7, "site": 7,
    "cli": 8,
}


#: Import circles tolerated for now, each as the set of modules of its strongly connected component.
#: An entry that no longer matches a circle fails the test: delete it when the circle is gone.
ALLOWED_CIRCLES: set[frozenset[str]] = set()


def _layer(module: str) -> int:
    top = module.removeprefix("village_stats").lstrip(".").split(".")[0]
    if top not in LAYERS:
        raise AssertionError(f"{module} has no layer in LAYERS (and in the README's table)")
    return LAYERS[top]


def _module_name(path, package=None) -> str:
    """``village_stats.export.csv`` for export/csv.py; a package's ``__init__.py`` is the package itself."""
    parts = ("village_stats",) + path.relative_to(package or PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_imports(path, modules, package=None):
    """(imported village_stats module, line) for every import statement of a package file: at module level
    or inside a function, absolute or relative; ``from . import x`` is the submodule ``x`` when there is one.

    Imports by name at run time (``importlib.import_module``, the export registry) are not statements and
    are not seen.
    """
    own = _module_name(path, package)
    home = own if path.name == "__init__.py" else own.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = home.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module != "village_stats" and not module.startswith("village_stats."):
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                yield (sub if sub in modules else module), node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "village_stats" or alias.name.startswith("village_stats."):
                    yield alias.name, node.lineno


def _module_paths(package=None) -> dict:
    """module name → its file, for every module of the package."""
    return {_module_name(p, package): p for p in sorted((package or PACKAGE).rglob("*.py"))}


def import_graph(package=None) -> dict[str, dict[str, int]]:
    """module → {imported module: line of the first import of it} over every module of the package."""
    paths = _module_paths(package)
    graph: dict[str, dict[str, int]] = {}
    for name, path in paths.items():
        edges = graph.setdefault(name, {})
        for target, line in _package_imports(path, paths, package):
            if target not in paths:
                raise AssertionError(f"{path}:{line} imports {target}, which does not exist")
            if target != name or path.name != "__init__.py":  # a package naming itself in `from . import x`
                edges.setdefault(target, line)
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The import circles: strongly connected components of more than one module (or a module importing
    itself), each as a sorted list of modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, targets = work[-1]
            for w in targets:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1 or v in graph[v]:
                        found.append(sorted(component))
    return found


def describe_circle(graph: dict[str, dict[str, int]], component: list[str]) -> str:
    """One cycle through a component, with the line of each import: ``a:12 → b:3 → a``."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:  # breadth first: the shortest way back to start
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                steps = paths[v] + [start]
                return " → ".join(f"{a}:{graph[a][b]}" for a, b in zip(steps, steps[1:])) + f" → {start}"
            if w in members and w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


def test_no_import_circles():
    """Every import statement counts (those inside functions too): the package's import graph has no circle
    beyond the ones :data:`ALLOWED_CIRCLES` lists."""
    graph = import_graph()
    found = circles(graph)
    unexpected = [describe_circle(graph, c) for c in found if frozenset(c) not in ALLOWED_CIRCLES]
    assert unexpected == [], "import circles:\n" + "\n".join(unexpected)
    stale = [sorted(a) for a in ALLOWED_CIRCLES if list(sorted(a)) not in found]
    assert stale == [], "these circles are gone: delete their entries from ALLOWED_CIRCLES"


def test_the_circle_finder_finds_circles():
    """The finder itself, on a small graph: a two-module circle through a function-level import, a
    three-module circle, a self-import, and a chain that is not a circle."""
    graph = {"a": {"b": 1}, "b": {"a": 9}, "c": {"d": 1}, "d": {"e": 2}, "e": {"c": 3}, "f": {"f": 4},
             "g": {"a": 1, "h": 2}, "h": {}}
    assert circles(graph) == [["a", "b"], ["c", "d", "e"], ["f"]]
    assert describe_circle(graph, ["a", "b"]) == "a:1 → b:9 → a"
    assert describe_circle(graph, ["c", "d", "e"]) == "c:1 → d:2 → e:3 → c"


def test_the_graph_sees_every_kind_of_import(tmp_path):
    """Imports inside functions, relative and absolute, ``from . import x`` of a submodule, and
    ``from . import name`` of a package's own name."""
    root = tmp_path / "village_stats"
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .a import f\n",
        "a.py": "def f():\n    from . import b\n    return b\n",
        "b.py": "import os\nfrom village_stats.sub import leaf\n",
        "sub/__init__.py": "X = 1\n",
        "sub/leaf.py": "from . import X\n\n\ndef g():\n    import village_stats.a\n",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    graph = import_graph(root)
    assert graph == {"village_stats": {"village_stats.a": 1}, "village_stats.a": {"village_stats.b": 2},
                     "village_stats.b": {"village_stats.sub.leaf": 2}, "village_stats.sub": {},
                     "village_stats.sub.leaf": {"village_stats.sub": 1, "village_stats.a": 5}}
    assert circles(graph) == [["village_stats.a", "village_stats.b", "village_stats.sub.leaf"]]


def test_imports_go_one_way():
    graph, paths = import_graph(), _module_paths()
    upward = []
    for own, targets in sorted(graph.items()):
        if own == "village_stats":
            continue  # the package's public names
        for target, line in targets.items():
            if target == "village_stats" or target.split(".")[1] == own.split(".")[1]:
                continue
            if _layer(target) > _layer(own):
                upward.append(f"{paths[own].relative_to(ROOT)}:{line} imports {target}")
    assert upward == []


#: "No module over about 600 lines without a reason stated in its docstring" (issue 17): the limit, with a
#: little room; a longer module says why in its docstring, in these words.
SIZE_LIMIT = 620
REASON = re.compile(r"long \(over 600 lines\) because")


def test_no_module_over_about_600_lines():
    over = []
    for p in sorted(PACKAGE.rglob("*.py")):
        text = p.read_text(encoding="utf-8")
        if len(text.splitlines()) > SIZE_LIMIT and not REASON.search(ast.get_docstring(ast.parse(text)) or ""):
            over.append(f"{p.relative_to(ROOT)}: {len(text.splitlines())} lines, no reason in its docstring")
    assert over == []


#: Where a trick is the point, and how many lines of it (none: the kernel's parent watchdog ends its process
#: with a signal; a forked kernel ends as the interpreter ends, by SystemExit).
TRICKS_ALLOWED: dict[str, int] = {}


def test_no_process_wide_tricks():
    pattern = re.compile(r"os\._exit|gc\.disable\(|gc\.freeze\(|setLevel\(logging\.(ERROR|CRITICAL)")
    hits = {}
    for p in PACKAGE.rglob("*.py"):
        lines = [i for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
        if len(lines) > TRICKS_ALLOWED.get(p.relative_to(ROOT).as_posix(), 0):
            hits[p.relative_to(ROOT).as_posix()] = lines
    assert hits == {}


def test_the_repository_stands_alone():
    """No path outside the repository in code, tests, docs or data (a user's clone has nothing beside it)."""
    out = subprocess.run(["git", "grep", "-n", "-I", "-E", r"\.\./shared|shared[/](seed|reference)", "--",
                          "village_stats", "tests", "docs", "data", "README.md", "notebooks", "scripts"],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode == 128:
        pytest.skip("not a git checkout")
    hits = [line for line in out.stdout.splitlines() if not line.startswith("tests/test_architecture.py")]
    assert hits == []


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
