"""The charts' and reports' own wording, read from ``data/labels.yml``, and how a value is written.

Every label a figure or report prints comes from here (zh and en), so wording is data and
a value reads the same in a chart, a table and a briefing.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from qcompare.errors import QcompareError
from qcompare.knowledge.data import data_yaml

SYMBOLS = {">=": "≥", "<=": "≤", "=": "", "approx": "≈", "range": "", "increase_by": "+", "decrease_by": "−"}


@cache
def labels() -> dict:
    """The chart's own wording (``data/labels.yml``)."""
    return data_yaml("labels.yml")


def wording(key: str, lang: str, **kw) -> str:
    return labels()["text"][key][lang].format(**kw)


def check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise QcompareError(f"lang={lang!r}: use 'zh' or 'en'")
    return lang


def number(value: float) -> str:
    """A value as a plan writes it: no trailing zeros.

    >>> number(94.0), number(94.5), number(1.97)
    ('94', '94.5', '1.97')
    """
    return f"{value:,.6g}" if abs(value) >= 10000 else f"{value:.6g}"


def unit_text(unit: object, lang: str) -> str:
    """A unit as printed after a number.

    >>> unit_text("%", "en"), unit_text("项", "zh"), unit_text("项", "en"), unit_text(None, "en")
    ('%', '项', '', '')
    """
    if not isinstance(unit, str) or not unit:
        return ""
    return unit if lang == "zh" else labels()["units_en"].get(unit, f" {unit}")


def value_label(value: float, comparator: str, unit: object, lang: str, value_high: float | None = None) -> str:
    """A target as the chart labels it: comparator, number, unit.

    >>> value_label(94.5, ">=", "%", "zh")
    '≥ 94.5%'
    >>> value_label(93, "range", "%", "en", 95)
    '93–95%'
    >>> value_label(2, "increase_by", "个百分点", "en")
    '+ 2 pp'
    """
    num = number(value) if value_high is None or pd.isna(value_high) else f"{number(value)}–{number(value_high)}"
    symbol = SYMBOLS.get(comparator, "")
    return f"{symbol} {num}{unit_text(unit, lang)}" if symbol else f"{num}{unit_text(unit, lang)}"


def target_label(value: float, comparator: str, unit: object, lang: str, value_high: float | None = None,
                 kind: object = "level") -> str:
    """A target as a table or chart prints it, its kind in words when it is not a level.

    >>> target_label(4, "=", "项", "zh", kind="added"), target_label(4, "=", "项", "en", kind="added")
    ('新增4项', '4 new')
    >>> target_label(94.5, ">=", "%", "zh")
    '≥ 94.5%'
    """
    return with_kind(value_label(value, comparator, unit, lang, value_high), kind, lang)


def with_kind(text: str, kind: object, lang: str) -> str:
    """A written value with its kind in words (labels.yml ``kind_value``); a level reads as itself.

    >>> with_kind("4项", "added", "zh"), with_kind("≥ 94.5%", "level", "en")
    ('新增4项', '≥ 94.5%')
    """
    form = labels()["kind_value"].get(kind) if isinstance(kind, str) else None
    return form[lang].format(value=text.strip()) if form else text


def kind_name(kind: object, lang: str) -> str:
    """A kind's name (labels.yml ``kinds``); empty for none.

    >>> kind_name("added", "zh"), kind_name(None, "en")
    ('新增量', '')
    """
    return labels()["kinds"][kind][lang] if isinstance(kind, str) else ""