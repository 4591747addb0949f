"""The indicator taxonomy, the national reference values, and the CLI that lists them."""

from __future__ import annotations

import pytest

import qcompare as qc
from qcompare.cli import main
from qcompare.knowledge.taxonomy import CATEGORIES, map_indicator

from .conftest import FIXTURES


def test_every_indicator_is_fully_declared():
    tax = qc.taxonomy()
    assert tax.category.isin(CATEGORIES).all()
    assert tax.phrasings.map(len).gt(0).all()
    assert tax.higher_is_better.map(type).eq(bool).all()


def test_required_indicators_exist_with_their_families():
    tax = qc.taxonomy()
    fam = tax.family
    same = ["manufacturing_product_pass_rate", "manufacturing_supervision_pass_rate", "national_supervision_pass_rate"]
    assert fam[same].nunique() == 1  # related but distinct measures: one family, three ids
    assert fam["food_drug_supervision_pass_rate"] == fam["food_safety_sampling_pass_rate"]
    for indicator in ["engineering_acceptance_rate", "manufacturing_competitiveness_index", "high_value_patents_per_10k",
                      "digital_economy_share_gdp", "strategic_emerging_share", "public_service_satisfaction",
                      "standards_led_or_joined", "gi_protected_products"]:
        assert indicator in tax.index


def test_mapping_is_by_phrasing_and_kind_of_unit():
    assert map_indicator("制造业产品质量合格率", "%")[0] == "manufacturing_product_pass_rate"
    assert map_indicator("“专精特新”中小企业", "个")[0] == "specialised_smes"  # quote marks and count unit ignored
    assert map_indicator("制造业产品质量合格率", "万元") == (None, None)
    assert map_indicator("中国质量奖", "个")[0] != map_indicator("中国质量奖", "万元")[0]


def test_national_reference_values():
    ref = qc.national().set_index(["indicator_id", "reference", "year"])
    assert ref.loc[("manufacturing_competitiveness_index", "target", 2025), "value"] == 86
    assert ref.loc[("manufacturing_product_pass_rate", "target", 2025), "value"] == 94
    assert ref.loc[("manufacturing_product_pass_rate", "actual", 2023), "value"] == 93.65
    assert ref.loc[("manufacturing_product_pass_rate", "actual", 2024), "value"] == 93.93
    assert ref.loc[("manufacturing_competitiveness_index", "actual", 2024), "value"] == 85.6
    assert ref.loc[("food_safety_sampling_pass_rate", "target", 2025), "comparator"] == ">="
    assert ref.source.str.len().gt(10).all()


def test_cli_lists_indicators_and_unmapped_phrases(capsys, corpus, monkeypatch):
    monkeypatch.setattr("qcompare.corpus.load", lambda *a, **k: corpus)
    assert main(["indicators"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.strip().startswith("manufacturing_product_pass_rate"))
    assert line.split()[-1] == "3"
    assert main(["indicators", "--unmapped"]) == 0
    assert "红色旅游接待人数" in capsys.readouterr().out


def test_cli_eval_prints_scores(capsys, corpus, monkeypatch):
    monkeypatch.setattr("qcompare.corpus.load", lambda *a, **k: corpus)
    assert main(["eval", "--gold", str(FIXTURES / "gold_targets.csv")]) == 0
    out = capsys.readouterr().out
    overall = next(l for l in out.splitlines() if l.startswith("overall"))
    assert float(overall.split()[-1]) >= 0.95
    assert "Misses" in out and "False hits" in out
