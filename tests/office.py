"""LibreOffice in tests: convert a file to PDF and read back what it rendered.

Tests that need it use the ``office`` fixture (see conftest.py); when
``soffice`` is absent they skip with a clear reason. CI installs LibreOffice.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


class OfficeError(RuntimeError):
    pass


def convert(path: Path, outdir: Path, fmt: str = "pdf", timeout: int = 240) -> Path:
    """Convert ``path`` with headless LibreOffice; return the output file.

    Each call uses its own throw-away user profile so conversions can run
    side by side without fighting over a lock.
    """
    if SOFFICE is None:
        raise OfficeError("soffice not found")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [
            SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
            "--convert-to", fmt, "--outdir", str(outdir), str(path),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    target = outdir / (Path(path).stem + "." + fmt.split(":")[0])
    if proc.returncode != 0 or not target.exists():
        raise OfficeError(f"LibreOffice could not convert {path}: rc={proc.returncode} {proc.stdout} {proc.stderr}")
    return target


def sheet_rows(path: Path, outdir: Path, number: int, name: str) -> list[list[str]]:
    """Sheet ``number`` (1-based, called ``name``) as LibreOffice shows it, exported to UTF-8 CSV."""
    import csv

    fmt = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{number}"
    try:
        convert(path, outdir, fmt=fmt)
    except OfficeError:
        pass  # LibreOffice 7.x names one sheet's file <stem>-<sheet>.csv, not the <stem>.csv convert looks for
    named, plain = outdir / f"{Path(path).stem}-{name}.csv", outdir / f"{Path(path).stem}.csv"
    target = named if named.exists() else plain
    if not target.exists():
        raise OfficeError(f"LibreOffice did not export sheet {name} of {path}")
    with target.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def pdf_text(pdf: Path) -> str:
    """The text LibreOffice rendered, page breaks as form feeds."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise OfficeError(f"no page count in pdfinfo output for {pdf}")


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
