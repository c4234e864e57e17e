"""Deterministic zip packages: same content in, same bytes out."""

from __future__ import annotations

import io
import os
import re
import shutil
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
    """Stream one member from ``src`` into ``dst`` compressed, with the fixed timestamp (no full copy in memory)."""
    member = fixed_member(info.filename)
    member.file_size = info.file_size  # lets zipfile decide on ZIP64 as writestr would
    with src.open(info) as fin, dst.open(member, "w") as fout:
        shutil.copyfileobj(fin, fout, chunk)


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


class _FixedTimeZip:
    """The physical writer python-pptx's PackageWriter expects, stamping every member with FIXED_TIME."""

    def __init__(self, path: str | os.PathLike) -> None:
        self._zipf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def __enter__(self) -> "_FixedTimeZip":
        return self

    def __exit__(self, *exc) -> None:
        self._zipf.close()

    def write(self, pack_uri, blob: bytes) -> None:
        self._zipf.writestr(fixed_member(pack_uri.membername), blob)


def save_presentation(prs, path: str | os.PathLike) -> None:
    """``prs.save(path)`` with fixed timestamps, in one pass.

    Uses python-pptx's own package writer (content types first, then package
    rels, then every part and its rels) with a fixed-time zip underneath; if a
    python-pptx release renames those internals, falls back to saving and
    rewriting the file.
    """
    package = prs.part.package
    try:
        from pptx.opc.serialized import PackageWriter

        writer = PackageWriter(path, package._rels, tuple(package.iter_parts()))
        steps = (writer._write_content_types_stream, writer._write_pkg_rels, writer._write_parts)
    except (ImportError, AttributeError, TypeError):
        prs.save(str(path))
        normalize_zip(path)
        return
    with _FixedTimeZip(path) as phys:
        for write in steps:
            write(phys)
