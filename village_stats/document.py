"""The report as one structured document, built from an executed notebook: what HTML and PDF both lay out.

The notebook's display helpers (:mod:`village_stats.display.views`) publish every block of the report
with the package's own MIME type :data:`BLOCK_MIME` (next to ``text/html`` for JupyterLab and
``text/markdown`` for headings and text). :func:`build_document` collects those blocks in order; it
never re-parses HTML. Markdown cells are read through mistune's AST (headings and paragraphs; code is
never shown). The result is plain JSON data::

    {"schema": "village-stats-document/2", "lang": "zh", "header": "梭罗峪村 · 2017年上半年",
     "meta": {"title": ..., "author": ..., "language": "zh-CN", ...}, "blocks": [...]}

Blocks (``type``):

``title``       ``title``, ``place``, ``facts`` ([label, value] pairs), ``note``, ``warning``
``heading``     ``level`` (1 section, 2 sub-section), ``text``
``paragraph``   ``text`` (``style``: ``summary``, ``note`` or absent)
``keyfigures``  ``items``: ``label``, ``value``, ``note``
``table``       a typed table (below)
``figure``      ``caption``, ``alt``, ``width_in``, ``image`` (``mime``, base64 ``data``), ``number``
``alerts``      ``items``: ``level`` (serious/attention/note), ``label`` (严重 …), ``text``

A ``table`` block carries values, not text, so every output formats them its own way (HTML and PDF
through :func:`cell_text`, the workbook with number formats)::

    {"type": "table", "caption": "种植结构调整：计划与完成", "sheet": "crops",
     "columns": [{"name": "作物类别", "type": "text"},
                 {"name": "计划新增（亩）", "type": "number", "unit": "mu"},
                 {"name": "完成率", "type": "number", "unit": "ratio"}],
     "rows": [["杂粮", 120.0, null], ["合计", 390.0, null]], "total_rows": 1, "group": false, "number": 4}

``columns``     ``name``: the header, in the report language. ``type``: ``number``, ``text``, ``hash`` (a
                SHA-256; the PDF prints 12 characters) or ``date`` (``YYYY-MM-DD``). A number column has
                ``unit`` (a unit id: one unit for the whole column, named in the header, so its cells
                show the bare number) or ``units`` (one unit id per row, for a column that mixes units,
                such as an indicator table's values: each cell shows its unit). ``signed``: positive
                numbers get a ``+``. ``nowrap``: the cells are never broken over lines (the layout keeps them whole; the
                text is unchanged). ``only``: ``report`` or ``workbook`` for a column that one of them
                leaves out (a project's id and note are in the workbook only). ``unknown``: what the
                report prints for an unknown value (default a dash; 未知 for a project's investment).
                ``prefix``: one text per row printed before a known number (a threshold's comparison
                ``< `` in ``< 2.0%``, a flow's direction ``−`` in ``−6 户``); the workbook puts it in the
                cell's number format, so the cell stays a number. ``join``: the column is printed inside
                the previous printed column's cell, its text in place of ``{}`` (`` / {}`` makes
                ``3 / 30``, `` – {}`` an interval ``3.5% – 25.6%``); its header is not printed, an
                unknown cell adds nothing, and the workbook keeps it as a column of its own. ``brief``: one
                text per row that the PDF prints instead of the cell (a policy note's 未核实 mark with its
                table and row, :func:`brief_view`); HTML and the workbook print the full text.
``rows``        raw values: numbers as numbers, text as text, ``null`` for unknown. A text cell in a number
                column says why there is no number (登记册未列全部农户，不可比).
``total_rows``  the last n rows are totals (set apart in print and in the workbook)
``totals_only`` ``report`` when the totals are printed only (the project list's three totals overlap, so
                the workbook keeps just the rows that add up)
``group``       the first column groups consecutive equal rows (a project and its outputs), shown once
``sheet``       the id of the workbook sheet the table becomes (``crops``; the workbook names it by the
                labels' ``sheet_<id>``, 种植结构调整), absent: not in the workbook
``only``        ``workbook`` for a table of the workbook alone (the exit lists by household id); HTML and
                PDF leave it out and it takes no number
``number``      caption number, set here

Tables and figures with a caption are numbered here in document order (表 1 …, 图 1 …), so the HTML
and the PDF (whose template counts the same figures) agree. :func:`layout` gives HTML and PDF the
printed view: tables as text, formatted by :func:`cell_text`.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from .labels import LANGUAGE_TAGS, t, unit_name
from .units import format_value

#: MIME type of a report block in a notebook output.
BLOCK_MIME = "application/vnd.village-stats.block+json"
#: Schema id of the document.
SCHEMA = "village-stats-document/2"


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


def printed(block: dict) -> bool:
    """Whether HTML and PDF show the block (a table of the workbook alone is not printed)."""
    return block.get("only") != "workbook"


def number_captions(blocks: list[dict]) -> list[dict]:
    """Number captioned tables and figures in order, each kind on its own (表 1, 表 2 …; 图 1 …); blocks that
    are not printed take no number."""
    counters = {"table": 0, "figure": 0}
    for b in blocks:
        if b.get("type") in counters and b.get("caption") and printed(b):
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
    meta["language"] = LANGUAGE_TAGS[lang]
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
    return t(f"caption_{block['type']}", lang, n=block["number"])


def image_bytes(block: dict) -> bytes:
    """The decoded image of a figure block."""
    return base64.b64decode(block["image"]["data"])


# --------------------------------------------------------------------------- table cells as people read them

def _unknown(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number_text(value: float | None, unit: str, lang: str = "zh", *, named: bool = True) -> str:
    """A number of a report table as people read it: :func:`~village_stats.units.format_value` with the
    tables' rules.

    Money per person is rounded to whole 元 and English count units are singular for 1 (glossary: money);
    ``wan_yuan`` (万元) always has two decimals, ``percentage_points`` (a share's change) one; ``number`` is
    a plain number whose unit another column states. ``named=False`` leaves the unit's name out (the column header names it).

    Parameters
    ----------
    value : float or None
        The value; None or NaN is unknown (a dash).
    unit : str
        A unit id (:data:`village_stats.labels.UNIT_NAMES`).
    lang : {"zh", "en"}
        Language of the unit's name.
    named : bool
        Whether the text ends with the unit's name.

    Examples
    --------
    >>> number_text(15802.0408, "yuan_per_person"), number_text(1.0, "projects", "en")
    ('15,802 元/人', '1 project')
    >>> number_text(3097200.0, "yuan", named=False), number_text(60.0, "wan_yuan", named=False)
    ('3,097,200', '60.00')
    >>> number_text(0.478049, "ratio"), number_text(56000.0, "number"), number_text(None, "mu")
    ('47.8%', '56,000', '—')
    >>> number_text(-4.835, "percentage_points"), number_text(0.0, "percentage_points", named=False)
    ('-4.8 个百分点', '0.0')
    """
    if _unknown(value):
        return "—"
    name = unit_name(unit, lang)
    if unit == "wan_yuan":
        text = f"{value:,.2f}" + (f" {name}" if named else "")
    elif unit == "percentage_points":  # a share's change between periods, as the trend gives it
        text = f"{value:.1f}" + (f" {name}" if named else "")
    elif unit == "number":
        text = f"{value:,.10g}"
    else:
        if unit.startswith("yuan_per_person"):
            value = float(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)
        text = format_value(value, unit, lang)
        if name and text.endswith(" " + name):  # the unit's name for this count, or none under a named header
            text = text[: -len(name) - 1] + (" " + unit_name(unit, lang, count=value) if named else "")
    return text


def cell_text(value, column: dict, row: int, lang: str = "zh") -> str:
    """One cell of a table block as text: text as written, unknown as a dash (or the column's ``unknown``
    word), a number by its unit (:func:`number_text`: bare under a column's one unit, with its unit's name
    where units vary by row), after the row's ``prefix`` when the column has one.

    >>> col = {"name": "差异", "type": "number", "units": ["households", "persons"], "signed": True}
    >>> cell_text(3.0, col, 0), cell_text(-2.0, col, 1), cell_text("不可比", col, 1), cell_text(None, col, 0)
    ('+3 户', '-2 人', '不可比', '—')
    >>> cell_text(0.02, {"name": "标准", "type": "number", "unit": "ratio", "prefix": ["< ", ""]}, 0)
    '< 2.0%'
    """
    if _unknown(value):
        return column.get("unknown", "—")
    if isinstance(value, str) or isinstance(value, bool):
        return str(value)
    per_row = column.get("units")
    unit = per_row[row] if per_row is not None else (column.get("unit") or "number")
    if unit in ("text", "hash", "date"):
        return str(value)
    text = number_text(value, unit, lang, named=per_row is not None)
    if column.get("signed") and value > 0:
        text = "+" + text
    return column["prefix"][row] + text if column.get("prefix") else text


def table_view(block: dict, lang: str = "zh") -> dict:
    """What HTML and PDF print of a table block: the printed columns (not ``only: workbook``; name, type and
    ``nowrap``), every cell as text (:func:`cell_text`), a ``join`` column inside the cell before it. Blocks of other tools whose cells
    are already text pass unchanged.

    >>> block = {"type": "table", "columns": [{"name": "样本", "type": "number", "unit": "households"},
    ...          {"name": "样本量", "type": "number", "unit": "households", "join": " / {}"}],
    ...          "rows": [[3, 30], [None, None]]}
    >>> view = table_view(block)
    >>> view["columns"], view["rows"]
    ([{'name': '样本', 'type': 'number'}], [['3 / 30'], ['—']])
    """
    groups: list[tuple[int, list[int]]] = []  # a printed column: its first block column and those joined to it
    for j, c in enumerate(block["columns"]):
        if c.get("only") == "workbook":
            continue
        if c.get("join") and groups:
            groups[-1][1].append(j)
        else:
            groups.append((j, []))
    cols = block["columns"]
    view = {k: v for k, v in block.items() if k not in ("columns", "rows", "sheet")}
    view["columns"] = []
    for j, joined in groups:
        kinds = [cols[k].get("type", "text") for k in (j, *joined)]
        printed_column = {"name": cols[j]["name"], "type": "number" if "number" in kinds else kinds[0]}
        if cols[j].get("nowrap"):  # the templates keep these cells whole
            printed_column["nowrap"] = True
        if cols[j].get("brief"):  # the PDF prints these instead (brief_view)
            printed_column["brief"] = list(cols[j]["brief"])
        view["columns"].append(printed_column)

    def cell(row: list, i: int, j: int, joined: list[int]) -> str:
        text = cell_text(row[j], cols[j], i, lang)
        for k in joined:
            part = "" if _unknown(row[k]) else cell_text(row[k], cols[k], i, lang)
            if part:
                text += cols[k]["join"].replace("{}", part)
        return text

    view["rows"] = [[cell(row, i, j, joined) for j, joined in groups] for i, row in enumerate(block["rows"])]
    return view


def brief_view(view: dict) -> dict:
    """A printed table (:func:`table_view`) as the PDF prints it: a column with ``brief`` texts shows them
    in place of its cells (the full text stays in the HTML and the workbook); a column left empty by them
    is dropped.

    >>> v = {"columns": [{"name": "规则"}, {"name": "备注", "brief": ["未核实：见 policy/x.csv 第2行", ""]}],
    ...      "rows": [["a", "UNVERIFIED: long"], ["b", "long"]]}
    >>> brief_view(v)["rows"]
    [['a', '未核实：见 policy/x.csv 第2行'], ['b', '']]
    """
    cols = view.get("columns", [])
    if not any(c.get("brief") for c in cols):
        return view
    out = dict(view)
    rows = [list(r) for r in view["rows"]]
    keep = []
    for j, c in enumerate(cols):
        if c.get("brief"):
            for i, r in enumerate(rows):
                r[j] = c["brief"][i]
        keep.append(not c.get("brief") or any(c["brief"]))
    out["columns"] = [{k: v for k, v in c.items() if k != "brief"} for c, k in zip(cols, keep) if k]
    out["rows"] = [[v for v, k in zip(r, keep) if k] for r in rows]
    return out


def layout(document: dict) -> dict:
    """The printed document, as HTML and PDF lay it out: blocks that are not printed left out, tables as
    text (:func:`table_view`), and the words of the page footer (``words``)."""
    lang = document["lang"]
    doc = {k: v for k, v in document.items() if k != "blocks"}
    doc["blocks"] = [table_view(b, lang) if b.get("type") == "table" else b
                     for b in document["blocks"] if printed(b)]
    doc["words"] = {"page_of": t("page_of", lang, page="{page}", pages="{pages}")}
    return doc
