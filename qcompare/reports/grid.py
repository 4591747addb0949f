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

import numpy as np
import pandas as pd

from qcompare.analysis.compare import resolve
from qcompare.errors import NotebookError
from qcompare.memo import per_table

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


def _digest(df: pd.DataFrame, row_hashes: np.ndarray | None = None) -> str:
    """SHA-256 of a table's values and column names (row order counts; the index does not).

    ``row_hashes`` are the rows' hashes when the caller has them (a slice of the whole table's:
    a row's hash depends on its values only), so digesting many subsets hashes the table once.
    """
    h = hashlib.sha256("\0".join(map(str, df.columns)).encode())
    rows = pd.util.hash_pandas_object(df, index=False).to_numpy() if row_hashes is None else row_hashes
    h.update(rows.tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class _Rows:
    """A table's row hashes and each plan's row positions, computed once per table (one pass,
    not one per report: with 1,000 plan reports, slicing the tables per report took 5 minutes)."""

    table: pd.DataFrame = field(repr=False)
    hashes: np.ndarray  # one per row
    of_plan: dict[str, np.ndarray]  # doc_id -> positions of its rows

    def digest(self, doc_ids) -> str:
        """:func:`_digest` of the rows of ``doc_ids`` (sorted), in table order."""
        rows = np.sort(np.concatenate([self.of_plan.get(d, _NONE) for d in sorted(doc_ids)] or [_NONE]))
        return _digest(self.table.iloc[:0], self.hashes[rows])


_NONE = np.array([], dtype=np.intp)


def _rows(table: pd.DataFrame) -> _Rows:
    return _Rows(table, pd.util.hash_pandas_object(table, index=False).to_numpy(),
                 {d: np.asarray(p, dtype=np.intp) for d, p in table.groupby("doc_id").indices.items()})


def _plans_per_indicator(targets: pd.DataFrame) -> tuple[dict, dict, np.ndarray]:
    """Plans setting each indicator (a count) and each family (a set), and each row's
    (indicator_id, family) as plain objects; once per table."""
    counts = targets.dropna(subset=["indicator_id"]).groupby("indicator_id").doc_id.nunique().to_dict()
    families = targets.dropna(subset=["family"]).groupby("family").doc_id.agg(set).to_dict()
    pairs = targets[["indicator_id", "family"]].astype(object).where(targets[["indicator_id", "family"]].notna(), None)
    return counts, families, pairs.to_numpy()


def _unmapped(targets: pd.DataFrame) -> str:
    return _digest(targets.loc[targets.indicator_id.isna(), ["doc_id", "indicator_raw", "unit"]])


def reads(kind: str, parameters: dict, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Digests of the rows a report of grid ``kind`` reads, so its key changes when, and only when, they do.

    - ``corpus``: every table;
    - ``indicator``: the targets and actuals of the indicator or family's indicators (as ``qc.compare``
      resolves the id), every document (each plan gets a row, "no target set" included, and the
      finding names the plans that set none) and the unmapped targets (the caveat counts those
      in the same unit; the figure marks plans whose unmapped phrases resemble the indicator);
    - ``plan``: the plan's document and targets; for each of its indicators whether another plan sets
      it; and the documents of the other plans sharing the family of one it alone sets (what
      ``profile`` shows: its ``distinctive`` table names them).
    """
    documents, targets = tables["documents"], tables["targets"]
    if kind == "corpus":
        return {f"{name} table": _digest(df) for name, df in tables.items()}
    if kind == "indicator":
        ids = resolve(parameters[GRID_PARAMETER[kind]]).indicator_ids
        actuals = tables["actuals"]
        return {"targets rows": _digest(targets[targets.indicator_id.isin(ids)]),
                "documents table": per_table("grid.documents table", documents, _digest),  # the same for every indicator
                "actuals rows": _digest(actuals[actuals.indicator_id.isin(ids)]),
                "unmapped targets": per_table("grid.unmapped", targets, _unmapped)}
    if kind == "plan":
        doc = parameters[GRID_PARAMETER[kind]]
        docs, rows = per_table("grid.documents", documents, _rows), per_table("grid.targets", targets, _rows)
        plans, family_plans, pairs = per_table("grid.indicators", targets, _plans_per_indicator)
        own = [(i, f) for i, f in pairs[rows.of_plan.get(doc, _NONE)] if i is not None]
        elsewhere = [plans[i] > 1 for i, _ in own]
        alone = {f for (_, f), e in zip(own, elsewhere) if not e and f is not None}
        set_elsewhere = pd.DataFrame({"indicator_id": pd.array([i for i, _ in own], dtype="string"), "elsewhere": elsewhere})
        return {"documents rows": docs.digest([doc]), "targets rows": rows.digest([doc]),
                "indicators set elsewhere": _digest(set_elsewhere),
                "family documents": docs.digest({d for f in alone for d in family_plans[f]} - {doc})}
    raise NotebookError(Path(kind), f"unknown grid; use one of {list(GRIDS)}")
