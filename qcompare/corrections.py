"""A reviewer's corrections (``data/corrections.yml``) applied to the extracted targets.

Reads the corrections file beside the raw folder and the built ``targets``, ``clauses`` and
``documents`` tables; writes ``targets`` with each named row overridden, rejected or added,
and ``origin`` (extracted | corrected | added) on every row. A correction whose quote no
longer occurs, or whose row no longer exists, is *stale*: reported, never silently dropped.

One entry per fix, keyed by ``doc_id`` and ``quote`` (plus ``start`` to tell repeats apart,
and ``indicator_raw`` to pick one row of a list such as 省著名商标13件、市知名商标30件)::

    - doc_id: jiujiang-2024
      quote: 制造業產品質量合格率達到94.5%以上
      start: 839
      value: 95.0              # override any of value, value_high, unit, comparator, kind, target_year, indicator_id
      reason: the 2023 bulletin restates it as 95 %
      by: Li Wei
    - {doc_id: yichun, quote: ..., reject: true, reason: ..., by: ...}
    - doc_id: jincheng-2023
      quote: 2条1000亿级产业链
      add: {indicator_raw: 1000亿级产业链, value: 2, unit: 条, comparator: "=", target_year: 2025}
      reason: ...
      by: ...
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from qcompare.errors import CorrectionsError
from qcompare.knowledge.taxonomy import map_indicator, taxonomy
from qcompare.plan.reader import decode
from qcompare.schema import COMPARATORS, TABLES

FILE_NAME = "corrections.yml"
KEYS = ("doc_id", "quote", "start", "indicator_raw")
NOTES = ("reason", "by")
OVERRIDES = ("value", "value_high", "unit", "comparator", "kind", "target_year", "indicator_id")
ADD_FIELDS = ("indicator_raw", "value", "value_high", "unit", "comparator", "kind", "target_year", "indicator_id", "aspirational")
TYPES = {"value": (int, float), "value_high": (int, float), "unit": str, "comparator": str, "kind": str,
         "target_year": int, "indicator_id": str, "indicator_raw": str, "aspirational": bool}


@dataclass(frozen=True)
class Correction:
    """One entry of the corrections file: which row, and what to do with it."""

    number: int  # 1-based position in the file
    doc_id: str
    quote: str
    start: int | None
    indicator_raw: str | None
    action: str  # override | reject | add
    fields: dict = field(default_factory=dict)
    reason: str = ""
    by: str = ""

    @property
    def label(self) -> str:
        return f"entry {self.number} ({self.doc_id} {self.quote!r})"


def corrections_path(raw: Path) -> Path:
    """The corrections file of a raw folder: ``data/corrections.yml`` beside ``data/raw``."""
    return Path(raw).parent / FILE_NAME


def file_hash(path: Path) -> str:
    """SHA-256 of the corrections file ('' when there is none): part of the build fingerprint."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _check_field(path: Path, label: str, name: str, value) -> None:
    if value is None:
        return
    kind = TYPES[name]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise CorrectionsError(path, label, f"{name} must be {'a number' if kind == (int, float) else kind.__name__}, got {value!r}")
    if name == "comparator" and value not in COMPARATORS:
        raise CorrectionsError(path, label, f"comparator {value!r} is not one of {list(COMPARATORS)}")
    if name == "indicator_id" and value not in taxonomy().index:
        raise CorrectionsError(path, label, f"indicator_id {value!r} is not in taxonomy.yml; add it there first or leave it out")
    if name == "kind":
        column = next((c for c in TABLES["targets"].columns if c.name == "kind"), None)
        if column is None:
            raise CorrectionsError(path, label, "this version's targets table has no kind column; leave kind out")
        if column.allowed and value not in column.allowed:
            raise CorrectionsError(path, label, f"kind {value!r} is not one of {list(column.allowed)}")


def parse_entry(path: Path, number: int, entry) -> Correction:
    """One checked :class:`Correction` from a YAML mapping; a one-line error naming it otherwise."""
    if not isinstance(entry, dict):
        raise CorrectionsError(path, f"entry {number}", "must be a mapping with doc_id, quote, reason, by and a fix")
    label = f"entry {number} ({entry.get('doc_id')} {entry.get('quote')!r})"
    unknown = sorted(set(entry) - {*KEYS, *NOTES, *OVERRIDES, "reject", "add"}, key=str)
    if unknown:
        raise CorrectionsError(path, label, f"unknown field {unknown[0]!r}; use {', '.join((*KEYS, *NOTES, *OVERRIDES, 'reject', 'add'))}")
    for name in ("doc_id", "quote", *NOTES):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise CorrectionsError(path, label, f"{name} is missing; every correction names its plan, quote, reason and by")
    start = entry.get("start")
    if start is not None and (isinstance(start, bool) or not isinstance(start, int) or start < 0):
        raise CorrectionsError(path, label, f"start must be a character offset (0 or more), got {start!r}")
    if entry.get("indicator_raw") is not None and not isinstance(entry["indicator_raw"], str):
        raise CorrectionsError(path, label, "indicator_raw must be text")
    overrides = {k: entry[k] for k in OVERRIDES if k in entry}
    actions = [a for a, present in (("override", overrides), ("reject", "reject" in entry), ("add", "add" in entry)) if present]
    if len(actions) != 1:
        raise CorrectionsError(path, label, "give exactly one fix: fields to override, reject: true, or add: {...}"
                               + (f" (found {' and '.join(actions)})" if actions else ""))
    action, fields = actions[0], overrides
    if action == "reject" and entry["reject"] is not True:
        raise CorrectionsError(path, label, f"reject must be true, got {entry['reject']!r}")
    if action == "add":
        fields = entry["add"]
        if not isinstance(fields, dict) or not isinstance(fields.get("indicator_raw"), str) or "comparator" not in fields:
            raise CorrectionsError(path, label, "add: needs a mapping with at least indicator_raw and comparator")
        bad = sorted(set(fields) - set(ADD_FIELDS), key=str)
        if bad:
            raise CorrectionsError(path, label, f"add: unknown field {bad[0]!r}; use {', '.join(ADD_FIELDS)}")
    for name, value in fields.items():
        _check_field(path, label, name, value)
    if "comparator" in fields and fields["comparator"] is None:
        raise CorrectionsError(path, label, "comparator must not be empty")
    return Correction(number, entry["doc_id"], entry["quote"], start, entry.get("indicator_raw"), action, dict(fields),
                      entry["reason"], entry["by"])


def read_corrections(path: Path) -> list[Correction]:
    """Every entry of the corrections file, checked; [] when there is no file or it is empty."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorrectionsError(path, None, f"is not valid YAML ({str(exc).splitlines()[0]}); fix the line it names") from None
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CorrectionsError(path, None, "must be a YAML list of corrections (each starting with '- doc_id:')")
    return [parse_entry(path, i, entry) for i, entry in enumerate(raw, 1)]


def _rows_named(targets: pd.DataFrame, c: Correction) -> pd.DataFrame:
    rows = targets[(targets.doc_id == c.doc_id) & (targets.quote == c.quote)]
    if c.start is not None:
        rows = rows[rows.start == c.start]
    if c.indicator_raw is not None:
        rows = rows[rows.indicator_raw == c.indicator_raw]
    return rows


def _set_indicator(row: dict, indicator_id: str | None) -> None:
    row["indicator_id"] = indicator_id
    row["family"] = taxonomy().loc[indicator_id, "family"] if indicator_id else None


def _added_row(c: Correction, text: str, clauses: pd.DataFrame, target_id: int) -> dict | str:
    """The targets row an ``add:`` entry describes, or why it is stale."""
    start = c.start if c.start is not None else text.find(c.quote)
    if text[start : start + len(c.quote)] != c.quote:
        return f"the quote does not occur at start {c.start}" if c.start is not None else "the quote no longer occurs in the text"
    around = clauses[(clauses.doc_id == c.doc_id) & (clauses.start <= start) & (clauses.end >= start + len(c.quote))]
    if around.empty:
        return "the quote lies outside every clause (page furniture?)"
    clause = around.iloc[-1]
    row = {col: None for col in TABLES["targets"].names}
    row.update(doc_id=c.doc_id, target_id=target_id, clause_id=clause.clause_id, heading_path=clause.heading_path,
               aspirational=False, kind="level", quote=c.quote, start=start, end=start + len(c.quote), origin="added")
    row.update({k: v for k, v in c.fields.items() if k in row})
    if "indicator_id" in c.fields:
        _set_indicator(row, c.fields["indicator_id"])
    else:
        row["indicator_id"], row["family"] = map_indicator(row["indicator_raw"], row["unit"])
    return row


def apply(targets: pd.DataFrame, clauses: pd.DataFrame, texts: dict[str, str], corrections: list[Correction],
          path: Path) -> tuple[pd.DataFrame, list[str]]:
    """``targets`` with ``corrections`` applied, and one warning per stale entry.

    ``texts`` maps doc_id to the plan's original text. Rows no entry names are left as
    extracted; an entry that names several rows is an error (add start:
    or indicator_raw:), so a fix never lands on a row the reviewer did not see.
    """
    rows = {(r["doc_id"], r["target_id"]): r for r in targets.to_dict("records")}
    next_id = targets.groupby("doc_id").target_id.max().to_dict()
    stale, claimed = [], {}
    for c in corrections:
        text = texts.get(c.doc_id)
        if text is None:
            stale.append(f"{c.label}: plan {c.doc_id!r} is not in the corpus")
            continue
        if c.quote not in text:
            stale.append(f"{c.label}: the quote no longer occurs in the text")
            continue
        named = _rows_named(targets, c)
        if c.action == "add":
            found = targets[(targets.doc_id == c.doc_id) & (targets.quote == c.quote) & (targets.indicator_raw == c.fields["indicator_raw"])]
            if not found.empty:
                stale.append(f"{c.label}: the extractor now finds this target (target_id {found.target_id.iloc[0]}); remove the entry")
                continue
            next_id[c.doc_id] = int(next_id.get(c.doc_id, 0)) + 1
            row = _added_row(c, text, clauses, next_id[c.doc_id])
            if isinstance(row, str):
                stale.append(f"{c.label}: {row}")
            else:
                rows[(c.doc_id, row["target_id"])] = row
            continue
        if named.empty:
            stale.append(f"{c.label}: no target row has this quote" + (f" at start {c.start}" if c.start is not None else "")
                         + (f" and indicator {c.indicator_raw!r}" if c.indicator_raw else "") + " any more")
            continue
        if len(named) > 1:
            raise CorrectionsError(path, c.label, f"names {len(named)} rows (target_id {', '.join(map(str, named.target_id))});"
                                   " add start: and indicator_raw: to pick one")
        key = (c.doc_id, named.target_id.iloc[0])
        if key in claimed:
            raise CorrectionsError(path, c.label, f"names the same row as entry {claimed[key]}; merge the two")
        claimed[key] = c.number
        if c.action == "reject":
            del rows[key]
            continue
        row = rows[key]
        row.update({k: v for k, v in c.fields.items() if k != "indicator_id"})
        if "indicator_id" in c.fields:
            _set_indicator(row, c.fields["indicator_id"])
        if "value" in c.fields and isinstance(row["flags"], str):  # the reviewer read the damaged number from the source
            row["flags"] = ";".join(f for f in row["flags"].split(";") if f != "corrupted") or None
        row["origin"] = "corrected"
    table = TABLES["targets"]
    out = pd.DataFrame(list(rows.values()), columns=table.names) if rows else table.empty()
    return table.validate(out.sort_values(["doc_id", "target_id"], kind="stable")), stale


def plan_texts(raw: Path, documents: pd.DataFrame, doc_ids: set[str]) -> dict[str, str]:
    """The original text of each named plan the corpus holds, decoded as the build decoded it."""
    texts = {}
    for doc in documents[documents.doc_id.isin(doc_ids)].itertuples():
        path = Path(raw) / f"{doc.doc_id}.txt"
        texts[doc.doc_id] = decode(path.read_bytes(), path, doc.encoding)[0]
    return texts


def apply_file(tables: dict[str, pd.DataFrame], raw: Path, doc_ids: set[str] | None = None
               ) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The built tables with the raw folder's corrections (those of ``doc_ids``, default all) applied
    to ``targets``; stale warnings."""
    path = corrections_path(raw)
    corrections = [c for c in read_corrections(path) if doc_ids is None or c.doc_id in doc_ids]
    if not corrections:
        return tables, []
    texts = plan_texts(raw, tables["documents"], {c.doc_id for c in corrections})
    targets, stale = apply(tables["targets"], tables["clauses"], texts, corrections, path)
    return {**tables, "targets": targets}, [f"{path}: {s}" for s in stale]


def orphans(raw: Path, doc_ids: set[str]) -> list[str]:
    """Stale warnings for corrections naming a plan that is not in ``raw`` (a group never sees them)."""
    path = corrections_path(raw)
    return [f"{path}: entry for {c.doc_id!r} ({c.quote[:20]}…): no such plan in {raw}"
            for c in read_corrections(path) if c.doc_id not in doc_ids]
