"""A big sheet parsed in pieces gives exactly the grid the whole sheet gives, or falls back."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from salesdeck.errors import NotAWorkbookError
from salesdeck.workbook.read import raw as rawread
from salesdeck.workbook.author.sample import write_sample
from salesdeck.workbook.read.split import SheetSplitter
from tests.corpus import build, hostile


@pytest.fixture
def split_everything(monkeypatch):
    """Split the biggest sheet of any workbook, however small, into up to ``pieces`` pieces.

    Returns a function to change the number of pieces; ``.made`` lists the splitters used.
    """
    made: list[SheetSplitter] = []

    class Recorded(SheetSplitter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    def configure(pieces: int = 8):
        monkeypatch.setattr(rawread, "SPLIT_MIN_BYTES", 0)
        monkeypatch.setattr(rawread, "SPLIT_PIECE_BYTES", 1)
        monkeypatch.setattr(rawread, "SPLIT_MAX_PIECES", pieces)
        monkeypatch.setattr(rawread.os, "cpu_count", lambda: 4)
        monkeypatch.setattr(rawread, "SheetSplitter", Recorded)
    configure()
    configure.made = made
    return configure


def _whole(path: Path) -> dict:
    saved = rawread.SPLIT_MIN_BYTES
    rawread.SPLIT_MIN_BYTES = 1 << 62
    try:
        return rawread.read_raw(path).sheets
    finally:
        rawread.SPLIT_MIN_BYTES = saved


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("salesdeck-read-*")}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("split") / "sample.xlsx", rows=3000)


def _odd_sheet(path: Path) -> Path:
    """A table from C5 with blank rows and columns, dates, yes/no, numbers, text and an error cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "订单"
    sheet["C5"], sheet["D5"], sheet["F5"] = "日期", "金额", "备注"
    for i in range(400):
        row = 6 + i + (i // 50) * 3  # a few blank rows every 50
        sheet.cell(row, 3, dt.date(2026, 1, 1) + dt.timedelta(days=i))
        sheet.cell(row, 4, i * 1.5 if i % 7 else None)
        sheet.cell(row, 6, f"备注 {i} & <x>" if i % 3 else (i % 2 == 0))
    sheet["H300"] = "=1/0"
    other = book.create_sheet("说明")
    other["A1"] = "hello"
    book.save(path)
    # Excel keeps the cached value of a failed formula as an error cell
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace('<c r="H300"><f>1/0</f><v></v></c>', '<c r="H300" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


def _without_row_numbers(src: Path, dst: Path) -> Path:
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return dst


@pytest.mark.parametrize("pieces", [2, 3, 8])
def test_sample_read_in_pieces_is_the_same_grid(sample, split_everything, pieces):
    split_everything(pieces)
    before = _leftovers()
    assert rawread.read_raw(sample).sheets == _whole(sample)
    assert _leftovers() == before  # piece files are gone
    [splitter] = split_everything.made
    assert splitter.abandoned is None and len(splitter.futures) == pieces


def test_odd_sheet_read_in_pieces_is_the_same_grid(tmp_path, split_everything):
    path = _odd_sheet(tmp_path / "odd.xlsx")
    split = rawread.read_raw(path).sheets
    assert split == _whole(path)
    grid = split["订单"]
    assert grid[4][2:6] == ["日期", "金额", "", "备注"]
    assert grid[299][7] == "#DIV/0!"
    [splitter] = split_everything.made
    assert splitter.abandoned is None and len(splitter.futures) == 8


def test_rows_without_numbers_fall_back_to_the_whole_sheet(tmp_path, split_everything):
    path = _without_row_numbers(_odd_sheet(tmp_path / "odd.xlsx"), tmp_path / "no-r.xlsx")
    assert rawread.read_raw(path).sheets == _whole(path)
    [splitter] = split_everything.made
    assert "r=" in splitter.abandoned


def test_real_files_read_in_pieces_are_the_same_grid(realdata, split_everything):
    files = sorted(realdata.rglob("*.xlsx"))
    assert files
    for path in files:
        assert rawread.read_raw(path).sheets == _whole(path), path.name


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_hostile_files_are_still_refused_and_leave_nothing_behind(name, split_everything, tmp_path):
    valid = build.write_valid(tmp_path / "valid.xlsx", "zh")
    builder, text = hostile.HOSTILE[name]
    path = builder(tmp_path, valid)
    before = _leftovers()
    with pytest.raises(NotAWorkbookError) as exc:
        rawread.read_raw(path)
    assert text in str(exc.value)
    assert _leftovers() == before


@pytest.mark.parametrize("chunk", [7, 64, 4096])
def test_splitter_cuts_at_rows_across_any_chunking(sample, chunk):
    whole = _whole(sample)
    with zipfile.ZipFile(sample) as zf, ThreadPoolExecutor(4) as pool:
        name = next(n for n, g in whole.items() if len(g) > 1000)
        member = zf.getinfo(rawread.sheet_parts(zf)[name])
        splitter = SheetSplitter(zf, member, name, pool, pieces=4)
        data = zf.read(member)
        for start in range(0, len(data), chunk):
            splitter.feed(data[start:start + chunk])
        splitter.finish()
        assert splitter.abandoned is None
        assert len(splitter.futures) == 4
        assert splitter.rows() == whole[name]
        splitter.close()


def test_splitter_gives_up_on_a_sheet_without_rows():
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "empty.xlsx"
        openpyxl.Workbook().save(path)
        with zipfile.ZipFile(path) as zf, ThreadPoolExecutor(2) as pool:
            splitter = SheetSplitter(zf, zf.getinfo("xl/worksheets/sheet1.xml"), "Sheet", pool, pieces=2)
            splitter.feed(xml)
            splitter.finish()
            assert splitter.abandoned == "empty sheet"
            assert splitter.rows() is None
            splitter.close()


def test_batch_workers_read_on_their_share_of_the_cores(monkeypatch):
    from salesdeck.jobs import batch

    monkeypatch.setattr(rawread.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(rawread, "READ_CORES", None)
    big = 100 << 20
    assert rawread._piece_count(big) == 4  # a build on its own uses both cores
    batch._share_cores(2)                   # a worker per core: no split
    assert rawread._piece_count(big) == 1
    monkeypatch.setattr(rawread.os, "cpu_count", lambda: 8)
    batch._share_cores(2)                   # 2 workers on 8 cores: 4 each
    assert rawread._piece_count(big) == 8
