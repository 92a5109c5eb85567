"""The Simplified Chinese font, from a pip package (mplfonts ships Noto Sans CJK SC), for charts and PDFs.

Without an explicit SC font, fontconfig falls back to the first face of a Noto CJK collection, which is
Japanese, and Han characters take Japanese shapes. We never rely on a system font: the OTF file is
registered with matplotlib by path and given to Typst by path (``export/pdf.py``), with system fonts
ignored. Typst subsets it itself: there is no font cache.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

#: Family name of the font inside the OTF file.
FAMILY = "Noto Sans CJK SC"
FILE_NAME = "NotoSansCJKsc-Regular.otf"


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
