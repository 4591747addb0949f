"""`qcompare add`: .txt, .docx, .pdf and saved .html plans round-trip to the same targets,
metadata is read from the text, and refusals write nothing."""

from __future__ import annotations

import html
import io
import os
from pathlib import Path

import docx
import mplfonts
import pandas as pd
import pytest
import yaml

import qcompare.ingest.add as add_module
from qcompare.ingest.add import add_plan, plan_metadata
from qcompare.build import build_tables, process_plan
from qcompare.cli import main
from qcompare.errors import ImportRefused
from qcompare.ingest.importers import Imported, import_file
from qcompare.plan.sidecar import read_sidecar

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
FONTS = Path(mplfonts.__file__).parent / "fonts"
TARGET_COLUMNS = ["indicator_raw", "value", "unit", "comparator"]
NOISE = ["首页", "政务公开", "当前位置", "分享到", "微信", "版权所有", "ICP备", "上一篇", "下一篇", "浏览次数", "网站标识码"]


def rows(targets: pd.DataFrame) -> list[tuple]:
    """Target tuples (indicator_raw, value, unit, comparator), None where empty."""
    values = targets[TARGET_COLUMNS].astype(object)
    return list(values.where(values.notna(), None).itertuples(index=False, name=None))


def bundled_targets(doc_id: str) -> list[tuple]:
    """The targets of a bundled plan, built from its .txt and sidecar."""
    meta = read_sidecar(RAW / f"{doc_id}.meta.yml")
    return rows(process_plan(doc_id, (RAW / f"{doc_id}.txt").read_bytes(), meta)["targets"])


def built_targets(raw: Path, doc_id: str) -> list[tuple]:
    """The targets of ``doc_id`` when ``raw`` is built, as ``qcompare build`` does."""
    tables, failures = build_tables(raw)
    assert failures == []
    return rows(tables["targets"].query("doc_id == @doc_id").sort_values("target_id"))


def plan_lines(doc_id: str) -> list[str]:
    return [line for line in (RAW / f"{doc_id}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def make_docx(lines: list[str], path: Path) -> Path:
    """A Word file: the lines holding `|` (a page's header fields) as a table, the rest as paragraphs."""
    document = docx.Document()
    table_rows = [[c.strip() for c in line.strip(" |").split("|")] for line in lines if "|" in line]
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=max(map(len, table_rows)))
        for r, cells in enumerate(table_rows):
            for c, cell in enumerate(cells):
                table.cell(r, c).text = cell
    for line in lines:
        if "|" not in line:
            document.add_paragraph("\u3000\u3000" + line)  # the usual two-character first-line indent
    document.save(path)
    return path


def make_pdf(lines: list[str], path: Path, font: str = "SimHei.ttf") -> Path:
    """A PDF with a text layer: each line a paragraph, wrapped at the right margin."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=str(FONTS / font))
    pdf.set_font("cjk", size=11)
    pdf.add_page()
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def make_page(lines: list[str], title: str, path: Path) -> Path:
    """A saved government web page: the plan between a nav menu, share bar, pager and footer."""
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    path.write_text(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_某市人民政府门户网站</title></head>
<body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/bsfw">办事服务</a></li><li><a href="/hdjl">互动交流</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 通知公告</div>
<div class="article"><h1>{title}</h1>
<div class="info">发布时间：2024-01-15 来源：市场监管局 浏览次数：1234</div>
<div class="content">{body}</div>
<div class="share">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
<div class="pager"><p>上一篇：<a href="/a/1.html">关于开展2023年度产品质量监督抽查的通知</a></p>
<p>下一篇：<a href="/a/3.html">2024年食品安全抽检合格率达到98%的公告</a></p></div></div>
<div class="footer"><p>版权所有：某市人民政府 主办：某市人民政府办公室 ICP备05001234号-1</p>
<p>联系电话：0356-2021234 网站标识码：1405000001</p></div>
</body></html>""", encoding="utf-8")
    return path


def add(path: Path, raw: Path, doc_id: str = "meizhou-2023", **kw):
    kw.setdefault("jurisdiction_en", "Test")
    kw.setdefault("province", "测试省")
    return add_plan(path, doc_id, kw.pop("jurisdiction", "测试市"), kw.pop("level", "city"), raw=raw, **kw)


# --- round trips ---------------------------------------------------------------------


def test_txt_in_gbk_is_added_as_utf8_with_metadata_read_from_the_text(tmp_path):
    src = tmp_path / "jincheng.txt"
    src.write_bytes((RAW / "jincheng-2023.txt").read_text(encoding="utf-8").encode("gb18030"))
    raw = tmp_path / "raw"
    added = add(src, raw, "jincheng-copy", jurisdiction="晋城市", jurisdiction_en="Jincheng", province="山西省")

    assert added.text_path.read_text(encoding="utf-8").startswith("索 引 号: | 11140500012420117H027/2024-00023")
    assert (raw / "originals" / "jincheng-copy.txt").read_bytes() == src.read_bytes()
    meta = read_sidecar(raw / "jincheng-copy.meta.yml")
    assert meta["title"] == "关于全面推进质量强市建设的实施方案"
    assert meta["doc_number"] == "晋市政发〔2023〕18号"
    assert meta["issued"] == "2023-12-26"  # 成文日期, stated: a fact, not a guess
    assert meta["inferred"] == []
    assert meta["notes"] == "Read from the text by qcompare add: title, issued, doc_number."
    assert meta["source"] == "jincheng.txt (txt), added with qcompare add"
    assert added.read_from_text == ["title", "issued", "doc_number"]
    targets = built_targets(raw, "jincheng-copy")
    assert targets == bundled_targets("jincheng-2023")
    assert ("制造业产品质量合格率", 93.0, "%", ">=") in targets


@pytest.mark.parametrize("doc_id", ["jincheng-2023", "jiujiang-2024", "yichun", "jiangsu-2018", "huaian-inferred"])
def test_docx_round_trips_to_the_same_targets(doc_id, tmp_path):
    src = make_docx(plan_lines(doc_id), tmp_path / f"{doc_id}.docx")
    raw = tmp_path / "raw"
    add(src, raw, doc_id, title="某方案")
    assert built_targets(raw, doc_id) == bundled_targets(doc_id)


def test_docx_reads_paragraphs_and_tables_in_order(tmp_path):
    document = docx.Document()
    document.add_paragraph("一、主要目标")
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["指标", "2025年目标", "备注"]):
        table.cell(0, c).text = text
    table.cell(1, 0).text = "制造业产品质量合格率"
    table.cell(1, 1).merge(table.cell(1, 2)).text = "94.5%以上"
    document.add_paragraph("二、重点任务\n（一）强化标准引领")
    out = io.BytesIO()
    document.save(out)
    (tmp_path / "t.docx").write_bytes(out.getvalue())
    assert import_file(tmp_path / "t.docx").text == (
        "一、主要目标\n指标 | 2025年目标 | 备注\n制造业产品质量合格率 | 94.5%以上\n二、重点任务\n（一）强化标准引领"
    )


@pytest.mark.parametrize("doc_id", ["jincheng-2023", "yichun"])
def test_pdf_round_trips_to_the_same_targets(doc_id, tmp_path):
    src = make_pdf(plan_lines(doc_id), tmp_path / f"{doc_id}.pdf")
    raw = tmp_path / "raw"
    added = add(src, raw, doc_id, title=None if doc_id == "jincheng-2023" else "宜春市深化质量强市建设实施方案")
    assert built_targets(raw, doc_id) == bundled_targets(doc_id)
    # wrapped lines are joined back: most paragraphs come out whole
    original = set(plan_lines(doc_id))
    written = added.text_path.read_text(encoding="utf-8").splitlines()
    assert sum(line in original for line in written) >= 0.85 * len(original)


def test_pdf_whose_text_layer_does_not_decode_is_refused(tmp_path):
    # fpdf2 embeds this CFF font so that pypdf reads two-byte codes as one byte each
    # (NULs between characters, then wrong characters): refused rather than added as garbage.
    src = make_pdf(plan_lines("jincheng-2023")[:40], tmp_path / "noto.pdf", "NotoSansCJKsc-Regular.otf")
    with pytest.raises(ImportRefused, match="the PDF's text layer does not decode"):
        add(src, tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_saved_page_yields_the_targets_and_none_of_the_noise(tmp_path):
    lines = plan_lines("jincheng-2023")
    src = make_page(lines, "关于全面推进质量强市建设的实施方案", tmp_path / "page.html")
    raw = tmp_path / "raw"
    added = add(src, raw, "jincheng-web")
    text = added.text_path.read_text(encoding="utf-8")
    assert text.splitlines() == lines  # paragraph line breaks kept, nothing added or dropped
    for noise in NOISE:
        assert noise not in text, noise
    assert built_targets(raw, "jincheng-web") == bundled_targets("jincheng-2023")
    assert added.meta["title"] == "关于全面推进质量强市建设的实施方案"


def test_saved_page_title_comes_first_when_the_body_lacks_it(tmp_path):
    lines = plan_lines("yichun")  # the Yichun text states no title
    src = make_page(lines, "宜春市深化质量强市建设实施方案", tmp_path / "yichun.htm")
    added = add(src, tmp_path / "raw", "yichun-web")
    assert added.text_path.read_text(encoding="utf-8").splitlines()[:2] == ["宜春市深化质量强市建设实施方案", lines[0]]
    assert added.meta["title"] == "宜春市深化质量强市建设实施方案" and "title" in added.read_from_text
    assert built_targets(tmp_path / "raw", "yichun-web") == bundled_targets("yichun")


# --- metadata ------------------------------------------------------------------------


def test_given_values_win_and_a_publication_date_is_an_inferred_issue_date():
    text = "梅州市质量强市建设实施方案\n发布日期：2024-01-15\n到2025年，制造业产品质量合格率达到94%以上。"
    meta, read, warnings = plan_metadata(Imported(text, "txt"), "p.txt", jurisdiction="梅州市", level="city")
    assert meta["title"] == "梅州市质量强市建设实施方案" and read == ["title"]
    assert meta["issued"] == "2024-01-15" and meta["inferred"] == ["issued"]
    assert "publication date 2024-01-15" in meta["notes"]
    assert warnings == ["province is empty: give --province or fill it in the sidecar",
                        "jurisdiction_en is empty: give --jurisdiction-en or fill it in the sidecar"]
    given, read, _ = plan_metadata(Imported(text, "txt"), "p.txt", jurisdiction="梅州市", level="city",
                                   title="我的标题", issued="2023-10-20", province="广东省", jurisdiction_en="Meizhou")
    assert (given["title"], given["issued"], given["inferred"], read) == ("我的标题", "2023-10-20", [], [])


def test_province_level_plan_is_its_own_province(tmp_path):
    src = tmp_path / "js.txt"
    src.write_bytes((RAW / "jiangsu-2018.txt").read_bytes())
    added = add_plan(src, "jiangsu-copy", "江苏省", "province", raw=tmp_path / "raw", jurisdiction_en="Jiangsu")
    assert added.meta["province"] == "江苏省" and added.warnings == []


def test_no_title_in_the_text_or_the_arguments_is_refused(tmp_path):
    src = tmp_path / "yichun.txt"
    src.write_bytes((RAW / "yichun.txt").read_bytes())
    with pytest.raises(ImportRefused, match="no title found in the text .*; give it with --title"):
        add(src, tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["../evil", "a/b", "Meizhou", "mei zhou", "meizhou_2023", "-x", "x-", "x--y", "", "梅州", "a" * 65])
def test_unsafe_ids_are_refused(bad_id, tmp_path):
    with pytest.raises(ImportRefused, match="is not a safe id: use lowercase ASCII letters, digits and single hyphens"):
        add(RAW / "jincheng-2023.txt", tmp_path / "raw", bad_id)
    assert not (tmp_path / "raw").exists()


def test_bad_issued_date_is_refused(tmp_path):
    with pytest.raises(ImportRefused, match=r"--issued '2023-10-32' is not an ISO date; write it as 2023-10-20"):
        add(RAW / "jincheng-2023.txt", tmp_path / "raw", issued="2023-10-32")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_existing_id_needs_replace(tmp_path):
    raw = tmp_path / "raw"
    add(RAW / "jincheng-2023.txt", raw, "plan")
    before = _snapshot(raw)
    docx_file = make_docx(plan_lines("yichun"), tmp_path / "yichun.docx")
    with pytest.raises(ImportRefused, match=r"id 'plan' already exists .*; pick another id or pass --replace"):
        add(docx_file, raw, "plan", title="宜春市深化质量强市建设实施方案")
    assert _snapshot(raw) == before

    add(docx_file, raw, "plan", title="宜春市深化质量强市建设实施方案", replace=True)
    after = _snapshot(raw)
    assert sorted(after) == ["originals/plan.docx", "plan.meta.yml", "plan.txt"]  # the old .txt original is gone
    assert yaml.safe_load(after["plan.meta.yml"])["title"] == "宜春市深化质量强市建设实施方案"


@pytest.mark.parametrize("replace", [False, True])
def test_failure_midway_leaves_nothing_half_written(replace, tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    if replace:
        add(RAW / "jiujiang-2024.txt", raw, "plan")
    before = _snapshot(raw) if raw.exists() else {}
    calls, real_replace = [], os.replace

    def flaky_replace(src, dst):
        calls.append(dst)
        if Path(dst) == raw / "plan.txt" and Path(src).suffix == ".tmp":  # moving the last file into place
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(add_module.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="No space left"):
        add(RAW / "jincheng-2023.txt", raw, "plan", replace=replace)
    monkeypatch.undo()
    assert calls, "the write path was not exercised"
    assert (_snapshot(raw) if raw.exists() else {}) == before  # old files restored, new ones removed, no temp files


def test_cli_add_prints_what_it_wrote(tmp_path, capsys, corpus):
    src = make_docx(plan_lines("jincheng-2023"), tmp_path / "晋城方案.docx")
    raw = tmp_path / "raw"
    code = main(["add", str(src), "--id", "jincheng-word", "--jurisdiction", "晋城市", "--level", "city",
                 "--province", "山西省", "--raw", str(raw)])
    out, err = capsys.readouterr()
    assert code == 0
    n = int((corpus.targets.doc_id == "jincheng-2023").sum())  # the same text as the bundled plan: as many targets
    assert out.splitlines()[0].startswith("added jincheng-word: ") and f"{n} targets" in out.splitlines()[0]
    assert "(read from the text: title, issued, doc_number)" in out
    assert err == "note: jurisdiction_en is empty: give --jurisdiction-en or fill it in the sidecar (jincheng-word.meta.yml)\n"
    assert (raw / "originals" / "jincheng-word.docx").read_bytes() == src.read_bytes()

    code = main(["add", str(src), "--id", "jincheng-word", "--jurisdiction", "晋城市", "--level", "city", "--raw", str(raw)])
    assert code == 2 and "already exists" in capsys.readouterr().err


def test_legacy_word_file_named_docx_is_refused(tmp_path):
    src = tmp_path / "old.docx"
    src.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    with pytest.raises(ImportRefused, match="legacy Word 97-2003 file named .docx"):
        import_file(src)


def test_added_plan_is_found_by_the_build_but_originals_are_not(tmp_path):
    raw = tmp_path / "raw"
    add(make_pdf(plan_lines("jincheng-2023")[:20], tmp_path / "short.pdf"), raw, "short")
    tables, failures = build_tables(raw)
    assert failures == [] and list(tables["documents"].doc_id) == ["short"]
    assert not pd.isna(tables["documents"].doc_number.iloc[0])
