"""The package layout is the data flow: every import points down it, and no module imports itself back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "qcompare"
# Stages in flow order. A module may import its own stage (same folder) or an earlier one.
STAGES = {
    "base": 0,  # errors, paths, atomic, schema: used everywhere
    "knowledge": 1,  # readers of qcompare/data/
    "plan": 2,  # one plan's inputs
    "extract": 3,  # one plan in, rows out
    "hinge": 4,  # build, corpus, tfidf: every plan -> the tables
    "ingest": 5,  # qcompare add: checks a new plan by building it
    "analysis": 5,
    "figures": 6,
    "reports": 7,
    "cli": 8,
    "init": 9,  # qcompare/__init__.py, the API
}
BASE = {"errors", "paths", "atomic", "schema"}


def stage(module: str) -> str:
    """The stage of a dotted module name inside qcompare."""
    parts = module.split(".")[1:]
    if not parts:
        return "init"
    if len(parts) > 1:
        return parts[0]
    return "base" if parts[0] in BASE else "cli" if parts[0] == "cli" else "hinge"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every qcompare module ``path`` imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "qcompare"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "qcompare":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                          or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else base)
    return found - {name}


GRAPH = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


def test_every_module_has_a_stage():
    for module in GRAPH:
        assert stage(module) in STAGES, module


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down_the_flow(module):
    here = stage(module)
    for target in GRAPH[module]:
        there = stage(target)
        if target == "qcompare":
            pytest.fail(f"{module} imports the package's API (qcompare/__init__.py)")
        assert STAGES[there] < STAGES[here] or there == here, f"{module} ({here}) imports {target} ({there})"


def test_no_import_cycle():
    visiting, done = [], set()

    def visit(node):
        if node in done:
            return
        assert node not in visiting, " -> ".join(visiting[visiting.index(node):] + [node])
        visiting.append(node)
        for target in GRAPH.get(node, ()):
            visit(target)
        visiting.pop()
        done.add(node)

    for node in GRAPH:
        visit(node)


def test_the_stage_check_can_fail():
    assert STAGES[stage("qcompare.figures.plot")] > STAGES[stage("qcompare.extract.targets")]
    assert stage("qcompare.build") == "hinge" and stage("qcompare.schema") == "base"
