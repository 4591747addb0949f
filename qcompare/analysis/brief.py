"""Comparison -> a briefing on one indicator: a finding sentence, a compact table, caveats, sources.

Reads ``qc.compare()`` (which reads ``documents``, ``targets``, ``actuals`` and the national references);
writes nothing. The indicator report and ``qcompare brief`` (Word) both print what this
returns, so a notebook, a chart and a Word file say the same thing. Wording comes from
``data/labels.yml``.

    import qcompare as qc
    b = qc.brief("manufacturing_product_pass_rate", lang="en")
    b.finding, b.table, b.caveats
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from qcompare.analysis.compare import axis, compare, on_axis, resolve
from qcompare.corpus import Corpus, load
from qcompare.knowledge.labels import check_lang, kind_name, number, target_label, unit_text, value_label, wording
from qcompare.knowledge.taxonomy import taxonomy


@dataclass
class Briefing:
    """What a briefing on one indicator says; ``table`` has one row per plan, indicator, kind and year."""

    title: str
    finding: str
    table: pd.DataFrame
    caveats: list[str] = field(default_factory=list)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)


    def styled_table(self):
        """The table for HTML: no index, the quote column wrapped and left-aligned."""
        quote = self.table.columns[-1]
        return (self.table.style.hide(axis="index")
                .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
                .set_properties(**{"text-align": "left", "vertical-align": "top"})
                .set_properties(subset=[quote], **{"white-space": "normal", "min-width": "16em"}))

    def _repr_markdown_(self) -> str:
        """The finding, then the caveats as a list: what a notebook shows above and under the chart."""
        return "\n".join([f"**{self.finding}**", "", *[f"- {c}" for c in self.caveats]])


def _name(row, lang: str) -> str:
    en = row.get("jurisdiction_en")
    return en if lang == "en" and isinstance(en, str) and en else row["jurisdiction"]


def _year(year, lang: str) -> str:
    return wording("year", lang, year=int(year)) if pd.notna(year) else wording("year_unstated", lang)


def _ref_text(value, year, lang: str, unit) -> str:
    """A national reference or baseline as the table prints it: value (year); empty for none."""
    if pd.isna(value):
        return ""
    return value_label(value, "=", unit, lang).strip() + wording("paren", lang, x=_year(year, lang))


def _gap_text(gap: float | None, unit, lang: str) -> str:
    """A gap with its sign; a percentage gap in points.

    >>> _gap_text(0.5, "%", "en"), _gap_text(-1, "%", "zh"), _gap_text(None, "%", "en")
    ('+0.5 pp', '−1个百分点', '')
    """
    if gap is None or pd.isna(gap):
        return ""
    sign = "+" if gap > 0 else "−" if gap < 0 else "±"
    unit_part = unit_text("个百分点", lang) if unit == "%" else unit_text(unit, lang)
    return f"{sign}{number(abs(gap))}{unit_part}"


def compact(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The comparison as a briefing table: one row per plan, indicator, kind and year (plans
    with none included), columns jurisdiction, target, kind, year, the plan's baseline (when
    any plan states one), national target, latest national actual, gap to the national
    target, and the plan's quote."""
    lang = check_lang(lang)
    with_baseline = table["baseline_value"].notna().any()
    rows = []
    for r in table.to_dict("records"):
        status = r["status"]
        if status == "value":
            target = target_label(r["value"], r["comparator"], r["unit"], lang, r["value_high"], r["kind"]).strip()
        else:
            target = wording({"qualitative": "qualitative_short", "corrupted": "corrupted", "no target set": "no_target"}[status], lang)
        row = {"jurisdiction": _name(r, lang), "target": target, "kind": kind_name(r["kind"], lang),
               "year": _year(r["target_year"], lang) if status != "no target set" else ""}
        if with_baseline:
            row["baseline"] = _ref_text(r["baseline_value"], r["baseline_year"], lang, r["unit"])
        row.update({
            "national_target": _ref_text(r["national_target"], r["national_target_year"], lang, r["unit"]),
            "national_actual": _ref_text(r["national_actual"], r["national_actual_year"], lang, r["unit"]),
            "gap": _gap_text(r["vs_national_target"], r["unit"], lang),
            "quote": r["quote"] if isinstance(r.get("quote"), str) else "",
        })
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.rename(columns={c: wording(f"col_{c}", lang) for c in out.columns})


def finding(table: pd.DataFrame, lang: str = "zh") -> str:
    """One sentence from the data: who sets the highest number on the comparison's axis (one
    kind and unit, as the chart draws it) and, for a level, how it stands against the national
    target and the latest national actual; who sets a number of another kind or unit; who sets
    none or only a qualitative one."""
    lang = check_lang(lang)
    sep = wording("list_sep", lang)
    parts = []
    on = pd.Series(False, index=table.index)
    if len(table) and table["compared"].notna().any():
        kind, unit = axis(resolve(table["compared"].dropna().iloc[0]), table)
        on = on_axis(table, kind, unit)
    shown = table[on]
    if len(shown):
        top = shown.sort_values("value", ascending=False, kind="stable").iloc[0].to_dict()
        value = target_label(top["value"], top["comparator"], top["unit"], lang, None, top["kind"]).strip()
        if shown["doc_id"].nunique() == 1:
            parts.append(wording("finding_only", lang, who=_name(top, lang), value=value, year=_year(top["target_year"], lang)))
        else:
            parts.append(wording("finding_top", lang, who=_name(top, lang), value=value,
                                 year=_year(top["target_year"], lang), n=shown["doc_id"].nunique()))
        for ref in ("target", "actual"):
            gap = top[f"vs_national_{ref}"]
            if pd.notna(gap):
                text = _ref_text(top[f"national_{ref}"], top[f"national_{ref}_year"], lang, top["unit"])
                parts.append(wording(f"finding_vs_{ref}", lang, gap=_gap_text(gap, top["unit"], lang), ref=text))
    others = [wording("paren_item", lang, who=_name(r, lang),
                      what=target_label(r["value"], r["comparator"], r["unit"], lang, r["value_high"], r["kind"]).strip())
              for r in table[(table["status"] == "value") & ~on].to_dict("records")]
    if others:
        parts.append(wording("finding_other", lang, items=sep.join(others)))
    named = {_name(r, lang) for r in table[table["status"] == "value"].to_dict("records")}
    for status, key in (("qualitative", "finding_qualitative"), ("no target set", "finding_none")):
        names = [_name(r, lang) for r in table[table["status"] == status].to_dict("records")]
        names = list(dict.fromkeys(n for n in names if n not in named))
        if names:
            parts.append(wording(key, lang, who=sep.join(names)))
    return wording("finding_join", lang).join(parts) + wording("finding_end", lang)


def caveats(table: pd.DataFrame, indicator_or_family: str, corpus: Corpus, lang: str = "zh") -> list[str]:
    """What a reader must know before comparing: a family of measures, mixed target years,
    plans' targets not mapped to any indicator."""
    lang = check_lang(lang)
    sel = resolve(indicator_or_family)
    plans = table[table["status"] != "no target set"]
    out = []
    if sel.kind == "family" and plans["indicator_id"].nunique() > 1:
        out.append(wording("family_note", lang))
    years = plans["target_year"].dropna().unique()
    if len(years) > 1 or (len(years) and plans["target_year"].isna().any()):
        out.append(wording("caveat_years", lang, years=wording("list_sep", lang).join(_year(y, lang) for y in sorted(years))))
    docs, units = set(table["doc_id"].dropna()), set(plans["unit"].dropna())
    t = corpus.targets
    unmapped = t[t["doc_id"].isin(docs) & t["indicator_id"].isna() & t["unit"].isin(units)]
    if len(unmapped):
        out.append(wording("caveat_unmapped", lang, n=len(unmapped), units=wording("list_sep", lang).join(sorted(units))))
    return out


def brief(indicator_or_family: str, jurisdictions: str | Iterable[str] | None = None, year: int | None = None,
          lang: str = "zh", corpus: Corpus | None = None) -> Briefing:
    """The briefing on one indicator or family: title, finding, compact table, caveats and the
    sources (one row per plan: jurisdiction, title, 文号, source URL)."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    sel = resolve(indicator_or_family)
    table = compare(indicator_or_family, jurisdictions, year, corpus)
    tax = taxonomy()
    name = tax.at[sel.indicator_ids[0] if sel.kind == "family" else sel.key, "name_zh" if lang == "zh" else "name_en"]
    title = name if sel.kind == "indicator" else wording("family_title", lang, name=name)
    docs = corpus.documents[corpus.documents["doc_id"].isin(set(table["doc_id"].dropna()))]
    sources = docs[["jurisdiction", "jurisdiction_en", "title", "doc_number", "source", "url"]]
    return Briefing(title, finding(table, lang), compact(table, lang), caveats(table, indicator_or_family, corpus, lang),
                    sources.reset_index(drop=True))
