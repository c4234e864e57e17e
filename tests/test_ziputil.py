"""Deterministic zip copies: members copied whole, compressed bytes kept, timestamps fixed."""

from __future__ import annotations

import zipfile

import pytest

from salesdeck.ooxml.zips import FIXED_TIME, copy_member


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "source.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 50_000, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("stored.bin", bytes(range(256)) * 10, compress_type=zipfile.ZIP_STORED)
        zf.writestr("名字/中文.xml", "<t>销售</t>".encode(), compress_type=zipfile.ZIP_DEFLATED)
    return path


def _copy(source, out):
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("first.xml", b"<new/>")
        for info in src.infolist():
            copy_member(src, info, dst)
        dst.writestr("last.xml", b"<new/>")


def test_members_are_copied_whole_with_their_compressed_bytes_and_a_fixed_time(source, tmp_path):
    out = tmp_path / "out.zip"
    _copy(source, out)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out) as dst:
        assert dst.testzip() is None  # every CRC checks
        assert dst.namelist() == ["first.xml", *src.namelist(), "last.xml"]
        for info in src.infolist():
            copied = dst.getinfo(info.filename)
            assert dst.read(info.filename) == src.read(info.filename)
            assert (copied.compress_type, copied.compress_size, copied.date_time) == \
                (info.compress_type, info.compress_size, FIXED_TIME)


def test_the_same_source_gives_the_same_bytes(source, tmp_path):
    _copy(source, tmp_path / "a.zip")
    _copy(source, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_where_a_raw_copy_cannot_be_made_it_compresses_again_with_the_same_content(source, tmp_path):
    out = tmp_path / "out.zip"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst._seekable = False  # what an unseekable output looks like: the raw copy steps aside
        for info in src.infolist():
            copy_member(src, info, dst)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out) as dst:
        assert dst.testzip() is None
        assert [dst.read(n) for n in dst.namelist()] == [src.read(n) for n in src.namelist()]
        assert dst.getinfo("stored.bin").compress_type == zipfile.ZIP_DEFLATED  # compressed again, not copied
