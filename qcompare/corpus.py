"""Processed tables -> a Corpus for JupyterLab: ``qc.load()`` brings the store up to date first.

Reads the Parquet store that ``build`` writes (``data/processed``); writes only through ``build``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qcompare import paths
from qcompare.build import build as build_store, read_tables, stale_plans
from qcompare.errors import SchemaError, StaleError


@dataclass
class Corpus:
    """Every table of a processed corpus, as DataFrames with declared columns."""

    tables: dict[str, pd.DataFrame]
    path: Path
    raw: Path = field(repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"Corpus has no table {name!r}; tables: {', '.join(tables)}")

    def __dir__(self):
        return [*super().__dir__(), *self.tables]

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(df)}" for n, df in self.tables.items())
        return f"Corpus({self.path}: {sizes})"


def load(raw: str | Path | None = None, processed: str | Path | None = None, rebuild: bool = False,
         build: bool = True) -> Corpus:
    """Read the processed tables, first building the plans added or changed since the last build
    (every plan with ``rebuild``), with a one-line message and a progress bar.

    With ``build=False`` stale tables raise StaleError naming the command to run, instead.
    """
    raw = Path(raw or paths.raw_dir())
    processed = Path(processed or paths.processed_dir())
    stale = None if rebuild else stale_plans(raw, processed)
    if stale != []:
        what = "no complete build" if stale is None else f"{len(stale)} plan(s) added, changed or removed since the last build"
        command = f"qcompare build --raw {raw} --out {processed}"
        if not build:
            raise StaleError(processed, f"{what}; run `{command}`, or qc.load() to build them")
        print(f"qcompare: {what} in {processed}: building ({command} does the same)", file=sys.stderr)
        build_store(raw, processed, progress=True, force=rebuild)
    try:
        tables = read_tables(processed)
    except (OSError, ValueError, SchemaError) as exc:  # a damaged part (pyarrow's ArrowInvalid is a ValueError)
        if not build:
            raise StaleError(processed, f"a table file is damaged ({str(exc).splitlines()[0][:80]}); run `qcompare build`") from None
        print(f"qcompare: a table file in {processed} is damaged: building again", file=sys.stderr)
        build_store(raw, processed, progress=True, force=True)
        tables = read_tables(processed)
    return Corpus(tables, processed, raw)
