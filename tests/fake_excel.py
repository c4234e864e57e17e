"""A small fake of the xlwings Book/Sheet/Range used by the ribbon's buttons.

It behaves like Excel where the buttons depend on it: a string written into a
cell not formatted as text is retyped as Excel does ("00123" -> 123, "3-4" ->
a date); ranges are read and written whole or in ``chunksize`` slices, and
every call is recorded so tests can see how many rows each one moved.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def excel_typed(value, fmt: str):
    """What Excel keeps when ``value`` is written into a cell with number format ``fmt``."""
    if not isinstance(value, str) or fmt == "@" or value.startswith("="):
        return value
    if NUMBER.fullmatch(value.strip()):
        return float(value)
    if m := re.fullmatch(r"(\d{1,2})-(\d{1,2})", value):
        return dt.datetime(dt.date.today().year, int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", value):
        return dt.datetime(int(m[1]), int(m[2]), int(m[3] or 1))
    return value


def a1(address: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", address).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


class FakeFont:
    def __init__(self, rng):
        self._rng = rng

    @property
    def bold(self):
        return all(self._rng.sheet.bold.get(p, False) for p in self._rng.cells())

    @bold.setter
    def bold(self, value):
        for p in self._rng.cells():
            self._rng.sheet.bold[p] = value


class FakeRange:
    def __init__(self, sheet, first, last=None, chunksize=None):
        self.sheet, self.first, self.last, self.chunksize = sheet, first, last or first, chunksize

    row = property(lambda self: self.first[0])
    column = property(lambda self: self.first[1])
    last_cell = property(lambda self: FakeRange(self.sheet, self.last))

    def cells(self):
        (r1, c1), (r2, c2) = self.first, self.last
        return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    def options(self, ndim=None, chunksize=None):
        return FakeRange(self.sheet, self.first, self.last, chunksize)

    def _slices(self, count):
        step = self.chunksize or count or 1
        return [(start, min(start + step, count)) for start in range(0, count, step)]

    @property
    def value(self):
        (r1, c1), (r2, c2) = self.first, self.last
        rows = []
        for start, end in self._slices(r2 - r1 + 1):
            self.sheet.reads.append(end - start)
            rows += [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1 + start, r1 + end)]
        return rows

    @value.setter
    def value(self, rows):
        r0, c0 = self.first
        for start, end in self._slices(len(rows)):
            self.sheet.writes.append(end - start)
            for i in range(start, end):
                for j, v in enumerate(rows[i]):
                    self.sheet.cells[(r0 + i, c0 + j)] = excel_typed(v, self.sheet.formats.get((r0 + i, c0 + j), ""))

    @property
    def number_format(self):
        return {self.sheet.formats.get(p, "General") for p in self.cells()}.pop()

    @number_format.setter
    def number_format(self, fmt):
        for p in self.cells():
            self.sheet.formats[p] = fmt

    @property
    def color(self):
        return self.sheet.colors.get(self.first)

    @color.setter
    def color(self, rgb):
        self.sheet.colors[self.first] = rgb

    font = property(lambda self: FakeFont(self))

    @property
    def column_width(self):
        return self.sheet.widths.get(self.column)

    @column_width.setter
    def column_width(self, w):
        self.sheet.widths[self.column] = w


class FakeSheet:
    def __init__(self, book, name, cells=None):
        self.book, self.name = book, name
        self.cells = dict(cells or {})
        self.formats, self.bold, self.widths, self.colors = {}, {}, {}, {}
        self.reads, self.writes = [], []

    @property
    def used_range(self):
        filled = [p for p, v in self.cells.items() if v is not None]
        if not filled:
            return FakeRange(self, (1, 1))
        rows, cols = [p[0] for p in filled], [p[1] for p in filled]
        return FakeRange(self, (min(rows), min(cols)), (max(rows), max(cols)))

    def range(self, first, last=None):
        return FakeRange(self, a1(first) if isinstance(first, str) else first, last)

    def clear(self):
        self.cells, self.formats, self.bold = {}, {}, {}

    def activate(self):
        self.book.active = self

    def delete(self):
        self.book.sheets.items.remove(self)


class FakeSheets:
    def __init__(self, book):
        self.book, self.items = book, []

    def __iter__(self):
        return iter(list(self.items))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.items[key]
        return next(s for s in self.items if s.name == key)

    def add(self, name, after=None):
        sheet = FakeSheet(self.book, name)
        self.items.insert(self.items.index(after) + 1 if after is not None else 0, sheet)
        return sheet


class FakeApp:
    def __init__(self):
        self.alerts = []

    def alert(self, prompt, title=None, **kw):
        self.alerts.append((title, prompt))


class FakeBook:
    def __init__(self, name, fullname=None):
        self.name, self.fullname, self.app, self.active = name, fullname or name, FakeApp(), None
        self.sheets = FakeSheets(self)


def fake_book_from(path, shift=(0, 0), fullname=None) -> FakeBook:
    """The file's cells as xlwings would return them (numbers as floats), optionally shifted down/right."""
    book = FakeBook(path.name, fullname)
    for ws in openpyxl.load_workbook(path).worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    v = float(c.value) if isinstance(c.value, int) and not isinstance(c.value, bool) else c.value
                    cells[(c.row + shift[0], c.column + shift[1])] = v
        book.sheets.items.append(FakeSheet(book, ws.title, cells))
    return book


def trimmed(rows) -> list[list]:
    """Rows without trailing blank cells, and without trailing blank rows."""
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def written_rows(sheet: FakeSheet) -> list[list]:
    """A sheet's cells as rows."""
    width = max(c for _, c in sheet.cells)
    return trimmed([[sheet.cells.get((r, c)) for c in range(1, width + 1)]
                    for r in range(1, max(r for r, _ in sheet.cells) + 1)])
