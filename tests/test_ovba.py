"""MS-OVBA without Office: compression, the compound-file writer, and editing a VBA project.

Reference files are the ones xlwings ships (its add-in template's vbaProject.bin,
which Excel opens for every xlwings user); readers are olefile and oletools.
"""

from __future__ import annotations

import io
import struct
import zipfile

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from salesdeck.addin.xlam import TEMPLATE
from salesdeck.errors import OutputError
from salesdeck.ooxml.vba.compound import sort_key, write_compound
from salesdeck.ooxml.vba.compression import CompressionError, compress, decompress
from salesdeck.ooxml.vba.project import VBA_PROJECT_NO_CACHE, VbaProject, parse_dir


@pytest.fixture(scope="module")
def template_bin() -> bytes:
    with zipfile.ZipFile(TEMPLATE) as zf:
        return zf.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def template_streams(template_bin) -> dict[str, bytes]:
    with olefile.OleFileIO(io.BytesIO(template_bin)) as ole:
        return {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}


# ---------------------------------------------------------------- compression
def test_decompress_agrees_with_oletools_on_every_template_stream(template_streams):
    project = VbaProject.read(write_compound(template_streams))
    offsets = {m.stream: m.offset for m in project.modules()}
    assert set(offsets) == {"ThisWorkbook", "Dictionary", "RibbonMyAddin", "Sheet2", "xlwings"}
    for stream, offset in [*offsets.items(), ("dir", 0)]:
        packed = template_streams[f"VBA/{stream}"][offset:]
        assert decompress(packed) == decompress_stream(bytearray(packed)), stream


@pytest.mark.parametrize("stream", ["xlwings", "dir"])
def test_recompressed_template_streams_read_back_the_same(template_streams, stream):
    """The xlwings module (source only, offset 0) and the dir stream of the template, recompressed."""
    plain = decompress(template_streams[f"VBA/{stream}"])
    packed = compress(plain)
    assert bytes(decompress_stream(bytearray(packed))) == plain
    assert len(packed) <= len(template_streams[f"VBA/{stream}"])


# MS-OVBA 3.2.1 (no compression), 3.2.2 (normal compression) and 3.2.3 (maximum compression)
SPEC_EXAMPLES = [
    (b"abcdefghijklmnopqrstuv.", "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"),
    (b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
     "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F 70 06 71 02 70 "
     "04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"),
]


@pytest.mark.parametrize(("plain", "packed"), SPEC_EXAMPLES)
def test_compression_reproduces_the_specification_examples(plain, packed):
    expected = bytes.fromhex(packed.replace(" ", ""))
    assert compress(plain) == expected
    assert decompress(expected) == plain


def test_one_long_run_is_one_copy_token():
    # "a", then one token: offset 1, length 4095 (bit count 4: the longest length a token holds here)
    assert compress(b"a" * 4096) == bytes.fromhex("0103b00261fc0f")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=9000) | st.text(alphabet="ab \r\n", max_size=12000).map(str.encode))
def test_compress_round_trips_and_oletools_reads_it(data):
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


def test_incompressible_chunks_are_stored_raw():
    import random

    noise = random.Random(7).randbytes(4096 * 2 + 100)
    packed = compress(noise)
    header = struct.unpack_from("<H", packed, 1)[0]
    assert header & 0x8000 == 0 and header & 0x0FFF == 4095      # a raw chunk: flag 0, size 4098 - 3
    assert decompress(packed)[:len(noise)] == noise


@pytest.mark.parametrize("bad", [b"", b"\x02abc", b"\x01\xff", b"\x01\x03\xb0\x01\x00\x10"])
def test_broken_containers_are_refused(bad):
    with pytest.raises(CompressionError):
        decompress(bad)


# ---------------------------------------------------------------- compound files
def _read_all(data: bytes) -> dict[str, bytes]:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}


def test_written_compound_file_holds_every_stream(template_streams):
    streams = dict(template_streams)
    streams.update({"VBA/big": bytes(range(256)) * 80, "VBA/edge": b"x" * 4096, "VBA/under": b"y" * 4095,
                    "Other/Deeper/leaf": b"z" * 10})
    assert _read_all(write_compound(streams)) == streams


def test_same_streams_same_bytes(template_streams):
    assert write_compound(template_streams) == write_compound(dict(reversed(list(template_streams.items()))))


def _tree_checks(ole: olefile.OleFileIO) -> None:
    """Every storage's children: a binary search tree in MS-CFB order that is a valid red-black tree."""
    entries = ole.direntries

    def walk(sid, low, high):
        if sid == olefile.NOSTREAM:
            return 1
        node = entries[sid]
        key = sort_key(node.name)
        assert (low is None or low < key) and (high is None or key < high)
        left, right = node.sid_left, node.sid_right
        if node.color == 0:  # red: no red child
            assert all(c == olefile.NOSTREAM or entries[c].color == 1 for c in (left, right))
        lb, rb = walk(left, low, key), walk(right, key, high)
        assert lb == rb, "paths with different black heights"
        return lb + node.color

    for entry in entries:
        if entry is not None and entry.entry_type in (olefile.STGTY_STORAGE, olefile.STGTY_ROOT):
            assert entry.sid_child == olefile.NOSTREAM or entries[entry.sid_child].color == 1
            walk(entry.sid_child, None, None)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 40])
def test_sibling_trees_are_red_black_trees(count):
    streams = {f"S/n{i:02d}{'x' * (i % 5)}": bytes([i]) for i in range(count)}
    data = write_compound(streams)
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        _tree_checks(ole)
    assert _read_all(data) == streams


def test_compound_file_refuses_bad_layouts():
    with pytest.raises(OutputError, match="both a stream and a storage"):
        write_compound({"A": b"1", "A/B": b"2"})
    with pytest.raises(OutputError, match="longer than 31"):
        write_compound({"x" * 32: b"1"})


# ---------------------------------------------------------------- projects
def test_dir_stream_parses_and_serialises_back_exactly(template_streams):
    raw = decompress(template_streams["VBA/dir"])
    assert b"".join(r.to_bytes() for r in parse_dir(raw)) == raw


def test_unchanged_project_keeps_every_stream_but_the_cache_switch(template_bin, template_streams):
    out = _read_all(VbaProject.read(template_bin).to_bytes())
    assert out["VBA/_VBA_PROJECT"] == VBA_PROJECT_NO_CACHE == template_streams["VBA/_VBA_PROJECT"]
    assert decompress(out.pop("VBA/dir")) == decompress(template_streams["VBA/dir"])  # recompressed
    assert out == {k: v for k, v in template_streams.items() if k != "VBA/dir"}


def test_added_module_is_read_back_by_olevba(template_bin):
    project = VbaProject.read(template_bin)
    source = 'Attribute VB_Name = "Added"\r\nFunction Twice(x)\r\n    Twice = 2 * x\r\nEnd Function\r\n'
    project.set_module("Added", source)
    project.set_module("ThisWorkbook", project.source("ThisWorkbook") + "Private Sub Workbook_Open()\r\nEnd Sub\r\n",
                       kind="class")
    project.drop_reference("MSForms")
    data = project.to_bytes()

    parser = VBA_Parser("vbaProject.bin", data=data)
    try:
        macros = {name: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert "Function Twice(x)" in macros["Added.bas"]
    assert "Private Sub Workbook_Open()" in macros["ThisWorkbook.cls"]
    assert "RunPython" in macros["xlwings.bas"]  # untouched modules still read

    again = VbaProject.read(data)
    modules = {m.name: (m.kind, m.offset) for m in again.modules()}
    assert modules["Added"] == ("standard", 0) and modules["ThisWorkbook"] == ("class", 0)
    assert modules["Dictionary"][1] > 0                          # p-code left where nothing changed
    assert again.references() == ["Office"]
    project_text = again.streams["PROJECT"].decode("cp1252")
    assert "Module=xlwings\r\nModule=Added\r\n" in project_text
    assert b"A\x00d\x00d\x00e\x00d\x00" in again.streams["PROJECTwm"]


def test_module_text_must_fit_the_code_page_and_name_itself(template_bin):
    project = VbaProject.read(template_bin)
    with pytest.raises(OutputError, match="code page"):
        project.set_module("Zh", 'Attribute VB_Name = "Zh"\r\n\' 销售\r\n')
    with pytest.raises(OutputError, match="must start with"):
        project.set_module("Zh", 'Attribute VB_Name = "Other"\r\n')
    with pytest.raises(OutputError, match="not a VBA module name"):
        project.set_module("1bad", 'Attribute VB_Name = "1bad"\r\n')
