"""Report keys follow the rows each report reads: a change reruns the reports that show it, and only those."""

from __future__ import annotations

from pathlib import Path

import qcompare as qc
from qcompare.analysis.compare import resolve
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
    assert "corpus" in changed and "plan-jiangsu-2018" in changed
    # every indicator report shows every plan, a plan that sets none as "no target set"
    assert {n for n in after if n.startswith("indicator-")} <= set(changed)
    unchanged_plans = [n for n in after if n.startswith("plan-") and n not in changed]
    assert unchanged_plans, "a plan whose indicators stay shared or unshared keeps its key"
    for name in unchanged_plans:
        doc = name.removeprefix("plan-")
        own = set(corpus.targets.loc[corpus.targets.doc_id == doc, "indicator_id"].dropna())
        others = corpus.targets[~corpus.targets.doc_id.isin([doc])]
        shared_before = own & set(others.loc[others.doc_id != "jiangsu-2018", "indicator_id"])
        assert shared_before == own & set(others.indicator_id)  # jiangsu shares none of its indicators newly


def test_a_changed_target_reruns_the_reports_showing_it(corpus):
    """A new value for one target changes the keys of its indicator's and family's reports, its
    plan's and the corpus reports; no other indicator report reruns."""
    tables = corpus.tables
    before = _keys(tables)
    indicator_reports = [n.removeprefix("indicator-") for n in before if n.startswith("indicator-")]
    row = tables["targets"].dropna(subset=["indicator_id", "value"]).iloc[0]
    targets = tables["targets"].copy()
    targets.loc[targets.target_id.eq(row.target_id) & targets.doc_id.eq(row.doc_id), "value"] = row.value + 1
    after = _keys({**tables, "targets": targets})
    changed = {n for n in after if before[n] != after[n]}
    showing = {f"indicator-{i}" for i in indicator_reports if row.indicator_id in resolve(i).indicator_ids}
    assert showing and changed == showing | {"corpus", f"plan-{row.doc_id}"}


def test_every_indicator_report_shows_every_plan(corpus):
    """Why adding a plan reruns every indicator report: the plan has a row in each."""
    plans = set(corpus.documents.doc_id)
    for name in [n for n in _keys(corpus.tables) if n.startswith("indicator-")][:5]:
        table = qc.compare(name.removeprefix("indicator-"), corpus=corpus)
        assert plans <= set(table.doc_id.dropna()), name
