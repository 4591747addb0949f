"""Clauses -> targets: every quantitative target of a plan, with its source quote.

Reads one plan's original text and its ``clauses`` rows; returns rows of the ``targets``
table (one row per target: a value, or a qualitative level, for one indicator).
The rules read the words around each number (``data/lexicon.yml``): its unit, the
comparator cues before and after it, the verb that makes a count a target, the
indicator phrase before or after it, and the horizon year of its goal paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from qcompare.extract.numbers import CN_DIGITS, as_percent, parse_number
from qcompare.knowledge.data import data_yaml, longest_first
from qcompare.knowledge.indicator_names import strip_enumeration
from qcompare.knowledge.taxonomy import map_target
from qcompare.plan.normalize import damage_spans
from qcompare.schema import TABLES, TARGET_KINDS

# A Chinese numeral that does not end in 万/亿 (a trailing 万/亿 belongs to the unit: 7万件).
_CN_NUM = f"[{CN_DIGITS}十百千]+(?:[万亿]+[{CN_DIGITS}十百千]+)*(?:点[{CN_DIGITS}]+)?"
# Arabic: thousands commas only between 3-digit groups; single spaces inside (PDF text: 9 4 . 5).
_AR_NUM = r"\d+万\d{1,4}(?!\d)|\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d(?: ?\d)*(?: ?\. ?\d(?: ?\d)*)?"
_SHARE = rf"(?:百分之|千分之|万分之)(?:{_AR_NUM}|{_CN_NUM})|{_CN_NUM}分之{_CN_NUM}|[一二两三四五六七八九十]成(?![员本果效绩立为功交熟])|翻[一两二三四五]番"
_THOUSANDS = re.compile(r"\d,\d{3}(?:,\d{3})*(?![\d,])")
_WINDOW = 200  # characters of context read before a number; bounds the work per number
_QUOTE_MAX = 160  # a longer sub-clause is quoted as a window around its numbers
_SENTENCE_END = "。;；！？"
_CLAUSE_END = _SENTENCE_END + ",，:："
_PROTECTED = re.compile(r"“[^“”\"]{0,40}[”\"]|\"[^\"“”]{0,40}\"|《[^《》]{0,80}》|〔[^〔〕]{0,20}〕")
_YEAR = re.compile(r"(\d{4})\s*年")
_YEARISH = re.compile(r"(?:19|20)\d\d")
_YEARS_AT_END = re.compile(r"(?:相比|[比较与])?(?:(?:19|20)\d\d\s*年[、和及,，]?)*(?<!\d)(?:19|20)\d\d\s*年?$")
_TARGET_YEAR = re.compile(
    r"(?:到|至|截至)\s*(\d{4})\s*年|(\d{4})\s*年\s*(?:\d{1,2}\s*月\s*)?(?:底前|底|前|末)"
    r"|(?:(\d{4})\s*[—\-–~～至到]+\s*)(\d{4})\s*年"
)
_BASELINE = re.compile(r"(?:较|比|相比|与)\s*(\d{4})\s*年")
_GOAL_OPENING = re.compile(
    r"^(?:[^。]{1,24}[。:：])?\s*(?:力争)?(?:(?:到|至)\s*(?P<to>\d{4})\s*年"
    r"|(?P<first>\d{4})\s*[—\-–~～至到]+\s*(?P<end>\d{4})\s*年|(?P<bare>\d{4})\s*年\s*[,，:：])"
)
_GOAL_MID = re.compile(r"目标[^。]{0,8}?[,，:：]\s*(?:力争)?(?:到|至)\s*(\d{4})\s*年")
# A five-year plan period: “十四五”末/期间/时期 ends with the period's last year (十一五 2010 … 十五五 2030).
FIVE_YEAR = re.compile(r"(?:到|至)?\s*[“\"]?十(?P<n>[一二三四五六七八九])五[”\"]?\s*(?:规划)?(?:末|期末|期间|时期|末期)")
_MONTH_DEADLINE = re.compile(r"(?<![年\d])\d{1,2}\s*月\s*(?:底前|底|前|末)")
_LIST_SPLIT = re.compile(r"[、和及与]")


@dataclass(frozen=True)
class Lexicon:
    units: tuple[str, ...]
    not_after: tuple[str, ...]
    before: dict[str, tuple[str, ...]]
    after: dict[str, tuple[str, ...]]
    target_verbs: tuple[str, ...]
    scope_verbs: tuple[str, ...]
    aspirational: tuple[str, ...]
    qualitative: tuple[str, ...]
    trends: tuple[str, ...]  # 持续提升, 显著提高: a qualitative level after a measurable indicator
    rate_endings: tuple[str, ...]
    level_qualifiers: tuple[str, ...]  # 国家级, 省级以上: a part of the indicator named before
    any_level: re.Pattern = field(repr=False)  # any qualitative or trend phrase
    measure_suffixes: tuple[str, ...]
    strip_leading: tuple[str, ...]
    strip_trailing: tuple[str, ...]
    cue_fillers: tuple[str, ...]
    incentive_cues: tuple[str, ...]
    back_references: tuple[str, ...]
    plan_parts: tuple[str, ...]
    achieved: tuple[str, ...]
    kinds: tuple[dict, ...]
    vague_units: tuple[str, ...]
    kind_cue_blockers: tuple[str, ...]
    mention: re.Pattern = field(repr=False)


@cache
def lexicon() -> Lexicon:
    """The extraction lexicon, read once from ``data/lexicon.yml``."""
    raw = data_yaml("lexicon.yml")
    units = longest_first(raw["units"])
    unit_rx = "|".join(map(re.escape, units))
    num = rf"{_SHARE}|{_AR_NUM}|{_CN_NUM}"
    mention = re.compile(
        rf"(?P<n1>{num})(?:(?P<u1>%)?\s*(?P<sep>[-—–~～至到])\s*(?=\d|[零〇一二两三四五六七八九十百千万]))?"
        rf"(?(sep)(?P<n2>{num}))(?P<mult>万亿|[万亿])?(?P<approx>余|多)?(?: ?(?P<unit>%|‰|{unit_rx}))?"
    )
    trends = [a + v for a in raw["qualitative_trends"]["adverbs"] for v in raw["qualitative_trends"]["verbs"]]
    kinds = tuple(raw["kinds"])
    unknown = {r["kind"] for r in kinds} - set(TARGET_KINDS)
    if unknown:
        raise ValueError(f"data/lexicon.yml: kinds {sorted(unknown)} are not in schema.TARGET_KINDS")
    return Lexicon(
        units=units,
        not_after=longest_first(raw["not_after"]),
        before={k: longest_first(v) for k, v in raw["comparators"]["before"].items()},
        after={k: longest_first(v) for k, v in raw["comparators"]["after"].items()},
        target_verbs=longest_first(raw["target_verbs"]),
        scope_verbs=longest_first(raw["scope_verbs"]),
        aspirational=tuple(raw["aspirational"]),
        qualitative=longest_first(raw["qualitative"]),
        trends=longest_first(trends),
        rate_endings=longest_first(raw["rate_endings"]),
        level_qualifiers=longest_first(raw["level_qualifiers"]),
        any_level=re.compile("|".join(map(re.escape, longest_first([*raw["qualitative"], *trends])))),
        measure_suffixes=longest_first(raw["measure_suffixes"]),
        strip_leading=longest_first(raw["strip_leading"]),
        strip_trailing=longest_first(raw["strip_trailing"]),
        cue_fillers=tuple(raw["cue_fillers"]),
        incentive_cues=tuple(raw["incentive_cues"]),
        back_references=longest_first(raw["back_references"]),
        plan_parts=longest_first(raw["plan_parts"]),
        achieved=tuple(raw["achieved"]),
        kinds=kinds,
        vague_units=tuple(raw["vague_units"]),
        kind_cue_blockers=tuple(raw["kind_cue_blockers"]),
        mention=mention,
    )


@dataclass
class Mention:
    """A number in a sub-clause, with what is written right around it."""

    start: int
    end: int
    value: float
    value_high: float | None
    unit: str
    chinese: bool
    comparator: str | None = None  # from an `after` cue or a range


def strip_phrase(phrase: str) -> str:
    """An indicator phrase without the verbs, adverbs and marks around it.

    >>> strip_phrase("力争新增“江西绿色生态”认证证书")
    '“江西绿色生态”认证证书'
    >>> strip_phrase("制造业产品质量合格率稳定在")
    '制造业产品质量合格率'
    >>> strip_phrase("有效发明专利拥有量"), strip_phrase("（二）规模以上工业企业"), strip_phrase("4.新建农田排灌沟渠")
    ('有效发明专利拥有量', '规模以上工业企业', '农田排灌沟渠')
    >>> strip_phrase("建设省级以上服务站"), strip_phrase("建设工程竣工验收合格率"), strip_phrase("食品抽检合格率2025年、2030年均")
    ('省级以上服务站', '建设工程竣工验收合格率', '食品抽检合格率')
    >>> strip_phrase("打造福祥市级农产品区域公用品牌")  # jieba reads 打|造福: 打造 still goes
    '福祥市级农产品区域公用品牌'
    """
    lex = lexicon()
    marks = " 、,，;；:：。—-.．"
    prev = None
    while phrase != prev:
        prev = phrase
        phrase = phrase.strip(marks)
        phrase = re.sub(r"^(?:到|至|比|较|与)?\s*\d{4}\s*年(?:底前|底|前|末|相比)?", "", phrase)
        phrase = strip_enumeration(phrase)
        phrase = _YEARS_AT_END.sub("", phrase)  # 合格率2025年、2030年均保持在: the years are read apart
        for w in lex.strip_leading:
            if phrase.startswith(w) and _word_ends(phrase[: len(w) + 6])[0] <= len(w):
                phrase = phrase[len(w):]  # unless jieba reads a longer word: 有效, 建设工程 stay
                break
        for w in lex.strip_trailing:
            if phrase.endswith(w):
                phrase = phrase[: -len(w)]
                break
    return _balance(phrase)


def _balance(phrase: str) -> str:
    """Drop an unmatched bracket at either end: 省长质量奖(含提名奖 -> 省长质量奖(含提名奖)."""
    for open_, close in (("(", ")"), ("（", "）")):
        if phrase.count(open_) > phrase.count(close):
            phrase += close
        while phrase.startswith(close):
            phrase = phrase[1:]
        if phrase.count(close) > phrase.count(open_) and phrase.endswith(close):
            phrase = phrase[:-1]
    return phrase


def _spans(text: str, ends: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in ends and not (ch == "," and _THOUSANDS.match(text, i - 1)):  # 1,200家 is one number
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _protected(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED.finditer(text)]


def find_mentions(sub: str) -> list[Mention]:
    """Numbers in a sub-clause that could be target values.

    >>> [(m.value, m.unit) for m in find_mentions("数字经济核心产业增加值占GDP比重达到12%")]
    [(12.0, '%')]
    >>> [(m.value, m.unit) for m in find_mentions("出口退运率控制在千分之三以内,三分之一以上,九成以上,1,200家")]
    [(0.3, '%'), (33.3, '%'), (90, '%'), (1200.0, '家')]
    >>> [(m.value, m.unit, m.comparator) for m in find_mentions("新增两件,500余家,一到五家,近50个")]
    [(2, '件', None), (500.0, '家', 'approx'), (1, '家', 'range'), (50.0, '个', None)]
    >>> [(m.value, m.value_high, m.unit) for m in find_mentions("退运率降低到0.8‰以下,指数达到85.5—86,2021-2025年")]
    [(0.08, None, '%'), (85.5, 86.0, '')]
    >>> [(m.value, m.unit) for m in find_mentions("推进“123+N”平台建设,对接“9610”工程,3A级以上景区,培育一批,落实两个责任")]
    []
    """
    lex = lexicon()
    protected = _protected(sub)
    found = []
    for m in lex.mention.finditer(sub):
        s, e = m.span()
        n1, unit, mult = m["n1"], m["unit"] or "", m["mult"] or ""
        chinese = not n1[0].isdigit() and not n1.startswith(("百分之", "千分之", "万分之"))
        chinese = chinese and not n1.endswith(("成", "番")) and "分之" not in n1  # shares and 翻番 stand alone
        before, after = sub[s - 1 : s], sub[e : e + 4]
        if any(ps <= s < pe for ps, pe in protected):
            continue
        if re.match(r"[A-Za-z+\-/#:.]", before) or re.match(r"[A-Za-z+\-/:]", after[:1]):
            continue
        if before == "第" or sub[e - len(unit) :].lstrip().startswith(lex.not_after):  # 2025年, 3年, 15分钟, 千亿级
            continue
        if sub[max(0, s - 2) : s].endswith(("(含", "（含")):  # 85分(含85分)以上
            continue
        if n1.isdigit() and len(n1) > 1 and n1.startswith("0"):
            continue
        if chinese and not unit:
            continue
        if chinese and n1 in ("零", "〇", "一", "两", "二") and not m["sep"] and not _lone_count(sub, e, unit):
            continue  # 一批, 两个责任, 零部件; but 新增两件, 提高两个百分点
        if m["n2"] and not (unit or m["u1"] or m["n2"].startswith("百分之")) and _YEARISH.fullmatch(n1):
            continue  # a bare pair of years such as 2016-2020 is not a range target (85.5—86 is)
        try:
            value, implied = parse_number(n1)
            high = parse_number(m["n2"])[0] if m["n2"] else None
        except ValueError:
            continue
        unit = implied or unit
        value, high, unit = as_percent(value, high, unit)
        comparator = "range" if high is not None else ("approx" if m["approx"] else None)
        found.append(Mention(s, e, value, high, (mult + unit) if unit not in ("%", "倍") else unit, chinese, comparator))
    return found


def _lone_count(sub: str, end: int, unit: str) -> bool:
    """A lone 一/两 is a count when it closes its sub-clause or counts percentage points/multiples."""
    rest = sub[end:].strip()
    return bool(unit) and unit not in lexicon().vague_units and (unit in ("个百分点", "倍") or not rest or rest[0] in _CLAUSE_END or rest.startswith(tuple(c for cues in lexicon().after.values() for c in cues)))


def _after_comparator(text: str) -> str | None:
    lex = lexicon()
    text = re.sub(r"^\s*[(（]含[^)）]{0,12}[)）]", "", text)  # 85分(含85分)以上
    for comp, cues in lex.after.items():
        if comp == "approx" and text.lstrip().startswith(("余", "多")):
            continue  # 余/多 are read with the number
        if text.lstrip().startswith(cues):
            return comp
    return None


def _before_comparator(pre: str) -> tuple[str | None, str]:
    """Comparator of the cue ending ``pre``, and ``pre`` without it."""
    lex = lexicon()
    best = None
    bare = pre.rstrip()
    while bare.endswith(lex.cue_fillers):  # 超过了一千家, 至少有10个
        bare = bare[:-1].rstrip()
    pre = bare
    for comp, cues in lex.before.items():
        for cue in cues:
            if pre.endswith(cue) and (best is None or len(cue) > len(best[1])):
                best = (comp, cue)
    if best is None:
        return None, pre
    return best[0], pre[: -len(best[1])]


def _ends_with_measure(phrase: str) -> bool:
    return phrase.endswith(lexicon().measure_suffixes)


ELLIPSIS_HEAD = 4  # longest item of an ellipsis list that borrows the last item's tail (家电、家具…合格率)


@cache
def _word_ends(text: str) -> tuple[int, ...]:
    """Offsets where jieba's own dictionary ends a word in ``text`` (no user words, no HMM)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    ends, at = [], 0
    for word in jieba.lcut(text, HMM=False):
        at += len(word)
        ends.append(at)
    return tuple(ends)


def distribute(parts: list[str]) -> list[str]:
    """Items of an ellipsis list, each with the tail it shares with the last item: in
    家电、家具产品质量监督抽查合格率 the first item is 家电产品质量监督抽查合格率. Only short
    items (``ELLIPSIS_HEAD`` characters or fewer) that name no measure of their own borrow;
    the tail starts at the word boundary of the last item nearest the first item's length.

    >>> distribute(["家电", "家具产品质量监督抽查合格率"])
    ['家电产品质量监督抽查合格率', '家具产品质量监督抽查合格率']
    >>> distribute(["农产品", "食品抽检合格率"]), distribute(["国家级", "省级专精特新企业"])
    (['农产品抽检合格率', '食品抽检合格率'], ['国家级专精特新企业', '省级专精特新企业'])
    >>> distribute(["制造业产品质量合格率", "食品抽检合格率"])
    ['制造业产品质量合格率', '食品抽检合格率']
    """
    last = parts[-1]
    short = [p for p in parts[:-1] if len(p) <= ELLIPSIS_HEAD and not _ends_with_measure(p)]
    if len(parts) < 2 or len(short) < len(parts) - 1:
        return parts
    ends = [e for e in _word_ends(last) if e < len(last) - 1]
    if not ends:
        return parts
    cut = min(ends, key=lambda e: (abs(e - len(parts[0])), e))
    return [p + last[cut:] for p in parts[:-1]] + [last]


def _split_shared(phrase: str) -> list[str]:
    """``A、B`` sharing one value gives ``[A, B]`` when each names a measure, or, in a 、 list,
    when the earlier items borrow the last one's (``distribute``)."""
    if "等" in phrase:  # 儿童用品、电动自行车等重点消费品合格率: examples of one measure
        return [phrase]
    parts = [p for p in (strip_phrase(p) for p in re.split("、|以及|及|和", phrase)) if p]
    if len(parts) > 1 and "、" in phrase and not all(_ends_with_measure(p) for p in parts):
        parts = distribute(parts)  # 食品、药品抽检合格率; 房屋建筑和市政工程… names one sector
    if len(parts) > 1 and all(_ends_with_measure(p) for p in parts):
        return parts
    return [phrase]


def _post_phrase(sub: str, end: int, next_start: int) -> str:
    tail = sub[end:next_start]
    tail = re.sub(r"^(?:以上|以内|以下|左右|及以上)", "", tail)
    pieces = tail.split("、")
    if len(pieces) > 1 and next_start < len(sub):
        tail = pieces[0]
    if "的" in tail:
        tail = tail.rsplit("的", 1)[1]
    return strip_phrase(tail)


@dataclass
class Row:
    clause_id: int
    heading_path: str
    indicator_raw: str
    value: float | None
    value_high: float | None
    unit: str
    comparator: str
    kind: str
    target_year: int | None
    aspirational: bool
    q_start: int  # offsets within the clause text
    q_end: int
    baseline_year: int | None
    flags: list[str]


def _group(mentions: list[Mention], sub: str) -> list[list[Mention]]:
    """Value lists: numbers joined only by 、/和 (100万、50万、30万元) form one group."""
    groups: list[list[Mention]] = []
    for m in mentions:
        if groups and re.fullmatch(r"\s*(?:以上|以下|以内|左右)?\s*[、和及与]\s*", sub[groups[-1][-1].end : m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _is_target(group: list[Mention], pre: str, context: str, before_comp: str | None, after_comp: str | None,
               post: str) -> bool:
    """Whether a group of numbers is a target; ``context`` is its sentence up to the number,
    ``post`` the few characters after it."""
    lex = lexicon()
    unit = group[-1].unit
    if any(c in context[-40:] or post.lstrip("以上下内左右的").startswith(c) for c in lex.incentive_cues):
        return False  # 奖励100万元, 给予最高100万元资助
    if pre.rstrip().endswith(lex.back_references) and not pre.rstrip().endswith("级以上"):
        return False  # 上述4类, 以上3项 (but 省级以上30家 is a level of body)
    if unit != "%" and re.sub(r"^(?:以上|以下|及以上)", "", post).startswith("的"):
        return False  # 年主营业务收入超过1000亿元的企业 (but 九成以上的县 is a share)
    if unit and post.startswith(lex.plan_parts):
        return False  # 8项重点任务, 9个方面
    if any(a in pre for a in lex.achieved):
        return False  # 截至2023年底已建成12个: an actual
    if any(m.chinese for m in group) and not any(v in pre for v in lex.target_verbs):
        return False
    if unit in ("%", "个百分点", "倍"):
        return True
    if not unit:
        return bool(before_comp or after_comp) and len(str(group[0].value)) <= 8
    if pre.lstrip(" 、").startswith(lex.scope_verbs):
        return bool(after_comp)
    return any(v in context for v in lex.target_verbs) or bool(after_comp) or before_comp in (">=", "<=", "approx")


def kind_of(pre: str, comparator: str, unit: str) -> str:
    """Kind of a target (``schema.TARGET_KINDS``) from the lexicon's ``kinds`` rules.

    >>> kind_of("每年新增", "=", "件"), kind_of("累计创建", "=", "个"), kind_of("", "increase_by", "个百分点")
    ('annual', 'cumulative', 'change')
    >>> kind_of("新增", "=", "家"), kind_of("增加到", "=", "家"), kind_of("工业增加值占比达到", "=", "%")
    ('added', 'level', 'level')
    >>> kind_of("城镇新建建筑中绿色建筑面积占比达到", "=", "%"), kind_of("年均增长", "increase_by", "%")
    ('level', 'annual')
    """
    lex = lexicon()
    blockers = "".join(lex.kind_cue_blockers)
    for rule in lex.kinds:
        for c in rule.get("cues", ()):
            found = re.search(re.escape(c) + f"(?![{blockers}])", pre)
            if found and not any(e in pre[found.end():] for e in lex.rate_endings):
                return rule["kind"]
        if comparator in rule.get("comparators", ()) or unit in rule.get("units", ()):
            return rule["kind"]
    return "level"


@dataclass
class Candidate:
    """Targets read from one group of numbers: each number paired with its indicator."""

    pairs: list[tuple[Mention, str, str]]  # (number, indicator, comparator)
    unit: str  # the group's unit, for members written without one (100万、50万、30万元)
    kind: str


def _indicators(sub: str, group: list[Mention], pre: str, before_comp: str | None, next_start: int,
                follows: str) -> list[str]:
    """Indicator phrase(s) for a group: before the number, after it, or paired from a list."""
    base, paren, inside = pre.rpartition("(")
    if paren and ")" not in inside:  # (复评2万元): a variant of the target before it
        return [f"{follows or strip_phrase(base)}({strip_phrase(inside)})"]
    before = strip_phrase(pre)
    verb_before = pre.rstrip().endswith(lexicon().target_verbs + ("等",)) and before_comp is None
    after = _post_phrase(sub, group[-1].end, next_start)
    if (not before or verb_before or (follows and before == follows)) and after:
        return [after]  # 培育5家重点红色旅游经典景区; 培育30个A和12个B
    if len(group) > 1:  # 对获得A、B、C的组织给予100万、50万、30万元; A、B分别达到X和Y
        items = before.rsplit("的", 1)[0]
        parts = [p for p in (strip_phrase(p) for p in _LIST_SPLIT.split(items)) if p]
        return distribute(parts[-len(group):]) if len(parts) >= len(group) else [before] * len(group)
    return _split_shared(before)


def qualified(name: str, previous: str) -> str:
    """A bare level (国家级, 省级以上) names a part of the indicator before it: 地理标志产品达到
    15个,其中国家级5个 gives 国家级地理标志产品. Any level the previous name opens with goes.

    >>> qualified("国家级", "地理标志产品"), qualified("省级", "市级以上龙头企业"), qualified("国家级", "")
    ('国家级地理标志产品', '省级龙头企业', '国家级')
    """
    levels = lexicon().level_qualifiers
    if name not in levels or not previous:
        return name
    for level in levels:
        if previous.startswith(level):
            previous = previous[len(level):]
            break
    return name + previous


def _candidates(sub: str, sentence: str, c_start: int, last_indicator: str) -> list[Candidate]:
    """Targets in ``sub``, the sub-clause of ``sentence`` at ``c_start``; ``last_indicator`` is
    the sentence's previous one."""
    groups = _group(find_mentions(sub), sub)
    out = []
    prev_end = 0
    for gi, group in enumerate(groups):
        first, last = group[0], group[-1]
        pre = sub[max(prev_end, first.start - _WINDOW) : first.start]
        if prev_end:  # a list of targets: this one's words start after the last 、
            pre = pre.rsplit("、", 1)[-1]
        follows = last_indicator if prev_end else ""
        prev_end = last.end
        at = c_start + first.start
        context = sentence[max(0, at - _WINDOW) : at]
        post = sub[last.end : last.end + 12]
        after_comp = _after_comparator(post)
        before_comp, pre_wo_cue = _before_comparator(pre.rstrip())
        if not _is_target(group, pre, context, before_comp, after_comp, post):
            continue
        comparator = first.comparator or after_comp or before_comp or "="
        if before_comp in ("increase_by", "decrease_by"):
            comparator = before_comp
        if last.unit == "个百分点" and comparator not in ("increase_by", "decrease_by"):
            comparator = "increase_by"
        if last.unit == "倍":  # 增长一倍 and 翻一番 are both 2 倍: a multiple, not an increment
            if before_comp == "increase_by" and "番" not in sub[first.start : first.end]:
                first.value += 1
            comparator = "="
        next_start = groups[gi + 1][0].start if gi + 1 < len(groups) else len(sub)
        names = [n for n in _indicators(sub, group, pre_wo_cue, before_comp, next_start, follows) if n]
        names = names or [last_indicator]  # 控制在0.30以内,力争低于0.25
        names = [qualified(n, last_indicator) for n in names]  # 达到15个,其中国家级5个
        own = [m.comparator or _after_comparator(sub[m.end : m.end + 12]) or comparator for m in group]
        if len(group) > 1:
            pairs = [(m, n, c) for m, n, c in zip(group, names, own)]
        else:
            pairs = [(first, n, comparator) for n in names]
        last_indicator = pairs[-1][1]
        kind = kind_of(sub[max(0, first.start - _WINDOW) : first.start], comparator, last.unit)
        out.append(Candidate(pairs, last.unit, kind))
    return out


class _Years:
    """Year expressions of one sentence, found once, looked up by position (linear work)."""

    def __init__(self, sentence: str, issued: int | None):
        self.events: list[tuple[int, str, int, int | None]] = []  # (end, what, year, range start)
        for m in _TARGET_YEAR.finditer(sentence):
            year = int(m[1] or m[2] or m[4])
            past = issued is not None and year < issued or sentence[m.end() : m.end() + 1] == "的"
            self.events.append((m.end(), "past" if past else "target", year, int(m[3]) if m[3] else None))
        for m in _BASELINE.finditer(sentence):
            self.events.append((m.end(), "baseline", int(m[1]), None))
        for m in FIVE_YEAR.finditer(sentence):
            year = five_year_end(m["n"])
            self.events.append((m.end(), "past" if issued is not None and year < issued else "target", year, year - 4))
        taken = {e[0] for e in self.events}
        for m in _YEAR.finditer(sentence):
            if m.end() in taken:
                continue
            year = int(m[1])  # a plain year is past unless the plan's issue year says otherwise
            past = issued is None or year < issued or sentence[m.end() : m.end() + 1] == "的"
            self.events.append((m.end(), "past" if past else "target", year, None))
        self.events.sort()
        self.ends = [e[0] for e in self.events]

    def at(self, pos: int) -> tuple[int | None, int | None, int | None, bool]:
        """(target year, range start, baseline year, historical) for a number at ``pos``."""
        target = start = baseline = None
        past = False
        for end, what, year, first in self.events[: bisect_right(self.ends, pos)]:
            if what == "target":
                target, start, past = year, first, False
            elif what == "baseline":
                baseline = year
            else:
                past = True
        return target, start, baseline, past and target is None


def _touches(span: tuple[int, int], damage: list[tuple[int, int, str]]) -> bool:
    """True when a damaged span lies within two characters of ``span``."""
    return any(ds < span[1] + 2 and de > span[0] - 2 for ds, de, _ in damage)


def clause_targets(text: str, clause_id: int, heading_path: str, horizon: int | None,
                   issued: int | None = None) -> list[Row]:
    """Targets of one clause's normalized ``text``; ``horizon`` is its goal paragraph's year,
    ``issued`` the plan's issue year (earlier years are past statistics)."""
    lex = lexicon()
    rows: list[Row] = []
    damage = damage_spans(text)
    carried = horizon  # a year stated in a sentence holds for the goal paragraph's next sentences
    stated_last = None  # the clause's last stated year, for a deadline without one (9月底前)
    for s_start, s_end in _spans(text, _SENTENCE_END):
        sentence = text[s_start:s_end]
        years = _Years(sentence, issued)
        last_indicator = ""
        for c_start, c_end in _spans(sentence, _CLAUSE_END):
            sub = sentence[c_start:c_end]
            offset = s_start + c_start
            q_start = offset + len(sub) - len(sub.lstrip(" —-"))
            q_end = offset + len(sub.rstrip())
            for cand in _candidates(sub, sentence, c_start, last_indicator):
                last_indicator = cand.pairs[-1][1]
                first = cand.pairs[0][0]
                year, range_start, baseline, historical = years.at(c_start + first.start)
                if historical:
                    continue
                if year is None and _MONTH_DEADLINE.search(sentence[: c_start + first.start]):
                    year = stated_last
                context = sentence[max(0, c_start + first.start - _WINDOW) : c_start + first.start]
                aspirational = any(w in context for w in lex.aspirational)
                yearly = _yearly(sub, cand, range_start, year)
                lo, hi = q_start, q_end
                if hi - lo > _QUOTE_MAX:  # no punctuation for a long stretch: quote a window
                    lo = max(q_start, offset + first.start - 60)
                    hi = min(q_end, offset + cand.pairs[-1][0].end + 60)
                for i, (m, indicator, comparator) in enumerate(cand.pairs):
                    corrupted = _touches((offset + m.start, offset + m.end), damage)
                    rows.append(Row(
                        clause_id, heading_path, indicator,
                        None if corrupted else m.value, m.value_high,
                        m.unit if m.unit not in ("", "万", "亿") else cand.unit,
                        comparator, cand.kind, yearly[i] if yearly else (year or carried), aspirational,
                        lo, hi, baseline, ["corrupted"] if corrupted else [],
                    ))
            rows.extend(_qualitative(sub, sentence[:c_start], clause_id, heading_path, carried, q_start, q_end, issued))
        stated = [e[2] for e in years.events if e[1] == "target"]
        stated_last = stated[-1] if stated else stated_last
        if stated and horizon is not None:  # only a goal paragraph carries its years on
            carried = stated[-1]
    return rows


def _yearly(sub: str, cand: Candidate, range_start: int | None, end: int | None) -> list[int] | None:
    """逐年达到92%、93%、94% after 2023—2025年: one year per value, in order."""
    n = len(cand.pairs)
    if n < 2 or "逐年" not in sub[: cand.pairs[0][0].start] or not end:
        return None
    if range_start is not None and end - range_start + 1 != n:
        return None
    return list(range(end - n + 1, end + 1))


def _measure_list(phrase: str) -> list[str]:
    """``A、B、C`` of a qualitative level: one name per measure when each item names one.

    >>> _measure_list("智能装备应用率、全员劳动生产率"), _measure_list("质量和品牌综合实力")
    (['智能装备应用率', '全员劳动生产率'], ['质量和品牌综合实力'])
    """
    parts = [strip_phrase(p) for p in phrase.split("、")]
    return parts if len(parts) > 1 and all(p and _ends_with_measure(p) for p in parts) else [phrase]


def _qualitative(sub, sentence_pre, clause_id, heading_path, horizon, q_start, q_end, issued) -> list[Row]:
    lex = lexicon()
    if not lex.any_level.search(sub):  # most sub-clauses hold none: one scan instead of one per phrase
        return []
    for phrase in (*lex.qualitative, *lex.trends):
        i = sub.find(phrase)
        if i < 0:
            continue
        indicator = strip_phrase(sub[:i])
        suffixes = lex.rate_endings if phrase in lex.trends else lex.measure_suffixes
        if not indicator or not indicator.endswith(suffixes) or find_mentions(sub[:i]):
            return []
        pre = sentence_pre + sub[:i]
        year = _Years(pre, issued).at(len(pre))[0]
        aspirational = any(w in pre for w in lex.aspirational)
        return [Row(clause_id, heading_path, name, None, None, "", "qualitative", "level", year or horizon,
                    aspirational, q_start, q_end, None, []) for name in _measure_list(indicator)]
    return []


def five_year_end(n: str) -> int:
    """Last year of the 十N五 (the 1N-th) five-year plan period.

    >>> five_year_end("四"), five_year_end("三"), five_year_end("五")
    (2025, 2020, 2030)
    """
    return 1955 + 5 * (10 + "一二三四五六七八九".index(n) + 1)


def goal_horizon(text: str, issued: int | None = None) -> int | None:
    """Year of a goal paragraph, which its section's later clauses inherit: 到YYYY年 opening it
    (after a heading line), a year range or a bare year (not before ``issued``) opening it, or
    到YYYY年 right after 目标.

    >>> goal_horizon("(二)主要目标。到2025年,质量整体水平进一步提高"), goal_horizon("力争2025年底实现")
    (2025, None)
    >>> goal_horizon("2021—2023年,全市质量水平提升"), goal_horizon("围绕总体要求明确主要目标,到2025年,A达到9%")
    (2023, 2025)
    >>> goal_horizon("2022年全市合格率为92.7%", issued=2024)
    >>> goal_horizon("到“十四五”末,全市质量水平明显提升", issued=2022)
    2025
    """
    m = _GOAL_OPENING.match(text)
    period = FIVE_YEAR.match(text.lstrip(" —-力争"))
    if period and (issued is None or five_year_end(period["n"]) >= issued):
        return five_year_end(period["n"])  # 到“十四五”末,…
    if not m:
        mid = _GOAL_MID.search(text[:_WINDOW])
        return int(mid[1]) if mid else None
    year = int(m["to"] or m["end"] or m["bare"])
    if m["to"] or issued is None or year >= issued:
        return year
    return None


def extract_targets(original: str, clauses: pd.DataFrame, document: pd.Series,
                    tables: dict[int, list[Row]] | None = None) -> pd.DataFrame:
    """Rows of the ``targets`` table for one plan (see ``schema.TARGETS``); ``tables`` gives the
    rows of table lines (``extract.tables.table_rows``), which are not read as prose."""
    rows = []
    horizons: dict[str, int] = {}
    issued = document.get("issued_year")
    issued = None if pd.isna(issued) else int(issued)
    tables = tables or {}
    for clause in clauses.itertuples(index=False):
        year = goal_horizon(clause.text, issued)
        if year:
            horizons[clause.heading_path] = year
        horizon = _inherited(horizons, clause.heading_path)
        found = tables[clause.clause_id] if clause.clause_id in tables else clause_targets(
            clause.text, clause.clause_id, clause.heading_path, horizon, issued)
        for r in found:
            start, end = clause.start + r.q_start, clause.start + r.q_end
            mapping = map_target(r.indicator_raw, None if r.comparator == "qualitative" else r.unit,
                                 context=clause.text[: r.q_start], jurisdiction=document["jurisdiction"])
            rows.append({
                "doc_id": document["doc_id"],
                "clause_id": r.clause_id,
                "heading_path": r.heading_path,
                "indicator_raw": r.indicator_raw,
                "indicator_id": mapping.indicator_id,
                "family": mapping.family,
                "mapped_by": mapping.mapped_by,
                "value": r.value,
                "value_high": r.value_high,
                "unit": r.unit or None,
                "comparator": r.comparator,
                "kind": r.kind,
                "target_year": r.target_year,
                "aspirational": r.aspirational,
                "quote": original[start:end],
                "start": start,
                "end": end,
                "baseline_year": r.baseline_year,
                "flags": ";".join(r.flags) or None,
            })
    df = pd.DataFrame(rows, columns=[c for c in TABLES["targets"].names if c != "target_id"])
    df.insert(1, "target_id", range(1, len(df) + 1))
    return df


def _inherited(horizons: dict[str, int], heading_path: str) -> int | None:
    """Horizon of the nearest enclosing section that set one (（二）主要目标 -> its 1., 2., …)."""
    path = heading_path
    while True:
        if path in horizons:
            return horizons[path]
        if " > " not in path:
            return None
        path = path.rsplit(" > ", 1)[0]
