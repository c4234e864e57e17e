"""Deterministic zip packages: same content in, same bytes out."""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import zipfile
from pathlib import Path

FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def fixed_member(name: str) -> zipfile.ZipInfo:
    """A deflated zip member named ``name`` stamped with FIXED_TIME (same content, same bytes)."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def normalize_zip(path: str | os.PathLike) -> None:
    """Rewrite an OOXML package in place with fixed timestamps and order kept.

    Office writers stamp every zip member with the current time; fixing it
    makes two runs over the same input byte-identical (diffable, cacheable).
    ``[Content_Types].xml`` stays first, as Office expects.
    """
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".norm")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            dst.writestr(fixed_member(info.filename), data)
    os.replace(tmp, path)


def copy_member(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile, chunk: int = 1 << 20) -> None:
    """Copy one member from ``src`` into ``dst`` with the fixed timestamp, never holding it whole in memory.

    Its compressed bytes are copied as they are when :func:`_copy_raw` can;
    otherwise it is inflated and deflated again.
    """
    if _copy_raw(src, info, dst, chunk):
        return
    member = fixed_member(info.filename)
    member.file_size = info.file_size  # lets zipfile decide on ZIP64 as writestr would
    with src.open(info) as fin, dst.open(member, "w") as fout:
        shutil.copyfileobj(fin, fout, chunk)


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name and extra field lengths at offset 26


def _copy_raw(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile, chunk: int) -> bool:
    """Copy a member's compressed bytes without inflating them (compressing a big sheet again was most
    of a refresh's write). This writes the entry the way ``ZipFile.open(..., "w")`` does, through
    zipfile's own attributes; when those are not what this expects, nothing is written and it says False.
    """
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        return False  # encrypted, or a method some readers lack
    try:
        if dst._writing or not dst._seekable or dst.mode not in ("w", "x", "a"):
            return False
        source, out = src.fp, dst.fp
        source.seek(info.header_offset)
        signature, name_len, extra_len = _LOCAL_HEADER.unpack(source.read(_LOCAL_HEADER.size))
        if signature != b"PK\x03\x04":
            return False
        member = fixed_member(info.filename)
        member.compress_type = info.compress_type
        member.CRC, member.compress_size, member.file_size = info.CRC, info.compress_size, info.file_size
        zip64 = max(member.compress_size, member.file_size) > zipfile.ZIP64_LIMIT
        out.seek(dst.start_dir)
        member.header_offset = out.tell()
        out.write(member.FileHeader(zip64))
        source.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        left = member.compress_size
        while left:
            data = source.read(min(chunk, left))
            if not data:
                raise zipfile.BadZipFile(f"{info.filename} is shorter than its header says")
            out.write(data)
            left -= len(data)
        dst.start_dir = out.tell()
        dst._didModify = True
        dst.filelist.append(member)
        dst.NameToInfo[member.filename] = member
        return True
    except AttributeError:
        return False


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def normalize_zip_bytes(data: bytes) -> bytes:
    """An in-memory package (e.g. a chart's embedded workbook) with fixed timestamps and core dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = _CORE_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", member)
            dst.writestr(fixed_member(info.filename), member)
    return out.getvalue()
