"""Targets -> one plan's profile, and target counts per category across plans.

Reads the ``documents`` and ``targets`` tables of a corpus and the taxonomy; returns tables
for the notebooks (nothing is written):

    from qcompare.analysis.profile import profile, category_counts
    p = profile("jincheng-2023")      # p.document, p.targets, p.horizons, p.distinctive
    category_counts()                 # category x plan
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from qcompare.analysis.compare import ordered_documents
from qcompare.corpus import Corpus, load
from qcompare.errors import UnknownNameError
from qcompare.knowledge.labels import labels, target_label, wording
from qcompare.knowledge.taxonomy import CATEGORIES, taxonomy

UNMAPPED = "unmapped"
DOCUMENT_FIELDS = ("jurisdiction", "jurisdiction_en", "level", "province", "issued", "issued_year", "title",
                   "doc_number", "source", "inferred")
TARGET_COLUMNS = ["target", "kind", "target_year", "aspirational", "indicator_raw", "indicator_id", "quote"]
DISTINCTIVE_COLUMNS = ["target", "target_year", "indicator_id", "family", "family_also_in"]


@dataclass
class Profile:
    """One plan: its metadata and its targets, cut three ways."""

    doc_id: str
    document: pd.DataFrame  # one row per metadata field (index: field)
    targets: pd.DataFrame  # one row per target (index: category, indicator), in category order
    horizons: pd.DataFrame  # one row per target year
    distinctive: pd.DataFrame  # one row per target for an indicator no other plan sets

    def styled(self, part: str):
        """``targets``, ``horizons`` or ``distinctive`` for a report: its index as columns (a
        plan may set one indicator twice), no row numbers, text left-aligned and on top."""
        table = getattr(self, part)
        table = table if isinstance(table.index, pd.RangeIndex) else table.reset_index()
        return table.style.hide(axis="index").set_properties(**{"text-align": "left", "vertical-align": "top"})


def plan_labels(documents: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """Jurisdiction name per doc_id in ``lang``; the doc_id is added where a name repeats.

    >>> docs = pd.DataFrame({"doc_id": ["a-2021", "a-2024", "b"], "jurisdiction": ["九江市", "九江市", "宜春市"],
    ...                      "jurisdiction_en": ["Jiujiang", "Jiujiang", None]})
    >>> plan_labels(docs, "en").tolist()
    ['Jiujiang (a-2021)', 'Jiujiang (a-2024)', '宜春市']
    """
    names = documents["jurisdiction"]
    if lang == "en":
        names = documents["jurisdiction_en"].fillna(names)
    names = pd.Series(names.to_numpy(), index=documents["doc_id"].to_numpy(), dtype=object)
    repeated = names.duplicated(keep=False)
    names[repeated] = [f"{n} ({d})" for n, d in zip(names[repeated], names.index[repeated])]
    return names


def with_categories(targets: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Targets with ``category`` and ``indicator`` (taxonomy name in ``lang``, else the plan's
    own phrase); unmapped targets get category ``unmapped``, never dropped."""
    tax = taxonomy()
    mapped = targets["indicator_id"].where(targets["indicator_id"].isin(tax.index))
    name = mapped.map(tax[f"name_{lang}"]).fillna(targets["indicator_raw"])
    category = mapped.map(tax["category"]).fillna(UNMAPPED)
    return targets.assign(category=category, indicator=name)


def category_order(categories: pd.Series) -> pd.Series:
    return categories.map({c: i for i, c in enumerate((*CATEGORIES, UNMAPPED))})


def category_counts(corpus: Corpus | None = None, lang: str = "zh") -> pd.DataFrame:
    """Targets per category and plan: one row per category (taxonomy order, ``unmapped``
    last; named in ``lang``), one column per plan (province plans first), counts as integers."""
    corpus = corpus if corpus is not None else load()
    docs = ordered_documents(corpus.documents)
    labels = plan_labels(docs, lang)
    t = with_categories(corpus.targets, lang)
    counts = pd.crosstab(t["category"], t["doc_id"]).reindex(columns=docs["doc_id"], fill_value=0)
    counts = counts.loc[counts.index.to_series().pipe(category_order).sort_values().index]
    counts.columns = [labels[d] for d in counts.columns]
    counts.index = [category_label(c, lang) for c in counts.index]
    counts.index.name, counts.columns.name = wording("category", lang), None
    return counts


def category_label(category: str, lang: str) -> str:
    """A taxonomy category (or ``unmapped``) as a heading in ``lang`` (labels.yml).

    >>> category_label("product", "zh"), category_label(UNMAPPED, "en")
    ('产品质量', 'not mapped')
    """
    return wording("unmapped", lang) if category == UNMAPPED else labels()["categories"][category][lang]


def _document(corpus: Corpus, doc_id: str) -> pd.Series:
    docs = corpus.documents.set_index("doc_id", drop=False)
    if doc_id not in docs.index:
        matches = difflib.get_close_matches(str(doc_id), list(docs.index), n=5, cutoff=0.5)
        raise UnknownNameError("plan", doc_id, matches, "corpus.documents.doc_id (data/raw/<doc_id>.txt)")
    return docs.loc[doc_id]


def horizons(targets: pd.DataFrame) -> pd.DataFrame:
    """One row per target year (``none stated`` last): targets, with a value, qualitative.

    >>> t = pd.DataFrame({"target_year": pd.array([2025, 2025, None], dtype="Int64"),
    ...                   "value": [94.0, None, 3.0], "comparator": [">=", "qualitative", "="]})
    >>> horizons(t).to_dict("records")
    [{'target_year': '2025', 'targets': 2, 'with_value': 1, 'qualitative': 1}, {'target_year': 'none stated', 'targets': 1, 'with_value': 1, 'qualitative': 0}]
    """
    year = targets["target_year"].astype("Int64")
    t = pd.DataFrame({
        "order": year.fillna(10**6).astype(int),
        "target_year": ["none stated" if pd.isna(y) else str(y) for y in year],
        "with_value": targets["value"].notna().astype(int),
        "qualitative": (targets["comparator"] == "qualitative").astype(int),
    })
    out = t.groupby(["order", "target_year"]).agg(targets=("with_value", "size"), with_value=("with_value", "sum"),
                                                  qualitative=("qualitative", "sum"))
    return out.reset_index().drop(columns="order").astype({"targets": int, "with_value": int, "qualitative": int})


def target_text(targets: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """Each target as a plan states it (``≥ 94.5%``, ``新增20家``, ``3–5%``); a qualitative
    target and a damaged number say so instead of showing a number."""

    def one(row) -> str:
        if row.comparator == "qualitative":
            return wording("profile_qualitative", lang)
        if pd.isna(row.value):
            return wording("damaged_short", lang)
        high = row.value_high if pd.notna(row.value_high) else None
        return target_label(row.value, row.comparator, row.unit, lang, high, row.kind)

    return pd.Series([one(r) for r in targets.itertuples(index=False)], index=targets.index, dtype=object)


def _shown(df: pd.DataFrame) -> pd.DataFrame:
    """Empty cells blank rather than NaN/<NA>, years without a decimal point."""
    return df.astype(object).where(df.notna(), "")


def profile(doc_id: str, corpus: Corpus | None = None, lang: str = "zh") -> Profile:
    """The profile of plan ``doc_id``; raises ``UnknownNameError`` with close matches.

    ``targets`` and ``distinctive`` are for reading: indexed by category and indicator, the
    target written out (``target``), empty cells blank; the numbers are in ``corpus.targets``.
    """
    corpus = corpus if corpus is not None else load()
    doc = _document(corpus, doc_id)
    document = _shown(pd.DataFrame({"value": [doc.get(f) for f in DOCUMENT_FIELDS]}, index=pd.Index(DOCUMENT_FIELDS, name="field")))
    everyone = with_categories(corpus.targets, lang)
    own = everyone[everyone["doc_id"] == doc_id]
    own = own.assign(_order=category_order(own["category"]), target=target_text(own, lang))
    own = own.sort_values(["_order", "target_id"], kind="stable")
    named = own.assign(category=[category_label(c, lang) for c in own["category"]])
    targets = _shown(named.set_index(["category", "indicator"])[TARGET_COLUMNS])

    others = everyone[everyone["doc_id"] != doc_id]
    labels = plan_labels(corpus.documents, lang)
    unique = own[own["indicator_id"].notna() & ~own["indicator_id"].isin(others["indicator_id"])]
    family_plans = others.dropna(subset=["family"]).groupby("family")["doc_id"].agg(lambda d: sorted(set(d)))
    also = unique["family"].map(lambda f: ", ".join(labels[d] for d in family_plans.get(f, [])))
    unique = unique.assign(family_also_in=also, category=[category_label(c, lang) for c in unique["category"]])
    distinctive = _shown(unique.set_index(["category", "indicator"])[DISTINCTIVE_COLUMNS])
    return Profile(doc_id, document, targets, horizons(own), distinctive)
