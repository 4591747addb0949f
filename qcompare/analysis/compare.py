"""Targets -> comparisons: one indicator or family across plans, and the coverage matrix.

Reads the ``documents``, ``targets`` and ``actuals`` tables of a corpus, the taxonomy and
``qc.national()``; returns the ``comparison`` table (``schema.COMPARISON``) and the
indicator x plan coverage matrix. Nothing is written.

    import qcompare as qc
    qc.compare("manufacturing_product_pass_rate")      # or a family id, or 制造业产品质量合格率
    qc.coverage()
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from qcompare.corpus import Corpus, load
from qcompare.errors import UnknownNameError
from qcompare.knowledge.indicator_names import normalize, similarity
from qcompare.knowledge.reference import national
from qcompare.schema import ACTUALS, COMPARISON, LEVELS
from qcompare.knowledge.taxonomy import CATEGORIES, map_indicator, taxonomy

NATIONAL_JURISDICTION = ("全国", "China")  # how a source line names the country
RELATED_SIMILARITY = 0.6  # an unmapped phrase this close to a phrasing may be the same measure
_DOC_COLUMNS = ["doc_id", "jurisdiction", "jurisdiction_en", "level", "title", "doc_number"]
_COVERAGE_RANK = {"value": 3, "corrupted": 2, "qualitative": 1}
REPORTS = ("bulletin", "news")  # doc_types that state actuals and set no targets
CHANGES = ("increase_by", "decrease_by")  # comparators of a change, not a level


@dataclass(frozen=True)
class Selection:
    """What a name given to ``compare`` stands for."""

    key: str  # the indicator id or family id it resolved to
    kind: str  # "indicator" or "family"
    family: str
    indicator_ids: tuple[str, ...]


def resolve(name: str) -> Selection:
    """The indicator(s) a name stands for: an indicator id, a family id, a Chinese or English
    name, or a phrasing listed in the taxonomy. An id that is both an indicator and a family
    means the indicator.

    >>> resolve("制造业产品质量合格率").key
    'manufacturing_product_pass_rate'
    >>> resolve("food_safety_pass_rate").indicator_ids
    ('food_drug_supervision_pass_rate', 'food_safety_sampling_pass_rate', 'food_safety_evaluative_pass_rate')
    """
    tax = taxonomy()
    key = str(name).strip()
    by_name = {**dict(zip(tax["name_zh"], tax["id"])), **{n.lower(): i for n, i in zip(tax["name_en"], tax["id"])}}
    indicator = key if key in tax.index else by_name.get(key, by_name.get(key.lower())) or map_indicator(key)[0]
    if indicator is not None:
        return Selection(indicator, "indicator", tax.at[indicator, "family"], (indicator,))
    if key in set(tax["family"]):
        return Selection(key, "family", key, tuple(tax.loc[tax["family"] == key, "id"]))
    choices = list(dict.fromkeys([*tax["id"], *tax["family"], *tax["name_zh"], *tax["name_en"]]))
    matches = difflib.get_close_matches(key, choices, n=5, cutoff=0.5)
    raise UnknownNameError("indicator or family", name, matches, "qc.taxonomy() for ids, families and names")


def target_status(value: float, comparator: str, flags: object) -> str:
    """What a target row holds: ``value``, ``qualitative`` or ``corrupted``.

    >>> target_status(94.5, ">=", None)
    'value'
    >>> target_status(float("nan"), "qualitative", None)
    'qualitative'
    >>> target_status(float("nan"), "=", "corrupted")
    'corrupted'
    """
    if isinstance(flags, str) and "corrupted" in flags.split(";"):
        return "corrupted"
    if pd.notna(value):
        return "value"
    return "qualitative" if comparator == "qualitative" else "corrupted"


def split_source(source: str) -> tuple[str, str]:
    """A national source ``publisher and document: sentence`` -> (document, sentence).

    >>> split_source("国家市场监督管理总局: 2024年全国制造业产品质量合格率93.93%")
    ('国家市场监督管理总局', '2024年全国制造业产品质量合格率93.93%')
    >>> split_source("国家统计局")
    ('国家统计局', '国家统计局')
    """
    document, sep, sentence = source.partition(": ")
    return (document.strip(), sentence.strip()) if sep else (source, source)


def ordered_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Plans in reading order for a comparison: higher level first, then by id."""
    rank = documents["level"].map({lvl: i for i, lvl in enumerate(LEVELS)})
    return documents.assign(_rank=rank).sort_values(["_rank", "doc_id"], kind="stable").drop(columns="_rank")


def select_documents(documents: pd.DataFrame, jurisdictions: str | Iterable[str] | None) -> pd.DataFrame:
    """The plans named by doc_id, Chinese or English jurisdiction name (all when None)."""
    if jurisdictions is None:
        return ordered_documents(documents)
    names = [jurisdictions] if isinstance(jurisdictions, str) else list(jurisdictions)
    keys = {
        **{str(v).lower(): v for v in documents["jurisdiction_en"].dropna()},
        **{v: v for v in documents["jurisdiction"]},
        **{v: v for v in documents["doc_id"]},
    }
    keep = pd.Series(False, index=documents.index)
    for name in names:
        hit = keys.get(str(name)) or keys.get(str(name).lower())
        if hit is None:
            matches = difflib.get_close_matches(str(name), list(keys.values()), n=5, cutoff=0.5)
            raise UnknownNameError("jurisdiction", name, matches, "corpus.documents (doc_id, jurisdiction, jurisdiction_en)")
        keep |= documents[["doc_id", "jurisdiction", "jurisdiction_en"]].eq(hit).any(axis=1)
    return ordered_documents(documents[keep])


def _plan_rows(sel: Selection, docs: pd.DataFrame, targets: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """One row per plan, indicator, kind and target year (the strongest: a value, else a damaged
    number, else a qualitative level; then the first), and a 'no target set' row per plan with none."""
    tax = taxonomy()
    rows = targets[targets["indicator_id"].isin(sel.indicator_ids) & targets["doc_id"].isin(docs["doc_id"])]
    if year is not None:
        rows = rows[rows["target_year"] == year]
    rows = rows.merge(docs[_DOC_COLUMNS], on="doc_id", how="left")
    rows["status"] = [target_status(v, c, f) for v, c, f in zip(rows["value"], rows["comparator"], rows["flags"])]
    rows = (rows.assign(_rank=-rows["status"].map(_COVERAGE_RANK))
            .sort_values(["_rank", "target_id"], kind="stable")
            .drop_duplicates(["doc_id", "indicator_id", "kind", "target_year"])
            .drop(columns="_rank"))
    rows["compared"], rows["family"] = sel.key, sel.family
    rows["name_zh"] = rows["indicator_id"].map(tax["name_zh"])
    rows["name_en"] = rows["indicator_id"].map(tax["name_en"])
    none = docs[~docs["doc_id"].isin(rows["doc_id"])][_DOC_COLUMNS].assign(status="no target set", compared=sel.key,
                                                                          family=sel.family)
    if sel.kind == "indicator":
        none = none.assign(indicator_id=sel.key, name_zh=tax.at[sel.key, "name_zh"], name_en=tax.at[sel.key, "name_en"])
    both = pd.concat([rows, none], ignore_index=True)
    order = {d: i for i, d in enumerate(docs["doc_id"])}
    return both.sort_values(["doc_id", "target_id"], key=lambda s: s.map(order) if s.name == "doc_id" else s, kind="stable")


def national_references(indicator_or_family: str, year: int | None = None) -> pd.DataFrame:
    """The national targets and actuals (``qc.national()``) of an indicator or family; with
    ``year``, the targets for that year and every actual."""
    nat = national()
    nat = nat[nat["indicator_id"].isin(resolve(indicator_or_family).indicator_ids)]
    if year is not None:
        nat = nat[(nat["reference"] == "actual") | (nat["year"] == year)]
    return nat.sort_values(["indicator_id", "reference", "year"], ascending=[True, False, True], kind="stable")


def _same_unit(a, b) -> bool:
    return (a if pd.notna(a) else "") == (b if pd.notna(b) else "")


def national_reference(nat: pd.DataFrame, indicator_id: str, unit, reference: str, year=None) -> tuple[float, int] | None:
    """(value, year) of the national target for ``year`` (else the latest target), or of the
    latest national actual (``reference="actual"``), in ``unit``; None when there is none.

    >>> nat = pd.DataFrame({"indicator_id": ["x"] * 3, "reference": ["target", "target", "actual"],
    ...                     "year": [2025, 2035, 2024], "value": [94.0, 95.0, 93.93], "unit": ["%"] * 3})
    >>> national_reference(nat, "x", "%", "target", 2025), national_reference(nat, "x", "%", "target", 2030)
    ((94.0, 2025), (95.0, 2035))
    >>> national_reference(nat, "x", "%", "actual"), national_reference(nat, "x", "个", "actual")
    ((93.93, 2024), None)
    """
    rows = nat[nat["reference"] == reference]
    if reference == "target" and year is not None and pd.notna(year):
        same = latest_actual(rows[rows["year"] == year], indicator_id, unit)
        if same:
            return same
    return latest_actual(rows, indicator_id, unit)


def latest_actual(actuals: pd.DataFrame, indicator_id: str, unit, before: int | None = None) -> tuple[float, int] | None:
    """(value, year) of the latest dated level of an indicator in ``actuals`` (same unit, no change), or None.

    ``actuals`` (or the national references) has ``indicator_id``, ``value``, ``unit``, ``year``
    and optionally ``flags`` columns; ``before`` keeps years up to it (a target's year).

    >>> a = pd.DataFrame({"indicator_id": ["x", "x", "x"], "value": [90.2, 92.5, 3.0], "unit": ["%", "%", "%"],
    ...                   "year": [2016, 2020, 2021], "flags": [None, None, "change"]})
    >>> latest_actual(a, "x", "%"), latest_actual(a, "x", "个"), latest_actual(a, "x", "%", before=2018)
    ((92.5, 2020), None, (90.2, 2016))
    """
    flags = actuals["flags"].fillna("") if "flags" in actuals else pd.Series("", index=actuals.index)
    rows = actuals[(actuals["indicator_id"] == indicator_id) & actuals["value"].notna() & actuals["year"].notna()
                   & ~flags.str.contains("change|corrupted")
                   & actuals["unit"].map(lambda u: _same_unit(u, unit)).astype(bool)]
    if before is not None and pd.notna(before):
        rows = rows[rows["year"] <= before]
    if rows.empty:
        return None
    last = rows.sort_values("year", kind="stable").iloc[-1]
    return float(last["value"]), int(last["year"])


def is_level_value(status: str, kind, comparator) -> bool:
    """True for a row that sits on a level axis beside national references and baselines: a
    number of kind ``level`` that is not a change."""
    return status == "value" and kind == "level" and comparator not in CHANGES


def _with_references(plans: pd.DataFrame, documents: pd.DataFrame, actuals: pd.DataFrame, nat: pd.DataFrame) -> pd.DataFrame:
    """Each level row with the national target for its year, the latest national actual, its
    stated baseline (the plan's own actuals, or a bulletin of its jurisdiction) and the
    differences; other rows get none (a count of new things has no national level to meet)."""
    where = documents.set_index("doc_id")["jurisdiction"]
    reports = documents[documents["doc_type"].isin(REPORTS)]
    found = []
    for row in plans.itertuples(index=False):
        if not is_level_value(row.status, row.kind, row.comparator):
            found.append((None,) * 6)
            continue
        sources = {row.doc_id, *reports.loc[reports["jurisdiction"] == where.get(row.doc_id), "doc_id"]}
        target = national_reference(nat, row.indicator_id, row.unit, "target", row.target_year)
        country = national_reference(nat, row.indicator_id, row.unit, "actual")
        base = latest_actual(actuals[actuals["doc_id"].isin(sources)], row.indicator_id, row.unit, row.target_year)
        found.append((*(target or (None, None)), *(country or (None, None)), *(base or (None, None))))
    names = ("national_target", "national_target_year", "national_actual", "national_actual_year",
             "baseline_value", "baseline_year")
    out = plans.assign(**{n: pd.array([f[i] for f in found], dtype="Int64" if n.endswith("year") else "Float64")
                          for i, n in enumerate(names)})
    out["vs_national_target"] = (out["value"] - out["national_target"]).round(6)
    out["vs_national_actual"] = (out["value"] - out["national_actual"]).round(6)
    out["to_go"] = (out["value"] - out["baseline_value"]).round(6)
    return out


def compare(
    indicator_or_family: str,
    jurisdictions: str | Iterable[str] | None = None,
    year: int | None = None,
    corpus: Corpus | None = None,
) -> pd.DataFrame:
    """One indicator or family across plans (``schema.COMPARISON``): one row per plan, indicator,
    kind and target year, with the national target, the latest national actual and the plan's
    stated baseline as columns, and the gaps to each.

    A plan that sets no target for it gets one row with status ``no target set`` and no
    value (never zero); qualitative and damaged targets keep their status. References and
    baselines are given to levels only (kind ``level``, not a change), in the target's unit:
    a count of new things or a change has no national level to meet. The baseline is the
    latest actual that the plan, or a bulletin of its jurisdiction, states up to the target
    year. ``jurisdictions`` takes doc_ids or jurisdiction names; ``year`` keeps targets for
    that year. Raises ``UnknownNameError`` listing close matches.
    """
    sel = resolve(indicator_or_family)
    corpus = corpus if corpus is not None else load()
    docs = select_documents(corpus.documents, jurisdictions)
    docs = docs[~docs["doc_type"].isin(REPORTS)]  # bulletins and news set no targets: they give baselines
    actuals = corpus.tables.get("actuals", ACTUALS.empty())
    rows = _with_references(_plan_rows(sel, docs, corpus.targets, year), corpus.documents, actuals, national())
    for col in COMPARISON.names:
        if col not in rows:
            rows[col] = pd.NA
    return COMPARISON.validate(rows.reset_index(drop=True))


def unit_key(unit: object) -> str:
    return unit if isinstance(unit, str) else ""


def axis_kind(rows: pd.DataFrame, prefer_unit: str = "") -> tuple[str, str]:
    """(kind, unit) of the chart's one value axis: levels when any plan sets one, else the most
    common kind; then the unit most of those values share (``prefer_unit``, the measure's own,
    on a tie). Every other number is a text row.

    >>> t = pd.DataFrame({"status": ["value"] * 4, "kind": ["added", "level", "level", "level"],
    ...                   "comparator": ["=", ">=", ">=", ">="], "unit": ["项", "%", "%", "个"]})
    >>> axis_kind(t), axis_kind(t.iloc[[0, 1, 3]]), axis_kind(t.iloc[[0, 1, 3]], prefer_unit="个")
    (('level', '%'), ('level', '%'), ('level', '个'))
    """
    values = rows[(rows["status"] == "value") & ~rows["comparator"].isin(CHANGES)]
    if values.empty:
        return "level", ""
    kinds = values["kind"].value_counts()
    kind = "level" if "level" in kinds else kinds.index[0]
    units = Counter(values.loc[values["kind"] == kind, "unit"].map(unit_key)).most_common()
    tied = [u for u, n in units if n == units[0][1]]
    return kind, prefer_unit if prefer_unit in tied else tied[0]


def on_axis(rows: pd.DataFrame, kind: str, unit: str) -> pd.Series:
    """The rows drawn as points on the axis: numbers of ``kind`` in ``unit``, not changes."""
    return ((rows["status"] == "value") & ~rows["comparator"].isin(CHANGES) & (rows["kind"] == kind)
            & (rows["unit"].map(unit_key) == unit))


def title_indicator(sel, set_rows: pd.DataFrame) -> str:
    """The indicator a family chart is titled after: the family's first (taxonomy order) that a plan sets."""
    present = [i for i in taxonomy().index if i in set(set_rows["indicator_id"])]
    return (present or list(sel.indicator_ids))[0]


def axis(sel: Selection, table: pd.DataFrame) -> tuple[str, str]:
    """(kind, unit) of a comparison's one value axis (``axis_kind``), a tie going to the unit of
    the measure it is titled after; that unit when no number fits."""
    set_rows = table[table["status"] != "no target set"]
    named = sel.key if sel.kind == "indicator" else title_indicator(sel, set_rows)
    own_unit = unit_key(taxonomy().at[named, "unit"])
    kind, unit = axis_kind(set_rows, own_unit)
    return (kind, unit) if len(set_rows[on_axis(set_rows, kind, unit)]) else (kind, own_unit)


def coverage(corpus: Corpus | None = None) -> pd.DataFrame:
    """Indicator x plan matrix of ``value``, ``qualitative``, ``corrupted`` or ``absent``.

    One row per mapped indicator that at least one plan sets (index ``indicator_id``,
    ordered by taxonomy category, then as the taxonomy lists them); one column per plan
    (``doc_id``, province plans first; bulletins and news left out). A plan with several targets for an indicator
    shows the strongest: a value, else a damaged number, else a qualitative level.
    """
    corpus = corpus if corpus is not None else load()
    tax = taxonomy()
    docs = ordered_documents(corpus.documents)
    docs = docs[~docs["doc_type"].isin(REPORTS)]  # bulletins and news set no targets
    t = corpus.targets[corpus.targets["indicator_id"].notna()]
    status = [target_status(v, c, f) for v, c, f in zip(t["value"], t["comparator"], t["flags"])]
    cells = (
        t.assign(rank=[_COVERAGE_RANK[s] for s in status])
        .groupby(["indicator_id", "doc_id"])["rank"]
        .max()
        .unstack()
        .reindex(columns=docs["doc_id"])
    )
    category_rank = tax["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    order = sorted(cells.index, key=lambda i: (category_rank[i], tax.index.get_loc(i)))
    names = {r: s for s, r in _COVERAGE_RANK.items()}
    matrix = cells.loc[order].apply(lambda col: col.map(names)).fillna("absent").astype(str)
    matrix.index.name, matrix.columns.name = "indicator_id", "doc_id"
    return matrix


def related_unmapped(targets: pd.DataFrame, indicator_ids: Iterable[str]) -> pd.Series:
    """Per plan, how many of its unmapped targets may be one of ``indicator_ids``: the phrase
    (normalized) contains one of their phrasings or names, or is close to one (character-bigram
    similarity >= ``RELATED_SIMILARITY``). Index ``doc_id``; plans with none are left out.

    A figure says so instead of a bare "no target set": the plan may set one the taxonomy
    does not list yet (``qcompare indicators --suggest``).
    """
    tax = taxonomy()
    terms = {t for i in indicator_ids for t in [tax.at[i, "name_zh"], *tax.at[i, "phrasings"]]}
    rows = targets[targets["indicator_id"].isna()]

    def related(raw: str) -> bool:
        phrase = normalize(raw)
        return any(t in phrase or similarity(phrase, t) >= RELATED_SIMILARITY for t in terms)

    hits = rows[rows["indicator_raw"].map(related).astype(bool)]
    return hits.groupby("doc_id").size().rename("unmapped")
