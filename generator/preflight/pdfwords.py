"""What LibreOffice drew: the deck converted to PDF, and every word with its box, page by page.

``pdftotext -bbox-layout`` (poppler) lists each word with its box in PDF
points; a slide's page is the slide's size in points (EMU / 12700), so the
boxes compare directly with the shapes' positions.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from salesdeck.errors import OutputError
from salesdeck.generator.render.pdf import OfficeMissingError, convert_to_pdf

__all__ = ["Word", "Page", "render", "parse_bbox"]

TIMEOUT_SECONDS = 120
_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    """One drawn word and its box in points (origin top left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]


def render(deck: Path) -> list[Page]:
    """Convert ``deck`` with LibreOffice and read back every page's words (raises OfficeMissingError)."""
    pdftotext = shutil.which("pdftotext")
    with tempfile.TemporaryDirectory(prefix="salesdeck-preflight-") as work:
        pdf = convert_to_pdf(Path(deck), Path(work) / "deck.pdf")
        if pdftotext is None:
            raise OfficeMissingError("cannot read the rendered deck: pdftotext (poppler) is not installed",
                                     hint="install poppler (Debian/Ubuntu: apt-get install poppler-utils)")
        try:
            proc = subprocess.run([pdftotext, "-bbox-layout", str(pdf), "-"], capture_output=True,
                                  timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise OutputError(f"pdftotext did not finish reading the rendered {Path(deck).name}") from None
        if proc.returncode != 0:
            raise OutputError(f"pdftotext could not read the rendered {Path(deck).name}: "
                              f"{proc.stderr.decode(errors='replace').strip()[:200]}")
    return parse_bbox(proc.stdout)


def parse_bbox(xhtml: bytes) -> list[Page]:
    """Pages and words from ``pdftotext -bbox-layout`` output."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=True)
    root = etree.fromstring(xhtml, parser)
    pages = []
    for page in root.iter(f"{_XHTML}page"):
        words = tuple(
            Word(word.text or "", float(word.get("xMin")), float(word.get("yMin")), float(word.get("xMax")),
                 float(word.get("yMax")))
            for word in page.iter(f"{_XHTML}word") if (word.text or "").strip())
        pages.append(Page(float(page.get("width")), float(page.get("height")), words))
    return pages
