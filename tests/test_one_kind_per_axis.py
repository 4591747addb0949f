"""No chart or comparison puts two kinds of number on one axis (issue 12), over every
indicator and family that the bundled plans and the development set set."""

from __future__ import annotations

import pytest

import qcompare as qc
from qcompare.analysis.compare import ordered_documents, resolve
from qcompare.corpus import Corpus
from qcompare.figures.compare import chart_rows
from qcompare.figures.coverage import _representative
from qcompare.knowledge.labels import number

def _names(corpus: Corpus) -> list[str]:
    mapped = corpus.targets.dropna(subset=["indicator_id"])
    return sorted(set(mapped["indicator_id"]) | set(mapped["family"]))


@pytest.mark.parametrize("which", ["bundled", "devset"])
def test_every_compare_chart_has_one_kind_and_unit_on_its_axis(which, corpus, devset):
    c = corpus if which == "bundled" else devset
    docs = ordered_documents(c.documents)
    mixed = 0
    for name in _names(c):
        table = qc.compare(name, corpus=c)
        rows, kind, unit, _ = chart_rows(resolve(name), table, docs[docs["doc_id"].isin(table["doc_id"])], c, "zh")
        axis = {r.on_axis for r in rows if r.kind == "point"}
        assert axis <= {(kind, unit)}, (name, axis)
        values = table[table["status"] == "value"]
        mixed += values["kind"].nunique() > 1
        # every number is shown once: a point on the axis or a text row
        assert sum(r.kind == "point" or r.style == "other" for r in rows) == len(values), name
        # national references and baselines only beside levels
        assert table.loc[table["kind"] != "level", ["national_target", "baseline_value"]].isna().all().all(), name
    assert mixed > 0  # the corpus does hold families with two kinds, so the test has something to split


@pytest.mark.parametrize("which", ["bundled", "devset"])
def test_every_coverage_cell_names_its_kind(which, corpus, devset):
    c = corpus if which == "bundled" else devset
    cells = _representative(c)
    added = cells[cells["kind"] == "added"]
    assert len(added)  # both corpora set additions (新增…)
    page_words = [t.get_text() for fig in qc.plot.coverage(corpus=c) for t in fig.axes[0].texts]
    for value, unit in zip(added["value"].head(5), added["unit"].head(5)):
        assert any(w.startswith("新增") and number(value) in w for w in page_words), (value, unit)
