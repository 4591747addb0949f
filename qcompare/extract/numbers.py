"""Numbers as plans write them: Arabic, Chinese and mixed numerals, shares and multiples.

Pure functions from the text of one number to its value; the extractor (targets.py) finds
the numbers, these read them. Offsets stay with the caller.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")
_SHARE_PREFIXES = {"百分之": 1.0, "千分之": 0.1, "万分之": 0.01}  # value of one part, in %
_FRACTION = re.compile(r"(?P<den>.+)分之(?P<num>.+)")
_CHENG = re.compile(r"(?P<n>[一二两三四五六七八九十])成")
_FAN = re.compile(r"翻(?P<n>[一两二三四五])番")
CN_DIGITS = "零〇一二两三四五六七八九"


def _plain(text: str) -> float:
    """Arabic decimal, or a Chinese numeral below 万 (digits, 十/百/千, 零, 点)."""
    text = text.translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
    if text and text[0].isdigit():
        return float(text)
    whole, _, frac = text.partition("点")
    section = digit = 0
    seen = False
    for ch in whole:
        if ch in _DIGITS:
            digit, seen = _DIGITS[ch], True
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit, seen = 0, True
        else:
            raise ValueError(f"not a numeral: {text!r}")
    if not seen and not frac:
        raise ValueError(f"not a numeral: {text!r}")
    value = section + digit
    if frac:
        return value + float("0." + "".join(str(_DIGITS[c]) for c in frac))
    return value


def parse_chinese(text: str) -> float:
    """Value of a Chinese (or mixed Arabic/Chinese) numeral, 万 and 亿 inside it.

    >>> parse_chinese("九十八"), parse_chinese("二十"), parse_chinese("两千"), parse_chinese("十万")
    (98, 20, 2000, 100000)
    >>> parse_chinese("一百零五"), parse_chinese("三点五"), parse_chinese("十")
    (105, 3.5, 10)
    >>> parse_chinese("四万五千"), parse_chinese("一万五千亿"), parse_chinese("万亿"), parse_chinese("3万4000")
    (45000, 1500000000000, 1000000000000, 34000.0)
    >>> parse_chinese("批")
    Traceback (most recent call last):
    ...
    ValueError: not a numeral: '批'
    """
    for mark, scale in (("亿", 100_000_000), ("万", 10_000)):
        head, found, tail = text.rpartition(mark)
        if found:
            high = parse_chinese(head) if head else 1
            low = parse_chinese(tail.lstrip("零〇")) if tail.lstrip("零〇") else 0
            return high * scale + low
    return _plain(text)


def render_chinese(n: int) -> str:
    """A non-negative integer written as a Chinese numeral (the inverse of ``parse_chinese``).

    >>> render_chinese(45000), render_chinese(105), render_chinese(1500000000000), render_chinese(0)
    ('四万五千', '一百零五', '一万五千亿', '零')
    """
    if n == 0:
        return "零"
    for mark, scale in (("亿", 100_000_000), ("万", 10_000)):
        if n >= scale:
            high, low = divmod(n, scale)
            rest = "" if low == 0 else ("零" if low < scale // 10 else "") + render_chinese(low)
            return render_chinese(high) + mark + rest
    out, zero = "", False
    for digit_value, mark in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, digit_value)
        if d:
            out += ("零" if zero and out else "") + "零一二三四五六七八九"[d] + mark
            zero = False
        else:
            zero = True
    return out


def parse_number(text: str) -> tuple[float, str | None]:
    """Value of one written number and the unit its form implies (``%`` for shares, ``倍``).

    Shares: 百分之/千分之/万分之 X, X分之Y and Y成 are percentages; 翻N番 is 2**N times.

    >>> parse_number("94.5"), parse_number("1,000"), parse_number("9 4 . 5")
    ((94.5, None), (1000.0, None), (94.5, None))
    >>> parse_number("百分之22"), parse_number("百分之２．４"), parse_number("百分之九十八")
    ((22.0, '%'), (2.4, '%'), (98.0, '%'))
    >>> parse_number("千分之三"), parse_number("万分之五"), parse_number("三分之一"), parse_number("九成")
    ((0.3, '%'), (0.05, '%'), (33.3, '%'), (90, '%'))
    >>> parse_number("翻两番"), parse_number("翻一番")
    ((4, '倍'), (2, '倍'))
    >>> parse_number("分")
    Traceback (most recent call last):
    ...
    ValueError: not a numeral: '分'
    """
    text = text.translate(_FULL_WIDTH).replace(" ", "")
    for prefix, part in _SHARE_PREFIXES.items():
        if text.startswith(prefix):
            return round(parse_chinese(text[len(prefix):]) * part, 6), "%"
    if m := _FAN.fullmatch(text):
        return 2 ** _DIGITS[m["n"]], "倍"
    if m := _FRACTION.fullmatch(text):
        return round(parse_chinese(m["num"]) / parse_chinese(m["den"]) * 100, 1), "%"
    if m := _CHENG.fullmatch(text):
        return parse_chinese(m["n"]) * 10, "%"
    return parse_chinese(text), None


def as_percent(value: float, high: float | None, unit: str) -> tuple[float, float | None, str]:
    """A per-mille value as a percentage (0.8‰ is 0.08 %, as 千分之八 is); other units unchanged.

    >>> as_percent(0.8, None, "‰"), as_percent(1, 2, "‰"), as_percent(94.5, None, "%")
    ((0.08, None, '%'), (0.1, 0.2, '%'), (94.5, None, '%'))
    """
    if unit != "‰":
        return value, high, unit
    return round(value / 10, 10), None if high is None else round(high / 10, 10), "%"
