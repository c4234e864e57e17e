"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests import office as office_module

SHARED = Path(os.environ.get("SALESDECK_SHARED") or Path(__file__).resolve().parents[2] / "shared")
REALDATA = SHARED / "realdata"


@pytest.fixture(scope="session")
def office():
    """The LibreOffice helper module; skips the test when soffice is absent."""
    if office_module.SOFFICE is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and poppler-utils are not installed; CI installs them via .ci/run")
    return office_module


@pytest.fixture
def realdata() -> Path:
    """The folder of real-world files made by others (../shared/realdata)."""
    if not REALDATA.is_dir():
        pytest.skip(f"real-world files not found beside the project ({REALDATA})")
    return REALDATA


@pytest.fixture(scope="session")
def sample_models() -> dict:
    """The default sample (seed 7) as a model, in zh and en: generated once for every test that reads it."""
    from salesdeck.workbook import contract
    from salesdeck.workbook.author.sample import generate

    return {lang: generate(seed=7, lang=lang) for lang in contract.LANGS}
