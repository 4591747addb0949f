"""Departments -> briefing figures: who carries each plan's tasks.

Reads the corpus's ``departments`` and ``documents`` tables (through
:mod:`qcompare.extract.departments`); draws ``tasks`` (bodies with the most tasks per plan, lead
vs partner), ``heatmap`` (body x jurisdiction) and ``market_regulation`` (the
market-regulation authority's share of each plan's tasks). Body names come from
``data/departments.yml``, jurisdictions and source lines from the plan sidecars; the
chart's own wording is in ``data/labels.yml``. Save with ``qc.plot.save(fig)``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from qcompare.corpus import Corpus, load
from qcompare.analysis.departments import market_regulation_share, task_counts
from qcompare.figures.page import (INK, MUTED, OKABE_ITO, WIDTH_IN, axes_in, heatmap as draw_heatmap,
                                   jurisdiction_label, name_figure, page, plans_in, plain, plain_axes, text_width_in)
from qcompare.knowledge.labels import check_lang, wording as _w

COLOURS = {"lead": OKABE_ITO["blue"], "partner": OKABE_ITO["sky_blue"], "inherited": "#CFCFCF"}


def tasks(lang: str = "zh", corpus: Corpus | None = None, top: int = 8) -> Figure:
    """Small multiples, one panel per plan: the ``top`` bodies by task clauses, as stacked
    bars of lead, partner and section-note mentions. ``fig.get_label()`` is ``departments_tasks[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs = plans_in(corpus.documents, corpus.departments)
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
    return matrix.loc[keep, [d for d in plans_in(corpus.documents, corpus.departments).doc_id if d in matrix.columns]]


def heatmap(lang: str = "zh", corpus: Corpus | None = None, top: int = 20) -> Figure:
    """Heatmap of :func:`share_matrix`, the share printed in each cell.
    ``fig.get_label()`` is ``departments_heatmap[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs = plans_in(corpus.documents, corpus.departments)
    matrix = share_matrix(corpus, lang, top)
    docs = docs.set_index("doc_id", drop=False).loc[list(matrix.columns)]
    cell_h = 0.24
    col_h = 0.45
    fig, bottom, body_top = page(_w("heatmap_title", lang), [_w("heatmap_subtitle", lang, top=len(matrix))], docs, lang,
                                 len(matrix) * cell_h + col_h)
    label_w = text_width_in(matrix.index, 8) + 0.2
    grid_w = min(WIDTH_IN - 0.5 - label_w, 0.95 * len(matrix.columns))
    ax = axes_in(fig, 0.25 + label_w, bottom, grid_w, len(matrix) * cell_h)
    values = matrix.to_numpy(dtype=float)
    draw_heatmap(ax, values, values, "{:.0%}", 1.0, matrix.index, [jurisdiction_label(d, lang) for d in docs.to_dict("records")])
    return name_figure(fig, "departments_heatmap", lang)


def market_regulation(lang: str = "zh", corpus: Corpus | None = None) -> Figure:
    """One bar per plan: share of its task clauses naming the market-regulation authority
    (or a predecessor), the part as lead darker. ``fig.get_label()`` is
    ``departments_market_regulation[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs = plans_in(corpus.documents, corpus.departments)
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


__all__ = ["heatmap", "market_regulation", "share_matrix", "tasks"]
