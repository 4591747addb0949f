"""A briefing -> a Word file (``qcompare brief``): title, finding, figure, caption, table, caveats, sources.

Reads :func:`qcompare.analysis.brief.brief` and :func:`qcompare.figures.compare.compare`;
writes one ``.docx`` (python-docx), atomically. The figure is the 300 dpi PNG at the page's
text width; its caption is the figure's source line.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from qcompare.atomic import write_atomic
from qcompare.corpus import Corpus, load
from qcompare.errors import QcompareError
from qcompare.knowledge.labels import check_lang, wording

EAST_ASIAN_FONT = "Noto Sans CJK SC"  # the font the figures draw with; Word falls back when absent


def _east_asian(run, font: str = EAST_ASIAN_FONT) -> None:
    """Name the East-Asian font of a run (python-docx sets only the Latin one)."""
    from docx.oxml.ns import qn

    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def write_brief(indicator: str, out: Path, jurisdictions: Iterable[str] | None = None, lang: str = "zh",
                corpus: Corpus | None = None) -> Path:
    """Write the Word briefing on ``indicator`` to ``out`` (a ``.docx``); return the path."""
    import docx
    from docx.shared import Inches, Pt

    from qcompare.analysis.brief import brief
    from qcompare.figures.compare import compare as compare_figure
    from qcompare.figures.page import WIDTH_IN, footer_lines
    from qcompare.figures.save import DPI

    lang = check_lang(lang)
    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise QcompareError(f"{out}: a Word briefing is a .docx file; give --out NAME.docx")
    corpus = corpus if corpus is not None else load()
    plans = list(jurisdictions) if jurisdictions else None
    b = brief(indicator, plans, lang=lang, corpus=corpus)
    fig = compare_figure(indicator, plans, lang=lang, corpus=corpus)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})

    document = docx.Document()
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    document.styles["Normal"].font.size = Pt(10.5)
    heading = document.add_heading(b.title, level=1)
    for run in heading.runs:
        _east_asian(run)
    for run in document.add_paragraph(b.finding).runs:
        run.bold = True
        _east_asian(run)
    png.seek(0)
    document.add_picture(png, width=min(text_width, Inches(WIDTH_IN)))
    caption = document.add_paragraph("\n".join(footer_lines(fig)))  # line breaks as in the figure
    caption.style = document.styles["Caption"]
    table = document.add_table(rows=1, cols=len(b.table.columns))
    table.style = "Light Grid Accent 1"
    for cell, name in zip(table.rows[0].cells, b.table.columns):
        cell.text = str(name)
    for row in b.table.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, row):
            cell.text = str(value)
    if b.caveats:
        document.add_heading(wording("caveats", lang), level=2)
        for caveat in b.caveats:
            document.add_paragraph(caveat, style="List Bullet")
    document.add_heading(wording("sources", lang).strip(" ：:"), level=2)
    for doc in b.sources.to_dict("records"):
        parts = [doc["jurisdiction"], f"《{doc['title']}》" if isinstance(doc.get("title"), str) else "",
                 doc.get("doc_number") if isinstance(doc.get("doc_number"), str) else "",
                 doc.get("source") if isinstance(doc.get("source"), str) else "",
                 doc.get("url") if isinstance(doc.get("url"), str) else ""]
        document.add_paragraph("，".join(p for p in parts if p) if lang == "zh" else ", ".join(p for p in parts if p),
                               style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return write_atomic(out, buffer.getvalue())
