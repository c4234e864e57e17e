"""Every package salesdeck opens goes through the same checks: company templates, --previous workbooks,
import sources; and a full disk while a big sheet is split does not pass for a damaged file."""

from __future__ import annotations

import errno
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation

from salesdeck.cli import cli
from salesdeck.errors import PackageError
from salesdeck.ooxml.safety import check_package
from salesdeck.workbook.read import raw as rawread
from salesdeck.workbook.read import split as splitread
from tests.corpus import build, hostile


def run(*args) -> object:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return build.write_valid(tmp_path_factory.mktemp("book") / "book.xlsx", "zh", rows=300)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "company.pptx"
    Presentation().save(str(path))
    return path


def test_a_template_that_is_a_zip_bomb_is_refused_without_unpacking_it(workbook, template, tmp_path):
    bomb = hostile.template_bomb(tmp_path, template)
    assert bomb.stat().st_size < 2 << 20  # 1.5 MB on disk, 1.5 GB unpacked
    deck = tmp_path / "deck.pptx"
    result = run("build", workbook, "--template", bomb, "-o", deck)
    assert result.exit_code == 2
    assert "Error: bomb-template.pptx: refused, part docProps/thumbnail.jpeg would unpack to 1,610,612,736 bytes" \
           in result.output
    assert not deck.exists()


def test_a_template_declaring_an_entity_is_one_line_of_error(workbook, template, tmp_path):
    bad = hostile.template_with_entity(tmp_path, template)
    result = run("build", workbook, "--template", bad, "-o", tmp_path / "deck.pptx")
    assert result.exit_code == 2
    assert result.output.strip() == ("Error: entity-template.pptx: refused, part ppt/slideMasters/slideMaster1.xml "
                                     "declares a DOCTYPE/ENTITY (Office never writes one; the file may try to read "
                                     "other files)")


def test_a_template_with_a_broken_part_is_reported_as_malformed_xml(workbook, template, tmp_path):
    bad = hostile.template_malformed(tmp_path, template)
    result = run("build", workbook, "--template", bad, "-o", tmp_path / "deck.pptx")
    assert result.exit_code == 2
    assert "Error: malformed-template.pptx: part ppt/slideLayouts/slideLayout1.xml is not well-formed XML (line " \
           in result.output


def test_a_good_template_passes_the_same_checks(template):
    check_package(template)  # no error


@pytest.mark.parametrize("content, message", [
    (b"", "not a PowerPoint file"),
    (b"PK\x03\x04 truncated", "damaged or truncated file"),
])
def test_a_template_that_is_not_a_package_says_so(tmp_path, content, message):
    path = tmp_path / "t.pptx"
    path.write_bytes(content)
    with pytest.raises(PackageError, match=message):
        check_package(path, kind="a PowerPoint file")


def test_a_hostile_previous_workbook_is_refused_in_the_readers_words(workbook, tmp_path):
    previous = hostile.far_cell(tmp_path, workbook)
    result = run("build", workbook, "--previous", previous, "-o", tmp_path / "deck.pptx")
    assert result.exit_code == 2
    assert "Error: far-cell.xlsx: refused, sheet '订单' reaches cell XFD1048576" in result.output
    assert not (tmp_path / "deck.pptx").exists()


@pytest.mark.parametrize("name", ["one cell at XFD1048576", "xml external entity", "zip bomb (ratio)",
                                  "malformed XML in styles.xml"])
def test_a_hostile_spreadsheet_given_as_an_import_source_is_refused(workbook, tmp_path, name):
    builder, text = hostile.HOSTILE[name]
    source = builder(tmp_path, workbook)
    result = run("import", source, "--into", workbook, "--as", "orders", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert f"Error: {source.name}: " in result.output and text in result.output
    assert hostile.SECRET not in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_a_full_disk_while_splitting_a_sheet_reads_the_sheet_whole(workbook, monkeypatch):
    """The pieces of a split sheet are temporary files; when the disk fills up the split is given up and
    the sheet parsed whole, which needs no room: the same grids, and not a word about a damaged file."""
    whole = rawread.read_raw(workbook).sheets
    monkeypatch.setattr(rawread, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(rawread, "SPLIT_PIECE_BYTES", 1)
    monkeypatch.setattr(rawread.os, "cpu_count", lambda: 4)
    written = []

    def full_disk(self, data: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device", str(self._path))
        written.append(len(data))
        self._writer.write(data)
        self._written += len(data)

    monkeypatch.setattr(splitread.SheetSplitter, "_write", full_disk)
    made = []
    monkeypatch.setattr(rawread, "SheetSplitter", lambda *a: made.append(splitread.SheetSplitter(*a)) or made[-1])
    assert rawread.read_raw(workbook).sheets == whole
    assert made and "No space left on device" in made[0].abandoned
    assert not list(Path(tempfile.gettempdir()).glob(f"{made[0]._dir.name}*"))  # its folder is gone


def test_a_binary_part_embedding_a_plist_doctype_is_not_taken_for_xml(workbook, template, tmp_path):
    """Mac Office keeps printer settings as a binary part holding an Apple plist, DOCTYPE and all: that is
    not XML anyone parses, and the file is fine (python-pptx's own default template has one)."""
    plist = template_part(template, "ppt/printerSettings/printerSettings1.bin")
    assert b"<!DOCTYPE plist" in plist and not plist.startswith(b"<")
    path = hostile._rewrite(workbook, tmp_path / "mac.xlsx", lambda name, data: data)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/printerSettings/printerSettings1.bin", plist)
    assert run("check", path).exit_code == 0


def test_xml_in_ucs4_is_refused(template, tmp_path):
    path = hostile._rewrite(template, tmp_path / "ucs4.pptx", lambda name, data: (
        '<?xml version="1.0" encoding="UCS-4"?><a/>'.encode("utf-32-be") if name == "docProps/app.xml" else data))
    with pytest.raises(PackageError, match="part docProps/app.xml is XML in UCS-4"):
        check_package(path)


def template_part(template: Path, part: str) -> bytes:
    with zipfile.ZipFile(template) as zf:
        return zf.read(part)


def test_preflight_refuses_a_hostile_deck_like_any_package(template, tmp_path):
    from salesdeck.generator.render.pdf import find_soffice

    if find_soffice() is None:
        pytest.skip("preflight asks for LibreOffice before it opens the deck")
    deck = hostile.template_with_entity(tmp_path, template)
    result = CliRunner().invoke(cli, ["preflight", str(deck)])
    assert result.exit_code == 2
    assert "Error: entity-template.pptx: refused, part ppt/slideMasters/slideMaster1.xml declares a DOCTYPE" \
           in result.output
