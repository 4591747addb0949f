"""Numbers as plans write them: Arabic decimals and Chinese numerals."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}


def parse_chinese(text: str) -> float:
    """Value of a Chinese numeral.

    >>> parse_chinese("九十八"), parse_chinese("二十"), parse_chinese("两千"), parse_chinese("十万")
    (98, 20, 2000, 100000)
    >>> parse_chinese("一百零五"), parse_chinese("三点五"), parse_chinese("十")
    (105, 3.5, 10)
    """
    whole, _, frac = text.partition("点")
    total = section = digit = 0
    for ch in whole:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
        elif ch in _BIG_UNITS:
            total += (section + digit) * _BIG_UNITS[ch]
            section = digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    value = total + section + digit
    if frac:
        return value + float("0." + "".join(str(_DIGITS[c]) for c in frac))
    return value


def parse_number(text: str) -> float:
    """Value of an Arabic or Chinese number, 百分之 prefix dropped.

    >>> parse_number("94.5"), parse_number("百分之九十八"), parse_number("1,000")
    (94.5, 98, 1000.0)
    """
    text = text.removeprefix("百分之")
    if text and (text[0].isdigit()):
        return float(text.replace(",", ""))
    return parse_chinese(text)
