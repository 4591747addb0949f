"""Review pages: one highlight per row at its offsets, escaped text, a self-contained page that works in a browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from qcompare.reports.review import highlight, plan_text, review_rows, write_review
from qcompare.reports.index import render_index


class Marks(HTMLParser):
    """Offsets of every <mark> piece inside div#text, counted in characters of the text shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside, self.depth, self.pos, self.text = False, 0, 0, []
        self.open: list[tuple[str, bool, int]] = []
        self.pieces: dict[str, list[tuple[int, int, bool]]] = {}
        self.detail: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "text":
            self.inside, self.depth = True, 0
        elif self.inside:
            self.depth += 1
            if tag == "mark":
                self.open.append((attrs["data-row"], "id" in attrs, self.pos))

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if self.depth == 0:
            self.inside = False
            return
        self.depth -= 1
        if tag == "mark":
            row, first, start = self.open.pop()
            self.pieces.setdefault(row, []).append((start, self.pos, first))

    def handle_data(self, data):
        if self.inside:
            self.pos += len(data)
            self.text.append(data)


@pytest.fixture(scope="module")
def pages(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("review")
    written = write_review(corpus, list(corpus.documents.doc_id), out_dir=out)
    return {p.stem: p for p in written}


def test_highlight_escapes_and_splits_crossing_rows():
    rows = [{"id": "t-1", "state": "mapped", "start": 0, "end": 4}, {"id": "t-2", "state": "actual", "start": 2, "end": 6}]
    html = highlight("<b>&</b>", rows, [])
    assert "<b>" not in html and html.count('id="t-2"') == 1 and html.count('data-row="t-2"') == 2
    parser = Marks()
    parser.feed(f'<div id="text">{html}</div>')
    assert "".join(parser.text) == "<b>&</b>"
    assert sorted(parser.pieces["t-2"]) == [(2, 4, True), (4, 6, False)]


def test_one_highlight_per_row_at_its_offsets(corpus, pages):
    for doc_id in corpus.documents.doc_id:
        parser = Marks()
        parser.feed(pages[doc_id].read_text(encoding="utf-8"))
        assert "".join(parser.text) == plan_text(corpus.raw, corpus.documents, doc_id)  # the full text, unescaped exactly
        rows = review_rows(corpus.tables, doc_id)
        assert len(rows) == len(corpus.targets[corpus.targets.doc_id == doc_id]) + (
            len(corpus.actuals[corpus.actuals.doc_id == doc_id]) if "actuals" in corpus.tables else 0)
        assert set(parser.pieces) == {r["id"] for r in rows}
        for r in rows:
            pieces = sorted(parser.pieces[r["id"]])
            assert sum(first for *_, first in pieces) == 1, r["id"]
            assert pieces[0][0] == r["start"] and pieces[-1][1] == r["end"], r["id"]
            assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:])), r["id"]  # contiguous


def test_jiujiang_pass_rate_is_highlighted_in_its_own_script(pages, corpus):
    quote = "制造業產品質量合格率達到94.5%以上"
    t = corpus.targets
    n = t.loc[(t.doc_id == "jiujiang-2024") & (t.quote == quote), "target_id"].item()
    html = pages["jiujiang-2024"].read_text(encoding="utf-8")
    assert f'<mark id="t-{n}" data-row="t-{n}" class="s-mapped">{quote}</mark>' in html


def test_page_is_self_contained(pages):
    html = pages["yichun"].read_text(encoding="utf-8")
    assert "url(data:font/otf;base64," in html
    assert not re.search(r'(src|href)="(https?:)?//|url\((https?:)?//|@import', html)


def test_report_index_links_the_review_pages(tmp_path):
    (tmp_path / "review").mkdir()
    (tmp_path / "review" / "yichun.html").write_text("x")
    assert '<a href="review/yichun.html">yichun</a>' in render_index({"reports": {}}, tmp_path, tmp_path / "figures")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_click_on_the_first_highlight_shows_its_value(corpus, pages):
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium on PATH: install it (apt-get install -y chromium) to run the browser test")
    page = pages["huaian-inferred"]
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", f"{page.as_uri()}#click-first"],
                         capture_output=True, text=True, timeout=120).stdout
    first = review_rows(corpus.tables, "huaian-inferred")[0]
    assert first["fields"]["value"] == 93.0  # 保证制造业监督抽查合格率稳定在93%以上
    detail = re.search(r'<section id="detail"><div class="row" data-row="([^"]+)">(.*?)</section>', dom, re.S)
    assert detail, "the click showed no row"
    assert detail.group(1) == first["id"]
    value = re.search(r'<tr data-field="value"><th>value</th><td>([^<]*)</td>', detail.group(2)).group(1)
    assert float(value) == first["fields"]["value"]
    assert f'start: {first["start"]}' in detail.group(2)  # the YAML correction entry is there to copy


def test_font_subset_holds_the_simplified_fields_of_a_traditional_plan(pages):
    import base64
    import io

    from fontTools.ttLib import TTFont

    html = pages["jiujiang-2024"].read_text(encoding="utf-8")
    data = re.search(r"url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)", html).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    assert all(ord(c) in cmap for c in "業產質业产质全文")  # the text's 業產質, the indicator_raw's 业产质, the labels
