"""Where the project's folders are, whatever the caller's working directory."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
VERSION = "0.1.0"  # the release; pyproject.toml reads it from here
MAX_ID_LENGTH = 64
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` is not a safe plan id (it names files and report pages), or None.

    >>> id_problem("meizhou-2023") is None, id_problem("Meizhou 2023")
    (True, "id 'Meizhou 2023' is not a safe id: use lowercase ASCII letters, digits and single hyphens, at most 64 characters")
    """
    if _SLUG.fullmatch(doc_id) and len(doc_id) <= MAX_ID_LENGTH:
        return None
    return (f"id {doc_id[:MAX_ID_LENGTH + 16]!r} is not a safe id: use lowercase ASCII letters, digits and single hyphens, "
            f"at most {MAX_ID_LENGTH} characters")


def suggest_id(text: str) -> str:
    """The nearest safe id: lowercase ASCII letters, digits and single hyphens.

    >>> suggest_id("Meizhou 2023/../x")
    'meizhou-2023-x'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:MAX_ID_LENGTH].strip("-") or "plan"


def project_root() -> Path:
    """``$QCOMPARE_HOME``, else the checkout the package lives in, else the working directory."""
    if os.environ.get("QCOMPARE_HOME"):
        return Path(os.environ["QCOMPARE_HOME"]).resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "data" / "raw").is_dir():
        return checkout
    return Path.cwd()


def raw_dir() -> Path:
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    return project_root() / "data" / "processed"


def figures_dir() -> Path:
    return project_root() / "figures"


def reports_dir() -> Path:
    return project_root() / "reports"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def package_fingerprint() -> str:
    """Hash of the package's code and data files: what every output also depends on."""
    h = hashlib.sha256()
    for p in sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".yml", ".csv", ".txt")):
        h.update(p.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()
