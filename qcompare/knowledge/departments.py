"""Canonical departments and the grammar of responsibility notes, read from ``data/departments.yml``.

The labels (责任单位), tails (等按职责分工负责, 牵头), collective words, section notes and
every alias of every canonical body are data; this module reads and checks them once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from qcompare.errors import KnowledgeError
from qcompare.paths import PACKAGE_DIR
from qcompare.schema import LEVELS

DEPARTMENTS_FILE: Path = PACKAGE_DIR / "data" / "departments.yml"


@dataclass(frozen=True)
class Rules:
    prefixes: dict[str, str]  # level prefix -> level, longest first
    labels: dict[str, str]  # segment label -> role ("lead", "partner" or "")
    tails: dict[str, str]  # item tail -> role marker ("lead", "partner" or "")
    generic: tuple[str, ...]
    section_opens: tuple[str, ...]
    section_closes: tuple[str, ...]
    body_endings: tuple[str, ...]
    aliases: dict[str, str]  # alias -> entry id
    entries: dict[str, dict]  # entry id -> entry


def _longest_first(words) -> list[str]:
    return sorted(set(words), key=lambda w: (-len(w), w))


def _read() -> dict:
    try:
        return yaml.safe_load(DEPARTMENTS_FILE.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(DEPARTMENTS_FILE, None, f"is not valid YAML ({str(exc).splitlines()[0]})") from None


@cache
def rules() -> Rules:
    """The note grammar and canonical bodies of ``data/departments.yml``, checked once."""
    raw = _read()
    try:
        return _rules(raw)
    except (KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeError(DEPARTMENTS_FILE, None, f"missing or malformed field {exc}") from None


def _rules(raw: dict) -> Rules:
    entries: dict[str, dict] = {}
    aliases: dict[str, str] = {}
    for entry in raw["departments"]:
        eid = entry["id"]
        if eid in entries:
            raise KnowledgeError(DEPARTMENTS_FILE, eid, "id is declared twice")
        if entry.get("level") not in (None, *LEVELS):
            raise KnowledgeError(DEPARTMENTS_FILE, eid, f"level {entry['level']!r} is not one of {list(LEVELS)}")
        entries[eid] = entry
        for alias in entry["aliases"]:
            if alias in aliases and aliases[alias] != eid:
                raise KnowledgeError(DEPARTMENTS_FILE, eid, f"alias {alias!r} is also listed under {aliases[alias]}")
            aliases[alias] = eid
    for eid, entry in entries.items():
        target = entry.get("predecessor_of")
        if target and (target not in entries or entries[target].get("predecessor_of")):
            raise KnowledgeError(DEPARTMENTS_FILE, eid, f"predecessor_of {target!r} must name a current body's id")
    prefixes = {p: raw["prefixes"][p] for p in _longest_first(raw["prefixes"])}
    tails = {t: role for role, words in raw["tails"].items() for t in words}
    labels = {label: role for role, words in raw["labels"].items() for label in words}
    return Rules(
        prefixes=prefixes,
        labels={k: labels[k] for k in _longest_first(labels)},
        tails={k: tails[k] for k in _longest_first(tails)},
        generic=tuple(raw["generic"]),
        section_opens=tuple(_longest_first(raw["section_note"]["opens"])),
        section_closes=tuple(raw["section_note"]["closes"]),
        body_endings=tuple(raw["body_endings"]),
        aliases=aliases,
        entries=entries,
    )


def canonical_departments() -> pd.DataFrame:
    """One row per canonical body in ``data/departments.yml`` (predecessors included)."""
    cols = ["id", "name_zh", "name_en", "level", "predecessor_of", "note", "aliases"]
    df = pd.DataFrame(list(rules().entries.values()))
    return df.reindex(columns=cols).set_index("id", drop=False)


def department_names(lang: str = "zh") -> dict[str, str]:
    """Canonical id -> display name in ``lang`` ("zh" or "en")."""
    col = "name_en" if lang == "en" else "name_zh"
    return {eid: e[col] for eid, e in rules().entries.items()}
