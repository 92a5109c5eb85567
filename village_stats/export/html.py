"""``report.html``: the executed notebook's outputs on one self-contained page (no code, no prompts)."""

from __future__ import annotations

import html
from pathlib import Path

from ..display import fonts
from . import ExecutedReport
from .notebook import report_cells

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def body_html(nb) -> str:
    """The executed notebook's outputs as an HTML fragment: no code, no prompts, hidden cells removed."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, anchor_link_text="")
    body, _ = exporter.from_notebook_node(report_cells(nb))
    return body


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes, backslashes and anything that could close a <style>
    element are written as CSS escapes, so user text never becomes markup."""
    out = []
    for ch in text:
        if ch.isalnum() or ch in " ·-_.,()（）":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def page(body: str, *, lang: str, title: str, header: str, pdf_font: Path | None = None) -> str:
    """The report page around ``body``; with ``pdf_font``, an @font-face rule for the PDF engine."""
    css = (_TEMPLATES / "report.css").read_text(encoding="utf-8")
    page_text = ('"第 " counter(page) " 页 / 共 " counter(pages) " 页"' if lang == "zh"
                 else '"Page " counter(page) " of " counter(pages)')
    css = (css.replace("FONT_STACK", fonts.CSS_STACK).replace('"HEADER_TEXT"', _css_string(header))
           .replace("PAGE_TEXT", page_text))
    if pdf_font is not None:
        css = fonts.font_face_css(pdf_font) + css
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def write(report: ExecutedReport, target: Path) -> None:
    target.write_text(page(body_html(report.notebook), lang=report.lang, title=report.title, header=report.title),
                      encoding="utf-8")
