"""One plan's profile -> a briefing page (``qc.plot.profile``): its targets by category,
the years they are set for, and what only this plan sets.

Reads :func:`qcompare.analysis.profile.profile` (targets, documents); category names come
from ``data/labels.yml``, indicator names from the taxonomy, the source line from the sidecar.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from qcompare.analysis.profile import category_label, category_order, profile as plan_profile, with_categories
from qcompare.corpus import Corpus, load
from qcompare.figures.page import (INK, OKABE_ITO, WIDTH_IN, axes_in, house_style, jurisdiction_label, name_figure,
                                   page, plain, plain_axes, text_width_in, wrap)
from qcompare.knowledge.labels import check_lang, wording

KINDS = {"with_value": OKABE_ITO["blue"], "qualitative": OKABE_ITO["orange"]}


def profile(doc_id: str, lang: str = "zh", corpus: Corpus | None = None) -> Figure:
    """Targets per category (numeric vs qualitative) and per target year, side by side, with
    the indicators no other plan sets listed under them. ``fig.get_label()`` is
    ``profile_<doc_id>[_en]``."""
    lang = check_lang(lang)
    corpus = corpus if corpus is not None else load()
    with house_style():
        return _profile_figure(doc_id, lang, corpus)


def _profile_figure(doc_id: str, lang: str, corpus: Corpus) -> Figure:
    plan = plan_profile(doc_id, corpus, lang)
    doc = corpus.documents.set_index("doc_id", drop=False).loc[doc_id]
    targets = with_categories(corpus.targets[corpus.targets["doc_id"] == doc_id], lang)
    numeric = targets["comparator"] != "qualitative"
    categories = list(dict.fromkeys(targets.sort_values("category", key=category_order, kind="stable")["category"]))
    by_kind = {
        "with_value": [int((numeric & (targets["category"] == c)).sum()) for c in categories],
        "qualitative": [int((~numeric & (targets["category"] == c)).sum()) for c in categories],
    }
    years = plan.horizons
    only = list(dict.fromkeys(plan.distinctive.index.get_level_values("indicator")))
    usable_em = (WIDTH_IN - 0.5) * 72 / 8.5
    only_lines = wrap(wording("profile_only", lang) + (wording("list_sep", lang).join(only) if only else wording("profile_only_none", lang)),
                      usable_em, indent="")
    rows = max(len(categories), len(years), 1)
    body_h = rows * 0.26 + 0.55 + 0.2 * len(only_lines) + 0.25
    handles = [Patch(fc=c, label=wording(f"profile_{k}", lang)) for k, c in KINDS.items()]
    subtitle = [wording("profile_subtitle", lang, n=len(targets), years=len(years))]
    title = wording("profile_title", lang, name=jurisdiction_label(doc, lang))
    fig, bottom, top = page(title, subtitle, corpus.documents[corpus.documents["doc_id"] == doc_id], lang, body_h, handles)

    cat_labels = [category_label(c, lang) for c in categories]
    year_labels = [wording("year_unstated", lang) if y == "none stated" else wording("year", lang, year=int(y)) for y in years["target_year"]]
    left_label = text_width_in(cat_labels, 8) + 0.15
    right_label = text_width_in(year_labels, 8) + 0.15
    panel_w = (WIDTH_IN - 0.5 - left_label - right_label - 0.5) / 2
    panel_h = rows * 0.26
    panel_bottom = top - panel_h - 0.25
    xmax = max([a + b for a, b in zip(*by_kind.values())] + list(years["targets"]) + [1])
    for labels_, counts, left, heading in (
        (cat_labels, by_kind, 0.25 + left_label, wording("profile_by_category", lang)),
        (year_labels, {k: list(years[k]) for k in KINDS}, 0.25 + left_label + panel_w + 0.5 + right_label, wording("profile_by_year", lang)),
    ):
        ax = axes_in(fig, left, panel_bottom, panel_w, panel_h)
        y = np.arange(len(labels_))
        start = np.zeros(len(labels_))
        for kind, colour in KINDS.items():
            ax.barh(y, counts[kind], left=start, color=colour, height=0.7)
            start += np.asarray(counts[kind], dtype=float)
        for yi, total in zip(y, start):
            ax.text(total + xmax * 0.02, yi, str(int(total)), va="center", fontsize=7.5, color=INK)
        ax.set_yticks(y, [plain(l) for l in labels_], fontsize=8)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(0, xmax * 1.12)
        ax.xaxis.set_visible(False)
        plain_axes(ax)
        ax.spines["bottom"].set_visible(False)
        ax.set_title(plain(heading), loc="left", fontsize=9, color=INK, pad=6)
    y = panel_bottom - 0.3
    for line in only_lines:
        fig.text(0.25, y, plain(line), transform=fig.dpi_scale_trans, fontsize=8.5, color=INK, va="top")
        y -= 0.2
    return name_figure(fig, f"profile_{doc_id}", lang)
