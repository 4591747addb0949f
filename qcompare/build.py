"""Raw folder -> processed tables: load each plan, process it, validate, save atomically.

Reads ``<id>.txt`` + ``<id>.meta.yml`` pairs; writes every table in ``schema.TABLES`` as
Parquet and UTF-8 CSV, plus ``build_info.json`` (the inputs' fingerprint). A plan is
processed by :func:`process_plan`, a pure function of its bytes and metadata, so plans
can be processed in any order, in parallel.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qcompare import corrections, paths
from qcompare.paths import id_problem, suggest_id
from qcompare.extract.actuals import extract_actuals
from qcompare.extract.clauses import split_clauses
from qcompare.extract.departments import extract_departments
from qcompare.extract.incentives import extract_incentives
from qcompare.errors import BuildError, InputError, MetadataError, SchemaError, TargetsInReportWarning, TooLargeError
from qcompare.plan.sidecar import read_sidecar, sidecar_path, suggest_sidecar
from qcompare.plan.normalize import detect_script, normalize_and_explain
from qcompare.plan.reader import check_size, decode, read_bounded
from qcompare.schema import TABLES, Table
from qcompare.plan.stated import stated_facts
from qcompare.extract.targets import extract_targets
from qcompare.extract.terms import plan_terms
from qcompare.tfidf import add_tfidf

BUILD_INFO = "build_info.json"
CHUNK_PLANS = 32  # plans a worker processes before sending their rows back (see build_tables)


@dataclass(frozen=True)
class Plan:
    """One raw plan as found on disk."""

    doc_id: str
    text_path: Path
    meta_path: Path


def find_plans(raw: Path) -> list[Plan]:
    """Every ``<id>.txt`` in ``raw`` (sorted), with its sidecar path; ``.TXT`` too, refused by :func:`read_plan`."""
    if not raw.is_dir():
        raise InputError(raw, "raw folder does not exist")
    return [Plan(p.name[:-4], p, sidecar_path(p)) for p in sorted(raw.iterdir()) if p.name.lower().endswith(".txt")]


def read_plan(plan: Plan) -> tuple[bytes, dict]:
    """The plan's bytes and checked metadata; a missing sidecar comes with a suggested one."""
    if not plan.text_path.name.endswith(".txt"):
        raise InputError(plan.text_path, f"the extension is not .txt; rename it to {plan.doc_id}.txt (and its sidecar to {plan.doc_id}.meta.yml)")
    problem = id_problem(plan.doc_id)
    if problem:
        raise InputError(plan.text_path, f"{problem}; rename it to {suggest_id(plan.doc_id)}.txt (and its sidecar)")
    data = read_bounded(plan.text_path)
    if not plan.meta_path.exists():
        text, _ = decode(data, plan.text_path)
        normalized = normalize_and_explain(text)[0]
        suggestion = suggest_sidecar(stated_facts(normalized), normalized)
        raise MetadataError(
            plan.text_path,
            f"no sidecar; create {plan.meta_path.name} next to it, for example:\n{suggestion}",
            suggestion,
        )
    return data, read_sidecar(plan.meta_path)


def process_plan(doc_id: str, data: bytes, meta: dict, path: str | Path = "<bytes>") -> dict[str, pd.DataFrame]:
    """All table rows for one plan: a pure function of its bytes and metadata."""
    check_size(len(data), path)
    text, encoding = decode(data, path, meta.get("encoding"))
    normalized, steps = normalize_and_explain(text)
    facts = stated_facts(normalized)
    clauses, furniture = split_clauses(text, normalized)
    clauses_df = pd.DataFrame([vars(c) for c in clauses], columns=TABLES["clauses"].names[1:])
    clauses_df.insert(0, "doc_id", doc_id)
    issued = meta.get("issued")
    document = {
        "doc_id": doc_id,
        **{k: meta.get(k) for k in ("jurisdiction", "jurisdiction_en", "level", "province", "title", "source", "notes")},
        "doc_type": meta.get("doc_type") or "plan",
        "issued": issued,
        "issued_year": int(issued[:4]) if issued else meta.get("issued_year"),
        "doc_number": meta.get("doc_number") or facts["stated_doc_number"],
        "inferred": ";".join(meta.get("inferred", [])) or None,
        "script": detect_script(text, normalized),
        "encoding": encoding,
        "characters": len(text),
        "sha256": hashlib.sha256(data).hexdigest(),
        **facts,
        "normalization_steps": ";".join(steps) or None,
        "furniture_lines": furniture,
    }
    documents = pd.DataFrame([document])
    actuals = extract_actuals(text, clauses_df, documents.iloc[0])
    incentives = extract_incentives(text, clauses_df, documents.iloc[0])
    targets = not_restated(extract_targets(text, clauses_df, documents.iloc[0]), actuals, incentives).assign(origin="extracted")
    if document["doc_type"] in ("bulletin", "news"):  # it reports what was: actuals only
        if len(targets):
            warnings.warn(TargetsInReportWarning(path, document["doc_type"], len(targets)), stacklevel=2)
        targets = targets.iloc[0:0]
    tables = {
        "documents": documents,
        "clauses": clauses_df,
        "targets": targets,
        "actuals": actuals,
        "incentives": incentives,
        "departments": extract_departments(clauses_df, documents.iloc[0]),
        "terms": plan_terms(clauses_df, documents.iloc[0]),  # counts; tfidf needs the corpus (build_tables)
    }
    for name, df in tables.items():
        check_offsets(name, df, len(text))
    return tables


def not_restated(targets: pd.DataFrame, *others: pd.DataFrame) -> pd.DataFrame:
    """Targets that are not also an actual or an incentive: the same value in an overlapping quote of the same clause.

    A past value (2022年…为92.7%) or award money (奖励100万元) is not a target, whatever its verb.
    """
    drop = pd.Series(False, index=targets.index)
    for other in others:
        for clause_id, value, start, end in zip(other["clause_id"], other["value"], other["start"], other["end"]):
            drop |= ((targets["clause_id"] == clause_id) & (targets["value"] == value)
                     & (targets["start"] < end) & (targets["end"] > start))
    return targets[~drop].assign(target_id=range(1, int((~drop).sum()) + 1))


def check_offsets(table: str, df: pd.DataFrame, length: int) -> None:
    """Every ``start``/``end`` pair must lie inside the original text, in order."""
    if "start" not in df.columns or df.empty:
        return
    bad = (df.start < 0) | (df.end > length) | (df.start > df.end)
    if bad.any():
        row = df.loc[bad].iloc[0]
        raise SchemaError(table, "start", f"offsets {row.start}-{row.end} fall outside the text (0-{length})", row.get("doc_id"))


def _load_and_process(plan: Plan) -> dict[str, pd.DataFrame] | InputError:
    try:
        data, meta = read_plan(plan)
        return process_plan(plan.doc_id, data, meta, plan.text_path)
    except InputError as exc:
        return exc


def _process_chunk(plans: list[Plan]) -> tuple[dict[str, pd.DataFrame], list[InputError]]:
    """Process consecutive plans; their rows stacked per table, and the plans that failed."""
    results = [_load_and_process(p) for p in plans]
    done = [r for r in results if not isinstance(r, InputError)]
    tables = {name: stack(table, [r[name] for r in done if name in r and not r[name].empty]) for name, table in TABLES.items()}
    return tables, [r for r in results if isinstance(r, InputError)]


def _warm_up() -> None:
    """Load every lazily built dictionary (jieba, OpenCC, lexicons) once in the parent.

    Forked workers inherit them instead of each loading its own: about 1.5 s a worker.
    """
    process_plan("warm-up", "到2025年,质量合格率达到98%。(责任单位:市市场监管局)".encode(), {"level": "city"})


def chunks(items: list, jobs: int, most: int = CHUNK_PLANS) -> list[list]:
    """Consecutive runs of ``items`` for ``jobs`` workers: at least four a worker, at most ``most`` items each.

    >>> [len(c) for c in chunks(list(range(10)), 2)], len(chunks(list(range(1000)), 2))
    ([2, 2, 2, 2, 2], 32)
    """
    size = max(1, min(most, -(-len(items) // (jobs * 4))))
    return [items[i : i + size] for i in range(0, len(items), size)]


def build_tables(raw: Path, jobs: int = 1, keep_going: bool = False) -> tuple[dict[str, pd.DataFrame], list[InputError]]:
    """Process every plan in ``raw``; return validated tables and the plans that failed.

    With ``jobs`` > 1, each worker stacks the rows of a chunk of plans before sending them
    back, so a few large tables cross between processes instead of five small ones a plan
    (1,000 plans, --jobs 2: 28.6 s -> 25.4 s for processing and stacking).
    """
    plans = find_plans(raw)
    if jobs > 1 and len(plans) > 1:
        if multiprocessing.get_start_method() == "fork":
            _warm_up()
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_process_chunk, chunks(plans, jobs)))
    else:
        results = [_process_chunk(plans)]
    failures = [f for _, failed in results for f in failed]
    if failures and not keep_going:
        raise BuildError(failures)
    tables = {}
    for name, table in TABLES.items():
        df = stack(table, [r[name] for r, _ in results if not r[name].empty])
        tables[name] = table.validate(df.sort_values(list(table.key), kind="stable"))
    tables["terms"] = TABLES["terms"].validate(add_tfidf(tables["terms"]))  # a corpus-level step
    return tables, failures


def stack(table: Table, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One table from the plans' parts, cast to the declared types once for the whole corpus.

    Casting each plan's part on its own cost 13 ms a plan, paid serially after the parallel
    work (1,000 plans: 14.2 s); casting the stacked table once takes 1.5 s in all.
    """
    for part in parts:
        missing = [c for c in table.names if c not in part.columns]
        if missing:
            raise SchemaError(table.name, missing[0], "column is missing", part.iloc[0].get("doc_id"))
    return table.conform(pd.concat(parts, ignore_index=True)) if parts else table.empty()


def fingerprint(raw: Path) -> str:
    """Hash of every input a build reads: raw plans, sidecars, and the package itself."""
    h = hashlib.sha256(paths.package_fingerprint().encode())
    h.update(corrections.file_hash(corrections.corrections_path(raw)).encode())  # a changed correction rebuilds
    for p in sorted(p for p in raw.iterdir() if p.name.endswith((".txt", ".meta.yml")) and p.is_file()) if raw.is_dir() else []:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def write_tables(tables: dict[str, pd.DataFrame], out: Path, info: dict) -> None:
    """Write every table to ``out`` via a staging folder, so a failure leaves old outputs intact."""
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name, df in tables.items():
            df.to_parquet(staging / f"{name}.parquet", index=False)
            df.to_csv(staging / f"{name}.csv", index=False, lineterminator="\n")
        (staging / BUILD_INFO).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for f in sorted(staging.iterdir(), key=lambda p: p.name == BUILD_INFO):  # build_info last
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build(raw: Path | None = None, out: Path | None = None, jobs: int = 1, keep_going: bool = False) -> dict[str, pd.DataFrame]:
    """Build and write every table; return them. Raises BuildError before writing anything."""
    raw = Path(raw or paths.raw_dir())
    out = Path(out or paths.processed_dir())
    tables, failures = build_tables(raw, jobs, keep_going)
    for f in failures:
        print(f"skipped {f}", file=sys.stderr)
    tables, stale = corrections.apply_file(tables, raw)
    for warning in stale:
        print(f"warning: stale correction: {warning}", file=sys.stderr)
    info = {
        "fingerprint": fingerprint(raw),
        "raw": str(raw),
        "rows": {name: len(df) for name, df in tables.items()},
        "skipped": [str(f.path) for f in failures],
        "stale_corrections": stale,
    }
    write_tables(tables, out, info)
    return tables


def is_stale(raw: Path, out: Path) -> bool:
    """True when ``out`` was not built from the current ``raw`` and package."""
    info = out / BUILD_INFO
    if not info.exists() or any(not (out / f"{n}.parquet").exists() for n in TABLES):
        return True
    try:
        recorded = json.loads(info.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):  # damaged, truncated or empty: build again
        return True
    return recorded != fingerprint(raw)
