"""The canonical indicator taxonomy (``data/taxonomy.yml``) and raw phrase -> indicator mapping."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import pandas as pd
import yaml

from qcompare.errors import KnowledgeError

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


TAXONOMY_FILE = files("qcompare").joinpath("data/taxonomy.yml")


def _read() -> dict:
    try:
        raw = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(TAXONOMY_FILE, None, f"is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        raise KnowledgeError(TAXONOMY_FILE, None, "must be a mapping with a list under 'indicators:'")
    return raw


@cache
def taxonomy() -> pd.DataFrame:
    """One row per canonical indicator, as declared in ``data/taxonomy.yml``."""
    raw = _read()
    fields = {"id", "name_zh", "name_en", "family", "category", "unit", "higher_is_better", "phrasings"}
    for entry in raw["indicators"]:
        if not isinstance(entry, dict) or set(entry) != fields or not all(isinstance(entry[f], str) for f in fields - {"higher_is_better", "phrasings"}):
            name = entry.get("id") if isinstance(entry, dict) else str(entry)[:40]
            raise KnowledgeError(TAXONOMY_FILE, f"indicator {name!r}", f"needs exactly the fields {sorted(fields)}, the first six as text")
        if not isinstance(entry["phrasings"], list) or not all(isinstance(p, str) for p in entry["phrasings"]):
            raise KnowledgeError(TAXONOMY_FILE, f"indicator {entry['id']!r}", "phrasings must be a list of text")
    df = pd.DataFrame(raw["indicators"])
    bad = df.loc[~df["category"].isin(CATEGORIES), "id"]
    if len(bad):
        raise KnowledgeError(TAXONOMY_FILE, f"indicator {bad.iloc[0]!r}", f"unknown category; use one of {', '.join(CATEGORIES)}")
    if df["id"].duplicated().any():
        raise KnowledgeError(TAXONOMY_FILE, f"indicator {df.loc[df['id'].duplicated(), 'id'].iloc[0]!r}", "id is declared twice")
    sizes = df.groupby("family").id.size()
    shared = sorted(set(sizes[sizes > 1].index) & set(df.id))
    if shared:
        raise KnowledgeError(TAXONOMY_FILE, f"family {shared[0]!r}", "groups several indicators, so it must not also be an indicator id")
    return df.set_index(pd.Index(df["id"], name=None))


def taxonomy_version() -> str:
    raw = _read()
    if "version" not in raw:
        raise KnowledgeError(TAXONOMY_FILE, None, "has no 'version:'; add one such as version: 2026.11.1")
    return str(raw["version"])


def unit_class(unit: str | None) -> str:
    """The kind of quantity a unit measures: the same words with another kind are another measure.

    >>> [unit_class(u) for u in ("%", "个百分点", "万元", "家", "")]
    ['percent', 'points', 'money', 'count', 'index']
    """
    if not unit:
        return "index"
    if unit == "%":
        return "percent"
    if unit == "个百分点":
        return "points"
    return "money" if unit.endswith("元") else "count"


@cache
def _phrasings() -> dict[str, list[tuple[str, str, str]]]:
    table: dict[str, list[tuple[str, str, str]]] = {}
    for row in taxonomy().itertuples(index=False):
        kind = unit_class(row.unit)
        for phrasing in row.phrasings:
            entries = table.setdefault(phrase_key(phrasing), [])
            clash = [e for e in entries if e[2] == kind and e[0] != row.id]
            if clash:
                raise KnowledgeError(TAXONOMY_FILE, f"phrasing {phrasing!r}", f"maps to both {clash[0][0]} and {row.id}")
            entries.append((row.id, row.family, kind))
    return table


def map_indicator(indicator_raw: str, unit: str | None = None) -> tuple[str | None, str | None]:
    """``(indicator_id, family)`` for a raw phrase listed in the taxonomy, else ``(None, None)``.

    With a ``unit``, only an indicator measured in the same kind of unit matches, so
    中国质量奖 counted in 个 and 中国质量奖 paid in 万元 are different measures.

    >>> map_indicator("制造业产品质量合格率", "%")
    ('manufacturing_product_pass_rate', 'manufacturing_pass_rate')
    >>> map_indicator("中国质量奖", "个"), map_indicator("中国质量奖", "万元")
    (('china_quality_award_count', 'quality_awards'), ('china_quality_award_bonus', 'quality_award_bonus'))
    >>> map_indicator("某个没有列出的说法")
    (None, None)
    """
    for indicator_id, family, kind in _phrasings().get(phrase_key(indicator_raw), []):
        if unit is None or kind == unit_class(unit):
            return indicator_id, family
    return None, None


def usage(targets: pd.DataFrame) -> pd.DataFrame:
    """The taxonomy with how many plans set a target for each indicator (``plans``)."""
    used = targets.groupby("indicator_id").doc_id.nunique().rename("plans")
    table = taxonomy()[["id", "name_zh", "name_en", "family", "category", "unit"]].join(used)
    table["plans"] = table.plans.fillna(0).astype(int)
    return table.reset_index(drop=True)


def unmapped(targets: pd.DataFrame) -> pd.DataFrame:
    """Raw indicator phrases not in the taxonomy, most frequent first: targets and plans per phrase."""
    rows = targets[targets.indicator_id.isna()]
    counts = rows.groupby("indicator_raw").agg(targets=("doc_id", "size"), plans=("doc_id", "nunique"))
    return counts.sort_values(["targets", "plans"], ascending=False, kind="stable").reset_index()
