"""Terms -> themes: what sets each plan apart and what all plans share.

Reads the built ``terms`` table (``corpus.terms``); returns small tables for the themes
notebook and figures.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import yaml


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


def distinctive_terms(doc_id: str, n: int = 20, corpus=None) -> pd.DataFrame:
    """The ``n`` terms that most set plan ``doc_id`` apart (highest TF-IDF).

    One row per term: term, term_count, tfidf, plans (how many plans use it). Place names
    and function words are left out (:func:`is_topic_word`).
    """
    terms = _terms(corpus)
    if doc_id not in set(terms.doc_id):
        raise KeyError(f"no plan {doc_id!r} in the terms table; plans: {', '.join(sorted(set(terms.doc_id)))}")
    plans = terms.groupby("term").doc_id.nunique().rename("plans")
    own = terms[terms.doc_id == doc_id].join(plans, on="term")
    ranked = own.sort_values(["tfidf", "term_count", "term"], ascending=[False, False, True], kind="stable")
    top = ranked[[is_topic_word(t) for t in ranked["term"]]].head(n) if len(ranked) else ranked
    return top[["term", "term_count", "tfidf", "plans"]].reset_index(drop=True)


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
    """Plan-to-plan cosine similarity of TF-IDF vectors: a square table indexed by doc_id."""
    matrix = terms.pivot_table(index="doc_id", columns="term", values="tfidf", fill_value=0.0)
    values = matrix.to_numpy()
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    unit = values / np.where(norms == 0, 1, norms)
    return pd.DataFrame(unit @ unit.T, index=matrix.index, columns=matrix.index)
