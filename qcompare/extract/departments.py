"""Clauses -> departments: who each task clause names as responsible, mapped to canonical bodies.

Reads one plan's ``clauses`` rows (their ``responsibility_raw`` note) and its
``documents`` row; returns rows of the ``departments`` table (one row per department
named in a clause's note). The words that shape a note (labels such as 责任单位, tails
such as 等按职责分工负责 or 牵头, collective words naming no one, section notes such as
以下任务均涉及…不再单独列出) and the canonical bodies with every alias are data:
``data/departments.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from qcompare.knowledge.departments import rules
from qcompare.schema import TABLES

PLACE = "{地}"  # stands for the plan's own jurisdiction inside an alias
SECTION_NOTE = "section note: applies to every later task"
INHERITED = "inherited from section note"
_OPEN, _CLOSE = "(（〔[【", ")）〕]】"
_SEGMENT_SEPARATORS = ",，;；。"
_ITEM_SEPARATORS = "、 \u3000\t"


# --- splitting a note ---------------------------------------------------------------


def split_top(text: str, separators: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the parts of ``text`` between separators outside brackets.

    >>> t = "各县(市、区)人民政府、市工信局"
    >>> [t[s:e] for s, e in split_top(t, "、")]
    ['各县(市、区)人民政府', '市工信局']
    """
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            parts.append((start, i))
            start = i + 1
    parts.append((start, len(text)))
    return [(s, e) for s, e in parts if text[s:e].strip()]


def strip_tail(item: str) -> tuple[str, str | None]:
    """The item without its closing tail, and the role the tail marks (None: no tail).

    >>> strip_tail("省供销社等按职责分工负责")
    ('省供销社', '')
    >>> strip_tail("市质强办牵头")
    ('市质强办', 'lead')
    >>> strip_tail("市工信局")
    ('市工信局', None)
    """
    for tail, role in rules().tails.items():
        if item.endswith(tail) and len(item) > len(tail):
            return item[: -len(tail)], role
    return item, None


def strip_label(segment: str) -> tuple[int, str | None]:
    """Characters taken by an opening label (责任单位:) and the role it gives.

    >>> strip_label("责任单位:市市场监管局")
    (5, '')
    >>> strip_label("市市场监管局")
    (0, None)
    """
    for label, role in rules().labels.items():
        if segment.startswith(label):
            n = len(label)
            while n < len(segment) and segment[n] in ":：":
                n += 1
            return n, role
    return 0, None


def is_generic(item: str) -> bool:
    """True for a collective word that names no one (各有关单位), level prefix or not.

    >>> is_generic("省各有关部门"), is_generic("各设区市党委和政府")
    (True, False)
    """
    r = rules()
    return item in r.generic or any(item.startswith(p) and item[len(p):] in r.generic for p in r.prefixes)


@dataclass
class Mention:
    """One department named in a note: its written form and where it sits in the note."""

    raw: str  # as written, tails dropped
    name: str  # the name looked up (first name of a 〔〕 pair; brackets removed)
    start: int  # offsets inside the note
    end: int
    marker: str | None = None  # role a tail or label marks
    note: str = ""
    level_from: str | None = None  # a bracketed body takes the level of the name before it
    section: bool = False  # named in a section note


def split_brackets(item: str, start: int) -> list[Mention]:
    """One mention, or two when a closing bracket holds a second body.

    ``A〔B〕`` is one body with a second name; ``A(B)`` is two bodies when ``B`` ends like a
    body's name; any other bracket (各县(市、区)人民政府) belongs to the name.

    >>> [(m.name, m.note) for m in split_brackets("市委宣传部〔市委网信办〕", 0)]
    [('市委宣传部', 'also named 市委网信办')]
    >>> [(m.raw, m.level_from) for m in split_brackets("市工信局(国资委)", 0)]
    [('市工信局', None), ('国资委', '市工信局')]
    >>> [m.name for m in split_brackets("各县(市、区)人民政府", 0)]
    ['各县(市、区)人民政府']
    """
    end = start + len(item)
    if len(item) > 2 and item[-1] in _CLOSE:
        opener = _OPEN[_CLOSE.index(item[-1])]
        cut = item.rfind(opener)
        outer, inner = item[:cut], item[cut + 1 : -1]
        if cut > 0 and inner:
            if opener == "〔":
                return [Mention(item, outer, start, end, note=f"also named {inner}")]
            if inner.endswith(rules().body_endings):
                return [
                    Mention(outer, outer, start, start + cut),
                    Mention(inner, inner, start + cut + 1, end - 1, note=f"written in brackets after {outer}", level_from=outer),
                ]
    return [Mention(item, item, start, end)]


def parse_note(note: str) -> list[Mention]:
    """Every department a responsibility note names, in order, with its role marker.

    >>> [(m.raw, m.marker) for m in parse_note("市质强办牵头、各有关单位配合")]
    [('市质强办', 'lead')]
    >>> [(m.raw, m.marker) for m in parse_note("市政府办、市质量强市工作领导小组办公室牵头,各相关单位配合")]
    [('市政府办', 'lead'), ('市质量强市工作领导小组办公室', 'lead')]
    >>> [(m.raw, m.section) for m in parse_note("责任单位:市科技局,以下任务均涉及宜阳新区管委会,不再单独列出")]
    [('市科技局', False), ('宜阳新区管委会', True)]
    """
    r = rules()
    out: list[Mention] = []
    for s0, e0 in split_top(note, _SEGMENT_SEPARATORS):
        segment = note[s0:e0]
        lead = len(segment) - len(segment.lstrip())
        skip, label_role = strip_label(segment[lead:])
        offset = s0 + lead + skip
        body = note[offset:e0]
        section = False
        opener = next((o for o in r.section_opens if body.startswith(o)), None)
        if opener:
            section, offset, body = True, offset + len(opener), body[len(opener):]
        if not body.strip() or body.strip().startswith(r.section_closes):
            continue
        run: list[Mention] = []
        for s, e in split_top(body, _ITEM_SEPARATORS):
            item, marker = strip_tail(body[s:e].strip())
            if marker is None and label_role:
                marker = label_role
            mentions = [] if is_generic(item) else split_brackets(item, offset + s)
            for m in mentions:
                m.section = section
            run.extend(mentions)
            if marker is not None:  # a tail closes the run before it: A、B牵头 makes both leads
                for m in run:
                    m.marker = m.marker if m.marker else marker
                out.extend(run)
                run = []
        out.extend(run)
    return out


# --- mapping a name -------------------------------------------------------------------


def _place_forms(name: str, jurisdiction: str | None) -> list[str]:
    """``name`` with the plan's jurisdiction (full, then short) replaced by ``{地}``."""
    forms = [name]
    if jurisdiction:
        short = re.sub(r"(?:省|市|县|区|自治区|自治州|特别行政区)$", "", jurisdiction)
        for place in dict.fromkeys((jurisdiction, short)):
            if len(place) >= 2 and place in name:
                forms.append(name.replace(place, PLACE))
    return forms


def map_department(name: str, jurisdiction: str | None = None) -> tuple[str | None, str | None]:
    """``(entry id, level)`` for a department name; the level comes from its 省/市/县 prefix.

    The prefix is stripped for the lookup and kept in the level; an entry's own level
    (customs are national) applies when the name has no prefix.

    >>> map_department("市市场监管局")
    ('market_regulation', 'city')
    >>> map_department("省质监局")
    ('quality_supervision', 'province')
    >>> map_department("市场监管局")
    ('market_regulation', None)
    >>> map_department("九江海关", "九江市")
    ('customs', 'national')
    >>> map_department("市某某局")
    (None, 'city')
    """
    r = rules()
    for prefix, level in r.prefixes.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            for form in _place_forms(name[len(prefix):], jurisdiction):
                if form in r.aliases:
                    return r.aliases[form], level
    for form in _place_forms(name, jurisdiction):
        if form in r.aliases:
            eid = r.aliases[form]
            return eid, r.entries[eid].get("level")
    level = next((lv for p, lv in r.prefixes.items() if name.startswith(p) and len(name) > len(p)), None)
    return None, level


# --- the table -------------------------------------------------------------------------


def _rows(mentions: list[Mention], note_start: int | None, plan_level: str | None, jurisdiction: str | None, inherited: bool):
    r = rules()
    own = [m for m in mentions if not m.section]
    has_lead = any(m.marker == "lead" for m in own)
    levels: dict[str, str | None] = {}
    for i, m in enumerate(mentions):
        eid, level = map_department(m.name, jurisdiction)
        if level is None and m.level_from:
            level = levels.get(m.level_from)
        levels[m.raw] = level
        notes = []
        entry = r.entries.get(eid) if eid else None
        if entry and entry.get("predecessor_of"):
            eid = entry["predecessor_of"]
            notes.append(entry.get("note") or f"predecessor of {eid}")
        if m.note:
            notes.append(m.note)
        if m.section:
            notes.append(INHERITED if inherited else SECTION_NOTE)
            role = "partner"
        elif m.marker in ("lead", "partner"):
            role = m.marker
        else:
            role = "lead" if not has_lead and m is own[0] else "partner"
        yield {
            "department_raw": m.raw,
            "department": eid,
            "body_level": level or plan_level,
            "role": role,
            "note": "; ".join(notes) or None,
            "start": None if note_start is None else note_start + m.start,
            "end": None if note_start is None else note_start + m.end,
        }


def extract_departments(clauses: pd.DataFrame, document: pd.Series | dict) -> pd.DataFrame:
    """Rows of the ``departments`` table for one plan: one row per department and clause.

    A section note (以下任务均涉及…, 不再单独列出) adds its bodies as partners to its own clause
    and to every later clause of the plan that has a responsibility note.
    """
    doc_id = document["doc_id"]
    plan_level = document.get("level")
    jurisdiction = document.get("jurisdiction")
    rows: list[dict] = []
    inherited: list[Mention] = []
    inherited_start: int | None = None
    notes = clauses[clauses.responsibility_raw.notna()].sort_values("clause_id")
    for c in notes.itertuples(index=False):
        note = c.responsibility_raw
        at = c.text.rfind(note)
        note_start = int(c.start) + at if at >= 0 else None
        mentions = parse_note(note)
        clause_rows = list(_rows(mentions, note_start, plan_level, jurisdiction, inherited=False))
        if inherited and not any(m.section for m in mentions):
            clause_rows += _rows(inherited, inherited_start, plan_level, jurisdiction, inherited=True)
        if any(m.section for m in mentions):
            inherited, inherited_start = [m for m in mentions if m.section], note_start
        seen: set[str] = set()
        for row in clause_rows:
            if row["department_raw"] in seen:  # named twice (省商务厅 in Jiangsu's task 7): keep the first
                continue
            seen.add(row["department_raw"])
            rows.append({"doc_id": doc_id, "clause_id": int(c.clause_id), **row})
    return pd.DataFrame(rows, columns=TABLES["departments"].names)
