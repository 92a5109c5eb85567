"""``report.pdf``: the A4 meeting PDF."""

from __future__ import annotations

from pathlib import Path

from ..display import fonts
from ..errors import ReportError
from . import ExecutedReport
from .html import body_html, page


def write_pdf(page_html: str, target: Path, *, whole_fonts: bool = False) -> None:
    """Render an HTML page (with its @page rules) to PDF with WeasyPrint.

    ``whole_fonts`` embeds font files as they are, for a font that is already the document's subset.
    """
    from weasyprint import HTML

    HTML(string=page_html, base_url=str(target.parent)).write_pdf(str(target), hinting=True, full_fonts=whole_fonts)


def write(report: ExecutedReport, target: Path) -> None:
    body = body_html(report.notebook)
    plain = page(body, lang=report.lang, title=report.title, header=report.title)
    try:
        font = fonts.pdf_font_path(plain)
        write_pdf(page(body, lang=report.lang, title=report.title, header=report.title, pdf_font=font), target,
                  whole_fonts=font != fonts.cjk_font_path())
    except Exception as exc:
        raise ReportError(f"PDF export failed: {type(exc).__name__}: {exc}") from None
