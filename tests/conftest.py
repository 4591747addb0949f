"""Shared fixtures: the bundled plans, built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import qcompare as qc

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> qc.Corpus:
    """The five bundled plans, built into a temporary folder (data/processed is left alone)."""
    out = tmp_path_factory.mktemp("processed")
    return qc.load(RAW, out)


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A writable copy of the bundled raw folder."""
    dest = tmp_path / "raw"
    shutil.copytree(RAW, dest)
    return dest
