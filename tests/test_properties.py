"""Property-based tests (hypothesis): the reader and the extractor on arbitrary input.

- ``reader.decode`` and ``build.process_plan`` raise nothing but qcompare ``InputError``
  subclasses, whatever the bytes or the Unicode text;
- every ``start``/``end`` (clauses, targets, any table with offsets) lies inside the
  original text, and a target's ``quote`` is exactly ``text[start:end]``;
- a plan's targets do not change when unrelated paragraphs (no digits, no Chinese
  numerals) are added before or after it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcompare.build import process_plan
from qcompare.errors import InputError
from qcompare.plan.sidecar import read_sidecar
from qcompare.plan.reader import decode

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
META = {"jurisdiction": "测试市", "jurisdiction_en": "Test", "level": "city", "province": "测试省",
        "title": "测试方案", "source": "hypothesis", "issued": None, "inferred": []}
TARGET_COLUMNS = ["indicator_raw", "value", "unit", "comparator"]

# Text that looks like a plan: Chinese, digits, units, cue words, headings, punctuation,
# line breaks and the odd damaged character, so the extractor's rules actually fire.
_PIECES = [
    "到2025年", "，", "。", "、", "；", "\n", "一、", "（二）", "3.", "达到", "以上", "不低于",
    "合格率", "%", "个百分点", "家", "万元", "力争", "培育", "新增", "下降", "左右", "控制在",
    "制造业产品质量", "食品抽检", "98", "94.5", "1+5", "十大", "〔2023〕18号", "责任单位：市市场监管局",
    "?", "\ufffd", "\ue000", "質量", "《", "》", "“", "”", " ", "\u3000", "\r\n",
]
plan_like = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=60).map("".join)
# Unrelated paragraphs: Chinese words and punctuation, no digits and no Chinese numerals.
_FILLER = list("质量发展推进建设工作加强完善体系服务监管企业品牌标准创新提升优化环境城市产业技术人才文化生态")
filler_paragraph = st.lists(st.sampled_from(_FILLER + ["，", "、"]), min_size=2, max_size=40).map(
    lambda chars: "".join(chars) + "。"
)


def _process(text: str) -> dict[str, pd.DataFrame]:
    return process_plan("prop", text.encode("utf-8"), META)


@FAST
@given(st.binary(max_size=2000))
def test_decode_raises_only_input_errors_on_bytes(data):
    try:
        text, encoding = decode(data)
    except InputError:
        return
    assert isinstance(text, str) and encoding


@FAST
@given(st.text(max_size=300))
def test_decode_raises_only_input_errors_on_unicode(text):
    for encoding in ("utf-8", "utf-16", "gb18030"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        try:
            decode(data)
        except InputError:
            pass


@FAST
@given(st.binary(max_size=1000))
def test_extractor_raises_only_input_errors_on_bytes(data):
    try:
        process_plan("prop", data, META)
    except InputError:
        pass


@FAST
@given(st.one_of(plan_like, st.text(max_size=300)))
def test_extractor_raises_only_input_errors_and_offsets_point_inside(text):
    try:
        tables = _process(text)
    except InputError:
        return
    original, _ = decode(text.encode("utf-8"))
    for name, df in tables.items():  # clauses, targets and every other table with offsets
        if "start" not in df.columns:
            continue
        assert ((df.start >= 0) & (df.start <= df.end) & (df.end <= len(original))).all(), name
    targets = tables["targets"]
    for quote, start, end in zip(targets.quote, targets.start, targets.end):
        assert original[start:end] == quote


@pytest.fixture(scope="module")
def bundled():
    """Each bundled plan's text, metadata and target tuples."""
    plans = {}
    for txt in sorted(RAW.glob("*.txt")):
        meta = read_sidecar(txt.with_name(txt.stem + ".meta.yml"))
        text = txt.read_text(encoding="utf-8")
        targets = process_plan(txt.stem, text.encode(), meta)["targets"]
        plans[txt.stem] = (text, meta, targets[TARGET_COLUMNS])
    return plans


def test_bundled_plans_have_targets_to_compare(bundled):
    # The invariance test below is only meaningful if the plans yield targets.
    assert {doc: len(t) for doc, (_, _, t) in bundled.items()}["jincheng-2023"] >= 20


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    doc=st.sampled_from(["huaian-inferred", "jiangsu-2018", "jincheng-2023", "jiujiang-2024", "yichun"]),
    before=st.lists(filler_paragraph, max_size=4),
    after=st.lists(filler_paragraph, max_size=4),
)
def test_targets_unchanged_by_unrelated_paragraphs(bundled, doc, before, after):
    text, meta, expected = bundled[doc]
    padded = "".join(p + "\n" for p in before) + text.rstrip("\n") + "\n" + "".join(p + "\n" for p in after)
    got = process_plan(doc, padded.encode(), meta)["targets"][TARGET_COLUMNS]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
