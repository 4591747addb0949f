"""Sidecars: read and check `<id>.meta.yml`, or suggest one for a plan that has none."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import reprlib
from pathlib import Path

import yaml

from qcompare.errors import InputError, MetadataError
from qcompare.plan.reader import read_bounded
from qcompare.schema import DOC_TYPES, LEVELS

REQUIRED = ("jurisdiction", "jurisdiction_en", "level", "province", "title", "source")
OPTIONAL = ("issued", "issued_year", "doc_number", "notes", "encoding", "inferred", "doc_type", "url")
FIELDS = REQUIRED + OPTIONAL  # every key a sidecar may hold; a new field is added here, once
TEXT_FIELDS = REQUIRED + ("notes", "doc_number", "encoding", "url")
MAX_SIDECAR_BYTES = 100_000  # the bundled sidecars are under 1 KB
MAX_DEPTH = 10  # nesting levels; a sidecar is a flat mapping with one short list
# A place the title names: its first name ending in a place suffix, not the 强省/强市 of 质量强省.
_PLACE = re.compile(r"^(?:关于)?([\u4e00-\u9fff]{1,6}?(?<!强)(?:自治区|自治州|省|市|县|区|盟|旗))")
_ISSUER = re.compile(r"([\u4e00-\u9fff]{1,6}?(?<!强)(?:自治区|自治州|省|市|县|区|盟|旗))(?:人民政府|委员会|党委)")
_ISSUER_LINES = 30  # an issuer named in a plan's header, before the body
_shown = reprlib.Repr()
_shown.maxstring, _shown.maxother, _shown.maxlist, _shown.maxdict, _shown.maxlevel = 60, 60, 4, 4, 2


class _SidecarLoader(yaml.SafeLoader):
    """``yaml.safe_load`` minus what a hostile sidecar abuses.

    Aliases are refused (an anchor expanding to billions of nodes hangs whatever reads the
    value), nesting is bounded (deep nesting overflows the stack), and a key given twice is
    refused, not silently overwritten.
    """

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, f"alias *{event.anchor[:40]} is not allowed in a sidecar; write the value out", event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep; a sidecar is a flat list of field: value", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                raise yaml.constructor.ConstructorError(None, None, f"field {_shown.repr(key.value)} is given twice; keep one", key.start_mark)
            seen.add(key.value if isinstance(key, yaml.ScalarNode) else id(key))
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node):
        if not self.timestamp_regexp.match(node.value):  # PyYAML raises AttributeError on !!timestamp 2023
            raise yaml.constructor.ConstructorError(None, None, f"{_shown.repr(node.value)} is not a date; write one such as 2024-03-19", node.start_mark)
        return super().construct_yaml_timestamp(node)


_SidecarLoader.add_constructor("tag:yaml.org,2002:timestamp", _SidecarLoader.construct_yaml_timestamp)


def _yaml_reason(exc: Exception) -> str:
    """A YAML error as one short line: the problem and its line in the file."""
    problem, mark = getattr(exc, "problem", None), getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1})"
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def sidecar_path(txt: Path) -> Path:
    return txt.with_name(txt.name[: -len(".txt")] + ".meta.yml")


def read_sidecar(path: Path) -> dict:
    """The sidecar's fields, checked; raises MetadataError naming the file and field."""
    try:
        data = yaml.load(read_bounded(path, MAX_SIDECAR_BYTES, "of sidecar").decode("utf-8"), Loader=_SidecarLoader)
    except InputError as exc:
        raise MetadataError(path, exc.reason) from None
    except (UnicodeDecodeError, ValueError, OverflowError, yaml.YAMLError) as exc:  # ValueError: a date like 2023-13-45
        raise MetadataError(path, f"cannot read the sidecar: {_yaml_reason(exc)}") from None
    if not isinstance(data, dict):
        raise MetadataError(path, "the sidecar must be a YAML mapping of field: value")
    return check_fields(data, path)


def check_fields(data: dict, path: Path) -> dict:
    """Types and allowed values of sidecar fields; returns a clean copy."""
    out = dict(data)
    for key in data:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"fields: {', '.join(FIELDS)}"
            raise MetadataError(path, f"unknown field {_shown.repr(key)}; {hint}")
    for field in REQUIRED:
        if field not in data or data[field] is None:
            raise MetadataError(path, f"field {field!r} is missing (required: {', '.join(REQUIRED)})")
    for field in TEXT_FIELDS:
        value = data.get(field)
        if value is not None and not isinstance(value, str):
            raise MetadataError(path, f"field {field!r} must be text, got {type(value).__name__} {_shown.repr(value)}")
    if not data["jurisdiction"].strip():
        raise MetadataError(path, "field 'jurisdiction' is empty; give the place the plan is for, e.g. 梅州市")
    if data["level"] not in LEVELS:
        raise MetadataError(path, f"field 'level' is {_shown.repr(data['level'])}; use one of {', '.join(LEVELS)}")
    doc_type = data.get("doc_type") or "plan"
    if doc_type not in DOC_TYPES:
        raise MetadataError(path, f"field 'doc_type' is {doc_type!r}; use one of {', '.join(DOC_TYPES)} (default plan)")
    out["doc_type"] = doc_type
    url = data.get("url")
    if url is not None and not re.fullmatch(r"https?://\S+", url):
        raise MetadataError(path, f"field 'url' is {_shown.repr(url)}; give the web address, e.g. https://www.example.gov.cn/...")
    out["issued"] = _iso_date(data.get("issued"), path)
    year = data.get("issued_year")
    if year is not None and (not isinstance(year, int) or not 1949 <= year <= 2100):
        raise MetadataError(path, f"field 'issued_year' must be a year such as 2018, got {_shown.repr(year)}")
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
        raise MetadataError(path, f"field 'issued' is {_shown.repr(value)}; write an ISO date such as 2024-03-19, or leave it empty") from None


def stated_place(title: str, text: str = "") -> str:
    """The place a plan is for: the title's first place name, else its issuer's (…人民政府).

    >>> stated_place("梅州市全面推进质量强市建设实施方案"), stated_place("关于深化质量强省建设的实施意见", "浙江省人民政府\\n关于…")
    ('梅州市', '浙江省')
    >>> stated_place("关于深化质量强省建设的实施意见")
    ''
    """
    place = _PLACE.match(title) or _ISSUER.search("\n".join(text.splitlines()[:_ISSUER_LINES]))
    return place[1] if place else ""


def suggest_sidecar(facts: dict, text: str = "") -> str:
    """A sidecar to start from, prefilled with what the (normalized) text states (``stated_facts``)."""
    title = facts.get("stated_title") or ""
    jurisdiction = stated_place(title, text)
    level = "province" if jurisdiction.endswith(("省", "自治区")) else "city" if jurisdiction else ""
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
