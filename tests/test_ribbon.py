"""The ribbon adapter, run against a small fake of xlwings' Book/Sheet/Range."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import xlwings as xw

import salesdeck
from salesdeck.addin import ribbon
from salesdeck.jobs.refresh import refresh_workbook
from tests.test_refresh import ORDERS, write_tiny


# ---------------------------------------------------------------- a fake of the xlwings objects used
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
    def __init__(self, sheet, first, last=None):
        self.sheet, self.first, self.last = sheet, first, last or first

    row = property(lambda self: self.first[0])
    column = property(lambda self: self.first[1])

    def cells(self):
        (r1, c1), (r2, c2) = self.first, self.last
        return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    def options(self, ndim=None):
        assert ndim == 2
        return self

    @property
    def value(self):
        (r1, c1), (r2, c2) = self.first, self.last
        return [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    @value.setter
    def value(self, rows):
        r0, c0 = self.first
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.cells[(r0 + i, c0 + j)] = v

    @property
    def number_format(self):
        return {self.sheet.formats.get(p, "General") for p in self.cells()}.pop()

    @number_format.setter
    def number_format(self, fmt):
        for p in self.cells():
            self.sheet.formats[p] = fmt

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
        self.formats, self.bold, self.widths = {}, {}, {}

    @property
    def used_range(self):
        filled = [p for p, v in self.cells.items() if v is not None]
        if not filled:
            return FakeRange(self, (1, 1))
        rows, cols = [p[0] for p in filled], [p[1] for p in filled]
        return FakeRange(self, (min(rows), min(cols)), (max(rows), max(cols)))

    def range(self, first, last=None):
        if isinstance(first, str):
            assert first == "A1"
            first = (1, 1)
        return FakeRange(self, first, last)

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
    def __init__(self, name):
        self.name, self.app, self.active = name, FakeApp(), None
        self.sheets = FakeSheets(self)


def fake_book_from(path, shift=(0, 0)) -> FakeBook:
    """The file's cells as xlwings would return them (numbers as floats), optionally shifted down/right."""
    book = FakeBook(path.name)
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
    """The result sheet's cells as rows."""
    width = max(c for _, c in sheet.cells)
    return trimmed([[sheet.cells.get((r, c)) for c in range(1, width + 1)]
                    for r in range(1, max(r for r, _ in sheet.cells) + 1)])


# ---------------------------------------------------------------- tests
@pytest.fixture
def tiny(tmp_path):
    return write_tiny(tmp_path / "tiny.xlsx")


def test_main_refreshes_the_calling_book(monkeypatch, tiny):
    book = fake_book_from(tiny)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    salesdeck.main()
    # What `salesdeck refresh` wrote into a file (another writer), as openpyxl reads it back.
    sheet = openpyxl.load_workbook(refresh_workbook(tiny, tiny.with_name("cli.xlsx")))["计算结果"]
    expected = trimmed([list(row) for row in sheet.iter_rows(values_only=True)])
    result = book.sheets["计算结果"]
    assert written_rows(result) == expected
    assert len(written_rows(result)) > 100
    assert book.active is result and book.app.alerts == []


def test_number_formats_and_bold_headers_are_written(tiny):
    book = fake_book_from(tiny)
    assert ribbon.refresh_book(book)
    sheet = book.sheets["计算结果"]
    assert sheet.cells[(5, 1)] == "华东" and sheet.cells[(5, 4)] == pytest.approx(0.91)
    assert sheet.range((5, 4)).number_format == "0.0%"
    assert sheet.range((4, 1), (4, 6)).font.bold and sheet.range((3, 1)).font.bold
    assert sheet.range((4, 1), (4, 6)).number_format == "@"  # headers stay text ("2026-08" is no date)


def test_refresh_twice_replaces_the_results(tiny):
    book = fake_book_from(tiny)
    ribbon.refresh_book(book)
    first = dict(book.sheets["计算结果"].cells)
    ribbon.refresh_book(book)
    assert [s.name for s in book.sheets].count("计算结果") == 1
    assert book.sheets["计算结果"].cells == first


def test_grid_is_padded_when_the_used_range_starts_lower(tiny):
    book = fake_book_from(tiny, shift=(2, 1))
    grid = ribbon.sheet_grid(book.sheets["设置"])
    assert grid[0] == [] and grid[1] == [] and grid[2][:3] == [None, "设置项", "值"]


def test_invalid_input_shows_a_message_with_the_cell(tmp_path):
    bad = ORDERS[:2] + [("O9", dt.datetime(2026, 10, 1), "张三", "华东", "直营", "客户A", "产品X", "线A", "新签", "十万")]
    book = fake_book_from(write_tiny(tmp_path / "bad.xlsx", orders=bad), shift=(2, 1))
    assert ribbon.refresh_book(book) is False
    [(title, message)] = book.app.alerts
    assert title == "salesdeck"
    assert "工作簿有 1 个错误" in message and "订单!K5" in message  # J3 moved down 2, right 1
    assert "计算结果" not in [s.name for s in book.sheets]
