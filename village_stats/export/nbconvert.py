"""nbconvert exporters for any executed report notebook, registered by entry point (``pyproject.toml``)::

    jupyter nbconvert --to village-stats-pdf  output/suoluoyu/2017H1/report.ipynb   # → report.pdf (Typst)
    jupyter nbconvert --to village-stats-html output/suoluoyu/2017H1/report.ipynb   # → report.html
    jupyter nbconvert --to village-stats-json output/suoluoyu/2017H1/report.ipynb   # → report.json (the model)

The language comes from the notebook's papermill parameters (``lang``, default ``zh``); the running header
from its title block. The content is the same as ``village-stats run`` writes.
"""

from __future__ import annotations

import json

from nbconvert.exporters import Exporter

from ..document import build_document


def _document(nb) -> dict:
    params = nb.get("metadata", {}).get("papermill", {}).get("parameters", {}) or {}
    lang = params.get("lang", "zh") if params.get("lang") in ("zh", "en") else "zh"
    doc = build_document(nb, lang=lang, header="")
    title = next((b for b in doc["blocks"] if b.get("type") == "title"), None)
    if title is not None:
        facts = dict(title["facts"])
        values = list(facts.values())
        doc["header"] = " · ".join(values[i] for i in (0, 4) if i < len(values)) or doc["meta"]["title"]
        doc["meta"]["author"] = values[3] if len(values) > 3 else ""  # the supporting unit
    else:
        doc["header"] = doc["meta"]["title"]
    return doc


class DocumentExporter(Exporter):
    """The document model of an executed report notebook, as JSON."""

    export_from_notebook = "village_stats document (JSON)"
    output_mimetype = "application/json"

    def _file_extension_default(self):
        return ".json"

    def from_notebook_node(self, nb, resources=None, **kw):
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        return json.dumps(_document(nb_copy), ensure_ascii=False, indent=1) + "\n", resources


class ModelHTMLExporter(Exporter):
    """``report.html`` from the document model (Jinja2, autoescaped, no script)."""

    export_from_notebook = "village_stats HTML"
    output_mimetype = "text/html"

    def _file_extension_default(self):
        return ".html"

    def from_notebook_node(self, nb, resources=None, **kw):
        from .html import render_html

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        return render_html(_document(nb_copy)), resources


class TypstPDFExporter(Exporter):
    """``report.pdf`` typeset by Typst from the document model."""

    export_from_notebook = "village_stats PDF (Typst)"
    output_mimetype = "application/pdf"

    def _file_extension_default(self):
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        from .pdf import render_pdf

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        return render_pdf(_document(nb_copy)), resources
