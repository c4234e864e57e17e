"""Opening files safely: hostile files refused, error cells seen, other formats read."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from salesdeck.errors import NotAWorkbookError
from salesdeck.ooxml.xml import column_index, column_letter
from salesdeck.workbook.read.raw import read_raw
from tests import office as office_module
from tests.corpus import build, hostile


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> Path:
    return build.write_valid(tmp_path_factory.mktemp("valid") / "valid.xlsx", "zh")


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_hostile_files_are_refused_with_a_clear_message(name, valid, tmp_path):
    builder, text = hostile.HOSTILE[name]
    path = builder(tmp_path, valid)
    with pytest.raises(NotAWorkbookError) as exc:
        read_raw(path)
    assert text in str(exc.value)
    assert path.name in str(exc.value)
    assert exc.value.exit_code == 2
    assert hostile.SECRET not in str(exc.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(NotAWorkbookError, match="nope.xlsx: file not found"):
        read_raw(tmp_path / "nope.xlsx")
    with pytest.raises(NotAWorkbookError, match="is a folder"):
        read_raw(tmp_path)


def test_excel_error_cells_show_as_their_code(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws["A1"], ws["B1"] = "金额", "客户"
    ws["A2"], ws["B2"] = 1.0, "x"
    ws["A3"], ws["B3"] = "#DIV/0!", "#N/A"   # openpyxl stores these as error cells (t="e")
    ws["C14"] = "#REF!"
    wb.save(tmp_path / "errors.xlsx")
    grid = read_raw(tmp_path / "errors.xlsx").sheets["订单"]
    assert grid[2][:2] == ["#DIV/0!", "#N/A"]
    assert grid[13][2] == "#REF!"
    assert grid[1][:2] == [1.0, "x"]


def test_xlsm_is_read_like_xlsx(valid, tmp_path):
    path = tmp_path / "macro.xlsm"
    shutil.copy(valid, path)
    raw = read_raw(path)
    assert raw.format == "xlsx"
    assert "订单" in raw.sheets


def test_the_input_file_is_never_modified(valid, tmp_path):
    path = tmp_path / "copy.xlsx"
    shutil.copy2(valid, path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_raw(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@pytest.fixture(scope="module")
def converted(valid, tmp_path_factory) -> dict[str, Path]:
    """The valid workbook converted to .ods and .xls by LibreOffice (once per module)."""
    if office_module.SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("converted")
    return {fmt: office_module.convert(valid, out, fmt) for fmt in ("ods", "xls")}


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_ods_and_xls_read_like_the_xlsx(converted, valid, fmt):
    from salesdeck.workbook.read.reader import read_workbook

    assert read_raw(converted[fmt]).format == fmt
    original, other = read_workbook(valid), read_workbook(converted[fmt])
    assert other.settings.month == original.settings.month
    assert len(other.orders) == len(original.orders)
    assert other.orders["amount"].sum() == pytest.approx(original.orders["amount"].sum())
    assert other.orders["date"].tolist() == original.orders["date"].tolist()


@pytest.mark.parametrize("index, letters", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(index, letters):
    assert column_letter(index) == letters
    assert column_index(letters) == index


def test_only_the_sheets_asked_for_are_parsed_but_the_whole_file_is_checked(valid, tmp_path):
    everything = read_raw(valid).sheets
    wanted = list(everything)[1:3]
    some = read_raw(valid, sheets=wanted + ["no such sheet"]).sheets
    assert list(some) == wanted and all(some[n] == everything[n] for n in wanted)
    hostile_book = hostile.xxe(tmp_path, valid)  # the entity is in the first sheet, which is not asked for
    with pytest.raises(NotAWorkbookError, match="DOCTYPE"):
        read_raw(hostile_book, sheets=wanted)
