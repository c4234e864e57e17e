"""Checks on text boxes, titles and tables as drawn: outside the box or slide, rows not drawn,
numbers split across lines, titles over two lines, orphan last lines."""

from __future__ import annotations

import re

from salesdeck.generator.render.breaks import split_numbers
from salesdeck.generator.preflight.lines import Followed, follow, lines_of
from salesdeck.generator.preflight.pdfwords import Page
from salesdeck.generator.preflight.report import Defect
from salesdeck.generator.preflight.slides import Rect, SlideView, TableShape, TextShape

__all__ = ["check_text", "check_tables", "outside_slide"]

#: Slack in points for boxes and frames (renderers round positions).
TOLERANCE = 2.0
_PIECES = re.compile(r"[\n\v]")


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def outside_slide(view: SlideView, name: str, rect: Rect) -> list[Defect]:
    if (rect.x < -TOLERANCE or rect.y < -TOLERANCE or rect.right > view.width + TOLERANCE
            or rect.bottom > view.height + TOLERANCE):
        return [Defect(view.number, "outside_slide", name,
                       f"box {rect.x:.0f},{rect.y:.0f} {rect.w:.0f}x{rect.h:.0f} pt is not inside the "
                       f"{view.width:.0f}x{view.height:.0f} pt slide")]
    return []


def _wrapping(view: SlideView, name: str, found: Followed, orphan_chars: int) -> list[Defect]:
    defects = []
    numbers = split_numbers(found.text, found.breaks)
    if numbers:
        drawn = " / ".join(line.text for line in found.lines)
        defects.append(Defect(view.number, "number_split", name,
                              f"{', '.join(numbers)} split across lines: {_short(drawn, 60)}"))
    if len(found.lines) > 1 and len(found.last_line) <= orphan_chars:
        defects.append(Defect(view.number, "orphan", name,
                              f"last line is only {found.last_line!r}: {_short(found.text, 40)}"))
    return defects


def check_text(view: SlideView, page: Page, shape: TextShape) -> list[Defect]:
    """A text shape's paragraphs inside its box, numbers whole, titles on at most two lines without orphans."""
    defects = outside_slide(view, shape.name, shape.rect)
    lines = lines_of(page.words, shape.rect, TOLERANCE)
    title = shape.kind == "title"
    start, drawn_lines = 0, 0
    for paragraph in shape.paragraphs:
        found = follow(paragraph, lines, start)
        start = found.next
        drawn_lines += len(found.lines)
        if not found.complete:
            done = sum(len(line.text) for line in found.lines)
            defects.append(Defect(view.number, "outside_box", shape.name,
                                  f"{_short(found.text[done:])!r} is not drawn inside the box "
                                  f"(of {_short(found.text, 40)!r})"))
            if found.lines:  # where the rest went: the lines just below or above the box
                drawn_lines += len(follow(found.text[done:], lines_of(page.words)).lines)
        defects += _wrapping(view, shape.name, found, 2 if title else 1)
    if title and drawn_lines > 2:
        defects.append(Defect(view.number, "title_lines", shape.name,
                              f"title drawn on {drawn_lines} lines: {_short(' '.join(shape.paragraphs), 60)}"))
    return defects


def _ranges(numbers: list[int]) -> str:
    spans, first = [], None
    for index, n in enumerate(numbers):
        if first is None:
            first = n
        if index == len(numbers) - 1 or numbers[index + 1] != n + 1:
            spans.append(f"{first}" if first == n else f"{first}-{n}")
            first = None
    return ", ".join(spans)


def _grouped(view: SlideView, table: TableShape, found: list[tuple[int, int, Defect]]) -> list[Defect]:
    """One defect per kind and column, naming its rows and the first case."""
    groups: dict[tuple[str, int], list[tuple[int, Defect]]] = {}
    for row, column, defect in found:
        groups.setdefault((defect.kind, column), []).append((row, defect))
    out = []
    for (kind, column), cases in groups.items():
        rows = _ranges([row + 1 for row, _ in cases])
        out.append(Defect(view.number, kind, f"{table.name} column {column + 1} row(s) {rows}", cases[0][1].message))
    return out


def check_table(view: SlideView, page: Page, table: TableShape) -> list[Defect]:
    """Every row drawn, every cell inside its column, numbers whole, no one-character last lines."""
    defects = outside_slide(view, table.name, table.rect)
    cell_defects: list[tuple[int, int, Defect]] = []
    rows = len(table.cells)
    drawn_rows: set[int] = set()
    bottom = 0.0
    for column, (left, right) in enumerate(table.columns):
        region = Rect(left, table.rect.y, right - left, max(page.height - table.rect.y, 0))
        lines = lines_of(page.words, region, 0.5)
        start = 0
        for row in range(rows):
            text = table.cells[row][column] if column < len(table.cells[row]) else ""
            for piece in (p for p in _PIECES.split(text) if p.strip()):
                found = follow(piece, lines, start)
                start = found.next
                if found.lines:
                    drawn_rows.add(row)
                    bottom = max(bottom, found.lines[-1].y1)
                if found.lines and not found.complete:
                    cell_defects.append((row, column, Defect(view.number, "outside_box", table.name,
                                                             f"{_short(found.text)!r} is not drawn whole inside its cell")))
                cell_defects += [(row, column, d) for d in _wrapping(view, table.name, found, 1)]
    defects += _grouped(view, table, cell_defects)
    missing = [r + 1 for r in range(rows) if r not in drawn_rows and any(c.strip() for c in table.cells[r])]
    if missing:
        first = next((c for c in table.cells[missing[0] - 1] if c.strip()), "")
        defects.append(Defect(view.number, "rows_missing", table.name,
                              f"rows {_ranges(missing)} of {rows} not drawn (from {_short(first)!r})"))
    below = _covered(view, table, bottom) if bottom > table.rect.bottom + TOLERANCE else ""
    if below:
        defects.append(Defect(view.number, "table_overflow", table.name,
                              f"drawn {bottom - table.rect.bottom:.0f} pt below its frame, over {below}"))
    return defects


def _covered(view: SlideView, table: TableShape, bottom: float) -> str:
    """The shapes a table drawn down to ``bottom`` covers below its frame."""
    others = [(s.name, s.rect) for s in view.texts] + [(t.name, t.rect) for t in view.tables if t is not table] + \
             [(c.name, c.rect) for c in view.charts]
    frame = table.rect
    hit = [name for name, rect in others
           if rect.y < bottom and rect.bottom > frame.bottom and rect.x < frame.right and rect.right > frame.x]
    return ", ".join(hit)


def check_tables(view: SlideView, page: Page) -> list[Defect]:
    return [d for table in view.tables for d in check_table(view, page, table)]
