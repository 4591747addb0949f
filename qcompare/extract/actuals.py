"""Clauses -> actuals: every past or current value a text states, with its year and quote.

Reads one document's original text, its ``clauses`` rows and its ``documents`` row; returns
rows of the ``actuals`` table. A number is an actual when a year that opens a statement of
what was (2022年…, 由2016年的…, 截至2023年底…) or a word for the present (目前, 现有) governs
it; a year after 到/至/较 or before 底前 is a target's or a baseline's, and a year after the
document's own issue year is a target's. In a plan a year governs its sentence only; in a
bulletin, news text or review it carries on until the next year, as such texts write it once.
The cue words are data: the ``actuals:`` key of ``data/lexicon.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from qcompare.extract.numbers import parse_number
from qcompare.extract.targets import FIVE_YEAR, five_year_end, strip_phrase
from qcompare.knowledge.data import data_yaml, longest_first
from qcompare.knowledge.taxonomy import map_indicator
from qcompare.plan.normalize import damage_spans
from qcompare.schema import TABLES

CN_NUM = "[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"
_PROTECTED = re.compile(r"《[^《》]{0,80}》|“(?!十.五”)[^“”]{0,40}”|〔[^〔〕]{0,20}〕|\"[^\"]{0,40}\"")  # “十三五” is a period
SENTENCE_END = "。;；！？"
_SUB_END = ",，:：、"


@dataclass(frozen=True)
class Cues:
    year_before: tuple[str, ...]
    not_after: tuple[str, ...]
    deadline: tuple[str, ...]
    future: tuple[str, ...]
    current: tuple[str, ...]
    level: tuple[str, ...]
    change: tuple[str, ...]
    period: tuple[str, ...]
    number_not_after: tuple[str, ...]
    measure_suffixes: tuple[str, ...]
    mention: re.Pattern
    year: re.Pattern


@cache
def cues() -> Cues:
    """The ``actuals:`` cues of the lexicon, with the shared units and number stop-words."""
    raw = data_yaml("lexicon.yml")
    a = raw["actuals"]
    units = "|".join(map(re.escape, longest_first([*raw["units"], *a["units"]])))
    number = rf"百分之{CN_NUM}|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{CN_NUM}"  # 2,163个
    mention = re.compile(rf"(?P<n>{number})(?P<mult>[万亿])?(?P<unit>%|{units})?")
    before = "|".join(map(re.escape, longest_first(a["year_before"])))
    after = "|".join(map(re.escape, longest_first(a["year_after"])))
    year = re.compile(rf"(?:{before})?(?P<y>(?:19|20)\d\d)\s*(?:{after})(?P<tail>底前|前|以来)?的?")
    return Cues(
        longest_first(a["year_before"]), longest_first(a["not_after"]), longest_first(a["deadline"]),
        longest_first(a["future"]), longest_first(a["current"]), longest_first(a["level"]),
        longest_first(a["change"]), longest_first(a["period"]), longest_first(raw["not_after"]), longest_first(raw["measure_suffixes"]),
        mention, year,
    )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, split at 。;；！？ (the mark left out), the last one unclosed.

    >>> sentence_spans("甲。乙;丙")
    [(0, 1), (2, 3), (4, 5)]
    """
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch in SENTENCE_END]
    return [(s, e) for s, e in zip(starts, [i for i, ch in enumerate(text) if ch in SENTENCE_END] + [len(text)])]


def mask_protected(text: str) -> str:
    """``text`` with titles, quotations and 文号 blanked out, the same length.

    >>> mask_protected("根据《质量发展纲要2016年行动计划》,")
    '根据                 ,'
    """
    return _PROTECTED.sub(lambda m: " " * len(m[0]), text)


@dataclass(frozen=True)
class Marker:
    """What governs the numbers after it: a past or current year (``year``, or None for 目前), or a target."""

    start: int
    end: int
    actual: bool
    year: int | None


def markers(sentence: str, issued_year: int | None, plan: bool = False) -> list[Marker]:
    """Year and present-tense markers in a sentence, in order. A year after the issue year is a
    target's; in a ``plan``, so is the issue year itself (2024年,…稳定在98.5%以上 in a plan of
    2024), unless 截至 opens it.

    >>> [(m.actual, m.year) for m in markers("由2016年的90.2%提高到2020年的92.5%", 2021)]
    [(True, 2016), (True, 2020)]
    >>> [(m.actual, m.year) for m in markers("到2025年,合格率较2020年提高2个百分点,2025年底前完成", 2023)]
    [(False, 2025), (False, 2020), (False, 2025)]
    >>> [(m.actual, m.year) for m in markers("目前全市已有12家", None)]
    [(True, None)]
    >>> [(m.actual, m.year) for m in markers("2024年合格率保持在99%以上,截至2024年2月已建成", 2024, plan=True)]
    [(False, 2024), (True, 2024)]
    >>> [(m.actual, m.year) for m in markers("“十三五”期间新增5件,“十四五”末达到8件", 2021, plan=True)]
    [(True, 2020), (False, 2025)]
    """
    c = cues()
    found = []
    for m in c.year.finditer(sentence):
        year = int(m["y"])
        pre = sentence[: m.start()].rstrip()
        transition = m[0].endswith("的")  # 提高到2020年的92.5%: a value for that year
        target = (pre.endswith(c.not_after) and not transition) or m["tail"] in c.deadline
        if issued_year is not None and (year > issued_year or (plan and year == issued_year and not m[0].startswith(c.year_before))):
            target = True
        found.append(Marker(m.start(), m.end(), not target, year))
    for m in FIVE_YEAR.finditer(sentence):  # “十三五”期间 in a plan of 2021: that period's results
        year = five_year_end(m["n"])
        found.append(Marker(m.start(), m.end(), issued_year is not None and year < issued_year, year))
    found.sort(key=lambda marker: marker.start)
    first_year = found[0].start if found else len(sentence)
    present = [i for i in (sentence.find(w) for w in c.current) if 0 <= i < first_year]
    if present:  # 目前…: the present, unless a year came first (截至2023年底已建成: that year)
        found.insert(0, Marker(min(present), min(present), True, None))
    return found


@dataclass
class Found:
    """One actual in a clause: offsets are within the clause text."""

    indicator: str
    value: float
    unit: str
    year: int | None
    q_start: int
    q_end: int
    change: bool
    n_start: int
    n_end: int


def _mentions(sentence: str):
    """Numbers with a unit, or a bare number right after a level cue (指数为86.5)."""
    c = cues()
    for m in c.mention.finditer(sentence):
        s, e = m.span()
        n, unit = m["n"], (m["mult"] or "") + (m["unit"] or "")
        chinese = not n[0].isdigit() and not n.startswith("百分之")
        if n.startswith("百分之"):
            unit = "%"
        before, after = sentence[s - 1 : s], sentence[e : e + 6]
        if before == "第" or re.match(r"[A-Za-z+\-/#.]", before) or re.match(r"[A-Za-z+\-/]", after[:1]):
            continue
        if sentence[e - len(m["unit"] or "") :].startswith(c.number_not_after):
            continue
        if chinese and (not m["unit"] or n in ("零", "〇", "一", "两", "二")):
            continue
        if not m["unit"] and not (sentence[:s].endswith(c.level) and strip_phrase(sentence[:s]).endswith(c.measure_suffixes)):
            continue
        try:
            value = parse_number(n)[0]
        except ValueError:
            continue
        yield s, e, value, unit


def _phrase(pre: str) -> tuple[str, bool]:
    """Indicator phrase before a number, and whether its cue makes the value a change."""
    c = cues()
    pre = cues().year.sub("", pre).rstrip()
    change = False
    for cue in longest_first((*c.level, *c.change)):
        if pre.endswith(cue):
            change = cue in c.change
            pre = pre[: -len(cue)]
            break
    cut = max((pre.rfind(w) + len(w) for w in c.current if w in pre), default=0)
    pre, prev = pre[cut:], None
    while prev != pre:
        prev = pre
        for w in longest_first((*c.current, *c.level, *c.year_before, *c.period)):
            if pre.startswith(w):
                pre = pre[len(w):]
                break
        pre = strip_phrase(pre)
    return pre, change


def _post_phrase(sentence: str, end: int) -> str:
    tail = re.split(rf"[{_SUB_END}]", sentence[end:], maxsplit=1)[0]
    return strip_phrase(tail.rsplit("的", 1)[-1] if "的" in tail else tail)


def clause_actuals(text: str, issued_year: int | None, carry: bool, year: Marker | None = None) -> tuple[list[Found], Marker | None]:
    """Actuals in one clause's normalized ``text``; ``carry``: a year governs past its sentence
    (a bulletin's way), else its sentence and a next one of the clause that opens with a
    period word (2023年,…向好。全年…达到99.2%).

    Returns the actuals and the marker in force at the clause's end (for ``carry``).

    >>> found, _ = clause_actuals("2022年全市制造业产品质量合格率为92.7%。", 2023, False)
    >>> [(f.indicator, f.value, f.unit, f.year) for f in found]
    [('制造业产品质量合格率', 92.7, '%', 2022)]
    >>> clause_actuals("到2025年,制造业产品质量合格率达到94%以上。", 2023, False)[0]
    []
    """
    c = cues()
    masked = mask_protected(text)
    out: list[Found] = []
    for offset, end in sentence_spans(masked):
        sentence, plain = masked[offset:end], text[offset:end]
        if not carry and not (offset and sentence.lstrip().startswith(c.period)):
            year = None  # a plan: a year governs its sentence, and a next one of its paragraph opening 全年/当年…
        marks = markers(sentence, issued_year, plan=not carry)
        last_indicator, last_end = "", 0
        for s, e, value, unit in _mentions(sentence):
            governing = [m for m in marks if m.end <= s]
            marker = governing[-1] if governing else year
            if marker is None or not marker.actual:
                continue
            when = marker.year if marker.year is not None or year is None else year.year  # 目前 in a bulletin: its year
            since = sentence[marker.end if governing else 0 : s]
            if any(w in since for w in c.future):
                continue
            sub_start = max(sentence.rfind(ch, 0, s) for ch in ",，:：") + 1
            pre = plain[max(sub_start, last_end) : s]  # words from the text itself: “小巨人” stays
            if "、" in pre and last_end <= sub_start:
                pre = pre.rsplit("、", 1)[-1]
            indicator, change = _phrase(pre)
            post = _post_phrase(plain, e)
            indicator = indicator or (post if post and last_end <= sub_start else last_indicator)
            if not indicator:
                continue
            q_end = min([sentence.find(ch, e) for ch in ",，" if sentence.find(ch, e) >= 0] + [len(sentence)])
            out.append(Found(indicator, value, unit, when, offset + sub_start, offset + q_end,
                             change or unit == "个百分点", offset + s, offset + e))
            last_indicator, last_end = indicator, e
        if marks and not (carry and marks[-1].year is None and year is not None):  # 年末全省共有…: still the year
            year = marks[-1] if marks[-1].actual else None
    return out, year


def extract_actuals(original: str, clauses: pd.DataFrame, document: pd.Series,
                    tables: dict[int, list[Found]] | None = None) -> pd.DataFrame:
    """Rows of the ``actuals`` table for one document (see ``schema.ACTUALS``); ``tables`` gives
    the baselines of table lines (``extract.tables.table_rows``), which are not read as prose."""
    issued = document.get("issued_year")
    issued = None if pd.isna(issued) else int(issued)
    carry = document.get("doc_type", "plan") != "plan"
    rows, year = [], None
    tables = tables or {}
    for clause in clauses.itertuples(index=False):
        if clause.clause_id in tables:
            found = tables[clause.clause_id]
        else:
            found, year = clause_actuals(clause.text, issued, carry, year)
        damage = damage_spans(clause.text)
        for f in found:
            corrupted = any(ds < f.n_end + 2 and de > f.n_start - 2 for ds, de, _ in damage)
            indicator_id, family = map_indicator(f.indicator, f.unit or None)
            flags = [w for w, on in (("change", f.change), ("corrupted", corrupted)) if on]
            rows.append({
                "doc_id": document["doc_id"], "clause_id": clause.clause_id, "heading_path": clause.heading_path,
                "indicator_raw": f.indicator, "indicator_id": indicator_id, "family": family,
                "value": None if corrupted else f.value, "unit": f.unit or None, "year": f.year,
                "quote": original[clause.start + f.q_start : clause.start + f.q_end],
                "start": clause.start + f.q_start, "end": clause.start + f.q_end, "flags": ";".join(flags) or None,
            })
    df = pd.DataFrame(rows, columns=[c for c in TABLES["actuals"].names if c != "actual_id"])
    df.insert(1, "actual_id", range(1, len(df) + 1))
    return df
