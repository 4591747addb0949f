"""Clauses -> targets: every quantitative target of a plan, with its source quote.

Reads one plan's original text and its ``clauses`` rows; returns rows of the ``targets``
table (one row per target: a value, or a qualitative level, for one indicator).
The rules read the words around each number (``data/lexicon.yml``): its unit, the
comparator cues before and after it, the verb that makes a count a target, the
indicator phrase before or after it, and the horizon year of its goal paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import pandas as pd
import yaml

from qcompare.extract.numbers import parse_number
from qcompare.knowledge.taxonomy import map_target
from qcompare.plan.normalize import damage_spans
from qcompare.schema import TABLES

_CN_NUM = "[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"
_AR_NUM = r"\d+(?:\.\d+)?"
_SENTENCE_END = "。;；！？"
_CLAUSE_END = _SENTENCE_END + ",，:："
_PROTECTED = re.compile(r"“[^“”\"]{0,40}[”\"]|\"[^\"“”]{0,40}\"|《[^《》]{0,80}》|〔[^〔〕]{0,20}〕")
_YEAR = re.compile(r"(\d{4})\s*年")
_TARGET_YEAR = re.compile(r"(?:到|至|截至)\s*(\d{4})\s*年|(\d{4})\s*年\s*(?:底前|底|前|末)")
_BASELINE = re.compile(r"(?:较|比|相比|与)\s*(\d{4})\s*年")
_GOAL_OPENING = re.compile(r"^(?:[^。]{1,24}。)?\s*(?:力争)?(?:到|至)\s*(\d{4})\s*年")
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
    measure_suffixes: tuple[str, ...]
    strip_leading: tuple[str, ...]
    strip_trailing: tuple[str, ...]
    mention: re.Pattern = field(repr=False)


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def lexicon() -> Lexicon:
    """The extraction lexicon, read once from ``data/lexicon.yml``."""
    raw = yaml.safe_load(files("qcompare").joinpath("data/lexicon.yml").read_text(encoding="utf-8"))
    units = _longest_first(raw["units"])
    unit_rx = "|".join(map(re.escape, units))
    num = rf"百分之{_CN_NUM}|{_AR_NUM}|{_CN_NUM}"
    mention = re.compile(
        rf"(?P<n1>{num})(?:(?P<u1>%)?\s*(?P<sep>[-—–~～至到])\s*(?=\d|[零〇一二两三四五六七八九十]))?"
        rf"(?(sep)(?P<n2>{num}))(?P<mult>[万亿])?(?P<unit>%|{unit_rx})?"
    )
    return Lexicon(
        units=units,
        not_after=_longest_first(raw["not_after"]),
        before={k: _longest_first(v) for k, v in raw["comparators"]["before"].items()},
        after={k: _longest_first(v) for k, v in raw["comparators"]["after"].items()},
        target_verbs=_longest_first(raw["target_verbs"]),
        scope_verbs=_longest_first(raw["scope_verbs"]),
        aspirational=tuple(raw["aspirational"]),
        qualitative=_longest_first(raw["qualitative"]),
        measure_suffixes=_longest_first(raw["measure_suffixes"]),
        strip_leading=_longest_first(raw["strip_leading"]),
        strip_trailing=_longest_first(raw["strip_trailing"]),
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
    """
    lex = lexicon()
    marks = " 、,，;；:：。—-"
    prev = None
    while phrase != prev:
        prev = phrase
        phrase = phrase.strip(marks)
        phrase = re.sub(r"^(?:到|至)?\s*\d{4}\s*年(?:底前|底|前|末)?", "", phrase)
        for w in lex.strip_leading:
            if phrase.startswith(w):
                phrase = phrase[len(w):]
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
        if ch in ends:
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
    >>> [(m.value, m.unit) for m in find_mentions("推进“123+N”平台建设,对接“9610”工程,3A级以上景区")]
    []
    """
    lex = lexicon()
    protected = _protected(sub)
    found = []
    for m in lex.mention.finditer(sub):
        s, e = m.span()
        n1, unit, mult = m["n1"], m["unit"] or "", m["mult"] or ""
        chinese = not n1[0].isdigit() and not n1.startswith("百分之")
        before, after = sub[s - 1 : s], sub[e : e + 4]
        if any(ps <= s < pe for ps, pe in protected):
            continue
        if re.match(r"[A-Za-z+\-/#:.]", before) or re.match(r"[A-Za-z+\-/:]", after[:1]):
            continue
        if before == "第" or sub[e - len(unit) :].startswith(lex.not_after):  # 2025年, 3年, 15分钟, 千亿级
            continue
        if n1.isdigit() and len(n1) > 1 and n1.startswith("0"):
            continue
        if chinese and (not unit or n1 in ("零", "〇", "一", "两", "二") or m["sep"]):  # 一批, 两个责任, 零部件
            continue
        if n1.startswith("百分之"):
            unit = "%"
        if m["n2"] and not (unit or m["u1"]):
            continue  # a bare pair such as 2016-2020 is not a range target
        try:
            value = parse_number(n1)
            high = parse_number(m["n2"]) if m["n2"] else None
        except ValueError:
            continue
        found.append(Mention(s, e, value, high, (mult + unit) if unit != "%" else "%", chinese, "range" if high is not None else None))
    return found


def _after_comparator(text: str) -> str | None:
    lex = lexicon()
    for comp, cues in lex.after.items():
        if text.lstrip().startswith(cues):
            return comp
    return None


def _before_comparator(pre: str) -> tuple[str | None, str]:
    """Comparator of the cue ending ``pre``, and ``pre`` without it."""
    lex = lexicon()
    best = None
    for comp, cues in lex.before.items():
        for cue in cues:
            if pre.endswith(cue) and (best is None or len(cue) > len(best[1])):
                best = (comp, cue)
    if best is None:
        return None, pre
    return best[0], pre[: -len(best[1])]


def _ends_with_measure(phrase: str) -> bool:
    return phrase.endswith(lexicon().measure_suffixes)


def _split_shared(phrase: str) -> list[str]:
    """``A、B`` sharing one value gives ``[A, B]`` when each names a measure."""
    parts = [p for p in (strip_phrase(p) for p in re.split("、|以及|及|和", phrase)) if p]
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
        if groups and re.fullmatch(r"\s*[、和及与]\s*", sub[groups[-1][-1].end : m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _is_target(group: list[Mention], pre: str, context: str, before_comp: str | None, after_comp: str | None) -> bool:
    """Whether a group of numbers is a target; ``context`` is its sentence up to the number."""
    lex = lexicon()
    unit = group[-1].unit
    if any(m.chinese for m in group) and not any(v in pre for v in lex.target_verbs):
        return False
    if unit in ("%", "个百分点"):
        return True
    if not unit:
        return bool(before_comp or after_comp) and len(str(group[0].value)) <= 8
    if pre.lstrip(" 、").startswith(lex.scope_verbs):
        return bool(after_comp)
    return any(v in context for v in lex.target_verbs) or bool(after_comp)


@dataclass
class Candidate:
    """Targets read from one group of numbers: each number paired with its indicator."""

    pairs: list[tuple[Mention, str]]
    unit: str  # the group's unit, for members written without one (100万、50万、30万元)
    comparator: str
    context: str  # the sentence up to the group, for years and 力争


def _indicators(sub: str, group: list[Mention], pre: str, before_comp: str | None, next_start: int,
                follows: str) -> list[str]:
    """Indicator phrase(s) for a group: before the number, after it, or paired from a list."""
    base, paren, inside = pre.rpartition("(")
    if paren and ")" not in inside:  # (复评2万元): a variant of the target before it
        return [f"{follows or strip_phrase(base)}({strip_phrase(inside)})"]
    before = strip_phrase(pre)
    verb_before = pre.rstrip().endswith(lexicon().target_verbs + ("等",)) and before_comp is None
    after = _post_phrase(sub, group[-1].end, next_start)
    if (not before or verb_before) and after:
        return [after]  # 培育5家重点红色旅游经典景区
    if len(group) > 1:  # 对获得A、B、C的组织给予100万、50万、30万元
        items = before.rsplit("的", 1)[0]
        parts = [p for p in (strip_phrase(p) for p in _LIST_SPLIT.split(items)) if p]
        return parts[-len(group):] if len(parts) >= len(group) else [before] * len(group)
    return _split_shared(before)


def _candidates(sub: str, sentence_pre: str, last_indicator: str) -> list[Candidate]:
    """Targets in one sub-clause; ``last_indicator`` is the sentence's previous one."""
    groups = _group(find_mentions(sub), sub)
    out = []
    prev_end = 0
    for gi, group in enumerate(groups):
        first, last = group[0], group[-1]
        pre = sub[prev_end : first.start]
        if prev_end:  # a list of targets: this one's words start after the last 、
            pre = pre.rsplit("、", 1)[-1]
        follows = last_indicator if prev_end else ""
        prev_end = last.end
        context = sentence_pre + sub[: first.start]
        after_comp = _after_comparator(sub[last.end :])
        before_comp, pre_wo_cue = _before_comparator(pre.rstrip())
        if not _is_target(group, pre, context, before_comp, after_comp):
            continue
        comparator = first.comparator or after_comp or before_comp or "="
        if before_comp in ("increase_by", "decrease_by"):
            comparator = before_comp
        if last.unit == "个百分点" and comparator not in ("increase_by", "decrease_by"):
            comparator = "increase_by"
        next_start = groups[gi + 1][0].start if gi + 1 < len(groups) else len(sub)
        names = [n for n in _indicators(sub, group, pre_wo_cue, before_comp, next_start, follows) if n]
        names = names or [last_indicator]  # 控制在0.30以内,力争低于0.25
        pairs = list(zip(group, names)) if len(group) > 1 else [(first, n) for n in names]
        last_indicator = pairs[-1][1]
        out.append(Candidate(pairs, last.unit, comparator, context))
    return out


def _year_context(sentence_pre: str) -> tuple[int | None, int | None, bool]:
    """(stated target year, baseline year, historical) from the sentence before a number."""
    target = [int(a or b) for a, b in _TARGET_YEAR.findall(sentence_pre)]
    baseline = [int(y) for y in _BASELINE.findall(sentence_pre)]
    plain = [int(y) for y in _YEAR.findall(sentence_pre)]
    historical = bool(plain) and not target and not baseline
    return (target[-1] if target else None, baseline[-1] if baseline else None, historical)


def _touches(span: tuple[int, int], damage: list[tuple[int, int, str]]) -> bool:
    """True when a damaged span lies within two characters of ``span``."""
    return any(ds < span[1] + 2 and de > span[0] - 2 for ds, de, _ in damage)


def clause_targets(text: str, clause_id: int, heading_path: str, horizon: int | None) -> list[Row]:
    """Targets of one clause's normalized ``text``; ``horizon`` is its goal paragraph's year."""
    lex = lexicon()
    rows: list[Row] = []
    damage = damage_spans(text)
    for s_start, s_end in _spans(text, _SENTENCE_END):
        sentence = text[s_start:s_end]
        last_indicator = ""
        for c_start, c_end in _spans(sentence, _CLAUSE_END):
            sub = sentence[c_start:c_end]
            offset = s_start + c_start
            q_start = offset + len(sub) - len(sub.lstrip(" —-"))
            q_end = offset + len(sub.rstrip())
            for cand in _candidates(sub, sentence[:c_start], last_indicator):
                last_indicator = cand.pairs[-1][1]
                year, baseline, historical = _year_context(cand.context)
                if historical:
                    continue
                aspirational = any(w in cand.context for w in lex.aspirational)
                for m, indicator in cand.pairs:
                    corrupted = _touches((offset + m.start, offset + m.end), damage)
                    rows.append(Row(
                        clause_id, heading_path, indicator,
                        None if corrupted else m.value, m.value_high,
                        m.unit if m.unit not in ("", "万", "亿") else cand.unit,
                        cand.comparator, year or horizon, aspirational, q_start, q_end, baseline,
                        ["corrupted"] if corrupted else [],
                    ))
            rows.extend(_qualitative(sub, sentence[:c_start], clause_id, heading_path, horizon, q_start, q_end))
    return rows


def _qualitative(sub, sentence_pre, clause_id, heading_path, horizon, q_start, q_end) -> list[Row]:
    lex = lexicon()
    for phrase in lex.qualitative:
        i = sub.find(phrase)
        if i < 0:
            continue
        indicator = strip_phrase(sub[:i])
        if not indicator or not _ends_with_measure(indicator) or find_mentions(sub[:i]):
            return []
        pre = sentence_pre + sub[:i]
        year, _, _ = _year_context(pre)
        return [Row(clause_id, heading_path, indicator, None, None, "", "qualitative", year or horizon,
                    any(w in pre for w in lex.aspirational), q_start, q_end, None, [])]
    return []


def goal_horizon(text: str) -> int | None:
    """Year of a goal paragraph that opens with 到YYYY年, which its section's later clauses inherit.

    >>> goal_horizon("(二)主要目标。到2025年,质量整体水平进一步提高"), goal_horizon("力争2025年底实现")
    (2025, None)
    """
    m = _GOAL_OPENING.match(text)
    return int(m[1]) if m else None


def extract_targets(original: str, clauses: pd.DataFrame, document: pd.Series) -> pd.DataFrame:
    """Rows of the ``targets`` table for one plan (see ``schema.TARGETS``)."""
    rows = []
    horizons: dict[str, int] = {}
    for clause in clauses.itertuples(index=False):
        year = goal_horizon(clause.text)
        if year:
            horizons[clause.heading_path] = year
        for r in clause_targets(clause.text, clause.clause_id, clause.heading_path, horizons.get(clause.heading_path)):
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
