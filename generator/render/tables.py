"""Native tables: column widths from measured content, rows measured with real font metrics, RAG fills,
and long tables split into pages that each fit their box.

Numbers never wrap (see :mod:`table_widths`); a cell that wraps does so
without splitting a number and without a one-character last line, by
narrowing that cell's right margin where needed (:func:`breaks.settle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pptx.dml.color import RGBColor
from pptx.oxml import parse_xml
from pptx.util import Emu

from salesdeck.generator.render.breaks import settle
from salesdeck.generator.render.colours import hex_of, readable_on, theme_of
from salesdeck.generator.spec import TableSpec
from salesdeck.generator.render.style import RAG_FILL, Box, Style
from salesdeck.ooxml.xml import escape_attr, escape_text
from salesdeck.generator.render.table_widths import CELL_MARGIN_X, column_needs, drop_columns, fit_widths
from salesdeck.generator.render.text import line_height, wrap

__all__ = ["TableLayout", "add_table", "fit_columns", "layout_at", "layout_table", "natural_width", "paginate"]

CELL_MARGIN_Y = 27432   # 0.03 in
MIN_PT = 9.0
BAND = RGBColor(0xF3, 0xF4, 0xF6)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
DARK = RGBColor(0x1F, 0x29, 0x37)


@dataclass
class TableLayout:
    """Font size, column widths and the height of every row (header first), in EMU.

    ``insets`` holds, per row (header first) and column, how much narrower
    than its column a cell's text is set so that it wraps cleanly (0 mostly).
    """

    pt: float
    widths: list[int]
    header_height: int
    row_heights: list[int]
    insets: list[list[int]] = field(default_factory=list)


def _cell_lines(text: str, width: int, pt: float, bold: bool) -> tuple[int, int]:
    """(lines, inset): how many lines ``text`` takes in a column ``width`` wide, and by how much its
    wrapping width is narrowed so no number splits and no line is left with one character."""
    inner = max(width - 2 * CELL_MARGIN_X, 12700)
    if not text or len(wrap(text, pt, inner, bold)) == 1:
        return 1, 0
    settled = settle(text, pt, inner, bold)
    return settled.lines, inner - settled.width


def _row(cells: list[str], widths: list[int], pt: float, bold: bool = False) -> tuple[int, list[int]]:
    lines, insets = 1, []
    for text, width in zip(cells, widths):
        count, inset = _cell_lines(text, width, pt, bold)
        lines = max(lines, count)
        insets.append(inset)
    return lines * line_height(pt) + 2 * CELL_MARGIN_Y + 12700, insets


def _texts(row: list) -> list[str]:
    return [str(c) if c is not None else "" for c in row]


def layout_at(spec: TableSpec, width: int, pt: float) -> TableLayout | None:
    """Widths, row heights and insets at ``pt``; None when the columns' floors do not fit ``width``."""
    widths = fit_widths(column_needs(spec, pt), width)
    if widths is None:
        return None
    header, header_insets = _row(spec.columns, widths, pt, bold=True)
    heights, insets = [], [header_insets]
    for row in spec.rows:
        height, row_insets = _row(_texts(row), widths, pt)
        heights.append(height)
        insets.append(row_insets)
    return TableLayout(pt, widths, header, heights, insets)


def fit_columns(spec: TableSpec, width: int) -> tuple[TableSpec, list[str]]:
    """``spec`` as it can be drawn ``width`` wide: whole, or without the columns that cannot fit even at 9 pt."""
    return drop_columns(spec, width, MIN_PT)


def layout_table(spec: TableSpec, width: int, style: Style) -> TableLayout:
    """The largest font up to the normal size at which no column has to wrap, else wrap at 9 pt.

    ``spec`` must fit ``width`` at 9 pt (see :func:`fit_columns`).
    """
    pt = style.table_pt
    while sum(n for n, _ in column_needs(spec, pt)) > width and pt > MIN_PT:
        pt = max(MIN_PT, pt - 0.5)
    while True:
        layout = layout_at(spec, width, pt)
        if layout is not None or pt <= MIN_PT:
            break
        pt = max(MIN_PT, pt - 0.5)
    if layout is None:
        raise ValueError("table columns do not fit; call fit_columns first")
    return layout


def natural_width(spec: TableSpec, style: Style) -> int:
    """Width the table needs at the normal table font without wrapping any cell."""
    return sum(n for n, _ in column_needs(spec, style.table_pt))


#: Short tables on big slides get a larger font, up to this size.
MAX_PT = 16.0


def _fits_one_page(spec: TableSpec, box: Box, style: Style) -> TableLayout | None:
    """The largest font at which the whole table fits ``box``: above the normal size only without
    wrapping, at or below it wrapping long cells rather than shrinking under the normal size."""
    pt = MAX_PT
    while pt >= MIN_PT:
        wraps = sum(n for n, _ in column_needs(spec, pt)) > box.cx
        if not wraps or pt <= style.table_pt:
            layout = layout_at(spec, box.cx, pt)
            if layout is not None and layout.header_height + sum(layout.row_heights) <= box.cy:
                return layout
        pt -= 0.5
    return None


def _page_breaks(heights: list[int], header: int, capacity: int) -> list[tuple[int, int]]:
    pages: list[tuple[int, int]] = []
    start, used = 0, header
    for index, height in enumerate(heights):
        if used + height > capacity and index > start:
            pages.append((start, index))
            start, used = index, header
        used += height
    pages.append((start, len(heights)))
    return pages


def paginate(spec: TableSpec, box: Box, style: Style) -> list[tuple[TableSpec, TableLayout]]:
    """Split ``spec`` into tables that each fit ``box`` (header repeated on every page).

    A table that fits on one page is drawn as large as the box allows (up to
    16 pt) so short tables stay readable from the back of the room. Longer
    tables are spread evenly over the fewest pages, not left with a stub.
    """
    layout = _fits_one_page(spec, box, style)
    if layout is not None:
        return [(spec, layout)]
    layout = layout_table(spec, box.cx, style)
    pages = _page_breaks(layout.row_heights, layout.header_height, box.cy)
    low, high = layout.header_height + max(layout.row_heights, default=0), box.cy
    while high - low > 12700:  # the smallest page height that still needs no more pages
        mid = (low + high) // 2
        if len(_page_breaks(layout.row_heights, layout.header_height, mid)) <= len(pages):
            high = mid
        else:
            low = mid
    pages = _page_breaks(layout.row_heights, layout.header_height, high)
    out = []
    for first, last in pages:
        part = TableSpec(columns=spec.columns, rows=spec.rows[first:last],
                         fills=spec.fills[first:last] if spec.fills else None, align=spec.align)
        out.append((part, TableLayout(layout.pt, layout.widths, layout.header_height,
                                      layout.row_heights[first:last],
                                      [layout.insets[0]] + layout.insets[first + 1:last + 1])))
    return out


_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_ALIGN = {"l": "l", "r": "r", "c": "ctr"}


def _cell_xml(text: str, style: Style, pt: float, fill: str, color: str, bold: bool, align: str,
              inset: int = 0) -> str:
    """One ``a:tc``: the run with its latin and East Asian fonts, margins, anchor and fill.

    Written as XML in one piece: a table of a few hundred cells is built in
    milliseconds instead of the per-property calls of the object API.
    """
    lang = "zh-CN" if style.lang == "zh" else "en-US"
    size = int(pt * 100)
    fonts = f'<a:latin typeface="{escape_attr(style.latin)}"/><a:ea typeface="{escape_attr(style.ea)}"/>'
    run = ""
    if text:
        run = (f'<a:r><a:rPr lang="{lang}" sz="{size}" b="{int(bold)}" dirty="0">{color}{fonts}</a:rPr>'
               f"<a:t>{escape_text(text)}</a:t></a:r>")
    return (f'<a:tc><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/><a:p><a:pPr algn="{_ALIGN.get(align, "l")}"/>'
            f'{run}<a:endParaRPr lang="{lang}" sz="{size}" dirty="0">{fonts}</a:endParaRPr></a:p></a:txBody>'
            f'<a:tcPr marL="{CELL_MARGIN_X}" marR="{CELL_MARGIN_X + inset}" marT="{CELL_MARGIN_Y}" marB="{CELL_MARGIN_Y}" '
            f'anchor="ctr">{fill}</a:tcPr></a:tc>')


def _solid(rgb=None, scheme: str | None = None) -> str:
    inner = f'<a:schemeClr val="{scheme}"/>' if scheme else f'<a:srgbClr val="{rgb}"/>'
    return f"<a:solidFill>{inner}</a:solidFill>"


def _replace_row(tr, cells: list[str]) -> None:
    height = tr.get("h")
    new = parse_xml(f'<a:tr xmlns:a="{_A}" h="{height}">{"".join(cells)}</a:tr>')
    tr.getparent().replace(tr, new)


def add_table(slide, spec: TableSpec, layout: TableLayout, box: Box, style: Style):
    """Draw one page of a table at the top of ``box``; returns the graphic frame."""
    height = layout.header_height + sum(layout.row_heights)
    shape = slide.shapes.add_table(len(spec.rows) + 1, len(spec.columns), Emu(box.x), Emu(box.y),
                                   Emu(box.cx), Emu(min(height, box.cy)))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    # set on the XML, then let python-pptx resize the frame once (its per-row setters resize it every time)
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, layout.widths):
        grid_col.w = Emu(width)
    for tr, h in zip(table._tbl.tr_lst, [layout.header_height, *layout.row_heights]):
        tr.h = Emu(h)
    table.notify_width_changed()
    table.notify_height_changed()
    aligns = spec.align or ["l"] * len(spec.columns)
    rows = list(table._tbl.tr_lst)
    insets = layout.insets or [[0] * len(spec.columns) for _ in rows]
    header_fill = _solid(scheme="accent1")
    accent = theme_of(slide).rgb("accent1")
    header_text = _solid(hex_of(readable_on(accent)) if accent else str(WHITE))
    _replace_row(rows[0], [_cell_xml(h, style, layout.pt, header_fill, header_text, True,
                                     "c" if aligns[c] == "r" else aligns[c], insets[0][c])
                           for c, h in enumerate(spec.columns)])
    dark = _solid(str(DARK))
    for r, row in enumerate(spec.rows, start=1):
        cells = []
        for col in range(len(spec.columns)):
            text = str(row[col]) if col < len(row) and row[col] is not None else ""
            fill = spec.fills[r - 1][col] if spec.fills and col < len(spec.fills[r - 1]) else None
            background = RAG_FILL[fill] if fill else (BAND if r % 2 == 0 else WHITE)
            cells.append(_cell_xml(text, style, layout.pt, _solid(str(background)), dark, False, aligns[col],
                                   insets[r][col]))
        _replace_row(rows[r], cells)
    return shape
