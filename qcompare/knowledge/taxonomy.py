"""The canonical indicator taxonomy (``data/taxonomy.yml``) and raw phrase -> indicator mapping.

Reads ``data/taxonomy.yml``; ``map_target`` reads one target's raw phrase, unit and the
sentence before it, and returns its indicator and how it was found (``mapped_by``).
Normalization of the phrase itself lives in ``indicator_names``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pandas as pd
import yaml

from qcompare.knowledge.data import parse_yaml
from qcompare.knowledge import indicator_names as names
from qcompare.errors import TaxonomyError
from qcompare.schema import TARGET_KINDS

CATEGORIES = (
    "product", "food & agriculture", "engineering", "service", "environment",
    "economy", "brand & standards", "infrastructure", "governance",
)

_FIELDS = ("id", "name_zh", "name_en", "family", "category", "units", "higher_is_better", "kinds", "phrasings", "sources")
_TEXT_FIELDS = ("id", "name_zh", "name_en", "family", "category")
_NOISE = re.compile(r"[\s“”\"'‘’《》「」]")
TAXONOMY_FILE = "data/taxonomy.yml"


_BRACKETS = str.maketrans("（）", "()")


def phrase_key(phrase: str) -> str:
    """The form phrasings are compared in: no spaces or quote marks, ASCII brackets.

    >>> phrase_key("“江西绿色生态” 认证证书"), phrase_key("省长质量奖（含提名奖）")
    ('江西绿色生态认证证书', '省长质量奖(含提名奖)')
    """
    return _NOISE.sub("", phrase).translate(_BRACKETS)


def _path() -> str:
    return str(files("qcompare").joinpath(TAXONOMY_FILE))


def _read() -> dict:
    try:
        raw = parse_yaml(files("qcompare").joinpath(TAXONOMY_FILE).read_text(encoding="utf-8"))  # TAXONOMY_FILE may be swapped
    except yaml.YAMLError as exc:
        raise TaxonomyError(_path(), None, f"is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        raise TaxonomyError(_path(), None, "must be a mapping with a list under 'indicators:'")
    return raw


def check_entry(entry: object, path: str = TAXONOMY_FILE) -> None:
    """Raise ``TaxonomyError`` naming the file and the entry when an indicator is malformed.

    >>> check_entry({"id": "x", "name_zh": "某率"})
    Traceback (most recent call last):
    ...
    qcompare.errors.TaxonomyError: data/taxonomy.yml, indicator 'x': missing field(s) category, family, higher_is_better, kinds, name_en, phrasings, sources, units; fix the entry and rerun
    """
    if not isinstance(entry, dict):
        raise TaxonomyError(path, entry, "an indicator must be a mapping of fields")
    key = entry.get("id")
    missing = sorted(set(_FIELDS) - set(entry))
    extra = sorted(set(entry) - set(_FIELDS))
    if missing or extra:
        raise TaxonomyError(path, key, f"missing field(s) {', '.join(missing)}" if missing else f"unknown field(s) {', '.join(extra)}")
    for f in _TEXT_FIELDS:
        if not isinstance(entry[f], str) or not entry[f].strip():
            raise TaxonomyError(path, key, f"{f} must be non-empty text")
    if entry["category"] not in CATEGORIES:
        raise TaxonomyError(path, key, f"category {entry['category']!r} is not one of {list(CATEGORIES)}")
    if not isinstance(entry["higher_is_better"], bool):
        raise TaxonomyError(path, key, "higher_is_better must be true or false")
    for f in ("units", "kinds", "phrasings", "sources"):
        if not isinstance(entry[f], list) or not all(isinstance(v, str) for v in entry[f]):
            raise TaxonomyError(path, key, f"{f} must be a list of text")
    if not entry["units"]:
        raise TaxonomyError(path, key, 'units must list at least one unit ("" for a bare number)')
    if not entry["phrasings"]:
        raise TaxonomyError(path, key, "phrasings must list at least one phrasing")
    bad = [k for k in entry["kinds"] if k not in TARGET_KINDS]
    if bad or not entry["kinds"]:
        raise TaxonomyError(path, key, f"kinds must be some of {list(TARGET_KINDS)}")




@cache
def taxonomy() -> pd.DataFrame:
    """One row per canonical indicator, as declared in ``data/taxonomy.yml``.

    ``unit`` is the display unit (the first of ``units``).
    """
    raw = _read()
    entries = raw.get("indicators") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(_path(), None, "needs a list of indicators under `indicators:`")
    for entry in entries:
        check_entry(entry, _path())
    df = pd.DataFrame(entries, columns=list(_FIELDS))
    df.insert(5, "unit", df["units"].map(lambda u: u[0]))
    if df["id"].duplicated().any():
        raise TaxonomyError(_path(), df.loc[df["id"].duplicated(), "id"].iloc[0], "id is declared twice")
    sizes = df.groupby("family").id.size()
    shared = sorted(set(sizes[sizes > 1].index) & set(df.id))
    if shared:
        raise TaxonomyError(_path(), shared[0], "a family grouping several indicators must not also be an indicator id")
    return df.set_index(pd.Index(df["id"], name=None))


def taxonomy_version() -> str:
    raw = _read()
    if "version" not in raw:
        raise TaxonomyError(_path(), None, "has no 'version:'; add one such as version: 2026.11.1")
    return str(raw["version"])


def unit_class(unit: str | None) -> str:
    """The kind of quantity a unit measures: the same words with another kind are another measure.

    >>> [unit_class(u) for u in ("%", "个百分点", "万元", "家", "", "分")]
    ['percent', 'points', 'money', 'count', 'index', 'score']
    """
    if not unit:
        return "index"
    if unit == "%":
        return "percent"
    if unit == "个百分点":
        return "points"
    if unit == "分":
        return "score"
    return "money" if unit.endswith("元") else "count"


def accepted_classes(units: list[str], kinds: list[str]) -> frozenset[str]:
    """Unit classes an indicator accepts: its units', and points for a percentage that may change.

    >>> sorted(accepted_classes(["", "分"], ["level"]))
    ['index', 'score']
    >>> sorted(accepted_classes(["%"], ["level", "change"]))
    ['percent', 'points']
    """
    classes = {unit_class(u) for u in units}
    if "percent" in classes and "change" in kinds:
        classes.add("points")
    return frozenset(classes)


@cache
def _phrasings() -> dict[str, list[tuple[str, str, frozenset[str]]]]:
    table: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
    for row in taxonomy().itertuples(index=False):
        classes = accepted_classes(row.units, row.kinds)
        for phrasing in row.phrasings:
            entries = table.setdefault(phrase_key(phrasing), [])
            clash = [e for e in entries if e[2] & classes and e[0] != row.id]
            if clash:
                raise TaxonomyError(_path(), row.id, f"phrasing {phrasing!r} also belongs to {clash[0][0]} for the same unit")
            if not any(e[0] == row.id for e in entries):
                entries.append((row.id, row.family, classes))
    return table


@cache
def _subjects() -> dict[str, list[str]]:
    """For each bare measure word, the subjects the taxonomy's phrasings put before it."""
    subjects: dict[str, list[str]] = {}
    for key in _phrasings():
        for bare in names.words().bare:
            if key.endswith(bare) and len(key) > len(bare):
                subjects.setdefault(bare, []).append(key[: -len(bare)])
    return subjects


def map_indicator(indicator_raw: str, unit: str | None = None) -> tuple[str | None, str | None]:
    """``(indicator_id, family)`` for a raw phrase listed in the taxonomy, else ``(None, None)``.

    With a ``unit``, only an indicator measured in that kind of unit matches, so
    中国质量奖 counted in 个 and 中国质量奖 paid in 万元 are different measures.

    >>> map_indicator("制造业产品质量合格率", "%")
    ('manufacturing_product_pass_rate', 'manufacturing_pass_rate')
    >>> map_indicator("中国质量奖", "个"), map_indicator("中国质量奖", "万元")
    (('china_quality_award_count', 'quality_awards'), ('china_quality_award_bonus', 'quality_award_bonus'))
    >>> map_indicator("公共服务质量满意度", "分")  # a score may be written with 分 or bare
    ('public_service_satisfaction', 'service_satisfaction')
    >>> map_indicator("某个没有列出的说法")
    (None, None)
    """
    for indicator_id, family, classes in _phrasings().get(phrase_key(indicator_raw), []):
        if unit is None or unit_class(unit) in classes:
            return indicator_id, family
    return None, None


@dataclass(frozen=True)
class Mapping:
    """How one target's phrase maps: its indicator, family and ``mapped_by`` (None when unmapped)."""

    indicator_id: str | None
    family: str | None
    mapped_by: str | None
    phrase: str  # the phrase that matched the taxonomy (the raw one when unmapped)


def map_target(indicator_raw: str, unit: str | None = None, context: str = "", jurisdiction: str = "") -> Mapping:
    """The indicator of one target: by its phrase, else its normalized phrase, else (for a bare
    合格率/满意度) the subject named before it in its sentence (``context``, the text up to it).

    >>> map_target("制造业产品质量合格率", "%").mapped_by
    'phrase'
    >>> m = map_target("我省产品质量监督抽查合格率整体", "%", jurisdiction="青海省")
    >>> m.indicator_id, m.mapped_by
    ('product_supervision_pass_rate', 'normalized phrase')
    >>> m = map_target("顾客满意度", None, context="生活性服务业质量显著改善,")
    >>> m.indicator_id, m.mapped_by, m.phrase
    ('consumer_service_satisfaction', 'subject', '生活性服务业顾客满意度')
    >>> map_target("合格率", "%", context="工程质量明显提升,").mapped_by is None  # no subject: stays unmapped
    True
    """
    key = phrase_key(indicator_raw)
    normalized = names.normalize(indicator_raw, jurisdiction)
    bare = names.is_bare(key) or names.is_bare(normalized)
    tries = [] if bare else [(key, "phrase"), (normalized, "normalized phrase")]
    if bare:
        subject = names.subject_phrase(normalized, context, _subjects())
        tries += [(subject, "subject")] if subject else []
        tries += [(key, "phrase")]
    for phrase, how in tries:
        indicator_id, family = map_indicator(phrase, unit)
        if indicator_id is not None:
            return Mapping(indicator_id, family, how, phrase)
    return Mapping(None, None, None, indicator_raw)


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


def suggest(targets: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """For each unmapped phrase (most frequent first), the ``n`` closest canonical indicators.

    One row per phrase and suggestion: ``rank``, ``indicator_id``, its ``name_zh``, ``score``
    (character-bigram Dice similarity to the closest of its phrasings and its name, 0 to 1)
    and ``yaml``, the phrasings line to paste into that indicator's entry once a person has
    checked it is the same measure. Nothing is applied.
    """
    tax = taxonomy()
    phrases = unmapped(targets)
    rows = []
    for p in phrases.itertuples(index=False):
        text = names.normalize(p.indicator_raw)
        scored = sorted(
            ((max(names.similarity(text, c) for c in [r.name_zh, *r.phrasings]), r.id) for r in tax.itertuples()),
            key=lambda s: (-s[0], s[1]),
        )[:n]
        for rank, (score, indicator_id) in enumerate(scored, 1):
            line = f"phrasings: {_flow([*tax.at[indicator_id, 'phrasings'], text])}"
            rows.append({"indicator_raw": p.indicator_raw, "targets": p.targets, "plans": p.plans, "rank": rank,
                         "indicator_id": indicator_id, "name_zh": tax.at[indicator_id, "name_zh"],
                         "score": round(score, 2), "yaml": line})
    return pd.DataFrame(rows, columns=["indicator_raw", "targets", "plans", "rank", "indicator_id", "name_zh", "score", "yaml"])


def _flow(items: list[str]) -> str:
    """A YAML flow list, quoting only what YAML would misread.

    >>> _flow(["食品抽检合格率", "“三品”认证"])
    '[食品抽检合格率, "“三品”认证"]'
    """
    return "[" + ", ".join(f'"{i}"' if re.search(r"[\"'“”:#,\[\]{}&*!|>%@`]", i) else i for i in items) + "]"
