"""Results computed once per table: kept while the caller still asks about the same DataFrame object."""

from __future__ import annotations

import weakref

import pandas as pd

_KEPT: dict[str, tuple[weakref.ref, object]] = {}  # what -> (the table it was computed from, the result)


def per_table(what: str, table: pd.DataFrame, compute):
    """``compute(table)``, or its result from the last call with this ``what`` on this very table.

    One result is kept per ``what`` (a notebook or a report run works on one corpus), and only
    while the table lives. Callers must not change what they get back.

    >>> t = pd.DataFrame({"x": [1, 2]})
    >>> calls = []
    >>> [per_table("sum", t, lambda df: calls.append(1) or int(df.x.sum())) for _ in range(2)], len(calls)
    ([3, 3], 1)
    """
    kept = _KEPT.get(what)
    if kept and kept[0]() is table:
        return kept[1]
    result = compute(table)
    _KEPT[what] = (weakref.ref(table), result)
    return result
