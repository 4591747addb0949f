"""Batch regeneration: every report notebook over its parameter grid -> ``reports/``.

Reads ``notebooks/`` and the processed tables (``data/processed``, built first when stale);
writes, per report, ``reports/<name>.ipynb`` and ``.html`` (see :mod:`qcompare.reports.run`),
then ``reports/manifest.json`` and ``reports/index.html``. One manifest entry is one report:
its notebook, parameters, input hashes, library versions, status, duration and error.

A report whose notebook, parameters and inputs (the rows it reads, see ``grid.reads``, and
the package's code) are unchanged since its last good run is not run again: adding a plan
reruns the corpus reports, that plan's, and those of the indicators it sets. The path that
decides this imports neither papermill nor nbconvert, so a no-change run takes a second or two.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from qcompare import paths
from qcompare.atomic import write_atomic
from qcompare.reports.grid import Report, discover, reads, reports as expand_reports
from qcompare.reports.run import install_font

MANIFEST = "manifest.json"
INDEX = "index.html"
KERNEL_LOG = "kernels.log"
LIBRARIES = ("qcompare", "pandas", "pyarrow", "matplotlib", "seaborn", "papermill", "nbclient", "nbconvert", "ipykernel")


@dataclass
class RunResult:
    """What one ``qcompare report`` did."""

    manifest: dict
    ran: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_reports: list[Path] = field(default_factory=list)  # notebooks declaring no grid
    reports_dir: Path | None = None
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_hashes(kind: str, parameters: dict, tables: dict, code: str) -> dict[str, str]:
    """What one report's output depends on: the rows it reads (``grid.reads``) and the package's
    code and data, since a report's figures change with the code that draws them."""
    return {**reads(kind, parameters, tables), "qcompare": paths.VERSION, "qcompare_code": code}


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a report depends on (read from metadata, not imported)."""
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "not installed"
    return out


def report_key(notebook_sha: str, parameters: dict, inputs: dict, options: dict) -> str:
    """Hash of everything a report's output depends on.

    >>> report_key("n", {"lang": "zh"}, {"t": "1"}, {}) == report_key("n", {"lang": "zh"}, {"t": "1"}, {})
    True
    >>> report_key("n", {"lang": "zh"}, {"t": "1"}, {}) == report_key("n", {"lang": "en"}, {"t": "1"}, {})
    False
    """
    payload = json.dumps([notebook_sha, parameters, inputs, options], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def matches(name: str, patterns: str | Sequence[str] | None) -> bool:
    """``--only``: globs on report names (any may match); a pattern without wildcards matches as a substring.

    >>> matches("indicator-manufacturing_pass_rate", "manufacturing"), matches("overview", ["indicator-*", "jur*"])
    (True, False)
    """
    if not patterns:
        return True
    for pattern in [patterns] if isinstance(patterns, str) else patterns:
        if fnmatch.fnmatchcase(name, pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"):
            return True
    return False


def read_manifest(reports_dir: Path) -> dict:
    path = reports_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"reports": {}}
    return manifest if isinstance(manifest.get("reports"), dict) else {"reports": {}}


def is_current(entry: dict | None, key: str, reports_dir: Path, figures_dir: Path) -> bool:
    """True when the last run of this report was good, for the same key, and its files exist."""
    if not entry or entry.get("status") != "ok" or entry.get("key") != key:
        return False
    files = [reports_dir / entry["html"], reports_dir / entry["executed_notebook"]]
    files += [figures_dir / f for f in entry.get("figures", [])]
    return all(f.exists() for f in files)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _entry(report: Report, notebook_sha: str, inputs: dict, options: dict, root: Path) -> dict:
    """The manifest fields known before the report runs, with the key deciding whether it must."""
    return {
        "notebook": _relative(report.notebook, root),
        "notebook_sha256": notebook_sha,
        "parameters": report.parameters,
        "summary": report.summary,
        "inputs": inputs,
        "options": options,
        "key": report_key(notebook_sha, report.parameters, inputs, options),
    }


def _execute(jobs: list[dict], workers: int, root: Path, log: Path) -> dict[str, dict]:
    """Run the jobs in a pool of ``workers`` processes (reused across jobs), with a progress bar."""
    from tqdm import tqdm

    from qcompare.reports.run import init_worker, kernel_spec_dir, run_report

    outcomes: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="qcompare-kernel-") as tmp:
        jupyter_dir = kernel_spec_dir(Path(tmp))
        with ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                                 initargs=(str(root), str(jupyter_dir), str(log), os.getpid())) as pool:
            futures = {pool.submit(run_report, job): job["name"] for job in jobs}
            with tqdm(total=len(jobs), desc="reports", unit="nb", disable=None) as bar:
                for future in as_completed(futures):
                    name = futures[future]
                    try:
                        outcomes[name] = future.result()
                    except BrokenProcessPool as exc:  # a worker died (not a notebook error)
                        outcomes[name] = {"name": name, "status": "failed", "error": f"worker process died: {exc}",
                                          "duration_s": None, "figures": [], "attempts": 0}
                    bar.set_postfix_str(name, refresh=False)
                    bar.update()
    return outcomes


def run(jobs: int = 1, only: str | Sequence[str] | None = None, force: bool = False, lang: str = "zh", show_code: bool = False,
        notebooks: Path | None = None, out: Path | None = None) -> RunResult:
    """Run every report notebook over its grid into ``out`` (default reports/); see the module doc."""
    from qcompare.corpus import load
    from qcompare.knowledge.taxonomy import taxonomy

    started = time.monotonic()
    root = paths.project_root()
    notebooks = Path(notebooks or paths.notebooks_dir())
    reports_dir = Path(out or paths.reports_dir())
    figures_dir = paths.figures_dir()
    found, not_reports = discover(notebooks)
    corpus = load()
    all_reports = expand_reports(found, corpus.documents, corpus.targets, taxonomy(), lang)
    kinds = {nb.path: nb.grid for nb in found}
    code = paths.package_fingerprint()
    options = {"show_code": show_code}
    old = read_manifest(reports_dir)["reports"]
    notebook_sha = {nb.path: sha256_file(nb.path) for nb in found}

    result = RunResult(manifest={}, not_reports=not_reports, reports_dir=reports_dir)
    entries: dict[str, dict] = {}
    todo: list[tuple[Report, dict]] = []
    for report in all_reports:
        previous = old.get(report.name)
        if not matches(report.name, only):  # kept as it was: its key is not needed
            if previous:
                entries[report.name] = previous
            continue
        inputs = input_hashes(kinds[report.notebook], report.parameters, corpus.tables, code)
        entry = _entry(report, notebook_sha[report.notebook], inputs, options, root)
        if not force and is_current(previous, entry["key"], reports_dir, figures_dir):
            entries[report.name] = previous
            result.unchanged.append(report.name)
            continue
        todo.append((report, entry))

    if todo:
        jobs_ = [{"name": r.name, "notebook": str(r.notebook), "parameters": r.parameters, "root": str(root),
                  "reports": str(reports_dir), "figures": str(figures_dir), "show_code": show_code} for r, _ in todo]
        reports_dir.mkdir(parents=True, exist_ok=True)
        install_font(reports_dir)
        write_atomic(reports_dir / KERNEL_LOG, "")
        outcomes = _execute(jobs_, max(1, min(jobs, len(jobs_))), root, reports_dir / KERNEL_LOG)
        staging = reports_dir / ".staging"
        if staging.is_dir() and not any(staging.iterdir()):
            staging.rmdir()
        libraries = library_versions()
        finished = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        for report, entry in todo:
            outcome = outcomes.get(report.name) or {"status": "failed", "error": "not run", "figures": [], "duration_s": None}
            good = outcome["status"] == "ok"
            previous = old.get(report.name) or {}
            html, executed, failed = (f"{report.name}{ext}" for ext in (".html", ".ipynb", ".failed.ipynb"))
            entry.update({
                "libraries": libraries,
                "status": outcome["status"],
                "duration_s": outcome["duration_s"],
                "error": outcome.get("error"),
                "finished": finished,
                "html": html if good or (reports_dir / html).exists() else None,
                "executed_notebook": executed if good or (reports_dir / executed).exists() else None,
                "failed_notebook": failed if not good and (reports_dir / failed).exists() else None,
                "figures": outcome["figures"] if good else previous.get("figures", []),  # the kept report's
            })
            entries[report.name] = entry
            (result.ran if good else result.failed).append(report.name)

    order = [r.name for r in all_reports]
    other_languages = {n: e for n, e in old.items() if e.get("parameters", {}).get("lang", "zh") != lang}
    manifest = {"reports": {**{n: entries[n] for n in order if n in entries}, **other_languages}}
    result.manifest = manifest
    _write_if_changed(reports_dir / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=False) + "\n")
    from qcompare.reports.index import render_index

    _write_if_changed(reports_dir / INDEX, render_index(manifest, reports_dir, figures_dir))
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text)


def describe(result: RunResult) -> str:
    """The end-of-run summary: counts, then each failed report with its parameters and error."""
    lines = [f"reports: {len(result.ran)} ran, {len(result.unchanged)} unchanged, {len(result.failed)} failed "
             f"({result.seconds} s)"]
    for path in result.not_reports:
        lines.append(f"  skipped {path}: no grid; add \"qcompare\": {{\"grid\": \"corpus\"}} to its metadata to report it")
    for name in result.failed:
        entry = result.manifest["reports"][name]
        lines.append(f"  FAILED {name}: {entry['notebook']} {json.dumps(entry['parameters'], ensure_ascii=False)}")
        lines.append(f"    {entry['error']}")
        if entry.get("failed_notebook"):
            lines.append(f"    executed copy with the traceback: {result.reports_dir / entry['failed_notebook']}")
    if result.failed:
        lines.append(f"  kernel messages: {result.reports_dir / KERNEL_LOG}")
    return "\n".join(lines)
