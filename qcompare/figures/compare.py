"""Comparisons -> the briefing chart of one indicator or family across plans (``qc.plot.compare``).

Reads ``qc.compare()`` with the corpus's ``documents``; every title, unit, name and source
line comes from the taxonomy, the plan sidecars, the national reference file or
``data/labels.yml``, never from a string typed where the figure is made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from qcompare.analysis.compare import compare as compare_table
from qcompare.analysis.compare import ordered_documents, related_unmapped, resolve
from qcompare.corpus import Corpus, load
from qcompare.figures.page import (FAINT, INK, MUTED, OKABE_ITO, WIDTH_IN, footer, header, header_height, header_lines,
                                   house_style, jurisdiction_label, legend, new_figure, plain, source_block, source_lines,
                                   width_in, wrap)
from qcompare.knowledge.labels import check_lang, labels, number, unit_text, value_label, wording
from qcompare.knowledge.taxonomy import taxonomy

LEVEL_STYLE = {  # level -> (marker, colour)
    "province": ("s", OKABE_ITO["vermillion"]),
    "city": ("o", OKABE_ITO["blue"]),
    "county": ("^", OKABE_ITO["green"]),
    "national": ("D", OKABE_ITO["purple"]),
}
CHANGES = ("increase_by", "decrease_by")


@dataclass
class _Row:
    kind: str  # "point", "text" or "header"
    y: float = 0.0
    label: str = ""
    text: str = ""
    style: str = ""  # text rows: "qualitative", "none", "corrupted", "other"
    value: float | None = None
    value_high: float | None = None
    level: str = "city"
    aspirational: bool = False
    indicator_id: str | None = None


def _unit_key(unit: object) -> str:
    return unit if isinstance(unit, str) else ""


def _plotted(rows: pd.DataFrame, unit: str) -> pd.Series:
    return (rows["status"] == "value") & ~rows["comparator"].isin(CHANGES) & (rows["unit"].map(_unit_key) == unit)


def _year_text(year: object, lang: str) -> str:
    return wording("year", lang, year=int(year)) if pd.notna(year) else wording("year_unstated", lang)


def _compare_rows(table: pd.DataFrame, docs: pd.DataFrame, sel, lang: str, unit: str,
                  unmapped: pd.Series | None = None) -> list[_Row]:
    """The chart's rows, top to bottom: per indicator, points by value, then text rows; plans
    that set no target last."""
    tax = taxonomy()
    plans = table[~table["status"].str.startswith("national")]
    set_rows = plans[plans["status"] != "no target set"]
    show_year = set_rows["target_year"].astype("object").where(set_rows["target_year"].notna(), None).nunique(dropna=False) > 1
    indicators = [i for i in tax.index if i in set(set_rows["indicator_id"])]
    headers = sel.kind == "family" and len(indicators) > 1
    doc_by_id = docs.set_index("doc_id", drop=False)
    out: list[_Row] = []
    for indicator in indicators:
        group = set_rows[set_rows["indicator_id"] == indicator]
        if headers:
            out.append(_Row("header", text=tax.at[indicator, "name_zh" if lang == "zh" else "name_en"], indicator_id=indicator))
        plotted = _plotted(group, unit)
        rank = {"qualitative": 1, "corrupted": 2}
        ordered = pd.concat([
            group[plotted].sort_values("value", ascending=False, kind="stable"),
            group[~plotted].sort_values("status", key=lambda s: s.map(rank).fillna(3), kind="stable"),
        ])
        labels_seen = Counter(jurisdiction_label(doc_by_id.loc[d], lang) for d in ordered["doc_id"])
        for r, is_point in zip(ordered.to_dict("records"), plotted.loc[ordered.index]):
            label = jurisdiction_label(doc_by_id.loc[r["doc_id"]], lang)
            if labels_seen[label] > 1:
                label += wording("paren", lang, x=_year_text(r["target_year"], lang))
            year = wording("paren", lang, x=_year_text(r["target_year"], lang)) if show_year else ""
            common = dict(label=label, level=r["level"], aspirational=bool(r["aspirational"]), indicator_id=indicator)
            if is_point:
                high = r["value_high"] if pd.notna(r["value_high"]) else None
                text = value_label(r["value"], r["comparator"], r["unit"], lang, high) + year
                out.append(_Row("point", text=text, value=r["value"], value_high=high, **common))
            elif r["status"] == "qualitative":
                quote = str(r["quote"])
                quote = quote if len(quote) <= 30 else quote[:29] + "…"
                out.append(_Row("text", text=f"{wording('qualitative', lang)} “{quote}”{year}", style="qualitative", **common))
            elif r["status"] == "corrupted":
                out.append(_Row("text", text=wording("corrupted", lang) + year, style="corrupted", **common))
            else:
                text = value_label(r["value"], r["comparator"], r["unit"], lang, r["value_high"]) + year
                out.append(_Row("text", text=text, style="other", **common))
    for r in plans[plans["status"] == "no target set"].to_dict("records"):
        none = "no_mapped_target" if unmapped is not None and r["doc_id"] in unmapped.index else "no_target"
        out.append(_Row("text", label=jurisdiction_label(doc_by_id.loc[r["doc_id"]], lang), text=wording(none, lang),
                        style="none", level=r["level"]))
    return out


def _national_refs(table: pd.DataFrame, plan_years: list) -> dict[str, list[dict]]:
    """Per indicator: the national target (for the plans' most common target year, else the
    latest) and the latest national actual."""
    nat = table[table["status"].str.startswith("national")]
    common_year = Counter(y for y in plan_years if pd.notna(y)).most_common(1)
    refs: dict[str, list[dict]] = {}
    for indicator, rows in nat.groupby("indicator_id", sort=False):
        chosen = []
        targets = rows[rows["status"] == "national target"]
        if len(targets):
            same = targets[targets["target_year"] == (common_year[0][0] if common_year else None)]
            chosen.append((same if len(same) else targets.sort_values("target_year")).iloc[-1].to_dict())
        actuals = rows[rows["status"] == "national actual"]
        if len(actuals):
            chosen.append(actuals.sort_values("target_year").iloc[-1].to_dict())
        refs[indicator] = chosen
    return refs


def _layout_rows(rows: list[_Row], refs: dict[str, list[dict]], plotted_ids: set) -> dict[str, tuple[float, float]]:
    """Give each row its y (downwards from 0); return, per indicator with national lines,
    (y of the top of its label band, y of its last point row)."""
    y, spans, previous = 0.0, {}, None
    for row in rows:
        group = "_none" if row.style == "none" else row.indicator_id
        if previous is not None and group != previous:
            y -= 0.35
        if row.kind == "header":
            row.y = y
            y -= 0.75
        else:
            if group not in spans and group in refs and refs[group] and group in plotted_ids:
                spans[group] = (y + 0.3, None)
                y -= 0.45 * len(refs[group]) + 0.1
            row.y = y
            if row.kind == "point" and group in spans:
                spans[group] = (spans[group][0], y)
            y -= 1.0
        previous = group
    return {k: v for k, v in spans.items() if v[1] is not None}


def compare(
    indicator_or_family: str,
    jurisdictions: str | Iterable[str] | None = None,
    year: int | None = None,
    lang: str = "zh",
    corpus: Corpus | None = None,
) -> Figure:
    """A briefing chart of one indicator or family across plans: one row per plan (and target).

    Values are labelled with their comparator; qualitative targets and plans that set no
    target are text rows, told apart; province plans and aspirational (力争) targets are
    marked; the national target is a solid line and the latest national actual a dashed
    one; the source note names every plan shown. ``fig.get_label()`` is the file name
    ``save`` uses: ``compare_<indicator or family>[_<year>][_<plans>][_en]``.
    """
    with house_style():
        return _compare_figure(indicator_or_family, jurisdictions, year, check_lang(lang), corpus)


def _compare_figure(indicator_or_family, jurisdictions, year, lang, corpus) -> Figure:
    corpus = corpus if corpus is not None else load()
    sel = resolve(indicator_or_family)
    table = compare_table(indicator_or_family, jurisdictions, year, corpus)
    docs = ordered_documents(corpus.documents)
    docs = docs[docs["doc_id"].isin(table["doc_id"].dropna())]
    tax = taxonomy()
    plans = table[~table["status"].str.startswith("national")]
    set_rows = plans[plans["status"] != "no target set"]

    values = set_rows[(set_rows["status"] == "value") & ~set_rows["comparator"].isin(CHANGES)]
    units = Counter(values["unit"].map(_unit_key))
    unit = units.most_common(1)[0][0] if units else _unit_key(tax.at[sel.indicator_ids[0], "unit"])
    none_ids = plans.loc[plans["status"] == "no target set", "doc_id"]
    unmapped = related_unmapped(corpus.targets[corpus.targets["doc_id"].isin(none_ids)], sel.indicator_ids)
    rows = _compare_rows(table, docs, sel, lang, unit, unmapped)
    points = [r for r in rows if r.kind == "point"]
    refs = _national_refs(table, list(set_rows["target_year"]))
    refs = {k: [n for n in v if _unit_key(n["unit"]) == unit] for k, v in refs.items()}
    spans = _layout_rows(rows, refs, {r.indicator_id for r in points})

    fig = new_figure()
    ax = fig.add_axes((0.3, 0.2, 0.6, 0.6))
    text_x = blended_transform_factory(ax.transAxes, ax.transData)
    heading_x = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
    value_texts = []
    handles: dict[str, object] = {}
    for row in rows:
        if row.kind == "header":
            ax.text(0.25, row.y, plain(row.text), transform=heading_x, fontsize=9, color=INK, va="center")
            continue
        marker, colour = LEVEL_STYLE.get(row.level, LEVEL_STYLE["city"])
        if row.kind == "point":
            face = "white" if row.aspirational else colour
            ax.axhline(row.y, color=FAINT, lw=0.6, zorder=0)
            if row.value_high is not None:
                ax.plot([row.value, row.value_high], [row.y, row.y], color=colour, lw=2.5, zorder=2, solid_capstyle="butt")
            xs = [row.value] if row.value_high is None else [row.value, row.value_high]
            ax.plot(xs, [row.y] * len(xs), ls="none", marker=marker, ms=8, mfc=face, mec=colour, mew=1.6, zorder=3)
            value_texts.append(ax.annotate(
                plain(row.text), (max(xs), row.y), xytext=(8, 0), textcoords="offset points", va="center", ha="left",
                fontsize=8.5, color=INK, zorder=4,
                bbox=dict(boxstyle="square,pad=0.15", fc="white", ec="none"),
            ))
            handles.setdefault(f"level:{row.level}", Line2D([], [], ls="none", marker=marker, ms=7, mfc=colour, mec=colour))
            if row.aspirational:
                handles["aspirational"] = Line2D([], [], ls="none", marker="o", ms=7, mfc="white", mec=INK, mew=1.4)
        elif row.style == "qualitative":
            ax.plot([0.02], [row.y], transform=text_x, ls="none", marker="D", ms=6, mfc="white", mec=colour, mew=1.4)
            ax.text(0.045, row.y, plain(row.text), transform=text_x, va="center", fontsize=8.5, color=INK)
            handles.setdefault(f"level:{row.level}", Line2D([], [], ls="none", marker=marker, ms=7, mfc=colour, mec=colour))
        elif row.style == "none":
            ax.text(0.02, row.y, plain("— " + row.text), transform=text_x, va="center", fontsize=8.5, color=MUTED)
        else:
            ax.text(0.02, row.y, plain(row.text), transform=text_x, va="center", fontsize=8.5,
                    color=OKABE_ITO["vermillion"] if row.style == "corrupted" else INK)

    # x range from the values and references actually drawn
    xs = [v for r in points for v in (r.value, r.value_high) if v is not None]
    xs += [n["value"] for k, v in refs.items() if k in spans for n in v]
    lo, hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if hi > lo:
        ax.set_xlim(lo - 0.15 * (hi - lo), hi + 0.25 * (hi - lo))
    else:  # one value: show it against a scale reaching below it
        span = max(abs(hi) * 0.05, 1.0)
        ax.set_xlim(lo - span, hi + 0.25 * span)

    ref_groups = []  # per indicator: (top of label band, [(line, text, x)])
    for indicator, (top, bottom) in spans.items():
        group = []
        for ref in refs[indicator]:
            target = ref["status"] == "national target"
            dash = "-" if target else (0, (4, 2.5))
            (line,) = ax.plot([ref["value"]] * 2, [bottom - 0.45, top], color=OKABE_ITO["black"], lw=1.1, ls=dash, zorder=1)
            key = "national_target" if target else "national_actual"
            text = f"{wording(key, lang, year=int(ref['target_year']))} {value_label(ref['value'], ref['comparator'], ref['unit'], lang)}"
            label = ax.text(ref["value"], top, plain(text), fontsize=7.5, color=INK, va="center", zorder=4,
                            bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"))
            group.append((line, label, ref["value"]))
            handles.setdefault(key, Line2D([], [], color=OKABE_ITO["black"], lw=1.1, ls=dash))
        ref_groups.append((top, group))

    # y axis: one tick per plan row
    ticks = [r for r in rows if r.kind != "header"]
    ax.set_yticks([r.y for r in ticks], [plain(r.label) for r in ticks], fontsize=9)
    for tick, row in zip(ax.get_yticklabels(), ticks):
        tick.set_color(MUTED if row.style == "none" else INK)
    ax.tick_params(axis="y", length=0, pad=8)
    ax.tick_params(axis="x", labelsize=8, colors="#444444", length=3)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#999999")
    ymin = min(r.y for r in rows) - 0.7
    ymax = max([r.y + (0.35 if r.kind == "header" else 0.6) for r in rows] + [top + 0.15 for top, _ in spans.values()])
    ax.set_ylim(ymin, ymax)
    suffix = unit_text(unit, lang) if unit == "%" else ""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{number(round(v, 6))}{suffix}"))
    axis_unit = unit_text(unit, lang).strip() if unit != "%" else "%"
    ax.set_xlabel(wording("axis", lang) + (wording("paren", lang, x=axis_unit) if axis_unit else ""), fontsize=8, color="#444444")

    # header, legend, sources, then sizes in inches
    measure = {
        "zh": tax.at[sel.key, "name_zh"] if sel.kind == "indicator" else None,
        "en": tax.at[sel.key, "name_en"] if sel.kind == "indicator" else None,
    }[lang]
    if measure is None:
        present = [i for i in tax.index if i in set(set_rows["indicator_id"])] or list(sel.indicator_ids)
        measure = wording("family_title", lang, name=tax.at[present[0], "name_zh" if lang == "zh" else "name_en"])
    if unit == "":
        unit_line = wording("no_unit", lang)
    elif unit == "%" or unit_text(unit, lang).strip():
        unit_line = wording("unit", lang, unit=unit if lang == "zh" else unit_text(unit, lang).strip())
    else:
        unit_line = wording("unit", lang, unit=wording("count_unit", lang, unit=unit))
    years = sorted({int(y) for y in set_rows["target_year"].dropna()})
    year_parts = [wording("year", lang, year=y) for y in years] + ([wording("year_unstated", lang)] if set_rows["target_year"].isna().any() else [])
    subtitle = [" · ".join([wording("compare_kicker", lang), unit_line] + ([wording("target_years", lang, years=wording("list_sep", lang).join(year_parts))] if year_parts else []))]
    if sel.kind == "family" and len(set(set_rows["indicator_id"])) > 1:
        subtitle.append(wording("family_note", lang))

    order = [f"level:{lvl}" for lvl in LEVEL_STYLE] + ["aspirational", "national_target", "national_actual"]
    legend_labels = {f"level:{k}": v[lang] for k, v in labels()["levels"].items()}
    legend_labels.update({k: wording(f"legend_{k}", lang) for k in order[len(LEVEL_STYLE):]})
    handle_list = []
    for key in (k for k in order if k in handles):
        handles[key].set_label(legend_labels[key])
        handle_list.append(handles[key])
    national_titles = table.loc[table["status"].str.startswith("national") & table["indicator_id"].isin(spans), "title"]
    sources = source_block(source_lines(docs, national_titles, lang), lang)
    for d in docs.to_dict("records"):
        if d["doc_id"] in unmapped.index:
            note = wording("unmapped_note", lang, plan=jurisdiction_label(d, lang), n=int(unmapped[d["doc_id"]]))
            sources += wrap(note, (WIDTH_IN - 0.5) * 72 / 7 - 1, indent="    ")

    left = max(width_in(fig, ax.get_yticklabels()) + 0.3, 0.9)
    title, subtitle = header_lines(measure, subtitle)
    header_h = header_height(title, subtitle)
    leg, legend_h = legend(fig, handle_list, 0.0, 0.25)
    plot_h = 0.3 * (ymax - ymin)
    bottom_h = 0.6 + 0.16 * len(sources) + 0.15
    height = header_h + legend_h + 0.1 + plot_h + bottom_h
    fig.set_size_inches(WIDTH_IN, height)
    header(fig, title, subtitle)
    if leg is not None:
        leg.set_bbox_to_anchor((0.25, height - header_h), transform=fig.dpi_scale_trans)
    footer(fig, sources)
    ax.set_position((left / WIDTH_IN, bottom_h / height, (WIDTH_IN - left - 0.25) / WIDTH_IN, plot_h / height))
    _fit_labels(fig, ax, value_texts, ref_groups)
    if unit == "%" and hi <= 100:
        ax.set_xticks([t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= 100])
    if not points:  # text rows only: no scale to read
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
    fig.set_label(_figure_name("compare", sel.key, year, jurisdictions, docs, lang))
    return fig


def _fit_labels(fig: Figure, ax, value_texts: list, ref_groups: list) -> None:
    """Widen the x range until every value label fits inside the axes, then stack each
    indicator's national labels so that none crosses another's line."""
    renderer = fig.canvas.get_renderer()
    for _ in range(4):
        box = ax.get_window_extent(renderer)
        over = max([t.get_window_extent(renderer).x1 - box.x1 for t in value_texts], default=0)
        if over <= 0:
            break
        lo, hi = ax.get_xlim()
        ax.set_xlim(lo, hi + (hi - lo) * (over + 6) / box.width)
    lo, hi = ax.get_xlim()
    for top, group in ref_groups:
        # labels run away from the side their lines are on; the line whose label would
        # cross the others' lines gets the top slot
        right = sum((x - lo) / (hi - lo) for _, _, x in group) / len(group) > 0.55
        for slot, (line, text, x) in enumerate(sorted(group, key=lambda g: -g[2] if right else g[2])):
            y = top - 0.45 * slot - 0.25
            text.set_ha("right" if right else "left")
            text.set_position((x + (hi - lo) * (-0.006 if right else 0.006), y))
            line.set_ydata([line.get_ydata()[0], y + 0.15])


def _figure_name(kind: str, key: str, year, jurisdictions, docs: pd.DataFrame, lang: str) -> str:
    parts = [kind, key]
    if year is not None:
        parts.append(str(year))
    if jurisdictions is not None:
        parts.append("-".join(sorted(docs["doc_id"])))
    if lang != "zh":
        parts.append(lang)
    return "_".join(parts)
