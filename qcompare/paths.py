"""Where the project's folders are, whatever the caller's working directory."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
VERSION = "0.1.0"  # the release; pyproject.toml reads it from here


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
