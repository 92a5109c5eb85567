"""``report.pdf``: the A4 meeting PDF, typeset by Typst (pip package ``typst``) from the document model.

The template ``templates/report.typ`` receives the printed document (:func:`village_stats.document.layout`:
table values already formatted by :func:`village_stats.document.cell_text`, the footer's words) as JSON
through ``sys_inputs`` (strings are inserted as text, never as markup). Fonts: only the Noto Sans CJK SC file of the ``mplfonts`` package, by
path; system fonts and Typst's own embedded fonts are left out, so every machine makes the same bytes
and the SC font is the only one in the file. Typst subsets the font itself
(no fontTools, no cache) and ``set document(date: none)`` keeps the clock out of the file.
"""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path

from ..atomic import write_atomic
from ..display import fonts
from ..document import brief_view, from_report, image_bytes, layout
from ..errors import ReportError
from ..labels import message_lang, say
from . import ExecutedReport

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "report.typ"


@lru_cache(maxsize=1)
def _font_dir() -> Path:
    """A folder holding only the SC font (a link to the pip-shipped file), so Typst loads no other face."""
    folder = Path(tempfile.mkdtemp(prefix="village-stats-typst-fonts-"))
    link = folder / fonts.FILE_NAME
    try:
        link.symlink_to(fonts.cjk_font_path())
    except OSError:
        import shutil

        shutil.copyfile(fonts.cjk_font_path(), link)
    return folder


@lru_cache(maxsize=1)
def _fonts():
    """The only fonts Typst may use: the SC file; no system fonts and none of Typst's embedded ones."""
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(_font_dir())])


def render_pdf(document: dict) -> bytes:
    """The PDF bytes of a document (see :mod:`village_stats.document`).

    Figures are written as PNG files into a temporary compile root and referred to by relative path.
    """
    import typst

    with tempfile.TemporaryDirectory(prefix="village-stats-typst-") as tmp:
        root = Path(tmp)
        doc = json.loads(json.dumps(layout(document)))
        doc["blocks"] = [brief_view(b) if b.get("type") == "table" else b for b in doc["blocks"]]
        for i, block in enumerate(doc["blocks"]):
            if block.get("type") == "figure":
                name = f"figure-{i:03d}.png"
                (root / name).write_bytes(image_bytes(block))
                block["path"] = name
                del block["image"]
        main = root / "report.typ"
        main.write_bytes(TEMPLATE.read_bytes())
        return typst.compile(str(main), root=str(root), font_paths=_fonts(), ignore_system_fonts=True,
                             sys_inputs={"doc": json.dumps(doc, ensure_ascii=False)})


def write(report: ExecutedReport, target: Path) -> None:
    document = from_report(report)
    try:
        pdf = render_pdf(document)
    except RuntimeError as exc:  # typst.TypstError (Typst could not compile), or the SC font is missing
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:500]}"
        raise ReportError(say("msg_pdf_failed", message_lang(), reason=reason)) from None
    write_atomic(target, pdf)
