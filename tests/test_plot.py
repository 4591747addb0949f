"""Briefing figures: CJK glyphs, labels from the data, 300 dpi PNG, deterministic SVG."""

from __future__ import annotations

import io
import re
import warnings
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import pytest
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

import qcompare as qc
from qcompare.figures import fonts
from qcompare.figures import compare as compare_figure, page, save as save_figure
from qcompare.corpus import Corpus
from qcompare.schema import TABLES

MEASURE = "manufacturing_product_pass_rate"


@contextmanager
def glyphs_must_exist():
    """Turn matplotlib's missing-glyph warning into an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font", category=UserWarning)
        yield


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def zh(corpus) -> Figure:
    with matplotlib.rc_context(), glyphs_must_exist():
        sns.set_theme()  # resets fonts and style: the plot functions must set their own
        fig = qc.plot.compare(MEASURE, corpus=corpus)
        fig.canvas.draw()
    return fig


@pytest.fixture(scope="module")
def en(corpus) -> Figure:
    return qc.plot.compare(MEASURE, lang="en", corpus=corpus)


def test_font_is_the_bundled_noto_sans_cjk():
    name = fonts.use_cjk_font()
    assert name == "Noto Sans CJK SC"
    path = fonts.cjk_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf" and path.parent.parent.name == "mplfonts"
    found = matplotlib.font_manager.findfont(matplotlib.font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    assert Path(found) == path


def test_missing_glyph_check_can_fail():
    fig = Figure()
    fig.text(0.1, 0.5, "制造业产品质量合格率 九江市", family="DejaVu Sans")
    with glyphs_must_exist(), pytest.raises(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")


def test_chinese_draws_without_missing_glyphs_after_seaborn_theme():
    with matplotlib.rc_context(), glyphs_must_exist():
        sns.set_theme()
        fonts.use_cjk_font()
        fig = Figure()
        fig.text(0.1, 0.6, "制造业产品质量合格率")
        fig.text(0.1, 0.3, "九江市 ≥ 94.5%")
        sns.set_theme()  # a theme call after the text was made does not lose the font either
        fig.savefig(io.BytesIO(), format="png")
        fig.savefig(io.BytesIO(), format="svg")


def test_house_style_survives_a_seaborn_theme(zh):
    assert zh.axes[0].get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert not any(line.get_visible() for line in zh.axes[0].get_xgridlines())


def test_zh_figure_labels_come_from_the_data(zh):
    words = texts(zh)
    assert "制造业产品质量合格率" in words  # taxonomy name_zh as title
    assert {"九江市", "宜春市", "晋城市"} <= set(words)
    assert {"≥ 94.5%", "≥ 94%", "≥ 93%"} <= set(words)
    assert words.count("— 未设定目标") == 2  # Jiangsu and Huai'an
    assert any(w.startswith("国家目标（2025年）") and w.endswith("94%") for w in words)
    assert any(w.startswith("全国实际（2024年）") and "93.93%" in w for w in words)
    source = "\n".join(w for w in words if "《" in w)
    assert "晋市政发〔2023〕18号" in source and "九江市深化质量强市建设实施方案" in source
    assert "质量强国建设纲要" in source
    assert zh.get_label() == "compare_manufacturing_product_pass_rate"


def test_en_figure_uses_english_names(en):
    words = texts(en)
    assert "Manufacturing product quality pass rate" in words
    ticks = [t.get_text() for t in en.axes[0].get_yticklabels()]
    assert "Jiujiang" in ticks and all(re.fullmatch(r"[ -~]+", t) for t in ticks)
    assert "— no target set" in words
    assert en.get_label() == "compare_manufacturing_product_pass_rate_en"


def test_qualitative_and_no_target_rows_differ(corpus):
    fig = qc.plot.compare("manufacturing_competitiveness_index", corpus=corpus)
    ax = fig.axes[0]
    qualitative = [t for t in ax.texts if t.get_text().startswith("定性目标")]
    none = [t for t in ax.texts if "未设定目标" in t.get_text()]
    assert len(qualitative) == 1 and "全省先进水平" in qualitative[0].get_text()
    assert none and qualitative[0].get_color() != none[0].get_color()


def test_province_and_aspirational_marks(corpus):
    targets = corpus.targets.copy()
    targets.loc[(targets["doc_id"] == "jiujiang-2024") & (targets["indicator_id"] == MEASURE), "aspirational"] = True
    hoped = Corpus({**corpus.tables, "targets": TABLES["targets"].validate(targets)}, corpus.path, corpus.raw)
    fig = qc.plot.compare("manufacturing_pass_rate", corpus=hoped)
    markers = [(l.get_marker(), l.get_markerfacecolor()) for l in fig.axes[0].lines if l.get_marker() not in ("None", None)]
    assert ("s", compare_figure.LEVEL_STYLE["province"][1]) in markers  # Jiangsu
    assert ("o", "white") in markers  # Jiujiang, aspirational: hollow
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"省级方案", "市级方案", "力争目标（空心）", "国家目标"} <= set(legend)


def test_save_writes_300_dpi_png_and_deterministic_svg(zh, corpus, tmp_path):
    first = save_figure.save(zh, folder=tmp_path / "a")
    assert [p.name for p in first] == [f"compare_{MEASURE}.png", f"compare_{MEASURE}.svg"]
    with Image.open(first[0]) as im:
        assert tuple(round(d) for d in im.info["dpi"]) == (300, 300)
        assert im.size[0] == round(page.WIDTH_IN * 300)
    assert b"<svg" in first[1].read_bytes()[:1000]
    again = save_figure.save(zh, folder=tmp_path / "a")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in first] or pytest.fail("resave differs")
    regenerated = save_figure.save(qc.plot.compare(MEASURE, corpus=corpus), folder=tmp_path / "b")
    assert first[1].read_bytes() == regenerated[1].read_bytes()
    assert first[0].read_bytes() == regenerated[0].read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in first)  # no temp files left
    plain_file = tmp_path / "plain.txt"
    plain_file.write_text("x")
    assert first[0].stat().st_mode == plain_file.stat().st_mode  # not the temp file's private mode


def test_save_refuses_a_name_that_is_not_a_file_name(zh, tmp_path):
    with pytest.raises(qc.QcompareError, match="figure name"):
        save_figure.save(zh, "../escape", folder=tmp_path)


def test_coverage_figure_pages(corpus, tmp_path):
    with glyphs_must_exist():
        pages = qc.plot.coverage(corpus=corpus)
        files = save_figure.save(pages[0], folder=tmp_path)
    assert [p.name for p in files] == ["coverage_1.png", "coverage_1.svg"]
    assert all(fig.get_size_inches()[1] <= 10.0 for fig in pages)  # each fits an A4 page
    words = [w for fig in pages for w in texts(fig)]
    assert {"量化目标", "定性目标", "未设定"} <= set(words)  # legend
    assert "≥94.5%" in words and "产品质量" in words and "2025年" in words  # value, then its year
    assert "新增4项" in words  # 淮安's addition of local standards, with its kind
    rows = [t.get_text() for fig in pages for t in fig.axes[0].get_yticklabels()]
    assert len(rows) == len(qc.coverage(corpus=corpus).index) and len(set(rows)) == len(rows)  # every row once
    english = qc.plot.coverage(lang="en", corpus=corpus)[0].axes[0].get_xticklabels()
    assert "Jiujiang" in [t.get_text() for t in english] and {t.get_rotation() for t in english} == {0.0}


def test_editable_svg_keeps_text_as_text(corpus, tmp_path):
    fig = qc.plot.compare(MEASURE, corpus=corpus)
    editable = save_figure.save(fig, folder=tmp_path / "e", editable=True)[1].read_text(encoding="utf-8")
    outlined = save_figure.save(fig, folder=tmp_path / "o")[1].read_text(encoding="utf-8")
    assert ">九江市</text>" in editable and "</text>" not in outlined
    assert f"font-family: '{fonts.register_cjk_font()}', 'DejaVu Sans'" in editable


def test_saved_figure_shows_as_image_with_its_title(corpus, tmp_path):
    shown = qc.plot.save(qc.plot.compare(MEASURE, corpus=corpus), folder=tmp_path / "figures")
    assert repr(shown) == f"figures/compare_{MEASURE}.png, figures/compare_{MEASURE}.svg"
    assert 'alt="制造业产品质量合格率"' in shown._repr_html_() and str(tmp_path) not in shown._repr_html_()


def test_no_module_shadows_a_table_name():
    assert not set(TABLES) & set(dir(qc))
    assert callable(qc.profile) and callable(qc.brief)


def test_profile_figure(corpus):
    fig = qc.plot.profile("jincheng-2023", lang="en", corpus=corpus)
    texts = " ".join(t.get_text() for t in fig.texts)
    assert fig.get_label() == "profile_jincheng-2023_en" and page.title_of(fig) == "What the Jincheng plan sets"
    assert "Food safety sampling pass rate" in texts  # no other bundled plan sets it
    years = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert years == ["2025", "year not stated"]
