"""Raw folder -> processed tables: load each plan, process it, validate, save atomically.

Reads ``<id>.txt`` + ``<id>.meta.yml`` pairs; writes every table in ``schema.TABLES`` as
Parquet parts under ``parts/`` and one pointer, ``build_info.json``, that names them. A
plan is processed by :func:`process_plan`, a pure function of its bytes and metadata, so
plans can be processed in any order, in parallel, and cached.

The store: sorted plan ids are cut into groups (:func:`groups`); each group's rows of
each table are one Parquet part named by the SHA-256 of its bytes. ``build_info.json``
lists every group with its plans' keys (:func:`plan_key`) and parts. A build reprocesses
only the groups whose keys changed, reuses the others' parts, and switches to the new set
by replacing ``build_info.json`` (one ``os.replace``): a reader sees the old set or the new,
never a mix. ``terms`` parts hold counts; TF-IDF, the one corpus-wide step, is computed when
the tables are read (:func:`read_tables`, :func:`write_csv`), so one changed plan rewrites
its group's parts only.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import shutil
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qcompare import corrections, paths
from qcompare.atomic import write_atomic
from qcompare.paths import id_problem, suggest_id
from qcompare.extract.actuals import extract_actuals
from qcompare.extract.clauses import split_clauses
from qcompare.extract.departments import extract_departments
from qcompare.extract.incentives import extract_incentives
from qcompare.errors import BuildError, InputError, MetadataError, SchemaError, StaleError, TargetsInReportWarning
from qcompare.plan.sidecar import read_sidecar, sidecar_path, suggest_sidecar
from qcompare.plan.normalize import detect_script, normalize_and_explain
from qcompare.plan.reader import MAX_PLAN_BYTES, check_size, decode, read_bounded
from qcompare.schema import TABLES, Table
from qcompare.plan.stated import stated_facts
from qcompare.extract.tables import table_rows
from qcompare.extract.targets import extract_targets
from qcompare.extract.terms import plan_terms
from qcompare.tfidf import add_tfidf

BUILD_INFO = "build_info.json"  # the pointer: read first, replaced last
PARTS = "parts"
STORE_FORMAT = 3  # 3: terms parts hold counts, TF-IDF is computed on reading
GROUP_EVERY = 16  # a plan id whose hash is 0 mod 16 closes a group: about 16 plans a part (see groups)


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
        **{k: meta.get(k) for k in ("jurisdiction", "jurisdiction_en", "level", "province", "title", "source", "url", "notes")},
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
    table_targets, table_actuals = table_rows(clauses_df, document["issued_year"])
    actuals = extract_actuals(text, clauses_df, documents.iloc[0], table_actuals)
    incentives = extract_incentives(text, clauses_df, documents.iloc[0])
    prose_actuals = actuals[~actuals["clause_id"].isin(table_actuals)]  # a table's baseline and target share a row
    targets = extract_targets(text, clauses_df, documents.iloc[0], table_targets)
    targets = not_restated(targets, prose_actuals, incentives).assign(origin="extracted")
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


def _process_group(plans: list[Plan], jobs: int = 1) -> tuple[dict[str, pd.DataFrame], list[InputError]]:
    """Process consecutive plans (over ``jobs`` processes): their rows per table, validated and
    sorted by key (terms without TF-IDF, which needs the corpus), and the plans that failed."""
    results = _map(_load_and_process, plans, jobs)
    done = [r for r in results if not isinstance(r, InputError)]
    tables = {}
    for name, table in TABLES.items():
        df = stack(table, [r[name] for r in done if name in r and not r[name].empty])
        tables[name] = table.validate(df.sort_values(list(table.key), kind="stable"))
    return tables, [r for r in results if isinstance(r, InputError)]


def _warm_up() -> None:
    """Load every lazily built dictionary (jieba, OpenCC, lexicons) once in the parent.

    Forked workers inherit them instead of each loading its own: about 1.5 s a worker.
    """
    process_plan("warm-up", "到2025年,培育建设工程、家具产品质量合格率达到98%。(责任单位:市市场监管局)".encode(), {"level": "city"})


def build_tables(raw: Path, jobs: int = 1, keep_going: bool = False) -> tuple[dict[str, pd.DataFrame], list[InputError]]:
    """Process every plan in ``raw`` in memory (no store, no cache); return validated tables and the failures.

    For tests and ``qcompare add``-sized work; :func:`build` is the same per group, written to disk.
    """
    plans = {p.doc_id: p for p in find_plans(raw)}
    results = _map(_process_group, [[plans[d] for d in g] for g in groups(sorted(plans))], jobs)
    failures = [f for _, failed in results for f in failed]
    if failures and not keep_going:
        raise BuildError(failures)
    tables = {name: stack(table, [r[name] for r, _ in results if not r[name].empty]) for name, table in TABLES.items()}
    tables["terms"] = TABLES["terms"].validate(add_tfidf(tables["terms"]))  # a corpus-level step
    return tables, failures


def _map(function, items: list, jobs: int, progress: bool = False, total: int = 0):
    """``function`` over ``items`` in order, in ``jobs`` worker processes when there is more than one item."""
    from tqdm import tqdm

    with tqdm(total=total, desc="build", unit="plan", disable=None if progress else True) as bar:
        def advance(result, item):
            bar.update(len(item[0]) if isinstance(item, tuple) else len(item) if isinstance(item, list) else 1)
            return result

        if jobs > 1 and len(items) > 1:
            if multiprocessing.get_start_method() == "fork":
                _warm_up()
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                return [advance(r, i) for r, i in zip(pool.map(function, items), items)]
        return [advance(function(i), i) for i in items]


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


def groups(doc_ids: list[str], every: int = GROUP_EVERY) -> list[list[str]]:
    """Sorted plan ids cut into runs, each closed by an id whose SHA-256 is 0 mod ``every``.

    Where a run ends depends on the ids only, not on their positions, so adding or removing
    a plan changes its own run and leaves every other run, and its parts, as they were.

    >>> ids = [f"plan-{i:03d}" for i in range(100)]
    >>> before, after = groups(ids), groups(sorted(ids + ["plan-050a"]))
    >>> [len(g) for g in before], [len(g) for g in after], sum(g not in before for g in after)
    ([11, 21, 26, 19, 15, 8], [11, 21, 27, 19, 15, 8], 1)
    """
    out, run = [], []
    for doc_id in doc_ids:
        run.append(doc_id)
        if int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:4], "big") % every == 0:
            out.append(run)
            run = []
    return out + ([run] if run else [])


def _bounded_bytes(path: Path) -> bytes:
    """At most one byte over the plan limit of a regular file (what the key needs to differ), b'' otherwise."""
    try:
        if not path.is_file():
            return b""
        with open(path, "rb") as f:
            return f.read(MAX_PLAN_BYTES + 1)
    except OSError:
        return b""


def plan_key(plan: Plan, package: str) -> str:
    """SHA-256 of what one plan's rows depend on: its id, raw bytes, sidecar bytes and the package."""
    h = hashlib.sha256(package.encode())
    for part in (plan.doc_id.encode(), _bounded_bytes(plan.text_path), _bounded_bytes(plan.meta_path)):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def _write_part(df: pd.DataFrame, parts: Path, name: str) -> str:
    """Write ``df`` as ``parts/<name>-<sha256 of its bytes>.parquet`` (atomically); return its path in the store."""
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    data = buffer.getvalue()
    path = parts / f"{name}-{hashlib.sha256(data).hexdigest()[:24]}.parquet"
    if not path.is_file() or path.stat().st_size != len(data):  # new, or a damaged copy to replace
        write_atomic(path, data)
    return f"{PARTS}/{path.name}"


def _build_group(task: tuple[list[Plan], list[str], str, int]) -> tuple[dict, list[InputError]]:
    """Process one group (its plans over ``jobs`` processes) and write its parts; the group's
    record for ``build_info.json``, and its failures.

    Runs in a worker: only the record crosses back, so the parent's memory does not grow
    with the corpus. ``terms`` is written without TF-IDF (see :func:`read_tables`).
    """
    plans, keys, out, jobs = task
    tables, failures = _process_group(plans, jobs)
    tables, stale = corrections.apply_file(tables, plans[0].text_path.parent, {p.doc_id for p in plans})  # groups are never empty
    parts = Path(out) / PARTS
    record = {
        "plans": [[p.doc_id, k] for p, k in zip(plans, keys)],
        "parts": {name: _write_part(df.drop(columns="tfidf") if name == "terms" else df, parts, name)
                  for name, df in tables.items()},
        "rows": {name: len(df) for name, df in tables.items()},
        "skipped": [str(f.path) for f in failures],
        "stale_corrections": stale,
    }
    return record, failures


def term_stats(parts: list[Path]) -> tuple[int, pd.Series]:
    """Plans, and plans using each term, over the ``terms`` count parts: what TF-IDF needs of
    the corpus, read one part (two columns) at a time."""
    used, n_plans = [], 0
    for path in parts:
        t = pd.read_parquet(path, columns=["doc_id", "term"])
        used.append(t.term.value_counts())
        n_plans += t.doc_id.nunique()
    return n_plans, (pd.concat(used).groupby(level=0).sum() if used else pd.Series(dtype="int64"))


def read_info(out: Path) -> dict | None:
    """The store's ``build_info.json``, or None when it is missing, damaged, of another format or names a missing part."""
    try:
        info = json.loads((Path(out) / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("format") != STORE_FORMAT:
        return None
    if any(not (Path(out) / f).is_file() for r in info["groups"] for f in r["parts"].values()):
        return None
    return info


def table_parts(out: Path, name: str, info: dict | None = None) -> list[Path]:
    """The Parquet parts of table ``name`` in the store at ``out``, in key order."""
    info = info or read_info(out)
    if info is None:
        raise StaleError(out, f"no complete build here; run `qcompare build --out {out}`")
    return [Path(out) / r["parts"][name] for r in info["groups"]]


def read_tables(out: Path, info: dict | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the store at ``out``, validated."""
    info = info or read_info(out)
    tables = {}
    for name, table in TABLES.items():
        parts = [pd.read_parquet(p) for p in table_parts(out, name, info)]
        df = pd.concat(parts, ignore_index=True) if parts else table.empty()
        tables[name] = table.validate(add_tfidf(df.drop(columns="tfidf", errors="ignore")) if name == "terms" else df)
    return tables


@dataclass
class BuildResult:
    """What one ``build`` did: plans processed, reused and removed, rows per table."""

    out: Path
    plans: int = 0
    processed: list[str] = field(default_factory=list)
    reused: int = 0
    removed: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.processed or self.removed)

    def describe(self) -> str:
        if not self.changed:
            return f"nothing changed since the last build ({self.plans} plans) -> {self.out}"
        rows = ", ".join(f"{n} ({r} rows)" for n, r in self.rows.items())
        removed = f", {len(self.removed)} removed" if self.removed else ""
        return f"built {len(self.processed)} plan(s), reused {self.reused}{removed}: {rows} -> {self.out}"


def _current_keys(raw: Path) -> tuple[list[Plan], dict[str, str]]:
    plans = find_plans(raw)
    # a changed corrections file re-keys every plan: its entries are applied per group, after extraction
    package = paths.package_fingerprint() + corrections.file_hash(corrections.corrections_path(raw))
    return plans, {p.doc_id: plan_key(p, package) for p in plans}


def _reusable(info: dict | None, keep_going: bool) -> dict[str, dict]:
    """The previous build's groups by their plans and keys; groups with skipped plans only under ``keep_going``."""
    records = info["groups"] if info else []
    return {json.dumps(r["plans"]): r for r in records if keep_going or not r["skipped"]}


def build(raw: Path | None = None, out: Path | None = None, jobs: int = 1, keep_going: bool = False,
          csv: bool = False, progress: bool = False, force: bool = False) -> BuildResult:
    """Bring the store at ``out`` up to date with ``raw``, reprocessing only groups whose plans
    changed (all with ``force``); see the module doc. Raises BuildError before switching anything."""
    raw = Path(raw or paths.raw_dir())
    out = Path(out or paths.processed_dir())
    plans, keys = _current_keys(raw)
    by_id = {p.doc_id: p for p in plans}
    current = read_info(out)
    info = None if force else current
    old = _reusable(info, keep_going)
    old_ids = {d for r in (info or {}).get("groups", []) for d, _ in r["plans"]}
    result = BuildResult(out, plans=len(plans), removed=sorted(old_ids - set(keys)))
    cut = groups(sorted(keys))
    ids = [json.dumps([[d, keys[d]] for d in g]) for g in cut]
    if info is not None and ids == [json.dumps(r["plans"]) for r in info["groups"]] and all(i in old for i in ids):
        result.rows, result.skipped = info["rows"], info["skipped"]
        if csv:
            write_csv(out, info)
        return result
    todo = [(i, g) for i, g in zip(ids, cut) if i not in old]
    result.processed = [d for _, g in todo for d in g]
    result.reused = len(plans) - len(result.processed)
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    clean_store(out, current)
    inner = jobs if len(todo) == 1 else 1  # one changed group: its plans share the workers
    tasks = [([by_id[d] for d in g], [keys[d] for d in g], str(out), inner) for _, g in todo]
    done = dict(zip((i for i, _ in todo), _map(_build_group, tasks, jobs, progress, len(result.processed))))
    failures = [f for _, failed in done.values() for f in failed]
    if failures and not keep_going:
        clean_store(out, current)
        raise BuildError(failures)
    records = [done[i][0] if i in done else old[i] for i in ids]
    result.rows = {name: sum(r["rows"][name] for r in records) for name in TABLES}
    result.skipped = [s for r in records for s in r["skipped"]]
    for f in failures:
        print(f"skipped {f}", file=sys.stderr)
    stale = [s for r in records for s in r.get("stale_corrections", [])] + corrections.orphans(raw, set(keys))
    for warning in stale:
        print(f"warning: stale correction: {warning}", file=sys.stderr)
    info = {
        "format": STORE_FORMAT,
        "fingerprint": hashlib.sha256(json.dumps(ids).encode()).hexdigest(),
        "raw": str(raw),
        "rows": result.rows,
        "skipped": result.skipped,
        "stale_corrections": stale,
        "groups": records,
    }
    write_atomic(out / BUILD_INFO, json.dumps(info, indent=1, ensure_ascii=False) + "\n")  # the switch
    clean_store(out, info)
    if csv:
        write_csv(out, info)
    else:  # copies of the previous build would no longer match
        for name in TABLES:
            (out / f"{name}.csv").unlink(missing_ok=True)
    return result


def clean_store(out: Path, info: dict | None) -> None:
    """Remove what ``info`` does not name: parts of earlier or killed builds, temp files, and
    the single-file tables and staging folders of the store's previous layout."""
    keep = {Path(f).name for r in (info or {}).get("groups", []) for f in r["parts"].values()}
    for path in (out / PARTS).iterdir() if (out / PARTS).is_dir() else []:
        if path.name not in keep:
            path.unlink(missing_ok=True)
    for path in out.glob(".staging-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in [*out.glob(f".{BUILD_INFO}.*.tmp"), *out.glob(".*.csv.tmp")]:
        path.unlink(missing_ok=True)
    for name in TABLES:
        (out / f"{name}.parquet").unlink(missing_ok=True)


def write_csv(out: Path, info: dict) -> None:
    """``<out>/<table>.csv``, UTF-8, one part at a time: the same inputs give byte-identical files."""
    for name, table in TABLES.items():
        target = out / f"{name}.csv"
        tmp = out / f".{name}.csv.tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            parts = table_parts(out, name, info)
            if not parts:
                table.empty().to_csv(f, index=False, lineterminator="\n")
            stats = term_stats(parts) if name == "terms" else None
            for i, path in enumerate(parts):
                df = pd.read_parquet(path)
                df = add_tfidf(df, *stats) if stats else df  # the whole corpus's weights, one part at a time
                table.validate(df).to_csv(f, index=False, header=i == 0, lineterminator="\n")
        os.replace(tmp, target)


def is_stale(raw: Path, out: Path) -> bool:
    """True when ``out`` was not built from the current ``raw`` and package."""
    return stale_plans(raw, out) != []


def stale_plans(raw: Path, out: Path) -> list[str] | None:
    """Plans added, changed or removed since the store at ``out`` was built; None when there is no build."""
    info = read_info(out)
    if info is None:
        return None
    _, keys = _current_keys(raw)
    built = {d: k for r in info["groups"] for d, k in r["plans"]}
    return sorted(d for d in keys.keys() | built.keys() if keys.get(d) != built.get(d))
