"""Writing into the workbook: the Table grows, validations and notes survive, the input stays untouched."""

from __future__ import annotations

import re

import openpyxl
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook.imports.target import note_sizes
from salesdeck.workbook.imports.importer import import_rows
from salesdeck.workbook.read.reader import read_workbook
from salesdeck.workbook.author.writer import write_workbook
from tests.corpus import hostile

ROWS = 6000  # past the 5,000 rows the template's validations cover
REGIONS = ["华东", "华南", "华北", "西南"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _orders_csv(path, rows=ROWS):
    lines = ["订单号,日期,销售代表,区域,渠道,客户,产品,产品线,数量,金额"]
    for i in range(rows):
        lines.append(f"SO{i:05d},2026-{9 + i % 2:02d}-{1 + i % 28:02d},代表{i % 7},{REGIONS[i % 4]},"
                     f"{'直营' if i % 3 else '分销'},客户{i % 50},产品{i % 9},产品线{i % 3},{1 + i % 4},{100 + i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A fresh template and the same template after importing 6,000 orders."""
    folder = tmp_path_factory.mktemp("roundtrip")
    template = write_workbook(None, folder / "blank.xlsx", lang="zh")
    before = template.read_bytes()
    result = run("import", _orders_csv(folder / "orders.csv"), "--into", template, "--as", "orders")
    assert result.exit_code == 0, result.output
    return template, folder / "blank-imported.xlsx", before, result


def test_default_output_is_beside_the_input_which_is_untouched(imported):
    template, out, before, result = imported
    assert result.stdout.strip().splitlines()[-1] == str(out)
    assert template.read_bytes() == before
    assert f"imported {ROWS} row(s) into orders; skipped 0" in result.stdout
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_reader_sees_the_rows_and_check_passes(imported):
    _, out, _, _ = imported
    orders = read_workbook(out).orders
    assert len(orders) == ROWS
    assert orders["amount"].sum() == sum(100 + i for i in range(ROWS))
    assert orders["channel"].value_counts().to_dict() == {"direct": 4000, "distribution": 2000}
    assert run("check", out).exit_code == 0


def test_table_ref_covers_the_rows_and_validations_reach_them(imported):
    template, out, _, _ = imported
    sheet = openpyxl.load_workbook(out)["订单"]
    assert sheet.tables["tbl_orders"].ref == f"A1:M{ROWS + 1}"
    assert sheet.tables["tbl_orders"].autoFilter.ref == f"A1:M{ROWS + 1}"
    ranges = sorted(str(v.sqref) for v in sheet.data_validations.dataValidation)
    assert len(ranges) == 13 and all(r.endswith(f"{ROWS + 1}") for r in ranges)
    date_rule = next(v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith("B2:"))
    assert date_rule.type == "date" and date_rule.promptTitle == "日期"
    original = openpyxl.load_workbook(template)["订单"]
    assert sheet.freeze_panes == original.freeze_panes == "A2"
    assert {k: d.width for k, d in sheet.column_dimensions.items()} == \
        {k: d.width for k, d in original.column_dimensions.items()}
    assert sheet["B2"].number_format == sheet[f"B{ROWS + 1}"].number_format == "yyyy-mm-dd"  # the column's format
    assert sheet["M2"].number_format == sheet[f"M{ROWS + 1}"].number_format == "#,##0"


def test_column_notes_keep_their_text_and_box_size(imported):
    template, out, _, _ = imported
    before, after = note_sizes(template), note_sizes(out)
    assert before and after == before
    assert before["订单"][(0, 1)][0] > 200  # wider than openpyxl's default 144 px box
    original, result = openpyxl.load_workbook(template)["订单"], openpyxl.load_workbook(out)["订单"]
    assert result["A1"].comment.text == original["A1"].comment.text


def test_other_sheets_are_untouched(imported):
    template, out, _, _ = imported
    original, result = openpyxl.load_workbook(template), openpyxl.load_workbook(out)
    assert result.sheetnames == original.sheetnames
    for name in original.sheetnames:
        if name in ("订单", "设置"):
            continue
        assert _values(result[name]) == _values(original[name]), name
        assert {t: result[name].tables[t].ref for t in result[name].tables} == \
            {t: original[name].tables[t].ref for t in original[name].tables}
    settings = result["设置"]
    changed = [(c.coordinate, c.value) for row in settings.iter_rows() for c in row
               if c.value != original["设置"][c.coordinate].value]
    assert changed == [("B3", "2026-10")]  # the empty report month, from the latest order


def test_only_the_table_its_sheet_and_settings_change_in_the_package(imported):
    """Rows are added by editing the package: every other part (styles, notes, theme...) stays byte for byte."""
    import zipfile

    template, out, _, _ = imported
    with zipfile.ZipFile(template) as before, zipfile.ZipFile(out) as after:
        assert after.namelist() == before.namelist()
        changed = sorted(n for n in before.namelist() if before.read(n) != after.read(n))
        sheet = after.read("xl/worksheets/sheet4.xml")
    assert _zip64_local_headers(out) == []  # no needless ZIP64 fields
    assert changed == ["xl/tables/table5.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet4.xml"]
    assert sheet.count(b"<row ") == ROWS + 1 and b'<dimension ref="A1:M6001"/>' in sheet


@pytest.mark.office
def test_libreoffice_opens_the_imported_workbook_and_shows_every_row(imported, office, tmp_path):
    _, out, _, _ = imported
    rows = office.sheet_rows(out, tmp_path, 4, "订单")
    assert rows[0][:3] == ["订单号", "日期", "销售代表"] and len(rows) == ROWS + 1
    assert rows[1][:6] == ["SO00000", "2026-09-01", "代表0", "华东", "分销", "客户0"]
    assert sorted(r[0] for r in rows[1:]) == [f"SO{i:05d}" for i in range(ROWS)]
    assert all(re.fullmatch(r"2026-(09|10)-\d\d", r[1]) for r in rows[1:])  # shown as dates, not serial numbers
    assert sum(float(r[12].replace(",", "")) for r in rows[1:]) == sum(100 + i for i in range(ROWS))


def test_cells_below_the_table_are_kept_and_new_rows_go_right_under_the_data(tmp_path):
    """A sheet with something below the table is written the general way (openpyxl), with the same result."""
    book = write_workbook(None, tmp_path / "book.xlsx", lang="zh")
    wb = openpyxl.load_workbook(book)
    wb["订单"]["O40"] = "备注：十月数据"
    wb.save(book)
    result = run("import", _orders_csv(tmp_path / "orders.csv", rows=5), "--into", book, "--as", "orders")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "book-imported.xlsx")["订单"]
    assert sorted(sheet.cell(r, 1).value for r in range(2, 7)) == [f"SO{i:05d}" for i in range(5)]
    assert sheet["O40"].value == "备注：十月数据" and sheet.tables["tbl_orders"].ref == "A1:M6"
    assert len(read_workbook(tmp_path / "book-imported.xlsx").orders) == 5


def _zip64_local_headers(path) -> list[str]:
    """Members whose local header carries a ZIP64 extra field."""
    import struct
    import zipfile

    found = []
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        for info in archive.infolist():
            raw.seek(info.header_offset + 26)
            name_len, extra_len = struct.unpack("<HH", raw.read(4))
            extra = raw.read(name_len + extra_len)[name_len:]
            while len(extra) >= 4:
                tag, size = struct.unpack("<HH", extra[:4])
                if tag == 1:
                    found.append(info.filename)
                extra = extra[4 + size:]
    return found


def _values(sheet) -> list[list]:
    """Cell values, an empty string the same as an empty cell (openpyxl writes '' as nothing)."""
    return [[None if c.value == "" else c.value for c in row] for row in sheet.iter_rows()]


def test_reimport_adds_nothing_and_leaves_the_file_alone(imported):
    _, out, _, _ = imported
    before = out.read_bytes()
    result = run("import", out.parent / "orders.csv", "--into", out, "--as", "orders", "--in-place")
    assert result.exit_code == 0, result.output
    assert f"imported 0 row(s) into orders; skipped {ROWS}" in result.stdout
    assert f"nothing new: all {ROWS} row(s) are already in blank-imported.xlsx; nothing written" in result.stdout
    assert out.read_bytes() == before


# ---------------------------------------------------------------- output choices
@pytest.fixture
def small(tmp_path):
    template = write_workbook(None, tmp_path / "book.xlsx", lang="en")
    return template, _orders_csv(tmp_path / "orders.csv", rows=3)


def test_output_naming_the_workbook_changes_it(small):
    template, source = small
    result = run("import", source, "--into", template, "--as", "orders", "-o", template)
    assert result.exit_code == 0, result.output
    assert len(read_workbook(template).orders) == 3
    assert not (template.parent / "book-imported.xlsx").exists()


def test_in_place_and_dry_run(small):
    template, source = small
    before = template.read_bytes()
    dry = run("import", source, "--into", template, "--as", "orders", "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing written" in dry.stdout
    assert "first rows:" in dry.stdout and "SO00000" in dry.stdout
    assert template.read_bytes() == before and not (template.parent / "book-imported.xlsx").exists()
    assert run("import", source, "--into", template, "--as", "orders", "--in-place").exit_code == 0
    assert len(read_workbook(template).orders) == 3


def test_a_failed_import_writes_nothing(small):
    template, _ = small
    source = template.parent / "bad.csv"
    source.write_text("Date,Customer,Amount\n2026-10-01,Acme,100\n", encoding="utf-8")
    before = template.read_bytes()
    result = run("import", source, "--into", template, "--as", "orders")
    assert result.exit_code == 1 and "unmatched fields: rep" in result.stderr
    assert template.read_bytes() == before
    assert sorted(p.name for p in template.parent.iterdir()) == ["bad.csv", "book.xlsx", "orders.csv"]


def test_english_workbook_gets_english_choice_labels(small):
    template, source = small
    import_rows([source], template, "orders", in_place=True)
    sheet = openpyxl.load_workbook(template)["Orders"]
    assert [sheet.cell(r, 5).value for r in (2, 3, 4)] == ["Distribution", "Direct", "Direct"]


# ---------------------------------------------------------------- skipped rows
def test_skipped_rows_are_reported_by_reason_with_file_rows(tmp_path):
    template = write_workbook(None, tmp_path / "book.xlsx", lang="zh")
    book = openpyxl.load_workbook(template)
    book["设置"]["B3"] = "2026-10"  # the reported month
    book.save(template)
    source = tmp_path / "october.csv"
    source.write_text(
        "日期,销售代表,区域,渠道,客户,产品,产品线,金额\n"
        "2024-09-30,张伟,华东,直营,远航,X3,终端,100\n"    # row 2: more than 24 months before
        "2024-10-01,张伟,华东,直营,远航,X3,终端,101\n"    # row 3: just inside
        "2026-11-30,张伟,华东,直营,远航,X3,终端,102\n"    # row 4: the month after: inside
        "2026-12-01,张伟,华东,直营,远航,X3,终端,103\n"    # row 5: after the month after
        "10月3日,张伟,华东,直营,远航,X3,终端,104\n"       # row 6: no year
        "2026-10-05,张伟,华东,直营,远航,X3,终端,一百\n"   # row 7: amount in words
        ",,,,,,,\n"                                       # row 8: blank
        "2026-10-06,张伟,华东,直营,远航,X3,终端,105\n"    # row 9
        "2026-10-06,张伟,华东,直营,远航,X3,终端,105\n",   # row 10: same row again
        encoding="utf-8")
    result = run("import", source, "--into", template, "--as", "orders", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "imported 3 row(s) into orders; skipped 6" in lines
    assert "  skipped 2 (date far outside the reported month: e.g. 2024-09-30): october.csv row 2, october.csv row 5" in lines
    assert "  skipped 1 (unparseable date: e.g. date '10月3日' ('10月3日' is not a date)): october.csv row 6" in lines
    assert any(line.startswith("  skipped 1 (amount not a number: e.g. amount '一百'") and line.endswith("october.csv row 7")
               for line in lines)
    assert "  skipped 1 (blank row): october.csv row 8" in lines
    assert "  skipped 1 (duplicate: e.g. same row as row 9): october.csv row 10" in lines
    assert read_workbook(tmp_path / "out.xlsx").orders["amount"].tolist() == [101, 105, 102]


def test_nothing_importable_exits_1(tmp_path):
    template = write_workbook(None, tmp_path / "book.xlsx", lang="zh")
    source = tmp_path / "junk.csv"
    source.write_text("日期,销售代表,区域,渠道,客户,产品,产品线,金额\n2099-12-31,x,x,直营,x,x,x,1\n", encoding="utf-8")
    result = run("import", source, "--into", template, "--as", "orders")
    assert result.exit_code == 1
    assert "Error: nothing to import: every row was skipped (1 date far outside the reported month)" in result.stderr


# ---------------------------------------------------------------- the other tables
def test_receivables_with_duplicate_invoices(tmp_path):
    template = write_workbook(None, tmp_path / "book.xlsx", lang="zh")
    source = tmp_path / "ar.csv"
    source.write_text("Invoice Number,Customer Name,Sales Person,Invoice Amount,Due Date,Payment Date,Amount Paid\n"
                      "INV-1,Acme,Wu,1000,2026-09-30,2026-10-05,1000\n"
                      "INV-2,Bolt,Wu,500,2026-10-31,,\n"
                      "INV-1,Acme,Wu,1000,2026-09-30,2026-10-05,1000\n", encoding="utf-8")
    report = import_rows([source], template, "receivables", out=tmp_path / "o.xlsx")
    assert report.imported == 2
    assert [(s.row, s.reason) for s in report.skipped] == [(4, "duplicate: same invoice as row 2")]
    receivables = read_workbook(tmp_path / "o.xlsx", strict=False).receivables
    assert receivables["invoice"].tolist() == ["INV-1", "INV-2"]
    assert receivables["paid_amount"].fillna(0).tolist() == [1000, 0]


def test_activities_by_rep_and_month(tmp_path):
    template = write_workbook(None, tmp_path / "book.xlsx", lang="zh")
    source = tmp_path / "activities.csv"
    source.write_text("销售代表,月份,电话,拜访,方案,报价,成交\n张伟,2026-10,120,30,8,5,2\n李娜,2026年10月,90,25,6,4,1\n",
                      encoding="utf-8-sig")
    report = import_rows([source], template, "activities", out=tmp_path / "o.xlsx")
    assert report.imported == 2
    activities = read_workbook(tmp_path / "o.xlsx", strict=False).activities
    assert activities.set_index("rep").loc["李娜", ["visits", "deals"]].tolist() == [25, 1]
    again = import_rows([source], tmp_path / "o.xlsx", "activities", in_place=True)
    assert again.imported == 0 and len(again.skipped) == 2


def _as_xlsm(xlsx, xlsm, macros: bytes):
    """The template as a macro-enabled workbook carrying ``macros`` as its VBA project."""
    import zipfile

    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(main, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
                    b"</Types>", b'<Override PartName="/xl/vbaProject.bin" '
                                 b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Target="vbaProject.bin" Type='
                                    b'"http://schemas.microsoft.com/office/2006/relationships/vbaProject"/>'
                                    b"</Relationships>")
            dst.writestr(name, data)
        dst.writestr("xl/vbaProject.bin", macros)
    return xlsm


def test_import_into_an_xlsm_keeps_its_macros_and_releases_them(tmp_path):
    import zipfile

    from salesdeck.workbook.imports.target import TargetWorkbook

    macros = b"\xd0\xcf\x11\xe0 a VBA project " * 40
    book = _as_xlsm(write_workbook(None, tmp_path / "blank.xlsx", lang="zh"), tmp_path / "book.xlsm", macros)
    result = run("import", _orders_csv(tmp_path / "orders.csv", rows=20), "--into", book, "--as", "orders")
    assert result.exit_code == 0, result.output
    out = tmp_path / "book-imported.xlsm"
    with zipfile.ZipFile(out) as archive:
        assert archive.read("xl/vbaProject.bin") == macros
    assert len(read_workbook(out).orders) == 20
    with TargetWorkbook.open(book, "orders") as target:
        held = target.book.vba_archive
        assert held.read("xl/vbaProject.bin") == macros
    assert held.fp is None  # closed: openpyxl would leave it to the garbage collector, which complains on stderr


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_a_hostile_workbook_to_import_into_is_refused_by_the_safe_reader(name, tmp_path):
    builder, text = hostile.HOSTILE[name]
    book = builder(tmp_path, write_workbook(None, tmp_path / "template.xlsx", lang="zh"))
    result = run("import", _orders_csv(tmp_path / "orders.csv", rows=3), "--into", book, "--as", "orders")
    assert result.exit_code == 2, result.output
    assert text in result.output and "Traceback" not in result.output and hostile.SECRET not in result.output
    assert not (tmp_path / f"{book.stem}-imported.xlsx").exists()


@pytest.mark.office
def test_import_into_a_workbook_saved_by_libreoffice(tmp_path, office):
    """LibreOffice writes its own XML (styles on every cell, other attributes); the rows still go in."""
    template = write_workbook(None, tmp_path / "blank.xlsx", lang="zh")
    saved = office.convert(template, tmp_path / "lo", fmt='xlsx:Calc MS Excel 2007 XML')
    result = run("import", _orders_csv(tmp_path / "orders.csv", rows=30), "--into", saved, "--as", "orders")
    assert result.exit_code == 0, result.output
    out = saved.with_name(f"{saved.stem}-imported.xlsx")
    orders = read_workbook(out).orders
    assert len(orders) == 30 and orders["amount"].sum() == sum(100 + i for i in range(30))
    rows = office.sheet_rows(out, tmp_path / "csv", 4, "订单")
    assert len(rows) == 31 and all(re.fullmatch(r"2026-(09|10)-\d\d", r[1]) for r in rows[1:])
