"""Original text -> normalized Simplified text, character for character.

Every function here keeps the length of its input, so an offset into the normalized
text is the same offset into the original: a quote can always be cut from the
document in its own script.
"""

from __future__ import annotations

import re
from functools import cache

import opencc

# Full-width forms folded to ASCII: digits, Latin letters, and the marks numbers use.
_WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH_FOLD |= {cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)}  # Ａ-Ｚ
_WIDTH_FOLD |= {cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)}  # ａ-ｚ
_WIDTH_FOLD |= {ord(c): ord(a) for c, a in zip("％．＋－\u3000\u00a0\u2002\u2003", "%.+-    ")}



@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def fold_width(text: str) -> str:
    """Fold full-width digits, letters, ``％``, ``．``, ``＋`` and wide spaces to ASCII.

    >>> fold_width("达到９４．５％以上")
    '达到94.5%以上'
    """
    return text.translate(_WIDTH_FOLD)


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified with OpenCC, keeping the length.

    OpenCC converts phrases; in the rare case a phrase changes length, the text is
    converted one character at a time instead, keeping any character whose
    conversion is not a single character.

    >>> to_simplified("製造業產品質量合格率")
    '制造业产品质量合格率'
    """
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    out = []
    for ch in text:
        c = _t2s().convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)


_CN_YEAR = re.compile(r"[一二][〇零○一二三四五六七八九]{3}(?=年)")
_CN_DIGIT = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")


def digit_years(text: str) -> str:
    """A year written in Chinese digits as Arabic digits (4 characters for 4): 二〇二五年 is 2025年.

    >>> digit_years("到二〇二五年底,二〇三五年远景")
    '到2025年底,2035年远景'
    """
    return _CN_YEAR.sub(lambda m: m[0].translate(_CN_DIGIT), text)


STEPS = (to_simplified, fold_width, digit_years)


def normalize_and_explain(text: str) -> tuple[str, list[str]]:
    """Normalize ``text`` and name the steps that changed it.

    >>> normalize_and_explain("質量合格率達到９８％")
    ('质量合格率达到98%', ['to_simplified', 'fold_width'])
    >>> normalize_and_explain("不变的文本")
    ('不变的文本', [])
    """
    applied = []
    for step in STEPS:
        new = step(text)
        if new != text:
            applied.append(step.__name__)
        text = new
    return text, applied


def normalize(text: str) -> str:
    """Normalized Simplified text, the same length as ``text``.

    >>> normalize("質量強市")
    '质量强市'
    """
    return normalize_and_explain(text)[0]


def detect_script(text: str, simplified: str | None = None) -> str:
    """``'traditional'`` when more than 5 % of Han characters change under t2s.

    ``simplified`` is ``to_simplified(text)`` (or ``normalize(text)``) when the caller has it.

    >>> detect_script("九江市深化質量強市建設實施方案")
    'traditional'
    >>> detect_script("宜春市深化质量强市建设实施方案")
    'simplified'
    """
    if simplified is None:
        simplified = to_simplified(text)
    han = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return "simplified"
    changed = sum(text[i] != simplified[i] for i in han)
    return "traditional" if changed / len(han) > 0.05 else "simplified"


# Damaged text: U+FFFD, private-use characters, and ASCII '?' that stands in for a
# lost character (two or more, or one touching a Han character or a digit).
_DAMAGE = (
    ("replacement_char", re.compile("\ufffd+")),
    ("private_use", re.compile("[\ue000-\uf8ff]+")),
    ("question_marks", re.compile(r"\?{2,}|(?<=[\u4e00-\u9fff0-9])\?|\?(?=[\u4e00-\u9fff0-9])")),
)


def damage_spans(text: str) -> list[tuple[int, int, str]]:
    """Spans of damaged text as ``(start, end, flag)``, in order.

    >>> damage_spans("建設省級臨床重點???0個")
    [(8, 11, 'question_marks')]
    >>> damage_spans("地域和規?;N植企業")
    [(4, 5, 'question_marks')]
    >>> damage_spans("What is it? Nothing.")
    []
    """
    spans = [(m.start(), m.end(), flag) for flag, rx in _DAMAGE for m in rx.finditer(text)]
    return sorted(set(spans))
