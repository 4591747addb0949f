"""Themes: segmentation with the package dictionaries, the terms table, TF-IDF and its readers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import qcompare as qc
from qcompare.analysis.themes import similarity
from qcompare.extract import terms as t
from qcompare.schema import TABLES


@pytest.mark.parametrize(
    "text, kept, why",
    [
        ("积极培育专精特新企业", ["专精特新"], "user dictionary term kept whole"),
        ("推行首席质量官制度", ["首席质量官"], "user dictionary term kept whole"),
        ("完善质量基础设施,提供一站式服务", ["质量基础设施", "一站式服务"], "user dictionary terms"),
        ("制造业产品质量合格率达到94%以上", ["制造业产品质量合格率"], "taxonomy phrasing kept whole"),
    ],
)
def test_segment_keeps_policy_terms(text, kept, why):
    words = t.segment(text)
    for word in kept:
        assert word in words, (why, words)


def test_segment_drops_stopwords_digits_and_single_characters():
    words = t.segment("进一步加强质量工作,到2025年达到98%以上。")
    assert words == ["质量"]


def test_jieba_is_silent():
    run = subprocess.run([sys.executable, "-c", "from qcompare.extract.terms import segment; segment('锂电产业')"],
                         capture_output=True, text=True, check=True)
    assert run.stderr == ""


def test_plan_terms_leaves_out_headings_notes_and_own_place():
    clauses = pd.DataFrame({
        "is_heading": [True, False, False],
        "text": ["一、锂电产业", "宜春市建设陶瓷基地。(责任单位:市市场监管局)", "陶瓷质量提升。"],
        "responsibility_raw": [None, "责任单位:市市场监管局", None],
    })
    rows = t.plan_terms(clauses, {"doc_id": "x", "jurisdiction": "宜春市"}).set_index("term")
    assert "锂电" not in rows.index  # only in a headings-only line
    assert not rows.index.str.contains("监管").any()  # only in the responsibility note
    assert "宜春" not in rows.index and "宜春市" not in rows.index
    assert rows.loc["陶瓷", "term_count"] == 2
    assert rows.tfidf.isna().all()  # filled at corpus level


def test_tfidf_is_unit_length_per_plan_and_zero_for_shared_terms(corpus):
    terms = corpus.terms
    TABLES["terms"].validate(terms)
    norms = np.sqrt((terms.tfidf**2).groupby(terms.doc_id).sum())
    assert np.allclose(norms, 1.0)
    shared = qc.shared_terms(corpus=corpus)
    assert "质量" in set(shared.term) and (shared.plans == 5).all()
    assert np.allclose(shared.tfidf, 0.0)
    assert terms.set_index(["doc_id", "term"]).loc[("jiujiang-2024", "质量"), "term_count"] > 50


def test_distinctive_terms_real_plans(corpus):
    yichun = qc.distinctive_terms("yichun", n=20, corpus=corpus)
    assert "锂电" in set(yichun.term)
    assert list(yichun.columns) == ["term", "term_count", "tfidf", "plans"]
    assert yichun.tfidf.is_monotonic_decreasing and len(yichun) == 20
    jincheng = set(qc.distinctive_terms("jincheng-2023", n=20, corpus=corpus).term)
    assert {"康养", "古堡"} & jincheng
    with pytest.raises(KeyError, match="no plan"):
        qc.distinctive_terms("nowhere", corpus=corpus)


def test_shared_terms_min_plans(corpus):
    four = qc.shared_terms(4, corpus=corpus)
    assert (four.plans >= 4).all() and len(four) > len(qc.shared_terms(corpus=corpus))
    assert four.iloc[0].term == "质量"


def test_similarity(corpus):
    sim = similarity(corpus.terms)
    assert np.allclose(np.diag(sim), 1.0) and np.allclose(sim, sim.T)
    off = sim.where(~np.eye(len(sim), dtype=bool)).stack()
    assert set(off.idxmax()) == {"jiujiang-2024", "yichun"}  # the two Jiangxi plans share one template


def test_figures(corpus):
    from qcompare.figures import themes as plot_terms

    for draw in (plot_terms.distinctive, plot_terms.shared, plot_terms.similarity):
        assert draw(lang="zh", corpus=corpus).get_label().startswith("themes_")
    matrix = plot_terms.shared_matrix(corpus, n=10)
    assert matrix.index[0] == "质量" and matrix.notna().all().all()


def test_place_names_and_function_words_are_not_distinctive(corpus):
    from qcompare.analysis.themes import is_topic_word

    shown = {t for d in corpus.documents.doc_id for t in qc.distinctive_terms(d, n=12, corpus=corpus).term}
    assert not shown & {"江西", "山西", "长江", "高安", "太行"}  # each ranked in a plan's top 12 before
    assert {"锂电", "有机硅", "煤层气"} <= shown
    assert not is_topic_word("九江") and is_topic_word("民宿")


def test_term_figures_are_not_drawn_in_english(corpus):
    from qcompare.figures import themes as plot_terms

    with pytest.raises(qc.QcompareError, match="draw them with lang='zh'"):
        plot_terms.distinctive(lang="en", corpus=corpus)
    assert plot_terms.similarity(lang="en", corpus=corpus).get_label() == "themes_similarity_en"
