"""Editing an .xlsx package directly: cells, the month cell, validations, date formats, what is refused."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from salesdeck.ooxml.package_edit import (CannotEdit, Edit, _set_cell, date_epoch, date_styles, find_table, grow_sqref,
                                             write_edit)


def _book(path, rows=None, date_format="yyyy-mm-dd", totals=False):
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单号", "日期", "金额"])
    for row in rows or [["A1", dt.date(2026, 10, 1), 5.0]]:
        ws.append(row)
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 2).number_format = date_format
    table = Table(displayName="tbl_orders", ref=f"A1:C{ws.max_row}")
    if totals:
        table.totalsRowCount = 1
    ws.add_table(table)
    wb.save(path)
    return path


def _edit(path, rows, styles, start):
    table = find_table(path, "tbl_orders")
    return Edit(table, start, rows, styles, 2, start + len(rows) - 1)


def test_new_cells_read_back_with_their_types_and_the_table_grows(tmp_path):
    book = _book(tmp_path / "in.xlsx")
    style = next(iter(date_styles(book)))
    rows = [[(1, "B2 <&> 订单"), (2, dt.date(2026, 10, 31)), (3, 1234.5)], [(1, " 前后空格 "), (2, None), (3, 7)]]
    write_edit(book, tmp_path / "out.xlsx", _edit(book, rows, {2: style}, 3))
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["订单"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=3)] == [
        ["B2 <&> 订单", dt.datetime(2026, 10, 31), 1234.5], [" 前后空格 ", None, 7]]
    assert ws["B3"].number_format == "yyyy-mm-dd"
    assert ws.tables["tbl_orders"].ref == "A1:C4"


def test_rows_already_at_the_start_are_refused(tmp_path):
    book = _book(tmp_path / "in.xlsx", rows=[["A1", dt.date(2026, 10, 1), 5.0], ["A2", dt.date(2026, 10, 2), 6.0]])
    with pytest.raises(CannotEdit, match="already has row 3"):
        write_edit(book, tmp_path / "out.xlsx", _edit(book, [[(1, "X")]], {}, 3))


def test_a_totals_row_is_refused(tmp_path):
    with pytest.raises(CannotEdit, match="totals row"):
        find_table(_book(tmp_path / "in.xlsx", totals=True), "tbl_orders")


def test_date_formats_are_recognised_by_their_codes(tmp_path):
    dated = _book(tmp_path / "dated.xlsx", date_format='yyyy"年"m"月"d"日"')
    plain = _book(tmp_path / "plain.xlsx", date_format='#,##0.00" days"')
    with zipfile.ZipFile(plain) as archive:
        assert b"days" in archive.read("xl/styles.xml")
    assert date_styles(dated) == {1} and date_styles(plain) == set()  # quoted text ('days') is not a date code


def test_the_month_cell_is_put_in_column_order_keeping_its_neighbours():
    row = b'<sheetData><row r="3"><c r="A3" t="s"><v>1</v></c><c r="C3" s="2"><v>0.6</v></c></row></sheetData>'
    out = _set_cell(row, "B3", "2026-10")
    assert out == (b'<sheetData><row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="inlineStr"><is><t>2026-10</t>'
                   b'</is></c><c r="C3" s="2"><v>0.6</v></c></row></sheetData>')
    styled = b'<row r="3"><c r="B3" s="7"/></row>'
    assert _set_cell(styled, "B3", "2026-10") == \
        b'<row r="3"><c r="B3" s="7" t="inlineStr"><is><t>2026-10</t></is></c></row>'
    with pytest.raises(CannotEdit):
        _set_cell(b'<row r="4"/>', "B3", "2026-10")


def test_validation_ranges_that_cover_the_data_grow_others_stay():
    assert grow_sqref("A2:A5001 C2:C10 D1:D3 E7:E9 F2", 2, 6000) == "A2:A6000 C2:C6000 D1:D6000 E7:E9 F2"
    assert grow_sqref("A2:A9000", 2, 6000) == "A2:A9000"


def test_a_1904_date_system_workbook_gets_its_own_serials(tmp_path):
    """Old Mac Excel counts days from 1904: the same date is a serial 1,462 smaller."""
    book = _book(tmp_path / "in.xlsx")
    wb = openpyxl.load_workbook(book)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.save(book)
    style = next(iter(date_styles(book)))
    edit = _edit(book, [[(1, "B"), (2, dt.date(2026, 10, 31))]], {2: style}, 3)
    edit.epoch = date_epoch(book)
    write_edit(book, tmp_path / "out.xlsx", edit)
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'<c r="B3" s="%d"><v>%d</v>' % (style, (dt.date(2026, 10, 31) - dt.date(1904, 1, 1)).days) in sheet
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["订单"]["B3"].value == dt.datetime(2026, 10, 31)


def test_xml_that_is_not_utf8_is_left_to_openpyxl():
    with pytest.raises(CannotEdit, match="not UTF-8"):
        _set_cell('<?xml version="1.0" encoding="UTF-16"?><row r="3"/>'.encode("utf-16"), "B3", "x")
