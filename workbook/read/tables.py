"""Find tables in a 2-D grid by their header row, wherever they start.

A table is a header row (cells matching the wanted headers, in any order, with
any case/spacing/full-width variation) and the rows below it. Title rows above,
extra columns, blank rows inside and several tables side by side or stacked on
one sheet are all fine. Rows and columns here are 0-based grid indices; the
``FoundTable`` also offers the worksheet addresses a person sees (1-based rows,
column letters).
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from salesdeck.workbook import contract
from salesdeck.ooxml.xml import column_letter

Grid = Sequence[Sequence[object]]


def is_blank(value: object) -> bool:
    """True for an empty cell: None, '' or whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class FoundTable:
    """A table located in a grid (0-based indices into the grid)."""

    header_index: int
    columns: dict[str, int]                      # wanted key -> column index
    headers: dict[str, str]                      # wanted key -> header text as found
    end_index: int                               # one past the last data row
    sheet: str | None = None
    extra: dict[int, str] = field(default_factory=dict)  # unmatched header cells in the block

    @property
    def header_row(self) -> int:
        """1-based worksheet row of the header."""
        return self.header_index + 1

    @property
    def first_row(self) -> int:
        """1-based worksheet row of the first data row."""
        return self.header_index + 2

    @property
    def last_row(self) -> int:
        """1-based worksheet row of the last data row (= header row when empty)."""
        return self.end_index

    @property
    def first_column(self) -> int:
        return min(self.columns.values())

    @property
    def origin(self) -> str:
        """Address of the header's first cell, e.g. ``B3``."""
        return f"{column_letter(self.first_column)}{self.header_row}"

    def letter(self, key: str) -> str:
        return column_letter(self.columns[key])

    def cell(self, key: str, index: int) -> str:
        """A1 address of column ``key`` at grid row ``index``."""
        return f"{self.letter(key)}{index + 1}"

    def letters(self) -> dict[str, str]:
        return {k: column_letter(j) for k, j in self.columns.items()}

    def data_indices(self, grid: Grid) -> list[int]:
        """Grid rows of the table that are not blank in every table column."""
        cols = list(self.columns.values())
        out = []
        for i in range(self.header_index + 1, self.end_index):
            row = grid[i]
            if any(j < len(row) and not is_blank(row[j]) for j in cols):
                out.append(i)
        return out

    def column_values(self, grid: Grid, key: str) -> list:
        """Every value of one column from the first data row to the end (blank rows included)."""
        return column_slice(grid, self.columns[key], self.header_index + 1, self.end_index)

    def records(self, grid: Grid) -> list[dict[str, object]]:
        """Non-blank data rows as dicts keyed like ``columns``."""
        out = []
        for i in self.data_indices(grid):
            row = grid[i]
            out.append({k: (row[j] if j < len(row) else None) for k, j in self.columns.items()})
        return out


def column_slice(grid: Grid, j: int, start: int, stop: int) -> list:
    """Values of column ``j`` for grid rows ``start:stop`` (None past a short row)."""
    rows = grid[start:stop]
    try:
        return [row[j] for row in rows]
    except IndexError:
        return [row[j] if j < len(row) else None for row in rows]


#: Grids shorter than this are sliced row by row (building an array would cost more than it saves).
ARRAY_MIN_ROWS = 5000
_local = threading.local()


@contextmanager
def shared_arrays() -> Iterator[None]:
    """Within this block each big grid becomes a 2-D array at most once, shared by the header
    search and the cell parsing (touching 100,000 row lists twice cost ~0.03 s)."""
    outer = getattr(_local, "arrays", None)
    _local.arrays = {} if outer is None else outer
    try:
        yield
    finally:
        _local.arrays = outer


def grid_array(grid: Grid) -> np.ndarray | None:
    """``grid`` as a 2-D object array when it is big and every row has the same length, else None.

    Cached inside :func:`shared_arrays` (keyed by the grid itself, which the cache keeps alive for the block).
    """
    arrays = getattr(_local, "arrays", None)
    if arrays is not None and id(grid) in arrays:
        return arrays[id(grid)][1]
    array = None
    if len(grid) >= ARRAY_MIN_ROWS and len(set(map(len, grid))) == 1:
        array = np.empty((len(grid), len(grid[0])), dtype=object)
        array[:] = grid
    if arrays is not None:
        arrays[id(grid)] = (grid, array)
    return array


def spellings_of(table: contract.Table) -> dict[str, set[str]]:
    """Normalized header spellings per column key of a contract table."""
    return {c.key: {contract.normalize_header(h) for h in c.headers()} for c in table.columns}


def find_tables(grid: Grid, table: contract.Table | Sequence[str] | Mapping[str, Iterable[str]],
                min_matches: int | None = None, rows: Sequence[int] | None = None) -> list[FoundTable]:
    """Every occurrence of a table in ``grid`` (best match first, then top to bottom, then left to right).

    ``table`` is a contract table, or any header texts: a list (the keys are the texts) or a mapping
    key -> spellings. At least ``min_matches`` headers must be found in one row (default: 2, or all of
    them when there are fewer). ``rows`` limits the header search to these grid rows (see
    ``header_like_rows``).
    """
    if isinstance(table, contract.Table):
        spellings = spellings_of(table)
        anchor = next((c.key for c in table.columns if c.required), table.columns[0].key)
    else:
        spellings, anchor = _spellings(table), None
    found = list(_scan(grid, spellings, min_matches or min(2, len(spellings)), 0, anchor=anchor, every=True,
                       rows=rows))
    return sorted(found, key=lambda f: (-len(f.columns), f.header_index, f.first_column))


def _spellings(wanted: Sequence[str] | Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    if isinstance(wanted, Mapping):
        return {k: {contract.normalize_header(s) for s in v} | {contract.normalize_header(k)} for k, v in wanted.items()}
    return {h: {contract.normalize_header(h)} for h in wanted}


def _scan(grid: Grid, spellings: dict[str, set[str]], min_matches: int, start: int,
          anchor: str | None = None, every: bool = False, rows: Sequence[int] | None = None):
    """Yield tables found by walking the grid; after a table, continue below its header."""
    lookup: dict[str, set[str]] = {}
    for key, names in spellings.items():
        for name in names:
            lookup.setdefault(name, set()).add(key)
    candidates = iter(rows) if rows is not None else iter(range(start, len(grid)))
    resume = start
    for i in candidates:
        if i < resume:
            continue
        row = grid[i]
        hits = _row_hits(row, lookup)
        if len(hits) >= min_matches:
            tables = _tables_in_row(grid, i, row, hits, spellings, min_matches, anchor, lookup)
            for table in tables:
                yield table
            if tables and not every:
                return
            if tables:
                # Skip the data of the tables just found (but allow stacked tables below them).
                resume = max(i + 1, min(t.end_index for t in tables))


_NORMALIZED: dict[str, str] = {}


def normalized(value: str) -> str:
    """``contract.normalize_header`` with a (bounded) memo: headers repeat across scans."""
    norm = _NORMALIZED.get(value)
    if norm is None:
        if len(_NORMALIZED) > 200_000:
            _NORMALIZED.clear()
        norm = _NORMALIZED[value] = contract.normalize_header(value)
    return norm


_UNIT_SUFFIX = re.compile(r"\s*[(（\[【][^()（）\[\]【】]*[)）\]】]\s*$")


def _row_hits(row: Sequence[object], lookup: dict[str, set[str]]) -> dict[int, set[str]]:
    """Column index -> wanted keys, for the cells of ``row`` spelled like a wanted header.

    A header with a unit in brackets ("金额（元）", "Amount (CNY)") also matches.
    """
    hits: dict[int, set[str]] = {}
    for j, value in enumerate(row):
        if isinstance(value, str) and value:
            keys = lookup.get(normalized(value))
            if not keys and value.rstrip()[-1:] in ")）]】":
                keys = lookup.get(normalized(_UNIT_SUFFIX.sub("", value)))
            if keys:
                hits[j] = keys
    return hits


def header_like_rows(grid: Grid, spellings: set[str], limit: int | None = None, min_hits: int = 2) -> list[int]:
    """Grid rows (of the first ``limit``) with at least ``min_hits`` cells spelled like a known header."""
    out = []
    for i, row in enumerate(grid[:limit] if limit else grid):
        hits = 0
        for value in row:
            if isinstance(value, str) and value and normalized(value) in spellings:
                hits += 1
                if hits >= min_hits:
                    out.append(i)
                    break
    return out


def _blocks(row: Sequence[object]) -> list[tuple[int, int]]:
    """Runs of non-blank cells in a row, as (first, last) column indices."""
    out, first = [], None
    for j, value in enumerate(row):
        if is_blank(value):
            if first is not None:
                out.append((first, j - 1))
                first = None
        elif first is None:
            first = j
    if first is not None:
        out.append((first, len(row) - 1))
    return out


def _tables_in_row(grid, i, row, hits, spellings, min_matches, anchor, lookup) -> list[FoundTable]:
    """Tables whose header is in row ``i``: one per block, or per anchor cell."""
    if anchor is not None:
        anchors = [j for j, keys in hits.items() if anchor in keys]
    else:
        anchors = [first for first, _last in _blocks(row) if any(first <= j <= _last for j in hits)]
    out = []
    for a in anchors:
        block = next(((f, l) for f, l in _blocks(row) if f <= a <= l), (a, a))
        columns: dict[str, int] = {}
        order = list(spellings)
        anchor_at = order.index(anchor) if anchor in order else 0
        for n, key in enumerate(order):
            candidates = [j for j in range(block[0], block[1] + 1) if j in hits and key in hits[j]]
            candidates = [j for j in candidates if j not in columns.values()]
            if anchor is not None and key == anchor:
                candidates = [a]
            if candidates:
                # Prefer the side of the anchor where the contract puts this column, then the nearest cell.
                right = n >= anchor_at
                columns[key] = min(candidates, key=lambda j: ((j >= a) != right, abs(j - a)))
        if len(columns) < min_matches:
            continue
        headers = {k: str(row[j]).strip() for k, j in columns.items()}
        used = set(columns.values())
        extra = {j: str(row[j]).strip() for j in range(block[0], block[1] + 1) if j not in used and not is_blank(row[j])}
        end = _end_of_table(grid, i, columns, spellings, min_matches)
        out.append(FoundTable(i, columns, headers, end, extra=extra))
    return out


def _end_of_table(grid: Grid, header_index: int, columns: dict[str, int], spellings, min_matches) -> int:
    """One past the last data row: before the next header row in these columns, trailing blanks dropped."""
    stop = _next_header(grid, header_index + 1, columns, spellings, min_matches)
    return trim_end(grid, header_index, stop, list(columns.values()))


def trim_end(grid: Grid, header_index: int, stop: int, cols: list[int]) -> int:
    """End of a table cut at grid row ``stop``: trailing blank rows dropped, and when
    another table starts at ``stop``, its title row (one cell, after a blank row) too."""
    start = header_index + 1

    def blank_row(k: int) -> bool:
        row = grid[k]
        return all(j >= len(row) or is_blank(row[j]) for j in cols)

    end = stop
    while end > start and blank_row(end - 1):
        end -= 1
    if stop < len(grid) and end > start:
        k = end
        while k > start and not blank_row(k - 1) and _count_filled(grid[k - 1], cols) <= 1:
            k -= 1
        if k < end and k > start and blank_row(k - 1):
            end = k - 1
            while end > start and blank_row(end - 1):
                end -= 1
    return end


def cut_below(grid: Grid, tables: list[FoundTable]) -> None:
    """End each table where another table's header row starts below it in overlapping columns."""
    for upper in tables:
        span = set(range(min(upper.columns.values()), max(upper.columns.values()) + 1))
        for lower in tables:
            if lower is upper or not (upper.header_index < lower.header_index < upper.end_index):
                continue
            if span & set(range(min(lower.columns.values()), max(lower.columns.values()) + 1)):
                upper.end_index = trim_end(grid, upper.header_index, lower.header_index, list(upper.columns.values()))


def _count_filled(row, cols) -> int:
    return sum(1 for j in cols if j < len(row) and not is_blank(row[j]))


def _next_header(grid: Grid, start: int, columns: dict[str, int], spellings, min_matches) -> int:
    """Index of the next row below ``start`` that repeats the header in the same columns."""
    n = len(grid)
    if start >= n:
        return n
    # Test one column: the one with the fewest distinct values in the first rows (cheap), then confirm the row.
    sample_stop = min(n, start + 1000)

    def distinct(item: tuple[str, int]) -> int:
        try:
            return len(set(column_slice(grid, item[1], start, sample_stop)))
        except TypeError:
            return sample_stop - start + 1

    best_key, best_j = min(columns.items(), key=distinct)
    array = grid_array(grid)
    best_values = array[start:n, best_j] if array is not None and best_j < array.shape[1] else \
        column_slice(grid, best_j, start, n)
    try:
        best_unique = set(best_values)
    except TypeError:
        best_unique = {v for v in best_values if isinstance(v, str)}
    matching = {v for v in best_unique if isinstance(v, str) and normalized(v) in spellings[best_key]}
    if not matching:
        return n
    for offset, value in enumerate(best_values):
        if isinstance(value, str) and value in matching:
            row = grid[start + offset]
            count = sum(1 for k, j in columns.items() if j < len(row) and isinstance(row[j], str)
                        and normalized(row[j]) in spellings[k])
            if count >= min(min_matches, len(columns)):
                return start + offset
    return n
