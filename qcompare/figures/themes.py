"""Terms -> briefing figures: what each plan talks about.

Reads the corpus's ``terms`` and ``documents`` tables (through :mod:`qcompare.extract.terms`);
draws ``distinctive`` (each plan's highest TF-IDF terms), ``shared`` (the vocabulary
every plan uses, per 1,000 words of each plan) and ``similarity`` (plan-to-plan cosine
similarity of TF-IDF vectors). Terms are shown as the plans write them, in Chinese, in
either language. Save with ``qc.plot.save(fig)``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from qcompare.corpus import Corpus, load
from qcompare.figures.page import (INK, MUTED, OKABE_ITO, WIDTH_IN, axes_in, heatmap, jurisdiction_label, name_figure, page, plans_in,
                                   plain, plain_axes, text_width_in)
from qcompare.errors import QcompareError
from qcompare.knowledge.labels import check_lang, wording as _w
from qcompare.analysis.themes import distinctive_terms, similarity as similarity_matrix

def distinctive(lang: str = "zh", corpus: Corpus | None = None, n: int = 12) -> Figure:
    """Small multiples, one panel per plan: its ``n`` most distinctive terms by TF-IDF.
    ``fig.get_label()`` is ``themes_distinctive``; Chinese only (:func:`chinese_terms_only`)."""
    lang = chinese_terms_only(lang)
    corpus = corpus if corpus is not None else load()
    docs = plans_in(corpus.documents, corpus.terms)
    ncols = 1 if len(docs) == 1 else 3
    nrows = math.ceil(len(docs) / ncols)
    panel_h, gap = n * 0.18, 0.6
    fig, bottom, top = page(_w("distinctive_title", lang), [_w("distinctive_subtitle", lang, n=n)], docs, lang,
                            nrows * (panel_h + gap))
    tables = {d: distinctive_terms(d, n, corpus) for d in docs.doc_id}
    label_w = text_width_in([t for df in tables.values() for t in df.term], 7.5) + 0.1
    panel_w = (WIDTH_IN - 0.3 - ncols * label_w - (ncols - 1) * 0.25) / ncols
    xmax = max((df.tfidf.max() for df in tables.values() if len(df)), default=1)
    for i, doc in enumerate(docs.to_dict("records")):
        r, c = divmod(i, ncols)
        left = 0.25 + label_w + c * (panel_w + label_w + 0.25)
        ax = axes_in(fig, left, top - (r + 1) * (panel_h + gap) + 0.35, panel_w, panel_h)
        rows = tables[doc["doc_id"]]
        y = np.arange(len(rows))
        ax.barh(y, rows.tfidf, color=OKABE_ITO["blue"], height=0.7)
        ax.set_yticks(y, [plain(t) for t in rows.term], fontsize=7.5)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, xmax * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(3))
        plain_axes(ax)
        ax.set_title(plain(jurisdiction_label(doc, lang)), loc="left", fontsize=8.5, color=INK, pad=4, x=-label_w / panel_w)
        if i + ncols >= len(docs):
            ax.set_xlabel(_w("tfidf", lang), fontsize=7, color=MUTED)
    return name_figure(fig, "themes_distinctive", lang)


def shared_matrix(corpus: Corpus, n: int = 25) -> pd.DataFrame:
    """Term x plan: uses per 1,000 words of the plan, for the ``n`` most used terms every plan uses."""
    terms = corpus.terms
    per_k = terms.assign(per_k=terms["term_count"] / terms.groupby("doc_id")["term_count"].transform("sum") * 1000)
    matrix = per_k.pivot_table(index="term", columns="doc_id", values="per_k")
    everywhere = matrix.dropna()
    everywhere = everywhere.loc[everywhere.sum(axis=1).sort_values(ascending=False, kind="stable").index[:n]]
    return everywhere[[d for d in plans_in(corpus.documents, corpus.terms).doc_id]]


def shared(lang: str = "zh", corpus: Corpus | None = None, n: int = 25) -> Figure:
    """Heatmap of :func:`shared_matrix`: how often each plan uses the shared vocabulary.
    ``fig.get_label()`` is ``themes_shared``; Chinese only (:func:`chinese_terms_only`)."""
    lang = chinese_terms_only(lang)
    corpus = corpus if corpus is not None else load()
    docs = plans_in(corpus.documents, corpus.terms)
    matrix = shared_matrix(corpus, n)
    return _heatmap(matrix, docs, lang, _w("shared_title", lang),
                    [_w("shared_subtitle", lang, n=len(matrix), plans=len(docs))], "{:.1f}", "themes_shared", list(matrix.index))


def similarity(lang: str = "zh", corpus: Corpus | None = None) -> Figure:
    """Heatmap of plan-to-plan cosine similarity of TF-IDF vectors.
    ``fig.get_label()`` is ``themes_similarity[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs = plans_in(corpus.documents, corpus.terms)
    order = list(docs.doc_id)
    matrix = similarity_matrix(corpus.terms).loc[order, order]
    names = [jurisdiction_label(d, lang) for d in docs.to_dict("records")]
    return _heatmap(matrix, docs, lang, _w("similarity_title", lang), [_w("similarity_subtitle", lang)], "{:.2f}",
                    "themes_similarity", names, blank_diagonal=True)


def chinese_terms_only(lang: str) -> str:
    """The term figures are drawn in Chinese only: the terms are the plans' own words and no
    glossary translates them, so an English chart would be a Chinese one with English titles."""
    if check_lang(lang) != "zh":
        raise QcompareError(f"lang={lang!r}: term figures show the plans' Chinese words; draw them with lang='zh'")
    return lang


def _heatmap(matrix: pd.DataFrame, docs: pd.DataFrame, lang: str, title: str, subtitle: list[str], fmt: str, key: str,
             row_labels: list[str], blank_diagonal: bool = False) -> Figure:
    """Plans as columns, ``matrix`` values printed in the cells; a blank diagonal leaves the
    1.0 of a plan with itself uncoloured, so the colour scale spans the other pairs."""
    cell_h = 0.24 if len(matrix) > 8 else 0.42
    fig, bottom, top = page(title, subtitle, docs, lang, len(matrix) * cell_h + 0.45)
    label_w = text_width_in(row_labels, 8) + 0.2
    grid_w = min(WIDTH_IN - 0.5 - label_w, 0.95 * len(matrix.columns))
    ax = axes_in(fig, 0.25 + label_w, bottom, grid_w, len(matrix) * cell_h)
    values = matrix.to_numpy(dtype=float)
    shown = np.where(np.eye(*values.shape, dtype=bool), np.nan, values) if blank_diagonal else values
    vmax = np.nanmax(shown) if np.isfinite(shown).any() else 1.0
    columns = docs.set_index("doc_id", drop=False).loc[list(matrix.columns)].to_dict("records")
    heatmap(ax, values, shown, fmt, vmax, row_labels, [jurisdiction_label(d, lang) for d in columns])
    return name_figure(fig, key, lang)


__all__ = ["distinctive", "shared", "shared_matrix", "similarity"]
