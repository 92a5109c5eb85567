"""The report as one structured document, built from an executed notebook: what HTML and PDF both lay out.

The notebook's display helpers (:mod:`village_stats.display.views`) publish every block of the report
with the package's own MIME type :data:`BLOCK_MIME` (next to ``text/html`` for JupyterLab and
``text/markdown`` for headings and text). :func:`build_document` collects those blocks in order; it
never re-parses HTML. Markdown cells are read through mistune's AST (headings and paragraphs; code is
never shown). The result is plain JSON data::

    {"schema": "village-stats-document/1", "lang": "zh", "header": "梭罗峪村 · 2017年上半年",
     "meta": {"title": ..., "author": ..., "language": "zh-CN", ...}, "blocks": [...]}

Blocks (``type``):

``title``       ``title``, ``place``, ``facts`` ([label, value] pairs), ``note``, ``warning``
``heading``     ``level`` (1 section, 2 sub-section), ``text``
``paragraph``   ``text`` (``style``: ``summary``, ``note`` or absent)
``keyfigures``  ``items``: ``label``, ``value``, ``note``
``table``       ``caption``, ``columns`` (``name``, ``type`` text/number/hash, ``unit``), ``rows`` (cells as
                text, already formatted), ``total_rows`` (the last n rows are totals), ``group`` (the first
                column groups consecutive rows), ``number`` (caption number, set here)
``figure``      ``caption``, ``alt``, ``width_in``, ``image`` (``mime``, base64 ``data``), ``number``
``alerts``      ``items``: ``level`` (serious/attention/note), ``label`` (严重 …), ``text``

Tables and figures with a caption are numbered here in document order (表 1 …, 图 1 …), so the HTML
and the PDF (whose template counts the same figures) agree.
"""

from __future__ import annotations

import base64
import json
from typing import Any

#: MIME type of a report block in a notebook output.
BLOCK_MIME = "application/vnd.village-stats.block+json"
#: Schema id of the document.
SCHEMA = "village-stats-document/1"
BLOCK_TYPES = ("title", "heading", "paragraph", "keyfigures", "table", "figure", "alerts")
#: Alert levels, most serious first: id → (中文, English).
ALERT_LEVELS: dict[str, tuple[str, str]] = {"serious": ("严重", "Serious"), "attention": ("注意", "Attention"),
                                            "note": ("提示", "Note")}


def markdown_blocks(source: str) -> list[dict]:
    """Headings and paragraphs of a markdown text, through mistune's AST (code blocks are dropped).

    >>> markdown_blocks("# 标题\\n\\nSome *text* here.\\n\\n```\\ncode\\n```")
    [{'type': 'heading', 'level': 1, 'text': '标题'}, {'type': 'paragraph', 'text': 'Some text here.'}]
    """
    import mistune

    def flat(node) -> str:
        if "children" in node:
            return "".join(flat(c) for c in node["children"])
        if node.get("type") in ("softbreak", "linebreak"):
            return " "
        return node.get("raw", "")

    out: list[dict] = []
    for node in mistune.create_markdown(renderer=None)(source):
        kind = node.get("type")
        if kind == "heading":
            out.append({"type": "heading", "level": min(int(node["attrs"]["level"]), 3), "text": flat(node)})
        elif kind == "paragraph":
            out.append({"type": "paragraph", "text": flat(node)})
        elif kind == "list":
            for item in node.get("children", []):
                out.append({"type": "paragraph", "text": "• " + flat(item).strip()})
    return out


def output_blocks(output: dict) -> list[dict]:
    """The blocks of one cell output: its :data:`BLOCK_MIME` block (with the image of a figure), else a
    bare PNG as an uncaptioned figure, else ``text/markdown``; other outputs (streams, plain HTML) give none."""
    data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
    if BLOCK_MIME in data:
        block = json.loads(json.dumps(data[BLOCK_MIME]))  # a plain copy (NotebookNode → dict)
        if block.get("type") == "figure" and "image" not in block and "image/png" in data:
            block["image"] = {"mime": "image/png", "data": _b64(data["image/png"])}
        return [block]
    if "image/png" in data:
        return [{"type": "figure", "caption": "", "alt": "", "width_in": 7.0,
                 "image": {"mime": "image/png", "data": _b64(data["image/png"])}}]
    if "text/markdown" in data:
        return markdown_blocks(_text(data["text/markdown"]))
    return []


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _b64(value) -> str:
    return "".join(_text(value).split())


#: Tags of cells that stay in the executed notebook but not in the HTML/PDF.
HIDE_TAG = "report-hide"
#: papermill's banner cells around a failed cell.
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


def report_cells(nb):
    """A copy of the executed notebook for export: hidden and papermill error cells removed, stable ids."""
    import copy

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells
                if HIDE_TAG not in c.get("metadata", {}).get("tags", [])
                and PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    for i, cell in enumerate(nb.cells):  # stable ids: the outputs must not change between runs
        cell["id"] = f"cell-{i:02d}"
    return nb


def notebook_blocks(notebook) -> list[dict]:
    """Every block of the notebook's report cells, in order (hidden cells left out)."""
    blocks: list[dict] = []
    for cell in report_cells(notebook).cells:
        if cell.cell_type == "markdown":
            blocks.extend(markdown_blocks(_text(cell.source)))
        elif cell.cell_type == "code":
            for out in cell.get("outputs", []):
                blocks.extend(output_blocks(out))
    return blocks


def number_captions(blocks: list[dict]) -> list[dict]:
    """Number captioned tables and figures in order, each kind on its own (表 1, 表 2 …; 图 1 …)."""
    counters = {"table": 0, "figure": 0}
    for b in blocks:
        if b.get("type") in counters and b.get("caption"):
            counters[b["type"]] += 1
            b["number"] = counters[b["type"]]
    return blocks


def build_document(notebook, *, lang: str, header: str, meta: dict | None = None) -> dict[str, Any]:
    """The document of an executed report notebook.

    Parameters
    ----------
    notebook : NotebookNode or dict
        The executed notebook.
    lang : str
        ``zh`` or ``en``.
    header : str
        Running header, e.g. ``梭罗峪村 · 2017年上半年``.
    meta : dict, optional
        Facts for the document metadata (``author`` = the supporting unit, ``village_id``, ``period``).
        ``title`` defaults to the title block's title.
    """
    blocks = number_captions(notebook_blocks(notebook))
    meta = dict(meta or {})
    title = next((b["title"] for b in blocks if b.get("type") == "title"), header)
    meta.setdefault("title", title)
    meta.setdefault("author", "")
    meta["language"] = "zh-CN" if lang == "zh" else "en"
    return {"schema": SCHEMA, "lang": lang, "header": header, "meta": meta, "blocks": blocks}


def from_report(report) -> dict[str, Any]:
    """The document of an :class:`~village_stats.export.ExecutedReport` (cached on it)."""
    doc = getattr(report, "_document", None)
    if doc is None:
        doc = build_document(report.notebook, lang=report.lang, header=report.title, meta=report.meta)
        try:
            report._document = doc
        except AttributeError:
            pass
    return doc


def caption_label(block: dict, lang: str) -> str:
    """``表 1`` / ``Table 1``, ``图 2`` / ``Figure 2`` (empty for an unnumbered block).

    >>> caption_label({"type": "table", "number": 1}, "zh"), caption_label({"type": "figure", "number": 2}, "en")
    ('表 1', 'Figure 2')
    """
    if "number" not in block:
        return ""
    word = {"table": ("表", "Table"), "figure": ("图", "Figure")}[block["type"]][0 if lang == "zh" else 1]
    return f"{word} {block['number']}"


def image_bytes(block: dict) -> bytes:
    """The decoded image of a figure block."""
    return base64.b64decode(block["image"]["data"])
