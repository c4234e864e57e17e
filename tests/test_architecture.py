"""The layering rules of ARCHITECTURE.md, enforced on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# folder -> salesdeck subpackages it may import (besides itself and the shared core)
ALLOWED = {
    "calc": set(),
    "workbook": {"calc"},
    "addin": {"calc", "workbook"},
    "generator": {"calc", "workbook"},
}
#: One file may go further: the ribbon's Build deck button renders the deck, as the CLI's build does.
EXCEPTIONS = {"addin/deck.py": {"generator"}}
FORBIDDEN_THIRD_PARTY = {
    "calc": {"xlwings", "openpyxl", "pptx", "python_calamine", "jinja2", "click"},
    "workbook": {"xlwings", "pptx", "jinja2", "click"},
    "generator": {"xlwings", "click"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(folder):
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "salesdeck" and len(parts) > 1:
                sub = parts[1]
                allowed = ALLOWED[folder] | EXCEPTIONS.get(str(path.relative_to(ROOT)), set())
                if sub in ALLOWED and sub != folder and sub not in allowed:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
            if parts[0] in FORBIDDEN_THIRD_PARTY.get(folder, set()):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_calc_is_pure():
    """calc/ does no I/O: no open(), no pathlib, no os."""
    offenders = []
    for path in sorted((ROOT / "calc").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        imports = _imports(path)
        if {"os", "pathlib", "io"} & imports or "open(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
