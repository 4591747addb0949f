"""Targets (and actuals) vs a hand-made gold annotation: precision, recall and F1 per plan.

A predicted target matches a gold one when they share the plan, value, unit and
comparator and their indicator phrases overlap (one holds four or more characters of
the other, or the whole of a shorter one). Quantitative targets (with a value) are
scored; qualitative ones are scored apart, and corrupted rows are left out, since
they claim no value. When the gold has a ``kind`` column, matched targets are also
checked for the same kind (level, added, annual, change, cumulative).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd

from qcompare.errors import KnowledgeError
from qcompare.knowledge.taxonomy import phrase_key

GOLD_COLUMNS = ["doc_id", "indicator_raw", "value", "value_high", "unit", "comparator", "target_year", "quote"]


def phrases_overlap(a: str, b: str) -> bool:
    """True when two indicator phrases name overlapping things.

    >>> phrases_overlap("主导和参与制定国家标准", "国家标准"), phrases_overlap("团体标准", "地方标准")
    (True, False)
    """
    a, b = phrase_key(a), phrase_key(b)
    if not a or not b:
        return False
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= min(4, len(a), len(b))


def read_gold(path: str | Path) -> pd.DataFrame:
    """The gold annotation: one row per target a plan states; KnowledgeError names the file and row."""
    try:
        gold = pd.read_csv(path, dtype={"doc_id": str, "indicator_raw": str, "unit": str, "comparator": str, "quote": str})
    except FileNotFoundError:
        raise KnowledgeError(path, None, "the gold file does not exist; give --gold a CSV such as tests/fixtures/gold_targets.csv") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise KnowledgeError(path, None, f"not a readable CSV ({str(exc).splitlines()[0][:120]})") from None
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise KnowledgeError(path, None, f"lacks column(s) {', '.join(missing)} (needed: {', '.join(GOLD_COLUMNS)})")
    for column in ("value", "value_high", "target_year"):
        bad = gold[column].notna() & pd.to_numeric(gold[column], errors="coerce").isna()
        if bad.any():
            row = bad.idxmax()
            raise KnowledgeError(path, f"row {row + 2}", f"{column} {str(gold.at[row, column])[:40]!r} is not a number")
        gold[column] = pd.to_numeric(gold[column])
    return gold


def _key(row) -> tuple:
    value = None if pd.isna(row.value) else round(float(row.value), 6)
    unit = "" if pd.isna(row.unit) else str(row.unit)
    return (row.doc_id, value, unit, row.comparator)


def match(gold: pd.DataFrame, predicted: pd.DataFrame) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy one-to-one matching; returns (pairs, unmatched gold index, unmatched predicted index)."""
    by_key: dict[tuple, list] = {}
    for idx, row in predicted.iterrows():
        by_key.setdefault(_key(row), []).append((idx, row.indicator_raw))
    pairs, misses = [], []
    used: set[int] = set()
    for gidx, grow in gold.iterrows():
        candidates = [i for i, ind in by_key.get(_key(grow), []) if i not in used and phrases_overlap(ind, grow.indicator_raw)]
        if candidates:
            used.add(candidates[0])
            pairs.append((gidx, candidates[0]))
        else:
            misses.append(gidx)
    false_hits = [i for i in predicted.index if i not in used]
    return pairs, misses, false_hits


@dataclass
class Evaluation:
    scores: pd.DataFrame  # one row per plan, plus "overall": tp, fp, fn, precision, recall, f1
    misses: pd.DataFrame  # gold targets not found
    false_hits: pd.DataFrame  # predicted targets not in the gold
    qualitative: pd.DataFrame  # the same scores for qualitative targets
    year_mismatches: pd.DataFrame  # matched targets whose target_year differs from the gold's
    matched: int  # matched quantitative targets
    kind_mismatches: pd.DataFrame | None = None  # matched targets of another kind; None without a gold kind

    @property
    def f1(self) -> float:
        return float(self.scores.loc["overall", "f1"])


def _year(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _disagreements(gold: pd.DataFrame, predicted: pd.DataFrame, pairs, column: str, gold_name: str, read) -> pd.DataFrame:
    """Matched pairs whose ``column`` differs: one row per pair, gold value beside the predicted."""
    return pd.DataFrame(
        [
            {"doc_id": gold.at[g, "doc_id"], "indicator_raw": gold.at[g, "indicator_raw"],
             gold_name: read(gold.at[g, column]), column: read(predicted.at[p, column])}
            for g, p in pairs
            if read(gold.at[g, column]) != read(predicted.at[p, column])
        ],
        columns=["doc_id", "indicator_raw", gold_name, column],
    )


def _kind(value) -> str | None:
    return None if pd.isna(value) else str(value)


def _scores(gold: pd.DataFrame, predicted: pd.DataFrame):
    pairs, misses, false_hits = match(gold, predicted)
    years = _disagreements(gold, predicted, pairs, "target_year", "gold_year", _year)
    kinds = (_disagreements(gold, predicted, pairs, "kind", "gold_kind", _kind)
             if "kind" in gold.columns and "kind" in predicted.columns else None)
    docs = sorted(set(gold.doc_id) | set(predicted.doc_id))
    tp = pd.Series([gold.loc[g, "doc_id"] for g, _ in pairs], dtype=object).value_counts()
    fn = gold.loc[misses, "doc_id"].value_counts()
    fp = predicted.loc[false_hits, "doc_id"].value_counts()
    table = pd.DataFrame({"tp": tp, "fp": fp, "fn": fn}).reindex(docs).fillna(0).astype(int)
    table.loc["overall"] = table.sum()
    table["precision"] = (table.tp / (table.tp + table.fp)).fillna(0).round(3)
    table["recall"] = (table.tp / (table.tp + table.fn)).fillna(0).round(3)
    table["f1"] = (2 * table.precision * table.recall / (table.precision + table.recall)).fillna(0).round(3)
    return table, gold.loc[misses], predicted.loc[false_hits], years, kinds


def evaluate(gold: pd.DataFrame, targets: pd.DataFrame) -> Evaluation:
    """Score ``targets`` against ``gold`` on the plans the gold covers."""
    predicted = targets[targets.doc_id.isin(set(gold.doc_id))]
    predicted = predicted[~predicted["flags"].fillna("").str.contains("corrupted")]
    is_q_gold, is_q_pred = gold.comparator.eq("qualitative"), predicted.comparator.eq("qualitative")
    scores, misses, false_hits, years, kinds = _scores(gold[~is_q_gold], predicted[~is_q_pred])
    qualitative = _scores(gold[is_q_gold], predicted[is_q_pred])[0]
    return Evaluation(scores, misses, false_hits, qualitative, years, int(scores.loc["overall", "tp"]), kinds)


ACTUALS_GOLD_COLUMNS = ["doc_id", "indicator_raw", "value", "unit", "year", "quote"]


def read_actuals_gold(path: str | Path) -> pd.DataFrame:
    """An actuals gold CSV (``ACTUALS_GOLD_COLUMNS``): one row per past or current value a text states."""
    gold = pd.read_csv(path, dtype={"doc_id": str, "indicator_raw": str, "unit": str, "quote": str})
    missing = [c for c in ACTUALS_GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise KnowledgeError(path, None, f"actuals gold file lacks column(s) {missing}; columns: {', '.join(ACTUALS_GOLD_COLUMNS)}")
    return gold


def evaluate_actuals(gold: pd.DataFrame, actuals: pd.DataFrame) -> Evaluation:
    """Score ``actuals`` against ``gold`` on the documents the gold covers.

    A match is the same document, value and unit with overlapping indicator phrases, as
    for targets; the year is reported apart (``year_mismatches``). ``qualitative`` is empty.
    """
    predicted = actuals[actuals.doc_id.isin(set(gold.doc_id)) & actuals["value"].notna()]
    as_targets = lambda df: df.assign(comparator="=", target_year=df["year"])  # noqa: E731
    scores, misses, false_hits, years, _ = _scores(as_targets(gold), as_targets(predicted))
    years = years.rename(columns={"target_year": "year"})
    return Evaluation(scores, misses, false_hits, scores.iloc[0:0], years, int(scores.loc["overall", "tp"]))
