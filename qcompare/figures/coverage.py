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
from qcompare.knowledge.labels import SYMBOLS, check_lang, labels, number, value_label, with_kind, wording
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


def _cell_text(value: float, comparator: str, unit: object, lang: str, value_high: float | None = None,
               kind: object = "level") -> str:
    """A value compact enough for a heatmap cell, its kind in words when not a level: the unit
    only when it is %, a short Chinese one, or money in English (the row names the measure).

    >>> _cell_text(94.5, ">=", "%", "en"), _cell_text(100, "=", "万元", "zh"), _cell_text(100, "=", "万元", "en")
    ('≥94.5%', '100万元', '¥1m')
    >>> _cell_text(4, "=", "项", "zh", kind="added"), _cell_text(4, "=", "项", "en", kind="added")
    ('新增4项', '4 new')
    """
    if lang == "en" and yuan(value, unit) and (value_high is None or pd.isna(value_high)):
        text = SYMBOLS.get(comparator, "") + yuan(value, unit)
    else:
        short = unit if unit == "%" or (lang == "zh" and isinstance(unit, str) and len(unit) <= 2) else None
        text = value_label(value, comparator, short, "zh", value_high).replace(" ", "", 1)
    return with_kind(text, kind, lang)


PAGE_HEIGHT_IN = 10.0  # the tallest page: A4 (11.7 in) less its margins
ROW_IN, HEAD_IN = 0.3, 0.29  # one indicator row (value and year); one category heading


def pages(matrix: pd.DataFrame, fixed_in: float, height_in: float = PAGE_HEIGHT_IN) -> list[list[str]]:
    """The matrix's indicators cut into pages no taller than ``height_in``: whole categories
    while they fit, a category longer than a page in page-long pieces.

    >>> m = pd.DataFrame(index=["a", "b", "c"])
    >>> import qcompare.figures.coverage as c
    >>> c.taxonomy = lambda: pd.DataFrame({"category": ["x", "x", "y"]}, index=["a", "b", "c"])
    >>> pages(m, fixed_in=0, height_in=1.0), pages(m, fixed_in=0, height_in=0.6)
    ([['a', 'b'], ['c']], [['a'], ['b'], ['c']])
    """
    tax = taxonomy()
    room = height_in - fixed_in
    out: list[list[str]] = [[]]
    used = 0.0
    for category, rows in pd.Series(list(matrix.index), index=matrix.index).groupby(
            tax.loc[matrix.index, "category"].to_numpy(), sort=False):
        rows = list(rows)
        need = HEAD_IN + ROW_IN * len(rows)
        if out[-1] and used + need > room:
            out.append([])
            used = 0.0
        while HEAD_IN + ROW_IN * len(rows) > room - used and len(rows) > 1:
            fit = max(int((room - used - HEAD_IN) // ROW_IN), 1)
            out[-1] += rows[:fit]
            rows = rows[fit:]
            out.append([])
            used = 0.0
        out[-1] += rows
        used += HEAD_IN + ROW_IN * len(rows)
    return [p for p in out if p]


def coverage(lang: str = "zh", corpus: Corpus | None = None) -> list[Figure]:
    """Heatmap of ``qc.coverage()``, one A4 page per figure: which mapped indicator each plan
    sets, as a number (value, kind and target year in the cell), a qualitative level, a
    damaged number, or not at all. Rows are grouped by taxonomy category; a page holds whole
    categories while they fit. ``fig.get_label()`` is ``coverage_<page>[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    matrix = coverage_matrix(corpus)
    with house_style():
        probe = _coverage_figure(matrix, lang, corpus, list(matrix.index[:1]), 1, 1)
        fixed = probe.get_size_inches()[1] - HEAD_IN - ROW_IN
        cut = pages(matrix, fixed + 0.3)  # 0.3: the page counter in the subtitle may wrap
        return [_coverage_figure(matrix, lang, corpus, rows, i + 1, len(cut)) for i, rows in enumerate(cut)]


def _representative(corpus: Corpus) -> pd.DataFrame:
    """Per (indicator, plan), the target a cell prints: a level value if there is one, else
    the first value of another kind."""
    t = corpus.targets[corpus.targets["indicator_id"].notna()].copy()
    t["status"] = [target_status(v, c, f) for v, c, f in zip(t["value"], t["comparator"], t["flags"])]
    t = t[t["status"] == "value"].assign(_level=lambda d: d["kind"] != "level")
    t = t.sort_values(["_level", "target_id"], kind="stable")
    return t.drop_duplicates(["doc_id", "indicator_id"]).set_index(["indicator_id", "doc_id"])


def _column_label(doc: dict, lang: str, width_in: float) -> str:
    """A plan's column heading, horizontal: name, (推定), level, wrapped to the column."""
    level = labels()["levels"].get(doc["level"], {}).get(lang, "")
    name = jurisdiction_label(doc, lang)
    mark = wording("inferred", lang)
    parts = [name[: -len(mark)], mark.strip()] if name.endswith(mark) else [name]
    if doc["level"] != "city":
        parts.append(level)
    em = max(width_in * 72 / 7.5, 3)
    return "\n".join(line for part in parts for line in wrap(part, em, indent=""))


def _coverage_figure(matrix: pd.DataFrame, lang: str, corpus: Corpus, indicators: list[str], page: int,
                     n_pages: int) -> Figure:
    tax = taxonomy()
    total, matrix = len(matrix.index), matrix.loc[indicators]
    docs = ordered_documents(corpus.documents).set_index("doc_id", drop=False).loc[list(matrix.columns)]
    first = _representative(corpus)

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
                text = _cell_text(t["value"], t["comparator"], t["unit"], lang, t["value_high"], t["kind"])
                year = wording("year", lang, year=int(t["target_year"])) if pd.notna(t["target_year"]) else "—"
                cell_texts.append(ax.text(j * cell_w + 0.5, y_row + 0.16, plain(text), ha="center", va="center",
                                          fontsize=6.5, color="white"))
                cell_texts.append(ax.text(j * cell_w + 0.5, y_row - 0.24, plain(year), ha="center", va="center",
                                          fontsize=5.5, color="#DDEEFF"))
            elif status in ("qualitative", "corrupted"):
                text = wording("qualitative_short", lang) if status == "qualitative" else "?"
                cell_texts.append(ax.text(j * cell_w + 0.5, y_row, plain(text), ha="center", va="center", fontsize=6.5, color=INK))
    name_col = "name_zh" if lang == "zh" else "name_en"
    ax.set_yticks([r[0] for r in rows], [plain(tax.at[i, name_col]) for _, i in rows], fontsize=8)
    bare_grid(ax)
    ax.tick_params(pad=4)
    ax.set_xlim(0, len(matrix.columns) * cell_w)
    ax.set_ylim(y + 0.4, 0.5)
    heading_x = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
    head_texts = [ax.text(0.25, hy, plain(h), transform=heading_x, fontsize=8.5, color=INK, va="center")
                  for hy, h in heads]

    handles = [Patch(fc=COVERAGE_COLOURS[k], ec="#BBBBBB" if k == "absent" else "none", label=labels()["coverage"][k][lang])
               for k in COVERAGE_COLOURS if k != "corrupted" or (matrix == "corrupted").any().any()]
    subtitle = [wording("coverage_subtitle", lang, plans=len(matrix.columns), indicators=total)
                + (wording("coverage_page", lang, page=page, pages=n_pages) if n_pages > 1 else "")]
    sources = source_block(source_lines(docs.reset_index(drop=True), [], lang), lang)
    n_unmapped = int(corpus.targets.loc[corpus.targets["doc_id"].isin(docs["doc_id"]), "indicator_id"].isna().sum())
    if n_unmapped:
        sources += wrap(wording("coverage_unmapped", lang, n=n_unmapped), (WIDTH_IN - 0.5) * 72 / 7 - 1, indent="    ")

    renderer = fig.canvas.get_renderer()
    label_w = width_in(fig, ax.get_yticklabels())
    heads_w = max([t.get_window_extent(renderer).width / fig.dpi for t in head_texts], default=0)
    left = max(label_w + 0.35, heads_w + 0.3)
    col_w = min((WIDTH_IN - left - 0.25) / max(len(matrix.columns), 1), 0.95)
    grid_w = col_w * len(matrix.columns)
    ax.set_xticks([j * cell_w + 0.5 for j in range(len(matrix.columns))],
                  [plain(_column_label(d, lang, col_w)) for d in docs.to_dict("records")], fontsize=7.5)
    for tick in ax.get_xticklabels():
        tick.set_verticalalignment("baseline")  # names with and without descenders on one line
    if col_w < 0.5:  # too narrow to print values: the colours still tell
        for text in cell_texts:
            text.set_visible(False)
    col_h = max(t.get_window_extent(renderer).height for t in ax.get_xticklabels()) / fig.dpi if len(matrix.columns) else 0
    plot_h = ROW_IN * (0.5 - (y + 0.4))
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
    fig.set_label(f"coverage_{page}" + ("" if lang == "zh" else f"_{lang}"))
    return fig
