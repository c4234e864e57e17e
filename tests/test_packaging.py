"""What an IT admin installs: the wheel's packages, ``python -m salesdeck``, the Python version the docs name."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import salesdeck

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_python_m_salesdeck_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "salesdeck", "--version"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"salesdeck, version {salesdeck.__version__}"


def test_every_package_folder_goes_into_the_wheel():
    """A package folder missing from pyproject's list would be missing on the manager's PC."""
    tool = PYPROJECT["tool"]["setuptools"]
    listed = set(tool["packages"])
    for package, folder in tool["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            sub = init.parent.relative_to(ROOT / folder).parts
            assert ".".join((package, *sub)) in listed, f"{init.parent} is not in [tool.setuptools] packages"


def test_the_setup_docs_name_the_python_version_pyproject_requires():
    minimum = re.fullmatch(r">=(\d+\.\d+)", PYPROJECT["project"]["requires-python"]).group(1)
    docs = (ROOT / "docs" / "excel-setup.md").read_text(encoding="utf-8")
    versions = set(re.findall(r"Python (3\.\d+)", docs))
    assert versions == {minimum}, f"docs name Python {sorted(versions)}, pyproject requires {minimum}"


def test_the_setup_docs_pin_the_xlwings_the_addin_is_built_from():
    import xlwings

    docs = (ROOT / "docs" / "excel-setup.md").read_text(encoding="utf-8")
    assert "xlwings==" in docs and "salesdeck addin build" in docs
    assert f"xlwings=={xlwings.__version__}" in docs or "xlwings==<version>" in docs
