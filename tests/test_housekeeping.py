"""Small promises of issue 17's housekeeping: docstrings that name real parameters, the poverty line by its
name outside formulas, the package's few public names, errors narrowed to the ones meant."""

from __future__ import annotations

import ast
import re

import pytest

import village_stats

from .conftest import ROOT

MEASURES = ROOT / "village_stats" / "measures"


def _docstrings(path):
    """(where, docstring, parameter names or None) of a module, its functions and classes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    yield f"{path.name}", ast.get_docstring(tree) or "", None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
            names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
            yield f"{path.name}:{node.name}", ast.get_docstring(node) or "", names
        elif isinstance(node, ast.ClassDef):
            yield f"{path.name}:{node.name}", ast.get_docstring(node) or "", None


def _documented_parameters(doc: str) -> list[str]:
    """The names a numpydoc ``Parameters`` section lists (``a, b : float`` gives both)."""
    m = re.search(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, re.M | re.S)
    if not m:
        return []
    names = []
    for line in m[1].splitlines():
        if line and not line[0].isspace():
            names += [n.strip().lstrip("*") for n in line.split(":")[0].split(",")]
    return names


def _outside_formulas(doc: str) -> str:
    """The docstring without its ``.. math::`` blocks (the directive's indented lines) and :math:`...` roles."""
    kept, block = [], None
    for line in doc.splitlines():
        indent = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or indent > block):
            continue
        block = None
        if line.lstrip().startswith(".. math::"):
            block = indent
            continue
        kept.append(line)
    return re.sub(r":math:`[^`]*`", "", "\n".join(kept))


def test_measure_docstrings_document_the_real_parameters():
    wrong = []
    for path in sorted(MEASURES.glob("*.py")):
        for where, doc, names in _docstrings(path):
            if names is not None:
                wrong += [f"{where}: {n}" for n in _documented_parameters(doc) if n not in names]
    assert wrong == [], "\n".join(wrong)


def test_measure_docstrings_name_the_poverty_line_outside_formulas():
    """``z`` is the poverty line's symbol inside formulas only; prose and parameters say ``poverty_line_yuan``."""
    hits = [where for path in sorted(MEASURES.glob("*.py")) for where, doc, _ in _docstrings(path)
            if re.search(r"\bz\b", _outside_formulas(doc))]
    assert hits == [], "\n".join(hits)


def test_the_checks_above_can_fail():
    doc = "Poor when y < z.\n\n.. math:: y < z\n\nParameters\n----------\nz : float\n    The line.\n"
    assert re.search(r"\bz\b", _outside_formulas(doc)) and _documented_parameters(doc) == ["z"]
    assert not re.search(r"\bz\b", _outside_formulas(".. math:: y < z\n    + z\n\nthe :math:`z` line"))


def test_the_package_exports_only_names_with_callers():
    """``from village_stats import ...`` offers what the README, the notebooks and the tests use."""
    assert sorted(village_stats.__all__) == ["DataError", "Request", "Results", "Source", "evaluate",
                                             "indicator_sheet", "load_period"]
    assert isinstance(village_stats.__version__, str)


def test_a_pdf_export_error_is_one_report_error_and_a_bug_stays_a_bug(monkeypatch, tmp_path):
    """Typst's own error (a RuntimeError) becomes a one-line ReportError; anything else is not disguised."""
    import typst

    from village_stats.errors import ReportError
    from village_stats.export import ExecutedReport, pdf

    monkeypatch.setattr(pdf, "from_report", lambda report: {"blocks": []})

    def typst_fails(document):
        raise typst.TypstError("expected expression\nat line 3")

    monkeypatch.setattr(pdf, "render_pdf", typst_fails)
    report = ExecutedReport(notebook=None, lang="zh", title="t")
    with pytest.raises(ReportError, match="PDF export failed: TypstError: expected expression at line 3"):
        pdf.write(report, tmp_path / "report.pdf")

    def bug(document):
        raise KeyError("blocks")

    monkeypatch.setattr(pdf, "render_pdf", bug)
    with pytest.raises(KeyError):
        pdf.write(report, tmp_path / "report.pdf")
    assert list(tmp_path.iterdir()) == []
