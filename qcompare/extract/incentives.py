"""Clauses -> incentives: award and subsidy money a text promises, with the award it is for.

Reads one document's original text and its ``clauses`` rows; returns rows of the
``incentives`` table. An amount (100万元, 5万元) is an incentive when its sentence names the
money (奖励, 补助, 资助, …); the award is read from 对获得<award>的<recipient>, a list of
awards pairing with a list of amounts (100万、50万、30万元). Cues: ``incentives:`` in
``data/lexicon.yml``. These are promises of money, not targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from qcompare.extract.actuals import CN_NUM, mask_protected, sentence_spans
from qcompare.extract.numbers import parse_number
from qcompare.extract.targets import strip_phrase
from qcompare.knowledge.data import data_yaml
from qcompare.schema import TABLES


@dataclass(frozen=True)
class Cues:
    kinds: tuple[str, ...]
    up_to: tuple[str, ...]
    amount: re.Pattern
    award: re.Pattern


@cache
def cues() -> Cues:
    raw = data_yaml("lexicon.yml")["incentives"]
    alt = lambda words: "|".join(map(re.escape, sorted(words, key=len, reverse=True)))  # noqa: E731
    amount = re.compile(rf"(?P<n>\d+(?:\.\d+)?|{CN_NUM})(?P<unit>{alt(raw['units'])})(?![A-Za-z0-9])")
    obtain, recipients = alt(raw["obtain"]), alt(raw["recipients"])
    award = re.compile(rf"(?:对(?:{obtain})?|(?:{obtain}))(?P<award>[^,，。;；]+?)的(?:{recipients})?")
    return Cues(tuple(raw["kinds"]), tuple(sorted(raw["up_to"], key=len, reverse=True)), amount, award)


@dataclass
class Found:
    award: str
    kind: str
    value: float
    unit: str
    up_to: bool
    unpaired: bool
    q_start: int  # offsets within the clause text
    q_end: int


def _groups(sentence: str) -> list[list[re.Match]]:
    """Amounts joined only by 、/和 (100万、50万、30万元) form one group."""
    groups: list[list[re.Match]] = []
    for m in cues().amount.finditer(sentence):
        if groups and re.fullmatch(r"\s*[、和]\s*", sentence[groups[-1][-1].end() : m.start()]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _kind(sentence: str, at: int) -> str | None:
    """The money word nearest ``at`` in the sentence."""
    hits = [(abs(i - at), w) for w in cues().kinds for i in [m.start() for m in re.finditer(w, sentence)]]
    return min(hits)[1] if hits else None


def clause_incentives(text: str) -> list[Found]:
    """Incentives in one clause's normalized ``text``.

    >>> [(f.award, f.value, f.unit) for f in clause_incentives("对获得中国质量奖、省长质量奖的组织给予100万、30万元的奖励")]
    [('中国质量奖', 100.0, '万元'), ('省长质量奖', 30.0, '万元')]
    >>> [(f.award, f.value) for f in clause_incentives("对获得江西名牌产品认定的企业给予5万元的奖励(复评2万元)")]
    [('江西名牌产品认定', 5.0), ('江西名牌产品认定(复评)', 2.0)]
    >>> clause_incentives("全市规上企业营业收入达到100万元以上")
    []
    """
    c = cues()
    masked = mask_protected(text)
    out: list[Found] = []
    for offset, end in sentence_spans(masked):
        sentence = masked[offset:end]
        base = ""
        for group in _groups(sentence):
            first = group[0]
            kind = _kind(sentence, first.start())
            if kind is None:
                continue
            pre = sentence[: first.start()]
            awards = [m["award"] for m in c.award.finditer(pre)]
            names = [p for p in (strip_phrase(a) for a in re.split("[、和及]", awards[-1])) if p] if awards else []
            opened = pre.rfind("(") > pre.rfind(")")
            if opened and base:  # (复评2万元): a variant of the award before it
                names = [f"{base}({strip_phrase(pre[pre.rfind('(') + 1 :])})"]
            if not names:
                names = [strip_phrase(re.split("[,，:：]", pre)[-1].replace(kind, "")) or kind]
            unpaired = len(group) > 1 and len(names) != len(group)
            paired = list(zip(group, names)) if len(names) == len(group) else [(m, "、".join(names)) for m in group]
            unit = group[-1]["unit"]
            sub_start = max(sentence.rfind(ch, 0, first.start()) for ch in ",，") + 1
            ends = [j for j in (sentence.find(ch, group[-1].end()) for ch in ",，") if j >= 0]
            q_end = min(ends + [len(sentence)])
            for m, name in paired:
                up_to = any(w in sentence[sub_start : m.start()] for w in c.up_to)  # 最高补助2000万元
                out.append(Found(name, kind, parse_number(m["n"])[0], unit if m["unit"] == "万" else m["unit"],
                                 up_to, unpaired, offset + sub_start, offset + q_end))
            base = names[0] if not opened else base
    return out


def extract_incentives(original: str, clauses: pd.DataFrame, document: pd.Series) -> pd.DataFrame:
    """Rows of the ``incentives`` table for one document (see ``schema.INCENTIVES``)."""
    rows = []
    for clause in clauses.itertuples(index=False):
        for f in clause_incentives(clause.text):
            flags = [w for w, on in (("up_to", f.up_to), ("unpaired", f.unpaired)) if on]
            rows.append({
                "doc_id": document["doc_id"], "clause_id": clause.clause_id, "heading_path": clause.heading_path,
                "award": f.award, "payment": f.kind, "value": f.value, "unit": f.unit,
                "quote": original[clause.start + f.q_start : clause.start + f.q_end],
                "start": clause.start + f.q_start, "end": clause.start + f.q_end, "flags": ";".join(flags) or None,
            })
    df = pd.DataFrame(rows, columns=[c for c in TABLES["incentives"].names if c != "incentive_id"])
    df.insert(1, "incentive_id", range(1, len(df) + 1))
    return df
