"""The report notebooks: stored thin and without outputs, and each runs through papermill on
the bundled plans (one parameter set per notebook, one process pool), making its figures."""

from __future__ import annotations

import ast
import json
import shutil

import nbformat
import papermill
import pytest

import qcompare as qc
from qcompare.reports import batch as report
from qcompare.reports.grid import GRID_PARAMETER, GRIDS, discover, reports

from .conftest import RAW, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PREFERRED = {"indicator": "indicator-manufacturing_product_pass_rate", "plan": "jurisdiction-jincheng-2023"}


def python(source: str) -> ast.Module:
    """A code cell as Python (IPython magics such as %matplotlib turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def parameters_cell(path):
    cells = [c for c in code_cells(path) if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: exactly one cell must be tagged 'parameters'"
    return cells[0]


def test_notebooks_exist():
    assert {"overview.ipynb", "indicator.ipynb", "jurisdiction.ipynb"} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    for cell in code_cells(path):
        assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear outputs before saving"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_are_typed_commented_literals(path):
    cell = parameters_cell(path)
    lines = [line for line in cell.source.splitlines() if line.strip()]
    tree = ast.parse(cell.source)
    assert len(tree.body) == len(lines), f"{path.name}: one parameter per line"
    for line, stmt in zip(lines, tree.body):
        assert isinstance(stmt, ast.AnnAssign), f"{path.name}: {line!r} needs a type hint"
        assert "  # " in line, f"{path.name}: {line!r} needs a trailing comment"
        ast.literal_eval(stmt.value)  # a literal default, not a derived value
    names = [stmt.target.id for stmt in tree.body]
    assert list(papermill.inspect_notebook(str(path))) == names  # `papermill --help-notebook` documents each
    grid = nbformat.read(path, as_version=4).metadata["qcompare"]["grid"]
    assert grid in GRIDS
    assert "lang" in names and (grid not in GRID_PARAMETER or GRID_PARAMETER[grid] in names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin(path):
    for cell in code_cells(path):
        for node in ast.walk(python(cell.source)):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), \
                f"{path.name}: move definitions into qcompare/"


@pytest.fixture(scope="module")
def executed(tmp_path_factory, corpus):
    """One report per notebook, run by the report runner on a copy of the built tables."""
    root = tmp_path_factory.mktemp("notebooks") / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    shutil.copytree(corpus.path, root / "data" / "processed")
    found, _ = discover(ROOT / "notebooks")
    names = {}
    for r in reports(found, corpus.documents, corpus.targets, qc.taxonomy(), "zh"):
        names.setdefault(r.notebook.name, r.name)
        if r.name in PREFERRED.values():
            names[r.notebook.name] = r.name
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QCOMPARE_HOME", str(root))
        result = report.run(jobs=2, only=sorted(names.values()), notebooks=ROOT / "notebooks")
    return root, result, names


def test_every_notebook_runs(executed):
    root, result, names = executed
    assert result.failed == [], report.describe(result)
    assert sorted(result.ran) == sorted(names.values())
    for name in result.ran:
        nb = nbformat.read(root / "reports" / f"{name}.ipynb", as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert errors == []
        html = (root / "reports" / f"{name}.html").read_text(encoding="utf-8")
        assert "import qcompare" not in html and "from qcompare" not in html  # code hidden


def test_figures_exist(executed):
    root, result, names = executed
    manifest = result.manifest["reports"]
    for name in result.ran:
        saves = any("qc.plot.save" in c.source for c in code_cells(ROOT / manifest[name]["notebook"]))
        figures = manifest[name]["figures"]
        assert bool(figures) == saves, name
        for f in figures:
            assert (root / "figures" / f).stat().st_size > 0
    assert {"coverage_1.png", "coverage_1.svg", "coverage_2.png"} <= set(manifest["overview"]["figures"])  # A4 pages
    indicator = manifest["indicator-manufacturing_product_pass_rate"]["figures"]
    assert {"compare_manufacturing_product_pass_rate.png", "compare_manufacturing_product_pass_rate.svg"} <= set(indicator)


def test_reports_show_the_plans_values(executed):
    root, _, _ = executed
    html = (root / "reports" / "indicator-manufacturing_product_pass_rate.html").read_text(encoding="utf-8")
    for value in ("94.5", "93", "九江市", "宜春市", "晋城市"):
        assert value in html
    plan = (root / "reports" / "jurisdiction-jincheng-2023.html").read_text(encoding="utf-8")
    assert "晋市政发〔2023〕18号" in plan and "98.5" in plan and "食品安全抽检合格率" in plan
    overview = (root / "reports" / "overview.html").read_text(encoding="utf-8")
    assert all(j in overview for j in ("九江市", "宜春市", "晋城市", "江苏省", "淮安市"))
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="overview.html"' in index and "../figures/coverage_1.svg" in index
    manifest = json.loads((root / "reports" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"]["jurisdiction-jincheng-2023"]["parameters"] == {"doc_id": "jincheng-2023", "lang": "zh"}


def test_profile_tables(corpus):
    from qcompare.analysis.profile import category_counts, profile

    plan = profile("jincheng-2023", corpus)
    assert plan.document.at["doc_number", "value"] == "晋市政发〔2023〕18号"
    food = plan.targets[plan.targets.indicator_raw == "食品安全抽检合格率"]
    assert food.target.tolist() == ["98.5%"] and food.index.tolist() == [("食品与农产品", "食品安全抽检合格率")]
    assert plan.targets.loc[("产品质量", "制造业产品质量合格率"), "target"] == "≥ 93%"
    leaders = plan.targets.loc[("食品与农产品", "农业产业化龙头企业")]
    assert (leaders["target"], leaders["kind"]) == ("新增20家", "added")  # 新增市级以上农业产业化龙头企业20家
    assert len(plan.targets) == (corpus.targets.doc_id == "jincheng-2023").sum()  # unmapped kept
    assert plan.targets.index.get_level_values("category")[-1] == "未归类"
    assert plan.horizons.targets.sum() == len(plan.targets)
    # only Jincheng sets this indicator; Jiujiang and Yichun set another of its family
    row = plan.distinctive.set_index("indicator_id").loc["food_safety_sampling_pass_rate"]
    assert row.family_also_in == "九江市, 宜春市"
    assert "manufacturing_product_pass_rate" not in set(plan.distinctive.indicator_id)
    yichun = profile("yichun", corpus, lang="en")
    assert yichun.document.at["issued", "value"] == ""  # undated: blank, not NaN
    assert "qualitative target" in set(yichun.targets.target)
    counts = category_counts(corpus)
    assert counts.sum().sum() == len(corpus.targets)
    assert list(counts.columns[:1]) == ["江苏省"]  # province plans first
    assert counts.index[0] == "产品质量" and counts.index[-1] == "未归类"  # categories named in the report's language
    assert category_counts(corpus, lang="en").index[0] == "Products"
    with pytest.raises(qc.QcompareError, match="jincheng-2023"):
        profile("jincheng-2032", corpus)
    for doc_id in corpus.documents.doc_id:  # every plan's tables render, one indicator set twice included
        for part in ("targets", "horizons", "distinctive"):
            assert "<table" in profile(doc_id, corpus).styled(part).to_html()


def test_reports_show_every_figure_inline(executed):
    """Each saved figure appears as an <img> whose alt text is its title; no figure repr, no
    machine path in any output; the page declares its language and loads the shipped font."""
    root, result, _ = executed
    manifest = result.manifest["reports"]
    for name in result.ran:
        html = (root / "reports" / f"{name}.html").read_text(encoding="utf-8")
        nb = nbformat.read(root / "reports" / f"{name}.ipynb", as_version=4)
        outputs = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
        pngs = [f for f in manifest[name]["figures"] if f.endswith(".png")]
        assert html.count("<img") >= len(pngs), name
        assert 'alt=""' not in html, name
        for text in (html, outputs):
            assert "<Figure size" not in text and "PosixPath" not in text and str(root) not in text, name
        assert '<html lang="zh-CN">' in html and 'url("fonts/NotoSansCJKsc-Regular.otf")' in html, name
    indicator = (root / "reports" / "indicator-manufacturing_product_pass_rate.html").read_text(encoding="utf-8")
    assert 'alt="制造业产品质量合格率"' in indicator
    assert (root / "reports" / "fonts" / "NotoSansCJKsc-Regular.otf").stat().st_size > 1_000_000


def test_indicator_report_is_a_briefing(executed):
    root, _, _ = executed
    html = (root / "reports" / "indicator-manufacturing_product_pass_rate.html").read_text(encoding="utf-8")
    assert "九江市的目标最高：≥ 94.5%（2025年）" in html  # the finding sentence, from the data
    assert "江苏省、淮安市未设定目标" in html
    for column in ("国家目标", "最新全国实际", "与国家目标差距", "原文"):
        assert f">{column}</th>" in html
    assert "+0.5个百分点" in html and "制造業產品質量合格率達到94.5%以上" in html
    assert "<NA>" not in html and ">NaN<" not in html


def chromium() -> str | None:
    """The distribution's headless Chromium (.ci/run installs it on CI)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_indicator_report_renders_without_system_fonts(executed, tmp_path):
    """A real browser loads the report's own CJK font (no tofu): the FontFace declared by the
    report reaches status 'loaded', and the page is screenshotted."""
    import os
    import re
    import subprocess

    browser = chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium missing: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    root, _, _ = executed
    page = root / "reports" / "indicator-manufacturing_product_pass_rate.html"
    probe = page.with_name("font-probe.html")
    script = ("<script>document.fonts.ready.then(() => { const faces = [...document.fonts]"
              ".filter(f => f.family.replace(/\"/g, '') === 'Noto Sans CJK SC').map(f => f.status);"
              " document.body.setAttribute('data-cjk', faces.join(',') || 'none'); });</script>")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000"]
    dom = subprocess.run([*flags, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert re.search(r'data-cjk="loaded"', dom), re.findall(r'data-cjk="[^"]*"', dom)
    shot = tmp_path / "indicator.png"
    subprocess.run([*flags, "--window-size=1200,1100", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000
