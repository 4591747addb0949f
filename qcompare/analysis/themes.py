"""Terms -> themes: what sets each plan apart and what all plans share.

Reads the built ``terms`` table (``corpus.terms``); returns small tables for the themes
notebook and figures. Every function is linear in the terms table: plans per term and each
plan's ranking are computed once per table and shared by the calls on it (the themes
notebook asks for every plan's distinctive terms: regrouping the table per plan made that
cell quadratic, 579 s at 1,000 plans).
"""

from __future__ import annotations

import weakref
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import yaml

_RANKED: dict[int, tuple[weakref.ref, pd.DataFrame, dict]] = {}  # id(terms) -> (the table, its ranking, plan -> rows)


def _terms(corpus) -> pd.DataFrame:
    if corpus is None:
        from qcompare.corpus import load

        corpus = load()
    return corpus.terms


@cache
def _excluded() -> tuple[frozenset, frozenset]:
    """Parts of speech and place names that are never distinctive terms (``data/themes.yml``)."""
    data = yaml.safe_load(files("qcompare").joinpath("data/themes.yml").read_text(encoding="utf-8"))
    return frozenset(data["exclude_pos"]), frozenset(data["places"])


@cache
def is_topic_word(term: str) -> bool:
    """False for place names and function words (``data/themes.yml``), which say where a plan
    is, not what it is about.

    >>> is_topic_word("锂电"), is_topic_word("江西"), is_topic_word("高安")
    (True, False, False)
    """
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    pos, places = _excluded()
    return term not in places and not any(w.flag in pos for w in jieba.posseg.lcut(term))


def ranked_terms(terms: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, slice]]:
    """Every row of ``terms`` (term, term_count, tfidf, plans: how many plans use the term), ranked
    within each plan by tfidf, then term_count, then term; and each plan's rows as a slice. Computed once per table."""
    cached = _RANKED.get(id(terms))
    if cached and cached[0]() is terms:
        return cached[1], cached[2]
    docs, _ = pd.factorize(terms.doc_id, sort=True)  # ranks of strings: sorting the vocabulary, not every row
    words, _ = pd.factorize(terms.term, sort=True)
    order = np.lexsort((words, -terms.term_count.to_numpy(), -terms.tfidf.to_numpy(), docs))
    plans = np.bincount(words)[words]  # (doc_id, term) is the key: rows per term = plans using it
    ranked = terms.assign(plans=plans.astype("int64")).iloc[order].reset_index(drop=True)
    starts = ranked.doc_id.ne(ranked.doc_id.shift()).to_numpy().nonzero()[0]
    ends = [*starts[1:], len(ranked)]
    where = {ranked.doc_id.iat[s]: slice(s, e) for s, e in zip(starts, ends)}
    ranked = ranked[["term", "term_count", "tfidf", "plans"]]
    _RANKED.clear()  # one table at a time: a notebook works on one corpus
    _RANKED[id(terms)] = (weakref.ref(terms), ranked, where)
    return ranked, where


def distinctive_terms(doc_id: str, n: int = 20, corpus=None) -> pd.DataFrame:
    """The ``n`` terms that most set plan ``doc_id`` apart (highest TF-IDF).

    One row per term: term, term_count, tfidf, plans (how many plans use it). Place names
    and function words are left out (:func:`is_topic_word`).
    """
    ranked, where = ranked_terms(_terms(corpus))
    if doc_id not in where:
        raise KeyError(f"no plan {doc_id!r} in the terms table; plans: {', '.join(sorted(where))}")
    own = ranked.iloc[where[doc_id]]
    return own[[is_topic_word(t) for t in own["term"]]].head(n).reset_index(drop=True)


def shared_terms(min_plans: int | None = None, corpus=None) -> pd.DataFrame:
    """Terms used by at least ``min_plans`` plans (default: every plan), most used first.

    One row per term: term, plans, term_count (over those plans), tfidf (mean over the plans using it).
    """
    terms = _terms(corpus)
    min_plans = terms.doc_id.nunique() if min_plans is None else min_plans
    out = terms.groupby("term").agg(plans=("doc_id", "nunique"), term_count=("term_count", "sum"), tfidf=("tfidf", "mean"))
    out = out[out.plans >= min_plans].reset_index()
    return out.sort_values(["plans", "term_count", "term"], ascending=[False, False, True], kind="stable").reset_index(drop=True)


def similarity(terms: pd.DataFrame, block: int = 4096) -> pd.DataFrame:
    """Plan-to-plan cosine similarity of TF-IDF vectors: a square table indexed by doc_id.

    From the sparse rows, not a plans x vocabulary pivot: only terms with weight in two or
    more plans can add to a pair, so the product runs over those, ``block`` terms at a time.

    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "term": ["x", "y", "x", "z"], "tfidf": [0.6, 0.8, 1.0, 1.0]})
    >>> similarity(t).round(2).to_numpy().tolist()
    [[1.0, 0.6, 0.0], [0.6, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    docs = np.sort(terms.doc_id.unique())
    weighted = terms[terms.tfidf != 0]
    row = np.searchsorted(docs, weighted.doc_id.to_numpy())
    weight = weighted.tfidf.to_numpy(dtype="float64")
    norms = np.sqrt(np.bincount(row, weights=weight**2, minlength=len(docs)))
    shared = weighted.term.map(weighted.term.value_counts()).to_numpy() > 1
    column, _ = pd.factorize(weighted.term[shared])
    product = np.zeros((len(docs), len(docs)))
    for lo in range(0, column.max() + 1 if len(column) else 0, block):
        inside = (column >= lo) & (column < lo + block)
        dense = np.zeros((len(docs), block))
        dense[row[shared][inside], column[inside] - lo] = weight[shared][inside]
        product += dense @ dense.T
    np.fill_diagonal(product, norms**2)
    scale = np.where(norms == 0, 1, norms)
    return pd.DataFrame(product / scale[:, None] / scale[None, :], index=pd.Index(docs, name="doc_id"), columns=pd.Index(docs, name="doc_id"))
