"""Terms -> themes: what sets each plan apart and what all plans share.

Reads the built ``terms`` table (``corpus.terms``); returns small tables for the themes
notebook and figures. Plans per term, each plan's ranking and the similarity matrix are
computed once per table and shared by the calls on it (the themes notebook asks for every
plan's distinctive terms: regrouping the table per plan made that cell quadratic, 579 s at
1,000 plans). Everything is linear in the terms table except the similarity matrix, which
has plans² cells; what is read from it is bounded: each plan's nearest plans, and the plans
of the most alike pairs.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from qcompare.knowledge.data import data_yaml
from qcompare.memo import per_table


def _terms(corpus) -> pd.DataFrame:
    if corpus is None:
        from qcompare.corpus import load

        corpus = load()
    return corpus.terms


@cache
def _excluded() -> tuple[frozenset, frozenset]:
    """Parts of speech and place names that are never distinctive terms (``data/themes.yml``)."""
    data = data_yaml("themes.yml")
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
    return per_table("themes.ranked", terms, _rank)


def _rank(terms: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, slice]]:
    docs, _ = pd.factorize(terms.doc_id, sort=True)  # ranks of strings: sorting the vocabulary, not every row
    words, _ = pd.factorize(terms.term, sort=True)
    order = np.lexsort((words, -terms.term_count.to_numpy(), -terms.tfidf.to_numpy(), docs))
    plans = np.bincount(words)[words]  # (doc_id, term) is the key: rows per term = plans using it
    ranked = terms.assign(plans=plans.astype("int64")).iloc[order].reset_index(drop=True)
    starts = ranked.doc_id.ne(ranked.doc_id.shift()).to_numpy().nonzero()[0]
    ends = [*starts[1:], len(ranked)]
    where = {ranked.doc_id.iat[s]: slice(s, e) for s, e in zip(starts, ends)}
    return ranked[["term", "term_count", "tfidf", "plans"]], where


def distinctive_terms(doc_id: str, n: int = 20, corpus=None) -> pd.DataFrame:
    """The ``n`` terms that most set plan ``doc_id`` apart (highest TF-IDF).

    One row per term: term, term_count, tfidf, plans (how many plans use it). Place names
    and function words are left out (:func:`is_topic_word`).
    """
    ranked, where = ranked_terms(_terms(corpus))
    if doc_id not in where:
        raise KeyError(f"no plan {doc_id!r} in the terms table; plans: {', '.join(sorted(where))}")
    own = ranked.iloc[where[doc_id]]
    keep = []  # the first n topic words: is_topic_word runs jieba's tagger (about 1 ms a new word), so only on those read
    for i, term in enumerate(own["term"]):
        if len(keep) == n:
            break
        if is_topic_word(term):
            keep.append(i)
    return own.iloc[keep].reset_index(drop=True)


def shared_terms(min_plans: int | None = None, corpus=None) -> pd.DataFrame:
    """Terms used by at least ``min_plans`` plans (default: every plan), most used first.

    One row per term: term, plans, term_count (over those plans), tfidf (mean over the plans using it).
    """
    terms = _terms(corpus)
    min_plans = terms.doc_id.nunique() if min_plans is None else min_plans
    out = terms.groupby("term").agg(plans=("doc_id", "nunique"), term_count=("term_count", "sum"), tfidf=("tfidf", "mean"))
    out = out[out.plans >= min_plans].reset_index()
    return out.sort_values(["plans", "term_count", "term"], ascending=[False, False, True], kind="stable").reset_index(drop=True)


def similarity(terms: pd.DataFrame) -> pd.DataFrame:
    """Plan-to-plan cosine similarity of TF-IDF vectors: a square table indexed by doc_id
    (plans² cells: 8 MB at 1,000 plans). Computed once per table; read it, do not change it.

    From the sparse rows, not a plans x vocabulary pivot: only terms with weight in two or
    more plans can add to a pair, so the product runs over those, a block of terms at a time.

    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "term": ["x", "y", "x", "z"], "tfidf": [0.6, 0.8, 1.0, 1.0]})
    >>> similarity(t).round(2).to_numpy().tolist()
    [[1.0, 0.6, 0.0], [0.6, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    return per_table("themes.similarity", terms, _cosine)


def _cosine(terms: pd.DataFrame, block: int = 4096) -> pd.DataFrame:
    docs = np.sort(terms.doc_id.unique())
    weighted = terms[terms.tfidf != 0]
    row = np.searchsorted(docs, weighted.doc_id.to_numpy())
    weight = weighted.tfidf.to_numpy(dtype="float64")
    norms = np.sqrt(np.bincount(row, weights=weight**2, minlength=len(docs)))
    words, _ = pd.factorize(weighted.term)
    shared = np.bincount(words)[words] > 1
    _, column = np.unique(words[shared], return_inverse=True)
    product = np.zeros((len(docs), len(docs)))
    for lo in range(0, column.max() + 1 if len(column) else 0, block):
        inside = (column >= lo) & (column < lo + block)
        dense = np.zeros((len(docs), block))
        dense[row[shared][inside], column[inside] - lo] = weight[shared][inside]
        product += dense @ dense.T
    np.fill_diagonal(product, norms**2)
    scale = np.where(norms == 0, 1, norms)
    return pd.DataFrame(product / scale[:, None] / scale[None, :], index=pd.Index(docs, name="doc_id"), columns=pd.Index(docs, name="doc_id"))


def nearest_plans(matrix: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """Each plan's ``k`` most alike other plans in a :func:`similarity` matrix: one row per plan
    and rank (doc_id, rank from 1, nearest: the other plan's doc_id, similarity). Plans that share
    no distinctive term with a plan are not its neighbours.

    >>> m = pd.DataFrame([[1, .6, 0], [.6, 1, .1], [0, .1, 1]], index=list("abc"), columns=list("abc"))
    >>> nearest_plans(m, k=1).to_dict("records")
    [{'doc_id': 'a', 'rank': 1, 'nearest': 'b', 'similarity': 0.6}, {'doc_id': 'b', 'rank': 1, 'nearest': 'a', 'similarity': 0.6}, {'doc_id': 'c', 'rank': 1, 'nearest': 'b', 'similarity': 0.1}]
    """
    values = matrix.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(values, -np.inf)
    k = min(k, len(values) - 1)
    best = np.argsort(-values, axis=1, kind="stable")[:, :k]  # ties: the earlier doc_id
    rows = pd.DataFrame({"doc_id": np.repeat(matrix.index.to_numpy(), k), "rank": np.tile(np.arange(1, k + 1), len(values)),
                         "nearest": matrix.columns.to_numpy()[best.ravel()],
                         "similarity": np.take_along_axis(values, best, axis=1).ravel()})
    return rows[rows.similarity > 0].reset_index(drop=True)


def most_alike(matrix: pd.DataFrame, plans: int) -> list[str]:
    """Up to ``plans`` doc_ids from a :func:`similarity` matrix, taken pair by pair from the most
    alike pair down, so each plan sits next to the one it is most like (a pair that would
    overflow is skipped; plans sharing nothing are never taken).

    >>> m = pd.DataFrame([[1, .2, .9, 0], [.2, 1, .3, 0], [.9, .3, 1, 0], [0, 0, 0, 1]], index=list("abcd"), columns=list("abcd"))
    >>> most_alike(m, 2), most_alike(m, 3), most_alike(m, 4)
    (['a', 'c'], ['a', 'c', 'b'], ['a', 'c', 'b'])
    """
    values = matrix.to_numpy(dtype=float)
    i, j = np.triu_indices(len(values), k=1)
    pairs = values[i, j]
    keep = []
    for p in np.argsort(-pairs, kind="stable"):
        if pairs[p] <= 0 or len(keep) >= plans:
            break
        new = [d for d in (matrix.index[i[p]], matrix.index[j[p]]) if d not in keep]
        if len(keep) + len(new) <= plans:
            keep += new
    return keep
