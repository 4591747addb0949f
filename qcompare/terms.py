"""Clauses -> terms: what each plan talks about, as word counts and TF-IDF.

Reads one plan's ``clauses`` rows; returns rows of the ``terms`` table (one row per term
a plan uses, with its count). :func:`add_tfidf` fills ``tfidf`` once every plan is
counted. Words come from jieba with the package's user dictionary
(``data/userdict.txt`` plus the taxonomy's indicator phrasings); ``data/stopwords.txt``
lists the words left out.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd

from .taxonomy import phrase_key, taxonomy

_WORD = re.compile(r"[\u3400-\u9fff]{2,}")  # two or more Chinese characters, nothing else
_JURISDICTION_SUFFIX = re.compile(r"(?:省|市|县|区|自治区|自治州)$")


def _lines(name: str) -> list[str]:
    text = files("qcompare").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def stopwords() -> frozenset[str]:
    """The words ``data/stopwords.txt`` leaves out of the terms table."""
    return frozenset(_lines("stopwords.txt"))


@cache
def tokenizer():
    """A jieba tokenizer of its own (jieba's global one is left alone), with the user dictionary."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba prints its dictionary loading to stderr otherwise
    tk = jieba.Tokenizer()
    tk.initialize()
    for line in _lines("userdict.txt"):
        word, *rest = line.split()
        tk.add_word(word, int(rest[0]) if rest and rest[0].isdigit() else None)
    for phrasings in taxonomy().phrasings:
        for phrasing in phrasings:
            tk.add_word(phrase_key(phrasing))
    return tk


def segment(text: str) -> list[str]:
    """The terms of ``text``: jieba words of two or more Chinese characters, stopwords left out.

    >>> segment("积极培育专精特新企业,推行首席质量官制度。")
    ['培育', '专精特新', '企业', '首席质量官', '制度']
    """
    stop = stopwords()
    return [w for w in tokenizer().lcut(text) if _WORD.fullmatch(w) and w not in stop]


def body_text(text: str, note: str | None) -> str:
    """A clause's text without its closing responsibility note (departments has it).

    >>> body_text("加强监管。(责任单位:市市场监管局)", "责任单位:市市场监管局")
    '加强监管。'
    """
    if not isinstance(note, str) or not note:
        return text
    at = text.rfind(note)
    return text[: max(0, at - 1)] if at >= 0 else text


def plan_terms(clauses: pd.DataFrame, document: pd.Series | dict) -> pd.DataFrame:
    """Rows of the ``terms`` table for one plan: one row per term, with its count.

    Headings-only lines and responsibility notes are left out, and so is the plan's own
    jurisdiction name (宜春, 宜春市 in Yichun's plan), which says nothing about its themes.
    ``tfidf`` is left empty: it needs the whole corpus (:func:`add_tfidf`).
    """
    jurisdiction = document.get("jurisdiction") or ""
    own = {jurisdiction, _JURISDICTION_SUFFIX.sub("", jurisdiction)}
    counts: Counter[str] = Counter()
    body = clauses[~clauses.is_heading.astype(bool)]
    for text, note in zip(body.text, body.responsibility_raw):
        counts.update(w for w in segment(body_text(text, note)) if w not in own)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    df = pd.DataFrame(rows, columns=["term", "count"])
    df.insert(0, "doc_id", document["doc_id"])
    df["tfidf"] = np.nan
    return df


def add_tfidf(terms: pd.DataFrame) -> pd.DataFrame:
    """``terms`` with ``tfidf`` computed over every plan in it.

    tf is the term's share of the plan's words; idf is ln(N/n) for N plans of which n use
    the term, so a term every plan uses weighs nothing; each plan's vector is scaled to unit
    length, so plans of any length compare and :func:`similarity` is a dot product.

    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"], "term": ["质量", "锂电", "质量"], "count": [1, 1, 2]})
    >>> add_tfidf(t).round(3).tfidf.tolist()
    [0.0, 1.0, 0.0]
    """
    if terms.empty:
        return terms.assign(tfidf=pd.Series(dtype="float64"))
    n_plans = terms.doc_id.nunique()
    used_by = terms.groupby("term").doc_id.transform("nunique")
    tf = terms["count"] / terms.groupby("doc_id")["count"].transform("sum")
    weight = tf * np.log(n_plans / used_by)
    norm = np.sqrt((weight**2).groupby(terms.doc_id).transform("sum"))
    return terms.assign(tfidf=(weight / norm.where(norm > 0, 1.0)).astype("float64"))


def _terms(corpus) -> pd.DataFrame:
    if corpus is None:
        from .corpus import load

        corpus = load()
    return corpus.terms


def distinctive_terms(doc_id: str, n: int = 20, corpus=None) -> pd.DataFrame:
    """The ``n`` terms that most set plan ``doc_id`` apart (highest TF-IDF).

    One row per term: term, count, tfidf, plans (how many plans use it).
    """
    terms = _terms(corpus)
    if doc_id not in set(terms.doc_id):
        raise KeyError(f"no plan {doc_id!r} in the terms table; plans: {', '.join(sorted(set(terms.doc_id)))}")
    plans = terms.groupby("term").doc_id.nunique().rename("plans")
    own = terms[terms.doc_id == doc_id].join(plans, on="term")
    top = own.sort_values(["tfidf", "count", "term"], ascending=[False, False, True], kind="stable").head(n)
    return top[["term", "count", "tfidf", "plans"]].reset_index(drop=True)


def shared_terms(min_plans: int | None = None, corpus=None) -> pd.DataFrame:
    """Terms used by at least ``min_plans`` plans (default: every plan), most used first.

    One row per term: term, plans, count (over those plans), tfidf (mean over the plans using it).
    """
    terms = _terms(corpus)
    min_plans = terms.doc_id.nunique() if min_plans is None else min_plans
    out = terms.groupby("term").agg(plans=("doc_id", "nunique"), count=("count", "sum"), tfidf=("tfidf", "mean"))
    out = out[out.plans >= min_plans].reset_index()
    return out.sort_values(["plans", "count", "term"], ascending=[False, False, True], kind="stable").reset_index(drop=True)


def similarity(terms: pd.DataFrame) -> pd.DataFrame:
    """Plan-to-plan cosine similarity of TF-IDF vectors: a square table indexed by doc_id."""
    matrix = terms.pivot_table(index="doc_id", columns="term", values="tfidf", fill_value=0.0)
    values = matrix.to_numpy()
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    unit = values / np.where(norms == 0, 1, norms)
    return pd.DataFrame(unit @ unit.T, index=matrix.index, columns=matrix.index)
