"""``report.html``: the document model on one self-contained page (images inline, no script, no code).

Laid out by the Jinja2 template ``templates/report.html.j2`` from :func:`village_stats.document.layout`
(table values formatted by :func:`village_stats.document.cell_text`), with autoescaping on: every string of
the model (place names, captions, table cells) is escaped, so no data can become markup. The theme is
``templates/report.css``, included in the page. Hash columns show the full SHA-256 (the PDF shows 12
characters).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..atomic import write_atomic
from ..document import caption_label, from_report, layout
from ..labels import t
from . import ExecutedReport

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render_html(document: dict) -> str:
    """The HTML page of a document (see :mod:`village_stats.document`)."""
    lang = document["lang"]
    return _environment().get_template("report.html.j2").render(
        doc=layout(document), caption_label=lambda b: caption_label(b, lang), caption_sep=t("caption_sep", lang))


def write(report: ExecutedReport, target: Path) -> None:
    write_atomic(target, render_html(from_report(report)))
