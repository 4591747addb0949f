"""Clauses -> the targets and baselines of an indicator table written as text rows.

A plan's table of main indicators (主要指标表) reaches the text one line per row, its cells
joined by ``|`` (the .docx importer writes tables so, as do many web pages and PDFs):

    序号 | 类别 | 指标名称 | 2022年基期值 | 2025年目标值 | 属性
    3 | 产品质量 | 制造业产品质量合格率（%） | 93.9 | ≥95 | 预期性

The header row names the columns (``data/lexicon.yml``, key ``tables``): the indicator, its
unit (a column, or a bracket after the name), target columns (a year and/or 目标/预期) and
baseline columns (基期/现状/…, or a year before the plan's). Each row then gives one target
per target cell, with the header's year, and one actual per baseline cell. The prose
extractors leave these lines alone (``table_clauses``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from qcompare.extract.actuals import Found
from qcompare.extract.numbers import as_percent, parse_number
from qcompare.extract.targets import Row, goal_horizon, kind_of, strip_phrase
from qcompare.knowledge.data import data_yaml, longest_first

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年?")
_UNIT_BRACKET = re.compile(r"[（(]([^（）()]{1,8})[）)]\s*$")
@cache
def _words() -> dict:
    raw = data_yaml("lexicon.yml")
    return raw["tables"] | {"qualitative": [*raw["qualitative"], *raw["table_qualitative"]]}


@cache
def _cell_value() -> tuple[re.Pattern, dict[str, str]]:
    """A cell's number pattern and its bounds (cue -> comparator): the lexicon's comparator cues
    before and after a number, plus the strict signs a table writes (>98 for 98 以上)."""
    raw = data_yaml("lexicon.yml")
    sides = {side: {cue: comp for comp, cues in raw["comparators"][side].items() if comp in (">=", "<=", "approx")
                    for cue in cues} for side in ("before", "after")}
    sides["before"] |= {sign: comp for comp, signs in raw["tables"]["strict"].items() for sign in signs}

    def alternatives(cues) -> str:
        return "|".join(map(re.escape, longest_first(cues)))

    pattern = re.compile(
        rf"^(?P<before>{alternatives(sides['before'])})?\s*"
        r"(?P<n1>\d+(?:\.\d+)?)\s*(?:[-—–~～至到]\s*(?P<n2>\d+(?:\.\d+)?))?\s*(?P<unit>%|‰)?\s*"
        rf"(?P<after>{alternatives(sides['after'])})?$"
    )
    return pattern, sides["before"] | sides["after"]


def cells(text: str) -> list[str] | None:
    """A table row's cells, or None for a line that is not one (fewer than three cells).

    >>> cells("3 | 产品质量 | 制造业产品质量合格率（%） | 93.9 | ≥95"), cells("A|B")
    (['3', '产品质量', '制造业产品质量合格率（%）', '93.9', '≥95'], None)
    """
    parts = [c.strip() for c in text.split("|")]
    return parts if len(parts) >= 3 else None


@dataclass(frozen=True)
class Header:
    indicator: int
    unit: int | None
    targets: tuple[tuple[int, int | None], ...]  # (column, year)
    baselines: tuple[tuple[int, int | None], ...]


def header(row: list[str], issued: int | None) -> Header | None:
    """The columns a header row names, or None when it names no indicator or no target column.

    >>> header(["序号", "类别", "指标名称", "2022年基期值", "2025年目标值", "属性"], 2023)
    Header(indicator=2, unit=None, targets=((4, 2025),), baselines=((3, 2022),))
    >>> header(["指标", "单位", "2020年", "2025年"], 2021)
    Header(indicator=0, unit=1, targets=((3, 2025),), baselines=((2, 2020),))
    >>> header(["1", "制造业产品质量合格率", "94%"], 2023) is None
    True
    """
    w = _words()
    indicator = next((i for i, c in enumerate(row) if len(c) <= 6 and any(k in c for k in w["indicator"])
                      and not any(k in c for k in w["not_indicator"])), None)  # a header cell is short
    if indicator is None:
        return None
    unit = next((i for i, c in enumerate(row) if c in w["unit"]), None)
    targets, baselines = [], []
    for i, c in enumerate(row):
        if i in (indicator, unit):
            continue
        year = _YEAR.search(c)
        y = int(year[1]) if year else None
        if any(k in c for k in w["baseline"]) or (y is not None and issued is not None and y < issued
                                                  and not any(k in c for k in w["target"])):
            baselines.append((i, y))
        elif any(k in c for k in w["target"]) or (year and c == year[0].strip()):
            targets.append((i, y))
    return Header(indicator, unit, tuple(targets), tuple(baselines)) if targets else None


def cell_value(cell: str) -> tuple[float, float | None, str, str] | str | None:
    """(value, high, comparator, unit) of a table cell, ``"qualitative"`` for a level in words
    (稳中有升), None for an empty cell (—, /, 空白).

    >>> cell_value("≥95"), cell_value(">98"), cell_value("85.5—86"), cell_value("0.8‰以下")
    ((95.0, None, '>=', ''), (98.0, None, '>=', ''), (85.5, 86.0, 'range', ''), (0.08, None, '<=', '%'))
    >>> cell_value("稳中有升"), cell_value("—"), cell_value("力争100")
    ('qualitative', None, (100.0, None, '=', ''))
    """
    text = re.sub(r"^(?:力争|争取)", "", cell.replace(" ", ""))
    pattern, bounds = _cell_value()
    m = pattern.match(text)
    if m:
        value = parse_number(m["n1"])[0]
        high = parse_number(m["n2"])[0] if m["n2"] else None
        value, high, unit = as_percent(value, high, m["unit"] or "")
        comparator = "range" if high is not None else bounds.get(m["before"] or m["after"] or "", "=")
        return value, high, comparator, unit
    if any(q in text for q in _words()["qualitative"]):
        return "qualitative"
    return None


def name_and_unit(cell: str, unit_cell: str | None) -> tuple[str, str]:
    """The indicator as the row names it and its unit (the unit column, else a bracket).

    >>> name_and_unit("制造业产品质量合格率（%）", None), name_and_unit("“天府名品”(个)", None)
    (('制造业产品质量合格率', '%'), ('“天府名品”', '个'))
    >>> name_and_unit("国家质量强县（区）培育单位", "个")
    ('国家质量强县（区）培育单位', '个')
    """
    unit = (unit_cell or "").strip()
    m = _UNIT_BRACKET.search(cell)
    if m and not unit and not any(ch in m[1] for ch in "区市县省含"):
        unit, cell = m[1].strip(), cell[: m.start()]
    return strip_phrase(cell), unit.replace("％", "%")


def table_rows(clauses: pd.DataFrame, issued: int | None) -> tuple[dict[int, list[Row]], dict[int, list[Found]]]:
    """Targets and baselines (as actuals) of every table in the plan, per clause id of its
    lines (a header line gets empty lists): the prose extractors take these instead."""
    targets: dict[int, list[Row]] = {}
    actuals: dict[int, list[Found]] = {}
    head: Header | None = None
    horizon = None
    for clause in clauses.itertuples(index=False):
        row = cells(clause.text)
        if row is None:
            head = None
            horizon = goal_horizon(clause.text, issued) or horizon
            continue
        found = header(row, issued)
        if found is not None:
            head = found
            targets[clause.clause_id], actuals[clause.clause_id] = [], []
            continue
        if head is None or head.indicator >= len(row):
            continue
        name, unit = name_and_unit(row[head.indicator], row[head.unit] if head.unit is not None and head.unit < len(row) else None)
        if not name:
            continue
        quote = (0, len(clause.text.rstrip()))
        rows_here: list[Row] = []
        for column, year in head.targets:
            value = cell_value(row[column]) if column < len(row) else None
            if value is None:
                continue
            if value == "qualitative":
                rows_here.append(Row(clause.clause_id, clause.heading_path, name, None, None, "", "qualitative", "level",
                                     year or horizon, False, *quote, None, []))
                continue
            v, high, comparator, cell_unit = value
            v, high, cell_unit = as_percent(v, high, cell_unit or unit)
            kind = kind_of(row[head.indicator], comparator, cell_unit)
            rows_here.append(Row(clause.clause_id, clause.heading_path, name, v, high, cell_unit, comparator, kind,
                                 year or horizon, row[column].replace(" ", "").startswith(("力争", "争取")), *quote,
                                 head.baselines[0][1] if head.baselines else None, []))
        base: list[Found] = []
        for column, year in head.baselines:
            value = cell_value(row[column]) if column < len(row) else None
            if isinstance(value, tuple):
                v, _, base_unit = as_percent(value[0], None, value[3] or unit)
                base.append(Found(name, v, base_unit, year, *quote, False, *quote))
        targets[clause.clause_id], actuals[clause.clause_id] = rows_here, base
    return targets, actuals
