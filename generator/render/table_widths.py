"""Table column widths from measured content: a number and its unit never wrap, text columns give
way first, and a table too wide even at the smallest size leaves out its least useful columns.

Each column has a natural width (every cell on one line) and a floor (its
widest piece that must stay whole: a number with its unit, a Latin word; a
header may take two lines). Columns get their natural width when the table
fits; otherwise the widest columns are capped at a common limit, never
below their floor.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from salesdeck.generator.render.breaks import NUMBER
from salesdeck.generator.spec import TableSpec
from salesdeck.generator.render.text import SAFETY, text_width

__all__ = ["CELL_MARGIN_X", "column_needs", "fit_widths", "drop_columns"]

CELL_MARGIN_X = 64008   # 0.07 in
#: Added to every column so a measured width never touches the cell edge.
SLACK = 12700
_WORDS = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


def _unbreakable(text: str, pt: float, bold: bool = False) -> int:
    """Width of the widest piece of ``text`` that must not be broken: a number with its unit, a Latin word."""
    pieces = NUMBER.findall(text) + _WORDS.findall(text)
    return max((text_width(p, pt, bold) for p in pieces), default=0)


def _outer(inner: float) -> int:
    return int(inner / SAFETY) + 2 * CELL_MARGIN_X + SLACK


#: Widths are measured at this size and scaled (text widths are proportional to the size).
_REFERENCE_PT = 100.0


@functools.lru_cache(maxsize=64)
def _column_ems(columns: tuple[str, ...], rows: tuple[tuple, ...]) -> tuple[tuple[float, float], ...]:
    """(natural, floor) of every column per point of font size, without margins."""
    pt = _REFERENCE_PT
    out = []
    for col, header in enumerate(columns):
        cells = [str(row[col]) if col < len(row) and row[col] is not None else "" for row in rows]
        header_w = text_width(header, pt, bold=True)
        natural = max([text_width(c, pt) for c in cells] + [header_w])
        header_floor = max(_unbreakable(header, pt, True), header_w / 2 + text_width("中", pt, True))
        floor = max([_unbreakable(c, pt) for c in cells] + [min(header_floor, header_w)])
        out.append((natural / pt, floor / pt))
    return tuple(out)


def column_needs(spec: TableSpec, pt: float) -> list[tuple[int, int]]:
    """(natural, floor) width of every column at ``pt``, in EMU, margins included."""
    ems = _column_ems(tuple(spec.columns), tuple(tuple(row) for row in spec.rows))
    return [(_outer(natural * pt), _outer(floor * pt)) for natural, floor in ems]


def fit_widths(needs: list[tuple[int, int]], width: int) -> list[int] | None:
    """Widths summing to ``width``: natural plus a share of the spare room when everything fits, else
    the widest columns capped at a common limit but never below their floors. None when the floors
    alone are wider than ``width``."""
    natural = [n for n, _ in needs]
    floors = [f for _, f in needs]
    if not needs or sum(floors) > width:
        return None
    total = sum(natural)
    if total <= width:
        widths = [n + (width - total) * n // total for n in natural]
    else:
        low, high = 0, max(natural)
        while high - low > 1000:
            mid = (low + high) // 2
            if sum(max(f, min(n, mid)) for n, f in needs) > width:
                high = mid
            else:
                low = mid
        widths = [max(f, min(n, low)) for n, f in needs]
        spare = width - sum(widths)
        capped = [i for i, n in enumerate(natural) if n > widths[i]] or list(range(len(needs)))
        for i in capped:
            widths[i] += spare // len(capped)
    widths[-1] += width - sum(widths)
    return widths


def _order(spec: TableSpec) -> list[int]:
    """Columns in the order they may be left out: those the spec names, then columns with one value
    in every row, then from the right; never the first column."""
    if spec.drop_order:
        return [c for c in spec.drop_order if 0 < c < len(spec.columns)]
    same = [c for c in range(1, len(spec.columns)) if len(spec.rows) > 1
            and len({str(row[c]) if c < len(row) else "" for row in spec.rows}) <= 1]
    return same + [c for c in range(len(spec.columns) - 1, 0, -1) if c not in same]


def drop_columns(spec: TableSpec, width: int, pt: float) -> tuple[TableSpec, list[str]]:
    """``spec`` without the fewest columns (in :func:`_order`) whose floors keep it from fitting ``width``."""
    dropped: list[int] = []
    order = _order(spec)
    current = spec
    while fit_widths(column_needs(current, pt), width) is None and order:
        dropped.append(order.pop(0))
        keep = [c for c in range(len(spec.columns)) if c not in dropped]
        current = replace(
            spec, columns=[spec.columns[c] for c in keep],
            rows=[[row[c] if c < len(row) else "" for c in keep] for row in spec.rows],
            fills=[[f[c] if c < len(f) else None for c in keep] for f in spec.fills] if spec.fills else None,
            align=[spec.align[c] for c in keep] if spec.align else None, drop_order=None)
    return current, [spec.columns[c] for c in dropped]
