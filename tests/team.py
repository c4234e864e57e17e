"""Helpers for the team tests: what a deck shows, read back with python-pptx, and cells edited with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from pptx import Presentation


def deck_content(path: Path) -> list[tuple]:
    """Every slide's texts, table cells and chart series (names, categories, values), in order."""
    out = []
    for number, slide in enumerate(Presentation(str(path)).slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append((number, "text", shape.text_frame.text))
            if getattr(shape, "has_table", False) and shape.has_table:
                out.append((number, "table", [[c.text for c in row.cells] for row in shape.table.rows]))
            if getattr(shape, "has_chart", False) and shape.has_chart:
                for plot in shape.chart.plots:
                    out.append((number, "chart", list(plot.categories),
                                [(s.name, list(s.values)) for s in plot.series]))
    return out


def slide_titles(path: Path) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in Presentation(str(path)).slides]


def header_columns(ws, headers: list[str]) -> dict[str, int]:
    """Column number of each header in row 1 (the first table with it)."""
    row = [c.value for c in ws[1]]
    return {h: row.index(h) + 1 for h in headers}


def set_setting(path: Path, sheet: str, name: str, value) -> None:
    """Set a Settings value (the row whose first cell is ``name``) and save."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == name)
    ws.cell(row, 2).value = value
    book.save(path)
