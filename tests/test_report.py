"""`qcompare report`: grids, incremental runs, failures, manifest and index, on tiny notebooks.

The runner is exercised end to end on a temporary project (the bundled plans, built once)
with small notebooks of its own, so these tests do not depend on the report notebooks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from qcompare import cli
from qcompare.reports import batch as report
from qcompare.reports import run as report_run
from qcompare.errors import NotebookError
from qcompare.reports.grid import discover, shared_indicators

from .conftest import RAW


def write_notebook(path: Path, grid: str | None, code: list[str], kernel: str = "no-such-kernel") -> Path:
    cells = [new_markdown_cell(f"# Tiny {path.stem}"),
             new_code_cell('lang: str = "zh"  # labels', metadata={"tags": ["parameters"]}),
             *(new_code_cell(c) for c in code)]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    if grid:
        nb.metadata["qcompare"] = {"grid": grid}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def make_project(base: Path, processed: Path) -> Path:
    """A project folder: the bundled raw plans and their built tables."""
    root = base / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    shutil.copytree(processed, root / "data" / "processed")
    return root


CWD = "import os, sys\nprint('cwd', os.getcwd())\nprint('python', sys.executable)"


FIRST = ["ok", "flaky", "plan-jincheng-2023"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, corpus):
    """Three runs on one project: a first run, a no-change rerun (in a fresh process), then a
    forced run of ``ok*`` with two notebooks failing."""
    base = tmp_path_factory.mktemp("report")
    root = make_project(base, corpus.path)
    nbs = base / "notebooks"
    write_notebook(nbs / "ok.ipynb", "corpus", [CWD])
    write_notebook(nbs / "plan.ipynb", "plan", ["print('plan', doc_id, lang)"])
    write_notebook(nbs / "flaky.ipynb", "corpus", ["print('good')"])
    write_notebook(nbs / "scratch.ipynb", None, ["1/0"])  # no grid: not a report
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QCOMPARE_HOME", str(root))
        mp.chdir(elsewhere)  # outputs go to the project, not the caller's folder
        first = report.run(jobs=2, notebooks=nbs, only=FIRST)
        env = {**os.environ, "QCOMPARE_HOME": str(root)}
        code = ("import json, sys, time; t = time.monotonic(); from qcompare.reports import batch as report; "
                f"r = report.run(jobs=2, notebooks={str(nbs)!r}, only={FIRST!r}); "
                "print(json.dumps({'ran': r.ran, 'unchanged': r.unchanged, 'seconds': time.monotonic() - t, "
                "'heavy': sorted(m for m in ('papermill', 'nbconvert', 'nbclient') if m in sys.modules)}))")
        second = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                           check=True, cwd=elsewhere).stdout.strip().splitlines()[-1])
        good_flaky = (root / "reports" / "flaky.html").read_bytes()
        write_notebook(nbs / "flaky.ipynb", "corpus", ["print('now broken')", "missing_name + 1"])
        write_notebook(nbs / "broken.ipynb", "corpus", ["1/0"])
        args = ["report", "--jobs", "2", "--notebooks", str(nbs), "--force", "--only", "ok*", "--only", "*flaky", "--only", "broken"]
        exit_code = cli.main(args)
        third = report.read_manifest(root / "reports")
    return {"root": root, "notebooks": nbs, "first": first, "second": second, "third": third,
            "exit_code": exit_code, "good_flaky": good_flaky, "elsewhere": elsewhere}


def test_first_run_makes_every_report(runs):
    first, reports = runs["first"], runs["root"] / "reports"
    assert first.failed == [] and first.exit_code == 0
    assert sorted(first.ran) == sorted(FIRST)
    assert [p.name for p in first.not_reports] == ["scratch.ipynb"]
    for name in first.ran:
        assert (reports / f"{name}.html").stat().st_size > 0
        assert (reports / f"{name}.ipynb").exists()
    assert not list(runs["elsewhere"].iterdir())


def test_kernel_is_the_project_environment_and_cwd_the_project(runs):
    nb = nbformat.read(runs["root"] / "reports" / "ok.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert f"cwd {runs['root']}" in text
    python = text.split("python ", 1)[1].split("\n", 1)[0]
    assert Path(python).resolve().parent == Path(sys.executable).resolve().parent


def test_plan_grid_injects_each_doc_id(runs):
    nb = nbformat.read(runs["root"] / "reports" / "plan-jincheng-2023.ipynb", as_version=4)
    assert "plan jincheng-2023 zh" in "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_html_hides_code(runs):
    html = (runs["root"] / "reports" / "ok.html").read_text(encoding="utf-8")
    assert "cwd " in html and "os.getcwd()" not in html


def test_no_change_rerun_executes_no_notebook(runs):
    second = runs["second"]
    assert second["ran"] == []
    assert len(second["unchanged"]) == len(runs["first"].ran)
    assert second["heavy"] == []  # papermill and nbconvert never imported on this path
    assert second["seconds"] < 5


def test_failing_notebooks_are_reported_and_the_rest_kept(runs):
    third, reports = runs["third"]["reports"], runs["root"] / "reports"
    assert runs["exit_code"] == 1
    assert third["broken"]["status"] == "failed" and third["flaky"]["status"] == "failed"
    assert "ZeroDivisionError" in third["broken"]["error"]
    assert "NameError" in third["flaky"]["error"] and "missing_name" in third["flaky"]["error"]
    failed_copy = nbformat.read(reports / "flaky.failed.ipynb", as_version=4)
    assert any(o.get("ename") == "NameError" for c in failed_copy.cells for o in c.get("outputs", []))
    # the earlier good report is kept, byte for byte, and still linked
    assert (reports / "flaky.html").read_bytes() == runs["good_flaky"]
    assert third["flaky"]["html"] == "flaky.html"
    assert third["ok"]["status"] == "ok" and third["plan-jincheng-2023"]["status"] == "ok"
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and 'href="ok.html"' in index


def test_failure_summary_names_notebook_parameters_and_error(runs):
    result = report.RunResult(manifest=runs["third"], failed=["broken"], reports_dir=runs["root"] / "reports")
    text = report.describe(result)
    assert "FAILED broken" in text and '{"lang": "zh"}' in text
    assert "ZeroDivisionError: division by zero" in text and "broken.failed.ipynb" in text


def test_manifest_records_inputs_versions_status_and_duration(runs):
    manifest = runs["third"]["reports"]
    entry = manifest["plan-jincheng-2023"]
    assert entry["notebook"].endswith("plan.ipynb")
    assert entry["parameters"] == {"doc_id": "jincheng-2023", "lang": "zh"}
    assert "targets rows" in entry["inputs"] and entry["inputs"]["qcompare"]
    assert len(entry["inputs"]["targets rows"]) == 64
    assert entry["libraries"]["papermill"] and entry["libraries"]["python"]
    assert entry["status"] == "ok" and entry["error"] is None and entry["duration_s"] > 0
    assert "晋城市" in entry["summary"]
    assert set(manifest) >= {"ok", "flaky", "broken"} and "scratch" not in manifest


def test_force_reruns_and_only_filters(runs):
    manifest, first = runs["third"]["reports"], runs["first"].manifest["reports"]
    assert manifest["ok"]["finished"] > first["ok"]["finished"] and manifest["ok"]["status"] == "ok"  # --force
    assert manifest["plan-jincheng-2023"] == first["plan-jincheng-2023"]  # outside --only: kept as it was
    assert "plan-yichun" not in manifest  # never run, never listed


def test_port_clash_is_retried_once(tmp_path, monkeypatch):
    import papermill

    nb = write_notebook(tmp_path / "n.ipynb", "corpus", ["1"])
    calls = []

    def fake_execute(input_path, output_path, **kw):
        calls.append(kw["kernel_name"])
        if len(calls) == 1:
            raise RuntimeError("zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:53555')")
        shutil.copy(input_path, output_path)

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    monkeypatch.setattr(report_run, "to_html", lambda nb, show_code, lang: "<html></html>")
    job = {"name": "n", "notebook": str(nb), "parameters": {"lang": "zh"}, "root": str(tmp_path),
           "reports": str(tmp_path / "reports"), "figures": str(tmp_path / "figures"), "show_code": False}
    outcome = report_run.run_report(job)
    assert outcome["status"] == "ok" and outcome["attempts"] == 2 and calls == ["qcompare", "qcompare"]
    assert (tmp_path / "reports" / "n.ipynb").exists()


def test_discover_reads_grids_and_rejects_unknown(tmp_path):
    write_notebook(tmp_path / "a.ipynb", "indicator", ["1"])
    write_notebook(tmp_path / "b.ipynb", None, ["1"])
    found, skipped = discover(tmp_path)
    assert [(n.path.name, n.grid, n.title) for n in found] == [("a.ipynb", "indicator", "Tiny a")]
    assert [p.name for p in skipped] == ["b.ipynb"]
    write_notebook(tmp_path / "c.ipynb", "jurisdictions", ["1"])
    with pytest.raises(NotebookError, match="c.ipynb.*'jurisdictions'"):
        discover(tmp_path)


def test_indicator_grid_is_what_two_or_more_plans_set(corpus):
    shared = shared_indicators(corpus.targets)
    assert {"manufacturing_product_pass_rate", "manufacturing_pass_rate", "food_safety_pass_rate"} <= set(shared)
    assert "food_safety_sampling_pass_rate" not in shared  # only Jincheng sets it
    assert len(shared) == len(set(shared))


def test_kernel_falls_back_to_the_running_interpreter(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "no-kernelspec-here"))
    folder = report_run.kernel_spec_dir(tmp_path / "spec")
    spec = json.loads((folder / "kernels" / "qcompare" / "kernel.json").read_text())
    assert folder == tmp_path / "spec" and spec["argv"][0] == sys.executable


def test_english_reports_live_beside_the_chinese_ones(tmp_path, corpus):
    import qcompare as qc
    from qcompare.reports.grid import reports

    write_notebook(tmp_path / "plan.ipynb", "plan", ["1"])
    found, _ = discover(tmp_path)
    zh = reports(found, corpus.documents, corpus.targets, qc.taxonomy(), "zh")
    en = reports(found, corpus.documents, corpus.targets, qc.taxonomy(), "en")
    assert "plan-jiujiang-2024" in {r.name for r in zh}
    assert "plan-jiujiang-2024-en" in {r.name for r in en}
    assert {r.parameters["lang"] for r in en} == {"en"}
