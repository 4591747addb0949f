"""Clauses -> terms: what each plan talks about, as word counts and TF-IDF.

Reads one plan's ``clauses`` rows; returns rows of the ``terms`` table (one row per term
a plan uses, with its count); ``qcompare.tfidf`` fills ``tfidf`` once every plan is
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

from qcompare.knowledge.taxonomy import phrase_key, taxonomy
from qcompare.schema import TABLES

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
    ``tfidf`` is left empty: it needs the whole corpus (``qcompare.tfidf``).
    """
    jurisdiction = document.get("jurisdiction") or ""
    own = {jurisdiction, _JURISDICTION_SUFFIX.sub("", jurisdiction)}
    counts: Counter[str] = Counter()
    body = clauses[~clauses.is_heading.astype(bool)]
    for text, note in zip(body.text, body.responsibility_raw):
        counts.update(w for w in segment(body_text(text, note)) if w not in own)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    df = pd.DataFrame(rows, columns=TABLES["terms"].names[1:3])
    df.insert(0, "doc_id", document["doc_id"])
    df["tfidf"] = np.nan
    return df
