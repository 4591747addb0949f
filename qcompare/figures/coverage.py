"""Coverage -> the indicator x plan heatmap (``qc.plot.coverage``): which indicator each plan sets.

Reads ``qc.coverage()`` and the corpus's ``targets`` and ``documents``; row names come from
the taxonomy, column names and source lines from the plan sidecars, wording from ``data/labels.yml``.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import blended_transform_factory

from qcompare.analysis.compare import coverage as coverage_matrix
from qcompare.analysis.compare import ordered_documents, target_status
from qcompare.corpus import Corpus, load
from qcompare.figures.page import (INK, OKABE_ITO, WIDTH_IN, bare_grid, footer, header, header_height, header_lines,
                                   house_style, jurisdiction_label, legend, new_figure, plain, source_block, source_lines,
                                   width_in, wrap)
from qcompare.knowledge.labels import SYMBOLS, check_lang, labels, number, value_label, wording
from qcompare.knowledge.taxonomy import taxonomy

COVERAGE_COLOURS = {"value": OKABE_ITO["blue"], "qualitative": OKABE_ITO["orange"],
                    "corrupted": OKABE_ITO["purple"], "absent": "#F0F0F0"}


def yuan(value: float, unit: object) -> str | None:
    """An amount in 元, 万元 or 亿元 as a short English label; None for other units.

    >>> yuan(100, "万元"), yuan(50, "万元"), yuan(2.5, "亿元"), yuan(5, "%")
    ('¥1m', '¥500k', '¥250m', None)
    """
    scale = labels()["yuan_scale"].get(unit) if isinstance(unit, str) else None
    if scale is None:
        return None
    amount = value * scale
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(amount) >= size:
            return f"¥{number(round(amount / size, 3))}{suffix}"
    return f"¥{number(amount)}"


def _cell_text(value: float, comparator: str, unit: object, lang: str, value_high: float | None = None) -> str:
    """A value compact enough for a heatmap cell: the unit only when it is %, a short
    Chinese one, or money in English (the row names the measure).

    >>> _cell_text(94.5, ">=", "%", "en"), _cell_text(100, "=", "万元", "zh"), _cell_text(100, "=", "万元", "en")
    ('≥94.5%', '100万元', '¥1m')
    """
    if lang == "en" and yuan(value, unit) and (value_high is None or pd.isna(value_high)):
        return SYMBOLS.get(comparator, "") + yuan(value, unit)
    short = unit if unit == "%" or (lang == "zh" and isinstance(unit, str) and len(unit) <= 2) else None
    return value_label(value, comparator, short, "zh", value_high).replace(" ", "", 1)


def coverage(lang: str = "zh", corpus: Corpus | None = None) -> Figure:
    """Heatmap of ``qc.coverage()``: which mapped indicator each plan sets, as a number (the
    value is printed in the cell), a qualitative level, a damaged number, or not at all.
    Rows are grouped by taxonomy category. ``fig.get_label()`` is ``coverage[_en]``."""
    with house_style():
        return _coverage_figure(check_lang(lang), corpus)


def _coverage_figure(lang: str, corpus: Corpus | None) -> Figure:
    corpus = corpus if corpus is not None else load()
    matrix = coverage_matrix(corpus)
    tax = taxonomy()
    docs = ordered_documents(corpus.documents).set_index("doc_id", drop=False).loc[list(matrix.columns)]
    first = corpus.targets[corpus.targets["indicator_id"].notna()].copy()
    first["status"] = [target_status(v, c, f) for v, c, f in zip(first["value"], first["comparator"], first["flags"])]
    first = first[first["status"] == "value"].drop_duplicates(["doc_id", "indicator_id"]).set_index(["indicator_id", "doc_id"])

    fig = new_figure()
    ax = fig.add_axes((0.3, 0.2, 0.6, 0.6))
    y, rows, heads = 0.0, [], []
    category = None
    for indicator in matrix.index:
        if tax.at[indicator, "category"] != category:
            category = tax.at[indicator, "category"]
            y -= 0.25 if heads else 0
            heads.append((y, labels()["categories"][category][lang]))
            y -= 0.9
        rows.append((y, indicator))
        y -= 1.0
    cell_w, cell_texts = 1.0, []
    for y_row, indicator in rows:
        for j, doc_id in enumerate(matrix.columns):
            status = matrix.at[indicator, doc_id]
            ax.add_patch(Rectangle((j * cell_w + 0.04, y_row - 0.44), cell_w - 0.08, 0.88, fc=COVERAGE_COLOURS[status], ec="none"))
            if status == "value" and (indicator, doc_id) in first.index:
                t = first.loc[(indicator, doc_id)]
                text, colour = _cell_text(t["value"], t["comparator"], t["unit"], lang, t["value_high"]), "white"
            elif status in ("qualitative", "corrupted"):
                text, colour = (wording("qualitative_short", lang) if status == "qualitative" else "?"), INK
            else:
                continue
            cell_texts.append(ax.text(j * cell_w + 0.5, y_row, plain(text), ha="center", va="center", fontsize=7, color=colour))
    name_col = "name_zh" if lang == "zh" else "name_en"
    ax.set_yticks([r[0] for r in rows], [plain(tax.at[i, name_col]) for _, i in rows], fontsize=8)
    col_labels = []
    for doc in docs.to_dict("records"):
        level = labels()["levels"].get(doc["level"], {}).get(lang, "")
        name = jurisdiction_label(doc, lang)
        mark = wording("inferred", lang)
        name = name[: -len(mark)] + "\n" + mark.strip() if name.endswith(mark) else name
        col_labels.append(plain(name + ("\n" + level if doc["level"] != "city" else "")))
    ax.set_xticks([j * cell_w + 0.5 for j in range(len(matrix.columns))], col_labels, fontsize=8)
    bare_grid(ax)
    ax.tick_params(pad=4)
    ax.set_xlim(0, len(matrix.columns) * cell_w)
    ax.set_ylim(y + 0.4, 0.5)
    heading_x = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
    head_texts = [ax.text(0.25, hy, plain(h), transform=heading_x, fontsize=8.5, color=INK, va="center")
                  for hy, h in heads]

    handles = [Patch(fc=COVERAGE_COLOURS[k], ec="#BBBBBB" if k == "absent" else "none", label=labels()["coverage"][k][lang])
               for k in COVERAGE_COLOURS if k != "corrupted" or (matrix == "corrupted").any().any()]
    subtitle = [wording("coverage_subtitle", lang, plans=len(matrix.columns), indicators=len(matrix.index))]
    national_titles: list[str] = []
    sources = source_block(source_lines(docs.reset_index(drop=True), national_titles, lang), lang)
    n_unmapped = int(corpus.targets.loc[corpus.targets["doc_id"].isin(docs["doc_id"]), "indicator_id"].isna().sum())
    if n_unmapped:
        sources += wrap(wording("coverage_unmapped", lang, n=n_unmapped), (WIDTH_IN - 0.5) * 72 / 7 - 1, indent="    ")

    renderer = fig.canvas.get_renderer()
    label_w = width_in(fig, ax.get_yticklabels())
    heads_w = max([t.get_window_extent(renderer).width / fig.dpi for t in head_texts], default=0)
    left = max(label_w + 0.35, heads_w + 0.3)
    col_w = min((WIDTH_IN - left - 0.25) / max(len(matrix.columns), 1), 0.95)
    grid_w = col_w * len(matrix.columns)
    if col_w < max([t.get_window_extent(renderer).width / fig.dpi for t in ax.get_xticklabels()], default=0) + 0.05:
        ax.tick_params(axis="x", labelrotation=90)
    if col_w < 0.5:  # too narrow to print values: the colours still tell
        for text in cell_texts:
            text.set_visible(False)
    col_h = max(t.get_window_extent(renderer).height for t in ax.get_xticklabels()) / fig.dpi if len(matrix.columns) else 0
    plot_h = 0.24 * (0.5 - (y + 0.4))
    title, subtitle = header_lines(wording("coverage_title", lang), subtitle)
    header_h = header_height(title, subtitle)
    legend_h = 0.27
    bottom_h = 0.25 + 0.16 * len(sources) + 0.15
    height = header_h + legend_h + col_h + 0.15 + plot_h + bottom_h
    fig.set_size_inches(WIDTH_IN, height)
    header(fig, title, subtitle)
    legend(fig, handles, header_h, 0.25)
    footer(fig, sources)
    ax.set_position((left / WIDTH_IN, bottom_h / height, grid_w / WIDTH_IN, plot_h / height))
    fig.set_label("coverage" + ("" if lang == "zh" else f"_{lang}"))
    return fig
