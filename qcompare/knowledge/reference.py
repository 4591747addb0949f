"""National reference values (``data/national_targets.csv``): targets and reported actuals."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd

from qcompare.schema import NATIONAL
from qcompare.knowledge.taxonomy import taxonomy


@cache
def national() -> pd.DataFrame:
    """One row per national target or actual; every indicator_id must be in the taxonomy."""
    with files("qcompare").joinpath("data/national_targets.csv").open(encoding="utf-8") as f:
        df = NATIONAL.validate(pd.read_csv(f, dtype={"unit": str}))
    unknown = set(df.indicator_id) - set(taxonomy().index)
    if unknown:
        raise ValueError(f"national_targets.csv: indicator(s) {sorted(unknown)} are not in taxonomy.yml")
    return df
