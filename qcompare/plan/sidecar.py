"""Sidecars: read and check `<id>.meta.yml`, or suggest one for a plan that has none."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from qcompare.errors import MetadataError
from qcompare.schema import DOC_TYPES, LEVELS

REQUIRED = ("jurisdiction", "jurisdiction_en", "level", "province", "title", "source")
_PLACE = re.compile(r"^(?:关于)?([\u4e00-\u9fff]{1,6}?(?:自治区|自治州|省|市|县|区|盟|旗))")


def sidecar_path(txt: Path) -> Path:
    return txt.with_name(txt.name[: -len(".txt")] + ".meta.yml")


def read_sidecar(path: Path) -> dict:
    """The sidecar's fields, checked; raises MetadataError naming the file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:  # ValueError: a date like 2023-13-45
        raise MetadataError(path, f"cannot read the sidecar: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise MetadataError(path, "the sidecar must be a YAML mapping of field: value")
    return check_fields(data, path)


def check_fields(data: dict, path: Path) -> dict:
    """Types and allowed values of sidecar fields; returns a clean copy."""
    out = dict(data)
    for field in REQUIRED:
        if field not in data or data[field] is None:
            raise MetadataError(path, f"field {field!r} is missing (required: {', '.join(REQUIRED)})")
    for field in REQUIRED + ("notes", "doc_number", "encoding"):
        value = data.get(field)
        if value is not None and not isinstance(value, str):
            raise MetadataError(path, f"field {field!r} must be text, got {type(value).__name__} {value!r}")
    if data["level"] not in LEVELS:
        raise MetadataError(path, f"field 'level' is {data['level']!r}; use one of {', '.join(LEVELS)}")
    doc_type = data.get("doc_type") or "plan"
    if doc_type not in DOC_TYPES:
        raise MetadataError(path, f"field 'doc_type' is {doc_type!r}; use one of {', '.join(DOC_TYPES)} (default plan)")
    out["doc_type"] = doc_type
    out["issued"] = _iso_date(data.get("issued"), path)
    year = data.get("issued_year")
    if year is not None and (not isinstance(year, int) or not 1949 <= year <= 2100):
        raise MetadataError(path, f"field 'issued_year' must be a year such as 2018, got {year!r}")
    inferred = data.get("inferred") or []
    if not isinstance(inferred, list) or not all(isinstance(f, str) for f in inferred):
        raise MetadataError(path, "field 'inferred' must be a list of field names, e.g. [jurisdiction, issued_year]")
    out["inferred"] = inferred
    return out


def _iso_date(value, path: Path) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise MetadataError(path, f"field 'issued' is {value!r}; write an ISO date such as 2024-03-19, or leave it empty") from None


def suggest_sidecar(facts: dict) -> str:
    """A sidecar to start from, prefilled with what the text states (``stated_facts``)."""
    title = facts.get("stated_title") or ""
    place = _PLACE.match(title)
    jurisdiction = place[1] if place else ""
    level = "province" if jurisdiction.endswith(("省", "自治区")) else "city"
    fields = {
        "jurisdiction": jurisdiction,
        "jurisdiction_en": "",
        "level": level,
        "province": jurisdiction if level == "province" else "",
        "issued": facts.get("stated_signed_date") or facts.get("stated_published_date") or "",
        "title": title,
        "doc_number": facts.get("stated_doc_number") or "",
        "source": "",
        "notes": "",
        "inferred": [],
    }
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
