"""Preflight one deck: read what it should show, render it, compare slide by slide."""

from __future__ import annotations

import zipfile
from pathlib import Path

from salesdeck.errors import NotADeckError, OutputError
from salesdeck.generator.render.pdf import OfficeMissingError, find_soffice
from salesdeck.generator.preflight import pdfwords
from salesdeck.generator.preflight.chart_checks import check_chart
from salesdeck.generator.preflight.colour_checks import check_colours
from salesdeck.generator.preflight.report import Report
from salesdeck.generator.preflight.slides import SlideView, read_deck
from salesdeck.generator.preflight.text_checks import check_tables, check_text

__all__ = ["preflight", "check_views"]


class PreflightOfficeMissing(OfficeMissingError):
    """Without LibreOffice there is nothing to look at (exit 2, like a usage problem)."""

    exit_code = 2


def preflight(deck: str | Path) -> Report:
    """Render ``deck`` with LibreOffice and list every defect found, by slide."""
    deck = Path(deck)
    if find_soffice() is None:
        raise PreflightOfficeMissing(
            "cannot preflight: LibreOffice is not installed, and preflight checks what it draws",
            hint="install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-impress poppler-utils) "
                 "or set SALESDECK_SOFFICE to its soffice program")
    if not zipfile.is_zipfile(deck):
        raise NotADeckError(f"{deck.name} is not a PowerPoint deck (expected a .pptx file)")
    try:
        views = read_deck(deck)
    except Exception as exc:  # python-pptx raises several types for broken packages
        raise NotADeckError(f"{deck.name} cannot be read as a PowerPoint deck: {exc}") from None
    pages = pdfwords.render(deck)
    return check_views(deck.name, views, pages)


def check_views(name: str, views: list[SlideView], pages: list[pdfwords.Page]) -> Report:
    """Compare each slide with its rendered page."""
    if len(pages) != len(views):
        raise OutputError(f"LibreOffice drew {len(pages)} page(s) for the {len(views)} slide(s) of {name}")
    report = Report(name, len(views))
    for view, page in zip(views, pages):
        for shape in view.texts:
            report.defects += check_text(view, page, shape)
        report.defects += check_tables(view, page)
        for chart in view.charts:
            report.defects += check_chart(view, page, chart)
        report.defects += check_colours(view)
    return report
