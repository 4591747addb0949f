"""Processed tables -> a Corpus for JupyterLab: ``qc.load()`` builds first when stale."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qcompare import paths
from qcompare.build import build, is_stale
from qcompare.errors import SchemaError
from qcompare.schema import TABLES


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


def load(raw: str | Path | None = None, processed: str | Path | None = None, rebuild: bool = False) -> Corpus:
    """Read the processed tables, building them first if missing, stale or ``rebuild``."""
    raw = Path(raw or paths.raw_dir())
    processed = Path(processed or paths.processed_dir())
    tables = None if rebuild or is_stale(raw, processed) else _read(processed)
    return Corpus(tables if tables is not None else build(raw, processed), processed, raw)


def _read(processed: Path) -> dict[str, pd.DataFrame] | None:
    """The saved tables, or None when a file is damaged, truncated or off its schema (build again)."""
    try:
        return {name: t.validate(pd.read_parquet(processed / f"{name}.parquet")) for name, t in TABLES.items()}
    except (OSError, ValueError, SchemaError):  # pyarrow's ArrowInvalid is a ValueError
        return None
