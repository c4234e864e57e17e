"""What each slide should show, read from the .pptx: text boxes, titles, tables and charts with their boxes.

Positions are converted to points (1 pt = 12700 EMU) to compare with what
LibreOffice drew. Charts are handed on as their own XML (parsed from the
chart part) with the slide's theme, for the colour and legend checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER

from salesdeck.generator.render.colours import Theme, theme_of

__all__ = ["Rect", "TextShape", "TableShape", "ChartShape", "SlideView", "read_deck", "EMU_PER_PT"]

EMU_PER_PT = 12700
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True)
class Rect:
    """A box in points."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def holds(self, x: float, y: float, tolerance: float = 0.0) -> bool:
        return (self.x - tolerance <= x <= self.right + tolerance
                and self.y - tolerance <= y <= self.bottom + tolerance)


@dataclass
class TextShape:
    """A shape's text as paragraphs; explicit line breaks split a paragraph into several."""

    name: str
    kind: str  # "title" or "text"
    rect: Rect
    paragraphs: list[str]
    element: object = None


@dataclass
class TableShape:
    name: str
    rect: Rect
    #: left and right edge of each column, in points
    columns: list[tuple[float, float]]
    cells: list[list[str]]
    element: object = None


@dataclass
class ChartShape:
    name: str
    rect: Rect
    space: object  # the chart part's c:chartSpace (lxml)


@dataclass
class SlideView:
    number: int
    width: float
    height: float
    theme: Theme
    texts: list[TextShape] = field(default_factory=list)
    tables: list[TableShape] = field(default_factory=list)
    charts: list[ChartShape] = field(default_factory=list)


def _rect(shape) -> Rect | None:
    if shape.left is None or shape.top is None or shape.width is None or shape.height is None:
        return None
    return Rect(shape.left / EMU_PER_PT, shape.top / EMU_PER_PT, shape.width / EMU_PER_PT, shape.height / EMU_PER_PT)


def _paragraphs(frame) -> list[str]:
    out = []
    for paragraph in frame.paragraphs:
        for piece in paragraph.text.split("\v"):
            if piece.strip():
                out.append(piece)
    return out


def _shapes(shapes):
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _view(slide, number: int, width: float, height: float) -> SlideView:
    view = SlideView(number, width, height, theme_of(slide))
    for shape in _shapes(slide.shapes):
        rect = _rect(shape)
        if rect is None:
            continue
        if shape.has_text_frame:
            paragraphs = _paragraphs(shape.text_frame)
            if paragraphs:
                kind = "title" if shape.is_placeholder and shape.placeholder_format.type in _TITLES else "text"
                view.texts.append(TextShape(shape.name, kind, rect, paragraphs, shape.element))
        elif getattr(shape, "has_table", False) and shape.has_table:
            table = shape.table
            edges, x = [], rect.x
            for column in table.columns:
                edges.append((x, x + column.width / EMU_PER_PT))
                x += column.width / EMU_PER_PT
            cells = [[cell.text for cell in row.cells] for row in table.rows]
            view.tables.append(TableShape(shape.name, rect, edges, cells, shape.element))
        elif getattr(shape, "has_chart", False) and shape.has_chart:
            space = etree.fromstring(shape.chart_part.blob, _SAFE)
            view.charts.append(ChartShape(shape.name, rect, space))
    return view


def read_deck(path: Path) -> list[SlideView]:
    """Every slide's text shapes, tables and charts, in slide order (numbered from 1)."""
    prs = Presentation(str(path))
    width, height = prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT
    return [_view(slide, number, width, height) for number, slide in enumerate(prs.slides, start=1)]
