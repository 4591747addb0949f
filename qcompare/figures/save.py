"""Figures -> files: ``save`` writes ``figures/<name>.png`` (300 dpi) and ``<name>.svg``.

Output is deterministic (fixed SVG hash salt, no dates), so regenerating an unchanged
figure gives identical bytes.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from qcompare import paths
from qcompare.atomic import write_atomic
from qcompare.errors import QcompareError
from qcompare.figures.page import HOUSE_RC, title_of

DPI = 300
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Saved(list):
    """The files :func:`save` wrote (a list of paths) that a notebook shows as the figure itself.

    In Jupyter the result displays as an ``<img>`` of the PNG, its alt text the figure's
    title; as text it names the files relative to their folder's parent
    (``figures/coverage_1.png``), never an absolute path.
    """

    def __init__(self, paths: list[Path], png: bytes, title: str, width_in: float):
        super().__init__(paths)
        self.png, self.title, self.width_px = png, title, round(width_in * 96)  # CSS px at the figure's size

    def __repr__(self) -> str:
        return ", ".join(f"{p.parent.name}/{p.name}" for p in self)

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.title, quote=True)}" '
                f'width="{self.width_px}" style="max-width:100%;height:auto">')


def save(fig: Figure, name: str | None = None, folder: str | Path | None = None, editable: bool = False) -> Saved:
    """Write ``<name>.png`` (300 dpi) and ``<name>.svg`` into ``folder`` (default figures/).

    ``name`` defaults to ``fig.get_label()``, set by the plot functions. Output is
    deterministic (fixed SVG hash salt, no dates), so an unchanged figure gives identical
    bytes; each file is written to a temporary file first and then moved into place.
    ``editable=True`` writes the SVG's text as text (``svg.fonttype: none``), in a
    font-family list naming the shipped CJK font first, for editing in Illustrator or Inkscape.
    """
    name = name or fig.get_label()
    if not name or not _NAME.match(name):
        raise QcompareError(f"figure name {name!r}: use letters, digits, '_', '-' or '.' (e.g. compare_food_safety_pass_rate)")
    folder = Path(folder) if folder is not None else paths.figures_dir()
    written, png = [], b""
    formats = {"png": {"dpi": DPI, "metadata": {"Software": None}}, "svg": {"metadata": {"Date": None}}}
    rc = {**HOUSE_RC, "svg.fonttype": "none"} if editable else HOUSE_RC
    with mpl.style.context(["default", rc]):
        for ext, options in formats.items():
            buffer = io.BytesIO()
            fig.savefig(buffer, format=ext, facecolor="white", **options)
            png = buffer.getvalue() if ext == "png" else png
            written.append(write_atomic(folder / f"{name}.{ext}", buffer.getvalue()))
    return Saved(written, png, title_of(fig), fig.get_size_inches()[0])
