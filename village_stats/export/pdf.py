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
    """A folder holding only the SC font (a link to the pip-shipped file), so Typst loads no other face.

    One folder per user and font file in the user's cache folder, shared by every run
    (``$XDG_CACHE_HOME/village-stats/typst-fonts-<digest of the font's path>``, by default under
    ``~/.cache``): a temp folder per process was left behind by every run before (hundreds a day on a machine
    running reports). It is used only while it is this user's real folder, writable by no one else, holding
    nothing but the link to that font; else (or with no writable cache folder) this process makes a private
    temp folder, removed when it ends.
    """
    import atexit
    import hashlib
    import os
    import shutil

    font = fonts.cjk_font_path()
    try:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "village-stats"
    except RuntimeError:  # no home folder
        cache = Path(tempfile.gettempdir()) / "no-cache-folder" / "village-stats"
    shared = cache / f"typst-fonts-{hashlib.sha256(str(font).encode()).hexdigest()[:12]}"
    if _holds_only(shared, font):
        return shared
    try:
        cache.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(cache):
            raise PermissionError(cache)  # someone else could swap the folder: a private one instead
        made = Path(tempfile.mkdtemp(prefix=f"{shared.name}.", dir=cache))
    except OSError:  # no writable cache folder of this user's alone
        made = Path(tempfile.mkdtemp(prefix="village-stats-typst-fonts-"))
    try:
        (made / fonts.FILE_NAME).symlink_to(font)
    except OSError:
        shutil.copyfile(font, made / fonts.FILE_NAME)
    if made.parent == cache:
        try:
            os.rename(made, shared)  # atomic; another process may have made it meanwhile (then not empty)
        except OSError:
            pass
        if _holds_only(shared, font):
            shutil.rmtree(made, ignore_errors=True)
            return shared
    atexit.register(shutil.rmtree, made, True)
    return made


def _private(folder: Path) -> bool:
    """Whether ``folder`` is this user's real folder, writable by no one else."""
    import os
    import stat

    try:
        st = os.lstat(folder)
    except OSError:
        return False
    uid = os.getuid() if hasattr(os, "getuid") else st.st_uid
    return stat.S_ISDIR(st.st_mode) and st.st_uid == uid and not st.st_mode & 0o022


def _holds_only(folder: Path, font: Path) -> bool:
    """Whether ``folder`` and the folder holding it are this user's real folders, writable by no one else,
    and ``folder`` holds only a link to ``font`` (or a copy of it of the same size)."""
    import os

    try:
        if not (_private(folder.parent) and _private(folder)):
            return False
        if os.listdir(folder) != [fonts.FILE_NAME]:
            return False
        entry = folder / fonts.FILE_NAME
        if entry.is_symlink():
            return os.readlink(entry) == str(font)
        return entry.is_file() and entry.stat().st_size == font.stat().st_size
    except OSError:
        return False


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
