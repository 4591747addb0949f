"""The indicator taxonomy, the national reference values, and the CLI that lists them."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
import yaml

import qcompare as qc
from qcompare.cli import main
from qcompare.errors import TaxonomyError
from qcompare.schema import MAPPED_BY, TARGET_KINDS
from qcompare.knowledge.taxonomy import CATEGORIES, accepted_classes, map_indicator, map_target, phrase_key, suggest

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


CASES = yaml.safe_load((FIXTURES / "indicator_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['phrase']}-{c['unit']}" for c in CASES])
def test_indicator_cases(case):
    mapping = map_target(case["phrase"], case["unit"], context=case.get("context", ""), jurisdiction=case.get("jurisdiction", ""))
    assert mapping.indicator_id == case["expect"], case["why"]
    assert (mapping.mapped_by is None) == (case["expect"] is None)


def test_no_phrasing_belongs_to_two_ids_for_one_unit():
    seen: dict[tuple[str, str], str] = {}
    for row in qc.taxonomy().itertuples():
        for phrasing in row.phrasings:
            for cls in accepted_classes(row.units, row.kinds):
                key = (phrase_key(phrasing), cls)
                assert seen.setdefault(key, row.id) == row.id, f"{phrasing} in {seen[key]} and {row.id}"


def test_every_id_has_names_units_kinds_and_sources_field():
    tax = qc.taxonomy()
    assert tax.name_zh.str.len().gt(0).all() and tax.name_en.str.len().gt(0).all()
    assert tax.units.map(len).gt(0).all()
    assert tax.kinds.map(lambda k: len(k) > 0 and set(k) <= set(TARGET_KINDS)).all()
    scores = tax[tax.id.str.endswith("satisfaction")]
    assert scores.units.map(lambda u: {"", "分"} <= set(u)).all()  # scores accept 分 and no unit


def test_issue_variants_are_covered():
    for phrase in ["食品安全评价性抽检合格率", "食品抽查合格率", "农产品质量监测合格率", "农畜产品监测合格率", "药品抽检合格率",
                   "重点产品国家监督抽查合格率", "高新技术产业增加值占比", "研发投入强度", "省地方标准", "群众满意度",
                   "顾客满意度", "农业标准化生产普及率", "绿色优质农产品比重"]:
        assert map_indicator(phrase)[0] is not None, phrase


def test_malformed_taxonomy_names_file_and_entry(monkeypatch):
    tx = importlib.import_module("qcompare.knowledge.taxonomy")  # qc.taxonomy is the function

    bad = {"version": 1, "indicators": [{"id": "broken_rate", "name_zh": "某合格率", "family": "f"}]}
    monkeypatch.setattr(tx, "_read", lambda: bad)
    tx.taxonomy.cache_clear()
    try:
        with pytest.raises(TaxonomyError, match=r"taxonomy\.yml, indicator 'broken_rate': missing field"):
            tx.taxonomy()
        dup = {"version": 1, "indicators": [dict(_ENTRY, id="a"), dict(_ENTRY, id="a")]}
        monkeypatch.setattr(tx, "_read", lambda: dup)
        tx.taxonomy.cache_clear()
        with pytest.raises(TaxonomyError, match="indicator 'a': id is declared twice"):
            tx.taxonomy()
    finally:
        tx.taxonomy.cache_clear()


def test_a_shared_phrasing_is_refused(monkeypatch):
    tx = importlib.import_module("qcompare.knowledge.taxonomy")  # qc.taxonomy is the function

    two = {"version": 1, "indicators": [dict(_ENTRY, id="a", family="a"), dict(_ENTRY, id="b", family="b")]}
    monkeypatch.setattr(tx, "_read", lambda: two)
    tx.taxonomy.cache_clear()
    tx._phrasings.cache_clear()
    try:
        with pytest.raises(TaxonomyError, match="indicator 'b': phrasing '某合格率' also belongs to a"):
            tx._phrasings()
    finally:
        tx.taxonomy.cache_clear()
        tx._phrasings.cache_clear()


_ENTRY = {"id": "x", "name_zh": "某合格率", "name_en": "Some pass rate", "family": "x", "category": "product", "units": ["%"],
          "higher_is_better": True, "kinds": ["level"], "phrasings": ["某合格率"], "sources": []}


def test_cli_suggest_lists_closest_ids_and_never_applies(capsys, corpus, monkeypatch):
    monkeypatch.setattr("qcompare.corpus.load", lambda *a, **k: corpus)
    before = qc.taxonomy().phrasings.map(len).sum()
    assert main(["indicators", "--suggest"]) == 0
    out = capsys.readouterr().out
    assert "红色旅游接待人数" in out and "phrasings: [" in out and "suggestions only" in out
    assert qc.taxonomy().phrasings.map(len).sum() == before


def test_suggestions_rank_the_closest_first():
    targets = pd.DataFrame({"doc_id": ["a", "b", "a"], "indicator_raw": ["食品抽样合格率", "食品抽样合格率", "某某"],
                            "indicator_id": [None, None, None]})
    table = suggest(targets)
    first = table[table.indicator_raw == "食品抽样合格率"]
    assert list(first["rank"]) == [1, 2, 3] and first.score.is_monotonic_decreasing
    assert first.iloc[0].indicator_id in {"food_safety_sampling_pass_rate", "food_drug_supervision_pass_rate"}
    assert table.indicator_raw.iloc[0] == "食品抽样合格率"  # most frequent first


def test_targets_record_how_they_were_mapped(corpus):
    t = corpus.targets
    assert set(t.mapped_by.dropna()) <= set(MAPPED_BY)
    assert (t.mapped_by.isna() == t.indicator_id.isna()).all()


def test_related_unmapped_counts_only_close_phrases():
    from qcompare.analysis.compare import related_unmapped

    targets = pd.DataFrame({
        "doc_id": ["a", "a", "b", "c"],
        "indicator_raw": ["本地食品抽检总合格率", "红色旅游接待人数", "食品安全抽检合格率", "食品抽检合格率"],
        "indicator_id": [None, None, None, "food_safety_sampling_pass_rate"],
    })
    counts = related_unmapped(targets, ["food_safety_sampling_pass_rate"])
    assert counts.to_dict() == {"a": 1, "b": 1}  # c is mapped; 红色旅游接待人数 is not close
    assert related_unmapped(targets.iloc[[1]], ["food_safety_sampling_pass_rate"]).empty


def test_figure_names_unmapped_targets_instead_of_no_target(corpus):
    from qcompare.corpus import Corpus
    from qcompare.schema import TABLES

    targets = corpus.targets.copy()
    row = targets[targets["doc_id"] == "jiangsu-2018"].iloc[[0]].copy()
    row["target_id"] = targets["target_id"].max() + 1
    row[["indicator_raw", "indicator_id", "family", "mapped_by"]] = ["本地食品抽检总合格率", None, None, None]
    extra = Corpus({**corpus.tables, "targets": TABLES["targets"].validate(pd.concat([targets, row]))}, corpus.path, corpus.raw)
    fig = qc.plot.compare("food_safety_sampling_pass_rate", corpus=extra)
    texts = [t.get_text() for t in [*fig.axes[0].texts, *fig.texts]]
    assert any("无已归类目标" in t for t in texts)
    assert any("江苏省方案有1项目标未归入任何指标" in t for t in texts)
    assert any("未设定目标" in t for t in texts)  # plans with nothing close keep a plain 未设定目标
