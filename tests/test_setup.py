"""Project set-up stays in step: environment.yml mirrors pyproject.toml; CI runs the README's command."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert set(pip) == wanted, sorted(set(pip) ^ wanted)
    assert len({_name(r) for r in pip}) == len(pip)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make report" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _lock() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return {_name(line): line.split("==", 1)[1] for line in lines if "==" in line and not line.startswith("#")}


def test_lock_pins_every_requirement_within_its_range():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = {name.replace("_", "-"): v for name, v in _lock().items()}
    for line in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(line)
        name = req.name.lower().replace("_", "-")
        assert name in locked, f"requirements.lock lacks {req.name}: run make lock"
        assert req.specifier.contains(locked[name], prereleases=True), f"{req.name}=={locked[name]} is outside {req.specifier}"


def test_make_installs_from_the_lock():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-r requirements.lock" in makefile and "--no-deps -e ." in makefile


def test_every_optional_backend_imports():
    # Importers load these lazily, so a missing one would surface only when a user adds such a file.
    import importlib

    for module in ("trafilatura", "lxml_html_clean", "lxml.html.clean", "justext", "pypdf", "docx", "openpyxl",
                   "mplfonts", "papermill", "nbconvert", "opencc", "jieba"):
        importlib.import_module(module)
