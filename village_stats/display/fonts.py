"""The Simplified Chinese font, from a pip package (mplfonts ships Noto Sans CJK SC), for charts and PDFs.

Without an explicit SC font, fontconfig falls back to the first face of a Noto CJK collection, which is
Japanese, and Han characters take Japanese shapes. We never rely on a system font: the OTF file is
registered with matplotlib by path and named in the PDF's CSS by ``@font-face``.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

#: Family name of the font inside the OTF file.
FAMILY = "Noto Sans CJK SC"
FILE_NAME = "NotoSansCJKsc-Regular.otf"
#: Fallbacks named in the HTML for screens that have other SC fonts (never a JP/TC face).
CSS_STACK = f"'{FAMILY}', 'Source Han Sans SC', 'Source Han Sans CN', 'PingFang SC', 'Microsoft YaHei', sans-serif"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of ``NotoSansCJKsc-Regular.otf`` inside the installed ``mplfonts`` package.

    Raises
    ------
    RuntimeError
        When the package or the file is missing (reinstall the project: ``make install``).
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mplfonts package is not installed; it provides the Chinese font (make install)")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / FILE_NAME
    if not path.is_file():
        raise RuntimeError(f"the Chinese font {FILE_NAME} is missing from mplfonts at {path}")
    return path


_REGISTERED = False


def setup_matplotlib() -> None:
    """Register the SC font with matplotlib and make it the sans-serif default (idempotent).

    Also sets ``axes.unicode_minus = False`` (the CJK font has no U+2212 minus glyph).
    """
    global _REGISTERED
    import matplotlib
    from matplotlib import font_manager

    if not _REGISTERED:
        font_manager.fontManager.addfont(str(cjk_font_path()))
        _REGISTERED = True
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.hashsalt"] = "village_stats"  # stable ids if anyone saves SVG


def font_face_css(path: Path | None = None) -> str:
    """``@font-face`` rule that points WeasyPrint at an SC font file (for the PDF only)."""
    path = cjk_font_path() if path is None else path
    return (f"@font-face {{ font-family: '{FAMILY}'; src: url('{path.as_uri()}'); "
            f"font-weight: normal; font-style: normal; }}\n")


# --------------------------------------------------------------------------- subsets for fast PDFs
#
# WeasyPrint subsets every embedded font with fontTools. On the 16 MB, 65,000-glyph CFF font that costs
# about 8 s per PDF (measured: fontTools CFF pruning and de-hinting). We keep two cached subsets of the
# same font file, so glyph shapes are exactly those of Noto Sans CJK SC:
#   1. a base subset: ASCII, Latin-1, general and CJK punctuation, full-width forms and the 7,445
#      GB 2312 characters (made once per machine, ~10 s);
#   2. per document, the characters it uses, cut from the base (~1 s the first time, then reused).
# A document with a character outside the base is cut from the full font instead. Cache files are
# written atomically, so parallel runs can share them.

CACHE_ENV = "VILLAGE_STATS_CACHE"


def cache_dir() -> Path:
    """``$VILLAGE_STATS_CACHE``, else ``$XDG_CACHE_HOME/village_stats``, else ``~/.cache/village_stats``."""
    import os

    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "village_stats"


def _base_codepoints() -> frozenset[int]:
    cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070)) \
        | set(range(0x2100, 0x2200)) | set(range(0x2460, 0x24A0)) | set(range(0x3000, 0x3040)) \
        | set(range(0xFF00, 0xFFF0)) | {0x2212, 0x25A0, 0x25CB, 0x25CF, 0x2605, 0x221A, 0x00D7}
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return frozenset(cps)


def _subset(source: Path, codepoints, target: Path) -> Path:
    """Cut ``codepoints`` from ``source`` into ``target`` (atomic write), keeping names and layout."""
    import os
    import tempfile

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = True
    font = TTFont(str(source), lazy=True)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(codepoints))
    sub.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".otf.tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _font_key(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size:x}"


@lru_cache(maxsize=1)
def _base_cmap() -> frozenset[int]:
    return _base_codepoints()


def pdf_font_path(text: str) -> Path:
    """An SC font file holding every character of ``text`` (a cached subset when possible).

    Falls back to the full font file when the cache folder cannot be written.
    """
    import hashlib

    full = cjk_font_path()
    needed = {ord(ch) for ch in text if ord(ch) >= 0x20} | set(range(0x20, 0x7F))
    try:
        root = cache_dir() / "fonts"
        key = _font_key(full)
        base = root / f"NotoSansCJKsc-base-{key}.otf"
        if needed <= _base_cmap():
            if not base.is_file():
                _subset(full, _base_cmap(), base)
            source = base
        else:
            source = full
        digest = hashlib.sha256(",".join(map(str, sorted(needed))).encode() + source.name.encode()).hexdigest()[:16]
        doc = root / f"NotoSansCJKsc-doc-{key}-{digest}.otf"
        if not doc.is_file():
            _subset(source, needed, doc)
        return doc
    except OSError:
        return full
