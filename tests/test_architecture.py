"""The layering rules of docs/architecture.md, enforced on the source of every package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: folder -> the salesdeck packages it may import besides itself. ``salesdeck`` is the ground
#: floor (errors, atomic writes, timing, ooxml): everyone may import it and it imports no one.
ALLOWED = {
    "salesdeck": set(),
    "calc": set(),
    "workbook": {"calc"},
    "metrics": {"calc", "workbook"},
    "generator": {"calc", "workbook", "metrics"},
    "results": {"calc", "workbook", "metrics"},
    "jobs": {"calc", "workbook", "metrics", "generator", "results"},
    "addin": {"calc", "workbook", "metrics", "generator", "results", "jobs"},
    "cli": {"calc", "workbook", "metrics", "generator", "results", "jobs", "addin"},
}
PACKAGES = set(ALLOWED) | {"templates"}
#: third-party libraries only one package may import
ONLY_IN = {"xlwings": {"addin"}, "click": {"cli"}, "jinja2": {"generator"}, "pptx": {"generator"}}
#: modules whose import is allowed where it would otherwise break a rule, and why
EXCEPTIONS = {
    # xlwings' ribbon VBA runs ``import salesdeck; salesdeck.main()``: the entry point must be in the root
    # package, and imports the ribbon lazily, only when Excel calls it.
    ("salesdeck/__init__.py", "salesdeck.addin.ribbon"),
    # ``python -m salesdeck`` runs the command line: the root package's __main__ is the CLI's other door.
    ("salesdeck/__main__.py", "salesdeck.cli"),
}


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "salesdeck":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in PACKAGES else "salesdeck"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_every_package_has_rules():
    folders = {p.parent.relative_to(ROOT).parts[0] for p in ROOT.glob("*/__init__.py")}
    assert folders - {"tests", "templates"} <= set(ALLOWED)


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(folder):
    offenders = []
    for path in _sources(folder):
        rel = str(path.relative_to(ROOT))
        for name in _imports(path):
            package = _package_of(name)
            if package and package not in ("salesdeck", folder, "templates") and package not in ALLOWED[folder]:
                if (rel, name) not in EXCEPTIONS and (rel, name.rsplit(".", 1)[0]) not in EXCEPTIONS:
                    offenders.append(f"{rel} imports {name}")
            top = name.split(".")[0]
            if top in ONLY_IN and folder not in ONLY_IN[top]:
                offenders.append(f"{rel} imports {name}")
    assert offenders == []


def test_deck_analysis_and_renderer_meet_only_in_the_spec():
    """generator/parts builds a DeckSpec from metrics; generator/render draws it. Neither imports the other."""
    offenders = []
    for inner, other in (("parts", "render"), ("render", "parts")):
        for path in _sources(f"generator/{inner}"):
            for name in _imports(path):
                if name.startswith(f"salesdeck.generator.{other}"):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_calc_is_pure():
    """calc/ does no I/O: no open(), no pathlib, no os."""
    offenders = []
    for path in _sources("calc"):
        text = path.read_text(encoding="utf-8")
        imports = _imports(path)
        if {"os", "pathlib", "io"} & imports or "open(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_module_is_too_long():
    """Small modules with one job: none over 500 lines (data tables excepted)."""
    data_tables = {"workbook/contract.py", "generator/parts/labels.py"}
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for folder in ALLOWED for p in _sources(folder)
            if str(p.relative_to(ROOT)) not in data_tables and (n := len(p.read_text(encoding="utf-8").splitlines())) > 500]
    assert long == []


def test_no_merge_conflict_is_left_in_a_file():
    markers = ("<" * 7 + " ", ">" * 7 + " ")
    offenders = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if not path.is_file() or parts[0] in (".git", ".venv", "benchmarks") or path.suffix not in (
                ".py", ".md", ".toml", ".j2", ".cfg", ".txt", ".yml", ".yaml") and path.name != "Makefile":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(line.startswith(markers) for line in text.splitlines()):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
