"""Indicator tables written as text rows (extract/tables.py): every target cell a target with its
header's year, every baseline cell an actual, whether the table came as text or from Word."""

from __future__ import annotations

import docx
import pytest
import yaml

from qcompare.build import build_tables
from qcompare.ingest.add import add_plan

# A goals table in the shape plans print it: written for this test.
PLAN = """梧州市质量提升行动方案
一、主要目标
到2026年，全市质量总体水平稳步提升，主要指标见下表。
序号 | 指标名称 | 单位 | 2023年基期值 | 2026年目标值 | 指标属性
1 | 制造业产品质量合格率 | % | 93.2 | ≥94.5 | 预期性
2 | 出口工业产品退运率 | ‰ | 1.2 | ≤0.9 | 预期性
3 | 累计制修订地方标准 | 项 | 41 | 60 | 预期性
4 | 工程质量抽查符合率 | % | 96.8 | 稳中有升 | 预期性
5 | 公共服务质量满意度 | 分 | — | 82—84 | 预期性
注：表中基期值为2023年统计数。
二、重点任务
（一）提升产品质量。到2026年，培育省级质量标杆企业12家以上。
"""
SIDECAR = {"jurisdiction": "梧州市", "jurisdiction_en": "Wuzhou", "level": "city", "province": "广西壮族自治区",
           "title": "梧州市质量提升行动方案", "source": "tests/test_tables.py", "issued": "2024-02-20"}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    (raw / "wuzhou-2024.txt").write_text(PLAN, encoding="utf-8")
    (raw / "wuzhou-2024.meta.yml").write_text(yaml.safe_dump(SIDECAR, allow_unicode=True), encoding="utf-8")
    found, failures = build_tables(raw)
    assert not failures
    return found


def _rows(df, columns):
    return [tuple(None if v != v else v for v in r) for r in df[columns].itertuples(index=False)]


def test_every_target_cell_is_a_target_with_the_header_year(tables):
    t = tables["targets"]
    got = _rows(t, ["indicator_raw", "value", "value_high", "unit", "comparator", "kind", "target_year"])
    assert got == [
        ("制造业产品质量合格率", 94.5, None, "%", ">=", "level", 2026),
        ("出口工业产品退运率", 0.09, None, "%", "<=", "level", 2026),  # 0.9‰
        ("制修订地方标准", 60.0, None, "项", "=", "cumulative", 2026),
        ("工程质量抽查符合率", None, None, None, "qualitative", "level", 2026),  # 稳中有升
        ("公共服务质量满意度", 82.0, 84.0, "分", "range", "level", 2026),
        ("省级质量标杆企业", 12.0, None, "家", ">=", "level", 2026),  # the prose after the table
    ]
    assert t.indicator_id.iloc[0] == "manufacturing_product_pass_rate"
    assert t.quote.iloc[0] == "1 | 制造业产品质量合格率 | % | 93.2 | ≥94.5 | 预期性"  # the whole row


def test_every_baseline_cell_is_an_actual_of_its_year(tables):
    a = tables["actuals"]
    assert _rows(a, ["indicator_raw", "value", "unit", "year"]) == [
        ("制造业产品质量合格率", 93.2, "%", 2023),
        ("出口工业产品退运率", 0.12, "%", 2023),
        ("制修订地方标准", 41.0, "项", 2023),
        ("工程质量抽查符合率", 96.8, "%", 2023),
    ]  # — is no baseline


def test_a_word_table_gives_the_same_targets(tmp_path, tables):
    """The .docx importer writes a table row as `cell | cell`: the same table from Word reads the same."""
    document = docx.Document()
    table_lines = [l for l in PLAN.splitlines() if "|" in l]
    for line in PLAN.splitlines():
        if "|" not in line:
            document.add_paragraph(line)
        elif line == table_lines[0]:  # the whole table where its first row stood
            grid = document.add_table(rows=len(table_lines), cols=6)
            for r, row in enumerate(table_lines):
                for c, cell in enumerate(row.split("|")):
                    grid.cell(r, c).text = cell.strip()
    path = tmp_path / "梧州.docx"
    document.save(path)
    added = add_plan(path, "wuzhou-word", "梧州市", "city", raw=tmp_path / "raw", issued="2024-02-20")
    raw_targets, _ = build_tables(tmp_path / "raw")
    word = raw_targets["targets"]
    assert added.targets == len(tables["targets"])
    assert _rows(word, ["indicator_raw", "value", "comparator", "target_year"]) == _rows(
        tables["targets"], ["indicator_raw", "value", "comparator", "target_year"])
