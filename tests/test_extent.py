"""How far a sheet reaches, measured from its XML as it streams by, is what python-calamine lays out."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from salesdeck.errors import NotAWorkbookError
from salesdeck.ooxml.xml import column_letter
from salesdeck.workbook.read import extent
from salesdeck.workbook.read.extent import SheetExtent

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _book(path: Path, sheet_data: str) -> Path:
    """The smallest xlsx calamine reads: one sheet 'S' holding ``sheet_data``."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets>'
                   '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", _sheet(sheet_data))
    return path


def _sheet(sheet_data: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1"/>'
            f'<sheetData>{sheet_data}</sheetData></worksheet>')


def _calamine_extent(path: Path) -> tuple[int, int]:
    """(last row, last column), 1-based, of what calamine lays out from A1."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S")
    return (0, 0) if sheet.end is None else (sheet.end[0] + 1, sheet.end[1] + 1)


def _measure(xml: str, chunk_sizes: list[int]) -> SheetExtent:
    measured = SheetExtent("book.xlsx", lambda: "sheet 'S'")
    data, at, k = xml.encode(), 0, 0
    while at < len(data):
        size = chunk_sizes[k % len(chunk_sizes)]
        measured.feed(data[at:at + size])
        at, k = at + size, k + 1
    measured.finish()
    return measured


def _cell(row: int, col: int, style: str, value: int) -> str:
    ref = f"{column_letter(col - 1)}{row}"
    return {
        "plain": f'<c r="{ref}"><v>{value}</v></c>',
        "odd": f"<c t='n' r='{ref}'><v>{value}</v></c>",
        "prefixed": f'<x:c xmlns:x="{MAIN}" r="{ref}"><x:v>{value}</x:v></x:c>',
        "empty": f'<c r="{ref}" s="1"/>',
    }[style]


def _sheet_data(cells: dict[int, list[tuple[int, str]]], row_order: list[int], positional: set[int]) -> str:
    """Rows in ``row_order``; a row in ``positional`` lists its cells without references from column A."""
    out = []
    for row in row_order:
        if row in positional:
            out.append(f'<row r="{row}">' + "".join(f"<c><v>{k}</v></c>" for k, _ in enumerate(cells[row])) + "</row>")
        else:
            out.append(f'<row r="{row}">' + "".join(_cell(row, col, style, col) for col, style in cells[row]) + "</row>")
    return "".join(out)


STYLES = st.sampled_from(["plain"] * 6 + ["odd", "prefixed", "empty"])


@st.composite
def sheets(draw):
    rows = draw(st.lists(st.integers(1, 5000), min_size=1, max_size=30, unique=True))
    cells = {row: sorted(draw(st.dictionaries(st.integers(1, 800), STYLES, min_size=1, max_size=6)).items())
             for row in rows}
    order = sorted(rows) if draw(st.booleans()) else draw(st.permutations(rows))
    positional = set(draw(st.lists(st.sampled_from(rows), max_size=3)))
    chunk_sizes = draw(st.lists(st.integers(5, 700), min_size=1, max_size=5))
    return _sheet_data(cells, order, positional), chunk_sizes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=sheets())
def test_the_measured_extent_is_the_one_calamine_lays_out(case, tmp_path):
    """Any mix of rows in or out of order, references first or not, prefixed tags, cells without
    references and empty styled cells, cut into chunks anywhere: the same last row and column as calamine."""
    sheet_data, chunk_sizes = case
    measured = _measure(_sheet(sheet_data), chunk_sizes)
    assert (measured.rows, measured.cols) == _calamine_extent(_book(tmp_path / "s.xlsx", sheet_data))


def test_a_big_regular_sheet_is_measured_exactly(tmp_path, monkeypatch):
    rng = random.Random(5)
    rows = "".join(f'<row r="{r}" spans="1:13">' + "".join(f'<c r="{column_letter(c)}{r}" t="n"><v>{rng.random()}</v></c>'
                                                         for c in range(13)) + "</row>" for r in range(1, 20_001))
    measured = _measure(_sheet(rows), [1 << 16])
    assert (measured.rows, measured.cols, measured.filled) == (20_000, 13, 0)  # far below the sparse rule: not counted
    assert measured.unmeasured // extent.MIN_CELL_BYTES >= 260_000 and measured.unmeasured < len(rows) + 100
    monkeypatch.setattr(extent, "SPARSE_FREE_CELLS", 0)
    measured = _measure(_sheet(rows), [1 << 16])
    assert (measured.rows, measured.cols, measured.filled) == (20_000, 13, 260_000)
    assert (measured.row_ref, measured.col_ref) == ("M20000", "M1")  # the first cells to reach them


def test_one_far_cell_is_refused_naming_the_sheet_and_cell():
    xml = _sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')
    with pytest.raises(NotAWorkbookError) as exc:
        _measure(xml, [1 << 20])
    message = str(exc.value)
    assert message.startswith("book.xlsx: refused, sheet 'S' reaches cell XFD1048576")
    assert "17,179,869,184 cells" in message and "Delete what lies beyond your data" in message


def test_the_far_cell_is_refused_before_the_rest_of_the_sheet_is_read():
    """The bound holds while streaming: the chunk holding the far cell raises, whatever follows."""
    measured = SheetExtent("book.xlsx", lambda: "sheet 'S'")
    measured.feed(_sheet('<row r="1"><c r="A1"><v>1</v></c></row>').split("</sheetData>")[0].encode())
    with pytest.raises(NotAWorkbookError):
        measured.feed(b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')


def test_a_sparse_sheet_is_refused_a_dense_one_of_the_same_size_is_not():
    far = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="Z1048576"><v>2</v></c></row>'
    with pytest.raises(NotAWorkbookError, match=r"has a value at cell Z1048576, far from the rest: laid out from A1 "
                                                r"that is 27,262,976 cells for 2 filled ones"):
        _measure(_sheet(far), [4096])
    # below the free size any sheet is read, however empty
    near = '<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="Z100000"><v>2</v></c></row>'
    assert _measure(_sheet(near), [4096]).cells == 2_600_000 <= extent.SPARSE_FREE_CELLS


def test_cells_named_apart_when_the_last_row_and_column_differ():
    xml = _sheet('<row r="1"><c r="XFD1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>2</v></c></row>')
    with pytest.raises(NotAWorkbookError, match=r"reaches cells XFD1 \(column\) and A1048576 \(row\)"):
        _measure(xml, [1 << 20])


# ------------------------------------------------------------------ .ods: positions by counting, repeats
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def _ods(path: Path, tables: str) -> Path:
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                   'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                   'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>', zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _ods_cell(kind: str, repeat: int) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return {"value": f'<table:table-cell office:value-type="float" office:value="7"{times}><text:p>7</text:p>'
                     "</table:table-cell>",
            "empty": f'<table:table-cell table:style-name="ce1"{times}/>'}[kind]


@st.composite
def ods_tables(draw):
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        cells = draw(st.lists(st.tuples(st.sampled_from(["value", "empty", "empty"]), st.integers(1, 40)), max_size=5))
        times = draw(st.sampled_from([1, 1, 1, 2, 7, 300]))
        repeat = f' table:number-rows-repeated="{times}"' if times > 1 else ""
        rows.append(f"<table:table-row{repeat}>" + "".join(_ods_cell(k, n) for k, n in cells) + "</table:table-row>")
    return '<table:table table:name="S">' + "".join(rows) + "</table:table>", draw(st.integers(7, 900))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=ods_tables())
def test_an_ods_table_is_measured_as_calamine_lays_it_out(case, tmp_path):
    from salesdeck.workbook.read.extent_ods import OdsExtent

    table, chunk = case
    path = _ods(tmp_path / "s.ods", table)
    measured = OdsExtent("s.ods")
    content = zipfile.ZipFile(path).read("content.xml")
    for at in range(0, len(content), chunk):
        measured.feed(content[at:at + chunk])
    last = measured.table or measured.last_table
    measured.finish()
    assert (last.rows, last.cols) == _calamine_extent(path)


def test_an_ods_cell_repeated_over_a_million_rows_is_refused(tmp_path):
    from salesdeck.workbook.read.raw import read_raw

    rows = ('<table:table table:name="订单"><table:table-row table:number-rows-repeated="1048000">'
            + _ods_cell("value", 90) + "</table:table-row></table:table>")
    path = _ods(tmp_path / "bomb.ods", rows)
    assert path.stat().st_size < 2000
    with pytest.raises(NotAWorkbookError, match=r"bomb\.ods: refused, sheet '订单' reaches cell CL1048000: .* "
                                                r"94,320,000 cells"):
        read_raw(path)
