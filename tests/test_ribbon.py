"""The ribbon adapter, run against a small fake of xlwings' Book/Sheet/Range."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import xlwings as xw

import salesdeck
from salesdeck.addin import ribbon
from salesdeck.jobs.refresh import refresh_workbook
from tests.fake_excel import fake_book_from, trimmed, written_rows
from tests.test_refresh import ORDERS, write_tiny


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


# ---------------------------------------------------------------- values as typed, in slices
def test_the_fake_retypes_text_as_excel_does_unless_the_cell_is_text(tiny):
    """Without the text format Excel would change these values; the fake does too, so the tests below can fail."""
    sheet = fake_book_from(tiny).sheets["订单"]
    sheet.range((30, 1)).value = [["00123", "3-4", "2026-08"]]
    assert sheet.cells[(30, 1)] == 123.0 and isinstance(sheet.cells[(30, 2)], dt.datetime)
    sheet.range((31, 1), (31, 3)).number_format = "@"
    sheet.range((31, 1)).value = [["00123", "3-4", "2026-08"]]
    assert [sheet.cells[(31, c)] for c in (1, 2, 3)] == ["00123", "3-4", "2026-08"]


def test_text_in_the_results_stays_text(tmp_path):
    """A customer called 00123 and an invoice called 3-4 come back exactly as typed."""
    import openpyxl

    path = write_tiny(tmp_path / "codes.xlsx")
    book = openpyxl.load_workbook(path)
    book["订单"]["F4"] = "00123"        # O3's customer (an October order: it is in the churn table)
    book["回款"]["A3"] = "3-4"          # INV2, still open
    book.save(path)
    fake = fake_book_from(path)
    assert ribbon.refresh_book(fake)
    sheet = fake.sheets["计算结果"]
    values = set(sheet.cells.values())
    assert {"00123", "3-4"} <= values
    for (r, c), v in sheet.cells.items():
        if isinstance(v, str) and not v.startswith("="):
            assert sheet.formats.get((r, c)) == "@", (r, c, v)


def test_big_sheets_are_read_and_results_written_in_slices(monkeypatch, tiny):
    monkeypatch.setattr(ribbon, "CHUNK_ROWS", 7)
    book = fake_book_from(tiny)
    whole = {s.name: [list(r) for r in s.used_range.value] for s in book.sheets}
    for s in book.sheets:
        s.reads.clear()
    assert ribbon.refresh_book(book)
    orders = book.sheets["订单"]
    assert orders.reads and max(orders.reads) <= 7 and sum(orders.reads) == len(whole["订单"])
    result = book.sheets["计算结果"]
    assert len(result.writes) > 10 and max(result.writes) <= 7
    assert sum(result.writes) == max(r for r, _ in result.cells)


def _normal(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return round(float(value), 6)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def test_refresh_writes_the_same_cells_as_salesdeck_refresh_for_the_sample(tmp_path):
    """The smoke test compares these two in Excel; here every cell of the sample's result sheet is compared."""
    import openpyxl

    from salesdeck.jobs.refresh import refresh_file
    from salesdeck.workbook.author.sample import write_sample

    sample = write_sample(tmp_path / "sample.xlsx")
    refreshed = refresh_file(sample).path
    expected = openpyxl.load_workbook(refreshed)["计算结果"]
    book = fake_book_from(sample)
    assert ribbon.refresh_book(book)
    got = book.sheets["计算结果"].cells
    file_cells = {(c.row, c.column): _normal(c.value) for row in expected.iter_rows() for c in row
                  if c.value is not None}
    fake_cells = {k: _normal(v) for k, v in got.items() if v is not None}
    assert fake_cells == file_cells
    assert len(file_cells) > 500


def test_results_sheet_needs_no_addin_to_display(tmp_path):
    """WPS users get salesdeck refresh's file: plain values and number formats, no formulas, macros or links."""
    import zipfile

    import openpyxl

    from salesdeck.jobs.refresh import refresh_file

    refreshed = refresh_file(write_tiny(tmp_path / "wps.xlsx")).path
    sheet = openpyxl.load_workbook(refreshed)["计算结果"]
    kinds = {c.data_type for row in sheet.iter_rows() for c in row if c.value is not None}
    assert kinds <= {"s", "n", "d", "b"}, kinds
    with zipfile.ZipFile(refreshed) as zf:
        assert not [n for n in zf.namelist() if "vbaProject" in n or "externalLink" in n]
