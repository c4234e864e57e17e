"""Text colour against the fill it sits on, for table cells and filled shapes (WCAG 4.5:1)."""

from __future__ import annotations

from salesdeck.generator.render.colours import MIN_CONTRAST, contrast, fill_colour, hex_of, resolve
from salesdeck.generator.preflight.report import Defect
from salesdeck.generator.preflight.slides import SlideView

__all__ = ["check_colours"]

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def _runs(element, theme):
    """(text, colour) of every run that sets its own colour."""
    for run in element.iter(f"{_A}r"):
        fill = run.find(f"{_A}rPr/{_A}solidFill")
        text = run.findtext(f"{_A}t") or ""
        colour = resolve(fill, theme) if fill is not None else None
        if colour is not None and text.strip():
            yield text, colour


def _poor(view: SlideView, fill, element) -> list[str]:
    if not isinstance(fill, tuple):
        return []
    return [f"{text!r} #{hex_of(colour)} on #{hex_of(fill)} {contrast(colour, fill):.1f}:1"
            for text, colour in _runs(element, view.theme) if contrast(colour, fill) < MIN_CONTRAST]


def check_colours(view: SlideView) -> list[Defect]:
    defects = []
    for table in (t for t in view.tables if t.element is not None):
        poor = []
        for cell in table.element.iter(f"{_A}tc"):
            poor += _poor(view, fill_colour(cell.find(f"{_A}tcPr"), view.theme), cell)
        if poor:
            defects.append(Defect(view.number, "text_contrast", table.name,
                                  f"{len(poor)} cell(s) hard to read, e.g. {poor[0]}"))
    for shape in (s for s in view.texts if s.element is not None):
        poor = _poor(view, fill_colour(shape.element.find(f"{_P}spPr"), view.theme), shape.element)
        if poor:
            defects.append(Defect(view.number, "text_contrast", shape.name, "; ".join(poor[:3])))
    return defects
