"""What a plan's own text says about itself: title, 文号 and dates (normalized text in)."""

from __future__ import annotations

import re

_DATE = r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?"
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
_DOC_NUMBER_FIELD = re.compile(r"(?:发文字号|文号)\s*[:：]?\s*\|?\s*(" + _DOC_NUMBER.pattern + ")")
_HEADER_LINES = 15  # a plan's own 文号 stands in its header, before the body
_SIGNED = re.compile(r"成文日期\s*[:：|]?\s*\|?\s*" + _DATE)
_PUBLISHED = re.compile(r"(?:发布日期|发布时间|时间)\s*[:：|]?\s*\|?\s*" + _DATE)
_DATE_LINE = re.compile(r"^\s*" + _DATE + r"\s*$", re.M)
_TITLE_FIELD = re.compile(r"标\s*题\s*[:：]\s*\|?\s*([^|\n]+)")
_TITLE_LINE = re.compile(r"^\s*《?([^\n。,，;；:：]{4,60}(?:方案|计划|意见|纲要|规划|办法))》?\s*$", re.M)


def _iso(m: re.Match | None) -> str | None:
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def doc_number(text: str) -> str | None:
    """The plan's own 文号: a 发文字号 field, else a header line holding only a 文号.

    A 文号 cited inside the body (《…意见》(中发〔2017〕24号)) is another document's.

    >>> doc_number("发文字号: | 晋市政发〔2023〕18 号 | 发布日期:")
    '晋市政发〔2023〕18号'
    >>> doc_number("九江市人民政府\\n九府发〔2024〕3号\\n各县…")
    '九府发〔2024〕3号'
    >>> doc_number("为落实《关于开展质量提升行动的指导意见》(中发〔2017〕24号),制定本方案。") is None
    True
    """
    field = _DOC_NUMBER_FIELD.search(text)
    if field:
        return re.sub(r"\s+", "", field[1])
    for line in text.splitlines()[:_HEADER_LINES]:
        if _DOC_NUMBER.fullmatch(line.strip()):
            return re.sub(r"\s+", "", line)
    return None


def title(text: str) -> str | None:
    """The plan's title: a standalone line naming a 方案/计划/意见/…, else a 标题 field.

    >>> title("标 题: | 某市人民政府印发方案的通知 |\\n关于全面推进质量强市建设的实施方案\\n为深入贯彻…")
    '关于全面推进质量强市建设的实施方案'
    """
    m = _TITLE_LINE.search(text)
    if m:
        return m[1].strip()
    m = _TITLE_FIELD.search(text)
    return m[1].strip() if m else None


def signed_date(text: str) -> str | None:
    """成文 date: a 成文日期 field, else the first line holding only a date.

    >>> signed_date("通知\\n  2024年3月19日\\n")
    '2024-03-19'
    """
    return _iso(_SIGNED.search(text) or _DATE_LINE.search(text))


def published_date(text: str) -> str | None:
    """发布 date from a 发布日期 or 时间 field.

    >>> published_date("时间:2022-09-15 02:30:16")
    '2022-09-15'
    """
    return _iso(_PUBLISHED.search(text))


def stated_facts(text: str) -> dict[str, str | None]:
    """Title, 文号 and dates as the text states them, None where absent."""
    return {
        "stated_title": title(text),
        "stated_doc_number": doc_number(text),
        "stated_signed_date": signed_date(text),
        "stated_published_date": published_date(text),
    }
