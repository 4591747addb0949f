"""One plan's text with every extracted row highlighted -> ``reports/review/<doc_id>.html``.

Reads the built ``documents``, ``clauses``, ``targets`` (and ``actuals`` when the build
has that table) and the plan's raw text; writes one self-contained page (no network: the
CJK font is embedded as a subset) where each row is a ``<mark>`` at its offsets, coloured
by state, and a click shows the row and copies a correction entry for data/corrections.yml.
"""

from __future__ import annotations

import base64
import io
import json
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path

import pandas as pd

from qcompare import paths
from qcompare.atomic import write_atomic
from qcompare.figures.fonts import cjk_font_path
from qcompare.plan.reader import decode
from qcompare.schema import TABLES

STATES = ("mapped", "unmapped", "qualitative", "corrupted", "corrected", "actual")
HIDDEN = {"doc_id", "quote", "start", "end", "heading_path", "clause_id"}  # shown elsewhere on the page
UI_TEXT = "全文条目筛选复制"  # CJK characters of the page's own labels, kept in the font subset


def target_state(row) -> str:
    """The colour a targets row gets: a reviewer's hand first, then damage, then kind of target.

    >>> target_state(pd.Series({"origin": "added", "flags": None, "comparator": ">=", "indicator_id": None}))
    'corrected'
    >>> target_state(pd.Series({"origin": "extracted", "flags": "question_marks", "comparator": ">=", "indicator_id": "x"}))
    'mapped'
    """
    if row.get("origin") in ("corrected", "added"):
        return "corrected"
    if isinstance(row.get("flags"), str) and "corrupted" in row["flags"].split(";"):
        return "corrupted"
    if row["comparator"] == "qualitative":
        return "qualitative"
    return "mapped" if isinstance(row.get("indicator_id"), str) else "unmapped"


def _plain(value):
    """A JSON-safe cell: None for missing, ints for whole numbers stored as float."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def review_rows(tables: dict[str, pd.DataFrame], doc_id: str) -> list[dict]:
    """One entry per highlighted row of the plan: id, state, offsets and the row's fields, in text order."""
    rows = []
    for name in ("targets", "actuals"):
        if name not in tables:
            continue
        df = tables[name][tables[name].doc_id == doc_id]
        key = [k for k in TABLES[name].key if k != "doc_id"]
        for record in df.to_dict("records"):
            state = target_state(record) if name == "targets" else "actual"
            fields = {c: _plain(record[c]) for c in df.columns if c not in HIDDEN}
            rows.append({
                "id": f"{name[0]}-" + "-".join(str(record[k]) for k in key),
                "table": name, "state": state, "start": int(record["start"]), "end": int(record["end"]),
                "quote": record["quote"] if "quote" in record else None, "heading_path": _plain(record.get("heading_path")),
                "fields": fields,
            })
    return sorted(rows, key=lambda r: (r["start"], -r["end"], r["id"]))


def highlight(text: str, rows: list[dict], anchors: list[int]) -> str:
    """``text`` as escaped HTML, each row a ``<mark>`` over its offsets, an empty anchor at each offset in ``anchors``.

    Marks nest; a row that crosses the end of another is split, its later pieces marked
    ``class="cont"``, so every character keeps every row covering it.

    >>> highlight("a<b>c", [{"id": "t-1", "state": "mapped", "start": 1, "end": 4}], [0])
    '<span class="cl" data-c="0"></span>a<mark id="t-1" data-row="t-1" class="s-mapped">&lt;b&gt;</mark>c'
    """
    opens: dict[int, list[dict]] = {}
    closes: dict[int, list[dict]] = {}
    for r in rows:
        opens.setdefault(r["start"], []).append(r)
        closes.setdefault(r["end"], []).append(r)
    points = sorted({0, len(text), *opens, *closes, *anchors})
    anchor_at = {}
    for i, a in enumerate(anchors):
        anchor_at.setdefault(a, []).append(i)
    out, stack, pos = [], [], 0

    def tag(r: dict, cont: bool) -> str:
        ident = "" if cont else f' id="{escape(r["id"])}"'
        return f'<mark{ident} data-row="{escape(r["id"])}" class="s-{r["state"]}{" cont" if cont else ""}">'

    for p in points:
        out.append(escape(text[pos:p], quote=False))
        pos = p
        ending = [r for r in closes.get(p, []) if r in stack]
        if ending:
            depth = min(stack.index(r) for r in ending)
            reopen = [r for r in stack[depth:] if r not in ending]
            out.append("</mark>" * (len(stack) - depth))
            del stack[depth:]
            for r in reopen:
                out.append(tag(r, True))
                stack.append(r)
        out.extend(f'<span class="cl" data-c="{i}"></span>' for i in anchor_at.get(p, []))
        for r in sorted(opens.get(p, []), key=lambda r: (-r["end"], r["id"])):
            if r["end"] > p:
                out.append(tag(r, False))
                stack.append(r)
            else:  # an empty span still gets its (empty) highlight, so every row can be clicked from the list
                out.append(tag(r, False) + "</mark>")
    out.append(escape(text[pos:], quote=False))
    return "".join(out)


@cache
def font_face(characters: str) -> str:
    """``@font-face`` for the shipped CJK font, subset to ``characters`` and embedded as a data: URL."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(cjk_font_path()), lazy=True)
    options = subset.Options()
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "QCompare CJK"; src: url(data:font/otf;base64,{data}) format("opentype"); }}'


def _asset(name: str) -> str:
    return files("qcompare").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _script_json(data) -> str:
    """JSON safe inside a ``<script>`` element: no ``</script>`` or ``<!--`` can appear."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_characters(tables: dict[str, pd.DataFrame], doc_id: str, text: str) -> set[str]:
    """Every character a plan's page shows: its text, its rows' fields (Simplified) and headings, the labels."""
    doc = tables["documents"].set_index("doc_id").loc[doc_id]
    headings = tables["clauses"].heading_path[tables["clauses"].doc_id == doc_id].dropna()
    shown = json.dumps(review_rows(tables, doc_id), ensure_ascii=False)
    return set(text + shown + "".join(headings) + str(doc["jurisdiction"]) + str(_plain(doc["title"]) or "") + UI_TEXT)


def render_review(tables: dict[str, pd.DataFrame], doc_id: str, text: str, characters: str | None = None) -> str:
    """The review page of one plan, as HTML text; ``characters`` are those the font subset must hold (default: the page's)."""
    doc = tables["documents"].set_index("doc_id").loc[doc_id]
    rows = review_rows(tables, doc_id)
    clauses = tables["clauses"][tables["clauses"].doc_id == doc_id]
    headings = [_plain(h) or "" for h in clauses.heading_path]
    counts = {s: sum(r["state"] == s for r in rows) for s in STATES}
    title = f"{doc['jurisdiction']} · {doc_id}"
    filters = "".join(
        f'<label class="s-{s}"><input type="checkbox" data-state="{s}" checked> {s} ({counts[s]})</label>' for s in STATES
    )
    body = highlight(text, rows, [int(s) for s in clauses.start])
    data = {"doc_id": doc_id, "rows": rows, "headings": headings}
    font = font_face(characters or "".join(sorted(page_characters(tables, doc_id, text))))
    return f"""<!DOCTYPE html>
<html lang="zh">
<head><meta charset="utf-8"><title>review · {escape(title)}</title>
<style>{font}
{_asset("review.css")}</style></head>
<body>
<header><h1>{escape(title)} <span class="muted">{escape(str(_plain(doc['title']) or ''))}</span></h1>
<div id="heading" class="muted"></div></header>
<main>
<div id="text" lang="zh">{body}</div>
<aside>
<section id="detail"><p class="muted">Click a highlight to see its row.</p></section>
<section id="filters">{filters}</section>
<ol id="list"></ol>
</aside>
</main>
<script type="application/json" id="data">{_script_json(data)}</script>
<script>{_asset("review.js")}</script>
</body>
</html>
"""


def plan_text(raw: Path, documents: pd.DataFrame, doc_id: str) -> str:
    """The plan's original text, decoded as the build decoded it (its offsets index into this)."""
    path = Path(raw) / f"{doc_id}.txt"
    encoding = documents.set_index("doc_id").loc[doc_id, "encoding"]
    return decode(path.read_bytes(), path, encoding)[0]


def write_review(corpus, doc_ids: list[str], out_dir: Path | None = None, out_file: Path | None = None) -> list[Path]:
    """Write the review page of each plan (to ``out_file`` for a single plan); with several, an index too.

    The font subset holds the characters of all the plans written, so it is made once.
    """
    from qcompare.errors import UnknownNameError

    known = list(corpus.documents.doc_id)
    for d in doc_ids:
        if d not in known:
            raise UnknownNameError("plan", d, [k for k in known if d in k or k in d], "qcompare review --all, or data/raw/")
    out_dir = Path(out_dir or paths.reports_dir() / "review")
    texts = {d: plan_text(corpus.raw, corpus.documents, d) for d in doc_ids}
    characters = "".join(sorted(set().union(*(page_characters(corpus.tables, d, texts[d]) for d in doc_ids))))
    written = []
    for d in doc_ids:
        path = Path(out_file) if out_file and len(doc_ids) == 1 else out_dir / f"{d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, render_review(corpus.tables, d, texts[d], characters).encode("utf-8"))
        written.append(path)
    if len(doc_ids) > 1:
        items = "".join(
            f'<li><a href="{escape(p.name)}">{escape(d)}</a> {escape(j)}: {n} rows</li>'
            for d, p, j, n in zip(doc_ids, written, corpus.documents.set_index("doc_id").loc[doc_ids, "jurisdiction"],
                                  [len(review_rows(corpus.tables, d)) for d in doc_ids])
        )
        index = out_dir / "index.html"
        write_atomic(index, f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>qcompare review</title></head>'
                            f"<body><h1>Review pages</h1><ul>{items}</ul></body></html>\n".encode("utf-8"))
        written.append(index)
    return written
