"""Finding tables by their header row, wherever they start."""

from __future__ import annotations

import datetime as dt

import pytest
from python_calamine import CalamineWorkbook

from salesdeck.workbook import contract
from salesdeck.workbook.read.tables import find_tables

STORE_HEADERS = ["Store", "Employees", "Manager"]


def find_header_row(grid, headers):
    """The first table with these headers, top to bottom (None when there is none)."""
    found = find_tables(grid, headers)
    return min(found, key=lambda f: (f.header_index, f.first_column)) if found else None


def find_all_header_rows(grid, headers):
    return sorted(find_tables(grid, headers), key=lambda f: (f.header_index, f.first_column))


def _grid(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


@pytest.mark.parametrize("sheet", ["2019", "2020"])
def test_stores_table_found_at_b2(realdata, sheet):
    grid = _grid(realdata / "python-for-excel" / "stores.xlsx", sheet)
    found = find_header_row(grid, STORE_HEADERS)
    assert (found.origin, found.header_row, found.columns) == ("B2", 2, {"Store": 1, "Employees": 2, "Manager": 3})
    assert found.last_row == 8
    first = found.records(grid)[0]
    assert first["Store"] == "New York" and first["Manager"] == "Sarah"


def test_stacked_store_tables_found_at_their_real_rows(realdata):
    grid = _grid(realdata / "python-for-excel" / "stores.xlsx", "2019-2020")
    tables = find_all_header_rows(grid, STORE_HEADERS)
    assert [(t.origin, t.first_row, t.last_row) for t in tables] == [("B3", 4, 9), ("B14", 15, 20)]
    # The title row "2020" above the second header is not a store of the first table.
    assert [r["Store"] for r in tables[0].records(grid)][-1] == "Las Vegas"
    assert len(tables[0].records(grid)) == 6
    assert tables[1].records(grid)[3] == {"Store": "Boston", "Employees": 4.0, "Manager": "Zayyan"}


@pytest.mark.parametrize("month, rows", [("January", 9493), ("February", 8494), ("March", 7564)])
def test_transaction_workbooks_headers(realdata, month, rows):
    grid = _grid(realdata / "python-for-excel" / f"{month}.xlsx", "Sheet1")
    found = find_header_row(grid, ["transaction_id", "store", "status", "transaction_date", "plan", "contract_type", "amount"])
    assert found.origin == "A1" and found.columns["amount"] == 6 and found.columns["transaction_date"] == 3
    assert found.last_row - found.header_row == rows
    values = found.column_values(grid, "transaction_date")
    assert isinstance(values[0], dt.date) and values[0].month == {"January": 1, "February": 2, "March": 3}[month]


def test_superstore_headers_with_spaces_and_case(realdata):
    grid = _grid(realdata / "tableau-superstore" / "Superstore Sales Orders - US.xlsx", "US Sales Transactions")
    found = find_header_row(grid, ["order id", "ORDER DATE", "Customer Name"])
    assert found.headers == {"order id": "Order ID", "ORDER DATE": "Order Date", "Customer Name": "Customer Name"}
    assert found.columns == {"order id": 0, "ORDER DATE": 1, "Customer Name": 5}


def test_title_rows_reordered_columns_trailing_spaces_and_blank_rows():
    grid = [
        ["", "订单明细 2026", "", "", ""],
        ["", "", "", "", ""],
        ["", "金额 ", "客户", " 日期", "备注"],
        ["", 100.0, "A", dt.date(2026, 1, 1), ""],
        ["", "", "", "", ""],
        ["", 200.0, "B", dt.date(2026, 1, 2), "x"],
        ["", "", "", "", ""],
    ]
    found = find_header_row(grid, {"amount": ["金额", "Amount"], "customer": ["客户"], "date": ["日期", "Date"]})
    assert found.origin == "B3" and found.columns == {"amount": 1, "customer": 2, "date": 3}
    assert found.headers["amount"] == "金额" and found.extra == {4: "备注"}
    assert found.last_row == 6
    assert [r["customer"] for r in found.records(grid)] == ["A", "B"]
    assert found.cell("amount", 5) == "B6"


def test_side_by_side_tables_sharing_a_header_name():
    settings, holidays = contract.TABLES["settings"], contract.TABLES["holidays"]
    grid = [
        ["设置项", "值", "说明", "日期", "类型", "说明"],
        ["报告月份", "2026-10", "", dt.date(2026, 10, 1), "节假日", "国庆"],
    ]
    (s,) = find_tables(grid, settings)
    (h,) = find_tables(grid, holidays)
    assert s.columns == {"setting": 0, "value": 1, "note": 2}
    assert h.columns == {"date": 3, "kind": 4, "note": 5}


def test_english_feedback_tables_do_not_steal_each_others_score():
    nps = contract.TABLES["nps"]
    grid = [
        ["Dimension", "Score", "Previous", "", "Customer", "Date", "Score"],
        ["Quality", 4.0, 3.5, "", "A", dt.date(2026, 1, 1), 9.0],
    ]
    found = find_tables(grid, nps)
    assert [f.columns for f in found] == [{"customer": 4, "date": 5, "score": 6}]


def test_mixed_zh_en_headers_and_full_width():
    grid = [["Order ID", "日期", "ＡＭＯＵＮＴ"], ["1", dt.date(2026, 1, 1), 5.0]]
    (found,) = find_tables(grid, contract.TABLES["orders"])
    assert found.columns == {"order_id": 0, "date": 1, "amount": 2}


def test_no_header_row_gives_none():
    assert find_header_row([["a", "b"], [1, 2]], STORE_HEADERS) is None


def test_table_ends_where_the_next_header_starts_in_the_same_columns():
    grid = [["Store", "Manager"], ["A", "x"], ["B", "y"], ["Store", "Manager"], ["C", "z"]]
    tables = find_all_header_rows(grid, ["Store", "Manager"])
    assert [(t.header_row, t.last_row) for t in tables] == [(1, 3), (4, 5)]


def test_headers_with_a_unit_in_brackets():
    grid = [["日期", "金额（元）", "Quantity (pcs)"], [dt.date(2026, 1, 1), 5.0, 2.0]]
    (found,) = find_tables(grid, contract.TABLES["orders"])
    assert found.columns == {"date": 0, "quantity": 2, "amount": 1}
    assert found.headers["amount"] == "金额（元）"


@pytest.mark.parametrize("shared", [True, False])
def test_a_big_grid_ends_its_table_at_the_next_header_whether_or_not_it_is_transposed_once(shared):
    """Big grids are turned into one array shared by the header search and the cell parsing."""
    from salesdeck.workbook.read.tables import ARRAY_MIN_ROWS, grid_array, shared_arrays

    rows = ARRAY_MIN_ROWS + 10
    grid = [["Store", "Manager", None]] + [[f"S{i}", "王磊" if i % 2 else "Li", i] for i in range(rows)]
    grid += [["Store", "Manager", None], ["T1", "张伟", 1], ["T2", "李娜", 2]]
    if shared:
        with shared_arrays():
            tables = find_all_header_rows(grid, ["Store", "Manager"])
            assert grid_array(grid) is grid_array(grid)  # made once
            assert grid_array(grid)[rows, 0] == f"S{rows - 1}"
    else:
        tables = find_all_header_rows(grid, ["Store", "Manager"])
    assert [(t.header_row, t.last_row) for t in tables] == [(1, rows + 1), (rows + 2, rows + 4)]
    assert grid_array(grid[:10]) is None and grid_array([["a"], ["b", "c"]] * ARRAY_MIN_ROWS) is None
