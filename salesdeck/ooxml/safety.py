"""The checks every Office package salesdeck opens goes through, before any part is parsed.

Workbooks, ``--previous`` workbooks, import sources and company templates
(.pptx/.potx) are all zip packages. Before a library parses any of them:

- the central directory is checked: member count, declared sizes, and the
  ratio of unpacked to packed bytes (zip bombs);
- every member is streamed once with bounded memory: the bytes must not run
  past the declared size, XML (a member that starts with ``<``) that declares
  a ``<!DOCTYPE`` or ``<!ENTITY`` is refused (so no entity is ever resolved),
  and the XML parts that
  salesdeck or a library parses as a whole are checked to be well-formed,
  so a broken part is reported as such, naming the part, line and column.

Every refusal is an ``error`` (default :class:`~salesdeck.errors.PackageError`,
exit 2) whose message starts with the file name.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Callable, Iterator
from xml.parsers import expat

from salesdeck.errors import PackageError
from salesdeck.ooxml.parts import declares_dtd

__all__ = ["MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "RATIO_FLOOR_BYTES", "MAX_RATIO", "MAX_MEMBERS", "CHUNK",
           "ZIP_MAGIC", "open_zip", "check_directory", "member_chunks", "is_xml_part", "check_package"]

MAX_MEMBER_BYTES = 1 << 30          # 1 GiB uncompressed per zip member
MAX_TOTAL_BYTES = 2 << 30           # 2 GiB uncompressed in all
RATIO_FLOOR_BYTES = 50 << 20        # ratios only matter above ~50 MB
MAX_RATIO = 100                     # uncompressed : compressed
MAX_MEMBERS = 10_000
CHUNK = 1 << 20

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError)

Error = Callable[[str], Exception]


def open_zip(path: Path, error: Error = PackageError) -> zipfile.ZipFile:
    """The zip archive at ``path``, or ``error`` saying it is damaged."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise error(f"{path.name}: damaged or truncated file (not a readable zip: {exc})") from exc


def check_directory(name: str, infos: list[zipfile.ZipInfo], error: Error = PackageError) -> None:
    """Refuse an archive whose directory promises too many parts or too many bytes (zip bombs)."""
    if len(infos) > MAX_MEMBERS:
        raise error(f"{name}: refused, the archive has {len(infos):,} parts (an Office file has far fewer)")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise error(f"{name}: refused, part {info.filename} would unpack to {info.file_size:,} bytes (zip bomb?)")
    if total > MAX_TOTAL_BYTES or (total > RATIO_FLOOR_BYTES and total / packed > MAX_RATIO):
        raise error(
            f"{name}: refused, {packed:,} bytes would unpack to {total:,} bytes (ratio {total / packed:,.0f}:1, zip bomb?)")


def is_xml_part(part: str) -> bool:
    """Parts that are XML by their name (.xml, .rels); legacy .vml drawings are not strict XML."""
    return part.endswith((".xml", ".rels"))


def member_chunks(name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, well_formed: bool = False,
                  error: Error = PackageError) -> Iterator[bytes]:
    """The member's bytes in chunks of at most ``CHUNK``, each checked before it is handed out.

    Refuses (``error``) bytes beyond the declared size, any DTD or entity
    declaration, and with ``well_formed`` XML that is not well-formed. Only
    failures to read the archive are reported as a damaged file: whatever the
    caller raises while handling a chunk is its own.
    """
    seen = 0
    tail = b""
    xml = None  # whether the member is XML, known from its first bytes
    checker = _WellFormed(name, info.filename, error) if well_formed else None
    try:
        stream = zf.open(info)
    except _READ_ERRORS as exc:
        raise error(f"{name}: damaged or truncated file (part {info.filename}: {exc})") from exc
    with stream:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except _READ_ERRORS as exc:
                raise error(f"{name}: damaged or truncated file (part {info.filename}: {exc})") from exc
            if not chunk:
                break
            seen += len(chunk)
            if seen > max(info.file_size, 0) + CHUNK or seen > MAX_MEMBER_BYTES:
                raise error(f"{name}: refused, part {info.filename} unpacks beyond its declared size")
            if xml is None:
                xml = _is_xml(chunk, name, info.filename, error)
            if xml and declares_dtd(tail + chunk):
                raise error(f"{name}: refused, part {info.filename} declares a DOCTYPE/ENTITY "
                            "(Office never writes one; the file may try to read other files)")
            tail = chunk[-32:]
            if checker is not None:
                checker.feed(chunk)
            yield chunk
    if checker is not None:
        checker.close()


_UCS4 = (b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")


def _is_xml(head: bytes, name: str, part: str, error: Error) -> bool:
    """Whether a member is XML, from its first bytes (after a byte order mark and blanks, a '<' in UTF-8 or
    UTF-16). Other parts (images, printer settings that embed a plist with its own DOCTYPE) are not parsed
    as XML by anyone. XML in UCS-4 (which the DTD check does not read) is refused: Office never writes it."""
    if head.startswith(_UCS4):
        raise error(f"{name}: refused, part {part} is XML in UCS-4, an encoding Office never writes")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        return True
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")[:1] == b"<"


class _WellFormed:
    """An incremental expat parse that only looks for syntax errors (no handlers, no DTDs)."""

    def __init__(self, name: str, part: str, error: Error) -> None:
        self.name, self.part, self.error = name, part, error
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype  # refused before it gets here; twice is cheap

    def _doctype(self, *_args) -> None:
        raise self.error(f"{self.name}: refused, part {self.part} declares a DOCTYPE")

    def feed(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, False)
        except expat.ExpatError as exc:
            raise self._malformed(exc) from None

    def close(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise self._malformed(exc) from None

    def _malformed(self, exc: expat.ExpatError) -> Exception:
        return self.error(f"{self.name}: part {self.part} is not well-formed XML "
                          f"(line {exc.lineno}, column {exc.offset + 1}: {expat.ErrorString(exc.code)})")


def check_package(path: str | Path, *, kind: str = "an Office file", error: Error = PackageError) -> None:
    """Every check above on the whole package at ``path``: directory, then every member streamed once,
    every XML part checked to be well-formed. For packages a library then parses whole (templates)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise error(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if head not in ZIP_MAGIC:
        raise error(f"{path.name}: not {kind} (not a zip package)")
    with open_zip(path, error) as zf:
        infos = zf.infolist()
        check_directory(path.name, infos, error)
        for info in infos:
            if not info.is_dir():
                for _ in member_chunks(path.name, zf, info, well_formed=is_xml_part(info.filename), error=error):
                    pass
