"""Report keys follow the rows each report reads: adding a plan reruns only the reports it touches."""

from __future__ import annotations

from pathlib import Path

from qcompare.knowledge.taxonomy import taxonomy
from qcompare.reports.grid import Notebook, reads, reports

NOTEBOOKS = [Notebook(Path(f"{kind}.ipynb"), kind, kind) for kind in ("corpus", "indicator", "plan")]


def _keys(tables):
    return {r.name: reads(r.notebook.stem, r.parameters, tables)
            for r in reports(NOTEBOOKS, tables["documents"], tables["targets"], taxonomy(), "zh")}


def test_adding_a_plan_changes_only_the_keys_of_reports_reading_its_rows(corpus):
    without = {n: df[df.doc_id != "jiangsu-2018"] for n, df in corpus.tables.items()}
    before, after = _keys(without), _keys(corpus.tables)
    changed = sorted(n for n in after if before.get(n) != after[n])
    jiangsu = corpus.targets[corpus.targets.doc_id == "jiangsu-2018"]
    touched = set(jiangsu.indicator_id.dropna()) | set(jiangsu.family.dropna())
    assert "corpus" in changed and "plan-jiangsu-2018" in changed
    for name in changed:
        if name.startswith("indicator-"):
            assert name.removeprefix("indicator-") in touched, name
    unchanged_plans = [n for n in after if n.startswith("plan-") and n not in changed]
    assert unchanged_plans, "a plan whose indicators stay shared or unshared keeps its key"
    untouched = [n for n in after if n.startswith("indicator-") and n.removeprefix("indicator-") not in touched]
    assert untouched and not set(untouched) & set(changed)
    for name in unchanged_plans:
        doc = name.removeprefix("plan-")
        own = set(corpus.targets.loc[corpus.targets.doc_id == doc, "indicator_id"].dropna())
        others = corpus.targets[~corpus.targets.doc_id.isin([doc])]
        shared_before = own & set(others.loc[others.doc_id != "jiangsu-2018", "indicator_id"])
        assert shared_before == own & set(others.indicator_id)  # jiangsu shares none of its indicators newly
