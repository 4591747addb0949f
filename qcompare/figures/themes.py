"""Terms -> briefing figures: what each plan talks about.

Reads the corpus's ``terms`` and ``documents`` tables (through :mod:`qcompare.analysis.themes`);
draws ``distinctive`` (each plan's highest TF-IDF terms), ``shared`` (the vocabulary
every plan uses, per 1,000 words of each plan) and ``similarity`` (plan-to-plan cosine
similarity of TF-IDF vectors). Terms are shown as the plans write them, in Chinese, in
either language. Save with ``qc.plot.save(fig)``.

A figure draws at most ``MAX_PLANS`` plans, so it stays one page whatever the size of the
corpus: past that, the plans of the most alike pairs (:func:`shown_plans`), and a subtitle
line says so; the themes notebook lists every plan's terms and nearest plans as tables.
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
from qcompare.analysis.themes import distinctive_terms, most_alike, similarity as similarity_matrix

MAX_PLANS = 12  # plans a figure draws: four rows of three panels, a 12 x 12 heatmap


def shown_plans(corpus: Corpus, lang: str, plans: list[str] | None = None, most: int = MAX_PLANS) -> tuple[pd.DataFrame, list[str]]:
    """The plans a themes figure draws (``documents`` rows, one per plan) and the subtitle line
    saying which they are (none when it draws every plan).

    ``plans`` (doc_ids) are drawn as given; by default every plan when there are at most
    ``most``, else the ``most`` plans of the most alike pairs (``analysis.themes.most_alike``),
    each beside the plan it is most like.
    """
    docs = _plans_with_terms(corpus)
    if plans is None and len(docs) <= most:
        return docs, []
    picked = list(plans) if plans is not None else most_alike(similarity_matrix(corpus.terms), most)
    missing = sorted(set(picked) - set(docs.doc_id))
    if missing:
        raise QcompareError(f"plans={missing}: no plan with terms has that doc_id; see corpus.documents.doc_id")
    shown = docs.set_index("doc_id", drop=False).loc[picked].reset_index(drop=True)
    note = "plans_chosen" if plans is not None else "plans_most_alike"
    return shown, [_w(note, lang, shown=len(shown), plans=len(docs))]


def _plans_with_terms(corpus: Corpus) -> pd.DataFrame:
    """``documents`` rows of the plans that have terms, in reading order (from the terms' distinct
    plan ids: a set of the million-row doc_id column took 0.7 s a figure at 1,000 plans)."""
    return plans_in(corpus.documents, pd.DataFrame({"doc_id": corpus.terms["doc_id"].unique()}))


def distinctive(lang: str = "zh", corpus: Corpus | None = None, n: int = 12, plans: list[str] | None = None) -> Figure:
    """Small multiples, one panel per plan (:func:`shown_plans`): its ``n`` most distinctive terms by TF-IDF.
    ``fig.get_label()`` is ``themes_distinctive``; Chinese only (:func:`chinese_terms_only`)."""
    lang = chinese_terms_only(lang)
    corpus = corpus if corpus is not None else load()
    docs, which = shown_plans(corpus, lang, plans)
    ncols = 1 if len(docs) == 1 else 3
    nrows = math.ceil(len(docs) / ncols)
    panel_h, gap = n * 0.18, 0.6
    fig, bottom, top = page(_w("distinctive_title", lang), [_w("distinctive_subtitle", lang, n=n), *which], docs, lang,
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


def shared_matrix(corpus: Corpus, n: int = 25, plans: list[str] | None = None) -> pd.DataFrame:
    """Term x plan: uses per 1,000 words of the plan, for the ``n`` terms every plan uses that
    are used most (summed over every plan); columns ``plans`` (default: every plan, in reading order).

    Only the rows of terms every plan uses are pivoted, not plans x vocabulary."""
    terms = corpus.terms
    per_k = terms["term_count"] / terms.groupby("doc_id")["term_count"].transform("sum") * 1000
    words, _ = pd.factorize(terms["term"])
    everywhere = np.bincount(words)[words] == terms["doc_id"].nunique()  # (doc_id, term) is the key: rows per term = plans
    rows = terms[everywhere].assign(per_k=per_k[everywhere])
    top = rows.groupby("term")["per_k"].sum().sort_values(ascending=False, kind="stable").index[:n]
    matrix = rows[rows["term"].isin(top)].pivot(index="term", columns="doc_id", values="per_k").reindex(top)
    return matrix[list(plans) if plans is not None else list(_plans_with_terms(corpus).doc_id)]


def shared(lang: str = "zh", corpus: Corpus | None = None, n: int = 25, plans: list[str] | None = None) -> Figure:
    """Heatmap of :func:`shared_matrix` for the plans of :func:`shown_plans`: how often each uses the
    vocabulary every plan shares. ``fig.get_label()`` is ``themes_shared``; Chinese only (:func:`chinese_terms_only`)."""
    lang = chinese_terms_only(lang)
    corpus = corpus if corpus is not None else load()
    docs, which = shown_plans(corpus, lang, plans)
    matrix = shared_matrix(corpus, n, list(docs.doc_id))
    everyone = corpus.terms["doc_id"].nunique()
    return _heatmap(matrix, docs, lang, _w("shared_title", lang),
                    [_w("shared_subtitle", lang, n=len(matrix), plans=everyone), *which], "{:.1f}", "themes_shared", list(matrix.index))


def similarity(lang: str = "zh", corpus: Corpus | None = None, plans: list[str] | None = None) -> Figure:
    """Heatmap of plan-to-plan cosine similarity of TF-IDF vectors, for the plans of :func:`shown_plans`.
    ``fig.get_label()`` is ``themes_similarity[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    docs, which = shown_plans(corpus, lang, plans)
    order = list(docs.doc_id)
    matrix = similarity_matrix(corpus.terms).loc[order, order]
    names = [jurisdiction_label(d, lang) for d in docs.to_dict("records")]
    return _heatmap(matrix, docs, lang, _w("similarity_title", lang), [_w("similarity_subtitle", lang), *which], "{:.2f}",
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


__all__ = ["MAX_PLANS", "distinctive", "shared", "shared_matrix", "shown_plans", "similarity"]
