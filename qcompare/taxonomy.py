"""The canonical indicator taxonomy (``data/taxonomy.yml``) and raw phrase -> indicator mapping."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import pandas as pd
import yaml

CATEGORIES = (
    "product", "food & agriculture", "engineering", "service", "environment",
    "economy", "brand & standards", "infrastructure", "governance",
)
_NOISE = re.compile(r"[\s“”\"'‘’《》「」]")


def phrase_key(phrase: str) -> str:
    """The form phrasings are compared in: no spaces or quote marks.

    >>> phrase_key("“江西绿色生态” 认证证书")
    '江西绿色生态认证证书'
    """
    return _NOISE.sub("", phrase)


@cache
def taxonomy() -> pd.DataFrame:
    """One row per canonical indicator, as declared in ``data/taxonomy.yml``."""
    raw = yaml.safe_load(files("qcompare").joinpath("data/taxonomy.yml").read_text(encoding="utf-8"))
    df = pd.DataFrame(raw["indicators"])
    bad = df.loc[~df["category"].isin(CATEGORIES), "id"]
    if len(bad):
        raise ValueError(f"taxonomy.yml: indicator {bad.iloc[0]!r} has an unknown category")
    if df["id"].duplicated().any():
        raise ValueError(f"taxonomy.yml: indicator id {df.loc[df['id'].duplicated(), 'id'].iloc[0]!r} is declared twice")
    return df.set_index("id", drop=False)


def taxonomy_version() -> str:
    return str(yaml.safe_load(files("qcompare").joinpath("data/taxonomy.yml").read_text(encoding="utf-8"))["version"])


@cache
def _phrasings() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for row in taxonomy().itertuples(index=False):
        for phrasing in row.phrasings:
            key = phrase_key(phrasing)
            if key in table and table[key][0] != row.id:
                raise ValueError(f"taxonomy.yml: phrasing {phrasing!r} maps to both {table[key][0]} and {row.id}")
            table[key] = (row.id, row.family)
    return table


def map_indicator(indicator_raw: str) -> tuple[str | None, str | None]:
    """``(indicator_id, family)`` for a raw phrase listed in the taxonomy, else ``(None, None)``.

    >>> map_indicator("制造业产品质量合格率")
    ('manufacturing_product_pass_rate', 'manufacturing_pass_rate')
    >>> map_indicator("某个没有列出的说法")
    (None, None)
    """
    return _phrasings().get(phrase_key(indicator_raw), (None, None))
