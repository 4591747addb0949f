"""Briefings: the finding, compact table and caveats (qc.brief) and the Word file (qcompare brief),
read back and checked against the plans' own values."""

from __future__ import annotations

import io

import docx
import pytest
from PIL import Image

import qcompare as qc
from qcompare import cli
from qcompare.analysis.brief import _gap_text
from qcompare.reports.word import write_brief


def test_finding_names_the_highest_target_against_the_national_ones(corpus):
    en = qc.brief("manufacturing_product_pass_rate", lang="en", corpus=corpus)
    assert en.finding.startswith("Of 3 plans with a numeric target, Jiujiang sets the highest: ≥ 94.5% (2025)")
    assert "+0.5 pp against the national target of 94% (2025)" in en.finding
    assert "+0.57 pp against the latest national actual, 93.93% (2024)" in en.finding
    assert "Jiangsu / Huai'an set no target" in en.finding


def test_compact_table_one_row_per_plan_target(corpus):
    table = qc.brief("manufacturing_product_pass_rate", lang="en", corpus=corpus).table
    row = table.set_index("Jurisdiction").loc["Jincheng"]
    assert (row["Target"], row["Year"], row["National target"], row["Gap to national target"]) == ("≥ 93%", "2025", "94% (2025)", "−1 pp")
    assert table.set_index("Jurisdiction").loc["Jiangsu", "Target"] == "no target set"
    assert list(table.columns) == ["Jurisdiction", "Target", "Kind", "Year", "National target", "Latest national actual",
                                   "Gap to national target", "Plan's words"]


def test_an_addition_reads_as_one_with_its_kind(corpus):
    """淮安's 新增主导制定地方标准4项 reads 新增4项 (kind 新增量) beside 宜春's level of 62项."""
    table = qc.brief("local_standards", lang="zh", corpus=corpus).table.set_index("地区")
    assert (table.at["淮安市", "目标"], table.at["淮安市", "类型"]) == ("新增4项", "新增量")
    assert (table.at["宜春市", "目标"], table.at["宜春市", "类型"]) == ("≥ 62项", "水平值")
    assert table.at["淮安市", "国家目标"] == "" and table.at["淮安市", "与国家目标差距"] == ""


def test_gap_text():
    assert _gap_text(0.5, "%", "en") == "+0.5 pp"
    assert _gap_text(-2, "家", "zh") == "−2家"
    assert _gap_text(None, "%", "zh") == ""


def test_family_caveat_only_for_mixed_measures(corpus):
    assert any("different definitions" in c for c in qc.brief("food_safety_pass_rate", lang="en", corpus=corpus).caveats)
    assert not any("different definitions" in c for c in qc.brief("manufacturing_product_pass_rate", lang="en", corpus=corpus).caveats)


def test_word_briefing_read_back(corpus, tmp_path):
    out = write_brief("manufacturing_product_pass_rate", tmp_path / "brief.docx", corpus=corpus)
    document = docx.Document(out)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "制造业产品质量合格率"
    assert "九江市的目标最高：≥ 94.5%（2025年）" in texts[1]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[0].rows}
    assert rows["九江市"][1:5] == ["≥ 94.5%", "水平值", "2025年", "94%（2025年）"]
    assert rows["九江市"][-1] == "制造業產品質量合格率達到94.5%以上"  # the plan's own words, in its script
    assert rows["晋城市"][6] == "−1个百分点"
    assert any("晋市政发〔2023〕18号" in t for t in texts)  # sources with their 文号
    caption = next(p for p in document.paragraphs if p.style.name == "Caption")
    assert caption.text.startswith("来源：江苏省")
    section = document.sections[0]
    picture = document.inline_shapes[0]
    assert picture.width == section.page_width - section.left_margin - section.right_margin
    blob = document.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    assert Image.open(io.BytesIO(blob)).info["dpi"][0] == pytest.approx(300, abs=1)


def test_brief_command_refuses_other_suffixes(tmp_path, capsys):
    assert cli.main(["brief", "manufacturing_product_pass_rate", "--out", str(tmp_path / "b.pdf")]) == 2
    assert capsys.readouterr().err.startswith(f"qcompare: {tmp_path / 'b.pdf'}: a Word briefing is a .docx file")


def test_finding_keeps_an_addition_apart_from_the_levels(corpus):
    """宜春 sets a level of 62 local standards, 淮安 4 new ones: the finding compares neither with the other."""
    zh = qc.brief("local_standards", lang="zh", corpus=corpus).finding
    assert zh.startswith("只有宜春市设定了可比的量化目标：≥ 62项（2025年）")
    assert "淮安市（新增4项）的目标属另一类型或单位" in zh
    en = qc.brief("local_standards", lang="en", corpus=corpus).finding
    assert "Huai'an (4 new): targets of another kind or unit" in en
