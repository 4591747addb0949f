"""The documents and clauses tables built from the five bundled plans."""

from __future__ import annotations

import pytest

from qcompare.plan.normalize import normalize

from .conftest import RAW


def _doc(corpus, doc_id):
    return corpus.documents.set_index("doc_id").loc[doc_id]


def test_one_row_per_bundled_plan(corpus):
    assert sorted(corpus.documents.doc_id) == ["huaian-inferred", "jiangsu-2018", "jincheng-2023", "jiujiang-2024", "yichun"]


def test_jiujiang_is_traditional_and_normalizes_to_simplified(corpus):
    doc = _doc(corpus, "jiujiang-2024")
    assert doc.script == "traditional"
    assert "to_simplified" in doc.normalization_steps
    text = (RAW / "jiujiang-2024.txt").read_text(encoding="utf-8")
    assert "制造业产品质量合格率" in normalize(text)
    assert "制造业产品质量合格率" in " ".join(corpus.clauses.query("doc_id == 'jiujiang-2024'").text)
    assert all(_doc(corpus, d).script == "simplified" for d in ["yichun", "jincheng-2023", "jiangsu-2018", "huaian-inferred"])


def test_jincheng_header_facts(corpus):
    doc = _doc(corpus, "jincheng-2023")
    assert doc.stated_doc_number == "晋市政发〔2023〕18号"
    assert doc.stated_signed_date == "2023-12-26"
    assert doc.stated_published_date == "2024-01-15"
    assert doc.stated_title == "关于全面推进质量强市建设的实施方案"


def test_stated_facts_of_other_plans(corpus):
    assert _doc(corpus, "jiujiang-2024").stated_signed_date == "2024-03-19"
    assert _doc(corpus, "jiujiang-2024").stated_title == "九江市深化质量强市建设实施方案"
    assert _doc(corpus, "jiangsu-2018").stated_title == "江苏省质量提升行动实施方案"
    assert _doc(corpus, "huaian-inferred").stated_published_date == "2022-09-15"


def test_sidecar_fields_and_inferred_values(corpus):
    huaian = _doc(corpus, "huaian-inferred")
    assert huaian.jurisdiction == "淮安市" and "jurisdiction" in huaian.inferred
    assert _doc(corpus, "jiangsu-2018").level == "province"
    assert _doc(corpus, "jiangsu-2018").issued_year == 2018
    assert _doc(corpus, "yichun").province == "江西省"


def test_sha256_and_characters(corpus):
    import hashlib

    doc = _doc(corpus, "yichun")
    data = (RAW / "yichun.txt").read_bytes()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.characters == len(data.decode("utf-8"))


@pytest.mark.parametrize(
    "doc_id, startswith, path",
    [
        ("yichun", "8.强化农产品食品药品质量安全", "三、主要内容 > (三)加快产品质量提档升级 > 8.强化农产品食品药品质量安全"),
        ("jiujiang-2024", "——产品、工程、服务、生态环境质量水平显著提升", "一、总体要求 > (二)主要目标"),
        ("jiujiang-2024", "引导民营建筑业企业", "四、加快产品、工程、服务和生态环境质量提档升级 > 11.打造九江建造升级版"),
        ("jincheng-2023", "严格落实食品安全“四个最严”要求", "四、提升产品供给质量新水平 > (十三)强化食品、药品质量安全"),
        ("jiangsu-2018", "构建现代先进测量体系", "三、落实主要措施 > (十七)夯实质量基础"),
        ("huaian-inferred", "4、扎实推进全市重点农产品标准化生产", "二、任务分工 > (一)提升产品质量水平 > 4、扎实推进全市重点农产品标准化生产"),
        ("huaian-inferred", "5、将质量强市活动工作经费列入年度财政预算", "三、保障工作 > (二)加强政策扶持 > 5、将质量强市活动工作经费列入年度财政预算"),
    ],
)
def test_heading_paths(corpus, doc_id, startswith, path):
    clauses = corpus.clauses[(corpus.clauses.doc_id == doc_id) & corpus.clauses.text.str.startswith(startswith)]
    assert len(clauses) == 1
    assert clauses.iloc[0].heading_path == path


def test_offsets_point_back_into_the_original(corpus):
    for doc_id, clauses in corpus.clauses.groupby("doc_id"):
        text = (RAW / f"{doc_id}.txt").read_text(encoding="utf-8")
        for c in clauses.itertuples():
            assert normalize(text[c.start : c.end]) == c.text


def test_responsibility_notes(corpus):
    c = corpus.clauses
    jiujiang_1 = c[(c.doc_id == "jiujiang-2024") & c.text.str.startswith("1.实施创新驱动")].iloc[0]
    assert jiujiang_1.responsibility_raw == "责任单位:市市场监管局、市工信局、市科技局"
    jiangsu = c[(c.doc_id == "jiangsu-2018") & c.text.str.startswith("(十四)加强质量管理")].iloc[0]
    assert jiangsu.responsibility_raw == "省经济和信息化委、省质监局、省商务厅等按职责分工负责"
    jincheng = c[(c.doc_id == "jincheng-2023") & c.responsibility_raw.fillna("").str.contains("工信局\\(国资委\\)")]
    assert len(jincheng) > 5


def test_damaged_clauses_are_flagged(corpus):
    c = corpus.clauses[corpus.clauses.doc_id == "jiujiang-2024"]
    flagged = c[c["flags"].notna()]
    assert len(flagged) == 2
    assert any("規?" in (RAW / "jiujiang-2024.txt").read_text(encoding="utf-8")[r.start : r.end] for r in flagged.itertuples())
    assert all("question_marks" in f for f in flagged["flags"])
    assert corpus.clauses[corpus.clauses.doc_id != "jiujiang-2024"]["flags"].isna().all()


def test_page_furniture_is_dropped(corpus):
    texts = " ".join(corpus.clauses.text)
    for furniture in ["image.png", "延伸阅读", "相关政策图解", "上一篇"]:
        assert furniture not in texts
    assert _doc(corpus, "jiangsu-2018").furniture_lines == 5
