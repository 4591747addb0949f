"""Departments -> who carries the plans' tasks: usage of canonical bodies, task counts, shares.

Reads the built ``departments`` table; returns small summary tables for the departments
notebook, figures and ``qcompare departments``.
"""

from __future__ import annotations

import pandas as pd

from qcompare.extract.departments import INHERITED, SECTION_NOTE
from qcompare.knowledge.departments import canonical_departments, department_names


def from_section_note(departments: pd.DataFrame) -> pd.Series:
    """True for rows a section note gave (its own clause's or inherited), not the clause's own list."""
    notes = departments.note.fillna("")
    return notes.str.contains(SECTION_NOTE, regex=False) | notes.str.contains(INHERITED, regex=False)


def unmapped(departments: pd.DataFrame) -> pd.DataFrame:
    """Raw department names not mapped to a canonical body, most frequent first.

    One row per raw name: how many clauses name it and in how many plans.
    """
    rows = departments[departments.department.isna()]
    counts = rows.groupby("department_raw").agg(clauses=("clause_id", "size"), plans=("doc_id", "nunique"))
    return counts.sort_values(["clauses", "plans"], ascending=False, kind="stable").reset_index()


def usage(departments: pd.DataFrame) -> pd.DataFrame:
    """The canonical bodies (not predecessors) and how often the plans name them.

    One row per body: id, name_zh, name_en, clauses (named in), lead (as lead), plans.
    """
    named = (
        departments.dropna(subset=["department"])
        .assign(lead=lambda d: d.role == "lead")
        .sort_values("lead", ascending=False, kind="stable")
        .drop_duplicates(["doc_id", "clause_id", "department"])
    )
    used = named.groupby("department").agg(clauses=("clause_id", "size"), lead=("lead", "sum"), plans=("doc_id", "nunique"))
    canon = canonical_departments().reset_index(drop=True)
    table = canon[canon.predecessor_of.isna()][["id", "name_zh", "name_en"]].join(used, on="id")
    table[["clauses", "lead", "plans"]] = table[["clauses", "lead", "plans"]].fillna(0).astype(int)
    return table.sort_values(["clauses", "id"], ascending=[False, True]).reset_index(drop=True)


def task_counts(departments: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Task clauses each body carries in each plan: as lead, as partner, or by a section note.

    One row per plan and body: doc_id, department (canonical id, else the raw name), name
    (in ``lang``), lead, partner, inherited, total; a body named twice in one clause (two
    predecessors) counts once, in its strongest role. Most tasks first within each plan.
    """
    names = department_names(lang)
    df = departments.assign(department=departments.department.fillna(departments.department_raw))
    df["role_kind"] = df.role.where(~from_section_note(df), "inherited")
    rank = {"lead": 0, "partner": 1, "inherited": 2}
    df = df.assign(_rank=df.role_kind.map(rank)).sort_values("_rank", kind="stable")
    df = df.drop_duplicates(["doc_id", "clause_id", "department"])
    counts = df.groupby(["doc_id", "department", "role_kind"]).size().unstack("role_kind", fill_value=0)
    counts = counts.reindex(columns=list(rank), fill_value=0).reset_index()
    counts.columns.name = None
    counts.insert(2, "name", counts.department.map(names).fillna(counts.department))
    counts["total"] = counts[list(rank)].sum(axis=1)
    order = ["doc_id", "total", "lead", "department"]
    return counts.sort_values(order, ascending=[True, False, False, True], kind="stable").reset_index(drop=True)


def market_regulation_share(departments: pd.DataFrame, authority: str = "market_regulation") -> pd.DataFrame:
    """Share of each plan's task clauses that name the market-regulation authority.

    One row per plan: tasks (clauses naming a department), named (clauses naming the authority or a
    predecessor), as_lead, share, lead_share.
    """
    own = departments[~from_section_note(departments)]
    tasks = departments.groupby("doc_id").clause_id.nunique().rename("tasks")
    hit = own[own.department == authority]
    named = hit.groupby("doc_id").clause_id.nunique().rename("named")
    lead = hit[hit.role == "lead"].groupby("doc_id").clause_id.nunique().rename("as_lead")
    out = pd.concat([tasks, named, lead], axis=1).fillna(0).astype(int)
    out["share"] = out.named / out.tasks
    out["lead_share"] = out.as_lead / out.tasks
    return out.reset_index()
