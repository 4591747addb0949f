"""The CJK font figures draw with: Noto Sans CJK SC (SIL Open Font License), from ``mplfonts``.

``mplfonts`` is a dependency of the project, so its install brings the font in. The font
is registered with matplotlib at run time: nothing is written into site-packages and no
system font is assumed. ``use_cjk_font()`` is cheap to call again, so plot functions call
it right before drawing, which also undoes a ``seaborn.set_theme()`` that reset the fonts.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

from qcompare.errors import QcompareError

FONT_PACKAGE = "mplfonts"
FONT_FILE = "fonts/NotoSansCJKsc-Regular.otf"
FALLBACK = "DejaVu Sans"  # matplotlib's own font, for any glyph the CJK font lacks


def cjk_font_path() -> Path:
    """Where the installed ``mplfonts`` keeps Noto Sans CJK SC."""
    try:
        path = Path(str(files(FONT_PACKAGE).joinpath(FONT_FILE)))
    except ModuleNotFoundError:
        path = Path(FONT_PACKAGE) / FONT_FILE
    if not path.is_file():
        raise QcompareError(f"{path}: CJK font not found; reinstall the project (pip install -e .) to bring in {FONT_PACKAGE}")
    return path


@cache
def register_cjk_font() -> str:
    """Add the font to matplotlib's font manager (once per process); return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_cjk_font() -> str:
    """Make the CJK font matplotlib's default for new text; return its family name.

    The family is named explicitly in ``font.family`` (not only through ``sans-serif``),
    so text drawn now keeps it even if a theme resets the generic families later.
    """
    name = register_cjk_font()
    mpl.rcParams["font.family"] = [name, FALLBACK]
    mpl.rcParams["font.sans-serif"] = [name, *[f for f in mpl.rcParams["font.sans-serif"] if f != name]]
    return name
