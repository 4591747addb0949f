"""Shared fixtures: the bundled plans and the development set, each built once per test session."""

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


@pytest.fixture(scope="session")
def devset() -> qc.Corpus:
    """The hand-annotated development set (tests/fixtures/plans), built in memory once."""
    from qcompare.build import build_tables

    plans = FIXTURES / "plans"
    tables, failures = build_tables(plans)
    assert not failures, failures
    return qc.Corpus(tables, plans, plans)


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A writable copy of the bundled raw folder."""
    dest = tmp_path / "raw"
    shutil.copytree(RAW, dest)
    return dest
