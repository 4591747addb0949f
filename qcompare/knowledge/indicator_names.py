"""Indicator phrases -> the form the taxonomy is looked up in.

Reads one raw indicator phrase (``targets.indicator_raw``), the plan's jurisdiction and,
for a bare measure word (合格率, 满意度), the sentence before it; writes nothing. Each fix
is a small pure ``str -> str`` function; ``normalize_and_explain`` applies them in order
and returns the steps that changed the phrase. The word lists are data: the
``normalization`` section of ``data/taxonomy.yml``.

Also here: character n-gram similarity, which ``qcompare indicators --suggest`` uses to
propose the closest canonical indicators for a phrase nobody has mapped yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from qcompare.knowledge.data import data_yaml, longest_first


# pinyin in brackets left by damaged reprints: 产(chǎn)品, 质(zhì)量
_PINYIN = re.compile(r"[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[1-5]?[)）]")
_QUOTES = re.compile(r"[\s“”\"'‘’《》「」『』〈〉]")
# a place name glued on: 2-4 characters and an administrative suffix (九江市, 泽州县)
_PLACE = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,4}?)(?:自治区|自治州|省|市|县|区|州|盟|旗)")
_SENTENCE_END = "。;；！？\n"
# list markers left at the start: （一） (2) 1. 一、 and a stray dot
_ENUMERATION = re.compile(r"^(?:[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、是]|\d{1,2}[.、．)）]|[.、．])\s*")
# a baseline year left at the end: …起数比2011年, …较2020年
_EXAMPLES = re.compile(r"^[^等、]+(?:、[^等、]+)+等")  # A、B等…
_BASELINE_TAIL = re.compile(r"(?:比|较|与)\d{4}年(?:相比|底|末)?$")


@dataclass(frozen=True)
class Words:
    """The normalization word lists of ``data/taxonomy.yml``."""

    prefixes: tuple[str, ...]  # 我省, 本市, 全市, ...
    leading: tuple[str, ...]  # time words and verbs left before the measure: 全年, 已建成, 新获, ...
    provinces: tuple[str, ...]  # short names written without 省: 广东, 江西, ...
    not_places: tuple[str, ...]  # words that look like a place name and are not: 城市, 社区, ...
    trailing: tuple[str, ...]  # function words left after the measure: 整体, 均在, 稳定在, ...
    bare: tuple[str, ...]  # measure words that need a subject: 合格率, 满意度, ...


@cache
def words() -> Words:
    """The word lists, read once from the ``normalization`` section of ``data/taxonomy.yml``."""
    raw = data_yaml("taxonomy.yml")
    n = raw["normalization"]
    return Words(*(longest_first(n[k]) for k in ("prefixes", "leading", "provinces", "not_places", "trailing", "bare")))


def strip_pinyin(phrase: str) -> str:
    """Drop pinyin annotations in brackets.

    >>> strip_pinyin("产(chǎn)品质量合格率")
    '产品质量合格率'
    >>> strip_pinyin("单位(万元)GDP能源消耗")  # Chinese in brackets is part of the name
    '单位(万元)GDP能源消耗'
    """
    return _PINYIN.sub("", phrase)


def strip_quotes(phrase: str) -> str:
    """Drop spaces and quote marks (the form phrasings are compared in).

    >>> strip_quotes("“江西绿色生态” 认证证书")
    '江西绿色生态认证证书'
    """
    return _QUOTES.sub("", phrase)


def strip_jurisdiction(phrase: str, jurisdiction: str = "") -> str:
    """Drop a jurisdiction glued on before the measure: 我省, 全市, a 省/市/县/区 name, a
    province's short name, or the plan's own ``jurisdiction`` (with or without its suffix).

    >>> strip_jurisdiction("我省产品质量监督抽查合格率")
    '产品质量监督抽查合格率'
    >>> strip_jurisdiction("广东主要农产品质量安全监测合格率")
    '主要农产品质量安全监测合格率'
    >>> strip_jurisdiction("九江市食品抽检合格率"), strip_jurisdiction("梅州食品抽检合格率", "梅州市")
    ('食品抽检合格率', '食品抽检合格率')
    >>> strip_jurisdiction("城市环境空气质量良好天数比重")  # 城市 is not a place
    '城市环境空气质量良好天数比重'
    >>> strip_jurisdiction("省级工业设计中心"), strip_jurisdiction("市场主体")
    ('省级工业设计中心', '市场主体')
    """
    w = words()
    own = [jurisdiction, re.sub(r"(?:自治区|自治州|省|市|县|区)$", "", jurisdiction)] if jurisdiction else []
    prev = None
    while phrase != prev:
        prev = phrase
        for prefix in longest_first([p for p in own if len(p) >= 2]) + w.prefixes + w.provinces:
            if phrase.startswith(prefix) and len(phrase) - len(prefix) >= 3:
                phrase = phrase[len(prefix):]
                break
        else:
            m = _PLACE.match(phrase)
            if m and not phrase.startswith(w.not_places) and len(phrase) - m.end() >= 3 \
                    and not phrase[m.end():].startswith(("级", "场", "民", "域", "内", "外")):
                phrase = phrase[m.end():]
    return phrase


def strip_enumeration(phrase: str) -> str:
    """Drop a list marker left at the start: （一）, (2), 1., 3), 一、, 一是 or a stray dot.

    >>> strip_enumeration("（二）研究与试验发展经费支出占地区生产总值比重"), strip_enumeration(".化肥亩均施用量")
    ('研究与试验发展经费支出占地区生产总值比重', '化肥亩均施用量')
    >>> strip_enumeration("5G基站")  # a number that is part of the name stays
    '5G基站'
    """
    return _ENUMERATION.sub("", phrase, count=1)


def strip_leading(phrase: str) -> str:
    """Drop time words and verbs left before the measure (全年, 去年, 已建成, 新获, 完成).

    >>> strip_leading("全年主导制定国际标准"), strip_leading("已建成产业计量测试中心")
    ('主导制定国际标准', '产业计量测试中心')
    >>> strip_leading("年度亿元GDP生产安全事故死亡率")  # 年度 is not in the list: the name keeps it
    '年度亿元GDP生产安全事故死亡率'
    """
    w = words()
    prev = None
    while phrase != prev:
        prev = phrase
        for word in w.leading:
            if phrase.startswith(word) and len(phrase) - len(word) >= 3:
                phrase = phrase[len(word):]
                break
    return phrase


def strip_trailing(phrase: str) -> str:
    """Drop function words left after the measure (…合格率整体, …均在, …稳定在).

    >>> strip_trailing("制造业产品质量合格率整体"), strip_trailing("食品抽检合格率均在")
    ('制造业产品质量合格率', '食品抽检合格率')
    >>> strip_trailing("重大质量安全事故起数比2011年"), strip_trailing("检验检测机构营业收入年")
    ('重大质量安全事故起数', '检验检测机构营业收入')
    >>> strip_trailing("农业标准化生产普及率")  # nothing trails
    '农业标准化生产普及率'
    """
    w = words()
    prev = None
    while phrase != prev:
        prev = phrase
        phrase = _BASELINE_TAIL.sub("", phrase)
        for word in w.trailing:
            if phrase.endswith(word) and len(phrase) > len(word) + 1:
                phrase = phrase[: -len(word)]
                break
    return phrase


def strip_examples(phrase: str) -> str:
    """Drop the examples a measure opens with: 儿童用品、电动自行车等重点消费品合格率 is 重点消费品合格率.

    >>> strip_examples("儿童用品、电动自行车等重点消费品合格率"), strip_examples("等级公路比例")
    ('重点消费品合格率', '等级公路比例')
    """
    m = _EXAMPLES.match(phrase)
    return phrase[m.end():] if m and len(phrase) - m.end() >= 3 else phrase


_STEPS = (
    ("pinyin", strip_pinyin),
    ("quotes", strip_quotes),
    ("enumeration", strip_enumeration),
    ("examples", strip_examples),
    ("trailing", strip_trailing),
)


def normalize_and_explain(phrase: str, jurisdiction: str = "") -> tuple[str, list[str]]:
    """The phrase in lookup form, and the names of the steps that changed it.

    >>> normalize_and_explain("我省产(chǎn)品质量监督抽查合格率整体")
    ('产品质量监督抽查合格率', ['pinyin', 'trailing', 'jurisdiction'])
    >>> normalize_and_explain("制造业产品质量合格率")
    ('制造业产品质量合格率', [])
    """
    steps = []
    for name, fix in _STEPS:
        fixed = fix(phrase)
        if fixed != phrase:
            steps.append(name)
            phrase = fixed
    for name in ("leading", "jurisdiction", "leading"):  # 全年全市…, 全市全年…
        fixed = strip_leading(phrase) if name == "leading" else strip_jurisdiction(phrase, jurisdiction)
        if fixed != phrase:
            steps.append(name)
            phrase = fixed
    return phrase, steps


def normalize(phrase: str, jurisdiction: str = "") -> str:
    """``normalize_and_explain`` without the steps.

    >>> normalize("“全市”公共服务质量满意度稳定在", "宜春市")
    '公共服务质量满意度'
    """
    return normalize_and_explain(phrase, jurisdiction)[0]


def is_bare(phrase: str) -> bool:
    """True for a measure word that says nothing about what is measured.

    >>> is_bare("合格率"), is_bare("顾客满意度"), is_bare("食品抽检合格率")
    (True, True, False)
    """
    return phrase in words().bare


def current_sentence(context: str) -> str:
    """The part of ``context`` after its last sentence end: where a bare measure's subject is.

    >>> current_sentence("农产品抽检合格率98%。生产性服务业质量全面提升,")
    '生产性服务业质量全面提升,'
    """
    cut = max(context.rfind(ch) for ch in _SENTENCE_END)
    return context[cut + 1:]


def subject_phrase(bare: str, context: str, subjects: dict[str, list[str]]) -> str | None:
    """``subject + bare`` for the subject named last in the sentence before a bare measure.

    ``subjects`` maps a bare measure to the subjects the taxonomy lists it with (生产性服务业
    for 顾客满意度). The nearest subject wins; a longer one wins a tie.

    >>> subs = {"顾客满意度": ["生产性服务业", "生活性服务业"], "合格率": ["食品抽检"]}
    >>> subject_phrase("顾客满意度", "生活性服务业质量显著改善,", subs)
    '生活性服务业顾客满意度'
    >>> subject_phrase("合格率", "开展食品抽检5000批次,", subs)
    '食品抽检合格率'
    >>> subject_phrase("合格率", "工程质量明显提升,", subs) is None  # no subject in the sentence
    True
    """
    sentence = current_sentence(context)
    best = None
    for subject in subjects.get(bare, []):
        at = sentence.rfind(subject)
        if at >= 0:
            rank = (at + len(subject), len(subject))
            if best is None or rank > best[0]:
                best = (rank, subject)
    return best[1] + bare if best else None


def ngrams(text: str, n: int = 2) -> set[str]:
    """Character n-grams of a phrase (its single characters when shorter than n).

    >>> sorted(ngrams("合格率"))
    ['合格', '格率']
    """
    text = strip_quotes(text)
    return {text[i : i + n] for i in range(len(text) - n + 1)} or set(text)


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two phrases, 0 to 1.

    >>> similarity("食品安全抽检合格率", "食品安全抽检合格率")
    1.0
    >>> round(similarity("食品抽查合格率", "食品抽检合格率"), 2)
    0.67
    >>> similarity("红色旅游接待人数", "制造业产品质量合格率")
    0.0
    """
    x, y = ngrams(a), ngrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0
