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

from qcompare.analysis.compare import (axis, national_reference, national_references, on_axis, ordered_documents,
                                       related_unmapped, resolve, split_source, title_indicator, unit_key)
from qcompare.analysis.compare import compare as compare_table
from qcompare.corpus import Corpus, load
from qcompare.figures.page import (FAINT, INK, MUTED, OKABE_ITO, WIDTH_IN, footer, header, header_height, header_lines,
                                   house_style, jurisdiction_label, legend, new_figure, plain, source_block, source_lines,
                                   width_in, wrap)
from qcompare.knowledge.labels import check_lang, labels, number, target_label, unit_text, value_label, wording
from qcompare.knowledge.taxonomy import taxonomy

LEVEL_STYLE = {  # level -> (marker, colour)
    "province": ("s", OKABE_ITO["vermillion"]),
    "city": ("o", OKABE_ITO["blue"]),
    "county": ("^", OKABE_ITO["green"]),
    "national": ("D", OKABE_ITO["purple"]),
}
OTHER = "_other"  # the row group of numbers not on the axis


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
    baseline: tuple[float, int] | None = None  # the plan's stated (value, year), drawn as an arrow to the target
    on_axis: tuple[str, str] | None = None  # a point's (kind, unit): one pair per chart


def _year_text(year: object, lang: str) -> str:
    return wording("year", lang, year=int(year)) if pd.notna(year) else wording("year_unstated", lang)


def _compare_rows(table: pd.DataFrame, docs: pd.DataFrame, sel, lang: str, kind: str, unit: str,
                  unmapped: pd.Series | None = None) -> list[_Row]:
    """The chart's rows, top to bottom: per indicator, points by value, then qualitative and
    damaged rows; then numbers of another kind or unit as text under their own heading; plans
    that set no target last."""
    tax = taxonomy()
    name_col = "name_zh" if lang == "zh" else "name_en"
    set_rows = table[table["status"] != "no target set"]
    show_year = set_rows["target_year"].astype("object").where(set_rows["target_year"].notna(), None).nunique(dropna=False) > 1
    axis = on_axis(set_rows, kind, unit)
    other = set_rows[(set_rows["status"] == "value") & ~axis]
    main = set_rows.drop(other.index)
    indicators = [i for i in tax.index if i in set(main["indicator_id"])]
    headers = sel.kind == "family" and set_rows["indicator_id"].nunique() > 1
    name_of = {d["doc_id"]: jurisdiction_label(d, lang) for d in docs.to_dict("records")}
    out: list[_Row] = []

    def label_of(r, labels_seen: Counter) -> str:
        label = name_of[r["doc_id"]]
        return label + wording("paren", lang, x=_year_text(r["target_year"], lang)) if labels_seen[label] > 1 else label

    def year_of(r) -> str:
        return wording("paren", lang, x=_year_text(r["target_year"], lang)) if show_year else ""

    for indicator in indicators:
        group = main[main["indicator_id"] == indicator]
        if headers:
            out.append(_Row("header", text=tax.at[indicator, name_col], indicator_id=indicator))
        plotted = axis.loc[group.index]
        rank = {"qualitative": 1, "corrupted": 2}
        ordered = pd.concat([
            group[plotted].sort_values("value", ascending=False, kind="stable"),
            group[~plotted].sort_values("status", key=lambda s: s.map(rank).fillna(3), kind="stable"),
        ])
        seen = Counter(name_of[d] for d in ordered["doc_id"])
        for r, is_point in zip(ordered.to_dict("records"), plotted.loc[ordered.index]):
            common = dict(label=label_of(r, seen), level=r["level"], aspirational=bool(r["aspirational"]), indicator_id=indicator)
            if is_point:
                high = r["value_high"] if pd.notna(r["value_high"]) else None
                base = (r["baseline_value"], int(r["baseline_year"])) if pd.notna(r["baseline_value"]) else None
                text = value_label(r["value"], r["comparator"], r["unit"], lang, high) + year_of(r)
                out.append(_Row("point", text=text, value=r["value"], value_high=high, baseline=base,
                                on_axis=(r["kind"], unit_key(r["unit"])), **common))
            elif r["status"] == "qualitative":
                quote = str(r["quote"])
                quote = quote if len(quote) <= 30 else quote[:29] + "…"
                out.append(_Row("text", text=f"{wording('qualitative', lang)} “{quote}”{year_of(r)}", style="qualitative", **common))
            else:
                out.append(_Row("text", text=wording("corrupted", lang) + year_of(r), style="corrupted", **common))
    if len(other):
        out.append(_Row("header", text=wording("other_kinds", lang), indicator_id=OTHER))
        seen = Counter(name_of[d] for d in other["doc_id"])
        for r in other.to_dict("records"):
            text = target_label(r["value"], r["comparator"], r["unit"], lang, r["value_high"], r["kind"]).strip()
            text += wording("paren", lang, x=_year_text(r["target_year"], lang))
            if sel.kind == "family":
                text += " · " + tax.at[r["indicator_id"], name_col]
            out.append(_Row("text", label=label_of(r, seen), text=text, style="other", level=r["level"],
                            aspirational=bool(r["aspirational"]), indicator_id=OTHER))
    for r in table[table["status"] == "no target set"].to_dict("records"):
        none = "no_mapped_target" if unmapped is not None and r["doc_id"] in unmapped.index else "no_target"
        out.append(_Row("text", label=name_of[r["doc_id"]], text=wording(none, lang),
                        style="none", level=r["level"]))
    return out


def chart_rows(sel, table: pd.DataFrame, docs: pd.DataFrame, corpus: Corpus, lang: str):
    """The compare chart's rows for ``table`` (``qc.compare()``), the kind and unit of its one
    axis, and per plan with no target the count of unmapped targets that may be this measure."""
    kind, unit = axis(sel, table)
    none_ids = table.loc[table["status"] == "no target set", "doc_id"]
    unmapped = related_unmapped(corpus.targets[corpus.targets["doc_id"].isin(none_ids)], sel.indicator_ids)
    return _compare_rows(table, docs, sel, lang, kind, unit, unmapped), kind, unit, unmapped


def _national_refs(nat: pd.DataFrame, plan_years: list, unit: str) -> dict[str, list[dict]]:
    """Per indicator: the national target (for the plans' most common target year, else the
    latest) and the latest national actual, in the axis unit (``nat``: ``national_references``)."""
    common_year = Counter(y for y in plan_years if pd.notna(y)).most_common(1)
    year = common_year[0][0] if common_year else None
    refs: dict[str, list[dict]] = {}
    for indicator in dict.fromkeys(nat["indicator_id"]):
        chosen = []
        for reference in ("target", "actual"):
            found = national_reference(nat, indicator, unit, reference, year)
            if found:
                chosen.append({"reference": reference, "value": found[0], "year": found[1]})
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
    set_rows = table[table["status"] != "no target set"]
    rows, kind, unit, unmapped = chart_rows(sel, table, docs, corpus, lang)
    points = [r for r in rows if r.kind == "point"]
    nat = national_references(indicator_or_family, year)
    axis_years = list(set_rows.loc[on_axis(set_rows, kind, unit), "target_year"])
    refs = _national_refs(nat, axis_years, unit) if kind == "level" else {}
    spans = _layout_rows(rows, refs, {r.indicator_id for r in points})

    fig = new_figure()
    ax = fig.add_axes((0.3, 0.2, 0.6, 0.6))
    text_x = blended_transform_factory(ax.transAxes, ax.transData)
    heading_x = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
    value_texts, baseline_texts = [], []
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
            if row.baseline is not None:
                baseline_texts.append(_baseline_arrow(ax, row, lang, unit))
                handles["baseline"] = Line2D([], [], color=MUTED, lw=1.2, marker="|", ms=7)
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
    xs = [v for r in points for v in (r.value, r.value_high, r.baseline and r.baseline[0]) if v is not None]
    xs += [n["value"] for k, v in refs.items() if k in spans for n in v]
    lo, hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if unit not in ("%", "") and lo >= 0:  # counts and amounts: from zero, so that lengths compare
        ax.set_xlim(0, hi * 1.25 if hi > 0 else 1.0)
    elif hi > lo:
        ax.set_xlim(lo - 0.15 * (hi - lo), hi + 0.25 * (hi - lo))
    else:  # one value: show it against a scale reaching below it
        span = max(abs(hi) * 0.05, 1.0)
        ax.set_xlim(lo - span, hi + 0.25 * span)

    ref_groups = []  # per indicator: (top of label band, [(line, text, x)])
    for indicator, (top, bottom) in spans.items():
        group = []
        for ref in refs[indicator]:
            target = ref["reference"] == "target"
            dash = "-" if target else (0, (4, 2.5))
            (line,) = ax.plot([ref["value"]] * 2, [bottom - 0.45, top], color=OKABE_ITO["black"], lw=1.1, ls=dash, zorder=1)
            key = "national_target" if target else "national_actual"
            text = f"{wording(key, lang, year=ref['year'])} {value_label(ref['value'], '=', unit, lang)}"
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
        measure = wording("family_title", lang, name=tax.at[title_indicator(sel, set_rows), "name_zh" if lang == "zh" else "name_en"])
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

    order = [f"level:{lvl}" for lvl in LEVEL_STYLE] + ["aspirational", "baseline", "national_target", "national_actual"]
    legend_labels = {f"level:{k}": v[lang] for k, v in labels()["levels"].items()}
    legend_labels.update({k: wording(f"legend_{k}", lang) for k in order[len(LEVEL_STYLE):]})
    handle_list = []
    for key in (k for k in order if k in handles):
        handles[key].set_label(legend_labels[key])
        handle_list.append(handles[key])
    national_titles = [split_source(src)[0] for src in nat.loc[nat["indicator_id"].isin(spans), "source"]]
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
    _fit_labels(fig, ax, value_texts, baseline_texts, ref_groups)
    if unit == "%" and hi <= 100:
        ax.set_xticks([t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= 100])
    if not points:  # text rows only: no scale to read
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
    fig.set_label(_figure_name("compare", sel.key, year, jurisdictions, docs, lang))
    return fig


def _baseline_arrow(ax, row: _Row, lang: str, unit: str):
    """The plan's stated baseline as a tick, an arrow from it to the target, and its year and
    value left of the tick (returned): the distance the plan commits to close."""
    value, year = row.baseline
    ax.plot([value], [row.y], ls="none", marker="|", ms=9, mew=1.4, color=MUTED, zorder=2)
    ax.annotate("", (row.value, row.y), xytext=(value, row.y), zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=MUTED, lw=1.2, shrinkA=0, shrinkB=5, mutation_scale=9))
    return ax.annotate(plain(wording("baseline", lang, year=year, value=value_label(value, "=", unit, lang).strip())),
                       (value, row.y), xytext=(-5, 0), textcoords="offset points", ha="right", va="center", fontsize=7,
                       color=MUTED, zorder=4, bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"))


def _fit_labels(fig: Figure, ax, value_texts: list, baseline_texts: list, ref_groups: list) -> None:
    """Widen the x range until every value label (right of its point) and baseline label (left
    of its tick) fits inside the axes, then stack each indicator's national labels so that
    none crosses another's line."""
    renderer = fig.canvas.get_renderer()
    for _ in range(4):
        box = ax.get_window_extent(renderer)
        over = max([t.get_window_extent(renderer).x1 - box.x1 for t in value_texts], default=0)
        under = max([box.x0 - t.get_window_extent(renderer).x0 for t in baseline_texts], default=0)
        if over <= 0 and under <= 0:
            break
        lo, hi = ax.get_xlim()
        step = (hi - lo) / box.width
        ax.set_xlim(lo - (step * (under + 6) if under > 0 else 0), hi + (step * (over + 6) if over > 0 else 0))
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
