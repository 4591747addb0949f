"""Departments -> briefing figures: who carries each plan's tasks.

Reads the corpus's ``departments`` and ``documents`` tables (through
:mod:`qcompare.extract.departments`); draws ``tasks`` (bodies with the most tasks per plan, lead
vs partner), ``heatmap`` (body x jurisdiction) and ``market_regulation`` (the
market-regulation authority's share of each plan's tasks). Body names come from
``data/departments.yml``, jurisdictions and source lines from the plan sidecars; the
chart's own wording is :data:`WORDS`. Save with ``qc.plot.save(fig)``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from qcompare.analysis.compare import ordered_documents
from qcompare.corpus import Corpus, load
from qcompare.analysis.departments import market_regulation_share, task_counts
from qcompare.figures.fonts import use_cjk_font
from qcompare.figures.plot import INK, MUTED, OKABE_ITO, WIDTH_IN, display_width, header, jurisdiction_label, plain, source_lines, wrap

WORDS = {
    "lead": {"zh": "牵头(列第一位或标明牵头)", "en": "lead (listed first or 牵头)"},
    "partner": {"zh": "配合", "en": "partner"},
    "inherited": {"zh": "章节统一说明涉及", "en": "named by a section note"},
    "tasks_title": {"zh": "各方案的重点任务由哪些部门承担", "en": "Which bodies carry each plan's tasks"},
    "tasks_subtitle": {"zh": "承担任务条数最多的{top}个部门;任务 = 附有责任单位的条款", "en": "The {top} bodies named in most task clauses (clauses with a responsibility note)"},
    "tasks_axis": {"zh": "任务条数", "en": "task clauses"},
    "panel": {"zh": "{name}({tasks}条任务)", "en": "{name} ({tasks} tasks)"},
    "heatmap_title": {"zh": "部门 × 地区:各部门出现在多少比例的任务中", "en": "Body x jurisdiction: share of each plan's tasks naming the body"},
    "heatmap_subtitle": {"zh": "按涉及方案数和任务占比排列的前{top}个部门;前身机构计入现机构(如质监局计入市场监管局)",
                         "en": "Top {top} bodies by plans and share; predecessors count as their successor (质监局 as market regulation)"},
    "share_title": {"zh": "市场监管部门承担的任务占比", "en": "Market-regulation authority: share of each plan's tasks"},
    "share_subtitle": {"zh": "含其前身(质监局、工商局、食药局);章节统一说明不计入", "en": "Including its predecessors (质监局, 工商局, 食药局); section notes not counted"},
    "share_axis": {"zh": "占任务条数的比例", "en": "share of task clauses"},
    "share_label": {"zh": "{named}/{tasks}条,其中牵头{lead}条", "en": "{named} of {tasks}, lead in {lead}"},
}
COLOURS = {"lead": OKABE_ITO["blue"], "partner": OKABE_ITO["sky_blue"], "inherited": "#CFCFCF"}
_PT = 1 / 72


def _w(key: str, lang: str, **kw) -> str:
    return WORDS[key][lang].format(**kw)


def text_width_in(texts, size: float) -> float:
    """Width in inches of the widest of ``texts`` at ``size`` points."""
    return max((display_width(str(t)) for t in texts), default=0) * size * _PT


def check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang={lang!r}: use 'zh' or 'en'")
    return lang


def page(title: str, subtitle: list[str], docs: pd.DataFrame, lang: str, body_h: float,
         handles: list | None = None) -> tuple[Figure, float, float]:
    """A briefing page: title, subtitle, optional legend, a body ``body_h`` inches tall, and
    the plans' source lines (from their sidecars) at the foot.

    Returns the figure, the body's bottom and its top (inches from the figure's bottom).
    """
    use_cjk_font()
    fig = Figure(figsize=(WIDTH_IN, 4), facecolor="white")
    FigureCanvasAgg(fig)
    usable = (WIDTH_IN - 0.5) * 72
    titles = wrap(title, usable / 13, indent="")
    subtitles = [line for s in subtitle for line in wrap(s, usable / 9, indent="")]
    head = "来源:" if lang == "zh" else "Sources: "
    sources = [line for i, entry in enumerate(source_lines(docs.reset_index(drop=True), [], lang))
               for line in wrap((head if i == 0 else "  ") + entry, usable / 7 - 1, indent="    ")]
    header_h = 0.2 + 0.27 * len(titles) + 0.08 + 0.2 * len(subtitles) + 0.1
    legend_h = 0.3 if handles else 0.0
    bottom_h = 0.35 + 0.16 * len(sources) + 0.15
    height = header_h + legend_h + body_h + bottom_h
    fig.set_size_inches(WIDTH_IN, height)
    inch = fig.dpi_scale_trans
    header(fig, titles, subtitles)
    if handles:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.25, height - header_h), bbox_transform=inch,
                   ncol=len(handles), frameon=False, fontsize=8, handlelength=1.4, columnspacing=1.4, borderaxespad=0, borderpad=0)
    y = 0.15 + 0.16 * (len(sources) - 1)
    for line in sources:
        fig.text(0.25, y, plain(line), transform=inch, fontsize=7, color="#555555", va="bottom")
        y -= 0.16
    return fig, bottom_h, bottom_h + body_h


def axes_in(fig: Figure, left: float, bottom: float, width: float, height: float):
    """Axes placed in inches."""
    w, h = fig.get_size_inches()
    return fig.add_axes((left / w, bottom / h, width / w, height / h))


def plain_axes(ax) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(MUTED)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.tick_params(axis="x", labelsize=7, colors=INK)


def _docs(corpus: Corpus) -> pd.DataFrame:
    present = set(corpus.departments.doc_id)
    docs = ordered_documents(corpus.documents)
    return docs[docs.doc_id.isin(present)].reset_index(drop=True)


def name_figure(fig: Figure, key: str, lang: str) -> Figure:
    fig.set_label(key + ("" if lang == "zh" else f"_{lang}"))
    return fig


def tasks(lang: str = "zh", corpus: Corpus | None = None, top: int = 8) -> Figure:
    """Small multiples, one panel per plan: the ``top`` bodies by task clauses, as stacked
    bars of lead, partner and section-note mentions. ``fig.get_label()`` is ``departments_tasks[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs = _docs(corpus)
    counts = task_counts(corpus.departments, lang)
    n_tasks = corpus.departments.groupby("doc_id").clause_id.nunique()
    ncols = 1 if len(docs) == 1 else 2
    nrows = math.ceil(len(docs) / ncols)
    row_h = 0.19
    panel_h = top * row_h
    gap = 0.55
    handles = [Patch(fc=COLOURS[k], label=_w(k, lang)) for k in COLOURS if counts[k].sum() > 0]
    fig, bottom, body_top = page(_w("tasks_title", lang), [_w("tasks_subtitle", lang, top=top)], docs, lang,
                                 nrows * (panel_h + gap), handles)
    label_w = text_width_in(counts.name, 7.5) + 0.1
    panel_w = (WIDTH_IN - 0.3 - ncols * label_w - (ncols - 1) * 0.3) / ncols
    xmax = counts.total.max() if len(counts) else 1
    for i, doc in enumerate(docs.to_dict("records")):
        r, c = divmod(i, ncols)
        left = 0.25 + label_w + c * (panel_w + label_w + 0.3)
        ax = axes_in(fig, left, body_top - (r + 1) * (panel_h + gap) + 0.3, panel_w, panel_h)
        rows = counts[counts.doc_id == doc["doc_id"]].head(top)
        y = np.arange(len(rows))
        start = np.zeros(len(rows))
        for kind, colour in COLOURS.items():
            ax.barh(y, rows[kind], left=start, color=colour, height=0.72)
            start += rows[kind].to_numpy()
        ax.set_yticks(y, [plain(n) for n in rows.name], fontsize=7.5)
        ax.set_ylim(top - 0.5, -0.5)
        ax.set_xlim(0, xmax * 1.05)
        plain_axes(ax)
        title = _w("panel", lang, name=jurisdiction_label(doc, lang), tasks=int(n_tasks.get(doc["doc_id"], 0)))
        ax.set_title(plain(title), loc="left", fontsize=8.5, color=INK, pad=4, x=-label_w / panel_w)
        if r == nrows - 1 or i + ncols >= len(docs):
            ax.set_xlabel(_w("tasks_axis", lang), fontsize=7, color=MUTED)
    return name_figure(fig, "departments_tasks", lang)


def share_matrix(corpus: Corpus, lang: str = "zh", top: int = 20) -> pd.DataFrame:
    """Body x plan: share of each plan's task clauses naming the body (section notes included).

    Rows are the ``top`` bodies by number of plans naming them, then mean share; columns
    are doc_ids in reading order; index is the body's name in ``lang``.
    """
    counts = task_counts(corpus.departments, lang)
    n_tasks = corpus.departments.groupby("doc_id").clause_id.nunique()
    counts["share"] = counts.total / counts.doc_id.map(n_tasks)
    matrix = counts.pivot_table(index="name", columns="doc_id", values="share", fill_value=0.0)
    order = (matrix > 0).sum(axis=1).to_frame("plans").assign(mean=matrix.mean(axis=1))
    keep = order.sort_values(["plans", "mean"], ascending=False, kind="stable").head(top).index
    return matrix.loc[keep, [d for d in _docs(corpus).doc_id if d in matrix.columns]]


def heatmap(lang: str = "zh", corpus: Corpus | None = None, top: int = 20) -> Figure:
    """Heatmap of :func:`share_matrix`, the share printed in each cell.
    ``fig.get_label()`` is ``departments_heatmap[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs = _docs(corpus)
    matrix = share_matrix(corpus, lang, top)
    docs = docs.set_index("doc_id", drop=False).loc[list(matrix.columns)]
    cell_h = 0.24
    col_h = 0.45
    fig, bottom, body_top = page(_w("heatmap_title", lang), [_w("heatmap_subtitle", lang, top=len(matrix))], docs, lang,
                                 len(matrix) * cell_h + col_h)
    label_w = text_width_in(matrix.index, 8) + 0.2
    grid_w = min(WIDTH_IN - 0.5 - label_w, 0.95 * len(matrix.columns))
    ax = axes_in(fig, 0.25 + label_w, bottom, grid_w, len(matrix) * cell_h)
    ax.imshow(matrix.to_numpy(), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(matrix.to_numpy()):
        if v > 0:
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=6.5, color="white" if v > 0.55 else INK)
    ax.set_yticks(range(len(matrix)), [plain(n) for n in matrix.index], fontsize=8)
    ax.set_xticks(range(len(matrix.columns)), [plain(jurisdiction_label(d, lang)) for d in docs.to_dict("records")], fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return name_figure(fig, "departments_heatmap", lang)


def market_regulation(lang: str = "zh", corpus: Corpus | None = None) -> Figure:
    """One bar per plan: share of its task clauses naming the market-regulation authority
    (or a predecessor), the part as lead darker. ``fig.get_label()`` is
    ``departments_market_regulation[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs = _docs(corpus)
    share = market_regulation_share(corpus.departments).set_index("doc_id").reindex(docs.doc_id).fillna(0)
    handles = [Patch(fc=COLOURS["lead"], label=_w("lead", lang)), Patch(fc=COLOURS["partner"], label=_w("partner", lang))]
    row_h = 0.36
    fig, bottom, body_top = page(_w("share_title", lang), [_w("share_subtitle", lang)], docs, lang,
                                 len(docs) * row_h + 0.35, handles)
    names = [jurisdiction_label(d, lang) for d in docs.to_dict("records")]
    label_w = text_width_in(names, 8) + 0.2
    ax = axes_in(fig, 0.25 + label_w, bottom + 0.35, WIDTH_IN - 0.5 - label_w - 1.6, len(docs) * row_h)
    y = np.arange(len(docs))
    ax.barh(y, share.lead_share, color=COLOURS["lead"], height=0.62)
    ax.barh(y, share.share - share.lead_share, left=share.lead_share, color=COLOURS["partner"], height=0.62)
    for yi, row in zip(y, share.itertuples()):
        ax.text(row.share + 0.015, yi, plain(_w("share_label", lang, named=int(row.named), tasks=int(row.tasks), lead=int(row.as_lead))),
                va="center", fontsize=7, color=INK, clip_on=False)
    ax.set_yticks(y, [plain(n) for n in names], fontsize=8)
    ax.set_ylim(len(docs) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(_w("share_axis", lang), fontsize=7, color=MUTED)
    plain_axes(ax)
    return name_figure(fig, "departments_market_regulation", lang)


__all__ = ["axes_in", "heatmap", "market_regulation", "page", "share_matrix", "tasks"]
