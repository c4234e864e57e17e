"""A PDF beside the deck, through LibreOffice when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from salesdeck.atomic import atomic_path
from salesdeck.errors import OutputError, SalesdeckError
from salesdeck.tempfiles import private_tempdir

__all__ = ["OfficeMissingError", "convert_to_pdf", "find_soffice"]

TIMEOUT_SECONDS = 300


class OfficeMissingError(SalesdeckError):
    """LibreOffice is not installed, so no PDF can be made."""

    exit_code = 1


def find_soffice() -> str | None:
    """The LibreOffice executable: $SALESDECK_SOFFICE, then soffice/libreoffice on PATH, then usual places."""
    configured = os.environ.get("SALESDECK_SOFFICE")
    if configured and Path(configured).is_file():
        return configured
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/Applications/LibreOffice.app/Contents/MacOS/soffice",
                      r"C:\Program Files\LibreOffice\program\soffice.exe"):
        if Path(candidate).is_file():
            return candidate
    return None


def convert_to_pdf(deck: Path, pdf: Path | None = None) -> Path:
    """Write ``deck`` as PDF (default: same name, .pdf) atomically; returns the PDF path."""
    soffice = find_soffice()
    if soffice is None:
        raise OfficeMissingError(
            "cannot write the PDF: LibreOffice is not installed (the .pptx was written)",
            hint="install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-impress) "
                 "or set SALESDECK_SOFFICE to its soffice program")
    deck = Path(deck)
    pdf = Path(pdf) if pdf else deck.with_suffix(".pdf")
    work_path = private_tempdir("pdf")  # LibreOffice's profile and output; removed after, or by the next run
    try:
        profile = (work_path / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(work_path), str(deck.resolve())]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise OutputError(f"LibreOffice did not finish converting {deck.name} within {TIMEOUT_SECONDS} s") from None
        produced = work_path / (deck.stem + ".pdf")
        if proc.returncode != 0 or not produced.is_file():
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise OutputError(f"LibreOffice could not convert {deck.name} to PDF: {detail[0]}")
        with atomic_path(pdf) as tmp:
            shutil.copyfile(produced, tmp)
    finally:
        shutil.rmtree(work_path, ignore_errors=True)
    return pdf
