"""`qcompare add`: one plan file as received -> a raw plan the build reads.

Reads a .txt, .docx, .pdf or saved .html file (``importers.py``) and what the user says
about it (jurisdiction, level, ...); writes three files into the raw folder, all or none:

- ``<id>.txt``: the plan's text, UTF-8, one paragraph per line;
- ``<id>.meta.yml``: its sidecar; what the user did not give is read from the text
  (title, 文号, 成文日期: listed in ``notes`` as "read from the text"), and a guess (a
  publication date standing in for the issue date) is listed in ``inferred``;
- ``originals/<id>.<ext>``: the file exactly as received.

Before writing, the plan is processed exactly as ``qcompare build`` will process it, so
a plan that would break the build is refused here, with nothing written.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qcompare import paths
from qcompare.atomic import file_mode
from qcompare.paths import id_problem, suggest_id
from qcompare.build import process_plan
from qcompare.errors import ImportRefused
from qcompare.ingest.importers import Imported, import_file
from qcompare.plan.sidecar import check_fields
from qcompare.plan.normalize import normalize
from qcompare.schema import LEVELS
from qcompare.plan.stated import stated_facts



def check_id(doc_id: str) -> str:
    """``doc_id`` if it is a safe slug (no path separators, dots or spaces); else ImportRefused.

    >>> check_id("meizhou-2023")
    'meizhou-2023'
    """
    problem = id_problem(doc_id)
    if problem:
        raise ImportRefused(f"{problem} (e.g. {suggest_id(doc_id)!r})")
    return doc_id


def _check_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ImportRefused(f"--issued {value!r} is not an ISO date; write it as 2023-10-20") from None


def plan_metadata(imported: Imported, original: str | Path, *, jurisdiction: str, level: str,
                  province: str | None = None, issued: str | None = None, title: str | None = None,
                  jurisdiction_en: str | None = None, source: str | None = None) -> tuple[dict, list[str], list[str]]:
    """The sidecar's fields, the fields read from the text, and warnings for the user.

    Given values win. Otherwise the title, 文号 and 成文日期 the text states are used and
    named in ``notes`` ("read from the text"); a 发布日期 used as the issue date is a
    guess and goes into ``inferred``.
    """
    facts = stated_facts(normalize(imported.text))
    read, inferred, warnings, notes = [], [], [], []
    if title is None and facts["stated_title"]:
        title = facts["stated_title"]
        read.append("title")
    if title is None:
        raise ImportRefused(f"{original}: no title found in the text (a line naming a 方案/计划/意见); give it with --title")
    if issued is None and facts["stated_signed_date"]:
        issued = facts["stated_signed_date"]
        read.append("issued")
    elif issued is None and facts["stated_published_date"]:
        issued = facts["stated_published_date"]
        inferred.append("issued")
        notes.append(f"issued is the publication date {issued} the text states (no 成文日期 found)")
    if facts["stated_doc_number"]:
        read.append("doc_number")
    if province is None and level == "province":
        province = jurisdiction
    if not province:
        warnings.append("province is empty: give --province or fill it in the sidecar")
    if not jurisdiction_en:
        warnings.append("jurisdiction_en is empty: give --jurisdiction-en or fill it in the sidecar")
    if read:
        notes.insert(0, f"Read from the text by qcompare add: {', '.join(read)}")
    hints = imported.hints
    origin = f"{Path(original).name} ({imported.format}), added with qcompare add"
    if hints.get("url"):
        origin += f"; page {hints['url']}"
    meta = {
        "jurisdiction": jurisdiction,
        "jurisdiction_en": jurisdiction_en or "",
        "level": level,
        "province": province or "",
        "issued": issued,
        "title": title,
        "doc_number": facts["stated_doc_number"],
        "source": source or origin,
        "notes": ". ".join(notes) + "." if notes else None,
        "inferred": inferred,
    }
    return {k: v for k, v in meta.items() if v is not None}, read, warnings


def write_all_or_nothing(files: dict[Path, bytes]) -> None:
    """Write every file or none: each goes to a temp file beside it, then into place with
    ``os.replace`` in the given order; on any failure the files already moved are taken
    back (a replaced file is restored) and the temp files removed."""
    staged: list[tuple[Path, Path]] = []
    placed: list[tuple[Path, Path | None]] = []
    try:
        for dest, data in files.items():
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
            staged.append((Path(tmp), dest))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, file_mode())  # mkstemp makes 0600; raw plans are shared like every output
        for tmp, dest in staged:
            backup = None
            if dest.exists():
                backup = dest.with_name(f".{dest.name}.{os.getpid()}.bak")
                os.replace(dest, backup)
            placed.append((dest, backup))
            os.replace(tmp, dest)
    except BaseException:
        for dest, backup in reversed(placed):
            dest.unlink(missing_ok=True)
            if backup is not None:
                os.replace(backup, dest)
        raise
    else:
        for _, backup in placed:
            if backup is not None:
                backup.unlink(missing_ok=True)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Added:
    """What ``add_plan`` wrote."""

    doc_id: str
    text_path: Path
    meta_path: Path
    original_path: Path
    meta: dict
    read_from_text: list[str]
    warnings: list[str] = field(default_factory=list)
    clauses: int = 0
    targets: int = 0


def existing_files(raw: Path, doc_id: str) -> list[Path]:
    """Files already in ``raw`` under ``doc_id``: text, sidecar, originals."""
    found = [raw / f"{doc_id}.txt", raw / f"{doc_id}.meta.yml"]
    originals = raw / "originals"
    found += sorted(originals.glob(f"{doc_id}.*")) if originals.is_dir() else []
    return [p for p in found if p.exists()]


def add_plan(path: str | Path, doc_id: str, jurisdiction: str, level: str, *, province: str | None = None,
             issued: str | None = None, title: str | None = None, jurisdiction_en: str | None = None,
             source: str | None = None, raw: str | Path | None = None, replace: bool = False) -> Added:
    """Add the plan in ``path`` to the raw folder as ``doc_id``; nothing is written on failure."""
    path = Path(path)
    raw = Path(raw or paths.raw_dir())
    check_id(doc_id)
    if level not in LEVELS:
        raise ImportRefused(f"--level {level!r} is not one of {', '.join(LEVELS)}")
    if not jurisdiction.strip():
        raise ImportRefused("--jurisdiction is empty; give the place the plan is for, e.g. 梅州市")
    issued = _check_date(issued)
    existing = existing_files(raw, doc_id)
    if existing and not replace:
        raise ImportRefused(f"id {doc_id!r} already exists ({existing[0]}); pick another id or pass --replace")
    imported = import_file(path)
    meta, read, warnings = plan_metadata(
        imported, path, jurisdiction=jurisdiction.strip(), level=level, province=province, issued=issued,
        title=title, jurisdiction_en=jurisdiction_en, source=source,
    )
    text_path, meta_path = raw / f"{doc_id}.txt", raw / f"{doc_id}.meta.yml"
    original_path = raw / "originals" / f"{doc_id}{path.suffix.lower()}"
    checked = check_fields(meta, meta_path)
    text_bytes = (imported.text + "\n").encode("utf-8")
    tables = process_plan(doc_id, text_bytes, checked, path)  # refuse here what the build would refuse
    new_folder = not original_path.parent.exists()
    original_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_all_or_nothing({
            original_path: imported.original,
            meta_path: yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).encode("utf-8"),
            text_path: text_bytes,  # last: the build sees a plan once its .txt exists
        })
    except BaseException:
        if new_folder and not any(original_path.parent.iterdir()):
            original_path.parent.rmdir()  # a failed add leaves the raw folder as it was
        raise
    for old in existing:
        if old.parent == original_path.parent and old != original_path:
            old.unlink(missing_ok=True)  # --replace with another format: drop the old original
    return Added(doc_id, text_path, meta_path, original_path, meta, read, warnings,
                 len(tables["clauses"]), len(tables["targets"]))
