"""Target extraction: data-driven cases, real values from the five plans, and the gold score."""

from __future__ import annotations

import math
import time

import pandas as pd
import pytest
import yaml

from qcompare.analysis.evaluate import evaluate, read_gold
from qcompare.plan.normalize import normalize
from qcompare.extract.targets import clause_targets
from qcompare.schema import TARGET_KINDS

from .conftest import FIXTURES

CASES = yaml.safe_load((FIXTURES / "extraction_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_extraction_case(case):
    rows = clause_targets(normalize(case["text"]), 1, "", None)
    got = [(r.indicator_raw, r.value, r.value_high, r.unit, r.comparator, r.target_year, r.aspirational, r.baseline_year) for r in rows]
    assert len(rows) == len(case["expect"]), got
    for row, exp in zip(rows, case["expect"]):
        assert exp["indicator"] in row.indicator_raw, got
        if "value" in exp:
            assert math.isclose(row.value, exp["value"]), got
        else:
            assert row.value is None
        assert row.value_high == exp.get("value_high"), got
        assert row.unit == exp.get("unit", ""), got
        assert row.comparator == exp["comparator"], got
        assert row.target_year == exp.get("year"), got
        assert row.aspirational == exp.get("aspirational", False), got
        assert row.baseline_year == exp.get("baseline_year"), got


def _one(targets, doc_id, indicator_id):
    rows = targets[(targets.doc_id == doc_id) & (targets.indicator_id == indicator_id)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.mark.parametrize(
    "doc_id, indicator_id, value, comparator",
    [
        ("jiujiang-2024", "manufacturing_product_pass_rate", 94.5, ">="),
        ("yichun", "manufacturing_product_pass_rate", 94, ">="),
        ("jincheng-2023", "manufacturing_product_pass_rate", 93, ">="),
        ("huaian-inferred", "manufacturing_supervision_pass_rate", 93, ">="),
        ("jiangsu-2018", "national_supervision_pass_rate", 90, ">="),
        ("jiujiang-2024", "food_drug_supervision_pass_rate", 98, ">="),
        ("yichun", "food_drug_supervision_pass_rate", 98, ">="),
        ("jincheng-2023", "food_safety_sampling_pass_rate", 98.5, "="),
        ("jiujiang-2024", "agri_product_monitoring_pass_rate", 98, ">="),
        ("yichun", "agri_product_monitoring_pass_rate", 98, ">="),
        ("jincheng-2023", "agri_product_monitoring_pass_rate", 98, ">="),
        ("jiangsu-2018", "agri_product_sampling_pass_rate", 97, ">="),
        ("huaian-inferred", "agri_product_monitoring_pass_rate", 95, ">="),
        ("jiujiang-2024", "engineering_acceptance_rate", 100, "="),
        ("yichun", "engineering_acceptance_rate", 100, "="),
        ("jiangsu-2018", "engineering_acceptance_rate", 100, "="),
        ("jiujiang-2024", "manufacturing_competitiveness_index", 86.5, "="),
        ("jiangsu-2018", "manufacturing_competitiveness_index", 88, "="),
        ("jiujiang-2024", "high_value_patents_per_10k", 1.97, "="),
        ("yichun", "high_value_patents_per_10k", 2.12, "="),
        ("jiujiang-2024", "digital_economy_share_gdp", 12, "="),
        ("yichun", "digital_economy_share_gdp", 10, ">="),
        ("jiujiang-2024", "strategic_emerging_share", 30, ">="),
        ("jiujiang-2024", "public_service_satisfaction", 80, ">="),
        ("jiujiang-2024", "gi_protected_products", 8, "="),
        ("yichun", "gi_protected_products", 15, ">="),
    ],
)
def test_required_values(corpus, doc_id, indicator_id, value, comparator):
    row = _one(corpus.targets, doc_id, indicator_id)
    assert row.value == pytest.approx(value)
    assert row.comparator == comparator


def test_yichun_competitiveness_index_is_qualitative(corpus):
    row = _one(corpus.targets, "yichun", "manufacturing_competitiveness_index")
    assert row.comparator == "qualitative" and math.isnan(row.value)


def test_goal_paragraph_year_is_inherited(corpus):
    assert _one(corpus.targets, "jiujiang-2024", "manufacturing_product_pass_rate").target_year == 2025
    assert _one(corpus.targets, "jiangsu-2018", "manufacturing_competitiveness_index").target_year == 2020
    assert _one(corpus.targets, "jiangsu-2018", "national_supervision_pass_rate").target_year == 2020


def test_quote_is_in_the_plans_own_script(corpus):
    row = _one(corpus.targets, "jiujiang-2024", "manufacturing_product_pass_rate")
    assert row.quote == "制造業產品質量合格率達到94.5%以上"  # the source writes 制, not 製
    text = (FIXTURES.parent.parent / "data/raw/jiujiang-2024.txt").read_text(encoding="utf-8")
    assert text[row.start : row.end] == row.quote


def test_damaged_number_is_never_clean(corpus):
    t = corpus.targets
    damaged = t[t.quote.str.contains("???", regex=False)]
    assert len(damaged) == 1
    assert damaged.iloc[0]["flags"] == "corrupted" and math.isnan(damaged.iloc[0].value)


def test_award_amounts_are_incentives_not_targets(corpus):
    assert not ((corpus.targets.doc_id == "jiujiang-2024") & (corpus.targets.unit == "万元")).any()
    t = corpus.incentives[corpus.incentives.doc_id == "jiujiang-2024"]
    pairs = dict(zip(t.award, t.value))
    assert pairs["中国质量奖"] == 100 and pairs["中国质量奖提名奖"] == 50
    assert pairs["省长质量奖"] == 50 and pairs["市长质量奖"] == 30


def test_award_money_is_not_a_target(corpus):
    t = corpus.targets[corpus.targets.doc_id == "jiujiang-2024"]
    assert not t.quote.str.contains("獎勵|獎勵", regex=True).any()
    assert (corpus.targets.kind == "level").any() and set(corpus.targets.kind) <= set(TARGET_KINDS)


TARGET_CASES = yaml.safe_load((FIXTURES / "target_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", TARGET_CASES, ids=[c["why"] for c in TARGET_CASES])
def test_target_case(case):
    rows = clause_targets(normalize(case["text"]), 1, "", None, case.get("issued"))
    got = [(r.indicator_raw, r.value, r.value_high, r.unit, r.comparator, r.kind, r.target_year) for r in rows]
    assert len(rows) == len(case["expect"]), got
    for row, exp in zip(rows, case["expect"]):
        if "value" in exp:
            assert math.isclose(row.value, exp["value"]), got
        else:  # a qualitative level: no number
            assert row.value is None and row.comparator == "qualitative", got
        checks = {"value_high": row.value_high, "unit": row.unit, "comparator": row.comparator,
                  "kind": row.kind, "year": row.target_year}
        for key, actual in checks.items():
            if key in exp:
                assert actual == exp[key], (key, got)
        assert exp.get("indicator", "") in row.indicator_raw, got


def test_long_clause_without_punctuation_is_linear():
    """A 200 KB clause with no punctuation builds in seconds and quotes a bounded window."""
    text = "推进质量提升工作加强质量基础建设" * 6000 + "培育省级质量标杆企业30家以上" + "完善体系建设" * 4000
    t0 = time.perf_counter()
    rows = clause_targets(text, 1, "", 2025, 2024)
    assert time.perf_counter() - t0 < 5
    assert [(r.value, r.unit, r.comparator) for r in rows] == [(30, "家", ">=")]
    assert rows[0].q_end - rows[0].q_start <= 160


def test_f1_against_gold(corpus):
    result = evaluate(read_gold(FIXTURES / "gold_targets.csv"), corpus.targets)
    assert result.f1 >= 0.95, result.scores
    assert (result.scores.drop("overall").f1 >= 0.9).all(), result.scores


def test_eval_scores_kind_when_the_gold_has_it():
    gold = pd.DataFrame([{"doc_id": "d", "indicator_raw": "省级质量标杆企业", "value": 4.0, "value_high": None, "unit": "家",
                          "comparator": "=", "target_year": 2025, "kind": "added", "quote": "新增省级质量标杆企业4家"}])
    predicted = gold.drop(columns="kind").assign(kind="level", flags=None)
    result = evaluate(gold, predicted)
    assert result.matched == 1 and result.kind_mismatches[["gold_kind", "kind"]].values.tolist() == [["added", "level"]]
    assert evaluate(gold.drop(columns="kind"), predicted).kind_mismatches is None


def test_dev_set_scores(devset):
    """The hand-annotated development set (tests/fixtures/plans) holds the issue's goals."""
    result = evaluate(read_gold(FIXTURES / "plans" / "gold_targets.csv"), devset.targets)
    assert result.f1 >= 0.97, result.scores
    assert len(result.year_mismatches) <= 0.03 * result.matched, result.year_mismatches
    assert len(result.kind_mismatches) <= 0.03 * result.matched, result.kind_mismatches


def test_second_set_scores():
    """tests/fixtures/holdout: eight plans in styles the first set lacks (a goals table, a one-year
    county plan, per-mille, Hong Kong script), annotated before the extractor ever ran on them
    (F1 0.84 then); the rules written since are general ones, and this keeps them."""
    from qcompare.analysis.evaluate import evaluate_actuals, read_actuals_gold
    from qcompare.build import build_tables

    holdout = FIXTURES / "holdout"
    tables, failures = build_tables(holdout)
    assert not failures
    result = evaluate(read_gold(holdout / "gold_targets.csv"), tables["targets"])
    assert result.f1 >= 0.97, result.scores
    assert len(result.year_mismatches) <= 0.03 * result.matched, result.year_mismatches
    actuals = evaluate_actuals(read_actuals_gold(holdout / "gold_actuals.csv"), tables["actuals"])
    assert actuals.scores.at["overall", "recall"] >= 0.9, actuals.misses
