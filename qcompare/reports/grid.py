"""Notebooks and their parameter grids -> the reports to make.

Reads each notebook's metadata ``"qcompare": {"grid": ...}`` (plain JSON, no Jupyter import)
and the corpus tables ``documents`` and ``targets``; writes nothing. One report is one
notebook run with one parameter set:

- ``corpus``: once (report ``<notebook>``);
- ``indicator``: once per indicator or family present in two or more plans (parameter
  ``indicator``; report ``<notebook>-<indicator>``);
- ``plan``: once per plan (parameter ``doc_id``; report ``<notebook>-<doc_id>``).

Every report also gets ``lang``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qcompare.errors import NotebookError

GRIDS = ("corpus", "indicator", "plan")
GRID_PARAMETER = {"indicator": "indicator", "plan": "doc_id"}  # the parameter each grid sets


@dataclass(frozen=True)
class Notebook:
    """A notebook that declares a parameter grid."""

    path: Path
    grid: str
    title: str  # the first Markdown heading, for the index


@dataclass(frozen=True)
class Report:
    """One notebook run with one parameter set."""

    name: str  # file stem in reports/
    notebook: Path
    parameters: dict = field(hash=False)
    summary: str = ""


def read_notebook(path: Path) -> Notebook | None:
    """The notebook's grid and title; None when it declares no grid (not a report notebook)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotebookError(path, f"cannot be read as a notebook ({exc}); fix or remove it") from None
    grid = (nb.get("metadata", {}).get("qcompare") or {}).get("grid")
    if grid is None:
        return None
    if grid not in GRIDS:
        raise NotebookError(path, f"metadata qcompare.grid is {grid!r}; use one of {list(GRIDS)}")
    return Notebook(path, grid, notebook_title(nb) or path.stem)


def notebook_title(nb: dict) -> str:
    """Text of the first Markdown heading in a notebook (as JSON), '' when there is none.

    >>> notebook_title({"cells": [{"cell_type": "markdown", "source": ["Intro\\n", "# 概览 Overview\\n"]}]})
    '概览 Overview'
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        for line in ("".join(source) if isinstance(source, list) else source).splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return ""


def discover(folder: Path) -> tuple[list[Notebook], list[Path]]:
    """Report notebooks in ``folder`` (sorted), and the notebooks skipped for declaring no grid."""
    found, skipped = [], []
    for path in sorted(folder.glob("*.ipynb")):
        nb = read_notebook(path)
        (found.append(nb) if nb else skipped.append(path))
    return found, skipped


def shared_indicators(targets: pd.DataFrame, indicator_ids: Collection[str] = ()) -> list[str]:
    """Indicator ids and family ids that two or more plans set a target for, sorted, once each.

    A family whose id is also an indicator id (in ``indicator_ids``) is left out: the id
    names the indicator, as ``qc.compare`` reads it.

    >>> t = pd.DataFrame({"doc_id": ["a", "b", "b", "c"], "indicator_id": ["x", "x", "y", "z"],
    ...                   "family": ["f", "f", "f", "y"]})
    >>> shared_indicators(t), shared_indicators(t.assign(family=["y", "y", "y", "z"]), {"x", "y", "z"})
    (['f', 'x'], ['x'])
    """
    ids = set()
    for column in ("indicator_id", "family"):
        plans = targets.dropna(subset=[column]).groupby(column).doc_id.nunique()
        shared = set(plans[plans >= 2].index)
        ids |= shared if column == "indicator_id" else shared - set(indicator_ids)
    return sorted(ids)


def _jurisdiction(documents: pd.DataFrame, lang: str) -> pd.Series:
    names = documents.jurisdiction
    if lang == "en":
        names = documents.jurisdiction_en.fillna(names)
    return pd.Series(names.to_numpy(), index=documents.doc_id.to_numpy())


def _indicator_label(indicator: str, taxonomy: pd.DataFrame, lang: str) -> str:
    name = f"name_{lang}"
    if indicator in taxonomy.index:
        return str(taxonomy.at[indicator, name])
    members = taxonomy.loc[taxonomy.family == indicator, name].dropna().tolist()
    return f"{indicator} ({', '.join(members)})" if members else indicator


def grid(kind: str, documents: pd.DataFrame, targets: pd.DataFrame, taxonomy: pd.DataFrame, lang: str) -> list[tuple[str, dict, str]]:
    """``(name suffix, parameters, one-line summary)`` for every run of a ``kind`` grid."""
    names = _jurisdiction(documents, lang)
    if kind == "corpus":
        levels = ", ".join(f"{n} {level}" for level, n in documents.level.value_counts().sort_index().items())
        return [("", {}, f"{len(documents)} plans ({levels})")]
    if kind == "indicator":
        rows = []
        for ind in shared_indicators(targets, taxonomy.index):
            # an id that is both an indicator and a family means the indicator (as qc.compare reads it)
            column = "indicator_id" if ind in taxonomy.index else "family"
            docs = targets.loc[targets[column] == ind, "doc_id"].unique()
            where = ", ".join(names.get(d, d) for d in sorted(docs))
            rows.append((ind, {GRID_PARAMETER[kind]: ind}, f"{_indicator_label(ind, taxonomy, lang)}: {len(docs)} plans ({where})"))
        return rows
    if kind == "plan":
        counts = targets.groupby("doc_id").size()
        rows = []
        for doc in documents.itertuples(index=False):
            year = "undated" if pd.isna(doc.issued_year) else str(doc.issued_year)
            title = f"{doc.title}, " if isinstance(doc.title, str) else ""
            summary = f"{names[doc.doc_id]} ({doc.level}, {year}): {title}{counts.get(doc.doc_id, 0)} targets"
            rows.append((doc.doc_id, {GRID_PARAMETER[kind]: doc.doc_id}, summary))
        return rows
    raise NotebookError(Path(kind), f"unknown grid; use one of {list(GRIDS)}")


def reports(notebooks: list[Notebook], documents: pd.DataFrame, targets: pd.DataFrame,
            taxonomy: pd.DataFrame, lang: str) -> list[Report]:
    """Every report the notebooks' grids ask for, in notebook then grid order."""
    out = []
    for nb in notebooks:
        for suffix, params, summary in grid(nb.grid, documents, targets, taxonomy, lang):
            name = f"{nb.path.stem}-{suffix}" if suffix else nb.path.stem
            name += "" if lang == "zh" else f"-{lang}"  # the two languages' reports live side by side
            out.append(Report(name, nb.path, {**params, "lang": lang}, f"{nb.title}: {summary}"))
    return out


def _digest(df: pd.DataFrame) -> str:
    """SHA-256 of a table's values and column names (row order counts; the index does not)."""
    h = hashlib.sha256("\0".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def reads(kind: str, parameters: dict, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Digests of the rows a report of grid ``kind`` reads, so its key changes only when they do.

    - ``corpus``: every table;
    - ``indicator``: the targets of that indicator or family, and the documents of the plans setting them;
    - ``plan``: the plan's document and targets; for each of its indicators whether another plan sets
      it; and the documents of the other plans sharing the family of one it alone sets (what
      ``profile`` shows: its ``distinctive`` table names them).
    """
    documents, targets = tables["documents"], tables["targets"]
    if kind == "corpus":
        return {f"{name} table": _digest(df) for name, df in tables.items()}
    if kind == "indicator":
        ind = parameters[GRID_PARAMETER[kind]]
        rows = targets[(targets.indicator_id == ind) | (targets.family == ind)]
        return {"targets rows": _digest(rows), "documents rows": _digest(documents[documents.doc_id.isin(rows.doc_id)])}
    if kind == "plan":
        doc = parameters[GRID_PARAMETER[kind]]
        own, others = targets[targets.doc_id == doc], targets[targets.doc_id != doc]
        indicators = own.indicator_id.dropna()
        set_elsewhere = pd.DataFrame({"indicator_id": indicators, "elsewhere": indicators.isin(others.indicator_id)})
        alone = own[own.indicator_id.notna() & ~own.indicator_id.isin(others.indicator_id)].family.dropna()
        family_docs = others.loc[others.family.isin(alone), "doc_id"].unique()
        return {"documents rows": _digest(documents[documents.doc_id == doc]), "targets rows": _digest(own),
                "indicators set elsewhere": _digest(set_elsewhere),
                "family documents": _digest(documents[documents.doc_id.isin(family_docs)])}
    raise NotebookError(Path(kind), f"unknown grid; use one of {list(GRIDS)}")
