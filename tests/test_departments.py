"""Responsible departments: note parsing, canonical mapping, section notes, and real rows from the five plans."""

from __future__ import annotations

import pandas as pd
import pytest

import qcompare.corpus
from qcompare.errors import KnowledgeError
from qcompare import cli
from qcompare.analysis import departments as dep_analysis
from qcompare.extract import departments as dep
from qcompare.knowledge import departments as dep_knowledge
from qcompare.plan.normalize import normalize
from qcompare.plan.reader import decode
from qcompare.schema import TABLES

from .conftest import RAW


def _task(corpus, doc_id: str, heading_end: str) -> pd.DataFrame:
    clauses = corpus.clauses[(corpus.clauses.doc_id == doc_id) & corpus.clauses.heading_path.str.endswith(heading_end)]
    ids = clauses[clauses.responsibility_raw.notna()].clause_id
    assert len(ids) == 1, clauses
    d = corpus.departments
    return d[(d.doc_id == doc_id) & (d.clause_id == ids.iloc[0])].sort_values("start").set_index("department_raw")


# --- parsing notes: input, expected (raw, role marker), why ---------------------------

PARSE_CASES = [
    ("责任单位:市市场监管局、市工信局、市科技局", [("市市场监管局", None), ("市工信局", None), ("市科技局", None)], "plain list"),
    ("省农委、省粮食局等按职责分工负责", [("省农委", ""), ("省粮食局", "")], "等按职责分工负责 tail"),
    ("市质强办牵头、各有关单位配合", [("市质强办", "lead")], "牵头 on one name; collective partner dropped"),
    ("市政府办、市质量强市工作领导小组办公室牵头,各相关单位配合", [("市政府办", "lead"), ("市质量强市工作领导小组办公室", "lead")],
     "牵头 closes a run of two"),
    ("省质监局牵头,各设区市党委和政府、省各有关部门负责", [("省质监局", "lead"), ("各设区市党委和政府", "")], "prefixed collective dropped"),
    ("省教育厅 质监局 人力资源社会保障厅、团省委等按职责分工负责",
     [("省教育厅", ""), ("质监局", ""), ("人力资源社会保障厅", ""), ("团省委", "")], "spaces separate names"),
    ("牵头单位:市市场监管局;配合单位:市工信局、市科技局", [("市市场监管局", "lead"), ("市工信局", "partner"), ("市科技局", "partner")],
     "labels give roles"),
    ("责任单位:市工信局(国资委)", [("市工信局", None), ("国资委", None)], "bracketed second body"),
    ("责任单位:市委宣传部〔市委网信办〕", [("市委宣传部〔市委网信办〕", None)], "〔〕 is a second name of one body"),
    ("各县(市、区)人民政府负责", [("各县(市、区)人民政府", "")], "a bracket inside a name is not split"),
    ("各有关单位负责", [], "nothing but a collective: no department"),
]


@pytest.mark.parametrize("note, expected, why", PARSE_CASES, ids=[c[2] for c in PARSE_CASES])
def test_parse_note(note, expected, why):
    assert [(m.raw, m.marker) for m in dep.parse_note(note)] == expected


@pytest.mark.parametrize(
    "name, jurisdiction, expected",
    [
        ("市市场监管局", None, ("market_regulation", "city")),
        ("省市场监管局", None, ("market_regulation", "province")),
        ("市场监督管理局", None, ("market_regulation", None)),
        ("省食品药品监管局", None, ("food_drug", "province")),
        ("县质监局", None, ("quality_supervision", "county")),
        ("省委组织部", None, ("party_organization", "province")),
        ("九江海关", "九江市", ("customs", "national")),
        ("人行晋城市分行", "晋城市", ("central_bank", "national")),
        ("国家金融监督管理总局宜春监管分局", "宜春市", ("financial_regulator", "national")),
        ("九江海关", "宜春市", (None, None)),  # another city's customs is not this plan's {地}海关
        ("明月山机场集团", "宜春市", (None, None)),
    ],
)
def test_map_department(name, jurisdiction, expected):
    assert dep.map_department(name, jurisdiction) == expected


def test_extract_departments_small_plan():
    clauses = pd.DataFrame({
        "clause_id": [1, 2, 3],
        "text": ["甲。(责任单位:市工信局,以下任务均涉及各县(市、区)人民政府,不再单独列出)", "乙。(市质监局、市工商局负责)", "丙。"],
        "start": [0, 100, 200],
        "responsibility_raw": ["责任单位:市工信局,以下任务均涉及各县(市、区)人民政府,不再单独列出", "市质监局、市工商局负责", None],
    })
    rows = dep.extract_departments(clauses, {"doc_id": "x", "level": "city", "jurisdiction": "某市"})
    got = list(rows[["clause_id", "department_raw", "department", "body_level", "role"]].itertuples(index=False, name=None))
    assert got == [
        (1, "市工信局", "industry_it", "city", "lead"),
        (1, "各县(市、区)人民政府", "county_governments", "county", "partner"),
        (2, "市质监局", "market_regulation", "city", "lead"),
        (2, "市工商局", "market_regulation", "city", "partner"),
        (2, "各县(市、区)人民政府", "county_governments", "county", "partner"),
    ]
    assert rows.note.iloc[4] == dep.INHERITED
    assert rows.start.iloc[0] == 3 + len("责任单位:")  # offset of 市工信局 in the text


# --- real rows ------------------------------------------------------------------------


def test_jiujiang_task_1(corpus):
    rows = _task(corpus, "jiujiang-2024", "1.实施创新驱动")
    assert list(rows.index) == ["市市场监管局", "市工信局", "市科技局"]
    assert rows.loc["市市场监管局", "department"] == "market_regulation"
    assert rows.loc["市市场监管局", "role"] == "lead"
    assert rows.loc[["市工信局", "市科技局"], "role"].tolist() == ["partner", "partner"]
    assert rows.loc[["市工信局", "市科技局"], "department"].tolist() == ["industry_it", "science_technology"]
    assert set(rows.body_level) == {"city"}


def test_huaian_task_2_predecessors(corpus):
    rows = _task(corpus, "huaian-inferred", "2、实施名牌战略")
    assert list(rows.index) == ["市质监局", "市工商局"]
    assert set(rows.department) == {"market_regulation"}
    assert rows.note.str.startswith("predecessor of the market-regulation authority").all()
    assert rows.role.tolist() == ["lead", "partner"]


def test_yichun_task_5_inherits_section_note(corpus):
    rows = _task(corpus, "yichun", "5.提高产业链质量竞争水平")
    inherited = rows[rows.note == dep.INHERITED]
    assert list(inherited.index) == ["各县(市、区)人民政府", "宜春经济技术开发区", "宜阳新区管委会", "明月山风景名胜区管委会"]
    assert set(inherited.role) == {"partner"}
    assert inherited.loc["各县(市、区)人民政府", "body_level"] == "county"
    assert rows.loc["市工信局", "role"] == "lead"
    # the note itself sits in task 1; the plan's organisational section (no notes) inherits nothing
    d = corpus.departments
    yichun = d[d.doc_id == "yichun"]
    assert (yichun[yichun.clause_id == 13].note == dep.SECTION_NOTE).sum() == 4
    assert yichun.clause_id.max() == 41


def test_brackets_in_real_notes(corpus):
    d = corpus.departments.set_index(["doc_id", "clause_id", "department_raw"])
    jc = d.loc[("jincheng-2023", 26)]
    assert jc.loc["市工信局", "department"] == "industry_it"
    assert jc.loc["国资委", "department"] == "sasac"
    assert jc.loc["国资委", "body_level"] == "city"  # takes the level of the name before the bracket
    jj = d.loc[("jiujiang-2024", 56)]
    assert jj.loc["市委宣传部〔市委网信办〕", "department"] == "party_propaganda"
    assert jj.loc["市委宣传部〔市委网信办〕", "note"] == "also named 市委网信办"
    yc = d.loc[("yichun", 40)]
    assert yc.loc["市委人才办", "department"] == "talent_office"


def test_jiangsu_leads_and_levels(corpus):
    d = corpus.departments
    js = d[d.doc_id == "jiangsu-2018"].set_index(["clause_id", "department_raw"])
    assert js.loc[(55, "省质监局"), "role"] == "lead"
    assert js.loc[(55, "各设区市党委和政府"), ["department", "body_level", "role"]].tolist() == ["city_governments", "city", "partner"]
    assert js.loc[(24, "南京海关"), "body_level"] == "national"
    assert js.loc[(51, "省委组织部"), ["department", "body_level", "role"]].tolist() == ["party_organization", "province", "lead"]
    assert js.loc[(49, "质监局"), "body_level"] == "province"  # no prefix: the plan's level
    assert (d[(d.doc_id == "jiangsu-2018") & (d.clause_id == 30)].department_raw == "省商务厅").sum() == 1  # named twice


def test_every_department_maps_or_is_listed_unmapped(corpus):
    d = corpus.departments
    listed = set(dep_analysis.unmapped(d).department_raw)
    assert d.department.notna().mean() > 0.99
    for row in d.itertuples():
        assert pd.notna(row.department) or row.department_raw in listed, row
    assert listed == {"明月山机场集团"}  # an airport company, not a government body
    # nothing a note names is lost on the way: every parsed name has a row
    notes = corpus.clauses.dropna(subset=["responsibility_raw"])
    for c in notes.itertuples():
        own = set(d[(d.doc_id == c.doc_id) & (d.clause_id == c.clause_id)].department_raw)
        assert {m.raw for m in dep.parse_note(c.responsibility_raw)} <= own, c.responsibility_raw
    assert set(notes.doc_id) == set(d.doc_id) == set(corpus.documents.doc_id)


def test_offsets_point_at_the_names(corpus):
    texts = {p.name[:-4]: decode(p.read_bytes(), p)[0] for p in RAW.glob("*.txt")}
    d = corpus.departments
    for row in d.itertuples():
        assert normalize(texts[row.doc_id][row.start : row.end]) == row.department_raw, row


def test_table_is_valid(corpus):
    TABLES["departments"].validate(corpus.departments)
    assert len(corpus.departments) > 600


def test_market_regulation_share(corpus):
    share = dep_analysis.market_regulation_share(corpus.departments).set_index("doc_id")
    assert share.loc["jiujiang-2024", ["tasks", "named", "as_lead"]].tolist() == [26, 22, 13]
    assert share.loc["huaian-inferred", "named"] == 5  # as 质监局, 工商局, 食药局
    assert (share.share <= 1).all()


def test_task_counts_counts_a_body_once_per_clause(corpus):
    counts = dep_analysis.task_counts(corpus.departments).set_index(["doc_id", "department"])
    js = counts.loc[("jiangsu-2018", "market_regulation")]
    assert js.total == 26  # 质监局 and 工商局 in one clause count once
    yc = counts.loc[("yichun", "county_governments")]
    assert (yc.inherited, yc.lead, yc.partner) == (23, 0, 0)


def test_duplicate_alias_is_refused(monkeypatch):
    raw = dep_knowledge._read()
    raw["departments"].append({"id": "copy", "name_zh": "x", "name_en": "x", "aliases": ["工信局"]})
    monkeypatch.setattr(dep_knowledge, "_read", lambda: raw)
    dep_knowledge.rules.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="departments.yml, entry .copy.: alias .工信局."):
            dep_knowledge.rules()
    finally:
        monkeypatch.undo()
        dep_knowledge.rules.cache_clear()


def test_cli_unmapped(corpus, monkeypatch, capsys):
    monkeypatch.setattr(qcompare.corpus, "load", lambda *a, **k: corpus)
    assert cli.main(["departments", "--unmapped"]) == 0
    out = capsys.readouterr().out
    assert "明月山机场集团" in out and "市市场监管局" not in out
    assert cli.main(["departments"]) == 0
    first = capsys.readouterr().out.splitlines()[1]
    assert first.split()[0] == "market_regulation"


def test_figures(corpus):
    from qcompare.figures import departments as plot_departments

    for lang in ("zh", "en"):
        for draw in (plot_departments.tasks, plot_departments.heatmap, plot_departments.market_regulation):
            fig = draw(lang=lang, corpus=corpus)
            assert fig.get_label().startswith("departments_") and fig.get_label().endswith("_en") == (lang == "en")
    matrix = plot_departments.share_matrix(corpus, "zh")
    assert matrix.index[0] == "市场监督管理局"
    assert matrix.loc["市场监督管理局", "jincheng-2023"] == pytest.approx(24 / 25)
