"""Terms -> themes: what sets each plan apart and what all plans share.

Reads the built ``terms`` table (``corpus.terms``); returns small tables for the themes
notebook and figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _terms(corpus) -> pd.DataFrame:
    if corpus is None:
        from qcompare.corpus import load

        corpus = load()
    return corpus.terms


def distinctive_terms(doc_id: str, n: int = 20, corpus=None) -> pd.DataFrame:
    """The ``n`` terms that most set plan ``doc_id`` apart (highest TF-IDF).

    One row per term: term, term_count, tfidf, plans (how many plans use it).
    """
    terms = _terms(corpus)
    if doc_id not in set(terms.doc_id):
        raise KeyError(f"no plan {doc_id!r} in the terms table; plans: {', '.join(sorted(set(terms.doc_id)))}")
    plans = terms.groupby("term").doc_id.nunique().rename("plans")
    own = terms[terms.doc_id == doc_id].join(plans, on="term")
    top = own.sort_values(["tfidf", "term_count", "term"], ascending=[False, False, True], kind="stable").head(n)
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
