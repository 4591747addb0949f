"""The corpus-wide step of the terms table: TF-IDF weights over every built plan.

Reads the stacked ``terms`` rows of all plans; returns them with ``tfidf`` filled. It is
the one step of ``terms`` that needs the whole corpus, so ``build`` runs it after the plans.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def add_tfidf(terms: pd.DataFrame, n_plans: int | None = None, used_by: pd.Series | None = None) -> pd.DataFrame:
    """``terms`` with ``tfidf`` computed over every plan in it, or over a corpus of ``n_plans``
    plans in which ``used_by[term]`` plans use each term (the build passes these, one group at a time).

    tf is the term's share of the plan's words; idf is ln(N/n) for N plans of which n use
    the term, so a term every plan uses weighs nothing; each plan's vector is scaled to unit
    length, so plans of any length compare and ``analysis.themes.similarity`` is a dot product.

    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"], "term": ["质量", "锂电", "质量"], "term_count": [1, 1, 2]})
    >>> add_tfidf(t).round(3).tfidf.tolist()
    [0.0, 1.0, 0.0]
    >>> add_tfidf(t[t.doc_id == "a"], 2, pd.Series({"质量": 2, "锂电": 1})).round(3).tfidf.tolist()
    [0.0, 1.0]
    """
    if terms.empty:
        return terms.assign(tfidf=pd.Series(dtype="float64"))
    if n_plans is None:
        n_plans, plans_using = terms.doc_id.nunique(), terms.groupby("term").doc_id.transform("nunique")
    else:
        plans_using = terms.term.map(used_by)
    tf = terms["term_count"] / terms.groupby("doc_id")["term_count"].transform("sum")
    weight = tf * np.log(n_plans / plans_using)
    norm = np.sqrt((weight**2).groupby(terms.doc_id).transform("sum"))
    return terms.assign(tfidf=(weight / norm.where(norm > 0, 1.0)).astype("float64"))
