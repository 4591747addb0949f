"""The page kit every briefing figure is drawn with: house style, wrapping, header, legend,
source footer, axes placed in inches and the value heatmap.

Figure modules (:mod:`.compare`, :mod:`.coverage`, :mod:`.departments`, :mod:`.themes`)
lay out their body and call :func:`page` (or the pieces it is made of) for the rest, so
every figure has the same title block and the same "Sources:" line, built from the plan
sidecars. The page's title is kept on the figure (:func:`title_of`) for alt text and captions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from qcompare.figures.fonts import use_cjk_font
from qcompare.knowledge.labels import wording

# Okabe & Ito (2008), a palette readers with colour-vision deficiencies can tell apart.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
INK, MUTED, FAINT = "#222222", "#8C8C8C", "#E4E4E4"
WIDTH_IN = 7.2  # a briefing page's text width
SVG_SALT = "qcompare"
_PT = 1 / 72
# The house style every figure is drawn and saved in, whatever theme the caller set.
HOUSE_RC = {
    "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white", "axes.grid": False,
    "text.color": INK, "axes.labelcolor": "#444444", "xtick.color": "#444444", "ytick.color": INK,
    "svg.hashsalt": SVG_SALT, "svg.fonttype": "path", "figure.dpi": 100,
}


@contextmanager
def house_style():
    """Matplotlib defaults plus the house style, with the CJK font; the CJK font also stays
    the default afterwards, for the caller's own plots."""
    use_cjk_font()
    with mpl.style.context(["default", HOUSE_RC]):
        use_cjk_font()
        yield


def plain(text: str) -> str:
    r"""Text matplotlib prints as written (a ``$`` would start mathtext).

    >>> plain("US$5")
    'US\\$5'
    """
    return str(text).replace("$", r"\$")


def display_width(text: str) -> float:
    """Width in em: wide (CJK) characters 1, others about 0.55.

    >>> display_width("九江市 ab")
    4.65
    """
    return round(sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text), 2)


def text_width_in(texts, size: float) -> float:
    """Width in inches of the widest of ``texts`` at ``size`` points."""
    return max((display_width(str(t)) for t in texts), default=0) * size * _PT


def wrap(text: str, max_em: float, indent: str = "  ") -> list[str]:
    """Break ``text`` into lines no wider than ``max_em``, at spaces for Latin, anywhere for CJK.

    >>> wrap("九江市《九江市深化质量强市建设实施方案》", 12)
    ['九江市《九江市深化质量强', '  市建设实施方案》']
    >>> wrap("short", 12)
    ['short']
    """
    lines, line = [], ""
    for token in re.findall(r"[A-Za-z0-9'’.,:;()\-–/]+ ?|.", text):
        if line and display_width(line + token.rstrip()) > max_em:
            lines.append(line.rstrip())
            line = indent + token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


def unwrap(lines: list[str]) -> str:
    """Lines from :func:`wrap` (without indent) as one text again: a space where Latin met Latin.

    >>> unwrap(["Which quality", "indicators"]), unwrap(["各方案设定了", "哪些指标"])
    ('Which quality indicators', '各方案设定了哪些指标')
    """
    text = ""
    for line in lines:
        latin = text and display_width(text[-1]) < 1 and display_width(line[:1]) < 1
        text += (" " if latin else "") + line
    return text


def jurisdiction_label(doc: pd.Series | dict, lang: str) -> str:
    """A plan's jurisdiction as the chart names it, marked when the sidecar inferred it."""
    name = doc.get("jurisdiction_en") if lang == "en" else None
    name = name if isinstance(name, str) and name else doc["jurisdiction"]
    inferred = str(doc.get("inferred") or "").split(";")
    return name + (wording("inferred", lang) if "jurisdiction" in inferred else "")


def plans_in(documents: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The plans that have rows in ``table``, in reading order (one row per plan)."""
    from qcompare.analysis.compare import ordered_documents

    docs = ordered_documents(documents)
    return docs[docs["doc_id"].isin(set(table["doc_id"]))].reset_index(drop=True)


def source_lines(docs: pd.DataFrame, national_titles: Iterable[str], lang: str) -> list[str]:
    """One source entry per plan (jurisdiction, title, 文号, year), then the national sources."""
    entries = []
    for doc in docs.to_dict("records"):
        inferred = str(doc.get("inferred") or "").split(";")
        title = f"《{doc['title']}》" if isinstance(doc.get("title"), str) else ""
        extra = [wording("title_inferred", lang)] if title and "title" in inferred else []
        if isinstance(doc.get("doc_number"), str) and doc["doc_number"]:
            extra.insert(0, doc["doc_number"])
        if pd.notna(doc.get("issued_year")):
            key = "issued_inferred" if "issued_year" in inferred else "issued"
            extra.append(wording(key, lang, year=int(doc["issued_year"])))
        sep = "，" if lang == "zh" else ", "
        entries.append(f"{jurisdiction_label(doc, lang)}{'：' if lang == 'zh' else ': '}{title}{sep.join(['', *extra])}")
    national = list(dict.fromkeys(t for t in national_titles if isinstance(t, str)))
    if national:
        from qcompare.analysis.compare import NATIONAL_JURISDICTION

        name = NATIONAL_JURISDICTION[0 if lang == "zh" else 1]
        entries.append(f"{name}{'：' if lang == 'zh' else ': '}{('；' if lang == 'zh' else '; ').join(national)}")
    return entries


def source_block(entries: list[str], lang: str) -> list[str]:
    """The footer's lines: "Sources:" then one wrapped entry per source."""
    max_em = (WIDTH_IN - 0.5) * 72 / 7 - 1
    head = wording("sources", lang)
    lines = []
    for i, entry in enumerate(entries):
        lines += wrap((head if i == 0 else "  ") + entry, max_em, indent="    ")
    return lines


def new_figure() -> Figure:
    """A blank page-width figure with its own Agg canvas (no pyplot state)."""
    use_cjk_font()
    fig = Figure(figsize=(WIDTH_IN, 4), facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def width_in(fig: Figure, artists: Iterable) -> float:
    """Rendered width in inches of the widest text artist."""
    renderer = fig.canvas.get_renderer()
    widths = [a.get_window_extent(renderer).width for a in artists if a.get_text()] if artists else []
    return max(widths, default=0) / fig.dpi


def header_lines(title: str, subtitle: list[str]) -> tuple[list[str], list[str]]:
    """Title (13 pt) and subtitle (9 pt) lines wrapped to the figure's width."""
    usable = (WIDTH_IN - 0.5) * 72
    return wrap(title, usable / 13, indent=""), [l for line in subtitle for l in wrap(line, usable / 9, indent="")]


def header_height(title: list[str], subtitle: list[str]) -> float:
    return 0.2 + 0.27 * len(title) + 0.08 + 0.2 * len(subtitle) + 0.1


def footer_height(sources: list[str], gap: float) -> float:
    """Height of the source footer plus ``gap`` inches above it (axis labels go there)."""
    return gap + 0.16 * len(sources) + 0.15


def header(fig: Figure, title: list[str], subtitle: list[str], top_in: float = 0.2) -> None:
    """Title and subtitle lines, left-aligned at the figure's edge, from ``top_in`` down;
    the title is remembered for :func:`title_of`."""
    fig.qcompare_title = unwrap(title)
    inch = fig.dpi_scale_trans
    y = fig.get_size_inches()[1] - top_in
    for line in title:
        fig.text(0.25, y, plain(line), transform=inch, fontsize=13, color=INK, va="top")
        y -= 0.27
    y -= 0.08
    for line in subtitle:
        fig.text(0.25, y, plain(line), transform=inch, fontsize=9, color="#555555", va="top")
        y -= 0.2


def title_of(fig: Figure) -> str:
    """The title the page header printed, unwrapped ('' for a figure not made here)."""
    return getattr(fig, "qcompare_title", "")


def footer_lines(fig: Figure) -> list[str]:
    """The source lines :func:`footer` printed (for a caption under the figure)."""
    return list(getattr(fig, "qcompare_sources", []))


def footer(fig: Figure, lines: list[str], bottom_in: float = 0.15) -> None:
    """The source lines at the foot of the figure (remembered for :func:`footer_lines`)."""
    fig.qcompare_sources = [l.strip() for l in lines]
    inch = fig.dpi_scale_trans
    y = bottom_in + 0.16 * (len(lines) - 1)
    for line in lines:
        fig.text(0.25, y, plain(line), transform=inch, fontsize=7, color="#555555", va="bottom")
        y -= 0.16


def legend(fig: Figure, handles: list, top_in: float, left_in: float):
    """A legend under the subtitle, in as few rows as fit; return (legend, height in inches)."""
    if not handles:
        return None, 0.0
    inch = fig.dpi_scale_trans
    height = fig.get_size_inches()[1]
    for ncol in range(len(handles), 0, -1):
        leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(left_in, height - top_in),
                         bbox_transform=inch, ncol=ncol, frameon=False, fontsize=8, handlelength=1.8,
                         columnspacing=1.4, handletextpad=0.5, borderaxespad=0, borderpad=0)
        width = leg.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
        if left_in + width <= WIDTH_IN - 0.2 or ncol == 1:
            rows = -(-len(handles) // ncol)
            return leg, 0.22 * rows + 0.05
        leg.remove()
    raise AssertionError("unreachable")


def page(title: str, subtitle: list[str], docs: pd.DataFrame, lang: str, body_h: float,
         handles: list | None = None) -> tuple[Figure, float, float]:
    """A briefing page: title, subtitle, optional legend, a body ``body_h`` inches tall, and
    the plans' source lines (from their sidecars) at the foot.

    Returns the figure, the body's bottom and its top (inches from the figure's bottom).
    """
    fig = new_figure()
    titles, subtitles = header_lines(title, subtitle)
    sources = source_block(source_lines(docs.reset_index(drop=True), [], lang), lang)
    header_h = header_height(titles, subtitles)
    legend_h = 0.3 if handles else 0.0
    bottom_h = footer_height(sources, 0.35)
    height = header_h + legend_h + body_h + bottom_h
    fig.set_size_inches(WIDTH_IN, height)
    header(fig, titles, subtitles)
    legend(fig, handles or [], header_h, 0.25)
    footer(fig, sources)
    return fig, bottom_h, bottom_h + body_h


def axes_in(fig: Figure, left: float, bottom: float, width: float, height: float):
    """Axes placed in inches."""
    w, h = fig.get_size_inches()
    return fig.add_axes((left / w, bottom / h, width / w, height / h))


def plain_axes(ax) -> None:
    """Only the bottom spine, muted; no y ticks."""
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(MUTED)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.tick_params(axis="x", labelsize=7, colors=INK)


def bare_grid(ax) -> None:
    """Column labels on top, no ticks, no spines: the frame of a heatmap."""
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def heatmap(ax, values: np.ndarray, shown: np.ndarray, fmt: str, vmax: float, row_labels, col_labels) -> None:
    """Cells coloured by ``shown`` (NaN blank) with ``values`` printed in them as ``fmt``
    (``{:.0%}``, ``{:.2f}``), zeros left empty; rows and columns labelled."""
    ax.imshow(shown, cmap="Blues", vmin=0, vmax=vmax or 1.0, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if v == 0:
            continue
        dark = np.isfinite(shown[i, j]) and shown[i, j] > 0.6 * vmax
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=6.5, color="white" if dark else INK)
    ax.set_yticks(range(len(values)), [plain(n) for n in row_labels], fontsize=8)
    ax.set_xticks(range(values.shape[1]), [plain(c) for c in col_labels], fontsize=8)
    bare_grid(ax)


def name_figure(fig: Figure, key: str, lang: str) -> Figure:
    """Set the file name :func:`qcompare.figures.save.save` uses: ``key`` plus ``_en`` in English."""
    fig.set_label(key + ("" if lang == "zh" else f"_{lang}"))
    return fig
