"""Finding parts in an OOXML package: relationship targets, each sheet's part, refusing DTDs.

Only the byte-level bookkeeping every package reader and editor needs, so the
workbook reader, the import editor and the result-sheet writer resolve
relationships one way.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import PurePosixPath

__all__ = ["part_path", "rels_path", "part_rels", "sheet_parts", "declares_dtd"]

_REL = re.compile(rb"<Relationship\b[^>]*>")
_FORBIDDEN_MARKUP = [m for tag in (b"<!DOCTYPE", b"<!ENTITY") for m in (tag, tag.decode().encode("utf-16-le"))]


def _attr(tag: bytes, name: str) -> str | None:
    match = re.search(rb"\b" + name.encode() + rb'="([^"]*)"', tag)
    return match.group(1).decode("utf-8") if match else None


def part_path(base: str, target: str) -> str:
    """Resolve a relationship target against the folder of ``base`` (e.g. xl/workbook.xml)."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.split("/")[:-1]
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def rels_path(part: str) -> str:
    """The relationships part of ``part`` (xl/workbook.xml -> xl/_rels/workbook.xml.rels)."""
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def part_rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part path of one package part."""
    try:
        data = archive.read(rels_path(part))
    except KeyError:
        return {}
    return {_attr(tag, "Id") or "": part_path(part, _attr(tag, "Target") or "") for tag in _REL.findall(data)}



def declares_dtd(buf: bytes) -> bool:
    """Whether ``buf`` declares a DTD or an entity (UTF-8 or UTF-16): such XML is never parsed."""
    # "!" is rare in sheet XML and found by memchr; only then look for the markers (UTF-8 or UTF-16)
    return b"!" in buf and any(marker in buf for marker in _FORBIDDEN_MARKUP)



def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet part, from the workbook and its relationships."""
    import xml.etree.ElementTree as ET  # safe: both parts are checked for DTDs before parsing

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        book_xml, rels_xml = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
        if declares_dtd(book_xml) or declares_dtd(rels_xml):
            return {}
        book, rels = ET.fromstring(book_xml), ET.fromstring(rels_xml)
    except (KeyError, ET.ParseError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = part
    out = {}
    for sheet in book.iter(f"{ns_main}sheet"):
        part = targets.get(sheet.get(f"{ns_rel}id"))
        if part is not None and sheet.get("name") is not None:
            out[sheet.get("name")] = part
    return out
